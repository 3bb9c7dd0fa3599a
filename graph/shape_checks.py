"""The SHACL shapes compiled into plain Python checks (run by ``shape_data``).

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

from collections.abc import Callable, Collection
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .shape_data import Check, CompiledShapes, DataView, ValuesCheck

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
    try:
        return compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return None


def compare_literal(l1: Literal, l2: Literal) -> int:
    """pySHACL's ``rdfutil.compare.compare_literal`` (0.40), written here: importing it
    imports pySHACL whole and rdflib's SPARQL engine with it, 0.06-0.09 s of every
    ``factgraph ingest``'s start for a dozen lines (tested to answer as pySHACL's does)."""
    if l1.eq(l2):
        return 0
    # not equal, and no TypeError / NotImplementedError: comparable datatypes
    if l1.value.__class__ in (datetime, time):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


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
        if path is not None and (not isinstance(path, URIRef) or (path, RDF.first, None) in g):
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
    def check(view: DataView, f: Node) -> bool:
        vals = (f,)
        return all(c(view, f, vals) for c in checks)
    return check


def _property_shape(path: Node, checks: list[ValuesCheck]) -> Check:
    def check(view: DataView, f: Node) -> bool:
        vals = view.objects(f, path)
        return all(c(view, f, vals) for c in checks)
    return check


def _each(test: Callable[[DataView, Node], bool]) -> ValuesCheck:
    def check(view: DataView, f: Node, vals: Collection[Node]) -> bool:
        return all(test(view, v) for v in vals)
    return check


def _count(lo: int, hi: int | None) -> ValuesCheck:
    def check(view: DataView, f: Node, vals: Collection[Node]) -> bool:
        return lo <= len(vals) and (hi is None or len(vals) <= hi)
    return check


def _has(value: Node) -> ValuesCheck:
    def check(view: DataView, f: Node, vals: Collection[Node]) -> bool:
        return value in vals
    return check


def _of_kind(kinds: tuple[type, ...]) -> Callable[[DataView, Node], bool]:
    return lambda view, v: isinstance(v, kinds)


def _instance_of(cls: Node) -> Callable[[DataView, Node], bool]:
    return lambda view, v: view.is_instance(v, cls)


def _conforming(shapes: list[Check], verdict: Callable[[int, int], bool]) -> Callable[[DataView, Node], bool]:
    """A value node's verdict from how many of ``shapes`` it conforms to (of how many)."""
    k = len(shapes)
    if k == 1:
        only = shapes[0]
        return lambda view, v: verdict(int(only(view, v)), 1)
    return lambda view, v: verdict(sum(s(view, v) for s in shapes), k)


def _qualified(shape: Check, lo: int, hi: int | None) -> ValuesCheck:
    def check(view: DataView, f: Node, vals: Collection[Node]) -> bool:
        n = sum(shape(view, v) for v in vals)
        return lo <= n and (hi is None or n <= hi)
    return check


_RANGES: dict[URIRef, Callable[[int], bool]] = {
    SH.minInclusive: lambda c: c >= 0, SH.minExclusive: lambda c: c > 0,
    SH.maxInclusive: lambda c: c <= 0, SH.maxExclusive: lambda c: c < 0,
}


def _in_range(bound: Literal, test: Callable[[int], bool]) -> Callable[[DataView, Node], bool]:
    def ok(view: DataView, v: Node) -> bool:
        c = _compare(v, bound)
        return c is not None and test(c)
    return ok


def _pairs(other: URIRef, strict: bool) -> ValuesCheck:
    def check(view: DataView, f: Node, vals: Collection[Node]) -> bool:
        return all(_pair_ok(v, w, strict) for v in vals for w in view.objects(f, other))
    return check
