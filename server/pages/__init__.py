"""HTML pages for people: home, search, and one page per kind of resource (claim,
article, source, place, conflict, concept, ontology and its terms).

Every value comes from a stored query (``queries/pages/*.rq``) with the IRI bound, and
reaches the page through Jinja's autoescaping. Labels are shown in the reader's
language (``?lang=fr|en``, else ``Accept-Language``), falling back to the other one.

One module per kind of page (``home``, ``claims``, ``articles``, ``sources``,
``places``, ``quantities``, ``vocab``; the conflict report and the conflict page are ``..conflicts``),
on what every page shares: ``language`` (the reader's language, labels), ``rendering``
(stored queries, links, values, the page frame), ``described`` (the properties table
of a resource) and ``quotes`` (a claim's quote cut out of its article). This module
holds the blueprint with its routes, the page limits, and the dispatch of a resource's
HTML document by its kind.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort
from rdflib import URIRef

from ..bounded_views import bounded
from . import home, vocab
from .articles import article_page, segments
from .claims import claim_page
from .described import describe, generic_page
from .places import place_page
from .quantities import is_quantity_kind, quantity_page
from .quotes import locate_quote
from .reviewing import verdict_page
from .sources import agent_page

__all__ = ["CHART_POINTS", "PAGE_ROWS", "bp", "locate_quote", "render_resource", "segments"]

# Page limits, read on each request (so a test may lower them). The LIMIT of
# agent_claims.rq, place_claims.rq, kind_claims.rq and conflicts_page.rq is PAGE_ROWS + 1.
PAGE_ROWS = 100  # rows of a paged list
CHART_POINTS = 400  # beyond this many (date, figure) points the chart draws one point per date

bp = Blueprint("pages", __name__)
bp.add_url_rule("/", view_func=bounded(home.home))
bp.add_url_rule("/search", view_func=bounded(home.search))
# browsers ask for it on every document without an icon of its own (a JSON or Turtle view):
# nothing, cached for a day, rather than a 404 in their console
bp.add_url_rule("/favicon.ico", view_func=lambda: Response(status=204, headers={"Cache-Control": "max-age=86400"}))
bp.add_url_rule("/ontology/<name>", view_func=vocab.ontology_term)  # the ontology file, no store


def render_resource(iri: URIRef, stem: str) -> Response:
    """The HTML document of ``iri`` (its path ``stem``), by the kind of resource."""
    if stem == "ontology":
        return vocab.ontology_page()
    from ..conflicts import conflict_page

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
        from ..resources import _known

        if not _known(iri):
            abort(404)
    return renderer(d, stem)
