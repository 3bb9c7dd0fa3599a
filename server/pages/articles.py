"""The page of an article: its text with every claim highlighted and linked, and the
table of its claims in the order they are read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Response
from rdflib import URIRef
from rdflib.term import Node

from factgraph.graph.article import body_start

from .described import Described, generic_page, vocabulary_labels
from .rendering import rows
from .reviewing import choices


@dataclass(frozen=True)
class Segment:
    text: str
    claim: Node | None = None
    title: str = ""


def segments(text: str, spans: Iterable[tuple[int, int, Node, str]]) -> list[Segment]:
    """Split ``text`` into plain and highlighted segments (overlapping spans: the first wins)."""
    out: list[Segment] = []
    pos = 0
    for start, end, claim, title in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos or end > len(text) or start >= end:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], claim, title))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def article_page(d: Described, stem: str) -> Response:
    vocabulary_labels(d.labels)
    claims = []
    seen: set[str] = set()
    for row in rows("article_claims", iri=d.iri):
        d.labels.add(row.claim, row.label)
        if str(row.claim) not in seen:
            seen.add(str(row.claim))
            claims.append(row)
    spans = []
    starts: dict[str, int] = {}
    for row in rows("article_positions", iri=d.iri):
        spans.append((int(row.start), int(row.end), row.claim, d.labels.get(row.claim)))
        starts.setdefault(str(row.claim), int(row.start))
    claims.sort(key=lambda r: (starts.get(str(r.claim), 1 << 62), str(r.claim)))
    text = d.text(URIRef("https://schema.org/text")) or ""
    start = body_start(text)  # the date header and its field lines are not shown
    shown = [(a - start, b - start, claim, title) for a, b, claim, title in spans if a >= start]
    from ..accounts import current_reviewer

    reviewer = current_reviewer()
    return generic_page(
        d,
        stem,
        "article.html",
        claims=claims,
        segments=segments(text[start:], shown),
        body_offset=start,
        body_length=len(text),
        choices=choices(d.labels) if reviewer else None,
    )
