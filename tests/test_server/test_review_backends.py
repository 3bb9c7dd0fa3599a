"""The review flow of the site once on every backend (issue #12, "runs on the embedded
store and on both test servers"): the ``store`` fixture (embedded; the Oxigraph server and
Virtuoso when ``.ci/services.env`` is sourced), the built-in corpus ingested, the writes
through the site's forms. The store side is tested in depth in tests/test_graph/test_review.py."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlsplit

from factgraph.graph.pipeline import ensure_corpus
from factgraph.graph.terms import Iris
from factgraph.server import create_app, users

BASE = "http://127.0.0.1:5000/"
FG = "https://w3id.org/factgraph/ontology#"


def test_review_flow_on_each_backend(store, tmp_path):
    ensure_corpus(store, Iris(BASE))
    users.add(tmp_path / "users.json", "alice", "correct horse")
    app = create_app(
        {"BASE": BASE, "USERS": str(tmp_path / "users.json"), "SECRET_KEY": "s", "TESTING": True}, store=store
    )
    client = app.test_client()

    def token() -> str:
        return re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
        ).group(1)

    def quads() -> list[str]:
        out = io.BytesIO()
        store.dump(out, "nquads")
        return sorted(out.getvalue().decode().splitlines())

    assert (
        client.post(
            "/login", data={"name": "alice", "password": "correct horse", "csrf_token": token()}
        ).status_code
        == 303
    )
    claim, claimant = (
        str(v)
        for v in next(
            iter(store.query(f"SELECT ?c ?o WHERE {{ ?c <{FG}claimant> ?o ; <{FG}value> 3800 }} LIMIT 1"))
        )
    )
    other = str(
        next(
            iter(
                store.query(
                    f"SELECT ?o WHERE {{ ?x <{FG}claimant> ?o FILTER(?o != <{claimant}>) }} ORDER BY ?o LIMIT 1"
                )
            )
        )[0]
    )
    page = urlsplit(claim).path + ".html"
    form = {
        "claim": claim,
        "action": "corrected",
        "claimant": other,
        "value": "3800",
        "quantity": "https://w3id.org/factgraph/quantity/civilian_deaths",
        "csrf_token": token(),
    }

    before = quads()
    assert client.post("/review/revise", data={**form, "value": "beaucoup"}).status_code == 400
    assert client.post("/review/revise", data={**form, "csrf_token": "forged"}).status_code == 400
    assert app.test_client().post("/review/revise", data=form).status_code == 401
    assert quads() == before

    assert client.post("/review/revise", data=form).status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "corrected, reviewed by alice" in html and f'href="{urlsplit(other).path}"' in html
    revision = re.search(r'name="revision" value="([^"]+)"', html).group(1)
    assert (
        client.post(
            "/review/undo", data={"claim": claim, "revision": revision, "csrf_token": token()}
        ).status_code
        == 303
    )
    assert "machine reading" in client.get(page).get_data(as_text=True)

    resp = client.post(
        "/review/verdict",
        data={"claim": claim, "rating": "mixed", "explanation": "Partly counted.", "csrf_token": token()},
    )
    assert resp.status_code == 303
    verdict = client.get(resp.headers["Location"] + ".html").get_data(as_text=True)
    markup = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', verdict, re.S).group(1)
    )
    assert markup["@type"] == "ClaimReview" and markup["url"] == BASE + resp.headers["Location"][1:]
    assert markup["url"] in client.get("/claimreview.json").get_data(as_text=True)
