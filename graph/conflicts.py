"""Conflict analysis: which figure claims disagree, how badly, and why.

The detector (``conflict_detection.detect``) is pure: it takes plain ``ClaimRecord``
values and the two part-of hierarchies (places, quantity kinds) and returns
``Conflict`` values; it never touches a store. The records, their intervals and the
settings are in ``conflict_records.py``, the verdict on one pair in
``conflict_rules.py``, the store side (``load_records``, the conflicts graph) in
``conflict_store.py``, the wording in ``conflict_text.py``; ``refresh`` here ties them
together. The rules, their thresholds and their limits are documented in
``docs/conflicts.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import conflict_keys, staleness
from .conflict_detection import detect, detect_region, no_cycle_collection
from .conflict_records import CORROBORATION, ClaimRecord, Conflict, Settings, date_span
from .conflict_region import Reach, Region
from .conflict_rules import judge
from .conflict_store import (
    VerdictDigest,
    load_hierarchies,
    load_kinds,
    load_records,
    to_graph,
    write_conflicts,
)
from .store import Store
from .terms import Iris

__all__ = [
    "CORROBORATION",
    "ClaimRecord",
    "Conflict",
    "Reach",
    "Region",
    "Settings",
    "date_span",
    "detect",
    "detect_region",
    "judge",
    "load_hierarchies",
    "load_records",
    "refresh",
    "report_rows",
    "to_graph",
]


def report_rows(conflicts: Iterable[Conflict]) -> list[dict[str, object]]:
    """Flat rows for the CLI's table, JSON and CSV output."""
    return [
        {
            "kind": c.kind,
            "severity": c.severity,
            "a": c.a,
            "b": c.b,
            "ratio": c.ratio,
            "gap": c.gap,
            "rule": c.rule,
            "explanation": c.explanation_en,
            "explanation_fr": c.explanation_fr,
            "quote_a": c.records[0].quote if c.records else None,  # the evidence, side by side
            "quote_b": c.records[1].quote if c.records else None,
        }
        for c in conflicts
    ]


def refresh(
    store: Store, iris: Iris, settings: Settings | None = None, keys_kept: bool = False
) -> list[Conflict]:
    """Detect over every claim of the store and replace the conflicts graph, clearing the
    stale marks read before the claims with the last write (``write_conflicts``: only
    the difference is written, in one transaction when it is small, in bounded pieces
    while the graph stays flagged stale when it is not). The marks it clears may stand
    for writes of claims whose conflict keys nobody updated (every write of claims leaves
    one): then the keys are said to be out of date (``conflict_keys.invalidate``; the
    next incremental refresh rebuilds them), unless ``keys_kept`` (the caller updated the
    keys of the writes the marks stand for). Without marks, the keys stay as they are.
    While the keys are current, the claims are read of their conflict records
    (``conflict_keys.load_records_and_verdicts``: a row a claim, the stored verdicts'
    digests read beside them), else of their triples."""
    with no_cycle_collection():  # (the read and the write make millions of objects too)
        return _refresh(store, iris, settings, keys_kept)


def _refresh(store: Store, iris: Iris, settings: Settings | None, keys_kept: bool) -> list[Conflict]:
    seen = staleness.marks(store, iris)  # first: a mark added while we work stays
    if seen and not keys_kept:
        conflict_keys.invalidate(store, iris)
    # current keys hold every claim's record as its triples are: read a row a claim
    known = None
    if conflict_keys.current(store, iris):  # the stored verdicts and the places read beside them
        records, known, places = conflict_keys.load_records_and_verdicts(store, iris)
        kinds, cumulative = load_kinds(store)
    else:
        places, kinds, cumulative = load_hierarchies(store)
        records = load_records(store, iris)
    # each verdict's digest worked out in the process that made it (``VerdictDigest``)
    found = detect(records, places, kinds, settings, cumulative or None, digest=VerdictDigest(iris))
    write_conflicts(store, iris, found, seen, known=known)
    return found
