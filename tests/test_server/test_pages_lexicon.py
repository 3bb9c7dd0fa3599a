"""The pages of what articles introduce (open-world extraction), through Flask's test
client, on ``data/lexicon.trig``: sources, places and minted quantity kinds described only
in the named graph graph/lexicon, in the shape the extraction writes, and claims using
them (with fg:countedText)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from factgraph.server.app import create_app
from factgraph.server.pages import limits

FIXTURE = Path(__file__).parent / "data" / "lexicon.trig"
BASE = "http://127.0.0.1:5000/"
FGQ = "https://w3id.org/factgraph/quantity/"


@pytest.fixture(scope="module")
def store(store_with):
    return store_with(FIXTURE)


@pytest.fixture(scope="module")
def client(store):
    return create_app({"TESTING": True, "BASE": BASE}, store=store).test_client()


def html(client, path: str, lang: str = "en") -> str:
    r = client.get(path + ("&" if "?" in path else "?") + "lang=" + lang)
    assert r.status_code == 200, (path, r.status_code)
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def text_of(page: str, css_class: str) -> str:
    """The text of the first element with ``class="css_class"``, tags dropped."""
    m = re.search(rf'class="{css_class}"[^>]*>(.*?)</(dd|ul|section|td|p)>', page, re.S)
    assert m, css_class
    return re.sub(r"<[^>]+>", "", m.group(1))


# -- sources --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "en", "fr"),
    [
        ("/agent/pole-emploi.html", "Government body", "Organisme public"),
        ("/agent/afp.html", "News outlet", "Média"),
        ("/agent/osama-hamad.html", "Person", "Personne"),
    ],
)
def test_source_page_names_the_kind_of_source(client, path, en, fr):
    assert text_of(html(client, path, "en"), "agent-kind") == en
    assert text_of(html(client, path, "fr"), "agent-kind") == fr


def test_source_described_only_in_the_lexicon(client):
    page = html(client, "/agent/pole-emploi.html", "fr")
    assert "<h1>Pôle emploi</h1>" in page
    variants = text_of(page, "variants")
    assert "« Pole emploi »" in variants and "« Pôle Emploi »" in variants
    assert "« Pôle emploi »" not in variants  # the title is not repeated as a variant
    # its claims, with the minted kinds labelled from the lexicon
    assert 'href="/claim/chomage/123"' in page or 'href="/claim/chomage/37"' in page
    assert "inscrits à Pôle emploi" in page
    assert ">inscrits_pole_emploi<" not in page  # never the bare notation as a label


def test_source_page_lists_claims_of_each_kind(client):
    from urllib.parse import quote

    page = html(client, "/agent/pole-emploi.html?quantity=" + quote(FGQ + "inscrits_pole_emploi", safe=""))
    assert 'href="/claim/chomage/123"' in page


# -- places ---------------------------------------------------------------------------------


def test_place_page_shows_the_chain_it_lies_in_nearest_first(client):
    page = html(client, "/place/darnah-ly.html")
    chain = re.search(r'class="containment">(.*?)</dd>', page, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', chain)
    assert links == [("/place/libya", "Libya"), ("/place/continent-af", "Africa"), ("/place/world", "World")]
    assert '<a class="geonames" href="https://sws.geonames.org/87205/"' in page
    assert text_of(page, "place-kind") == "city"
    assert text_of(html(client, "/place/darnah-ly.html", "fr"), "place-kind") == "ville"


def test_place_chain_without_directly_part_of_is_ordered_by_depth(client):
    page = html(client, "/place/france.html")
    chain = re.search(r'class="containment">(.*?)</dd>', page, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">', chain) == ["/place/world"]
    assert 'class="geonames"' not in page  # no owl:sameAs, no GeoNames link
    chain = re.search(r'class="containment">(.*?)</dd>', html(client, "/place/lyon.html"), re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">', chain) == ["/place/france", "/place/world"]


def test_place_page_lists_places_within_and_their_claims(client):
    page = html(client, "/place/libya.html")
    within = text_of(page, "within")
    assert "Derna (1)" in within and "Benghazi (1)" in within
    # the claims in Libya and in the places within it
    for claim in ("/claim/derna/101", "/claim/derna/43", "/claim/derna/134"):
        assert f'href="{claim}"' in page
    assert "Claims (3)" in page
    assert "1 here, 2 in the places within it" in page
    assert "« personnes sont mortes »" in page  # the counted text of a claim
    # the world holds every claim of the fixture, Africa only Libya's
    assert "Claims (5)" in html(client, "/place/world.html")
    assert "Claims (3)" in html(client, "/place/continent-af.html")


def test_place_claims_are_paged_with_places_within(client, monkeypatch):
    # pages are whole articles (graph/paging.py): the three claims, all read from one
    # article, are one page even when a page is two rows; no next page
    monkeypatch.setattr(limits, "PAGE_ROWS", 2)
    first = html(client, "/place/libya.html")
    listed = set(re.findall(r'<td><a href="(/claim/derna/\d+)">', first))
    assert listed == {"/claim/derna/101", "/claim/derna/43", "/claim/derna/134"}
    assert 'rel="next"' not in first


# -- quantity kinds -------------------------------------------------------------------------


def test_minted_kind_page(client):
    r = client.get("/vocab/quantity/inscrits_pole_emploi", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"] == "/vocab/quantity/inscrits_pole_emploi.html"
    page = html(client, r.headers["Location"], "fr")
    assert "<h1>inscrits à Pôle emploi</h1>" in page
    assert '<code class="notation">inscrits_pole_emploi</code>' in page
    assert '<a href="/vocab/quantity/minted">Types de quantité créés</a>' in page
    assert '<a href="/vocab/quantity/people">personnes</a>' in text_of(page, "broader") or \
        "personnes" in text_of(page, "broader")
    narrower = re.search(r'class="narrower">(.*?)</dd>', page, re.S).group(1)
    assert 'href="/vocab/quantity/inscrits_pole_emploi_categorie_a"' in narrower
    counted = text_of(page, "counted")
    assert "« inscrits à Pôle Emploi »" in counted  # as the article wrote it
    assert "« inscrits à Pôle emploi »" in counted  # the phrase the kind was minted from
    assert 'href="/claim/chomage/123"' in page
    assert 'href="/claim/chomage/37"' not in page  # a narrower kind's claim is on its own page


def test_general_kind_page_lists_minted_narrower_kinds(client):
    page = html(client, "/vocab/quantity/people.html")
    assert "<h1>people</h1>" in page
    narrower = re.search(r'class="narrower">(.*?)</dd>', page, re.S).group(1)
    assert '<a href="/vocab/quantity/inscrits_pole_emploi">inscrits à Pôle emploi</a>' in narrower
    assert "A number of people." in page


def test_kind_page_claims_are_capped_with_a_more_link(client, monkeypatch):
    # pages are whole articles (graph/paging.py): both claims come from one article
    monkeypatch.setattr(limits, "PAGE_ROWS", 1)
    first = html(client, "/vocab/quantity/deaths.html")
    assert "Claims (2)" in first
    claims = re.findall(r'<td><a href="(/claim/derna/\d+)">', first)
    assert sorted(claims) == ["/claim/derna/134", "/claim/derna/43"]
    assert 'rel="next"' not in first


def test_scheme_page_is_not_a_kind_page(client):
    page = html(client, "/vocab/quantity/minted.html")
    assert 'class="notation"' not in page
    assert "inscrits_pole_emploi" in page  # its members, under "used by"


@pytest.mark.parametrize(("suffix", "fmt"), [("ttl", "turtle"), ("jsonld", "json-ld")])
def test_kind_twins(client, suffix, fmt):
    page = html(client, "/vocab/quantity/inscrits_pole_emploi.html")
    assert f'href="/vocab/quantity/inscrits_pole_emploi.{suffix}"' in page
    r = client.get(f"/vocab/quantity/inscrits_pole_emploi.{suffix}")
    assert r.status_code == 200
    g = Graph().parse(data=r.data, format=fmt)
    kind = URIRef(FGQ + "inscrits_pole_emploi")
    assert (kind, SKOS.notation, Literal("inscrits_pole_emploi")) in g
    assert (kind, SKOS.broader, URIRef(FGQ + "people")) in g


# -- claims ---------------------------------------------------------------------------------


def test_claim_page_shows_the_counted_text(client):
    page = html(client, "/claim/chomage/123.html")
    assert text_of(page, "counted") == "« inscrits à Pôle Emploi »"
    assert '<a href="/vocab/quantity/inscrits_pole_emploi">inscrits à Pôle emploi</a>' in page
    assert '<a href="/agent/pole-emploi">Pôle emploi</a>' in page


def test_claim_page_in_french_names_the_counted_thing(client):
    page = html(client, "/claim/derna/43.html", "fr")
    assert "Ce qui est compté" in page and "« personnes sont mortes »" in page
