"""Incremental conflicts (graph/conflict_update.py): articles ingested one by one, each
ingest judging again only what its claims can meet, leave the conflicts graph that a full
recompute of the same store writes: with new articles, an article replaced under its own
file name, one replaced under another name with a claim fewer, on every backend."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import PROV, RDF

from factgraph.graph import conflict_store, conflict_update, staleness
from factgraph.graph.conflicts import ClaimRecord, Region, detect, detect_region, refresh
from factgraph.graph.pipeline import builtin_corpus, ensure_current, ingest
from factgraph.graph.store import Changes, EmbeddedStore, Store
from factgraph.graph.terms import FG, Iris

IRIS = Iris("http://127.0.0.1:5000/")

OSDH = "L'OSDH a recensé {syria} civils tués dans les frappes de la coalition en Syrie depuis 2014."
RAQQA = "Dans la province de Raqqa, l'OSDH a compté 2900 civils tués depuis 2014."
HRW = "Human Rights Watch a recensé 600 civils tués à Raqqa depuis 2014."
ARTICLES = {
    "osdh.txt": ("2019-05-10", "https://example.org/osdh-syrie", [OSDH.format(syria=3800), RAQQA]),
    "aveu.txt": (
        "2019-06-02",
        "https://example.org/coalition-aveu",
        [
            "La coalition a reconnu la mort de 1302 civils dans ses frappes en Syrie et en Irak depuis 2014.",
            "Selon Airwars, au moins 8000 civils ont été tués en Syrie et en Irak depuis 2014.",
        ],
    ),
    "plus.txt": (
        "2019-06-20",
        "https://example.org/osdh-plus",
        ["Selon l'OSDH, plus de 4000 civils ont été tués par la coalition en Syrie depuis 2014."],
    ),
}


def _write(folder: Path, name: str, date: str, url: str, sentences: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(f" date {date}\nurl: {url}\n\n{' '.join(sentences)}\n", encoding="utf-8")
    return p


def _conflicts(store: Store) -> set:
    """The conflicts graph but for the detection's end time."""
    return {t for t in store.graph(IRIS.conflicts_graph) if t[1] != PROV.endedAtTime}


def test_articles_ingested_one_by_one_give_the_conflicts_of_a_full_recompute(
    store, tmp_path, conflict_refreshes
):
    full, outcomes = conflict_refreshes.full, conflict_refreshes.outcomes
    paths = [*builtin_corpus(), *(_write(tmp_path / "v1", n, *spec) for n, spec in ARTICLES.items())]
    date, url, _ = ARTICLES["osdh.txt"]
    # the same article (its url) again under its own file name: a figure changed, a claim added
    paths.append(_write(tmp_path / "v2", "osdh.txt", date, url, [OSDH.format(syria=3100), RAQQA, HRW]))
    # and under another file name without its Raqqa claim: that claim is removed
    paths.append(_write(tmp_path / "v3", "osdh-bis.txt", date, url, [OSDH.format(syria=3100), HRW]))
    steps = []
    for p in paths:
        ingest(store, [p], IRIS)
        assert not staleness.is_stale(store, IRIS)
        steps.append(_conflicts(store))
    assert len(full) == 1  # the first ingest (no conflicts graph yet); every other one incremental
    assert sum(o.windowed for o in outcomes) >= len(paths) - 2  # around the claims' periods, not whole groups
    assert len({frozenset(s) for s in steps}) >= 4  # the articles changed the verdicts on the way
    incremental = steps[-1]
    refresh(store, IRIS)
    assert _conflicts(store) == incremental
    g = Graph()
    for t in incremental:
        g.add(t)
    kinds = {g.value(c, FG.conflictKind) for c in g.subjects(RDF.type, FG.Conflict)}
    assert len(kinds) >= 2  # the test articles make conflicts of their own, not only the seed's


def test_marks_of_another_run_make_the_refresh_a_full_one():
    """A mark the run did not write (an ingest stopped before its conflicts, another
    writer) may stand for any change: the refresh recomputes the whole store."""
    with EmbeddedStore(None) as store:
        ingest(store, builtin_corpus(), IRIS)
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/stopped"))}))
        before = _conflicts(store)
        writes = conflict_update.Writes(IRIS.activity("ingest/this-run"))
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, writes.activity)}))
        done = conflict_update.refresh_after(store, IRIS, writes)
        assert not done.incremental and len(done.conflicts) > 0
        assert not staleness.is_stale(store, IRIS)
        assert _conflicts(store) == before


def _record(
    i: int, claimant: str, value: float, places: tuple[str, ...], end: str, kind: str = "deaths"
) -> ClaimRecord:
    return ClaimRecord.make(
        f"claim/a{i}/{i}", claimant, kind, value, places=places, period_start="2014-08-01", period_end=end
    )


def test_detect_region_equals_detect_on_the_claims_it_judges():
    """The detector alone: the verdicts on the claims of the touched groups (and those they
    enclose) are those of a full detection, the others are not computed."""
    part_of = {"town": {"province", "country"}, "province": {"country"}, "elsewhere": set()}
    kinds = {"child_deaths": {"deaths"}, "deaths": set()}
    records = [
        _record(1, "osdh", 3800, ("country",), "2019-05-10"),
        _record(2, "coalition", 1302, ("country",), "2019-06-02"),
        _record(3, "osdh", 2900, ("province",), "2019-05-10"),
        _record(4, "hrw", 600, ("town",), "2019-05-10"),
        _record(5, "un", 90, ("town",), "2019-05-12", "child_deaths"),
        _record(6, "osdh", 10, ("elsewhere",), "2019-05-10"),
        _record(7, "un", 40, ("elsewhere",), "2019-05-10"),
    ]
    whole = detect(records, part_of, kinds)
    touched = [records[2]]  # the province's claim: the province, the town inside it, not the country
    region = Region(touched, {records[2].article}, whole_groups=True)
    found, reach = detect_region(records, region, part_of, kinds)
    assert reach is not None and reach.claims == {"claim/a3/3", "claim/a4/4", "claim/a5/5"}
    assert found == [c for c in whole if reach.covers(c.a, c.b)]
    assert any(not reach.covers(c.a, c.b) for c in whole)  # elsewhere: not judged again
    found, reach = detect_region(records, Region(touched, {records[2].article}), part_of, kinds)
    assert reach is not None and "claim/a3/3" in reach.claims
    assert found == [c for c in whole if reach.covers(c.a, c.b)]


def test_the_conflicts_graph_text_keeps_every_character_of_the_explanations():
    """The conflicts graph is written as N-Triples text: quotes, backslashes and line
    breaks in a source's name survive, as the explanations say them."""
    from factgraph.graph.conflicts import to_graph

    odd = 'Le "Réseau"\\syrien\ndes droits'
    records = [
        ClaimRecord.make(
            "http://127.0.0.1:5000/claim/a1/1",
            "http://127.0.0.1:5000/agent/odd",
            "deaths",
            100,
            claimant_label=odd,
            period_end="2019-05-10",
        ),
        ClaimRecord.make(
            "http://127.0.0.1:5000/claim/a2/2",
            "http://127.0.0.1:5000/agent/osdh",
            "deaths",
            900,
            period_end="2019-05-10",
        ),
    ]
    found = detect(records, {}, {"deaths": set()})
    assert found
    g = to_graph(found, IRIS)
    texts = {str(o) for o in g.objects(None, FG.explanation)}
    assert {c.explanation_en for c in found} <= texts
    assert any(odd in t for t in texts)


def test_an_article_naming_what_the_store_names_already_is_refreshed_incrementally(
    tmp_path, conflict_refreshes
):
    """An article's lexicon entries that the store holds already (here a kind's notation,
    a plain literal the store gives back as xsd:string) change no stored claim's reading:
    the refresh stays incremental (it was a full recompute for every such article)."""
    sentences = [  # a kind the vocabulary does not know: the article adds its notation
        "Selon les chiffres de Pôle emploi, il y a eu 6 089 300 inscrits en catégorie A, B et C fin 2020, "
        "contre 5 871 200 aujourd'hui."
    ]
    first = _write(tmp_path / "a", "inscrits.txt", "2021-05-10", "https://example.org/inscrits-1", sentences)
    again = _write(tmp_path / "b", "inscrits.txt", "2021-05-10", "https://example.org/inscrits-2", sentences)
    with EmbeddedStore(None) as store:
        ingest(store, [*builtin_corpus(), first], IRIS)
        # what the second article's lexicon entries say is stored already
        assert conflict_update.vocabulary_triples(store.graph(IRIS.lexicon_graph))
        before = len(conflict_refreshes.full)
        ingest(store, [again], IRIS)
        assert len(conflict_refreshes.full) == before and conflict_refreshes.outcomes[-1].incremental
        incremental = _conflicts(store)
        refresh(store, IRIS)
        assert _conflicts(store) == incremental


def test_a_large_batch_is_written_in_steps_equal_to_a_full_recompute(
    store, tmp_path, monkeypatch, conflict_refreshes
):
    """More articles than an incremental refresh takes, with a difference larger than one
    transaction may hold: the full recompute's difference is written in pieces, the
    additions in bulk (``conflict_store.write_conflicts``), and equals a one-shot one."""
    monkeypatch.setattr(conflict_update, "MAX_ARTICLES", 2)
    monkeypatch.setattr(conflict_store.write_conflicts, "__defaults__", (7, None, None))
    paths = [*builtin_corpus(), *(_write(tmp_path, n, *spec) for n, spec in ARTICLES.items())]
    done = ingest(store, paths, IRIS)
    assert not staleness.is_stale(store, IRIS)
    assert conflict_refreshes.full == [1] and not conflict_refreshes.outcomes[-1].incremental
    written = _conflicts(store)
    assert {c for c in done.conflicts if c.is_conflict}
    monkeypatch.undo()
    store.drop_graph(IRIS.conflicts_graph)
    refresh(store, IRIS)
    assert _conflicts(store) == written


def test_a_recompute_stopped_midway_leaves_the_conflicts_flagged_stale(tmp_path, monkeypatch):
    """Killed while the verdicts are loaded in bulk (here: the load fails after part of
    them), the store keeps the marks: the conflicts are flagged stale, and the next
    recompute gives the verdicts of a whole one."""
    paths = [*builtin_corpus(), *(_write(tmp_path, n, *spec) for n, spec in ARTICLES.items())]
    with EmbeddedStore(None) as store:
        ingest(store, paths, IRIS)
        current = _conflicts(store)
        load = EmbeddedStore.add_unguarded

        def part(self, name, lines):
            text = lines.read_text(encoding="utf-8") if isinstance(lines, Path) else "".join(lines)
            load(self, name, text.splitlines(keepends=True)[:10])
            raise OSError("killed")

        monkeypatch.setattr(EmbeddedStore, "add_unguarded", part)
        monkeypatch.setattr(conflict_store.write_conflicts, "__defaults__", (7, None, None))
        store.drop_graph(IRIS.conflicts_graph)
        store.apply(Changes(add={IRIS.status_graph: staleness.mark(IRIS, IRIS.activity("ingest/stopped"))}))
        try:
            refresh(store, IRIS)
        except OSError:
            pass
        assert staleness.is_stale(store, IRIS)
        assert 0 < len(_conflicts(store)) < len(current)
        monkeypatch.undo()
        assert ensure_current(store, IRIS)
        assert _conflicts(store) == current



def test_the_term_triples_query_reads_every_vocabulary_predicate(query_iris):
    # the query filters the predicates in the engine: one added to VOCABULARY_PREDICATES
    # and not to the query would never count as a vocabulary change
    text = conflict_store._stored_query("term_triples")
    assert query_iris(text) == set(conflict_update.VOCABULARY_PREDICATES)
