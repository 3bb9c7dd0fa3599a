"""No request runs unbounded (issue #13, "Anyone can take the site down"): every query
runs in a worker process of a bounded pool (``query_pool.py``, ``worker.py``) under
``QUERY_TIMEOUT`` and ``QUERY_MEMORY_MB``; a request that finds no free worker within the
queue's bounds, or whose query hits a limit, gets a 503 with ``Retry-After``; workers die
with the server. No assertion here is about how long something takes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app
from factgraph.server.pages import home
from factgraph.server.query_pool import SITE, SPARQL, QueryPool, Unavailable, get_pool
from factgraph.server.worker import OutOfMemory, WorkerError, run_isolated

from .conftest import free_port

EX = "http://example.org/"
DIGITS = "{ " + " ".join(str(i) for i in range(10)) + " }"
# a cross product of VALUES: 10^10 rows counted (CPU, constant memory) ...
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {DIGITS}" for i in range(10)) + " }"
# ... and 10^7 rows sorted (memory grows by hundreds of MB a second)
HUNGRY = "SELECT * WHERE { " + " ".join(f"VALUES ?v{i} {DIGITS}" for i in range(7)) + " } ORDER BY DESC(?v0) LIMIT 1"
PLAIN = {"Accept": "text/plain"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def small_store(path: Path) -> EmbeddedStore:
    s = EmbeddedStore(path)
    g = Graph()
    for i in range(20):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
    s.replace_graph(URIRef(EX + "g"), g)
    return s


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = small_store(tmp_path_factory.mktemp("store"))  # on disk: the worker forks with RocksDB open
    yield s
    s.close()


def make_app(store, **config):
    return create_app({"TESTING": True, **config}, store=store)


# -- the pool ----------------------------------------------------------------------------


def test_pool_refuses_at_once_when_the_queue_is_full():
    pool = QueryPool(workers=1, queue=0, wait=60)
    with pool.slot(), pytest.raises(Unavailable) as err, pool.slot():
        pass
    assert "QUERY_QUEUE" in err.value.message and err.value.retry_after >= 1


def test_pool_refuses_when_the_wait_is_over():
    pool = QueryPool(workers=1, queue=4, wait=0.05)
    with pool.slot(), pytest.raises(Unavailable) as err, pool.slot():
        pass
    assert "QUERY_QUEUE_WAIT" in err.value.message
    assert pool.waiting == 0 and pool.running[SITE] == 0  # all given back


def test_a_waiting_request_gets_the_slot_that_is_freed():
    pool = QueryPool(workers=1, queue=4, wait=60)
    got = threading.Event()

    def take() -> None:
        with pool.slot():
            got.set()

    with pool.slot():
        waiter = threading.Thread(target=take)
        waiter.start()
        while pool.waiting == 0:
            time.sleep(0.01)
        assert not got.is_set()
    waiter.join()
    assert got.is_set()


def test_a_lane_holds_at_most_its_share():
    pool = QueryPool(workers=2, queue=0, wait=0, lanes={SPARQL: 1})
    with pool.slot(SPARQL):
        with pytest.raises(Unavailable), pool.slot(SPARQL):
            pass
        with pool.slot(SITE):  # the site still has its slot
            pass


# -- the worker --------------------------------------------------------------------------


def _allocate(mb: int) -> int:
    return len(bytearray(mb * 2**20))


def test_a_worker_over_its_memory_cap_is_out_of_memory():
    with pytest.raises(OutOfMemory):
        run_isolated(_allocate, 256, timeout=60, memory_mb=64)
    assert run_isolated(_allocate, 16, timeout=60, memory_mb=64) == 16 * 2**20


def _fails(message: str) -> None:
    raise RuntimeError(message)


def test_an_allocation_failure_reported_as_another_error_is_out_of_memory():
    # Oxigraph may panic, or RocksDB fail with ENOMEM, rather than abort
    with pytest.raises(OutOfMemory):
        run_isolated(_fails, "memory allocation of 64 bytes failed", timeout=60, memory_mb=64)
    with pytest.raises(WorkerError):
        run_isolated(_fails, "something else", timeout=60, memory_mb=64)


# -- HTTP: 503 with Retry-After, one line or a page ---------------------------------------


def test_sparql_over_the_memory_cap_is_a_one_line_503(store):
    client = make_app(store, QUERY_MEMORY_MB=64, QUERY_TIMEOUT=120).test_client()
    resp = client.get("/sparql", query_string={"query": HUNGRY})
    assert resp.status_code == 503
    body = resp.get_data(as_text=True)
    assert "QUERY_MEMORY_MB" in body and body.count("\n") == 1
    assert int(resp.headers["Retry-After"]) >= 1


def test_sparql_past_the_time_limit_is_a_one_line_503(store):
    client = make_app(store, QUERY_TIMEOUT=0.5).test_client()
    resp = client.get("/sparql", query_string={"query": SLOW}, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 503
    assert "QUERY_TIMEOUT" in resp.get_data(as_text=True)
    assert resp.mimetype == "text/plain" and resp.headers["Retry-After"]


def test_a_page_past_the_time_limit_is_an_html_503(store, monkeypatch):
    def stuck(*args, **kwargs):
        time.sleep(120)

    monkeypatch.setattr(home, "rows", stuck)  # the worker forks with this in place
    client = make_app(store, QUERY_TIMEOUT=0.5).test_client()
    resp = client.get("/", headers=BROWSER)
    assert resp.status_code == 503
    assert resp.mimetype == "text/html" and "QUERY_TIMEOUT" in resp.get_data(as_text=True)
    assert resp.headers["Retry-After"] and resp.headers["Content-Security-Policy"]


def test_search_runs_under_the_time_limit(store, monkeypatch):
    monkeypatch.setattr(home, "rows", lambda *a, **k: time.sleep(120))
    monkeypatch.setattr(home, "paged_rows", lambda *a, **k: time.sleep(120))
    client = make_app(store, QUERY_TIMEOUT=0.5).test_client()
    assert client.get("/search?q=zzznotfound").status_code == 503


def test_no_free_worker_is_a_503_for_pages_and_queries(store):
    app = make_app(store, QUERY_WORKERS=1, QUERY_QUEUE=0)
    client = app.test_client()
    with app.app_context():
        pool = get_pool()
    with pool.slot():
        page = client.get("/", headers=BROWSER)
        stored = client.get("/queries/claims_by_place", query_string={"format": "json", "place": EX + "p"})
        sparql = client.get("/sparql", query_string={"query": "ASK {}"}, headers=PLAIN)
    assert [r.status_code for r in (page, stored, sparql)] == [503, 503, 503]
    assert page.mimetype == "text/html"
    assert sparql.get_data(as_text=True).count("\n") == 1 and sparql.headers["Retry-After"]
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # freed


def test_busy_sparql_workers_leave_the_pages_served(store):
    app = make_app(store, QUERY_WORKERS=2, SPARQL_WORKERS=1, QUERY_QUEUE=0)
    client = app.test_client()
    with app.app_context():
        pool = get_pool()
    with pool.slot(SPARQL):
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 503
        assert client.get("/").status_code == 200


# -- workers die with the server -----------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_killing_the_server_kills_its_query_workers(tmp_path, seed_dir):
    # a store of its own (the server locks it), with articles: on an empty one serve would
    # first ingest the built-in corpus in its fresh interpreter
    store = seed_dir(tmp_path / "store")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "factgraph", "serve", "--store", str(store), "--host", "127.0.0.1",
         "--port", str(port)],
        env={**os.environ, "FACTGRAPH_QUERY_TIMEOUT": "300"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": SLOW})
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):  # waitress listens once the app is built: no request before
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        workers: list[int] = []
        while not workers and time.monotonic() < deadline:
            threading.Thread(target=lambda: _quietly(url), daemon=True).start()
            for _ in range(20):  # the slow query's worker, looked for every 0.1 s, for 2 s
                time.sleep(0.1)
                workers = _children(proc.pid)
                if workers:
                    break
        assert workers, "the slow query never reached a worker"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def _listening(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _quietly(url: str) -> None:
    try:
        urllib.request.urlopen(url, timeout=300).read()
    except OSError:
        pass
