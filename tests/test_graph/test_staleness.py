"""Derived data current or flagged stale: every article write marks the conflicts graph
stale in the same transaction, the conflicts refresh clears exactly the marks it saw,
and a stopped ingest is repaired by the next one or by ``ensure_current`` (serve)."""

from __future__ import annotations

import pytest
from rdflib import Graph

from factgraph.graph import pipeline, staleness
from factgraph.graph.catalogue import Catalogue
from factgraph.graph.conflicts import refresh
from factgraph.graph.pipeline import builtin_corpus, ensure_current, ingest
from factgraph.graph.store import Changes, EmbeddedStore, Store
from factgraph.graph.terms import Iris
from factgraph.graph.vocabulary import ensure_loaded

IRIS = Iris("http://127.0.0.1:5000/")
SEED = builtin_corpus()[0]


class Crash(Exception):
    pass


class CrashingStore(EmbeddedStore):
    """Stops (as a kill would) before its ``writes``-th ``apply``."""

    def __init__(self, writes: int):
        super().__init__(None)
        self.writes = 10**6
        ensure_loaded(self, IRIS)  # the vocabulary, before the writes counted
        self.writes = writes

    def apply(self, changes: Changes) -> None:
        self._count()
        super().apply(changes)

    def add_together(self, graphs) -> None:  # several new articles in one atomic write
        self._count()
        super().add_together(graphs)

    def _count(self) -> None:
        self.writes -= 1
        if self.writes <= 0:
            raise Crash


def _article(tmp_path, name: str, figure: int) -> str:
    p = tmp_path / name
    p.write_text(f" date 2019-05\n\nL'OSDH a recensé {figure} civils tués dans les frappes de la coalition "
                 "en Syrie depuis 2014.\n", encoding="utf-8")
    return str(p)


def _articles(store: Store) -> set[str]:
    return {str(g) for g in store.graph_names() if "/graph/article/" in str(g)}


def _inferred(store: Store) -> set[str]:
    return {str(g).replace("/graph/inferred/", "/graph/article/") for g in store.graph_names()
            if "/graph/inferred/" in str(g)}


def test_a_store_after_a_full_ingest_is_current():
    with EmbeddedStore(None) as store:
        ingest(store, [SEED], IRIS)
        assert not staleness.is_stale(store, IRIS)
        assert IRIS.status_graph not in store.graph_names()
        assert not ensure_current(store, IRIS)


def test_an_ingest_stopped_before_the_refresh_leaves_complete_articles_and_a_stale_mark(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "GROUP_QUADS", 1)  # each new article a write of its own
    paths = [str(SEED), _article(tmp_path, "a.txt", 310), _article(tmp_path, "b.txt", 520)]
    store = CrashingStore(writes=3)  # two articles written, the third write never happens
    with pytest.raises(Crash):
        ingest(store, paths, IRIS)
    assert len(_articles(store)) == 2
    assert _articles(store) == _inferred(store)  # every article with its inferences
    assert staleness.is_stale(store, IRIS)
    store.writes = 10**6
    assert ensure_current(store, IRIS)  # what `factgraph serve` does at start
    assert not staleness.is_stale(store, IRIS)
    assert not ensure_current(store, IRIS)


def test_new_articles_are_written_together_and_a_stopped_group_leaves_none_of_them(tmp_path):
    paths = [str(SEED), _article(tmp_path, "a.txt", 310), _article(tmp_path, "b.txt", 520)]
    store = CrashingStore(writes=1)  # the group's write never happens
    with pytest.raises(Crash):
        ingest(store, paths, IRIS)
    assert _articles(store) == set() == _inferred(store)
    assert not staleness.is_stale(store, IRIS)  # nothing written: the store as it was
    store.writes = 3  # the three in one write, then the conflicts: two writes, no more
    ingest(store, paths, IRIS)
    assert len(_articles(store)) == 3
    assert _articles(store) == _inferred(store)
    assert not staleness.is_stale(store, IRIS)


def test_the_next_ingest_repairs_a_stale_mark(tmp_path):
    store = CrashingStore(writes=2)  # the seed written, its conflicts never refreshed
    with pytest.raises(Crash):
        ingest(store, [SEED], IRIS)
    assert staleness.is_stale(store, IRIS)
    store.writes = 10**6
    ingest(store, [_article(tmp_path, "a.txt", 310)], IRIS)
    assert not staleness.is_stale(store, IRIS)


def test_a_refresh_keeps_a_mark_added_after_it_read_the_marks():
    """A write it did not see (another process, between its reads and its write) stays
    flagged: the refresh deletes only the marks it read first."""
    with EmbeddedStore(None) as store:
        ingest(store, [SEED], IRIS)
        early = staleness.mark(IRIS, IRIS.activity("ingest/early"))
        store.apply(Changes(add={IRIS.status_graph: early}))
        real_marks = staleness.marks

        def marks_then_a_concurrent_write(s, iris):
            seen = real_marks(s, iris)
            s.apply(Changes(add={iris.status_graph: staleness.mark(iris, iris.activity("ingest/late"))}))
            return seen

        staleness.marks = marks_then_a_concurrent_write  # type: ignore[assignment]
        try:
            refresh(store, IRIS)
        finally:
            staleness.marks = real_marks  # type: ignore[assignment]
        left = staleness.marks(store, IRIS)
        assert set(left.objects()) == {IRIS.activity("ingest/late")}


def test_the_stale_mark_is_public_through_a_stored_query():
    with EmbeddedStore(None) as store:
        ingest(store, [SEED], IRIS)
        query = Catalogue.load()["conflicts_status"]
        assert list(query.run(store)) == []
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/x"))}))
        rows = list(query.run(store))
        assert [(str(r.graph), str(r.invalidatedBy)) for r in rows] == [  # type: ignore[union-attr]
            (str(IRIS.conflicts_graph), str(IRIS.activity("ingest/x")))]


def test_the_mark_is_one_triple_naming_the_ingest():
    g = staleness.mark(IRIS, staleness.ingest_activity(IRIS))
    assert isinstance(g, Graph) and len(g) == 1
    (s, _, o), = g
    assert s == IRIS.conflicts_graph and str(o).startswith(str(IRIS.activity("ingest/")))


def test_marks_are_written_read_and_cleared_on_every_backend(store):
    ingest(store, [SEED], IRIS)
    assert not staleness.is_stale(store, IRIS)
    store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/x"))}))
    assert staleness.is_stale(store, IRIS)
    assert ensure_current(store, IRIS)
    assert not staleness.is_stale(store, IRIS)
    assert IRIS.status_graph not in store.graph_names()
