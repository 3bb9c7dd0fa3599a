"""Views whose queries run in a worker: the whole view, in a worker process.

A page runs several stored queries (a claim page: describe, quote, provenance, related,
conflicts, verdicts); each in its own worker would fork several times per request. So
the view itself runs in the worker (``query_pool.run_query``), renders the template, and
sends back the status, headers and body. The parent builds the response from them; its
``after_request`` hooks (security headers, the response cache) run as usual. An HTTP
error the view raises (``abort(404)``) is raised again in the parent.

On an embedded store the worker is a resident one (``worker.ResidentPool``, the site's
lane), forked once and reused until the store changes: no fork per page, and what a
worker parsed or cached stays for its next page. It gets the view by name (module and
qualified name, unwrapped) and the request as a WSGI environ of plain strings (a page is
a GET: no body), and runs the view in a request context made from them, with the app it
was forked with. On a remote store each page forks a child for itself, which inherits the
request's context (a remote store's connections may only be shared with a short-lived
child).

What the parent keeps for later requests must be in the parent before it forks: the
compiled templates, the parsed stored queries and the ontology are loaded once
(``warm``), and a view may hand back a cache entry (``app.extensions`` keys starting
``factgraph.cache.``) that the parent stores.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import io
import sys
import threading
import weakref
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from flask import Flask, Response, abort, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError

from factgraph.graph import catalogue, export

from .current_store import get_store
from .query_pool import resident, run_query
from .worker import WorkerError

CACHE_PREFIX = "factgraph.cache."
_warm_lock = threading.Lock()
# the apps whose pages resident workers render, by id: a worker forked from this process
# finds its app here (tests make several apps in one process)
_APPS: weakref.WeakValueDictionary[int, Flask] = weakref.WeakValueDictionary()


def warm() -> None:
    """Load in this (parent) process what every child would otherwise load again."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions.get("factgraph.warm"):
        return
    with _warm_lock:
        if app.extensions.get("factgraph.warm"):
            return
        for name in app.jinja_env.list_templates():
            if name.endswith(".html"):
                app.jinja_env.get_template(name)
        for area in ("pages", "export"):
            for rq in (files("factgraph.queries") / area).iterdir():
                if rq.name.endswith(".rq"):
                    export.query_text(area, rq.name[:-3])
        # the library's own reads (the review API: history, verdicts, queue, feed), parsed once
        # here rather than in every forked worker (~0.3 s a claim page on 100k claims otherwise)
        for rq in (files("factgraph.queries") / "review").iterdir():
            if rq.name.endswith(".rq"):
                catalogue.query_text(f"review/{rq.name[:-3]}")
        from .pages.reviewing import rating_scale

        rating_scale()
        export.ontology_graph()
        app.extensions["factgraph.warm"] = True


def _render(_store: Any, view: Callable[..., Any], kwargs: dict[str, Any]) -> tuple:
    """In the worker: the view's response as plain data, or the HTTP error it raised."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    before = {k: v for k, v in app.extensions.items() if k.startswith(CACHE_PREFIX)}
    try:
        resp = app.make_response(view(**kwargs))
    except HTTPException as exc:
        if exc.response is not None or exc.code is None:
            raise
        return ("abort", exc.code, exc.description)
    caches = {k: v for k, v in app.extensions.items() if k.startswith(CACHE_PREFIX) and before.get(k) is not v}
    return ("ok", resp.status_code, list(resp.headers.items()), resp.get_data(), caches)


def _plain_environ() -> dict[str, str]:
    """The request as a WSGI environ of strings only (what pickles to a resident worker):
    the method, path, query string, headers, server and client addresses; no body."""
    return {k: v for k, v in request.environ.items() if isinstance(v, str)}


def _render_named(store: Any, app_id: int, module: str, name: str, environ: dict[str, str],
                  kwargs: dict[str, Any]) -> tuple:
    """In a resident worker: the view ``module.name`` run for the request ``environ``."""
    app = _APPS[app_id]
    found: Any = functools.reduce(getattr, name.split("."), importlib.import_module(module))
    view = inspect.unwrap(found)
    full: dict[str, Any] = {**environ, "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
    with app.request_context(full):
        return _render(store, view, kwargs)


def render_in_worker(view: Callable[..., Any], **kwargs: Any) -> Response:
    """``view(**kwargs)`` run in a query worker; its response."""
    warm()
    try:
        if resident(get_store()) and request.method in ("GET", "HEAD"):
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            _APPS[id(app)] = app
            outcome = run_query(_render_named, id(app), view.__module__, view.__qualname__, _plain_environ(),
                                kwargs, reuse=True)
        else:
            outcome = run_query(_render, view, kwargs)
    except WorkerError as exc:
        current_app.logger.error("page worker failed: %s: %s", exc.kind, exc)
        raise InternalServerError() from exc
    if outcome[0] == "abort":
        abort(outcome[1], outcome[2])
    _, status, headers, body, caches = outcome
    current_app.extensions.update(caches)
    resp = Response(body, status=status)
    resp.headers.clear()
    for name, value in headers:
        resp.headers.add(name, value)
    return resp


def bounded(view: Callable[..., Any]) -> Callable[..., Response]:
    """Decorator: the view runs in a query worker (``render_in_worker``)."""

    @functools.wraps(view)
    def wrapper(**kwargs: Any) -> Response:
        return render_in_worker(view, **kwargs)

    return wrapper
