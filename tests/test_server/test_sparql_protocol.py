"""The W3C SPARQL 1.1 Protocol test cases that apply to a read-only endpoint.

Source: w3c/rdf-tests, ``sparql/sparql11/protocol/manifest.ttl`` (34 cases). No Python
runner exists, so each case is written here as a test named after it, sending the
manifest's request and checking its expected status and result format.

- 20 query cases (``query_*``, ``bad_query_*``, ``bad_multiple_queries``) and the 7
  negative update cases (``bad_update_*``, ``bad_multiple_updates``) apply: 27 cases.
- The 7 positive update cases (``update_*``) expect a write to succeed; this endpoint is
  read-only by design, so they do not apply: ``test_update_cases_are_refused`` checks
  that each of them gets a 4xx and leaves the store unchanged.

The graphs the cases name are loaded from ``data/w3c_protocol.trig`` into each store backend
(``store_with`` in ``conftest.py``): the endpoint answers the same over a remote store.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Dataset, Graph, URIRef

from factgraph.server.app import create_app

DATA = Path(__file__).parent / "data" / "w3c_protocol.trig"
K = "http://kasei.us/2009/09/sparql/data/"
BOOLEAN_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json", "application/trig")


@pytest.fixture(scope="module")
def store(store_with):
    """The cases' graphs on each backend (read-only)."""
    return store_with(DATA)


@pytest.fixture(scope="module")
def app(store):
    return create_app({"TESTING": True, "QUERY_TIMEOUT": 20}, store=store)


@pytest.fixture()
def client(app):
    return app.test_client()


def enc(iri: str) -> str:
    return quote(iri, safe="")


def expect_boolean(resp, value: bool | None = True) -> None:
    assert 200 <= resp.status_code < 400, resp.get_data(as_text=True)
    assert resp.mimetype in BOOLEAN_TYPES
    if value is not None:
        if resp.mimetype.endswith("json"):
            assert json.loads(resp.data)["boolean"] is value
        else:
            assert f"<boolean>{str(value).lower()}</boolean>" in resp.get_data(as_text=True)


def expect_4xx(resp) -> None:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.get_data(as_text=True))


# --- query cases ---------------------------------------------------------------------


def test_query_post_form(client):
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data0.rdf')}", data="query=ASK%20%7B%7D",
                       content_type="application/x-www-form-urlencoded")
    expect_boolean(resp)


def test_query_dataset_default_graphs_get(client):
    q = f"ASK {{ <{K}data1.rdf> a ?type . <{K}data2.rdf> a ?type . }}"
    resp = client.get(f"/sparql?query={enc(q)}&default-graph-uri={enc(K + 'data1.rdf')}"
                      f"&default-graph-uri={enc(K + 'data2.rdf')}")
    expect_boolean(resp)


def test_query_dataset_default_graphs_post(client):
    q = f"ASK {{ <{K}data1.rdf> a ?type . <{K}data2.rdf> a ?type . }}"
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data1.rdf')}&default-graph-uri={enc(K + 'data2.rdf')}",
                       data=q, content_type="application/sparql-query")
    expect_boolean(resp)


def test_query_dataset_named_graphs_post(client):
    q = f"ASK {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}"
    resp = client.post(f"/sparql?named-graph-uri={enc(K + 'data1.rdf')}&named-graph-uri={enc(K + 'data2.rdf')}",
                       data=q, content_type="application/sparql-query")
    expect_boolean(resp)


def test_query_dataset_named_graphs_get(client):
    q = f"ASK {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}"
    resp = client.get(f"/sparql?query={enc(q)}&named-graph-uri={enc(K + 'data1.rdf')}"
                      f"&named-graph-uri={enc(K + 'data2.rdf')}")
    expect_boolean(resp)


def test_query_dataset_full(client):
    q = (f"ASK {{\n  <{K}data3.rdf> a ?type\n  GRAPH ?g1 {{ <{K}data1.rdf> a ?type }}\n"
         f"  GRAPH ?g2 {{ <{K}data2.rdf> a ?type }}\n}}")
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data3.rdf')}&named-graph-uri={enc(K + 'data1.rdf')}"
                       f"&named-graph-uri={enc(K + 'data2.rdf')}", data=q, content_type="application/sparql-query")
    expect_boolean(resp)


def test_query_multiple_dataset(client):
    # The manifest's path percent-encodes the '&' between its two named-graph-uri
    # parameters (one IRI "...data1.rdf&named-graph-uri=...data2.rdf"); its expected
    # answer (true) is that of the two parameters, which is what is sent here. The
    # literal request names a graph this store does not hold: see the test below.
    q = (f"ASK FROM <{K}data3.rdf> {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} "
         f"GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}")
    resp = client.post(f"/sparql?named-graph-uri={enc(K + 'data1.rdf')}&named-graph-uri={enc(K + 'data2.rdf')}",
                       data=q, content_type="application/sparql-query")
    expect_boolean(resp)


def test_query_multiple_dataset_literal_path_names_unknown_graph(client):
    q = f"ASK FROM <{K}data3.rdf> {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} }}"
    resp = client.post(f"/sparql?named-graph-uri={enc(K + 'data1.rdf')}%26named-graph-uri%3D{enc(K + 'data2.rdf')}",
                       data=q, content_type="application/sparql-query")
    assert resp.status_code == 400
    assert "not a graph of this store" in resp.get_data(as_text=True)


def test_query_get(client):
    resp = client.get(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={enc(K + 'data0.rdf')}")
    expect_boolean(resp)


def test_query_content_type_select(client):
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data0.rdf')}", data="SELECT (1 AS ?value) {}",
                       content_type="application/sparql-query")
    assert resp.status_code == 200
    assert resp.mimetype in TABULAR_TYPES


def test_query_content_type_ask(client):
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data0.rdf')}", data="ASK {}",
                       content_type="application/sparql-query")
    expect_boolean(resp, None)


def test_query_content_type_describe(client):
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data0.rdf')}", data="DESCRIBE <http://example.org/>",
                       content_type="application/sparql-query")
    assert resp.status_code == 200
    assert resp.mimetype in RDF_TYPES
    Graph().parse(data=resp.data, format=resp.mimetype)


def test_query_content_type_construct(client):
    resp = client.post(f"/sparql?default-graph-uri={enc(K + 'data0.rdf')}", data="CONSTRUCT { <s> <p> 1 } WHERE {}",
                       content_type="application/sparql-query")
    assert resp.status_code == 200
    assert resp.mimetype in RDF_TYPES
    Graph().parse(data=resp.data, format=resp.mimetype)


def test_query_post_direct(client):
    resp = client.post("/sparql", data="ASK {}", content_type="application/sparql-query")
    expect_boolean(resp)


def test_bad_query_method(client):
    resp = client.put(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={enc(K + 'data0.rdf')}",
                      content_type="application/x-www-form-urlencoded")
    expect_4xx(resp)
    assert resp.status_code == 405


def test_bad_multiple_queries(client):
    expect_4xx(client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"))


def test_bad_query_wrong_media_type(client):
    resp = client.post("/sparql", data="ASK {}", content_type="text/plain")
    expect_4xx(resp)
    assert resp.status_code == 415


def test_bad_query_missing_form_type(client):
    resp = client.post("/sparql", data="query=ASK%20%7B%7D")
    expect_4xx(resp)


def test_bad_query_missing_direct_type(client):
    resp = client.post("/sparql", data="ASK {}")
    expect_4xx(resp)


def test_bad_query_non_utf8(client):
    resp = client.post("/sparql", data="ASK {}".encode("utf-16"), content_type="application/sparql-query; charset=UTF-16")
    expect_4xx(resp)


def test_bad_query_syntax(client):
    resp = client.get("/sparql?query=ASK%20%7B")
    assert resp.status_code == 400
    assert "syntax" in resp.get_data(as_text=True).lower()


# --- negative update cases -------------------------------------------------------------


def test_bad_update_get(client):
    expect_4xx(client.get("/sparql?update=CLEAR%20ALL"))


def test_bad_multiple_updates(client):
    expect_4xx(client.post("/sparql", data="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                           content_type="application/x-www-form-urlencoded"))


def test_bad_update_wrong_media_type(client):
    expect_4xx(client.post("/sparql", data="CLEAR NAMED", content_type="text/plain"))


def test_bad_update_missing_form_type(client):
    expect_4xx(client.post("/sparql", data="update=CLEAR%20NAMED"))


def test_bad_update_non_utf8(client):
    expect_4xx(client.post("/sparql", data="CLEAR NAMED".encode("utf-16"),
                           content_type="application/sparql-update; charset=UTF-16"))


def test_bad_update_syntax(client):
    expect_4xx(client.post("/sparql", data="update=CLEAR%20XYZ", content_type="application/x-www-form-urlencoded"))


def test_bad_update_dataset_conflict(client):
    body = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
            "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
            "WHERE {\n    ?person foaf:givenName 'Bill'\n}")
    expect_4xx(client.post(f"/sparql?using-named-graph-uri={enc('http://example/people')}", data=body,
                           content_type="application/sparql-update"))


# --- positive update cases: not applicable, refused --------------------------------------

UPDATE_CASES = {
    "update_dataset_default_graph": ("application/sparql-update", "CLEAR ALL"),
    "update_dataset_default_graphs": ("application/sparql-update", "DROP ALL"),
    "update_dataset_named_graphs": ("application/sparql-update", "DROP ALL"),
    "update_dataset_full": ("application/sparql-update", "DROP ALL"),
    "update_post_form": ("application/x-www-form-urlencoded", "update=CLEAR+ALL"),
    "update_post_direct": ("application/sparql-update", "CLEAR ALL"),
    "update_base_uri": ("application/sparql-update",
                        "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
                        "{ <http://example.org/s> <http://example.org/p> <test> } }"),
}


@pytest.mark.parametrize("case", sorted(UPDATE_CASES))
def test_update_cases_are_refused(client, store, case):
    content_type, body = UPDATE_CASES[case]
    before = store.graph_names()
    resp = client.post("/sparql", data=body, content_type=content_type)
    assert resp.status_code == 403
    assert store.graph_names() == before


# --- beyond the manifest: formats, negotiation, service description ---------------------


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_select_formats_by_accept(client, accept):
    resp = client.get("/sparql", query_string={"query": f"SELECT ?t WHERE {{ <{K}data1.rdf> <http://purl.org/dc/terms/title> ?t }}"},
                      headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.mimetype == accept
    assert "data1" in resp.get_data(as_text=True)


def test_tsv_is_the_w3c_format(client):
    resp = client.get("/sparql", query_string={"query": 'SELECT ?a ?b WHERE { BIND("x\ty"@en AS ?a) BIND(<http://e/> AS ?b) }',
                                               "format": "tsv"})
    assert resp.get_data(as_text=True) == '?a\t?b\n"x\\ty"@en\t<http://e/>\n'


@pytest.mark.parametrize("fmt,media_type", [("ttl", "text/turtle"), ("nt", "application/n-triples"),
                                            ("jsonld", "application/ld+json"), ("xml", "application/rdf+xml"),
                                            ("trig", "application/trig")])
def test_construct_formats_by_format_parameter(client, fmt, media_type):
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{K}data1.rdf> {{ ?s ?p ?o }} }}"
    resp = client.get("/sparql", query_string={"query": q, "format": fmt})
    assert resp.status_code == 200 and resp.mimetype == media_type
    g = Dataset() if fmt == "trig" else Graph()
    g.parse(data=resp.data, format=media_type)
    assert len(g) == 2


def test_accept_q_values_choose(client):
    resp = client.get("/sparql", query_string={"query": "SELECT * {}"},
                      headers={"Accept": "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"})
    assert resp.mimetype == "text/csv"


def test_unsupported_accept_is_406(client):
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert resp.status_code == 406


def test_malformed_query_gives_parser_message(client):
    resp = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert resp.status_code == 400
    assert "line" in resp.get_data(as_text=True) or "char" in resp.get_data(as_text=True)


def test_service_description_on_get_without_query(client):
    resp = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    g = Graph().parse(data=resp.data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert (None, URIRef(sd + "name"), URIRef(K + "data1.rdf")) in g


def test_browser_without_query_gets_the_workbench(client):
    resp = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "yasgui.min.js" in resp.get_data(as_text=True)


def test_protocol_dataset_restricts_the_default_graph(client):
    q = f"ASK {{ <{K}data2.rdf> a ?type }}"
    resp = client.get(f"/sparql?query={enc(q)}&default-graph-uri={enc(K + 'data1.rdf')}")
    expect_boolean(resp, False)


@pytest.mark.parametrize("accept,query,expected", [
    ("application/json", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json"),
    ("application/json", "ASK { ?s ?p ?o }", "application/sparql-results+json"),
    ("application/json", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/ld+json"),
    ("application/xml", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml"),
    ("text/plain", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/n-triples"),
    ("text/n3", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/turtle"),
])
def test_generic_accept_types_get_the_obvious_format(client, accept, query, expected):
    resp = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == expected


def test_a_cut_result_says_so_in_its_body(store):
    client = create_app({"TESTING": True, "ROW_LIMIT": 2}, store=store).test_client()
    q = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"}
    r = client.get("/sparql", query_string=q, headers={"Accept": "application/sparql-results+json"})
    doc = json.loads(r.data)
    assert r.headers["X-SPARQL-MaxRows"] == "2"
    assert doc["results"]["truncated"] is True and doc["results"]["rowLimit"] == 2
    assert len(doc["results"]["bindings"]) == 2
    xml = client.get("/sparql", query_string=q, headers={"Accept": "application/sparql-results+xml"})
    assert b'<results truncated="true" rowLimit="2">' in xml.data
    whole = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"},
                       headers={"Accept": "application/sparql-results+json"})
    assert "truncated" not in json.loads(whole.data)["results"] and "X-SPARQL-MaxRows" not in whole.headers


def test_empty_query_trailing_slash_and_cors_on_post(client):
    r = client.get("/sparql?query=")
    assert r.status_code == 400 and b"empty" in r.data
    assert client.get("/sparql/", headers={"Accept": "text/turtle"}).status_code == 200
    r = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options("/sparql", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]


# --- the vendored manifest: every case has its test ------------------------------------


def test_every_case_of_the_vendored_w3c_manifest_is_run():
    """``data/w3c-protocol/`` vendors the manifest and its data from w3c/rdf-tests (commit in
    ``COMMIT``, W3C test suite licence in ``LICENSE.md``): each of its entries is a query case
    with a test of its own name here, or an update case in UPDATE_CASES, refused."""
    from rdflib.collection import Collection
    from rdflib.namespace import RDF

    folder = Path(__file__).parent / "data" / "w3c-protocol"
    manifest = Graph().parse(folder / "manifest.ttl", format="turtle")
    mf = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
    root = next(manifest.subjects(RDF.type, URIRef(mf + "Manifest")))
    entries = [str(e).rsplit("#", 1)[-1] for e in Collection(manifest, manifest.value(root, URIRef(mf + "entries")))]
    assert len(entries) == 34
    tests = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    missing = [e for e in entries if e not in tests and e not in UPDATE_CASES]
    assert missing == []
    # the graphs the cases name are the vendored data files, loaded for the endpoint
    loaded = Dataset().parse(Path(__file__).parent / "data" / "w3c_protocol.trig", format="trig")
    for name in ("data1.nt", "data2.nt", "data3.nt"):
        data = Graph().parse(folder / name, format="nt")
        assert any(set(data) <= set(g) for g in loaded.graphs() if len(g)), name
