"""The conflict rules: the verdict on one pair of claims, from their numbers, their
scopes and what the text says about them (``docs/conflicts.md``, "Rules, in order").

Pure functions over ``PreparedClaim`` values; ``conflicts.detect`` chooses which pairs
to judge.
"""

from __future__ import annotations

from collections.abc import Callable

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
    PreparedClaim,
    Settings,
    above,
    at_least,
    ratio,
    same_moment,
    same_number,
    strictly_disjoint,
    time_within,
)

Verdict = tuple[str, str, str, PreparedClaim, PreparedClaim]  # kind, severity, rule, first, second


def is_restatement(a: PreparedClaim, b: PreparedClaim) -> bool:
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
        if (ra.restates == b.iri or rb.restates == a.iri) and is_restatement(a, b):
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
        if disjoint and not same_scope and first.cumulative and (
                first.end is not None and second.end is not None
                and first.end_lo > second.end + settings.growth_days  # type: ignore[operator]
                and not at_least(ratio(first.est, second.est), settings.tension_ratio)):
            return None  # a tally counted weeks after the whole it a little exceeds: the toll may have grown
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
        if (a.start is None or b.start is None) and a.quantity == b.quantity and a.places == b.places and \
                same_moment(a, b) and SHAPE[ra.bound] != SHAPE[rb.bound] and same_number(ra.value, rb.value):
            return HEDGE, "minor", "hedge-changed", first, second  # an unstated start may well be the same one
        if disjoint:
            return CONTRADICTION, "major", "sub-scope-exceeds", first, second
        if at_least(first.est / second.est if second.est else None, settings.tension_ratio):  # type: ignore[operator]
            return SCOPE, "minor", "same-source-sub-scope-above", first, second
        return None
    if not same_moment(a, b):
        return None  # one series at two dates: a tally growing (see above) or a stock moving
    if SHAPE[ra.bound] != SHAPE[rb.bound] and same_number(ra.value, rb.value):
        return HEDGE, "minor", "hedge-changed", first, second  # a rounding of it ('800', 'at least 801') is not
    if strictly_disjoint(ra, rb):
        if not disjoint:
            return None  # one is a rounding of the other
        if ra.article != rb.article:
            return SAME_CLAIM, "major", "relayed-differently", first, second
        return INTERNAL, "major", "same-source-disjoint", first, second
    if at_least(ratio(a.est, b.est), settings.tension_ratio):
        return SCOPE, "minor", "same-source-far-apart", first, second
    return None


def judge_against(
    c: PreparedClaim,
    others: list[PreparedClaim],
    nest: tuple[bool, bool],
    settings: Settings,
    keep: Callable[[Verdict], None],
    low_share: float | None = None,
) -> None:
    """``judge`` c against each claim of an enclosing group. When c's group lies within
    theirs (the common case), a pair whose numbers put c's well below the other's, from
    different sources or from one source at another kind or places (judge: no tally of a
    series, no hedge; a sub-scope not far above), is answered here, as ``judge`` would
    answer it (None), without a call: the bulk of the pairs, at the cost of a division
    and a few comparisons. ``low_share``: ``settings``' lower share bound less float
    noise, when the caller worked it out once for many calls."""
    if nest == (True, False) and c.est is not None and not c.linked:
        est, lo, claimant, quantity, places = c.est, c.lo, c.claimant, c.quantity, c.places
        if low_share is None:
            low_share = min(settings.share_ratio, settings.tension_ratio) * (1 - EPS)
        for o in others:
            if (
                not o.linked
                and o.est  # not None nor 0
                and est / o.est < low_share
                and (o.claimant != claimant or o.quantity != quantity or o.places != places)
                and not (lo > o.hi and above(lo, o.hi))
            ):
                continue  # judge: a part well below its whole
            if (v := judge(c, o, nest, settings)) is not None:
                keep(v)
        return
    for o in others:
        if (v := judge(c, o, nest, settings)) is not None:
            keep(v)


def _linked(a: ClaimRecord, b: ClaimRecord, attr: str) -> bool:
    return getattr(a, attr) == b.iri or getattr(b, attr) == a.iri


def link_verdict(a: PreparedClaim, b: PreparedClaim) -> Verdict | None:
    """What the text says: a claim disputes another, compares itself with another
    claimant's figure ('serait supérieur'), or passes a reliability verdict on it."""
    ra, rb = a.r, b.r
    if not (_linked(ra, rb, "disputes") or (_linked(ra, rb, "relative_to") and ra.claimant != rb.claimant)):
        return None
    source, target = (a, b) if rb.iri in (ra.disputes, ra.relative_to) else (b, a)
    if source.r.verdict:
        return VERDICT, "major", "verdict", source, target
    return DISPUTE, "major", "text-disputes", source, target
