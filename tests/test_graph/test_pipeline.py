"""The pipeline end to end: mapping (golden graph by isomorphism), the store
(persistence, idempotent re-ingest, on every backend), reasoning and validation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import RDF

from factgraph.graph.article import ArticleError, read_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import to_graph
from factgraph.graph.pipeline import builtin_corpus, extract_json, ingest
from factgraph.graph.reasoning import infer
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import FG, SCHEMA, Iris
from factgraph.graph.validation import ValidationError, validate
from factgraph.graph.vocabulary import vocabulary

GOLDEN = Path(__file__).parent / "golden"
IRIS = Iris("http://127.0.0.1:5000/")
SEED = builtin_corpus()[0]


def _written(folder: Path, texts: list[str]) -> list[Path]:
    """``texts`` as article files a0.txt, a1.txt... in ``folder``."""
    paths = []
    for i, text in enumerate(texts):
        p = folder / f"a{i}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def assert_isomorphic(expected: Graph, actual: Graph, canonical) -> None:
    a, b = to_isomorphic(canonical(expected)), to_isomorphic(canonical(actual))
    if a != b:
        _, missing, added = graph_diff(a, b)
        lines = [f"- {t}" for t in sorted(missing)][:20] + [f"+ {t}" for t in sorted(added)][:20]
        pytest.fail("graphs differ (- missing, + added):\n" + "\n".join(lines))


def test_seed_graph_matches_golden(canonical):
    """Set FACTGRAPH_REGEN_GOLDEN=1 to rewrite the golden file after a deliberate change."""
    g = to_graph(extract(read_article(SEED)), IRIS)
    golden = GOLDEN / "seed.ttl"
    if os.environ.get("FACTGRAPH_REGEN_GOLDEN"):
        golden.write_text(g.serialize(format="turtle"), encoding="utf-8")
    expected = Graph().parse(golden)
    assert_isomorphic(expected, g, canonical)


def test_mapping_is_deterministic(canonical):
    a = to_graph(extract(read_article(SEED)), IRIS)
    b = to_graph(extract(read_article(SEED)), IRIS)
    assert_isomorphic(a, b, canonical)


def test_seed_graph_conforms_and_a_broken_one_does_not():
    g = to_graph(extract(read_article(SEED)), IRIS)
    validate(g, vocabulary(IRIS), "seed")
    claim = next(g.subjects(RDF.type, FG.FigureClaim))
    g.remove((claim, FG.claimant, None))
    with pytest.raises(ValidationError, match="claimant"):
        validate(g, vocabulary(IRIS), "seed")


def test_inferred_triples_are_new_and_typed():
    g = to_graph(extract(read_article(SEED)), IRIS)
    inferred = infer(g)
    assert len(inferred) > 0
    assert not set(inferred) & set(g)
    claim = next(g.subjects(RDF.type, FG.FigureClaim))
    assert (claim, RDF.type, SCHEMA.Claim) in inferred


def _count(store, graph: URIRef) -> int:
    res = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {"g": graph})
    return sum(int(row[1]) for row in res)


def test_ingest_is_idempotent_on_every_backend(store):
    ingest(store, [SEED], IRIS)
    graph = IRIS.article_graph(read_article(SEED).id)
    first = _count(store, graph)
    ingest(store, [SEED], IRIS)
    assert _count(store, graph) == first > 100
    claims = store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a fg:FigureClaim }")
    assert int(next(iter(claims))[0]) == 10
    inferred = _count(store, IRIS.inferred_graph(read_article(SEED).id))
    assert inferred > 0
    conflicts = store.query("ASK { GRAPH ?g { ?c a fg:Conflict } }", {"g": IRIS.conflicts_graph})
    assert conflicts.askAnswer


def test_store_persists_across_reopen(tmp_path):
    path = tmp_path / "store"
    with EmbeddedStore(path) as s:
        ingest(s, [SEED], IRIS)
    with EmbeddedStore(path) as s:
        res = s.query("ASK { ?a a schema:NewsArticle }")
        assert res.askAnswer


def test_bad_input_leaves_the_store_unchanged(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("no header here", encoding="utf-8")
    with EmbeddedStore(tmp_path / "s") as s:
        ingest(s, [SEED], IRIS)
        before = len(s.graph_names())
        with pytest.raises(ArticleError, match="bad.txt: no date header"):
            ingest(s, [SEED, bad], IRIS)
        assert len(s.graph_names()) == before


def test_extract_json_contract():
    out = extract_json([SEED], IRIS)
    text = SEED.read_text(encoding="utf-8")
    assert len(out["claims"]) == 10
    for c in out["claims"]:
        assert text[c["start"]:c["end"]] == c["quote"]
        assert c["bound"] in {"exact", "at_least", "more_than", "about", "at_most", "less_than", "range", "vague"}
    by_value = {c["value"]: c for c in out["claims"] if not c["disputes"]}
    assert by_value[1302]["bound"] == "at_least" and by_value[1302]["confidence"] == "likely"
    assert by_value[3800]["place"][:1] == ["Syrie"]  # as the French article writes it
    assert by_value[7]["quantity"] == "reports_not_credible"
    pairs = {frozenset((c["a"], c["b"])) for c in out["conflicts"]}
    ids = {c["value"]: c["id"] for c in out["claims"] if c["quantity"] == "civilian_deaths" and not c["restates"] and not c["disputes"]}
    assert frozenset((ids[3800], ids[1302])) in pairs  # OSDH's Syria-only figure vs the coalition's
    assert all(c["explanation"] for c in out["conflicts"])


def test_no_triple_is_stored_in_two_graphs(seed_store):
    """The union default graph counts a triple once per graph holding it: COUNT(*), VoID's
    void:triples and the default-view dump would overstate. The vocabulary's terms, its
    closure and the software agent are described once, not again in each article's graphs."""
    twice = list(seed_store.query(
        "SELECT ?s ?p ?o ?g1 ?g2 WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } "
        "FILTER(STR(?g1) < STR(?g2)) } LIMIT 5"))
    assert twice == []


def test_articles_sharing_sources_and_places_store_each_triple_once(tmp_path):
    """Two articles naming the same new source and place: what is inferred about them (their
    classes) is stored once, in the lexicon's inferred graph, not in each article's."""
    from factgraph.graph.pipeline import ingest
    from factgraph.graph.store import EmbeddedStore

    texts = [" date 2021-03-04\nSelon la protection civile marocaine, au moins 1.250 personnes sont mortes "
             "dans le séisme au Maroc.\n",
             " date 2021-03-06\nLa protection civile marocaine a fait état de 2.100 morts au Maroc après le séisme.\n"]
    paths = _written(tmp_path, texts)
    with EmbeddedStore(None) as store:
        ingest(store, paths)
        twice = list(store.query(
            "SELECT ?s ?p ?o ?g1 ?g2 WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } "
            "FILTER(STR(?g1) < STR(?g2)) } LIMIT 5"))
        shared = list(store.query("SELECT ?s WHERE { GRAPH ?g { ?s a ?c } FILTER(STRENDS(STR(?g), 'lexicon-inferred')) } LIMIT 1"))
    assert twice == []
    assert shared  # the shared nodes' classes are there, once


def test_a_readers_bug_costs_one_article_not_the_batch(tmp_path, monkeypatch):
    """An unexpected error while reading one article (a bug, like the KeyError the fuzzer
    found) leaves that article out with one line; the others are stored. --strict stops."""
    import pytest

    from factgraph.graph import pipeline, preparation
    from factgraph.graph.article import ArticleError
    from factgraph.graph.store import EmbeddedStore

    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(" date 2021-03-04\nSelon la protection civile, 40 personnes sont mortes.\n", encoding="utf-8")
    bad.write_text(" date 2021-03-04\nSelon les pompiers, 12 personnes sont mortes.\n", encoding="utf-8")
    real = preparation.extract

    def extract(article):
        if article.file_name == "bad.txt":
            raise KeyError("percent")
        return real(article)

    monkeypatch.setattr(preparation, "extract", extract)
    with EmbeddedStore(None) as store:
        done = pipeline.ingest(store, [good, bad], strict=False)
        assert [x.article.file_name for x in done.extractions] == ["good.txt"]
        assert len(done.errors) == 1 and "bad.txt" in done.errors[0] and "KeyError" in done.errors[0]
        assert "\n" not in done.errors[0]
        with pytest.raises(ArticleError):
            pipeline.ingest(store, [good, bad], strict=True)


def test_the_claims_written_are_told_to_the_conflicts_refresh(tmp_path, monkeypatch):
    """A batch of new articles tells the conflicts refresh the claims it wrote (not read back:
    20 queries at 10,000 articles); they are the store's. A batch that replaces an article
    leaves them to be read from the store."""
    from factgraph.graph import conflict_update
    from factgraph.graph.conflict_store import article_claims

    texts = [" date 2021-03-04\nSelon la protection civile marocaine, au moins 1.250 personnes sont mortes "
             "dans le séisme au Maroc.\n",
             " date 2021-03-06\nLa protection civile marocaine a fait état de 2.100 morts au Maroc après le séisme. "
             "L'ONU parle de 1.900 morts.\n"]
    paths = _written(tmp_path, texts)
    told: list[conflict_update.Writes] = []
    real = conflict_update.refresh_after

    def refresh_after(store, iris, writes, settings=None):
        told.append(writes)
        return real(store, iris, writes, settings)

    monkeypatch.setattr(conflict_update, "refresh_after", refresh_after)
    with EmbeddedStore(None) as store:
        ingest(store, [SEED, *paths], IRIS)
        assert told[0].claims is not None and len(told[0].claims) >= 12
        assert told[0].claims == article_claims(store, told[0].articles)
        ingest(store, paths, IRIS)  # the same articles again: they replace the stored ones
        assert told[1].claims is None


_QUAKES = [f" date 2021-03-{d:02d}\nSelon la protection civile marocaine, au moins {n} personnes sont mortes "
           f"dans le séisme au Maroc.\n" for d, n in ((4, 1250), (5, 1600), (6, 2100), (7, 2400), (8, 2700))]


def _quads(store) -> tuple[set, int]:
    """The store's quads without blank nodes (and without the detection's end time), and
    how many quads have one (their labels differ from store to store)."""
    from rdflib import BNode

    rows = [tuple(r) for r in store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
    named = {r for r in rows if not any(isinstance(t, BNode) for t in r) and not str(r[1]).endswith("endedAtTime")}
    return named, sum(any(isinstance(t, BNode) for t in r) for r in rows)


def test_groups_loaded_beside_the_preparation_store_what_one_group_stores(tmp_path, monkeypatch):
    """New articles in many small groups, each loaded by the group thread while the next
    articles come (``pipeline._Group``), leave the store as one group written at the end."""
    import threading

    from factgraph.graph import pipeline

    paths = _written(tmp_path, _QUAKES)
    loads: list[str] = []
    real = EmbeddedStore.add_together

    def add_together(self, graphs):
        loads.append(threading.current_thread().name)
        real(self, graphs)

    monkeypatch.setattr(EmbeddedStore, "add_together", add_together)
    with EmbeddedStore(None) as one:
        monkeypatch.setattr(pipeline, "GROUP_QUADS", 10**9)
        monkeypatch.setattr(pipeline, "FIRST_GROUP_QUADS", 10**9)
        ingest(one, paths, IRIS)
        assert len(loads) == 1
        expected = _quads(one)
    loads.clear()
    with EmbeddedStore(None) as many:
        monkeypatch.setattr(pipeline, "GROUP_QUADS", 1)  # every article a group of its own
        ingest(many, paths, IRIS)
        assert len(loads) == len(paths)
        assert loads[0] == threading.main_thread().name  # the first, before any fork
        assert all(name.startswith("factgraph-group") for name in loads[1:])
        assert _quads(many) == expected
    assert not [t for t in threading.enumerate() if t.name.startswith("factgraph-group")]


def test_a_failed_group_load_fails_the_ingest_and_ends_the_thread(tmp_path, monkeypatch):
    import threading

    from factgraph.graph import pipeline
    from factgraph.graph.store import StoreError

    paths = _written(tmp_path, _QUAKES)
    real = EmbeddedStore.add_together
    calls = []

    def add_together(self, graphs):
        calls.append(1)
        if len(calls) == 3:
            raise StoreError("update: disk full")
        real(self, graphs)

    monkeypatch.setattr(EmbeddedStore, "add_together", add_together)
    monkeypatch.setattr(pipeline, "GROUP_QUADS", 1)
    with EmbeddedStore(None) as store:
        with pytest.raises(StoreError, match="disk full"):
            ingest(store, paths, IRIS)
    assert not [t for t in threading.enumerate() if t.name.startswith("factgraph-group")]


def test_groups_grow_to_the_bound_then_shrink_toward_the_end_of_the_batch():
    """The first group is FIRST_GROUP_QUADS, each next twice the last up to GROUP_QUADS,
    at most half of what the articles still to come should bring: what is left to load
    after the last article is about LAST_GROUP_QUADS, whatever the batch."""
    from factgraph.graph import pipeline
    from factgraph.graph.store import Triples

    class Counting:
        def __init__(self):
            self.loads: list[int] = []

        def add_together(self, graphs):
            self.loads.append(sum(t.count for _, t in graphs))

    for articles in (100, 1_000, 5_000):
        store = Counting()
        group = pipeline._Group(store, articles)  # type: ignore[arg-type]  # not embedded: loads in this thread
        for _ in range(articles):
            group.add([(URIRef("http://example.org/g"), Triples("", 500))])
        tail = group.quads
        group.write()
        assert sum(store.loads) == 500 * articles
        assert store.loads[0] == pipeline.FIRST_GROUP_QUADS
        assert max(store.loads) <= pipeline.GROUP_QUADS
        assert tail <= pipeline.LAST_GROUP_QUADS
        if articles == 5_000:  # a large batch: most of it in groups of the bound
            assert store.loads.count(pipeline.GROUP_QUADS) * pipeline.GROUP_QUADS >= 0.8 * 500 * articles


def test_a_batch_that_is_much_of_the_store_is_refreshed_in_full(tmp_path, monkeypatch, conflict_refreshes):
    """New claims more than MAX_SHARE of the store's (from MIN_WRITTEN on) are refreshed by
    a full recompute, cheaper then than the incremental refresh and equal to it; a batch
    small beside the store stays incremental."""
    from factgraph.graph import conflict_update
    from factgraph.graph.conflicts import refresh

    def folder(name: str) -> Path:
        (tmp_path / name).mkdir()
        return tmp_path / name

    monkeypatch.setattr(conflict_update, "MIN_WRITTEN", 2)
    monkeypatch.setattr(conflict_update, "MAX_SHARE", 1 / 2)
    with EmbeddedStore(None) as store:
        ingest(store, [SEED], IRIS)  # 10 claims
        ingest(store, _written(folder("small"), _QUAKES[:3]), IRIS)  # 3 claims: less than half
        assert conflict_refreshes.outcomes[-1].incremental
        monkeypatch.setattr(conflict_update, "MAX_SHARE", 1 / 100)
        ingest(store, _written(folder("large"), _QUAKES[3:]), IRIS)  # 2 claims: more than 1/100
        done = conflict_refreshes.outcomes[-1]
        assert not done.incremental
        assert sorted(c.key for c in done.conflicts) == sorted(c.key for c in refresh(store, IRIS))
