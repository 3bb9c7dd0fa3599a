"""The SPARQL endpoint (``/sparql``): SPARQL 1.1 Protocol, query operation only.

- ``GET ?query=``, ``POST`` form-encoded (``query=``) and ``POST application/sparql-query``
  (UTF-8); ``default-graph-uri`` / ``named-graph-uri`` (graphs of the store only).
- Results negotiated by ``Accept`` (q-values) or a ``format`` parameter
  (``negotiation.negotiate``): SELECT as SPARQL JSON, XML, CSV, TSV; ASK as JSON, XML;
  CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD, RDF/XML, TriG.
- 400 with the parser's message, 403 for updates, 405 for other methods, 406, 413 (body
  over ``MAX_CONTENT_LENGTH``), 415, 503 with ``Retry-After`` when a query runs past ``QUERY_TIMEOUT`` or
  ``QUERY_MEMORY_MB``, or no worker is free (``query_pool.py``).
- ``GET`` without a query: the Service Description, or the workbench for a browser.
- Every query runs in a killable worker (``query_pool.py``, ``worker.py``), except a bounded lookup
  (one triple pattern with an IRI, ``query_policy.lookup_plan``) answered in this process, reading at
  most ``SPARQL_LOOKUP_ROWS`` rows (``lookup_answer``, ``LookupShortcut``); SELECT results are
  capped at ``ROW_LIMIT`` rows (``X-SPARQL-MaxRows`` tells when a result was cut).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from rdflib import Variable
from werkzeug.datastructures import MultiDict

from factgraph.graph.service_description import service_description
from factgraph.graph.store import EmbeddedStore, Store, StoreError
from factgraph.graph.terms import PREFIXES

from .current_store import get_store
from .negotiation import negotiate
from .query_policy import Refused, lookup_plan, needs_base, plan, quick_plan
from .query_pool import SITE, SPARQL, run_query
from .results import (
    GRAPH_FORMATS,
    GRAPH_TYPES,
    JSON,
    OFFERED,
    SELECT_TYPES,
    json_more_rows,
    native_json,
    write_boolean,
    write_graph,
    write_select,
)
from .security import add_headers
from .worker import WorkerError

bp = Blueprint("sparql", __name__, template_folder="templates")

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-SPARQL-MaxRows"}

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """What a worker sends back: everything needed for the HTTP response."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain", (message.rstrip() + "\n").encode("utf-8"))


def answer_query(
    store: Store,
    text: str,
    default_graphs: list[str],
    named_graphs: list[str],
    accept: str | None,
    format_param: str | None,
    row_limit: int,
    base: str | None = None,
) -> Answer:
    """Check, run and serialise one query (runs in the worker process).

    On an embedded store, a SELECT or ASK that needs no rewriting goes straight to the
    engine (``query_policy.quick_plan``, ``Store.native_query``): its terms are written
    as they come, no rdflib parse or conversion. Anything else, and any text the engine
    refuses (for the message), goes through ``query_policy.plan`` and ``Store.query``."""
    try:
        # the tokens suffice only where pyoxigraph parses the text and runs queries only: a
        # remote server may read more into a query text (Virtuoso runs SPARUL sent as a query)
        quick = isinstance(store, EmbeddedStore) and not (default_graphs or named_graphs)
        # a lookup's shape is matched in µs, where the tokens take 0.1 ms for a PREFIX-laden text
        checked = (lookup_plan(text, base) or quick_plan(text, base)) if quick else None
        if checked is None:
            checked = plan(text, store.graph_names, default_graphs, named_graphs, base)  # listed only if needed
    except Refused as exc:
        return _text(exc.status, exc.message)
    offered = OFFERED[checked.form]
    media_type = negotiate(accept, format_param, offered)
    if media_type is None:
        return _text(406, f"no acceptable result format; {checked.form} results are: {', '.join(offered)}")
    headers: dict[str, str] = {}
    try:
        native = (store.native_query(checked.text, checked.prefixed)
                  if checked.form in ("SELECT", "ASK") and not checked.checked else None)
        if native is not None:
            return _native_answer(native, checked.form, media_type, row_limit)
        result = store.query(checked.text)
    except StoreError as exc:
        if not checked.checked:  # the engine refused a text only tokenised: the full check says why
            try:
                plan(text, store.graph_names, default_graphs, named_graphs, base)
            except Refused as refused:
                return _text(refused.status, refused.message)
        return _text(400, str(exc))
    if checked.form == "ASK":
        body = write_boolean(bool(result.askAnswer), media_type)
    elif checked.form == "SELECT":
        variables = list(result.vars or [])
        rows = [tuple(row.get(v) for v in variables) for row in islice(result.bindings, row_limit + 1)]
        body = _select_body(variables, rows, media_type, row_limit, headers)
    else:
        triples = list(islice(iter(result.graph), row_limit + 1))
        if len(triples) > row_limit:
            triples = triples[:row_limit]
            headers["X-SPARQL-MaxRows"] = str(row_limit)
        body = write_graph(triples, media_type)
    return Answer(200, media_type, body, headers)


def _select_body(variables: list, rows: list[tuple], media_type: str, row_limit: int, headers: dict) -> bytes:
    """The rows (``row_limit`` + 1 read, to know) written, cut at ``row_limit``: the
    ``X-SPARQL-MaxRows`` header and the body say so."""
    cut = len(rows) > row_limit
    if cut:
        rows = rows[:row_limit]
        headers["X-SPARQL-MaxRows"] = str(row_limit)
    return write_select(variables, rows, media_type, row_limit if cut else None)  # the body says it too


def _native_answer(result: Any, form: str, media_type: str, row_limit: int) -> Answer:
    """An answer from pyoxigraph's own results (``Store.native_query``); evaluation is
    lazy, so its errors surface here (``StoreError``)."""
    headers: dict[str, str] = {}
    try:
        if form == "ASK":
            return Answer(200, media_type, write_boolean(bool(result), media_type))
        variables = [Variable(v.value) for v in result.variables]
        rows = [tuple(solution[v] for v in variables) for solution in islice(result, row_limit + 1)]
    except (SyntaxError, RuntimeError, ValueError) as exc:
        raise StoreError(f"query: {exc}") from exc
    return Answer(200, media_type, _select_body(variables, rows, media_type, row_limit, headers), headers)


@lru_cache(maxsize=256)
def _negotiated(accept: str | None, format_param: str | None, form: str) -> str | None:
    """``negotiate`` for a lookup, kept per Accept header and format (a client sends the
    same ones with every query)."""
    return negotiate(accept, format_param, OFFERED[form])


def lookup_answer(
    store: Store,
    text: str,
    accept: str | None,
    format_param: str | None,
    row_limit: int,
    max_rows: int,
    base: str | None = None,
) -> Answer | None:
    """The answer to a bounded lookup (``query_policy.lookup_plan``: one triple pattern
    with an IRI), computed here in the serving process, or None when a worker must answer
    (``answer_query``): not that shape, no acceptable format, an error for the worker to
    word, or more than ``max_rows`` rows. The engine reads the pattern's index range
    lazily and stops after ``max_rows`` + 1 rows, so what this costs is bounded whatever
    the store holds (about 0.1 ms for a claim's 20 triples at 1M claims), where a worker
    costs a round trip through a pipe and two more processes to schedule."""
    limit = min(max_rows, row_limit)
    checked = lookup_plan(text, base, rows=limit + 1)  # the engine stops after limit + 1 rows
    if checked is None:
        return None
    media_type = _negotiated(accept, format_param, checked.form)
    if media_type is None:
        return None
    try:
        result = store.native_query(checked.text, checked.prefixed)
        if result is None:
            return None
        if checked.form == "ASK":
            return Answer(200, media_type, write_boolean(bool(result), media_type))
        if media_type == JSON:  # written by the engine (``native_json``), unless there are too many rows
            body = native_json(result)
            if not json_more_rows(body, limit):
                return Answer(200, media_type, body)
            if limit < row_limit:
                return None
            result = store.native_query(checked.text, checked.prefixed)  # cut at the row limit below, as any query's rows
        variables = [Variable(v.value) for v in result.variables]
        # a solution iterates over its values in the variables' order
        rows = [tuple(solution) for solution in islice(result, limit + 1)]
    except (StoreError, SyntaxError, RuntimeError, ValueError, OSError):  # a worker words it
        return None
    if len(rows) > limit and limit < row_limit:
        return None
    headers: dict[str, str] = {}
    return Answer(200, media_type, _select_body(variables, rows, media_type, row_limit, headers), headers)


def run_answer(fn: Callable[..., T], *args: Any, lane: str = SITE) -> T | Answer:
    """``fn(store, *args)`` in a query worker (``query_pool.run_query``): what ``fn``
    returns, or an Answer when it failed. A query that timed out, ran out of memory or
    found no free worker raises ``query_pool.Unavailable`` (a 503, ``errors.py``)."""
    try:
        return run_query(fn, *args, lane=lane)
    except WorkerError as exc:
        if exc.kind == "RecursionError":  # rdflib's parser and writers recurse on nested input
            return _text(400, "query too deeply nested")
        return _text(500, f"query failed: {exc.kind}: {exc}")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Operation:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]


def read_operation() -> Operation:
    """The operation a request carries, per SPARQL 1.1 Protocol section 2.1."""
    params: MultiDict[str, str] = MultiDict(request.args)
    if request.method == "POST":
        mimetype = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if mimetype == FORM:
            params.update(request.form)
        elif mimetype == DIRECT:
            if charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"the query must be UTF-8, not {charset}")
            try:
                params.add("query", request.get_data().decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise ProtocolError(400, f"the query is not valid UTF-8: {exc}") from exc
        elif mimetype == UPDATE:
            raise ProtocolError(403, "SPARQL Update is not accepted: this endpoint is read-only")
        elif not mimetype:
            raise ProtocolError(415, f"a POST needs Content-Type {FORM} or {DIRECT}")
        else:
            raise ProtocolError(415, f"unsupported Content-Type {mimetype}: use {FORM} or {DIRECT}")
    if "update" in params:
        raise ProtocolError(403, "SPARQL Update is not accepted: this endpoint is read-only")
    queries = params.getlist("query")
    if len(queries) > 1:
        raise ProtocolError(400, "exactly one 'query' parameter is allowed")
    return Operation(
        queries[0] if queries else None,
        params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"),
    )


def _response(ans: Answer) -> Response:
    resp = Response(ans.body, status=ans.status, mimetype=ans.media_type)
    resp.headers.update(ans.headers)
    resp.vary.add("Accept")
    return resp


WORKBENCH_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# hand-written examples offered beside the stored queries (queries/*.rq)
EXAMPLES = [
    ("Claims with their source and figure",
     "SELECT ?claim ?source ?value ?bound WHERE {\n  ?claim a fg:FigureClaim ; fg:claimant ?source ;\n"
     "         fg:value ?value ; fg:bound ?bound .\n}\nORDER BY DESC(?value)\nLIMIT 50\n"),
    ("Conflicts and their explanation",
     "SELECT ?conflict ?kind ?a ?b ?explanation WHERE {\n  ?conflict a fg:Conflict ; fg:conflictKind ?kind ;\n"
     "            fg:claimA ?a ; fg:claimB ?b ; fg:explanation ?explanation .\n"
     "  FILTER(langMatches(lang(?explanation), \"en\"))\n}\nLIMIT 50\n"),
    ("Named graphs and their sizes",
     "SELECT ?graph (COUNT(*) AS ?triples) WHERE {\n  GRAPH ?graph { ?s ?p ?o }\n}\nGROUP BY ?graph\n"
     "ORDER BY DESC(?triples)\n"),
]


def _examples() -> list[dict[str, str]]:
    """What the workbench offers to load: a few examples, then the stored queries."""
    catalogue = current_app.extensions.get("factgraph.catalogue")
    stored = [{"title": q.title, "text": q.text} for q in catalogue.library()] if catalogue else []
    return [{"title": t, "text": text} for t, text in EXAMPLES] + stored


def _describe_service() -> Response:
    offered = ["text/html", *GRAPH_TYPES]
    media_type = negotiate(request.headers.get("Accept"), request.args.get("format"), offered)
    if media_type == "text/html":
        page = render_template(
            "sparql/workbench.html",
            prefixes={p: str(ns) for p, ns in PREFIXES.items()},
            endpoint=url_for("sparql.endpoint"),
            examples=_examples(),
        )
        resp = Response(page, mimetype="text/html")
        # YASGUI's editor and tables set inline styles: allowed here, scripts stay 'self' only
        resp.headers["Content-Security-Policy"] = WORKBENCH_CSP
        return resp
    if media_type is None:
        return _response(_text(406, f"the service description is available as: {', '.join(GRAPH_TYPES)}"))
    store = get_store()
    graph = service_description(
        url_for("sparql.endpoint", _external=True),
        SELECT_TYPES + GRAPH_TYPES,
        store.graph_names(),
        row_limit=int(current_app.config["ROW_LIMIT"]),
        timeout=float(current_app.config["QUERY_TIMEOUT"]),
    )
    body = graph.serialize(format=GRAPH_FORMATS[media_type], encoding="utf-8")
    return _response(Answer(200, media_type, body))


def _answer(op: Operation) -> Answer:
    """A bounded lookup on an embedded store in this process (``lookup_answer``), any other
    query in a killable worker (``answer_query``)."""
    cfg = current_app.config
    accept, format_param = request.headers.get("Accept"), request.values.get("format")
    row_limit, base = int(cfg["ROW_LIMIT"]), url_for("sparql.endpoint", _external=True)
    lookup_rows = int(cfg["SPARQL_LOOKUP_ROWS"])
    store = get_store()
    if lookup_rows > 0 and not (op.default_graphs or op.named_graphs) and isinstance(store, EmbeddedStore):
        answer = lookup_answer(store, op.query or "", accept, format_param, row_limit, lookup_rows, base)
        if answer is not None:
            return answer
    return run_answer(
        answer_query, op.query, op.default_graphs, op.named_graphs, accept, format_param, row_limit, base,
        lane=SPARQL,
    )


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], strict_slashes=False)  # /sparql/ too
def endpoint() -> Response:
    if request.method == "OPTIONS":  # CORS preflight: a browser app may GET or POST a query
        resp = Response(status=204)
        resp.headers.update(CORS)
        resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        resp.headers["Access-Control-Max-Age"] = "86400"
        return resp
    try:
        op = read_operation()
    except ProtocolError as exc:
        resp = _response(_text(exc.status, str(exc)))
    else:
        if op.query is not None and not op.query.strip():
            resp = _response(_text(400, "the 'query' parameter is empty"))
        elif op.query is None:
            if request.method == "POST":
                resp = _response(_text(400, "missing 'query'"))
            else:
                resp = _describe_service()
        else:
            resp = _response(_answer(op))
    resp.headers.update(CORS)  # read-only and public: any web app may read the answers, GET or POST
    return resp


class LookupShortcut:
    """WSGI middleware in front of the app (``init_app``): a ``GET /sparql`` bounded lookup
    (``lookup_answer``) answered without Flask's request machinery (request context,
    routing, argument parsing, ``url_for``, hooks: 0.2 ms of the 0.4 ms such a request
    took in process), with the headers the endpoint and the hooks give it (``_response``,
    ``CORS``, ``security.add_headers``; tested equal), those computed once per media type
    and the body handed to the server as it is.
    Only the query string is read, and only when it holds ``query`` and at most ``format``,
    in ASCII, with every IRI absolute (no base to resolve against); anything else, and any
    lookup ``lookup_answer`` declines, goes to the app as before."""

    PATHS = ("/sparql", "/sparql/")

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]):
        self.app = app
        self.wsgi_app = wsgi_app
        self._headers: dict[str, list[tuple[str, str]]] = {}  # media type -> the answer's headers

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") in self.PATHS:
            answer = self._answer(environ)
            if answer is not None:
                if answer.headers or answer.status != 200:  # X-SPARQL-MaxRows (rare): as the endpoint does
                    resp = _response(answer)
                    resp.headers.update(CORS)
                    return add_headers(resp)(environ, start_response)
                start_response("200 OK", self._headers_for(answer.media_type, len(answer.body)))
                return [answer.body]
        return self.wsgi_app(environ, start_response)

    def inline(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The answer to a bounded lookup as (status, headers, body), for waitress' I/O thread
        (``serving.InlineAnswers``: ``environ`` holds the method, path, query string and
        ``Accept`` header only), or None: not such a lookup, or not a plain 200 (a cut answer
        goes through the ``Response``, on a request thread). Bounded: at most
        ``SPARQL_LOOKUP_ROWS`` + 1 rows read; the same headers as ``__call__`` gives."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") not in self.PATHS:
            return None
        answer = self._answer(environ)
        if answer is None or answer.headers or answer.status != 200:
            return None
        return "200 OK", self._headers_for(answer.media_type, len(answer.body)), answer.body

    def _headers_for(self, media_type: str, length: int) -> list[tuple[str, str]]:
        """The headers of a 200 answer in ``media_type``: those ``_response``, ``CORS`` and
        ``security.add_headers`` give it (computed through them once per media type: a
        werkzeug ``Response`` and its header checks cost 0.05 ms a lookup), the length set."""
        headers = self._headers.get(media_type)
        if headers is None:
            resp = _response(Answer(200, media_type, b""))
            resp.headers.update(CORS)
            headers = self._headers[media_type] = list(add_headers(resp).headers.items())
        return [(name, str(length)) if name == "Content-Length" else (name, value) for name, value in headers]

    def _answer(self, environ: dict) -> Answer | None:
        cfg = self.app.config
        rows = int(cfg["SPARQL_LOOKUP_ROWS"])
        store = self.app.extensions.get("factgraph.store")
        query_string = environ.get("QUERY_STRING", "")
        if rows <= 0 or not isinstance(store, EmbeddedStore) or not query_string.isascii():
            return None
        params = parse_qsl(query_string, keep_blank_values=True)
        names = [name for name, _ in params]
        if names.count("query") != 1 or names.count("format") > 1 or set(names) - {"query", "format"}:
            return None
        values = dict(params)
        text = values["query"]
        if not text.strip() or needs_base(text):
            return None
        return lookup_answer(store, text, environ.get("HTTP_ACCEPT"), values.get("format"), int(cfg["ROW_LIMIT"]), rows)


def init_app(app: Flask) -> None:
    shortcut = LookupShortcut(app, app.wsgi_app)
    app.wsgi_app = shortcut  # type: ignore[method-assign]
    app.extensions["factgraph.inline"] = shortcut.inline  # waitress' I/O thread answers these (serving.py)
