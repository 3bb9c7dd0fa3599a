"""The conflict rules' inputs: a claim's record (``ClaimRecord``, plain data from the store
or a test) and the detector's declared settings (``Settings``, documented in
docs/conflicts.md). Apart from ``conflict_records`` (the rules' helpers and the verdict
on a pair) and ``conflict_text`` (their wording), which both read them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from .model import Figure


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
    growth_days: int = 30  # a tally counted this long after a whole it exceeds may just have grown
    share_points: float = 5.0  # a stated share this many points off the one its figures make does not add up


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
    start_inferred: bool = False  # the event's start, not stated for this figure: read as unstated
    period_end: str | None = None
    stated_on: str | None = None
    confidence: str | None = None
    restates: str | None = None  # IRIs of linked claims
    part_of: str | None = None
    disputes: str | None = None
    relative_to: str | None = None
    share_of: str | None = None  # a share ("soit 70 %"): the figure whose share it is
    share_base: str | None = None  # ... and the figure it is a share of
    verdict: str | None = None
    quote: str = ""
    figure_text: str = ""  # the words of the figure ('pas moins de 1.302')
    claimant_label: str = ""

    def __hash__(self) -> int:
        """By IRI (records equal in every field share it): the explanations remember their
        wording per record, and hashing all 27 fields cost a tenth of writing the verdicts."""
        return hash(self.iri)

    @classmethod
    def of_values(cls, values: tuple[Any, ...]) -> ClaimRecord:
        """The record of its fields' values in order, equal to ``cls(*values)``, made
        without the frozen ``__init__``'s ``object.__setattr__`` call a field: a full
        recompute makes a record a claim (1M records in 1.5 s, not 3.4 s, and in 30% less
        memory). No field has a default factory or a check for ``__init__`` to run."""
        record = object.__new__(cls)
        record.__dict__.update(zip(_FIELD_NAMES, values, strict=True))
        return record

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


_FIELD_NAMES = tuple(f.name for f in fields(ClaimRecord))  # (``ClaimRecord.of_values``)
