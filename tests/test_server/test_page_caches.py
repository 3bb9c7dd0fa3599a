"""The per-data-version row cache of the pages (``rendering.cached_rows``) is bounded:
without a bound, a site serving 10 000 sources and places keeps the rows of every one it
was asked about until the data changes (issue #13: the server's memory stays flat)."""

from __future__ import annotations

from rdflib import Dataset, URIRef

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app
from factgraph.server.pages import rendering


def test_bounded_forgets_the_oldest_entries_first():
    entries = {("a", ()): [1] * 4, ("b", ()): [1] * 3, ("c", ()): [1] * 5}
    kept = rendering._bounded(dict(entries), 8)
    assert list(kept) == [("b", ()), ("c", ())]
    assert rendering._bounded(dict(entries), 12) == entries


def test_bounded_keeps_the_newest_even_alone_over_the_limit():
    kept = rendering._bounded({("a", ()): [1], ("big", ()): [1] * 20}, 5)
    assert list(kept) == [("big", ())]


class _Row(dict):
    @property
    def labels(self):
        return list(self)


def test_cached_rows_stays_within_its_limit_and_answers_right(tmp_path, monkeypatch):
    store = EmbeddedStore(tmp_path / "store")
    store.add_quads(Dataset().quads((None, None, None, None)))
    app = create_app({"TESTING": True, "BASE": "http://127.0.0.1:5000/"}, store=store)
    asked: list[str] = []

    def rows(name, **bindings):
        asked.append(str(bindings["iri"]))
        return [_Row({"n": i, "key": str(bindings["iri"])}) for i in range(10)]

    monkeypatch.setattr(rendering, "rows", rows)
    monkeypatch.setattr(rendering, "CACHED_ROWS_LIMIT", 35)

    for i in range(10):
        with app.test_request_context("/"):
            found = rendering.cached_rows("agent_dates", iri=URIRef(f"http://x/{i}"))
            assert [r.key for r in found] == [f"http://x/{i}"] * 10
            kept = app.extensions["factgraph.cache.rows"][1]
            assert sum(len(v) for v in kept.values()) <= 35
    assert len(kept) == 3  # the three newest: 30 rows
    with app.test_request_context("/"):  # the newest is answered from the cache
        rendering.cached_rows("agent_dates", iri=URIRef("http://x/9"))
    assert asked.count("http://x/9") == 1
    with app.test_request_context("/"):  # a forgotten one is read again
        rendering.cached_rows("agent_dates", iri=URIRef("http://x/0"))
    assert asked.count("http://x/0") == 2
    store.close()
