"""Reviews by fact-checkers, as plain data: readings, revisions, verdicts, the rating
scale and the newsroom (issue #12). Pure: no store here (``review_store.py`` writes and
reads them; ``review_queue.py`` lists what waits for a reviewer; ``claimreview.py`` makes
the schema.org feed).

The public API (the contract with the server, ``/work/review-contract.md``):

- ``review.py``: ``Reading``, ``Revision``, ``Verdict``, ``Rating``, ``RatingScale``,
  ``Newsroom``, ``QueueItem``, ``QueueCounts``, ``ReviewError``, ``ACTIONS``, ``rating_scale()``,
  ``newsroom()``, ``overlay(records, readings)``.
- ``review_store.py``: ``ensure_reviewer``, ``revise``, ``add_claim``, ``undo``,
  ``give_verdict``; and, re-exported from ``review_readings.py`` / ``review_anchors.py``,
  ``machine_reading``, ``current_reading``, ``current_readings``, ``history``, ``verdict``,
  ``verdicts_of``, ``all_verdicts``, ``orphaned``, ``orphaned_verdicts``, ``check_reading``,
  ``reattach``, ``reattach_changes``.
- ``review_queue.py``: ``review_queue``, ``queue_counts`` (bounded by ``COUNT_CAP``).
- ``claimreview.py``: ``claimreview_feed``, ``claimreview``.

Every write is one ``store.apply(Changes(...))`` in the article's review graph
(``{base}graph/review/{article_id}``) or the reviewers graph, then the conflicts refresh;
a bad value is a ``ReviewError`` (one line naming the field) raised before any write.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .conflict_records import ClaimRecord
from .terms import FGB, base_iri, local_name

# The review actions (local names of the fga: concepts, ontology/vocabularies.ttl).
CONFIRMED, CORRECTED, NOT_A_CLAIM, ADDED = "confirmed", "corrected", "not_a_claim", "added"
ACTIONS = (CONFIRMED, CORRECTED, NOT_A_CLAIM, ADDED)
ACTION_NS = "https://w3id.org/factgraph/review-action/"
RATING_NS = "https://w3id.org/factgraph/rating/"


class ReviewError(ValueError):
    """A review refused: the one-line message names the invalid field and value (the
    server answers it with a 400); nothing was written."""


@dataclass(frozen=True)
class Reading:
    """What a claim says, as read by the extractor or a reviewer. IRIs as strings;
    ``period_start``/``period_end`` in their xsd form ('2019', '2019-05', '2019-05-30')."""

    claimant: str
    quantity: str  # quantity kind IRI (fgq:...)
    bound: str = str(FGB.exact)  # bound IRI (fgb:...)
    value: float | None = None
    value_high: float | None = None  # ranges only
    places: tuple[str, ...] = ()
    period_start: str | None = None
    period_end: str | None = None
    confidence: str | None = None  # confidence concept IRI (fgc:...)

    def __post_init__(self) -> None:  # places are a set: kept sorted, so readings compare equal
        object.__setattr__(self, "places", tuple(sorted(set(self.places))))


@dataclass(frozen=True)
class Revision:
    """One reviewer's reading of a claim. ``reading`` is None for "not a claim";
    ``previous`` is the revision (or the claim, for the first) it revises;
    ``undone`` when an undo invalidated it. ``time`` is an ISO 8601 dateTime (UTC)."""

    iri: str
    claim: str
    action: str  # one of ACTIONS
    reading: Reading | None
    reviewer: str
    time: str
    note: str | None = None
    undone: bool = False
    previous: str | None = None
    anchor_text: str = ""  # the sentence the claim was read from, to re-attach it
    anchor_start: int = 0
    anchor_end: int = 0
    undone_by: str | None = None  # the reviewer who undid it
    undone_at: str | None = None


@dataclass(frozen=True)
class Rating:
    """One value of a rating scale."""

    iri: str
    key: str
    value: int
    labels: Mapping[str, str]  # language -> label

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or next(iter(self.labels.values()), self.key)


@dataclass(frozen=True)
class RatingScale:
    """The newsroom's rating scale: ratings best first, with the numeric bounds."""

    ratings: tuple[Rating, ...]
    best: int
    worst: int

    def find(self, rating: str) -> Rating:
        """The rating named by its IRI or key; ``ReviewError`` naming it otherwise."""
        for r in self.ratings:
            if rating in (r.iri, r.key):
                return r
        raise ReviewError(
            f"rating: {rating!r} is not on the rating scale ({', '.join(r.key for r in self.ratings)})"
        )


@dataclass(frozen=True)
class Verdict:
    """A reviewer's verdict on one claim."""

    iri: str
    claim: str
    rating: str  # rating IRI
    rating_label: str
    rating_value: int
    explanation: str
    evidence: tuple[str, ...]  # claim or conflict IRIs of the graph
    urls: tuple[str, ...]
    reviewer: str
    time: str  # ISO 8601 dateTime (UTC)
    best: int = 6
    worst: int = 1
    reviewer_name: str = ""
    previous: str | None = None  # the earlier verdict on the claim this one revises


@dataclass(frozen=True)
class Newsroom:
    """Who publishes the verdicts (the ClaimReview author)."""

    name: str
    url: str
    logo: str | None = None
    language: str = "en"  # the language of the verdicts (ClaimReview's inLanguage)


@dataclass(frozen=True)
class QueueItem:
    """A claim waiting for a reviewer, and why (``reason``: 'conflict', 'new_source',
    'low_certainty'); ``conflict`` is the conflict IRI for the first reason."""

    claim: str
    reason: str
    article: str
    source: str
    kind: str
    label: str = ""
    conflict: str | None = None


@dataclass(frozen=True)
class QueueCounts:
    """How many claims wait, per reason (each claim at its first reason) and 'total', each
    count bounded: a name in ``capped`` stopped at the cap (``review_queue.COUNT_CAP``), so
    at least that many wait (shown "1000+")."""

    counts: dict[str, int]
    capped: frozenset[str] = frozenset()

    def get(self, name: str, default: int = 0) -> int:
        return self.counts.get(name, default)

    def __getitem__(self, name: str) -> int:
        return self.counts[name]

    def shown(self, name: str) -> str:
        """The count as a page shows it: "1000+" when capped."""
        n = self.counts.get(name, 0)
        return f"{n}+" if name in self.capped else str(n)


# -- settings -----------------------------------------------------------------------------

_DEFAULT_SCALE: tuple[tuple[str, int, str, str], ...] = (
    ("true", 6, "true", "vrai"),
    ("mostly_true", 5, "mostly true", "plutôt vrai"),
    ("mixed", 4, "mixed", "mitigé"),
    ("misleading", 3, "misleading", "trompeur"),
    ("false", 2, "false", "faux"),
    ("unverifiable", 1, "unverifiable", "invérifiable"),
)


def default_scale() -> RatingScale:
    """true 6, mostly true 5, mixed 4, misleading 3, false 2, unverifiable 1 (the fgr:
    concepts of ``ontology/vocabularies.ttl``)."""
    ratings = tuple(
        Rating(RATING_NS + key, key, value, {"en": en, "fr": fr}) for key, value, en, fr in _DEFAULT_SCALE
    )
    return RatingScale(ratings, best=6, worst=1)


def load_scale(path: str | Path) -> RatingScale:
    """A rating scale from a JSON or TOML file::

        {"ratings": [{"key": "true", "value": 5, "labels": {"en": "True", "fr": "Vrai"},
                      "iri": "optional, default {base}rating/{key}"}, ...]}

    best and worst are the highest and lowest values. A bad file is a ``ReviewError``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text) if p.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise ReviewError(f"FACTGRAPH_RATING_SCALE: cannot read {p}: {exc}".replace("\n", " ")) from exc
    ratings = []
    try:
        for item in data["ratings"]:
            key = str(item["key"])
            labels = item.get("labels") or {"en": key}
            ratings.append(
                Rating(
                    str(item.get("iri") or f"{base_iri()}rating/{key}"),
                    key,
                    int(item["value"]),
                    {str(k): str(v) for k, v in labels.items()},
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReviewError(
            f"FACTGRAPH_RATING_SCALE: {p}: each rating needs a key and an integer value ({exc})"
        ) from exc
    if not ratings or len({r.key for r in ratings}) != len(ratings):
        raise ReviewError(f"FACTGRAPH_RATING_SCALE: {p}: ratings missing or keys repeated")
    ratings.sort(key=lambda r: -r.value)
    return RatingScale(tuple(ratings), best=ratings[0].value, worst=ratings[-1].value)


def rating_scale(env: Mapping[str, str] | None = None) -> RatingScale:
    """``FACTGRAPH_RATING_SCALE`` (a JSON or TOML file), else ``default_scale()``."""
    env = os.environ if env is None else env
    path = env.get("FACTGRAPH_RATING_SCALE")
    return load_scale(path) if path else default_scale()


def newsroom(env: Mapping[str, str] | None = None, base: str | None = None) -> Newsroom:
    """``FACTGRAPH_NEWSROOM_NAME`` (default "factgraph newsroom"), ``FACTGRAPH_NEWSROOM_URL``
    (default ``base``, else the configured base IRI), ``FACTGRAPH_NEWSROOM_LOGO`` (an image
    URL, default none), ``FACTGRAPH_NEWSROOM_LANGUAGE`` (default "en")."""
    env = os.environ if env is None else env
    return Newsroom(
        env.get("FACTGRAPH_NEWSROOM_NAME") or "factgraph newsroom",
        env.get("FACTGRAPH_NEWSROOM_URL") or base or base_iri(),
        env.get("FACTGRAPH_NEWSROOM_LOGO") or None,
        env.get("FACTGRAPH_NEWSROOM_LANGUAGE") or "en",
    )


# -- current readings and the conflicts ---------------------------------------------------


def overlay(records: Iterable[ClaimRecord], readings: Mapping[str, Reading | None]) -> list[ClaimRecord]:
    """The conflict records as reviewers left them: a claim read "not a claim" (None in
    ``readings``) drops out, a corrected claim is compared with its corrected values
    (interval worked out from the corrected figure). Claims without a revision are as
    extracted. Pure; ``conflict_store.load_records`` applies it."""
    from .model import Figure

    out = []
    for r in records:
        if r.iri not in readings:
            out.append(r)
            continue
        reading = readings[r.iri]
        if reading is None:
            continue
        bound = local_name(reading.bound)
        low, high, low_incl, high_incl = Figure(
            reading.value, bound, reading.value_high, text=r.figure_text
        ).interval()
        out.append(
            replace(
                r,
                claimant=reading.claimant,
                quantity=local_name(reading.quantity),
                value=reading.value,
                value_high=reading.value_high,
                bound=bound,
                low=low,
                high=high,
                low_incl=low_incl,
                high_incl=high_incl,
                places=frozenset(reading.places),
                period_start=reading.period_start,
                period_end=reading.period_end,
                start_inferred=False,
                confidence=reading.confidence,
            )
        )
    return out



__all__ = [
    "ACTIONS",
    "ADDED",
    "CONFIRMED",
    "CORRECTED",
    "NOT_A_CLAIM",
    "Newsroom",
    "QueueItem",
    "Rating",
    "RatingScale",
    "Reading",
    "ReviewError",
    "Revision",
    "Verdict",
    "default_scale",
    "load_scale",
    "newsroom",
    "overlay",
    "rating_scale",
]
