"""Numbers as news articles write them, with their bounds.

Digits with any thousands separator (``24.502``, ``24 502`` with plain, non-breaking or
thin spaces, ``34,502``, ``22'000``), decimals with a scale word (``1,5 million``),
number words in French and English (parsed by ``text2num``, a maintained library, rather
than hand-written tables), approximations (``un millier``, ``une quarantaine``), vague
amounts (``des dizaines``, ``hundreds``), ranges (``entre 3 181 et 4 267``,
``9 à 11 000``) and the bound words before or after a number (``pas moins de``,
``trois enfants au moins``, ``près de``, ``up to``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from . import alternation
from .model import Figure

SPACES = " \u00a0\u202f\u2009\u2007"
_SEP = f"[.{SPACES}',’]"

# A number in digits: grouped thousands, or a plain run, with an optional decimal part.
DIGITS = re.compile(
    rf"(?<![\w.,])(?<![A-Za-z]-)(?:\d{{1,3}}(?:{_SEP}\d{{3}})+(?![\d])|\d+)(?:,\d+(?!\d))?(?![\w])"
)
# A decimal number: "4.74", "17.1" (any text), "5,8" (the French decimal comma), with an
# optional attached scale ("14.9mn", "4.7bn"). A dot followed by exactly three digits is
# a French thousands separator ("4.877"), unless a scale word follows ("4.877 millions").
DECIMAL = re.compile(r"(?<![\w.,])(?<![A-Za-z]-)(?<!\d[ \u00a0\u202f])(?P<int>\d+)(?P<sep>[.,])(?P<frac>\d+)(?![\d])"
                     r"(?:(?P<suffix>mn|bn|tn|m|k)\b)?(?![\w.,]\d)")
ATTACHED_SCALE = {"mn": 1_000_000, "m": 1_000_000, "bn": 1_000_000_000, "tn": 1_000_000_000_000, "k": 1000}
SCALE_AFTER_RE = re.compile(r"\s*(millions?|milliards?|billions?|trillions?|mn|bn|tn)\b", re.I)

SCALE_WORDS = {
    "million": 1_000_000, "millions": 1_000_000, "milliard": 1_000_000_000, "milliards": 1_000_000_000,
    "billion": 1_000_000_000, "billions": 1_000_000_000, "mille": 1000, "thousand": 1000,
    "mn": 1_000_000, "bn": 1_000_000_000, "tn": 1_000_000_000_000, "trillion": 1_000_000_000_000,
    "trillions": 1_000_000_000_000,
}

# Approximate collective nouns: "un millier", "une quarantaine", "une dizaine"
APPROX = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
}
APPROX_RE = re.compile(r"\b(?:une?|d'une?|d’une?)\s+(" + "|".join(APPROX) + r")\b", re.I)

# Vague amounts: no value, only an order of magnitude.
VAGUE_RE = re.compile(
    r"\b(?:des|de|plusieurs|quelques)\s+[«\"“]?\s*(dizaines|centaines|milliers|millions)\b|"
    r"\b(dozens|hundreds|thousands|scores)\b",
    re.I,
)
# "plusieurs centaines, voire quelques milliers", "« plusieurs centaines » voire « quelques milliers »"
VAGUE_TAIL_RE = re.compile(r"^[\s»\"”]*,?\s*(?:voire|ou|or|even|to|à|and even)\s+[«\"“]?\s*(?:quelques|plusieurs|des|de|"
                           r"several|a few)?\s*(?:dizaines|centaines|milliers|millions|dozens|hundreds|thousands|millions)"
                           r"\s*[»\"”]?", re.I)
NUMBER_WORDS = {
    "fr": (
        "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
        "vingt trente quarante cinquante soixante septante huitante nonante cent cents mille"
    ).split(),
    "en": (
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
        "hundred thousand"
    ).split(),
}
# longest first, one order a process; as a tree of their beginnings (``alternation.py``)
_WORD = alternation.words(sorted(set(NUMBER_WORDS["fr"] + NUMBER_WORDS["en"]), key=lambda w: (-len(w), w)))
WORDS_RE = re.compile(rf"\b(?:{_WORD})(?:(?:-et-|[\s-]+|\s+(?:et|and)\s+)(?:{_WORD}))*\b", re.I)

# Bound words. Before the number:
BEFORE = [
    (r"no more than|not more than|pas plus de", "at_most"),
    (r"pas moins de|au moins|au minimum|at least|no fewer than|not less than|a minimum of", "at_least"),
    (r"plus de|more than|over|en excès de|upwards of|in excess of|passes|passed|exceeds|exceeded|tops|topped|"
     r"surpasses|dépasse|dépassé|dépassait|franchit|franchi", "more_than"),
    (r"près de|environ|quelque|about|around|nearly|almost|approximately|some|roughly|presque|"
     r"approximativement|proche du|proche de|autour de|une estimation de|une moyenne de|en moyenne|"
     r"on average|an average of|average of", "about"),
    (r"jusqu'à|jusqu’à|au plus|au maximum|un maximum de|maximum|up to|at most|as many as|no more than", "at_most"),
    (r"moins de|less than|fewer than|under", "less_than"),
]
BEFORE_RE = [(re.compile(rf"(?:{pat})\s+(?:d'|d’|de\s+|du\s+|the\s+|of\s+)?$", re.I), bound) for pat, bound in BEFORE]
# After the number and its noun: "trois enfants au moins"
AFTER_RE = [
    (re.compile(r"^\s*(?:\w+\s+){0,2}?(au moins|at least)\b", re.I), "at_least"),
    (re.compile(r"^\s*(?:\w+\s+){0,2}?(au plus|at most)\b", re.I), "at_most"),
    (re.compile(r"^\s*(?:\w+\s+){0,2}?(environ|or so)\b", re.I), "about"),
    (re.compile(r"^\s+(plus)\s+(?!de\b|d['’]|que\b|qu['’])[a-z]", re.I), "more_than"),  # "10,000 plus bodies"
]
RANGE_RE = re.compile(
    rf"(?:entre|between|de|from)?\s*(?P<a>{DIGITS.pattern})\s*(?:et|and|à|to|-|–)\s*(?P<b>{DIGITS.pattern})",
    re.I,
)
# "9 à 11 000": the low end shares the high end's scale
SHORT_RANGE_RE = re.compile(rf"\b(?P<a>\d{{1,3}})\s*(?:à|to|-|–)\s*(?P<b>\d{{1,3}}(?:{_SEP}\d{{3}})+)\b")


@dataclass(frozen=True)
class NumberMatch:
    value: float | None
    start: int
    end: int
    text: str
    kind: str  # 'digits' | 'words' | 'approx' | 'vague'
    value_high: float | None = None


def parse_digits(text: str) -> float:
    """'24.502' -> 24502, '34,502' -> 34502, '1,5' -> 1.5, "22'000" -> 22000."""
    t = text.strip()
    m = re.fullmatch(rf"(\d{{1,3}}(?:{_SEP}\d{{3}})+|\d+)(?:,(\d+))?", t)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    whole = re.sub(_SEP, "", m.group(1))
    if m.group(2) is not None:
        return float(f"{whole}.{m.group(2)}")
    return float(whole)


def parse_words(text: str, language: str = "fr") -> float | None:
    """Number words to a value with text2num: 'sept' -> 7, 'One hundred and eleven' -> 111."""
    words = re.sub(r"[\s-]+", " ", text.strip().lower())
    for lang in (language, "en" if language == "fr" else "fr"):
        candidate = words.replace(" and ", " ") if lang == "en" else words.replace(" et ", " et ")
        try:
            return float(text2num(candidate, lang))
        except ValueError:
            continue
    return None


def find_numbers(text: str, language: str = "fr") -> list[NumberMatch]:
    """Every number-like expression in ``text``, left to right, without overlaps."""
    found: list[NumberMatch] = []

    def free(a: int, b: int) -> bool:
        return all(b <= m.start or a >= m.end for m in found)

    for m in SHORT_RANGE_RE.finditer(text):
        high = parse_digits(m.group("b"))
        low_digits = float(m.group("a"))
        scale = 1000 ** len(re.findall(_SEP, m.group("b")))  # "11 000": the low end is in thousands too
        low = low_digits * scale if low_digits * scale <= high else low_digits
        found.append(NumberMatch(low, m.start(), m.end(), m.group(0), "digits", value_high=high))
    for m in DECIMAL.finditer(text):
        end = m.end()
        suffix = m.group("suffix")
        scale = None if suffix else SCALE_AFTER_RE.match(text[end:])
        english_decimal = language == "en" and m.group("sep") == "."
        if len(m.group("frac")) == 3 and not (suffix or scale or english_decimal):
            continue  # "4.877" in French, "34,502": thousands, read below
        if not free(m.start(), end):
            continue
        value = float(f"{m.group('int')}.{m.group('frac')}")
        if suffix:
            value *= ATTACHED_SCALE[suffix.lower()]
        elif scale:
            value *= SCALE_WORDS[scale.group(1).lower()]
            end += scale.end()
        found.append(NumberMatch(round(value, 6), m.start(), end, text[m.start():end], "digits"))
    for m in DIGITS.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value = parse_digits(m.group(0))
        end = m.end()
        scale = re.match(r"\s*(millions?|milliards?|billions?|trillions?|mn|bn|tn)\b", text[end:], re.I)
        if scale:
            value *= SCALE_WORDS[scale.group(1).lower()]
            end += scale.end()
        found.append(NumberMatch(value, m.start(), end, text[m.start():end], "digits"))
    for m in APPROX_RE.finditer(text):
        if free(m.start(), m.end()):
            found.append(NumberMatch(float(APPROX[m.group(1).lower()]), m.start(), m.end(), m.group(0), "approx"))
    for m in VAGUE_RE.finditer(text):
        if free(m.start(), m.end()):
            end = m.end()
            tail = VAGUE_TAIL_RE.match(text[end:])
            if tail:
                end += tail.end()
            found.append(NumberMatch(None, m.start(), end, text[m.start():end], "vague"))
    for m in WORDS_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        word = m.group(0)
        if word.lower() in {"un", "une", "one"}:  # articles, not counts
            continue
        if word.lower() == "cent" and re.search(r"\b(?:pour|per)\s+$", text[:m.start()], re.I):
            continue  # "pour cent": the percent sign in words
        word_value = parse_words(word, language)
        if word_value is not None:
            end = m.end()
            scale = SCALE_AFTER_RE.match(text[end:])
            if scale:  # "nine million", "quatre milliards"
                word_value *= SCALE_WORDS[scale.group(1).lower()]
                end += scale.end()
            found.append(NumberMatch(word_value, m.start(), end, text[m.start():end], "words"))
    found.sort(key=lambda n: n.start)
    return found


def bound_of(text: str, number: NumberMatch, noun_end: int | None = None) -> tuple[str, int]:
    """The bound a number carries and where its bound words start."""
    if number.value_high is not None:
        return "range", number.start
    if number.kind == "vague":
        return "vague", number.start
    before = text[max(0, number.start - 40):number.start]
    for rx, bound in BEFORE_RE:
        m = rx.search(before)
        if m:
            return bound, number.start - (len(before) - m.start())
    after = text[number.end:(noun_end or number.end) + 25]
    for rx, bound in AFTER_RE:
        if rx.search(after):
            return bound, number.start
    if number.kind == "approx":
        return "about", number.start
    return "exact", number.start


def find_range(text: str, number: NumberMatch) -> tuple[float, float, int, int] | None:
    """'entre 3 181 et 4 267' around ``number`` -> (low, high, start, end)."""
    # only the window around the number: one scan per number, not of the whole sentence
    for m in RANGE_RE.finditer(text, max(0, number.start - 12), min(len(text), number.end + 60)):
        if m.start("a") == number.start:
            low, high = parse_digits(m.group("a")), parse_digits(m.group("b"))
            if low < high:
                return low, high, m.start(), m.end()
    return None


def figure(text: str, number: NumberMatch, offset: int = 0, noun_end: int | None = None) -> Figure:
    """A ``Figure`` for ``number`` found in ``text``; offsets shifted by ``offset``."""
    bound, bstart = bound_of(text, number, noun_end)
    value, high, end = number.value, number.value_high, number.end
    if bound == "vague":
        return Figure(None, "vague", vague_text=number.text, text=number.text,
                      start=offset + number.start, end=offset + number.end)
    return Figure(value, bound, value_high=high, text=text[bstart:end],
                  start=offset + number.start, end=offset + end)


def is_year(number: NumberMatch) -> bool:
    return number.kind == "digits" and number.value is not None and 1900 <= number.value <= 2100 \
        and re.fullmatch(r"\d{4}", number.text) is not None
