"""Input never makes a 500 (issue #13): each case below once raised inside the app
(RecursionError in rdflib's parser, an invalid IRI reaching a query); now a 4xx with one
line of text for a program, and every error carries the security headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from factgraph.server.app import create_app
from factgraph.server.security import HEADERS

FIXTURE = Path(__file__).resolve().parent.parent / "pages_fixture.trig"
BASE = "http://127.0.0.1:5000/"
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(store_with):
    return create_app({"BASE": BASE}, store=store_with(FIXTURE)).test_client()  # not TESTING: errors as served


def one_line(resp) -> str:
    body = resp.get_data(as_text=True)
    assert body.endswith("\n") and body.count("\n") == 1, body
    return body


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }" for depth in (30, 200)
] + [
    "SELECT * WHERE " + "{" * 300 + "}" * 300,
])
def test_deeply_nested_query_is_400(client, query):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 400
    assert "too deeply nested" in one_line(resp)


def test_a_long_chain_of_operators_is_400(client):
    resp = client.get("/sparql", query_string={"query": "SELECT * WHERE { BIND(" + "-" * 3000 + "1 AS ?x) }"})
    assert resp.status_code == 400
    one_line(resp)


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["a b", "x>y", "relative", "a\r\nb"])
def test_invalid_protocol_graph_is_400(client, param, value):
    resp = client.get("/sparql", query_string={"query": ASK, param: value})
    assert resp.status_code == 400
    assert "not an absolute IRI" in one_line(resp)


@pytest.mark.parametrize("path", ["/claim/%00", "/claim/%00.html", "/claim/a%20b.ttl", "/claim/x%0d%0ay.html",
                                  "/claim/a>b.html"])
def test_path_no_resource_can_have_is_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    one_line(resp)


@pytest.mark.parametrize("path", ["/conflicts", "/conflicts.json", "/conflicts.csv", "/search"])
@pytest.mark.parametrize("param,value", [("kind", "x>y"), ("claimant", "bo gus"), ("place", "x/y"),
                                         ("quantity", "a\r\nb"), ("place", "<>")])
def test_filter_that_is_neither_an_iri_nor_a_name_is_400(client, path, param, value):
    if path == "/search" and param == "kind":
        param = "quantity"
    resp = client.get(path, query_string={param: value})
    assert resp.status_code == 400
    assert "neither an absolute IRI nor a name" in one_line(resp)


@pytest.mark.parametrize("path", ["/conflicts", "/conflicts.json", "/conflicts.csv", "/search"])
@pytest.mark.parametrize("param,value", [("kind", "tension"), ("claimant", "bogus"), ("place", "x"),
                                         ("quantity", "civilian_deaths")])
def test_a_filter_takes_the_names_the_pages_show(client, path, param, value):
    """?kind=tension is the tension kind; a name nothing bears is an empty result, not an error."""
    if path == "/search" and param == "kind":
        param = "quantity"
    assert client.get(path, query_string={param: value}).status_code == 200


def test_filter_error_is_a_page_for_a_browser(client):
    resp = client.get("/conflicts?kind=x%3Ey", headers={"Accept": "text/html"})
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert "neither an absolute IRI nor a name" in resp.get_data(as_text=True)


@pytest.mark.parametrize("path,params", [
    ("/search", {"q": "a\r\nb"}),
    ("/", {"lang": "fr\r\nSet-Cookie: x=1"}),
    ("/conflicts.json", {"after": "k\r\nSet-Cookie: x=1"}),
    ("/sparql", {"query": ASK + "\r\n"}),
    ("/sparql", {"query": ASK, "format": "json\r\nX: y"}),
    ("/queries/claims_by_place", {"place": "x\r\ny", "format": "json"}),
])
def test_crlf_in_a_parameter_is_never_a_500_nor_a_header(client, path, params):
    resp = client.get(path, query_string=params)
    assert resp.status_code < 500
    assert "Set-Cookie" not in resp.headers and "X" not in resp.headers


@pytest.mark.parametrize("method,path,kwargs,status", [
    ("GET", "/nothing/here", {}, 404),
    ("DELETE", "/sparql", {}, 405),
    ("PUT", "/", {}, 405),
    ("POST", "/sparql", {"data": "x" * (2 << 20), "content_type": "application/sparql-query"}, 413),
    ("GET", "/sparql", {"query_string": {"query": "SELECT nonsense"}}, 400),
])
def test_errors_carry_the_security_headers(client, method, path, kwargs, status):
    resp = client.open(path, method=method, **kwargs)
    assert resp.status_code == status
    for name, value in HEADERS.items():
        assert resp.headers[name] == value
    one_line(resp)
