"""The conflict report (``/conflicts`` and its JSON and CSV twins) and the page of one
conflict, on the seed article ingested through the real pipeline (``seed_store``): the
OSDH's 3 800 against the coalition's 1 302 (tension) and the explicit dispute."""

from __future__ import annotations

import csv
import io
import json

import pytest

from factgraph.server.app import create_app

BASE = "http://127.0.0.1:5000/"
TENSION = "https://w3id.org/factgraph/conflict/tension"
DISPUTE = "https://w3id.org/factgraph/conflict/explicit_dispute"


@pytest.fixture(scope="module")
def client(seed_store):
    return create_app({"TESTING": True, "BASE": BASE}, store=seed_store).test_client()


@pytest.fixture(scope="module")
def report(client, seed_store):
    # set up before the test's call, when a remote server may still hold another test's
    # dataset (conftest's pytest_runtest_call loads the wanted one only for the call)
    getattr(seed_store, "ensure", lambda: None)()
    return json.loads(client.get("/conflicts.json").data)


def test_report_lists_the_seed_conflicts(client, report):
    kinds = {c["kind"] for c in report["conflicts"]}
    assert {TENSION, DISPUTE} <= kinds
    assert report["count"] == len(report["conflicts"])
    osdh = [
        c
        for c in report["conflicts"]
        if "3,800" in c["claim_a_label"].get("en", "") + c["claim_b_label"].get("en", "")
    ]
    assert osdh and all(c["kind"] == TENSION for c in osdh)
    html = client.get("/conflicts").get_data(as_text=True)
    for c in report["conflicts"]:
        assert f'class="conflict-link" href="/{c["conflict"][len(BASE) :]}"' in html


def test_every_conflict_has_both_explanations(report):
    for c in report["conflicts"]:
        assert c["explanation"].get("en") and c["explanation"].get("fr")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": TENSION}, lambda c: c["kind"] == TENSION),
        ({"kind": DISPUTE}, lambda c: c["kind"] == DISPUTE),
        ({"claimant": BASE + "agent/osdh"}, lambda c: c["kind"] == TENSION),
        ({"place": BASE + "place/iraq"}, lambda c: True),
        ({"quantity": "https://w3id.org/factgraph/quantity/civilian_deaths"}, lambda c: True),
    ],
)
def test_filters(client, report, query, expected):
    found = json.loads(client.get("/conflicts.json", query_string=query).data)
    assert found["filters"] == query
    assert found["conflicts"] and all(expected(c) for c in found["conflicts"])
    assert len(found["conflicts"]) <= len(report["conflicts"])


def test_filter_that_matches_nothing(client):
    found = json.loads(client.get("/conflicts.json", query_string={"claimant": BASE + "agent/nobody"}).data)
    assert found["count"] == 0
    html = client.get("/conflicts", query_string={"claimant": BASE + "agent/nobody"}).get_data(as_text=True)
    assert "nothing found" in html


def test_osdh_filter_narrows_the_report(client, report):
    osdh = json.loads(client.get("/conflicts.json", query_string={"claimant": BASE + "agent/osdh"}).data)
    assert 0 < osdh["count"] < report["count"]


def test_csv_twin_has_the_same_conflicts(client, report):
    r = client.get("/conflicts.csv")
    assert r.mimetype == "text/csv"
    found = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["conflict"] for row in found] == [c["conflict"] for c in report["conflicts"]]
    assert all(row["explanation_en"] and row["explanation_fr"] for row in found)


def test_twins_are_advertised_and_negotiated(client):
    r = client.get("/conflicts?kind=" + TENSION)
    assert "</conflicts.json?kind=" in r.headers["Link"] and 'type="text/csv"' in r.headers["Link"]
    html = r.get_data(as_text=True)
    assert '<link rel="alternate" type="application/json" href="/conflicts.json?kind=' in html
    j = client.get("/conflicts", headers={"Accept": "application/json"})
    assert j.mimetype == "application/json" and "Accept" in j.headers["Vary"]
    assert client.get("/conflicts", headers={"Accept": "text/csv"}).mimetype == "text/csv"
    assert client.get("/conflicts.xml").status_code == 404


def test_conflict_page_shows_both_claims_side_by_side(client, report):
    tension = next(c for c in report["conflicts"] if c["kind"] == TENSION)
    r = client.get("/" + tension["conflict"][len(BASE) :] + ".html")
    assert r.status_code == 200 and "Content-Security-Policy" in r.headers
    html = r.get_data(as_text=True)
    assert html.count('<section class="side">') == 2
    assert html.count('<mark class="quote">') == 2
    for claim in (tension["claim_a"], tension["claim_b"]):
        assert f'class="side-claim" href="/{claim[len(BASE) :]}"' in html
    assert "3.800 morts civils" in html  # the OSDH's quote, highlighted in its article
    assert tension["explanation"]["en"].split(":")[0] in html
    fr = client.get("/" + tension["conflict"][len(BASE) :] + ".html?lang=fr").get_data(as_text=True)
    assert tension["explanation"]["fr"][:40].replace("'", "&#39;") in fr


def test_home_links_the_report(client):
    assert '<a href="/conflicts">' in client.get("/").get_data(as_text=True)


# -- paging ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crowded():
    """250 tensions and 10 disputes between the claims of two agents."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from factgraph.graph.store import EmbeddedStore
    from factgraph.graph.terms import FG

    store = EmbeddedStore(None)
    g = URIRef(BASE + "graph/conflicts")
    quads = []
    for i in range(260):
        k = URIRef(f"{BASE}conflict/many-{i:04d}")
        a, b = URIRef(f"{BASE}claim/many/a{i:04d}"), URIRef(f"{BASE}claim/many/b{i:04d}")
        quads += [
            (k, RDF.type, FG.Conflict, g),
            (k, FG.conflictKind, URIRef(TENSION if i < 250 else DISPUTE), g),
            (k, FG.claimA, a, g),
            (k, FG.claimB, b, g),
            (a, FG.claimant, URIRef(BASE + "agent/one"), g),
            (b, FG.claimant, URIRef(BASE + "agent/two"), g),
        ]
    store.add_quads(quads)
    return create_app({"TESTING": True, "BASE": BASE, "ROW_LIMIT": 120}, store=store).test_client()


def report_pages(client, path: str) -> list[list[str]]:
    """The conflicts listed on each page of the HTML report, following its "next" links."""
    import re

    seen = []
    while path:
        html = client.get(path).get_data(as_text=True)
        seen.append(re.findall(r'class="conflict-link" href="/(conflict/many-\d+)"', html))
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        path = "/conflicts" + nxt.group(1).replace("&amp;", "&") if nxt else None
    return seen


def test_report_is_paged_by_kind_then_iri(crowded):
    from factgraph.server.pages import limits

    found = report_pages(crowded, "/conflicts")
    assert [len(p) for p in found] == [limits.PAGE_ROWS, limits.PAGE_ROWS, 260 - 2 * limits.PAGE_ROWS]
    flat = [c for p in found for c in p]
    disputes = [f"conflict/many-{i:04d}" for i in range(250, 260)]  # explicit_dispute < tension
    assert flat == disputes + [f"conflict/many-{i:04d}" for i in range(250)]
    assert "260 conflicts" in crowded.get("/conflicts").get_data(as_text=True)


def test_report_pages_keep_the_filters(crowded):
    found = report_pages(crowded, "/conflicts?kind=" + TENSION)
    assert [len(p) for p in found] == [100, 100, 50]
    html = crowded.get("/conflicts?kind=" + TENSION).get_data(as_text=True)
    assert "250 conflicts" in html and 'rel="next" href="?kind=' in html


def test_twins_stop_at_row_limit_and_link_the_rest(crowded):
    first = crowded.get("/conflicts.json")
    body = json.loads(first.data)
    assert body["count"] == 120 and body["next"].startswith("/conflicts.json?after=")
    assert f'<{body["next"]}>; rel="next"' in first.headers["Link"]
    rest = json.loads(crowded.get(body["next"]).data)
    assert rest["count"] == 120 and "next" in rest
    last = json.loads(crowded.get(rest["next"]).data)
    assert last["count"] == 20 and "next" not in last
    every = [c["conflict"] for part in (body, rest, last) for c in part["conflicts"]]
    assert len(set(every)) == 260
    csv_first = crowded.get("/conflicts.csv")
    assert len(list(csv.DictReader(io.StringIO(csv_first.get_data(as_text=True))))) == 120
    assert 'rel="next"' in csv_first.headers["Link"]


def test_report_queries_neither_sort_nor_skip():
    # the order and the pages are chosen over keys read once per version (graph/conflict_report.py):
    # Oxigraph's ORDER BY over every conflict cost seconds a view at 1M claims
    from factgraph.graph import export

    for name in ("conflict_keys", "conflicts_matching", "conflict_rows"):
        body = "\n".join(ln for ln in export.query_text("pages", name).splitlines() if not ln.startswith("#"))
        assert "OFFSET" not in body.upper() and "ORDER BY" not in body.upper(), name


def test_report_pages_combine_filters(crowded):
    two = BASE + "agent/two"
    found = report_pages(crowded, f"/conflicts?kind={DISPUTE}&claimant={two}")
    assert found == [[f"conflict/many-{i:04d}" for i in range(250, 260)]]
    assert report_pages(crowded, f"/conflicts?kind={DISPUTE}&claimant={BASE}agent/nobody") == [[]]
    html = crowded.get(f"/conflicts?claimant={two}&after={TENSION} {BASE}conflict/many-0199").get_data(as_text=True)
    assert "260 conflicts" in html and "conflict/many-0200" in html and "conflict/many-0199" not in html


def test_report_says_when_the_conflicts_are_flagged_stale():
    from factgraph.graph import staleness
    from factgraph.graph.pipeline import builtin_corpus, ingest
    from factgraph.graph.store import Changes, EmbeddedStore
    from factgraph.graph.terms import Iris

    iris = Iris(BASE)
    with EmbeddedStore(None) as store:
        ingest(store, builtin_corpus(), iris)
        client = create_app({"TESTING": True, "BASE": BASE}, store=store).test_client()
        assert 'class="stale"' not in client.get("/conflicts").get_data(as_text=True)
        store.apply(Changes(add={iris.status_graph: staleness.mark(iris, iris.activity("ingest/x"))}))
        html = client.get("/conflicts").get_data(as_text=True)
        assert 'class="stale"' in html and "predate the last ingest" in html


def test_filters_by_the_names_the_pages_show(client):
    by_iri = json.loads(client.get("/conflicts.json?kind=" + TENSION).data)["conflicts"]
    by_name = json.loads(client.get("/conflicts.json?kind=tension").data)["conflicts"]
    assert by_iri and by_name == by_iri
    osdh = json.loads(client.get("/conflicts.json?claimant=osdh").data)["conflicts"]
    assert osdh and json.loads(client.get("/conflicts.json?claimant=nobody").data)["conflicts"] == []


def test_the_filter_choices_follow_the_store(store):
    """The filter form's choices and the report's keys are cached per version of the store:
    a refresh that adds a conflict of a new kind shows it, in the choices and the report."""
    from factgraph.server.app import create_app

    client = create_app({"TESTING": True, "BASE": BASE}, store=store).test_client()
    fg, k = "https://w3id.org/factgraph/ontology#", "https://w3id.org/factgraph/conflict/"
    graph, stamp = f"<{BASE}graph/conflicts>", "<http://www.w3.org/ns/prov#endedAtTime>"
    activity = f"<{BASE}activity/conflicts/1> a <{fg}ConflictDetection>"

    def write(kind: str, when: str) -> None:
        store.update(f"DELETE WHERE {{ GRAPH {graph} {{ ?a {stamp} ?t }} }};"
                     f" INSERT DATA {{ GRAPH {graph} {{ {activity} ; {stamp} \"{when}\" ."
                     f" <{BASE}conflict/{kind}> a <{fg}Conflict> ; <{fg}conflictKind> <{k}{kind}> ;"
                     f" <{fg}claimA> <{BASE}claim/a/1> ; <{fg}claimB> <{BASE}claim/b/1> }} }}")

    def listed(query: str = "") -> list[str]:
        return [c["conflict"] for c in json.loads(client.get("/conflicts.json" + query).data)["conflicts"]]

    write("tension", "2024-01-01T00:00:00Z")
    assert f'value="{k}tension"' in client.get("/conflicts").get_data(as_text=True)
    assert listed() == [f"{BASE}conflict/tension"] and listed(f"?kind={k}contradiction") == []
    write("contradiction", "2024-01-02T00:00:00Z")
    html = client.get("/conflicts").get_data(as_text=True)
    assert f'value="{k}contradiction"' in html and "2 conflicts" in html
    assert listed() == [f"{BASE}conflict/contradiction", f"{BASE}conflict/tension"]
    assert listed(f"?kind={k}contradiction") == [f"{BASE}conflict/contradiction"]
