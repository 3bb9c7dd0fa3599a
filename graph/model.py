"""Plain data that flows from extraction to mapping.

Extraction produces these frozen dataclasses; only ``mapping.py`` turns them into
triples. Offsets are Python string indices into the article's full text (header line
included), as in the evaluation contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BOUNDS = ("exact", "at_least", "more_than", "about", "at_most", "less_than", "range", "vague")


@dataclass(frozen=True)
class Article:
    """One news article: identity, header date and text."""

    id: str  # readable file-name prefix + hash of the URL, else of the text (identity.py)
    file_name: str
    date: str  # ISO 'YYYY-MM' or 'YYYY-MM-DD', from the header line
    text: str  # the whole file as read (header included): offsets index into it
    body_start: int  # offset where the text after the header starts
    language: str = "fr"
    title: str | None = None
    outlet: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Figure:
    """A number as stated: value, bound and the interval it implies."""

    value: float | None  # None for a vague amount ("des dizaines")
    bound: str  # one of BOUNDS
    value_high: float | None = None  # for ranges
    vague_text: str | None = None
    text: str = ""  # the words of the figure as written ("pas moins de 1.302")
    start: int = 0  # offsets of the number itself
    end: int = 0
    percent: bool = False

    def interval(self, tolerance: float = 0.1) -> tuple[float | None, float | None, bool, bool]:
        """(low, high, low_inclusive, high_inclusive); None means unbounded.

        ``about`` gets +/- tolerance (relative); ``exact`` is a point; a vague amount
        is its order of magnitude ("des dizaines": 20..99), else only positive.
        """
        v = self.value
        if self.bound == "vague" or v is None:
            known = vague_bounds(self.vague_text or self.text)
            return (known[0], known[1], True, True) if known else (0.0, None, False, True)
        if self.bound == "exact":
            return (v, v, True, True)
        if self.bound == "at_least":
            return (v, None, True, True)
        if self.bound == "more_than":
            return (v, None, False, True)
        if self.bound == "at_most":
            return (None, v, True, True)
        if self.bound == "less_than":
            return (None, v, True, False)
        if self.bound == "about":
            return (v * (1 - tolerance), v * (1 + tolerance), True, True)
        if self.bound == "range":
            return (v, self.value_high if self.value_high is not None else v, True, True)
        raise ValueError(f"unknown bound {self.bound!r}")


@dataclass(frozen=True)
class Scope:
    """Where and when a figure applies."""

    places: tuple[str, ...] = ()  # gazetteer keys, e.g. ("syria", "iraq")
    period_start: str | None = None  # ISO date, as precise as the text allows
    period_end: str | None = None
    place_evidence: str | None = None  # words that set the place ("en Syrie seulement")
    start_inferred: bool = False  # the start is the event's, not stated for this figure


@dataclass(frozen=True)
class Claim:
    """A figure-bearing claim read from one sentence of one article."""

    article_id: str
    sentence: Span  # the sentence or clause carrying the figure
    claimant: str  # agent key ("coalition", "osdh", "article", ...)
    quantity: str  # quantity-kind notation ("civilian_deaths")
    figure: Figure
    scope: Scope
    stated_on: str | None = None  # date the figure was stated
    confidence: str | None = None  # confidence concept key ("likely", "reported", ...)
    confidence_words: tuple[str, ...] = ()  # verbatim hedges and triggers (evidence)
    attribution_words: str | None = None  # the words that name the claimant
    relayed_by: str | None = None  # nested attribution: the agent the article heard the claim from
    restates: str | None = None  # key of an earlier claim this one says again
    part_of: str | None = None  # key of the claim whose quantity includes this one
    disputes: str | None = None  # key of a claim this one explicitly disputes
    relative_to: str | None = None  # comparative claim: the figure it compares with
    verdict: str | None = None  # reliability verdict on reports ("not_credible")
    share_of: str | None = None  # a share ("soit 70 % des cas"): key of the figure it is the share of
    share_base: str | None = None  # ... and of the figure it is a share of ("9.936 cas")
    counted: str | None = None  # what the figure counts, as the article writes it ("cas de choléra")
    general_kind: str | None = None  # for a minted kind: the general kind it is a narrower kind of

    @property
    def key(self) -> str:
        """Deterministic local key: article and the offset of the figure."""
        return f"{self.article_id}/{self.figure.start}"


@dataclass(frozen=True)
class Statement:
    """A non-numeric attributed statement ("la coalition assure prendre ...")."""

    article_id: str
    sentence: Span
    claimant: str
    confidence_words: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.article_id}/s{self.sentence.start}"


@dataclass(frozen=True)
class Extraction:
    """Everything read from one article."""

    article: Article
    claims: tuple[Claim, ...] = ()
    statements: tuple[Statement, ...] = ()
    agents: dict[str, str] = field(default_factory=dict)  # key -> label, for agents not in the lexicon


# The orders of magnitude a vague amount names (numbers.py finds the amounts; Figure.interval
# reads them here, so that the model does not depend on the parser). What "des dizaines" may
# mean: from two of that order of magnitude to just under the next.
_MAGNITUDES = {"dizaines": 10, "dozens": 10, "scores": 20, "centaines": 100, "hundreds": 100, "milliers": 1000,
               "thousands": 1000, "millions": 1_000_000}


def vague_bounds(text: str) -> tuple[float, float] | None:
    """The interval a vague amount allows: "des dizaines" 20..99, "plusieurs centaines,
    voire quelques milliers" 200..9999; None when the text names no order of magnitude."""
    units = [_MAGNITUDES[w.lower()] for w in re.findall(r"[A-Za-zé]+", text) if w.lower() in _MAGNITUDES]
    if not units:
        return None
    return 2.0 * min(units), 10.0 * max(units) - 1
