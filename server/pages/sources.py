"""The page of a source (an agent): what kind of source it is and how else it is written,
its claims of one quantity, article by article in keyset pages by article graph, a chart of its figures over time for a
chosen place, and the verdicts it gave on others' reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, request
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from factgraph.graph import export

from .. import charts
from . import limits
from .described import Described, generic_page, title_of, vocabulary_labels
from .language import Labels
from .rendering import cached_rows, fg, href, paged_rows, rows, show

# the kinds of source, most specific first: the page names the first one the agent has
AGENT_KINDS = ("GovernmentBody", "NewsOutlet", "Person", "ArticleVoice", "Organisation", "Agent")


def agent_kind(d: Described) -> Node | None:
    """The most specific kind of source ``d`` is typed with, labelled (fr, en) from the
    ontology."""
    types = set(d.all(RDF.type))
    for name in AGENT_KINDS:
        if fg(name) in types:
            for label in export.ontology_graph().objects(fg(name), RDFS.label):
                d.labels.add(fg(name), label)
            return fg(name)
    return None


def variants(d: Described) -> list[str]:
    """The other ways the source is written: its labels and skos:altLabel values other
    than the title."""
    seen = {title_of(d)}
    out = []
    for p in (SKOS.altLabel, SKOS.prefLabel, RDFS.label):
        for o in d.all(p):
            if isinstance(o, Literal) and str(o) not in seen:
                seen.add(str(o))
                out.append(str(o))
    return out


def chart_points(iri: URIRef, quantity: URIRef, place: URIRef | None, labels: Labels) -> list[charts.Point]:
    """The chart's points: one per (date, figure) when there are at most ``CHART_POINTS``,
    else one per date at its highest figure (the per-date counts come first: one cheap
    aggregate, so a source with thousands of figures never ships them all to Python)."""
    where = {"iri": iri, "quantity": quantity, **({"place": place} if place is not None else {})}
    suffix = "_place" if place is not None else ""
    dates = cached_rows("agent_dates" + suffix, **where)
    if sum(int(r.values) for r in dates) <= limits.CHART_POINTS:
        points = []
        for r in cached_rows("agent_figures" + suffix, **where):
            labels.add(r.claim, r.label)
            bound = str(r.bound).rsplit("/", 1)[-1] if r.bound is not None else "exact"
            high = float(r.high) if r.high is not None else None
            points.append(charts.Point(str(r.when), float(r.value), href(r.claim), labels.get(r.claim), bound, high))
        return points
    return [
        charts.Point(
            str(r.when),
            float(r.high),
            href(r.sample),
            f"{int(r.values)} figures, {show(r.low)}–{show(r.high)}",
            "at_most" if int(r.values) > 1 else "exact",  # the date's highest figure: the others lie below
        )
        for r in dates
    ]


@dataclass
class ClaimRow:
    """One row of a source's claims table (places folded from one row per place)."""

    claim: Node
    when: Node | None
    value: Node | None
    value_high: Node | None
    bound: Node | None
    places: list[Node] = field(default_factory=list)


def agent_page(d: Described, stem: str) -> Response:
    page_rows = limits.PAGE_ROWS
    vocabulary_labels(d.labels)
    counts = {str(r.quantity): int(r.n) for r in cached_rows("agent_quantities", iri=d.iri)}
    quantity = request.args.get("quantity") or max(counts, key=lambda q: (counts[q], q), default="")
    place = request.args.get("place") or ""
    after = request.args.get("after") or ""
    table: dict[str, ClaimRow] = {}
    chart = None
    next_after = None
    if quantity:
        page = paged_rows("agent_claims", after, page_rows, iri=d.iri, quantity=URIRef(quantity))
        next_after = page.next_after
        for r in page.rows:
            d.labels.add(r.claim, r.label)
            entry = table.setdefault(str(r.claim), ClaimRow(r.claim, r.when, r.value, r.valueHigh, r.bound))
            if r.place is not None and r.place not in entry.places:
                entry.places.append(r.place)
        chart = charts.timeline(
            chart_points(d.iri, URIRef(quantity), URIRef(place) if place else None, d.labels)
        )
    claims = list(table.values())
    places = sorted((r.place for r in cached_rows("agent_places", iri=d.iri)), key=d.labels.get)
    verdicts = []
    for row in rows("agent_verdicts", iri=d.iri):
        d.labels.add(row.verdict, row.verdictLabel)
        d.labels.add(row.claim, row.claimLabel)
        verdicts.append(row)
    return generic_page(
        d,
        stem,
        "agent.html",
        kind=agent_kind(d),
        variants=variants(d),
        counts=dict(sorted(counts.items(), key=lambda kv: d.labels.get(kv[0]))),
        quantity=quantity,
        place=place,
        places=places,
        claims=claims,
        after=after,
        next_after=next_after,
        chart=chart,
        verdicts=verdicts,
    )
