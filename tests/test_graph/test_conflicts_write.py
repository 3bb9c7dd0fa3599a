"""The full recompute's write (``conflict_store.write_conflicts``): only the difference
with the stored conflicts graph is written, in one transaction when it fits in a chunk,
in chunks otherwise; the graph it leaves equals the one-shot write (drop the graph,
insert every line) whatever the stored graph held, readers see the old graph or the new
one when the difference fits, and a run stopped half way leaves the stale mark."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from factgraph.graph import conflict_store, staleness
from factgraph.graph.conflict_store import detection_graph, verdict_lines, write_conflicts
from factgraph.graph.conflicts import Conflict, refresh
from factgraph.graph.pipeline import builtin_corpus, ensure_current, ingest
from factgraph.graph.store import Changes, EmbeddedStore, Store, Triples
from factgraph.graph.terms import FG, Iris

IRIS = Iris("http://127.0.0.1:5000/")
SEED = builtin_corpus()[0]
ENDED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _text(found: list[Conflict]) -> str:
    return detection_graph(IRIS, ENDED).serialize(format="nt") + "".join(verdict_lines(found, IRIS))


def _triples(store: Store) -> set[tuple]:
    return set(store.graph(IRIS.conflicts_graph))


def _one_shot(store: Store, text: str) -> set[tuple]:
    """What the write was before: the graph dropped and every line inserted at once."""
    store.apply(Changes(replace={IRIS.conflicts_graph: Triples(text, text.count("\n"))}))
    return _triples(store)


def _tamper(store: Store, found: list[Conflict]) -> None:
    """A stored graph unlike the new one: a verdict's triples gone, one changed, a
    verdict and a link the recompute no longer finds, and an old end time."""
    g = Graph()
    c0, c1 = IRIS.conflict(found[0].key), IRIS.conflict(found[1].key)
    stored = _triples(store)
    remove = Graph()
    for t in stored:
        if t[0] == c0 or (t[0] == c1 and t[1] == FG.explanation):
            remove.add(t)
    gone = URIRef(str(IRIS.conflict(found[0].key)) + "-gone")
    g.add((gone, RDF.type, FG.Conflict))
    g.add((gone, FG.ratio, Literal("2.50", datatype=Literal(1.5).datatype)))
    g.add((c1, FG.explanation, Literal("an old wording", lang="en")))
    g.add((URIRef(found[0].a), FG.conflictsWith, URIRef(found[2].b)))
    g.add((IRIS.activity("conflicts/1.0"), PROV.endedAtTime, Literal("2020-01-01T00:00:00Z")))
    store.apply(Changes(remove={IRIS.conflicts_graph: remove}, add={IRIS.conflicts_graph: g}))
    assert _triples(store) != stored


def _prepared(store: Store) -> tuple[list[Conflict], set[tuple]]:
    """The seed ingested (its conflicts written), and the one-shot write's graph."""
    ingest(store, [SEED], IRIS)
    found = refresh(store, IRIS)
    assert len(found) >= 3
    return found, _one_shot(store, _text(found))


@pytest.mark.parametrize("chunk", [200_000, 7])
def test_the_written_graph_equals_the_one_shot_write_on_every_backend(store, chunk):
    found, expected = _prepared(store)
    _tamper(store, found)
    removed, added = write_conflicts(store, IRIS, [_text(found)], Graph(), chunk=chunk)
    assert removed > 0 and added > 0
    assert _triples(store) == expected
    assert write_conflicts(store, IRIS, [_text(found)], Graph(), chunk=chunk) == (0, 0)  # nothing left to do


@pytest.mark.parametrize("chunk", [200_000, 7])
def test_a_new_graph_written_in_chunks_equals_the_one_shot_write(chunk):
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        store.drop_graph(IRIS.conflicts_graph)
        lines = _text(found).splitlines(keepends=True)
        # the text as it comes: one verdict's lines at a time, in pieces
        write_conflicts(
            store,
            IRIS,
            [lines[0], *("".join(lines[i : i + 3]) for i in range(1, len(lines), 3))],
            Graph(),
            chunk=chunk,
        )
        assert _triples(store) == expected


class Watched(EmbeddedStore):
    """Records the conflicts graph and whether it is flagged stale after every write."""

    def __init__(self) -> None:
        super().__init__(None)
        self.seen: list[tuple[frozenset, bool]] = []
        self.crash_at: int | None = None

    def apply(self, changes: Changes) -> None:
        self._watched(super().apply, changes)

    def add_unguarded(self, name: URIRef, lines) -> None:  # the bulk load
        self._watched(super().add_unguarded, name, lines)

    def _watched(self, write, *args) -> None:
        if self.crash_at is not None and len(self.seen) == self.crash_at:
            raise RuntimeError("killed")
        write(*args)
        self.seen.append((frozenset(_triples(self)), staleness.is_stale(self, IRIS)))


def _tampered_and_stale(store: Watched) -> tuple[list[Conflict], set[tuple], Graph]:
    """(the conflicts, the one-shot write's graph, the marks read) with a stored graph
    unlike the new one and flagged stale, no write watched yet."""
    found, expected = _prepared(store)
    _tamper(store, found)
    store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/test"))}))
    store.seen.clear()
    return found, expected, staleness.marks(store, IRIS)


def test_readers_see_the_old_graph_or_the_new_one_when_the_difference_fits():
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        old = _triples(store)
        write_conflicts(store, IRIS, [_text(found)], seen)
        assert [t for t, _ in store.seen] == [expected]  # one write: old, then new
        assert not staleness.is_stale(store, IRIS)
        assert old != expected


def test_in_chunks_every_half_written_graph_is_flagged_stale():
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        write_conflicts(store, IRIS, [_text(found)], seen, chunk=5)
        assert len(store.seen) >= 3  # removals, the bulk load of the additions, the marks
        assert all(stale for graph, stale in store.seen[:-1])
        assert store.seen[-1] == (expected, False)


def test_a_write_stopped_half_way_leaves_the_stale_mark_and_the_next_refresh_finishes_it():
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        store.crash_at = 1  # after the removals, before the additions
        with pytest.raises(RuntimeError, match="killed"):
            write_conflicts(store, IRIS, [_text(found)], seen, chunk=5)
        assert staleness.is_stale(store, IRIS)
        assert _triples(store) != expected
        store.crash_at = None
        assert ensure_current(store, IRIS)  # what the next ingest or `factgraph serve` does
        assert not staleness.is_stale(store, IRIS)
        ended = PROV.endedAtTime
        assert {t for t in _triples(store) if t[1] != ended} == {t for t in expected if t[1] != ended}


def test_additions_alone_are_one_bulk_load_then_the_marks_go(monkeypatch):
    """Nothing stored to remove (a new store, a batch of new articles' verdicts): the
    lines are bulk-loaded whole, the graph flagged stale until the marks are deleted
    after it; readers see no graph or the whole new one."""
    monkeypatch.setattr(conflict_store, "BULK_FROM", 1)
    with Watched() as store:
        found, expected = _prepared(store)
        store.drop_graph(IRIS.conflicts_graph)
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/test"))}))
        store.seen.clear()
        removed, added = write_conflicts(store, IRIS, [_text(found)], staleness.marks(store, IRIS))
        assert (removed, added) == (0, len(expected))
        assert store.seen == [(frozenset(expected), True), (frozenset(expected), False)]


def test_below_the_bulk_size_additions_and_marks_are_one_write(monkeypatch):
    monkeypatch.setattr(conflict_store, "BULK_FROM", 10**9)
    with Watched() as store:
        found, expected = _prepared(store)
        store.drop_graph(IRIS.conflicts_graph)
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/test"))}))
        store.seen.clear()
        write_conflicts(store, IRIS, [_text(found)], staleness.marks(store, IRIS))
        assert store.seen == [(frozenset(expected), False)]


def test_many_additions_with_removals_are_loaded_then_the_removals_and_marks_go(monkeypatch):
    """From BULK_FROM additions on, with lines to remove: the additions bulk-loaded (the
    graph then holds old and new lines, flagged stale), then the removals and the marks
    in one transaction."""
    monkeypatch.setattr(conflict_store, "BULK_FROM", 1)
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        old = _triples(store)
        removed, added = write_conflicts(store, IRIS, [_text(found)], seen)
        assert removed > 0 and added > 0
        assert len(store.seen) == 2
        (between, stale_between), (after, stale_after) = store.seen
        assert stale_between and between == frozenset(old | expected)
        assert after == frozenset(expected) and not stale_after


def test_the_verdict_lines_word_each_verdict_without_keeping_its_words():
    with EmbeddedStore(None) as store:
        ingest(store, [SEED], IRIS)
        found = refresh(store, IRIS)
    fresh = [Conflict(c.kind, c.severity, c.a, c.b, c.rule, c.ratio, c.gap, c.records, c.settings) for c in found]
    text = "".join(verdict_lines(fresh, IRIS))
    # a full recompute writes every verdict: their explanations are not kept on them
    assert not any("explanations" in c.__dict__ for c in fresh)
    for c in fresh:
        assert c.explanation_en and Literal(c.explanation_en, lang="en").n3() in text
        assert Literal(c.explanation_fr, lang="fr").n3() in text
    # asked for before, they are the ones written
    assert "".join(verdict_lines(fresh, IRIS)) == text
