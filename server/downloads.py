"""Downloads: streamed dumps of the whole graph, the VoID description of the dataset
(``/.well-known/void``) and the published JSON-LD ``@context`` (``/context.jsonld``).

The bytes come from ``graph.export``; dumps are streamed, never built in memory.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, request, stream_with_context

from factgraph.graph import export

from .current_store import get_store
from .negotiation import negotiate

bp = Blueprint("downloads", __name__)

BY_FILE = {d.file_name: d for d in export.DUMPS.values()}


@bp.route("/downloads")
def index() -> Response:
    from .pages.rendering import page

    return page("downloads.html", title="Downloads", iri=None, dumps=list(export.DUMPS.values()))


@bp.route("/downloads/<file_name>")
def download(file_name: str) -> Response:
    dump = BY_FILE.get(file_name)
    if dump is None:
        abort(404)
    chunks = export.stream(get_store(), dump.name, current_app.config["BASE"])
    resp = Response(stream_with_context(chunks), mimetype=dump.media_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{dump.file_name}"'
    return resp


VOID_VIEWS = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}


@bp.route("/.well-known/void")
def void() -> Response:
    """The VoID description (RFC 5785 well-known location, VoID section 7.2)."""
    media_type = (
        negotiate(request.headers.get("Accept"), request.args.get("format"), list(VOID_VIEWS))
        or "text/turtle"
    )
    graph = export.void(get_store(), current_app.config["BASE"])
    resp = Response(export.serialize(graph, VOID_VIEWS[media_type]), mimetype=media_type)
    resp.vary.add("Accept")
    return resp


@bp.route("/context.jsonld")
def context() -> Response:
    resp = Response(json.dumps(export.jsonld_context(), indent=2), mimetype="application/ld+json")
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
