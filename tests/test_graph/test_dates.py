"""Periods resolved against the article date (table-driven)."""

import pytest

from factgraph.graph.dates import find_period, statement_date


@pytest.mark.parametrize(
    "text, article_date, start, end",
    [
        ("entre août 2014 et fin avril dernier", "2019-05", "2014-08", "2019-04-30"),
        ("between August 2014 and the end of April 2019", "2019-06", "2014-08", "2019-04-30"),
        ("D'août 2014 à novembre 2017, la coalition", "2017-12", "2014-08", "2017-11-30"),
        ("depuis 2014", "2019-05", "2014", None),
        ("depuis le début du conflit en 2011", "2018-09", "2011", None),
        ("depuis le 23 avril dernier", "2017-05", "2017-04-23", None),
        ("en date du 30 juillet", "2018-09", None, "2018-07-30"),
        ("Rien qu'en janvier 2018, au moins dix civils", "2018-02", "2018-01", "2018-01-31"),
        ("entre le 11 et le 24 mars", "2019-05", "2019-03-11", "2019-03-24"),
        ("depuis le début de ses opérations, respectivement en août et septembre 2014", "2018-10", "2014-08", None),
        ("des raids menés jeudi puis vendredi 19 octobre", "2018-10-19", "2018-10-18", "2018-10-19"),
    ],
)
def test_periods(text, article_date, start, end):
    p = find_period(text, article_date)
    assert (p.start, p.end) == (start, end)


def test_anaphoric_period():
    assert find_period("Pendant cette période, 1.302 civils", "2019-05").anaphoric
    assert find_period("During this period, it assesses", "2019-06").anaphoric


def test_weekday_needs_a_dated_article():
    assert statement_date("a reconnu vendredi", "2019-05-31") == "2019-05-31"
    assert statement_date("a reconnu jeudi", "2019-05-31") == "2019-05-30"
    assert statement_date("a reconnu vendredi", "2019-05") is None  # the month alone cannot tell which Friday


def test_a_month_dated_article_resolves_a_weekday_only_after_a_reported_day():
    # "mardi" after "le 18 mai dernier": the earliest Tuesday from the 18th
    assert statement_date("L'OSDH a révélé mardi que 225 civils ont péri", "2017-05", "2017-05-18") == "2017-05-23"
    assert statement_date("L'OSDH a révélé mardi que 225 civils ont péri", "2017-05") is None


def test_an_event_weekday_is_not_a_statement_date():
    assert statement_date("des raids menés jeudi ont tué 32 civils", "2018-10-19") is None
    assert statement_date("The coalition said Friday it had killed 1,300 civilians", "2019-05-31") == "2019-05-31"


def test_so_far_is_flagged():
    assert find_period("Jusqu'à présent, au moins 1 422 civils ont été tués", "2016-07").so_far
