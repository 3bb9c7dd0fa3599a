"""How many queries run at once, and what a request does when they are all busy.

Every query a request runs goes through ``run_query``: it takes a slot of the app's
``QueryPool`` (at most ``QUERY_WORKERS`` worker processes at once, of which at most
``SPARQL_WORKERS`` for user SPARQL, so a flood of slow ``/sparql`` queries leaves slots
for the pages), waits for one in a bounded queue (``QUERY_QUEUE`` requests, at most
``QUERY_QUEUE_WAIT`` seconds), then runs the query in a killable, memory-capped worker
(``worker.run_isolated``: ``QUERY_TIMEOUT``, ``QUERY_MEMORY_MB``).

Whatever stops a query for lack of resources (queue full, wait over, time or memory
limit) raises ``Unavailable``: the app answers 503 with ``Retry-After`` (``errors.py``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g

from factgraph.graph.store import EmbeddedStore

from .current_store import get_store
from .worker import CannotFork, OutOfMemory, QueryTimeout, ResidentPool, run_isolated

SITE = "site"  # the site's own queries: pages, reports, stored queries
SPARQL = "sparql"  # a user's query text on /sparql


class Unavailable(Exception):
    """No answer for lack of resources: HTTP 503, retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class QueryPool:
    """Slots for worker processes: ``workers`` in all, ``lanes[name]`` at most per lane;
    ``queue`` requests may wait, each at most ``wait`` seconds."""

    def __init__(self, workers: int, queue: int, wait: float, lanes: dict[str, int] | None = None):
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.wait = max(0.0, wait)
        self.lanes = {name: max(1, min(n, self.workers)) for name, n in (lanes or {}).items()}
        self.running: dict[str, int] = {}
        self.waiting = 0
        self._cond = threading.Condition()

    def _free(self, lane: str) -> bool:
        return sum(self.running.values()) < self.workers and self.running.get(lane, 0) < self.lanes.get(
            lane, self.workers
        )

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait))

    @contextmanager
    def slot(self, lane: str = SITE) -> Iterator[None]:
        with self._cond:
            if not self._free(lane):
                if self.waiting >= self.queue:
                    raise Unavailable(
                        f"too many queries at once: {self.waiting} waiting (the QUERY_QUEUE setting); "
                        "try again shortly",
                        self.retry_after,
                    )
                self.waiting += 1
                try:
                    deadline = time.monotonic() + self.wait
                    while not self._free(lane):
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise Unavailable(
                                f"too many queries at once: no worker free after {self.wait:g} s "
                                "(the QUERY_QUEUE_WAIT setting); try again shortly",
                                self.retry_after,
                            )
                        self._cond.wait(left)
                finally:
                    self.waiting -= 1
            self.running[lane] = self.running.get(lane, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                self.running[lane] -= 1
                self._cond.notify_all()


def get_pool() -> QueryPool:
    """The app's pool, made from its settings on first use."""
    pool = current_app.extensions.get("factgraph.query_pool")
    if pool is None:
        cfg = current_app.config
        pool = QueryPool(
            int(cfg["QUERY_WORKERS"]),
            int(cfg["QUERY_QUEUE"]),
            float(cfg["QUERY_QUEUE_WAIT"]),
            {SPARQL: int(cfg["SPARQL_WORKERS"])},
        )
        current_app.extensions["factgraph.query_pool"] = pool
    return pool


def get_resident_pool(lane: str = SPARQL) -> ResidentPool:
    """The app's resident workers of ``lane`` (``worker.ResidentPool``): for ``/sparql``
    as many as ``SPARQL_WORKERS``, for the site's pages as many as ``QUERY_WORKERS``, the
    most that run at once in each lane."""
    key = f"factgraph.resident_pool.{lane}"
    pool = current_app.extensions.get(key)
    if pool is None:
        cfg = current_app.config
        size = int(cfg["SPARQL_WORKERS"] if lane == SPARQL else cfg["QUERY_WORKERS"])
        pool = ResidentPool(size, int(cfg["QUERY_MEMORY_MB"]))
        current_app.extensions[key] = pool
    return pool


def resident(store: object) -> bool:
    """Whether queries on ``store`` may run in resident workers: an embedded store, which a
    worker forked after its last write sees as it is. A remote store's connections are
    shared with the child, which only a short-lived one may do."""
    return isinstance(store, EmbeddedStore)


def run_query(fn: Callable[..., Any], *args: Any, lane: str = SITE, reuse: bool = False) -> Any:
    """``fn(store, *args)`` in a worker process, under the app's limits; raises
    ``Unavailable`` when it cannot run or finish within them, ``worker.WorkerError``
    when ``fn`` failed.

    On an embedded store, a user's query (the ``SPARQL`` lane) and a call made with
    ``reuse`` (``fn`` and ``args`` must pickle: a page sends its view's name and the
    request, ``bounded_views``) go to a resident worker of their lane
    (``worker.ResidentPool``), forked once and replaced after any write; everything else to
    a child forked for the call (``worker.run_isolated``), which inherits the request's
    context."""
    cfg = current_app.config
    # the request's own limit when it set one (``read_ahead``: no reader waits for it)
    timeout = float(g.get("factgraph_query_timeout", cfg["QUERY_TIMEOUT"]))
    # background work (``read_ahead``) asks for a lower priority: a child of its own, as a
    # resident worker, reused by pages later, could not get its priority back
    nice = int(g.get("factgraph_query_nice", 0))
    store = get_store()
    with get_pool().slot(lane):
        try:
            if (lane == SPARQL or reuse) and resident(store) and nice <= 0:
                return get_resident_pool(lane).call(fn, store, *args, timeout=timeout)
            return run_isolated(
                fn, store, *args, timeout=timeout, memory_mb=int(cfg["QUERY_MEMORY_MB"]), ready=store.check_readable,
                nice=nice,
            )
        except QueryTimeout as exc:
            raise Unavailable(str(exc), max(1, math.ceil(timeout))) from exc
        except OutOfMemory as exc:
            raise Unavailable(str(exc), max(1, math.ceil(timeout))) from exc
        except CannotFork as exc:
            raise Unavailable(str(exc), get_pool().retry_after) from exc
