"""What the conflict rules read: claim records (``conflict_inputs``, with the detector's
declared settings, re-exported here), their intervals in value and time.

A ``ClaimRecord`` is plain data (from the store or a test); ``PreparedClaim`` adds what
every rule needs and is worked out once per claim, never per pair: the days its period
may cover, its interval widened by rounding, its estimate, its kind and broader kinds.
``Conflict`` is a verdict on a pair. The semantics are in ``docs/conflicts.md``.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .conflict_inputs import ClaimRecord, Settings
from .conflict_text import explain

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
SHAPE = {
    "exact": "point",
    "about": "approx",
    "at_least": "lower",
    "more_than": "lower",
    "at_most": "upper",
    "less_than": "upper",
    "range": "range",
    "vague": "vague",
}


# whether this module runs compiled (graph/compiled.py): then ``Conflict.__init__`` sets
# its attributes natively
_NATIVE = __file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@dataclass(frozen=True, init=False)
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
    # the explanations once asked for (``explanations``): a field, not a cached_property,
    # as the class is compiled (graph/compiled.py) and has no instance __dict__
    words: tuple[str, str] | None = field(default=None, init=False, compare=False, repr=False)
    # its digest when the detector worked it out where the verdict was made (``detect``'s
    # ``digest``, ``conflict_store.verdict_digests``); unset otherwise (compiled: read
    # with getattr)
    digest: str | None = field(default=None, init=False, compare=False, repr=False)

    def __init__(
        self,
        kind: str,
        severity: str,
        a: str,
        b: str,
        rule: str,
        ratio: float | None = None,
        gap: float | None = None,
        records: tuple[ClaimRecord, ClaimRecord] | None = None,
        settings: Settings | None = None,
    ) -> None:
        """The dataclass' ``__init__``, written out: compiled, the attributes are set
        natively, not through ``object.__setattr__`` (a frozen dataclass' generated
        ``__init__`` is Python, 2 us a verdict, and a full recompute at 1M claims makes
        2.8M); interpreted, through ``object.__setattr__``, as that one does."""
        if _NATIVE:
            self.kind = kind  # type: ignore[misc]  # (frozen: set here once)
            self.severity = severity  # type: ignore[misc]
            self.a = a  # type: ignore[misc]
            self.b = b  # type: ignore[misc]
            self.rule = rule  # type: ignore[misc]
            self.ratio = ratio  # type: ignore[misc]
            self.gap = gap  # type: ignore[misc]
            self.records = records  # type: ignore[misc]
            self.settings = settings  # type: ignore[misc]
        else:
            for name, value in (
                ("kind", kind), ("severity", severity), ("a", a), ("b", b), ("rule", rule), ("ratio", ratio),
                ("gap", gap), ("records", records), ("settings", settings),
            ):  # fmt: skip
                object.__setattr__(self, name, value)

    @property
    def explanations(self) -> tuple[str, str]:
        """(English, French), for a reader; worded when first asked for, then kept."""
        if (words := getattr(self, "words", None)) is None:  # (compiled: unset until then)
            words = self.worded()
            object.__setattr__(self, "words", words)  # (frozen: what it says is fixed)
        return words

    def worded(self) -> tuple[str, str]:
        """``explanations``, not kept when not asked for before: a full recompute writes
        every verdict's (221,809 at 10,000 articles, about 180 MB of text kept otherwise)."""
        if (words := getattr(self, "words", None)) is not None:
            return words
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
        return verdict_key(self.a, self.b, self.kind)


def conflicting_pairs(verdicts: Iterable[Conflict]) -> set[tuple[str, str]]:
    """The pairs of claims (the lesser IRI first) of the conflicts among ``verdicts``, each
    once (a pair in several conflicts, of several kinds or either way round). Compiled: a
    full recompute at 1M claims asks it of 1.9M verdicts."""
    out: set[tuple[str, str]] = set()
    for c in verdicts:
        if c.is_conflict:
            a, b = c.a, c.b
            out.add((a, b) if a < b else (b, a))
    return out


def verdict_key(a: str, b: str, kind: str) -> str:
    """The identity of the verdict of ``kind`` on claims ``a`` and ``b`` (in either order)."""
    x, y = (a, b) if a < b else (b, a)
    return hashlib.sha1(f"{x}|{y}|{kind}".encode()).hexdigest()[:16]


# -- dates ---------------------------------------------------------------------------


def _days_in_month(y: int, m: int) -> int:
    return (date(y + (m == 12), m % 12 + 1, 1) - date(y, m, 1)).days


@lru_cache(maxsize=1 << 16)  # the same dates come back claim after claim
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

EPS = 1e-9  # relative: float noise never decides a verdict (rescaling keeps it)


def rounding_slack(v: float, settings: Settings) -> float:
    """How far a figure may be from the number it rounds: a whole number ending in at
    least two zeros ('1.300', '28.000') is read as possibly rounded."""
    if v <= 0 or v != int(v) or int(v) % 100:
        return 0.0
    return v * settings.rounding_tolerance


def estimate(r: ClaimRecord) -> float | None:
    """The representative number of a figure: its value (a bound's own number), the
    middle of a range."""
    if r.value is None:  # a vague amount with an order of magnitude: the middle of it, geometrically
        return (r.low * r.high) ** 0.5 if r.low and r.high else None
    if r.bound == "range" and r.value_high is not None:
        return (r.value + r.value_high) / 2
    return r.value


def above(x: float, y: float) -> bool:
    """x > y by more than float noise (the first test is the cheap common answer)."""
    return x > y and x > y + EPS * max(abs(x), abs(y), 1.0)


def at_least(ratio: float | None, threshold: float) -> bool:
    return ratio is not None and ratio >= threshold * (1 - EPS)


def ratio(x: float | None, y: float | None) -> float | None:
    """Larger over smaller; None unless both are positive."""
    if x is None or y is None or x <= 0 or y <= 0:
        return None
    return max(x, y) / min(x, y)


def same_number(x: float | None, y: float | None) -> bool:
    """The same number, but for float noise (a rounding of it is another number)."""
    if x is None or y is None:
        return False
    return abs(x - y) <= EPS * max(abs(x), abs(y), 1.0)


def strictly_disjoint(a: ClaimRecord, b: ClaimRecord) -> bool:
    """The intervals as stated (no rounding) share no number."""

    def below(x: ClaimRecord, y: ClaimRecord) -> bool:  # x entirely below y
        if x.high is None or y.low is None:
            return False
        return x.high < y.low or (x.high == y.low and not (x.high_incl and y.low_incl))

    return below(a, b) or below(b, a)


# -- places --------------------------------------------------------------------------


def most_specific(places: frozenset[str], part_of: Mapping[str, Collection[str]]) -> frozenset[str]:
    """Drop the places that contain another place of the set: 'Al-Mansoura, Raqqa
    province, Syria' is Al-Mansoura; 'Syria, Iraq' stays both."""
    inside = {q for p in places for q in part_of.get(p, ())}
    return frozenset(p for p in places if p not in inside)


def places_within(
    inner: frozenset[str], outer: frozenset[str], part_of: Mapping[str, Collection[str]]
) -> bool:
    """Every place of ``inner`` is a place of ``outer`` or lies inside one; an unstated
    place set is only comparable with another unstated one."""
    if not inner or not outer:
        return not inner and not outer
    return all(p in outer or any(q in outer for q in part_of.get(p, ())) for p in inner)


# -- a claim as the rules see it -----------------------------------------------------


class PreparedClaim:
    """A record with what the rules compute once (the record's own fields copied flat:
    the rules read them for every pair). The fields most pairs read come first, so they
    share the object's first cache line. A plain class with its own ``__init__``, not a
    dataclass: compiled (graph/compiled.py), a dataclass's generated ``__init__`` stays a
    Python function, and made 1M times it was 40% of ``prepare`` (session 19)."""

    __slots__ = (
        "est", "lo", "hi", "claimant", "linked", "iri", "r", "quantity", "places", "start", "start_hi",
        "end_lo", "end", "length", "kinds", "cumulative",
    )  # fmt: skip

    def __init__(
        self,
        est: float | None,
        lo: float,
        hi: float,
        claimant: str,
        linked: bool,
        iri: str,
        r: ClaimRecord,
        quantity: str,
        places: frozenset[str],
        start: int | None,
        start_hi: int | None,
        end_lo: int | None,
        end: int | None,
        length: int | None,
        kinds: frozenset[str],
        cumulative: bool,
    ) -> None:
        self.est: float | None = est
        self.lo: float = lo  # interval widened by rounding (-inf/inf when unbounded)
        self.hi: float = hi
        self.claimant: str = claimant
        self.linked: bool = linked  # restates or is part of another claim
        self.iri: str = iri
        self.r: ClaimRecord = r
        self.quantity: str = quantity
        self.places: frozenset[str] = places  # the most specific places
        self.start: int | None = start  # first day the period may start
        self.start_hi: int | None = start_hi  # last day it may start ('2014' may start in December)
        self.end_lo: int | None = end_lo  # first day the period may end (or the statement date)
        self.end: int | None = end  # last day the period may end
        self.length: int | None = length  # days from start to end, when both are known
        self.kinds: frozenset[str] = kinds  # the kind and broader ones
        self.cumulative: bool = cumulative  # a running tally (not a stock at a date, a share or a rate)

    def __repr__(self) -> str:
        return f"PreparedClaim({self.iri!r}, est={self.est!r}, {self.quantity!r})"


def is_cumulative(kind: str, cumulative: Collection[str] | None) -> bool:
    return not kind.endswith("_pct") if cumulative is None else kind in cumulative


def prepare(
    r: ClaimRecord,
    kind_part_of: Mapping[str, Collection[str]],
    cumulative: Collection[str] | None,
    settings: Settings,
    kinds_of: dict[str, tuple[frozenset[str], bool]] | None = None,
) -> PreparedClaim:
    """``r`` as the rules read it. ``kinds_of``: a kind -> (it and its broader kinds,
    whether a tally) memo the caller keeps for these ``kind_part_of`` and ``cumulative``
    (one frozenset a kind, not a claim)."""
    s = None if r.start_inferred else date_span(r.period_start)
    e = date_span(r.period_end) or date_span(r.stated_on)
    lo = r.low if r.low is not None else float("-inf")
    hi = r.high if r.high is not None else float("inf")
    if r.bound == "exact" and (r.confidence or "").rsplit("/", 1)[-1] == "admitted":
        hi = float("inf")  # an admission is a floor: "a reconnu la mort de 1.100" concedes at least that many
    if r.low is not None:
        lo -= rounding_slack(r.low, settings)
    if r.high is not None:
        hi += rounding_slack(r.high, settings)
    known = kinds_of.get(r.quantity) if kinds_of is not None else None
    if known is None:
        known = (frozenset({r.quantity, *kind_part_of.get(r.quantity, ())}), is_cumulative(r.quantity, cumulative))
        if kinds_of is not None:
            kinds_of[r.quantity] = known
    return PreparedClaim(  # (positional: a native call, compiled)
        estimate(r),
        lo,
        hi,
        r.claimant,
        r.restates is not None or r.part_of is not None,
        r.iri,
        r,
        r.quantity,
        r.places,
        s[0] if s else None,
        s[1] if s else None,
        e[0] if e else None,
        e[1] if e else None,
        e[1] - s[0] + 1 if s and e else None,
        known[0],
        known[1],
    )


# -- time ------------------------------------------------------------------------------


def same_moment(a: PreparedClaim, b: PreparedClaim) -> bool:
    """The periods end on the same date (as precisely as both are stated)."""
    if a.end is None or b.end is None:
        return True
    return a.end_lo <= b.end and b.end_lo <= a.end  # type: ignore[operator]


def time_within(a: PreparedClaim, b: PreparedClaim, settings: Settings) -> bool:
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
        return same_moment(a, b)  # stocks, shares and rates: the same date only
    return a.end is None or b.end is None or a.end_lo <= b.end + settings.period_tolerance_days  # type: ignore[operator]
