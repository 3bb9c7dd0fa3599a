"""schema.org ClaimReview from reviewers' verdicts only (issue #12), following Google's
ClaimReview structured-data documentation: a ``DataFeed`` whose ``dataFeedElement`` items
are ClaimReviews authored by the newsroom (``review.Newsroom``). Automatic conflicts and
sources' reliability assessments are never ClaimReviews (they stay ``fg:Conflict`` and
``fg:ReliabilityAssessment`` in the graph). No verdict: an empty feed.

Fields (Google: R required, r recommended): ClaimReview ``claimReviewed`` R (the claim as
the reviewer read it), ``reviewRating`` R (``alternateName`` R, ``ratingValue``,
``bestRating``, ``worstRating``, ``name`` r), ``url`` R (the verdict's page, which embeds
the same JSON-LD), ``author`` r (the newsroom: name, url, logo), ``datePublished`` r,
``itemReviewed`` r (a ``Claim`` with ``author``, ``datePublished``, ``appearance`` and
``firstAppearance`` r, each a ``CreativeWork`` with url and headline); and ``inLanguage``,
``reviewBody`` (the explanation), ``citation`` (the evidence and URLs the reviewer gave).
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef

from .catalogue import query_text
from .review import Newsroom, Reading, Verdict
from .review_readings import all_verdicts, current_reading
from .store import Store
from .terms import FGB

SCHEMA_CONTEXT = "https://schema.org"  # Google reads only this context


def _label(store: Store, iri: str, lang: str) -> tuple[str, bool]:
    """(label of ``iri`` in ``lang``, else English, else any, else its last segment; is a person)."""
    rows = list(store.query(query_text("export/label"), {"iri": URIRef(iri), "lang": Literal(lang)}))
    if not rows:
        return iri.rstrip("/").rsplit("/", 1)[-1], False
    d = rows[0].asdict()  # type: ignore[union-attr]
    name = d.get("wanted") or d.get("english") or d.get("any")
    return (str(name) if name is not None else iri.rstrip("/").rsplit("/", 1)[-1]), int(
        d.get("person") or 0
    ) > 0


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def summary(store: Store, reading: Reading, lang: str = "en") -> str:
    """The claim in a line, as the reviewer read it: "Coalition: at least 1,302 civilian
    deaths (Syria, Iraq, 2014-08 – 2019-04-30)"."""
    claimant, _ = _label(store, reading.claimant, lang)
    kind, _ = _label(store, reading.quantity, lang)
    if reading.bound == str(FGB.range):
        figure = f"{_number(reading.value)}–{_number(reading.value_high)}"
    elif reading.bound in (str(FGB.exact), str(FGB.vague)):
        figure = _number(reading.value)
    else:
        figure = f"{_label(store, reading.bound, lang)[0]} {_number(reading.value)}"
    scope = [_label(store, p, lang)[0] for p in reading.places]
    if reading.period_start or reading.period_end:
        scope.append(f"{reading.period_start or '…'} – {reading.period_end or '…'}")
    where = f" ({', '.join(scope)})" if scope else ""
    return f"{claimant}: {figure} {kind}{where}".replace("  ", " ")


def _organization(newsroom: Newsroom) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "Organization", "name": newsroom.name, "url": newsroom.url}
    if newsroom.logo:
        out["logo"] = {"@type": "ImageObject", "url": newsroom.logo}
    return out


def _review(store: Store, verdict: Verdict, newsroom: Newsroom) -> dict[str, Any] | None:
    reading = current_reading(store, verdict.claim)
    rows = list(store.query(query_text("export/claimreview_claim"), {"claim": URIRef(verdict.claim)}))
    if reading is None or not rows:  # the claim is read "not a claim", or gone (orphaned verdict)
        return None
    claim = rows[0].asdict()  # type: ignore[union-attr]
    lang = newsroom.language
    author_name, is_person = _label(store, reading.claimant, lang)
    article = str(claim["article"])
    appearance = {
        "@type": "CreativeWork",
        "url": str(claim.get("url") or article),
        "headline": str(claim.get("headline") or claim.get("quote") or article),
    }
    if claim.get("published") is not None:
        appearance["datePublished"] = str(claim["published"])
    if claim.get("language") is not None:
        appearance["inLanguage"] = str(claim["language"])
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": "Person" if is_person else "Organization", "name": author_name},
        "appearance": appearance,
        "firstAppearance": appearance,
    }
    stated = claim.get("statedOn") or claim.get("published")
    if stated is not None:
        item["datePublished"] = str(stated)
    rating_name = _rating_label(store, verdict, lang)
    return {
        "@type": "ClaimReview",
        "@id": verdict.iri + "#claimreview",
        "url": verdict.iri,
        "claimReviewed": summary(store, reading, lang),
        "datePublished": verdict.time[:10],
        "inLanguage": lang,
        "author": _organization(newsroom),
        "reviewBody": verdict.explanation,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": verdict.rating_value,
            "bestRating": verdict.best,
            "worstRating": verdict.worst,
            "alternateName": rating_name,
            "name": rating_name,
        },
        "itemReviewed": item,
        "citation": [*verdict.evidence, *verdict.urls],
    }


def _rating_label(store: Store, verdict: Verdict, lang: str) -> str:
    """The rating's label in ``lang`` as stored on the verdict, else its English label."""
    for row in store.query(
        query_text("review/rating_label"), {"verdict": URIRef(verdict.iri), "lang": Literal(lang)}
    ):
        return str(row[2])  # type: ignore[index]
    return verdict.rating_label


def claimreview(store: Store, verdict: Verdict, newsroom: Newsroom) -> dict[str, Any]:
    """One ClaimReview (JSON-LD with its ``@context``) for a verdict: what a verdict page
    embeds in ``<script type="application/ld+json">``; its ``url`` is the verdict IRI.
    Empty (``{}``) when the claim is now read "not a claim" or is gone."""
    review = _review(store, verdict, newsroom)
    return {"@context": SCHEMA_CONTEXT, **review} if review is not None else {}


def claimreview_feed(store: Store, newsroom: Newsroom) -> dict[str, Any]:
    """The ClaimReview of each claim's current verdict (the latest), newest first, as one
    schema.org ``DataFeed``
    (``/claimreview.json``, ``export --format claimreview``)."""
    reviews = [
        r for r in (_review(store, v, newsroom) for v in all_verdicts(store, latest=True)) if r is not None
    ]
    feed: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "DataFeed",
        "name": f"{newsroom.name}: fact checks",
        "url": newsroom.url,
        "inLanguage": newsroom.language,
        "author": _organization(newsroom),
        "dataFeedElement": reviews,
    }
    if reviews:
        feed["dateModified"] = max(r["datePublished"] for r in reviews)
    return feed
