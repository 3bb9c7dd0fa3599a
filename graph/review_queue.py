"""What waits for a reviewer (issue #12): conflicts first (major ones first), then claims
of sources new to the store (quoted in one article only), then low-certainty readings (a
hedge of probability below 0.9, or a vague figure). A claim with a revision not undone or a
verdict has been reviewed and leaves the queue. SPARQL in ``queries/review/queue_*.rq``.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from .catalogue import query_text
from .review import QueueItem, ReviewError
from .store import Store
from .terms import is_absolute_iri

REASONS = ("conflict", "new_source", "low_certainty")
_QUERIES = {
    "conflict": "review/queue_conflicts",
    "new_source": "review/queue_new_sources",
    "low_certainty": "review/queue_low_certainty",
}


def _items(store: Store, article: str | None, source: str | None, kind: str | None) -> Iterator[QueueItem]:
    """Every waiting claim once, at its first reason, in queue order."""
    bindings = {}
    for name, value in (("article", article), ("source", source), ("kind", kind)):
        if value:
            if not is_absolute_iri(value):
                raise ReviewError(f"{name}: {value!r} is not an IRI")
            bindings[name] = URIRef(value)
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
) -> dict[str, int]:
    """How many claims wait, per reason (each claim at its first reason), and 'total'."""
    counts = dict.fromkeys(REASONS, 0)
    for item in _items(store, article, source, kind):
        counts[item.reason] += 1
    return {**counts, "total": sum(counts.values())}
