"""The properties table every resource page shows, and the generic resource page built
on it: every (predicate, object) of an IRI with their labels (``properties.rq``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from .language import Labels, current_lang, local_name
from .rendering import alternates, data_version, page, rows


@dataclass
class Described:
    iri: URIRef
    labels: Labels
    values: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    table: list[tuple[str, str, Node]] = field(default_factory=list)  # (p, p label, o)

    def one(self, p: URIRef) -> Node | None:
        found = self.values.get(str(p))
        return found[0] if found else None

    def all(self, p: URIRef) -> list[Node]:
        return self.values.get(str(p), [])

    def text(self, p: URIRef) -> str | None:
        """A literal value in the reader's language if there is one."""
        found = [o for o in self.all(p) if isinstance(o, Literal)]
        for lang in (self.labels.lang, "en", "fr", None):
            for o in found:
                if o.language == lang:
                    return str(o)
        return str(found[0]) if found else None


def describe(iri: URIRef) -> Described:
    d = Described(iri, Labels(current_lang()))
    seen: set[tuple[str, Node]] = set()
    for row in rows("properties", iri=iri):
        d.labels.add(row.p, row.plabel)
        d.labels.add(row.o, row.olabel)
        if (str(row.p), row.o) not in seen:
            seen.add((str(row.p), row.o))
            d.values[str(row.p)].append(row.o)
    d.table = sorted(
        ((p, d.labels.get(p), o) for p, objects in d.values.items() for o in objects),
        key=lambda t: (t[1].lower(), str(t[2])),
    )
    if d.values:
        d.labels.add(iri, None)
    return d


def title_of(d: Described) -> str:
    return (
        d.text(RDFS.label)
        or d.text(SKOS.prefLabel)
        or d.text(URIRef("https://schema.org/headline"))
        or local_name(str(d.iri))
    )


LABELLED_GRAPHS = ("graph/vocabulary", "graph/lexicon")


def vocabulary_labels(labels: Labels) -> Labels:
    """Add the labels of the vocabulary graph (known agents, places, concepts) and of the
    lexicon graph (the sources, places and quantity kinds articles introduced) to
    ``labels``: read once per version of the data (``rendering.data_version``: every
    ingest, which may add to the lexicon, renews it) and kept, as the filter choices are
    (10-20 ms a page at 1M claims otherwise, on every page that labels its links)."""
    version = data_version()
    cached = current_app.extensions.get("factgraph.cache.vocabulary_labels")
    if cached is None or cached[0] != version:
        found = Labels(labels.lang)
        for name in LABELLED_GRAPHS:
            for row in rows("vocabulary_labels", graph=URIRef(current_app.config["BASE"] + name)):
                found.add(row.s, row.label)
        # kept as IRI -> {language: text}, merged into a page's labels as a whole (547 labels a
        # page at 1M claims, each added one by one before)
        cached = (version, found.texts())
        current_app.extensions["factgraph.cache.vocabulary_labels"] = cached
    labels.merge(cached[1])
    return labels


def generic_page(d: Described, stem: str, template: str = "resource.html", **extra: Any) -> Response:
    extra.setdefault("title", title_of(d))
    return page(
        template,
        iri=str(d.iri),
        d=d,
        labels=d.labels,
        alternates=alternates(stem),
        **extra,
    )
