"""OWL-RL's per-article rules compiled from the ontology's closure into lookup tables.

The ontology is fixed, so what OWL 2 RL's ABox rules need from it is read once from its
closure (``vocabulary.tbox_closure``, computed by owlrl, which stays the reference):

- prp-dom, prp-rng: the domains and ranges of each property (the closure already holds
  them for sub-properties and superclasses, scm-dom*/scm-rng*);
- prp-spo1, prp-eqp*: the super- and equivalent properties of each property;
- prp-inv1/2, prp-symp, prp-trp: inverses, symmetric and transitive properties;
- cax-sco, cax-eqc*: the superclasses and equivalent classes of each class; cls-uni is
  cax-sco once the closure says each member of a union is its subclass (scm-uni);
- cax-dw, cls-nothing2: disjoint classes and owl:Nothing, which owlrl reports as error
  messages; the dt-* one-time rules (datatypes of the article's literals, their
  disjointness, ill-typed literals).

``RuleTables.entail`` applies them to one article's triples up to a fixed point with
plain sets and dicts. A construct the tables do not cover (a restriction, an
intersection, a functional property, a property chain...) makes ``compile_rules`` raise
``UnsupportedOntology`` naming it, so an ontology edit can never silently lose
inferences; an article that would need owlrl's error messages or rules over its own
schema triples gets ``None`` from ``entail`` (the caller then asks owlrl).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.Namespaces import ERRNS
from owlrl.OWLRL import OWLRL_Annotation_properties
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

_RL_DATATYPES = frozenset(OWL_RL_Datatypes)  # owlrl's is a list: membership by equality, term by term
_RDF_TYPE, _NOTHING = RDF.type, OWL.Nothing
# ``p in _TYPE`` compares hashes in C; ``p == RDF.type`` calls rdflib's Python ``__eq__``
_TYPE = frozenset({_RDF_TYPE})
_SCHEMA_CLASSES = frozenset({RDF.Property, RDFS.Class})

# Types of schema terms the tables read or that entail nothing per article.
_SCHEMA_TYPES = frozenset({
    OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
    RDFS.Datatype, OWL.Ontology, OWL.SymmetricProperty, OWL.TransitiveProperty,
})
# Predicates of the closure the tables read.
_READ = frozenset({
    RDFS.domain, RDFS.range, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf, RDFS.subClassOf,
    OWL.equivalentClass, OWL.disjointWith, OWL.unionOf, RDF.first, RDF.rest, OWL.sameAs, RDF.type,
})
# OWL predicates that entail nothing in OWL-RL (annotations of the ontology).
_INERT_OWL = frozenset({
    OWL.versionIRI, OWL.versionInfo, OWL.imports, OWL.deprecated, OWL.priorVersion,
    OWL.backwardCompatibleWith, OWL.incompatibleWith,
})
# Predicates and types owlrl's rules react to as schema: an article that states one is
# reasoned by owlrl (it would change the rules).
_SCHEMA_PREDICATES = frozenset({
    RDFS.domain, RDFS.range, RDFS.subPropertyOf, RDFS.subClassOf, RDF.first, RDF.rest,
})


class UnsupportedOntology(ValueError):
    """The ontology uses a construct ``compile_rules`` does not compile."""


_OWL = str(OWL)


def _is_owl(term: Node) -> bool:
    return str(term).startswith(_OWL)


def _schema_triple(t: Triple) -> bool:
    """Whether owlrl would read this triple as schema (rules about other triples)."""
    _, p, o = t
    if p in _SCHEMA_PREDICATES or _is_owl(p):
        return True
    return p in _TYPE and (_is_owl(o) or o in _RL_DATATYPES or o in _SCHEMA_CLASSES)


@dataclass(frozen=True)
class RuleTables:
    domains: dict[Node, frozenset[Node]]  # property -> classes of its subjects
    ranges: dict[Node, frozenset[Node]]  # property -> classes of its objects
    super_properties: dict[Node, frozenset[Node]]  # property -> super- and equivalent properties
    inverses: dict[Node, frozenset[Node]]  # property -> inverse properties, both ways
    symmetric: frozenset[Node]
    transitive: frozenset[Node]
    superclasses: dict[Node, frozenset[Node]]  # class -> super- and equivalent classes
    disjoint: tuple[tuple[Node, Node], ...]
    seed: frozenset[Triple]  # the closure's own triples of transitive properties
    types: dict[Node, frozenset[Node]]  # the closure's own rdf:type triples, for cax-dw
    datatypes: frozenset[Node]  # RL datatypes of the closure's literals or types (dt-type1/2)

    def entail(self, triples: Iterable[Triple]) -> set[Triple] | None:
        """Every triple OWL-RL entails from ``triples`` and the ontology's closure
        (owlrl's ``DeductiveClosure`` on the union) but the closure's own triples and
        the reflexive ones (eq-ref, scm-cls); ``None`` when owlrl would also report an
        error (disjoint classes, owl:Nothing, an ill-typed literal) or ``triples`` hold
        schema (the caller then runs owlrl)."""
        known: set[Triple] = set(self.seed)
        work: list[Triple] = []
        used = set(self.datatypes)
        for t in triples:
            if _schema_triple(t):
                return None
            o = t[2]
            if isinstance(o, Literal) and o.datatype in _RL_DATATYPES:
                if not _lexically_valid(o):
                    return None
                for dt in (o.datatype, *OWL_Datatype_Subsumptions.get(o.datatype, ())):  # dt-type1
                    used.add(dt)
                    if (o, RDF.type, dt) not in known:
                        known.add((o, RDF.type, dt))
                        work.append((o, RDF.type, dt))
            if t not in known:
                known.add(t)
                work.append(t)
        disjoint = list(self.disjoint)
        for t in OWLRL_Datatypes_Disjointness:  # dt-diff, as owlrl restricts it: datatypes in use
            if t[0] in used and t[2] in used:
                known.add(t)
                disjoint.append((t[0], t[2]))
        for dt in used:
            known.add((dt, RDF.type, RDFS.Datatype))

        after: dict[tuple[Node, Node], set[Node]] = defaultdict(set)  # (p, x) -> y for x p y, p transitive
        before: dict[tuple[Node, Node], set[Node]] = defaultdict(set)  # (p, y) -> x
        for s, p, o in known:
            if p in self.transitive:
                after[p, s].add(o)
                before[p, o].add(s)

        domains, ranges, supers = self.domains, self.ranges, self.super_properties
        inverses, symmetric, transitive, superclasses = self.inverses, self.symmetric, self.transitive, self.superclasses
        rdf_type, is_type = _RDF_TYPE, _TYPE
        while work:
            s, p, o = work.pop()
            new: list[Triple] = []
            if p in is_type:
                for c in superclasses.get(o, ()):
                    new.append((s, rdf_type, c))
            else:
                for c in domains.get(p, ()):
                    new.append((s, rdf_type, c))
                for c in ranges.get(p, ()):  # a literal's types too: cax-dw checks them
                    new.append((o, rdf_type, c))
                for q in supers.get(p, ()):
                    new.append((s, q, o))
                for q in inverses.get(p, ()):
                    new.append((o, q, s))
                if p in symmetric:
                    new.append((o, p, s))
                if p in transitive:
                    for z in list(after.get((p, o), ())):
                        new.append((s, p, z))
                    for w in list(before.get((p, s), ())):
                        new.append((w, p, o))
            for t in new:
                if t not in known:
                    known.add(t)
                    work.append(t)
                    if t[1] in transitive:
                        after[t[1], t[0]].add(t[2])
                        before[t[1], t[2]].add(t[0])
        typed: dict[Node, set[Node]] = defaultdict(set)
        for s, p, o in known:
            if p in is_type:
                typed[s].add(o)
        for s, classes in typed.items():
            classes.update(self.types.get(s, ()))
            if _NOTHING in classes:
                return None
            for a, b in disjoint:
                if a in classes and b in classes:
                    return None
        return known


def _lexically_valid(lit: Literal) -> bool:
    """owlrl's dt-type check: an RL literal whose text does not parse is an error."""
    converter = AltXSDToPYTHON.get(lit.datatype)
    if converter is None:
        return True
    try:
        converter(str(lit))
    except ValueError:
        return False
    return True


def compile_rules(closure: Graph) -> RuleTables:
    """The tables of the OWL-RL rules that ``closure`` (an ontology closed by owlrl) sets
    off on an article's triples. Raises ``UnsupportedOntology`` for a construct they do
    not cover."""
    domains: dict[Node, set[Node]] = defaultdict(set)
    ranges: dict[Node, set[Node]] = defaultdict(set)
    supers: dict[Node, set[Node]] = defaultdict(set)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    superclasses: dict[Node, set[Node]] = defaultdict(set)
    symmetric: set[Node] = set()
    transitive: set[Node] = set()
    disjoint: list[tuple[Node, Node]] = []
    datatypes: set[Node] = set()
    unions: list[tuple[Node, Node]] = []
    axioms = [(OWL.Thing, RDF.type, OWL.Class), (OWL.Nothing, RDF.type, OWL.Class)]
    axioms += [(a, RDF.type, OWL.AnnotationProperty) for a in OWLRL_Annotation_properties]
    axioms += [(dt, RDF.type, RDFS.Datatype) for dt in OWL_RL_Datatypes]
    for t in axioms:  # owlrl's one-time rules (cls-thing, cls-nothing1, prp-ap, dt-type1) add them per run
        if t not in closure:
            raise UnsupportedOntology(f"not an owlrl closure: {t} is missing")
    types: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in closure:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype in _RL_DATATYPES:
            if not _lexically_valid(o):  # owlrl would report it on every run
                raise UnsupportedOntology(f"ill-typed literal {o!r} in the ontology")
            datatypes.update((o.datatype, *OWL_Datatype_Subsumptions.get(o.datatype, ())))  # dt-type1, dt-diff
        if p == RDFS.domain:
            domains[s].add(o)
        elif p == RDFS.range:
            ranges[s].add(o)
        elif p == RDFS.subPropertyOf and s != o:
            supers[s].add(o)
        elif p == OWL.equivalentProperty and s != o:
            supers[s].add(o)
            supers[o].add(s)
        elif p == OWL.inverseOf:
            inverses[s].add(o)
            inverses[o].add(s)
        elif p == RDFS.subClassOf and s != o:
            superclasses[s].add(o)
        elif p == OWL.equivalentClass and s != o:
            superclasses[s].add(o)
            superclasses[o].add(s)
        elif p == OWL.disjointWith:
            disjoint.append((s, o))
        elif p == OWL.unionOf:
            unions.append((s, o))
        elif p == OWL.sameAs and s != o:
            raise UnsupportedOntology(f"owl:sameAs between distinct terms ({s}, {o}): eq-* rules are not compiled")
        elif p == RDF.type:
            types[s].add(o)
            if o == ERRNS.ErrorMessage:  # owlrl would report it again on every article
                raise UnsupportedOntology(f"the ontology is inconsistent: owlrl reported {s}")
            if o == OWL.SymmetricProperty:
                symmetric.add(s)
            elif o == OWL.TransitiveProperty:
                transitive.add(s)
            elif o in _RL_DATATYPES:
                datatypes.add(o)
            elif o not in _SCHEMA_TYPES and (_is_owl(o) or o == RDF.Property):
                raise UnsupportedOntology(f"{s} a {o}: no compiled rule for this type")
        elif p not in _READ and (_is_owl(p) and p not in _INERT_OWL):
            raise UnsupportedOntology(f"{s} {p} {o}: no compiled rule for this predicate")
    for union, head in unions:  # cls-uni is cax-sco when scm-uni put every member under the union
        for member in Graph.items(closure, head):
            if (member, RDFS.subClassOf, union) not in closure:
                raise UnsupportedOntology(f"union {union}: its member {member} is not its subclass in the closure")
    bearing = set(domains) | set(ranges) | set(supers) | set(inverses) | symmetric | transitive
    if RDF.type in bearing:
        raise UnsupportedOntology("rdf:type has property axioms")
    for table in (supers, inverses):
        for q in {q for qs in table.values() for q in qs}:
            if q in _SCHEMA_PREDICATES or _is_owl(q) or q == RDF.type:
                raise UnsupportedOntology(f"{q} is entailed as a property of an article's triples")
    for table in (domains, ranges, superclasses):
        for c in {c for cs in table.values() for c in cs}:
            if c != OWL.Thing and c != OWL.Nothing and (_is_owl(c) or c in (RDF.Property, RDFS.Class)):
                raise UnsupportedOntology(f"{c} is entailed as a class of an article's resources")
    seed = frozenset(t for t in closure if t[1] in transitive)  # type: ignore[misc]
    return RuleTables(
        domains={k: frozenset(v) for k, v in domains.items()},
        ranges={k: frozenset(v) for k, v in ranges.items()},
        super_properties={k: frozenset(v) for k, v in supers.items()},
        inverses={k: frozenset(v) for k, v in inverses.items()},
        symmetric=frozenset(symmetric),
        transitive=frozenset(transitive),
        superclasses={k: frozenset(v) for k, v in superclasses.items()},
        disjoint=tuple(disjoint),
        seed=seed,
        types={k: frozenset(v) for k, v in types.items()},
        datatypes=frozenset(datatypes),
    )
