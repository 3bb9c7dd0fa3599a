"""The values kept per version of the data, read ahead (``server/read_ahead.py``): after a
reading, the conflict report's first view finds its keys, filter choices and the article
graphs in the serving process (its worker computes none of them again) and is the page a
first reader gets without it; the thread reads again once a write has changed the data.
No assertion here is about how long something takes."""

from __future__ import annotations

import os
import time

import pytest

from factgraph.graph import paging
from factgraph.graph.pipeline import builtin_corpus, ingest
from factgraph.graph.store import EmbeddedStore
from factgraph.server import read_ahead
from factgraph.server.app import create_app
from factgraph.server.conflicts import REPORT_CACHE
from factgraph.server.current_store import get_store
from factgraph.server.query_pool import SITE, get_resident_pool

BASE = "http://127.0.0.1:5000/"
KEPT = (REPORT_CACHE, "factgraph.cache.conflict_facets", "factgraph.cache.article_graphs")


@pytest.fixture()
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "store")  # on disk: pages render in resident workers, as served
    ingest(s, builtin_corpus())
    yield s
    s.close()


def make_app(store, **config):
    return create_app({"TESTING": True, "BASE": BASE, "RESPONSE_CACHE_MB": 0, **config}, store=store)


def version(app) -> tuple:
    with app.app_context():
        return paging.data_version(get_store())


def test_a_reading_keeps_what_the_report_reads(store):
    app = make_app(store)
    assert not any(k in app.extensions for k in KEPT)
    read_ahead.read_ahead(app)
    kept = {k: app.extensions[k] for k in KEPT}
    assert all(v[0] == version(app) for v in kept.values())
    assert kept[REPORT_CACHE][1]["keys"], "the seed article has conflicts"
    assert kept["factgraph.cache.conflict_facets"][1]["claimant"]
    page = app.test_client().get("/conflicts")
    assert page.status_code == 200
    # the page's worker found every value: nothing new was handed back to replace them
    assert all(app.extensions[k] is v for k, v in kept.items())
    fresh = make_app(store).test_client().get("/conflicts")  # a first reader without a reading
    assert fresh.get_data() == page.get_data()
    assert app.test_client().get("/conflicts?kind=tension").get_data() == (
        make_app(store).test_client().get("/conflicts?kind=tension").get_data()
    )


def test_the_thread_reads_at_the_start_and_after_a_write(store):
    app = make_app(store, READ_AHEAD_QUIET=0.1)
    thread = read_ahead.ReadAhead(app, poll=0.05)
    thread.start()
    try:
        assert thread.done.wait(60)
        before = version(app)
        assert app.extensions[REPORT_CACHE][0] == before
        thread.done.clear()
        ingest(store, builtin_corpus())  # the article again: a refresh renews the version
        after = version(app)
        assert after != before
        deadline = time.monotonic() + 60  # the ingest writes more than once: a reading may fall between
        while app.extensions[REPORT_CACHE][0] != after and time.monotonic() < deadline:
            thread.done.wait(0.5)
        assert app.extensions[REPORT_CACHE][0] == after
        assert app.extensions["factgraph.cache.conflict_facets"][0] == after
        assert thread.readings >= 2
    finally:
        thread.stop()
        thread.join(10)


def test_off(store):
    assert read_ahead.start(make_app(store, READ_AHEAD=0)) is None


def _priority_view():
    """A stand-in for ``kept_values``: hands back its worker's priority and pid."""
    from flask import Response, current_app

    current_app.extensions["factgraph.cache.priority"] = (os.getpriority(os.PRIO_PROCESS, 0), os.getpid())
    return Response(status=204)


def test_its_worker_runs_at_a_lower_priority_and_is_not_kept(store, monkeypatch):
    """The reading runs in a child of its own, its priority lowered by ``READ_AHEAD_NICE``
    (a resident worker, reused by pages after it, could not get its priority back)."""
    monkeypatch.setattr(read_ahead, "kept_values", _priority_view)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    app = make_app(store, READ_AHEAD_NICE=7)
    read_ahead.read_ahead(app)
    priority, pid = app.extensions["factgraph.cache.priority"]
    assert priority == min(19, ours + 7)
    with app.app_context():
        assert pid not in get_resident_pool(SITE).workers()
    app = make_app(store, READ_AHEAD_NICE=0)
    read_ahead.read_ahead(app)
    assert app.extensions["factgraph.cache.priority"][0] == ours
