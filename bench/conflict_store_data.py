"""Synthetic claims in the project's claim shape, as N-Quads, for the store-side
conflict benchmarks (``bench/conflicts_incremental.py``).

The records are ``bench/conflicts.py``'s (running tallies of nested kinds over a growing
gazetteer, periods over five years, every bound); each becomes the triples
``mapping.py`` writes for a figure claim (type, claimant, article, quantity kind, bound,
value and interval, places, period, statement date, quote, figure text, selector and
provenance: about 19 quads a claim, as ``bench/pages.py``'s), 20 claims an article. The
vocabulary graph holds the kinds (notation, broader kinds, tallies) and the places with
every place they lie in (the closure ``place_part_of.rq`` reads).
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable
from typing import TextIO

from conflicts import KINDS, synthetic  # bench/conflicts.py

from factgraph.graph.conflicts import ClaimRecord

BASE = "http://127.0.0.1:5000/"
FG = "https://w3id.org/factgraph/ontology#"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
QUANTITY = "https://w3id.org/factgraph/quantity/"
BOUND = "https://w3id.org/factgraph/bound/"
PER_ARTICLE = 20


def _lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"^^<{XSD}{datatype}>' if datatype else f'"{escaped}"'


def _num(v: float) -> str:
    return _lit(repr(float(v)), "decimal")


def records(n: int, seed: int = 1) -> tuple[list[ClaimRecord], dict[str, set[str]]]:
    """n records with store IRIs (claims, agents, places), 20 to an article, and the
    gazetteer (place IRI -> enclosing place IRIs)."""
    raw, part_of = synthetic(n, random.Random(seed))
    out = []
    for i, r in enumerate(raw):
        out.append(
            ClaimRecord.make(
                f"{BASE}claim/a{i // PER_ARTICLE:06d}/{i}",
                BASE + r.claimant,
                r.quantity,
                r.value,
                r.bound,
                value_high=r.value_high,
                places=[BASE + p for p in r.places],
                period_start=r.period_start,
                period_end=r.period_end,
                quote=f"Synthetic claim {i}.",
                article=f"{BASE}article/a{i // PER_ARTICLE:06d}",
            )
        )
    return out, {BASE + p: {BASE + q for q in qs} for p, qs in part_of.items()}


def vocabulary_nquads(part_of: dict[str, set[str]]) -> str:
    g = f"<{BASE}graph/vocabulary>"
    lines = []
    for kind, broader in KINDS.items():
        lines.append(f"<{QUANTITY}{kind}> <{RDF_TYPE}> <{FG}QuantityKind> {g} .")
        lines.append(f"<{QUANTITY}{kind}> <{SKOS}notation> {_lit(kind)} {g} .")
        lines.append(f"<{QUANTITY}{kind}> <{FG}cumulative> {_lit('true', 'boolean')} {g} .")
        for b in broader:
            lines.append(f"<{QUANTITY}{kind}> <{FG}partOfKind> <{QUANTITY}{b}> {g} .")
    for place, enclosing in part_of.items():
        for e in enclosing:
            lines.append(f"<{place}> <{FG}partOfPlace> <{e}> {g} .")
    return "\n".join(lines) + "\n"


def claims_nquads(recs: Iterable[ClaimRecord]) -> str:
    """The article graphs of ``recs`` (one per article)."""
    out = io.StringIO()
    write_claims_nquads(recs, out)
    return out.getvalue()


def write_nquads(n: int, path: str) -> list[ClaimRecord]:
    """The vocabulary and n synthetic claims as N-Quads in the file ``path``, written as
    they are made (1M claims are 19M quads, 3.6 GB of text); the records."""
    recs, part_of = records(n)
    with open(path, "w", encoding="utf-8") as out:
        out.write(vocabulary_nquads(part_of))
        write_claims_nquads(recs, out)
    return recs


def write_claims_nquads(recs: Iterable[ClaimRecord], out: TextIO) -> None:
    """The quads of ``claims_nquads``, written to ``out``."""
    for r in recs:
        g = f"<{BASE}graph/article/{r.article.rsplit('/', 1)[-1]}>"
        c = f"<{r.iri}>"

        def q(p: str, o: str, s: str = c, g: str = g) -> None:
            out.write(f"{s} <{p}> {o} {g} .\n")

        q(RDF_TYPE, f"<{FG}FigureClaim>")
        q(FG + "claimant", f"<{r.claimant}>")
        q(SCHEMA + "appearance", f"<{r.article}>")
        q(FG + "quantityKind", f"<{QUANTITY}{r.quantity}>")
        q(FG + "bound", f"<{BOUND}{r.bound}>")
        if r.value is not None:
            q(FG + "value", _num(r.value))
        if r.value_high is not None:
            q(FG + "valueHigh", _num(r.value_high))
        if r.low is not None:
            q(FG + "intervalLow", _num(r.low))
            q(FG + "intervalLowInclusive", _lit("true" if r.low_incl else "false", "boolean"))
        if r.high is not None:
            q(FG + "intervalHigh", _num(r.high))
            q(FG + "intervalHighInclusive", _lit("true" if r.high_incl else "false", "boolean"))
        for p in sorted(r.places):
            q(FG + "place", f"<{p}>")
        if r.period_start:
            q(FG + "periodStart", _lit(r.period_start, "date"))
        if r.period_end:
            q(FG + "periodEnd", _lit(r.period_end, "date"))
            q(FG + "statedOn", _lit(r.period_end, "date"))
        q(FG + "quoteText", _lit(r.quote))
        q(FG + "figureText", _lit(f"{r.value:g}" if r.value is not None else "some"))
        q(FG + "readFrom", f"<{r.iri}/target>")
        q(PROV + "wasDerivedFrom", f"<{r.article}>")
        q(OA + "hasSource", f"<{r.article}>", f"<{r.iri}/target>")
