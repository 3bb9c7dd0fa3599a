"""Incremental conflicts: after articles are written, judge again only what their
claims can meet and write only the verdicts that changed.

A claim is judged against the claims of its (quantity kind, places) group and of the
groups enclosing it (``conflicts.detect``). So the verdicts that new, changed or removed
claims can change are those of their groups and of every group those enclose; the rest
of the store keeps its verdicts. ``refresh_after`` reads those groups, the groups that
enclose them and the claims they restate (``conflict_store``: claims by place, kind and
IRI), runs the detector over them (``conflicts.detect_region``), compares the verdicts
with the stored ones on the same claims and writes the difference, in one transaction
with the clearing of the stale mark it read (``staleness.py``). The result equals a full
recompute (``conflicts.refresh``, tested).

A full recompute runs instead when anything else may have changed how claims are read:
marks other than this run's (a stopped ingest, another writer), no stored detection or
one of other rules, more than ``MAX_ARTICLES`` articles at once, claims to read again
that are more than ``MAX_SHARE`` of the store (where that costs more), or writes that change
the vocabulary of stored claims (a place's enclosing places, a kind's broader kinds,
notation or tally flag, a source's label) — ``vocabulary_changes``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from . import conflict_region, staleness
from .conflict_records import ClaimRecord, Conflict, Settings
from .conflict_region import Reach, Region
from .conflict_store import (
    DETECTOR_VERSION,
    article_claims,
    claim_count,
    claim_kinds,
    claims_in_windows,
    detection_activity,
    detection_run,
    load_hierarchies,
    load_records,
    series_claims,
    stored_verdicts,
    term_triples,
    terms_in_use,
    verdicts_graph,
)
from .conflicts import detect_region, refresh
from .store import Changes, Store
from .terms import FG, FGK, Iris

MAX_ARTICLES = 200  # more articles in one run: one full recompute costs less
# Reading more than this share of the store's claims, one full recompute costs less: per
# claim, comparing stored and new verdicts costs about 15 times what a full refresh does
# (6.6 ms against 0.44 ms at 20k synthetic claims).
MAX_SHARE = 1 / 6
MIN_READ = 2000  # below, either way is quick

# What articles may add to the vocabulary that changes how a stored claim is read.
VOCABULARY_PREDICATES = (
    FG.partOfPlace,
    FG.partOfKind,
    SKOS.broader,
    SKOS.notation,
    FG.cumulative,
    RDFS.label,
)

# Rules of the text (links, shares, dropped hedges): they read one article only.
TEXT_RULES = frozenset({"text-disputes", "verdict", "share-does-not-add-up", "hedge-dropped"})


@dataclass(frozen=True)
class Writes:
    """What one ingest run changed, as the conflicts see it."""

    activity: URIRef  # the ingest run, whose stale mark the refresh clears
    articles: frozenset[str] = frozenset()  # IRIs of the articles written, replaced or dropped
    removed: tuple[
        ClaimRecord, ...
    ] = ()  # the claims of the replaced or dropped articles, read before the writes
    vocabulary_changed: bool = False  # the writes change how stored claims are read: a full recompute


@dataclass
class Outcome:
    """What a refresh did: the verdicts it computed (all of them after a full
    recompute, those on the claims it judged again otherwise) and how many triples of the
    conflicts graph it removed and added."""

    conflicts: list[Conflict]
    incremental: bool
    removed: int = 0
    added: int = 0
    claims_read: int = 0
    judged: set[str] = field(default_factory=set)  # the claims of the verdicts judged again
    windowed: bool = False  # the region was the time windows around the touched claims, not whole groups


def removed_records(store: Store, iris: Iris, articles: Iterable[str]) -> list[ClaimRecord]:
    """The records of the claims of ``articles`` as stored now (before they are replaced)."""
    return load_records(store, iris, article_claims(store, articles))


def vocabulary_changes(store: Store, graphs: Iterable[Graph]) -> bool:
    """Whether adding ``graphs`` (an ingest's lexicon additions, before they are
    written) changes the vocabulary of terms the store already uses: a triple of
    ``VOCABULARY_PREDICATES`` not yet stored, about a term already stored."""
    wanted = {(s, p, o) for g in graphs for p in VOCABULARY_PREDICATES for s, o in g.subject_objects(p)}
    if not wanted:
        return False
    stored = term_triples(store, {str(s) for s, _, _ in wanted}, VOCABULARY_PREDICATES)
    new = {str(s) for s, p, o in wanted if (s, p, o) not in stored}
    return bool(new and terms_in_use(store, new))


def refresh_after(store: Store, iris: Iris, writes: Writes, settings: Settings | None = None) -> Outcome:
    """The conflicts after ``writes``: only what they can change, when the store's marks
    are this run's alone and nothing else changed; otherwise a full recompute."""
    seen = staleness.marks(store, iris)  # first: a mark added while we work stays
    run = detection_run(store, iris)
    if (
        set(seen) != set(staleness.mark(iris, writes.activity))
        or run is None
        or run[1] != DETECTOR_VERSION
        or len(writes.articles) > MAX_ARTICLES
        or writes.vocabulary_changed
    ):
        return Outcome(refresh(store, iris, settings), incremental=False)
    places, kinds, cumulative = load_hierarchies(store)
    new_ids = article_claims(store, writes.articles)
    new = load_records(store, iris, new_ids)
    touched = [*new, *writes.removed]
    region = Region(touched, writes.articles)
    found: list[Conflict] = []
    covered = None
    plan = conflict_region.windows(touched, places, kinds, settings or Settings())
    if plan is not None:  # the time windows and series around the touched claims
        ids = (
            new_ids
            | claims_in_windows(store, plan)
            | series_claims(store, conflict_region.series_keys(touched, places))
        )
        records = _with_restated(store, iris, ids)
        found, covered = detect_region(records, region, places, kinds, settings, cumulative or None)
    windowed = covered is not None
    if covered is None:  # undated claims: the touched groups and those they enclose, whole
        ids = set(new_ids) | _around(store, touched, places, kinds)
        if len(ids) > MIN_READ and len(ids) > claim_count(store) * MAX_SHARE:  # recomputing it all costs less
            return Outcome(refresh(store, iris, settings), incremental=False)
        records = _with_restated(store, iris, ids)
        found, covered = detect_region(
            records, replace(region, whole_groups=True), places, kinds, settings, cumulative or None
        )
        assert covered is not None
    old = _covered(
        stored_verdicts(store, iris, covered.all_claims() | {r.iri for r in writes.removed}), covered
    )
    written = new_ids | {r.iri for r in writes.removed}
    kept = _kept_text_verdicts(old, written)
    kept_keys = {k for k, _ in kept.values()}
    found = [c for c in found if _key(c) not in kept_keys]  # as in a full detection, the text's verdict wins
    new_graph = verdicts_graph(found, iris)
    for node, ((a, b, _), conflict) in kept.items():
        for triple in list(old.triples((node, None, None))):
            old.remove(triple)  # a verdict that stays is not compared
        if conflict:  # nor its links
            new_graph.add((URIRef(a), FG.conflictsWith, URIRef(b)))
            new_graph.add((URIRef(b), FG.conflictsWith, URIRef(a)))
    remove, add = _difference(old, new_graph), _difference(new_graph, old)
    activity = detection_activity(iris)
    if run[2] is not None:
        remove.add((activity, PROV.endedAtTime, run[2]))
    add.add((activity, PROV.endedAtTime, Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)))
    store.apply(
        Changes(
            remove={iris.conflicts_graph: remove, iris.status_graph: seen}, add={iris.conflicts_graph: add}
        )
    )
    return Outcome(found, True, len(remove), len(add), len(records), covered.all_claims(), windowed)


def _with_restated(store: Store, iris: Iris, ids: Collection[str]) -> list[ClaimRecord]:
    """The records of ``ids`` and of the claims they restate (a restatement keeps out of
    the groups: the detector must see what it restates), sorted by IRI."""
    records = load_records(store, iris, ids)
    restated = {r.restates for r in records if r.restates} - set(ids)
    if restated:
        records = sorted([*records, *load_records(store, iris, restated)], key=lambda r: r.iri)
    return records


def _covered(old: Graph, covered: Reach) -> Graph:
    """The stored verdicts and links of ``old`` that ``covered`` judges again."""
    out = Graph()
    nodes = {}
    for node, a in old.subject_objects(FG.claimA):
        b = old.value(node, FG.claimB)
        nodes[node] = b is None or covered.covers(str(a), str(b))
    for s, p, o in old:
        if p == FG.conflictsWith:
            if covered.covers(str(s), str(o)):
                out.add((s, p, o))
        elif nodes.get(s, True):
            out.add((s, p, o))
    return out


def _around(
    store: Store, touched: Collection[ClaimRecord], places: dict[str, set[str]], kinds: dict[str, set[str]]
) -> set[str]:
    """The claims that may share a group with a touched claim or lie in a group
    enclosing one that does, over all of time (``conflict_region.related``)."""
    related_places: set[str] = set()
    related_kinds: set[str] = set()
    for t in touched:
        p, k = conflict_region.related(t, places, kinds)
        related_places |= p
        related_kinds |= k
    unplaced = any(not t.places for t in touched)
    return {
        c
        for c, ks in claim_kinds(store, related_places, unplaced).items()
        if not ks.isdisjoint(related_kinds)
    }


def _term(o: Node) -> object:
    """A term as compared: a literal by its value's form ("major" is "major"^^xsd:string,
    2.0 is 2 as a decimal: the store gives back its canonical forms)."""
    if isinstance(o, Literal) and o.datatype == XSD.decimal:
        return ("decimal", Decimal(str(o)).normalize())
    if isinstance(o, Literal) and o.datatype == XSD.string:
        return Literal(str(o))
    return o


def _difference(g: Graph, other: Graph) -> Graph:
    """The triples of ``g`` (as written in ``g``) that ``other`` lacks."""
    known = {(s, p, _term(o)) for s, p, o in other}
    out = Graph()
    for s, p, o in g:
        if (s, p, _term(o)) not in known:
            out.add((s, p, o))
    return out


def _key(c: Conflict) -> tuple[str, str, str]:
    return (c.a, c.b, c.kind) if c.a < c.b else (c.b, c.a, c.kind)


def _kept_text_verdicts(
    old: Graph, written: Collection[str]
) -> dict[Node, tuple[tuple[str, str, str], bool]]:
    """The stored verdicts of the text rules between claims of articles not written
    (their article alone decides them): node -> (key, whether a conflict)."""
    out = {}
    for node, a in old.subject_objects(FG.claimA):
        b = old.value(node, FG.claimB)
        rule = str(old.value(node, RDFS.comment) or "").removeprefix("rule: ")
        kind = old.value(node, FG.conflictKind)
        if b is None or kind is None or rule not in TEXT_RULES or str(a) in written or str(b) in written:
            continue
        x, y = sorted((str(a), str(b)))
        out[node] = ((x, y, str(kind).removeprefix(str(FGK))), (node, RDF.type, FG.Conflict) in old)
    return out
