"""The data graph as the compiled SHACL shapes see it, and the run of their checks.

pySHACL validates a clone of the data graph with the vocabulary (its ``ont_graph``)
mixed in: not all of it, only its RDFS/OWL axioms and named individuals (pySHACL's
``inoculate``). ``CompiledShapes`` computes that mix once per vocabulary and indexes it,
indexes each data graph by (subject, predicate), and runs the checks ``shape_checks``
compiled on the focus nodes of each shape's target classes (``rdfs:subClassOf``
followed), as pySHACL would. The vocabulary's own focus nodes (the named individuals:
quantity kinds, concepts) are checked once per vocabulary; a data graph re-checks them
only when it states triples about a node their checks can read, or subclasses.
"""

from __future__ import annotations

import importlib.metadata
import weakref
from collections.abc import Callable, Collection, Iterable, Set
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from . import disk_cache

Triple = tuple[Node, Node, Node]
Index = dict[tuple[Node, Node], set[Node]]
Check = Callable[["DataView", Node], bool]  # does this focus node conform to the shape?
ValuesCheck = Callable[["DataView", Node, Collection[Node]], bool]  # (view, focus node, value nodes)

_EMPTY: frozenset[Node] = frozenset()
_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf  # namespace attributes are slow to look up in loops
_IS_TYPE, _IS_SUBCLASS = frozenset({_TYPE}), frozenset({_SUBCLASS})


@dataclass
class _Vocabulary:
    """The vocabulary graph indexed once, with what holds of it alone."""
    index: Index
    typed: dict[Node, set[Node]]  # class -> subjects typed with it
    subclass_edges: dict[Node, set[Node]]  # class -> its direct superclasses
    supers: dict[Node, frozenset[Node]]  # class -> itself and all its superclasses
    conforms: bool = False  # the vocabulary alone conforms to the shapes
    reach: frozenset[Node] = _EMPTY  # every node its own focus nodes' checks can read
    focus: frozenset[Node] = _EMPTY


def _index(triples: Iterable[Triple]) -> tuple[Index, dict[Node, set[Node]], dict[Node, set[Node]]]:
    index: Index = {}
    typed: dict[Node, set[Node]] = {}
    edges: dict[Node, set[Node]] = {}
    for s, p, o in triples:
        key = (s, p)
        vals = index.get(key)
        if vals is None:
            index[key] = {o}
        else:
            vals.add(o)
        if p in _IS_TYPE:  # a set lookup hashes in C; ``p == _TYPE`` calls rdflib's Python __eq__
            typed.setdefault(o, set()).add(s)
        elif p in _IS_SUBCLASS:
            edges.setdefault(s, set()).add(o)
    return index, typed, edges


def _closure(edges: dict[Node, set[Node]]) -> dict[Node, frozenset[Node]]:
    out: dict[Node, frozenset[Node]] = {}
    for c in edges:
        seen, todo = {c}, [c]
        while todo:
            for d in edges.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        out[c] = frozenset(seen)
    return out


class DataView:
    """The data graph with the vocabulary mixed in, as pySHACL sees it (read only)."""

    def __init__(self, data: Index, vocab: _Vocabulary, supers: dict[Node, frozenset[Node]]):
        self.data, self.vocab, self.supers = data, vocab.index, supers

    def objects(self, s: Node, p: Node) -> Set[Node]:
        d, v = self.data.get((s, p)), self.vocab.get((s, p))
        if not v:
            return d or _EMPTY
        return d | v if d else v

    def is_instance(self, node: Node, cls: Node) -> bool:
        """SHACL instance: ``node rdf:type/rdfs:subClassOf* cls``."""
        if isinstance(node, Literal):
            return False
        supers = self.supers
        return any(t == cls or cls in supers.get(t, ()) for t in self.objects(node, _TYPE))


class NamedVocabulary(Protocol):
    """A vocabulary graph named by a key of its content (``vocabulary.Vocabulary``): its
    index is found by the key, without a digest of its triples, and its rdflib graph is
    built only when the index has to be computed."""

    @property
    def key(self) -> str: ...

    @property
    def graph(self) -> Graph: ...


@dataclass
class CompiledShapes:
    """The targeted shapes of a shapes graph as checks, and their target classes."""
    targets: list[tuple[frozenset[Node], Check]]  # (target classes, check of a focus node)
    # a digest of the shapes these checks were compiled from, and of the compiler: the
    # indexed vocabulary is then kept on disk (``disk_cache``); None: computed per process
    key: str | None = None
    _by_object: list[tuple[weakref.ref, int, _Vocabulary]] = field(default_factory=list)
    _by_content: dict[frozenset, _Vocabulary] = field(default_factory=dict)
    _by_key: dict[str, _Vocabulary] = field(default_factory=dict)

    def conforms(self, data: Graph | Iterable[Triple], vocabulary: Graph | NamedVocabulary) -> bool:
        """Whether ``data`` with ``vocabulary`` mixed in conforms, as pySHACL
        (``ont_graph=vocabulary, inference="none"``) would decide."""
        vocab = self._vocabulary(vocabulary)
        index, typed, edges = _index(data)  # type: ignore[arg-type]
        if edges:  # the data states subclasses: close the union's hierarchy afresh
            union = {c: set(ds) for c, ds in vocab.subclass_edges.items()}
            for c, ds in edges.items():
                union.setdefault(c, set()).update(ds)
            supers = _closure(union)
        else:
            supers = vocab.supers
        view = DataView(index, vocab, supers)
        touched = not vocab.conforms or edges or any(s in vocab.reach for s, _ in index)
        return all(check(view, f) for f, check in self._focus(typed, vocab, supers, bool(touched)))

    def _focus(self, typed: dict[Node, set[Node]], vocab: _Vocabulary, supers: dict[Node, frozenset[Node]],
               with_vocabulary: bool) -> Iterable[tuple[Node, Check]]:
        for classes, check in self.targets:
            for sources in ((typed, vocab.typed) if with_vocabulary else (typed,)):
                for t, subjects in sources.items():
                    if t in classes or not classes.isdisjoint(supers.get(t, ())):
                        for f in subjects:
                            yield f, check

    def _vocabulary(self, graph: Graph | NamedVocabulary) -> _Vocabulary:
        """The vocabulary as pySHACL mixes it into the data, indexed: cached per graph
        object, then per content (the pipeline makes a new copy per batch); a named one
        per key."""
        if not isinstance(graph, Graph):
            known = self._by_key.get(graph.key)
            if known is None:
                known = self._kept_index(lambda: f"named {graph.key}", lambda: graph.graph)
                self._by_key = {**dict(list(self._by_key.items())[-3:]), graph.key: known}
            return known
        for ref, size, vocab in self._by_object:
            if ref() is graph and size == len(graph):
                return vocab
        triples = frozenset(graph)
        known = self._by_content.get(triples)
        if known is not None:
            vocab = known
        else:
            vocab = self._kept_index(lambda: disk_cache.triples_digest(triples), lambda: graph)
            self._by_content = {**dict(list(self._by_content.items())[-3:]), triples: vocab}
        self._by_object[:] = [e for e in self._by_object if e[0]() is not None][-3:]
        self._by_object.append((weakref.ref(graph), len(graph), vocab))
        return vocab

    def _kept_index(self, content: Callable[[], str], graph: Callable[[], Graph]) -> _Vocabulary:
        """``_index_vocabulary`` of ``graph()``, kept on disk when the checks have a key (about
        0.15 s of every command's start: pySHACL's inoculate), keyed by the shapes, the
        compiler, pySHACL's version and ``content()``, a key of the vocabulary's triples."""
        if self.key is None:
            return self._index_vocabulary(graph())
        # pySHACL's version from its metadata: importing it (and rdflib's SPARQL engine with
        # it) costs 0.1 s that a cache hit does not need
        key = [self.key, content(), importlib.metadata.version("pyshacl")]
        return disk_cache.pickled("shacl-vocabulary", key, lambda: self._index_vocabulary(graph()), _Vocabulary)

    def _index_vocabulary(self, graph: Graph) -> _Vocabulary:
        # pySHACL does not mix the whole ontology graph in: only its RDFS and OWL axioms and
        # owl:NamedIndividual resources (pyshacl.rdfutil.inoculate). Its own function gives
        # exactly those triples, whatever the data.
        from pyshacl.rdfutil.inoculate import inoculate

        mixed = inoculate(Graph(), graph)  # type: ignore[arg-type]
        index, typed, edges = _index(mixed)  # type: ignore[arg-type]
        vocab = _Vocabulary(index, typed, edges, _closure(edges))
        focus = [f for f, _ in self._focus({}, vocab, vocab.supers, True)]
        view = DataView({}, vocab, vocab.supers)
        vocab.conforms = all(check(view, f) for f, check in self._focus({}, vocab, vocab.supers, True))
        by_subject: dict[Node, set[Node]] = {}
        for (s, _), objs in index.items():
            by_subject.setdefault(s, set()).update(objs)
        reach, todo = set(focus), list(focus)
        while todo:
            for o in by_subject.get(todo.pop(), ()):
                if o not in reach:
                    reach.add(o)
                    todo.append(o)
        vocab.reach, vocab.focus = frozenset(reach), frozenset(focus)
        return vocab
