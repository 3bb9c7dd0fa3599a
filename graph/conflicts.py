"""Conflict analysis: which figure claims disagree, how badly, and why.

The detector is pure: ``detect`` takes plain ``ClaimRecord`` values and the two
part-of hierarchies (places, quantity kinds) and returns ``Conflict`` values; it never
touches a store. The records, their intervals and the settings are in
``conflict_records.py``, the store side (``load_records``, the conflicts graph) in
``conflict_store.py``, the wording in ``conflict_text.py``; ``refresh`` ties them
together. The rules, their thresholds and their limits are documented in
``docs/conflicts.md``.

Scale: claims are grouped by (quantity kind, place set) and sorted by the end of their
period; a claim is compared only with claims of the same or an enclosing group whose
period ends in the same time frame (``Settings.period_tolerance_days``), at most
``Settings.max_neighbours`` of them, nearest first. Same-claimant tallies are also
compared along their time series (each with the next). Never all pairs; and each pair
costs a few comparisons of numbers worked out once per claim (``PreparedClaim``).
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace

from .conflict_records import (
    CONTRADICTION,
    CORROBORATION,
    CUMULATIVE,
    DISPUTE,
    EPS,
    HEDGE,
    INTERNAL,
    SAME_CLAIM,
    SCOPE,
    SHAPE,
    TENSION,
    VERDICT,
    ClaimRecord,
    Conflict,
    PreparedClaim,
    Settings,
    above,
    at_least,
    date_span,
    most_specific,
    places_within,
    prepare,
    ratio,
    same_moment,
    same_number,
    strictly_disjoint,
    time_within,
)
from .conflict_store import load_hierarchies, load_records, to_graph
from .store import Store
from .terms import Iris

__all__ = [
    "CORROBORATION",
    "ClaimRecord",
    "Conflict",
    "Settings",
    "date_span",
    "detect",
    "judge",
    "load_hierarchies",
    "load_records",
    "refresh",
    "report_rows",
    "to_graph",
]

Verdict = tuple[str, str, str, PreparedClaim, PreparedClaim]  # kind, severity, rule, first, second


# -- the rules -----------------------------------------------------------------------


def _is_restatement(a: PreparedClaim, b: PreparedClaim) -> bool:
    """b says a again: linked by fg:restates with the same value and bound."""
    ra, rb = a.r, b.r
    return (
        (ra.restates == rb.iri or rb.restates == ra.iri)
        and ra.value == rb.value
        and ra.bound == rb.bound
        and ra.value_high == rb.value_high
    )


def _kinds_nest(a: PreparedClaim, b: PreparedClaim) -> bool:
    """a's kind is b's or narrower, and both are tallies or both are not."""
    return b.quantity in a.kinds and (a.quantity == b.quantity or a.cumulative == b.cumulative)


def nesting(
    a: PreparedClaim, b: PreparedClaim, places_in: Callable[[frozenset[str], frozenset[str]], bool]
) -> tuple[bool, bool]:
    """(a's kind and places lie within b's, b's within a's): the part of the scope test
    that depends only on the claims' groups, (kind, places), so worked out per group."""
    return (
        _kinds_nest(a, b) and places_in(a.places, b.places),
        _kinds_nest(b, a) and places_in(b.places, a.places),
    )


def judge(
    a: PreparedClaim,
    b: PreparedClaim,
    nest: tuple[bool, bool],
    settings: Settings,
) -> Verdict | None:
    """The numeric verdict on one pair: (kind, severity, rule, first, second) or None.

    ``nest`` is ``nesting(a, b, ...)``. ``first`` is the part, the sub-scope or the
    earlier tally when the rule has a direction. Symmetric: ``judge(a, b)`` and
    ``judge(b, a)`` agree.
    """
    if a.iri == b.iri or a.est is None or b.est is None:
        return None
    ra, rb = a.r, b.r
    if a.linked or b.linked:  # restatements and parts: most claims have neither
        if (ra.restates == b.iri or rb.restates == a.iri) and _is_restatement(a, b):
            return None
        if ra.part_of == b.iri or rb.part_of == a.iri:  # 'dont un millier d'enfants'
            part, whole = (a, b) if ra.part_of == b.iri else (b, a)  # the part can't exceed the whole
            if above(part.lo, whole.hi):
                return CONTRADICTION, "major", "part-exceeds-whole", part, whole
            return None

    same_claimant = a.claimant == b.claimant
    if not same_claimant and nest[0] != nest[1]:  # the cheap common answer first:
        sub, sup = (a, b) if nest[0] else (b, a)  # different sources, a part well below its whole
        share = sub.est / sup.est if sup.est else None  # type: ignore[operator]
        if (
            share is None
            or (share < settings.share_ratio * (1 - EPS) and share < settings.tension_ratio * (1 - EPS))
        ) and not (sub.lo > sup.hi and above(sub.lo, sup.hi)):
            return None
    if (
        same_claimant
        and a.quantity == b.quantity
        and a.places == b.places
        and a.cumulative
        and not same_moment(a, b)
    ):
        if a.start is not None and b.start is not None and (a.start > b.start_hi or b.start > a.start_hi):  # type: ignore[operator]
            return None  # two different windows of one series: not comparable
        early, late = (a, b) if (a.end, a.iri) < (b.end, b.iri) else (b, a)  # type: ignore[operator]
        if above(early.lo, late.hi):
            return CUMULATIVE, "major", "tally-falls", early, late
        if abs(a.end - b.end) > settings.period_tolerance_days or late.est >= early.est:  # type: ignore[operator]
            return None  # a later, larger tally is not a conflict

    a_in_b = nest[0] and time_within(a, b, settings)
    b_in_a = nest[1] and time_within(b, a, settings)
    if not (a_in_b or b_in_a):
        return None
    same_scope = a_in_b and b_in_a
    first, second = (a, b) if (a.iri < b.iri if same_scope else a_in_b) else (b, a)
    if same_scope and a.cumulative and not same_moment(a, b):  # tallies a little apart
        first, second = (a, b) if (a.end or 0) < (b.end or 0) else (b, a)
        disjoint = above(first.lo, second.hi)  # only the earlier exceeding the later is impossible
    else:
        disjoint = above(first.lo, second.hi) or (same_scope and above(second.lo, first.hi))

    if not same_claimant:
        if disjoint:
            return CONTRADICTION, "major", "disjoint" if same_scope else "sub-scope-exceeds", first, second
        if same_scope:
            r = ratio(a.est, b.est)
            if at_least(r, settings.tension_ratio):
                return TENSION, "major", "far-apart", first, second
            if r is not None and r <= settings.corroboration_ratio * (1 + EPS):
                return CORROBORATION, "", "agree", first, second
            return None
        share = first.est / second.est if second.est else None  # type: ignore[operator]
        if at_least(share, settings.tension_ratio):
            return TENSION, "major", "sub-scope-far-above", first, second
        if (
            first.length is not None
            and second.length is not None
            and first.length <= settings.share_period_fraction * second.length
            and at_least(share, settings.share_ratio)
        ):
            return TENSION, "minor", "sub-scope-large-share", first, second
        return None

    if not same_scope:
        if disjoint:
            return CONTRADICTION, "major", "sub-scope-exceeds", first, second
        if at_least(first.est / second.est if second.est else None, settings.tension_ratio):  # type: ignore[operator]
            return SCOPE, "minor", "same-source-sub-scope-above", first, second
        return None
    if not same_moment(a, b):
        return None  # one series at two dates: a tally growing (see above) or a stock moving
    if SHAPE[ra.bound] != SHAPE[rb.bound] and same_number(ra.value, rb.value, settings):
        return HEDGE, "minor", "hedge-changed", first, second
    if strictly_disjoint(ra, rb):
        if not disjoint:
            return None  # one is a rounding of the other
        if ra.article != rb.article:
            return SAME_CLAIM, "major", "relayed-differently", first, second
        return INTERNAL, "major", "same-source-disjoint", first, second
    if at_least(ratio(a.est, b.est), settings.tension_ratio):
        return SCOPE, "minor", "same-source-far-apart", first, second
    return None


def _judge_against(
    c: PreparedClaim,
    others: list[PreparedClaim],
    nest: tuple[bool, bool],
    settings: Settings,
    keep: Callable[[Verdict], None],
) -> None:
    """``judge`` c against each claim of an enclosing group. When c's group lies within
    theirs (the common case), a pair from different sources whose numbers put c's well
    below the other's is answered here, as ``judge`` would answer it (None), without a
    call: the bulk of the pairs, at the cost of a division and three comparisons."""
    if nest == (True, False) and c.est is not None and not c.linked:
        est, lo, claimant = c.est, c.lo, c.claimant
        low_share = min(settings.share_ratio, settings.tension_ratio) * (1 - EPS)
        for o in others:
            if (
                o.claimant != claimant
                and not o.linked
                and o.est  # not None nor 0
                and est / o.est < low_share
                and not (lo > o.hi and above(lo, o.hi))
            ):
                continue  # judge: different sources, a part well below its whole
            if (v := judge(c, o, nest, settings)) is not None:
                keep(v)
        return
    for o in others:
        if (v := judge(c, o, nest, settings)) is not None:
            keep(v)


def _linked(a: ClaimRecord, b: ClaimRecord, attr: str) -> bool:
    return getattr(a, attr) == b.iri or getattr(b, attr) == a.iri


def _link_verdict(a: PreparedClaim, b: PreparedClaim) -> Verdict | None:
    """What the text says: a claim disputes another, compares itself with another
    claimant's figure ('serait supérieur'), or passes a reliability verdict on it."""
    ra, rb = a.r, b.r
    if not (_linked(ra, rb, "disputes") or (_linked(ra, rb, "relative_to") and ra.claimant != rb.claimant)):
        return None
    source, target = (a, b) if rb.iri in (ra.disputes, ra.relative_to) else (b, a)
    if source.r.verdict:
        return VERDICT, "major", "verdict", source, target
    return DISPUTE, "major", "text-disputes", source, target


# -- the detector --------------------------------------------------------------------

_UNDATED = -(10**9)
SAME_GROUP = (True, True)  # the nesting of two claims of one (kind, places) group


def _sort_key(c: PreparedClaim) -> tuple[int, str]:
    return (c.end if c.end is not None else _UNDATED, c.iri)


def _later_end(group: list[PreparedClaim], ends: list[int], i: int, settings: Settings) -> int:
    """The index after the last claim sorted after ``group[i]`` whose period ends
    within the tolerance (at most ``max_neighbours`` on)."""
    c, cap = group[i], settings.max_neighbours
    if c.end is None:
        return min(len(group), i + 1 + cap)
    return min(bisect_right(ends, c.end + settings.period_tolerance_days), i + 1 + cap)


def _around(
    group: list[PreparedClaim], ends: list[int], c: PreparedClaim, settings: Settings
) -> list[PreparedClaim]:
    """The claims of another group whose period ends within the tolerance of c's,
    nearest first, at most ``max_neighbours``."""
    tol, cap = settings.period_tolerance_days, settings.max_neighbours
    if c.end is None:
        return group[:cap]
    lo, hi = bisect_left(ends, c.end - tol), bisect_right(ends, c.end + tol)
    if hi - lo <= cap:
        return group[lo:hi]
    i = bisect_left(ends, c.end)
    left, right, out = i - 1, i, []
    while len(out) < cap and (left >= lo or right < hi):  # merge outwards, nearest first
        if right < hi and (left < lo or ends[right] - c.end <= c.end - ends[left]):
            out.append(group[right])
            right += 1
        else:
            out.append(group[left])
            left -= 1
    return out


def detect(
    records: Iterable[ClaimRecord],
    gazetteer_part_of: Mapping[str, Collection[str]],
    kind_part_of: Mapping[str, Collection[str]],
    settings: Settings | None = None,
    cumulative_kinds: Collection[str] | None = None,
) -> list[Conflict]:
    """Every conflict and corroboration among ``records``, sorted.

    ``gazetteer_part_of`` maps a place to all the places it lies in (transitively);
    ``kind_part_of`` maps a quantity kind to all its broader kinds; ``cumulative_kinds``
    are the running tallies (None: every kind but percentages).
    """
    with _no_cycle_collection():
        return _detect(records, gazetteer_part_of, kind_part_of, settings or Settings(), cumulative_kinds)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Detection makes millions of small objects and no reference cycles: CPython's
    cycle collector would walk the growing heap of claims again and again for nothing
    (a quarter of the time at 100k claims, and more the more claims)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _detect(
    records: Iterable[ClaimRecord],
    gazetteer_part_of: Mapping[str, Collection[str]],
    kind_part_of: Mapping[str, Collection[str]],
    settings: Settings,
    cumulative_kinds: Collection[str] | None,
) -> list[Conflict]:
    narrowest: dict[frozenset[str], frozenset[str]] = {}  # place set -> most specific, one object each
    shared: dict[frozenset[str], frozenset[str]] = {}
    claims = []
    for r in records:
        places = narrowest.get(r.places)
        if places is None:
            places = most_specific(r.places, gazetteer_part_of)
            places = narrowest[r.places] = shared.setdefault(places, places)
        c = prepare(
            r if places == r.places else replace(r, places=places), kind_part_of, cumulative_kinds, settings
        )
        c.places = places
        claims.append(c)
    by_iri = {c.iri: c for c in claims}
    found: dict[tuple[str, str, str], Verdict] = {}

    def keep(v: Verdict) -> None:
        x, y = v[3].iri, v[4].iri
        found.setdefault((x, y, v[0]) if x < y else (y, x, v[0]), v)

    # what the text says: links between claims
    for c in claims:
        for target in {c.r.disputes, c.r.relative_to} - {None}:
            if target in by_iri and (v := _link_verdict(c, by_iri[target])) is not None:  # type: ignore[index]
                keep(v)

    # the numbers: groups by (kind, places), each sorted by period end
    groups: dict[tuple[str, frozenset[str]], list[PreparedClaim]] = defaultdict(list)
    for c in claims:
        restated = by_iri.get(c.r.restates or "")
        if c.est is None or c.r.relative_to or (restated is not None and _is_restatement(c, restated)):
            continue  # vague, comparative ('higher than X') or said again: no numbers of its own
        groups[(c.quantity, c.places)].append(c)
    ends: dict[tuple[str, frozenset[str]], list[int]] = {}
    for key, g in groups.items():
        g.sort(key=_sort_key)
        ends[key] = [_sort_key(c)[0] for c in g]
    containing: dict[tuple[str, str], list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for key in groups:  # (kind, place) -> the groups of that kind whose places include it
        for p in key[1] or ("",):
            containing[(key[0], p)].append(key)

    memo: dict[tuple[frozenset[str], frozenset[str]], bool] = {}

    def within(inner: frozenset[str], outer: frozenset[str]) -> bool:
        if inner is outer:  # one shared object per place set
            return True
        nested = memo.get((inner, outer))
        if nested is None:
            nested = memo[(inner, outer)] = places_within(inner, outer, gazetteer_part_of)
        return nested

    for key, group in groups.items():
        kind, places = key
        anchor = min(places) if places else ""
        around = (anchor, *sorted(gazetteer_part_of.get(anchor, ()))) if places else ("",)
        enclosing = sorted(
            {
                k2
                for broader in (kind, *sorted(kind_part_of.get(kind, ())))
                for p in around
                for k2 in containing.get((broader, p), ())
                if k2 != key and places_within(places, k2[1], gazetteer_part_of)
            },
            key=lambda k: (k[0], sorted(k[1])),
        )
        outer = [(groups[k2], ends[k2], nesting(group[0], groups[k2][0], within)) for k2 in enclosing]
        group_ends = ends[key]
        series: dict[str, list[PreparedClaim]] = defaultdict(list)
        for i, c in enumerate(group):
            series[c.claimant].append(c)
            for j in range(i + 1, _later_end(group, group_ends, i, settings)):
                if (v := judge(c, group[j], SAME_GROUP, settings)) is not None:
                    keep(v)
            for other_group, other_ends, nest in outer:
                _judge_against(c, _around(other_group, other_ends, c, settings), nest, settings, keep)
        for s in series.values():  # each claimant's tallies, each with the next in time
            for x, y in zip(s, s[1:], strict=False):
                if (v := judge(x, y, SAME_GROUP, settings)) is not None:
                    keep(v)

    out = [_conflict(v, settings) for v in found.values()]
    out.sort(key=lambda c: (c.a, c.b, c.kind))
    return out


def _stated(r: ClaimRecord) -> tuple[float, float]:
    return (
        r.low if r.low is not None else float("-inf"),
        r.high if r.high is not None else float("inf"),
    )


def _conflict(v: Verdict, settings: Settings) -> Conflict:
    kind, severity, rule, a, b = v
    r = ratio(a.est, b.est)
    gap: float | None = None
    (alo, ahi), (blo, bhi) = _stated(a.r), _stated(b.r)
    if ahi < blo or bhi < alo:  # disjoint as stated: the gap between the intervals
        gap = max(blo - ahi, alo - bhi)
    elif a.est is not None and b.est is not None:
        gap = abs(a.est - b.est)
    return Conflict(
        kind,
        severity,
        a.iri,
        b.iri,
        rule,
        round(r, 2) if r is not None else None,
        round(gap, 2) if gap is not None else None,
        (a.r, b.r),
        settings,
    )


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
        }
        for c in conflicts
    ]


def refresh(store: Store, iris: Iris, settings: Settings | None = None) -> list[Conflict]:
    """Detect over every claim of the store and atomically replace the conflicts graph."""
    places, kinds, cumulative = load_hierarchies(store)
    found = detect(load_records(store, iris), places, kinds, settings, cumulative or None)
    store.replace_graph(iris.conflicts_graph, to_graph(found, iris))
    return found
