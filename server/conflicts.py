"""The conflict report: ``/conflicts`` (HTML, filterable by kind, claimant, quantity and
place) with its JSON and CSV twins (``/conflicts.json``, ``/conflicts.csv``, the same
filters), and the page of one conflict (``/conflict/{hash}.html``: the two claims side by
side, each quote highlighted in its article).

The rows come from ``queries/pages/conflicts.rq`` with every filter bound (the empty
literal for "any"); nothing here builds triples.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from flask import Blueprint, Response, current_app, request
from rdflib import Literal, URIRef
from rdflib.term import Node

from . import pages
from .negotiation import negotiate

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
    return {
        name: request.args.get(name, "").strip() for name in FILTERS if request.args.get(name, "").strip()
    }


def report(filters: dict[str, str]) -> list[ConflictRow]:
    """The conflicts matching ``filters`` (IRIs by filter name), capped at ``ROW_LIMIT``."""
    bindings: dict[str, Node] = {
        ("fkind" if name == "kind" else name): (URIRef(filters[name]) if filters.get(name) else Literal(""))
        for name in FILTERS
    }
    found: dict[str, ConflictRow] = {}
    for r in pages.rows("conflicts", **bindings):
        key = str(r.c)
        row = found.get(key)
        if row is None:
            if len(found) >= current_app.config["ROW_LIMIT"]:
                break
            row = found[key] = ConflictRow(
                key, str(r.kind), _number(r.severity), _number(r.ratio), _number(r.gap), str(r.a), str(r.b)
            )
        _add(row.claim_a_label, r.aLabel)
        _add(row.claim_b_label, r.bLabel)
        _add(row.explanation, r.explanation)
    return list(found.values())


def facets(labels: pages.Labels) -> dict[str, list[tuple[str, str]]]:
    values: dict[str, set[str]] = {name: set() for name in FILTERS}
    for r in pages.rows("conflict_facets"):
        values[str(r.facet)].add(str(r.value))
    return {name: sorted(((v, labels.get(v)) for v in vs), key=lambda t: t[1]) for name, vs in values.items()}


def _twin_links(filters: dict[str, str]) -> list[tuple[str, str, str]]:
    from urllib.parse import urlencode

    query = ("?" + urlencode(filters)) if filters else ""
    return [(f"/conflicts.{suffix}{query}", media_type, suffix) for suffix, media_type in TWINS.items()]


def _link_header(twins: list[tuple[str, str, str]]) -> str:
    return ", ".join(f'<{path}>; rel="alternate"; type="{media_type}"' for path, media_type, _ in twins)


@bp.route("/conflicts")
def index() -> Response:
    filters = chosen_filters()
    twins = _twin_links(filters)
    wanted = negotiate(request.headers.get("Accept"), None, ["text/html", *TWINS.values()])
    if wanted in ("application/json", "text/csv"):
        resp = data(next(s for s, mt in TWINS.items() if mt == wanted))
        resp.vary.add("Accept")
        return resp
    labels = pages.vocabulary_labels(pages.Labels(pages.current_lang()))
    conflicts = report(filters)
    resp = pages.page(
        "conflicts.html",
        title=pages.UI[labels.lang]["conflicts"],
        iri=None,
        conflicts=conflicts,
        facets=facets(labels),
        filters=filters,
        labels=labels,
        pick=pick,
        alternates=twins,
    )
    resp.headers["Link"] = _link_header(twins)
    resp.vary.add("Accept")
    return resp


@bp.route("/conflicts.<suffix>")
def data(suffix: str) -> Response:
    if suffix not in TWINS:
        return Response(
            "404 Not Found: /conflicts.json or /conflicts.csv\n", status=404, mimetype="text/plain"
        )
    filters = chosen_filters()
    conflicts = report(filters)
    if suffix == "json":
        body = json.dumps(
            {"filters": filters, "count": len(conflicts), "conflicts": [asdict(c) for c in conflicts]},
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
    resp.headers["Link"] = _link_header(_twin_links(filters))
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


# -- one conflict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One of the two claims of a conflict, as the conflict page shows it."""

    claim: Node
    details: pages.Described
    quote: pages.Quote | None
    article: Node | None
    headline: str | None


def side(claim: Node) -> Side:
    iri = URIRef(str(claim))
    d = pages.describe(iri)
    quote = pages.locate_quote(
        pages.merge_rows(
            [
                r
                for name in ("claim_selector", "claim_position", "claim_text")
                for r in pages.rows(name, iri=iri)
            ]
        )
    )
    prov = pages.rows("claim_provenance", iri=iri)
    article = prov[0].article if prov else None
    headline = str(prov[0].headline) if prov and prov[0].headline is not None else None
    return Side(claim, d, quote, article, headline)


def conflict_page(d: pages.Described, stem: str) -> Response:
    """Both claims side by side, each with its claimant, figure, place and quote."""
    pages.vocabulary_labels(d.labels)
    sides = [
        side(claim) for claim in (d.one(pages.fg("claimA")), d.one(pages.fg("claimB"))) if claim is not None
    ]
    kind = d.one(pages.fg("conflictKind"))
    claimants = [d.labels.get(s.details.one(pages.fg("claimant"))) for s in sides]
    title = d.labels.get(kind) if kind is not None else pages.local_name(str(d.iri))
    if all(claimants):
        title += ": " + f" {pages.UI[d.labels.lang]['versus']} ".join(claimants)
    return pages.generic_page(
        d,
        stem,
        "conflict.html",
        title=title,
        fg=pages.fg,
        sides=sides,
        title_of=pages.title_of,
        explanation=d.text(pages.fg("explanation")),
    )
