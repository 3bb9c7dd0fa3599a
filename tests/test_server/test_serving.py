"""``server/serving.py``'s changes to waitress: a lookup answered on its I/O thread from the
bytes read (``InlineAnswers``), and the head and body written together (``OneSendTask``).
Every answer must be byte for byte what waitress and Flask give (the ``Date`` aside); no
assertion here is about how long something takes."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.parse
from types import SimpleNamespace

import pytest
from rdflib import Graph, Literal, URIRef
from waitress.adjustments import Adjustments
from waitress.task import WSGITask

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app
from factgraph.server.serving import InlineAnswers, make_server

EX = "http://example.org/"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{EX}s1> ?p ?o }}"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = EmbeddedStore(tmp_path_factory.mktemp("store"))
    g = Graph()
    for i in range(5):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "q"), Literal(f"label \u00e9 {i}", lang="fr")))
    for i in range(30):
        g.add((URIRef(f"{EX}m{i}"), URIRef(EX + "in"), URIRef(EX + "hub")))
    s.replace_graph(URIRef(EX + "g"), g)
    yield s
    s.close()


@pytest.fixture(scope="module")
def served(store):
    """``make_server`` (``factgraph serve``'s waitress) on a free port in a thread; the app's
    inline answerer counted, to tell which way each request went."""
    app = create_app({"BASE": "http://127.0.0.1:5000/"}, store=store)
    answerer = app.extensions["factgraph.inline"]
    calls: list[int] = []

    def counted(environ):
        answer = answerer(environ)
        calls.append(answer is not None)
        return answer

    app.extensions["factgraph.inline"] = counted
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield SimpleNamespace(port=server.effective_port, calls=calls, dispatcher=server.task_dispatcher)
    server.close()


def request(query: str, accept: str = "application/sparql-results+json", extra: str = "", path: str = "/sparql") -> bytes:
    target = f"{path}?" + urllib.parse.urlencode({"query": query})
    return f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\n{extra}\r\n".encode("ascii")


def answers(port: int, data: bytes, count: int = 1) -> list[bytes]:
    """Send ``data`` on one connection; ``count`` whole answers (their ``Date`` masked)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        buf, out = b"", []
        while len(out) < count:
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(65536)
                assert chunk, buf
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            found = re.search(rb"\r\nContent-Length: (\d+)", head)
            length = int(found.group(1)) if found else 0
            while len(rest) < length:
                rest += sock.recv(65536)
            out.append(re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", head) + b"\r\n\r\n" + rest[:length])
            buf = rest[length:]
    return out


def quiet(served) -> None:
    """No request waiting for a request thread (and the last answer's thread back to
    waiting): what ``InlineAnswers`` waits for."""
    deadline = time.monotonic() + 10
    while (served.dispatcher.active_count > 0 or served.dispatcher.queue) and time.monotonic() < deadline:
        time.sleep(0.001)


@pytest.mark.parametrize("query,accept", [
    (LOOKUP, "application/sparql-results+json"),
    (LOOKUP, "application/sparql-results+xml"),
    (LOOKUP, "text/csv"),
    (f"SELECT ?s WHERE {{ ?s <{EX}in> <{EX}hub> }}", "application/sparql-results+json"),
    (f"ASK {{ <{EX}s1> ?p ?o }}", "application/sparql-results+json"),
    (f"SELECT ?o WHERE {{ <{EX}nothing> ?p ?o }}", "*/*"),
])
def test_an_inline_answer_is_the_bytes_waitress_and_flask_give(served, query, accept):
    """The same lookup answered on the I/O thread, and through waitress' parser, a request
    thread and the WSGI app (a header the inline way leaves to waitress sends it there)."""
    quiet(served)
    served.calls.clear()
    inline = answers(served.port, request(query, accept))
    assert served.calls == [True]
    for extra in ("Connection: keep-alive\r\n", "X_Other: 1\r\n"):
        quiet(served)
        assert answers(served.port, request(query, accept, extra)) == inline
    assert served.calls == [True]  # neither of those reached the inline answerer
    assert inline[0].startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nX-Content-Type-Options: nosniff" in inline[0]


def test_requests_on_one_connection_and_pipelined(served):
    """Answers in order, whichever way each goes: one after the other on a kept-alive
    connection, and several sent at once (pipelined: waitress parses those)."""
    one, other = request(LOOKUP), request(f"SELECT ?o WHERE {{ <{EX}s2> <{EX}q> ?o }}")
    quiet(served)
    first = answers(served.port, one)[0]
    second = answers(served.port, other)[0]
    assert first != second
    quiet(served)
    assert answers(served.port, one + other + one, count=3) == [first, second, first]
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        for data, expected in ((one, first), (other, second), (one, first)):
            sock.sendall(data)
            got = b""
            while len(got) < len(expected):
                got += sock.recv(65536)
            assert re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", got) == expected


def test_connections_at_once_get_their_own_answers_inline(served):
    """Several connections sending lookups at once, while another request is being answered
    by a request thread and a query worker: each connection gets its own answers, in order,
    the bytes of one at a time, and the lookups are answered on the I/O thread."""
    queries = [f"SELECT ?p ?o WHERE {{ <{EX}s{i}> ?p ?o }}" for i in range(5)]
    quiet(served)
    expected = [answers(served.port, request(q))[0] for q in queries]
    assert len(set(expected)) == len(queries)
    quiet(served)
    served.calls.clear()
    results: dict[int, list[bytes]] = {}
    start = threading.Barrier(len(queries) + 1)

    def client(i: int) -> None:
        with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
            start.wait()
            got = []
            for _ in range(20):
                sock.sendall(request(queries[i]))
                buf = b""
                while len(buf) < len(expected[i]):
                    chunk = sock.recv(65536)
                    assert chunk, buf
                    buf += chunk
                got.append(re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", buf))
            results[i] = got

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(queries))]
    for t in threads:
        t.start()
    start.wait()
    (count,) = answers(served.port, request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))  # a worker's
    for t in threads:
        t.join(60)
    assert count.startswith(b"HTTP/1.1 200 OK") and b'"n"' in count
    assert results == {i: [expected[i]] * 20 for i in range(len(queries))}
    # answered inline, but for any that came while the count waited in waitress' queue for a
    # request thread (a moment: those go to waitress and never reach the answerer)
    assert served.calls.count(True) >= 20 * len(queries) // 2
    assert False in served.calls  # the count was asked, declined and answered by a worker


def test_what_is_not_a_lookup_goes_to_waitress_and_flask(served):
    quiet(served)
    served.calls.clear()
    (resp,) = answers(served.port, request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert resp.startswith(b"HTTP/1.1 200 OK") and b'"n"' in resp
    assert served.calls == [False]  # asked, declined: a worker answered
    quiet(served)
    (bad,) = answers(served.port, request("SELECT ?o WHERE { <s1> ?p }"))  # not even a query
    assert bad.startswith(b"HTTP/1.1 400 ")
    quiet(served)
    (options,) = answers(served.port, b"OPTIONS /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
    assert options.startswith(b"HTTP/1.1 204 ") and b"Access-Control-Allow-Methods" in options


@pytest.mark.parametrize("data", [
    b"GET /sparql?query=x HTTP/1.0\r\nHost: x\r\n\r\n",  # HTTP/1.0: its own connection rules
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"GET /sparql?query=x HTTP/1.1\r\nHost: x\r\n",  # not whole yet
    b"GET /sparql?query=x HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n",  # pipelined
    b"GET /sparql?query=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /sparql?query=x HTTP/1.1\r\nAccept: a\r\nAccept: b\r\n\r\n",  # waitress joins them
    b"GET /sparql?query=x HTTP/1.1\r\nHost : x\r\n\r\n",  # waitress answers 400
    b"GET /sparql?query=x HTTP/1.1\r\nX_Y: 1\r\n\r\n",  # waitress drops it
    b"GET /sparql?query=x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"GET /sparql?query=x#f HTTP/1.1\r\n\r\n",
    b"GET http://x/sparql?query=x HTTP/1.1\r\n\r\n",
    b"GET /sparql?query=x  HTTP/1.1\r\n\r\n",
    b"GET /sparql?query=\xe9 HTTP/1.1\r\n\r\n",
])
def test_only_plain_requests_are_taken_from_waitress(data):
    assert InlineAnswers.plain_request(data) is None


def test_a_plain_request():
    data = b"GET /sparql?query=ASK%7B%7D&format=json HTTP/1.1\r\nHost: x\r\nAccept:  text/csv \r\nUser-Agent: t\r\n\r\n"
    assert InlineAnswers.plain_request(data) == {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=ASK%7B%7D&format=json",
        "HTTP_ACCEPT": "text/csv",
    }
    assert "HTTP_ACCEPT" not in InlineAnswers.plain_request(b"GET /sparql HTTP/1.1\r\n\r\n")


def test_the_head_is_waitress_own():
    """``InlineAnswers.head`` against waitress' ``Task.build_response_header``."""
    headers = [("Content-Type", "application/sparql-results+json"), ("Content-Length", "12"), ("Vary", "Accept"),
               ("Access-Control-Expose-Headers", "X-SPARQL-MaxRows"), ("x-lower-case", "1"), ("Referrer-Policy", "a")]
    now = 1_800_000_000.5
    channel = SimpleNamespace(server=SimpleNamespace(adj=Adjustments(ident="")))
    task = WSGITask(channel, SimpleNamespace(version="1.1", headers={}))
    task.response_headers, task.start_time, task.complete = list(headers), now, True
    assert InlineAnswers.head("200 OK", headers, now) == task.build_response_header()


class _Channel:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write_soon(self, data: bytes) -> None:
        self.written.append(data)


def test_clients_at_once_are_answered_here_unless_requests_wait_for_a_thread():
    """Requests of several connections at once, and while a request thread works, are
    answered here; a request is left to waitress while others wait in its queue for a
    request thread (it would pass them)."""
    dispatcher = SimpleNamespace(queue=[], active_count=0)
    inline = InlineAnswers(SimpleNamespace(task_dispatcher=dispatcher),
                           lambda environ: ("200 OK", [("Content-Length", "2")], b"ok"))
    a, b = _Channel(), _Channel()
    data = b"GET /sparql?query=x HTTP/1.1\r\n\r\n"
    assert inline.answer(a, data, 100.0)
    assert inline.answer(b, data, 100.0001)  # another connection at once
    assert inline.answer(a, data, 100.0002)
    dispatcher.active_count = 1  # a request thread works (a page, a query in a worker)
    assert inline.answer(a, data, 101.0)
    dispatcher.queue = [object()]  # a request waits for a thread
    assert not inline.answer(b, data, 102.0)
    assert not inline.answer(a, data, 102.0)
    dispatcher.queue = []
    assert inline.answer(b, data, 103.0)
    assert len(a.written) == 3 and a.written[0].endswith(b"\r\n\r\nok")
