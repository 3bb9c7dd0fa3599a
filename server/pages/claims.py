"""The page of a claim: figure, bound and interval, quantity, place, period, confidence,
verdicts, the quote highlighted in its article, conflicts and corroborations, related
claims and provenance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import Response
from rdflib import Literal, URIRef
from rdflib.term import Node

from .described import Described, generic_page
from .language import LANGS, Labels, local_name
from .quotes import claim_quote
from .rendering import fg, rows, show
from .reviewing import claim_review

RELATIONS = {  # (predicate local name, direction) -> (en, fr)
    ("restates", "out"): ("restates", "reprend"),
    ("restates", "in"): ("restated by", "repris par"),
    ("restatedBy", "out"): ("restated by", "repris par"),
    ("restatedBy", "in"): ("restates", "reprend"),
    ("partOf", "out"): ("part of", "partie de"),
    ("partOf", "in"): ("has part", "comprend"),
    ("hasPart", "out"): ("has part", "comprend"),
    ("hasPart", "in"): ("part of", "partie de"),
    ("supports", "out"): ("supports", "appuie"),
    ("supports", "in"): ("supported by", "appuyé par"),
    ("disputes", "out"): ("disputes", "conteste"),
    ("disputes", "in"): ("disputed by", "contesté par"),
    ("relativeTo", "out"): ("compared with", "comparé à"),
    ("relativeTo", "in"): ("compared by", "comparé par"),
    ("corroborates", "out"): ("corroborates", "corrobore"),
    ("corroborates", "in"): ("corroborates", "corrobore"),
    ("conflictsWith", "out"): ("conflicts with", "contredit"),
    ("conflictsWith", "in"): ("conflicts with", "contredit"),
}


def claim_page(d: Described, stem: str) -> Response:
    iri = d.iri
    lang = d.labels.lang
    quote = claim_quote(iri)
    prov_rows = rows("claim_provenance", iri=iri)
    provenance = prov_rows[0] if prov_rows else None
    if provenance is not None:
        d.labels.add(provenance.outlet, provenance.outletLabel)
        d.labels.add(provenance.software, provenance.softwareLabel)
    related: dict[str, list[tuple[Node, str]]] = defaultdict(list)
    for row in rows("claim_related", iri=iri):
        names = RELATIONS.get((local_name(str(row.rel)), str(row.dir)))
        name = names[LANGS.index(lang)] if names else local_name(str(row.rel))
        d.labels.add(row.other, row.label)
        if (row.other, name) not in [(o, name) for o, _ in related[name]]:
            related[name].append((row.other, name))
    conflicts = claim_conflicts(iri, d.labels)
    verdicts = []
    for row in rows("claim_verdicts", iri=iri):
        d.labels.add(row.assessor, row.assessorLabel)
        d.labels.add(row.verdict, row.verdictLabel)
        if (row.assessor, row.verdict) not in verdicts:
            verdicts.append((row.assessor, row.verdict))
    from ..accounts import current_reviewer

    reviewer = current_reviewer()
    return generic_page(
        d,
        stem,
        "claim.html",
        review=claim_review(iri, d.labels, reviewer),
        fg=fg,
        quote=quote,
        provenance=provenance,
        related=dict(related),
        conflicts=conflicts,
        verdicts=verdicts,
        interval=interval(d),
    )


def interval(d: Described) -> str | None:
    """The claim's interval in mathematical notation: ``[3800, +∞)``."""
    low, high = d.one(fg("intervalLow")), d.one(fg("intervalHigh"))
    if low is None and high is None:
        return None
    lo_incl = d.one(fg("intervalLowInclusive"))
    hi_incl = d.one(fg("intervalHighInclusive"))
    return (
        ("[" if lo_incl is None or lo_incl.toPython() else "(")  # type: ignore[attr-defined]
        + (show(low) if low is not None else "−∞")
        + ", "
        + (show(high) if high is not None else "+∞")
        + ("]" if high is not None and (hi_incl is None or hi_incl.toPython()) else ")")  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class ConflictView:
    iri: Node
    kind: Node | None
    severity: str | None
    explanation: str | None
    other: Node
    is_conflict: bool
    ratio: str | None
    gap: str | None


def claim_conflicts(iri: URIRef, labels: Labels) -> list[ConflictView]:
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows("claim_conflicts", iri=iri):
        labels.add(row.kind, row.kindLabel)
        labels.add(row.other, row.otherLabel)
        entry = grouped.setdefault(str(row.c), {"row": row, "explanations": {}})
        if isinstance(row.explanation, Literal):
            entry["explanations"][row.explanation.language or ""] = str(row.explanation)
    views = []
    for key in sorted(grouped):
        row, explanations = grouped[key]["row"], grouped[key]["explanations"]
        explanation = next(
            (explanations[lg] for lg in (labels.lang, "en", "fr", "") if lg in explanations), None
        )
        views.append(
            ConflictView(
                row.c,
                row.kind,
                show(row.severity) or None,
                explanation,
                row.other,
                row.type == fg("Conflict"),
                show(row.ratio) or None,
                show(row.gap) or None,
            )
        )
    return views
