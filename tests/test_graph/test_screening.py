"""The screen before regular expressions (graph/screening.py): an expression screened out
of a text could not have matched it, so every result is the expression's own."""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

import pytest

from factgraph.graph import lexicon, screening
from factgraph.graph.article import read_article
from factgraph.graph.extraction import extract, sentences
from factgraph.graph.pipeline import builtin_corpus
from factgraph.graph.screening import Screened, folded, needles, possible

MODULES = ("attribution", "confidence", "counted", "dates", "extraction", "gazetteer", "numbers", "quantities", "scope",
           "sources")

TEXTS = [
    "Selon l'Observatoire syrien des droits de l'homme (OSDH), 27 civils ont été tués jeudi à Raqqa.",
    "Between January and March 2019, the UN recorded 212 deaths in Nineveh province, a ministry official said.",
    "Le ministère de la Santé de Gaza évoque 300 morts entre le 1er et le 3 mai, d'après un bilan publié dimanche.",
    "L'ONG a recensé 58 civils tués dans la nuit de dimanche à lundi à Deir ez-Zor, selon l'OSDH.",
    "The Syrian Observatory for Human Rights said at least 145 civilians were killed on May 6, 2018.",
    "Le bilan de l'OMS, en date du 21 mars, fait état de 4 877 morts et 9 936 cas depuis le début de l'épidémie.",
    "Aucun chiffre ici.", "", "osdh", "OSDH)", "syria's", "lesautorités", "the Pentagon's report",
]


def _expressions() -> list[tuple[str, re.Pattern]]:
    out = []
    for name in MODULES:
        module = importlib.import_module(f"factgraph.graph.{name}")
        for attr, value in sorted(vars(module).items()):
            if isinstance(value, Screened):
                out.append((f"{name}.{attr}", value.expression))
            elif isinstance(value, re.Pattern):
                out.append((f"{name}.{attr}", value))
            elif isinstance(value, list):  # (key, expression) tables: confidence.HEDGE_RES
                out += [(f"{name}.{attr}.{k}", e.expression) for k, e in value
                        if isinstance(e, Screened)] if all(isinstance(v, tuple) and len(v) == 2 for v in value) else []
    out += [(f"lexicon.{e.key}", e.pattern) for e in lexicon.agents() + lexicon.places()]
    return out


@lru_cache(maxsize=1)
def _corpus_texts() -> list[str]:
    texts = list(TEXTS)
    for path in builtin_corpus():
        article = read_article(path)
        texts += [article.text, *(s.text(article) for s in sentences(article))]
        texts += [c.sentence.text for c in extract(article).claims]  # the clauses extraction reads
    return texts


def test_the_extraction_expressions_are_screened():
    screened = [n for n, e in _expressions() if needles(e) is not None]
    assert len(screened) > 60  # the screen reads most of them: a parse that broke would give none


@pytest.mark.parametrize("name, expression", _expressions(), ids=lambda v: v if isinstance(v, str) else "")
def test_screened_out_texts_have_no_match(name, expression):
    """Whenever the screen says an expression cannot match a text, it does not (on the
    built-in corpus's sentences, each with its words in capitals too)."""
    found = needles(expression)
    for text in _corpus_texts():
        for variant in (text, text.upper(), text.title()):
            if not possible(found, variant):
                assert expression.search(variant) is None, (name, variant)


@pytest.mark.parametrize("pattern, text", [
    (r"\bsyria\b", "SYRİA"),  # capital dotted I: re lowers it to "i", str.lower to "i" + a combining dot
    (r"\bsyria\b", "syrıa"),  # dotless i: re takes it for "i"
    (r"observatoire syrien", "obſervatoire ſyrien"),  # long s
    (r"kelvin", "\u212aelvin"),  # Kelvin sign
    (r"ωmega", "\u2126mega"),  # Ohm sign
    (r"σοφια", "ΣΟΦΙΑ"),  # final sigma and capital sigma
    (r"µ-unit", "μ-unit"),  # micro sign and Greek mu
    (r"(?-i:\bOMS\b)", "oms"),  # case-sensitive inside: the screen lets it through, re says no
])
def test_case_folding_as_re_does(pattern, text):
    expression = re.compile(pattern, re.I)
    assert needles(expression) is not None
    if expression.search(text):
        assert possible(needles(expression), text)
    assert Screened(expression).search(text) == expression.search(text) or (
        Screened(expression).search(text).span() == expression.search(text).span())


def test_screened_answers_as_the_expression():
    expression = re.compile(r"\b(?:selon|according to)\s+(?P<who>\w+)", re.I)
    s = Screened(expression)
    for text in TEXTS:
        assert [m.span() for m in s.finditer(text)] == [m.span() for m in expression.finditer(text)]
        assert s.sub("X", text) == expression.sub("X", text)
        assert s.findall(text) == expression.findall(text)
        assert (s.search(text) or re.match("", "")).span() == (expression.search(text) or re.match("", "")).span()
    assert s.pattern == expression.pattern and s.needles == ("according to", "selon")


def test_no_screen_without_a_long_enough_literal():
    assert needles(re.compile(r"\d+\s+\w+")) is None
    assert needles(re.compile(r"ab|\bcivils\b")) is None  # one alternative has none of MIN_NEEDLE characters
    assert needles(re.compile(r"(?:morts|tués)\s+\d+")) == ("morts", "tués")
    assert possible(None, "anything")


def test_folded_is_what_re_ignorecase_compares():
    assert folded("SYRİA") == "syria" and folded("ſ") == folded("s") and folded("Σ") == folded("ς")
    assert screening.MIN_NEEDLE >= 2
