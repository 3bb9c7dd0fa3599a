"""The page of a place: where it lies (the chain of places containing it, nearest
first), the places within it that have claims, and the claims about it and the places
within it, article by article in keyset pages by article graph, with their counts; a link to GeoNames
when the place is the same as a GeoNames feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, request
from rdflib import URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from . import limits
from .described import Described, generic_page, vocabulary_labels
from .rendering import cached_rows, fg, paged_rows, rows


@dataclass
class PlaceClaim:
    """One row of a place's claims table (its places folded from one row per place)."""

    claim: Node
    claimant: Node | None
    quantity: Node | None
    value: Node | None
    counted: Node | None
    places: list[Node] = field(default_factory=list)


def containing_chain(d: Described) -> list[Node]:
    """The places ``d`` lies in, nearest first: along fg:directlyPartOf from the place
    while it is given, then the others by how deep they are (a place lying in more
    places is nearer)."""
    found: dict[str, Any] = {}
    for row in rows("place_chain", iri=d.iri):
        d.labels.add(row.place, row.label)
        entry = found.setdefault(str(row.place), {"place": row.place, "parent": None, "depth": 0})
        if row.parent is not None:
            entry["parent"] = row.parent
        entry["depth"] = max(entry["depth"], int(row.depth or 0))
    chain: list[Node] = []
    step = d.one(fg("directlyPartOf"))
    while step is not None and str(step) in found and step not in chain:
        chain.append(step)
        step = found[str(step)]["parent"]
    rest = sorted((e for e in found.values() if e["place"] not in chain), key=lambda e: (-e["depth"], str(e["place"])))
    return chain + [e["place"] for e in rest]


def geonames_links(d: Described) -> list[str]:
    return sorted(str(o) for o in d.all(OWL.sameAs) if isinstance(o, URIRef) and "geonames.org/" in str(o))


def place_page(d: Described, stem: str) -> Response:
    page_rows = limits.PAGE_ROWS
    vocabulary_labels(d.labels)
    after = request.args.get("after") or ""
    found = cached_rows("place_count", iri=d.iri)
    claims: dict[str, PlaceClaim] = {}
    page = paged_rows("place_claims", after, page_rows, by_claim=True, iri=d.iri)
    for row in page.rows:
        d.labels.add(row.claim, row.label)
        entry = claims.setdefault(
            str(row.claim), PlaceClaim(row.claim, row.claimant, row.quantity, row.value, row.countedText)
        )
        if row.place is not None and row.place not in entry.places:
            entry.places.append(row.place)
    listed = list(claims.values())
    within = [(row.place, int(row.n)) for row in cached_rows("place_within", iri=d.iri)]
    return generic_page(
        d,
        stem,
        "place.html",
        claims=listed,
        total=int(found[0].n) if found and found[0].n is not None else 0,
        here=int(found[0].here) if found and found[0].here is not None else 0,
        chain=containing_chain(d),
        within=sorted(within, key=lambda pn: (-pn[1], d.labels.get(pn[0]))),
        kind=d.one(fg("placeKind")),
        geonames=geonames_links(d),
        after=after,
        next_after=page.next_after,
    )
