"""Periods resolved against the article date (table-driven)."""

import datetime as dt

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


@pytest.mark.parametrize(
    "text, article_date, start, end",
    [
        ("The virus killed 3,000 people in 2020 and 2021.", "2022-01", "2020", "2021"),
        ("Les inondations ont fait 40 morts en 2022 et 2023.", "2024-01", "2022", "2023"),
        ("Le chômage a reculé entre 2015 et 2017.", "2018-01", "2015", "2017"),
        ("Turnout fell in 2020-2021.", "2022-01", "2020", "2021"),
        ("Le budget de la santé a augmenté en 2019.", "2020-01", "2019", "2019"),
        ("The government expects 2 million jobs by the end of 2021.", "2021-03", None, "2021-12-31"),
        ("At the end of 2019, 5,000 troops were deployed.", "2020-01", None, "2019-12-31"),
        ("Le chômage devrait toucher 3 millions de personnes fin 2020.", "2020-06", None, "2020-12"),
        ("Jusqu'à fin 2021, 40 000 emplois seront créés.", "2021-03", None, "2021-12"),
        ("Le chômage a reculé au troisième trimestre de 2021.", "2021-11", "2021-07", "2021-09-30"),
        ("Le PIB a progressé au premier trimestre 2022.", "2022-05", "2022-01", "2022-03-31"),
        ("Au 2e trimestre 2021, 96 000 emplois ont été créés.", "2021-09", "2021-04", "2021-06-30"),
        ("Growth slowed in the fourth quarter of 2019.", "2020-02", "2019-10", "2019-12-31"),
        ("In Q1 2022, the economy shrank by 0.3 percent.", "2022-05", "2022-01", "2022-03-31"),
        ("Q4 2023 saw 12,000 layoffs.", "2024-02", "2023-10", "2023-12-31"),
        ("More than 35,000 civilians have died since the campaign began in 2014.", "2016-03", "2014", None),
        ("Depuis que l'épidémie a commencé en 2014, 11 000 personnes sont mortes.", "2015-01", "2014", None),
        ("Depuis le début de l'épidémie en mars 2014, 4 818 décès ont été recensés.", "2014-11", "2014-03", None),
        ("The unemployment rate for May 2015 was 5.5 percent.", "2015-06", "2015-05", "2015-05-31"),
        ("Au mois de mai 2015, 3,5 millions de personnes étaient inscrites.", "2015-06", "2015-05", "2015-05-31"),
    ],
)
def test_open_world_periods(text, article_date, start, end):
    p = find_period(text, article_date)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    "text, article_date, start, end",
    [
        ("More than 4,800 people have died since the outbreak began in March 2014.", "2014-11", "2014-03", None),
        ("Fin décembre 2020, 3,5 millions de personnes étaient inscrites.", "2021-01", None, "2020-12-31"),
        ("À la fin de l'année 2020, le chômage touchait 8 % des actifs.", "2021-01", None, "2020-12"),
        ("Au cours de l'année 2020, 230 000 emplois ont été détruits.", "2021-01", "2020", "2020"),
    ],
)
def test_open_world_periods_more_frames(text, article_date, start, end):
    """Regressions found by the open-world test table: an event's start after 'began in', a
    month's edge standing alone, 'la fin de l'année 2020', 'au cours de l'année 2020'."""
    p = find_period(text, article_date)
    assert (p.start, p.end) == (start, end)


def test_an_end_of_year_is_a_tally_date():
    p = find_period("The government expects 2 million jobs by the end of 2021.", "2021-03")
    assert p.as_of and p.explicit_end


def test_a_date_without_its_year_is_the_latest_on_or_before_the_article():
    from factgraph.graph.dates import _latest_year

    d = dt.date
    assert _latest_year(7, 30, d(2016, 7, 19)) == 2015  # "30 juillet" read on 19 July: last year's
    assert _latest_year(7, 19, d(2016, 7, 19)) == 2016  # the day itself
    assert _latest_year(7, None, d(2016, 7, 1)) == 2016  # a month alone: its first day
    assert _latest_year(8, None, d(2016, 7, 31)) == 2015
    assert _latest_year(2, 29, d(2017, 3, 1)) == 2016  # the last 29 February
    assert _latest_year(2, None, d(2020, 1, 31)) == 2019
    assert _latest_year(4, 31, d(2017, 5, 1)) is None  # no such day
