"""Reviews in the store: reviewers, revisions, undo, added claims and verdicts (issue #12).

Reviewed data lives apart from extracted data: one named graph per article,
``{base}graph/review/{article_id}`` (the revisions, verdicts and added claims of that
article's claims), and ``{base}graph/reviewers`` (``fg:Reviewer`` agents, name only:
never a password). Every write is one ``store.apply(Changes(...))`` (one transaction on
the embedded store, the Oxigraph server and Virtuoso), validated against the SHACL shapes
before it is applied, then the conflicts are refreshed from the current readings. A bad
value raises ``ReviewError`` before anything is written. Every SPARQL text is in
``queries/review/``. The model is in ``docs/review.md``.

API: ``ensure_reviewer``, ``machine_reading``, ``current_reading``, ``current_readings``,
``history``, ``revise``, ``add_claim``, ``undo``, ``give_verdict``, ``verdict``,
``verdicts_of``, ``orphaned``, ``reattach``.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from . import conflict_update, staleness
from .catalogue import query_text
from .claimreview import summary
from .export import describe
from .review import (
    ACTIONS,
    ADDED,
    CONFIRMED,
    CORRECTED,
    NOT_A_CLAIM,
    RatingScale,
    Reading,
    ReviewError,
    Revision,
    Verdict,
    rating_scale,
)
from .review_anchors import reattach, reattach_changes
from .review_readings import (
    _NAME,
    _claim_row,
    _graph,
    _int,
    _iri,
    _is_a,
    _latest,
    _now,
    _reading,
    _revision,
    _rows,
    _sequence,
    _short,
    _text,
    all_verdicts,
    check_reading,
    current_reading,
    current_readings,
    history,
    machine_reading,
    orphaned,
    orphaned_verdicts,
    period_literal,
    verdict,
    verdicts_of,
)
from .store import Changes, Store
from .terms import FG, FGA, OA, SCHEMA, Iris, is_absolute_iri
from .validation import ValidationError, validate
from .vocabulary import vocabulary

# -- reviewers ----------------------------------------------------------------------------


def ensure_reviewer(store: Store, iris: Iris, name: str) -> str:
    """The reviewer ``{base}reviewer/{name}`` (``fg:Reviewer``, ``schema:name``) in
    ``graph/reviewers``, written if new; returns its IRI. ``name``: letters, digits,
    '.', '_', '-' (else ``ReviewError``)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ReviewError(f"reviewer: {name!r} is not a user name (letters, digits, '.', '_', '-')")
    iri = iris.reviewer(name)
    if _is_a(store, iri, FG.Reviewer):
        return str(iri)
    g = _graph()
    g.add((iri, RDF.type, FG.Reviewer))
    g.add((iri, SCHEMA.name, Literal(name)))
    g.add((iri, RDFS.label, Literal(name)))
    _validate(g, iris, "reviewer")
    store.apply(Changes(add={iris.reviewers_graph: g}))
    return str(iri)


def _reviewer(store: Store, reviewer: str) -> URIRef:
    _iri("reviewer", reviewer)
    if not _is_a(store, reviewer, FG.Reviewer):
        raise ReviewError(f"reviewer: {reviewer} is not a reviewer of this store")
    return URIRef(reviewer)


# -- readings -----------------------------------------------------------------------------


def _number(value: float) -> Literal:
    return Literal(
        Decimal(repr(float(value))).normalize() if not float(value).is_integer() else Decimal(int(value)),
        datatype=XSD.decimal,
    )


def _reading_triples(g: Graph, node: URIRef, reading: Reading, properties: dict[str, URIRef]) -> None:
    g.add((node, properties["claimant"], URIRef(reading.claimant)))
    g.add((node, properties["quantity"], URIRef(reading.quantity)))
    g.add((node, properties["bound"], URIRef(reading.bound)))
    if reading.value is not None:
        g.add((node, properties["value"], _number(reading.value)))
    if reading.value_high is not None:
        g.add((node, properties["value_high"], _number(reading.value_high)))
    for place in reading.places:
        g.add((node, properties["places"], URIRef(place)))
    for field in ("period_start", "period_end"):
        literal = period_literal(field, getattr(reading, field))
        if literal is not None:
            g.add((node, properties[field], literal))
    if reading.confidence is not None:
        g.add((node, properties["confidence"], URIRef(reading.confidence)))


_REVISED = {
    "claimant": FG.revisedClaimant,
    "quantity": FG.revisedQuantityKind,
    "bound": FG.revisedBound,
    "value": FG.revisedValue,
    "value_high": FG.revisedValueHigh,
    "places": FG.revisedPlace,
    "period_start": FG.revisedPeriodStart,
    "period_end": FG.revisedPeriodEnd,
    "confidence": FG.revisedConfidence,
}
_CLAIM = {
    "claimant": FG.claimant,
    "quantity": FG.quantityKind,
    "bound": FG.bound,
    "value": FG.value,
    "value_high": FG.valueHigh,
    "places": FG.place,
    "period_start": FG.periodStart,
    "period_end": FG.periodEnd,
    "confidence": FG.confidence,
}


# -- writes -------------------------------------------------------------------------------


def _article_id(iris: Iris, article: object) -> str:
    key = iris.key_of(str(article or ""), "article")
    if not key:
        raise ReviewError(f"article: {article} is not an article of this store")
    return key


@lru_cache(maxsize=4)
def _vocabulary(base: str) -> Graph:
    """The vocabulary the shapes read, built once per base (a copy costs 130 ms a write),
    never modified (``validate`` only reads it)."""
    return vocabulary(Iris(base))


def _validate(g: Graph, iris: Iris, what: str, known: Graph | None = None) -> None:
    """SHACL-check ``g``; ``known``: what the store says about the resources it points to
    (their types, already checked), for the shapes' ``sh:class``, never written."""
    try:
        validate(g + known if known is not None else g, _vocabulary(iris.base), what)
    except ValidationError as exc:
        raise ReviewError(str(exc)) from exc


def _write(store: Store, iris: Iris, article_id: str, g: Graph, known: Graph | None = None) -> None:
    """One transaction: the review graph's additions and the stale mark on the conflicts;
    then the conflicts refresh from the current readings (clearing the mark): incremental,
    around the article's claims as they were and as they are (``conflict_update``)."""
    _validate(g, iris, f"review of {article_id}", known)
    activity = iris.activity(f"review/{article_id}")
    article = str(iris.article(article_id))
    # the readings of the article's claims before the write: a correction may move a
    # claim to another group, place or time, and the article's text rules read them all
    before = conflict_update.removed_records(store, iris, [article])
    store.apply(Changes(add={iris.review_graph(article_id): g, iris.status_graph: staleness.mark(iris, activity)}))
    conflict_update.refresh_after(store, iris, conflict_update.Writes(activity, frozenset({article}), tuple(before)))


def _revision_node(
    g: Graph,
    iris: Iris,
    claim: str,
    claim_key: str,
    revisions: list[Revision],
    action: str,
    reading: Reading | None,
    reviewer: URIRef,
    note: str | None,
    anchor: tuple[str, int, int],
) -> Revision:
    number = max((_sequence(r) for r in revisions), default=0) + 1
    node = iris.revision(f"{claim_key}/{number}")
    latest = _latest(revisions)
    previous = latest.iri if latest is not None else claim
    time = _now()
    g.add((node, RDF.type, FG.Revision))
    g.add((node, FG.revises, URIRef(claim)))
    g.add((node, FG.reviewAction, FGA[action]))
    g.add((node, PROV.wasRevisionOf, URIRef(previous)))
    g.add((node, PROV.wasAttributedTo, reviewer))
    g.add((node, PROV.generatedAtTime, time))
    g.add(
        (
            node,
            RDFS.label,
            Literal(f"revision {number} of {claim_key}: {action.replace('_', ' ')}", lang="en"),
        )
    )
    if note:
        g.add((node, FG.reviewNote, Literal(note)))
    g.add((node, FG.anchorText, Literal(anchor[0])))
    g.add((node, FG.anchorStart, Literal(anchor[1])))
    g.add((node, FG.anchorEnd, Literal(anchor[2])))
    if reading is not None:
        _reading_triples(g, node, reading, _REVISED)
    return Revision(
        str(node), claim, action, reading, str(reviewer), str(time), note, False, previous, *anchor
    )


def revise(
    store: Store,
    iris: Iris,
    claim: str,
    reviewer: str,
    action: str,
    reading: Reading | None = None,
    note: str | None = None,
) -> Revision:
    """Record a reviewer's reading of ``claim``: ``action`` 'confirmed' (the current
    reading, ``reading`` ignored), 'corrected' (``reading`` required: the whole new
    reading) or 'not_a_claim'. One transaction in the article's review graph, then the
    conflicts refresh. ``ReviewError`` names a bad field; nothing is written then."""
    if action not in (CONFIRMED, CORRECTED, NOT_A_CLAIM):
        raise ReviewError(f"action: {action!r} is not one of confirmed, corrected, not_a_claim")
    row = _claim_row(store, claim)
    who = _reviewer(store, reviewer)
    note = _short("note", note)
    revisions = history(store, claim)
    if action == CORRECTED:
        reading = check_reading(store, reading)  # type: ignore[arg-type]
    elif action == CONFIRMED:
        latest = _latest(revisions)
        reading = _reading(row) if latest is None else latest.reading
        if reading is None:
            raise ReviewError("action: a claim read as 'not a claim' is confirmed by undoing that revision")
    else:
        reading = None
    article_id = _article_id(iris, row.get("article"))
    claim_key = iris.key_of(claim, "claim") or hashlib.sha256(claim.encode()).hexdigest()[:12]
    anchor = (_text(row.get("quote")) or "", _int(row.get("start")), _int(row.get("end")))
    g = _graph()
    revision = _revision_node(g, iris, claim, claim_key, revisions, action, reading, who, note, anchor)
    _write(store, iris, article_id, g)
    return revision


def _article_text(store: Store, article: str) -> str:
    rows = _rows(store, "article_text", article=article)
    if not rows or rows[0].get("text") is None:
        raise ReviewError(f"article: {article} is not an article of this store")
    return str(rows[0]["text"])


def add_claim(
    store: Store, iris: Iris, article: str, start: int, end: int, reading: Reading, reviewer: str
) -> str:
    """Add a claim the extractor missed, read from ``article``'s text ``[start, end)``
    (the sentence the reviewer selected): an ``fg:FigureClaim`` attributed to the
    reviewer in the article's review graph, with its 'added' revision. Returns its IRI
    ``{base}claim/{article_id}/r{start}-{end}``."""
    _iri("article", article)
    article_id = _article_id(iris, article)
    text = _article_text(store, article)
    if (
        not (isinstance(start, int) and isinstance(end, int))
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        raise ReviewError("start: the selection's offsets must be integers")
    if not 0 <= start < end <= len(text):
        raise ReviewError(
            f"start: the selection {start}-{end} is not within the article's text (0-{len(text)})"
        )
    quote = text[start:end]
    if not quote.strip():
        raise ReviewError("start: the selection holds no text")
    who = _reviewer(store, reviewer)
    reading = check_reading(store, reading)
    key = f"{article_id}/r{start}-{end}"
    claim = iris.claim(key)
    if any(d.get("claimant") is not None for d in _rows(store, "claim_reading", claim=str(claim))):
        raise ReviewError(f"start: a claim was already added from {start}-{end}")
    g = _graph()
    target, quote_sel, position = (
        URIRef(f"{claim}/target"),
        URIRef(f"{claim}/quote"),
        URIRef(f"{claim}/position"),
    )
    activity = iris.activity(f"review/added/{key}")
    g.add((claim, RDF.type, FG.FigureClaim))
    g.add((claim, SCHEMA.appearance, URIRef(article)))
    _reading_triples(g, claim, reading, _CLAIM)
    g.add((claim, FG.quoteText, Literal(quote)))
    g.add((claim, FG.readFrom, target))
    g.add((claim, PROV.wasDerivedFrom, URIRef(article)))
    g.add((claim, PROV.wasGeneratedBy, activity))
    g.add((claim, PROV.wasAttributedTo, who))
    for lang in ("en", "fr"):  # labelled like an extracted claim ("Coalition: at least 1,302 ...")
        g.add((claim, RDFS.label, Literal(summary(store, reading, lang), lang=lang)))
    g.add((activity, RDF.type, FG.ReviewActivity))
    g.add((activity, PROV.wasAssociatedWith, who))
    g.add((target, RDF.type, OA.SpecificResource))
    g.add((target, OA.hasSource, URIRef(article)))
    g.add((target, OA.hasSelector, quote_sel))
    g.add((target, OA.hasSelector, position))
    g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
    g.add((quote_sel, OA.exact, Literal(quote)))
    g.add((quote_sel, OA.prefix, Literal(text[max(0, start - 32) : start])))
    g.add((quote_sel, OA.suffix, Literal(text[end : end + 32])))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(start)))
    g.add((position, OA.end, Literal(end)))
    _revision_node(g, iris, str(claim), key, [], ADDED, reading, who, None, (quote, start, end))
    known = _graph()  # the article, kind and places as the store describes them, for sh:class
    for node in (article, reading.quantity, *reading.places):
        known += describe(store, URIRef(node))
    _write(store, iris, article_id, g, known)
    return str(claim)


def _revision_row(store: Store, revision: str) -> Revision:
    _iri("revision", revision)
    for d in _rows(store, "revisions"):
        if str(d["revision"]) == revision:
            return _revision(d)
    raise ReviewError(f"revision: {revision} is not a revision of this store")


def undo(store: Store, iris: Iris, revision: str, reviewer: str) -> None:
    """Undo a revision: it gets ``prov:wasInvalidatedBy`` an undo activity (reviewer,
    time); nothing is deleted. The claim's current reading is then the latest revision
    not undone, else the machine reading. Undoing an undone revision is a ``ReviewError``."""
    rev = _revision_row(store, revision)
    who = _reviewer(store, reviewer)
    if rev.undone:
        raise ReviewError(f"revision: {revision} is already undone")
    if rev.action == ADDED:
        raise ReviewError("revision: an added claim is withdrawn by marking it 'not a claim'")
    row = _claim_row(store, rev.claim)
    time = _now()
    activity = URIRef(f"{revision}/undo")
    g = _graph()
    g.add((activity, RDF.type, FG.Undo))
    g.add((activity, PROV.wasAssociatedWith, who))
    g.add((activity, PROV.endedAtTime, time))
    g.add((URIRef(revision), PROV.wasInvalidatedBy, activity))
    _write(store, iris, _article_id(iris, row.get("article")), g)


def give_verdict(
    store: Store,
    iris: Iris,
    claim: str,
    reviewer: str,
    rating: str,
    explanation: str,
    evidence: tuple[str, ...] = (),
    urls: tuple[str, ...] = (),
    scale: RatingScale | None = None,
) -> Verdict:
    """A verdict on ``claim``: ``rating`` (IRI or key) from ``scale`` (default
    ``rating_scale()``), an explanation (required), evidence (claims or conflicts of the
    graph) and URLs (http/https). Its IRI is ``{base}verdict/{id}``."""
    row = _claim_row(store, claim)
    if current_reading(store, claim) is None:
        raise ReviewError("claim: it is read as 'not a claim'; undo that revision before giving a verdict")
    who = _reviewer(store, reviewer)
    scale = scale or rating_scale()
    chosen = scale.find(str(rating))
    text = _short("explanation", explanation, required=True)
    for item in evidence:
        _iri("evidence", item)
        if (
            item == claim
            or not store.query(query_text("review/is_evidence"), {"iri": URIRef(item)}).askAnswer
        ):
            raise ReviewError(f"evidence: {item} is not another claim or a conflict of this graph")
    for url in urls:
        if (
            not isinstance(url, str)
            or not url.startswith(("http://", "https://"))
            or not is_absolute_iri(url)
        ):
            raise ReviewError(f"urls: {url!r} is not an http(s) URL")
    article_id = _article_id(iris, row.get("article"))
    time = _now()
    earlier = verdicts_of(store, claim)
    node = iris.verdict(hashlib.sha256(f"{claim} {len(earlier) + 1}".encode()).hexdigest()[:16])
    g = _graph()
    g.add((node, RDF.type, FG.Verdict))
    if earlier:  # the newsroom's verdict on a claim is its latest: it revises the one before
        g.add((node, PROV.wasRevisionOf, URIRef(earlier[0].iri)))
    g.add((node, FG.reviewedClaim, URIRef(claim)))
    g.add((node, FG.rating, URIRef(chosen.iri)))
    g.add((node, FG.ratingValue, Literal(chosen.value)))
    g.add((node, FG.bestRating, Literal(scale.best)))
    g.add((node, FG.worstRating, Literal(scale.worst)))
    for lang, label in chosen.labels.items():
        g.add((node, FG.ratingLabel, Literal(label, lang=lang)))
    g.add((node, FG.verdictExplanation, Literal(text)))
    for item in evidence:
        g.add((node, FG.evidence, URIRef(item)))
    for url in urls:
        g.add((node, FG.evidenceUrl, URIRef(url)))
    g.add((node, PROV.wasAttributedTo, who))
    g.add((node, PROV.generatedAtTime, time))
    g.add((node, RDFS.label, Literal(f"verdict: {chosen.label('en')}", lang="en")))
    g.add((node, FG.anchorText, Literal(_text(row.get("quote")) or "")))
    g.add((node, FG.anchorStart, Literal(_int(row.get("start")))))
    g.add((node, FG.anchorEnd, Literal(_int(row.get("end")))))
    _validate(g, iris, "verdict")
    store.apply(Changes(add={iris.review_graph(article_id): g}))  # a verdict changes no reading: no refresh
    found = verdict(store, str(node))
    assert found is not None
    return found


# -- re-ingest ----------------------------------------------------------------------------


__all__ = [
    "ACTIONS",
    "add_claim",
    "all_verdicts",
    "check_reading",
    "current_reading",
    "current_readings",
    "ensure_reviewer",
    "give_verdict",
    "history",
    "machine_reading",
    "orphaned",
    "orphaned_verdicts",
    "reattach",
    "reattach_changes",
    "revise",
    "undo",
    "verdict",
    "verdicts_of",
]
