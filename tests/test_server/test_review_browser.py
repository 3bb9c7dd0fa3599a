"""Reviewing in a real browser (issue #12, "done when"): a ``factgraph serve`` process over
the built-in corpus with one reviewer, headless Chromium. Log in, correct a claim's
claimant and place, give a verdict with evidence, then find the new reading on the claim
page with its history, the verdict page with its embedded ClaimReview JSON-LD, the verdict
in ``/claimreview.json``, the revision and its provenance through ``/sparql``, and the
conflicts recomputed. No console error, no CSP violation.

With ``FACTGRAPH_SCREENSHOTS=1`` the screenshots go to ``docs/screenshots/``.
"""

from __future__ import annotations

import gc
import json
import urllib.parse
import urllib.request

import pytest

from factgraph.graph.store import EmbeddedStore
from factgraph.server import users

from .conftest import screenshot

BASE = "http://127.0.0.1:5000/"
FG = "https://w3id.org/factgraph/ontology#"
PROV = "http://www.w3.org/ns/prov#"


@pytest.fixture(scope="module")
def review_server(tmp_path_factory, factgraph_server):
    """(url, claim path, claim IRI, new claimant IRI, new place IRI)"""
    from factgraph.graph.pipeline import builtin_corpus, ingest

    root = tmp_path_factory.mktemp("review-browser")
    store_dir = root / "store"
    store = EmbeddedStore(store_dir)
    ingest(store, builtin_corpus())
    claim = str(
        next(
            iter(
                store.query(f"SELECT ?c WHERE {{ ?c <{FG}value> 3800 ; <{FG}claimant> <{BASE}agent/osdh> }}")
            )
        ).c
    )
    store.close()
    del store
    gc.collect()  # the embedded store's lock goes with its last reference
    users.add(root / "users.json", "alice", "correct horse")
    url = factgraph_server(
        store_dir,
        env={"FACTGRAPH_USERS": str(root / "users.json"), "FACTGRAPH_SECRET_KEY": "browser test secret"},
    )
    return url, "/" + claim.split("/", 3)[3], claim, BASE + "agent/coalition", BASE + "place/raqqa"


def sparql(url: str, query: str) -> list[dict]:
    req = urllib.request.Request(
        url + "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["results"]["bindings"]


def conflicts_of(url: str, claim: str) -> set[tuple[str, str]]:
    rows = sparql(
        url,
        f"""SELECT ?c ?other WHERE {{ ?c a <{FG}Conflict> .
        {{ ?c <{FG}claimA> <{claim}> ; <{FG}claimB> ?other }} UNION {{ ?c <{FG}claimB> <{claim}> ; <{FG}claimA> ?other }} }}""",
    )
    return {(r["c"]["value"], r["other"]["value"]) for r in rows}


def console_errors(browser) -> list:
    return [
        e
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE" or "Content Security Policy" in e["message"]
    ]


def test_review_a_claim_in_the_browser(review_server, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, path, claim, claimant, place = review_server
    before = conflicts_of(url, claim)
    assert before  # the OSDH's 3.800 is in conflict with the coalition's figures

    browser.get(url + "/login?next=" + urllib.parse.quote(path))
    browser.find_element(By.NAME, "name").send_keys("alice")
    browser.find_element(By.NAME, "password").send_keys("correct horse")
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()
    WebDriverWait(browser, 30).until(lambda b: "/login" not in b.current_url)
    assert browser.current_url.startswith(url + path)  # back to the claim after logging in
    assert "alice" in browser.find_element(By.CSS_SELECTOR, "nav.account").text
    screenshot(browser, tmp_path, "review-claim-en")

    form = browser.find_element(By.CSS_SELECTOR, "form.correct")
    Select(form.find_element(By.NAME, "claimant")).select_by_value(claimant)
    places = Select(form.find_element(By.NAME, "place"))
    places.deselect_all()
    places.select_by_value(place)
    form.find_element(By.NAME, "note").send_keys("the figure is the coalition's, for Raqqa")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, "ol.history li.revision"))

    section = browser.find_element(By.CSS_SELECTOR, "section.review")
    current = section.find_element(By.CSS_SELECTOR, "dl.reading")
    assert "corrected, reviewed by alice" in section.find_element(By.CSS_SELECTOR, ".reading-state").text
    assert current.find_element(By.CSS_SELECTOR, f'a[href="{urllib.parse.urlsplit(claimant).path}"]')
    assert current.find_element(By.CSS_SELECTOR, f'a[href="{urllib.parse.urlsplit(place).path}"]')
    history = section.find_elements(By.CSS_SELECTOR, "ol.history li.revision")
    assert len(history) == 1 and "alice" in history[0].text and "coalition's, for Raqqa" in history[0].text
    revision = history[0].find_element(By.NAME, "revision").get_attribute("value")

    form = browser.find_element(By.CSS_SELECTOR, "form.verdict")
    Select(form.find_element(By.NAME, "rating")).select_by_value("misleading")
    form.find_element(By.NAME, "explanation").send_keys("Two counts of different things were compared.")
    evidence = form.find_elements(By.NAME, "evidence")
    assert evidence
    evidence[0].click()
    chosen = evidence[0].get_attribute("value")
    form.find_element(By.NAME, "urls").send_keys("https://example.org/methodology")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda b: "/verdict/" in b.current_url)

    assert "/verdict/" in browser.current_url
    verdict_path = urllib.parse.urlsplit(browser.current_url).path.removesuffix(".html")
    verdict_iri = BASE + verdict_path[1:]
    markup = json.loads(
        browser.execute_script(
            "return document.querySelector('script[type=\"application/ld+json\"]').textContent"
        )
    )
    assert markup["@type"] == "ClaimReview" and markup["url"] == verdict_iri
    assert chosen in json.dumps(markup) or "https://example.org/methodology" in json.dumps(markup)
    screenshot(browser, tmp_path, "review-verdict-en")

    browser.get(url + path + ".html")  # the claim page: its reading, history and verdict
    page = browser.find_element(By.CSS_SELECTOR, "section.review").text
    browser.execute_script("document.getElementById('review').scrollIntoView()")
    screenshot(browser, tmp_path, "review-claim-reviewed-en")
    assert "corrected, reviewed by alice" in page and "Two counts of different things were compared." in page

    with urllib.request.urlopen(url + "/claimreview.json", timeout=30) as resp:
        feed = json.load(resp)
    assert verdict_iri in json.dumps(feed)

    rows = sparql(
        url,
        f"""SELECT ?g ?who ?of ?at WHERE {{ GRAPH ?g {{ <{revision}> <{PROV}wasAttributedTo> ?who ;
        <{PROV}wasRevisionOf> ?of ; <{PROV}generatedAtTime> ?at }} }}""",
    )
    assert [
        (r["g"]["value"].startswith(BASE + "graph/review/"), r["who"]["value"], r["of"]["value"])
        for r in rows
    ] == [(True, BASE + "reviewer/alice", claim)]
    after = conflicts_of(url, claim)
    assert after != before  # recomputed from the corrected reading

    browser.get(url + "/review")
    assert browser.find_elements(By.CSS_SELECTOR, "ol.queue a.queue-link")  # conflicts of the seed wait
    links = browser.find_elements(By.CSS_SELECTOR, "a.queue-link")
    ActionChains(browser).send_keys("jj").perform()  # j / k move between the claims (static/review.js)
    assert browser.switch_to.active_element == links[1]
    ActionChains(browser).send_keys("k").perform()
    assert browser.switch_to.active_element == links[0]
    screenshot(browser, tmp_path, "review-queue-en")
    browser.get(url + "/review?lang=fr")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    screenshot(browser, tmp_path, "review-queue-fr")
    assert not console_errors(browser)


def test_selecting_words_of_an_article_fills_the_add_a_claim_form(review_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, path, claim, _, _ = review_server
    rows = sparql(
        url,
        f"""SELECT ?a ?t WHERE {{ <{claim}> <https://schema.org/appearance>|<{PROV}wasDerivedFrom> ?a .
        ?a <https://schema.org/text> ?t }} LIMIT 1""",
    )
    article, text = rows[0]["a"]["value"], rows[0]["t"]["value"]
    browser.get(url + "/login?next=" + urllib.parse.quote("/" + article.split("/", 3)[3] + ".html"))
    if browser.find_elements(By.NAME, "password"):
        browser.find_element(By.NAME, "name").send_keys("alice")
        browser.find_element(By.NAME, "password").send_keys("correct horse")
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        WebDriverWait(browser, 30).until(lambda b: "/login" not in b.current_url)
    else:
        browser.get(url + "/" + article.split("/", 3)[3] + ".html")
    words = "la coalition"
    start = text.lower().index(words)
    # select the words as a reader would, from the text nodes of the article shown
    browser.execute_script(
        """const root = document.querySelector('.article-text .text'), words = arguments[0];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const at = n.data.toLowerCase().indexOf(words);
          if (at >= 0) { const r = document.createRange(); r.setStart(n, at); r.setEnd(n, at + words.length);
            const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); return; } }""",
        words,
    )
    form = browser.find_element(By.CSS_SELECTOR, "form.add-claim")
    WebDriverWait(browser, 10).until(lambda b: form.find_element(By.NAME, "start").get_attribute("value"))
    assert int(form.find_element(By.NAME, "start").get_attribute("value")) == start
    assert int(form.find_element(By.NAME, "end").get_attribute("value")) == start + len(words)
    assert form.find_element(By.CSS_SELECTOR, ".selection").text.lower() == words
    assert not console_errors(browser)
