"""Dereferencing, content negotiation and the HTML pages, through Flask's test client,
on the hand-written dataset ``tests/pages_fixture.trig`` (two articles, one with
``<script>`` and markup; a reliability verdict; a derived conflict)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from factgraph.graph import export
from factgraph.graph.terms import FG
from factgraph.server import resources
from factgraph.server.app import create_app
from factgraph.server.pages import articles, quotes

FIXTURE = Path(__file__).resolve().parent.parent / "pages_fixture.trig"
BASE = "http://127.0.0.1:5000/"
CLAIM = URIRef(BASE + "claim/seed/84")
CLAIMS = ["claim/seed/84", "claim/seed/41", "claim/seed/180", "claim/old/37"]
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def store(store_with):
    """The fixture on each backend (``store_with`` in conftest.py), read-only."""
    return store_with(FIXTURE)


@pytest.fixture(scope="module")
def client(store):
    return create_app({"TESTING": True, "BASE": BASE}, store=store).test_client()


# -- dereferencing ------------------------------------------------------------------------


@pytest.mark.parametrize("path", CLAIMS)
def test_claim_iri_answers_html_to_a_browser(client, path):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/" + path, headers={"Accept": accept})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/{path}.html"
    assert "Accept" in r.headers["Vary"]
    page = client.get(r.headers["Location"])
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<mark class="quote">' in page.get_data(as_text=True)


def test_the_redirect_keeps_the_language_and_documents_are_open_to_web_apps(client):
    path = CLAIMS[0]
    r = client.get(f"/{path}?lang=fr", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"] == f"/{path}.html?lang=fr"
    page = client.get(r.headers["Location"])
    assert '<html lang="fr"' in page.get_data(as_text=True)
    r = client.get(f"/{path}?format=ttl&lang=fr")
    assert r.headers["Location"] == f"/{path}.ttl?lang=fr"
    for suffix in ("ttl", "jsonld", "nt", "rdf"):
        assert client.get(f"/{path}.{suffix}").headers.get("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("path", CLAIMS)
@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_claim_iri_answers_rdf_with_the_claims_triples(client, store, path, media_type, canonical):
    r = client.get("/" + path, headers={"Accept": media_type}, follow_redirects=True)
    assert r.status_code == 200 and r.mimetype == media_type
    served = Graph().parse(data=r.data, format=RDF_TYPES[media_type])
    expected = export.describe(store, URIRef(BASE + path))
    assert isomorphic(canonical(served), canonical(expected))
    assert (URIRef(BASE + path), FG.claimant, None) in served
    assert (URIRef(BASE + path), FG.quoteText, None) in served


def test_claim_rdf_includes_the_owned_nodes(client):
    g = Graph().parse(data=client.get("/claim/seed/84.ttl").data, format="turtle")
    assert (URIRef(BASE + "claim/seed/84/quote"), None, None) in g
    assert (URIRef(BASE + "claim/seed/84/position"), None, None) in g
    assert len(list(g.objects(URIRef(BASE + "claim/seed/84/period"), None))) >= 3


def test_format_parameter_and_suffix_twins(client):
    assert client.get("/claim/seed/84?format=ttl").headers["Location"] == "/claim/seed/84.ttl"
    for suffix, media_type in resources.DOCUMENTS.items():
        r = client.get(f"/claim/seed/84.{suffix}")
        assert r.status_code == 200 and r.mimetype == media_type


def test_link_headers_and_html_alternates(client):
    r = client.get("/claim/seed/84.html")
    link = r.headers["Link"]
    for suffix, media_type in resources.DOCUMENTS.items():
        assert f'</claim/seed/84.{suffix}>; rel="alternate"; type="{media_type}"' in link
    html = r.get_data(as_text=True)
    assert '<link rel="alternate" type="text/turtle" href="/claim/seed/84.ttl">' in html
    assert '<link rel="alternate" type="application/ld+json" href="/claim/seed/84.jsonld">' in html


def test_jsonld_uses_the_published_context(client):
    r = client.get("/claim/seed/84.jsonld")
    doc = json.loads(r.data)
    published = json.loads(client.get("/context.jsonld").data)
    assert doc["@context"] == published["@context"]
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in r.headers["Link"]


def test_unknown_iri_is_404_and_unacceptable_is_406(client):
    assert client.get("/claim/nope/1").status_code == 404
    assert client.get("/claim/nope/1.ttl").status_code == 404
    r = client.get("/claim/seed/84", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "Accept" in r.headers["Vary"]


def test_named_graph_iri_serves_its_content(client, store, canonical):
    g = Graph().parse(data=client.get("/graph/article/old.ttl").data, format="turtle")
    assert isomorphic(canonical(g), canonical(store.graph(URIRef(BASE + "graph/article/old"))))


def test_split_suffix():
    assert resources.split_suffix("claim/a/1.ttl") == ("claim/a/1", "ttl")
    assert resources.split_suffix("claim/a/1") == ("claim/a/1", None)
    assert resources.split_suffix("ontology.rdf") == ("ontology", "rdf")
    assert resources.split_suffix("agent/x.y") == ("agent/x.y", None)


# -- pages ------------------------------------------------------------------------------------


def test_claim_page_shows_who_what_where_how_sure(client):
    html = client.get("/claim/seed/84.html").get_data(as_text=True)
    assert '<a href="/agent/coalition">Coalition</a>' in html
    assert "1\u202f302" in html and "at least" in html
    assert "[1\u202f302, +∞)" in html
    assert '<a href="/vocab/confidence/likely">likely</a>' in html
    assert "« il est probable que »" in html
    assert (
        '<mark class="quote">Il est probable que pas moins de 1.302 civils ont été tués, selon le texte.</mark>'
        in html
    )
    assert 'class="conflict-link" href="/conflict/abc123"' in html
    assert "SOHR counts nearly three times" in html
    assert '<a href="/claim/seed/41">' in html  # restates
    assert "factgraph 0.1.0" in html and "/activity/extraction/seed" in html


def test_claim_page_in_french(client):
    html = client.get("/claim/seed/84.html?lang=fr").get_data(as_text=True)
    assert "Auteur" in html and "Coalition internationale" in html and "morts civils" in html
    assert "L&#39;OSDH compte près de trois fois plus" in html


def test_verdict_is_shown_on_the_assessed_claim(client):
    html = client.get("/claim/seed/180.html").get_data(as_text=True)
    assert 'class="verdict"' in html and "not credible" in html


def test_article_page_highlights_every_claim(client):
    html = client.get("/article/seed.html").get_data(as_text=True)
    for path in ("claim/seed/84", "claim/seed/41", "claim/seed/180"):
        assert f'<a class="claim-mark" href="/{path}"' in html


def test_source_page_groups_claims_and_charts_them(client):
    html = client.get("/agent/coalition.html").get_data(as_text=True)
    assert "<svg" in html and "<polyline" not in html  # figures of different bounds are not one line
    assert html.count('class="mark-') == 3  # 2017: 352, 2019: 1300 and 1302, a mark each
    assert 'class="legend' in html
    assert "Verdicts given" in html


def test_place_concept_and_ontology_pages(client):
    assert "/claim/seed/180" in client.get("/place/syria.html").get_data(as_text=True)
    concept = client.get("/vocab/quantity/civilian_deaths.html").get_data(as_text=True)
    assert "civilian deaths" in concept and "/claim/seed/84" in concept
    onto = client.get("/ontology.html").get_data(as_text=True)
    assert 'id="FigureClaim"' in onto and "Concept schemes" in onto
    assert client.get("/ontology/FigureClaim").status_code == 200
    assert client.get("/ontology/NoSuchTerm").status_code == 404


def test_ontology_is_served_as_rdf(client):
    r = client.get("/ontology", headers={"Accept": "text/turtle"}, follow_redirects=True)
    g = Graph().parse(data=r.data, format="turtle")
    assert (URIRef("https://w3id.org/factgraph/ontology"), None, None) in g
    r = client.get("/ontology", headers={"Accept": "application/rdf+xml"}, follow_redirects=True)
    assert isomorphic(Graph().parse(data=r.data, format="xml"), g)


def test_home_counts_and_search(client):
    html = client.get("/").get_data(as_text=True)
    assert "<strong>4</strong> Claims" in html and "<strong>2</strong> Articles" in html
    assert 'action="/search"' in html
    found = client.get("/search?q=OSDH").get_data(as_text=True)
    assert "/claim/seed/180" in found and '/claim/seed/84"' not in found
    by_claimant = client.get("/search", query_string={"claimant": BASE + "agent/osdh"}).get_data(as_text=True)
    assert "/claim/seed/180" in by_claimant and "/claim/old/37" not in by_claimant


def test_a_text_search_reads_a_bounded_number_of_articles_a_page(store):
    """SEARCH_SCAN_ARTICLES=1: each page searches one article graph (in IRI order: "old",
    then "seed") and links to the next; the pages together find what one search finds."""
    client = create_app({"TESTING": True, "BASE": BASE, "SEARCH_SCAN_ARTICLES": 1}, store=store).test_client()
    first = client.get("/search?q=OSDH").get_data(as_text=True)
    assert "/claim/seed/180" not in first and "text searched in articles 1 to 1 of 2" in first
    further = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert further, first
    second = client.get(html.unescape(further.group(1))).get_data(as_text=True)
    assert "/claim/seed/180" in second and '/claim/seed/84"' not in second
    assert 'rel="next"' not in second  # the last article was read
    whole = create_app({"TESTING": True, "BASE": BASE}, store=store).test_client().get("/search?q=OSDH")
    assert "/claim/seed/180" in whole.get_data(as_text=True) and 'rel="next"' not in whole.get_data(as_text=True)


# -- escaping and headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/article/old.html", "/claim/old/37.html", "/agent/coalition.html", "/search?q=script", "/"]
)
def test_markup_from_the_data_is_escaped(client, path):
    r = client.get(path)
    html = r.get_data(as_text=True)
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "Content-Security-Policy" in r.headers
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_article_with_script_shows_it_as_text(client):
    html = client.get("/article/old.html").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Bilan &lt;b&gt;2017&lt;/b&gt;" in html


# -- units --------------------------------------------------------------------------------------------------


def test_segments_skip_overlaps():
    parts = articles.segments(
        "abcdefgh", [(2, 4, URIRef("x:a"), ""), (3, 6, URIRef("x:b"), ""), (6, 8, URIRef("x:c"), "")]
    )
    assert [(s.text, s.claim) for s in parts] == [
        ("ab", None),
        ("cd", URIRef("x:a")),
        ("ef", None),
        ("gh", URIRef("x:c")),
    ]


def test_quote_falls_back_to_the_exact_words():
    class Row:
        text = Literal("xx hello world yy")
        exact = Literal("hello world")
        prefix = suffix = None
        start, end = Literal(0), Literal(5)  # stale positions

    q = quotes.locate_quote(Row())
    assert q is not None and q.exact == "hello world" and q.located


def test_quote_context_is_cut_at_word_boundaries():
    class Row:
        text = Literal("Beyrouth. La coalition reconnaît que 1.302 civils sont morts depuis 2014 en Syrie.")
        exact = Literal("1.302 civils")
        prefix = suffix = None
        start, end = Literal(36), Literal(48)

    q = quotes.locate_quote(Row(), context=14)
    assert q is not None and q.exact == "1.302 civils"
    assert q.before == "…reconnaît que " and q.after == " sont morts…"


def test_a_path_no_resource_can_have_is_404_not_500(client):
    for path in ("/claim/%00", "/claim/a%20b", "/agent/x%3Cy", "/place/%7B%7D", "/agent/130%25", "/agent/a%252", "/conflict/0%5Br"):
        assert client.get(path).status_code == 404, path


def test_the_host_header_is_never_echoed_into_a_link(client):
    """Issue #13: a forged Host must not reach a response header (cache poisoning)."""
    r = client.get("/claim/seed/84.jsonld", headers={"Host": "evil.example"})
    assert r.status_code == 200 and "json-ld#context" in r.headers["Link"]
    assert "evil.example" not in str(r.headers)


def test_chart_marks_follow_the_bounds():
    from factgraph.server import charts

    points = [charts.Point("2017", 352, "/a", "a"), charts.Point("2018", 900, "/b", "b", "at_least"),
              charts.Point("2019", 1000, "/c", "c", "range", 1400), charts.Point("2019", 50, "/d", "d", "less_than"),
              charts.Point("2016", 70, "/e", "e", "about")]
    chart = charts.timeline(points)
    assert chart is not None
    marks = {p.point.href: p for p in chart.points}
    assert [marks[h].mark for h in "/a /b /c /d /e".split()] == ["dot", "up", "bar", "down", "ring"]
    assert marks["/b"].y_high == chart.top and marks["/d"].y_high == chart.bottom
    assert marks["/c"].y_high < marks["/c"].y  # the range's top is above its bottom
    assert chart.marks == {"dot", "up", "bar", "down", "ring"}
