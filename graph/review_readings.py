"""Reviews read from the store: readings, revisions, verdicts (issue #12).

The read side of ``review_store.py`` (which re-exports these functions): the conflicts
(``conflict_store.load_records``) read the current readings from here without importing
the write side, which refreshes the conflicts. Every SPARQL text is in ``queries/review/``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from .catalogue import query_text
from .model import BOUNDS
from .review import NOT_A_CLAIM, Reading, ReviewError, Revision, Verdict
from .store import Store
from .terms import FG, FGB, PREFIXES, is_absolute_iri

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_TEXT = 5000  # characters of a note or an explanation


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def _now() -> Literal:
    return Literal(
        datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"), datatype=XSD.dateTime
    )


def _text(node: object) -> str | None:
    return None if node is None or str(node) == "" else str(node)


def _float(node: object) -> float | None:
    return None if node is None else float(str(node))


def _int(node: object, default: int = 0) -> int:
    return default if node is None else int(str(node))


def _places(node: object) -> tuple[str, ...]:
    return tuple(sorted(str(node or "").split()))


def _rows(store: Store, name: str, **bindings: str) -> list[dict]:
    binds = {k: URIRef(v) for k, v in bindings.items()}
    return [row.asdict() for row in store.query(query_text(f"review/{name}"), binds)]  # type: ignore[union-attr]


def _is_a(store: Store, iri: str, cls: URIRef) -> bool:
    return bool(store.query(query_text("review/is_a"), {"iri": URIRef(iri), "class": cls}).askAnswer)


def _iri(field: str, value: object) -> str:
    if not isinstance(value, str) or not is_absolute_iri(value):
        raise ReviewError(f"{field}: {value!r} is not an IRI")
    return value


def _short(field: str, value: str | None, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ReviewError(f"{field}: required")
        return None
    if len(text) > MAX_TEXT:
        raise ReviewError(f"{field}: longer than {MAX_TEXT} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ReviewError(f"{field}: control characters are not allowed")
    return text


def _claim_row(store: Store, claim: str) -> dict:
    _iri("claim", claim)
    rows = _rows(store, "claim_reading", claim=claim)
    if not rows or rows[0].get("claimant") is None:
        raise ReviewError(f"claim: {claim} is not a figure claim of this store")
    return rows[0]


def _reading(d: dict) -> Reading:
    return Reading(
        claimant=str(d["claimant"]),
        quantity=str(d["quantity"]),
        bound=str(d["bound"]),
        value=_float(d.get("value")),
        value_high=_float(d.get("valueHigh")),
        places=_places(d.get("places")),
        period_start=_text(d.get("periodStart")),
        period_end=_text(d.get("periodEnd")),
        confidence=_text(d.get("confidence")),
    )


def machine_reading(store: Store, claim: str) -> Reading:
    """The claim as extracted (or as its reviewer added it); ``ReviewError`` if no such claim."""
    return _reading(_claim_row(store, claim))


def _revision(d: dict) -> Revision:
    action = str(d["action"]).rsplit("/", 1)[-1]
    reading = None if action == NOT_A_CLAIM or d.get("claimant") is None else _reading(d)
    return Revision(
        iri=str(d["revision"]),
        claim=str(d["claim"]),
        action=action,
        reading=reading,
        reviewer=str(d["reviewer"]),
        time=str(d["time"]),
        note=_text(d.get("note")),
        undone=_int(d.get("undos")) > 0,
        previous=_text(d.get("previous")),
        anchor_text=_text(d.get("anchorText")) or "",
        anchor_start=_int(d.get("anchorStart")),
        anchor_end=_int(d.get("anchorEnd")),
        undone_by=_text(d.get("undoneBy")),
        undone_at=_text(d.get("undoneAt")),
    )


def _sequence(revision: Revision) -> int:
    """The revision's number among its claim's (the last segment of its IRI)."""
    tail = revision.iri.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _newest_first(revisions: Iterable[Revision]) -> list[Revision]:
    return sorted(revisions, key=lambda r: (_sequence(r), r.time, r.iri), reverse=True)


def history(store: Store, claim: str) -> list[Revision]:
    """The revisions of ``claim``, newest first, undone ones flagged."""
    _iri("claim", claim)
    return _newest_first(_revision(d) for d in _rows(store, "revisions", claim=claim))


def _latest(revisions: Iterable[Revision]) -> Revision | None:
    return next((r for r in _newest_first(revisions) if not r.undone), None)


def current_reading(store: Store, claim: str) -> Reading | None:
    """The latest revision of ``claim`` not undone, else the machine reading; None when
    that revision says "not a claim"."""
    latest = _latest(history(store, claim))
    return machine_reading(store, claim) if latest is None else latest.reading


def current_readings(store: Store) -> dict[str, Reading | None]:
    """claim IRI -> current reading, for every claim with a revision not undone (None:
    "not a claim"). What ``conflict_store.load_records`` overlays."""
    by_claim: dict[str, list[Revision]] = {}
    for d in _rows(store, "revisions"):
        r = _revision(d)
        by_claim.setdefault(r.claim, []).append(r)
    out: dict[str, Reading | None] = {}
    for claim, revisions in by_claim.items():
        latest = _latest(revisions)
        if latest is not None:
            out[claim] = latest.reading
    return out


def _verdict(d: dict) -> Verdict:
    return Verdict(
        iri=str(d["verdict"]),
        claim=str(d["claim"]),
        rating=str(d["rating"]),
        rating_label=_text(d.get("label")) or str(d["rating"]).rsplit("/", 1)[-1],
        rating_value=_int(d.get("value")),
        explanation=str(d["explanation"]),
        evidence=tuple(sorted(str(d.get("evidence") or "").split())),
        urls=tuple(sorted(str(d.get("urls") or "").split())),
        reviewer=str(d["reviewer"]),
        time=str(d["time"]),
        best=_int(d.get("best")),
        worst=_int(d.get("worst")),
        reviewer_name=_text(d.get("reviewerName")) or str(d["reviewer"]).rsplit("/", 1)[-1],
        previous=_text(d.get("previous")),
    )


def verdict(store: Store, iri: str) -> Verdict | None:
    """The verdict ``iri``, or None."""
    if not isinstance(iri, str) or not is_absolute_iri(iri):
        return None
    rows = _rows(store, "verdicts", verdict=iri)
    return _verdict(rows[0]) if rows else None


def _newest_verdicts_first(verdicts: Iterable[Verdict]) -> list[Verdict]:
    """Newest first: by time, and along the chain of verdicts revising one another on a
    claim (two given within the same second keep their order)."""
    items = list(verdicts)
    previous = {v.iri: v.previous for v in items}

    def depth(v: Verdict) -> int:
        n, seen, at = 0, set(), v.previous
        while at is not None and at not in seen:
            seen.add(at)
            n, at = n + 1, previous.get(at)
        return n

    return sorted(items, key=lambda v: (v.time, depth(v), v.iri), reverse=True)


def all_verdicts(store: Store, latest: bool = False) -> list[Verdict]:
    """Every verdict of the store, newest first; ``latest``: only the newsroom's current
    verdict on each claim (one no later verdict revises)."""
    verdicts = [_verdict(d) for d in _rows(store, "verdicts")]
    if latest:
        revised = {v.previous for v in verdicts}
        verdicts = [v for v in verdicts if v.iri not in revised]
    return _newest_verdicts_first(verdicts)


def verdicts_of(store: Store, claim: str) -> list[Verdict]:
    """The verdicts on ``claim``, newest first (the first is the current one)."""
    _iri("claim", claim)
    return _newest_verdicts_first(_verdict(d) for d in _rows(store, "verdicts", claim=claim))


def orphaned(store: Store) -> list[Revision]:
    """Revisions whose claim is gone (its article re-ingested with the sentence changed),
    newest first. Verdicts on such claims are listed by ``orphaned_verdicts``."""
    gone = {str(d["review"]) for d in _rows(store, "orphans")}
    return _newest_first(r for r in map(_revision, _rows(store, "revisions")) if r.iri in gone)


def orphaned_verdicts(store: Store) -> list[Verdict]:
    """Verdicts whose claim is gone."""
    gone = {str(d["review"]) for d in _rows(store, "orphans")}
    return [v for v in all_verdicts(store) if v.iri in gone]


# -- checking a reading ---------------------------------------------------------------

_PERIOD = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def period_literal(field: str, value: str | None) -> Literal | None:
    """A period bound as its xsd literal (gYear, gYearMonth, date), None when empty;
    ``ReviewError`` naming ``field`` when it is not a real year, month or day."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    datatype = _PERIOD.get(len(text))
    try:
        if datatype is None:
            raise ValueError
        date.fromisoformat(text + {4: "-01-01", 7: "-01", 10: ""}[len(text)])
    except ValueError:
        raise ReviewError(
            f"{field}: {value!r} is not a year, year-month or date (2019, 2019-05, 2019-05-30)"
        ) from None
    return Literal(text, datatype=datatype)


def check_reading(store: Store, reading: Reading) -> Reading:
    """``reading`` if every field is valid and names what the graph knows, else a
    ``ReviewError`` naming the first bad field."""
    if not isinstance(reading, Reading):
        raise ReviewError("reading: required")
    if not _is_a(store, _iri("claimant", reading.claimant), FG.Agent):
        raise ReviewError(f"claimant: {reading.claimant} is not a source of this store")
    if not _is_a(store, _iri("quantity", reading.quantity), FG.QuantityKind):
        raise ReviewError(f"quantity: {reading.quantity} is not a quantity kind of this store")
    bound = str(reading.bound)
    if bound not in {str(FGB[b]) for b in BOUNDS}:
        raise ReviewError(f"bound: {bound!r} is not one of {', '.join(BOUNDS)}")
    for field, value in (("value", reading.value), ("value_high", reading.value_high)):
        if value is not None and (
            not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value)
        ):
            raise ReviewError(f"{field}: {value!r} is not a number")
    if reading.value is None and bound != str(FGB.vague):
        raise ReviewError("value: required unless the bound is vague")
    if bound == str(FGB.range):
        if reading.value_high is None:
            raise ReviewError("value_high: a range needs its upper value")
        if reading.value is not None and reading.value_high < reading.value:
            raise ReviewError(f"value_high: {reading.value_high:g} is below value {reading.value:g}")
    elif reading.value_high is not None:
        raise ReviewError("value_high: only a range has an upper value")
    for place in reading.places:
        if not _is_a(store, _iri("places", place), FG.Place):
            raise ReviewError(f"places: {place} is not a place of this store")
    start = period_literal("period_start", reading.period_start)
    end = period_literal("period_end", reading.period_end)
    if start is not None and end is not None and str(start) > str(end)[: len(str(start))]:
        raise ReviewError(f"period_end: {end} is before period_start {start}")
    if reading.confidence is not None and not _is_a(
        store, _iri("confidence", reading.confidence), FG.ConfidenceConcept
    ):
        raise ReviewError(f"confidence: {reading.confidence} is not a confidence concept")
    return reading
