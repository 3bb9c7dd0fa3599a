"""What a figure counts, on any subject (table-driven): the counted phrase after a number,
the subject before it, its general kind and the kind minted from it."""

import pytest

from factgraph.graph.counted import after, before, general_kind, is_bare, notation


def _after(text: str, number: str):
    return after(text, text.index(number) + len(number))


def _before(text: str, number: str):
    return before(text, text.index(number))


@pytest.mark.parametrize(
    "text, number, counted_text, noun",
    [
        ("Au total, 11 300 personnes sont mortes dans les inondations.", "11 300", "personnes sont mortes",
         "personnes"),
        ("Le ministère a recensé 4.665 cas, dont 2.700 mortels.", "4.665", "cas", "cas"),
        ("Environ 3 millions de Français sont concernés par la réforme.", "3 millions", None, "Français"),
        ("Plus de 41 personnes ont été tuées par la coulée de boue.", "41", "personnes ont été tuées", "personnes"),
        ("10,000 people are still missing after the quake.", "10,000", "people are still missing", "people"),
        ("Some 250 people were injured in the stampede.", "250", "people were injured", "people"),
        ("The agency counted 1,200 new cases on Monday.", "1,200", "new cases", "new cases"),
        ("La guerre a fait 500 000 déplacés en un an.", "500 000", "déplacés", "déplacés"),
        ("On comptait 3,54 millions d'inscrits à Pôle emploi en mars.", "3,54 millions", "inscrits à Pôle emploi",
         "inscrits à Pôle emploi"),
        ("The virus has infected 8,000 health workers.", "8,000", "health workers", "health workers"),
    ],
)
def test_the_counted_phrase_after_a_number(text, number, counted_text, noun):
    found = _after(text, number)
    assert found is not None
    assert found.noun == noun
    if counted_text is not None:
        assert found.text == counted_text
    assert text[found.start:found.end] == found.text


def test_a_complement_stays_in_the_counted_phrase():
    found = _after("L'économie a enregistré 96 000 créations d'emplois dans le privé en mars.", "96 000")
    assert found is not None and found.text.startswith("créations d'emplois")


@pytest.mark.parametrize(
    "text, number",
    [
        ("Le plus jeune des sinistrés avait 15 ans.", "15"),
        ("The storm moved 400 miles inland.", "400"),
        ("Des rafales à 220 km/h ont balayé la côte.", "220"),
        ("Après 3 jours de combats, la ville est tombée.", "3"),
        ("Les secours ont travaillé pendant 48 heures.", "48"),
        ("L'épicentre se trouvait à 5 kilomètres de la côte.", "5"),
        ("Le taux a reculé de 2,5 points de pourcentage.", "2,5"),
        ("La candidate a obtenu 12 % des voix.", "12"),
        pytest.param("A 7.8 magnitude quake hit the border region.", "7.8"),
        ("Le scrutin aura lieu le 12 mars.", "12"),
        ("The dam burst on 12 March.", "12"),
    ],
)
def test_what_is_never_counted(text, number):
    assert _after(text, number) is None


@pytest.mark.parametrize(
    "text, number, subject",
    [
        ("In May the unemployment rate was 5.5 percent.", "5.5", "unemployment rate"),
        ("Le taux de chômage s'élève à 8,1 % selon les derniers chiffres.", "8,1", "taux de chômage"),
        ("Le nombre de cas de dengue s'élève à 3.706 en Guadeloupe.", "3.706", "nombre de cas de dengue"),
        ("The death toll in the region is still more than 35,000.", "35,000", "death toll"),
        pytest.param("The Bureau said the unemployment rate was 5.5 percent in May.", "5.5", "unemployment rate"),
        pytest.param("Selon l'Insee, le nombre de chômeurs a atteint 2,3 millions au troisième trimestre.", "2,3",
                     "nombre de chômeurs"),
    ],
)
def test_the_subject_before_a_number(text, number, subject):
    found = _before(text, number)
    assert found is not None and notation(found.noun) == notation(subject)
    assert text[found.start:found.end] == found.text


def test_no_subject_no_count():
    assert _before("Le maire a dit 1 200 fois la même chose.", "1 200") is None


@pytest.mark.parametrize(
    "phrase, kind",
    [
        ("morts", "people_killed_total"),
        ("décès ont été enregistrés", "people_killed_total"),
        ("people died", "people_killed_total"),
        ("fatalities", "people_killed_total"),
        ("soldats tués", "people_killed_total"),
        ("personnes sont mortes", "people_killed_total"),
        ("disparus", "missing"),
        ("people are still missing", "missing"),
        ("personnes disparues", "missing"),
        ("blessés", "people_injured"),
        ("people were injured", "people_injured"),
        ("personnes ont été blessées", "people_injured"),
        ("déplacés", "people_displaced"),
        ("cas", "cases"),
        ("new cases", "cases"),
        ("cas de choléra", "cases"),
        ("euros", "money"),
        ("millions d'euros", "money"),
        ("dollars", "money"),
        ("personnes", "people"),
        ("inscrits à Pôle emploi", "people"),
        ("chômeurs", "people"),
        ("demandeurs d'emploi", "people"),
        ("séismes", "events"),
        ("créations d'emplois", None),
        ("maisons détruites", None),
        ("votes", None),
    ],
)
def test_general_kind(phrase, kind):
    assert general_kind(phrase) == kind


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("inscrits à Pôle emploi", "inscrit_pole_emploi"),
        ("créations d'emplois", "creation_emploi"),
        ("cas de choléra", "cas_cholera"),
        ("demandeurs d'emploi", "demandeur_emploi"),
        ("Health Workers", "health_worker"),
        ("maisons détruites", "maison_detruite"),
    ],
)
def test_notation(phrase, expected):
    assert notation(phrase) == expected


@pytest.mark.parametrize(
    "plural, singular",
    [
        ("cas de choléra", "cas de choléra"),
        ("maisons détruites", "maison détruite"),
        ("new cases", "new case"),
        ("Créations d'emplois", "création d'emploi"),
        ("nouveaux cas", "nouveau cas"),
        ("disparus", "disparu"),
        ("fatalities", "fatality"),
    ],
)
def test_plural_and_singular_give_one_notation(plural, singular):
    assert notation(plural) == notation(singular)


@pytest.mark.parametrize(
    "noun, bare",
    [
        ("personnes", True),
        ("morts", True),
        ("cas", True),
        ("blessés", True),
        ("décès", True),
        ("deaths", True),
        ("people", True),
        ("cas de choléra", False),
        ("new cases", False),
        ("inscrits à Pôle emploi", False),
        ("soldats ukrainiens", False),
        ("disparus", True),
    ],
)
def test_is_bare(noun, bare):
    assert is_bare(noun) is bare
