"""The full recompute's write: only the difference with the stored conflicts graph is
written, in one transaction when it fits in a chunk, in chunks otherwise; the graph it
leaves equals the one-shot write (drop the graph, insert every line), readers see the
old graph or the new one when the difference fits, and a run stopped half way leaves the
stale mark. Two ways of finding the difference: verdict by verdict, by their digests
(``conflict_store.write_conflicts``: whatever an earlier detection wrote), and line by
line (``write_lines``, what it falls back to: whatever the stored graph holds)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from factgraph.graph import conflict_store, forked, staleness
from factgraph.graph.conflict_store import detection_graph, verdict_lines, write_conflicts, write_lines
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
def test_the_graph_written_line_by_line_equals_the_one_shot_write_on_every_backend(store, chunk):
    found, expected = _prepared(store)
    _tamper(store, found)
    removed, added = write_lines(store, IRIS, [_text(found)], Graph(), chunk=chunk)
    assert removed > 0 and added > 0
    assert _triples(store) == expected
    assert write_lines(store, IRIS, [_text(found)], Graph(), chunk=chunk) == (0, 0)  # nothing left to do


@pytest.mark.parametrize("chunk", [200_000, 7])
def test_a_new_graph_written_in_chunks_equals_the_one_shot_write(chunk):
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        store.drop_graph(IRIS.conflicts_graph)
        lines = _text(found).splitlines(keepends=True)
        # the text as it comes: one verdict's lines at a time, in pieces
        write_lines(
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

    def update(self, sparql: str) -> None:
        self._watched(super().update, sparql)

    def _watched(self, write, *args) -> None:
        if getattr(self, "_inside", False):  # a write made of another (``apply`` is an update)
            write(*args)
            return
        if self.crash_at is not None and len(self.seen) == self.crash_at:
            raise RuntimeError("killed")
        self._inside = True
        try:
            write(*args)
        finally:
            self._inside = False
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
        write_lines(store, IRIS, [_text(found)], seen)
        assert [t for t, _ in store.seen] == [expected]  # one write: old, then new
        assert not staleness.is_stale(store, IRIS)
        assert old != expected


def test_in_chunks_every_half_written_graph_is_flagged_stale():
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        write_lines(store, IRIS, [_text(found)], seen, chunk=5)
        assert len(store.seen) >= 3  # removals, the bulk load of the additions, the marks
        assert all(stale for graph, stale in store.seen[:-1])
        assert store.seen[-1] == (expected, False)


def test_a_write_stopped_half_way_leaves_the_stale_mark_and_the_next_refresh_finishes_it():
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        store.crash_at = 1  # after the removals, before the additions
        with pytest.raises(RuntimeError, match="killed"):
            write_lines(store, IRIS, [_text(found)], seen, chunk=5)
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
        removed, added = write_lines(store, IRIS, [_text(found)], staleness.marks(store, IRIS))
        assert (removed, added) == (0, len(expected))
        assert store.seen == [(frozenset(expected), True), (frozenset(expected), False)]


def test_below_the_bulk_size_additions_and_marks_are_one_write(monkeypatch):
    monkeypatch.setattr(conflict_store, "BULK_FROM", 10**9)
    with Watched() as store:
        found, expected = _prepared(store)
        store.drop_graph(IRIS.conflicts_graph)
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/test"))}))
        store.seen.clear()
        write_lines(store, IRIS, [_text(found)], staleness.marks(store, IRIS))
        assert store.seen == [(frozenset(expected), False)]


def test_many_additions_with_removals_are_loaded_then_the_removals_and_marks_go(monkeypatch):
    """From BULK_FROM additions on, with lines to remove: the additions bulk-loaded (the
    graph then holds old and new lines, flagged stale), then the removals and the marks
    in one transaction."""
    monkeypatch.setattr(conflict_store, "BULK_FROM", 1)
    with Watched() as store:
        found, expected, seen = _tampered_and_stale(store)
        old = _triples(store)
        removed, added = write_lines(store, IRIS, [_text(found)], seen)
        assert removed > 0 and added > 0
        assert len(store.seen) == 2
        (between, stale_between), (after, stale_after) = store.seen
        assert stale_between and between == frozenset(old | expected)
        assert after == frozenset(expected) and not stale_after


def test_the_verdict_lines_word_each_verdict_without_keeping_its_words():
    with EmbeddedStore(None) as store:
        ingest(store, [SEED], IRIS)
        found = refresh(store, IRIS)
    fresh = [
        Conflict(c.kind, c.severity, c.a, c.b, c.rule, c.ratio, c.gap, c.records, c.settings) for c in found
    ]
    text = "".join(verdict_lines(fresh, IRIS))
    # a full recompute writes every verdict: their explanations are not kept on them
    assert not any(getattr(c, "words", None) for c in fresh)
    for c in fresh:
        assert c.explanation_en and Literal(c.explanation_en, lang="en").n3() in text
        assert Literal(c.explanation_fr, lang="fr").n3() in text
    # asked for before, they are the ones written
    assert "".join(verdict_lines(fresh, IRIS)) == text


# -- verdict by verdict: the digests -------------------------------------------------------


def _other_kind(c: Conflict) -> str:
    return "tension" if c.kind != "tension" else "contradiction"


def _earlier(found: list[Conflict]) -> list[Conflict]:
    """What an earlier detection found: the first verdict with another ratio (the same
    IRI, another digest), the second not yet found, and two it no longer finds: one on
    the second's pair (its fg:conflictsWith links stay) and one on a pair no verdict
    found links (they go)."""
    first, second, third = found[:3]
    ratio = (first.ratio or 1.0) + 1.5
    assert first.is_conflict and second.is_conflict
    return [
        replace(first, ratio=ratio),
        *found[2:],
        replace(second, kind=_other_kind(second)),
        replace(third, kind="contradiction", b=first.a if third.a != first.a else first.b),
    ]


def _stored_as(store: Store, verdicts: list[Conflict]) -> set[tuple]:
    return _one_shot(store, _text(verdicts))


def _earlier_and_stale(store: Watched) -> tuple[list[Conflict], set[tuple], Graph]:
    """(the conflicts, the one-shot write's graph, the marks read) with the graph an
    earlier detection wrote (``_earlier``) stored and flagged stale, no write watched yet."""
    found, expected = _prepared(store)
    _stored_as(store, _earlier(found))
    store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/test"))}))
    store.seen.clear()
    return found, expected, staleness.marks(store, IRIS)


def _without_end(triples) -> set[tuple]:
    return {t for t in triples if t[1] != PROV.endedAtTime}


@pytest.mark.parametrize("chunk,forked", [(200_000, False), (7, False), (200_000, True)])
def test_the_graph_written_verdict_by_verdict_equals_the_one_shot_write_on_every_backend(
    store, chunk, forked, monkeypatch
):
    children = []
    if forked:  # the later half of the verdicts worded and compared by a forked child
        monkeypatch.setattr(conflict_store, "PARALLEL_DIGESTS_FROM", 0)
        monkeypatch.setattr(conflict_store, "can_fork", lambda: True)  # whatever threads earlier tests left
        real = conflict_store.Child
        monkeypatch.setattr(conflict_store, "Child", lambda work: children.append(1) or real(work))
    found, expected = _prepared(store)
    before = _stored_as(store, _earlier(found))
    assert before != expected
    gone_pair = tuple(sorted((found[2].a, found[0].a if found[2].a != found[0].a else found[0].b)))
    assert (URIRef(gone_pair[0]), FG.conflictsWith, URIRef(gone_pair[1])) in before
    children.clear()
    removed, added = write_conflicts(store, IRIS, found, Graph(), chunk=chunk, ended=ENDED)
    assert (removed, added) == (3, 2)  # the first rewritten, the second written, two gone
    assert _triples(store) == expected
    assert write_conflicts(store, IRIS, found, Graph(), chunk=chunk, ended=ENDED) == (0, 0)
    assert _triples(store) == expected
    assert len(children) == (2 if forked else 0)


def test_verdicts_that_carry_their_digests_are_compared_without_a_child(monkeypatch):
    """A full recompute's detection works out each verdict's digest in the process that
    made it (``detect``'s ``digest``): the write compares them as they are, forking no
    child for them, and writes what it writes without them."""
    monkeypatch.setattr(conflict_store, "PARALLEL_DIGESTS_FROM", 0)
    monkeypatch.setattr(conflict_store, "can_fork", lambda: True)

    def no_child(work):
        raise AssertionError("a child forked for digests the verdicts carry")

    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        _stored_as(store, _earlier(found))
        digest = conflict_store.VerdictDigest(IRIS)
        carried = [replace(c) for c in found]
        for c in carried:
            object.__setattr__(c, "digest", digest(c))
        monkeypatch.setattr(conflict_store, "Child", no_child)
        assert write_conflicts(store, IRIS, carried, Graph(), ended=ENDED) == (3, 2)
        assert _triples(store) == expected
        assert write_conflicts(store, IRIS, carried, Graph(), ended=ENDED) == (0, 0)


def test_each_verdict_carries_the_digest_of_its_lines():
    """A digest a verdict, 15 characters (a literal Oxigraph keeps within its index), that
    names its verdict: read alone, each stored digest leads back to one verdict found."""
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        digests = conflict_store.stored_digests(store, IRIS.conflicts_graph)
        assert len(digests) == len(found) and {len(d) for d in digests} == {15}
        verdicts = conflict_store.verdicts_of_digests(store, IRIS.conflicts_graph, digests)
        assert sorted(verdicts.values()) == sorted(str(IRIS.conflict(c.key)) for c in found)
        digest_of = {verdict: digest for digest, verdict in verdicts.items()}
        moved = replace(found[0], ratio=(found[0].ratio or 1.0) * 3)
        ((_, _, digest, text),) = conflict_store.verdict_blocks([moved], IRIS)
        assert digest != digest_of[str(IRIS.conflict(found[0].key))]
        assert text.endswith(f'<{FG.verdictDigest}> "{digest}" .\n')


def test_a_graph_without_digests_is_compared_line_by_line(monkeypatch):
    """A graph an older factgraph wrote (no digest) is written as the line-by-line write
    would: equal to the one-shot write, and verdict by verdict from then on."""
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        old = "".join(
            line for line in _text(_earlier(found)).splitlines(True) if str(FG.verdictDigest) not in line
        )
        _one_shot(store, old)
        by_lines = []
        monkeypatch.setattr(
            conflict_store, "write_lines", lambda *a, **k: by_lines.append(1) or write_lines(*a, **k)
        )
        write_conflicts(store, IRIS, found, Graph(), ended=ENDED)
        assert by_lines == [1] and _triples(store) == expected
        assert write_conflicts(store, IRIS, found, Graph(), ended=ENDED) == (0, 0)
        assert by_lines == [1]


def _known(store: Store) -> conflict_store.StoredVerdicts:
    """The stored verdicts as a full recompute reads them beside the records: with the
    graph's size counted before the write."""
    graph = IRIS.conflicts_graph
    size = len(list(store.graph(graph)))
    return conflict_store.StoredVerdicts(
        conflict_store.stored_digests(store, graph), conflict_store.verdict_count(store, graph), size
    )


@pytest.mark.parametrize("counted_before", [False, True])
@pytest.mark.parametrize(
    "extra",
    ["link", "triple", None],
)
def test_triples_no_digest_accounts_for_are_found_by_the_count_and_removed(extra, counted_before, monkeypatch):
    """A triple the verdicts' digests do not cover (a link left by a removal stopped half
    way, a triple written by hand): the graph then holds more triples than written, and
    the write compares it line by line. Counted before the write (beside the records'
    read), the graph is not counted again when only the activity is written."""
    counted = []
    real = conflict_store._count
    monkeypatch.setattr(conflict_store, "_count", lambda s, name, g: counted.append(name) or real(s, name, g))
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        g = Graph()
        if extra == "link":
            g.add((URIRef(found[0].a), FG.conflictsWith, URIRef(found[2].b + "-other")))
        elif extra == "triple":
            g.add((IRIS.conflict(found[1].key), FG.explanation, Literal("an old wording", lang="en")))
        store.apply(Changes(add={IRIS.conflicts_graph: g}))
        known = _known(store) if counted_before else None
        counted.clear()
        assert write_conflicts(store, IRIS, found, Graph(), ended=ENDED, known=known) == (0, 0)  # no digest differs
        assert _triples(store) == expected
        assert ("graph_size" in counted) == (not counted_before)


def test_verdict_by_verdict_readers_see_the_old_graph_or_the_new_one_when_the_difference_fits():
    with Watched() as store:
        found, expected, seen = _earlier_and_stale(store)
        old = _triples(store)
        write_conflicts(store, IRIS, found, seen, ended=ENDED)
        assert [t for t, _ in store.seen] == [expected]  # one write: old, then new
        assert not staleness.is_stale(store, IRIS)
        assert old != expected


def test_verdict_by_verdict_in_steps_every_half_written_graph_is_flagged_stale(monkeypatch):
    monkeypatch.setattr(conflict_store, "BULK_FROM", 1)
    monkeypatch.setattr(conflict_store, "CHUNK", 1)
    with Watched() as store:
        found, expected, seen = _earlier_and_stale(store)
        write_conflicts(store, IRIS, found, seen, ended=ENDED)
        # three verdicts deleted one an update, the new lines loaded, the activity and the marks
        assert len(store.seen) == 5
        assert all(stale for _, stale in store.seen[:-1])
        assert store.seen[-1] == (expected, False)


@pytest.mark.parametrize("crash_at", [1, 3, 4])
def test_verdict_by_verdict_a_write_stopped_half_way_is_finished_by_the_next_refresh(monkeypatch, crash_at):
    monkeypatch.setattr(conflict_store, "BULK_FROM", 1)
    monkeypatch.setattr(conflict_store, "CHUNK", 1)
    with Watched() as store:
        found, expected, seen = _earlier_and_stale(store)
        store.crash_at = crash_at
        with pytest.raises(RuntimeError, match="killed"):
            write_conflicts(store, IRIS, found, seen, ended=ENDED)
        assert staleness.is_stale(store, IRIS)
        if crash_at < 4:  # (at 4 every verdict is written: only the marks' deletion is left)
            assert _triples(store) != expected
        store.crash_at = None
        assert ensure_current(store, IRIS)
        assert not staleness.is_stale(store, IRIS)
        assert _without_end(_triples(store)) == _without_end(expected)


def test_a_load_stopped_within_a_verdict_is_seen_by_the_next_write(monkeypatch):
    """The bulk load stopped after part of the new lines: a verdict typed without its
    digest (the last of its lines) is compared line by line the next time."""
    monkeypatch.setattr(conflict_store, "BULK_FROM", 1)
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        store.drop_graph(IRIS.conflicts_graph)
        load = EmbeddedStore.add_unguarded

        def part(self, name, lines):
            text = "".join(lines)
            load(self, name, text.splitlines(keepends=True)[:5])
            raise OSError("killed")

        monkeypatch.setattr(EmbeddedStore, "add_unguarded", part)
        with pytest.raises(OSError):
            write_conflicts(store, IRIS, found, Graph(), ended=ENDED)
        monkeypatch.undo()
        assert 0 < len(_triples(store)) < len(expected)
        write_conflicts(store, IRIS, found, Graph(), ended=ENDED)
        assert _triples(store) == expected


def test_the_size_of_a_verdict_is_told_without_wording_it():
    with EmbeddedStore(None) as store:
        found, _ = _prepared(store)
    variants = [*found, *(replace(c, ratio=None, gap=None, severity="") for c in found)]
    for c, _, _, text in conflict_store.verdict_blocks(variants, IRIS):
        assert conflict_store.verdict_size(c) == text.count("\n") - (2 if c.is_conflict else 0)


def test_a_child_wording_verdicts_that_fails_has_its_half_worded_here(monkeypatch):
    monkeypatch.setattr(conflict_store, "PARALLEL_DIGESTS_FROM", 0)
    monkeypatch.setattr(conflict_store, "can_fork", lambda: True)
    monkeypatch.setattr(forked, "READY_WAIT", 0.2)
    real = conflict_store.Child
    monkeypatch.setattr(
        conflict_store, "Child", lambda work: real(lambda send, ready: (_ for _ in ()).throw(OSError("killed")))
    )
    with EmbeddedStore(None) as store:
        found, expected = _prepared(store)
        _stored_as(store, _earlier(found))
        assert write_conflicts(store, IRIS, found, Graph(), ended=ENDED) == (3, 2)
        assert _triples(store) == expected
