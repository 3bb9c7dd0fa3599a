"""Conflict analysis: which figure claims disagree, how badly, and why.

The detector is pure: ``detect`` takes plain ``ClaimRecord`` values and the two
part-of hierarchies (places, quantity kinds) and returns ``Conflict`` values; it never
touches a store. ``load_records`` reads the records from a store with the stored query
``queries/conflicts/claim_records.rq`` and ``refresh`` rewrites the conflicts graph.
The rules, their thresholds and their limits are documented in ``docs/conflicts.md``.

Scale: claims are grouped by (quantity kind, place set) and sorted by the end of their
period; a claim is compared only with claims of the same or an enclosing group whose
period ends in the same time frame (``Settings.period_tolerance_days``), at most
``Settings.max_neighbours`` of them, nearest first. Same-claimant tallies are also
compared along their time series (each with the next). Never all pairs.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, cached_property
from importlib.resources import files

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from factgraph import __version__

from .conflict_text import explain
from .model import Figure
from .store import Store
from .terms import FG, FGK, PREFIXES, Iris

DETECTOR_VERSION = "1.0"

# Conflict kinds (local names of fgk: concepts) and what each pair of claims gets.
CONTRADICTION = "contradiction"
INTERNAL = "internal_inconsistency"
SAME_CLAIM = "same_claim_different_value"
CUMULATIVE = "impossible_cumulative"
TENSION = "tension"
SCOPE = "scope_difference"
HEDGE = "hedge_conflict"
DISPUTE = "explicit_dispute"
VERDICT = "reliability_verdict"
CORROBORATION = "corroboration"

# Bounds grouped by the shape of the interval they imply: two claims of one claimant
# with the same value but different shapes drop or add a hedge.
_SHAPE = {
    "exact": "point",
    "about": "approx",
    "at_least": "lower",
    "more_than": "lower",
    "at_most": "upper",
    "less_than": "upper",
    "range": "range",
    "vague": "vague",
}


@dataclass(frozen=True)
class Settings:
    """The detector's declared thresholds (documented in docs/conflicts.md)."""

    about_tolerance: float = 0.1  # 'environ', 'un millier': +/- 10 %
    rounding_tolerance: float = 0.05  # a figure ending in 00 may be rounded by up to 5 %
    tension_ratio: float = 2.0  # compatible estimates this many times apart: tension
    share_ratio: float = 0.5  # a much smaller scope holding half the enclosing total
    share_period_fraction: float = 0.5  # "much smaller": at most half the period
    corroboration_ratio: float = 1.1  # different claimants this close: corroboration
    period_tolerance_days: int = 92  # periods ending this close describe the same time
    open_start_days: int = 365  # an unstated start matches periods at least this long
    max_neighbours: int = 8  # cap on comparisons per claim and group


@dataclass(frozen=True)
class ClaimRecord:
    """What the rules need to know about one figure claim (IRIs as strings)."""

    iri: str
    article: str
    claimant: str
    quantity: str  # notation, e.g. 'civilian_deaths'
    value: float | None
    value_high: float | None
    bound: str
    low: float | None  # the claim's interval; None = unbounded
    high: float | None
    low_incl: bool = True
    high_incl: bool = True
    places: frozenset[str] = frozenset()
    period_start: str | None = None  # ISO date, as precise as stated
    period_end: str | None = None
    stated_on: str | None = None
    confidence: str | None = None
    restates: str | None = None  # IRIs of linked claims
    part_of: str | None = None
    disputes: str | None = None
    relative_to: str | None = None
    verdict: str | None = None
    quote: str = ""
    figure_text: str = ""  # the words of the figure ('pas moins de 1.302')
    claimant_label: str = ""

    @classmethod
    def make(
        cls,
        iri: str,
        claimant: str,
        quantity: str,
        value: float | None,
        bound: str = "exact",
        *,
        value_high: float | None = None,
        places: Iterable[str] = (),
        tolerance: float = 0.1,
        **fields: object,
    ) -> ClaimRecord:
        """A record whose interval follows from its value and bound (``Figure.interval``)."""
        low, high, low_incl, high_incl = Figure(value, bound, value_high).interval(tolerance)
        fields.setdefault("article", iri.rsplit("/", 1)[0])
        return cls(
            iri=iri,
            claimant=claimant,
            quantity=quantity,
            value=value,
            value_high=value_high,
            bound=bound,
            low=low,
            high=high,
            low_incl=low_incl,
            high_incl=high_incl,
            places=frozenset(places),
            **fields,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Conflict:
    """A derived judgement on a pair of claims (a conflict or a corroboration)."""

    kind: str  # fgk: local name
    severity: str  # 'major', 'minor'; '' for a corroboration
    a: str  # claim IRIs
    b: str
    rule: str  # which test fired (docs/conflicts.md)
    ratio: float | None = None  # larger estimate over smaller
    gap: float | None = None  # distance between the estimates (or the intervals)
    records: tuple[ClaimRecord, ClaimRecord] | None = field(default=None, compare=False, repr=False)
    settings: Settings | None = field(default=None, compare=False, repr=False)

    @cached_property
    def explanations(self) -> tuple[str, str]:
        """(English, French), citing both quotes; written when first asked for."""
        if self.records is None:
            return "", ""
        return explain(self.rule, *self.records, self.ratio, self.settings or Settings())

    @property
    def explanation_en(self) -> str:
        return self.explanations[0]

    @property
    def explanation_fr(self) -> str:
        return self.explanations[1]

    @property
    def is_conflict(self) -> bool:
        return self.kind != CORROBORATION

    @property
    def key(self) -> str:
        """Deterministic identity: hash of the sorted claim pair and the kind."""
        x, y = sorted((self.a, self.b))
        return hashlib.sha1(f"{x}|{y}|{self.kind}".encode()).hexdigest()[:16]


# -- dates ---------------------------------------------------------------------------


def _days_in_month(y: int, m: int) -> int:
    return (date(y + (m == 12), m % 12 + 1, 1) - date(y, m, 1)).days


def date_span(text: str | None) -> tuple[int, int] | None:
    """First and last day (ordinals) an ISO date of any precision covers:
    '2019' -> the year, '2019-04' -> April, '2019-04-30' -> that day."""
    if not text:
        return None
    parts = text.strip()[:10].split("-")
    try:
        y = int(parts[0])
        if len(parts) == 1:
            return date(y, 1, 1).toordinal(), date(y, 12, 31).toordinal()
        m = int(parts[1])
        if len(parts) == 2:
            return date(y, m, 1).toordinal(), date(y, m, _days_in_month(y, m)).toordinal()
        d = date(y, m, int(parts[2])).toordinal()
        return d, d
    except (ValueError, IndexError):
        return None


# -- numbers -------------------------------------------------------------------------


def _rounding_slack(v: float, settings: Settings) -> float:
    """How far a figure may be from the number it rounds: a whole number ending in at
    least two zeros ('1.300', '28.000') is read as possibly rounded."""
    if v <= 0 or v != int(v) or int(v) % 100:
        return 0.0
    return v * settings.rounding_tolerance


def _estimate(r: ClaimRecord) -> float | None:
    """The representative number of a figure: its value (a bound's own number), the
    middle of a range."""
    if r.value is None:
        return None
    if r.bound == "range" and r.value_high is not None:
        return (r.value + r.value_high) / 2
    return r.value


@dataclass
class _Claim:
    """A record with what the rules compute once: period days, widened interval."""

    r: ClaimRecord
    start: int | None  # first day the period may start
    start_hi: int | None  # last day it may start ('2014' may start in December)
    end_lo: int | None  # first day the period may end (or the statement date)
    end: int | None  # last day the period may end
    est: float | None
    lo: float  # interval widened by rounding (-inf/inf when unbounded)
    hi: float
    kinds: frozenset[str] = field(default_factory=frozenset)  # the kind and broader ones
    cumulative: bool = True  # a running tally (not a stock at a date, a share or a rate)


def most_specific(places: frozenset[str], part_of: Mapping[str, Collection[str]]) -> frozenset[str]:
    """Drop the places that contain another place of the set: 'Al-Mansoura, Raqqa
    province, Syria' is Al-Mansoura; 'Syria, Iraq' stays both."""
    inside = {q for p in places for q in part_of.get(p, ())}
    return frozenset(p for p in places if p not in inside)


def _prepare(
    r: ClaimRecord,
    kind_part_of: Mapping[str, Collection[str]],
    cumulative: Collection[str] | None,
    settings: Settings,
) -> _Claim:
    s = date_span(r.period_start)
    e = date_span(r.period_end) or date_span(r.stated_on)
    lo = r.low if r.low is not None else float("-inf")
    hi = r.high if r.high is not None else float("inf")
    if r.low is not None:
        lo -= _rounding_slack(r.low, settings)
    if r.high is not None:
        hi += _rounding_slack(r.high, settings)
    kinds = frozenset({r.quantity, *kind_part_of.get(r.quantity, ())})
    return _Claim(
        r,
        s[0] if s else None,
        s[1] if s else None,
        e[0] if e else None,
        e[1] if e else None,
        _estimate(r),
        lo,
        hi,
        kinds,
        _is_cumulative(r.quantity, cumulative),
    )


def _strictly_disjoint(a: ClaimRecord, b: ClaimRecord) -> bool:
    """The intervals as stated (no rounding) share no number."""

    def below(x: ClaimRecord, y: ClaimRecord) -> bool:  # x entirely below y
        if x.high is None or y.low is None:
            return False
        return x.high < y.low or (x.high == y.low and not (x.high_incl and y.low_incl))

    return below(a, b) or below(b, a)


_EPS = 1e-9  # relative: float noise never decides a verdict (rescaling keeps it)


def _above(x: float, y: float) -> bool:
    """x > y by more than float noise."""
    return x > y + _EPS * max(abs(x), abs(y), 1.0)


def _at_least(ratio: float | None, threshold: float) -> bool:
    return ratio is not None and ratio >= threshold * (1 - _EPS)


def _ratio(x: float | None, y: float | None) -> float | None:
    if x is None or y is None or x <= 0 or y <= 0:
        return None
    return max(x, y) / min(x, y)


def _same_number(x: float | None, y: float | None, settings: Settings) -> bool:
    """Equal, or one is a rounding of the other."""
    if x is None or y is None:
        return False
    return abs(x - y) <= max(_rounding_slack(x, settings), _rounding_slack(y, settings), 1e-9)


# -- scope ---------------------------------------------------------------------------


def places_within(
    inner: frozenset[str], outer: frozenset[str], part_of: Mapping[str, Collection[str]]
) -> bool:
    """Every place of ``inner`` is a place of ``outer`` or lies inside one; an unstated
    place set is only comparable with another unstated one."""
    if not inner or not outer:
        return not inner and not outer
    return all(p in outer or any(q in outer for q in part_of.get(p, ())) for p in inner)


def _same_moment(a: _Claim, b: _Claim) -> bool:
    """The periods end on the same date (as precisely as both are stated)."""
    if a.end is None or b.end is None:
        return True
    return a.end_lo <= b.end and b.end_lo <= a.end  # type: ignore[operator]


def _time_within(a: _Claim, b: _Claim, settings: Settings) -> bool:
    """a's period may lie within b's. Starts compare as stated ('2014' covers the year);
    ends within the tolerance (tallies published a little apart describe the same
    time); an unstated end agrees with any. An unstated start is the start of the
    series: within any unstated start, or a stated one at least ``open_start_days``
    before b's end; and b with an unstated start encloses any start."""
    if b.start is not None:
        if a.start is None:
            if b.end is None or b.end - b.start < settings.open_start_days:
                return False
        elif a.start_hi < b.start:  # type: ignore[operator]
            return False
    if not (a.cumulative and b.cumulative):
        return _same_moment(a, b)  # stocks, shares and rates: the same date only
    return a.end is None or b.end is None or a.end_lo <= b.end + settings.period_tolerance_days  # type: ignore[operator]


def _length(c: _Claim) -> int | None:
    return c.end - c.start + 1 if c.start is not None and c.end is not None else None


# -- the rules -----------------------------------------------------------------------


def _linked(a: ClaimRecord, b: ClaimRecord, attr: str) -> bool:
    return getattr(a, attr) == b.iri or getattr(b, attr) == a.iri


def _is_restatement(a: ClaimRecord, b: ClaimRecord) -> bool:
    """b says a again: linked by fg:restates with the same value and bound."""
    return (
        _linked(a, b, "restates")
        and a.value == b.value
        and a.bound == b.bound
        and a.value_high == b.value_high
    )


Verdict = tuple[str, str, str, "_Claim", "_Claim"]  # kind, severity, rule, first, second


def _is_cumulative(kind: str, cumulative: Collection[str] | None) -> bool:
    return not kind.endswith("_pct") if cumulative is None else kind in cumulative


def _kinds_nest(a: _Claim, b: _Claim) -> bool:
    """a's kind is b's or narrower, and both are tallies or both are not."""
    return b.r.quantity in a.kinds and (a.r.quantity == b.r.quantity or a.cumulative == b.cumulative)


def judge(
    a: _Claim,
    b: _Claim,
    places_in: Callable[[frozenset[str], frozenset[str]], bool],
    cumulative: Collection[str] | None,
    settings: Settings,
) -> Verdict | None:
    """The numeric verdict on one pair: (kind, severity, rule, first, second) or None.

    ``first`` is the part, the sub-scope or the earlier tally when the rule has a
    direction. Symmetric: ``judge(a, b)`` and ``judge(b, a)`` agree.
    """
    ra, rb = a.r, b.r
    if ra.iri == rb.iri or a.est is None or b.est is None:
        return None
    if (ra.restates == rb.iri or rb.restates == ra.iri) and _is_restatement(ra, rb):
        return None
    tol = settings.period_tolerance_days
    same_claimant = ra.claimant == rb.claimant
    ratio = _ratio(a.est, b.est)

    if (
        ra.part_of == rb.iri or rb.part_of == ra.iri
    ):  # 'dont un millier d'enfants': the part can't exceed the whole
        part, whole = (a, b) if ra.part_of == rb.iri else (b, a)
        return (
            (CONTRADICTION, "major", "part-exceeds-whole", part, whole) if _above(part.lo, whole.hi) else None
        )

    if (
        same_claimant
        and ra.quantity == rb.quantity
        and ra.places == rb.places
        and a.cumulative
        and not _same_moment(a, b)
    ):
        if a.start is not None and b.start is not None and (a.start > b.start_hi or b.start > a.start_hi):
            return None  # two different windows of one series: not comparable
        early, late = (a, b) if (a.end, ra.iri) < (b.end, rb.iri) else (b, a)
        if _above(early.lo, late.hi):
            return CUMULATIVE, "major", "tally-falls", early, late
        if abs(a.end - b.end) > tol or late.est >= early.est:  # type: ignore[operator]
            return None  # a later, larger tally is not a conflict

    a_in_b = _kinds_nest(a, b) and places_in(ra.places, rb.places) and _time_within(a, b, settings)
    b_in_a = _kinds_nest(b, a) and places_in(rb.places, ra.places) and _time_within(b, a, settings)
    if not (a_in_b or b_in_a):
        return None
    same_scope = a_in_b and b_in_a
    first, second = (a, b) if (ra.iri < rb.iri if same_scope else a_in_b) else (b, a)
    if same_scope and a.cumulative and not _same_moment(a, b):  # tallies a little apart
        first, second = (a, b) if (a.end or 0) < (b.end or 0) else (b, a)
        disjoint = _above(first.lo, second.hi)  # only the earlier exceeding the later is impossible
    else:
        disjoint = _above(first.lo, second.hi) or (same_scope and _above(second.lo, first.hi))

    if same_claimant:
        if not same_scope:
            if disjoint:
                return CONTRADICTION, "major", "sub-scope-exceeds", first, second
            if _at_least(first.est / second.est if second.est else None, settings.tension_ratio):
                return SCOPE, "minor", "same-source-sub-scope-above", first, second
            return None
        if not _same_moment(a, b):
            return None  # one series at two dates: a tally growing (see above) or a stock moving
        if _SHAPE[ra.bound] != _SHAPE[rb.bound] and _same_number(ra.value, rb.value, settings):
            return HEDGE, "minor", "hedge-changed", first, second
        if _strictly_disjoint(ra, rb):
            if not disjoint:
                return None  # one is a rounding of the other
            if ra.article != rb.article:
                return SAME_CLAIM, "major", "relayed-differently", first, second
            return INTERNAL, "major", "same-source-disjoint", first, second
        if _at_least(ratio, settings.tension_ratio):
            return SCOPE, "minor", "same-source-far-apart", first, second
        return None

    if disjoint:
        return CONTRADICTION, "major", "disjoint" if same_scope else "sub-scope-exceeds", first, second
    if same_scope:
        if _at_least(ratio, settings.tension_ratio):
            return TENSION, "major", "far-apart", first, second
        if ratio is not None and ratio <= settings.corroboration_ratio * (1 + _EPS):
            return CORROBORATION, "", "agree", first, second
        return None
    if _at_least(first.est / second.est if second.est else None, settings.tension_ratio):  # type: ignore[operator]
        return TENSION, "major", "sub-scope-far-above", first, second
    sub_len, sup_len = _length(first), _length(second)
    if (
        sub_len is not None
        and sup_len is not None
        and sub_len <= settings.share_period_fraction * sup_len
        and _at_least(first.est / second.est if second.est else None, settings.share_ratio)  # type: ignore[operator]
    ):
        return TENSION, "minor", "sub-scope-large-share", first, second
    return None


def _link_verdict(a: _Claim, b: _Claim) -> Verdict | None:
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


def _sort_key(c: _Claim) -> tuple[int, str]:
    return (c.end if c.end is not None else _UNDATED, c.r.iri)


def _later(group: list[_Claim], ends: list[int], i: int, settings: Settings) -> list[_Claim]:
    """The claims sorted after ``group[i]`` whose period ends within the tolerance."""
    c, cap = group[i], settings.max_neighbours
    if c.end is None:
        return group[i + 1 : i + 1 + cap]
    hi = bisect_right(ends, c.end + settings.period_tolerance_days)
    return group[i + 1 : min(hi, i + 1 + cap)]


def _around(group: list[_Claim], ends: list[int], c: _Claim, settings: Settings) -> list[_Claim]:
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
    settings = settings or Settings()
    claims = [
        _prepare(
            replace(r, places=most_specific(r.places, gazetteer_part_of)),
            kind_part_of,
            cumulative_kinds,
            settings,
        )
        for r in records
    ]
    by_iri = {c.r.iri: c for c in claims}
    found: dict[tuple[str, str, str], Verdict] = {}

    def keep(v: Verdict | None) -> None:
        if v is not None:
            found.setdefault((*sorted((v[3].r.iri, v[4].r.iri)), v[0]), v)  # type: ignore[arg-type]

    # what the text says: links between claims
    for c in claims:
        for target in {c.r.disputes, c.r.relative_to} - {None}:
            if target in by_iri:
                keep(_link_verdict(c, by_iri[target]))  # type: ignore[index]

    # the numbers: groups by (kind, places), each sorted by period end
    groups: dict[tuple[str, frozenset[str]], list[_Claim]] = defaultdict(list)
    for c in claims:
        restated = by_iri.get(c.r.restates or "")
        if c.est is None or c.r.relative_to or (restated is not None and _is_restatement(c.r, restated.r)):
            continue  # vague, comparative ('higher than X') or said again: no numbers of its own
        groups[(c.r.quantity, c.r.places)].append(c)
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
        if (inner, outer) not in memo:
            memo[(inner, outer)] = places_within(inner, outer, gazetteer_part_of)
        return memo[(inner, outer)]

    def numeric(a: _Claim, b: _Claim) -> None:
        keep(judge(a, b, within, cumulative_kinds, settings))

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
        series: dict[str, list[_Claim]] = defaultdict(list)
        for i, c in enumerate(group):
            series[c.r.claimant].append(c)
            for other in _later(group, ends[key], i, settings):
                numeric(c, other)
            for k2 in enclosing:
                for other in _around(groups[k2], ends[k2], c, settings):
                    numeric(c, other)
        for s in series.values():  # each claimant's tallies, each with the next in time
            for x, y in zip(s, s[1:], strict=False):
                numeric(x, y)

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
    ratio = _ratio(a.est, b.est)
    gap: float | None = None
    (alo, ahi), (blo, bhi) = _stated(a.r), _stated(b.r)
    if ahi < blo or bhi < alo:  # disjoint as stated: the gap between the intervals
        gap = max(blo - ahi, alo - bhi)
    elif a.est is not None and b.est is not None:
        gap = abs(a.est - b.est)
    return Conflict(
        kind,
        severity,
        a.r.iri,
        b.r.iri,
        rule,
        round(ratio, 2) if ratio is not None else None,
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


# -- the store -----------------------------------------------------------------------


@cache
def _stored_query(name: str) -> str:
    """The text of ``queries/conflicts/{name}.rq``, header checked and parsed once."""
    from .catalogue import parse_stored_query

    source = (files("factgraph.queries") / "conflicts" / f"{name}.rq").read_text(encoding="utf-8")
    return parse_stored_query(f"conflicts/{name}", source).text


def _text(node: object) -> str | None:
    return None if node is None else str(node)


def _float(node: object) -> float | None:
    return None if node is None else float(node.toPython())  # type: ignore[attr-defined]


def _bool(node: object, default: bool = True) -> bool:
    return default if node is None else bool(node.toPython())  # type: ignore[attr-defined]


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def load_records(store: Store, iris: Iris | None = None) -> list[ClaimRecord]:
    """Every figure claim of the store as a record (queries/conflicts/claim_records.rq)."""
    out = []
    for row in store.query(_stored_query("claim_records")):
        d = row.asdict()  # type: ignore[union-attr]
        quantity = _text(d.get("notation")) or _local_name(str(d["quantity"]))
        out.append(
            ClaimRecord(
                iri=str(d["claim"]),
                article=_text(d.get("article")) or "",
                claimant=str(d["claimant"]),
                quantity=quantity,
                value=_float(d.get("value")),
                value_high=_float(d.get("valueHigh")),
                bound=_local_name(str(d["bound"])),
                low=_float(d.get("low")),
                high=_float(d.get("high")),
                low_incl=_bool(d.get("lowIncl")),
                high_incl=_bool(d.get("highIncl")),
                places=frozenset(str(d.get("places") or "").split()),
                period_start=_text(d.get("periodStart")),
                period_end=_text(d.get("periodEnd")),
                stated_on=_text(d.get("statedOn")),
                confidence=_text(d.get("confidence")),
                restates=_text(d.get("restates")),
                part_of=_text(d.get("partOf")),
                disputes=_text(d.get("disputes")),
                relative_to=_text(d.get("relativeTo")),
                verdict=_local_name(str(d["verdict"])) if d.get("verdict") is not None else None,
                quote=_text(d.get("quote")) or "",
                figure_text=_text(d.get("figureText")) or "",
                claimant_label=_text(d.get("claimantLabel")) or "",
            )
        )
    return out


def load_hierarchies(store: Store) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """(place -> enclosing places, kind -> broader kinds, cumulative kinds) from the
    vocabulary in the store."""
    places: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_stored_query("place_part_of")):
        places[str(row[0])].add(str(row[1]))  # type: ignore[index]
    kinds: dict[str, set[str]] = defaultdict(set)
    cumulative: set[str] = set()
    for row in store.query(_stored_query("quantity_kinds")):
        kind, broader, cumul = row  # type: ignore[misc]
        kinds[str(kind)]
        if broader is not None:
            kinds[str(kind)].add(str(broader))
        if cumul is not None and cumul.toPython() is True:
            cumulative.add(str(kind))
    return dict(places), dict(kinds), cumulative


def to_graph(conflicts: Iterable[Conflict], iris: Iris, ended: datetime | None = None) -> Graph:
    """The conflicts graph: one fg:Conflict (or fg:Corroboration) per verdict, the
    fg:conflictsWith links between the claims, and the detection activity (PROV-O)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    activity = iris.activity(f"conflicts/{DETECTOR_VERSION}")
    software = iris.software(__version__)
    g.add((activity, RDF.type, FG.ConflictDetection))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, FG.ruleVersion, Literal(DETECTOR_VERSION)))
    g.add((activity, PROV.wasAssociatedWith, software))
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add(
        (activity, PROV.endedAtTime, Literal((ended or datetime.now(UTC)).isoformat(), datatype=XSD.dateTime))
    )
    for c in conflicts:
        node = iris.conflict(c.key)
        a, b = URIRef(c.a), URIRef(c.b)
        g.add((node, RDF.type, FG.Conflict if c.is_conflict else FG.Corroboration))
        g.add((node, FG.conflictKind, FGK[c.kind]))
        if c.severity:
            g.add((node, FG.severity, Literal(c.severity)))
        g.add((node, FG.claimA, a))
        g.add((node, FG.claimB, b))
        if c.ratio is not None:
            g.add((node, FG.ratio, Literal(Decimal(str(c.ratio)), datatype=XSD.decimal)))
        if c.gap is not None:
            g.add((node, FG.gap, Literal(Decimal(str(c.gap)), datatype=XSD.decimal)))
        g.add((node, FG.explanation, Literal(c.explanation_en, lang="en")))
        g.add((node, FG.explanation, Literal(c.explanation_fr, lang="fr")))
        g.add((node, FG.ruleVersion, Literal(DETECTOR_VERSION)))
        g.add((node, RDFS.comment, Literal(f"rule: {c.rule}")))
        g.add((node, PROV.wasGeneratedBy, activity))
        if c.is_conflict:
            g.add((a, FG.conflictsWith, b))
            g.add((b, FG.conflictsWith, a))
    return g


def refresh(store: Store, iris: Iris, settings: Settings | None = None) -> list[Conflict]:
    """Detect over every claim of the store and atomically replace the conflicts graph."""
    places, kinds, cumulative = load_hierarchies(store)
    found = detect(load_records(store, iris), places, kinds, settings, cumulative or None)
    store.replace_graph(iris.conflicts_graph, to_graph(found, iris))
    return found
