"""OWL-RL reasoning, per article, into the article's own inferred graph.

owlrl over a whole store does not scale (about 0.5-0.7 ms per triple), so the closure
of the ontology is computed once (``vocabulary.tbox_closure``) and each article is
reasoned over alone, against it. owlrl's Python closure of (that closure + one article)
still cost 75-83% of ingest (issue #14), so by default the ABox rules the ontology sets
off are compiled from its closure into tables once per process (``rule_tables``) and
applied to the article's triples in plain Python: same inferences, owlrl stays the
reference (``infer_owlrl``; the tests compare both) and the fallback for what the tables
do not cover. What is inferred goes to ``graph/inferred/{article}``; the asserted graph
is never rewritten.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import owlrl
import rdflib
from rdflib import Graph

from . import disk_cache, rule_tables
from .rule_tables import RuleTables, Triple, UnsupportedOntology, compile_rules
from .terms import PREFIXES, Iris
from .vocabulary import stored_vocabulary, tbox_closure, tbox_key, trivial

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def compiled_rules(closure: Graph) -> RuleTables | None:
    """The rule tables of an ontology closure (keyed by the closure, itself cached per
    process like ``tbox_closure``), or None when the ontology uses a construct they do not
    cover: then every article is reasoned by owlrl, with a warning, never with fewer
    inferences."""
    try:
        return compile_rules(closure)
    except UnsupportedOntology as exc:
        log.warning("OWL-RL rules not compiled, reasoning with owlrl: %s", exc)
        return None


@lru_cache(maxsize=4)
def _triples(closure: Graph) -> frozenset[Triple]:
    return frozenset(closure)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _default_rules() -> tuple[RuleTables, frozenset[Triple]] | None:
    """``compiled_rules(tbox_closure())`` and the closure's triples, kept on disk
    (``disk_cache``, keyed by the ontology, owlrl's and rdflib's versions and the compiler's
    code): an ingest's start built the closure's rdflib graph and compiled it, about 0.05 s
    of the 0.17 s its first article took before the workers could start
    (docs/performance.md, session 13). None when the ontology is not compiled (owlrl then)."""
    code = Path(rule_tables.__file__).read_bytes() if rule_tables.__file__ else b""

    def computed() -> tuple[RuleTables, frozenset[Triple]] | tuple[()]:
        closure = tbox_closure()
        rules = compiled_rules(closure)
        return () if rules is None else (rules, _triples(closure))

    kept = disk_cache.pickled("rule-tables", [tbox_key(), f"rdflib {rdflib.__version__}", code], computed, tuple)
    return kept if kept else None  # type: ignore[return-value]


def infer(article_graph: Graph, iris: Iris | None = None, lexicon: Graph | None = None) -> Graph:
    """The triples OWL-RL infers from one article's graph and the ontology, less what
    the store's vocabulary graphs already hold (with ``iris``, their base) and what the
    article's ``lexicon`` entries state: a triple stored in two graphs counts twice in the
    union default graph (``COUNT(*)``, VoID). Computed with the compiled rules, or with
    owlrl when they cannot (``infer_owlrl``, the same triples)."""
    return infer_with(tbox_closure(), article_graph, iris, lexicon)


def infer_with(closure: Graph, article_graph: Graph, iris: Iris | None = None,
               lexicon: Graph | None = None) -> Graph:
    """``infer`` against the given ontology closure (``tbox_closure()`` in ``infer``)."""
    return _graph(inferred_triples(article_graph, iris, lexicon, closure))


def inferred_triples(article: Iterable[Triple], iris: Iris | None = None, lexicon: Iterable[Triple] | None = None,
                     closure: Graph | None = None) -> set[Triple]:
    """``infer``'s triples as a set, from an article's triples and its lexicon entries as
    sets or graphs (ingest: ``mapping.triples``, never an rdflib graph)."""
    if closure is None:  # the ontology's: its tables and triples read back, no rdflib graph built
        default = _default_rules()
        rules, ontology = default if default is not None else (None, _triples(tbox_closure()))
    else:
        rules, ontology = compiled_rules(closure), _triples(closure)
    asserted = set(article)
    entailed = rules.entail(asserted) if rules is not None else None
    if entailed is not None:
        return _inferred(entailed, asserted, ontology, iris, lexicon)
    closure = tbox_closure() if closure is None else closure  # owlrl, with the closure's own blank nodes
    return _inferred(_owlrl_closure(closure, asserted), asserted, _triples(closure), iris, lexicon)


def infer_owlrl(article_graph: Graph, iris: Iris | None = None, lexicon: Graph | None = None) -> Graph:
    """The reference: owlrl's ``DeductiveClosure`` over the ontology's closure and the
    article's graph, what it adds kept as in ``infer``."""
    return _infer_owlrl(tbox_closure(), article_graph, iris, lexicon)


def _infer_owlrl(closure: Graph, article_graph: Graph, iris: Iris | None, lexicon: Graph | None) -> Graph:
    return _graph(_inferred(_owlrl_closure(closure, article_graph), set(article_graph), _triples(closure), iris,
                            lexicon))


def _owlrl_closure(closure: Graph, triples: Iterable[Triple]) -> Graph:
    g = Graph()
    g += closure
    g += triples  # type: ignore[arg-type]  # rdflib: any iterable of triples
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    return g


def _graph(triples: Iterable[Triple]) -> Graph:
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out.addN((s, p, o, out) for s, p, o in triples)
    return out


def _inferred(triples: Iterable[Triple], asserted: set[Triple], ontology: frozenset[Triple], iris: Iris | None,
              lexicon: Iterable[Triple] | None) -> set[Triple]:
    """What of ``triples`` is new: not asserted by the article, not in the ontology's
    closure, the store's vocabulary graphs or the article's lexicon entries, not trivial."""
    stored = stored_vocabulary(iris.base) if iris is not None else frozenset()
    entries = lexicon if isinstance(lexicon, (set, frozenset)) else frozenset(lexicon or ())
    return {t for t in triples
            if t not in asserted and t not in stored and t not in entries and not trivial(t) and t not in ontology}


def split_shared(inferred: Iterable[Triple], lexicon: Iterable[Triple]) -> tuple[set[Triple], set[Triple]]:
    """(what is the article's own, what is about the lexicon's shared nodes) of an article's
    inferences: a source, place or kind named by several articles gets its inferred classes
    once, in the lexicon's inferred graph, not in each article's (a triple in two graphs
    counts twice in the union default graph)."""
    shared_nodes = {t[0] for t in lexicon}
    own: set[Triple] = set()
    shared: set[Triple] = set()
    for t in inferred:
        (shared if t[0] in shared_nodes else own).add(t)
    return own, shared
