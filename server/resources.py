"""Dereferenceable IRIs: every IRI minted under the base is served at its path.

The pattern is "303 URIs forwarding to different documents" (Cool URIs for the Semantic
Web, section 4.3): the IRI of a thing (a claim, an agent, a place) answers ``303 See
Other`` to the document that describes it, chosen by content negotiation, and each
document has its own URL, the IRI plus a suffix:

    /claim/A/123        -> 303 -> /claim/A/123.html | .ttl | .jsonld | .nt | .rdf

The vocabularies are served the same way: ``https://w3id.org/factgraph/ontology``
(redirected by w3id.org) is ``/ontology``, and a SKOS concept
``https://w3id.org/factgraph/{scheme}/{key}`` is ``/vocab/{scheme}/{key}``. See
docs/linked-data.md.

The RDF of each document comes from ``graph.export`` (a CONSTRUCT on the store); the
HTML from ``pages``. Nothing here builds triples.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, request
from rdflib import URIRef
from werkzeug.wrappers import Response as BaseResponse

from factgraph.graph import export
from factgraph.graph.store import StoreError
from factgraph.graph.terms import is_iri

from .bounded_views import render_in_worker
from .conflicts import conflict_page
from .current_store import get_store
from .negotiation import DOCUMENTS, negotiate
from .pages import vocab
from .pages.articles import article_page
from .pages.claims import claim_page
from .pages.described import describe, generic_page
from .pages.places import place_page
from .pages.quantities import is_quantity_kind, quantity_page
from .pages.reviewing import verdict_page
from .pages.sources import agent_page

bp = Blueprint("resources", __name__)

W3ID = "https://w3id.org/factgraph/"
ONTOLOGY = W3ID + "ontology"
VOCAB_SCHEMES = ("quantity", "bound", "confidence", "conflict")

# suffix -> media type of each document; the order is the server's preference
SUFFIX_OF = {media_type: suffix for suffix, media_type in DOCUMENTS.items()}


def iri_for_path(path: str) -> URIRef:
    """The IRI a local path (without suffix) stands for."""
    if path == "ontology":
        return URIRef(ONTOLOGY)
    scheme, _, key = path.partition("/")
    if scheme == "vocab":
        return URIRef(W3ID + key)
    return URIRef(current_app.config["BASE"] + path)


def split_suffix(path: str) -> tuple[str, str | None]:
    """``claim/A/1.ttl`` -> (``claim/A/1``, ``ttl``); minted keys never contain a dot."""
    head, _, last = path.rpartition("/")
    stem, dot, suffix = last.rpartition(".")
    if dot and suffix in DOCUMENTS and stem:
        return (f"{head}/{stem}" if head else stem), suffix
    return path, None


def alternates(path: str) -> str:
    """The ``Link`` header value listing every document of ``path``."""
    return ", ".join(
        f'</{path}.{suffix}>; rel="alternate"; type="{media_type}"'
        for suffix, media_type in DOCUMENTS.items()
    )


def _known(iri: URIRef) -> bool:
    if str(iri) == ONTOLOGY:
        return True
    store = get_store()
    try:
        return export.exists(store, iri) or export.graph_exists(store, iri)
    except StoreError:  # the store refuses the IRI itself: nothing can be named so
        return False


@bp.route("/<path:path>")
def resource(path: str) -> BaseResponse:
    stem, suffix = split_suffix(path)
    if stem.startswith("vocab/") and stem.split("/")[1] not in VOCAB_SCHEMES:
        abort(404)
    if not is_iri(stem):
        abort(404)  # "/claim/%00", "/agent/a[b": no resource can have that name
    iri = iri_for_path(stem)
    if suffix is None:  # one ASK with the IRI bound (an index lookup): bounded, run here
        return see_other(stem, iri)
    return render_in_worker(document, stem=stem, suffix=suffix, iri=iri)


def document(stem: str, suffix: str, iri: URIRef) -> Response:
    """The document ``suffix`` about ``iri`` (in the worker that runs the request)."""
    if suffix == "html":
        resp = render_resource(iri, stem)
    else:
        resp = rdf_document(iri, suffix)
    resp.headers.add("Link", alternates(stem))
    return resp


def see_other(stem: str, iri: URIRef) -> BaseResponse:
    """``303 See Other`` from the IRI of a thing to the negotiated document about it."""
    if not _known(iri):
        abort(404)
    media_type = negotiate(
        request.headers.get("Accept"), request.args.get("format"), list(DOCUMENTS.values())
    )
    resp: BaseResponse
    if media_type is None:
        resp = Response(
            "406 Not Acceptable: choose one of " + ", ".join(DOCUMENTS.values()) + "\n",
            status=406,
            mimetype="text/plain",
        )
    else:
        # the page keeps what the IRI was asked with (?lang=fr), less the format it settled
        kept = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "format"])
        resp = redirect(f"/{stem}.{SUFFIX_OF[media_type]}" + (f"?{kept}" if kept else ""), code=303)
        resp.headers["Access-Control-Allow-Origin"] = "*"  # a browser app may follow it
    resp.vary.add("Accept")
    resp.headers["Link"] = alternates(stem)
    return resp


def rdf_document(iri: URIRef, suffix: str) -> Response:
    media_type = DOCUMENTS[suffix]
    if str(iri) == ONTOLOGY:
        return Response(export.ontology_document(suffix), mimetype=media_type)
    store = get_store()
    graph = export.describe(store, iri)
    if not len(graph) and export.graph_exists(store, iri):
        graph = export.plain_graph(store.graph(iri))  # a named graph's IRI: its content
    if not len(graph):
        abort(404)
    resp = Response(export.serialize(graph, suffix), mimetype=media_type)
    resp.headers["Access-Control-Allow-Origin"] = "*"  # open data: any web app may read it
    if suffix == "jsonld":
        # a relative reference (RFC 8288 resolves it against the request): never the Host header echoed back
        resp.headers.add("Link", '</context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"')
    return resp


def render_resource(iri: URIRef, stem: str) -> Response:
    """The HTML document of ``iri`` (its path ``stem``), by the kind of resource."""
    if stem == "ontology":
        return vocab.ontology_page()
    kind = stem.split("/", 1)[0]
    d = describe(iri)
    renderer = {
        "conflict": conflict_page,
        "claim": claim_page,
        "article": article_page,
        "agent": agent_page,
        "place": place_page,
        "vocab": vocab.concept_page,
        "verdict": verdict_page,
    }.get(kind, generic_page)
    if is_quantity_kind(d, stem):
        renderer = quantity_page
    if not d.values and kind != "graph":
        if not _known(iri):
            abort(404)
    return renderer(d, stem)
