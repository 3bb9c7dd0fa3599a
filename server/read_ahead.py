"""Values kept per version of the data, read ahead: the first view after a write does not
compute them.

Some pages keep what they read once per version of the data (``pages.rendering.data_version``,
the conflict detection's stamps): the conflict report's sorted keys and its filter choices
(``conflicts.selected``, ``conflicts.facets``) and the list of article graphs the place,
source and kind pages and the stored queries page by (``rendering.graph_list``). At 1M claims
they take 8-17 s to read, past ``QUERY_TIMEOUT``: the report's first view after a start or a
refresh answered 503. ``ReadAhead`` is a thread of ``factgraph serve`` that reads them once
the store has had no write for ``READ_AHEAD_QUIET`` seconds since it changed (and once at the
start): in a query worker, as a page would (``bounded_views.render_in_worker``, which hands
what the worker kept back to this process, where every later request and worker finds it),
under ``READ_AHEAD_TIMEOUT`` instead of ``QUERY_TIMEOUT`` (no reader waits for it), in a
worker of its own whose priority is lowered by ``READ_AHEAD_NICE``: its seconds of CPU after
the start or a write do not take a core from the requests being served (at 1M claims, 2.6 s
of CPU that halved the ``/sparql`` throughput of the first 10-15 s; docs/performance.md).
When every worker is busy it tries again at its next look. ``READ_AHEAD`` 0 turns it off.

Nothing is written to the store: the values are what the derived graph already holds, read
in the background instead of by the first reader.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, Response, current_app, g

from .bounded_views import render_in_worker
from .current_store import get_store
from .query_pool import Unavailable

TIMEOUT_KEY = "factgraph_query_timeout"  # flask.g: the timeout run_query uses instead of QUERY_TIMEOUT
NICE_KEY = "factgraph_query_nice"  # flask.g: how much run_query lowers its worker's priority


def kept_values() -> Response:
    """In a worker: read what the report and the paged lists keep for this version."""
    from . import conflicts
    from .pages.language import Labels
    from .pages.rendering import graph_list

    conflicts.selected({})
    conflicts.facets(Labels("en"))
    graph_list()
    return Response(status=204)


def read_ahead(app: Flask) -> None:
    """Read the kept values now, in a worker, into ``app`` (raises ``Unavailable`` when no
    worker is free or the reading took past ``READ_AHEAD_TIMEOUT``)."""
    with app.test_request_context("/conflicts"):
        g.setdefault(TIMEOUT_KEY, float(current_app.config["READ_AHEAD_TIMEOUT"]))
        g.setdefault(NICE_KEY, int(current_app.config["READ_AHEAD_NICE"]))
        render_in_worker(kept_values)


class ReadAhead(threading.Thread):
    """Looks at the store's count of writes every ``poll`` seconds; ``read_ahead`` once it
    has not changed for ``READ_AHEAD_QUIET`` seconds since the last reading (or the start).
    ``done`` is set after each reading, for whoever waits for one (tests)."""

    def __init__(self, app: Flask, poll: float = 0.5):
        super().__init__(name="factgraph-read-ahead", daemon=True)
        self.app, self.poll = app, poll
        self.quiet = float(app.config["READ_AHEAD_QUIET"])
        self.stopped, self.done = threading.Event(), threading.Event()
        self.readings = 0

    def run(self) -> None:
        with self.app.app_context():
            store = get_store()
        read_at: int | None = None  # the count of writes the last reading saw
        seen, since = store.write_count, time.monotonic()
        while not self.stopped.wait(self.poll):
            count = store.write_count
            if count != seen:
                seen, since = count, time.monotonic()
            if count == read_at or time.monotonic() - since < self.quiet:
                continue
            try:
                read_ahead(self.app)
            except Unavailable:
                continue  # busy or too slow: try again at the next look
            except Exception:  # noqa: BLE001 - logged; a reader computes the values as before
                self.app.logger.exception("reading ahead the report's keys and choices failed")
            read_at = count
            self.readings += 1
            self.done.set()

    def stop(self) -> None:
        self.stopped.set()


def start(app: Flask) -> ReadAhead | None:
    """The app's read-ahead thread, started (None when ``READ_AHEAD`` is off)."""
    if not app.config["READ_AHEAD"]:
        return None
    thread = ReadAhead(app)
    thread.start()
    return thread
