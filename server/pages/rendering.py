"""From query rows to an HTML response: the stored queries a page runs, where its links
point, how a value is shown, and the frame every page is rendered in (template context,
alternates)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Response, current_app, g, render_template
from rdflib import Literal, URIRef
from rdflib.term import Node

from factgraph.graph import export, paging
from factgraph.graph.paging import Page, page_by_graph

from .. import charts
from ..current_store import get_store
from ..negotiation import DOCUMENTS
from .language import UI, current_lang, local_name

W3ID = "https://w3id.org/factgraph/"
ONTOLOGY_NS = W3ID + "ontology#"
CACHED_ROWS_LIMIT = 50_000  # rows kept by ``cached_rows`` per process (about 15 MB at 300 bytes a row)


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


def data_version() -> tuple:
    """``paging.data_version``: what the caches below are kept for. Read once per request."""
    if "factgraph_data_version" not in g:
        g.factgraph_data_version = paging.data_version(get_store())
    return g.factgraph_data_version


def graph_list() -> list[str]:
    """The article graphs in IRI order (``paging.article_graphs``: 1 000 IRIs read back at
    100k claims, 10 000 at 1M), read once per ``data_version``. Cached in the parent as
    ``home_counts`` is (``bounded_views``), and shared with the stored queries."""
    kept = current_app.extensions.get("factgraph.cache.article_graphs")
    graphs = paging.graphs_for(get_store(), kept)
    if graphs is not kept:
        current_app.extensions["factgraph.cache.article_graphs"] = graphs
    return graphs[1]


def cached_rows(name: str, **bindings: Node) -> list[Any]:
    """``rows(name, **bindings)`` read once per ``data_version``: for the aggregates over
    every claim of a kind, a place or a source (a count, the per-date figures of a chart),
    which read all of them (100k claims of a kind: about 1 s) where a page reads a few
    articles. The rows are kept as plain namespaces, handed back to the parent by the
    worker like ``home_counts``; each miss makes a new dict (a changed cache is a new object)."""
    version = data_version()
    cached = current_app.extensions.get("factgraph.cache.rows")
    entries: dict = cached[1] if cached is not None and cached[0] == version else {}
    key = (name, tuple(sorted((k, str(v)) for k, v in bindings.items())))
    if key not in entries:
        found = [SimpleNamespace(**{str(v): row[v] for v in row.labels}) for row in rows(name, **bindings)]
        entries = _bounded({**entries, key: found}, CACHED_ROWS_LIMIT)
        current_app.extensions["factgraph.cache.rows"] = (version, entries)
        return found
    return entries[key]


def _bounded(entries: dict, limit: int) -> dict:
    """``entries`` without its oldest keys (insertion order) while they hold more than
    ``limit`` rows in all, the newest kept whatever its size: a site with 10 000 sources and
    places otherwise keeps every one it was asked about until the data changes."""
    total = sum(len(found) for found in entries.values())
    keys = iter(list(entries))
    while total > limit and len(entries) > 1:
        oldest = next(keys)
        total -= len(entries.pop(oldest))
    return entries


def paged_rows(
    name: str, after: str, want: int, by_claim: bool = False, max_graphs: int | None = None, **bindings: Node
) -> Page:
    """A page of the stored query ``queries/pages/{name}.rq``, paged by article graph
    (``#+ paged: graph``): the rows of the graphs after ``after``, at least ``want`` of
    them when there are (whole articles); ``by_claim``: sorted by ``?claim`` within each
    graph here (Oxigraph's ORDER BY reads every IRI back as a string at each comparison);
    ``max_graphs``: no more than that many article graphs read (``paging.page_by_graph``)."""
    text = export.query_text("pages", name)
    page = page_by_graph(
        get_store(), text, "graph", bindings, graph_list(), after, want, max_graphs=max_graphs
    )
    if by_claim:  # the graphs are in IRI order already: the same order as (graph, claim)
        page.rows.sort(key=lambda row: (str(row.graph), str(row.claim)))
    return page


def alternates(stem: str) -> list[tuple[str, str, str]]:
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


def store_version() -> tuple:
    """What changes whenever the store's content does through factgraph: its named graphs
    (an article added or dropped) and the conflict detection's ``prov:endedAtTime`` (every
    ingest, new or replaced articles alike, ends with a conflict refresh that stamps it).
    Read once per request (``g``): the home and review pages check their caches against it."""
    if "factgraph_store_version" not in g:
        stamps = tuple((str(r.activity), str(r.stamp)) for r in rows("home_version"))
        g.factgraph_store_version = (tuple(get_store().graph_names()), stamps)
    return g.factgraph_store_version
