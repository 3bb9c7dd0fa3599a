"""Where a claim was read: its quote cut out of the article's text with some context,
from the claim's text-position selector, its exact words, or the selector's own
prefix/exact/suffix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from .rendering import rows


@dataclass(frozen=True)
class Quote:
    before: str
    exact: str
    after: str
    located: bool  # found in the article's text (else the selector's own words)


class Merged:
    """Rows of UNION branches folded into one: the first bound value of each column."""

    def __init__(self, rows: list[Any]):
        self._values: dict[str, Any] = {}
        for row in rows:
            for key, value in row.asdict().items():
                self._values.setdefault(key, value)

    def __getattr__(self, name: str) -> Any:
        return self._values.get(name)


def merge_rows(found: list[Any]) -> Merged | None:
    return Merged(found) if found else None


def locate_quote(row: Any, context: int = 160) -> Quote | None:
    """Cut the article's text around the claim's quote: positions first, checked against
    the quote's exact words; else the exact words searched in the text; else the
    selector's prefix/exact/suffix."""
    if row is None:
        return None
    text = str(row.text) if row.text is not None else ""
    exact = str(row.exact) if row.exact is not None else None
    start = int(row.start) if row.start is not None else None
    end = int(row.end) if row.end is not None else None
    if text and start is not None and end is not None and 0 <= start < end <= len(text):
        if exact is None or text[start:end] == exact:
            return _cut(text, start, end, context)
    if text and exact and exact in text:
        i = text.index(exact)
        return _cut(text, i, i + len(exact), context)
    if exact:
        return Quote(str(row.prefix or ""), exact, str(row.suffix or ""), False)
    return None


def _cut(text: str, start: int, end: int, context: int) -> Quote:
    """The quote with about ``context`` characters either side, cut at word boundaries
    (never mid-word) and marked with an ellipsis where the text goes on."""
    a, b = max(0, start - context), min(len(text), end + context)
    if a > 0:  # forward to the start of the next word
        while a < start and not text[a - 1].isspace():
            a += 1
    if b < len(text):  # back to the end of the previous word
        while b > end and not text[b].isspace():
            b -= 1
    before = ("…" if a > 0 else "") + text[a:start]
    after = text[end:b] + ("…" if b < len(text) else "")
    return Quote(before, text[start:end], after, True)


def claim_quote(iri: URIRef) -> Quote | None:
    """The quote of the claim ``iri`` (``claim_selector``, ``claim_position`` and
    ``claim_text`` merged)."""
    return locate_quote(
        merge_rows(
            [r for name in ("claim_selector", "claim_position", "claim_text") for r in rows(name, iri=iri)]
        )
    )
