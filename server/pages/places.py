"""The page of a place: its claims, ordered by IRI and paged by keyset, with their count."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from rdflib import Literal

from .. import pages as limits  # PAGE_ROWS, read on each request
from .described import Described, generic_page, vocabulary_labels
from .rendering import rows


def place_page(d: Described, stem: str) -> Response:
    page_rows = limits.PAGE_ROWS
    vocabulary_labels(d.labels)
    after = request.args.get("after") or ""
    found = rows("place_count", iri=d.iri)
    claims: dict[str, Any] = {}
    for row in rows("place_claims", iri=d.iri, after=Literal(after)):
        d.labels.add(row.claim, row.label)
        claims.setdefault(str(row.claim), row)
    listed = list(claims.values())
    next_after = str(listed[page_rows - 1].claim) if len(listed) > page_rows else None
    return generic_page(
        d,
        stem,
        "place.html",
        claims=listed[:page_rows],
        total=int(found[0].n) if found else 0,
        after=after,
        next_after=next_after,
    )
