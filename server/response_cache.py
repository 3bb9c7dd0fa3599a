"""Answers kept for the next visitor until the store changes.

A page, a stored query's result or a conflicts report is the same for every anonymous
visitor until the store is written, and the store is written only through this process
(``factgraph serve`` is its one writer: ingest, the CLI's commands and review writes all go
through it, see ``graph/shared_store.py``). So the answer to an anonymous ``GET`` of a
read-only route is kept, keyed by the store's version (``Store.write_count``), the path and
query string, and the headers that choose the variant (``Accept``, ``Accept-Language``),
and given again until the next write. This is what takes the site's heavy pages (a
source's claims, ``/conflicts``, a search, a place's claims) from hundreds of
milliseconds to well under one at the second visit, and what keeps a crowd of visitors
from running the same query fifty times at once: concurrent requests for the same key
wait for the first one's answer (one computation, not fifty).

What is never kept: a request with a cookie or credentials (a reviewer sees forms and a
CSRF token of their own), a response that sets a cookie or varies on it, a streamed
response, an error other than 404, a body larger than an eighth of the cache, and
anything from a store with no version (a remote SPARQL store others may write to) unless
``RESPONSE_CACHE_TTL`` allows it for that many seconds. ``/sparql`` is not cached: a
user's query is answered by the engine each time.

Every kept answer carries an ``ETag`` (a hash of its body) and ``Cache-Control: no-cache``,
so a browser or a proxy asks again with ``If-None-Match`` and gets ``304 Not Modified``
while nothing changed.

Settings: ``RESPONSE_CACHE_MB`` (size in MB of kept bodies; 0 turns the cache off),
``RESPONSE_CACHE_TTL`` (seconds an answer may be given again; 0: until the store changes,
and no caching for a store without a version).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g, request, session

from .accounts import review_off
from .current_store import get_store

# the read-only routes whose anonymous GET answers may be kept (endpoint names)
CACHEABLE = frozenset({
    "pages.home",
    "pages.search",
    "pages.ontology_term",
    "resources.resource",
    "conflicts.index",
    "conflicts.data",
    "stored_queries.index",
    "stored_queries.query",
    "reviews.feed",
    "downloads.void",
    "downloads.context",
})
KEPT_STATUSES = frozenset({200, 404})
LEADER_WAIT = 30.0  # most seconds a request waits for another's answer to the same key


@dataclass
class Entry:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    made: float  # time.monotonic() when it was kept

    @property
    def cost(self) -> int:
        """Bytes it holds, about: body, headers and the objects around them."""
        return len(self.body) + sum(len(k) + len(v) + 100 for k, v in self.headers) + 300


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0
    waits: int = 0  # requests that waited for another's answer to the same key
    kept: int = 0
    evicted: int = 0


@dataclass
class ResponseCache:
    """LRU of answers by key, at most ``max_bytes`` (bodies, headers and overhead, ``Entry.cost``);
    answers of one store version."""

    max_bytes: int
    ttl: float = 0.0
    entries: OrderedDict[Hashable, Entry] = field(default_factory=OrderedDict)
    size: int = 0
    version: Hashable = None
    stats: Stats = field(default_factory=Stats)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: dict[Hashable, threading.Event] = field(default_factory=dict)

    def _switch(self, version: Hashable) -> None:
        """Under the lock: forget every answer of another store version."""
        if version != self.version:
            self.entries.clear()
            self.size = 0
            self.version = version

    def get(self, version: Hashable, key: Hashable) -> Entry | None:
        with self._lock:
            self._switch(version)
            entry = self.entries.get(key)
            if entry is not None and self.ttl and time.monotonic() - entry.made > self.ttl:
                self._drop(key)
                entry = None
            if entry is None:
                self.stats.misses += 1
                return None
            self.entries.move_to_end(key)
            self.stats.hits += 1
            return entry

    def lead_or_wait(self, version: Hashable, key: Hashable) -> Entry | None:
        """The kept answer for ``key``; else, if another request is computing it, wait
        for it (at most ``LEADER_WAIT`` s) and return it; else None and this request
        leads: it must call ``done(key)`` when it has its answer (kept or not)."""
        entry = self.get(version, key)
        if entry is not None:
            return entry
        with self._lock:
            event = self._pending.get(key)
            if event is None:
                self._pending[key] = threading.Event()
                return None
            self.stats.waits += 1
        event.wait(LEADER_WAIT)
        with self._lock:
            entry = self.entries.get(key) if version == self.version else None
            if entry is not None:
                self.entries.move_to_end(key)
        return entry  # None: the leader's answer was not kept; compute it here

    def done(self, key: Hashable) -> None:
        with self._lock:
            event = self._pending.pop(key, None)
        if event is not None:
            event.set()

    def put(self, version: Hashable, key: Hashable, entry: Entry) -> bool:
        if entry.cost > self.max_bytes // 8:
            return False
        with self._lock:
            if version != self.version:  # the store changed while this answer was computed
                return False
            self._drop(key)
            self.entries[key] = entry
            self.size += entry.cost
            self.stats.kept += 1
            while self.size > self.max_bytes and self.entries:
                self._drop(next(iter(self.entries)))
                self.stats.evicted += 1
            return True

    def _drop(self, key: Hashable) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.cost


def _cache() -> ResponseCache | None:
    cache = current_app.extensions.get("factgraph.response_cache")
    if cache is None:
        mb = float(current_app.config["RESPONSE_CACHE_MB"])
        if mb <= 0:
            return None
        cache = ResponseCache(int(mb * 2**20), float(current_app.config["RESPONSE_CACHE_TTL"]))
        current_app.extensions["factgraph.response_cache"] = cache
    return cache


def _version() -> Hashable:
    """The store's version, or None when answers must not be kept for it."""
    store = get_store()
    count = getattr(store, "write_count", None)
    if getattr(store, "path", None) is None and not float(current_app.config["RESPONSE_CACHE_TTL"]):
        # a store others may write to (remote) or an in-memory one tests change behind
        # the app's back: only with a TTL
        return None
    return (id(store), count)


def _key() -> Hashable | None:
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHEABLE:
        return None
    if "Cookie" in request.headers or "Authorization" in request.headers:
        return None
    return (
        request.full_path,
        request.headers.get("Accept", ""),
        request.headers.get("Accept-Language", ""),
        review_off() is None,  # review on shows a log-in link
    )


def _answer(entry: Entry) -> Response:
    resp = Response(entry.body, status=entry.status)
    resp.headers.clear()
    for name, value in entry.headers:
        resp.headers.add(name, value)
    resp.headers["X-Cache"] = "hit"
    return _conditional(resp)


def _conditional(resp: Response) -> Response:
    """304 Not Modified for a 200 whose ETag the request already has (``If-None-Match``)."""
    if resp.status_code == 200:
        resp.make_conditional(request)
    return resp


def before() -> Response | None:
    """``before_request``: the kept answer, if any; else note what to keep."""
    cache = _cache()
    if cache is None:
        return None
    key = _key()
    if key is None:
        return None
    version = _version()
    if version is None:
        return None
    entry = cache.lead_or_wait(version, key)
    if entry is not None:
        return _answer(entry)
    g.response_cache = (cache, version, key)
    return None


def after(resp: Response) -> Response:
    """``after_request``: keep this answer if it may be kept; tag it for revalidation."""
    pending = g.pop("response_cache", None)
    if pending is None:
        return resp
    cache, version, key = pending
    try:
        if (
            resp.status_code in KEPT_STATUSES
            and not resp.is_streamed
            and "Set-Cookie" not in resp.headers
            and not session.modified  # the session is saved after this hook: it would set a cookie
            and "cookie" not in {v.strip().lower() for v in resp.headers.get("Vary", "").split(",")}
            and "no-store" not in resp.headers.get("Cache-Control", "")
        ):
            if session.accessed:  # as Flask marks it after this hook: another visitor's cookie may change it
                resp.vary.add("Cookie")
            body = resp.get_data()
            if resp.status_code == 200:
                resp.set_etag(hashlib.blake2b(body, digest_size=12).hexdigest())
            resp.headers.setdefault("Cache-Control", "no-cache")
            cache.put(version, key, Entry(resp.status_code, list(resp.headers.items()), body, time.monotonic()))
            resp.headers["X-Cache"] = "miss"
            return _conditional(resp)
        return resp
    finally:
        cache.done(key)


def teardown(_exc: BaseException | None) -> None:
    """``teardown_request``: a leader that failed before ``after`` lets its waiters go."""
    pending = g.pop("response_cache", None)
    if pending is not None:
        pending[0].done(pending[2])


def init_app(app: Flask) -> None:
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)
