"""The page of a quantity kind (``/vocab/quantity/{notation}``), listed in fgq:scheme or
minted from what an article counts (fgq:minted): its label, notation and scheme, its
broader and narrower kinds, the words articles used for what it counts, and its claims,
article by article in keyset pages by article graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, request
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from . import limits
from .described import Described, generic_page, vocabulary_labels
from .rendering import cached_rows, paged_rows, rows

QUANTITY_STEM = "vocab/quantity/"


def is_quantity_kind(d: Described, stem: str) -> bool:
    """A page under /vocab/quantity/ that is not a concept scheme (fgq:scheme, fgq:minted)."""
    return stem.startswith(QUANTITY_STEM) and SKOS.ConceptScheme not in d.all(RDF.type)


@dataclass
class KindClaim:
    """One row of a kind's claims table (its places folded from one row per place)."""

    claim: Node
    claimant: Node | None
    bound: Node | None
    value: Node | None
    value_high: Node | None
    counted: Node | None
    when: Node | None
    places: list[Node] = field(default_factory=list)


def quantity_page(d: Described, stem: str) -> Response:
    page_rows = limits.PAGE_ROWS
    vocabulary_labels(d.labels)
    after = request.args.get("after") or ""
    claims: dict[str, KindClaim] = {}
    page = paged_rows("kind_claims", after, page_rows, by_claim=True, iri=d.iri)
    for row in page.rows:
        d.labels.add(row.claim, row.label)
        entry = claims.setdefault(
            str(row.claim),
            KindClaim(row.claim, row.claimant, row.bound, row.value, row.valueHigh, row.countedText, row.when),
        )
        if row.place is not None and row.place not in entry.places:
            entry.places.append(row.place)
    listed = list(claims.values())
    found = cached_rows("kind_count", iri=d.iri)
    narrower: list[Node] = []
    for row in rows("kind_narrower", iri=d.iri):
        d.labels.add(row.narrower, row.label)
        if row.narrower not in narrower:
            narrower.append(row.narrower)
    texts: dict[str, int] = {}
    for row in cached_rows("kind_texts", iri=d.iri):
        texts[str(row.text)] = texts.get(str(row.text), 0) + int(row.n)
    broader = [o for o in d.all(SKOS.broader) if o != d.iri]
    return generic_page(
        d,
        stem,
        "quantity.html",
        notation=d.one(SKOS.notation),
        schemes=d.all(SKOS.inScheme),
        broader=sorted(broader, key=d.labels.get),
        narrower=sorted(narrower, key=d.labels.get),
        definition=d.text(SKOS.definition),
        texts=sorted(texts.items(), key=lambda kv: (-kv[1], kv[0])),
        claims=listed,
        total=int(found[0].n) if found else 0,
        after=after,
        next_after=page.next_after,
    )
