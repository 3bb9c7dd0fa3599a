"""The conflict detector: which pairs of claims to judge, and the verdicts on them.

``detect`` takes plain ``ClaimRecord`` values and the two part-of hierarchies (places,
quantity kinds) and returns ``Conflict`` values; it never touches a store (``conflicts``
ties it to one: ``refresh``). The verdict on one pair is ``conflict_rules``'.

Scale: claims are grouped by (quantity kind, place set) and sorted by the end of their
period; a claim is compared only with claims of the same or an enclosing group whose
period ends in the same time frame (``Settings.period_tolerance_days``), at most
``Settings.max_neighbours`` of them, nearest first. Same-claimant tallies are also
compared along their time series (each with the next). Never all pairs; and each pair
costs a few comparisons of numbers worked out once per claim (``PreparedClaim``).

This module, ``conflict_rules`` and ``conflict_records`` are compiled with mypyc when
factgraph is installed (``setup.py``; ``graph/compiled.py`` falls back on this source
when it changed since): keep them fully typed, and call between them, not through
module attributes a caller could patch.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from operator import attrgetter
from typing import Any

from .conflict_records import (
    EPS,
    HEDGE,
    INTERNAL,
    ClaimRecord,
    Conflict,
    PreparedClaim,
    Settings,
    most_specific,
    places_within,
    prepare,
    ratio,
)
from .conflict_region import Group, Reach, Region, reach
from .conflict_rules import Verdict, is_restatement, judge, judge_against, link_verdict, nesting
from .forked import Child, can_fork

# -- the detector --------------------------------------------------------------------

_UNDATED = -(10**9)
SAME_GROUP = (True, True)  # the nesting of two claims of one (kind, places) group


def _sort_key(c: PreparedClaim) -> tuple[int, str]:
    return (c.end if c.end is not None else _UNDATED, c.iri)


def _end_key(c: PreparedClaim) -> int:
    return c.end if c.end is not None else _UNDATED


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
    left, right = i - 1, i
    out: list[PreparedClaim] = []
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
    digest: Callable[[Conflict], str] | None = None,
) -> list[Conflict]:
    """Every conflict and corroboration among ``records``, sorted.

    ``gazetteer_part_of`` maps a place to all the places it lies in (transitively);
    ``kind_part_of`` maps a quantity kind to all its broader kinds; ``cumulative_kinds``
    are the running tallies (None: every kind but percentages). ``digest``: when the
    detection is shared with a forked process (``PARALLEL_FROM``), each process works
    out the digest of the verdicts it made with it (``Conflict.digest``; a full
    recompute's ``conflict_store.VerdictDigest``), as it would be worked out after.
    """
    with no_cycle_collection():
        return _detect(
            records, gazetteer_part_of, kind_part_of, settings or Settings(), cumulative_kinds, digest=digest
        )[0]


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Detection makes millions of small objects and no reference cycles: CPython's
    cycle collector would walk the growing heap of claims again and again for nothing
    (a quarter of the time at 100k claims, and more the more claims). A full recompute
    runs without it from the read of the records to the write (session 16: reading and
    making 100k records took 2.5 s with it, 1.3 s without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # what the run made moved to the oldest generation at once (``freeze`` then
            # ``unfreeze``: two list splices), not walked by the first young collection
            # once the collector is back on: at 1M claims the verdicts returned and their
            # records, 3 s of the refresh's end
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def detect_region(
    records: Iterable[ClaimRecord],
    region: Region,
    gazetteer_part_of: Mapping[str, Collection[str]],
    kind_part_of: Mapping[str, Collection[str]],
    settings: Settings | None = None,
    cumulative_kinds: Collection[str] | None = None,
) -> tuple[list[Conflict], Reach | None]:
    """(the verdicts ``region`` can change, which verdicts those are): the part of
    ``detect`` over the whole store that the region reaches, equal to it there when
    ``records`` hold what ``conflict_region`` says to read (the time windows and series
    around the touched claims, or with ``region.whole_groups`` the touched groups, every
    group they enclose and every group enclosing those, whole) and the claims they
    restate. Every other verdict of the store stays as it was. The reach is None when
    undated claims need whole groups and the region is not ``whole_groups``."""
    with no_cycle_collection():
        found, covered = _detect(
            records, gazetteer_part_of, kind_part_of, settings or Settings(), cumulative_kinds, region
        )
        return found, covered


def _detect(
    records: Iterable[ClaimRecord],
    gazetteer_part_of: Mapping[str, Collection[str]],
    kind_part_of: Mapping[str, Collection[str]],
    settings: Settings,
    cumulative_kinds: Collection[str] | None,
    region: Region | None = None,
    digest: Callable[[Conflict], str] | None = None,
) -> tuple[list[Conflict], Reach | None]:
    narrowest: dict[frozenset[str], frozenset[str]] = {}  # place set -> most specific, one object each
    shared: dict[frozenset[str], frozenset[str]] = {}

    def narrowed(r: ClaimRecord) -> frozenset[str]:
        places = narrowest.get(r.places)
        if places is None:
            places = most_specific(r.places, gazetteer_part_of)
            places = narrowest[r.places] = shared.setdefault(places, places)
        return places

    kinds_of: dict[str, tuple[frozenset[str], bool]] = {}
    claims = [_prepared(r, narrowed, kind_part_of, cumulative_kinds, settings, kinds_of) for r in records]
    by_iri = {c.iri: c for c in claims}
    found: dict[tuple[str, str, str], Verdict | Conflict] = {}
    kept = set(region.kept) if region is not None else set()
    articles = set(region.articles) if region is not None else set()

    def keep(v: Verdict) -> None:
        x, y = v[3].iri, v[4].iri
        key = (x, y, v[0]) if x < y else (y, x, v[0])
        if key not in kept:
            found.setdefault(key, v)

    def texts(c: PreparedClaim) -> bool:  # whether the text rules read c's article
        return region is None or c.r.article in articles

    # what the text says: links between claims
    for c in claims:
        if not texts(c):
            continue
        for target in {c.r.disputes, c.r.relative_to} - {None}:
            if target in by_iri and (v := link_verdict(c, by_iri[target])) is not None:  # type: ignore[index]
                keep(v)

    # what the text says adds up: "4.877 morts, soit 70 % des cas" with "9.936 cas" (49 %)
    for c in claims:
        if texts(c) and c.r.share_of in by_iri and c.r.share_base in by_iri and c.r.value is not None:
            part, base = by_iri[c.r.share_of], by_iri[c.r.share_base]  # type: ignore[index]
            if part.est is not None and base.est:
                share = 100 * part.est / base.est
                if abs(share - c.r.value) > max(settings.share_points, 0.1 * c.r.value):
                    keep((INTERNAL, "major", "share-does-not-add-up", c, base))

    # the numbers: groups by (kind, places), each sorted by period end
    groups: dict[Group, list[PreparedClaim]] = defaultdict(list)
    for c in claims:
        restated = by_iri.get(c.r.restates or "")
        if (
            restated is not None
            and is_restatement(c, restated)
            and _hedged(c) != _hedged(restated)
            and texts(c)
        ):
            keep(
                (HEDGE, "minor", "hedge-dropped", restated, c)
            )  # "probablement entre 100 et 300", then plainly
        if c.est is None or c.r.relative_to or (restated is not None and is_restatement(c, restated)):
            continue  # vague, comparative ('higher than X') or said again: no numbers of its own
        groups[(c.quantity, c.places)].append(c)
    ends: dict[Group, list[int]] = {}
    # the claims were appended in the order of their IRIs when the records came so (a full
    # recompute's do): sorted stably by their ends alone, they are sorted by ``_sort_key``
    # (1M claims: 1.4 s sorted by the pairs, 0.5 s by the ends)
    by_end = all(claims[i - 1].iri < claims[i].iri for i in range(1, len(claims)))
    for key, g in groups.items():
        g.sort(key=_end_key if by_end else _sort_key)
        ends[key] = [_end_key(c) for c in g]
    containing: dict[str, set[frozenset[str]]] = defaultdict(set)
    for _, group_places in groups:  # place -> the place sets of groups that include it
        for p in group_places or ("",):
            containing[p].add(group_places)

    memo: dict[tuple[frozenset[str], frozenset[str]], bool] = {}

    def within(inner: frozenset[str], outer: frozenset[str]) -> bool:
        if inner is outer:  # one shared object per place set
            return True
        nested = memo.get((inner, outer))
        if nested is None:
            nested = memo[(inner, outer)] = places_within(inner, outer, gazetteer_part_of)
        return nested

    def enclosed(outer: Group) -> list[Group]:  # the groups ``outer`` encloses
        kind, places = outer
        return [
            key
            for key in groups
            if key != outer
            and (key[0] == kind or kind in kind_part_of.get(key[0], ()))
            and within(key[1], places)
        ]

    judged = list(groups)
    touched = (
        [_prepared(t, narrowed, kind_part_of, cumulative_kinds, settings, kinds_of) for t in region.touched]
        if region
        else []
    )
    covered: Reach | None = None
    if region is not None and region.whole_groups:  # the touched groups and every group they enclose
        judged = sorted(
            {
                g
                for t in touched
                for g in [(t.quantity, t.places), *enclosed((t.quantity, t.places))]
                if g in groups
            },
            key=lambda k: (k[0], sorted(k[1])),
        )
        covered = Reach({c.iri for key in judged for c in groups[key]} | {t.iri for t in touched})
    elif region is not None:
        covered = reach(touched, groups, ends, enclosed, settings)
        if covered is None:
            return [], None
    if covered is not None:
        covered.claims |= {c.iri for c in claims if c.r.article in articles}
    # in a region, only the pairs it covers are judged (the others' verdicts are dropped)
    wanted = covered.covers if covered is not None and not (region and region.whole_groups) else None
    enclosing_memo: dict[Group, list[Group]] = {}
    around_memo: dict[frozenset[str], list[frozenset[str]]] = {}
    place_order: dict[frozenset[str], list[str]] = {}

    def around(places: frozenset[str]) -> list[frozenset[str]]:
        """The place sets of groups that ``places`` lies within (itself among them): of
        those that hold its least place or a place that encloses it. One list a place set,
        shared by the groups of every kind (250k groups at 1M claims, on 4,500 place sets)."""
        if (known := around_memo.get(places)) is None:
            anchor = min(places) if places else ""
            near = (anchor, *gazetteer_part_of.get(anchor, ())) if places else ("",)
            known = around_memo[places] = [
                outer for outer in {o for p in near for o in containing.get(p, ())} if within(places, outer)
            ]
        return known

    def ordered(places: frozenset[str]) -> list[str]:
        if (known := place_order.get(places)) is None:
            known = place_order[places] = sorted(places)
        return known

    def enclosing(key: Group) -> list[Group]:  # the groups enclosing ``key``, whose claims it is judged against
        if (known := enclosing_memo.get(key)) is not None:
            return known
        kind, places = key
        outer_places = around(places)
        known = enclosing_memo[key] = sorted(
            {
                k2
                for broader in (kind, *kind_part_of.get(kind, ()))
                for outer in outer_places
                if (k2 := (broader, outer)) in groups and k2 != key
            },
            key=lambda k: (k[0], ordered(k[1])),
        )
        return known

    if wanted is not None:  # a covered pair has a claim the reach names, in the group judged first
        named = covered.all_claims()  # type: ignore[union-attr]
        judged = [key for key in judged if any(c.iri in named for c in groups[key])]

    low_share = min(settings.share_ratio, settings.tension_ratio) * (1 - EPS)  # (``judge_against``)

    def judge_group(key: Group, keep: Callable[[Verdict], None]) -> None:
        group = groups[key]
        outer = [(groups[k2], ends[k2], nesting(group[0], groups[k2][0], within)) for k2 in enclosing(key)]
        group_ends = ends[key]
        series: dict[str, list[PreparedClaim]] = defaultdict(list)
        for i, c in enumerate(group):
            series[c.claimant].append(c)
            for j in range(i + 1, _later_end(group, group_ends, i, settings)):
                if wanted is not None and not wanted(c.iri, group[j].iri):
                    continue
                if (v := judge(c, group[j], SAME_GROUP, settings)) is not None:
                    keep(v)
            for other_group, other_ends, nest in outer:
                others = _around(other_group, other_ends, c, settings)
                if wanted is not None:
                    others = [o for o in others if wanted(c.iri, o.iri)]
                if others:  # (a fifth of the windows hold none)
                    judge_against(c, others, nest, settings, keep, low_share)
        for s in series.values():  # each claimant's tallies, each with the next in time
            for x, y in zip(s, s[1:], strict=False):
                if wanted is not None and not wanted(x.iri, y.iri):
                    continue
                if (v := judge(x, y, SAME_GROUP, settings)) is not None:
                    keep(v)

    if region is None and len(claims) >= PARALLEL_FROM and len(judged) > 1 and can_fork():
        return _judged_in_two_processes(judged, judge_group, keep, found, by_iri, groups, settings, digest), None
    for key in judged:
        judge_group(key, keep)

    if covered is not None:
        found = {k: v for k, v in found.items() if covered.covers(k[0], k[1])}
        if wanted is not None:
            covered.possible = _possible(covered, groups, enclosing, within, settings)
    return _sorted(found, settings), covered


# from this many claims a full detection judges about half of its groups' claims in a forked
# process (``forked.Child``): 1M claims' groups took 105 s on one core (the bar as
# ``conflict_store.PARALLEL_DIGESTS_FROM``)
PARALLEL_FROM = 50_000

# what a claim judged in the child costs against one judged here, when the verdicts'
# digests are worked out as they are made: the child makes each of its verdicts twice (to
# digest it there, then here) and sends it (1M claims: the child done 2.8 s after this
# process when they were counted alike)
CHILD_COST = 1.1

# a verdict as the child sends it: (its place in the order of verdicts, kind, severity,
# rule, its claims' ranks in the order of IRIs, ratio, gap, digest or ""): claims by
# rank, not IRI (about a million verdicts at 1M claims: two IRIs each pickled and read
# back took 2.7 s)
Ranked = tuple[int, str, str, str, int, int, float | None, float | None, str]


def _judged_in_two_processes(
    judged: list[Group],
    judge_group: Callable[[Group, Callable[[Verdict], None]], None],
    keep: Callable[[Verdict], None],
    found: dict[tuple[str, str, str], Verdict | Conflict],
    by_iri: Mapping[str, PreparedClaim],
    groups: Mapping[Group, list[PreparedClaim]],
    settings: Settings,
    digest: Callable[[Conflict], str] | None = None,
) -> list[Conflict]:
    """The verdicts of ``found`` (those the text rules gave) and of ``judge_group(key,
    keep)`` for every group of ``judged``, sorted as ``_detect`` returns them, about half
    the claims' groups judged in a forked child, each process working out the
    ``digest`` of the verdicts it made (when given: the digests of a full recompute's
    1.9M verdicts at 1M claims were worked out in a second forked child after). A pair
    is judged in one group's ``judge_group`` only (of the group the other's group
    encloses, or of their group: groups do not enclose each other), so the verdicts
    kept, and which of two on one pair and kind, are those of one process judging every
    group in order.

    Each process sorts its own verdicts while the other still works: by (first claim,
    second claim, kind) as ``_detect`` does, the claims by their rank among the IRIs
    sorted (an integer: sorting a million verdicts by their IRIs took 4 s); the child
    sends its verdicts (``Ranked``: the claims by rank, the ratio and gap worked out
    there), and this process makes them and merges the two sorted lists. The groups are
    dealt out largest first, each to the process with fewer claims so far, the child's
    counted ``CHILD_COST`` times (the later half by claims, as before session 16, left
    this process idle a third of the child's time at 1M claims: later groups cost more a
    claim). The claims' ranks are worked out by each process once forked. A child that
    fails has its groups judged here."""
    load = [0.0, 0.0]
    cost = (1.0, CHILD_COST if digest is not None else 1.0)
    side: list[list[int]] = [[], []]
    for at in sorted(range(len(judged)), key=lambda i: -len(groups[judged[i]])):
        lighter = 0 if load[0] <= load[1] else 1
        side[lighter].append(at)
        load[lighter] += len(groups[judged[at]]) * cost[lighter]
    ours, theirs = ([judged[i] for i in sorted(part)] for part in side)
    iris: list[str] = []
    rank: dict[str, int] = {}
    ranked: list[PreparedClaim] = []

    def ranks() -> int:  # (in each process, once forked)
        iris.extend(sorted(by_iri))
        rank.update((iri, i) for i, iri in enumerate(iris))
        ranked.extend(by_iri[iri] for iri in iris)
        return len(iris)

    def work(send: Callable[[Any], None], ready: Callable[[], None]) -> None:
        ready()
        n = ranks()
        made: dict[tuple[int, int, str], Ranked] = {}

        def kept(v: Verdict) -> None:  # the first verdict on a pair and kind, as ``keep``
            x, y, kind = v[3].iri, v[4].iri, v[0]
            a, b = rank[x], rank[y]
            key = (a, b, kind) if a < b else (b, a, kind)
            # (``found`` as forked holds all this process will find on the child's pairs:
            # the text rules', before any group was judged)
            if key not in made and ((x, y, kind) if x < y else (y, x, kind)) not in found:
                r, gap = _measures(v[3], v[4])
                made[key] = (a * n + b, kind, v[1], v[2], a, b, r, gap, "")

        for key in theirs:
            judge_group(key, kept)
        out = sorted(made.values())  # (by pair and kind, each once: the digests never compared)
        if digest is not None:
            out = [
                (at, kind, severity, rule, a, b, r, gap, digest(made_here(kind, severity, a, b, rule, r, gap)))
                for at, kind, severity, rule, a, b, r, gap, _ in out
            ]
        send(out)

    def made_here(
        kind: str, severity: str, a: int, b: int, rule: str, r: float | None, gap: float | None
    ) -> Conflict:  # a verdict the child sent, as this process makes it
        return Conflict(kind, severity, iris[a], iris[b], rule, r, gap, (ranked[a].r, ranked[b].r), settings)

    child = Child(work) if theirs else None
    try:
        for key in ours:
            judge_group(key, keep)
        n = ranks()
        mine = sorted(
            [(rank[v[3].iri] * n + rank[v[4].iri], v[0], _conflict(v, settings)) for v in found.values()]  # type: ignore[index,arg-type]
        )
        if digest is not None:
            for _, _, conflict in mine:
                object.__setattr__(conflict, "digest", digest(conflict))  # (frozen: set once)
        got = child.results() if child is not None else None
        if got is not None:  # (while the child exits)
            made: list[tuple[int, str, Conflict]] = []
            for at, kind, severity, rule, a, b, r, gap, its_digest in got[0]:
                conflict = made_here(kind, severity, a, b, rule, r, gap)
                if its_digest:
                    object.__setattr__(conflict, "digest", its_digest)
                made.append((at, kind, conflict))
            return _merged(mine, made)
    finally:
        if child is not None:
            child.stop()
    for key in theirs:  # the child failed: its groups judged here
        judge_group(key, keep)
    return _sorted(found, settings)


def _sorted(found: Mapping[tuple[str, str, str], Verdict | Conflict], settings: Settings) -> list[Conflict]:
    out = [v if isinstance(v, Conflict) else _conflict(v, settings) for v in found.values()]
    out.sort(key=attrgetter("a", "b", "kind"))
    return out


def _merged(xs: list[tuple[int, str, Conflict]], ys: list[tuple[int, str, Conflict]]) -> list[Conflict]:
    """The conflicts of two lists sorted by (rank of their claims' pair, kind), each
    pair and kind in one of them only, in that order."""
    out: list[Conflict] = []
    i, j, nx, ny = 0, 0, len(xs), len(ys)
    while i < nx and j < ny:
        x, y = xs[i], ys[j]
        if x[0] < y[0] or (x[0] == y[0] and x[1] < y[1]):
            out.append(x[2])
            i += 1
        else:
            out.append(y[2])
            j += 1
    out.extend(x[2] for x in xs[i:])
    out.extend(y[2] for y in ys[j:])
    return out


def _possible(
    covered: Reach,
    groups: Mapping[Group, list[PreparedClaim]],
    enclosing: Callable[[Group], list[Group]],
    within: Callable[[frozenset[str], frozenset[str]], bool],
    settings: Settings,
) -> set[tuple[str, str, str]]:
    """(a, b, kind), a < b: the numeric verdict each pair of ``covered.pairs`` with
    neither claim in ``covered.claims`` has whenever the detector judges it, judged as
    the detector would (the same orientation and nesting); a pair the detector never
    judges (its claims in no group, or in groups neither of which encloses the other) has
    none. Such a pair's claims are as stored, so a stored verdict on it is this one: an
    incremental refresh compares what it stores only where that changes."""
    member: dict[str, tuple[Group, PreparedClaim]] = {c.iri: (key, c) for key, g in groups.items() for c in g}
    outer: dict[Group, set[Group]] = {}
    nests: dict[tuple[Group, Group], tuple[bool, bool]] = {}

    def nest(inner: Group, around: Group) -> tuple[bool, bool]:
        if (known := nests.get((inner, around))) is None:
            known = nests[(inner, around)] = nesting(groups[inner][0], groups[around][0], within)
        return known

    out: set[tuple[str, str, str]] = set()
    for x, y in covered.pairs:
        if x in covered.claims or y in covered.claims or x not in member or y not in member:
            continue
        (gx, cx), (gy, cy) = member[x], member[y]
        if gx == gy:
            a, b = (cx, cy) if _sort_key(cx) < _sort_key(cy) else (cy, cx)
            v = judge(a, b, SAME_GROUP, settings)
        else:
            if gx not in outer:
                outer[gx] = set(enclosing(gx))
            if gy not in outer:
                outer[gy] = set(enclosing(gy))
            if gy in outer[gx]:  # x's group lies in y's: x judged against y
                v = judge(cx, cy, nest(gx, gy), settings)
            elif gx in outer[gy]:
                v = judge(cy, cx, nest(gy, gx), settings)
            else:
                continue
        if v is not None:
            out.add((x, y, v[0]) if x < y else (y, x, v[0]))
    return out


def _prepared(
    r: ClaimRecord,
    narrowed: Callable[[ClaimRecord], frozenset[str]],
    kind_part_of: Mapping[str, Collection[str]],
    cumulative_kinds: Collection[str] | None,
    settings: Settings,
    kinds_of: dict[str, tuple[frozenset[str], bool]] | None = None,
) -> PreparedClaim:
    """A record as the detector reads it: prepared, its places narrowed."""
    places = narrowed(r)
    c = prepare(
        r if places == r.places else replace(r, places=places), kind_part_of, cumulative_kinds, settings, kinds_of
    )
    c.places = places
    return c


HEDGES = {"likely", "very_likely", "possible"}


def _hedged(c: PreparedClaim) -> bool:
    """Whether the speaker hedges the figure ("probablement", "il est possible que")."""
    return (c.r.confidence or "").rsplit("/", 1)[-1] in HEDGES


def _stated(r: ClaimRecord) -> tuple[float, float]:
    return (
        r.low if r.low is not None else float("-inf"),
        r.high if r.high is not None else float("inf"),
    )


def _measures(a: PreparedClaim, b: PreparedClaim) -> tuple[float | None, float | None]:
    """(the larger estimate over the smaller, the gap between the intervals as stated or
    else between the estimates), rounded to two places."""
    r = ratio(a.est, b.est)
    gap: float | None = None
    (alo, ahi), (blo, bhi) = _stated(a.r), _stated(b.r)
    if ahi < blo or bhi < alo:  # disjoint as stated: the gap between the intervals
        gap = max(blo - ahi, alo - bhi)
    elif a.est is not None and b.est is not None:
        gap = abs(a.est - b.est)
    return (round(r, 2) if r is not None else None, round(gap, 2) if gap is not None else None)


def _conflict(v: Verdict, settings: Settings) -> Conflict:
    kind, severity, rule, a, b = v
    return Conflict(kind, severity, a.iri, b.iri, rule, *_measures(a, b), (a.r, b.r), settings)
