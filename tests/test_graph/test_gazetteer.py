"""The open gazetteer (graph/gazetteer.py) on short sentences written for each rule."""

from __future__ import annotations

import pytest

from factgraph.graph import gazetteer
from factgraph.graph.gazetteer import Mention, ancestors, find, label, place
from factgraph.graph.terms import slug


def keys(text: str, prefer: tuple[str, ...] = ()) -> list[str]:
    return [m.key for m in find(text, prefer)]


@pytest.mark.parametrize("text, expected", [
    # countries, French and English
    ("Les secours sont arrivés en Libye.", ["libya"]),
    ("Rescuers arrived in Libya.", ["libya"]),
    ("Il vit aux États-Unis depuis dix ans.", ["united-states"]),
    ("Il vit aux Etats-Unis depuis dix ans.", ["united-states"]),
    ("She moved to the United States in 2010.", ["united-states"]),
    ("La mousson frappe en Inde.", ["india"]),
    ("Il est rentré au Royaume-Uni.", ["united-kingdom"]),
    ("Exports to the UK and the U.S. fell.", ["united-kingdom", "united-states"]),
    ("Le Kenya et la Tanzanie.", ["kenya", "tanzania"]),
    ("La Syrie et l'Irak.", ["syria", "iraq"]),
    ("the syrian arab republic", ["syria"]),  # multiword country names ignore case
    # longest match
    ("Ebola en Sierra Leone.", ["sierra-leone"]),
    ("Ebola en Guinée-Bissau et en Guinée.", ["guinea-bissau", "guinea"]),
    ("En Guinée, le virus recule.", ["guinea"]),
    ("Il voyage en Amérique du Sud.", ["continent-sa"]),
    ("Trade with Latin America grew.", []),  # read, but names no place here
    ("Trade with America grew.", ["united-states"]),
    # cities, exonyms and alternate names
    ("Les inondations à Derna ont tout emporté.", ["darnah-ly"]),
    ("Benghazi et Tripoli.", ["benghazi-ly", "tripoli-ly"]),
    ("Il est à Pékin, puis à Vienne.", ["beijing-cn", "vienna-at"]),
    ("Il habite à Nice depuis mars.", ["nice-fr"]),
    ("Il est à Paris. Paris a répondu.", ["paris-fr", "paris-fr"]),
    # Gaza and the West Bank
    ("Les frappes dans la bande de Gaza continuent.", ["gaza-strip"]),
    ("Strikes in the Gaza Strip went on.", ["gaza-strip"]),
    ("Strikes in Gaza went on.", ["gaza-strip"]),  # in the news, "Gaza" alone is the Strip
    ("Strikes in Gaza City went on.", ["gaza-ps"]),
    ("Colonies en Cisjordanie.", ["west-bank"]),
    ("on the west bank of the river", []),
    # hand gazetteer entries
    ("Les frappes à Raqa ont repris.", ["raqqa"]),
    ("près de Mossoul", ["mosul"]),
    ("dans la province de Raqqa", ["raqqa-province"]),
])
def test_find_keys(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


@pytest.mark.parametrize("text", [
    "Emmanuel Macron a dit mardi que le chômage baisse.",
    "Marine Le Pen estime que les chiffres sont faux.",
    "Selon le Bureau of Labor Statistics, the rate fell.",
    "Police said the figures were wrong.",
    "Mobile phones are banned. Best of all, the date is set.",
    "Le ministère de la Santé publie un bilan. Seul le président a parlé.",
    "Nice to meet you, she said.",
    "Florence Parly a répondu à George Washington.",
    "le monde entier, a worldwide and global trend",  # the world is not a mention
    "Reading the report, he said more than half of the time.",
])
def test_no_false_positives(text: str) -> None:
    assert find(text) == []


def test_offsets_and_surface() -> None:
    text = "Selon l'ONU, la crue à Derna (Libye) et dans la bande de Gaza."
    found = find(text)
    assert [m.surface for m in found] == ["Derna", "Libye", "bande de Gaza"]
    for m in found:
        assert isinstance(m, Mention)
        assert text[m.start:m.end] == m.surface
    us = find("He flew to the U.S. on Monday.")
    assert [m.surface for m in us] == ["U.S."]


@pytest.mark.parametrize("text, prefer, expected", [
    ("Il est à Washington.", (), "washington-us"),  # the most populous
    ("Il est à Washington.", ("united-kingdom",), "washington-gb"),
    ("Il est à Tripoli.", (), "tripoli-ly"),
    ("Il est à Tripoli.", ("lebanon",), "tripoli-lb"),
    ("Elle est née en Georgia.", (), "georgia"),  # the country before the state
    ("Elle est née en Georgia.", ("united-states",), "us-state-ga"),
])
def test_prefer_countries(text: str, prefer: tuple[str, ...], expected: str) -> None:
    assert keys(text, prefer) == [expected]


@pytest.mark.parametrize("key, expected", [
    ("darnah-ly", ["libya", "continent-af", "world"]),
    ("raqqa", ["raqqa-province", "syria", "continent-as", "world"]),
    ("mosul", ["nineveh", "iraq", "continent-as", "world"]),
    ("gaza-strip", ["palestine", "continent-as", "world"]),
    ("new-york-city-us", ["us-state-ny", "united-states", "continent-na", "world"]),
    ("continent-eu", ["world"]),
    ("world", []),
    ("no-such-place", []),
])
def test_ancestors(key: str, expected: list[str]) -> None:
    assert ancestors(key) == expected


@pytest.mark.parametrize("key, fr, en, kind, iso", [
    ("libya", "Libye", "Libya", "country", "LY"),
    ("united-states", "États-Unis", "United States", "country", "US"),
    ("palestine", "Palestine", "Palestine", "country", "PS"),
    ("syria", "Syrie", "Syria", "country", "SY"),
    ("iraq", "Irak", "Iraq", "country", "IQ"),
    ("russia", "Russie", "Russia", "country", "RU"),
    ("world", "monde", "world", "world", None),
    ("continent-af", "Afrique", "Africa", "continent", None),
    ("gaza-strip", "Bande de Gaza", "Gaza Strip", "region", None),
    ("raqqa-province", "Raqqa (province)", "Raqqa Governorate", "region", None),
    ("darnah-ly", "Darnah", "Darnah", "city", None),
])
def test_places(key: str, fr: str, en: str, kind: str, iso: str | None) -> None:
    p = place(key)
    assert p is not None and p.key == key
    assert (p.label_fr, p.label_en, p.kind, p.iso) == (fr, en, kind, iso)
    assert label(key, "fr") == fr and label(key) == en


def test_every_place_has_known_parents() -> None:
    idx = gazetteer._index()
    for key in [*idx.places, *list(idx.cities)[:2000]]:
        p = place(key)
        assert p is not None
        for parent in p.part_of:
            assert place(parent) is not None, (key, parent)
        if p.kind == "continent":
            assert p.part_of == ("world",)


def test_city_data() -> None:
    p = place("darnah-ly")
    assert p is not None and p.part_of == ("libya",) and p.geonames_id and p.population and p.population > 15000


@pytest.mark.parametrize("name", ["Darnah", "New York City", "Saint-Étienne", "Ürümqi", "L'Aquila", "São Paulo"])
def test_key_slug_is_terms_slug(name: str) -> None:
    assert gazetteer._key_slug(name) == slug(name)


def test_real_place_words() -> None:
    words = ["Libye", "Derna", "Benghazi", "Mayotte", "Liberia", "Sierra Leone", "Guinée", "India", "Russia",
             "Indonesia", "Mexico", "Ukraine", "Poland", "South Africa", "United States", "France", "Gaza",
             "Syrie", "Irak"]
    for word in words:
        found = find(f"Il a parlé de {word} hier.")
        assert [m.surface for m in found] == [word], word


def _view(idx) -> tuple:
    """What an index answers (a read-back one keeps its rows encoded until asked)."""
    return ({n: idx.keys_of(n) for n in idx.names}, {k: idx.city(k) for k in idx.cities}, idx.first, idx.first_ci,
            idx.ci, idx.trail, idx.rank, idx.country_of, {k: p for k, p in idx.places.items() if k not in idx.cities})


def test_index_cache_is_written_read_back_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = gazetteer._build_index()
    gazetteer._index.cache_clear()
    try:
        first = gazetteer._index()  # built and written
        files = list((tmp_path / "factgraph").glob("gazetteer-index-*.pickle"))
        assert len(files) == 1
        gazetteer._index.cache_clear()
        again = gazetteer._index()  # read back
        assert again is not first and _view(again) == _view(built) == _view(first)
        for broken in (b"not a pickle", b"\x80\x05N."):  # garbage, and a pickle of something else (None)
            files[0].write_bytes(broken)
            gazetteer._index.cache_clear()
            assert _view(gazetteer._index()) == _view(built)
    finally:
        gazetteer._index.cache_clear()


def test_the_index_read_back_from_its_cache_answers_as_the_built_one():
    """The index is kept as long strings (``_Index.__getstate__``); read back, every name,
    city, rank and country look-up answers as the index it was built as."""
    import pickle

    from factgraph.graph.gazetteer import _build_index

    built = _build_index()
    read = pickle.loads(pickle.dumps(built, pickle.HIGHEST_PROTOCOL))
    assert isinstance(read.names[next(iter(read.names))], str)  # the compact form was used
    assert read.names.keys() == built.names.keys() and read.first == built.first
    for name in built.names:
        assert read.keys_of(name) == built.keys_of(name), name
    assert read.cities.keys() == built.cities.keys()
    for key in built.cities:
        assert read.city(key) == built.city(key)
        assert (read.rank_of(key), read.country(key), read.get(key)) == (built.rank_of(key), built.country(key),
                                                                         built.get(key))
    assert (read.ci, read.first_ci, read.trail, read.rank) == (built.ci, built.first_ci, built.trail, built.rank)
    assert _view(pickle.loads(pickle.dumps(read, pickle.HIGHEST_PROTOCOL))) == _view(built)  # kept again
