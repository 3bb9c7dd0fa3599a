"""The vocabulary graph: ontology, SKOS schemes, gazetteer and known agents.

Loaded into the store's ``graph/vocabulary`` named graph once (and again when its
content changes), with the gazetteer's and agents' relative IRIs resolved against the
deployment's base IRI.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from .lexicon import ontology_file
from .store import Changes
from .terms import PREFIXES, Iris

VOCABULARY_FILES = ("factgraph.ttl", "vocabularies.ttl", "gazetteer.ttl", "agents.ttl")
SHAPES_FILE = "shapes.ttl"


@lru_cache(maxsize=8)
def _vocabulary(base: str) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for name in VOCABULARY_FILES:
        g.parse(data=ontology_file(name), format="turtle", publicID=base)
    return g


def vocabulary(iris: Iris) -> Graph:
    """The vocabulary graph for this base (a copy: callers may add to it)."""
    g = Graph()
    g += _vocabulary(iris.base)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def tbox() -> Graph:
    """The OWL ontology alone (classes and properties), for per-article reasoning."""
    g = Graph()
    g.parse(data=ontology_file("factgraph.ttl"), format="turtle")
    return g


def fingerprint() -> str:
    """A digest of the vocabulary files: the store reloads them when it changes."""
    h = hashlib.sha256()
    for name in VOCABULARY_FILES:
        h.update(ontology_file(name).encode())
    return h.hexdigest()[:16]


def ensure_loaded(store, iris: Iris) -> bool:
    """Load the vocabulary graph into ``store`` unless the same version is there.
    Returns True when it (re)loaded."""
    version = fingerprint()
    marker = URIRef(iris.vocabulary_graph)
    res = store.query("ASK { GRAPH ?g { ?g ?p ?v } }", {"g": marker, "p": DCTERMS.hasVersion, "v": Literal(version)})
    if res.askAnswer:
        return False
    g = vocabulary(iris)
    g.add((marker, DCTERMS.hasVersion, Literal(version)))
    from .reasoning import vocabulary_closure

    # one transaction: the version marker never stands without the closure (a process
    # killed between two writes would leave the closure missing, and the marker says
    # there is nothing to load)
    store.apply(Changes(replace={marker: g, URIRef(iris.vocabulary_closure_graph): vocabulary_closure(iris)}))
    return True
