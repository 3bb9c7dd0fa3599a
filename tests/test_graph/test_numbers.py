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


# -- open-world numbers: decimals, attached scales, separators by language, number words --


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("India has recorded 14.9mn infections since the outbreak began.", "en", 14_900_000),
        ("The commission counted 4.74 million ballots.", "en", 4_740_000),
        ("Quelque 5,8 millions d'électeurs étaient appelés aux urnes.", "fr", 5_800_000),
        ("On comptait 3,54 millions de demandeurs d'emploi.", "fr", 3_540_000),
        ("Le déficit atteint 1,5 milliard d'euros.", "fr", 1_500_000_000),
        ("The ministry pledged 2.3bn dollars for reconstruction.", "en", 2_300_000_000),
        ("The unemployment rate rose to 17.1 percent.", "en", 17.1),
        ("Le taux de chômage s'établit à 8,1 % au troisième trimestre.", "fr", 8.1),
        ("Un séisme de magnitude 7,8 a frappé la région.", "fr", 7.8),
        ("Le pays compte 3.307.000 chômeurs.", "fr", 3_307_000),
        ("L'épidémie a fait 4.877 décès.", "fr", 4877),
        ("La crue a privé 12 500 foyers d'électricité.", "fr", 12_500),
        ("The country has confirmed 1,072,326 cases.", "en", 1_072_326),
        ("Some 4,877 people were evacuated.", "en", 4877),
        ("The drought threatens nine million people.", "en", 9_000_000),
        ("La sécheresse menace quatre millions de personnes.", "fr", 4_000_000),
        ("Le bilan s'élève à quarante-et-un morts.", "fr", 41),
        ("Le scrutin a mobilisé vingt et un partis.", "fr", 21),
        ("La guerre a fait deux cent mille déplacés.", "fr", 200_000),
        ("Twenty-one miners remain trapped.", "en", 21),
        ("La facture atteint 4.877 millions d'euros.", "fr", 4_877_000),
    ],
)
def test_open_world_number_values(text, language, value):
    found = find_numbers(text, language)
    assert len(found) == 1, [(n.text, n.value) for n in found]
    assert found[0].value == pytest.approx(value)


@pytest.mark.parametrize(
    "text, language, value",
    [
        pytest.param("The pound fell to 1.125 dollars.", "en", 1.125),
        pytest.param("Le budget prévoit 1 234,5 millions d'euros.", "fr", 1_234_500_000),
        pytest.param("Public debt reached $1.9tn last year.", "en", 1_900_000_000_000),
        pytest.param("The bill would cost 2 trillion dollars.", "en", 2_000_000_000_000),
    ],
)
def test_open_world_number_values_found_gaps(text, language, value):
    found = find_numbers(text, language)
    assert [n.value for n in found] == [pytest.approx(value)]


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("Soixante-quatre pour cent des électeurs ont voté.", "fr", 64),
        ("Seventy-two percent of voters backed the budget.", "en", 72),
        ("Sixty-four per cent of the wards were flooded.", "en", 64),
    ],
)
def test_a_percent_in_words_is_one_number(text, language, value):
    assert [n.value for n in find_numbers(text, language)] == [value]  # no separate 100 for "cent"


@pytest.mark.parametrize(
    "text, language, values",
    [
        ("Le Covid-19 a tué 230 personnes.", "fr", [230]),
        ("COVID-19 killed 230 people.", "en", [230]),
        ("The H1N1 strain infected 1,200 pupils.", "en", [1200]),
        ("Les rebelles du M23 ont pris la ville.", "fr", []),
        ("Le sommet du G20 s'est ouvert.", "fr", []),
    ],
)
def test_names_with_digits_are_not_numbers(text, language, values):
    assert [n.value for n in find_numbers(text, language)] == values


@pytest.mark.parametrize(
    "text, language, bound",
    [
        ("un maximum de 50 blessés", "fr", "at_most"),
        ("Maximum 50 personnes évacuées", "fr", "at_most"),
        ("jusqu'à 3 000 sinistrés", "fr", "at_most"),
        ("up to 1,000 homes", "en", "at_most"),
        ("rescuers found 10,000 plus bodies", "en", "more_than"),
        ("plus de 4,7 millions de chômeurs", "fr", "more_than"),
        ("près de 5,8 millions d'électeurs", "fr", "about"),
        ("at least 2,300 people", "en", "at_least"),
        ("moins de 10 % des voix", "fr", "less_than"),
        ("3,54 millions d'inscrits", "fr", "exact"),
        pytest.param("a maximum of 50 people", "en", "at_most"),
        pytest.param("no more than 200 soldiers", "en", "at_most"),
    ],
)
def test_open_world_bounds(text, language, bound):
    n = find_numbers(text, language)[0]
    assert figure(text, n).bound == bound


FRENCH_SEPARATORS = [".", " ", "\u00a0", "\u202f"]


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["fr", "en"]), st.data())
def test_format_in_a_language_then_find_gives_the_value(n, language, data):
    sep = data.draw(st.sampled_from(FRENCH_SEPARATORS)) if language == "fr" else ","
    written = f"{n:,}".replace(",", sep)
    text = f"{written} habitants" if language == "fr" else f"{written} residents"
    found = find_numbers(text, language)
    assert [(m.value, m.text) for m in found] == [(n, written)]


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=99),
       st.sampled_from(["fr", "en"]), st.booleans())
def test_decimals_stay_decimal_with_or_without_a_scale(whole, frac, language, scaled):
    digits = f"{frac:02d}" if frac % 10 else f"{frac // 10}"
    mark = "," if language == "fr" else "."
    scale = (" millions" if language == "fr" else " million") if scaled else ""
    expected = float(f"{whole}.{digits}") * (1_000_000 if scaled else 1)
    found = find_numbers(f"{whole}{mark}{digits}{scale} de personnes", language)
    assert [m.value for m in found] == [pytest.approx(expected)]
