"""Reviewers' writes (issue #12): confirm, correct, "not a claim", undo, add a missed
claim, give a verdict; and the review pages that only read (``/review``, the queue;
``/claimreview.json``, the feed), rendered in query workers like every page.

Every write:

- runs here, in the serving process (the forked query workers only read), through the
  graph's review API (``graph/review_store.py``: one ``store.apply`` each, then the
  conflicts refresh); nothing here builds a triple;
- needs a reviewer (``accounts.require_reviewer``: 404 while review is off, 401 with the
  login link without a session or with a wrong token, 400 without the form's CSRF token);
- answers a bad value with 400 and the one-line ``ReviewError`` of the field, before
  anything is written;
- then forgets the page caches kept per store version (``bounded_views.CACHE_PREFIX``),
  so the next page sees the change even where the version would not show it;
- answers a browser ``303 See Other`` to the page that shows the result, and a program
  (an API token, or ``Accept: application/json``) ``201`` with the IRIs as JSON.

Form fields: ``claim``; ``action`` (confirmed, corrected, not_a_claim); the reading
(``claimant``, ``value``, ``value_high``, ``bound``, ``quantity``, ``place`` (repeated),
``period_start``, ``period_end``, ``confidence``); ``note``; ``revision`` (undo);
``article``, ``start``, ``end`` (add); ``rating``, ``explanation``, ``evidence``
(repeated), ``urls`` (one a line) for a verdict.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from factgraph.graph import numbers, review, review_store
from factgraph.graph.review import ReviewError
from factgraph.graph.terms import FGB, Iris, is_absolute_iri

from .accounts import by_token, current_reviewer, require_reviewer
from .bounded_views import CACHE_PREFIX, bounded
from .current_store import get_store
from .pages import reviewing
from .pages.rendering import href

bp = Blueprint("reviews", __name__)
bp.add_url_rule("/review", view_func=bounded(reviewing.queue_page))
bp.add_url_rule("/claimreview.json", view_func=bounded(reviewing.feed))


# -- the form's values ------------------------------------------------------------------


def iri_field(form: MultiDict, name: str, required: bool = True) -> str | None:
    value = form.get(name, "").strip()
    if not value:
        if required:
            raise ReviewError(f"{name}: missing")
        return None
    if not is_absolute_iri(value):
        raise ReviewError(f"{name}: {value!r} is not an IRI")
    return value


def number_field(form: MultiDict, name: str) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return float(numbers.parse_digits(text))
    except ValueError:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ReviewError(f"{name}: {text!r} is not a number") from None


def int_field(form: MultiDict, name: str) -> int:
    text = form.get(name, "").strip()
    if not text.isdigit():
        raise ReviewError(f"{name}: {text!r} is not a character offset")
    return int(text)


def reading_from(form: MultiDict) -> review.Reading:
    """The reading a correction form states (the graph side checks each value further)."""
    places = tuple(p.strip() for p in form.getlist("place") if p.strip())
    for place in places:
        if not is_absolute_iri(place):
            raise ReviewError(f"place: {place!r} is not an IRI")
    return review.Reading(
        claimant=iri_field(form, "claimant") or "",
        quantity=iri_field(form, "quantity") or "",
        bound=iri_field(form, "bound", required=False) or str(FGB.exact),
        value=number_field(form, "value"),
        value_high=number_field(form, "value_high"),
        places=places,
        period_start=form.get("period_start", "").strip() or None,
        period_end=form.get("period_end", "").strip() or None,
        confidence=iri_field(form, "confidence", required=False),
    )


# -- the writes ---------------------------------------------------------------------------


def _iris() -> Iris:
    return Iris(current_app.config["BASE"])


def _reviewer() -> str:
    """The reviewer's agent IRI (written in the reviewers graph the first time)."""
    return review_store.ensure_reviewer(get_store(), _iris(), current_reviewer() or "")


def _done(target: str, status: int = 201, **iris: str) -> BaseResponse:
    """After a write: forget the page caches; 303 to ``target`` for a browser, else JSON."""
    app = current_app
    for key in [k for k in app.extensions if k.startswith(CACHE_PREFIX)]:
        app.extensions.pop(key, None)
    if by_token() or request.accept_mimetypes.best == "application/json":
        resp = jsonify(iris)
        resp.status_code = status
        return resp
    lang = request.form.get("lang")
    return redirect(href(target) + (f"?lang={lang}" if lang in ("en", "fr") else ""), code=303)


def writes(view: Callable[[], BaseResponse]) -> Callable[[], BaseResponse]:
    """A review write: a reviewer (and the form's CSRF token) first; ReviewError -> 400."""

    def wrapper() -> BaseResponse:
        require_reviewer()
        try:
            return view()
        except ReviewError as exc:
            return Response(" ".join(str(exc).split()) + "\n", status=400, mimetype="text/plain")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@bp.route("/review/revise", methods=["POST"])
@writes
def revise() -> BaseResponse:
    """Confirm, correct or mark "not a claim"."""
    form = request.form
    claim = iri_field(form, "claim") or ""
    action = form.get("action", "")
    if action not in (review.CONFIRMED, review.CORRECTED, review.NOT_A_CLAIM):
        raise ReviewError(f"action: {action!r} is not one of confirmed, corrected, not_a_claim")
    reading = reading_from(form) if action == review.CORRECTED else None
    note = form.get("note", "").strip() or None
    done = review_store.revise(get_store(), _iris(), claim, _reviewer(), action, reading, note)
    return _done(claim, revision=done.iri, claim=claim)


@bp.route("/review/undo", methods=["POST"])
@writes
def undo() -> BaseResponse:
    form = request.form
    revision = iri_field(form, "revision") or ""
    claim = iri_field(form, "claim") or ""
    review_store.undo(get_store(), _iris(), revision, _reviewer())
    return _done(claim, status=200, revision=revision, claim=claim)


@bp.route("/review/add", methods=["POST"])
@writes
def add() -> BaseResponse:
    """A claim the extractor missed, read from the article's text [start, end)."""
    form = request.form
    article = iri_field(form, "article") or ""
    start, end = int_field(form, "start"), int_field(form, "end")
    if end <= start:
        raise ReviewError(f"end: {end} is not after start {start}")
    reading = reading_from(form)
    claim = review_store.add_claim(get_store(), _iris(), article, start, end, reading, _reviewer())
    return _done(claim, claim=claim)


@bp.route("/review/verdict", methods=["POST"])
@writes
def verdict() -> BaseResponse:
    form = request.form
    claim = iri_field(form, "claim") or ""
    evidence = tuple(e.strip() for e in form.getlist("evidence") if e.strip())
    for item in evidence:
        if not is_absolute_iri(item):
            raise ReviewError(f"evidence: {item!r} is not an IRI")
    urls = tuple(line.strip() for line in form.get("urls", "").splitlines() if line.strip())
    given = review_store.give_verdict(
        get_store(),
        _iris(),
        claim,
        _reviewer(),
        form.get("rating", "").strip(),
        form.get("explanation", "").strip(),
        evidence,
        urls,
        scale=reviewing.rating_scale(),
    )
    return _done(given.iri, verdict=given.iri, claim=claim)
