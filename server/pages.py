"""HTML pages for people: home, search, and one page per kind of resource (claim,
article, source, place, conflict, concept, ontology and its terms).

Every value comes from a stored query (``queries/pages/*.rq``) with the IRI bound, and
reaches the page through Jinja's autoescaping. Labels are shown in the reader's
language (``?lang=fr|en``, else ``Accept-Language``), falling back to the other one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from factgraph.graph import export

from . import charts
from .app import get_store

bp = Blueprint("pages", __name__)

LANGS = ("en", "fr")
W3ID = "https://w3id.org/factgraph/"
ONTOLOGY_NS = W3ID + "ontology#"

UI: dict[str, dict[str, str]] = {
    "en": {
        "claims": "Claims",
        "claim": "Claim",
        "articles": "Articles",
        "sources": "Sources",
        "conflicts": "Conflicts",
        "search": "Search",
        "claimant": "Claimant",
        "figure": "Figure",
        "interval": "Interval",
        "quantity": "Quantity",
        "place": "Place",
        "period": "Period",
        "stated_on": "Stated on",
        "confidence": "Speaker's confidence",
        "verdicts": "Reliability verdicts",
        "quote": "Where it was read",
        "provenance": "Provenance",
        "related": "Related claims",
        "all": "All statements",
        "article": "Article",
        "outlet": "Outlet",
        "date": "Date",
        "extraction": "Extraction",
        "software": "Software",
        "text": "Text",
        "chart": "Figures over time",
        "any": "any",
        "downloads": "Downloads",
        "queries": "Stored queries",
        "sparql": "SPARQL endpoint",
        "ontology": "Ontology",
        "used_by": "Used by",
        "words": "in the speaker's words",
        "value": "Value",
        "show": "Show",
        "none": "nothing found",
        "given": "Verdicts given on others' reports",
        "next": "Next page",
        "first": "First page",
        "kind": "Kind",
        "severity": "Severity",
        "ratio": "Ratio",
        "gap": "Gap",
        "explanation": "Explanation",
        "filter": "Filter",
        "versus": "versus",
    },
    "fr": {
        "claims": "Affirmations",
        "claim": "Affirmation",
        "articles": "Articles",
        "sources": "Sources",
        "conflicts": "Contradictions",
        "search": "Rechercher",
        "claimant": "Auteur",
        "figure": "Chiffre",
        "interval": "Intervalle",
        "quantity": "Quantité",
        "place": "Lieu",
        "period": "Période",
        "stated_on": "Déclaré le",
        "confidence": "Assurance de l'auteur",
        "verdicts": "Avis de fiabilité",
        "quote": "Où cela a été lu",
        "provenance": "Provenance",
        "related": "Affirmations liées",
        "all": "Tous les énoncés",
        "article": "Article",
        "outlet": "Média",
        "date": "Date",
        "extraction": "Extraction",
        "software": "Logiciel",
        "text": "Texte",
        "chart": "Chiffres dans le temps",
        "any": "tous",
        "downloads": "Téléchargements",
        "queries": "Requêtes enregistrées",
        "sparql": "Point d'accès SPARQL",
        "ontology": "Ontologie",
        "used_by": "Utilisé par",
        "words": "selon les mots de l'auteur",
        "value": "Valeur",
        "show": "Afficher",
        "none": "aucun résultat",
        "given": "Avis donnés sur les rapports d'autres sources",
        "next": "Page suivante",
        "first": "Première page",
        "kind": "Type",
        "severity": "Gravité",
        "ratio": "Rapport",
        "gap": "Écart",
        "explanation": "Explication",
        "filter": "Filtrer",
        "versus": "contre",
    },
}

RELATIONS = {  # (predicate local name, direction) -> (en, fr)
    ("restates", "out"): ("restates", "reprend"),
    ("restates", "in"): ("restated by", "repris par"),
    ("restatedBy", "out"): ("restated by", "repris par"),
    ("restatedBy", "in"): ("restates", "reprend"),
    ("partOf", "out"): ("part of", "partie de"),
    ("partOf", "in"): ("has part", "comprend"),
    ("hasPart", "out"): ("has part", "comprend"),
    ("hasPart", "in"): ("part of", "partie de"),
    ("supports", "out"): ("supports", "appuie"),
    ("supports", "in"): ("supported by", "appuyé par"),
    ("disputes", "out"): ("disputes", "conteste"),
    ("disputes", "in"): ("disputed by", "contesté par"),
    ("relativeTo", "out"): ("compared with", "comparé à"),
    ("relativeTo", "in"): ("compared by", "comparé par"),
    ("corroborates", "out"): ("corroborates", "corrobore"),
    ("corroborates", "in"): ("corroborates", "corrobore"),
    ("conflictsWith", "out"): ("conflicts with", "contredit"),
    ("conflictsWith", "in"): ("conflicts with", "contredit"),
}


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.after_app_request
def security_headers(resp: Response) -> Response:
    """Every page gets a Content-Security-Policy: no inline script or style, nothing
    from another origin (the chart is inline SVG with presentation attributes)."""
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


# -- language, labels, links ---------------------------------------------------------------


def current_lang() -> str:
    lang = request.args.get("lang")
    if lang in LANGS:
        return lang
    return request.accept_languages.best_match(LANGS) or "en"


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class Labels:
    """Labels gathered from query rows: IRI -> {language: text}; ``get`` picks one."""

    def __init__(self, lang: str):
        self.lang = lang
        self._by_iri: dict[str, dict[str, str]] = defaultdict(dict)

    def add(self, iri: Node | None, label: Node | None) -> None:
        if iri is not None and isinstance(label, Literal):
            self._by_iri[str(iri)].setdefault(label.language or "", str(label))

    def get(self, iri: Node | str | None) -> str:
        if iri is None:
            return ""
        found = self._by_iri.get(str(iri), {})
        for lang in (self.lang, "en", "fr", ""):
            if lang in found:
                return found[lang]
        return next(iter(found.values()), None) or local_name(str(iri))


def href(iri: Node | str) -> str:
    """Where a page links to for an IRI: minted IRIs and the factgraph vocabularies are
    served here; anything else is linked as is."""
    text = str(iri)
    base = current_app.config["BASE"]
    if text.startswith(base):
        return "/" + text[len(base) :]
    if text.startswith(ONTOLOGY_NS):
        return "/ontology/" + text[len(ONTOLOGY_NS) :]
    if text == W3ID + "ontology":
        return "/ontology"
    if text.startswith(W3ID):
        return "/vocab/" + text[len(W3ID) :]
    return text


def show(node: Node | None) -> str:
    """A literal for display: numbers without a useless '.0'."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
            return charts.format_number(float(value))
    return str(node)


def rows(name: str, **bindings: Node) -> list[Any]:
    return list(get_store().query(export.query_text("pages", name), bindings))


def alternates(stem: str) -> list[tuple[str, str, str]]:
    from .resources import DOCUMENTS

    return [(f"/{stem}.{s}", mt, s) for s, mt in DOCUMENTS.items() if s != "html"]


def page(template: str, **context: Any) -> Response:
    lang = current_lang()
    context.setdefault("alternates", [])
    html = render_template(
        f"pages/{template}",
        lang=lang,
        t=UI[lang],
        href=href,
        show=show,
        number=charts.format_number,
        local_name=local_name,
        **context,
    )
    resp = Response(html, mimetype="text/html")
    resp.vary.add("Accept-Language")
    return resp


# -- the properties table shared by every resource page ------------------------------------------


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


# -- dispatch ----------------------------------------------------------------------------------


def render_resource(iri: URIRef, stem: str) -> Response:
    """The HTML document of ``iri`` (its path ``stem``), by the kind of resource."""
    if stem == "ontology":
        return ontology_page()
    from .conflicts import conflict_page

    kind = stem.split("/", 1)[0]
    d = describe(iri)
    renderer = {
        "conflict": conflict_page,
        "claim": claim_page,
        "article": article_page,
        "agent": agent_page,
        "place": place_page,
        "vocab": concept_page,
    }.get(kind, generic_page)
    if not d.values and kind != "graph":
        from .resources import _known

        if not _known(iri):
            abort(404)
    return renderer(d, stem)


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


# -- claim -----------------------------------------------------------------------------------------

FGNS = ONTOLOGY_NS


def fg(name: str) -> URIRef:
    return URIRef(FGNS + name)


@dataclass(frozen=True)
class Quote:
    before: str
    exact: str
    after: str
    located: bool  # found in the article's text (else the selector's own words)


class Merged:
    """Rows of UNION branches folded into one: the first bound value of each column."""

    def __init__(self, rows: list[Any]):
        self._values: dict[str, Any] = {}
        for row in rows:
            for key, value in row.asdict().items():
                self._values.setdefault(key, value)

    def __getattr__(self, name: str) -> Any:
        return self._values.get(name)


def merge_rows(found: list[Any]) -> Merged | None:
    return Merged(found) if found else None


def locate_quote(row: Any, context: int = 160) -> Quote | None:
    """Cut the article's text around the claim's quote: positions first, checked against
    the quote's exact words; else the exact words searched in the text; else the
    selector's prefix/exact/suffix."""
    if row is None:
        return None
    text = str(row.text) if row.text is not None else ""
    exact = str(row.exact) if row.exact is not None else None
    start = int(row.start) if row.start is not None else None
    end = int(row.end) if row.end is not None else None
    if text and start is not None and end is not None and 0 <= start < end <= len(text):
        if exact is None or text[start:end] == exact:
            return _cut(text, start, end, context)
    if text and exact and exact in text:
        i = text.index(exact)
        return _cut(text, i, i + len(exact), context)
    if exact:
        return Quote(str(row.prefix or ""), exact, str(row.suffix or ""), False)
    return None


def _cut(text: str, start: int, end: int, context: int) -> Quote:
    a, b = max(0, start - context), min(len(text), end + context)
    before = ("…" if a > 0 else "") + text[a:start]
    after = text[end:b] + ("…" if b < len(text) else "")
    return Quote(before, text[start:end], after, True)


def claim_page(d: Described, stem: str) -> Response:
    iri = d.iri
    lang = d.labels.lang
    quote = locate_quote(
        merge_rows(
            [r for name in ("claim_selector", "claim_position", "claim_text") for r in rows(name, iri=iri)]
        )
    )
    prov_rows = rows("claim_provenance", iri=iri)
    provenance = prov_rows[0] if prov_rows else None
    if provenance is not None:
        d.labels.add(provenance.outlet, provenance.outletLabel)
        d.labels.add(provenance.software, provenance.softwareLabel)
    related: dict[str, list[tuple[Node, str]]] = defaultdict(list)
    for row in rows("claim_related", iri=iri):
        names = RELATIONS.get((local_name(str(row.rel)), str(row.dir)))
        name = names[LANGS.index(lang)] if names else local_name(str(row.rel))
        d.labels.add(row.other, row.label)
        if (row.other, name) not in [(o, name) for o, _ in related[name]]:
            related[name].append((row.other, name))
    conflicts = _conflicts(iri, d.labels)
    verdicts = []
    for row in rows("claim_verdicts", iri=iri):
        d.labels.add(row.assessor, row.assessorLabel)
        d.labels.add(row.verdict, row.verdictLabel)
        if (row.assessor, row.verdict) not in verdicts:
            verdicts.append((row.assessor, row.verdict))
    low, high = d.one(fg("intervalLow")), d.one(fg("intervalHigh"))
    interval = None
    if low is not None or high is not None:
        lo_incl = d.one(fg("intervalLowInclusive"))
        hi_incl = d.one(fg("intervalHighInclusive"))
        interval = (
            ("[" if lo_incl is None or lo_incl.toPython() else "(")  # type: ignore[union-attr]
            + (show(low) if low is not None else "−∞")
            + ", "
            + (show(high) if high is not None else "+∞")
            + ("]" if high is not None and (hi_incl is None or hi_incl.toPython()) else ")")  # type: ignore[union-attr]
        )
    return generic_page(
        d,
        stem,
        "claim.html",
        fg=fg,
        quote=quote,
        provenance=provenance,
        related=dict(related),
        conflicts=conflicts,
        verdicts=verdicts,
        interval=interval,
    )


@dataclass(frozen=True)
class ConflictView:
    iri: Node
    kind: Node | None
    severity: str | None
    explanation: str | None
    other: Node
    is_conflict: bool
    ratio: str | None
    gap: str | None


def _conflicts(iri: URIRef, labels: Labels) -> list[ConflictView]:
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows("claim_conflicts", iri=iri):
        labels.add(row.kind, row.kindLabel)
        labels.add(row.other, row.otherLabel)
        entry = grouped.setdefault(str(row.c), {"row": row, "explanations": {}})
        if isinstance(row.explanation, Literal):
            entry["explanations"][row.explanation.language or ""] = str(row.explanation)
    views = []
    for key in sorted(grouped):
        row, explanations = grouped[key]["row"], grouped[key]["explanations"]
        explanation = next(
            (explanations[lg] for lg in (labels.lang, "en", "fr", "") if lg in explanations), None
        )
        views.append(
            ConflictView(
                row.c,
                row.kind,
                show(row.severity) or None,
                explanation,
                row.other,
                row.type == fg("Conflict"),
                show(row.ratio) or None,
                show(row.gap) or None,
            )
        )
    return views


# -- article -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    claim: Node | None = None
    title: str = ""


def segments(text: str, spans: Iterable[tuple[int, int, Node, str]]) -> list[Segment]:
    """Split ``text`` into plain and highlighted segments (overlapping spans: the first wins)."""
    out: list[Segment] = []
    pos = 0
    for start, end, claim, title in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos or end > len(text) or start >= end:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], claim, title))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def article_page(d: Described, stem: str) -> Response:
    vocabulary_labels(d.labels)
    claims = []
    seen: set[str] = set()
    for row in rows("article_claims", iri=d.iri):
        d.labels.add(row.claim, row.label)
        if str(row.claim) not in seen:
            seen.add(str(row.claim))
            claims.append(row)
    spans = []
    starts: dict[str, int] = {}
    for row in rows("article_positions", iri=d.iri):
        spans.append((int(row.start), int(row.end), row.claim, d.labels.get(row.claim)))
        starts.setdefault(str(row.claim), int(row.start))
    claims.sort(key=lambda r: (starts.get(str(r.claim), 1 << 62), str(r.claim)))
    text = d.text(URIRef("https://schema.org/text")) or ""
    return generic_page(d, stem, "article.html", claims=claims, segments=segments(text, spans))


# -- source (agent) --------------------------------------------------------------------------------


def vocabulary_labels(labels: Labels) -> Labels:
    """Add the labels of the vocabulary graph (agents, places, concepts) to ``labels``."""
    graph = URIRef(current_app.config["BASE"] + "graph/vocabulary")
    for row in rows("vocabulary_labels", graph=graph):
        labels.add(row.s, row.label)
    return labels


PAGE_ROWS = 100  # rows of a paged list; the LIMIT of agent_claims.rq and place_claims.rq is one more
CHART_POINTS = 400  # beyond this many (date, figure) points the chart draws one point per date


def chart_points(iri: URIRef, quantity: URIRef, place: URIRef | None, labels: Labels) -> list[charts.Point]:
    """The chart's points: one per (date, figure) when there are at most ``CHART_POINTS``,
    else one per date at its highest figure (the per-date counts come first: one cheap
    aggregate, so a source with thousands of figures never ships them all to Python)."""
    where = {"iri": iri, "quantity": quantity, **({"place": place} if place is not None else {})}
    suffix = "_place" if place is not None else ""
    dates = rows("agent_dates" + suffix, **where)
    if sum(int(r.values) for r in dates) <= CHART_POINTS:
        points = []
        for r in rows("agent_figures" + suffix, **where):
            labels.add(r.claim, r.label)
            points.append(charts.Point(str(r.when), float(r.value), href(r.claim), labels.get(r.claim)))
        return points
    return [
        charts.Point(
            str(r.when),
            float(r.high),
            href(r.sample),
            f"{int(r.values)} figures, {show(r.low)}–{show(r.high)}",
        )
        for r in dates
    ]


@dataclass
class ClaimRow:
    """One row of a source's claims table (places folded from one row per place)."""

    claim: Node
    key: str
    when: Node | None
    value: Node | None
    value_high: Node | None
    bound: Node | None
    places: list[Node] = field(default_factory=list)


def agent_page(d: Described, stem: str) -> Response:
    vocabulary_labels(d.labels)
    counts = {str(r.quantity): int(r.n) for r in rows("agent_quantities", iri=d.iri)}
    quantity = request.args.get("quantity") or max(counts, key=lambda q: (counts[q], q), default="")
    place = request.args.get("place") or ""
    after = request.args.get("after") or ""
    table: dict[str, ClaimRow] = {}
    chart = None
    if quantity:
        for r in rows("agent_claims", iri=d.iri, quantity=URIRef(quantity), after=Literal(after)):
            d.labels.add(r.claim, r.label)
            entry = table.setdefault(
                str(r.claim), ClaimRow(r.claim, str(r.key), r.when, r.value, r.valueHigh, r.bound)
            )
            if r.place is not None and r.place not in entry.places:
                entry.places.append(r.place)
        chart = charts.timeline(
            chart_points(d.iri, URIRef(quantity), URIRef(place) if place else None, d.labels)
        )
    claims = list(table.values())
    next_after = claims[PAGE_ROWS - 1].key if len(claims) > PAGE_ROWS else None
    places = sorted((r.place for r in rows("agent_places", iri=d.iri)), key=d.labels.get)
    verdicts = []
    for row in rows("agent_verdicts", iri=d.iri):
        d.labels.add(row.verdict, row.verdictLabel)
        d.labels.add(row.claim, row.claimLabel)
        verdicts.append(row)
    return generic_page(
        d,
        stem,
        "agent.html",
        counts=dict(sorted(counts.items(), key=lambda kv: d.labels.get(kv[0]))),
        quantity=quantity,
        place=place,
        places=places,
        claims=claims[:PAGE_ROWS],
        after=after,
        next_after=next_after,
        chart=chart,
        verdicts=verdicts,
    )


# -- place and concept ------------------------------------------------------------------------------


def place_page(d: Described, stem: str) -> Response:
    vocabulary_labels(d.labels)
    after = request.args.get("after") or ""
    found = rows("place_count", iri=d.iri)
    claims: dict[str, Any] = {}
    for row in rows("place_claims", iri=d.iri, after=Literal(after)):
        d.labels.add(row.claim, row.label)
        claims.setdefault(str(row.claim), row)
    listed = list(claims.values())
    next_after = str(listed[PAGE_ROWS - 1].claim) if len(listed) > PAGE_ROWS else None
    return generic_page(
        d,
        stem,
        "place.html",
        claims=listed[:PAGE_ROWS],
        total=int(found[0].n) if found else 0,
        after=after,
        next_after=next_after,
    )


def concept_page(d: Described, stem: str) -> Response:
    used: list[tuple[Node, Node]] = []
    for row in rows("incoming", iri=d.iri):
        d.labels.add(row.s, row.slabel)
        if (row.s, row.p) not in used:
            used.append((row.s, row.p))
    return generic_page(d, stem, "resource.html", used_by=used)


# -- ontology documentation ---------------------------------------------------------------------------

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


@bp.route("/ontology/<name>")
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


# -- home and search ----------------------------------------------------------------------------------


def has_route(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path)
    except Exception:  # noqa: BLE001 - NotFound, MethodNotAllowed, RequestRedirect
        return False
    return endpoint != "resources.resource"


def store_version() -> tuple:
    """What changes whenever the store's content does through factgraph: its named graphs
    (an article added or dropped) and the conflict detection's ``prov:endedAtTime`` (every
    ingest, new or replaced articles alike, ends with a conflict refresh that stamps it)."""
    stamps = tuple((str(r.activity), str(r.stamp)) for r in rows("home_version"))
    return (tuple(get_store().graph_names()), stamps)


def home_counts() -> Any:
    """The home page's counts (``home_counts.rq`` scans every claim: ~80 ms with 100k),
    cached with the ``store_version`` they were computed for, recomputed when it changes."""
    version = store_version()
    cached = current_app.extensions.get("factgraph.home_counts")
    if cached is not None and cached[0] == version:
        return cached[1]
    found = rows("home_counts")
    counts = found[0] if found else None
    current_app.extensions["factgraph.home_counts"] = (version, counts)
    return counts


@bp.route("/")
def home() -> Response:
    counts = home_counts()
    articles = rows("home_articles")
    links = [
        (path, key)
        for path, key in (
            ("/search", "search"),
            ("/queries", "queries"),
            ("/conflicts", "conflicts"),
            ("/downloads", "downloads"),
            ("/sparql", "sparql"),
            ("/ontology", "ontology"),
        )
        if path == "/ontology" or has_route(path)
    ]
    return page(
        "home.html",
        title="factgraph",
        counts=counts,
        articles=articles,
        links=links,
        facets=None,
    )


def facets() -> dict[str, list[tuple[str, str]]]:
    labels = Labels(current_lang())
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows("search_facets"):
        labels.add(row.value, row.label)
        found[str(row.facet)].add(str(row.value))
    return {
        facet: sorted(((v, labels.get(v)) for v in values), key=lambda t: t[1])
        for facet, values in found.items()
    }


@bp.route("/search")
def search() -> Response:
    args: Mapping[str, str] = request.args
    bindings: dict[str, Node] = {}
    for name in ("claimant", "quantity", "place"):
        if args.get(name):
            bindings[name] = URIRef(args[name])
    text = args.get("q", "").strip()
    searched = bool(text or bindings)
    results: list[Any] = []
    if searched:
        seen: set[str] = set()
        for row in rows("search", q=Literal(text), **bindings):
            if str(row.claim) not in seen:
                seen.add(str(row.claim))
                results.append(row)
    return page(
        "search.html",
        title=UI[current_lang()]["search"],
        results=results,
        facets=facets(),
        args=args,
        searched=searched,
    )
