"""Resource pages: every IRI minted under the base is served at its path."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template_string, request
from rdflib import URIRef

from .app import get_store

bp = Blueprint("resources", __name__)

DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ iri }}</title></head>
<body><h1>{{ iri }}</h1><table>{% for p, o in rows %}<tr><td>{{ p }}</td><td>{{ o }}</td></tr>{% endfor %}
</table></body></html>"""


@bp.route("/<path:path>")
def resource(path: str) -> Response:
    iri = URIRef(current_app.config["BASE"] + path)
    graph = get_store().query(DESCRIBE, {"s": iri}).graph
    if not len(graph):
        abort(404)
    if request.accept_mimetypes.best_match(["text/html", "text/turtle"]) == "text/turtle":
        return Response(graph.serialize(format="turtle"), mimetype="text/turtle")
    rows = sorted((str(p), str(o)) for _, p, o in graph)
    return Response(render_template_string(PAGE, iri=iri, rows=rows), mimetype="text/html")
