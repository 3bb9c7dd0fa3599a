"""What the read-only endpoint refuses, and its limits (declared settings in app.DEFAULTS).

Every refusal is a 4xx and makes no outbound connection or file read: a listening socket
on 127.0.0.1 must see no connection, and no file outside the store is opened (checked with
an audit hook in the worker, which forks from this process).
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app
from factgraph.server.query_policy import Refused, plan, with_dataset

EX = "http://example.org/"
G = URIRef(EX + "g")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    # on disk, like a deployment: the worker forks with RocksDB open
    s = EmbeddedStore(tmp_path_factory.mktemp("store"))
    g = Graph()
    for i in range(60):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
    s.replace_graph(G, g)
    yield s
    s.close()


def make_client(store, **config):
    return create_app({"TESTING": True, **config}, store=store).test_client()


@pytest.fixture()
def client(store):
    return make_client(store, QUERY_TIMEOUT=10)


class Listener:
    """A socket on 127.0.0.1 that records every connection it is offered."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        time.sleep(0.3)
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture()
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_listener_sees_connections(listener):
    socket.create_connection(("127.0.0.1", listener.port)).close()
    time.sleep(0.4)
    assert listener.connections == 1  # the probe itself works


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "PREFIX x: <http://127.0.0.1:{port}/>\nselect * where {{ service x: {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",  # no escape outside strings
    "SELECT * WHERE {{ FILTER(?o<?s)SERVICE<http://127.0.0.1:{port}/>{{}} }}",
])
def test_service_is_refused_without_a_connection(client, listener, template):
    resp = client.get("/sparql", query_string={"query": template.format(port=listener.port)})
    assert resp.status_code == 400
    assert "SERVICE" in resp.get_data(as_text=True)
    listener.close()
    assert listener.connections == 0


def test_service_hidden_in_a_string_or_comment_stays_hidden(client, listener):
    """The engine reads ``\\u`` escapes inside strings only (an escaped quote does not end
    one): what the policy's tokens take for a string or a comment is one for the engine."""
    hidden = [
        'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE <http://127.0.0.1:{port}/> {{ ?a ?b ?c }} #" }}',
        "SELECT * WHERE {{ ?s ?p ?o # }} SERVICE <http://127.0.0.1:{port}/> {{ ?a ?b ?c }}\n}}",
    ]
    statuses = [client.get("/sparql", query_string={"query": q.format(port=listener.port)}).status_code
                for q in hidden]
    listener.close()
    assert statuses == [200, 200] and listener.connections == 0


def test_service_on_port_9_is_refused(client):
    resp = client.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert resp.status_code == 400


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": "update=INSERT DATA { <http://e/s> <http://e/p> 1 }",
     "content_type": "application/x-www-form-urlencoded"},
    {"method": "POST", "data": "INSERT DATA { <http://e/s> <http://e/p> 1 }", "content_type": "application/sparql-update"},
    {"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-query"},
    {"method": "GET", "query_string": {"query": "DELETE WHERE { ?s ?p ?o }"}},
    {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
])
def test_update_is_refused(client, store, request_kwargs):
    before = len(store.graph(G))
    resp = client.open("/sparql", **request_kwargs)
    assert 400 <= resp.status_code < 500
    assert len(store.graph(G)) == before


def test_load_is_refused_without_a_connection(client, listener):
    for body in (f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>", "LOAD <file:///etc/passwd> INTO GRAPH <http://e/g>"):
        for kwargs in ({"data": body, "content_type": "application/sparql-query"},
                       {"data": {"update": body}}, {"data": {"query": body}}):
            resp = client.post("/sparql", **kwargs)
            assert 400 <= resp.status_code < 500, (body, kwargs, resp.status_code)
    listener.close()
    assert listener.connections == 0


@pytest.fixture()
def opened_files():
    """Paths opened by this process and its forked workers (audit hooks survive fork)."""
    seen: list[str] = []
    active = [True]

    def hook(event, args):
        if active[0] and event == "open" and args and isinstance(args[0], str | bytes | Path):
            seen.append(str(args[0]))

    sys.addaudithook(hook)
    yield seen
    active[0] = False


@pytest.mark.parametrize("query", [
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "ASK FROM <http://127.0.0.1:9/data.ttl> { ?s ?p ?o }",
])
def test_from_outside_the_store_is_refused(client, listener, opened_files, query):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 400
    assert "not a graph of this store" in resp.get_data(as_text=True)
    assert not [p for p in opened_files if "passwd" in p]
    listener.close()
    assert listener.connections == 0


def test_protocol_graphs_outside_the_store_are_refused(client, opened_files):
    for param in ("default-graph-uri", "named-graph-uri"):
        resp = client.get("/sparql", query_string={"query": "ASK {}", param: "file:///etc/passwd"})
        assert resp.status_code == 400
    assert not [p for p in opened_files if "passwd" in p]


def test_from_a_graph_of_the_store_is_allowed(client):
    resp = client.get("/sparql", query_string={"query": f"ASK FROM <{G}> {{ ?s ?p ?o }}"})
    assert resp.status_code == 200


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_runaway_query_is_stopped_and_the_next_is_answered(store):
    client = make_client(store, QUERY_TIMEOUT=1.0)
    started = time.monotonic()
    resp = client.get("/sparql", query_string={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert resp.status_code == 503
    assert "QUERY_TIMEOUT" in resp.get_data(as_text=True)
    assert elapsed < 1.0 + 1.5, elapsed
    started = time.monotonic()
    resp = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert resp.status_code == 200 and '"60"' in resp.get_data(as_text=True)
    print(f"runaway stopped after {elapsed:.2f} s; next query answered in {time.monotonic() - started:.3f} s")


def test_concurrent_queries_are_answered_while_one_runs_away(store):
    app = create_app({"TESTING": True, "QUERY_TIMEOUT": 2.0}, store=store)
    statuses = []

    def runaway():
        statuses.append(app.test_client().get("/sparql", query_string={"query": RUNAWAY}).status_code)

    t = threading.Thread(target=runaway)
    t.start()
    time.sleep(0.2)
    resp = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert resp.status_code == 200
    t.join()
    assert statuses == [503]


def test_row_cap(store):
    client = make_client(store, ROW_LIMIT=10)
    resp = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }", "format": "csv"})
    assert resp.status_code == 200
    assert resp.headers["X-SPARQL-MaxRows"] == "10"
    assert len(resp.get_data(as_text=True).strip().splitlines()) == 1 + 10
    resp = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert resp.headers["X-SPARQL-MaxRows"] == "10"
    assert len(resp.get_data(as_text=True).strip().splitlines()) == 10
    resp = make_client(store, ROW_LIMIT=100).get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert "X-SPARQL-MaxRows" not in resp.headers


def test_body_size_cap(store):
    client = make_client(store, MAX_CONTENT_LENGTH=1000)
    big = "ASK {} #" + "x" * 2000
    assert client.post("/sparql", data=big, content_type="application/sparql-query").status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    assert client.post("/sparql", data="ASK {}", content_type="application/sparql-query").status_code == 200


def test_cors_for_get_and_post(client):
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.net"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options("/sparql", headers={"Origin": "https://example.net", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and "GET" in pre.headers["Access-Control-Allow-Methods"]
    post = client.post("/sparql", data="ASK {}", content_type="application/sparql-query")
    assert post.headers["Access-Control-Allow-Origin"] == "*"  # read-only: a browser app may POST a long query


# --- the policy, without HTTP ------------------------------------------------------------


def test_service_inside_a_string_or_comment_is_not_a_service():
    p = plan('SELECT * WHERE { BIND("SERVICE <http://x/>" AS ?x) } # SERVICE', [])
    assert p.form == "SELECT"


def test_plan_refuses_update_with_403():
    with pytest.raises(Refused) as info:
        plan("CLEAR ALL", [])
    assert info.value.status == 403


def test_with_dataset_replaces_from_clauses():
    a, b = URIRef("http://e/a"), URIRef("http://e/b")
    text = with_dataset("SELECT * FROM <http://e/x> FROM NAMED <http://e/y> WHERE { ?s ?p ?o }", [a], [b])
    assert "http://e/x" not in text and "http://e/y" not in text
    assert "FROM <http://e/a> FROM NAMED <http://e/b>" in text
    text = with_dataset("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", [a], [])
    assert text.index("FROM <http://e/a>") > text.index("}")
    text = with_dataset("SELECT (EXISTS { ?s ?p ?o } AS ?e) { }", [a], [])
    assert text.index("FROM") > text.index("AS ?e)")
    assert with_dataset("DESCRIBE <http://e/s>", [a], []).strip().endswith("FROM <http://e/a>")


def test_the_store_graphs_are_listed_only_for_a_named_dataset():
    """Listing the graphs scans the store (119 ms at 1M claims): a query that names no
    dataset never asks for it."""
    from rdflib import URIRef

    from factgraph.server.query_policy import plan

    def listing() -> list:
        raise AssertionError("graphs listed")

    assert plan("SELECT * WHERE { ?s ?p ?o }", listing).form == "SELECT"
    calls = []

    def counted() -> list:
        calls.append(1)
        return [URIRef("http://example.org/g")]

    assert plan("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", counted).form == "SELECT"
    assert calls == [1]
