"""Every stored query parses at load, runs on the built graph, and is served at /queries,
on every store backend (``store_with`` and ``seed_store`` in ``conftest.py``)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from factgraph.graph.catalogue import Catalogue, CatalogueError, ParamError, parse_stored_query
from factgraph.graph.paging import article_graphs, page_by_graph
from factgraph.server.app import create_app

FACTS = Path(__file__).parent / "data" / "facts.trig"
B = "http://127.0.0.1:5000/"

# name -> (parameter values, rows expected on facts.trig)
LIBRARY = {
    "claims_by_source": ({"source": f"{B}agent/coalition"}, 2),
    "claims_by_quantity": ({"kind": "fgq:civilian_deaths"}, 3),
    "claims_by_place": ({"place": f"{B}place/syria"}, 3),  # Raqqa is inside Syria
    "figures_over_time": ({"source": f"{B}agent/coalition", "kind": "fgq:civilian_deaths"}, 2),
    "claims_by_confidence": ({"confidence": "fgc:likely"}, 1),
    "unreliable_reports": ({}, 1),
    "conflicts_by_kind": ({"kind": "fgk:tension"}, 1),
    "claim_provenance": ({"claim": f"{B}claim/a/10"}, 1),
    "conflicts_status": ({}, 0),  # no stale mark: the conflicts are current
}


@pytest.fixture(scope="module")
def facts_store(store_with):
    """``data/facts.trig`` on each backend (read-only)."""
    return store_with(FACTS)


@pytest.fixture(scope="module")
def seed_graph_store(seed_store):
    """The built-in corpus through the real pipeline, on each backend."""
    return seed_store


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.load()


def test_library_is_complete(catalogue):
    assert sorted(q.name for q in catalogue.library()) == sorted(LIBRARY)


def test_every_query_in_queries_parses(catalogue):
    assert len(catalogue) >= len(LIBRARY)  # the pages' and exports' queries load too
    assert {q.form for q in catalogue.values()} <= {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_stored_query_on_the_fixture(catalogue, facts_store, name):
    values, expected = LIBRARY[name]
    assert len(list(catalogue[name].run(facts_store, values))) == expected


def test_claims_by_place_includes_contained_places(catalogue, facts_store):
    rows = catalogue["claims_by_place"].run(facts_store, {"place": f"{B}place/raqqa-province"})
    assert {str(r.claim) for r in rows} == {f"{B}claim/a/90"}


def test_figures_over_time_are_in_date_order(catalogue, facts_store):
    rows = list(catalogue["figures_over_time"].run(facts_store, LIBRARY["figures_over_time"][0]))
    assert [int(r.value) for r in rows] == [1300, 1302]


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_stored_query_on_the_seed_graph(catalogue, seed_graph_store, name):
    values, _ = LIBRARY[name]
    seed = {k: v.replace("claim/a/10", "claim/000_3251fe7ca3d44669-38e6e6bba5fe/891") for k, v in values.items()}
    rows = list(catalogue[name].run(seed_graph_store, seed))
    if name == "conflicts_status":  # a finished ingest leaves no stale mark
        assert rows == []
    elif name != "conflicts_by_kind":  # conflicts depend on which kinds the seed article yields
        assert rows, f"{name} found nothing in the seed graph"
    # a claim is one row, not one per language of its label (the seed's labels are in en and fr)
    claims = [r.asdict()["claim"] for r in rows if "claim" in r.asdict()]
    assert len(claims) == len(set(claims)), f"{name} repeats claims"


@pytest.fixture(scope="module")
def three_articles_store(store_with, tmp_path_factory):
    """``facts.trig`` with its article graph copied twice under other IRIs (articles b and
    c, the same claims): three article graphs to page through, on each backend."""
    text = FACTS.read_text(encoding="utf-8")
    article = text[text.index("<graph/article/a> {"):text.index("<graph/conflicts> {")]
    copies = [article.replace("/a>", f"/{x}>").replace("/a/", f"/{x}/").replace('"a.txt"', f'"{x}.txt"')
              for x in ("b", "c")]
    path = tmp_path_factory.mktemp("paged") / "three.trig"
    path.write_text(text + "\n".join(copies), encoding="utf-8")
    return store_with(path)


def _page_through(store, query, values, want, union=None):
    """Every row of every page of ``query``, and the number of pages; each chunk of graphs
    bound as the query's header says (``union`` None) or as ``union`` says."""
    union = query.graphs == "union" if union is None else union
    graphs = article_graphs(store)
    rows, after, pages = [], "", 0
    while True:
        page = page_by_graph(store, query.text, query.paged, query.bindings(values), graphs, after, want, union)
        rows += [tuple(row) for row in page.rows]
        pages += 1
        if page.next_after is None:
            return rows, pages
        assert page.next_after > after, "a page must move forward"
        after = page.next_after


PAGED = sorted(name for name in LIBRARY if name not in ("claim_provenance", "conflicts_status"))


def test_the_library_is_paged_or_bounded(catalogue):
    # the two left whole are bounded by what they are: one claim's provenance, the stale marks
    assert sorted(q.name for q in catalogue.library() if q.paged) == PAGED


@pytest.mark.parametrize("union", [True, False], ids=["union", "values"])
@pytest.mark.parametrize("name", PAGED)
def test_the_pages_together_are_the_whole_result(catalogue, three_articles_store, name, union):
    # whichever way a chunk of graphs is bound (a UNION of GRAPH patterns or a VALUES block)
    query = catalogue[name]
    values, expected = LIBRARY[name]
    whole = [tuple(row) for row in query.run(three_articles_store, values)]
    rows, pages = _page_through(three_articles_store, query, values, want=1, union=union)
    assert Counter(rows) == Counter(whole)
    if name != "conflicts_by_kind":  # the conflict's claims are in article a only
        assert len(whole) == 3 * expected and pages == 3, "one page per article"


@pytest.mark.parametrize("name", PAGED)
def test_the_pages_together_are_the_whole_result_on_the_seed(catalogue, seed_graph_store, name):
    query = catalogue[name]
    values = {k: v.replace("claim/a/10", "claim/000_3251fe7ca3d44669-38e6e6bba5fe/891") for k, v in LIBRARY[name][0].items()}
    rows, _ = _page_through(seed_graph_store, query, values, want=1)
    assert Counter(rows) == Counter(tuple(row) for row in query.run(seed_graph_store, values))


def test_values_are_bindings_not_text(catalogue, facts_store):
    hostile = f'{B}agent/coalition> }} UNION {{ ?claim ?p ?o'
    with pytest.raises(ParamError):
        catalogue["claims_by_source"].bindings({"source": hostile})
    with pytest.raises(ParamError):
        catalogue["claims_by_confidence"].bindings({"confidence": 'fgc:likely" . ?s ?p ?o'})
    rows = catalogue["claims_by_source"].run(facts_store, {"source": f"<{B}agent/osdh>"})
    assert [str(r.claim) for r in rows] == [f"{B}claim/a/90"]


@pytest.mark.parametrize("source,message", [
    ("SELECT * WHERE { ?s ?p ?o }", "title"),
    ("#+ title: T\nSELECT * WHERE { ?s ?p ?o }", "description"),
    ("#+ title: T\n#+ description: D\n#+ colour: red\nSELECT * {}", "unknown header key"),
    ("#+ title: T\n#+description D\nSELECT * {}", "malformed header"),
    ("#+ title: T\n#+ description: D\n#+ params: x:colour\nSELECT ?x {}", "bad parameter"),
    ("#+ title: T\n#+ description: D\n#+ params: y\nSELECT ?x { ?x ?p ?o }", "not a variable"),
    ("#+ title: T\n#+ description: D\nSELECT ?x WHERE { ?x ?p }", "q.rq"),
    ("#+ title: T\n#+ description: D\n#+ params: p\nSELECT ?x WHERE { ?x ?p ?o }", "projection"),
    ("#+ title: T\n#+ description: D\n#+ graphs: values\nSELECT ?x WHERE { ?x ?p ?o }", "needs 'paged: graph'"),
    ("#+ title: T\n#+ description: D\n#+ paged: x\n#+ graphs: tree\nSELECT ?x WHERE { GRAPH ?x { ?s ?p ?o } }",
     "one of union, values"),
])
def test_malformed_stored_query_is_an_error(source, message):
    with pytest.raises(CatalogueError, match=message):
        parse_stored_query("q", source)


def test_broken_query_fails_at_start_up(tmp_path):
    (tmp_path / "broken.rq").write_text("#+ title: T\n#+ description: D\nSELECT ?x WHERE {")
    with pytest.raises(CatalogueError, match="broken.rq"):
        Catalogue.load(tmp_path)


def test_a_query_parsed_once_is_read_again_from_the_cache_with_the_same_checks(tmp_path, monkeypatch):
    """rdflib's parse of a stored query is remembered on disk (per text, prefixes and rdflib
    version): a new process reads the query's form and variables back without parsing;
    another text is parsed; a text that does not parse is never remembered."""
    import rdflib.plugins.sparql as rdflib_sparql  # catalogue imports its parser when it parses

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = "#+ title: T\n#+ description: D\n#+ params: s\nSELECT ?s WHERE { ?s ?p ?o }"
    first = parse_stored_query("q", text)
    assert len(list((tmp_path / "factgraph" / "query-shapes").iterdir())) == 1
    parse_stored_query.cache_clear()  # as in a new process

    def unparsed(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(rdflib_sparql, "prepareQuery", unparsed)
    assert parse_stored_query("q", text) == first
    with pytest.raises(CatalogueError, match="parsed again"):  # another text (its header too): parsed
        parse_stored_query("q", text.replace("params: s", "params: o"))
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(CatalogueError, match="q.rq"):
        parse_stored_query("q", "#+ title: T\n#+ description: D\nSELECT ?x WHERE {")
    assert len(list((tmp_path / "factgraph" / "query-shapes").iterdir())) == 1


# --- /queries -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(facts_store):
    return create_app({"TESTING": True}, store=facts_store)


@pytest.fixture()
def client(app):
    return app.test_client()


def test_index_lists_the_library(client):
    page = client.get("/queries").get_data(as_text=True)
    for name in LIBRARY:
        assert f"/queries/{name}" in page
    listing = client.get("/queries?format=json").get_json()
    assert {q["name"] for q in listing} == set(LIBRARY)


def test_query_pages_carry_the_site_header_and_scroll_wide_tables(client):
    for path in ("/queries", "/queries/claims_by_source?source=" + B + "agent/coalition", "/sparql"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<header class="site">' in html and 'href="/conflicts"' in html, path
    html = client.get("/queries/claims_by_source?source=" + B + "agent/coalition").get_data(as_text=True)
    assert '<div class="scroll"><table class="rows">' in html


def test_query_page_runs_from_a_url(client):
    resp = client.get("/queries/claims_by_place", query_string={"place": f"{B}place/syria"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "3 rows" in page
    assert 'href="/claim/a/90"' in page  # minted IRIs link to their resource pages
    assert 'rel="alternate" type="text/csv"' in page


def test_query_page_without_values_shows_the_form(client):
    page = client.get("/queries/claims_by_source").get_data(as_text=True)
    assert '<input name="source"' in page and "<table" not in page


def test_query_json_and_csv(client):
    q = {"source": f"{B}agent/coalition"}
    data = json.loads(client.get("/queries/claims_by_source", query_string={**q, "format": "json"}).data)
    assert len(data["results"]["bindings"]) == 2
    resp = client.get("/queries/claims_by_source", query_string=q, headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert {r["value"] for r in rows} == {"1300", "1302"}


def test_bad_parameter_is_400(client):
    resp = client.get("/queries/claims_by_source", query_string={"source": "not an iri", "format": "json"})
    assert resp.status_code == 400
    assert client.get("/queries/claims_by_source", query_string={"format": "csv"}).status_code == 400
    assert client.get("/queries/nope").status_code == 404
