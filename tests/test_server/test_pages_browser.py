"""The pages in a real browser: a server process (``flask run`` on the app factory, over
a store on disk) and headless Chromium driven by Selenium. Open the home page, follow an
article to a claim, see the highlighted quote and the conflict link: on the hand-written
fixture, and on the built-in seed ingested through the real pipeline (the OSDH's 3.800
against the coalition's 1.302, and the explicit dispute).

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package (the
``test`` extras); skipped, with the reason, when one is missing. With
``FACTGRAPH_SCREENSHOTS=1`` the screenshots are written to ``docs/screenshots/``.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from rdflib import Dataset

from factgraph.graph.store import EmbeddedStore

from .conftest import screenshot

FIXTURE = Path(__file__).resolve().parent.parent / "pages_fixture.trig"


@pytest.fixture(scope="module")
def server(tmp_path_factory, factgraph_server):
    store_dir = tmp_path_factory.mktemp("store")
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    store = EmbeddedStore(store_dir)
    store.add_quads(ds.quads((None, None, None, None)))
    store.close()
    return factgraph_server(store_dir)


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory, factgraph_server):
    """The built-in seed article ingested through the pipeline into a store on disk."""
    from factgraph.graph.pipeline import builtin_corpus, ingest

    store_dir = tmp_path_factory.mktemp("seed")
    store = EmbeddedStore(store_dir)
    ingest(store, builtin_corpus())
    found = [
        str(r.c)
        for r in store.query(
            "SELECT ?c WHERE { ?c <https://w3id.org/factgraph/ontology#value> 3800 ;"
            " <https://w3id.org/factgraph/ontology#claimant> <http://127.0.0.1:5000/agent/osdh> }"
        )
    ]
    osdh = "/" + found[0].split("/", 3)[3]  # the OSDH's 3.800, as the site links it
    store.close()
    del store
    gc.collect()  # the embedded store's lock goes with its last reference
    return factgraph_server(store_dir), osdh


def test_home_to_claim_shows_quote_and_conflict(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    assert "factgraph" in browser.title
    counts = browser.find_element(By.CSS_SELECTOR, "ul.counts").text
    assert "4" in counts and "Claims" in counts
    screenshot(browser, tmp_path, "home")

    browser.find_element(By.LINK_TEXT, "1.300 civils tués").click()
    assert browser.current_url.endswith("/article/seed.html")  # followed the 303
    marks = browser.find_elements(By.CSS_SELECTOR, "a.claim-mark")
    assert len(marks) == 3
    screenshot(browser, tmp_path, "article")

    browser.find_element(By.CSS_SELECTOR, 'a.claim-mark[href="/claim/seed/84"]').click()
    assert browser.current_url.endswith("/claim/seed/84.html")
    quote = browser.find_element(By.CSS_SELECTOR, "mark.quote")
    assert quote.is_displayed()
    assert quote.text.startswith("Il est probable que pas moins de 1.302 civils")
    assert quote.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"  # the stylesheet loaded
    conflict = browser.find_element(By.CSS_SELECTOR, "a.conflict-link")
    assert conflict.is_displayed() and "tension" in conflict.text
    screenshot(browser, tmp_path, "claim")

    conflict.click()
    assert browser.current_url.endswith("/conflict/abc123.html")


def test_source_chart_and_escaping_in_the_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(server + "/agent/coalition")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.timeline a")) == 3  # a mark per claim
    screenshot(browser, tmp_path, "source")
    browser.get(server + "/article/old")
    text = browser.find_element(By.CSS_SELECTOR, ".article-text .text").text
    assert "<script>alert('x')</script>" in text  # shown as text, never run
    assert browser.find_elements(By.CSS_SELECTOR, ".article-text script") == []


def test_seed_home_to_claim_shows_quote_and_conflicts(seed_server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    url, osdh = seed_server
    browser.get(url + "/")
    counts = browser.find_element(By.CSS_SELECTOR, "ul.counts").text
    assert "Claims" in counts and "Conflicts" in counts
    screenshot(browser, tmp_path, "seed-home")

    browser.find_element(By.CSS_SELECTOR, "ul.articles a").click()
    assert "/article/" in browser.current_url and browser.current_url.endswith(".html")
    assert len(browser.find_elements(By.CSS_SELECTOR, "a.claim-mark")) >= 5
    browser.find_element(By.CSS_SELECTOR, f'a[href="{osdh}"]').click()
    assert browser.current_url.endswith(osdh + ".html")  # followed the 303
    quote = browser.find_element(By.CSS_SELECTOR, "mark.quote")
    assert quote.is_displayed() and "3.800 morts civils" in quote.text
    links = browser.find_elements(By.CSS_SELECTOR, "a.conflict-link")
    assert links and any("tension" in a.text for a in links)
    screenshot(browser, tmp_path, "seed-claim")

    links[0].click()
    assert "/conflict/" in browser.current_url
    sides = browser.find_elements(By.CSS_SELECTOR, "section.side")
    assert len(sides) == 2
    assert [s.find_element(By.CSS_SELECTOR, "mark.quote").is_displayed() for s in sides] == [True, True]
    screenshot(browser, tmp_path, "seed-conflict")

    browser.get(url + "/conflicts")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.conflicts-report tbody tr")
    kinds = " ".join(r.text for r in rows)
    assert "tension" in kinds and "explicit dispute" in kinds
    screenshot(browser, tmp_path, "seed-conflicts")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_pages_a_fact_checker_reads(seed_server, browser, tmp_path, lang):
    """Home, article, claim, conflict, source with its chart, /queries, a stored query's result
    and the workbench with an example run, in English and in French: each answers, shows no
    internal notation, no traceback and no console error; with FACTGRAPH_SCREENSHOTS=1 their
    screenshots go to docs/screenshots/ ({name}-{lang}.png)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    root, osdh = seed_server
    wait = WebDriverWait(browser, 20)
    browser.get(f"{root}/conflicts.json")
    import json

    conflict = json.loads(browser.find_element(By.TAG_NAME, "pre").text)["conflicts"][0]["conflict"]
    browser.get(f"{root}/?lang={lang}")
    article = browser.find_element(By.CSS_SELECTOR, "a[href^='/article/']").get_attribute("href")
    pages = {
        "home": f"{root}/?lang={lang}",
        "article": f"{article}?lang={lang}",
        "claim": f"{root}{osdh}?lang={lang}",
        "conflict": f"{conflict.replace('http://127.0.0.1:5000', root)}?lang={lang}",
        "source": f"{root}/agent/coalition?lang={lang}",
        "queries": f"{root}/queries",
        "stored-query": f"{root}/queries/claims_by_place?place=http://127.0.0.1:5000/place/syria",
    }
    for name, url in pages.items():
        browser.get(url)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "Traceback" not in body and "Internal Server Error" not in body, name
        if name in ("home", "article", "claim", "conflict", "source"):  # the pages written for readers
            assert "civilian_deaths" not in body and " date 2019" not in body, name  # no notation, no header
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, name
        screenshot(browser, tmp_path, f"{name}-{lang}")
    browser.get(f"{root}/sparql")
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    Select(browser.find_element(By.ID, "fg-examples")).select_by_visible_text("Claims by place")
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) >= 1)
    screenshot(browser, tmp_path, f"workbench-{lang}")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
