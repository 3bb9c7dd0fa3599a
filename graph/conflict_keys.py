"""The conflict keys: a derived index of the figure claims by what the conflict windows
match on, so that an incremental refresh finds the claims a window holds by exact
look-ups instead of scanning every claim at the window's places.

A key is an IRI for one (month, kind, place), ``{base}conflict-key/{YYYY-MM}/{digest of
the kind and the place}`` (``Iris.conflict_key``), with ``fg:indexesClaim`` to each
figure claim of that kind (the local name of its IRI: the notation is vocabulary) at that
place whose period ends in that month, as the window scans read it: the last day of its
period end, else of its statement date (``conflict_records.date_span``); ``undated`` for
a claim with neither; the place '' for a claim with none; one key per place, kind and end
when a claim has several; and a key *within* each place the claim is at or lies in (the
gazetteer's closure), for the window of the groups a claim encloses (every place inside
its own: ``Window.within``). Keys are made from the claims' own triples (any graph:
extracted, or added by a reviewer), never from a review's reading, and from how the
gazetteer nests their places, as the windows are: only writes of claims change them, and
a change to how stored places nest is a vocabulary change (the keys are then rebuilt).
They live in their own named graph, ``{base}graph/conflict-keys`` (derived data), with
``fg:keysVersion`` on the graph's IRI once they are complete (``current``).

Who keeps them: the incremental refresh (``conflict_update.refresh_after``) replaces the
keys of the claims of the articles it was told were written, in the transaction of its
verdicts (or before the full recompute it falls back to, but for a vocabulary change);
a full recompute
(``conflicts.refresh``) that clears marks of writes it was not told about removes the
version, and the next incremental refresh rebuilds the keys from every claim of the store
(``rebuild``: how a store built before the keys is migrated). A look-up reads the kind
and dates of each claim it finds (the window's kinds by notation and exact days are
checked in Python, as the scan does), so a key left behind by a claim since removed (no
kind) finds nothing; the keys of a claim still stored are those of its triples, since
whatever rewrites a claim rewrites its article and the refresh replaces their keys.
The incremental refresh does not look anything up: it takes every claim under its
windows' keys (``claims_in_windows(..., exact=False)``), a few more claims than the
windows hold (the other days of their months), whose records the detector reads with the
others; it judges again only the pairs the windows say (``conflict_region.reach``).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from rdflib import Graph, Literal, URIRef

from . import conflict_store
from .conflict_records import ClaimRecord, date_span
from .conflict_region import Enclosed, Window
from .conflict_store import (
    Places,
    RecordTexts,
    StoredVerdicts,
    Values,
    _chunks,
    _count,
    _every_claims_triples,
    _in_graph,
    _literal,
    _rows_for,
    _stored_query,
    _table_rows,
    claim_values,
    in_spans,
    load_places,
    places_of,
    record_claim,
    record_text,
    record_values,
    records_of,
    records_of_texts,
    verdict_count,
    window_spans,
    write_lines,
)
from .sparql_text import inject_value_rows
from .store import Changes, Store, Triples
from .terms import FG, Iris, local_name

KEYS_VERSION = "3"  # 2: with the claims' conflict records; 3: each record names its claim
UNDATED = "undated"


def month_of(text: str | None) -> str | None:
    """The month ('YYYY-MM') of the last day ``text`` (an ISO date of any precision)
    covers, None when it is no date."""
    span = date_span(text)
    return date.fromordinal(span[1]).isoformat()[:7] if span else None


def window_months(first: int, last: int) -> list[str]:
    """Every month from the one of day ``first`` to the one of day ``last`` (ordinals)."""
    a, b = date.fromordinal(first), date.fromordinal(last)
    out = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def current(store: Store, iris: Iris) -> bool:
    """Whether the store's keys are complete and of this version."""
    rows = store.rows(_stored_query("keys_version"))
    return any(d.get("version") == KEYS_VERSION for d in rows)


def _version(iris: Iris) -> Graph:
    """The triple saying the keys are complete, of this version."""
    g = Graph()
    g.add((iris.conflict_keys_graph, FG.keysVersion, Literal(KEYS_VERSION)))
    return g


def invalidate(store: Store, iris: Iris) -> None:
    """Say the keys may miss claims (writes no refresh was told about): the next
    incremental refresh rebuilds them."""
    if current(store, iris):
        store.apply(Changes(remove={iris.conflict_keys_graph: _version(iris)}))


def _claim_lines(
    rows: Iterable[dict[str, str]], iris: Iris, enclosing: Mapping[str, set[str]]
) -> Iterator[str]:
    """The N-Triples lines of the keys of the claims of ``rows`` (``claim_key_rows.rq``:
    a row per place, kind, period end and statement date of a claim, so the keys of its
    rows are the keys of the claim), a row at a time, repeated where rows share a key: at
    its place, and within its place and each place ``enclosing`` says it lies in. A line
    already given for the claim of the row before is not given again (a claim's rows come
    one after another from every store here; where they did not, a line would be repeated)."""
    indexes = f"<{FG.indexesClaim}>"
    claim: str | None = None
    given: set[URIRef] = set()
    for d in rows:
        if d["claim"] != claim:
            claim, given = d["claim"], set()
        month = month_of(d.get("periodEnd")) or month_of(d.get("statedOn")) or UNDATED
        kind, place = local_name(d["quantity"]), d.get("place") or ""
        keys = [iris.conflict_key(month, kind, place)]
        if place:
            keys.extend(iris.conflict_key(month, kind, around, within=True) for around in (place, *enclosing.get(place, ())))
        for key in keys:
            if key not in given:
                given.add(key)
                yield f"<{key}> {indexes} <{claim}> .\n"


def key_lines(store: Store, iris: Iris, claims: Collection[str] | None = None) -> list[str]:
    """The N-Triples lines of the keys of ``claims`` (IRIs), of every figure claim when None."""
    if claims is None:
        rows = list(store.rows(_stored_query("claim_key_rows")))
        return sorted(set(_claim_lines(rows, iris, load_places(store))))
    rows = list(_rows_for(store, "claim_key_rows", "claim", claims))
    enclosing = load_places(store, {d["place"] for d in rows if d.get("place")})
    return sorted(set(_claim_lines(rows, iris, enclosing)))


def _record_lines(values: Values, places: Places) -> Iterator[str]:
    """The N-Triples lines of the conflict records of the claims of ``values``."""
    record = f"<{FG.conflictRecord}>"
    for claim, fields in values.items():
        yield f"<{claim}> {record} {_literal(record_text(claim, fields, places.get(claim, ())))} .\n"


def record_lines(store: Store, claims: Collection[str] | None = None) -> list[str]:
    """The N-Triples lines of the conflict records of ``claims`` (IRIs; of every figure
    claim when None) as their triples are now: each claim's ``conflict_store.claim_values``
    (what ``conflict_store.load_records`` reads of it before the labels, verdicts and
    reviews) as one literal (``record_text``). A claim with none of those triples has none."""
    return sorted(_record_lines(*_claims_values(store, claims)))


def _claims_values(store: Store, claims: Collection[str] | None) -> tuple[Values, Places]:
    """``conflict_store.claim_values`` of the triples of ``claims`` (of every figure claim
    when None)."""
    if claims is None:
        return claim_values(_every_claims_triples(store))
    rows = _rows_for(store, "claim_triples", "claim", claims)
    return claim_values((d["claim"], d["p"], d["o"]) for d in rows)


def stored_lines(store: Store, claims: Collection[str]) -> list[str]:
    """The N-Triples lines of the stored keys of ``claims``."""
    indexes = f"<{FG.indexesClaim}>"
    return [
        f"<{d['key']}> {indexes} <{d['claim']}> .\n" for d in _rows_for(store, "claim_keys", "claim", claims)
    ]


def _records_query(iris: Iris) -> str:
    """``claim_records.rq`` with the keys graph named in its pattern (``_in_graph``)."""
    return _in_graph("claim_records", iris.conflict_keys_graph)


def _kept_records(store: Store, iris: Iris, claims: Collection[str]) -> Iterator[str]:
    """The conflict record of each of ``claims`` that has one (``record_text``, which names
    its claim): the keys graph named in the pattern (``_in_graph``: an index seek, where a
    VALUES block for the graph was joined with every graph's records, 1M at 1M claims,
    for each block of claims), then a VALUES block of claims a query."""
    text = _records_query(iris)
    for batch in _chunks(claims):  # (the variable is bound in each row)
        yield from (t for (t,) in store.value_rows(inject_value_rows(text, "claim", batch), ("record",)))  # type: ignore[misc]


def stored_records(store: Store, iris: Iris, claims: Collection[str]) -> list[str]:
    """The N-Triples lines of the stored conflict records of ``claims``."""
    record = f"<{FG.conflictRecord}>"
    return [
        f"<{record_claim(text)}> {record} {_literal(text)} .\n" for text in _kept_records(store, iris, claims)
    ]


def load_records(store: Store, iris: Iris) -> list[ClaimRecord]:
    """Every figure claim's record, as ``conflict_store.load_records`` reads them of the
    claims' triples, read of their conflict records instead (``claim_records.rq``: one row
    a claim, where the triples are 21 a claim; at 1M claims 1M rows for 21M). Only while
    the keys are ``current``: every write of claims since they were built has updated
    them (``update``) or said they are out of date (``invalidate``)."""
    texts = (t for (t,) in store.value_rows(_records_query(iris), ("record",)))
    return records_of_texts(store, texts, store.rows(_stored_query("claim_verdicts")))  # type: ignore[arg-type]


def load_claim_records(store: Store, iris: Iris, claims: Collection[str]) -> list[ClaimRecord]:
    """What ``conflict_store.load_records(store, iris, claims, quotes=False)`` reads of the
    claims' triples (no quote, no reliability verdict), read of their conflict records
    (``claim_records.rq``: one row a claim, a VALUES block of claims a query). Only for
    claims whose records are kept: while the keys are current, but the claims of
    articles written since they were last updated."""
    if not claims:
        return []
    values, places = record_values(_kept_records(store, iris, claims))
    for fields in values.values():
        fields.pop("quoteText", None)
    return records_of(store, values, places, ())


def load_records_and_verdicts(
    store: Store, iris: Iris
) -> tuple[list[ClaimRecord], StoredVerdicts, dict[str, set[str]]]:
    """``load_records``, the stored verdicts a full recompute compares its own with
    (``conflict_store.write_conflicts``: their digests and the conflicts graph's size)
    and the gazetteer's part-of map (``conflict_store.load_places``).

    From ``PARALLEL_DIGESTS_FROM`` stored verdicts on a store that evaluates aggregates
    without holding Python's lock (``Store.aggregates_beside_reads``: pyoxigraph), the
    three last are read in a thread while this one reads and makes the records: each as
    one row the engine makes on the other core (the digests and the places joined in one
    text, ``*_joined.rq``; the size a COUNT). At 1M claims: 1.9M digests about 1 s, the
    size of a graph of 27.8M triples 12 s, 84,000 places 1 s; the records' side about
    18 s. (Until session 18 a forked child read them: RocksDB's state copied into a child
    is not safe to read, and after another process' write its second query ran away,
    taking all the machine's memory.)"""
    graph = iris.conflicts_graph
    count = verdict_count(store, graph)
    texts = RecordTexts(store, list(store.rows(_stored_query("claim_verdicts"))))
    records = _records_query(iris)
    if count >= conflict_store.PARALLEL_DIGESTS_FROM and store.aggregates_beside_reads:
        with ThreadPoolExecutor(1, thread_name_prefix="stored-verdicts") as pool:
            beside = pool.submit(_stored_joined, store, graph)
            texts.add(t for (t,) in store.value_rows(records, ("record",)))  # type: ignore[misc]
            digests, size, part_of = beside.result()
    else:
        texts.add(t for (t,) in store.value_rows(records, ("record",)))  # type: ignore[misc]
        digests, size, part_of = _stored_rows(store, graph)
    return texts.records(), StoredVerdicts(digests, count, size), part_of


def _stored_rows(store: Store, graph: URIRef) -> tuple[set[str], int, dict[str, set[str]]]:
    """(the stored verdicts' digests, the conflicts graph's size, the part-of map), read
    row by row (``load_records_and_verdicts``)."""
    digests = {d for (d,) in store.value_rows(_in_graph("verdict_digests", graph), ("digest",))}
    part_of = places_of(store.value_rows(_stored_query("place_part_of"), ("place", "broader")))  # type: ignore[arg-type]
    return digests, _count(store, "graph_size", graph), part_of  # type: ignore[return-value]


def _stored_joined(store: Store, graph: URIRef) -> tuple[set[str], int, dict[str, set[str]]]:
    """``_stored_rows``, the digests and the part-of pairs each read as one text the
    engine joins (``*_joined.rq``)."""
    ((joined,),) = store.value_rows(_in_graph("verdict_digests_joined", graph), ("digests",))
    ((pairs,),) = store.value_rows(_stored_query("place_part_of_joined"), ("pairs",))
    names = iter((pairs or "").split())
    return set((joined or "").split()), _count(store, "graph_size", graph), places_of(zip(names, names, strict=True))


def changes(store: Store, iris: Iris, claims: Collection[str]) -> tuple[Triples, Triples]:
    """(the stored keys and records to remove, those to add) so that the keys and conflict
    records of ``claims`` (the claims of written articles, before and after the writes)
    are what the store holds now."""
    old = {*stored_lines(store, claims), *stored_records(store, iris, claims)}
    new = {*key_lines(store, iris, claims), *record_lines(store, claims)}
    gone, added = sorted(old - new), sorted(new - old)
    return Triples("".join(gone), len(gone)), Triples("".join(added), len(added))


def update(store: Store, iris: Iris, claims: Collection[str]) -> None:
    """Write the keys and conflict records of ``claims`` as the store holds them now (one
    transaction)."""
    gone, added = changes(store, iris, claims)
    if len(gone) or len(added):
        graph = iris.conflict_keys_graph
        store.apply(Changes(remove={graph: gone}, add={graph: added}))


def rebuild(store: Store, iris: Iris) -> None:
    """Every figure claim's keys and conflict record, made anew and written as the
    difference with what the keys graph holds (``conflict_store.write_lines``: the stored
    graph written out and compared line by line; removals, then additions, in pieces),
    the version last: a rebuild stopped half-way is not current, so the next refresh
    starts it again. After a full recompute that said the keys were out of date most of
    them still hold: dropping the graph (5M quads at 1M claims) took Oxigraph 10 minutes
    in one transaction."""
    graph = iris.conflict_keys_graph
    enclosing = load_places(store)  # the whole gazetteer: 84,000 rows at 1M synthetic claims
    keys = _claim_lines(store.rows(_stored_query("claim_key_rows")), iris, enclosing)
    records = _record_lines(*_claims_values(store, None))  # streamed, not sorted
    write_lines(store, iris, itertools.chain(keys, records), Graph(), graph=graph)
    store.apply(Changes(add={graph: _version(iris)}))


def _within(text: str, lo: str, hi: str) -> bool:
    """A window scan's test of a date: its first ten characters compared with the
    window's bounds at the precision stated."""
    e = text[:10]
    return e <= hi and e >= lo[: len(e)]


def _scan_passes(place: str, end: str | None, stated: str | None, lo: str, hi: str) -> bool:
    """Whether a window scan's query keeps a row (``claims_in_windows.rq`` at a place,
    ``claims_without_place_in_windows.rq`` without one), before the exact days are
    compared: for valid dates, whenever the days are within the window."""
    if place:
        return end is None or _within(end, lo, hi)
    return (
        (end is None and stated is None)
        or (end is not None and _within(end, lo, hi))
        or (stated is not None and _within(stated, lo, hi))
    )


def _notations(store: Store) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(term -> its notations, notation -> the local names of the terms with it)."""
    notations: dict[str, set[str]] = defaultdict(set)
    named: dict[str, set[str]] = defaultdict(set)
    for d in store.rows(_stored_query("notations")):
        notations[d["term"]].add(d["notation"])
        named[d["notation"]].add(local_name(d["term"]))
    return notations, named


def _window_keys(iris: Iris, w: Window, named: Mapping[str, set[str]], undated: bool = True) -> dict[str, str]:
    """The IRIs of the keys a window asks for (and ``undated``'s), each with its place:
    of its kinds (a notation: the local names of the kinds it names; a kind without
    one: its own), of every month it spans, at each of its places ('' for none) or, for a
    window of every place inside some (``Window.within``), within each of those."""
    names = set(w.kinds).union(*(named.get(k, ()) for k in w.kinds))
    first, last = date_span(w.first), date_span(w.last)
    assert first is not None and last is not None
    months = (*((UNDATED,) if undated else ()), *window_months(first[0], last[1]))
    if w.within:
        return {str(iris.conflict_key(m, n, u, within=True)): u for m in months for n in names for u in w.within}
    return {str(iris.conflict_key(m, n, p)): p for m in months for n in names for p in w.places or ("",)}


def claimant_claims_in_windows(store: Store, iris: Iris, windows: Iterable[tuple[str, Window]]) -> set[str]:
    """Of each (claimant, window) of ``windows``, every claim of the claimant under the
    keys of the window's places, kinds and months (not ``undated``;
    ``claimant_claims_of_keys.rq``): a superset of the claimant's claims of the window
    (the other days of its months), nothing looked up but the claimant. The keys of the
    claims of articles written since they were last updated may be missing or stale: the
    caller reads those claims itself."""
    _, named = _notations(store)
    rows = {
        (URIRef(key).n3(), URIRef(claimant).n3())
        for claimant, w in windows
        for key in _window_keys(iris, w, named, undated=False)
    }
    return {d["claim"] for d in _table_rows(store, "claimant_claims_of_keys", ("key", "claimant"), rows)}


def claims_in_windows(store: Store, iris: Iris, windows: Iterable[Window], exact: bool = True) -> set[str]:
    """What ``conflict_store.claims_in_windows`` returns (the claims of ``windows``: of
    one of a window's kinds, at one of its places or with no place for a window without
    one, their period ending within it or undated), found by the keys of each place, kind
    and month the windows span (``keyed_claims.rq``), or, for a window of every place
    inside some (``Window.within``), by the keys of what lies within those
    (``keyed_claims_within.rq``); the kinds and exact days checked as the scan checks
    them. The keys of the claims of articles written since they were last updated may be
    missing or stale: the caller adds those claims itself. Not ``exact``: every claim under
    those keys (``claims_of_keys.rq``), nothing looked up a claim: a superset, the claims of
    the windows' months, whatever their day, kind notation or place within, and a key's
    claims since removed."""
    windows = list(windows)
    spans, bounds = window_spans(windows)
    notations, named = _notations(store)
    at: dict[str, str] = {}  # key IRI -> its place
    within: set[str] = set()
    for w in windows:
        keys = _window_keys(iris, w, named)
        if w.within:
            within.update(keys)
        else:
            at.update(keys)

    if not exact:
        return {d["claim"] for d in _rows_for(store, "claims_of_keys", "key", {*at, *within})}

    def kept(p: str, d: dict[str, str]) -> bool:
        return _scan_passes(p, d.get("periodEnd"), d.get("statedOn"), *bounds[p]) and any(
            in_spans({**d, "notation": n}, spans[p]) for n in notations.get(d["quantity"]) or ("",)
        )

    out = {d["claim"] for d in _rows_for(store, "keyed_claims", "key", at) if kept(at[d["key"]], d)}
    for d in _rows_for(store, "keyed_claims_within", "key", within):
        if d["place"] in spans and kept(d["place"], d):
            out.add(d["claim"])
    return out


def enclosed_claims(store: Store, iris: Iris, enclosed: Enclosed) -> set[str]:
    """The claims ``enclosed`` says to read (``conflict_region.enclosed_windows``): every
    claim under the keys of its whole windows (``claims_of_keys.rq``); under the keys of
    its sifted ones, those ``conflict_region.must_read`` keeps (``claims_of_keys_sifted.rq``:
    a look-up or three a claim, nothing written out but the claims kept) and every claim of
    their ``undated`` keys (undated claims make the region whole groups: none is left out);
    and its targets. A superset of the windows' claims that ``must_read`` keeps (the other days of
    their months). The keys of the claims of articles written since they were last updated
    may be missing or stale: the caller reads those claims itself."""
    _, named = _notations(store)
    least: dict[str, float] = {}  # a key -> the least number it is sifted by (keeps the most)
    plain: set[str] = set()
    for w in enclosed.whole:
        plain.update(_window_keys(iris, w, named))
    for s in enclosed.sifted:
        dated = _window_keys(iris, s.window, named, undated=False)
        plain.update(_window_keys(iris, s.window, named).keys() - dated.keys())
        for key in dated:
            least[key] = min(least.get(key, s.most), s.most)
    rows = [(URIRef(key).n3(), Literal(most).n3()) for key, most in least.items() if key not in plain]
    out = {d["claim"] for d in _table_rows(store, "claims_of_keys_sifted", ("key", "most"), rows)}
    out |= {d["claim"] for d in _rows_for(store, "claims_of_keys", "key", plain)}
    return out | enclosed.targets
