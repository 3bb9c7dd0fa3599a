"""Incremental conflicts: after articles are written (an ingest, or a review of one of
their claims), judge again only what their claims can reach and write only the verdicts
that changed.

``conflict_region`` says, from how the detector picks its pairs, which pairs new, changed
or removed claims can change (the *reach*) and which claims must be read to judge them as
a full detection would: the time windows around each touched claim in its group and the
groups around it, and its claimant's series. ``refresh_after`` reads those (stored
queries of ``queries/conflicts/``, VALUES-bound), runs the detector over them
(``conflicts.detect_region``), compares the verdicts on the reached pairs with the stored
ones as strings (in full where a touched claim is in the pair or the verdict comes or
goes; a pair of untouched claims otherwise keeps the one verdict its records give,
``Reach.possible``, asked of the store by IRI) and writes the difference, in one transaction with the clearing of the
stale mark it read (``staleness.py``). Undated claims near a touched one are paired by
position: then the region is whole groups over all of time. The result equals a full
recompute (``conflicts.refresh``, tested). Of the vocabulary it reads the quantity kinds
(a few dozen) and the part of the gazetteer its claims meet: the touched claims' places,
every place inside them, and the places of each claim read (``_Gazetteer``), from the
store each time, so a place or kind another write added is seen; not the whole
gazetteer (84,000 part-of rows at 1M synthetic claims).

A full recompute runs instead when anything else may have changed how claims are read:
marks other than this run's (a stopped ingest, another writer), no stored detection or
one of other rules, more than ``MAX_ARTICLES`` articles at once, whole groups to read again
that are more than ``MAX_SHARE`` of the store (where that costs more), or writes that change
the vocabulary of stored claims (a place's enclosing places, a kind's broader kinds,
notation or tally flag, a source's label) — ``vocabulary_changes``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from . import conflict_keys, conflict_region, staleness
from .conflict_records import ClaimRecord, Conflict, Settings, verdict_key
from .conflict_region import Reach, Region
from .conflict_store import (
    DETECTOR_VERSION,
    StoredTriple,
    article_claims,
    claim_count,
    claim_kinds,
    detection_activity,
    detection_run,
    load_kinds,
    load_places,
    load_records,
    places_inside_each,
    series_claims,
    stored_among,
    stored_verdicts,
    term_triples,
    terms_in_use,
    verdict_lines,
)
from .conflicts import detect_region, refresh
from .store import Changes, Store, Triples
from .terms import FG, FGK, Iris

MAX_ARTICLES = 200  # more articles in one run: one full recompute costs less
# Reading more than this share of the store's claims, one full recompute costs less: per
# claim, comparing stored and new verdicts costs about 15 times what a full refresh does
# (6.6 ms against 0.44 ms at 20k synthetic claims).
MAX_SHARE = 1 / 6
MIN_READ = 2000  # below, either way is quick
MIN_WRITTEN = 100  # claims written: from there the refresh asks whether they are much of the store

# What articles may add to the vocabulary that changes how a stored claim is read.
VOCABULARY_PREDICATES = (
    FG.partOfPlace,
    FG.partOfKind,
    SKOS.broader,
    SKOS.notation,
    FG.cumulative,
    RDFS.label,
)

_VOCABULARY = frozenset(VOCABULARY_PREDICATES)

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
    # the figure claims the written articles hold, when the writer knows them all (it wrote
    # every article new, from its extraction); None: read from the store (a batch of 10,000
    # articles: 20 queries of 500 articles, 6-14 s)
    claims: frozenset[str] | None = None


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


def vocabulary_triples(triples: Iterable[tuple[Node, Node, Node]]) -> set[tuple[Node, Node, Node]]:
    """Those of ``triples`` (lexicon additions) whose predicate can change how a stored
    claim is read (``VOCABULARY_PREDICATES``)."""
    return {t for t in triples if t[1] in _VOCABULARY}


def vocabulary_changes(store: Store, graphs: Iterable[Graph | Iterable[tuple[Node, Node, Node]]]) -> bool:
    """Whether adding ``graphs`` (an ingest's lexicon additions, before they are written,
    as graphs or sets of triples) changes the vocabulary of terms the store already uses:
    a triple of ``VOCABULARY_PREDICATES`` not yet stored, about a term already stored."""
    wanted = {t for g in graphs for t in vocabulary_triples(g)}
    if not wanted:
        return False
    stored = {
        (s, p, _plain(o))
        for s, p, o in term_triples(store, {str(s) for s, _, _ in wanted}, VOCABULARY_PREDICATES)
    }
    new = {str(s) for s, p, o in wanted if (s, p, _plain(o)) not in stored}
    return bool(new and terms_in_use(store, new))


def _plain(o: Node) -> Node:
    """``o`` as compared: a string literal without its ``xsd:string`` datatype, which the
    store gives back where the lexicon writes a plain literal (RDF 1.1: the same literal)."""
    if isinstance(o, Literal) and o.datatype == XSD.string:
        return Literal(str(o))
    return o


def refresh_after(store: Store, iris: Iris, writes: Writes, settings: Settings | None = None) -> Outcome:
    """The conflicts after ``writes``: only what they can change, when the store's marks
    are this run's alone and nothing else changed; otherwise a full recompute."""
    seen = staleness.marks(store, iris)  # first: a mark added while we work stays
    run = detection_run(store, iris)
    if set(seen) != set(staleness.mark(iris, writes.activity)):  # writes we were not told of
        return Outcome(refresh(store, iris, settings), incremental=False)
    new_ids = set(writes.claims) if writes.claims is not None else article_claims(store, writes.articles)
    written = new_ids | {r.iri for r in writes.removed}
    if (
        run is None
        or run[1] != DETECTOR_VERSION
        or len(writes.articles) > MAX_ARTICLES
        or writes.vocabulary_changed
        or _much_of_the_store(store, written)
    ):  # the keys nest places as the gazetteer does: a change to it leaves them to a rebuild
        return _full(store, iris, settings, written, keep_keys=not writes.vocabulary_changed)
    if not conflict_keys.current(store, iris):  # a store from before the keys, or after a full recompute
        conflict_keys.rebuild(store, iris)
    kinds, cumulative = load_kinds(store)
    new = load_records(store, iris, new_ids)
    touched = [*new, *writes.removed]
    # the part of the gazetteer the claims meet: the touched claims' places, then the
    # places of each claim read (how the detector nests them). Not the places inside the
    # touched claims': the windows of the groups they enclose find their claims by the
    # keys within their own places (``Window.within``), and a country's claim encloses a
    # hundred places, of which the claims read meet a few
    places = _Gazetteer(store)
    at = {p for t in touched for p in t.places}
    places.read(at)
    inside: dict[str, set[str]] = {}  # the windows' places: their own (``conflict_region.places_in``)
    region = Region(touched, writes.articles)
    found: list[Conflict] = []
    covered = None
    plan = conflict_region.windows(touched, places, kinds, settings or Settings(), inside)
    if plan is not None:  # the time windows and series around the touched claims
        # the keys of the written articles' claims are not updated yet: those are read anyway.
        # Every claim under the windows' keys, a superset of the windows (their months):
        # real claims around them, which change no verdict the reach covers. First each
        # touched claim's group and the groups around it; then, with its group's claims at
        # hand, the groups it encloses, but the claims it surely meets with no verdict
        first = [w for w in plan if not w.within]
        records = places.of(_with_restated(store, iris, conflict_keys.claims_in_windows(store, iris, first, exact=False), new, written))
        enclosed = conflict_region.enclosed_windows(
            touched, records, places, kinds, cumulative or None, settings or Settings(), inside
        )
        records = _adding(store, iris, records, conflict_keys.enclosed_claims(store, iris, enclosed), new, places, written)
        # the series whose neighbours the windows may not hold: first the claimant's claims
        # under the keys of the years around (a few a month where a place has many), then,
        # for those that still lack a neighbour, over all of time
        series = conflict_region.series_keys(touched, places, settings or Settings(), records)
        if series:
            days = conflict_region.SERIES_DAYS
            span = 2 * (settings or Settings()).period_tolerance_days  # what the group's window holds
            near = conflict_region.series_windows(touched, places, series, days, records, span)
            records = _adding(store, iris, records, conflict_keys.claimant_claims_in_windows(store, iris, near), new, places, written)
            series = conflict_region.series_keys(touched, places, settings or Settings(), records, days)
        if series:
            records = _adding(store, iris, records, series_claims(store, series), new, places, written)
        found, covered = detect_region(records, region, places, kinds, settings, cumulative or None)
    windowed = covered is not None
    if covered is None:  # undated claims: the touched groups and those they enclose, whole
        places.read(set().union(*places_inside_each(store, at).values()))  # what ``related`` reads of the places inside
        ids = set(new_ids) | _around(store, touched, places, kinds)
        if len(ids) > MIN_READ and len(ids) > claim_count(store) * MAX_SHARE:  # recomputing it all costs less
            return _full(store, iris, settings, written)
        records = places.of(_with_restated(store, iris, ids, new, written))
        found, covered = detect_region(
            records, replace(region, whole_groups=True), places, kinds, settings, cumulative or None
        )
        assert covered is not None
    # the pairs whose stored verdicts are compared: those with a touched claim, and those
    # of untouched claims whose verdict comes or goes (their verdict is otherwise the one
    # stored: the same records judged by the same rules)
    compared = Reach(covered.claims, _comes_or_goes(store, iris, covered, found))
    stored, links = stored_verdicts(
        store, compared.all_claims() | {r.iri for r in writes.removed}, compared.covers
    )
    same = [c for c in found if not compared.covers(c.a, c.b)]
    remove, add, found = _changes(stored, links, [c for c in found if compared.covers(c.a, c.b)], compared, written, iris)
    found = sorted([*same, *found], key=lambda c: (c.a, c.b, c.kind))
    keys_gone, keys_added = conflict_keys.changes(store, iris, written)
    activity = detection_activity(iris)
    if run[2] is not None:
        remove.add((activity, PROV.endedAtTime, run[2]))
    ended = Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)
    add.append(f"<{activity}> <{PROV.endedAtTime}> {ended.n3()} .\n")
    store.apply(
        Changes(
            remove={
                iris.conflicts_graph: remove,
                iris.status_graph: seen,
                iris.conflict_keys_graph: keys_gone,
            },
            add={
                iris.conflicts_graph: Triples("".join(add), len(add)),
                iris.conflict_keys_graph: keys_added,
            },
        )
    )
    return Outcome(
        found,
        True,
        len(remove) - (run[2] is not None),
        len(add) - 1,
        len(records),
        covered.all_claims(),
        windowed,
    )


def _comes_or_goes(store: Store, iris: Iris, covered: Reach, found: list[Conflict]) -> set[tuple[str, str]]:
    """The pairs of ``covered.pairs`` with neither claim in ``covered.claims`` whose
    verdict is found and not stored, or stored and not found: of the verdicts such a pair
    may hold (``covered.possible``), those stored (``stored_among``, by IRI) against those
    found. A verdict found on such a pair that it was not known to hold makes it compared too."""
    possible = {str(iris.conflict(verdict_key(*k))): k for k in covered.possible}
    stored = stored_among(store, possible)
    keys = {_key(c) for c in found if c.a not in covered.claims and c.b not in covered.claims}
    out = {(a, b) for node, (a, b, kind) in possible.items() if (node in stored) != ((a, b, kind) in keys)}
    return out | {(a, b) for a, b, _ in keys - covered.possible}


def _much_of_the_store(store: Store, written: Collection[str]) -> bool:
    """Whether the claims written are more than ``MAX_SHARE`` of the store's (asked from
    ``MIN_WRITTEN`` claims on): the incremental refresh would then read most of the store
    anyway, at several times a full recompute's cost a claim (100 new articles, 705 claims,
    into a store of 10: 1.27 s incremental, 0.45 s in full)."""
    return len(written) >= MIN_WRITTEN and len(written) > claim_count(store) * MAX_SHARE


def _full(
    store: Store, iris: Iris, settings: Settings | None, written: Collection[str], keep_keys: bool = True
) -> Outcome:
    """A full recompute after writes the refresh was told of (``written``: the claims of
    the articles, before and after): their conflict keys are updated first, so current
    keys stay current (a run stopped in between leaves its mark: the next refresh is a
    full one, which makes the keys be rebuilt); unless not ``keep_keys``."""
    if keep_keys and conflict_keys.current(store, iris):
        conflict_keys.update(store, iris, written)
        return Outcome(refresh(store, iris, settings, keys_kept=True), incremental=False)
    return Outcome(refresh(store, iris, settings), incremental=False)


class _Gazetteer(dict[str, set[str]]):
    """Place -> the places it lies in, for the places read so far: what
    ``load_hierarchies`` says of each of them, never the whole gazetteer (84,000 part-of
    rows at 1M synthetic claims, read for every article)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.asked: set[str] = set()

    def read(self, places: Collection[str]) -> None:
        """Adds the places ``places`` lie in, for those not read yet."""
        new = set(places) - self.asked
        if new:
            self.asked |= new
            self.update(load_places(self.store, new))

    def of(self, records: list[ClaimRecord]) -> list[ClaimRecord]:
        """``records``, once the places of each are read."""
        self.read({p for r in records for p in r.places})
        return records


def _with_restated(
    store: Store, iris: Iris, ids: Collection[str], written: list[ClaimRecord], unkept: Collection[str]
) -> list[ClaimRecord]:
    """The records of ``ids`` and of the claims they restate (a restatement keeps out of
    the groups: the detector must see what it restates), and ``written`` (the records of
    the claims of the written articles, as read), sorted by IRI. The others are read
    without their quote, which no rule reads: of their conflict records
    (``conflict_keys.load_claim_records``, a row a claim), but those of ``unkept`` (the
    claims of the written articles, before and after: their records are replaced with
    the verdicts), read of their triples (``load_records``)."""
    known = {r.iri for r in written}

    def read(claims: set[str]) -> list[ClaimRecord]:
        stale = claims & set(unkept)
        kept = conflict_keys.load_claim_records(store, iris, claims - stale)
        return [*kept, *load_records(store, iris, stale, quotes=False)] if stale else kept

    records = [*written, *read(set(ids) - known)]
    restated = {r.restates for r in records if r.restates} - set(ids) - known
    if restated:
        records.extend(read(restated))
    return sorted(records, key=lambda r: r.iri)


def _adding(
    store: Store,
    iris: Iris,
    records: list[ClaimRecord],
    ids: Collection[str],
    written: list[ClaimRecord],
    places: _Gazetteer,
    unkept: Collection[str],
) -> list[ClaimRecord]:
    """``records`` and those of ``ids`` not among them (``_with_restated``, their places
    read), sorted by IRI."""
    more = set(ids) - {r.iri for r in records}
    if not more:
        return records
    by_iri = {r.iri: r for r in [*records, *places.of(_with_restated(store, iris, more, written, unkept))]}
    return [by_iri[i] for i in sorted(by_iri)]


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


Key = tuple[str, str, tuple[object, ...]]  # a triple as compared: s, p, the object's value
_UNESCAPE = re.compile(r'\\(["\\nr])')
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r"}


def _value(o: str, datatype: str | None, lang: str | None) -> tuple[object, ...]:
    """An object as compared: an IRI by its text, a literal by its value's form ("major"
    is "major"^^xsd:string, 2.0 is 2 as a decimal: the store gives back its canonical
    forms)."""
    if datatype is None and lang is None:
        return ("iri", o)
    if lang:
        return ("lang", o, lang.lower())
    if datatype == str(XSD.decimal):
        return ("decimal", Decimal(o).normalize())
    return ("literal", o, datatype or str(XSD.string))


def _line_key(line: str) -> Key:
    """The key of one N-Triples line as ``verdict_lines`` writes it."""
    s_end = line.index("> ")
    p_end = line.index("> ", s_end + 2)
    s, p, o = line[1:s_end], line[s_end + 3 : p_end], line[p_end + 2 : line.rindex(" .")]
    if o.startswith("<"):
        return s, p, ("iri", o[1:-1])
    close = o.rindex('"')
    lexical = _UNESCAPE.sub(lambda m: _ESCAPES[m.group(1)], o[1:close])
    suffix = o[close + 1 :]
    if suffix.startswith("@"):
        return s, p, _value(lexical, None, suffix[1:])
    return s, p, _value(lexical, suffix[3:-1] if suffix else str(XSD.string), None)


def _stored_term(t: StoredTriple) -> tuple[URIRef, URIRef, Node]:
    s, p, o, datatype, lang = t
    if datatype is None and lang is None:
        return URIRef(s), URIRef(p), URIRef(o)
    if lang:
        return URIRef(s), URIRef(p), Literal(o, lang=lang)
    return (
        URIRef(s),
        URIRef(p),
        Literal(o, datatype=None if datatype == str(XSD.string) else URIRef(datatype or "")),
    )


def _changes(
    stored: list[StoredTriple],
    links: set[tuple[str, str]],
    found: list[Conflict],
    covered: Reach,
    written: Collection[str],
    iris: Iris,
) -> tuple[Graph, list[str], list[Conflict]]:
    """(the stored triples to remove, the N-Triples lines to add, the verdicts kept) so
    that the verdicts ``covered`` reaches are ``found``: compared as plain strings, never
    as an rdflib graph. A stored text verdict between claims of other articles stays, and
    wins over a numeric verdict of the same pair and kind, as in a full detection."""
    claim_a, claim_b, kind_p, comment_p, type_p = (
        str(FG.claimA),
        str(FG.claimB),
        str(FG.conflictKind),
        str(RDFS.comment),
        str(RDF.type),
    )
    about: dict[str, dict[str, str]] = {}
    for s, p, o, _, _ in stored:
        if p in (claim_a, claim_b, kind_p, comment_p) or (p == type_p and o == str(FG.Conflict)):
            about.setdefault(s, {})[p] = o
    reached, kept_keys, kept_links = set(), set(), set()
    for node, d in about.items():
        a, b = d.get(claim_a, ""), d.get(claim_b, "")
        if not covered.covers(a, b):
            continue
        rule = d.get(comment_p, "").removeprefix("rule: ")
        if rule in TEXT_RULES and a not in written and b not in written:  # stays, not compared
            x, y = sorted((a, b))
            kept_keys.add((x, y, d.get(kind_p, "").removeprefix(str(FGK))))
            if type_p in d:
                kept_links |= {(a, b), (b, a)}
            continue
        reached.add(node)
    found = [c for c in found if _key(c) not in kept_keys]
    with_ = str(FG.conflictsWith)
    old: dict[Key, StoredTriple | tuple[str, str]] = {}
    for t in stored:
        if t[0] in reached:
            old[(t[0], t[1], _value(t[2], t[3], t[4]))] = t
    for a, b in links:
        if covered.covers(a, b) and (a, b) not in kept_links:
            old[(a, with_, ("iri", b))] = (a, b)
    new: dict[Key, str] = {}
    for line in "".join(verdict_lines(found, iris)).splitlines(keepends=True):
        key = _line_key(line)
        if key[1] != with_ or (key[0], key[2][1]) not in kept_links:
            new[key] = line
    remove = Graph()
    for key in old.keys() - new.keys():
        entry = old[key]
        if len(entry) == 2:
            remove.add((URIRef(entry[0]), FG.conflictsWith, URIRef(entry[1])))
        else:
            remove.add(_stored_term(entry))  # type: ignore[arg-type]
    return remove, [new[key] for key in new.keys() - old.keys()], found


def _key(c: Conflict) -> tuple[str, str, str]:
    return (c.a, c.b, c.kind) if c.a < c.b else (c.b, c.a, c.kind)
