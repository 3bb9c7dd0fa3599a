"""Error answers made by the app itself, one line of text for a program and a small HTML
page for a browser (by ``Accept``):

- a request that cannot be answered for lack of resources (``query_pool.Unavailable``):
  ``503 Service Unavailable`` with ``Retry-After``;
- an HTTP error (400, 404, 405, 413...): Flask's page for a browser, else
  ``404 Not Found: <description>`` on one line;
- ``filter_iris``: request parameters that name resources are absolute IRIs, or 400.

The security headers of ``security.py`` are added to all of them (``after_request``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from flask import Flask, Response, abort, current_app, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from factgraph.graph.terms import is_absolute_iri

from .negotiation import negotiate
from .query_pool import Unavailable


def wants_html() -> bool:
    return negotiate(request.headers.get("Accept"), None, ["text/plain", "text/html"]) == "text/html"


NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
# a filter given by the name the pages show (?kind=tension, ?claimant=osdh, ?place=syria)
SHORT_NAMES: dict[str, Callable[[str], str]] = {
    "kind": lambda name: "https://w3id.org/factgraph/conflict/" + name,
    "quantity": lambda name: "https://w3id.org/factgraph/quantity/" + name,
    "claimant": lambda name: current_app.config["BASE"] + "agent/" + name,
    "place": lambda name: current_app.config["BASE"] + "place/" + name,
}


def filter_iris(args: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The non-empty parameters ``names`` of ``args`` as IRIs: an absolute IRI as given, or a
    short name as the pages show it (``kind=tension``, ``claimant=osdh``); a name nothing
    bears gives an empty result. 400 for anything else (``kind=x>y``)."""
    found = {name: args.get(name, "").strip() for name in names if args.get(name, "").strip()}
    for name, value in found.items():
        if name in SHORT_NAMES and NAME_RE.fullmatch(value):
            found[name] = SHORT_NAMES[name](value)
        elif not is_absolute_iri(value):
            abort(400, f"{name}: {value!r} is neither an absolute IRI nor a name")
    return found


def http_error(exc: HTTPException) -> BaseResponse:
    if exc.code is None or exc.response is not None or wants_html():
        return exc.get_response()
    resp = exc.get_response()  # keeps headers such as Allow (405)
    line = " ".join(f"{exc.code} {exc.name}: {exc.description}".split())
    resp.set_data(line + "\n")
    resp.mimetype = "text/plain"
    return resp


def unavailable(exc: Unavailable) -> Response:
    if wants_html():
        resp = Response(render_template("errors/unavailable.html", message=exc.message), status=503,
                        mimetype="text/html")
    else:
        resp = Response(exc.message + "\n", status=503, mimetype="text/plain")
    resp.headers["Retry-After"] = str(exc.retry_after)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_app(app: Flask) -> None:
    app.register_error_handler(Unavailable, unavailable)
    app.register_error_handler(HTTPException, http_error)
