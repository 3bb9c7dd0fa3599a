"""Real clients against a real server process: SPARQLWrapper, rdflib's SPARQLStore, curl.

The server runs in a subprocess on 127.0.0.1 (a free port): ``factgraph serve`` over a
store on disk, and over each remote test server (``--store http://... --update-url``).
"""

from __future__ import annotations

import gc
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from factgraph.graph.store import EmbeddedStore

DATA = Path(__file__).parent / "data" / "w3c_protocol.trig"
K = "http://kasei.us/2009/09/sparql/data/"
TITLE = "http://purl.org/dc/terms/title"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_store(data_backend, store_with, tmp_path_factory):
    """What ``factgraph serve`` serves: the cases' graphs in a store directory
    (embedded) or on the backend's server (read-only store_with)."""
    if data_backend.remote:
        return store_with(DATA)
    path = tmp_path_factory.mktemp("served") / "store"
    store = EmbeddedStore(path)
    load_file(store, DATA)
    store.close()
    return path


def load_file(store, path: Path) -> None:
    ds = Dataset()
    ds.parse(path, format="trig")
    for g in ds.graphs():
        if len(g):
            store.replace_graph(URIRef(str(g.identifier)), g)


@pytest.fixture(scope="module")
def endpoint(data_backend, served_store, tmp_path_factory):
    """``factgraph serve --store DIR`` or ``--store http://... --update-url ...`` (the
    credentials in the environment, as a user would run it) in a subprocess."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = dict(data_backend.cli_env(), FACTGRAPH_QUERY_TIMEOUT="5", FACTGRAPH_BASE=base)
    # serve ingests the built-in corpus into a store without articles, in its fresh interpreter
    # (5-10 s of cold start at load ~7): ingested here beforehand, under serve's base, the store
    # it serves is the same (the cases and the corpus) and it starts at once
    if data_backend.remote:
        served_store.ensure()
        _ingest_corpus(served_store.inner, base)  # behind the shared store's back, as serve did
        options = data_backend.cli_args()
    else:
        with EmbeddedStore(served_store) as store:
            _ingest_corpus(store, base)
        del store
        gc.collect()  # the embedded store's lock goes with its last reference
        env["FACTGRAPH_STORE"] = str(served_store)
        options = ["--store", str(served_store)]
    log = tmp_path_factory.mktemp("log") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "factgraph", "serve", *options, "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail("server did not start:\n" + log.read_text())
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if data_backend.remote:
            served_store.forget()  # the built-in corpus was ingested next to the cases


def _ingest_corpus(store, base: str) -> None:
    from factgraph.graph.pipeline import builtin_corpus, ingest
    from factgraph.graph.terms import Iris

    ingest(store, builtin_corpus(), Iris(base))


def test_sparqlwrapper_select_json(endpoint):
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(f"SELECT ?t WHERE {{ <{K}data1.rdf> <{TITLE}> ?t }}")
    sw.setReturnFormat(JSON)
    result = sw.query().convert()
    assert [b["t"]["value"] for b in result["results"]["bindings"]] == ["data1"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_xml_and_csv(endpoint, method):
    sw = SPARQLWrapper(endpoint)
    sw.setMethod(method)
    sw.setQuery(f"SELECT ?t WHERE {{ ?d <{TITLE}> ?t FILTER(STRSTARTS(STR(?d), \"{K}\")) }} ORDER BY ?t")
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == ["data1", "data2", "data3"]
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().split() == ["t", "data1", "data2", "data3"]


def test_falsy_values_survive_xml_results(endpoint):
    """0, 0.0, false and "" are values, not missing text (rdflib 7's XML writer dropped
    them: RDFLib/rdflib#3138); read back by SPARQLWrapper and by rdflib's SPARQLStore."""
    query = 'SELECT ?i ?d ?b ?s WHERE { VALUES (?i ?d ?b ?s) { (0 0.0 false "") } }'
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(XML)
    literals = sw.query().convert().getElementsByTagName("literal")
    texts = [n.firstChild.data if n.firstChild else "" for n in literals]
    # (Virtuoso has no xsd:boolean: its false comes back as 0)
    assert texts[0] == "0" and float(texts[1]) == 0.0 and texts[2] in ("false", "0") and texts[3] == ""
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    row = next(iter(Graph(SPARQLStore(endpoint, returnFormat="xml")).query(query)))
    assert str(row[0]) == "0" and str(row[1]) != "" and str(row[2]) in ("false", "0") and str(row[3]) == ""
    assert row[0].toPython() == 0 and row[1].toPython() == 0 and row[2].toPython() in (False, 0)


def test_sparqlwrapper_ask_and_construct(endpoint):
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(f"ASK {{ <{K}data2.rdf> ?p ?o }}")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{K}data3.rdf> {{ ?s ?p ?o }} }}")
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert (URIRef(K + "data3.rdf"), URIRef(TITLE), Literal("data3")) in g


def test_sparqlwrapper_sees_a_syntax_error(endpoint):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sw = SPARQLWrapper(endpoint)
    sw.setQuery("SELECT * WHERE {")
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_rdflib_sparqlstore(endpoint):
    graph = Graph(SPARQLStore(endpoint, returnFormat="xml"))
    rows = list(graph.query(f"SELECT ?t WHERE {{ ?d <{TITLE}> ?t FILTER(STRSTARTS(STR(?d), \"{K}\")) }} ORDER BY ?t"))
    assert [str(r.t) for r in rows] == ["data1", "data2", "data3"]
    assert graph.query(f"ASK {{ <{K}data1.rdf> ?p ?o }}").askAnswer is True
    assert (URIRef(K + "data1.rdf"), URIRef(TITLE), Literal("data1")) in graph
    json_graph = Graph(SPARQLStore(endpoint, returnFormat="json", method="POST"))
    assert len(list(json_graph.query(f"SELECT * WHERE {{ GRAPH <{K}data1.rdf> {{ ?s ?p ?o }} }}"))) == 2


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl(endpoint):
    def curl(*args: str) -> str:
        return subprocess.run(["curl", "-sS", "--fail-with-body", *args], check=True, capture_output=True,
                              text=True, timeout=30).stdout

    tsv = curl("-H", "Accept: text/tab-separated-values", "--get", "--data-urlencode",
               f"query=SELECT ?t WHERE {{ <{K}data2.rdf> <{TITLE}> ?t }}", endpoint)
    assert tsv == '?t\n"data2"\n'
    nt = curl("-H", "Accept: application/n-triples", "--data-urlencode",
              f"query=DESCRIBE <{K}data1.rdf>", endpoint)
    assert f'<{K}data1.rdf> <{TITLE}> "data1" .' in nt
    direct = curl("-H", "Content-Type: application/sparql-query", "-H", "Accept: application/sparql-results+json",
                  "--data-binary", "ASK {}", endpoint)
    assert '"boolean": true' in direct
    status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", endpoint],
                            capture_output=True, text=True, timeout=30).stdout
    assert status == "405"
    sd = curl("-H", "Accept: text/turtle", endpoint)
    assert "sd:SPARQL11Query" in sd


def test_serve_is_a_production_server_without_a_banner(endpoint):
    """`factgraph serve` runs waitress (the development server only with --dev): no `Server:
    Werkzeug` banner, and a path no resource can have is a 404, not a 500 (issue #13)."""
    head = subprocess.run(["curl", "-sS", "-D", "-", "-o", "/dev/null", "--get", "--data-urlencode", "query=ASK {}",
                           endpoint], check=True, capture_output=True, text=True, timeout=30).stdout
    assert "werkzeug" not in head.lower() and "\nserver:" not in head.lower()
    site = endpoint.rsplit("/sparql", 1)[0]
    for path in ("/claim/%00", "/claim/a%20b", "/agent/x%3Cy"):
        status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", site + path],
                                capture_output=True, text=True, timeout=30).stdout
        assert status == "404", path


def _raw(endpoint: str, request: bytes) -> tuple[str, dict[str, str]]:
    """Send ``request`` as is; the status line and headers of the answer."""
    host, port = endpoint.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in head[1:] if ":" in line}
    return head[0], headers


@pytest.mark.parametrize("request_bytes,status", [
    (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "431"),  # over SERVER_MAX_HEADER_BYTES
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n", "431"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", "400"),  # malformed
])
def test_waitress_own_errors_carry_the_security_headers(endpoint, request_bytes, status):
    """Answers waitress makes itself, before the app sees the request (server/serving.py)."""
    from factgraph.server.security import HEADERS

    line, headers = _raw(endpoint, request_bytes)
    assert line.split()[1] == status, line
    for name, value in HEADERS.items():
        assert headers[name.lower()] == value
