"""Stored queries (``/queries``): the library of ``queries/*.rq``, runnable from a form or
a URL, with HTML, SPARQL JSON and CSV results (Datasette's stored queries are the model).

- ``GET /queries``: the list (HTML; ``format=json`` for a JSON twin).
- ``GET /queries/<name>?param=value``: the form, and the results once every required
  parameter has a value; ``format=json`` / ``csv`` / ``tsv`` or ``Accept`` for the others.
  A query paged by article graph (``#+ paged: graph``, ``graph/paging.py``) answers one
  page of about ``PAGE_ROWS`` rows (whole articles); the next is ``after=`` the page's
  last graph, linked from the HTML page and by ``Link: <...>; rel="next"``.

The catalogue is loaded (and every query parsed) when the blueprint is registered, so a
broken query stops the app at start-up. Queries run in the killable worker with the same
time limit and row cap as ``/sparql``; values go in as bindings.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.term import Node

from factgraph.graph.catalogue import Catalogue, ParamError, StoredQuery
from factgraph.graph.paging import graphs_for, page_by_graph
from factgraph.graph.store import Store, StoreError
from factgraph.graph.terms import PREFIXES, is_iri

from .negotiation import negotiate
from .pages import limits
from .results import CSV, JSON, TSV, plain, write_select
from .sparql import Answer, _response, _text, run_answer

bp = Blueprint("stored_queries", __name__)
HTML = "text/html"
ROW_TYPES = [HTML, JSON, CSV, TSV]


@bp.record_once
def _load_catalogue(state) -> None:  # type: ignore[no-untyped-def]
    state.app.extensions["factgraph.catalogue"] = Catalogue.load()


def catalogue() -> Catalogue:
    return current_app.extensions["factgraph.catalogue"]


def _stored(name: str) -> StoredQuery:
    query = catalogue().get(name)
    if query is None or query not in catalogue().library():
        abort(404)
    return query


Outcome = tuple[list, list, bool, str | None]  # variables, rows, cut at the row limit, next page's ``after``


def rows_of(store: Store, text: str, bindings: dict, row_limit: int) -> Outcome | Answer:
    """Run a stored SELECT (in the worker): (variables, rows, truncated, None), or a 400 Answer."""
    try:
        result = store.query(text, bindings)
    except StoreError as exc:
        return _text(400, str(exc))
    variables = list(result.vars or [])
    rows: list[tuple[Node | None, ...]] = []
    for i, row in enumerate(result.bindings):
        if i == row_limit:
            return variables, rows, True, None
        rows.append(tuple(plain(row.get(v)) for v in variables))
    return variables, rows, False, None


GRAPHS = "factgraph.cache.article_graphs"  # (data version, article graphs), shared with the pages


def page_of(
    store: Store, text: str, var: str, bindings: dict, after: str, want: int, kept: tuple | None, union: bool = True
) -> tuple[Outcome, tuple] | Answer:
    """One page of a stored SELECT paged by article graph (in the worker), with the list
    of article graphs it used (``kept`` when still current) for the parent to keep;
    ``union``: how a chunk of graphs is bound (``StoredQuery.graphs``)."""
    try:
        graphs = graphs_for(store, kept)
        found = page_by_graph(store, text, var, bindings, graphs[1], after, want, union)
    except StoreError as exc:
        return _text(400, str(exc))
    rows = [tuple(plain(row[v]) for v in found.variables) for row in found.rows]
    return ([Variable(v) for v in found.variables], rows, False, found.next_after), graphs


def _cell(term: object) -> dict[str, str]:
    """How the HTML table shows one term: text, and a link for IRIs."""
    if term is None:
        return {"text": ""}
    if isinstance(term, URIRef):
        iri = str(term)
        for prefix, ns in PREFIXES.items():
            if iri.startswith(str(ns)) and len(iri) > len(str(ns)):
                return {"text": f"{prefix}:{iri[len(str(ns)):]}", "href": iri}
        base = current_app.config["BASE"]
        if iri.startswith(base):  # a minted IRI: its resource page on this site
            return {"text": iri[len(base):], "href": "/" + iri[len(base):]}
        return {"text": iri, "href": iri}
    if isinstance(term, BNode):
        return {"text": f"_:{term}"}
    if isinstance(term, Literal) and term.language:
        return {"text": str(term), "lang": term.language}
    return {"text": str(term)}


@bp.route("/queries")
def index() -> Response:
    library = catalogue().library()
    media_type = negotiate(request.headers.get("Accept"), request.args.get("format"), [HTML, "application/json"])
    if media_type == "application/json":
        return jsonify([
            {"name": q.name, "title": q.title, "description": q.description,
             "params": [{"name": p.name, "type": p.type, "optional": p.optional} for p in q.params],
             "url": url_for("stored_queries.query", name=q.name, _external=True)}
            for q in library
        ])
    if media_type is None:
        abort(406)
    return Response(render_template("stored_queries/index.html", queries=library), mimetype=HTML)


@bp.route("/queries/<path:name>")
def query(name: str) -> Response:
    stored = _stored(name)
    media_type = negotiate(request.headers.get("Accept"), request.args.get("format"), ROW_TYPES)
    if media_type is None:
        return _response(_text(406, f"stored query results are available as: {', '.join(ROW_TYPES)}"))
    values = {p.name: request.args.get(p.name, "") for p in stored.params}
    missing = [p.name for p in stored.params if not p.optional and not values[p.name].strip()]
    after = request.args.get("after", "").strip() if stored.paged else ""
    error = None
    outcome: Outcome | None = None
    if not missing:
        try:
            bindings = stored.bindings(values)
            if after and not is_iri(after):
                raise ParamError(f"after: {after!r} is not the IRI of an article graph (the page's last ?graph)")
        except ParamError as exc:
            error = str(exc)
        else:
            ran: Outcome | Answer
            if stored.paged:
                paged = run_answer(page_of, stored.text, stored.paged, bindings, after, limits.PAGE_ROWS,
                                   current_app.extensions.get(GRAPHS), stored.graphs == "union")
                if isinstance(paged, Answer):
                    ran = paged
                else:
                    ran, current_app.extensions[GRAPHS] = paged
            else:
                ran = run_answer(rows_of, stored.text, bindings, int(current_app.config["ROW_LIMIT"]))
            if isinstance(ran, Answer):  # refused, timed out or failed
                if media_type != HTML:
                    return _response(ran)
                error = ran.body.decode("utf-8", "replace")
            else:
                outcome = ran
    elif media_type != HTML:
        return _response(_text(400, f"missing parameter(s): {', '.join(missing)}"))
    if error and media_type != HTML:
        return _response(_text(400, error))
    if media_type != HTML:
        assert outcome is not None, "every way to get here without rows has answered above"
        variables, rows, truncated, next_after = outcome
        headers = {"X-SPARQL-MaxRows": str(current_app.config["ROW_LIMIT"])} if truncated else {}
        if next_after is not None:
            fmt = request.args.get("format")
            link_args: dict[str, Any] = {**values, "after": next_after, **({"format": fmt} if fmt else {})}
            nxt = url_for("stored_queries.query", name=name, **link_args)
            headers["Link"] = f'<{nxt}>; rel="next"'
        return _response(Answer(200, media_type, write_select(variables, rows, media_type), headers))
    table = None
    query_args: dict[str, Any] = values  # url_for types its own keywords (_external...); these are all strings
    if outcome is not None:
        variables, rows, truncated, next_after = outcome
        table = {"columns": [str(v) for v in variables], "rows": [[_cell(t) for t in row] for row in rows],
                 "truncated": truncated, "after": after,
                 "next": url_for("stored_queries.query", name=name, after=next_after, **query_args)
                 if next_after is not None else None}
    paged_args = {**query_args, **({"after": after} if after else {})}
    alternates = {fmt: url_for("stored_queries.query", name=name, format=fmt, **paged_args) for fmt in ("json", "csv")}
    page = render_template("stored_queries/query.html", query=stored, values=values, table=table, error=error,
                           alternates=alternates)
    return Response(page, status=400 if error else 200, mimetype=HTML)

