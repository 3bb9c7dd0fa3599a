"""Reads shared with a forked process (``forked.rows_in_two_processes``, used by a
full conflicts recompute's read): the same rows as one process reads, the child's half
read here again when the child fails or cannot read, and no child left behind."""

from __future__ import annotations

import os
import threading
import time

import pytest

from factgraph.graph import conflict_store, forked
from factgraph.graph.conflict_store import load_records
from factgraph.graph.forked import rows_in_two_processes
from factgraph.graph.pipeline import builtin_corpus, ingest
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris

IRIS = Iris("http://127.0.0.1:5000/")
PARENT = os.getpid()


def _rows(query: str):
    """Rows naming the process that made them: 120,001 for query 'big' (three messages
    and a bit), one for any other."""
    n = 120_001 if query == "big" else 1
    for k in range(n):
        yield (query, str(k), str(os.getpid()))


def _children() -> set[int]:
    """Processes this one forked and has not reaped."""
    try:
        with open(f"/proc/{PARENT}/task/{PARENT}/children") as f:
            return {int(p) for p in f.read().split()}
    except OSError:
        return set()


def _read(queries, run=_rows) -> dict[int, list]:
    out: dict[int, list] = {}
    for i, batch in rows_in_two_processes(run, queries):
        out.setdefault(i, []).extend(batch)
    return out


@pytest.fixture
def may_fork(monkeypatch):
    """Forks allowed whatever threads earlier tests of this process left running (a
    server's): these children only run this module's code, or read a store of their own."""
    monkeypatch.setattr(forked, "can_fork", lambda: True)


def test_the_odd_queries_are_read_by_a_child_and_every_row_comes_back(may_fork):
    queries = ["a", "big", "c", "d", "big"]
    out = _read(queries)
    assert sorted(out) == [0, 1, 2, 3, 4]
    for i, q in enumerate(queries):
        rows = out[i]
        assert [r[:2] for r in rows] == [(q, str(k)) for k in range(len(rows))]
        assert len(rows) == (120_001 if q == "big" else 1)
        assert {r[2] for r in rows} == ({str(PARENT)} if i % 2 == 0 else {str(rows[0][2])})
        if i % 2:
            assert rows[0][2] != str(PARENT)  # read in the child
    assert not _children()


def test_the_queries_a_caller_names_are_read_by_the_child(may_fork):
    """``child_reads``: the digests and the graph's size of a full recompute (queries 1 and
    2) read by the child while this process reads and makes the records (query 0)."""
    out: dict[int, list] = {}
    for i, batch in rows_in_two_processes(_rows, ["big", "b", "c", "d"], child_reads=(1, 2)):
        out.setdefault(i, []).extend(batch)
    assert sorted(out) == [0, 1, 2, 3] and len(out[0]) == 120_001
    assert {r[2] for i in (0, 3) for r in out[i]} == {str(PARENT)}
    assert str(PARENT) not in {r[2] for i in (1, 2) for r in out[i]}
    assert not _children()


def _fails_in_child(query: str):
    if os.getpid() != PARENT and query == "c":
        raise RuntimeError("the child's store failed")
    yield from _rows(query)


def _stuck_in_child(query: str):
    if os.getpid() != PARENT:
        time.sleep(60)  # as a child forked with RocksDB's mutex held
    yield from _rows(query)


@pytest.mark.parametrize("run", [_fails_in_child, _stuck_in_child])
def test_a_child_that_fails_or_cannot_read_has_its_queries_read_here(monkeypatch, run, may_fork):
    monkeypatch.setattr(forked, "READY_WAIT", 0.3)
    queries = ["a", "b", "big", "c"]
    out = _read(queries, run)
    assert {i: [r[:2] for r in rows] for i, rows in out.items()} == {
        i: [r[:2] for r in _rows(q)] for i, q in enumerate(queries)
    }
    assert {r[2] for rows in out.values() for r in rows} == {str(PARENT)}
    assert not _children()


def test_with_another_thread_running_nothing_is_forked():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        out = _read(["a", "b", "c"])
    finally:
        stop.set()
        t.join()
    assert {r[2] for rows in out.values() for r in rows} == {str(PARENT)}


def test_a_reader_that_stops_early_leaves_no_child_behind(may_fork):
    reads = rows_in_two_processes(_rows, ["big", "big", "big"])
    next(reads)
    reads.close()
    assert not _children()


def test_the_full_read_in_two_processes_gives_the_records_of_one(monkeypatch, may_fork):
    with EmbeddedStore(None) as store:
        ingest(store, builtin_corpus(), IRIS)
        alone = load_records(store, IRIS)
        monkeypatch.setattr(conflict_store, "PARALLEL_READ_FROM", 0)
        calls = []
        real = forked.rows_in_two_processes

        def watched(run, queries, child_reads=None):
            calls.append(len(queries))
            yield from real(run, queries, child_reads)

        monkeypatch.setattr("factgraph.graph.store.rows_in_two_processes", watched)
        assert load_records(store, IRIS) == alone
        assert calls and alone

