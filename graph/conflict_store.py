"""The conflicts and the store: claim records and hierarchies read with the stored
queries of ``queries/conflicts/``, verdicts written as the conflicts graph (PROV-O).

Only this module of the conflict analysis talks to a store; the rules
(``conflicts.py``) are pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from factgraph import __version__

from .conflict_records import ClaimRecord, Conflict
from .review import overlay
from .review_readings import current_readings
from .store import Store
from .terms import FG, FGK, PREFIXES, Iris

DETECTOR_VERSION = "1.0"


@cache
def _stored_query(name: str) -> str:
    """The text of ``queries/conflicts/{name}.rq``, header checked and parsed once."""
    from .catalogue import parse_stored_query

    source = (files("factgraph.queries") / "conflicts" / f"{name}.rq").read_text(encoding="utf-8")
    return parse_stored_query(f"conflicts/{name}", source).text


def _text(node: object) -> str | None:
    return None if node is None else str(node)


def _float(node: object) -> float | None:
    return None if node is None else float(node.toPython())  # type: ignore[attr-defined]


def _bool(node: object, default: bool = True) -> bool:
    return default if node is None else bool(node.toPython())  # type: ignore[attr-defined]


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def load_records(store: Store, iris: Iris | None = None) -> list[ClaimRecord]:
    """Every figure claim of the store as a record (queries/conflicts/claim_records.rq),
    as reviewers left it: the current reading of a revised claim, none for "not a claim"
    (``review.overlay``)."""
    out = []
    for row in store.query(_stored_query("claim_records")):
        d = row.asdict()  # type: ignore[union-attr]
        quantity = _text(d.get("notation")) or _local_name(str(d["quantity"]))
        out.append(
            ClaimRecord(
                iri=str(d["claim"]),
                article=_text(d.get("article")) or "",
                claimant=str(d["claimant"]),
                quantity=quantity,
                value=_float(d.get("value")),
                value_high=_float(d.get("valueHigh")),
                bound=_local_name(str(d["bound"])),
                low=_float(d.get("low")),
                high=_float(d.get("high")),
                low_incl=_bool(d.get("lowIncl")),
                high_incl=_bool(d.get("highIncl")),
                places=frozenset(str(d.get("places") or "").split()),
                period_start=_text(d.get("periodStart")),
                start_inferred=_bool(d.get("startInferred"), False),
                period_end=_text(d.get("periodEnd")),
                stated_on=_text(d.get("statedOn")),
                confidence=_text(d.get("confidence")),
                restates=_text(d.get("restates")),
                part_of=_text(d.get("partOf")),
                disputes=_text(d.get("disputes")),
                relative_to=_text(d.get("relativeTo")),
                share_of=_text(d.get("shareOf")),
                share_base=_text(d.get("shareBase")),
                verdict=_local_name(str(d["verdict"])) if d.get("verdict") is not None else None,
                quote=_text(d.get("quote")) or "",
                figure_text=_text(d.get("figureText")) or "",
                claimant_label=_text(d.get("claimantLabel")) or "",
            )
        )
    return overlay(out, current_readings(store))


def load_hierarchies(store: Store) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """(place -> enclosing places, kind -> broader kinds, cumulative kinds) from the
    vocabulary in the store."""
    places: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_stored_query("place_part_of")):
        places[str(row[0])].add(str(row[1]))  # type: ignore[index]
    kinds: dict[str, set[str]] = defaultdict(set)
    cumulative: set[str] = set()
    for row in store.query(_stored_query("quantity_kinds")):
        kind, broader, cumul = row  # type: ignore[misc]
        kinds[str(kind)]
        if broader is not None:
            kinds[str(kind)].add(str(broader))
        if cumul is not None and cumul.toPython() is True:  # type: ignore[union-attr]
            cumulative.add(str(kind))
    return dict(places), dict(kinds), cumulative


def to_graph(conflicts: Iterable[Conflict], iris: Iris, ended: datetime | None = None) -> Graph:
    """The conflicts graph: one fg:Conflict (or fg:Corroboration) per verdict, the
    fg:conflictsWith links between the claims, and the detection activity (PROV-O)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    activity = iris.activity(f"conflicts/{DETECTOR_VERSION}")
    software = iris.software(__version__)
    g.add((activity, RDF.type, FG.ConflictDetection))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, FG.ruleVersion, Literal(DETECTOR_VERSION)))
    g.add((activity, PROV.wasAssociatedWith, software))
    g.add(
        (activity, PROV.endedAtTime, Literal((ended or datetime.now(UTC)).isoformat(), datatype=XSD.dateTime))
    )
    for c in conflicts:
        node = iris.conflict(c.key)
        a, b = URIRef(c.a), URIRef(c.b)
        g.add((node, RDF.type, FG.Conflict if c.is_conflict else FG.Corroboration))
        g.add((node, FG.conflictKind, FGK[c.kind]))
        if c.severity:
            g.add((node, FG.severity, Literal(c.severity)))
        g.add((node, FG.claimA, a))
        g.add((node, FG.claimB, b))
        if c.ratio is not None:
            g.add((node, FG.ratio, Literal(Decimal(str(c.ratio)), datatype=XSD.decimal)))
        if c.gap is not None:
            g.add((node, FG.gap, Literal(Decimal(str(c.gap)), datatype=XSD.decimal)))
        g.add((node, FG.explanation, Literal(c.explanation_en, lang="en")))
        g.add((node, FG.explanation, Literal(c.explanation_fr, lang="fr")))
        g.add((node, FG.ruleVersion, Literal(DETECTOR_VERSION)))
        g.add((node, RDFS.comment, Literal(f"rule: {c.rule}")))
        g.add((node, PROV.wasGeneratedBy, activity))
        if c.is_conflict:
            g.add((a, FG.conflictsWith, b))
            g.add((b, FG.conflictsWith, a))
    return g
