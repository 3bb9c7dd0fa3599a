"""The conflict report: ``/conflicts`` (HTML, filterable by kind, claimant, quantity and
place, 100 conflicts a page) with its JSON and CSV twins (``/conflicts.json``,
``/conflicts.csv``, the same filters, up to ``ROW_LIMIT`` conflicts each), and the page
of one conflict (``/conflict/{hash}.html``: the two claims side by side, each quote
highlighted in its article).

The rows come from ``queries/pages/conflicts_page.rq`` (the HTML page) and
``queries/pages/conflicts.rq`` (the twins) with every filter bound (the empty literal
for "any"). Both are ordered by a key (the kind's IRI, a space, the conflict's IRI) and
start after a bound ``?after`` key: keyset paging, no OFFSET in the query text. The HTML
report links its next page by the last key it shows; a twin cut at ``ROW_LIMIT`` links
the rest with ``Link: <...>; rel="next"`` (and ``"next"`` in the JSON). Nothing here
builds triples.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from flask import Blueprint, Response, current_app, request
from rdflib import Literal, URIRef
from rdflib.term import Identifier, Node

from . import pages
from .bounded_views import bounded
from .errors import filter_iris
from .negotiation import negotiate
from .pages.described import Described, describe, generic_page, title_of, vocabulary_labels
from .pages.home import store_version
from .pages.language import UI, Labels, current_lang, local_name
from .pages.quotes import Quote, claim_quote
from .pages.rendering import fg, page, rows

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


def _bindings(filters: dict[str, str]) -> dict[str, Identifier]:
    return {
        ("fkind" if name == "kind" else name): (URIRef(filters[name]) if filters.get(name) else Literal(""))
        for name in FILTERS
    }


def report(
    filters: dict[str, str], after: str = "", limit: int | None = None, query: str = "conflicts"
) -> tuple[list[ConflictRow], str | None]:
    """The conflicts matching ``filters`` (IRIs by filter name) after the key ``after``,
    at most ``limit`` (default ``ROW_LIMIT``), read from the stored query ``query``; and
    the key to continue after when there are more (else None)."""
    limit = current_app.config["ROW_LIMIT"] if limit is None else limit
    found: dict[str, ConflictRow] = {}
    last_key, next_after = "", None
    if not filters and query == "conflicts_page":  # the first view: no lookups on the claims
        found_rows = rows("conflicts_page_all", after=Literal(after))
    else:
        found_rows = rows(query, after=Literal(after), **_bindings(filters))
    for r in found_rows:
        key = str(r.c)
        row = found.get(key)
        if row is None:
            if len(found) >= limit:
                next_after = last_key
                break
            row = found[key] = ConflictRow(
                key, str(r.kind), _number(r.severity), _number(r.ratio), _number(r.gap), str(r.a), str(r.b)
            )
            last_key = str(r.key)
        _add(row.claim_a_label, r.aLabel)
        _add(row.claim_b_label, r.bLabel)
        _add(row.explanation, r.explanation)
    return list(found.values()), next_after


def count(filters: dict[str, str]) -> int:
    found = rows("conflict_count", **_bindings(filters)) if filters else rows("conflict_count_all")
    return int(found[0].n) if found else 0


def facets(labels: Labels) -> dict[str, list[tuple[str, str]]]:
    """The filter form's choices: read once per version of the store (``conflict_facets``
    joins every conflict's claims: 0.25 s with 2 000 conflicts), then labelled per page."""
    version = store_version()
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
    conflicts, next_after = report(filters, after, pages.PAGE_ROWS, "conflicts_page")
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
