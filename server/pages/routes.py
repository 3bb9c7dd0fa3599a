"""The pages' blueprint: the home page, search, the favicon and the ontology's terms
(the resource pages are routed by ``..resources``)."""


from __future__ import annotations

from flask import Blueprint, Response

from ..bounded_views import bounded
from . import home, vocab

bp = Blueprint("pages", __name__)
bp.add_url_rule("/", view_func=bounded(home.home))
bp.add_url_rule("/search", view_func=bounded(home.search))
# browsers ask for it on every document without an icon of its own (a JSON or Turtle view):
# nothing, cached for a day, rather than a 404 in their console
bp.add_url_rule("/favicon.ico", view_func=lambda: Response(status=204, headers={"Cache-Control": "max-age=86400"}))
bp.add_url_rule("/ontology/<name>", view_func=vocab.ontology_term)  # the ontology file, no store
