"""SHACL validation of one article's graph (or a batch) against ``ontology/shapes.ttl``.

pySHACL costs about 300-400 ms per run plus 0.15-0.2 ms per triple: 63% of ingest
(issue #14). So by default the shapes are compiled once per process into Python checks
(``shape_checks``, run by ``shape_data``), which decide whether a graph conforms; pySHACL stays the reference
(``validate_pyshacl``; the tests compare both verdicts) and words every failure: a graph
the compiled checks reject is run through pySHACL, whose report makes the message, as
before. Shapes using a construct the compiler does not cover are not compiled: every
graph then goes to pySHACL, with a warning, never with weaker validation.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from functools import lru_cache
from itertools import chain
from pathlib import Path

import rdflib
from rdflib import ConjunctiveGraph, Graph

from . import disk_cache, shape_checks, shape_data
from .lexicon import ontology_file
from .shape_checks import UnsupportedShapes, compile_shapes
from .shape_data import CompiledShapes, NamedVocabulary, Triple
from .vocabulary import SHAPES_FILE

log = logging.getLogger(__name__)


class ValidationError(Exception):
    """An article's graph breaks the shapes; the message names the first violations."""


@lru_cache(maxsize=1)
def shapes() -> Graph:
    """The shapes graph: ``shapes.ttl`` parsed once and its triples kept on disk
    (``disk_cache``, keyed by the file and rdflib's version): 0.02 s of Turtle parsing at
    every start, against about 0.006 s to read them back."""
    text = ontology_file(SHAPES_FILE)

    def parsed() -> list:
        return list(Graph().parse(data=text, format="turtle"))

    g = Graph()
    g.addN((s, p, o, g) for s, p, o in disk_cache.pickled("shapes", [text, f"rdflib {rdflib.__version__}"], parsed, list))
    return g


@lru_cache(maxsize=4)
def compiled_shapes(shapes_graph: Graph) -> CompiledShapes | None:
    """The compiled checks of a shapes graph (cached per graph object, like ``shapes``), or
    None when it uses a construct they do not cover: then pySHACL validates everything."""
    try:
        checks = compile_shapes(shapes_graph)
    except UnsupportedShapes as exc:
        log.warning("SHACL shapes not compiled, validating with pySHACL: %s", exc)
        return None
    # what the checks compute of a vocabulary is kept on disk, keyed by the shapes and the compiler
    code = [Path(m.__file__).read_bytes() for m in (shape_checks, shape_data) if m.__file__]
    checks.key = disk_cache.digest([disk_cache.triples_digest(shapes_graph), *code])
    return checks


def validate(data: Graph | tuple[Graph | Collection[Triple], ...], vocabulary: Graph | NamedVocabulary,
             label: str) -> None:
    """Raise ValidationError unless ``data`` conforms (with ``vocabulary`` as ontology).
    ``data``: a graph, or graphs (or sets of triples) validated as their union (an
    article's graph and its lexicon entries), copied into one graph only for pySHACL,
    when the checks reject it."""
    validate_with(shapes(), data, vocabulary, label)


def validate_with(shapes_graph: Graph, data: Graph | tuple[Graph | Collection[Triple], ...],
                  vocabulary: Graph | NamedVocabulary, label: str) -> None:
    """``validate`` against the given shapes graph (``shapes()`` in ``validate``)."""
    checks = compiled_shapes(shapes_graph)
    triples = chain.from_iterable(data) if isinstance(data, tuple) else data
    # pySHACL validates each named graph of a dataset apart; the checks see one graph
    if checks is not None and not isinstance(data, ConjunctiveGraph) and checks.conforms(triples, vocabulary):
        return
    if isinstance(data, tuple):
        union = Graph()
        for g in data:
            union += g  # type: ignore[arg-type]  # rdflib: any iterable of triples
        data = union
    validate_pyshacl(data, vocabulary if isinstance(vocabulary, Graph) else vocabulary.graph, label, shapes_graph)
    if checks is not None:  # the reference accepted what the compiled checks rejected
        log.warning("%s: compiled SHACL checks rejected a graph pySHACL accepts", label)


def validate_pyshacl(data: Graph, vocabulary: Graph, label: str, shapes_graph: Graph | None = None) -> None:
    """The reference: pySHACL, ``vocabulary`` as its ontology graph mixed into the data."""
    ok, text = pyshacl_conforms(data, vocabulary, shapes_graph)
    if not ok:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("Message:", "Focus Node:", "Result Path:"))]
        raise ValidationError(f"{label}: graph does not conform to the SHACL shapes: " + "; ".join(lines[:6]))


def pyshacl_conforms(data: Graph, vocabulary: Graph, shapes_graph: Graph | None = None) -> tuple[bool, str]:
    """pySHACL's verdict and report text, with the options ``validate`` has always used."""
    from pyshacl import validate as shacl

    conforms, _report, text = shacl(data, shacl_graph=shapes_graph if shapes_graph is not None else shapes(),
                                    ont_graph=vocabulary, inference="none", advanced=True, allow_warnings=True)
    return bool(conforms), str(text)
