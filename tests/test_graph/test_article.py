"""Reading an article: the header, what is refused (one line naming the file) and what is accepted."""

from __future__ import annotations

import pytest

from factgraph.graph.article import ArticleError, parse_article, read_article
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


def test_header_lines_after_a_date_line_give_url_title_and_outlet():
    text = (" date 2019-05-24\nURL: https://www.example.org/a?id=1\ntitle: La coalition reconnaît 1.300 civils tués\n"
            "outlet: Example News\n\nSelon l'OMS, 300 personnes sont mortes.")
    article = parse_article(text, "x.txt")
    assert article.url == "https://www.example.org/a?id=1"
    assert article.title == "La coalition reconnaît 1.300 civils tués" and article.outlet == "Example News"
    assert text[article.body_start:].startswith("Selon")
    (claim,) = extract(article).claims
    assert text[claim.figure.start:claim.figure.end] == "300"


def test_a_field_like_line_after_text_on_the_date_line_is_text():
    article = parse_article(" date 2019-05 Selon l'OMS, 300 morts.\nurl: https://example.org/a\n", "x.txt")
    assert article.url is None and article.body_start == len(" date 2019-05 ")


@pytest.mark.parametrize(
    "text, url, message",
    [
        (" date 2019-05\nurl: ftp://example.org/a\nSelon l'OMS, 300 morts.", None, "x.txt: url 'ftp://example.org/a' is not"),
        (" date 2019-05\nurl: https://example.org/a b\nSelon l'OMS, 300 morts.", None, "x.txt: url 'https://example.org/a b'"),
        (" date 2019-05\nurl: https://a.org/1\nurl: https://a.org/2\nTexte, 300 morts.", None, "x.txt: header field 'url' given twice"),
        (" date 2019-05\ntitle:\nSelon l'OMS, 300 morts.", None, "x.txt: header field 'title' is empty"),
        (" date 2019-05\nurl: https://a.org/1\nSelon l'OMS, 300 morts.", "https://a.org/2", "x.txt: the url header"),
        (" date 2019-05\nurl: https://a.org/1\n", None, "x.txt: empty text after the date header"),
    ],
)
def test_bad_header_lines_are_one_line_naming_the_file(text, url, message):
    with pytest.raises(ArticleError) as err:
        parse_article(text, "x.txt", url=url)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_an_article_over_the_size_limit_is_refused_naming_the_file_and_the_limit(tmp_path, monkeypatch):
    p = tmp_path / "big.txt"
    p.write_text(" date 2019-05 " + "Selon l'OMS, 300 morts. " * 100, encoding="utf-8")
    assert read_article(p).file_name == "big.txt"  # under the default 1 MB
    monkeypatch.setenv("FACTGRAPH_MAX_ARTICLE_BYTES", "1000")
    with pytest.raises(ArticleError) as err:
        read_article(p)
    assert str(err.value) == (f"{p}: larger than the article size limit of 1000 bytes "
                              "(FACTGRAPH_MAX_ARTICLE_BYTES)")
    monkeypatch.setenv("FACTGRAPH_MAX_ARTICLE_BYTES", "lots")
    with pytest.raises(ArticleError, match="FACTGRAPH_MAX_ARTICLE_BYTES='lots'"):
        read_article(p)
