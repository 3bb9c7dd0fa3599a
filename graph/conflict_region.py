"""What a change to a few claims can reach: the claims an incremental conflicts refresh
reads (``windows``, ``series_keys``) and the pairs whose verdicts it judges again
(``reach``), derived from how the detector picks its pairs (``conflicts.detect``).

The detector sorts each (quantity kind, places) group by period end and pairs a claim
with (1) the claims after it in its group ending within the period tolerance ``tol``
(at most ``max_neighbours``), (2) the claims of each enclosing group ending within
``tol`` of its end (the nearest ``max_neighbours``), (3) its claimant's next claim in
its group, at any distance in time. So a touched claim ``t`` (added, removed, or read
anew: both readings) of group G, ending on day ``e``, can change:

- every pair with ``t``;
- pairs of G's claims ending in ``[e - tol, e + tol]`` and within ``tol`` of each other
  (a window (1) ``t`` enters or leaves, and the cap may push another claim out);
- pairs of a claim ``a`` of a group G encloses, ending within ``tol`` of ``e``, with the
  claims of G within ``tol`` of ``a``'s end (``a``'s nearest claims (2) in G);
- the pair of ``t``'s claimant's nearest untouched claims before and after it in G
  (adjacent in the series (3) once ``t`` is in, or out).

Every other pair keeps its verdict. To judge those pairs as a full detection does, the
records must hold every claim of G, of the groups enclosing G and of the groups G
encloses that ends within ``2 tol`` of ``e`` (the windows of the claims of those pairs),
and ``t``'s claimant's whole series in G (``series_keys``). An undated claim (no period
end nor statement date) sorts before every dated one and is paired by position, not by
time: a touched undated claim, or an undated claim in G or in a group G encloses, makes
the region whole groups (``reach`` returns None; ``conflict_update`` then reads whole
groups).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from .conflict_records import (
    EPS,
    ClaimRecord,
    PreparedClaim,
    Settings,
    date_span,
    is_cumulative,
    most_specific,
    prepare,
)

Group = tuple[str, frozenset[str]]  # (quantity kind, the most specific places)


@dataclass(frozen=True)
class Region:
    """What an incremental detection recomputes (``conflicts.detect_region``).

    ``touched``: the records of the claims added, changed (both readings) or removed.
    ``articles``: the articles written; the text rules (links, shares, dropped hedges)
    run within them only, so every claim of them must be touched. ``kept``: keys (claim,
    claim, kind) of stored text verdicts of other articles, which win over a numeric
    verdict of the same key as in a full detection. ``whole_groups``: judge the touched
    groups and every group they enclose over all of time (the records hold those groups
    whole), not the time windows around the touched claims."""

    touched: Collection[ClaimRecord]
    articles: Collection[str]
    kept: Collection[tuple[str, str, str]] = ()
    whole_groups: bool = False


@dataclass
class Reach:
    """The verdicts a change can alter: those on a pair with one of ``claims``, and those
    on ``pairs`` (claim IRIs, sorted)."""

    claims: set[str]
    pairs: set[tuple[str, str]] = field(default_factory=set)
    # (a, b, kind), a < b: the numeric verdict each of ``pairs`` with neither claim in
    # ``claims`` has whenever the detector judges it (set by ``conflicts.detect_region``)
    possible: set[tuple[str, str, str]] = field(default_factory=set)

    def covers(self, a: str, b: str) -> bool:
        return a in self.claims or b in self.claims or ((a, b) if a < b else (b, a)) in self.pairs

    def all_claims(self) -> set[str]:
        """Every claim a verdict of the reach names at least once."""
        return self.claims | {c for pair in self.pairs for c in pair}


@dataclass(frozen=True)
class Window:
    """Claims to read: at one of ``places`` (none: the claims with no place) whose period
    ends (its last day) between ``first`` and ``last`` (ISO dates, inclusive), or with no
    date at all; kinds among ``kinds`` (notations). ``within``: places such that
    ``places`` is every place at or inside one of them (the groups a claim encloses), so
    the claims can be found by what lies within those (``conflict_keys``)."""

    places: frozenset[str]
    kinds: frozenset[str]
    first: str
    last: str
    within: frozenset[str] = frozenset()


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def end_day(r: ClaimRecord) -> int | None:
    """The last day a record's period may end (its statement date without an end), as the
    detector reads it (``conflict_records.prepare``)."""
    e = date_span(r.period_end) or date_span(r.stated_on)
    return e[1] if e else None


def in_groups(r: ClaimRecord) -> bool:
    """Whether a record may join a group: it has a number of its own and compares with no
    other claim's. (A restatement keeps out too; counted in, it only widens the region.)"""
    return (r.value is not None or (bool(r.low) and bool(r.high))) and not r.relative_to


def places_in(
    own: Collection[str], places: Mapping[str, Collection[str]], inside: Mapping[str, Collection[str]] | None = None
) -> set[str]:
    """``own`` and every place inside one of them: from ``inside`` (place -> the places
    inside it) when given, else from ``places`` (place -> the places it lies in, holding
    those)."""
    if inside is not None:
        return set(own).union(*(inside.get(o, ()) for o in own))
    return {p for p, enclosing in places.items() if not set(enclosing).isdisjoint(own)} | set(own)


def related(
    r: ClaimRecord, places: Mapping[str, set[str]], kinds: Mapping[str, set[str]]
) -> tuple[set[str], set[str]]:
    """(places, kinds) of the groups that enclose r's or that r's encloses: a place at,
    inside or around r's, a kind equal to, narrower or broader than r's, or broader than
    a narrower one (a superset: the detector keeps the groups)."""
    narrower = {k for k, broader in kinds.items() if r.quantity in broader} | {r.quantity}
    related_kinds = narrower | {b for k in narrower for b in kinds.get(k, ())}
    own = most_specific(r.places, places)
    inside = {p for p, enclosing in places.items() if not enclosing.isdisjoint(own)} | set(own)
    return inside | {q for p in inside for q in places.get(p, ())}, related_kinds


def windows(
    touched: Iterable[ClaimRecord],
    places: Mapping[str, set[str]],
    kinds: Mapping[str, set[str]],
    settings: Settings,
    inside: Mapping[str, Collection[str]] | None = None,
) -> list[Window] | None:
    """The claims to read around each of ``touched`` ending on day ``e``: its group within
    ``2 tol`` of ``e`` (the windows of the claims near it), the groups it encloses (places
    at or inside its, kinds equal or narrower) and those enclosing it (places at or around
    its, kinds equal or broader) within ``tol``. None when a touched claim that may join a
    group has no date. ``inside``: the places inside the touched claims' (``places_in``),
    the places of the windows of the groups they enclose (whose claims the keys find within
    the claims' own places, ``Window.within``, whatever those)."""
    out = []
    tol = settings.period_tolerance_days
    for r in touched:
        if not in_groups(r):
            continue
        e = end_day(r)
        if e is None:
            return None
        own = most_specific(r.places, places)
        around = own | {q for p in own for q in places.get(p, ())}
        broader = {r.quantity, *kinds.get(r.quantity, ())}
        enclosed = _enclosed_window(r, e, own, places, kinds, tol, inside)
        wide = (date.fromordinal(e - 2 * tol).isoformat(), date.fromordinal(e + 2 * tol).isoformat())
        out += [
            Window(frozenset({min(own)} if own else ()), frozenset({r.quantity}), *wide),
            enclosed,
            Window(frozenset(around), frozenset(broader), enclosed.first, enclosed.last),
        ]
    return out


def _enclosed_window(
    r: ClaimRecord,
    e: int,
    own: frozenset[str],
    places: Mapping[str, Collection[str]],
    kinds: Mapping[str, Collection[str]],
    tol: int,
    inside: Mapping[str, Collection[str]] | None,
) -> Window:
    """The window of the groups ``r`` (group at ``own``, ending on day ``e``) encloses:
    places at or inside its, kinds equal or narrower, within ``tol`` of ``e``."""
    narrower = {k for k, broader in kinds.items() if r.quantity in broader} | {r.quantity}
    near, far = (date.fromordinal(e - tol).isoformat(), date.fromordinal(e + tol).isoformat())
    return Window(frozenset(places_in(own, places, inside)), frozenset(narrower), near, far, frozenset(own))


@dataclass(frozen=True)
class Sifted:
    """The claims of ``window`` (of groups a touched claim's encloses) to read, but those
    whose number is below ``most`` (``must_read``)."""

    window: Window
    most: float


@dataclass
class Enclosed:
    """What to read of the groups the touched claims enclose (``enclosed_windows``):
    ``whole`` windows, ``sifted`` ones, and the claims ``targets`` (what the claims the
    sifted ones are measured against restate or are part of)."""

    whole: list[Window] = field(default_factory=list)
    sifted: list[Sifted] = field(default_factory=list)
    targets: set[str] = field(default_factory=set)


def must_read(r: ClaimRecord, most: float) -> bool:
    """Whether a claim of a ``Sifted`` window is read: no value of its own, or a value,
    upper value or interval low not below ``most``. (The store says the same from the
    claim's triples, any of several values: ``claims_of_keys_sifted.rq``.)"""
    return r.value is None or any(x is not None and not x < most for x in (r.value, r.value_high, r.low))


def _below(c: PreparedClaim, settings: Settings) -> float | None:
    """The number under which a claim of a group within c's (and not around it) meets c
    with no verdict, whatever its claimant, unless c is a part of it (``must_read``): its
    estimate below ``min(share_ratio, tension_ratio)`` of c's, its interval's low not
    above c's high (``conflict_rules.judge``: a part well below its whole; no rule of one
    source across two groups but those; a restatement or a part of c that small has
    none; tested with Hypothesis). None: no such number (c's estimate not positive)."""
    if c.est is None or not c.est > 0:
        return None
    most = min(min(settings.share_ratio, settings.tension_ratio) * (1 - EPS) * c.est, c.hi) * (1 - EPS)
    return most if math.isfinite(most) else None


def _pushed(
    near: list[tuple[int, ClaimRecord]], day: int, touched: Collection[str], cap: int
) -> list[ClaimRecord]:
    """Of ``near`` (the claims of a group ending within the tolerance of ``day``, both
    readings of the touched ones among them), those a claim ending on ``day`` may be paired
    with in one state of the touched claims and not in another: the touched ones, and the
    untouched ones whose rank by distance to ``day`` may lie between ``cap`` less the
    touched ones and ``cap`` (the detector's nearest ``cap``, ties either way). Those ranked
    before are among its nearest whatever the touched claims, those after never (counted
    by the claims surely in the group: no restatement)."""
    moved = [r for _, r in near if r.iri in touched]
    still = sorted(((abs(end - day), r.restates is None, r) for end, r in near if r.iri not in touched), key=lambda x: x[0])
    first = cap - len(moved) + 1  # the ranks from here on may move (1 the nearest)
    low = still[first - 1][0] if first >= 1 and len(still) >= first else -1
    sure = [dist for dist, surely, _ in still if surely]
    high = sure[cap - 1] if len(sure) > cap else math.inf
    return moved + [r for dist, _, r in still if low <= dist <= high]


def enclosed_windows(
    touched: Iterable[ClaimRecord],
    read: Iterable[ClaimRecord],
    places: Mapping[str, Collection[str]],
    kinds: Mapping[str, Collection[str]],
    cumulative: Collection[str] | None,
    settings: Settings,
    inside: Mapping[str, Collection[str]] | None = None,
) -> Enclosed:
    """The claims to read of the groups each of ``touched`` (group G, ending on day ``e``)
    encloses, within ``tol`` of ``e`` (``windows``' second window a claim), once ``read``
    holds G's claims within ``2 tol`` of ``e`` (``windows``' first window).

    Such a claim ``a`` (group A) is paired by the detector with its nearest
    ``max_neighbours`` claims of G ending within ``tol`` of it. Where G holds no more than
    that many claims within ``tol`` of ``a``'s end (counting every touched claim of G, in
    both readings), ``a`` is paired with all of them whether the touched claims are in or
    out: only its pairs with ``t`` can change. Where G holds more (the cap may push a
    claim of G in or out of ``a``'s nearest), its pairs with any claim of G ending within
    ``tol`` of those days. A pair of ``a`` with a claim ``x`` of G, A within G but G not
    within A (a kind as narrow, not one of G's broader kinds, both tallies or neither; of
    G's kind, G lies within A only where A names a place G's lie in, or G's own: those
    claims the window of the groups around G reads whole), ``x`` no part of ``a``, has no
    verdict when ``a``'s number is below ``_below(x)``:
    so a claim of A is read when its number is not below that of ``t`` (``must_read``), or
    of every such ``x`` on the crowded days; and, whatever its number, when ``t`` or such
    an ``x`` restates it or is a part of it. Kinds whose tally flag differs from G's, and
    the windows of a claim with no such number, are read whole. ``inside``: as for
    ``windows`` (the sifted windows' places)."""
    tol, cap = settings.period_tolerance_days, settings.max_neighbours
    touched = list(touched)
    members: dict[Group, list[tuple[int, ClaimRecord]]] = {}
    for r in {id(r): r for r in (*read, *touched)}.values():
        e = end_day(r)
        if e is not None and in_groups(r):
            members.setdefault((r.quantity, most_specific(r.places, places)), []).append((e, r))
    for group in members.values():
        group.sort(key=lambda m: (m[0], m[1].iri))
    touched_iris = {t.iri for t in touched}
    out = Enclosed()

    def against(claims: Iterable[ClaimRecord]) -> float | None:
        """The least number a claim of ``claims`` leaves unread (what they restate or are
        a part of read whole)."""
        least = math.inf
        for x in claims:
            most = _below(prepare(x, kinds, cumulative, settings), settings)
            if most is None:
                return None
            least = min(least, most)
            out.targets.update(i for i in (x.restates, x.part_of) if i)
        return least

    for t in touched:
        e = end_day(t)
        if not in_groups(t) or e is None:
            continue
        own = most_specific(t.places, places)
        window = _enclosed_window(t, e, own, places, kinds, tol, inside)
        narrower = set(window.kinds)
        most = against([t])
        if most is None:
            out.whole.append(window)
            continue
        tally = is_cumulative(t.quantity, cumulative)
        same = {
            k
            for k in narrower
            if (k == t.quantity or k not in kinds.get(t.quantity, ())) and is_cumulative(k, cumulative) == tally
        }
        if narrower - same:
            out.whole.append(replace(window, kinds=frozenset(narrower - same)))
        if not same:
            continue
        window = replace(window, kinds=frozenset(same))
        out.sifted.append(Sifted(window, most))
        group = members.get((t.quantity, own), [])
        ends = [m[0] for m in group]
        by_month: dict[tuple[int, int], tuple[int, int, set[int]]] = {}  # (first, last crowded day, partners)
        for d in range(e - tol, e + tol + 1):
            around = group[bisect_left(ends, d - tol) : bisect_right(ends, d + tol)]
            if len(around) <= cap:
                continue
            # the cap may push a claim of G in or out of the nearest of a claim ending on d
            day = date.fromordinal(d)
            first, last, partners = by_month.get((day.year, day.month), (d, d, set()))
            partners.update(id(r) for r in _pushed(around, d, touched_iris, cap))
            by_month[(day.year, day.month)] = (first, last if last > d else d, partners)
        by_id = {id(r): r for _, r in group}
        for first, last, partners in by_month.values():
            span = replace(window, first=date.fromordinal(first).isoformat(), last=date.fromordinal(last).isoformat())
            least = against(by_id[i] for i in sorted(partners))
            if least is None:
                out.whole.append(span)
            else:
                out.sifted.append(Sifted(span, least))
    return out


def _series_sides(
    touched: list[ClaimRecord], places: Mapping[str, Collection[str]], read: Iterable[ClaimRecord], span: int
) -> dict[str, tuple[bool, bool]]:
    """Each touched claim that may join a group -> (whether ``read`` holds an untouched
    claim of its series before it within ``span`` days, whether after it)."""
    iris = {t.iri for t in touched}
    members: dict[tuple[str, str, frozenset[str]], list[tuple[int, str]]] = {}
    for r in read:
        e = end_day(r)
        if r.iri not in iris and e is not None and in_groups(r) and r.restates is None:  # surely in its group
            members.setdefault((r.claimant, r.quantity, most_specific(r.places, places)), []).append(
                (e, r.iri)
            )
    out = {}
    for t in touched:
        if not in_groups(t):
            continue
        e = end_day(t)
        near = members.get((t.claimant, t.quantity, most_specific(t.places, places)), []) if e is not None else []
        at = (e, t.iri)
        out[t.iri] = (
            any(e - span <= m[0] and m < at for m in near),  # type: ignore[operator]
            any(at < m and m[0] <= e + span for m in near),  # type: ignore[operator]
        )
    return out


def series_keys(
    touched: Iterable[ClaimRecord],
    places: Mapping[str, Collection[str]],
    settings: Settings,
    read: Iterable[ClaimRecord] = (),
    span: int | None = None,
) -> set[tuple[str, str, str]]:
    """(claimant, kind, place) of the series to read whole: a touched claim's claimant's
    claims of its kind at one of its group's places (every claim of the group names it;
    '' for no place), over all of time, where its neighbours in that series may be. None
    for a claim whose ``read`` records (its group's window, ``windows``) already hold an
    untouched claim of that series on each side of it: the nearest ones lie within.
    ``span``: the days on each side of the claim's end that ``read`` holds the series'
    claims of (its group's window's: ``2 tol``; the years around it, ``series_windows``)."""
    touched = list(touched)
    span = 2 * settings.period_tolerance_days if span is None else span
    sides = _series_sides(touched, places, read, span)
    out = set()
    for t in touched:
        if t.iri in sides and not all(sides[t.iri]):
            own = most_specific(t.places, places)
            out.add((t.claimant, t.quantity, min(own) if own else ""))
    return out


SERIES_DAYS = 2 * 365  # the series' claims first read around a touched claim, each side (``series_windows``)


def series_windows(
    touched: Iterable[ClaimRecord],
    places: Mapping[str, Collection[str]],
    series: Collection[tuple[str, str, str]],
    days: int,
    read: Iterable[ClaimRecord] = (),
    span: int = 0,
) -> list[tuple[str, Window]]:
    """(claimant, window) for each touched claim of one of ``series`` (``series_keys``):
    its claimant's claims of its kind at its group's place ending within ``days`` of it,
    where the neighbours of a claim in a series of a few claims a year are (then
    ``series_keys(..., span=days)`` says which series must still be read whole). With
    ``read``, the records holding the series' claims within ``span`` days of it (its
    group's window: ``2 tol``): only the sides of it where those hold no untouched claim
    of the series, from ``span`` to ``days`` days away."""
    out = []
    touched = list(touched)
    sides = _series_sides(touched, places, read, span) if span else {}
    for t in touched:
        own = most_specific(t.places, places)
        e = end_day(t)
        if e is None or not in_groups(t) or (t.claimant, t.quantity, min(own) if own else "") not in series:
            continue
        before, after = sides.get(t.iri, (False, False))
        at, kinds = frozenset({min(own)} if own else ()), frozenset({t.quantity})
        for lo, hi in ((e - days, e - span),) * (not before) + ((e + span, e + days),) * (not after):
            out.append((t.claimant, Window(at, kinds, date.fromordinal(lo).isoformat(), date.fromordinal(hi).isoformat())))
    return out


def reach(
    touched: Iterable[PreparedClaim],
    groups: Mapping[Group, list[PreparedClaim]],
    ends: Mapping[Group, list[int]],
    enclosed: Callable[[Group], Iterable[Group]],
    settings: Settings,
) -> Reach | None:
    """The pairs whose verdicts ``touched`` (prepared, places narrowed) can change, from
    the groups of the records read (``groups``, each sorted by end, with its ``ends``);
    ``enclosed(g)``: the groups g encloses. None when undated claims make it whole groups."""
    tol = settings.period_tolerance_days
    touched = list(touched)
    out = Reach({t.iri for t in touched})
    for t in touched:
        if not in_groups(t.r):
            continue
        if t.end is None:
            return None
        key = (t.quantity, t.places)
        group, group_ends = groups.get(key, []), ends.get(key, [])
        if group and group[0].end is None:  # undated claims sort first
            return None
        near = group[bisect_left(group_ends, t.end - tol) : bisect_right(group_ends, t.end + tol)]
        for i, a in enumerate(near):  # sorted by end: the window (1) of each
            for b in near[i + 1 :]:
                if b.end - a.end > tol:  # type: ignore[operator]
                    break
                out.pairs.add(_pair(a.iri, b.iri))
        for inner_key in enclosed(key):
            inner, inner_ends = groups[inner_key], ends[inner_key]
            if inner[0].end is None:
                return None
            for a in inner[bisect_left(inner_ends, t.end - tol) : bisect_right(inner_ends, t.end + tol)]:
                lo, hi = bisect_left(group_ends, a.end - tol), bisect_right(group_ends, a.end + tol)  # type: ignore[operator]
                out.pairs.update(_pair(a.iri, o.iri) for o in group[lo:hi])
        own = [c for c in group if c.claimant == t.claimant and c.iri not in out.claims]
        at = (t.end, t.iri)
        before = [c for c in own if (c.end, c.iri) < at]
        after = [c for c in own if (c.end, c.iri) > at]
        if before and after:  # adjacent in the series once t is in or out
            out.pairs.add(_pair(before[-1].iri, after[0].iri))
    return out
