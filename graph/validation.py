"""SHACL validation (pySHACL) of one article's graph against ``ontology/shapes.ttl``."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph

from .lexicon import ontology_file
from .vocabulary import SHAPES_FILE


class ValidationError(Exception):
    """An article's graph breaks the shapes; the message names the first violations."""


@lru_cache(maxsize=1)
def shapes() -> Graph:
    g = Graph()
    g.parse(data=ontology_file(SHAPES_FILE), format="turtle")
    return g


def validate(data: Graph, vocabulary: Graph, label: str) -> None:
    """Raise ValidationError unless ``data`` conforms (with ``vocabulary`` as ontology)."""
    from pyshacl import validate as shacl

    conforms, report, text = shacl(data, shacl_graph=shapes(), ont_graph=vocabulary, inference="none",
                                   advanced=True, allow_warnings=True)
    if not conforms:
        lines = [ln.strip() for ln in str(text).splitlines() if ln.strip().startswith(("Message:", "Focus Node:", "Result Path:"))]
        raise ValidationError(f"{label}: graph does not conform to the SHACL shapes: " + "; ".join(lines[:6]))
