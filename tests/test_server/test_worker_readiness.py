"""A query worker forked while another thread of the server holds a lock of the store's
(RocksDB's database mutex, which every query's snapshot takes) would block on its first
query for ever: each new worker first runs the store's ``check_readable`` and says it is
ready; one that does not within ``worker.READY_TIMEOUT`` is killed and forked again
(``worker.FORK_ATTEMPTS``). No assertion here is about how long something takes."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from factgraph.graph.store import EmbeddedStore
from factgraph.server import worker
from factgraph.server.worker import FORK_ATTEMPTS, CannotFork, ResidentPool, run_isolated

EX = "http://example.org/"
LOOKUP = f"SELECT ?o WHERE {{ <{EX}s7> ?p ?o }}"


class BlocksOnce:
    """A store stand-in whose ``check_readable`` blocks in the first ``blocked`` children
    that run it (as one forked with a lock held would), and passes in the others."""

    def __init__(self, tmp: Path, blocked: int = 1):
        self.tmp, self.blocked = tmp, blocked

    def check_readable(self) -> None:
        for i in range(self.blocked):
            try:
                os.close(os.open(self.tmp / f"child-{i}", os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                continue
            time.sleep(3600)  # this child is blocked: the parent must kill it

    def children(self) -> int:
        return len(list(self.tmp.glob("child-*")))


def answer(store: object, x: int) -> int:
    return x * 2


@pytest.fixture(autouse=True)
def quick_ready(monkeypatch):
    monkeypatch.setattr(worker, "READY_TIMEOUT", 0.5)


def test_an_isolated_worker_that_is_not_ready_is_forked_again(tmp_path):
    store = BlocksOnce(tmp_path)
    assert run_isolated(answer, store, 21, timeout=30, ready=store.check_readable) == 42
    assert store.children() == 1  # the first child blocked and was replaced


def test_a_resident_worker_that_is_not_ready_is_forked_again(tmp_path):
    store = BlocksOnce(tmp_path)
    pool = ResidentPool(1, 0)
    try:
        assert pool.call(answer, store, 21, timeout=30) == 42
        assert store.children() == 1 and len(pool.workers()) == 1
    finally:
        pool.close()


def test_workers_that_never_become_ready_are_a_clear_refusal_not_a_hang(tmp_path):
    store = BlocksOnce(tmp_path, blocked=FORK_ATTEMPTS)
    with pytest.raises(CannotFork, match="did not become ready"):
        run_isolated(answer, store, 1, timeout=30, ready=store.check_readable)
    (tmp_path / "pool").mkdir()
    pool = ResidentPool(1, 0)
    try:
        with pytest.raises(CannotFork, match="not ready"):
            pool.call(answer, BlocksOnce(tmp_path / "pool", blocked=FORK_ATTEMPTS), 1, timeout=30)
    finally:
        pool.close()


def lookup(store: EmbeddedStore) -> int:
    return len(list(store.rows(LOOKUP)))


def test_workers_forked_while_threads_read_and_end_all_answer(tmp_path, monkeypatch):
    """The real case: threads that read the store and end beside the forks (about 1 fork in
    150 used to inherit the database's mutex locked and hang on its first query)."""
    monkeypatch.setattr(worker, "READY_TIMEOUT", 2.0)
    (tmp_path / "store").mkdir()
    store = EmbeddedStore(tmp_path / "store")
    g = Graph()
    for i in range(2000):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
    store.replace_graph(URIRef(EX + "g"), g)
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            readers = [threading.Thread(target=lookup, args=(store,)) for _ in range(4)]
            for t in readers:
                t.start()
            for t in readers:
                t.join()

    churner = threading.Thread(target=churn, daemon=True)
    churner.start()
    pool = ResidentPool(1, 0, max_calls=1)  # a new resident worker for every call
    try:
        for _ in range(150):
            assert run_isolated(lookup, store, timeout=20, ready=store.check_readable) == 1
            assert pool.call(lookup, store, timeout=20) == 1
    finally:
        stop.set()
        churner.join()
        pool.close()
        store.close()
