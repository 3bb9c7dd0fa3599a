"""The SPARQL endpoint (``/sparql``): SPARQL 1.1 Protocol, read-only."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from factgraph.graph.store import StoreError

from .app import get_store

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        query = request.get_data(as_text=True)
    else:
        query = request.values.get("query")
    if not query:
        abort(400, "missing 'query' parameter")
    try:
        result = get_store().query(query)
    except StoreError as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    if result.type == "CONSTRUCT" or result.type == "DESCRIBE":
        return Response(result.serialize(format="turtle"), mimetype="text/turtle")
    return Response(result.serialize(format="json"), mimetype="application/sparql-results+json")
