"""The vocabulary graphs: ontology, SKOS schemes, gazetteer and known agents, and
their OWL-RL closure.

Loaded into the store's ``graph/vocabulary`` named graph once (and again when its
content changes), with the gazetteer's and agents' relative IRIs resolved against the
deployment's base IRI; what OWL-RL adds to it goes to ``graph/vocabulary-closure``.
Per-article inference (``reasoning.py``) reasons against these closures: this module
depends on nothing of it.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import owlrl
import rdflib
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.term import Node

from factgraph import __version__

from . import disk_cache
from . import store as store_module
from .lexicon import ontology_file
from .store import Changes, Triples, serialised
from .terms import PREFIXES, Iris

VOCABULARY_FILES = ("factgraph.ttl", "vocabularies.ttl", "gazetteer.ttl", "agents.ttl")
SHAPES_FILE = "shapes.ttl"


@lru_cache(maxsize=8)
def _vocabulary(base: str) -> tuple[tuple[Node, Node, Node], ...]:
    """The triples of the vocabulary files parsed for ``base``: 0.1-0.2 s of rdflib's
    Turtle parser at every start, so kept on disk (``disk_cache``)."""

    def parse() -> tuple[tuple[Node, Node, Node], ...]:
        g = Graph()
        for name in VOCABULARY_FILES:
            g.parse(data=ontology_file(name), format="turtle", publicID=base)
        return tuple(g)

    return disk_cache.pickled("vocabulary", [fingerprint(), base, f"rdflib {rdflib.__version__}"], parse, tuple)


def vocabulary(iris: Iris) -> Graph:
    """The vocabulary graph for this base (a copy: callers may add to it), with the
    software agent the provenance of every graph points to: described here once, not in
    each article's graph (a triple in two graphs counts twice in the union)."""
    return _graph(named_vocabulary(iris).triples)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """``vocabulary(iris)`` as triples, named by a key of what makes them (the vocabulary
    files' fingerprint, which includes factgraph's version, and the base): what validating
    an article needs (``validation.validate``) without building the rdflib graph and
    digesting its 2,500 triples at every command's start (0.04-0.05 s); ``graph`` builds it
    (for pySHACL, or when the SHACL checks' index of it has to be computed)."""

    triples: tuple[tuple[Node, Node, Node], ...]
    key: str

    @cached_property
    def graph(self) -> Graph:
        return _graph(self.triples)


def named_vocabulary(iris: Iris) -> Vocabulary:
    """The vocabulary graph for this base (``vocabulary``), named by its key."""
    return Vocabulary(_vocabulary(iris.base) + _software(iris), f"{fingerprint()} {iris.base}")


def _software(iris: Iris) -> tuple[tuple[Node, Node, Node], ...]:
    software = iris.software(__version__)
    return ((software, RDF.type, PROV.SoftwareAgent), (software, RDFS.label, Literal(f"factgraph {__version__}")))


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


def close_tbox(g: Graph) -> Graph:
    """OWL-RL's closure of an ontology, without its literals (labels, comments): they
    entail nothing about an article, and dropping them makes per-article reasoning about
    2.3x faster with the same inferences (measured on the dev corpus)."""
    g2 = Graph()
    g2 += g
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g2)
    lean = Graph()
    for t in g2:
        if not isinstance(t[0], Literal) and not isinstance(t[2], Literal):
            lean.add(t)
    return lean


def tbox_key() -> str:
    """What the closure of ``tbox()`` is computed from: the ontology file and owlrl's version."""
    return f"{ontology_file('factgraph.ttl')}|owlrl {owlrl.__version__}"


@lru_cache(maxsize=1)
def tbox_closure() -> Graph:
    """The closure of ``tbox()``, once per process (callers must not modify it). owlrl
    takes about 1.4 s over the ontology, at every start of the CLI, so it is cached on
    disk like the vocabulary closure, keyed by the ontology file and the owlrl version."""
    return _cached("tbox-closure", tbox_key(), lambda: close_tbox(tbox()))


def _graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    """A new graph of ``triples``, the project's prefixes bound (``addN``: half the time of ``+=``)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


def _cached(name: str, key: str, compute: Callable[[], Graph]) -> Graph:
    """``compute()``, or what it gave before for the same ``key``, read from
    ``$XDG_CACHE_HOME/factgraph`` (``disk_cache``: its triples pickled, with rdflib's
    version); a cache that cannot be read or written is recomputed."""
    return _graph(_cached_triples(name, key, compute))


def _cached_triples(name: str, key: str, compute: Callable[[], Graph]) -> tuple:
    return disk_cache.pickled(name, [key, f"rdflib {rdflib.__version__}"], lambda: tuple(compute()), tuple)


def vocabulary_closure(iris: Iris) -> Graph:
    """What OWL-RL adds to the vocabulary (transitive part-of of places and kinds,
    inverse properties, class memberships). It takes about a second, so it is cached
    in ``$XDG_CACHE_HOME/factgraph`` keyed by the vocabulary files' digest, the base IRI
    and the owlrl version; a cache that cannot be read or written is recomputed."""
    return _graph(_closure_triples(iris.base))


@lru_cache(maxsize=8)
def _closure_triples(base: str) -> tuple:
    key = f"{fingerprint()}|{base}|owlrl {owlrl.__version__}"
    return _cached_triples("vocabulary-closure", key, lambda: _compute_vocabulary_closure(Iris(base)))


def _compute_vocabulary_closure(iris: Iris) -> Graph:
    base = vocabulary(iris)
    g = Graph()
    g += base
    g += tbox_closure()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for t in g:
        if t not in base and not trivial(t):
            out.add(t)
    return out


def trivial(t) -> bool:
    """Triples that carry nothing or are not RDF: reflexive ones (x sameAs x, x
    subClassOf x) and owlrl's generalised triples with a literal subject."""
    s, p, o = t
    return s == o or isinstance(s, Literal)


@lru_cache(maxsize=4)
def stored_vocabulary(base: str) -> frozenset:
    """The triples of the vocabulary graph and of its closure, as stored for ``base``
    (from the cached triples: no rdflib graph is built)."""
    iris = Iris(base)
    return frozenset(_vocabulary(base)) | frozenset(_software(iris)) | frozenset(_closure_triples(base))


def ensure_loaded(store, iris: Iris) -> bool:
    """Load the vocabulary graph and its closure into ``store`` unless the same version
    is there. Returns True when it (re)loaded."""
    version = fingerprint()
    marker = URIRef(iris.vocabulary_graph)
    res = store.query("ASK { GRAPH ?g { ?g ?p ?v } }", {"g": marker, "p": DCTERMS.hasVersion, "v": Literal(version)})
    if res.askAnswer:
        return False
    # one transaction: the version marker never stands without the closure (a process
    # killed between two writes would leave the closure missing, and the marker says
    # there is nothing to load)
    store.apply(Changes(replace=_written(iris, version)))
    return True


def _written(iris: Iris, version: str) -> dict[URIRef, Triples]:
    """The vocabulary graph with its version marker, and its closure, as N-Triples:
    written once and kept on disk (``disk_cache``, keyed by what makes them: the
    vocabulary's fingerprint, the base, rdflib's and owlrl's versions, the code that
    writes them), as every new store loads them (0.065 s made, about 0.02 s read)."""
    marker, closure = URIRef(iris.vocabulary_graph), URIRef(iris.vocabulary_closure_graph)

    def write() -> tuple[str, int, str, int]:
        g = vocabulary(iris)
        g.add((marker, DCTERMS.hasVersion, Literal(version)))
        v, c = serialised(g, marker, "v"), serialised(vocabulary_closure(iris), closure, "c")
        return v.text, v.count, c.text, c.count

    code = [Path(m.__file__).read_bytes() for m in (sys.modules[__name__], store_module) if m.__file__]
    parts: list[str | bytes] = [version, iris.base, f"rdflib {rdflib.__version__}", f"owlrl {owlrl.__version__}",
                                *code]
    v_text, v_count, c_text, c_count = disk_cache.pickled("vocabulary-written", parts, write, tuple)
    return {marker: Triples(v_text, v_count), closure: Triples(c_text, c_count)}
