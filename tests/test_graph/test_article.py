"""Reading an article: the header, what is refused (one line naming the file) and what is accepted."""

from __future__ import annotations

import pytest

from factgraph.graph.article import ArticleError, parse_article
from factgraph.graph.extraction import extract


@pytest.mark.parametrize(
    "text, message",
    [
        (" date 2019-02-30 Selon l'OMS, 300 morts.", "x.txt: invalid date '2019-02-30' in the header"),
        (" date 0000-01 Selon l'OMS, 300 morts.", "x.txt: invalid date '0000-01' in the header"),
        (" date 2019-13 Selon l'OMS, 300 morts.", "x.txt: invalid date '2019-13' in the header"),
        (" date 2019-02 Selon l'OMS,\x00 300 morts.", "x.txt: control character U+0000 at offset 26"),
        (" date 2019-02 Selon l'OMS,\x1b 300 morts.", "x.txt: control character U+001B at offset 26"),
        ("no header", "x.txt: no date header"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(text, message):
    with pytest.raises(ArticleError) as err:
        parse_article(text, "x.txt")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_a_utf8_bom_is_accepted_and_offsets_stay_those_of_the_file():
    text = "\ufeff date 2019-02 Selon l'OMS, 300 personnes sont mortes."
    article = parse_article(text, "x.txt")
    (claim,) = extract(article).claims
    assert article.date == "2019-02" and text[claim.figure.start:claim.figure.end] == "300"


@pytest.mark.parametrize(
    "phrase, end",
    [
        ("en date du 36 juillet", "2019-07"),  # an impossible day: the month is all the text tells for sure
        ("en date du 31 avril", "2019-04"),
        ("en date du 30 avril", "2019-04-30"),
    ],
)
def test_an_impossible_day_in_the_body_is_read_as_its_month(phrase, end):
    (claim,) = extract(parse_article(f" date 2019-07 Selon l'OMS, 300 morts {phrase}.", "x.txt")).claims
    assert claim.scope.period_end == end
