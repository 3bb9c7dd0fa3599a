"""Reviews in the store: reviewers, revisions, undo, added claims and verdicts (issue #12).

Reviewed data lives apart from extracted data: one named graph per article,
``{base}graph/review/{article_id}`` (the revisions, verdicts and added claims of that
article's claims), and ``{base}graph/reviewers`` (``fg:Reviewer`` agents, name only:
never a password). Every write is one ``store.apply(Changes(...))`` (one transaction on
the embedded store, the Oxigraph server and Virtuoso), validated against the SHACL shapes
before it is applied, then the conflicts are refreshed from the current readings. A bad
value raises ``ReviewError`` before anything is written. Every SPARQL text is in
``queries/review/``. The model is in ``docs/review.md``.

API: ``ensure_reviewer``, ``machine_reading``, ``current_reading``, ``current_readings``,
``history``, ``revise``, ``add_claim``, ``undo``, ``give_verdict``, ``verdict``,
``verdicts_of``, ``orphaned``, ``reattach``.
"""

from __future__ import annotations

from .review import RatingScale, Reading, Revision, Verdict
from .store import Store
from .terms import Iris


def ensure_reviewer(store: Store, iris: Iris, name: str) -> str:
    """The reviewer ``{base}reviewer/{name}`` (``fg:Reviewer``, ``schema:name``) in
    ``graph/reviewers``, written if new; returns its IRI. ``name``: letters, digits,
    '.', '_', '-' (else ``ReviewError``)."""
    raise NotImplementedError


def machine_reading(store: Store, claim: str) -> Reading:
    """The claim as extracted (or as its reviewer added it); ``ReviewError`` if no such claim."""
    raise NotImplementedError


def current_reading(store: Store, claim: str) -> Reading | None:
    """The latest revision of ``claim`` not undone, else the machine reading; None when
    that revision says "not a claim"."""
    raise NotImplementedError


def current_readings(store: Store) -> dict[str, Reading | None]:
    """claim IRI -> current reading, for every claim with a revision not undone (None:
    "not a claim"). What ``conflict_store.load_records`` overlays."""
    raise NotImplementedError


def history(store: Store, claim: str) -> list[Revision]:
    """The revisions of ``claim``, newest first, undone ones flagged."""
    raise NotImplementedError


def revise(
    store: Store,
    iris: Iris,
    claim: str,
    reviewer: str,
    action: str,
    reading: Reading | None = None,
    note: str | None = None,
) -> Revision:
    """Record a reviewer's reading of ``claim``: ``action`` 'confirmed' (the current
    reading, ``reading`` ignored), 'corrected' (``reading`` required: the whole new
    reading) or 'not_a_claim'. One transaction in the article's review graph, then the
    conflicts refresh. ``ReviewError`` names a bad field; nothing is written then."""
    raise NotImplementedError


def add_claim(
    store: Store, iris: Iris, article: str, start: int, end: int, reading: Reading, reviewer: str
) -> str:
    """Add a claim the extractor missed, read from ``article``'s text ``[start, end)``
    (the sentence the reviewer selected): an ``fg:FigureClaim`` attributed to the
    reviewer in the article's review graph, with its 'added' revision. Returns its IRI
    ``{base}claim/{article_id}/r{start}-{end}``."""
    raise NotImplementedError


def undo(store: Store, iris: Iris, revision: str, reviewer: str) -> None:
    """Undo a revision: it gets ``prov:wasInvalidatedBy`` an undo activity (reviewer,
    time); nothing is deleted. The claim's current reading is then the latest revision
    not undone, else the machine reading. Undoing an undone revision is a ``ReviewError``."""
    raise NotImplementedError


def give_verdict(
    store: Store,
    iris: Iris,
    claim: str,
    reviewer: str,
    rating: str,
    explanation: str,
    evidence: tuple[str, ...] = (),
    urls: tuple[str, ...] = (),
    scale: RatingScale | None = None,
) -> Verdict:
    """A verdict on ``claim``: ``rating`` (IRI or key) from ``scale`` (default
    ``rating_scale()``), an explanation (required), evidence (claims or conflicts of the
    graph) and URLs (http/https). Its IRI is ``{base}verdict/{id}``."""
    raise NotImplementedError


def verdict(store: Store, iri: str) -> Verdict | None:
    """The verdict ``iri``, or None."""
    raise NotImplementedError


def verdicts_of(store: Store, claim: str) -> list[Verdict]:
    """The verdicts on ``claim``, newest first."""
    raise NotImplementedError


def orphaned(store: Store) -> list[Revision]:
    """Revisions whose claim is gone (its article re-ingested with the sentence changed)."""
    raise NotImplementedError


def reattach(store: Store, iris: Iris, article_id: str) -> list[Revision]:
    """After article ``article_id`` was re-ingested: point each revision whose claim is
    gone at the claim now read from the same sentence (anchor text, nearest offsets), in
    one transaction; returns the revisions left orphaned. Called by ``pipeline.ingest``."""
    raise NotImplementedError
