"""OWL-RL reasoning (owlrl), per article, into the article's own inferred graph.

owlrl over a whole store does not scale (about 0.5-0.7 ms per triple), so the closure
of the ontology is computed once (``vocabulary.tbox_closure``) and each article is
reasoned over alone, against it. What is inferred goes to ``graph/inferred/{article}``;
the asserted graph is never rewritten.
"""

from __future__ import annotations

import owlrl
from rdflib import Graph

from .terms import PREFIXES, Iris
from .vocabulary import stored_vocabulary, tbox_closure, trivial


def infer(article_graph: Graph, iris: Iris | None = None, lexicon: Graph | None = None) -> Graph:
    """The triples OWL-RL infers from one article's graph and the ontology, less what
    the store's vocabulary graphs already hold (with ``iris``, their base) and what the
    article's ``lexicon`` entries state: a triple stored in two graphs counts twice in the
    union default graph (``COUNT(*)``, VoID)."""
    stored = stored_vocabulary(iris.base) if iris is not None else frozenset()
    if lexicon is not None:
        stored = stored | frozenset(lexicon)
    closure = tbox_closure()
    g = Graph()
    g += closure
    g += article_graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for t in g:
        if t not in article_graph and t not in closure and t not in stored and not trivial(t):
            out.add(t)
    return out
