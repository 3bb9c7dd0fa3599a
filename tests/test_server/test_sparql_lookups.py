"""Bounded lookups on ``/sparql`` (``query_policy.lookup_plan``, ``sparql.lookup_answer``):
one triple pattern with an IRI is answered in the serving process, with the answer a
worker gives; every other query, and a lookup with more rows than ``SPARQL_LOOKUP_ROWS``,
still goes to a killable worker under ``QUERY_TIMEOUT``. No assertion here is about how
long something takes."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef, Variable

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app
from factgraph.server.query_policy import lookup_plan, quick_plan
from factgraph.server.query_pool import get_resident_pool
from factgraph.server.results import json_more_rows, native_json, write_json

EX = "http://example.org/"
JSON = {"Accept": "application/sparql-results+json"}
DIGITS = "{ " + " ".join(str(i) for i in range(10)) + " }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {DIGITS}" for i in range(10)) + " }"
HUB = URIRef(EX + "hub")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = EmbeddedStore(tmp_path_factory.mktemp("store"))  # on disk: workers fork with RocksDB open
    g = Graph()
    for i in range(5):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "q"), Literal(f"label {i}", lang="en")))
    for i in range(30):  # a hub: 30 subjects point at it
        g.add((URIRef(f"{EX}m{i}"), URIRef(EX + "in"), HUB))
    s.replace_graph(URIRef(EX + "g"), g)
    yield s
    s.close()


def make_app(store, **config):
    return create_app({"TESTING": True, **config}, store=store)


def ask(app, query: str, **headers: str):
    return app.test_client().get("/sparql", query_string={"query": query}, headers={**JSON, **headers})


def workers(app) -> list[int]:
    with app.app_context():
        return get_resident_pool().workers()


def bindings(resp) -> list[dict]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return sorted(json.loads(resp.get_data())["results"]["bindings"], key=json.dumps)


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}",
        f"PREFIX ex: <{EX}>\nselect * where {{ ex:s2 ?p ?o . }} LIMIT 1",
        f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}",
        f"SELECT ?s ?p {{ ?s ?p <{EX}hub> }}",
        f"ASK {{ <{EX}s3> a ?type }}",
        "SELECT ?o WHERE { <s1> ?p ?o }",  # relative: resolved against the endpoint
    ],
)
def test_lookup_shapes_are_recognised(query):
    checked = lookup_plan(query, "http://x/sparql")
    assert checked is not None and checked.form == ("ASK" if query.startswith("ASK") else "SELECT")
    assert checked.text.startswith("BASE <http://x/sparql>\n")


@pytest.mark.parametrize(
    ("query", "rows", "limit"),
    [
        (f"SELECT * WHERE {{ ?s ?p <{EX}hub> }}", 5, "LIMIT 5"),  # added
        (f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}  limit 3 ", 5, "limit 3"),  # kept: fewer
        (f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }} LIMIT 50\n", 5, "LIMIT 5"),  # lowered
    ],
)
def test_a_lookup_plan_asks_the_engine_for_at_most_the_rows_given(store, query, rows, limit):
    checked = lookup_plan(query, rows=rows)
    assert checked is not None and checked.text.rstrip().endswith(limit)
    assert lookup_plan(checked.text) is not None  # still the lookup shape, one LIMIT
    assert len(list(store.native_query(checked.text))) == int(limit.split()[1])  # of the hub's 30


def test_the_engine_writes_json_results_as_write_json_does():
    """``results.native_json`` (pyoxigraph's writer, for lookups) gives the bytes of the
    project's ``write_json`` for every kind of term, escapes and unbound variables."""
    st = ox.Store()
    subject, xsd = ox.NamedNode(EX + "s"), "http://www.w3.org/2001/XMLSchema#"
    objects = [
        ox.Literal("plain"),
        ox.Literal("fr", language="fr"),
        ox.Literal("en", language="en-gb"),
        ox.Literal("5", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("x", datatype=ox.NamedNode(xsd + "string")),
        ox.BlankNode("b1"),
        ox.NamedNode(EX + "o/\u00e9?x=1&y"),
        ox.Literal('quote " back \\ \n \t \r \x01 \x7f \u2028 / \u00e9 \U0001f600'),
    ]
    for i, o in enumerate(objects):
        st.add(ox.Quad(subject, ox.NamedNode(f"{EX}p{i}"), o, ox.NamedNode(EX + "g")))
    query = f"SELECT ?p ?o ?unbound WHERE {{ <{EX}s> ?p ?o }}"
    mine = native_json(st.query(query, use_default_graph_as_union=True))
    result = st.query(query, use_default_graph_as_union=True)
    rows = [tuple(solution) for solution in result]
    assert len(rows) == len(objects)
    assert mine == write_json([Variable(v.value) for v in result.variables], rows)


@pytest.mark.parametrize("rows", [0, 1, 9, 10, 11, 400])
def test_json_more_rows_counts_small_and_long_rows(rows):
    for row in ({}, {"s": {"type": "uri", "value": EX + "x" * 50}}):
        body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [row] * rows}}).encode()
        assert json_more_rows(body, 10) == (rows > 10)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",  # no IRI: the whole store
        f"SELECT * WHERE {{ ?s <{EX}p> ?o }}",  # a predicate alone: every claim
        f"SELECT * WHERE {{ <{EX}s1> ?p ?o . ?o ?q ?r }}",  # a join
        f"SELECT * WHERE {{ <{EX}s1> ?p ?o }} ORDER BY ?o",
        f"SELECT * WHERE {{ <{EX}s1> ?p ?o }} OFFSET 5",
        f"SELECT DISTINCT ?p WHERE {{ <{EX}s1> ?p ?o }}",
        f"SELECT * WHERE {{ <{EX}s1> ?p ?o FILTER(?o > 1) }}",
        f"SELECT * WHERE {{ <{EX}s1> <{EX}p>+ ?o }}",  # a path
        f"SELECT * WHERE {{ <{EX}s1> ?p ?p }}",  # the same variable twice
        f"SELECT * WHERE {{ <{EX}s1> ?p ?o }} # a comment",
        f"SELECT * FROM <{EX}g> WHERE {{ <{EX}s1> ?p ?o }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ <{EX}s1> ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{EX}sparql> {{ <{EX}s1> ?p ?o }} }}",
        f'SELECT * WHERE {{ <{EX}s1> ?p "x" }}',  # a string: only IRIs and variables
        f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}s1> ?p ?o }}",
        f"CONSTRUCT {{ <{EX}s1> ?p ?o }} WHERE {{ <{EX}s1> ?p ?o }}",
        f"DELETE WHERE {{ <{EX}s1> ?p ?o }}",
        f"SELECT * WHERE {{ <{EX}s\\u0031> ?p ?o }}",  # an escape
        f"SELECT * WHERE {{ <{EX}s1> ?p ?o }} ; INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}",
    ],
)
def test_other_shapes_are_not_lookups(query):
    assert lookup_plan(query) is None


def test_a_lookup_is_answered_without_a_worker_and_as_a_worker_answers(store):
    app = make_app(store)
    worker_app = make_app(store, SPARQL_LOOKUP_ROWS=0)  # every query to a worker, as before
    for query in [
        f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}",
        f"SELECT * WHERE {{ ?s <{EX}in> <{EX}hub> }} LIMIT 7",
        f"SELECT ?x ?o WHERE {{ <{EX}nothing> ?p ?o }}",
    ]:
        assert bindings(ask(app, query)) == bindings(ask(worker_app, query))
    for fmt in ("text/csv", "text/tab-separated-values", "application/sparql-results+xml"):
        query = f"SELECT ?p ?o WHERE {{ <{EX}s2> ?p ?o }}"
        mine, theirs = ask(app, query, Accept=fmt), ask(worker_app, query, Accept=fmt)
        assert mine.status_code == theirs.status_code == 200
        assert mine.mimetype == theirs.mimetype == fmt
        assert mine.get_data() == theirs.get_data()
    yes, no = ask(app, f"ASK {{ <{EX}s1> ?p ?o }}"), ask(app, f"ASK {{ <{EX}nothing> ?p ?o }}")
    assert json.loads(yes.get_data())["boolean"] is True and json.loads(no.get_data())["boolean"] is False
    assert workers(app) == []  # no worker was started for any of these
    assert len(workers(worker_app)) == 1


def test_concurrent_lookups_are_all_answered_here_while_a_worker_runs_a_query(store):
    """Lookups from many threads at once, beside a slow query in a worker, each get the
    answer a lone lookup gets, and no worker is started for them."""
    app = make_app(store, QUERY_TIMEOUT=1.0)
    query = f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}"
    alone = bindings(ask(app, query))
    slow = threading.Thread(target=lambda: ask(app, SLOW))  # 503 after QUERY_TIMEOUT, in a worker
    slow.start()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: bindings(ask(app, query)), range(64)))
    slow.join()
    assert answers == [alone] * 64
    assert len(workers(app)) <= 1  # the slow query's worker only


def test_a_lookup_with_more_rows_than_the_setting_goes_to_a_worker(store):
    app = make_app(store, SPARQL_LOOKUP_ROWS=10)
    rows = bindings(ask(app, f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}"))
    assert len(rows) == 30  # all of them, from the worker
    assert len(workers(app)) == 1
    assert len(bindings(ask(app, f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }} LIMIT 10"))) == 10


def test_the_row_limit_cuts_a_lookup_as_it_cuts_any_query(store):
    app = make_app(store, ROW_LIMIT=4)
    resp = ask(app, f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}")
    doc = json.loads(resp.get_data())
    assert len(doc["results"]["bindings"]) == 4 and doc["results"]["truncated"] is True
    assert resp.headers["X-SPARQL-MaxRows"] == "4"
    assert workers(app) == []


def test_a_slow_query_still_goes_to_a_killable_worker(store):
    app = make_app(store, QUERY_TIMEOUT=1.0)
    assert quick_plan(SLOW) is not None and lookup_plan(SLOW) is None
    resp = ask(app, SLOW)
    assert resp.status_code == 503 and "QUERY_TIMEOUT" in resp.get_data(as_text=True)
    assert len(bindings(ask(app, f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}"))) == 2  # and lookups go on


def test_what_the_engine_refuses_gets_the_workers_message(store):
    app = make_app(store)
    resp = ask(app, "SELECT ?p ?o WHERE { nope:s1 ?p ?o }")  # an undeclared prefix
    assert resp.status_code == 400 and "nope" in resp.get_data(as_text=True)
    resp = ask(app, f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}", Accept="text/turtle")
    assert resp.status_code == 406


def test_a_lookup_sees_a_write_at_once(store):
    app = make_app(store)
    query = f"SELECT ?o WHERE {{ <{EX}fresh> ?p ?o }}"
    assert bindings(ask(app, query)) == []
    store.update(f"INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}fresh> <{EX}p> 42 }} }}")
    try:
        assert [b["o"]["value"] for b in bindings(ask(app, query))] == ["42"]
    finally:
        store.update(f"DROP GRAPH <{EX}g2>")


def test_the_shortcut_before_flask_answers_as_flask_does(store):
    """``sparql.LookupShortcut``: the same status, headers and body as the endpoint gives
    (an unknown parameter sends the same query through Flask), without Flask's hooks."""
    app = make_app(store)
    hooks: list[str] = []

    @app.after_request
    def record(resp):
        hooks.append(resp.status)
        return resp

    client = app.test_client()
    for query, accept in [
        (f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}", "application/sparql-results+json"),
        (f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}", "text/csv"),
        (f"ASK {{ <{EX}s1> ?p ?o }}", "application/sparql-results+xml"),
        # the same media types again, other lengths: the shortcut's headers are kept per media type
        (f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}", "application/sparql-results+json"),
        (f"SELECT ?o WHERE {{ <{EX}s2> <{EX}q> ?o }}", "text/csv"),
        (f"ASK {{ <{EX}nothing> ?p ?o }}", "application/sparql-results+xml"),
        (f"SELECT ?o WHERE {{ <{EX}nothing> ?p ?o }}", "application/sparql-results+json"),
    ]:
        short = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert hooks == []  # no hook ran: Flask did not see it
        full = client.get("/sparql", query_string={"query": query, "other": "1"}, headers={"Accept": accept})
        assert len(hooks) == 1
        hooks.clear()
        assert short.status_code == full.status_code == 200
        assert sorted(short.headers.items()) == sorted(full.headers.items())
        assert short.get_data() == full.get_data()
    cut = (
        make_app(store, ROW_LIMIT=4)
        .test_client()
        .get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}"}, headers=JSON)
    )
    assert cut.headers["X-SPARQL-MaxRows"] == "4" and cut.headers["Access-Control-Allow-Origin"] == "*"
    relative = client.get("/sparql", query_string={"query": "SELECT ?o WHERE { <s1> ?p ?o }"}, headers=JSON)
    assert relative.status_code == 200 and hooks == ["200 OK"]  # a relative IRI: Flask knows the base
