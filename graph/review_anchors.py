"""Reviews across a re-ingest (issue #12): when an article replaces a stored one, its
reviews follow their sentences.

Every revision and verdict keeps the sentence its claim was read from (``fg:anchorText``,
``fg:anchorStart``, ``fg:anchorEnd``). ``reattach_changes`` points each review whose
claim is gone at the claim now read from the same sentence, as writes the pipeline adds to
the article's own transaction; ``reattach`` applies them against the stored article.
Reviews whose sentence is gone stay as they are: ``review_readings.orphaned`` lists them.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from .review import Revision
from .review_readings import _graph, _int, orphaned
from .store import Changes, Store
from .terms import FG, OA, Iris


def _figure_offset(iris: Iris, claim: str) -> int | None:
    tail = (iris.key_of(claim, "claim") or "").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _new_claim(
    iris: Iris, claim: str, anchor: tuple[str, int], claims: list[tuple[str, str, int]]
) -> str | None:
    """The claim now read from the sentence ``anchor`` (text, old start) at the same place
    in it as ``claim`` was, or the one claim read from that sentence."""
    text, start = anchor
    same = [(c, s) for c, quote, s in claims if quote == text]
    offset = _figure_offset(iris, claim)
    if offset is not None:
        for c, s in same:
            new = _figure_offset(iris, c)
            if new is not None and new - s == offset - start:
                return c
    return same[0][0] if len(same) == 1 else None


_POINTS_AT_CLAIM = (FG.revises, PROV.wasRevisionOf, FG.reviewedClaim, FG.evidence)


def _sentences(article_graph: Graph) -> list[tuple[str, str, int]]:
    """(claim, sentence, its start) of every figure claim of an article's graph."""
    out = []
    for claim in article_graph.subjects(RDF.type, FG.FigureClaim):
        target = article_graph.value(claim, FG.readFrom)
        starts = [article_graph.value(sel, OA.start) for sel in article_graph.objects(target, OA.hasSelector)]
        start = next((int(str(v)) for v in starts if v is not None), 0)
        out.append((str(claim), str(article_graph.value(claim, FG.quoteText) or ""), start))
    return out


def reattach_changes(
    store: Store, iris: Iris, article_id: str, previous: tuple[str, ...], article_graph: Graph
) -> Changes | None:
    """The writes that keep the reviews of article ``article_id`` when ``article_graph``
    (its new asserted graph) replaces it (``previous``: the ids the same article had, when
    its file name changed): each review whose claim is gone points at the claim now read
    from the same sentence (same anchor text, the figure at the same place in it, else the
    one claim of that sentence), its anchor moved with the text; the reviews of
    ``previous`` move into its review graph. None when nothing changes. ``pipeline.ingest``
    adds these to the article's own transaction."""
    names = [iris.review_graph(i) for i in dict.fromkeys((article_id, *previous))]
    g = _graph()
    for name in names:
        g += store.graph(name)
    if not len(g):
        return None
    claims = _sentences(article_graph)
    current = {c for c, _, _ in claims} | {str(c) for c in g.subjects(RDF.type, FG.FigureClaim)}
    moved: dict[str, str] = {}
    shifted = []  # the reviews whose claim moved, and the new start of their sentence
    starts = {c: s for c, _, s in claims}
    for review in set(g.subjects(FG.anchorText, None)):
        claim = str(g.value(review, FG.revises) or g.value(review, FG.reviewedClaim) or "")
        if not claim or claim in current:
            continue
        anchor = (str(g.value(review, FG.anchorText)), _int(g.value(review, FG.anchorStart)))
        new = moved.get(claim) or _new_claim(iris, claim, anchor, claims)
        if new is not None:
            moved[claim] = new
            shifted.append((review, starts[new] - anchor[1]))
    if not moved and len(names) == 1:
        return None
    out = _graph()
    for s, p, o in g:
        out.add((s, p, URIRef(moved[str(o)]) if p in _POINTS_AT_CLAIM and str(o) in moved else o))
    for review, shift in shifted:
        for prop in (FG.anchorStart, FG.anchorEnd):
            out.set((review, prop, Literal(_int(out.value(review, prop)) + shift)))
    return Changes(replace={names[0]: out}, drop=tuple(names[1:]))


def reattach(store: Store, iris: Iris, article_id: str, previous: tuple[str, ...] = ()) -> list[Revision]:
    """``reattach_changes`` against the article graph in the store, applied in one
    transaction; returns the article's revisions left orphaned (their sentence is gone)."""
    changes = reattach_changes(store, iris, article_id, previous, store.graph(iris.article_graph(article_id)))
    if changes is not None:
        store.apply(changes)
    mine = {str(r) for r in store.graph(iris.review_graph(article_id)).subjects(RDF.type, FG.Revision)}
    return [r for r in orphaned(store) if r.iri in mine]
