"""Numbers and bounds as articles write them (table-driven)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factgraph.graph.numbers import figure, find_numbers, parse_digits


@pytest.mark.parametrize(
    "text, value",
    [
        ("24.502", 24502), ("24 502", 24502), ("24\u00a0502", 24502), ("24\u202f502", 24502),
        ("34,502", 34502), ("22'000", 22000), ("4354", 4354), ("1,5", 1.5), ("360.000", 360000),
    ],
)
def test_digits(text, value):
    assert parse_digits(text) == value


@pytest.mark.parametrize(
    "text, value, kind",
    [
        ("sept rapports", 7, "words"),
        ("dix civils", 10, "words"),
        ("One hundred and eleven claims", 111, "words"),
        ("un millier d'enfants", 1000, "approx"),
        ("une quarantaine de civils", 40, "approx"),
        ("1,5 million de personnes", 1_500_000, "digits"),
        ("des dizaines de blessés", None, "vague"),
        ("hundreds of civilians", None, "vague"),
    ],
)
def test_number_forms(text, value, kind):
    n = find_numbers(text)[0]
    assert (n.value, n.kind) == (value, kind)


@pytest.mark.parametrize(
    "text, bound",
    [
        ("pas moins de 1.302 civils", "at_least"),
        ("au moins 817 civils", "at_least"),
        ("trois enfants au moins", "at_least"),
        ("plus de 3.800 morts", "more_than"),
        ("more than 1,300 civilians", "more_than"),
        ("près de 190 morts", "about"),
        ("environ 56 civils", "about"),
        ("un millier d'enfants", "about"),
        ("up to 1,000 civilians", "at_most"),
        ("moins de 50 civils", "less_than"),
        ("1.302 civils", "exact"),
        ("des dizaines de civils", "vague"),
    ],
)
def test_bounds(text, bound):
    n = find_numbers(text)[0]
    assert figure(text, n).bound == bound


def test_range_with_shared_scale():
    n = find_numbers("9 à 11 000 civils")[0]
    assert (n.value, n.value_high) == (9000, 11000)


def test_year_is_a_number_but_dates_are_not_counts():
    values = [n.value for n in find_numbers("le 23 mars 2019, 12 civils")]
    assert 12 in values and 2019 in values


@given(st.integers(min_value=1000, max_value=10**9), st.sampled_from([".", " ", "\u00a0", "\u202f", ","]))
def test_format_then_parse_gives_the_value(n, sep):
    text = f"{n:,}".replace(",", sep)
    assert parse_digits(text) == n
