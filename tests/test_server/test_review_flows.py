"""Reviewing through the site (issue #12), with Flask's test client on an embedded store
holding the built-in corpus: the refusals leave the store as it was (an N-Quads dump
before and after), the flows change what the pages show."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlsplit

import pytest

from factgraph.graph.pipeline import ensure_corpus
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris
from factgraph.server import create_app, users
from factgraph.server.query_pool import SITE, get_resident_pool

BASE = "http://127.0.0.1:5000/"
SECRET = "test secret, not for production"
FG = "https://w3id.org/factgraph/ontology#"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(app, store, users file, API token): review on, one reviewer 'alice'."""
    root = tmp_path_factory.mktemp("review")
    store = EmbeddedStore(root / "store")
    ensure_corpus(store, Iris(BASE))
    path = root / "users.json"
    users.add(path, "alice", "correct horse")
    token = users.new_token(path, "alice")
    app = create_app({"BASE": BASE, "USERS": str(path), "SECRET_KEY": SECRET, "TESTING": True}, store=store)
    yield app, store, path, token
    store.close()


def dump(store) -> list[str]:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return sorted(out.getvalue().decode().splitlines())


def select(store, query: str) -> list:
    return list(store.query(query))


@pytest.fixture(scope="module")
def conflict_claim(site):
    """A claim in a conflict, another claimant and another place than its own."""
    _, store, _, _ = site
    rows = select(
        store,
        f"""SELECT ?claim ?claimant ?place WHERE {{
        ?c a <{FG}Conflict> ; <{FG}claimA> ?claim . ?claim <{FG}claimant> ?claimant ; <{FG}place> ?place }}
        ORDER BY ?claim LIMIT 1""",
    )
    claim, claimant, place = (str(v) for v in rows[0])
    other = select(
        store,
        f"""SELECT ?o WHERE {{ ?x <{FG}claimant> ?o FILTER(?o != <{claimant}>) }} ORDER BY ?o LIMIT 1""",
    )
    where = select(
        store, f"""SELECT ?p WHERE {{ ?p a <{FG}Place> FILTER(?p != <{place}>) }} ORDER BY ?p LIMIT 1"""
    )
    return claim, str(other[0][0]), str(where[0][0])


def page_path(iri: str) -> str:
    return urlsplit(iri).path + ".html"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def logged_in(app):
    app.extensions.pop("factgraph.login_limiter", None)  # these tests log in more than 10 times a minute
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"name": "alice", "password": "correct horse", "csrf_token": token})
    assert resp.status_code == 303
    return client, csrf_of(client.get("/login").get_data(as_text=True))  # a new session, a new token


def reading_form(claim: str, claimant: str, place: str, **extra) -> dict:
    return {
        "claim": claim,
        "action": "corrected",
        "claimant": claimant,
        "quantity": "https://w3id.org/factgraph/quantity/civilian_deaths",
        "bound": "https://w3id.org/factgraph/bound/at_least",
        "value": "3 900",
        "place": place,
        **extra,
    }


def test_anonymous_readers_see_the_reading_and_no_form(site, conflict_claim):
    app, *_ = site
    html = app.test_client().get(page_path(conflict_claim[0])).get_data(as_text=True)
    assert 'class="review"' in html and "machine reading" in html
    assert "/review/revise" not in html and 'href="/login' in html


def test_writes_without_a_session_are_401_with_the_login_link(site, conflict_claim):
    app, store, _, _ = site
    before = dump(store)
    claim, claimant, place = conflict_claim
    for path, data in (
        ("/review/revise", reading_form(claim, claimant, place)),
        ("/review/verdict", {"claim": claim, "rating": "false", "explanation": "x"}),
        ("/review/undo", {"claim": claim, "revision": claim}),
        ("/review/add", {"article": claim, "start": "1", "end": "2"}),
    ):
        resp = app.test_client().post(path, data=data)
        assert resp.status_code == 401, path
        assert resp.get_data(as_text=True) == "log in as a reviewer first: /login\n"
    resp = app.test_client().post(
        "/review/revise",
        data=reading_form(claim, claimant, place),
        headers={"Authorization": "Bearer fgt_not-a-token"},
    )
    assert resp.status_code == 401 and resp.get_data(as_text=True) == "invalid API token\n"
    assert dump(store) == before


def test_writes_without_or_with_a_wrong_csrf_token_are_400(site, conflict_claim):
    app, store, _, _ = site
    client, _ = logged_in(app)
    before = dump(store)
    claim, claimant, place = conflict_claim
    resp = client.post("/review/revise", data=reading_form(claim, claimant, place))
    assert resp.status_code == 400 and "The CSRF token is missing." in resp.get_data(as_text=True)
    resp = client.post("/review/revise", data=reading_form(claim, claimant, place, csrf_token="forged"))
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    assert dump(store) == before


def test_a_wrong_password_and_the_eleventh_try_leave_the_store_unchanged(site):
    app, store, _, _ = site
    before = dump(store)
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    statuses = [
        client.post(
            "/login",
            data={"name": "bob", "password": "guess", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.1.1.1"},
        ).status_code
        for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    assert dump(store) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": "trois mille"}, "value: 'trois mille' is not a number"),
        ({"claimant": "not an iri"}, "claimant: 'not an iri' is not an IRI"),
        ({"claimant": ""}, "claimant: missing"),
        ({"action": "deleted"}, "action: 'deleted' is not one of confirmed, corrected, not_a_claim"),
        ({"bound": "https://w3id.org/factgraph/bound/nearly"}, "bound"),
        ({"period_start": "2019-13"}, "period_start"),
    ],
)
def test_invalid_values_are_400_in_one_line(site, conflict_claim, change, message):
    app, store, _, _ = site
    client, token = logged_in(app)
    before = dump(store)
    claim, claimant, place = conflict_claim
    resp = client.post(
        "/review/revise", data={**reading_form(claim, claimant, place), "csrf_token": token, **change}
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400, text
    assert text.count("\n") == 1 and message in text
    assert dump(store) == before


def test_invalid_verdicts_are_400(site, conflict_claim):
    app, store, _, _ = site
    client, token = logged_in(app)
    before = dump(store)
    claim = conflict_claim[0]
    for data, message in (
        ({"rating": "pants on fire", "explanation": "x"}, "rating"),
        ({"rating": "false", "explanation": "x", "urls": "javascript:alert(1)"}, "url"),
        ({"rating": "false", "explanation": "x", "evidence": "nope"}, "evidence"),
    ):
        resp = client.post("/review/verdict", data={"claim": claim, "csrf_token": token, **data})
        assert resp.status_code == 400 and message in resp.get_data(as_text=True).lower(), data
    assert dump(store) == before


def test_correct_then_undo(site, conflict_claim):
    app, store, _, _ = site
    client, token = logged_in(app)
    claim, claimant, place = conflict_claim
    resp = client.post(
        "/review/revise",
        data={**reading_form(claim, claimant, place, note="read again"), "csrf_token": token},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == urlsplit(claim).path
    html = client.get(page_path(claim)).get_data(as_text=True)
    section = html[html.index('class="review"') :]
    assert "corrected, reviewed by alice" in section
    assert (
        f'href="{urlsplit(claimant).path}"' in section.split("<h3>")[0]
    )  # the new claimant in the current reading
    assert f'href="{urlsplit(place).path}"' in section.split("<h3>")[0]
    assert 'class="revision"' in section and "read again" in section
    revision = re.search(r'name="revision" value="([^"]+)"', section).group(1)
    # the revision is in the store, in the article's review graph, with its provenance
    rows = select(
        store,
        f"""SELECT ?g ?who WHERE {{ GRAPH ?g {{ <{revision}> <http://www.w3.org/ns/prov#wasAttributedTo> ?who ;
        <http://www.w3.org/ns/prov#wasRevisionOf> <{claim}> }} }}""",
    )
    assert [(str(g).startswith(BASE + "graph/review/"), str(w)) for g, w in rows] == [
        (True, BASE + "reviewer/alice")
    ]
    resp = client.post("/review/undo", data={"claim": claim, "revision": revision, "csrf_token": token})
    assert resp.status_code == 303
    html = client.get(page_path(claim)).get_data(as_text=True)
    section = html[html.index('class="review"') :]
    assert "machine reading" in section and "revision undone" in section


def test_a_program_writes_with_its_token(site, conflict_claim):
    app, store, _, token = site
    claim = conflict_claim[0]
    client = app.test_client()
    resp = client.post(
        "/review/revise",
        data={"claim": claim, "action": "confirmed"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = json.loads(resp.get_data(as_text=True))
    assert body["claim"] == claim and body["revision"].startswith(BASE)
    resp = client.post(
        "/review/undo",
        data={"claim": claim, "revision": body["revision"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 200


def test_a_verdict_has_its_page_with_claimreview_json_ld(site, conflict_claim):
    app, store, _, _ = site
    client, token = logged_in(app)
    claim = conflict_claim[0]
    html = client.get(page_path(claim)).get_data(as_text=True)
    evidence = re.findall(r'name="evidence" value="([^"]+)"', html)
    assert evidence  # the claim's conflicts and the claims they oppose are offered
    resp = client.post(
        "/review/verdict",
        data={
            "claim": claim,
            "csrf_token": token,
            "rating": "misleading",
            "explanation": "The coalition counts only strikes it confirmed.",
            "evidence": evidence[:2],
            "urls": "https://example.org/report\n",
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    location = resp.headers["Location"]
    assert location.startswith("/verdict/")
    page = client.get(location + ".html").get_data(as_text=True)
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    markup = json.loads(found.group(1))
    assert markup["@type"] == "ClaimReview" and markup["url"] == BASE + location[1:]
    assert markup["reviewRating"]["alternateName"].lower() == "misleading"
    assert "The coalition counts only strikes it confirmed." in page
    assert "https://example.org/report" in page
    claim_page = client.get(page_path(claim)).get_data(as_text=True)
    assert location in claim_page  # the claim page links its verdict
    feed = json.loads(app.test_client().get("/claimreview.json").get_data(as_text=True))
    assert [e["url"] for e in feed["dataFeedElement"] if "url" in e] or feed["dataFeedElement"]
    assert BASE + location[1:] in json.dumps(feed)


def test_add_a_claim_the_extractor_missed(site):
    app, store, _, _ = site
    client, token = logged_in(app)
    article, text = (
        str(v)
        for v in select(
            store,
            """SELECT ?a ?t WHERE { ?a a <https://schema.org/NewsArticle> ;
        <https://schema.org/text> ?t } ORDER BY ?a LIMIT 1""",
        )[0]
    )
    html = client.get(page_path(article)).get_data(as_text=True)
    assert 'form class="add-claim"' in html and 'src="/static/review.js"' in html
    offset = int(re.search(r'data-offset="(\d+)"', html).group(1))
    start = text.index(".", offset + 10) + 2  # the second sentence, as the script would give it
    end = text.index(".", start) + 1
    before = dump(store)
    claimant = select(store, f"SELECT ?o WHERE {{ ?x <{FG}claimant> ?o }} ORDER BY ?o LIMIT 1")[0][0]
    data = {
        "article": article,
        "start": str(start),
        "end": str(end),
        "claimant": str(claimant),
        "csrf_token": token,
        "quantity": "https://w3id.org/factgraph/quantity/civilian_deaths",
        "value": "12",
    }
    resp = client.post("/review/add", data={**data, "end": str(len(text) + 5)})
    assert resp.status_code == 400 and "start:" in resp.get_data(as_text=True)
    assert dump(store) == before
    resp = client.post("/review/add", data=data)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = client.get(resp.headers["Location"] + ".html").get_data(as_text=True)
    assert "added, reviewed by alice" in page


def test_review_pages_speak_french(site, conflict_claim):
    app, *_ = site
    client, _ = logged_in(app)
    html = client.get(page_path(conflict_claim[0]) + "?lang=fr").get_data(as_text=True)
    assert 'lang="fr"' in html and "Historique" in html and "Rendre un verdict" in html
    assert "Se déconnecter" in html
    queue = client.get("/review?lang=fr").get_data(as_text=True)
    assert "File de vérification" in queue and "Touches : j / k" in queue
    login = app.test_client().get("/login?lang=fr").get_data(as_text=True)
    assert 'lang="fr"' in login and "Mot de passe" in login


def test_the_home_page_counts_follow_a_review(site):
    """The counts are cached per store version; a write in the serving process is seen at once."""
    app, store, _, _ = site
    client, token = logged_in(app)

    def waiting() -> int:
        html = client.get("/").get_data(as_text=True)
        return int(
            re.search(r'class="review-counts"><a href="/review"[^>]*><strong>(\d+)</strong>', html).group(1)
        )

    queue = client.get("/review").get_data(as_text=True)
    first = re.search(r'class="queue-link" href="([^"?]+)', queue).group(1)
    count = waiting()
    assert count >= 1 and waiting() == count  # the second from the cache
    resp = client.post(
        "/review/revise", data={"claim": BASE + first[1:], "action": "confirmed", "csrf_token": token}
    )
    assert resp.status_code == 303
    assert waiting() == count - 1  # a reviewed claim leaves the queue
    assert first not in client.get("/review").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_capped_queue_counts_show_a_plus(site, monkeypatch, lang):
    """Above the cap (here 1, at 100k claims 1000) the counts read "1+" with a title saying
    at least that many, on /review and on the home page, in both languages."""
    from factgraph.graph import review_queue

    app, *_ = site
    client, _ = logged_in(app)
    monkeypatch.setattr(review_queue, "COUNT_CAP", 1)
    app.extensions.pop("factgraph.cache.queue_counts", None)  # the home page's counts, cached
    # pages are rendered by resident workers forked before the patch: fork new ones
    with app.app_context():
        get_resident_pool(SITE).close()
    title = {"en": "at least 1 ", "fr": "au moins 1 "}[lang]
    queue = client.get(f"/review?lang={lang}").get_data(as_text=True)
    assert re.search(rf'<span title="{title}[^"]*">1\+</span>', queue)
    home = client.get(f"/?lang={lang}").get_data(as_text=True)
    total = re.search(
        r'class="review-counts"><a href="/review"[^>]*><strong title="[^"]+">(\d+)\+</strong>', home
    )
    assert total and int(total.group(1)) >= 2
    app.extensions.pop("factgraph.cache.queue_counts", None)


def test_the_queue_filters_by_source(site):
    app, *_ = site
    client = app.test_client()
    html = client.get("/review").get_data(as_text=True)
    sources = re.findall(r'<select name="source">.*?</select>', html, re.S)[0]
    value = re.findall(r'<option value="([^"]+)"', sources)[0]
    filtered = client.get("/review", query_string={"source": value}).get_data(as_text=True)
    assert filtered.count('class="queue-link"') <= html.count('class="queue-link"')
    assert client.get("/review", query_string={"source": "a>b"}).status_code == 400


def test_not_a_claim_drops_out_of_the_conflicts_and_undo_brings_it_back(site):
    app, store, _, _ = site
    client, token = logged_in(app)
    claim = str(
        select(
            store,
            f"""SELECT ?claim WHERE {{ ?c a <{FG}Conflict> ; <{FG}claimB> ?claim }}
        ORDER BY DESC(?claim) LIMIT 1""",
        )[0][0]
    )

    def conflicts() -> int:
        return len(
            select(
                store,
                f"""SELECT ?c WHERE {{ ?c a <{FG}Conflict> .
            {{ ?c <{FG}claimA> <{claim}> }} UNION {{ ?c <{FG}claimB> <{claim}> }} }}""",
            )
        )

    assert conflicts() >= 1
    resp = client.post("/review/revise", data={"claim": claim, "action": "not_a_claim", "csrf_token": token})
    assert resp.status_code == 303
    assert resp.headers.get("Cache-Control") is None or "no-store" in resp.headers["Cache-Control"]
    html = client.get(page_path(claim)).get_data(as_text=True)
    assert (
        'class="not-a-claim"' in html and "private" in client.get(page_path(claim)).headers["Cache-Control"]
    )
    assert conflicts() == 0  # recomputed from the current readings
    revision = re.search(r'name="revision" value="([^"]+)"', html).group(1)
    assert (
        client.post(
            "/review/undo", data={"claim": claim, "revision": revision, "csrf_token": token}
        ).status_code
        == 303
    )
    assert conflicts() >= 1


def test_a_browser_without_a_session_gets_the_login_form_and_goes_back(site, conflict_claim):
    app, store, _, _ = site
    before = dump(store)
    claim, claimant, place = conflict_claim
    client = app.test_client()
    resp = client.post(
        "/review/revise",
        data=reading_form(claim, claimant, place),
        headers={"Accept": "text/html", "Referer": "http://localhost" + page_path(claim)},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 401 and "Log in as a reviewer first." in html and 'form class="login"' in html
    assert f'name="next" value="{page_path(claim)}"' in html
    assert dump(store) == before
