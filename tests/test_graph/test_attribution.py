"""Who speaks (table-driven): frames, verbs, pronouns, perpetrators, the article's voice."""

import pytest

from factgraph.graph.attribution import ARTICLE, attribute


@pytest.mark.parametrize(
    "sentence, speaker, expected",
    [
        ("Le bilan est lourd, selon l'OSDH.", ARTICLE, "osdh"),
        ("D'après Airwars, 1 422 civils ont été tués.", ARTICLE, "airwars"),
        ("La coalition a reconnu que 1.300 civils ont été tués.", ARTICLE, "coalition"),
        ("L'Observatoire syrien des droits de l'homme estime à 3.800 le nombre de morts.", ARTICLE, "osdh"),
        ("Les frappes ont tué 84 civils, a affirmé lundi Human Rights Watch (HRW).", ARTICLE, "hrw"),
        ("Elle précise que 216 dossiers sont à l'étude.", "coalition", "coalition"),
        ("« 1302 civils ont été tués », a-t-elle dit.", "coalition", "coalition"),
        ("30 civils tués, selon le texte.", "coalition", "coalition"),
        ("The Syrian Observatory for Human Rights says 50 civilians died.", ARTICLE, "osdh"),
        ("Airwars, an NGO, estimates more than 7,900 civilians have been killed in coalition raids, "
         "well above the total acknowledged by the coalition.", ARTICLE, "airwars"),
        ("Des raids de la coalition ont tué 56 civils dans le village.", ARTICLE, ARTICLE),
        ("Plus de 360.000 personnes ont été tuées en Syrie.", ARTICLE, ARTICLE),
    ],
)
def test_claimant(sentence, speaker, expected):
    assert attribute(sentence, speaker, continues=False).claimant == expected


def test_continuation_keeps_the_speaker():
    assert attribute("Parmi elles figurent 44 enfants.", "osdh", continues=False).claimant == "osdh"
    assert attribute("Il y a 44 enfants.", "osdh", continues=True).claimant == "osdh"


def test_name_variants_resolve_to_one_agent():
    for name in ("OSDH", "SOHR", "Observatoire syrien des droits humains", "Syrian Observatory for Human Rights",
                 "Observatoire syrien des droits de la personne"):
        assert attribute(f"Selon {name}, 10 civils sont morts.", ARTICLE, False).claimant == "osdh"
    for name in ("CJTF-OIR", "Operation Inherent Resolve", "la coalition"):
        assert attribute(f"Selon {name}, 10 civils sont morts.", ARTICLE, False).claimant == "coalition"


@pytest.mark.parametrize(
    "sentence, claimant, relayed_by",
    [
        ("Selon Amnesty International, la coalition a reconnu la mort de 1.300 civils.", "coalition", "amnesty"),
        ("According to Amnesty, the coalition admitted 1,300 civilian deaths.", "coalition", "amnesty"),
        ("Selon Airwars, 1 422 civils ont été tués par les bombardements de la coalition.", "airwars", None),
        ("Au moins 1 422 civils ont été tués, selon Airwars, une plateforme qui recense les dommages causés par la "
         "coalition.", "airwars", None),
    ],
)
def test_nested_attribution(sentence, claimant, relayed_by):
    who = attribute(sentence, ARTICLE, continues=False)
    assert (who.claimant, who.relayed_by) == (claimant, relayed_by)


def test_a_back_reference_subject_beats_a_farther_agent():
    sentence = ("The estimate in the monthly report, which said coalition strikes had killed at least 801 civilians, "
                "was far lower than figures provided by monitoring groups.")
    assert attribute(sentence, "coalition", continues=False).claimant == "coalition"


@pytest.mark.parametrize("sentence, words, expected", [
    ("L’Observatoire syrien des droits humains (OSDH) parle de plus de 3.800 morts.", "OSDH) parle",
     "L’Observatoire syrien des droits humains (OSDH) parle"),
    ("Selon le bilan, the World Health Organization (WHO) said 40 died.", "WHO) said",
     "the World Health Organization (WHO) said"),
    ("La coalition a précisé que 24 raids ont eu lieu.", "coalition a précisé", "coalition a précisé"),
    ("x", None, None),
])
def test_attribution_words_are_whole(sentence, words, expected):
    from factgraph.graph.attribution import whole_words

    assert whole_words(sentence, words) == expected
