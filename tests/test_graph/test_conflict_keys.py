"""The conflict keys (graph/conflict_keys.py): the month a claim's end falls in, the
months a window spans, and a store written before the keys existed (or after a full
recompute said they were out of date) migrated by its next incremental refresh, on every
backend. The keys against the window scans on random stores: test_conflict_region.py."""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV

from factgraph.graph import conflict_keys, conflict_store, conflict_update
from factgraph.graph.conflicts import refresh
from factgraph.graph.pipeline import builtin_corpus, ensure_current, ingest
from factgraph.graph.store import Changes, EmbeddedStore, Store
from factgraph.graph.terms import FG, Iris

IRIS = Iris("http://127.0.0.1:5000/")


def test_the_month_is_that_of_the_last_day_a_date_covers():
    assert conflict_keys.month_of("2019-05-10") == "2019-05"
    assert conflict_keys.month_of("2019-05") == "2019-05"
    assert conflict_keys.month_of("2019") == "2019-12"  # a year ends in December
    assert conflict_keys.month_of("2019-05-10T12:00:00Z") == "2019-05"
    assert conflict_keys.month_of(None) is None and conflict_keys.month_of("soon") is None


def test_a_window_spans_every_month_from_its_first_day_to_its_last():
    first, last = date(2018, 11, 30).toordinal(), date(2019, 2, 1).toordinal()
    assert conflict_keys.window_months(first, last) == ["2018-11", "2018-12", "2019-01", "2019-02"]
    assert conflict_keys.window_months(first, first) == ["2018-11"]


def _keys(store: Store) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, p, o in store.graph(IRIS.conflict_keys_graph) if p == FG.indexesClaim}


def _conflicts(store: Store) -> set:
    return {t for t in store.graph(IRIS.conflicts_graph) if t[1] != PROV.endedAtTime}


def _article(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(f" date 2019-06-20\nurl: https://example.org/{name}\n\n{text}\n", encoding="utf-8")
    return p


def test_a_store_without_keys_is_migrated_by_its_next_incremental_refresh(
    store, tmp_path, conflict_refreshes, monkeypatch
):
    """A store written before the keys (no keys graph): the next ingest's refresh builds
    every claim's keys, then is incremental and equal to a full recompute. A full
    recompute without marks keeps them; an ingest stopped before its conflicts (its
    claims have no keys) makes the repair's full recompute say they are out of date, and
    the next ingest's refresh builds them again, with the stopped ingest's claims."""
    ingest(store, builtin_corpus(), IRIS)
    store.drop_graph(IRIS.conflict_keys_graph)  # as a store written before the keys
    assert not conflict_keys.current(store, IRIS) and not _keys(store)
    osdh = "Selon l'OSDH, plus de 4000 civils ont été tués par la coalition en Syrie depuis 2014."
    ingest(store, [_article(tmp_path, "plus.txt", osdh)], IRIS)
    assert conflict_refreshes.outcomes[-1].incremental
    _equal_to_fresh_keys_and_a_full_recompute(store)
    assert conflict_keys.current(store, IRIS)  # no mark: the keys are current
    # an ingest stopped after its writes, before its conflicts
    recorded = conflict_update.refresh_after
    monkeypatch.setattr(conflict_update, "refresh_after", _stopped)
    hrw = "Human Rights Watch a recensé 600 civils tués à Raqqa depuis 2014."
    with pytest.raises(KeyboardInterrupt):
        ingest(store, [_article(tmp_path, "hrw.txt", hrw)], IRIS)
    monkeypatch.setattr(conflict_update, "refresh_after", recorded)
    assert ensure_current(store, IRIS) and not conflict_keys.current(store, IRIS)
    raqqa = "Dans la province de Raqqa, l'OSDH a compté 2900 civils tués depuis 2014."
    ingest(store, [_article(tmp_path, "raqqa.txt", raqqa)], IRIS)
    assert conflict_refreshes.outcomes[-1].incremental and conflict_keys.current(store, IRIS)
    _equal_to_fresh_keys_and_a_full_recompute(store)


def _stopped(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt  # the process stopped before the conflicts


def _equal_to_fresh_keys_and_a_full_recompute(store: Store) -> None:
    fresh = {(line.split()[0][1:-1], line.split()[2][1:-1]) for line in conflict_keys.key_lines(store, IRIS)}
    assert _keys(store) == fresh and len(fresh) > 10
    incremental = _conflicts(store)
    refresh(store, IRIS)
    assert _conflicts(store) == incremental


def test_a_full_recompute_reads_the_claims_of_their_records_while_the_keys_are_current(store, monkeypatch):
    """Current keys hold a record a claim: the full recompute reads those (a row a claim),
    the same records as of the claims' triples; once the keys are out of date, the
    triples."""
    ingest(store, builtin_corpus(), IRIS)  # a first ingest recomputes in full: no keys yet
    assert not conflict_keys.current(store, IRIS)
    conflict_keys.rebuild(store, IRIS)  # as the next incremental refresh does
    assert conflict_keys.current(store, IRIS)
    by_records = conflict_keys.load_records(store, IRIS)
    assert [r.__dict__ for r in by_records] == [r.__dict__ for r in conflict_store.load_records(store, IRIS)]
    assert len(by_records) >= 10 and any(r.places for r in by_records) and all(r.quote for r in by_records)
    read = []
    real = conflict_keys.load_records_and_verdicts
    monkeypatch.setattr(conflict_keys, "load_records_and_verdicts", lambda *a: read.append("records") or real(*a))
    records, known, places = real(store, IRIS)
    assert [r.__dict__ for r in records] == [r.__dict__ for r in by_records]
    assert places == conflict_store.load_places(store) and places
    assert known.digests == conflict_store.stored_digests(store, IRIS.conflicts_graph)
    assert known.count == len(known.digests) >= 3  # the seed's verdicts
    graph = _conflicts(store)
    assert known.size == len(graph) + 1  # the conflicts graph's triples (its end time aside above)
    refresh(store, IRIS)
    assert read == ["records"] and _conflicts(store) == graph
    conflict_keys.invalidate(store, IRIS)
    refresh(store, IRIS)
    assert read == ["records"] and _conflicts(store) == graph


def test_a_record_is_one_json_text_of_what_the_rules_read_of_the_claims_triples():
    values = {"claimant": "http://x/a", "quoteText": 'il a dit "1\\n2"\t\u2028', "value": "3.5"}
    text = conflict_store.record_text("http://x/c", values, {"http://x/p2", "http://x/p1"})
    assert json.loads(text)[-2:] == [["http://x/p1", "http://x/p2"], "http://x/c"]  # the places, the claim
    assert conflict_store.record_claim(text) == "http://x/c"
    assert conflict_store.record_values([text]) == (
        {"http://x/c": values},
        {"http://x/c": {"http://x/p1", "http://x/p2"}},
    )
    assert conflict_store.record_values([conflict_store.record_text("http://x/c", values, ())])[1] == {}


def test_records_read_by_the_place_of_their_fields_are_those_read_through_a_dict_of_fields():
    """``records_of_texts`` (the full read) gives what ``records_of(record_values(...))``
    gives: every field unset, set, empty, a bool either way, places or none, a claim with
    a reliability verdict (the least of two), a record without a claimant or a bound
    (left out), rows out of order and a claim given twice (the last text counts)."""
    fields = conflict_store._RECORD_FIELDS
    full = {name: f"http://x/{name}" for name in fields}
    full.update(
        value="3.5", valueHigh="7", intervalLow="3", intervalHigh="1e3", intervalLowInclusive="false",
        intervalHighInclusive="1", startInferred="true", periodStart="2019", periodEnd="2019-05-02",
        statedOn="", quoteText="il a dit", figureText="",
    )  # fmt: skip
    sparse = {"claimant": "http://x/b", "quantityKind": "http://x/k", "bound": "http://x/exact"}
    rows = [
        conflict_store.record_text("http://x/c3", full, {"http://x/p2", "http://x/p1"}),
        conflict_store.record_text("http://x/c1", sparse, ()),
        conflict_store.record_text("http://x/c2", {**sparse, "startInferred": "0"}, ()),
        conflict_store.record_text("http://x/c0", {"claimant": "http://x/a", "quantityKind": "http://x/k"}, ()),
        conflict_store.record_text("http://x/c1", {**sparse, "value": "12"}, {"http://x/p1"}),
    ]
    verdicts = [
        {"claim": "http://x/c3", "verdict": "http://x/v/unreliable"},
        {"claim": "http://x/c3", "verdict": "http://x/v/disputed"},
    ]
    with EmbeddedStore(None) as store:
        by_dict = conflict_store.records_of(store, *conflict_store.record_values(rows), verdicts)
        by_place = conflict_store.records_of_texts(store, rows, verdicts)
    assert [r.__dict__ for r in by_place] == [r.__dict__ for r in by_dict]
    assert [r.iri for r in by_place] == ["http://x/c1", "http://x/c2", "http://x/c3"]
    c1, c2, c3 = by_place
    assert c1.value == 12.0 and c1.places == frozenset({"http://x/p1"}) and c1.low_incl and not c1.start_inferred
    assert not c2.start_inferred and c3.start_inferred and not c3.low_incl and c3.high_incl
    assert c3.verdict == "disputed" and c3.stated_on is None and c3.quote == "il a dit" and c3.figure_text == ""


def test_the_stored_verdicts_read_in_a_thread_beside_the_records_are_those_read_in_line(monkeypatch):
    """From PARALLEL_DIGESTS_FROM stored verdicts, the digests, the graph's size and the
    places are read in a thread, each joined in one row by the engine, while the records
    are read: the same records, digests, size and places as read row by row in line, the
    same conflicts graph after a recompute, and no process forked (RocksDB's state in a
    forked child is not safe to read: session 18)."""
    threads: list[str] = []
    real_joined = conflict_keys._stored_joined

    def joined(store, graph):
        threads.append(threading.current_thread().name)
        return real_joined(store, graph)

    monkeypatch.setattr(conflict_keys, "_stored_joined", joined)

    def no_fork():
        raise AssertionError("a full read forked a process")

    with EmbeddedStore(None) as store:
        ingest(store, builtin_corpus(), IRIS)
        conflict_keys.rebuild(store, IRIS)
        alone = conflict_keys.load_records_and_verdicts(store, IRIS)
        assert threads == []  # fewer verdicts than the bar: read in line
        assert alone[1].digests and alone[1].size > len(alone[1].digests) and alone[2]
        monkeypatch.setattr(conflict_store, "PARALLEL_DIGESTS_FROM", 0)
        with monkeypatch.context() as m:
            m.setattr(os, "fork", no_fork)
            beside = conflict_keys.load_records_and_verdicts(store, IRIS)
        assert len(threads) == 1 and threads[0].startswith("stored-verdicts")
        assert [r.__dict__ for r in beside[0]] == [r.__dict__ for r in alone[0]]
        assert beside[1] == alone[1] and beside[2] == alone[2]
        graph = _conflicts(store)
        refresh(store, IRIS)
        assert len(threads) == 2 and _conflicts(store) == graph


def test_the_joined_reads_of_an_empty_conflicts_graph_and_gazetteer_are_empty():
    with EmbeddedStore(None) as store:
        assert conflict_keys._stored_joined(store, IRIS.conflicts_graph) == (set(), 0, {})


def test_a_rebuild_leaves_the_keys_graph_as_made_from_nothing(store):
    """A rebuild writes the difference with what the keys graph holds: a key and a record
    a removed claim left, a claim's record lost, an older version's marker and a record
    that no longer matches its claim are set right, and the version comes last."""
    ingest(store, builtin_corpus(), IRIS)
    conflict_keys.rebuild(store, IRIS)
    graph = IRIS.conflict_keys_graph
    fresh = set(store.graph(graph))
    records = sorted((s, o) for s, p, o in fresh if p == FG.conflictRecord)
    (lost, lost_text), (moved, moved_text) = records[0], records[1]
    gone = URIRef(IRIS.base + "claim/gone/0")
    junk = Graph()
    junk.add((URIRef(str(IRIS.conflict_key("2019-05", "deaths", ""))), FG.indexesClaim, gone))
    junk.add((gone, FG.conflictRecord, Literal("[]")))
    junk.add((graph, FG.keysVersion, Literal("1")))
    junk.add((moved, FG.conflictRecord, Literal(str(moved_text).replace("]", ',"x"]', 1))))
    stale = Graph()
    stale.add((graph, FG.keysVersion, Literal(conflict_keys.KEYS_VERSION)))
    stale.add((lost, FG.conflictRecord, lost_text))
    stale.add((moved, FG.conflictRecord, moved_text))
    store.apply(Changes(remove={graph: stale}, add={graph: junk}))
    assert not conflict_keys.current(store, IRIS) and set(store.graph(graph)) != fresh
    conflict_keys.rebuild(store, IRIS)
    assert conflict_keys.current(store, IRIS) and set(store.graph(graph)) == fresh
