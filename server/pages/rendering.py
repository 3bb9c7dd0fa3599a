"""From query rows to an HTML response: the stored queries a page runs, where its links
point, how a value is shown, and the frame every page is rendered in (template context,
alternates)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template
from rdflib import Literal, URIRef
from rdflib.term import Node

from factgraph.graph import export

from .. import charts
from ..app import get_store
from .language import UI, current_lang, local_name

W3ID = "https://w3id.org/factgraph/"
ONTOLOGY_NS = W3ID + "ontology#"

def fg(name: str) -> URIRef:
    return URIRef(ONTOLOGY_NS + name)


def href(iri: Node | str) -> str:
    """Where a page links to for an IRI: minted IRIs and the factgraph vocabularies are
    served here; anything else is linked as is."""
    text = str(iri)
    base = current_app.config["BASE"]
    if text.startswith(base):
        return "/" + text[len(base) :]
    if text.startswith(ONTOLOGY_NS):
        return "/ontology/" + text[len(ONTOLOGY_NS) :]
    if text == W3ID + "ontology":
        return "/ontology"
    if text.startswith(W3ID):
        return "/vocab/" + text[len(W3ID) :]
    return text


def show(node: Node | None) -> str:
    """A literal for display: numbers without a useless '.0'."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
            return charts.format_number(float(value))
    return str(node)


def rows(name: str, **bindings: Node) -> list[Any]:
    """The rows of the stored query ``queries/pages/{name}.rq`` with ``bindings``."""
    return list(get_store().query(export.query_text("pages", name), bindings))


def alternates(stem: str) -> list[tuple[str, str, str]]:
    from ..resources import DOCUMENTS

    return [(f"/{stem}.{s}", mt, s) for s, mt in DOCUMENTS.items() if s != "html"]


def page(template: str, **context: Any) -> Response:
    lang = current_lang()
    context.setdefault("alternates", [])
    html = render_template(
        f"pages/{template}",
        lang=lang,
        t=UI[lang],
        href=href,
        show=show,
        number=charts.format_number,
        local_name=local_name,
        **context,
    )
    resp = Response(html, mimetype="text/html")
    resp.vary.add("Accept-Language")
    return resp
