"""What the pages show of reviews (issue #12), read through the graph's review API
(``graph/review_store.py``, ``review_queue.py``, ``claimreview.py``): a claim's current
reading, its history and verdicts, with the review forms for a logged-in reviewer; the
page of a verdict with its ClaimReview JSON-LD; the review queue; the ClaimReview feed.

Everything here only reads, and runs in a query worker like every page; the writes are
``..reviews`` (in the serving process).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import Response, current_app, request
from rdflib import Literal, URIRef

from factgraph.graph import claimreview, review, review_queue, review_store

from ..current_store import get_store
from ..errors import filter_iris
from .described import Described, describe, generic_page, title_of, vocabulary_labels
from .language import UI, Labels, current_lang
from .rendering import fg, page, rows, store_version

FIELDS = ("claimant", "place", "quantity", "bound", "confidence")


def rating_scale() -> review.RatingScale:
    """The newsroom's scale (``RATING_SCALE``: a JSON or TOML file), read once per app."""
    app = current_app
    scale = app.extensions.get("factgraph.rating_scale")
    if scale is None:
        scale = review.rating_scale({"FACTGRAPH_RATING_SCALE": app.config.get("RATING_SCALE") or ""})
        app.extensions["factgraph.rating_scale"] = scale
    return scale


def newsroom() -> review.Newsroom:
    """The ClaimReview author, from the settings ``NEWSROOM_NAME``, ``NEWSROOM_URL`` (default:
    the base), ``NEWSROOM_LOGO``, ``NEWSROOM_LANGUAGE`` (``FACTGRAPH_NEWSROOM_*``)."""
    config = current_app.config
    env = {f"FACTGRAPH_{k}": str(v) for k, v in config.items() if k.startswith("NEWSROOM_") and v}
    return review.newsroom(env, base=config["BASE"])


def _choice_rows() -> list[tuple[str, URIRef, Literal | None]]:
    """``review_choices``' rows, cached with the store's version (``rendering.store_version``)
    like the home page's counts: the query scans every claim (330-430 ms at 100k claims)."""
    version = store_version()
    cached = current_app.extensions.get("factgraph.cache.review_choices")
    if cached is not None and cached[0] == version:
        return cached[1]
    found = [(str(row.field), row.value, row.label) for row in rows("review_choices")]
    current_app.extensions["factgraph.cache.review_choices"] = (version, found)
    return found


def choices(labels: Labels) -> dict[str, list[tuple[str, str]]]:
    """The values each field of a reading may take, labelled, sorted by label."""
    found: dict[str, set[str]] = defaultdict(set)
    for field, value, label in _choice_rows():
        labels.add(value, label)
        found[field].add(str(value))
    return {
        name: sorted(((v, labels.get(v)) for v in found.get(name, ())), key=lambda t: t[1].lower())
        for name in FIELDS
    }


@dataclass(frozen=True)
class ClaimReview:
    """What the claim page shows of reviews."""

    reading: review.Reading | None  # None: "not a claim", or unreviewed and no reviewer (shown above)
    reviewed: review.Revision | None  # the revision the current reading comes from, if any
    history: list[review.Revision]
    verdicts: list[review.Verdict]
    choices: dict[str, list[tuple[str, str]]]
    scale: review.RatingScale
    rating_labels: dict[str, str]  # rating IRI -> label in the page's language


def claim_review(iri: URIRef, labels: Labels, reviewer: str | None) -> ClaimReview:
    """The reviews of a claim. The current reading is the latest revision not undone
    (``history`` is newest first, as ``review_store.current_reading`` reads it); with none,
    it is the machine reading the page already shows above, so it is read again
    (``machine_reading``) only for a reviewer's forms: on 100k claims that read costs
    seconds (docs/performance.md) and a reader does not need it twice."""
    store = get_store()
    claim = str(iri)
    history = review_store.history(store, claim)
    reviewed = next((r for r in history if not r.undone), None)
    if reviewed is not None:
        reading = reviewed.reading
    else:
        reading = review_store.machine_reading(store, claim) if reviewer else None
    verdicts = review_store.verdicts_of(store, claim)
    found = choices(labels) if reviewer or history else {}
    vocabulary_labels(labels)
    scale = rating_scale()
    rating_labels = {r.iri: r.label(labels.lang) for r in scale.ratings}
    return ClaimReview(reading, reviewed, history, verdicts, found, scale, rating_labels)


def verdict_page(d: Described, stem: str) -> Response:
    store = get_store()
    found = review_store.verdict(store, str(d.iri))
    if found is None:
        return generic_page(d, stem)
    vocabulary_labels(d.labels)
    claim_title = title_of(describe(URIRef(found.claim)))
    for item in found.evidence:  # a claim's label, a conflict's explanation (else its kind)
        e = describe(URIRef(item))
        kind = e.one(fg("conflictKind"))
        text = (e.text(fg("explanation")) or d.labels.get(kind)) if kind else title_of(e)
        d.labels.add(URIRef(item), Literal(text, lang=d.labels.lang))
    markup = claimreview.claimreview(store, found, newsroom())
    rating = next((r for r in rating_scale().ratings if r.iri == found.rating), None)
    t = UI[d.labels.lang]
    rating_label = rating.label(d.labels.lang) if rating else found.rating_label
    title = f"{t['verdict']}: {rating_label}"
    return generic_page(
        d,
        stem,
        "verdict.html",
        title=title,
        verdict=found,
        markup=markup,
        claim_title=claim_title,
        rating_label=rating_label,
    )


def queue_page() -> Response:
    store = get_store()
    args = filter_iris(request.args, ("article", "source", "kind"))
    items = review_queue.review_queue(
        store, article=args.get("article"), source=args.get("source"), kind=args.get("kind"), limit=200
    )
    counts = review_queue.queue_counts(store)
    labels = vocabulary_labels(Labels(current_lang()))
    everything = items if not args else review_queue.review_queue(store, limit=200)
    filters: dict[str, list[tuple[str, str]]] = {}
    for name, attr in (("article", "article"), ("source", "source"), ("kind", "kind")):
        values = {getattr(item, attr) for item in everything if getattr(item, attr)}
        filters[name] = sorted(((v, labels.get(v)) for v in values), key=lambda t: t[1].lower())
    for item in everything:
        labels.add(URIRef(item.claim), None)
    t = UI[current_lang()]
    return page(
        "review.html",
        title=t["review_queue"],
        items=items,
        counts=counts,
        filters=filters,
        args=args,
        labels=labels,
    )


def queue_counts() -> review.QueueCounts | None:
    """The queue's counts for the home page, cached with the store's version like its
    other counts (``rendering.store_version``)."""
    version = store_version()
    cached = current_app.extensions.get("factgraph.cache.queue_counts")
    if cached is not None and cached[0] == version:
        return cached[1]
    counts = review_queue.queue_counts(get_store())
    current_app.extensions["factgraph.cache.queue_counts"] = (version, counts)
    return counts


def feed() -> Response:
    """``/claimreview.json``: every verdict as a schema.org DataFeed of ClaimReviews."""
    data = claimreview.claimreview_feed(get_store(), newsroom())
    resp = current_app.response_class(
        current_app.json.dumps(data, ensure_ascii=False, indent=1) + "\n", mimetype="application/ld+json"
    )
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
