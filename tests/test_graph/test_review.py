"""Reviews (issue #12) on every store backend: revisions, undo and history, added claims,
verdicts, refused values leaving the store as it was, conflicts recomputed from the
current readings, reviews kept across a re-ingest, the review queue and the ClaimReview
feed checked against Google's required and recommended fields."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV, RDF, RDFS

from factgraph.graph import conflicts, export, pipeline, review_queue, review_store
from factgraph.graph.claimreview import claimreview, claimreview_feed
from factgraph.graph.conflict_store import load_records
from factgraph.graph.review import (
    Newsroom,
    Reading,
    ReviewError,
    default_scale,
    load_scale,
    newsroom,
    overlay,
)
from factgraph.graph.terms import FG, FGB, Iris

BASE = "http://127.0.0.1:5000/"
IRIS = Iris(BASE)
SEED_ID = "000_3251fe7ca3d44669-38e6e6bba5fe"
OSDH_3800 = (
    f"{BASE}claim/{SEED_ID}/1276"  # "L'OSDH parle de plus de 3.800 morts civils ... en Syrie seulement"
)
COALITION_1300 = f"{BASE}claim/{SEED_ID}/151"
COALITION_1302 = f"{BASE}claim/{SEED_ID}/891"
REPORTS_111 = f"{BASE}claim/{SEED_ID}/1033"
SEED_TEXT = pipeline.builtin_corpus()[0].read_text(encoding="utf-8")


@pytest.fixture
def seeded(store):
    """An empty store of each backend with the built-in corpus and one reviewer."""
    pipeline.ingest(store, pipeline.builtin_corpus(), IRIS)
    return store, review_store.ensure_reviewer(store, IRIS, "alice")


def nquads(store) -> set[str]:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return {line for line in out.getvalue().decode("utf-8").splitlines() if line.strip()}


def pairs(found) -> set[frozenset[str]]:
    return {frozenset((c.a, c.b)) for c in found if c.is_conflict}


def test_revise_undo_and_history(seeded):
    store, alice = seeded
    machine = review_store.machine_reading(store, OSDH_3800)
    assert machine.value == 3800 and machine.bound == str(FGB.more_than)
    assert (
        review_store.current_reading(store, OSDH_3800) == machine
        and review_store.history(store, OSDH_3800) == []
    )

    corrected = replace(machine, claimant=BASE + "agent/coalition", places=(BASE + "place/iraq",))
    first = review_store.revise(store, IRIS, OSDH_3800, alice, "corrected", corrected, note="misread source")
    assert review_store.current_reading(store, OSDH_3800) == corrected
    second = review_store.revise(store, IRIS, OSDH_3800, alice, "not_a_claim")
    assert review_store.current_reading(store, OSDH_3800) is None
    assert [r.iri for r in review_store.history(store, OSDH_3800)] == [second.iri, first.iri]
    assert second.previous == first.iri and first.previous == OSDH_3800

    # provenance, in the article's own review graph, apart from what the article said
    review = store.graph(IRIS.review_graph(SEED_ID))
    node = URIRef(first.iri)
    assert (node, RDF.type, FG.Revision) in review
    assert (node, PROV.wasRevisionOf, URIRef(OSDH_3800)) in review
    assert (node, PROV.wasAttributedTo, URIRef(alice)) in review
    assert review.value(node, PROV.generatedAtTime) is not None
    assert (node, FG.revisedClaimant, URIRef(BASE + "agent/coalition")) in review
    assert not any(True for _ in store.graph(IRIS.article_graph(SEED_ID)).triples((node, None, None)))

    review_store.undo(store, IRIS, second.iri, alice)  # an undo restores the previous reading
    assert review_store.current_reading(store, OSDH_3800) == corrected
    newest = review_store.history(store, OSDH_3800)[0]
    assert newest.iri == second.iri and newest.undone and newest.undone_by == alice
    review_store.undo(store, IRIS, first.iri, alice)
    assert review_store.current_reading(store, OSDH_3800) == machine
    assert all(r.undone for r in review_store.history(store, OSDH_3800))
    assert set(store.graph(IRIS.review_graph(SEED_ID)).subjects(RDF.type, FG.Revision)) == {
        URIRef(first.iri),
        URIRef(second.iri),
    }  # nothing was deleted


def test_conflicts_are_recomputed_from_current_readings(seeded):
    store, alice = seeded
    before = pairs(conflicts.refresh(store, IRIS))
    assert frozenset((OSDH_3800, COALITION_1300)) in before

    review_store.revise(store, IRIS, OSDH_3800, alice, "not_a_claim")  # drops out of the conflicts
    assert OSDH_3800 not in {c for pair in pairs(conflicts.refresh(store, IRIS)) for c in pair}
    assert OSDH_3800 not in {r.iri for r in load_records(store, IRIS)}
    last = review_store.history(store, OSDH_3800)[0]
    review_store.undo(store, IRIS, last.iri, alice)
    assert pairs(conflicts.refresh(store, IRIS)) == before

    # corrected to the coalition's own order of magnitude: compared with the corrected values
    machine = review_store.machine_reading(store, OSDH_3800)
    review_store.revise(store, IRIS, OSDH_3800, alice, "corrected", replace(machine, value=1310.0))
    record = next(r for r in load_records(store, IRIS) if r.iri == OSDH_3800)
    assert record.value == 1310 and record.low == 1310
    assert frozenset((OSDH_3800, COALITION_1300)) not in pairs(conflicts.refresh(store, IRIS))


def _conflicts_graph(store) -> set:
    return {t for t in store.graph(IRIS.conflicts_graph) if t[1] != PROV.endedAtTime}


def test_review_writes_refresh_the_conflicts_incrementally_as_a_full_recompute_would(seeded, conflict_refreshes):
    """Each review write judges again only what the article's claims, as they were and as
    they are, can meet; the conflicts graph is then the one a full recompute writes: after
    a correction moving a claim to another source, place, period and value, "not a claim",
    an undo and a claim added by the reviewer."""
    store, alice = seeded
    full, outcomes = conflict_refreshes.full, conflict_refreshes.outcomes
    machine = review_store.machine_reading(store, OSDH_3800)
    moved = replace(
        machine,
        claimant=BASE + "agent/coalition",
        places=(BASE + "place/iraq",),
        period_end="2017-12",
        value=2.0 * (machine.value or 1),
    )
    steps = [
        lambda: review_store.revise(store, IRIS, OSDH_3800, alice, "corrected", moved),
        lambda: review_store.revise(store, IRIS, COALITION_1302, alice, "not_a_claim"),
        lambda: review_store.undo(store, IRIS, review_store.history(store, OSDH_3800)[0].iri, alice),
        lambda: review_store.revise(
            store,
            IRIS,
            COALITION_1300,
            alice,
            "corrected",
            replace(review_store.machine_reading(store, COALITION_1300), value=9000.0),
        ),
        lambda: review_store.add_claim(
            store, IRIS, str(IRIS.article(SEED_ID)), 0, 40, replace(machine, value=12000.0), alice
        ),
    ]
    seen = []
    for step in steps:
        step()
        incremental = _conflicts_graph(store)
        seen.append(frozenset(incremental))
        conflicts.refresh(store, IRIS)
        assert _conflicts_graph(store) == incremental
    assert full == [] and len(outcomes) == len(steps)  # every write refreshed incrementally
    assert any(o.windowed for o in outcomes)  # around the claims' periods, not whole groups
    assert len(set(seen)) >= 3  # the writes changed the verdicts on the way


def test_overlay_is_pure_and_recomputes_the_interval(seeded):
    store, _ = seeded
    records = load_records(store, IRIS)
    reading = Reading(
        BASE + "agent/osdh",
        "https://w3id.org/factgraph/quantity/civilian_deaths",
        str(FGB.range),
        100.0,
        200.0,
    )
    out = overlay(records, {OSDH_3800: reading, COALITION_1300: None})
    assert len(out) == len(records) - 1
    changed = next(r for r in out if r.iri == OSDH_3800)
    assert (changed.low, changed.high, changed.bound, changed.places) == (100, 200, "range", frozenset())
    assert [r for r in out if r.iri not in (OSDH_3800,)] == [
        r for r in records if r.iri not in (OSDH_3800, COALITION_1300)
    ]


def test_add_claim_from_a_selected_sentence(seeded):
    store, alice = seeded
    sentence = "La coalition internationale assure prendre toutes les précautions nécessaires"
    start = SEED_TEXT.index(sentence)
    reading = Reading(
        BASE + "agent/coalition",
        "https://w3id.org/factgraph/quantity/civilian_deaths",
        str(FGB.at_least),
        7.0,
        places=(BASE + "place/syria",),
        period_start="2019-03",
        period_end="2019-03-24",
    )
    claim = review_store.add_claim(
        store, IRIS, f"{BASE}article/{SEED_ID}", start, start + len(sentence), reading, alice
    )
    assert claim == f"{BASE}claim/{SEED_ID}/r{start}-{start + len(sentence)}"
    assert review_store.machine_reading(store, claim) == reading
    [added] = review_store.history(store, claim)
    assert added.action == "added" and added.anchor_text == sentence and added.reviewer == alice
    assert claim in {r.iri for r in load_records(store, IRIS)}  # the conflicts see it
    review = store.graph(IRIS.review_graph(SEED_ID))
    assert (URIRef(claim), RDF.type, FG.FigureClaim) in review
    assert (URIRef(claim), PROV.wasAttributedTo, URIRef(alice)) in review
    labels = {label.language: str(label) for label in review.objects(URIRef(claim), RDFS.label)}
    assert set(labels) == {"en", "fr"} and "at least 7 civilian deaths" in labels["en"], labels
    with pytest.raises(ReviewError, match="already added"):
        review_store.add_claim(
            store, IRIS, f"{BASE}article/{SEED_ID}", start, start + len(sentence), reading, alice
        )


BAD_READINGS = [  # a field of a correction, and a value it may not take
    ("bound", {"bound": "x"}),
    ("claimant", {"claimant": BASE + "agent/nobody"}),
    ("claimant", {"claimant": "not an iri"}),
    ("places", {"places": (BASE + "place/atlantis",)}),
    ("value", {"value": None}),
    ("value", {"value": float("nan")}),
    ("value_high", {"bound": str(FGB.range), "value_high": 10.0}),
    ("period_end", {"period_end": "2019-13"}),
    ("period_end", {"period_start": "2019-05", "period_end": "2018"}),
]


def _bad_calls(store, alice: str) -> list[tuple[str, Any]]:
    machine = review_store.machine_reading(store, OSDH_3800)
    article = f"{BASE}article/{SEED_ID}"

    def correct(changes: dict[str, Any]) -> Any:
        return lambda: review_store.revise(
            store, IRIS, OSDH_3800, alice, "corrected", replace(machine, **changes)
        )

    def rate(*args: Any) -> Any:
        return lambda: review_store.give_verdict(store, IRIS, OSDH_3800, alice, *args)

    return [
        *((field, correct(changes)) for field, changes in BAD_READINGS),
        ("claim", lambda: review_store.revise(store, IRIS, BASE + "claim/nope/1", alice, "confirmed")),
        ("action", lambda: review_store.revise(store, IRIS, OSDH_3800, alice, "deleted")),
        (
            "reviewer",
            lambda: review_store.revise(store, IRIS, OSDH_3800, BASE + "reviewer/mallory", "confirmed"),
        ),
        ("reviewer", lambda: review_store.ensure_reviewer(store, IRIS, "bad name")),
        ("note", lambda: review_store.revise(store, IRIS, OSDH_3800, alice, "confirmed", note="x" * 6000)),
        ("rating", rate("pants-on-fire", "Because.")),
        ("explanation", rate("false", "  ")),
        ("evidence", rate("false", "Because.", (BASE + "claim/nope/2",))),
        ("urls", rate("false", "Because.", (), ("javascript:alert(1)",))),
        ("revision", lambda: review_store.undo(store, IRIS, BASE + "revision/nope/1/1", alice)),
        ("start", lambda: review_store.add_claim(store, IRIS, article, 10, 10**7, machine, alice)),
        (
            "article",
            lambda: review_store.add_claim(store, IRIS, BASE + "article/nope", 0, 10, machine, alice),
        ),
    ]


def test_invalid_values_are_refused_and_the_store_is_unchanged(seeded):
    store, alice = seeded
    before = nquads(store)
    for field, call in _bad_calls(store, alice):
        with pytest.raises(ReviewError) as err:
            call()
        message = str(err.value)
        assert message.startswith(field) and "\n" not in message, (field, message)
    assert nquads(store) == before
    revision = review_store.revise(store, IRIS, OSDH_3800, alice, "confirmed")
    review_store.undo(store, IRIS, revision.iri, alice)
    after = nquads(store)
    with pytest.raises(ReviewError, match="^revision: .* already undone"):
        review_store.undo(store, IRIS, revision.iri, alice)
    assert nquads(store) == after


# -- ClaimReview: Google's required (R) and recommended (r) fields, nothing else said ------

REQUIRED = {"claimReviewed", "reviewRating", "url"}
RECOMMENDED = {"author", "datePublished", "itemReviewed"}
RATING_REQUIRED = {"alternateName"}
RATING_RECOMMENDED = {"ratingValue", "bestRating", "worstRating", "name"}
CLAIM_RECOMMENDED = {"author", "datePublished", "appearance", "firstAppearance"}


def check_claimreview(review: dict[str, Any], site: str) -> list[str]:
    """What ``review`` lacks or gets wrong against Google's ClaimReview documentation."""
    problems = [f"missing {k}" for k in sorted((REQUIRED | RECOMMENDED | {"inLanguage"}) - review.keys())]
    if review.get("@type") != "ClaimReview":
        problems.append("@type")
    if not str(review.get("url", "")).startswith(site):
        problems.append("url not on the site")
    if not str(review.get("claimReviewed", "")).strip():
        problems.append("empty claimReviewed")
    author = review.get("author", {})
    if (
        author.get("@type") not in ("Organization", "Person")
        or not author.get("name")
        or not author.get("url")
    ):
        problems.append("author needs @type, name and url")
    rating = review.get("reviewRating", {})
    problems += [
        f"reviewRating missing {k}" for k in sorted((RATING_REQUIRED | RATING_RECOMMENDED) - rating.keys())
    ]
    if rating.keys() >= {"ratingValue", "bestRating", "worstRating"} and not (
        rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    ):
        problems.append("ratingValue outside worstRating..bestRating")
    item = review.get("itemReviewed", {})
    if item.get("@type") != "Claim":
        problems.append("itemReviewed is not a Claim")
    problems += [f"itemReviewed missing {k}" for k in sorted(CLAIM_RECOMMENDED - item.keys())]
    if not item.get("author", {}).get("name"):
        problems.append("claim author has no name")
    for key in ("appearance", "firstAppearance"):
        work = item.get(key, {})
        if work.get("@type") != "CreativeWork" or not work.get("url") or not work.get("headline"):
            problems.append(f"{key} needs a CreativeWork with url and headline")
    return problems


def check_feed(feed: dict[str, Any], site: str) -> list[str]:
    problems = []
    if feed.get("@context") != "https://schema.org" or feed.get("@type") != "DataFeed":
        problems.append("not a schema.org DataFeed")
    for review in feed.get("dataFeedElement", []):
        problems += check_claimreview(review, site)
    return problems


def test_no_verdict_means_an_empty_feed(seed_store):
    feed = claimreview_feed(seed_store, newsroom({}, BASE))
    assert check_feed(feed, BASE) == [] and feed["dataFeedElement"] == []
    assert json.loads(export.to_bytes(seed_store, "claimreview", BASE)) == feed
    assert "ClaimReview" not in export.to_bytes(seed_store, "claimreview", BASE).decode()


def test_verdicts_and_the_claimreview_feed(seeded):
    store, alice = seeded
    conflict = next(c for c in conflicts.refresh(store, IRIS) if {c.a, c.b} == {OSDH_3800, COALITION_1300})
    given = review_store.give_verdict(
        store,
        IRIS,
        OSDH_3800,
        alice,
        "mostly_true",
        "The Observatory counts deaths the coalition does not assess.",
        (COALITION_1300, IRIS.conflict(conflict.key)),
        ("https://www.syriahr.com/en/",),
    )
    assert (
        given.iri.startswith(BASE + "verdict/")
        and given.rating_value == 5
        and (given.best, given.worst) == (6, 1)
    )
    assert review_store.verdict(store, given.iri) == given
    assert review_store.verdicts_of(store, OSDH_3800) == [given]
    assert review_store.verdict(store, BASE + "verdict/nope") is None
    # a verdict takes the claim out of the review queue
    assert OSDH_3800 not in {i.claim for i in review_queue.review_queue(store, limit=1000)}

    room = Newsroom("Vérif", "https://verif.example.org/", "https://verif.example.org/logo.png")
    feed = claimreview_feed(store, room)
    assert check_feed(feed, BASE) == []
    [review] = feed["dataFeedElement"]
    # nothing a reviewer did not say: their rating, words and evidence; the newsroom as author
    assert review["url"] == given.iri and review["reviewBody"] == given.explanation
    assert (
        review["reviewRating"]["alternateName"] == "mostly true"
        and review["reviewRating"]["ratingValue"] == 5
    )
    assert review["author"] == {
        "@type": "Organization",
        "name": "Vérif",
        "url": "https://verif.example.org/",
        "logo": {"@type": "ImageObject", "url": "https://verif.example.org/logo.png"},
    }
    assert set(review["citation"]) == {
        COALITION_1300,
        str(IRIS.conflict(conflict.key)),
        "https://www.syriahr.com/en/",
    }
    assert review["itemReviewed"]["author"]["name"].startswith(("Syrian Observatory", "Observatoire"))
    assert "3,800" in review["claimReviewed"]
    page = claimreview(store, given, room)
    assert page["@context"] == "https://schema.org" and check_claimreview(page, BASE) == []

    # a later verdict on the claim revises the earlier one: the feed has the newsroom's latest
    later = review_store.give_verdict(
        store, IRIS, OSDH_3800, alice, "true", "Confirmed by the Observatory's list."
    )
    assert later.previous == given.iri and review_store.verdicts_of(store, OSDH_3800) == [later, given]
    [review] = claimreview_feed(store, room)["dataFeedElement"]
    assert review["url"] == later.iri and review["reviewRating"]["ratingValue"] == 6

    # the reading a reviewer corrected is the one reviewed; "not a claim" leaves the feed
    machine = review_store.machine_reading(store, OSDH_3800)
    review_store.revise(store, IRIS, OSDH_3800, alice, "corrected", replace(machine, value=3900.0))
    assert "3,900" in claimreview_feed(store, room)["dataFeedElement"][0]["claimReviewed"]
    review_store.revise(store, IRIS, OSDH_3800, alice, "not_a_claim")
    assert claimreview_feed(store, room)["dataFeedElement"] == []
    with pytest.raises(ReviewError, match="^claim: "):
        review_store.give_verdict(store, IRIS, OSDH_3800, alice, "false", "Because.")


def test_rating_scale_from_a_file(tmp_path):
    assert [r.key for r in default_scale().ratings][:2] == ["true", "mostly_true"]
    path = tmp_path / "scale.json"
    path.write_text(
        json.dumps(
            {
                "ratings": [
                    {"key": "wrong", "value": 0, "labels": {"en": "Wrong"}},
                    {"key": "right", "value": 2},
                ]
            }
        )
    )
    scale = load_scale(path)
    assert (scale.best, scale.worst, scale.find("wrong").label(), scale.ratings[0].key) == (
        2,
        0,
        "Wrong",
        "right",
    )
    with pytest.raises(ReviewError, match="^rating: "):
        scale.find("true")
    path.write_text('{"ratings": [{"key": "x"}]}')
    with pytest.raises(ReviewError, match="^FACTGRAPH_RATING_SCALE: "):
        load_scale(path)


def test_review_queue(seeded):
    store, alice = seeded
    counts = review_queue.queue_counts(store)
    queue = review_queue.review_queue(store, limit=1000)
    assert counts["total"] == len(queue) and counts["conflict"] >= 2
    reasons = [i.reason for i in queue]
    # exact on a small store: each reason's count is its claims in the listing, none capped
    assert {r: counts[r] for r in review_queue.REASONS} == {r: reasons.count(r) for r in review_queue.REASONS}
    assert counts.capped == frozenset() and counts.shown("total") == str(len(queue))
    assert reasons == sorted(reasons, key=review_queue.REASONS.index)  # conflicts first
    assert {OSDH_3800, COALITION_1300} <= {i.claim for i in queue if i.reason == "conflict"}
    only = review_queue.review_queue(store, source=BASE + "agent/osdh", limit=1000)
    assert only and {i.source for i in only} == {BASE + "agent/osdh"}
    review_store.revise(store, IRIS, OSDH_3800, alice, "confirmed")  # reviewed claims leave the queue
    assert OSDH_3800 not in {i.claim for i in review_queue.review_queue(store, limit=1000)}
    assert review_queue.queue_counts(store)["total"] == counts["total"] - 1
    with pytest.raises(ReviewError, match="^kind: "):
        review_queue.review_queue(store, kind="not an iri")
    with pytest.raises(ReviewError, match="^source: "):
        review_queue.queue_counts(store, source="not an iri")


def test_queue_counts_stop_at_the_cap(seeded, monkeypatch):
    store, _ = seeded
    exact = review_queue.queue_counts(store)
    many = [r for r in review_queue.REASONS if exact[r] >= 2]
    assert many  # the corpus has a reason with two claims or more
    monkeypatch.setattr(review_queue, "COUNT_CAP", 1)
    capped = review_queue.queue_counts(store)
    for reason in review_queue.REASONS:
        assert capped[reason] == min(exact[reason], 1)
        assert (reason in capped.capped) == (exact[reason] > 1)
    assert "total" in capped.capped and capped["total"] == sum(min(exact[r], 1) for r in review_queue.REASONS)
    assert capped.shown(many[0]) == "1+" and capped.shown("total") == f"{capped['total']}+"


def _article(tmp_path: Path, text: str, name: str = "reviewed.txt") -> Path:
    path = tmp_path / name
    path.write_text(f" date 2019-05\nurl: https://news.example.org/coalition\n\n{text}", encoding="utf-8")
    return path


def _claims(done, words: str) -> str:
    x = done.extractions[0]
    return next(str(IRIS.claim(c.key)) for c in x.claims if words in c.sentence.text)


def test_reingest_keeps_reviews_and_lists_orphans(store, tmp_path):
    body = SEED_TEXT.split("2019-05 ", 1)[1]
    done = pipeline.ingest(store, [_article(tmp_path, body)], IRIS)
    alice = review_store.ensure_reviewer(store, IRIS, "alice")
    osdh, reports = _claims(done, "3.800"), _claims(done, "111 rapports")
    machine = review_store.machine_reading(store, osdh)
    corrected = replace(machine, places=(BASE + "place/syria", BASE + "place/iraq"))
    review_store.revise(store, IRIS, osdh, alice, "corrected", corrected)
    review_store.revise(store, IRIS, reports, alice, "confirmed")
    given = review_store.give_verdict(store, IRIS, osdh, alice, "false", "Counted twice.")

    changed = ("Un paragraphe ajouté en tête décale tout le texte.\n\n" + body).replace(
        "examinait 111 rapports", "examinait encore 112 rapports"
    )
    again = pipeline.ingest(store, [_article(tmp_path, changed)], IRIS)
    assert again.plans[0].replaces  # the same article (same URL), its text changed
    moved = _claims(again, "3.800")
    assert moved != osdh  # its offset moved with the text
    assert review_store.current_reading(store, moved) == corrected
    assert review_store.verdicts_of(store, moved)[0].iri == given.iri
    [orphan] = review_store.orphaned(store)
    assert orphan.claim == reports and orphan.anchor_text.startswith("La coalition a ajouté")
    assert store.graph(IRIS.review_graph(done.extractions[0].article.id))
    # and the conflicts read the re-attached correction
    assert next(r for r in load_records(store, IRIS) if r.iri == moved).places == frozenset(corrected.places)


def test_reviews_follow_the_article_to_its_new_file_name(store, tmp_path):
    body = SEED_TEXT.split("2019-05 ", 1)[1]
    done = pipeline.ingest(store, [_article(tmp_path, body, "first-name.txt")], IRIS)
    alice = review_store.ensure_reviewer(store, IRIS, "alice")
    osdh = _claims(done, "3.800")
    corrected = replace(review_store.machine_reading(store, osdh), value=3900.0)
    review_store.revise(store, IRIS, osdh, alice, "corrected", corrected)

    again = pipeline.ingest(store, [_article(tmp_path, body, "second-name.txt")], IRIS)
    old_id, new_id = done.extractions[0].article.id, again.extractions[0].article.id
    assert old_id != new_id and again.plans[0].replaces == (old_id,)
    moved = _claims(again, "3.800")
    assert review_store.current_reading(store, moved) == corrected and review_store.orphaned(store) == []
    assert IRIS.review_graph(old_id) not in store.graph_names()
    assert IRIS.review_graph(new_id) in store.graph_names()


def test_the_claimreview_feed_streamed_leaves_nothing_of_its_thread(seeded, collections_paused):
    """The feed is written in a thread of the export's (``export.stream``, as /claimreview.json
    and the downloads send it), whose queries read some results in part (a verdict's rating
    label: the first row). pyoxigraph's solutions may be freed only in the thread that made
    them (elsewhere pyo3 leaks them, with the engine they hold: CI's
    PytestUnraisableExceptionWarning "QuerySolutions is unsendable, but is being dropped on
    another thread"): none is left for a collection in another thread."""
    import gc

    from factgraph.graph.store import EmbeddedStore

    store, alice = seeded
    if not isinstance(store, EmbeddedStore):
        pytest.skip("pyoxigraph's solutions: an embedded store's")
    review_store.give_verdict(store, IRIS, OSDH_3800, alice, "mostly_true", "Counted by the Observatory.")

    def alive() -> set[int]:
        return {id(o) for o in gc.get_objects() if type(o).__name__ in ("QuerySolutions", "QueryTriples")}

    gc.collect()  # no collection after this one: a cycle stays until the test collects
    before = alive()
    feed = json.loads(b"".join(export.stream(store, "claimreview", BASE)))
    assert len(feed["dataFeedElement"]) == 1
    assert not alive() - before
    gc.collect()  # in this thread: what a cycle held would be dropped here
    assert not collections_paused
