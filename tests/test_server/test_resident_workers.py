"""``/sparql`` answered by resident workers (``worker.ResidentPool``): forked once and
reused, replaced after a write to the store (a forked child sees the store as it was at
fork time), when killed, timed out or out of memory; the pool's limits still hold. No
assertion here is about how long something takes."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest
from rdflib import Graph, Literal, URIRef

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app
from factgraph.server.query_pool import get_resident_pool

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
DIGITS = "{ " + " ".join(str(i) for i in range(10)) + " }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {DIGITS}" for i in range(10)) + " }"
HUNGRY = "SELECT * WHERE { " + " ".join(f"VALUES ?v{i} {DIGITS}" for i in range(7)) + " } ORDER BY DESC(?v0) LIMIT 1"


@pytest.fixture()
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "store")  # on disk: the workers fork with RocksDB open
    g = Graph()
    for i in range(5):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
    s.replace_graph(URIRef(EX + "g"), g)
    yield s
    s.close()


def make_app(store, **config):
    return create_app({"TESTING": True, **config}, store=store)


def count(client) -> int:
    resp = client.get("/sparql", query_string={"query": COUNT}, headers=JSON)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return int(json.loads(resp.get_data())["results"]["bindings"][0]["n"]["value"])


def idle_workers(app) -> list[int]:
    with app.app_context():
        return get_resident_pool().workers()


def test_a_worker_is_reused_while_the_store_is_unchanged(store):
    app = make_app(store)
    client = app.test_client()
    assert count(client) == 5
    first = idle_workers(app)
    assert len(first) == 1
    assert count(client) == 5
    assert idle_workers(app) == first  # the same process answered again


def test_a_query_after_a_write_sees_it_in_a_new_worker(store):
    app = make_app(store)
    client = app.test_client()
    assert count(client) == 5
    before = idle_workers(app)
    store.update(f"INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}new> <{EX}p> 42 }} }}")  # as /store/update does
    assert count(client) == 6
    after = idle_workers(app)
    assert after and not set(after) & set(before)  # the worker forked before the write was replaced
    assert all(not _alive(pid) for pid in before)


def test_a_killed_worker_is_replaced(store):
    app = make_app(store)
    client = app.test_client()
    assert count(client) == 5
    (pid,) = idle_workers(app)
    os.kill(pid, signal.SIGKILL)
    _wait_dead(pid)
    assert count(client) == 5  # answered by a new worker, not an error
    assert pid not in idle_workers(app)


def test_a_timed_out_or_oversized_query_loses_its_worker_and_the_next_is_answered(store):
    app = make_app(store, QUERY_TIMEOUT=1.0, QUERY_MEMORY_MB=64)
    client = app.test_client()
    assert count(client) == 5
    (pid,) = idle_workers(app)
    resp = client.get("/sparql", query_string={"query": SLOW})
    assert resp.status_code == 503 and "QUERY_TIMEOUT" in resp.get_data(as_text=True)
    assert resp.headers["Retry-After"]
    assert not _alive(pid)
    assert count(client) == 5
    (pid,) = idle_workers(app)
    app.config["QUERY_TIMEOUT"] = 60
    resp = client.get("/sparql", query_string={"query": HUNGRY})
    assert resp.status_code == 503 and "QUERY_MEMORY_MB" in resp.get_data(as_text=True)
    assert not _alive(pid)
    assert count(client) == 5


def test_a_failing_query_keeps_its_worker(store):
    app = make_app(store)
    client = app.test_client()
    assert count(client) == 5
    first = idle_workers(app)
    resp = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert resp.status_code == 400
    assert count(client) == 5
    assert idle_workers(app) == first


def test_the_lane_cap_and_the_queue_still_hold(store):
    """SPARQL_WORKERS = 1 and no queue: while one query runs, the next is a 503 at once;
    no more resident workers than SPARQL_WORKERS are kept."""
    app = make_app(store, QUERY_WORKERS=2, SPARQL_WORKERS=1, QUERY_QUEUE=0, QUERY_TIMEOUT=3.0)
    statuses: list[int] = []

    def slow():
        statuses.append(app.test_client().get("/sparql", query_string={"query": SLOW}).status_code)

    t = threading.Thread(target=slow)
    t.start()
    deadline = time.monotonic() + 30
    busy = None
    while time.monotonic() < deadline:
        resp = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
        if resp.status_code == 503:
            busy = resp
            break
        time.sleep(0.05)
    t.join()
    assert busy is not None and "QUERY_QUEUE" in busy.get_data(as_text=True) and busy.headers["Retry-After"]
    assert statuses == [503]  # the slow one hit QUERY_TIMEOUT
    assert app.test_client().get("/", headers={"Accept": "text/html"}).status_code == 200  # pages still served
    for _ in range(3):
        assert count(app.test_client()) == 5
    assert len(idle_workers(app)) <= 1


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_dead(pid: int) -> None:
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


# -- pages ------------------------------------------------------------------------------------


def page_workers(app) -> list[int]:
    with app.app_context():
        return get_resident_pool("site").workers()


def test_pages_are_rendered_by_a_resident_worker_until_the_store_changes(store):
    """A page's view runs in a resident worker of the site's lane (``bounded_views``): the
    same process renders the next page (no fork per page), and a worker forked before a
    write is replaced, so the page shows the write."""
    app = make_app(store, RESPONSE_CACHE_MB=0)  # every request reaches a worker
    client = app.test_client()
    first = client.get("/search?q=zzzneverthere", headers={"Accept": "text/html"})
    assert first.status_code == 200
    workers = page_workers(app)
    assert len(workers) == 1
    again = client.get("/search?q=other", headers={"Accept": "text/html"})
    assert again.status_code == 200 and "other" in again.get_data(as_text=True)  # its own request, not the first's
    assert page_workers(app) == workers
    store.update(f'INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}new> <{EX}p> 42 }} }}')
    assert client.get("/search?q=x", headers={"Accept": "text/html"}).status_code == 200
    assert page_workers(app) and not set(page_workers(app)) & set(workers)
    assert all(not _alive(pid) for pid in workers)


def test_a_page_in_a_resident_worker_keeps_its_language_and_its_errors(store):
    app = make_app(store, RESPONSE_CACHE_MB=0)
    client = app.test_client()
    fr = client.get("/search?q=x&lang=fr", headers={"Accept": "text/html"})
    en = client.get("/search?q=x", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert '<html lang="fr"' in fr.get_data(as_text=True)
    assert '<html lang="en"' in en.get_data(as_text=True)
    assert client.get("/claim/none/1.html").status_code == 404  # abort(404) in the worker
    assert page_workers(app)  # the worker that said 404 is kept
