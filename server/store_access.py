"""The store itself, for factgraph's own commands while the site is up (``/store/...``).

``factgraph serve`` holds the embedded store (one process only may open it), so the
commands that need it meanwhile (``ingest``, ``query``, ``export``, ``conflicts``) reach it
here: SPARQL 1.1 query and update over HTTP, a streamed dump, and for the bulk of an
ingest's reads and writes, rows as Oxigraph writes them (``/store/rows``) and N-Quads
bulk-loaded (``/store/load``). Only a request that
carries the token the server wrote in its store directory gets in (HTTP Basic, user
``factgraph``; see ``graph/shared_store.py``): reading the directory is as good as
writing to it anyway. Without a token configured (a remote store, tests) these routes do
not exist. They are not the public endpoint: no row cap and no time limit, as the
command line has none.
"""

from __future__ import annotations

import hmac
import tempfile
from collections.abc import Iterator

from flask import Blueprint, Response, abort, current_app, request
from rdflib import URIRef

from factgraph.graph.shared_store import TOKEN_USER
from factgraph.graph.store import DUMP_FORMATS, EmbeddedStore, StoreError

from .current_store import get_store
from .results import JSON, write_boolean, write_graph, write_select

bp = Blueprint("store_access", __name__)

NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"


@bp.before_request
def _authorise() -> Response | None:
    token = current_app.config.get("STORE_TOKEN")
    if not token:
        abort(404)
    auth = request.authorization
    given = auth.password if auth is not None and auth.type == "basic" and auth.username == TOKEN_USER else None
    if given and hmac.compare_digest(str(given).encode(), str(token).encode()):
        request.max_content_length = int(current_app.config["STORE_MAX_BODY"])
    else:
        return Response("the store's token is needed (see factgraph-serve.json in the store directory)\n",
                        status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Basic realm="factgraph store"'})
    return None


def _text(status: int, message: str) -> Response:
    return Response(" ".join(message.split()) + "\n", status=status, mimetype="text/plain")


@bp.route("/store/ping")
def ping() -> Response:
    return Response(status=204)


@bp.route("/store/query", methods=["POST"])
def query() -> Response:
    text = request.form.get("query")
    if not text:
        return _text(400, "missing 'query'")
    try:
        result = get_store().query(text)
        if result.type == "ASK":
            return Response(write_boolean(bool(result.askAnswer), JSON), mimetype=JSON)
        if result.type == "SELECT":
            variables = list(result.vars or [])
            rows = [tuple(row.get(v) for v in variables) for row in result.bindings]
            return Response(write_select(variables, rows, JSON), mimetype=JSON)
        return Response(write_graph(list(result.graph), NTRIPLES), mimetype=NTRIPLES)
    except StoreError as exc:
        return _text(400, str(exc))


@bp.route("/store/update", methods=["POST"])
def update() -> Response:
    text = request.form.get("update")
    if not text:
        return _text(400, "missing 'update'")
    try:
        get_store().update(text)
    except StoreError as exc:
        return _text(400, str(exc))
    return Response(status=204)


@bp.route("/store/rows", methods=["POST"])
def rows() -> Response:
    """A SELECT's solutions as Oxigraph writes them (SPARQL JSON): the bulk reads of a
    command's conflicts refresh, without rdflib terms on either side."""
    text = request.form.get("query")
    if not text:
        return _text(400, "missing 'query'")
    store = get_store()
    if not isinstance(store, EmbeddedStore):
        return _text(501, "rows are read from an embedded store only")
    try:
        return Response(store.rows_json(text), mimetype=JSON)
    except StoreError as exc:
        return _text(400, str(exc))


@bp.route("/store/load", methods=["POST"])
def load() -> Response:
    """N-Quads bulk-loaded, all or nothing: a command's group of new articles."""
    if request.mimetype != NQUADS:
        return _text(415, f"send {NQUADS}")
    store = get_store()
    if not isinstance(store, EmbeddedStore):
        return _text(501, "loads go to an embedded store only")
    try:
        store.load_nquads(request.get_data())
    except StoreError as exc:
        return _text(400, str(exc))
    return Response(status=204)


@bp.route("/store/dump")
def dump() -> Response:
    fmt = request.args.get("format", "nquads")
    if fmt not in DUMP_FORMATS:
        return _text(400, f"unknown dump format {fmt!r} (choose from {', '.join(DUMP_FORMATS)})")
    graph = request.args.get("graph")
    store = get_store()
    if graph is not None and URIRef(graph) not in store.graph_names():
        return _text(404, f"no graph {graph!r} in the store")
    spool = tempfile.TemporaryFile()  # the dump is taken at once (one snapshot), then streamed
    try:
        store.dump(spool, fmt, URIRef(graph) if graph else None)
    except StoreError as exc:
        spool.close()
        return _text(400, str(exc))
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(1 << 16):
                yield chunk

    return Response(chunks(), mimetype=DUMP_FORMATS[fmt])

