"""The conflicts and the store: claim records and hierarchies read with the stored
queries of ``queries/conflicts/``, verdicts written as the conflicts graph (PROV-O).

Only this module of the conflict analysis talks to a store; the rules
(``conflicts.py``) are pure.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import tempfile
from binascii import b2a_base64
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from factgraph import __version__

from . import conflict_text
from .conflict_records import ClaimRecord, Conflict, Settings, conflicting_pairs, date_span
from .conflict_region import Window
from .forked import Child, can_fork
from .review import overlay
from .review_readings import current_readings
from .sparql_text import (
    graph_union,
    inject_value_rows,
    inject_value_table,
    inject_values,
    subquery_braces,
    where_brace,
)
from .store import Changes, Store, Triples, batches
from .terms import FG, FGK, PREFIXES, Iris, local_name

DETECTOR_VERSION = "1.0"


@cache
def _stored_query(name: str) -> str:
    """The text of ``queries/conflicts/{name}.rq``, header checked and parsed once."""
    from .catalogue import parse_stored_query

    source = (files("factgraph.queries") / "conflicts" / f"{name}.rq").read_text(encoding="utf-8")
    return parse_stored_query(f"conflicts/{name}", source).text


def _text(value: str | None) -> str | None:
    return value or None


CHUNK = 500  # terms per VALUES block: a request every store takes (Virtuoso's text limit)


def _iri(text: str) -> str:
    return URIRef(text).n3()


def _chunks(terms: Iterable[str], written: Callable[[str], str] = _iri) -> Iterator[list[str]]:
    """``terms`` (IRIs, or as ``written`` writes them) written for a VALUES block, CHUNK
    at a time, in order."""
    batch: list[str] = []
    for t in sorted(set(terms)):
        batch.append(written(t))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _rows_for(
    store: Store,
    name: str,
    var: str,
    terms: Iterable[str],
    graph: URIRef | None = None,
    dates: Mapping[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    """The rows of the stored query ``name`` for each of ``terms`` bound to ``?var``
    (a chunk of terms a request), in ``graph`` when given, with ``dates`` (variable ->
    term in SPARQL syntax) bound once."""
    text = _stored_query(name)
    if graph is not None:
        text = inject_values(text, {"graph": graph.n3()})
    if dates:
        text = inject_values(text, dates)
    for batch in _chunks(terms):
        yield from store.rows(inject_value_rows(text, var, batch))


def _numbered_values(
    store: Store, name: str, var: str, terms: Iterable[str], names: tuple[str, ...], inner: bool = False
) -> Iterator[tuple[str, ...]]:
    """(term, the values of ``names``) for each row of the stored query ``name``, each of
    ``terms`` bound to ``?var`` together with its number in the request, ``?n``, which
    the query gives back instead of the term (the store then writes no IRI out again for
    each row); every variable of ``names`` bound in each row (``Store.value_rows``, no
    dict a row). ``inner``: bound inside the query's sub-SELECTs (where the store
    begins), not at the top of its WHERE pattern."""
    text = _stored_query(name)
    braces = sorted(subquery_braces(text), reverse=True) if inner else [where_brace(text)]
    for batch in _chunks(terms):
        table = " ".join(f"({t} {i})" for i, t in enumerate(batch))
        block = f" VALUES (?{var} ?n) {{ {table} }} "
        query = text
        for at in braces:
            query = query[: at + 1] + block + query[at + 1 :]
        iris = [t[1:-1] for t in batch]
        for n, *values in store.value_rows(query, ("n", *names)):
            yield (iris[int(n)], *values)  # type: ignore[arg-type, call-overload]


# what a record reads of a claim's triples: the predicate -> the record's field
FG_NS, SCHEMA_NS = str(FG), "https://schema.org/"
_FIELDS = {
    **{
        FG_NS + name: name
        for name in (
            "claimant quantityKind bound value valueHigh intervalLow intervalHigh intervalLowInclusive"
            " intervalHighInclusive periodStart startInferred periodEnd statedOn confidence restates"
            " partOf disputes relativeTo shareOf shareBase quoteText figureText"
        ).split()
    },
    SCHEMA_NS + "appearance": "appearance",
}
_PLACE = FG_NS + "place"
# the fields as ``claim_triples_numbered.rq`` names them (the predicate's local name), the quote left out
_NAMED_FIELDS = {name: name for name in _FIELDS.values() if name != "quoteText"}


def _every_claims_triples(store: Store) -> Iterator[tuple[str, str, str]]:
    """(claim, predicate, value) of every figure claim, for the predicates the records read:
    one scan of each predicate (``predicate_values.rq``), the rows of subjects that are no
    figure claim (``figure_claims.rq``) left out; half the time of ``claim_triples.rq``'s
    pattern, which scans every triple of each claim."""
    claims = {c for (c,) in store.value_rows(_stored_query("figure_claims"), ("claim",))}
    text = _stored_query("predicate_values")
    predicates = (*_FIELDS, _PLACE)
    queries = [inject_values(text, {"p": URIRef(p).n3()}) for p in predicates]
    for i, rows in store.value_rows_each(queries, ("claim", "o")):
        p = predicates[i]
        for claim, o in rows:
            if claim in claims:
                yield claim, p, o  # type: ignore[misc]  # every variable is bound in each row


def load_records(
    store: Store, iris: Iris | None = None, claims: Collection[str] | None = None, quotes: bool = True
) -> list[ClaimRecord]:
    """Every figure claim of the store as a record, or, given ``claims`` (IRIs), those
    only; sorted by IRI; as reviewers left them: the current reading of a revised claim,
    none for "not a claim" (``review.overlay``). A claim without a claimant, a quantity
    kind or a bound is no record.

    Read as the claims' triples streamed one a row (every claim's: one predicate at a time,
    ``predicate_values.rq``; given ``claims``, ``claim_triples.rq``), the verdicts on
    them (``claim_verdicts.rq``), then the labels of their claimants and the notations of
    their kinds (``term_labels.rq``); where a property has several values, the least is
    taken, so every store reads the same record. Given ``claims`` and not ``quotes``, the
    records leave out the quote (empty), which no rule reads, only reports
    (``claim_triples_numbered.rq``: the claims numbered, so the store writes no IRI out
    again for each row), and the reliability verdict (None), which only the text rules
    read of the claim carrying a link (``conflict_rules.link_verdict``): an incremental
    refresh reads this way the claims around the written ones, and runs the text rules
    on the written articles' claims alone, read whole."""
    fields, place = _FIELDS, _PLACE
    triples: Iterable[tuple[str, ...]]
    if claims is None:
        triples = _every_claims_triples(store)
        verdict_rows = store.rows(_stored_query("claim_verdicts"))
    else:
        if quotes:
            triples = (
                (d["claim"], d["p"], d["o"]) for d in _rows_for(store, "claim_triples", "claim", claims)
            )
        else:  # each row names the record's field, not the predicate
            triples = _numbered_values(
                store, "claim_triples_numbered", "claim", claims, ("field", "o"), inner=True
            )
            fields, place = _NAMED_FIELDS, "place"
        verdict_rows = _rows_for(store, "claim_verdicts", "claim", claims) if quotes else iter(())
    values, places = claim_values(triples, fields, place)
    return records_of(store, values, places, verdict_rows)


Values = dict[str, dict[str, str]]  # claim -> field (``_FIELDS``' names) -> its least value
Places = dict[str, set[str]]


def claim_values(
    triples: Iterable[tuple[str, ...]], fields: Mapping[str, str] = _FIELDS, place: str = _PLACE
) -> tuple[Values, Places]:
    """(claim -> field -> value, claim -> places) of (claim, predicate, value) rows
    (``fields``: predicate -> field), the least value where a field has several."""
    values: dict[str, dict[str, str]] = {}
    places: dict[str, set[str]] = defaultdict(set)
    for claim, p, o in triples:
        if p == place:
            places[claim].add(o)
        elif (name := fields.get(p)) is not None:
            known = values.setdefault(claim, {})
            if name not in known or o < known[name]:
                known[name] = o
    return values, places


# the fields of a conflict record (``record_text``), in order
_RECORD_FIELDS = tuple(_FIELDS.values())


def record_text(claim: str, values: Mapping[str, str], places: Collection[str]) -> str:
    """A claim's ``claim_values`` as one JSON text, its conflict record (kept by
    ``conflict_keys``): the value of each of ``_RECORD_FIELDS`` (null when unset), the
    places, sorted, and last the claim's IRI: a full recompute reads the records alone,
    not the claims' IRIs beside them (at 1M claims 5.8 s for the records, 15.2 s with
    the IRIs)."""
    return json.dumps(
        [*(values.get(name) for name in _RECORD_FIELDS), sorted(places), claim],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _text_claim(text: str) -> str:
    """``record_claim`` without parsing the text: the IRI between its last quotes (an
    IRI holds no quote)."""
    return text[text.rindex('"', 0, -2) + 1 : -2]


def record_claim(text: str) -> str:
    """The claim a ``record_text`` is the record of."""
    claim: str = json.loads(text)[-1]
    return claim


def record_values(
    texts: Iterable[str], values: Values | None = None, places: Places | None = None
) -> tuple[Values, Places]:
    """(claim -> field -> value, claim -> places) of ``record_text``s, as ``claim_values``
    gives them of the claims' triples (added to ``values`` and ``places`` when given)."""
    values = {} if values is None else values
    places = {} if places is None else places
    names = _RECORD_FIELDS
    for text in texts:
        data = json.loads(text)
        claim = data[-1]
        values[claim] = {name: v for name, v in zip(names, data[:-2], strict=True) if v is not None}
        if data[-2]:
            places[claim] = set(data[-2])
    return values, places


def records_of(
    store: Store, values: Values, places: Places, verdict_rows: Iterable[Mapping[str, str]]
) -> list[ClaimRecord]:
    """The records of ``values`` and ``places`` (``claim_values``) with the reliability
    verdicts of ``verdict_rows``, the labels of their claimants and the notations of
    their kinds, sorted by IRI, as reviewers left them (``review.overlay``): each claim's
    fields in the order of a record text, made as ``RecordTexts`` makes those."""
    made = RecordTexts(store, verdict_rows)
    made.add_fields([*(v.get(name) for name in _RECORD_FIELDS), places.get(iri), iri] for iri, v in values.items())
    return made.records()


_TRUE = ("true", "1")


class RecordTexts:
    """What ``records_of(store, *record_values(texts), verdict_rows)`` gives, made batch by
    batch of record texts (``add``), each text's fields read by their place in it
    (``record_text``), not through a dict of fields a claim: a full recompute makes 1M
    records while a thread reads the stored digests beside them
    (``conflict_keys.load_records_and_verdicts``). The labels and notations of the
    claimants and kinds a batch brings are read with it. ``records()``: sorted by IRI,
    as reviewers left them (``review.overlay``)."""

    def __init__(self, store: Store, verdict_rows: Iterable[Mapping[str, str]]) -> None:
        self.store = store
        self.verdicts: dict[str, str] = {}
        for d in verdict_rows:
            if d["claim"] not in self.verdicts or d["verdict"] < self.verdicts[d["claim"]]:
                self.verdicts[d["claim"]] = d["verdict"]
        self.labels: dict[str, str] = {}
        self.notations: dict[str, str] = {}
        self.looked_up: set[str] = set()
        self.kinds: dict[str, str] = {}
        self.bounds: dict[str, str] = {}
        self.made: dict[str, ClaimRecord | None] = {}  # None: a record without a claimant, kind or bound
        # one object a value that recurs among records (``add_fields``)
        self.place_sets: dict[tuple[str, ...], frozenset[str]] = {}
        self.shared: dict[str, str] = {}

    def add(self, texts: Iterable[str]) -> None:
        """Make the records of ``record_text``s, in the order of their claims' IRIs: the
        order the records are read in after (``records``) is then the order their objects
        were made in, near each other in memory. The store gives the texts in the order of
        their hashes; at 1M claims, records made in that order took the detector 9-12 s to
        prepare before its fork, records made in the order of their IRIs 6-7 s, and the
        sort here costs less than sorting the records after."""
        self.add_fields(map(json.loads, sorted(texts, key=_text_claim)))

    def add_fields(self, rows: Iterable[list[Any]]) -> None:
        """Make the records of rows of a claim's fields in ``_RECORD_FIELDS``' order, its
        places and its IRI: a record text parsed, or ``claim_values``' fields of a claim."""
        parsed = list(rows)
        terms = {t for data in parsed for t in (data[0], data[1]) if t is not None} - self.looked_up
        if terms:
            labels, notations = _labels(self.store, terms)
            self.labels.update(labels)
            self.notations.update(notations)
            self.looked_up |= terms
        made, verdicts, labels, kinds, bounds = self.made, self.verdicts, self.labels, self.kinds, self.bounds
        place_sets, shared = self.place_sets, self.shared
        of_values = ClaimRecord.of_values
        one = shared.setdefault
        empty: frozenset[str] = frozenset()
        for data in parsed:
            (
                claimant, kind, bound, value, value_high, low, high, low_incl, high_incl, start, inferred, end,
                stated, confidence, restates, part_of, disputes, relative_to, share_of, share_base, quote,
                figure, appearance, places, iri,
            ) = data  # fmt: skip  # ``_RECORD_FIELDS``, the places, the claim
            if claimant is None or kind is None or bound is None:
                made[iri] = None
                continue
            if (quantity := kinds.get(kind)) is None:
                quantity = kinds[kind] = self.notations.get(kind) or local_name(kind)
            if (bound_name := bounds.get(bound)) is None:
                bound_name = bounds[bound] = local_name(bound)
            verdict = verdicts.get(iri)
            # a claimant, a place set, a date, a confidence recur among records: one object
            # each, not one a record (at 1M claims 45,000 place sets, not 1M frozensets of
            # 200 bytes; the detector meets them in dicts, compared by identity first)
            if places:
                key = tuple(places)
                if (place_set := place_sets.get(key)) is None:
                    place_set = place_sets[key] = frozenset(key)
            else:
                place_set = empty
            made[iri] = of_values((
                iri,
                appearance or "",
                one(claimant, claimant),
                quantity,
                None if value is None else float(value),
                None if value_high is None else float(value_high),
                bound_name,
                None if low is None else float(low),
                None if high is None else float(high),
                low_incl is None or low_incl in _TRUE,
                high_incl is None or high_incl in _TRUE,
                place_set,
                one(start, start) if start else None,
                inferred is not None and inferred in _TRUE,
                one(end, end) if end else None,
                one(stated, stated) if stated else None,
                one(confidence, confidence) if confidence else None,
                restates or None,
                part_of or None,
                disputes or None,
                relative_to or None,
                share_of or None,
                share_base or None,
                local_name(verdict) if verdict is not None else None,
                quote or "",
                figure or "",
                labels.get(claimant, ""),
            ))

    def records(self) -> list[ClaimRecord]:
        out = [r for _, r in sorted(self.made.items()) if r is not None]
        return overlay(out, current_readings(self.store))


def records_of_texts(
    store: Store, texts: Iterable[str], verdict_rows: Iterable[Mapping[str, str]]
) -> list[ClaimRecord]:
    """``records_of(store, *record_values(texts), verdict_rows)`` (``RecordTexts``)."""
    made = RecordTexts(store, verdict_rows)
    made.add(texts)
    return made.records()


if _RECORD_FIELDS != tuple(
    "claimant quantityKind bound value valueHigh intervalLow intervalHigh intervalLowInclusive"
    " intervalHighInclusive periodStart startInferred periodEnd statedOn confidence restates partOf disputes"
    " relativeTo shareOf shareBase quoteText figureText appearance"
    .split()
):  # (``records_of_texts`` reads them by place)
    raise AssertionError("records_of_texts: the fields of a conflict record changed")


def _labels(store: Store, terms: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(term -> English label, term -> notation) of ``terms`` (``term_labels.rq``), the
    least where there are several."""
    labels: dict[str, str] = {}
    notations: dict[str, str] = {}
    for d in _rows_for(store, "term_labels", "term", terms):
        for name, found in (("label", labels), ("notation", notations)):
            if (text := d.get(name)) is not None and (d["term"] not in found or text < found[d["term"]]):
                found[d["term"]] = text
    return labels, notations


def article_claims(store: Store, articles: Iterable[str]) -> set[str]:
    """The figure claims (IRIs) that appear in ``articles`` (queries/conflicts/article_claims.rq)."""
    return {d["claim"] for d in _rows_for(store, "article_claims", "article", articles)}


def claim_kinds(store: Store, places: Iterable[str], without_place: bool = False) -> dict[str, set[str]]:
    """Claim IRI -> the quantity kinds (notations) of the figure claims at ``places``
    (``claims_at_places.rq``), and of those with no place when ``without_place``."""
    rows: Iterable[dict[str, str]] = _rows_for(store, "claims_at_places", "place", places)
    if without_place:
        rows = itertools.chain(rows, store.rows(_stored_query("claims_without_place")))
    out: dict[str, set[str]] = defaultdict(set)
    for d in rows:
        out[d["claim"]].add(_text(d.get("notation")) or local_name(d["quantity"]))
    return dict(out)


def _table_rows(
    store: Store, name: str, names: tuple[str, ...], rows: Iterable[tuple[str, ...]]
) -> Iterator[dict[str, str]]:
    """The rows of the stored query ``name`` for each of ``rows`` (terms in SPARQL
    syntax) bound to ``?names`` together, CHUNK rows a request."""
    text = _stored_query(name)
    batch = sorted(set(rows))
    for i in range(0, len(batch), CHUNK):
        yield from store.rows(inject_value_table(text, names, batch[i : i + CHUNK]))


def _kind(d: Mapping[str, str]) -> str:
    return _text(d.get("notation")) or local_name(d["quantity"])


def claims_in_windows(store: Store, windows: Iterable[Window]) -> set[str]:
    """The claims of ``windows`` (``conflict_region.windows``): of one of a window's kinds,
    at one of its places (with no place, for a window without one), their period ending
    within it or undated (``claims_in_windows.rq``, ``claims_without_place_in_windows.rq``).
    One VALUES row per place, spanning its windows: the store scans a place's claims once
    (a country's for every claim in it), the kinds and exact windows are picked here."""
    spans, bounds = window_spans(windows)
    by_span: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p, span in bounds.items():
        by_span[span].append(p)
    rows: list[Iterable[dict[str, str]]] = []
    for (lo, hi), at in sorted(by_span.items()):
        dates = {"first": Literal(lo).n3(), "last": Literal(hi).n3()}
        # the dates bound apart from the places: Virtuoso answers nothing to a FILTER on
        # variables of a VALUES block of several rows and columns
        placed = [p for p in at if p]
        if placed:
            rows.append(_rows_in_subquery(store, "claims_in_windows", "place", placed, dates))
        if "" in at:
            rows.append(store.rows(inject_values(_stored_query("claims_without_place_in_windows"), dates)))
    return {d["claim"] for d in itertools.chain.from_iterable(rows) if in_spans(d, spans[d.get("place", "")])}


Spans = dict[str, list[tuple[int, int, frozenset[str]]]]  # place ('' none) -> (first day, last day, kinds)


def window_spans(windows: Iterable[Window]) -> tuple[Spans, dict[str, tuple[str, str]]]:
    """(place -> the days and kinds of each window at it, place -> the first and last
    dates of its windows as ISO text), '' for the windows of claims without a place."""
    spans: Spans = defaultdict(list)
    bounds: dict[str, tuple[str, str]] = {}
    for w in windows:
        first, last = date_span(w.first), date_span(w.last)
        assert first is not None and last is not None
        for p in w.places or ("",):
            spans[p].append((first[0], last[1], w.kinds))
            lo, hi = bounds.get(p, (w.first, w.last))
            bounds[p] = (min(lo, w.first), max(hi, w.last))
    return spans, bounds


def in_spans(d: Mapping[str, str], spans: Iterable[tuple[int, int, frozenset[str]]]) -> bool:
    """Whether a row of a claim (its kind, period end, statement date) falls in one of
    ``spans`` (its period's last day, else its statement date's, or no date at all)."""
    kind, end = _kind(d), date_span(d.get("periodEnd")) or date_span(d.get("statedOn"))
    return any(kind in kinds and (end is None or first <= end[1] <= last) for first, last, kinds in spans)


def _rows_in_subquery(
    store: Store, name: str, var: str, terms: Iterable[str], dates: Mapping[str, str]
) -> Iterator[dict[str, str]]:
    """The rows of the stored query ``name`` with ``dates`` bound and ``?var`` bound to
    each of ``terms`` (a chunk a request) inside its sub-SELECT, where the store begins."""
    text = inject_values(_stored_query(name), dates)
    for batch in _chunks(terms):
        block = f" VALUES ?{var} {{ {' '.join(batch)} }} "
        query = text
        for at in sorted(subquery_braces(text), reverse=True):
            query = query[: at + 1] + block + query[at + 1 :]
        yield from store.rows(query)


def series_claims(store: Store, keys: Iterable[tuple[str, str, str]]) -> set[str]:
    """The claims of each (claimant, kind, place) of ``keys`` over all of time, '' for
    no place (``claimant_claims_at_places.rq``, ``claimant_claims_without_place.rq``)."""
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for claimant, kind, place in keys:
        kinds[(claimant, place)].add(kind)
    placed = [(URIRef(c).n3(), URIRef(p).n3()) for c, p in kinds if p]
    unplaced = [(URIRef(c).n3(),) for c, p in kinds if not p]
    out = set()
    for d in _table_rows(store, "claimant_claims_at_places", ("claimant", "place"), placed):
        if _kind(d) in kinds[(d["claimant"], d["place"])]:
            out.add(d["claim"])
    for d in _table_rows(store, "claimant_claims_without_place", ("claimant",), unplaced):
        if _kind(d) in kinds[(d["claimant"], "")]:
            out.add(d["claim"])
    return out


def claim_count(store: Store) -> int:
    """How many figure claims the store holds (``claim_count.rq``)."""
    return sum(int(d["n"]) for d in store.rows(_stored_query("claim_count")))


# a stored triple as read: s, p, o (an IRI or a lexical form), the datatype, the language
StoredTriple = tuple[str, str, str, str | None, str | None]


def stored_verdicts(
    store: Store, claims: Iterable[str], judged: Callable[[str, str], bool]
) -> tuple[list[StoredTriple], set[tuple[str, str]]]:
    """(the triples of the stored verdicts on ``claims`` whose pair of claims is
    ``judged``, the fg:conflictsWith links from or to ``claims`` as (claim, other) both
    ways), as plain strings: the verdicts named first (``verdicts_of_claims.rq``), the
    triples of those judged then (``triples_of_verdicts.rq``), the links
    (``links_of_claims.rq``); thousands of rows, no rdflib terms."""
    nodes: set[str] = set()
    links: set[tuple[str, str]] = set()
    claims = sorted(set(claims))
    for d in _rows_for(store, "verdicts_of_claims", "claim", claims):
        if judged(d["a"], d["b"]):
            nodes.add(d["verdict"])
    for d in _rows_for(store, "links_of_claims", "claim", claims):
        links.add((d["claim"], d["other"]))
        links.add((d["other"], d["claim"]))  # its twin, written with it
    triples = [
        (d["verdict"], d["p"], d["o"], d.get("datatype"), d.get("lang") or None)
        for d in _rows_for(store, "triples_of_verdicts", "verdict", nodes)
    ]
    return triples, links


def stored_among(store: Store, verdicts: Iterable[str]) -> set[str]:
    """Those of ``verdicts`` (IRIs) the conflicts graph holds (``verdicts_named.rq``)."""
    return {d["verdict"] for d in _rows_for(store, "verdicts_named", "verdict", verdicts)}


def term_triples(store: Store, terms: Iterable[str], predicates: Collection[URIRef]) -> set[tuple]:
    """The stored triples about ``terms`` with one of ``predicates`` (``term_triples.rq``)."""
    wanted = set(predicates)
    out = set()
    for batch in _chunks(terms):
        for s, p, o in store.query(inject_value_rows(_stored_query("term_triples"), "term", batch)):  # type: ignore[misc]
            if p in wanted:
                out.add((s, p, o))
    return out


def terms_in_use(store: Store, terms: Iterable[str]) -> set[str]:
    """Those of ``terms`` the store already names, as subject or object (``terms_in_use.rq``)."""
    return {d["term"] for d in _rows_for(store, "terms_in_use", "term", terms)}


def detection_run(store: Store, iris: Iris) -> tuple[URIRef, str | None, Literal | None] | None:
    """(activity, rule version, end time) of the detection stored in the conflicts graph;
    None when the store holds no conflicts graph (``detection_run.rq``)."""
    for row in store.query(_stored_query("detection_run"), {"graph": iris.conflicts_graph}):
        version = row.version  # type: ignore[union-attr]
        return row.activity, (str(version) if version is not None else None), row.ended  # type: ignore[union-attr,return-value]
    return None


def load_hierarchies(store: Store) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """(place -> enclosing places, kind -> broader kinds, cumulative kinds) from the
    vocabulary in the store."""
    return (load_places(store), *load_kinds(store))


def load_places(store: Store, places: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Place -> the places it lies in (``place_part_of.rq``), for every place of the
    gazetteer, or for ``places`` only (those that lie in none are absent, as in the whole
    gazetteer's map; ``place_part_of_numbered.rq``)."""
    rows = (
        store.value_rows(_stored_query("place_part_of"), ("place", "broader"))
        if places is None
        else _numbered_values(store, "place_part_of_numbered", "place", places, ("broader",))
    )
    return places_of(rows)  # type: ignore[arg-type]


def places_of(rows: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Place -> the places it lies in, of (place, broader) rows (``place_part_of.rq``)."""
    out: dict[str, set[str]] = defaultdict(set)
    for place, broader in rows:
        out[place].add(broader)
    return dict(out)


def places_inside(store: Store, places: Iterable[str]) -> set[str]:
    """The places that lie in one of ``places`` (``place_part_of.rq``, ?broader bound)."""
    return set().union(*places_inside_each(store, places).values())


def places_inside_each(store: Store, places: Iterable[str]) -> dict[str, set[str]]:
    """Each of ``places`` -> the places that lie in it (``place_part_of.rq``, ?broader
    bound); those with none are absent."""
    out: dict[str, set[str]] = defaultdict(set)
    for d in _rows_for(store, "place_part_of", "broader", places):
        out[d["broader"]].add(d["place"])
    return dict(out)


def load_kinds(store: Store) -> tuple[dict[str, set[str]], set[str]]:
    """(kind -> broader kinds, cumulative kinds), every quantity kind of the vocabulary
    (``quantity_kinds.rq``: a few dozen, whatever the number of claims)."""
    kinds: dict[str, set[str]] = defaultdict(set)
    cumulative: set[str] = set()
    for d in store.rows(_stored_query("quantity_kinds")):
        kind = d["notation"]
        kinds[kind]
        if "broaderNotation" in d:
            kinds[kind].add(d["broaderNotation"])
        if d.get("cumulative") in ("true", "1"):
            cumulative.add(kind)
    return dict(kinds), cumulative


def to_graph(conflicts: Iterable[Conflict], iris: Iris, ended: datetime | None = None) -> Graph:
    """The conflicts graph: one fg:Conflict (or fg:Corroboration) per verdict, the
    fg:conflictsWith links between the claims, and the detection activity (PROV-O)."""
    g = detection_graph(iris, ended)
    verdicts_graph(conflicts, iris, g)
    return g


def detection_activity(iris: Iris) -> URIRef:
    return iris.activity(f"conflicts/{DETECTOR_VERSION}")


def detection_graph(iris: Iris, ended: datetime | None = None) -> Graph:
    """The detection activity: rules version, software, end time (PROV-O)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    activity = detection_activity(iris)
    g.add((activity, RDF.type, FG.ConflictDetection))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, FG.ruleVersion, Literal(DETECTOR_VERSION)))
    g.add((activity, PROV.wasAssociatedWith, iris.software(__version__)))
    g.add(
        (activity, PROV.endedAtTime, Literal((ended or datetime.now(UTC)).isoformat(), datatype=XSD.dateTime))
    )
    return g


def _literal(text: str, suffix: str = "") -> str:
    """A literal in N-Triples (``suffix``: ``@lang`` or ``^^<datatype>``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"{suffix}'


def verdict_prefix(iris: Iris) -> str:
    """What a verdict's IRI is its key after (``Iris.conflict``), as text: an IRI a
    verdict without making a term of it (1.9M at 1M claims)."""
    return str(iris.conflict(""))


def verdict_digests(conflicts: Iterable[Conflict], iris: Iris) -> Iterator[tuple[Conflict, str]]:
    """(the verdict, its digest) for each of ``conflicts``, without wording it: the
    digest (BLAKE2b, 88 bits, as 15 characters of base64: a literal Oxigraph keeps within
    its index, read without a lookup) is of what its triples are made from, not of the
    triples: the detector's version and activity, the verdicts' IRI prefix, the verdict's
    kind, severity, claims (with the prefix, what its IRI is made of: a digest names its
    verdict), rule, ratio, gap and settings, what the explanations read of its two records
    (``conflict_text.described``) and the version of the wording and labels
    (``conflict_text.wording_key``). Equal digests, equal triples: a full recompute finds
    the verdicts to write again without wording any (the explanations were a fifth of a
    recompute at 1M claims and the text and its digest another fifth). A verdict whose
    digest the detector worked out where it made it (``VerdictDigest`` given to
    ``detect``: a full recompute's, for ``iris``) has that one."""
    digest = VerdictDigest(iris)
    for c in conflicts:
        known = getattr(c, "digest", None)  # (compiled: unset unless worked out)
        yield c, known if known is not None else digest(c)


class VerdictDigest:
    """``digest(verdict)``: a verdict's digest (``verdict_digests``), hashed in pieces in
    the order of ``_digest_text``: the head and the settings hashed once (the hash
    copied), each record's described fields encoded once (it is in several verdicts); at
    1M claims 8% less time than the whole text made and hashed. A full recompute gives one
    to ``detect``, so that each process works out the digests of the verdicts it made."""

    def __init__(self, iris: Iris) -> None:
        self.head = "\x1e".join(
            (conflict_text.wording_key(), DETECTOR_VERSION, str(detection_activity(iris)), verdict_prefix(iris))
        )
        self.started: dict[int, tuple[Settings | None, Any]] = {}
        self.parts: dict[int, tuple[ClaimRecord, bytes]] = {}

    def _part(self, r: ClaimRecord) -> bytes:
        known = self.parts.get(id(r))
        if known is None or known[0] is not r:
            if len(self.parts) >= 1 << 21:
                self.parts.clear()
            known = self.parts[id(r)] = (r, conflict_text.described(r).encode())
        return known[1]

    def __call__(self, c: Conflict) -> str:
        start = self.started.get(id(c.settings))
        if start is None or start[0] is not c.settings:
            text = f"{self.head}\x1e{c.settings or Settings()!r}\x1e"
            start = self.started[id(c.settings)] = (c.settings, hashlib.blake2b(text.encode(), digest_size=11))
        h = start[1].copy()
        h.update(f"{c.kind}\x1e{c.severity}\x1e{c.a}\x1e{c.b}\x1e{c.rule}\x1e{c.ratio!r}\x1e{c.gap!r}\x1e".encode())
        if c.records is not None:
            h.update(self._part(c.records[0]))
            h.update(b"\x1d")
            h.update(self._part(c.records[1]))
        return b2a_base64(h.digest(), newline=False)[:15].decode()


def _digest_text(c: Conflict, iris: Iris) -> str:
    """The text a verdict's digest is of (``verdict_digests``, which hashes it in pieces)."""
    head = VerdictDigest(iris).head
    records = (
        f"{conflict_text.described(c.records[0])}\x1d{conflict_text.described(c.records[1])}"
        if c.records is not None
        else ""
    )
    return (
        f"{head}\x1e{c.settings or Settings()!r}\x1e{c.kind}\x1e{c.severity}\x1e{c.a}\x1e{c.b}"
        f"\x1e{c.rule}\x1e{c.ratio!r}\x1e{c.gap!r}\x1e{records}"
    )


def _verdict_text(iris: Iris) -> Callable[[Conflict, str, str], str]:
    """``text(verdict, its IRI, its digest)``: the N-Triples of the verdict, the
    fg:conflictsWith links between its claims (a conflict's), and last its
    fg:verdictDigest. Written as text, not rdflib terms, as the whole store's verdicts are
    millions of triples (at 100k claims, 2.7M triples took 145 s to build as an rdflib
    graph). The digest line comes last: a load stopped within a verdict's lines leaves a
    verdict typed without a digest or a digest without a type, which the next full
    recompute sees (``write_conflicts``)."""
    decimal = f"^^<{XSD.decimal}>"
    activity = f"<{detection_activity(iris)}>"
    version = _literal(DETECTOR_VERSION)
    kinds = {True: f"<{RDF.type}> <{FG.Conflict}>", False: f"<{RDF.type}> <{FG.Corroboration}>"}
    p_kind, p_sev, p_a, p_b = (f"<{FG.conflictKind}>", f"<{FG.severity}>", f"<{FG.claimA}>", f"<{FG.claimB}>")
    p_ratio, p_gap, p_expl, p_version = (
        f"<{FG.ratio}>",
        f"<{FG.gap}>",
        f"<{FG.explanation}>",
        f"<{FG.ruleVersion}>",
    )
    p_comment, p_generated, p_with, p_digest = (
        f"<{RDFS.comment}>",
        f"<{PROV.wasGeneratedBy}>",
        f"<{FG.conflictsWith}>",
        f"<{FG.verdictDigest}>",
    )
    written: dict[str, str] = {}  # a claim's IRI as N-Triples: a claim is in several verdicts

    def term(t: str) -> str:
        text = written.get(t)
        if text is None:
            if len(written) >= 1 << 17:
                written.clear()
            text = written[t] = URIRef(t).n3()
        return text

    kind_iris: dict[str, str] = {}

    def text(c: Conflict, iri: str, digest: str) -> str:
        node, a, b = f"<{iri}>", term(c.a), term(c.b)
        if (kind := kind_iris.get(c.kind)) is None:
            kind = kind_iris[c.kind] = f"<{FGK[c.kind]}>"
        lines = [f"{node} {kinds[c.is_conflict]} .\n{node} {p_kind} {kind} .\n"]
        if c.severity:
            lines.append(f"{node} {p_sev} {_literal(c.severity)} .\n")
        lines.append(f"{node} {p_a} {a} .\n{node} {p_b} {b} .\n")
        if c.ratio is not None:
            lines.append(f"{node} {p_ratio} {_literal(str(Decimal(str(c.ratio))), decimal)} .\n")
        if c.gap is not None:
            lines.append(f"{node} {p_gap} {_literal(str(Decimal(str(c.gap))), decimal)} .\n")
        en, fr = c.worded()  # not kept on the verdict: the reports word again the few they show
        lines.append(
            f"{node} {p_expl} {_literal(en, '@en')} .\n"
            f"{node} {p_expl} {_literal(fr, '@fr')} .\n"
            f"{node} {p_version} {version} .\n"
            f"{node} {p_comment} {_literal(f'rule: {c.rule}')} .\n"
            f"{node} {p_generated} {activity} .\n"
        )
        if c.is_conflict:
            lines.append(f"{a} {p_with} {b} .\n{b} {p_with} {a} .\n")
        lines.append(f'{node} {p_digest} "{digest}" .\n')
        return "".join(lines)

    return text


def verdict_blocks(conflicts: Iterable[Conflict], iris: Iris) -> Iterator[tuple[Conflict, str, str, str]]:
    """(the verdict, its IRI, its digest, its N-Triples text) for each of ``conflicts``
    (``verdict_digests``, ``_verdict_text``)."""
    text = _verdict_text(iris)
    prefix = verdict_prefix(iris)
    for c, digest in verdict_digests(conflicts, iris):
        iri = prefix + c.key
        yield c, iri, digest, text(c, iri, digest)


def verdict_size(c: Conflict) -> int:
    """How many triples ``verdict_blocks`` writes about verdict ``c`` itself (its links
    aside), without wording it: a full recompute's count of what the graph should hold."""
    return 10 + bool(c.severity) + (c.ratio is not None) + (c.gap is not None)


def verdict_lines(conflicts: Iterable[Conflict], iris: Iris) -> Iterator[str]:
    """The N-Triples text of each verdict, its fg:conflictsWith links and its digest
    (``verdict_blocks``)."""
    for _, _, _, text in verdict_blocks(conflicts, iris):
        yield text


def verdicts_graph(conflicts: Iterable[Conflict], iris: Iris, g: Graph | None = None) -> Graph:
    """The triples of each verdict and the fg:conflictsWith links (into ``g`` if given)."""
    g = Graph() if g is None else g
    g.parse(data="".join(verdict_lines(conflicts, iris)), format="nt")
    return g


# -- the full recompute's write: only the difference, atomic when it fits -----------------
#
# ``write_conflicts`` compares verdicts by their digests (fg:verdictDigest), a row each;
# ``write_lines``, what it falls back to, compares the whole graph line by line (the
# stored side written out by the store: 27M lines, 472 MB a 2.7M, at 1M claims).

WRITE_CHUNK = 200_000  # triples a transaction (at most; Oxigraph holds one in memory)
# additions from this many triples are bulk-loaded, not part of one SPARQL update: 17,000
# verdict triples (100 new articles) 0.20 s as an update, about 0.09 s as a bulk load
BULK_FROM = 2_000
_DECIMAL_END = f'"^^<{XSD.decimal}> .\n'
_UTC_END = f'+00:00"^^<{XSD.dateTime}> .\n'
_LOW = (1 << 64) - 1


def _key(line: str) -> int:
    """A 128-bit digest of one N-Triples line, the same for our text and the store's: an
    xsd:decimal's lexical form without trailing zeros (Oxigraph stores "2.0" as "2"), a
    UTC time ending "Z", a tab escaped (as the store writes it back). Two of Python's keyed 64-bit string hashes
    of two different strings, so a collision between 27M lines is out of reach (~1e-24)."""
    if line.endswith(_DECIMAL_END):
        start = line.rindex('"', 0, len(line) - len(_DECIMAL_END))
        lex = line[start + 1 : len(line) - len(_DECIMAL_END)]
        if "." in lex and "e" not in lex.lower():
            lex = lex.rstrip("0").rstrip(".")
            line = f"{line[: start + 1]}{lex}{_DECIMAL_END}"
    elif line.endswith(_UTC_END):  # the detection's end time, written "Z" back
        line = f"{line[: -len(_UTC_END)]}Z{_UTC_END[6:]}"
    if "\t" in line:
        line = line.replace("\t", "\\t")
    return (hash(line) << 64) ^ (hash(line[1:]) & _LOW)


class _Additions:
    """The lines a write adds: kept up to ``chunk`` lines, past that written to a file
    (``path``), with those kept, to be bulk-loaded from it."""

    def __init__(self, path: Path, chunk: int) -> None:
        self.path, self.chunk = path, chunk
        self.kept: list[str] = []
        self.lines = 0
        self._file: IO[str] | None = None

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def add(self, text: str, lines: int = 1) -> None:
        self.lines += lines
        if self._file is not None:
            self._file.write(text)
        elif self.lines <= self.chunk:
            self.kept.append(text)
        else:  # too many to keep: to the file, loaded after the removals
            self._file = self.path.open("w", encoding="utf-8")
            self._file.writelines(self.kept)
            self._file.write(text)
            self.kept = []

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def write_lines(
    store: Store,
    iris: Iris,
    texts: Iterable[str],
    seen: Graph,
    chunk: int = WRITE_CHUNK,
    graph: URIRef | None = None,
) -> tuple[int, int]:
    """Make the conflicts graph (or ``graph``) hold exactly the N-Triples of ``texts``
    (whole lines) and delete the stale marks ``seen``, writing only the difference with
    what is stored: (triples removed, lines added).

    The store writes the stored graph out to a temporary file, kept as a set of line
    digests (``_key``); the new lines stream past it. A difference of at most ``chunk``
    triples (what a full recompute after a batch of articles changes) is one transaction
    with the marks' deletion: readers see the old graph or the new one. A larger one (a
    new store, a new rule version) is written ``chunk`` triples a transaction, the
    removals first, the additions after (from the file, ``Store.add_unguarded``: Oxigraph's
    bulk loader embedded), the marks deleted with the last: meanwhile the
    graph is part old, part new and flagged stale, and a run stopped half way leaves the
    marks, so the next refresh (``pipeline.ensure_current``) finishes it. Memory: the
    digests (about 90 bytes a stored triple) and ``chunk`` lines, never the whole text.
    When the difference holds ``BULK_FROM`` additions or more, they are one bulk load
    (atomic on Oxigraph), and the removals with the marks' deletion come after it, flagged
    stale in between (a detection run's end time is about all a batch of new articles
    removes)."""
    graph = iris.conflicts_graph if graph is None else graph
    with tempfile.TemporaryDirectory(prefix="factgraph-conflicts-") as tmp:
        stored_path = Path(tmp) / "stored.nt"
        with stored_path.open("wb") as out:
            if any(store.value_rows(_in_graph("graph_holds", graph), ("s",))):  # (a server refuses a graph it lacks)
                store.dump(out, "ntriples", graph=graph)
        with stored_path.open(encoding="utf-8") as f:
            stored = {_key(line) for line in f if line != "\n"}
        added = _Additions(Path(tmp) / "added.nt", chunk)
        try:
            for text in texts:
                for line in text.splitlines(keepends=True):
                    if line == "\n":
                        continue
                    if stored:  # (nothing stored, a new store's: every line is added, no digest needed)
                        k = _key(line)
                        if k in stored:
                            stored.discard(k)  # stored as it is
                            continue
                    added.add(line)
        finally:
            added.close()
        n_added = added.lines

        def removals() -> Iterator[str]:  # the stored lines no new line matched
            with stored_path.open(encoding="utf-8") as f:
                yield from (line for line in f if line != "\n" and _key(line) in stored)

        removed = list(itertools.islice(removals(), chunk + 1))
        if not added.spilled and n_added >= BULK_FROM and len(removed) <= chunk:
            # many additions (a new store's graph, a batch of new articles' verdicts): in
            # one bulk load, then the stored lines no longer found and the marks deleted in
            # one transaction. Between the two a reader sees the new lines beside the few
            # old ones, flagged stale; with nothing to remove, the old graph or the new one
            store.add_unguarded(graph, added.kept)
            store.apply(
                Changes(remove={graph: Triples("".join(removed), len(removed)), iris.status_graph: seen})
            )
            return len(removed), n_added
        if not added.spilled and len(removed) + n_added <= chunk:
            store.apply(
                Changes(
                    remove={graph: Triples("".join(removed), len(removed)), iris.status_graph: seen},
                    add={graph: Triples("".join(added.kept), n_added)},
                )
            )
            return len(removed), n_added
        del removed
        n_removed = 0
        for batch in batches(removals(), chunk):
            store.apply(Changes(remove={graph: Triples("".join(batch), len(batch))}))
            n_removed += len(batch)
        stored.clear()
        if added.spilled:  # more than a chunk: loaded from the file
            store.add_unguarded(graph, added.path)
        store.apply(
            Changes(
                add={graph: Triples("".join(added.kept), len(added.kept))}, remove={iris.status_graph: seen}
            )
        )
        return n_removed, n_added


def _in_graph(name: str, graph: URIRef) -> str:
    """The stored query ``name`` with its ``GRAPH ?graph`` pattern in ``graph``."""
    return graph_union(_stored_query(name), "graph", [graph.n3()])


def _count(store: Store, name: str, graph: URIRef) -> int:
    return sum(int(d["n"]) for d in store.rows(_in_graph(name, graph)))


@dataclass
class StoredVerdicts:
    """What ``write_conflicts`` compares the verdicts found with: the stored digests
    (``stored_digests``), how many verdicts the graph holds (``verdict_count``) and, when
    read beside them, how many triples (``graph_size.rq``)."""

    digests: set[str]
    count: int
    size: int | None = None


def verdict_count(store: Store, graph: URIRef) -> int:
    """The verdicts (typed fg:Conflict or fg:Corroboration) of ``graph``."""
    return _count(store, "verdict_count", graph)


def stored_digests(store: Store, graph: URIRef) -> set[str]:
    """The fg:verdictDigest of every verdict of ``graph`` that has one
    (``verdict_digests.rq``; a digest names its verdict: ``verdict_digests``): at 1M
    claims 1.9M rows, where the graph is 27M triples."""
    return {d for (d,) in store.value_rows(_in_graph("verdict_digests", graph), ("digest",))}  # type: ignore[misc]


def verdicts_of_digests(store: Store, graph: URIRef, digests: Iterable[str]) -> dict[str, str]:
    """stored digest -> the verdict of ``graph`` that carries it, for ``digests``
    (``verdicts_of_digests.rq``, ``CHUNK`` digests a query)."""
    text = _in_graph("verdicts_of_digests", graph)
    out: dict[str, str] = {}
    for batch in _chunks(digests, _literal):
        for verdict, digest in store.value_rows(inject_value_rows(text, "digest", batch), ("verdict", "digest")):
            out[digest] = verdict  # type: ignore[index,assignment]  # both variables are bound in each row
    return out


def _links(links: Collection[tuple[str, str]]) -> Triples:
    """The fg:conflictsWith links between the claims of each pair of ``links``, both ways."""
    with_ = f"<{FG.conflictsWith}>"
    lines = []
    for a, b in links:
        x, y = URIRef(a).n3(), URIRef(b).n3()
        lines.append(f"{x} {with_} {y} .\n{y} {with_} {x} .\n")
    return Triples("".join(lines), 2 * len(links))


# from this many verdicts a full recompute works the digests of the later half out in a
# forked process (a child that reads no store: ``forked``), and reads the stored verdicts
# beside the records (``conflict_keys.load_records_and_verdicts``); below it neither pays
PARALLEL_DIGESTS_FROM = 50_000


def _digested(found: Sequence[Conflict]) -> bool:
    """Whether every verdict of ``found`` carries its digest (``detect``'s ``digest``)."""
    return all(getattr(c, "digest", None) is not None for c in found)


def _differing(found: Sequence[Conflict], iris: Iris, stored: set[str]) -> tuple[list[tuple[int, str]], set[str]]:
    """(the index in ``found`` and the digest of each verdict whose digest ``stored``
    lacks, in order; the digests of ``stored`` no verdict of ``found`` has: of verdicts
    that changed or went) (``verdict_digests``: a digest names its verdict). From
    ``PARALLEL_DIGESTS_FROM`` verdicts the digests of the later half are worked out by a
    forked child (``forked.Child``), which sends back those not stored and, as one text,
    those it found (a full recompute at 1M claims has 1.9M verdicts), unless the verdicts
    carry them: a full recompute's detection worked them out in its two processes
    (``detect``'s ``digest``)."""
    left = set(stored)

    def compared(verdicts: Iterable[Conflict], start: int, left: set[str]) -> list[tuple[int, str]]:
        out = []
        for k, (_, digest) in enumerate(verdict_digests(verdicts, iris), start):
            if digest in left:
                left.remove(digest)
            else:
                out.append((k, digest))
        return out

    if len(found) < PARALLEL_DIGESTS_FROM or not can_fork() or _digested(found):
        return compared(found, 0, left), left
    half = len(found) // 2
    theirs = found[half:]

    def work(send: Callable[[Any], None], ready: Callable[[], None]) -> None:
        ready()  # (forked before this process compares: the child's ``left`` is whole)
        send(compared(theirs, half, left))
        send(" ".join(stored - left))  # those it found, one text: 0.9M strings pickled one by one cost more

    child = Child(work)
    try:
        ours = compared(found[:half], 0, left)
        got = child.results()
        if got is not None:  # (while the child exits)
            left.difference_update(got[1].split(" "))
            return ours + got[0], left
    finally:
        child.stop()
    return ours + compared(theirs, half, left), left  # the child failed: its half worked out here


# a recompute that would delete or rewrite more than this share of the stored verdicts
# compares the graph line by line instead (``write_lines``): at 100k claims, every verdict
# rewritten one by one took 88.5 s, the whole graph compared line by line 39.5 s; a
# difference of up to ``REWRITE_ALWAYS`` verdicts is always written verdict by verdict
REWRITE_SHARE = 0.25
REWRITE_ALWAYS = 500


def _gone_links(
    store: Store, gone: Collection[str], pairs: Collection[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The claim pairs (sorted) of the conflicts ``gone`` that no conflict still found
    links (``pairs``): their fg:conflictsWith links are removed (``verdict_pairs.rq``)."""
    out = set()
    for d in _rows_for(store, "verdict_pairs", "verdict", gone):
        pair = (d["a"], d["b"]) if d["a"] < d["b"] else (d["b"], d["a"])
        if pair not in pairs:
            out.add(pair)
    return sorted(out)


def write_conflicts(
    store: Store,
    iris: Iris,
    found: Sequence[Conflict],
    seen: Graph,
    chunk: int = WRITE_CHUNK,
    ended: datetime | None = None,
    known: StoredVerdicts | None = None,
) -> tuple[int, int]:
    """Make the conflicts graph hold the verdicts ``found`` with the detection activity
    (ended ``ended``, now by default), and delete the stale marks ``seen``, writing only
    the verdicts that changed: (verdicts deleted or rewritten, verdicts written).

    Each stored verdict carries the digest of what it was written from
    (``verdict_digests``); a verdict found again with the same digest is left as it is,
    and not worded; one with another digest loses its triples and is written again, one
    no longer found loses its triples and the fg:conflictsWith links no conflict still
    found makes. The stored side is thus read as one row a verdict, its digest alone
    (1.9M rows at 1M claims: a digest names its verdict, whose IRI is read only when the
    digest is no longer found), not written out whole and compared line by line (27M
    lines), which ``write_lines`` still does when the digests cannot tell: when some
    stored verdict has no digest (a graph an older factgraph wrote, or a load stopped half
    way: the digest is a verdict's last line), or when the graph does not hold as many
    triples as it should (triples left by a removal stopped half way, or written by hand:
    counted once written, or before, ``known.size``, when nothing but the detection
    activity is to be written); and when it costs less: nothing stored (every line is
    new), or more than ``REWRITE_SHARE`` of the stored verdicts (and more than
    ``REWRITE_ALWAYS``) to delete or rewrite.

    A difference of fewer than ``BULK_FROM`` lines and at most ``CHUNK`` verdicts
    deleted is one SPARQL Update with the marks' deletion: readers see the old graph or
    the new one. A larger one deletes the verdicts that changed or went (``CHUNK`` an
    update, with their links), bulk-loads the new lines (from a file past ``chunk``
    lines), then replaces the detection activity and deletes the marks in one update:
    meanwhile the graph is part old, part new and flagged stale by the marks, and a run
    stopped half way leaves them, so the next refresh (``pipeline.ensure_current``)
    finishes it. ``known``: the stored verdicts, read already (beside the claims' read,
    ``conflict_keys.load_records_and_verdicts``, with the graph's size), else read here."""
    graph = iris.conflicts_graph
    activity = "".join(
        line for line in detection_graph(iris, ended).serialize(format="nt").splitlines(True) if line != "\n"
    )

    def by_lines() -> tuple[int, int]:
        return write_lines(store, iris, itertools.chain([activity], verdict_lines(found, iris)), seen, chunk)

    if known is None:
        known = StoredVerdicts(stored_digests(store, graph), verdict_count(store, graph))
    stored, size_before = known.digests, known.size
    if known.count != len(stored):
        return by_lines()
    del known
    n_stored = len(stored)
    differing, left = _differing(found, iris, stored)  # (index in ``found``, digest) to write; stored, not found
    del stored
    if not n_stored or len(left) > max(n_stored * REWRITE_SHARE, REWRITE_ALWAYS):
        # a new graph (nothing to compare: every line is loaded), or much of it to rewrite
        # (a new version of the rules, the wording or the labels): the lines that differ,
        # fewer than the verdicts' triples
        return by_lines()
    pairs = conflicting_pairs(found)  # the claims of each conflict found: their links stay
    # the triples the graph holds once written
    expected = activity.count("\n") + sum(map(verdict_size, found)) + 2 * len(pairs)
    if not differing and not left and size_before is not None and size_before != expected:
        by_lines()  # triples no verdict found accounts for (left by a stopped write, or by hand)
        return 0, 0  # (no verdict differs)
    prefix = verdict_prefix(iris)
    rewritten = {prefix + found[k].key for k, _ in differing}
    olds = verdicts_of_digests(store, graph, left)  # the verdicts that changed or went
    changed = sorted(iri for iri in olds.values() if iri in rewritten)
    gone = sorted(iri for iri in olds.values() if iri not in rewritten)
    text = _verdict_text(iris)
    n_verdicts = len(differing)
    with tempfile.TemporaryDirectory(prefix="factgraph-conflicts-") as tmp:
        added = _Additions(Path(tmp) / "added.nt", chunk)
        try:
            for k, digest in differing:
                c = found[k]
                block = text(c, prefix + c.key, digest)
                added.add(block, block.count("\n"))
        finally:
            added.close()
        n_added, spilled = added.lines, added.spilled
        links = _gone_links(store, gone, pairs)
        activity_node = [str(detection_activity(iris))]
        if not spilled and n_added < BULK_FROM and len(changed) + len(gone) <= CHUNK:
            # one transaction: what went, what changed, the new lines, the activity, the marks
            store.apply(
                Changes(
                    forget={graph: [*changed, *gone, *activity_node]},
                    remove={graph: _links(links), iris.status_graph: seen},
                    add={graph: Triples("".join(added.kept) + activity, n_added + activity.count("\n"))},
                )
            )
        else:
            nodes = [*changed, *gone]  # the verdicts that changed first: loaded again next
            for at in range(0, len(nodes), CHUNK):
                store.apply(
                    Changes(
                        forget={graph: nodes[at : at + CHUNK]},
                        remove={graph: _links(links if not at else ())},
                    )
                )
            if spilled:
                store.add_unguarded(graph, added.path)
            elif n_added >= BULK_FROM:
                store.add_unguarded(graph, added.kept)
            last = activity if spilled or n_added >= BULK_FROM else "".join(added.kept) + activity
            store.apply(
                Changes(
                    forget={graph: activity_node},
                    remove={iris.status_graph: seen},
                    add={graph: Triples(last, last.count("\n"))},
                )
            )
    if (differing or left or size_before is None) and _count(store, "graph_size", graph) != expected:
        by_lines()  # (counted before when only the activity was to be written: as expected)
    return len(changed) + len(gone), n_verdicts
