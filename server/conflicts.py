"""The conflict report: ``/conflicts`` (HTML, filterable by kind, claimant, quantity and
place, 100 conflicts a page) with its JSON and CSV twins (``/conflicts.json``,
``/conflicts.csv``, the same filters, up to ``ROW_LIMIT`` conflicts each), and the page
of one conflict (``/conflict/{hash}.html``: the two claims side by side, each quote
highlighted in its article).

The report is ordered by a key (the kind's IRI, a space, the conflict's IRI), and a page
starts after a given ``after`` key: keyset paging, never an OFFSET. The keys are sorted
and filtered in ``graph/conflict_report.py``, read once per version of the derived data
and kept here (``selected``): at 1M claims, Oxigraph's ``ORDER BY`` over the 20 000
conflicts cost 2 s a view. A page's columns come from ``queries/pages/conflict_rows.rq``
for its conflicts only. The HTML report links its next page by the last key it shows; a
twin cut at ``ROW_LIMIT`` links the rest with ``Link: <...>; rel="next"`` (and ``"next"``
in the JSON). Nothing here builds triples.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from flask import Blueprint, Response, current_app, g, request
from rdflib import Literal, URIRef
from rdflib.term import Node

from factgraph.graph import conflict_report

from .bounded_views import bounded
from .current_store import get_store
from .errors import filter_iris
from .negotiation import negotiate
from .pages import limits
from .pages.described import Described, describe, generic_page, title_of, vocabulary_labels
from .pages.language import UI, Labels, current_lang, local_name
from .pages.quotes import Quote, claim_quote
from .pages.rendering import data_version, fg, page, rows

bp = Blueprint("conflicts", __name__)

FILTERS = ("kind", "claimant", "quantity", "place")  # query-string names
TWINS = {"json": "application/json", "csv": "text/csv"}
CSV_COLUMNS = (
    "conflict",
    "kind",
    "severity",
    "ratio",
    "gap",
    "claim_a",
    "claim_a_label",
    "claim_b",
    "claim_b_label",
    "explanation_en",
    "explanation_fr",
)


@dataclass
class ConflictRow:
    """One conflict of the report, folded from its rows (one per label and language)."""

    conflict: str
    kind: str
    severity: str | None
    ratio: str | None
    gap: str | None
    claim_a: str
    claim_b: str
    claim_a_label: dict[str, str] = field(default_factory=dict)
    claim_b_label: dict[str, str] = field(default_factory=dict)
    explanation: dict[str, str] = field(default_factory=dict)


def _number(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _add(found: dict[str, str], literal: Node | None) -> None:
    if isinstance(literal, Literal):
        found.setdefault(literal.language or "", str(literal))


def pick(found: dict[str, str], lang: str) -> str:
    return next((found[lg] for lg in (lang, "en", "fr", "") if lg in found), "")


def chosen_filters() -> dict[str, str]:
    """The filters of the request, each an IRI: an absolute IRI, or a short name as the pages
    show it (``kind=tension``, ``claimant=osdh``, ``place=syria``); else 400."""
    return filter_iris(request.args, FILTERS)


REPORT_CACHE = "factgraph.cache.conflict_report"  # (data version, {"keys": [...], (filter, value): set})
MATCH_SETS = 256  # filter values kept per version at most (any IRI may be asked for)


def selected(filters: dict[str, str]) -> list[str]:
    """The report's keys (``conflict_report.key``) that ``filters`` admit, sorted: the keys
    and each filter value's conflicts read once per version of the derived data and kept
    (handed back to the parent by the worker, as the filter choices are). Once per request."""
    memo = g.setdefault("factgraph_conflict_keys", {})
    wanted = tuple(sorted(filters.items()))
    if wanted in memo:
        return memo[wanted]
    store = get_store()
    version = data_version()
    cached = current_app.extensions.get(REPORT_CACHE)
    entries: dict = cached[1] if cached is not None and cached[0] == version else {}
    added: dict = {}
    if "keys" not in entries:
        added["keys"] = conflict_report.report_keys(store)
    admitted = []
    for name in conflict_report.FILTER_PROPERTIES:
        if filters.get(name):
            at = (name, filters[name])
            if at not in entries:
                added[at] = conflict_report.matching(store, name, filters[name])
            admitted.append(entries.get(at, added.get(at)))
    every = {**entries, **added}
    if added and len(every) <= MATCH_SETS:  # a changed cache is a new object (bounded_views)
        current_app.extensions[REPORT_CACHE] = (version, every)
    memo[wanted] = conflict_report.chosen(every["keys"], filters.get("kind"), admitted)
    return memo[wanted]


def report(
    filters: dict[str, str], after: str = "", limit: int | None = None
) -> tuple[list[ConflictRow], str | None]:
    """The conflicts matching ``filters`` (IRIs by filter name) after the key ``after``,
    at most ``limit`` (default ``ROW_LIMIT``), in the report's order; and the key to
    continue after when there are more (else None)."""
    limit = current_app.config["ROW_LIMIT"] if limit is None else limit
    keys, next_after = conflict_report.page_keys(selected(filters), after, limit)
    kinds: dict[str, str] = {}  # conflict -> its kind, in the report's order
    for k in keys:
        kinds.setdefault(conflict_report.conflict_of(k), k.split(" ", 1)[0])
    page = conflict_report.rows_of(get_store(), list(kinds))
    by_conflict = {str(r.c): r for r in page.rows if str(r.kind) == kinds.get(str(r.c))}
    found: list[ConflictRow] = []
    for conflict in kinds:
        r = by_conflict.get(conflict)
        if r is None:  # gone since the keys were read, or without its two claims
            continue
        row = ConflictRow(
            conflict, str(r.kind), _number(r.severity), _number(r.ratio), _number(r.gap), str(r.a), str(r.b)
        )
        for iri, into in (
            (conflict, row.explanation),
            (row.claim_a, row.claim_a_label),
            (row.claim_b, row.claim_b_label),
        ):
            for text in page.texts.get(iri, ()):
                _add(into, text)
        found.append(row)
    return found, next_after


def count(filters: dict[str, str]) -> int:
    return len(selected(filters))


def facets(labels: Labels) -> dict[str, list[tuple[str, str]]]:
    """The filter form's choices: read once per version of the derived data
    (``conflict_facets`` joins every conflict's claims: 0.25 s with 2 000 conflicts, seconds
    at 1M claims), then labelled per page."""
    version = data_version()
    cached = current_app.extensions.get("factgraph.cache.conflict_facets")
    if cached is not None and cached[0] == version:
        values: dict[str, list[str]] = cached[1]
    else:
        found: dict[str, set[str]] = {name: set() for name in FILTERS}
        for r in rows("conflict_facets"):
            found[str(r.facet)].add(str(r.value))
        values = {name: sorted(vs) for name, vs in found.items()}
        # plain data: a page rendered in a worker hands the cache back (bounded_views)
        current_app.extensions["factgraph.cache.conflict_facets"] = (version, values)
    return {name: sorted(((v, labels.get(v)) for v in vs), key=lambda t: t[1]) for name, vs in values.items()}


def _query(filters: dict[str, str], after: str | None = None) -> str:
    from urllib.parse import urlencode

    args = {**filters, **({"after": after} if after else {})}
    return ("?" + urlencode(args)) if args else ""


def _twin_links(filters: dict[str, str]) -> list[tuple[str, str, str]]:
    query = _query(filters)
    return [(f"/conflicts.{suffix}{query}", media_type, suffix) for suffix, media_type in TWINS.items()]


def _link_header(twins: list[tuple[str, str, str]]) -> str:
    return ", ".join(f'<{path}>; rel="alternate"; type="{media_type}"' for path, media_type, _ in twins)


@bp.route("/conflicts")
@bounded
def index() -> Response:
    filters = chosen_filters()
    twins = _twin_links(filters)
    wanted = negotiate(request.headers.get("Accept"), None, ["text/html", *TWINS.values()])
    if wanted in ("application/json", "text/csv"):
        resp = twin(next(s for s, mt in TWINS.items() if mt == wanted))
        resp.vary.add("Accept")
        return resp
    labels = vocabulary_labels(Labels(current_lang()))
    after = request.args.get("after") or ""
    conflicts, next_after = report(filters, after, limits.PAGE_ROWS)
    resp = page(
        "conflicts.html",
        title=UI[labels.lang]["conflicts"],
        iri=None,
        conflicts=conflicts,
        total=count(filters),
        facets=facets(labels),
        filters=filters,
        labels=labels,
        pick=pick,
        alternates=twins,
        after=after,
        first_href=_query(filters) or "?",
        next_href=_query(filters, next_after) if next_after else None,
        stale=bool(rows("conflicts_stale")),  # an ingest has not finished its conflicts refresh
    )
    resp.headers["Link"] = _link_header(twins)
    resp.vary.add("Accept")
    return resp


@bp.route("/conflicts.<suffix>")
@bounded
def data(suffix: str) -> Response:
    return twin(suffix)


def twin(suffix: str) -> Response:
    """The JSON or CSV twin of the report (in the worker that runs the request)."""
    if suffix not in TWINS:
        return Response(
            "404 Not Found: /conflicts.json or /conflicts.csv\n", status=404, mimetype="text/plain"
        )
    filters = chosen_filters()
    conflicts, next_after = report(filters, request.args.get("after") or "")
    next_url = f"/conflicts.{suffix}{_query(filters, next_after)}" if next_after else None
    if suffix == "json":
        body = json.dumps(
            {
                "filters": filters,
                "count": len(conflicts),
                "conflicts": [asdict(c) for c in conflicts],
                **({"next": next_url} if next_url else {}),
            },
            ensure_ascii=False,
            indent=2,
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for c in conflicts:
            writer.writerow(
                [
                    c.conflict,
                    c.kind,
                    c.severity or "",
                    c.ratio or "",
                    c.gap or "",
                    c.claim_a,
                    pick(c.claim_a_label, "en"),
                    c.claim_b,
                    pick(c.claim_b_label, "en"),
                    c.explanation.get("en", ""),
                    c.explanation.get("fr", ""),
                ]
            )
        body = out.getvalue()
    resp = Response(body, mimetype=TWINS[suffix])
    if suffix == "csv":
        resp.headers["Content-Disposition"] = 'inline; filename="conflicts.csv"'
    resp.headers["Link"] = _link_header(_twin_links(filters)) + (
        f', <{next_url}>; rel="next"' if next_url else ""
    )
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


# -- one conflict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One of the two claims of a conflict, as the conflict page shows it."""

    claim: Node
    details: Described
    quote: Quote | None
    article: Node | None
    headline: str | None


def side(claim: Node) -> Side:
    iri = URIRef(str(claim))
    d = describe(iri)
    quote = claim_quote(iri)
    prov = rows("claim_provenance", iri=iri)
    article = prov[0].article if prov else None
    headline = str(prov[0].headline) if prov and prov[0].headline is not None else None
    return Side(claim, d, quote, article, headline)


def conflict_page(d: Described, stem: str) -> Response:
    """Both claims side by side, each with its claimant, figure, place and quote."""
    vocabulary_labels(d.labels)
    sides = [side(claim) for claim in (d.one(fg("claimA")), d.one(fg("claimB"))) if claim is not None]
    kind = d.one(fg("conflictKind"))
    claimants = [d.labels.get(s.details.one(fg("claimant"))) for s in sides]
    title = d.labels.get(kind) if kind is not None else local_name(str(d.iri))
    if all(claimants):
        title += ": " + f" {UI[d.labels.lang]['versus']} ".join(claimants)
    return generic_page(
        d,
        stem,
        "conflict.html",
        title=title,
        fg=fg,
        sides=sides,
        title_of=title_of,
        explanation=d.text(fg("explanation")),
    )
