"""The vocabularies: the page of a SKOS concept (with the claims that use it), the
ontology's documentation (``/ontology.html``: classes, properties, concept schemes and
concepts with their labels and comments) and the page of one of its terms
(``/ontology/{LocalName}``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, abort
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from factgraph.graph import export

from .described import Described, generic_page
from .language import Labels, current_lang, local_name
from .rendering import ONTOLOGY_NS, W3ID, page, rows


def concept_page(d: Described, stem: str) -> Response:
    used: list[tuple[Node, Node]] = []
    for row in rows("incoming", iri=d.iri):
        d.labels.add(row.s, row.slabel)
        if (row.s, row.p) not in used:
            used.append((row.s, row.p))
    return generic_page(d, stem, "resource.html", used_by=used)


TERM_KINDS = (
    ("http://www.w3.org/2002/07/owl#Class", "Classes"),
    ("http://www.w3.org/2002/07/owl#ObjectProperty", "Object properties"),
    ("http://www.w3.org/2002/07/owl#DatatypeProperty", "Datatype properties"),
    ("http://www.w3.org/2002/07/owl#AnnotationProperty", "Annotation properties"),
    (str(SKOS.ConceptScheme), "Concept schemes"),
    (str(SKOS.Concept), "Concepts"),
)


@dataclass
class Term:
    iri: str
    kinds: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    domains: set[str] = field(default_factory=set)
    ranges: set[str] = field(default_factory=set)
    supers: set[str] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)

    @property
    def anchor(self) -> str:
        return local_name(self.iri)

    def label(self, lang: str) -> str:
        return next((self.labels[lg] for lg in (lang, "en", "fr", "") if lg in self.labels), self.anchor)

    def comment(self, lang: str) -> str:
        return next((self.comments[lg] for lg in (lang, "en", "fr", "") if lg in self.comments), "")


def ontology_terms() -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for row in export.ontology_graph().query(export.query_text("pages", "ontology_terms")):
        term = terms.setdefault(str(row.term), Term(str(row.term)))  # type: ignore[union-attr]
        term.kinds.add(str(row.kind))  # type: ignore[union-attr]
        for attr, value in (("labels", row.label), ("comments", row.comment)):  # type: ignore[union-attr]
            if isinstance(value, Literal):
                getattr(term, attr).setdefault(value.language or "", str(value))
        for attr, value in (
            ("domains", row.domain),  # type: ignore[union-attr]
            ("ranges", row.range),  # type: ignore[union-attr]
            ("supers", row.super),  # type: ignore[union-attr]
            ("schemes", row.scheme),  # type: ignore[union-attr]
        ):
            if isinstance(value, URIRef):
                getattr(term, attr).add(str(value))
    return terms


def ontology_page() -> Response:
    terms = ontology_terms()
    sections = []
    for kind, name in TERM_KINDS:
        members = sorted((t for t in terms.values() if kind in t.kinds), key=lambda t: t.iri)
        if kind == str(SKOS.Concept):
            members = [t for t in members if str(SKOS.ConceptScheme) not in t.kinds]
        sections.append((name, members))
    header = export.ontology_graph()
    onto = URIRef(W3ID + "ontology")
    titles = {
        o.language or "": str(o) for o in header.objects(onto, URIRef("http://purl.org/dc/terms/title"))
    }
    descriptions = {
        o.language or "": str(o) for o in header.objects(onto, URIRef("http://purl.org/dc/terms/description"))
    }
    lang = current_lang()
    pick = lambda d: next((d[lg] for lg in (lang, "en", "fr", "") if lg in d), "")  # noqa: E731
    return page(
        "ontology.html",
        iri=str(onto),
        title=pick(titles) or "factgraph ontology",
        description=pick(descriptions),
        sections=sections,
        terms=terms,
        alternates=[("/ontology.ttl", "text/turtle", "ttl"), ("/ontology.rdf", "application/rdf+xml", "rdf")],
    )


def ontology_term(name: str) -> Response:
    iri = ONTOLOGY_NS + name
    term = ontology_terms().get(iri)
    if term is None:
        abort(404)
    used: list[tuple[Node, Node]] = []
    labels = Labels(current_lang())
    for row in rows("incoming", iri=URIRef(iri)):
        labels.add(row.s, row.slabel)
        if (row.s, row.p) not in used and row.p == RDF.type:
            used.append((row.s, row.p))
    return page(
        "term.html", iri=iri, title=term.label(current_lang()), term=term, used_by=used, labels=labels
    )
