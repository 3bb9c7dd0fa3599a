"""The expressions rewritten for speed match what their plain forms match: the tree of
words against their alternation longest first, the source descriptions and the date spans
against the expressions they replaced (kept here as the reference), on the corpus-like
clauses of a seeded generator."""

from __future__ import annotations

import random
import re

import pytest

from factgraph.graph import alternation, dates, sources


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def _matches(expression: re.Pattern, text: str) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in expression.finditer(text)]


WORDS = ["de", "des", "de la", "du", "d'", "premier", "premier ministre", "ministre", "ministère", "min",
         "police", "pol", "polices", "a", "ab", "abc", "b", "source", "sources", "é", "ée"]


@pytest.mark.parametrize("around", ["{}", r"\b(?:{})\b", r"(?:{})(?![\w-])x?", r"(?:{})\s+\w+", r"(?:{})+?s"])
def test_words_match_as_their_alternation_longest_first(around):
    rng = random.Random(7)
    plain = re.compile(around.format(_alternation(WORDS)), re.I)
    tree = re.compile(around.format(alternation.words(sorted(WORDS, key=len, reverse=True))), re.I)
    assert tree.pattern != plain.pattern
    pieces = [*WORDS, " ", "  ", "x", "-", "S", "DE", "Police", "é", "ÉE", ",", "ministre-"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert _matches(tree, text) == _matches(plain, text), text


def test_words_leaves_out_the_empty_word_and_escapes():
    expression = re.compile(f"(?:{alternation.words(['', 'a.b', 'a'])})$")
    assert expression.match("a.b") and expression.match("a") and not expression.match("axb")


# DESCRIPTION_RE as it was written before the heads' tree and the adjectives taken whole
PLAIN_ADJ = rf"(?i:[a-zà-ÿ-]+(?:{sources._ADJ_ENDINGS})|haut-placée?s?)(?![\w-])"
_PLAIN_HEADS = _alternation(list(sources._SOURCE_HEADS_FR + sources._SOURCE_HEADS_EN))
PLAIN_DESCRIPTION = re.compile(
    sources.DESCRIPTION_RE.pattern.replace(sources._HEADS, _PLAIN_HEADS).replace(sources._ADJ_FR, PLAIN_ADJ)
)


def _clauses(rng: random.Random, pieces: list[str], n: int) -> list[str]:
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def test_source_descriptions_match_as_the_plain_expression():
    assert PLAIN_DESCRIPTION.pattern != sources.DESCRIPTION_RE.pattern
    rng = random.Random(11)
    heads = [*sources._SOURCE_HEADS_FR, *sources._SOURCE_HEADS_EN]
    pieces = [" ", " ", "  ", "        ", ",", ".", ";", "'", "’", "-", "÷", "3", "x", "œ", "les", "un", "Al", "ale",
              "le ", "la", "les ", "l'", "the ", "un ", "des ", "Premier ", "ministre", "Haut-placée ", "haut-placés",
              "syrien", "syriens ", "officielle", "al", "el", "ais", "ique", "éenne", "regional ", "local",
              "de ", "du ", "d'", "of the ", "dans la ", "chargé de ", "Damas", "Syrie", "Gaza City", "État",
              "national", "ÉTATIQUE", "santé", "x÷al"]
    for text in _clauses(rng, pieces + heads, 6_000) + _clauses(rng, pieces, 6_000):
        assert _matches(sources.DESCRIPTION_RE.expression, text) == _matches(PLAIN_DESCRIPTION, text), text


PLAIN_SPAN = re.compile(r"\b(?:entre|between|from)\s+(?P<a>[^;]{3,80}?)\s+(?:et|and|to|until|jusqu['’]à)\s+"
                        r"(?P<b>[^;]{3,60}?)(?=\s*[,.;)(]|$)", re.I)


def test_spans_match_as_the_plain_expression():
    assert PLAIN_SPAN.pattern != dates.SPAN_RE.pattern
    rng = random.Random(5)
    pieces = ["entre", "Entre", "between", "from", "et", "and", "to", "until", "jusqu'à", "jusqu’à", " ", "  ",
              "\t", "\n", ",", ".", ";", ")", "(", "ab", "x", "2019", "mars", "  et", "et  ", "é", " " * 40]
    for text in _clauses(rng, pieces, 20_000):
        assert _matches(dates.SPAN_RE.expression, text) == _matches(PLAIN_SPAN, text), text


def test_date_expressions_match_as_with_the_months_alternation():
    plain_months = _alternation(sorted(dates.MONTHS, key=len, reverse=True))
    assert dates._MONTH != plain_months
    expressions = {name: getattr(value, "expression", value) for name, value in vars(dates).items()
                   if isinstance(getattr(value, "expression", value), re.Pattern)
                   and dates._MONTH in getattr(value, "expression", value).pattern}
    assert len(expressions) >= 8  # DATE_RE, IN_RE, DAY_RE, BETWEEN_RE, REPORT_DATE_RE...
    rng = random.Random(3)
    pieces = [*dates.MONTHS, "Mars", "AOÛT", "Sept", "mai", "le ", "du ", "au ", "entre ", " et ", "fin ", "début ",
              "1er", "12", "3", "2019", "2021", "dernier", "last", " ", "  ", ",", ".", "-", "x", "report ",
              "depuis ", "as of ", "jusqu'au ", "in "]
    clauses = _clauses(rng, pieces, 6_000)
    for name, expression in expressions.items():
        plain = re.compile(expression.pattern.replace(dates._MONTH, plain_months), expression.flags)
        for text in clauses:
            assert _matches(expression, text) == _matches(plain, text), (name, text)


def test_an_order_the_tree_cannot_follow_is_refused():
    assert re.fullmatch(alternation.words(["ab", "a"]), "ab")
    with pytest.raises(ValueError, match="'a' comes before 'ab'"):
        alternation.words(["a", "ab"])
    assert alternation.words(["a", "ab"], bounded=True)  # \b after: "a" cannot end inside "ab"
    with pytest.raises(ValueError):
        alternation.words(["fait", "fait état"], bounded=True)  # a boundary after "fait" inside "fait état"
    with pytest.raises(ValueError):
        alternation.words(["d'", "d'or"], bounded=True)


@pytest.mark.parametrize("name", ["speech", "number words", "english months"])
def test_word_trees_in_extraction_match_as_their_alternations(name):
    from factgraph.graph import attribution, numbers

    expression, tree, words = {
        "speech": (attribution.SPEECH_RE.expression, attribution.SPEECH[len(attribution._SPOKE) + 1:],
                   list(attribution._SPEECH_WORDS)),
        "number words": (numbers.WORDS_RE, numbers._WORD,
                         sorted(set(numbers.NUMBER_WORDS["fr"] + numbers.NUMBER_WORDS["en"]), key=lambda w: (-len(w), w))),
        "english months": (dates.EN_MONTH_DAY_RE.expression, dates._EN_MONTHS,
                           "january february march april may june july august september october november december".split()),
    }[name]
    plain_words = "|".join(re.escape(w) for w in words)
    assert tree in expression.pattern and tree != plain_words
    plain = re.compile(expression.pattern.replace(tree, plain_words), expression.flags)
    rng = random.Random(13)
    pieces = [*words, *(w.upper() for w in words[:20]), " ", "  ", "-", "-et-", " et ", " and ", ",", ".",
              "a ", "ont ", "x", "s", "ment", "'", "12", "3rd", "2019", "é", "a reconnu ", "ont bien dit "]
    for text in _clauses(rng, pieces, 8_000):
        assert _matches(expression, text) == _matches(plain, text), text
