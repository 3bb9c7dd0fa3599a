"""The SHACL shapes compiled into plain Python checks over indexed triples.

pySHACL costs about 300-400 ms per run plus 0.15-0.2 ms per triple (issue #14), while
the shapes are fixed: ``compile_shapes`` reads them once and turns every constraint of
every targeted shape into a Python closure over the article's triples indexed by
(subject, predicate), with the vocabulary (pySHACL's ``ont_graph``) mixed in as pySHACL
mixes it (its RDFS/OWL axioms and named individuals, computed by pySHACL's own
``inoculate``) and indexed once per vocabulary. It covers the SHACL Core constructs
``ontology/shapes.ttl`` uses: ``sh:targetClass`` (following ``rdfs:subClassOf``),
``sh:property`` with a predicate ``sh:path``, ``sh:minCount``/``sh:maxCount``,
``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:in``, ``sh:hasValue``,
``sh:or``/``sh:and``/``sh:not``/``sh:xone``, ``sh:node``, qualified value shapes,
``sh:min/maxInclusive/Exclusive``, ``sh:lessThan(OrEquals)``, each as pySHACL 0.x
evaluates it (``_datatype_ok`` is pySHACL's datatype test, ill-typed literals included).

Any other SHACL term anywhere in the shapes graph (a path expression, another target,
``sh:pattern``, SPARQL constraints, a severity other than violation, ``sh:closed``...)
makes ``compile_shapes`` raise ``UnsupportedShapes`` naming it, so a shapes edit can
never silently weaken validation: ``validation`` then uses pySHACL for everything.
pySHACL stays the reference: the compiled checks only decide "conforms"; a graph they
reject is run through pySHACL, which words the report.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable, Set
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
Index = dict[tuple[Node, Node], set[Node]]
Check = Callable[["_View", Node], bool]  # does this focus node conform to the shape?
ValuesCheck = Callable[["_View", Node, Collection[Node]], bool]  # (view, focus node, value nodes)

_EMPTY: frozenset[Node] = frozenset()
_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf  # namespace attributes are slow to look up in loops
_STRING, _LANG_STRING, _LITERAL, _DATATYPE = XSD.string, RDF.langString, RDFS.Literal, RDFS.Datatype

# SHACL terms the compiler understands (every other sh: predicate or type is unsupported).
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})
_CONSTRAINTS = frozenset({
    SH.targetClass, SH.property, SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind,
    SH["class"], SH["in"], SH.hasValue, SH["or"], SH["and"], SH["not"], SH.xone, SH.node,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.minInclusive,
    SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.lessThan, SH.lessThanOrEquals,
})
# Non-validating terms (SHACL 2.3.2 and the results' wording): read by nobody here.
_INERT = frozenset({SH.message, SH.name, SH.description, SH.order, SH.group, SH.defaultValue})
_SINGLE = frozenset({  # parameters a shape may give once only
    SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["in"], SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount,
})
_PROPERTY_ONLY = frozenset({  # meaningless on a node shape (pySHACL refuses them there)
    SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.lessThan, SH.lessThanOrEquals,
})
_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}


class UnsupportedShapes(ValueError):
    """The shapes graph uses a SHACL construct ``compile_shapes`` does not compile."""


def _datatype_ok(v: Node, dt: Node) -> bool:
    """pySHACL's DatatypeConstraintComponent on one value node."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        return v.ill_typed is not True and _value_ok(v, dt)
    if dt == _LITERAL:
        return True
    if dt == _DATATYPE:
        return v.datatype is not None
    if v.datatype is None and v.language is None and dt == _STRING:
        return _value_ok(v, dt)
    if dt == _LANG_STRING and v.language:
        return _value_ok(v, dt)
    return False


_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def _value_ok(v: Literal, dt: Node) -> bool:
    kind = _PYTHON_TYPES.get(dt)
    return kind is None or isinstance(v.value, kind)  # pySHACL: other datatypes pass once equal


def _compare(v: Node, bound: Literal) -> int | None:
    """pySHACL's comparison of a value node with a range bound (None: not comparable)."""
    if not isinstance(v, Literal) or isinstance(bound.value, str) != isinstance(v.value, str):
        return None
    from pyshacl.rdfutil.compare import compare_literal

    try:
        return compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return None


def _comparable(v: Node) -> object:
    """What pySHACL's property-pair comparisons compare: IRIs and string literals as str."""
    if isinstance(v, URIRef):
        return str(v)
    if isinstance(v, Literal) and isinstance(v.value, str):
        return v.value
    return v


def _pair_ok(v: Node, other: Node, strict: bool) -> bool:
    """pySHACL's sh:lessThan / sh:lessThanOrEquals test of one value against one other."""
    if isinstance(v, BNode) or isinstance(other, BNode):
        return False  # pySHACL raises; the fallback run reports it
    a, b = _comparable(v), _comparable(other)
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)  # type: ignore[operator]
    except TypeError:
        return False


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
        if p == _TYPE:
            typed.setdefault(o, set()).add(s)
        elif p == _SUBCLASS:
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


class _View:
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


@dataclass
class CompiledShapes:
    """The targeted shapes of a shapes graph as checks, and their target classes."""
    targets: list[tuple[frozenset[Node], Check]]  # (target classes, check of a focus node)
    _by_object: list[tuple[weakref.ref, int, _Vocabulary]] = field(default_factory=list)
    _by_content: dict[frozenset, _Vocabulary] = field(default_factory=dict)

    def conforms(self, data: Graph | Iterable[Triple], vocabulary: Graph) -> bool:
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
        view = _View(index, vocab, supers)
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

    def _vocabulary(self, graph: Graph) -> _Vocabulary:
        """The vocabulary as pySHACL mixes it into the data, indexed: cached per graph
        object, then per content (the pipeline makes a new copy per batch)."""
        for ref, size, vocab in self._by_object:
            if ref() is graph and size == len(graph):
                return vocab
        triples = frozenset(graph)
        known = self._by_content.get(triples)
        if known is not None:
            vocab = known
        else:
            vocab = self._index_vocabulary(graph)
            self._by_content = {**dict(list(self._by_content.items())[-3:]), triples: vocab}
        self._by_object[:] = [e for e in self._by_object if e[0]() is not None][-3:]
        self._by_object.append((weakref.ref(graph), len(graph), vocab))
        return vocab

    def _index_vocabulary(self, graph: Graph) -> _Vocabulary:
        # pySHACL does not mix the whole ontology graph in: only its RDFS and OWL axioms and
        # owl:NamedIndividual resources (pyshacl.rdfutil.inoculate). Its own function gives
        # exactly those triples, whatever the data.
        from pyshacl.rdfutil.inoculate import inoculate

        mixed = inoculate(Graph(), graph)  # type: ignore[arg-type]
        index, typed, edges = _index(mixed)  # type: ignore[arg-type]
        vocab = _Vocabulary(index, typed, edges, _closure(edges))
        focus = [f for f, _ in self._focus({}, vocab, vocab.supers, True)]
        view = _View({}, vocab, vocab.supers)
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


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """The checks of every shape of ``shapes`` that has a target. Raises
    ``UnsupportedShapes`` for a SHACL construct they do not cover."""
    for s, p, o in shapes:
        if str(p).startswith(str(SH)) and p not in _CONSTRAINTS and p not in _INERT:
            if p == SH.severity and o == SH.Violation:
                continue
            raise UnsupportedShapes(f"{s} {p} {o}: no compiled check for {p}")
        if p == RDF.type and str(o).startswith(str(SH)) and o not in _SHAPE_TYPES:
            raise UnsupportedShapes(f"{s} a {o}: no compiled check for this type")
        if p == RDF.type and o in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")) and (
                (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes):
            raise UnsupportedShapes(f"{s} is a class and a shape: implicit class targets are not compiled")
    compiler = _Compiler(shapes)
    targets = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        classes = frozenset(shapes.objects(shape, SH.targetClass))
        targets.append((classes, compiler.shape(shape)))
    return CompiledShapes(targets)


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.done: dict[Node, Check] = {}
        self.compiling: set[Node] = set()

    def shape(self, node: Node) -> Check:
        if node in self.done:
            return self.done[node]
        if node in self.compiling:
            raise UnsupportedShapes(f"shape {node} refers to itself: recursive shapes are not compiled")
        self.compiling.add(node)
        check = self._shape(node)
        self.compiling.discard(node)
        self.done[node] = check
        return check

    def _one(self, node: Node, p: Node) -> Node | None:
        values = list(self.g.objects(node, p))
        if len(values) > 1 and p in _SINGLE:
            raise UnsupportedShapes(f"shape {node} has {len(values)} values of {p}")
        return values[0] if values else None

    def _list(self, head: Node) -> list[Node]:
        items = list(self.g.items(head))
        if not items and head != RDF.nil:
            raise UnsupportedShapes(f"{head} is not a SHACL list")
        return items

    def _int(self, node: Node, p: Node) -> int | None:
        v = self._one(node, p)
        if v is None:
            return None
        if not isinstance(v, Literal) or not isinstance(v.value, int):
            raise UnsupportedShapes(f"shape {node}: {p} {v} is not an integer")
        return v.value

    def _shape(self, node: Node) -> Check:
        g = self.g
        path = self._one(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapes(f"shape {node}: path {path} is a path expression, not compiled")
        if path is None:
            for p in _PROPERTY_ONLY:
                if (node, p, None) in g:
                    raise UnsupportedShapes(f"node shape {node} has {p}")
        checks: list[ValuesCheck] = []
        lo, hi = self._int(node, SH.minCount), self._int(node, SH.maxCount)
        if lo is not None or hi is not None:
            checks.append(_count(lo or 0, hi))
        dt = self._one(node, SH.datatype)
        if dt is not None:
            checks.append(_each(lambda view, v: _datatype_ok(v, dt)))
        kind = self._one(node, SH.nodeKind)
        if kind is not None:
            if not isinstance(kind, URIRef) or kind not in _NODE_KINDS:
                raise UnsupportedShapes(f"shape {node}: unknown node kind {kind}")
            checks.append(_each(_of_kind(_NODE_KINDS[kind])))
        for cls in g.objects(node, SH["class"]):
            checks.append(_each(_instance_of(cls)))
        members = self._one(node, SH["in"])
        if members is not None:
            allowed = frozenset(self._list(members))
            checks.append(_each(lambda view, v: v in allowed))
        for value in g.objects(node, SH.hasValue):
            checks.append(_has(value))
        for head in g.objects(node, SH["or"]):
            checks.append(_each(_conforming([self.shape(s) for s in self._list(head)], lambda n, k: n >= 1)))
        for head in g.objects(node, SH["and"]):
            shapes = [self.shape(s) for s in self._list(head)]
            checks.append(_each(_conforming(shapes, lambda n, k: n == k)))
        for head in g.objects(node, SH.xone):
            checks.append(_each(_conforming([self.shape(s) for s in self._list(head)], lambda n, k: n == 1)))
        for other in g.objects(node, SH["not"]):
            checks.append(_each(_conforming([self.shape(other)], lambda n, k: n == 0)))
        for other in g.objects(node, SH.node):
            checks.append(_each(_conforming([self.shape(other)], lambda n, k: n == 1)))
        for prop in g.objects(node, SH.property):
            if (prop, SH.path, None) not in g:
                raise UnsupportedShapes(f"shape {node}: sh:property {prop} has no sh:path")
            checks.append(_each(_conforming([self.shape(prop)], lambda n, k: n == 1)))
        qualified = self._one(node, SH.qualifiedValueShape)
        qlo, qhi = self._int(node, SH.qualifiedMinCount), self._int(node, SH.qualifiedMaxCount)
        if (qualified is None) != (qlo is None and qhi is None):
            raise UnsupportedShapes(f"shape {node}: a qualified count needs a qualified value shape and back")
        if qualified is not None:
            checks.append(_qualified(self.shape(qualified), qlo or 0, qhi))
        for p, test in _RANGES.items():
            for bound in g.objects(node, p):
                if not isinstance(bound, Literal):
                    raise UnsupportedShapes(f"shape {node}: {p} {bound} is not a literal")
                checks.append(_each(_in_range(bound, test)))
        for p, strict in ((SH.lessThan, True), (SH.lessThanOrEquals, False)):
            for other_p in g.objects(node, p):
                if not isinstance(other_p, URIRef):
                    raise UnsupportedShapes(f"shape {node}: {p} {other_p} is a path expression")
                checks.append(_pairs(other_p, strict))
        if path is None:
            return _node_shape(checks)
        return _property_shape(path, checks)


# Builders of the checks: each returns a closure over its parameters. A ValuesCheck gets
# (view, focus node, value nodes): the focus node alone for a node shape, its values on
# the path for a property shape.

def _node_shape(checks: list[ValuesCheck]) -> Check:
    def check(view: _View, f: Node) -> bool:
        vals = (f,)
        return all(c(view, f, vals) for c in checks)
    return check


def _property_shape(path: Node, checks: list[ValuesCheck]) -> Check:
    def check(view: _View, f: Node) -> bool:
        vals = view.objects(f, path)
        return all(c(view, f, vals) for c in checks)
    return check


def _each(test: Callable[[_View, Node], bool]) -> ValuesCheck:
    def check(view: _View, f: Node, vals: Collection[Node]) -> bool:
        return all(test(view, v) for v in vals)
    return check


def _count(lo: int, hi: int | None) -> ValuesCheck:
    def check(view: _View, f: Node, vals: Collection[Node]) -> bool:
        return lo <= len(vals) and (hi is None or len(vals) <= hi)
    return check


def _has(value: Node) -> ValuesCheck:
    def check(view: _View, f: Node, vals: Collection[Node]) -> bool:
        return value in vals
    return check


def _of_kind(kinds: tuple[type, ...]) -> Callable[[_View, Node], bool]:
    return lambda view, v: isinstance(v, kinds)


def _instance_of(cls: Node) -> Callable[[_View, Node], bool]:
    return lambda view, v: view.is_instance(v, cls)


def _conforming(shapes: list[Check], verdict: Callable[[int, int], bool]) -> Callable[[_View, Node], bool]:
    """A value node's verdict from how many of ``shapes`` it conforms to (of how many)."""
    k = len(shapes)
    if k == 1:
        only = shapes[0]
        return lambda view, v: verdict(int(only(view, v)), 1)
    return lambda view, v: verdict(sum(s(view, v) for s in shapes), k)


def _qualified(shape: Check, lo: int, hi: int | None) -> ValuesCheck:
    def check(view: _View, f: Node, vals: Collection[Node]) -> bool:
        n = sum(shape(view, v) for v in vals)
        return lo <= n and (hi is None or n <= hi)
    return check


_RANGES: dict[URIRef, Callable[[int], bool]] = {
    SH.minInclusive: lambda c: c >= 0, SH.minExclusive: lambda c: c > 0,
    SH.maxInclusive: lambda c: c <= 0, SH.maxExclusive: lambda c: c < 0,
}


def _in_range(bound: Literal, test: Callable[[int], bool]) -> Callable[[_View, Node], bool]:
    def ok(view: _View, v: Node) -> bool:
        c = _compare(v, bound)
        return c is not None and test(c)
    return ok


def _pairs(other: URIRef, strict: bool) -> ValuesCheck:
    def check(view: _View, f: Node, vals: Collection[Node]) -> bool:
        return all(_pair_ok(v, w, strict) for v in vals for w in view.objects(f, other))
    return check
