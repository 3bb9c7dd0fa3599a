"""Who can speak (table-driven): known sources and their aliases, descriptions, proper
names, and what is not a source; then the speaker ``attribution`` picks among them."""

import pytest

from factgraph.graph.attribution import ARTICLE, attribute
from factgraph.graph.sources import agent, find, label


def _keys(text: str) -> list[str]:
    return [f.key for f in find(text)]


@pytest.mark.parametrize(
    "text, key",
    [
        ("Selon l'OMS, 4.818 personnes sont mortes du virus Ebola.", "who"),
        ("The WHO said 1,200 new cases of cholera were reported.", "who"),
        ("The W.H.O. said on Monday that the outbreak was slowing.", "who"),
        ("L'Organisation mondiale de la santé a recensé 300 cas de rougeole.", "who"),
        ("The World Health Organization counted 40 deaths.", "who"),
        ("Selon l'ONU, 500 000 personnes ont fui les combats.", "un"),
        ("The UN said 2,000 homes were destroyed.", "un"),
        ("The U.N. estimated that 9 million people need food aid.", "un"),
        ("Les Nations unies estiment que 11 300 personnes sont mortes.", "un"),
        ("OCHA said on Friday that 10,000 people are missing.", "ocha"),
        ("Selon l'Insee, le taux de chômage a atteint 8,1 %.", "insee"),
        ("Selon Pôle emploi, 3,54 millions de personnes sont inscrites.", "pole-emploi"),
        ("The BLS said 96,000 jobs were added in May.", "bls"),
        ("The Bureau of Labor Statistics said the unemployment rate was 5.5 percent.", "bls"),
        ("La Banque mondiale prévoit une récession.", "world-bank"),
        ("Le Croissant-Rouge libyen a annoncé 3 000 morts.", "red-crescent-libya"),
    ],
)
def test_known_sources_by_any_of_their_names(text, key):
    assert _keys(text) == [key]


@pytest.mark.parametrize(
    "text, key, kind",
    [
        ("le ministère de la Santé de Gaza a indiqué que 35 000 personnes avaient été tuées",
         "ministere-de-la-sante-de-gaza", "government"),
        ("les autorités locales ont annoncé 41 disparus", "autorites-locales", "government"),
        ("the Indian government said 4.7mn people had died", "indian-government", "government"),
        ("la préfecture du Gard a recensé 1 200 sinistrés", "prefecture-du-gard", "government"),
        ("le gouvernement japonais a annoncé un plan de 20 milliards", "gouvernement-japonais", "government"),
        ("selon une source européenne, 2 milliards d'euros ont été versés", "source-europeenne", "organisation"),
    ],
)
def test_descriptions_are_sources(text, key, kind):
    assert _keys(text) == [key]
    described = agent(key)
    assert described is not None and described.kind == kind


@pytest.mark.parametrize(
    "text, key",
    [
        ("Emmanuel Macron a annoncé 12 milliards d'euros pour les sinistrés.", "emmanuel-macron"),
        ("Marine Le Pen a obtenu 41 % des voix au premier tour.", "marine-le-pen"),
        ("The figures were disputed by Joe Biden.", "joe-biden"),
    ],
)
def test_proper_names_of_people(text, key):
    assert _keys(text) == [key]
    described = agent(key)
    assert described is not None and described.kind == "person"


@pytest.mark.parametrize(
    "text, name",
    [
        ("Le Premier ministre, François Bayrou, a annoncé un plan de 3 milliards.", "François Bayrou"),
        ("Le maire de Derna, Abdelkader Saïd, a déclaré que 300 corps avaient été retrouvés.", "Abdelkader Saïd"),
    ],
)
def test_a_role_and_its_holder_is_a_person(text, name):
    found = find(text)
    assert len(found) == 1 and name in text[found[0].start:found[0].end]
    described = agent(found[0].key)
    assert described is not None and described.kind == "person"


def test_a_role_and_its_holder_ends_at_the_name():
    text = "Ces chiffres ont été confirmés par le Premier ministre, Gabriel Lemoine."
    found = find(text)
    assert len(found) == 1 and text[found[0].start:found[0].end].endswith("Gabriel Lemoine")


@pytest.mark.parametrize(
    "text",
    [
        "Des pluies diluviennes ont frappé la Libye.",
        "Lundi, 200 personnes sont mortes dans les crues.",
        "En mars, l'épidémie a tué 300 personnes.",
        "Wednesday's flooding left 2,000 people homeless.",
        "L'ONG a précisé que 41 personnes étaient portées disparues.",
        "Cette organisation a indiqué que 300 écoles étaient fermées.",
        "The agency said 500 homes were destroyed.",
        "A rescuer carries a child through the mud. /REUTERS/John Smith",
        "Photo: REUTERS/John Smith",
        "L'AFP a pu consulter le document.",
    ],
)
def test_what_is_not_a_source(text):
    assert find(text) == []


def test_an_outlet_in_a_dateline_is_not_a_source():
    assert "reuters" not in _keys("TRIPOLI (REUTERS) - Floods killed 300 people in Derna.")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("TRIPOLI (REUTERS) - Floods killed 300 people in Derna."),
    ],
)
def test_a_dateline_names_no_source(text):
    assert find(text) == []


@pytest.mark.parametrize(
    "text, key",
    [
        pytest.param("Selon le Hamas, 35 000 personnes ont été tuées.", "hamas"),
    ],
)
def test_a_movement_is_not_a_place(text, key):
    assert _keys(text) == [key]


def test_the_same_name_gives_the_same_key():
    first = find("Selon Léa Fontaine-Morel, 3 000 emplois sont menacés.")
    again = find("Léa Fontaine-Morel a ensuite évoqué 4 000 emplois.")
    assert [f.key for f in first] == [f.key for f in again] == ["lea-fontaine-morel"]


def test_the_label_is_the_name_as_first_written():
    find("Selon le syndicat des producteurs de lait, 3 000 fermes ont fermé.")
    key = "syndicat-des-producteurs-de-lait"
    assert label(key) == "Syndicat des producteurs de lait"
    assert agent(key) is not None and agent(key).kind == "organisation"


def test_an_elided_article_is_not_part_of_the_key():
    assert _keys("D'après l'Agence régionale de santé, 40 cas de dengue ont été signalés.") == [
        "agence-regionale-de-sante"]


def test_another_observatory_is_not_the_syrian_one():
    assert _keys("Selon l'Observatoire régional de la sécheresse, 40 communes manquent d'eau.") == [
        "observatoire-regional-de-la-secheresse"]


def test_a_known_source_has_its_lexicon_label():
    assert label("who") == "World Health Organization (WHO)"
    assert label("who", "fr") == "Organisation mondiale de la santé (OMS)"
    assert agent("who") is None  # known to the lexicon, not an open-world agent


def test_an_unknown_key_is_its_own_label():
    assert label("never-met-source") == "never-met-source"


# -- the speaker among the sources (graph/attribution.py) -------------------------------


@pytest.mark.parametrize(
    "sentence, speaker, expected",
    [
        ("Selon l'OMS, 4.818 personnes sont mortes du virus.", ARTICLE, "who"),
        ("D'après l'Insee, le taux de chômage a atteint 8,1 % au troisième trimestre.", ARTICLE, "insee"),
        ("D'après Pôle emploi, 3,54 millions de personnes sont inscrites.", ARTICLE, "pole-emploi"),
        ("According to the WHO, 1,200 new cases were recorded last week.", ARTICLE, "who"),
        ("Pôle emploi a déclaré que 3,54 millions de personnes étaient inscrites.", ARTICLE, "pole-emploi"),
        ("The Bureau of Labor Statistics said the unemployment rate was 5.5 percent.", ARTICLE, "bls"),
        ("Emmanuel Macron a annoncé que 12 milliards d'euros seraient débloqués.", ARTICLE, "emmanuel-macron"),
        ("Marine Le Pen said 41 percent of voters backed her.", ARTICLE, "marine-le-pen"),
        ("The Indian government said 4.7mn people had died.", ARTICLE, "indian-government"),
        ("Les autorités locales ont fait état de 41 disparus.", ARTICLE, "autorites-locales"),
        ("Selon une source européenne, 2 milliards d'euros ont été versés.", ARTICLE, "source-europeenne"),
        ("L'épidémie a tué 300 personnes, a dit le ministre de la Santé.", ARTICLE, "ministre-de-la-sante"),
        # an addressee is not the speaker
        ("« 300 personnes sont mortes », a déclaré à l'AFP le maire de Derna.", ARTICLE, "maire-de-derna"),
        ("Le préfet a déclaré à l'AFP que 40 personnes étaient mortes.", ARTICLE, "prefet"),
        ("A health ministry spokesman told CNN that 40 people had died.", ARTICLE, "spokesman"),
        # a cited source is not the speaker
        ("It cites the Health Ministry and says 35,000 people have been killed.", "ocha", "ocha"),
        ("Elle cite le ministère de la Santé et indique que 35 000 personnes ont été tuées.", "ocha", "ocha"),
        # a person speaks for the organisation in apposition
        ("Ole Dupont, un responsable de HRW, a déclaré que 120 civils avaient été tués.", ARTICLE, "hrw"),
        # a denial gives the figure to the other source
        ("Le ministère de la Santé a démenti le bilan de 11 300 morts que lui a attribué l'OCHA.", ARTICLE, "ocha"),
        ("Le Croissant-Rouge libyen a démenti le bilan de 11 300 morts que lui a attribué l'ONU.", ARTICLE, "un"),
        pytest.param("Israël rejette les affirmations du Hamas selon lesquelles 35 000 personnes ont été tuées.",
                     ARTICLE, "hamas"),
        pytest.param("The Libyan Red Crescent denied the toll of 11,300 deaths attributed to it by the UN.", ARTICLE,
                     "un"),
        pytest.param("The mayor told Reuters that 40 people had died.", ARTICLE, "mayor"),
    ],
)
def test_the_speaker(sentence, speaker, expected):
    assert attribute(sentence, speaker, continues=False).claimant == expected


@pytest.mark.parametrize(
    "sentence, claimant, relayed_by",
    [
        # the corpus convention: the source that asserts the figure is its claimant; whom it cites is its source
        ("The UN said 11,300 people had died, citing the Libyan Red Crescent.", "un", None),
    ],
)
def test_a_source_citing_another_is_the_claimant(sentence, claimant, relayed_by):
    who = attribute(sentence, ARTICLE, continues=False)
    assert (who.claimant, who.relayed_by) == (claimant, relayed_by)


@pytest.mark.parametrize(
    "text, key",
    [
        ("Selon les imams de la ville, 300 personnes ont été enterrées.", "imams-de-la-ville"),
        ("Local clerics said 120 bodies were buried.", "local-clerics"),
        ("Selon les cadis, environ 170 personnes auraient été enterrées.", "cadis"),
    ],
)
def test_religious_authorities_who_count_burials_are_sources(text, key):
    assert _keys(text) == [key]
