"""What waits for a reviewer (issue #12): conflicts first (major ones first), then claims
of sources new to the store (quoted in one article only), then low-certainty readings (a
hedge of probability below 0.9, or a vague figure). A claim with a revision not undone or a
verdict has been reviewed and leaves the queue. SPARQL in ``queries/review/queue_*.rq``.

The counts are bounded (``COUNT_CAP`` per reason): at 100k claims, counting every waiting
claim through the listing queries (GROUP BY + ORDER BY over all claims) took 4-6 s per page;
the count queries (``queue_count_*.rq``) are unordered and ungrouped, so their first rows
come at once, and the count stops at the cap ("1000+").
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from .catalogue import query_text
from .review import QueueCounts, QueueItem, ReviewError
from .store import Store
from .terms import is_absolute_iri

REASONS = ("conflict", "new_source", "low_certainty")
_QUERIES = {
    "conflict": "review/queue_conflicts",
    "new_source": "review/queue_new_sources",
    "low_certainty": "review/queue_low_certainty",
}
_COUNT_QUERIES = {
    "conflict": "review/queue_count_conflicts",
    "new_source": "review/queue_count_new_sources",
    "low_certainty": "review/queue_count_low_certainty",
}
COUNT_CAP = 1000
"""Counts stop above this many claims per reason; the count queries return at most
``COUNT_CAP + 1`` rows (their LIMIT 1001; 2003 for low certainty, whose rows may include
the new sources' claims; a claim has one article, claimant and kind)."""


def _bindings(article: str | None, source: str | None, kind: str | None) -> dict[str, URIRef]:
    bindings = {}
    for name, value in (("article", article), ("source", source), ("kind", kind)):
        if value:
            if not is_absolute_iri(value):
                raise ReviewError(f"{name}: {value!r} is not an IRI")
            bindings[name] = URIRef(value)
    return bindings


def _items(store: Store, article: str | None, source: str | None, kind: str | None) -> Iterator[QueueItem]:
    """Every waiting claim once, at its first reason, in queue order."""
    bindings = _bindings(article, source, kind)
    seen: set[str] = set()
    for reason in REASONS:
        for row in store.query(query_text(_QUERIES[reason]), bindings):
            d = row.asdict()  # type: ignore[union-attr]
            claim = str(d["claim"])
            if claim in seen:
                continue
            seen.add(claim)
            conflict = d.get("conflict")
            yield QueueItem(
                claim,
                reason,
                str(d["article"]),
                str(d["source"]),
                str(d["kind"]),
                str(d.get("label") or ""),
                str(conflict) if conflict is not None else None,
            )


def review_queue(
    store: Store,
    article: str | None = None,
    source: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[QueueItem]:
    """Claims waiting for a reviewer, in the order of ``REASONS``, each claim once (its
    first reason); filtered by article IRI, source (claimant) IRI and quantity kind IRI."""
    out: list[QueueItem] = []
    for item in _items(store, article, source, kind):
        if len(out) >= limit:
            break
        out.append(item)
    return out


def queue_counts(
    store: Store, article: str | None = None, source: str | None = None, kind: str | None = None
) -> QueueCounts:
    """How many claims wait, per reason (each claim at its first reason: the count queries
    leave out the conflicts' claims, and the new sources' claims are left out of the
    low-certainty count here), and 'total'; a reason with more than ``COUNT_CAP`` claims
    counts ``COUNT_CAP`` and is in ``capped`` (and so is 'total'). Exact up to the cap
    while the new sources have at most 1001 claims; above, the low-certainty count may
    include some of theirs (the total is capped then anyway)."""
    bindings = _bindings(article, source, kind)
    counts = dict.fromkeys(REASONS, 0)
    capped: set[str] = set()
    earlier: set[str] = set()  # the new sources' claims, all the query returns
    for reason in REASONS:
        seen: set[str] = set()
        for row in store.query(query_text(_COUNT_QUERIES[reason]), bindings):
            claim = str(row[0])  # type: ignore[index]
            if reason == "new_source":
                earlier.add(claim)
            elif claim not in earlier:
                seen.add(claim)
                if len(seen) > COUNT_CAP:
                    break
        found = earlier if reason == "new_source" else seen
        counts[reason] = min(len(found), COUNT_CAP)
        if len(found) > COUNT_CAP:
            capped.add(reason)
    if capped:
        capped.add("total")
    return QueueCounts({**counts, "total": sum(counts.values())}, frozenset(capped))
