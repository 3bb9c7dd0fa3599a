"""The vocabulary graph: ontology, SKOS schemes, gazetteer and known agents.

Loaded into the store's ``graph/vocabulary`` named graph once (and again when its
content changes), with the gazetteer's and agents' relative IRIs resolved against the
deployment's base IRI.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from factgraph import __version__

from .lexicon import ontology_file
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
    """The vocabulary graph for this base (a copy: callers may add to it), with the
    software agent the provenance of every graph points to: described here once, not in
    each article's graph (a triple in two graphs counts twice in the union)."""
    g = Graph()
    g += _vocabulary(iris.base)
    software = iris.software(__version__)
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, RDFS.label, Literal(f"factgraph {__version__}")))
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
    h = hashlib.sha256(__version__.encode())  # the software agent is described in it
    for name in VOCABULARY_FILES:
        h.update(ontology_file(name).encode())
    return h.hexdigest()[:16]


VOCABULARY_PATH = "graph/vocabulary"


def stored_base(store) -> str | None:
    """The base IRI a store was built under (its vocabulary graph is
    ``{base}graph/vocabulary`` and carries its version), or None for a new store."""
    rows = list(store.query("SELECT ?g WHERE { GRAPH ?g { ?g ?p ?v } FILTER(STRENDS(STR(?g), ?path)) } LIMIT 2",
                            {"p": DCTERMS.hasVersion, "path": Literal("/" + VOCABULARY_PATH)}))
    if not rows:
        return None
    return str(rows[0][0])[: -len(VOCABULARY_PATH)]


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
    store.replace_graph(marker, g)
    from .reasoning import vocabulary_closure

    store.replace_graph(URIRef(iris.vocabulary_closure_graph), vocabulary_closure(iris))
    return True
