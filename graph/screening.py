"""A screen before regular expressions: strings one of which any match must contain.

Extraction runs dozens of regular expressions over every clause, and most find nothing
there (the date expressions: a match in 1 clause of 100 for some); Python's ``re``
scans the whole clause each time, trying every alternative at every position, so the
expressions are most of extraction's time. An expression's *needles* are strings one of
which is in any text it matches (its literal runs: "osdh", "observatoire syrien"...);
when none is in a text, the expression cannot match there and is not run. The result
is the expression's own, never another: the screen only skips scans that would find
nothing.

The needles are read from the expression's own parse (``re._parser``, the tree ``re``
compiles) and compared with the text ``folded`` as ``re.IGNORECASE`` compares characters
(simple lowercase, plus the equivalences ``re`` adds: dotless i, long s, the Greek
variants...; ``re``'s own table, ``re._casefix``), so a case-sensitive part is screened
case-insensitively, a superset. An expression with an alternative that has no literal
run of ``MIN_NEEDLE`` characters or more gets no screen (always run), as does every
expression when those internals are missing (another Python).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from . import regex_cache

MIN_NEEDLE = 3  # characters: shorter strings are in nearly every clause

try:  # re's internals (Python 3.11+): its parser, its op codes, its case equivalences
    _parser: Any = importlib.import_module("re._parser")
    _sre: Any = importlib.import_module("re._constants")
    _FOLD = {x: chr(min((x, *others))) for x, others in importlib.import_module("re._casefix")._EXTRA_CASES.items()}
except (ImportError, AttributeError):  # another Python's internals: no screen
    _parser = None
    _FOLD = {}


@lru_cache(maxsize=64)  # a clause meets several screened expressions in a row (within one article)
def folded(text: str) -> str:
    """``text`` with the characters ``re.IGNORECASE`` takes as equal made equal: a
    string ``re`` finds case-insensitively in ``text`` is, folded, in the folded text."""
    return text.replace("\u0130", "i").lower().translate(_FOLD)  # İ: "i" for re, "i̇" for str.lower


def needles(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Strings (folded) one of which is in any text ``pattern`` matches, or None (kept on
    disk with the expression's code: ``regex_cache``)."""
    return regex_cache.needles(pattern, lambda: _needles(pattern))


def _needles(pattern: re.Pattern) -> tuple[str, ...] | None:
    if _parser is None:
        return None
    try:
        found = _required(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - internals that changed: no screen, never a wrong one
        return None
    if not found or min(map(len, found)) < MIN_NEEDLE:
        return None
    return tuple(sorted({folded(n) for n in found}))


def _required(items: list) -> list[str] | None:
    """For a sequence of parsed items (each matched in turn): strings one of which any
    match contains, the most selective choice (the longest shortest string), or None."""
    choices: list[list[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL:
            run.append(chr(arg))
            continue
        if run:  # a zero-width item or any other ends a run: each run is required alone
            choices.append(["".join(run)])
            run = []
        inner: list[str] | None = None
        if op is _sre.BRANCH:  # one of the alternatives: one of each one's strings
            alternatives = [_required(list(b)) for b in arg[1]]
            if all(alternatives):
                inner = [n for a in alternatives for n in a]  # type: ignore[union-attr]
        elif op is _sre.SUBPATTERN:  # a group (its flags aside: the screen ignores case anyway)
            inner = _required(list(arg[3]))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and arg[0] >= 1:  # at least once
            inner = _required(list(arg[2]))
        if inner:
            choices.append(inner)
    if run:
        choices.append(["".join(run)])
    return max(choices, key=lambda c: min(map(len, c)), default=None)


def possible(needles_: tuple[str, ...] | None, text: str) -> bool:
    """Whether an expression with these needles may match ``text`` (False: it cannot)."""
    if needles_ is None:
        return True
    return any(map(folded(text).__contains__, needles_))  # no Python frame a needle


class Screened:
    """A compiled expression behind its screen: the methods extraction uses, each
    answering as the expression does, without the scan when no needle is in the text."""

    __slots__ = ("expression", "needles")

    def __init__(self, expression: re.Pattern):
        self.expression = expression
        self.needles = needles(expression)

    @property
    def pattern(self) -> str:
        return self.expression.pattern

    @property
    def flags(self) -> int:
        return self.expression.flags

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        return self.expression.search(text, pos, endpos) if possible(self.needles, text) else None

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        return self.expression.match(text, pos, endpos) if possible(self.needles, text) else None

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        return self.expression.fullmatch(text, pos, endpos) if possible(self.needles, text) else None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match]:
        return self.expression.finditer(text, pos, endpos) if possible(self.needles, text) else iter(())

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.expression.findall(text, pos, endpos) if possible(self.needles, text) else []

    def sub(self, repl: Any, text: str, count: int = 0) -> str:
        return self.expression.sub(repl, text, count) if possible(self.needles, text) else text


def screened(expression: re.Pattern) -> Screened:
    """``expression`` behind its screen."""
    return Screened(expression)
