"""schema.org ClaimReview from reviewers' verdicts only (issue #12), following Google's
ClaimReview structured-data documentation: a ``DataFeed`` whose ``dataFeedElement`` items
are ClaimReviews authored by the newsroom (``review.Newsroom``). Automatic conflicts and
sources' reliability assessments are never ClaimReviews (they stay ``fg:Conflict`` and
``fg:ReliabilityAssessment`` in the graph). No verdict: an empty feed.
"""

from __future__ import annotations

from typing import Any

from .review import Newsroom, Verdict
from .store import Store


def claimreview(store: Store, verdict: Verdict, newsroom: Newsroom) -> dict[str, Any]:
    """One ClaimReview (JSON-LD with its ``@context``) for a verdict: what a verdict page
    embeds in ``<script type="application/ld+json">``; its ``url`` is the verdict IRI."""
    raise NotImplementedError


def claimreview_feed(store: Store, newsroom: Newsroom) -> dict[str, Any]:
    """Every verdict's ClaimReview as one schema.org ``DataFeed`` (``/claimreview.json``,
    ``export --format claimreview``)."""
    raise NotImplementedError
