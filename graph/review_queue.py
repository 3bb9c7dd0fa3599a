"""What waits for a reviewer (issue #12): conflicts first, then claims of sources new
to the store (one article only), then low-certainty readings. A claim with a revision or
a verdict not undone has been reviewed and leaves the queue. SPARQL in ``queries/review/``.
"""

from __future__ import annotations

from .review import QueueItem
from .store import Store

REASONS = ("conflict", "new_source", "low_certainty")


def review_queue(
    store: Store,
    article: str | None = None,
    source: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[QueueItem]:
    """Claims waiting for a reviewer, in the order of ``REASONS``, each claim once (its
    first reason); filtered by article IRI, source (claimant) IRI and quantity kind IRI."""
    raise NotImplementedError


def queue_counts(store: Store) -> dict[str, int]:
    """How many claims wait, per reason, and 'total'."""
    raise NotImplementedError
