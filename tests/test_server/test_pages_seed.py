"""The pages on the built-in seed article ingested through the real pipeline
(``seed_store``: extraction, mapping, reasoning and conflicts), plus the paged lists and
the home page's cached counts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from factgraph.graph.terms import FG
from factgraph.server.app import create_app
from factgraph.server.pages import limits

BASE = "http://127.0.0.1:5000/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(seed_store):
    return create_app({"TESTING": True, "BASE": BASE}, store=seed_store).test_client()


def seed_claims(store) -> list[str]:
    found = store.query("SELECT ?c WHERE { ?c a <https://w3id.org/factgraph/ontology#FigureClaim> }")
    return sorted(str(r.c)[len(BASE) :] for r in found)


def test_the_seed_has_claims(seed_store):
    assert len(seed_claims(seed_store)) >= 5


def test_every_seed_claim_answers_html_with_its_quote(client, seed_store):
    for path in seed_claims(seed_store):
        r = client.get("/" + path, headers={"Accept": BROWSER})
        assert r.status_code == 303 and r.headers["Location"] == f"/{path}.html"
        html = client.get(r.headers["Location"]).get_data(as_text=True)
        assert '<mark class="quote">' in html, path
        # the speaker's hedges never repeat the figure's own words ("plus de 3.800")
        figure = [str(r[0]) for r in seed_store.query(
            f"SELECT ?t WHERE {{ <{BASE}{path}> <https://w3id.org/factgraph/ontology#figureText> ?t }}")]
        hedges = re.findall(r'<span class="hedge">« (.*?) »</span>', html)
        assert all(h not in f for h in hedges for f in figure), path
        # the attribution words are whole ("L’Observatoire ... (OSDH) parle", not "OSDH) parle")
        assert not re.search(r"« [^«(]*\) ", html), path


@pytest.mark.parametrize(
    ("media_type", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_every_seed_claim_answers_rdf_with_its_triples(client, seed_store, media_type, fmt, canonical):
    for path in seed_claims(seed_store):
        iri = URIRef(BASE + path)
        r = client.get("/" + path, headers={"Accept": media_type}, follow_redirects=True)
        assert r.status_code == 200 and r.mimetype == media_type
        served = canonical(Graph().parse(data=r.data, format=fmt))
        stored = canonical(seed_store.graph(URIRef(BASE + "graph/article/" + path.split("/")[1])))
        own = {t for t in stored if t[0] == iri}
        assert own and own <= served, path
        assert (iri, RDF.type, FG.FigureClaim) in served


def test_seed_claims_show_their_conflicts(client, seed_store):
    """The OSDH's 3 800 and the coalition's 1 302 (tension), and the explicit dispute."""
    found = seed_store.query(
        "SELECT ?c WHERE { ?c <https://w3id.org/factgraph/ontology#value> 3800 ;"
        f" <https://w3id.org/factgraph/ontology#claimant> <{BASE}agent/osdh> }}"
    )
    osdh = str(next(iter(found)).c)[len(BASE) :]
    html = client.get(f"/{osdh}.html").get_data(as_text=True)
    assert 'class="conflict-link"' in html and "tension" in html
    kinds = set()
    for path in seed_claims(seed_store):
        page = client.get(f"/{path}.html").get_data(as_text=True)
        if 'class="conflict-link"' in page:
            kinds.update(k for k in ("tension", "explicit dispute") if k in page)
    assert kinds == {"tension", "explicit dispute"}


def test_seed_home_article_source_and_place(client, seed_store):
    home = client.get("/").get_data(as_text=True)
    assert f"<strong>{len(seed_claims(seed_store))}</strong> Claims" in home
    article = next(iter(seed_store.query("SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> }"))).a
    html = client.get("/" + str(article)[len(BASE) :] + ".html").get_data(as_text=True)
    assert html.count('<a class="claim-mark"') >= 5
    source = client.get("/agent/coalition.html").get_data(as_text=True)
    assert "<svg" in source and 'class="mark-' in source
    assert "/claim/" in client.get("/place/syria.html").get_data(as_text=True)


# -- paged lists -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(store_with, tmp_path_factory):
    """One place and one source with 250 claims each, in five articles of 50, on each backend."""
    from rdflib import Dataset

    quads = []
    for i in range(250):
        g = URIRef(f"{BASE}graph/article/many-{i // 50}")
        if i % 50 == 0:  # pages are read article graph by article graph: the graph holds its article
            quads.append((URIRef(f"{BASE}article/many-{i // 50}"), RDF.type, URIRef("https://schema.org/NewsArticle"), g))
        c = URIRef(f"{BASE}claim/many/{i:04d}")
        quads += [
            (c, RDF.type, FG.FigureClaim, g),
            (c, FG.claimant, URIRef(BASE + "agent/busy"), g),
            (c, FG.place, URIRef(BASE + "place/busy"), g),
            (c, FG.quantityKind, URIRef("https://w3id.org/factgraph/quantity/civilian_deaths"), g),
            (c, FG.value, Literal(Decimal(i + 1)), g),
            (c, FG.statedOn, Literal(f"{2000 + i // 12}-{i % 12 + 1:02d}", datatype=XSD.gYearMonth), g),
        ]
    ds = Dataset()
    ds.addN(quads)
    path = tmp_path_factory.mktemp("many") / "many.trig"
    ds.serialize(path, format="trig")
    return create_app({"TESTING": True, "BASE": BASE}, store=store_with(path)).test_client()


def follow_pages(client, base: str) -> list[list[str]]:
    """The claims listed on each page, following the "next" links from ``base``."""
    import re

    seen = []
    path: str | None = base
    while path:
        html = client.get(path).get_data(as_text=True)
        seen.append(re.findall(r'<td><a href="/(claim/many/\d+)">', html))
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        path = nxt.group(1).replace("&amp;", "&") if nxt else None
        if path and path.startswith("?"):
            path = base + path
    return seen


def test_place_claims_are_paged(many):
    found = follow_pages(many, "/place/busy.html")
    assert [len(p) for p in found] == [limits.PAGE_ROWS, limits.PAGE_ROWS, 250 - 2 * limits.PAGE_ROWS]
    flat = [c for p in found for c in p]
    assert len(set(flat)) == 250 and flat == sorted(flat)


def test_source_claims_are_paged_by_date(many, request):
    found = follow_pages(many, "/agent/busy.html")
    assert [len(p) for p in found] == [limits.PAGE_ROWS, limits.PAGE_ROWS, 250 - 2 * limits.PAGE_ROWS]
    assert len({c for p in found for c in p}) == 250


def test_dense_chart_draws_one_point_per_date(many, monkeypatch):
    html = many.get("/agent/busy.html").get_data(as_text=True)
    assert html.count('class="mark-') == 250  # under CHART_POINTS: a point per (date, figure)
    monkeypatch.setattr(limits, "CHART_POINTS", 100)
    dates = len({f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(250)})
    assert many.get("/agent/busy.html").get_data(as_text=True).count('class="mark-') == dates


# -- the home page's cached counts ---------------------------------------------------------------


def test_home_counts_follow_the_store(store):
    client = create_app({"TESTING": True, "BASE": BASE}, store=store).test_client()
    ns = "https://w3id.org/factgraph/ontology#"

    def claims() -> str:
        html = client.get("/").get_data(as_text=True)
        return html.split(" Claims")[0].rsplit("<strong>", 1)[1].split("</strong>")[0]

    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}graph/article/a> {{ <{BASE}claim/a/1> a <{ns}FigureClaim> }} }}"
    )
    assert claims() == "1"
    # a new article: a new named graph
    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}graph/article/b> {{ <{BASE}claim/b/1> a <{ns}FigureClaim> }} }}"
    )
    assert claims() == "2"
    # the same article re-ingested (same graph names): the conflict refresh stamps a new time
    stamp = "<http://www.w3.org/ns/prov#endedAtTime>"
    conflicts = f"<{BASE}graph/conflicts>"
    activity = f"<{BASE}activity/conflicts/1> a <{ns}ConflictDetection>"
    store.update(f'INSERT DATA {{ GRAPH {conflicts} {{ {activity} ; {stamp} "2024-01-01T00:00:00Z" }} }}')
    assert claims() == "2"
    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}graph/article/b> {{ <{BASE}claim/b/2> a <{ns}FigureClaim> }} }}"
    )
    store.update(
        f"DELETE WHERE {{ GRAPH {conflicts} {{ ?a {stamp} ?t }} }};"
        f' INSERT DATA {{ GRAPH {conflicts} {{ {activity} ; {stamp} "2024-01-02T00:00:00Z" }} }}'
    )
    assert claims() == "3"


@pytest.mark.parametrize("q", ["1300", "1 300", "1,300", "1.300", "3800", "3.800"])
def test_search_finds_a_figure_however_it_is_written(client, seed_store, q):
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    wanted = 3800 if q.startswith("3") else 1300
    found = seed_store.query(
        "SELECT ?c WHERE { ?c <https://w3id.org/factgraph/ontology#value> ?v FILTER(?v = ?n) }",
        {"n": Literal(wanted)})
    claims = {str(r[0])[len(BASE):] for r in found}
    assert claims and all(f'href="/{c}"' in html for c in claims), q


def test_article_page_shows_the_headline_and_not_the_header(client, seed_store):
    article = next(iter(seed_store.query("SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> }"))).a
    html = client.get("/" + str(article)[len(BASE):] + ".html").get_data(as_text=True)
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert not h1.endswith(".txt") and "raids aériens" in h1  # the text's first sentence, not the file name
    text = html[html.index('<div class="text">'):]
    assert " date 2019" not in text[:200]  # the date header line is not part of the text shown
