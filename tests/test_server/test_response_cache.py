"""Answers kept until the store changes (``server/response_cache.py``): an anonymous GET of
a read-only route is answered again from memory, with an ETag; a write to the store makes
the next answer new; cookies, credentials, ``/sparql`` and stores without a version are
never served from it; concurrent requests for one key compute it once. No assertion here
is about time."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from rdflib import Dataset

from factgraph.graph.store import EmbeddedStore
from factgraph.server import response_cache
from factgraph.server.app import create_app
from factgraph.server.response_cache import Entry, ResponseCache

FIXTURE = Path(__file__).resolve().parent.parent / "pages_fixture.trig"
BASE = "http://127.0.0.1:5000/"
CLAIM_PAGE = "/claim/seed/84.html"


@pytest.fixture
def disk_store(tmp_path):
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    store = EmbeddedStore(tmp_path / "store")
    store.add_quads(ds.quads((None, None, None, None)))
    yield store
    store.close()


def client_of(store, **config):
    return create_app({"TESTING": True, "BASE": BASE, **config}, store=store).test_client()


def test_a_second_anonymous_get_is_the_kept_answer_with_an_etag(disk_store):
    client = client_of(disk_store)
    first = client.get(CLAIM_PAGE)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    second = client.get(CLAIM_PAGE)
    assert second.headers["X-Cache"] == "hit"
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    # the security headers are on the kept answer too
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
    assert second.headers["Cache-Control"] == "no-cache"


def test_a_matching_if_none_match_gets_304_without_a_body(disk_store):
    client = client_of(disk_store)
    etag = client.get(CLAIM_PAGE).headers["ETag"]
    again = client.get(CLAIM_PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get(CLAIM_PAGE, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data


def test_variants_are_kept_apart(disk_store):
    client = client_of(disk_store)
    en = client.get(CLAIM_PAGE, headers={"Accept-Language": "en"})
    fr = client.get(CLAIM_PAGE, headers={"Accept-Language": "fr"})
    assert fr.headers["X-Cache"] == "miss" and en.data != fr.data
    assert client.get(CLAIM_PAGE, headers={"Accept-Language": "fr"}).data == fr.data
    ttl = client.get("/claim/seed/84", headers={"Accept": "text/turtle"}, follow_redirects=True)
    html = client.get("/claim/seed/84", headers={"Accept": "text/html"}, follow_redirects=True)
    assert ttl.headers["Content-Type"].startswith("text/turtle"), (ttl.status_code, ttl.data[:300])
    assert html.headers["Content-Type"].startswith("text/html")


def test_a_write_to_the_store_makes_the_next_answer_new(disk_store):
    client = client_of(disk_store)
    client.get("/search?q=zzzword")
    assert client.get("/search?q=zzzword").headers["X-Cache"] == "hit"
    client.get(CLAIM_PAGE)
    assert b"zzzword" not in client.get("/claim/seed/84.ttl").data
    assert client.get("/claim/seed/84.ttl").headers["X-Cache"] == "hit"
    disk_store.update(
        "PREFIX fg: <https://w3id.org/factgraph/ontology#> "
        f"INSERT DATA {{ GRAPH <{BASE}graph/seed> {{ <{BASE}claim/seed/84> fg:quote \"zzzword\" }} }}"
    )
    assert client.get(CLAIM_PAGE).headers["X-Cache"] == "miss"
    assert client.get("/search?q=zzzword").headers["X-Cache"] == "miss"
    data = client.get("/claim/seed/84.ttl")
    assert data.headers["X-Cache"] == "miss" and b"zzzword" in data.data


def test_what_is_never_served_from_memory(disk_store):
    client = client_of(disk_store)
    client.get(CLAIM_PAGE)
    # a visitor with a cookie (a reviewer's session) or credentials gets their own answer
    assert "X-Cache" not in client.get(CLAIM_PAGE, headers={"Authorization": "Bearer x"}).headers
    with_cookie = client_of(disk_store)
    with_cookie.set_cookie("session", "x")
    assert "X-Cache" not in with_cookie.get(CLAIM_PAGE).headers
    # a user's SPARQL query is answered by the engine every time
    q = "/sparql?query=" + "ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    client.get(q, headers={"Accept": "application/sparql-results+json"})
    assert "X-Cache" not in client.get(q, headers={"Accept": "application/sparql-results+json"}).headers


def test_errors_other_than_404_are_not_kept(disk_store):
    client = client_of(disk_store)
    bad = client.get("/conflicts.json?kind=x>y")
    assert bad.status_code == 400
    assert "X-Cache" not in client.get("/conflicts.json?kind=x>y").headers
    missing = client.get("/claim/nope/1.html")
    assert missing.status_code == 404
    assert client.get("/claim/nope/1.html").headers["X-Cache"] == "hit"


def test_a_store_without_a_version_is_cached_only_with_a_ttl():
    memory = EmbeddedStore(None)  # tests and programs change it behind the app's back
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    memory.add_quads(ds.quads((None, None, None, None)))
    client = client_of(memory)
    client.get(CLAIM_PAGE)
    assert "X-Cache" not in client.get(CLAIM_PAGE).headers
    with_ttl = client_of(memory, RESPONSE_CACHE_TTL=60)
    with_ttl.get(CLAIM_PAGE)
    assert with_ttl.get(CLAIM_PAGE).headers["X-Cache"] == "hit"
    off = client_of(memory, RESPONSE_CACHE_TTL=60, RESPONSE_CACHE_MB=0)
    off.get(CLAIM_PAGE)
    assert "X-Cache" not in off.get(CLAIM_PAGE).headers


def test_concurrent_requests_for_one_key_compute_it_once(disk_store, monkeypatch):
    app = create_app({"TESTING": True, "BASE": BASE}, store=disk_store)
    calls = []

    @app.route("/slow-test-page")
    def slow_test_page():
        calls.append(1)
        time.sleep(0.3)  # long enough for the others to arrive while it runs
        return "the same for everyone"

    monkeypatch.setattr(response_cache, "CACHEABLE", response_cache.CACHEABLE | {"slow_test_page"})
    bodies: list[bytes] = []

    def visit():
        bodies.append(app.test_client().get("/slow-test-page").data)

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bodies == [b"the same for everyone"] * 8
    assert len(calls) == 1
    stats = app.extensions["factgraph.response_cache"].stats
    assert stats.waits + stats.hits == 7


def test_the_cache_stays_within_its_size_and_forgets_the_oldest():
    small = Entry(200, [("Content-Type", "text/plain")], bytes(100), 0.0)
    assert small.cost > 100  # headers and overhead count too, not the body alone
    cache = ResponseCache(max_bytes=small.cost * 10)
    for i in range(50):
        assert cache.put(None, i, Entry(200, [("Content-Type", "text/plain")], bytes(100), 0.0))
        assert cache.size <= cache.max_bytes
    assert cache.get(None, 0) is None and cache.get(None, 49) is not None
    assert len(cache.entries) == 10 and cache.stats.evicted == 40
    big = Entry(200, [], bytes(cache.max_bytes // 8), 0.0)
    assert not cache.put(None, "big", big)  # over an eighth: not kept


def test_an_answer_computed_before_a_write_is_not_kept_after_it():
    cache = ResponseCache(max_bytes=10000)
    assert cache.get("v1", "k") is None
    assert cache.get("v2", "other") is None  # the store changed meanwhile
    assert not cache.put("v1", "k", Entry(200, [], b"old", 0.0))
    assert cache.get("v2", "k") is None


def test_the_ttl_expires_answers():
    cache = ResponseCache(max_bytes=10000, ttl=0.05)
    cache.put(None, "k", Entry(200, [], b"x", time.monotonic() - 1))
    assert cache.get(None, "k") is None
    cache.put(None, "k", Entry(200, [], b"x", time.monotonic()))
    assert cache.get(None, "k") is not None
