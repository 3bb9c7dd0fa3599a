"""SHACL validation: the compiled checks (``shape_checks``, ``shape_data``) against pySHACL, the reference.

Same verdict on every graph the pipeline makes (the built-in corpus, articles written
here, a batch) and on graphs broken one constraint at a time: for every constraint of
every property shape of every targeted shape in ``ontology/shapes.ttl`` (and of the
shapes they reach through ``sh:node`` and qualified value shapes), a mutation made to
break it, which pySHACL must reject too, so each compiled check is exercised both ways.
Shapes the compiler does not cover fall back on pySHACL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, Namespace
from rdflib.term import Node

from factgraph.graph import validation
from factgraph.graph.article import parse_article, read_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import lexicon_graph, to_graph
from factgraph.graph.pipeline import builtin_corpus
from factgraph.graph.shape_checks import UnsupportedShapes, compile_shapes
from factgraph.graph.shape_data import CompiledShapes
from factgraph.graph.terms import FG, Iris
from factgraph.graph.validation import ValidationError, pyshacl_conforms, validate, validate_pyshacl
from factgraph.graph.vocabulary import named_vocabulary, vocabulary

IRIS = Iris()
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD warns when pytest inspects the module
BASE = IRIS.base

ARTICLES = {
    "fr_soudan.txt": """ date 2023-06-15 Soudan: au moins 3 000 morts selon le ministre

Au moins 3 000 personnes ont été tuées au Darfour depuis avril, a déclaré le ministre de la Santé. \
Selon l'ONU, environ 2,2 millions de personnes ont fui leur foyer. Des dizaines de villages auraient \
été incendiés, d'après des témoins.
""",
    "fr_mediterranee.txt": """ date 2021-12-30 Méditerranée: plus de 1 500 migrants morts en 2021

Plus de 1 500 migrants sont morts en Méditerranée en 2021, selon l'Organisation internationale \
pour les migrations (OIM). Entre 1 400 et 1 600 selon d'autres sources. Le HCR conteste ce chiffre.
""",
    "en_gaza.txt": """ date 2014-08-27 Gaza: 2,100 Palestinians killed, says health ministry

At least 2,100 Palestinians were killed in Gaza between July 8 and August 26, the health ministry \
said. The United Nations estimates that 70 percent of them were civilians. Israel said 64 soldiers died.
""",
    "en_quake.txt": """ date 2023-02-20 Turkey quake: death toll passes 41,000

The death toll from the earthquake in Turkey passed 41,000 on Monday, according to AFAD. \
Hundreds of buildings collapsed in Hatay, officials said. Between 10,000 and 12,000 people remain missing.
""",
}

# A graph with an instance of every targeted shape's class, each path given at least one
# value, so that every constraint has something to break. Hand-written, like the
# examples of docs/design.md.
BASE_GRAPH = f"""
@prefix fg: <https://w3id.org/factgraph/ontology#> .
@prefix fgq: <https://w3id.org/factgraph/quantity/> .
@prefix fgb: <https://w3id.org/factgraph/bound/> .
@prefix fgc: <https://w3id.org/factgraph/confidence/> .
@prefix fgk: <https://w3id.org/factgraph/conflict/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@base <{BASE}> .

<claim/A/1> a fg:FigureClaim ;
    fg:claimant <agent/ngo> ; schema:appearance <article/A> ;
    fg:quantityKind fgq:civilian_deaths ; fg:bound fgb:range ;
    fg:value 1200.0 ; fg:valueHigh 1300.0 ;
    fg:intervalLow 1200.0 ; fg:intervalLowInclusive true ;
    fg:intervalHigh 1300 ; fg:intervalHighInclusive true ;
    fg:vagueText "entre"@fr ; fg:figureText "entre 1 200 et 1 300" ; fg:countedText "civils" ;
    fg:place <place/ngo-land> ; fg:period <claim/A/1/period> ;
    fg:statedOn "2019-05-02"^^xsd:date ; fg:periodStart "2014"^^xsd:gYear ; fg:periodEnd "2019-04"^^xsd:gYearMonth ;
    fg:confidence fgc:likely ;
    fg:quoteText "entre 1 200 et 1 300 civils ont été tués" ;
    fg:readFrom <claim/A/1/target> ;
    prov:wasGeneratedBy <activity/extraction/A> .

<claim/A/1/target> a oa:SpecificResource ;
    oa:hasSource <article/A> ;
    oa:hasSelector <claim/A/1/quote>, <claim/A/1/position> .
<claim/A/1/quote> a oa:TextQuoteSelector ;
    oa:exact "entre 1 200 et 1 300 civils ont été tués" ; oa:prefix "Selon l'ONG, "@fr ; oa:suffix "." .
<claim/A/1/position> a oa:TextPositionSelector ; oa:start 12 ; oa:end 52 .
<claim/A/1/period> a time:Interval .
<activity/extraction/A> a prov:Activity .

<statement/A/2> a fg:Statement ;
    fg:claimant <agent/ngo> ; schema:appearance <article/A> ;
    fg:confidence fgc:asserted ; fg:readFrom <claim/A/1/target> ;
    fg:quoteText "L'ONG conteste." ; fg:place <place/ngo-land> ; fg:period <claim/A/1/period> ;
    prov:wasGeneratedBy <activity/extraction/A> .

<article/A> a schema:NewsArticle ;
    schema:headline "Titre" ; schema:datePublished "2019-05-02"^^xsd:date ;
    schema:inLanguage "fr" ; schema:text "Selon l'ONG, entre 1 200 et 1 300 civils ont été tués." ;
    fg:fileName "000_a.txt" .

<agent/ngo> a fg:Agent, fg:Organisation ;
    rdfs:label "ONG"@fr ; skos:prefLabel "ONG"@fr ; skos:altLabel "O.N.G." .
<place/ngo-land> a fg:Place ;
    rdfs:label "Pays"@fr ; fg:placeKind "country" ;
    fg:partOfPlace <place/world> ; fg:directlyPartOf <place/world> ;
    owl:sameAs <https://sws.geonames.org/1/> .
fgq:civils_tues a fg:QuantityKind, skos:Concept ;
    skos:inScheme fgq:minted ; skos:notation "civils_tues" ; skos:prefLabel "civils tués"@fr ;
    skos:broader fgq:people ; fg:countedText "civils tués"@fr .

<conflict/1> a fg:Conflict ;
    fg:claimA <claim/A/1> ; fg:claimB <claim/B/1> ; fg:conflictKind fgk:contradiction ;
    fg:severity "major" ; fg:ratio 1.5 ; fg:gap 400 ; fg:explanation "Two figures differ"@en ;
    fg:verdictDigest "5d41402abc4b2a76b9719d911017c592" .
<corroboration/1> a fg:Corroboration ;
    fg:claimA <claim/A/1> ; fg:claimB <claim/C/1> ; fg:conflictKind fgk:tension ;
    fg:severity "minor" ; fg:ratio 1.1 ; fg:gap 10 ; fg:verdictDigest "7d793037a0760186574b0282f2f435e7" .
<assessment/1> a fg:ReliabilityAssessment ;
    fg:assessor <agent/ngo> ; fg:verdict fgc:likely ; fg:assessedClaim <claim/A/1> .

<reviewer/alice> a fg:Reviewer ; schema:name "alice" .
<revision/A/1/1> a fg:Revision ;
    fg:revises <claim/A/1> ; fg:reviewAction <https://w3id.org/factgraph/review-action/corrected> ;
    prov:wasRevisionOf <claim/A/1> ; prov:wasAttributedTo <reviewer/alice> ;
    prov:generatedAtTime "2026-12-06T05:00:00Z"^^xsd:dateTime ;
    fg:revisedClaimant <agent/ngo> ; fg:revisedQuantityKind fgq:civilian_deaths ; fg:revisedBound fgb:range ;
    fg:revisedValue 1200.0 ; fg:revisedValueHigh 1400.0 ; fg:revisedPlace <place/ngo-land> ;
    fg:revisedPeriodStart "2014"^^xsd:gYear ; fg:revisedPeriodEnd "2019-04"^^xsd:gYearMonth ;
    fg:revisedConfidence fgc:likely ; fg:reviewNote "the high end is 1 400" ;
    fg:anchorText "entre 1 200 et 1 300 civils ont été tués" ; fg:anchorStart 12 ; fg:anchorEnd 52 ;
    prov:wasInvalidatedBy <revision/A/1/1/undo> .
<revision/A/1/1/undo> a fg:Undo ;
    prov:wasAssociatedWith <reviewer/alice> ; prov:endedAtTime "2026-12-06T05:01:00Z"^^xsd:dateTime .
<verdict/1> a fg:Verdict ;
    fg:reviewedClaim <claim/A/1> ; fg:rating <https://w3id.org/factgraph/rating/mixed> ;
    fg:ratingValue 4 ; fg:bestRating 6 ; fg:worstRating 1 ; fg:ratingLabel "mixed"@en ;
    fg:verdictExplanation "Partly right." ; fg:evidence <claim/B/1> ; fg:evidenceUrl <https://example.org/> ;
    prov:wasAttributedTo <reviewer/alice> ; prov:generatedAtTime "2026-12-06T05:02:00Z"^^xsd:dateTime ;
    fg:anchorText "entre 1 200 et 1 300 civils ont été tués" ; fg:anchorStart 12 ; fg:anchorEnd 52 .
"""


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return vocabulary(IRIS)


@pytest.fixture(scope="module")
def checks() -> CompiledShapes:
    compiled = validation.compiled_shapes(validation.shapes())
    assert compiled is not None, "ontology/shapes.ttl no longer compiles: see the warning"
    return compiled


def assert_same_verdict(g: Graph, vocab: Graph, checks: CompiledShapes, expected: bool) -> None:
    reference, text = pyshacl_conforms(g, vocab)
    assert reference == expected, text
    assert checks.conforms(g, vocab) == reference
    assert checks.conforms(g, _named()) == reference  # the vocabulary named by its key, as ingest passes it


@lru_cache(maxsize=1)
def _named():
    return named_vocabulary(IRIS)


def test_the_named_vocabulary_is_the_vocabulary_graph(tmp_path, monkeypatch):
    """``named_vocabulary`` holds the triples of ``vocabulary``; its index is kept on disk
    by its key, so a new process finds it without building the rdflib graph."""
    named = named_vocabulary(IRIS)
    assert set(named.triples) == set(vocabulary(IRIS))
    assert named_vocabulary(Iris("http://example.org/other/")).key != named.key
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = validation.compiled_shapes.__wrapped__(validation.shapes())
    g = _article("en_gaza.txt")
    assert fresh.conforms(g, named) and "graph" in vars(named)  # indexed: the graph was built
    again, fresh_checks = named_vocabulary(IRIS), validation.compiled_shapes.__wrapped__(validation.shapes())
    assert fresh_checks.conforms(g, again) and "graph" not in vars(again)  # read back by its key


def _article(name: str) -> Graph:
    x = extract(parse_article(ARTICLES[name].replace("\\\n", ""), name))
    return to_graph(x, IRIS) + lexicon_graph(x, IRIS)


def _corpus_article(path) -> Graph:
    x = extract(read_article(path))
    return to_graph(x, IRIS) + lexicon_graph(x, IRIS)


# ---- valid graphs: the same verdict ("conforms")

@pytest.mark.parametrize("path", builtin_corpus(), ids=lambda p: p.name)
def test_the_builtin_corpus_conforms_for_both(path, vocab, checks):
    assert_same_verdict(_corpus_article(path), vocab, checks, True)


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_written_articles_conform_for_both(name, vocab, checks):
    assert_same_verdict(_article(name), vocab, checks, True)


def test_a_batch_of_articles_conforms_for_both(vocab, checks):
    batch = Graph()
    for name in ARTICLES:
        batch += _article(name)
    for path in builtin_corpus():
        batch += _corpus_article(path)
    assert_same_verdict(batch, vocab, checks, True)


def test_the_base_graph_of_the_mutations_conforms_for_both(vocab, checks):
    assert_same_verdict(Graph().parse(data=BASE_GRAPH, format="turtle"), vocab, checks, True)


def test_the_vocabulary_alone_conforms_for_both(vocab, checks):
    assert_same_verdict(Graph(), vocab, checks, True)


# ---- broken graphs: one mutation per constraint, the same verdict ("does not conform")

SHAPES = validation.shapes()


@dataclass(frozen=True)
class Mutation:
    """Break ``constraint`` (with ``param``) of the property shape ``shape`` (path
    ``path``) at the nodes reached from a focus node of ``target`` by ``via``: pairs of
    (path, class of the nodes kept)."""
    target: Node
    via: tuple[tuple[Node, Node | None], ...]
    shape: Node
    path: Node
    constraint: Node
    param: Node

    def __str__(self) -> str:
        def short(n: Node) -> str:
            return str(n).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        via = "".join(f"{short(p)}/" for p, _ in self.via)
        return f"{short(self.target)}:{via}{short(self.path)}:{short(self.constraint)}={short(self.param)}"


def _property_mutations(target: Node, via: tuple, node_shape: Node) -> Iterator[Mutation]:
    for prop in sorted(SHAPES.objects(node_shape, SH.property), key=lambda n: str(SHAPES.value(n, SH.path))):
        path = SHAPES.value(prop, SH.path)
        assert path is not None
        for c, param in sorted(SHAPES.predicate_objects(prop), key=lambda t: (str(t[0]), str(t[1]))):
            if not str(c).startswith(str(SH)) or c in (SH.path, SH.message, SH.qualifiedMinCount):
                continue
            if c in (SH.minCount, SH.qualifiedMinCount) and int(param) == 0:  # type: ignore[call-overload]
                continue
            if c in (SH.node, SH.qualifiedValueShape):
                cls = SHAPES.value(param, SH["class"])
                yield from _property_mutations(target, (*via, (path, cls)), param)
            yield Mutation(target, via, prop, path, c, param)


def mutations() -> list[Mutation]:
    out = []
    for shape in sorted(set(SHAPES.subjects(SH.targetClass, None)), key=str):
        for target in sorted(SHAPES.objects(shape, SH.targetClass), key=str):
            out.extend(_property_mutations(target, (), shape))
    return out


def _fresh(label: str) -> URIRef:
    return URIRef(f"{BASE}mutant/{label}")


def _wrong_datatype(dt: Node) -> Node:
    """A literal that is not of ``dt`` (nor of the other number or date types)."""
    return Literal("text", lang="en") if dt == XSD.string else Literal(True) if dt != XSD.boolean else Literal("yes")


def _valid_like(g: Graph, vocab: Graph, v: Node, i: int) -> Node:
    """A value distinct from ``v`` that meets the same shapes: a literal changed, an IRI
    copied with its description."""
    if isinstance(v, Literal):
        if isinstance(v.value, (int, Decimal, float)) and not isinstance(v.value, bool):
            return Literal(v.value + i + 1, datatype=v.datatype)
        if isinstance(v.value, bool):
            return Literal(not v.value)
        if v.datatype in (XSD.date, XSD.gYear, XSD.gYearMonth):
            return Literal(f"200{i}-01-01", datatype=XSD.date)
        if v.datatype == XSD.dateTime:
            return Literal(f"200{i}-01-01T00:00:00Z", datatype=XSD.dateTime)
        if v.datatype is None:
            return Literal(f"{v} {i}", lang=v.language)
        return Literal(f"{v} {i}", datatype=v.datatype) if v.datatype == XSD.string else v
    copy = URIRef(f"{v}-copy{i}")
    for source in (g, vocab):
        for p, o in list(source.predicate_objects(v)):
            g.add((copy, p, o))
    return copy


def _break(m: Mutation, g: Graph, vocab: Graph) -> None:
    """Apply ``m`` to ``g``, the base graph, in place."""
    focus = [f for f in g.subjects(RDF.type, m.target) if (f, None, None) in g]
    assert focus, f"the base graph has no {m.target}"
    nodes = sorted(focus, key=str)[:1]
    for path, cls in m.via:
        nodes = [o for n in nodes for o in g.objects(n, path) if cls is None or (o, RDF.type, cls) in g]
    assert nodes, f"{m}: nothing reached"
    c, param = m.constraint, m.param
    for n in nodes:
        values = sorted(g.objects(n, m.path), key=str)

        def replace(*new: Node, n: Node = n) -> None:
            g.remove((n, m.path, None))
            for v in new:
                g.add((n, m.path, v))

        if c == SH.minCount:
            replace()
        elif c == SH.maxCount:
            assert values, f"{m}: the base graph has no value to repeat"
            for i in range(int(param) + 1 - len(values)):  # type: ignore[call-overload]
                g.add((n, m.path, _valid_like(g, vocab, values[0], i)))
        elif c == SH.datatype:
            replace(_wrong_datatype(param))
        elif c == SH["or"]:
            alternatives = [SHAPES.value(s, SH.datatype) for s in SHAPES.items(param)]
            replace(Literal("text", lang="en") if RDF.langString not in alternatives and XSD.string not in alternatives
                    else Literal(12))
        elif c == SH.nodeKind:
            replace(Literal("text") if param == SH.IRI else _fresh("iri"))
        elif c == SH["class"]:
            replace(_fresh("untyped"))
        elif c == SH["in"]:
            members = list(SHAPES.items(param))
            replace(Literal("other") if isinstance(members[0], Literal) else _fresh("other"))
        elif c in (SH.node, SH.qualifiedValueShape):
            cls = SHAPES.value(param, SH["class"])
            for v in values:  # the value is no longer of the node shape's class
                g.remove((v, RDF.type, cls))
        elif c == SH.minInclusive:
            replace(Literal(param.value - 1, datatype=param.datatype))  # type: ignore[union-attr]
        elif c == SH.lessThanOrEquals:
            other = max(int(o) for o in g.objects(n, param))  # type: ignore[call-overload]
            replace(Literal(other + 1))
        else:
            raise AssertionError(f"{m}: no mutation written for {c}: add one")


MUTATIONS = mutations()


def test_every_constraint_of_the_shapes_has_a_mutation():
    kinds = {m.constraint for m in MUTATIONS}
    assert {SH.minCount, SH.maxCount, SH.datatype, SH["or"], SH.nodeKind, SH["class"], SH["in"], SH.node,
            SH.qualifiedValueShape, SH.minInclusive, SH.lessThanOrEquals} <= kinds
    assert len(MUTATIONS) > 100


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
def test_a_broken_constraint_is_rejected_by_both(mutation, vocab, checks):
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    _break(mutation, g, vocab)
    assert_same_verdict(g, vocab, checks, False)


def test_broken_constraints_of_a_pipeline_graph_are_rejected_by_both(vocab, checks):
    """The same mutations on the seed article's graph, as the pipeline makes it: the first
    applicable one of each kind of constraint (those of the hand-written base graph above
    cover every constraint)."""
    seed = _corpus_article(builtin_corpus()[0])
    tried = set()
    for m in MUTATIONS:
        if m.constraint in tried:
            continue
        g = Graph()
        g += seed
        try:
            _break(m, g, vocab)
        except AssertionError:  # no focus node, value or node reached for it in this graph
            continue
        if set(g) == set(seed):
            continue
        tried.add(m.constraint)
        reference = pyshacl_conforms(g, vocab)[0]
        assert not reference, str(m)
        assert checks.conforms(g, vocab) == reference, str(m)
    assert {SH.minCount, SH.maxCount, SH["or"], SH.nodeKind, SH["class"], SH["in"], SH.node,
            SH.qualifiedValueShape, SH.minInclusive, SH.lessThanOrEquals} <= tried


_BASE_TRIPLES = sorted(Graph().parse(data=BASE_GRAPH, format="turtle"), key=lambda t: tuple(map(str, t)))
_ODD_VALUES = [Literal("text"), Literal("texte", lang="fr"), Literal(7), Literal(-3), Literal(Decimal("2.5")),
               Literal(True), Literal("x", datatype=XSD.integer), Literal("2020", datatype=XSD.gYear),
               URIRef(BASE + "mutant/untyped"), URIRef("https://w3id.org/factgraph/bound/vague"),
               URIRef("https://w3id.org/factgraph/confidence/likely"), URIRef(BASE + "article/A")]


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(drop=st.sets(st.integers(0, len(_BASE_TRIPLES) - 1), max_size=3),
       swap=st.lists(st.tuples(st.integers(0, len(_BASE_TRIPLES) - 1), st.sampled_from(_ODD_VALUES)), max_size=2))
def test_random_edits_get_the_same_verdict(drop, swap, vocab, checks):
    """Several edits at once (triples dropped, objects replaced by odd values): the
    compiled checks and pySHACL agree, whichever way."""
    g = Graph()
    for i, t in enumerate(_BASE_TRIPLES):
        if i not in drop:
            g.add(t)
    for i, value in swap:
        s_, p_, o_ = _BASE_TRIPLES[i]
        g.remove((s_, p_, o_))
        g.add((s_, p_, value))
    assert checks.conforms(g, vocab) == pyshacl_conforms(g, vocab)[0]


# The node-level constraints of fgsh:FigureClaimShape: a value unless vague (then words),
# a high value for a range; each case both ways.
CLAIM = URIRef(BASE + "claim/A/1")
FGB = "https://w3id.org/factgraph/bound/"


@pytest.mark.parametrize("bound, drop, expected", [
    ("range", (), True),
    ("range", (FG.valueHigh,), False),
    ("at_least", (FG.valueHigh,), True),
    ("at_least", (FG.value,), False),
    ("vague", (FG.value, FG.valueHigh), True),
    ("vague", (FG.value, FG.valueHigh, FG.vagueText), False),
    ("exact", (FG.value, FG.valueHigh), False),
])
def test_the_value_rules_of_a_figure_claim(bound, drop, expected, vocab, checks):
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.set((CLAIM, FG.bound, URIRef(FGB + bound)))
    for p in drop:
        g.remove((CLAIM, p, None))
    assert_same_verdict(g, vocab, checks, expected)


@pytest.mark.parametrize("value, expected", [
    (Literal("12", datatype=XSD.integer), True),
    (Literal("-1", datatype=XSD.integer), False),  # sh:minInclusive 0
    (Literal("12.5", datatype=XSD.decimal), False),
    (Literal("52", datatype=XSD.integer), True),  # = oa:end
    (Literal("53", datatype=XSD.integer), False),  # after oa:end
])
def test_a_position_selector_start(value, expected, vocab, checks):
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.set((URIRef(BASE + "claim/A/1/position"), URIRef("http://www.w3.org/ns/oa#start"), value))
    assert_same_verdict(g, vocab, checks, expected)


def test_an_ill_typed_start_is_rejected(vocab, checks):
    """pySHACL itself fails on it (sh:lessThanOrEquals compares the ill-typed literal and
    raises TypeError), so only the compiled verdict is asserted: it is rejected, and
    ``validate`` then hands it to pySHACL as before."""
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.set((URIRef(BASE + "claim/A/1/position"), URIRef("http://www.w3.org/ns/oa#start"),
           Literal("twelve", datatype=XSD.integer)))
    assert not checks.conforms(g, vocab)


def test_a_vocabulary_node_described_again_by_an_article_is_checked_again(vocab, checks):
    """The vocabulary's own focus nodes (its named individuals, as pySHACL mixes it in:
    the quantity kinds) are checked once; an article stating a triple about one of them
    has it checked again."""
    kind = URIRef("https://w3id.org/factgraph/quantity/civilian_deaths")
    assert kind in checks._vocabulary(vocab).focus
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.add((kind, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal(12)))
    assert_same_verdict(g, vocab, checks, False)


@pytest.mark.parametrize("typed, expected", [(False, True), (True, False)])
def test_a_gazetteer_place_is_checked_when_the_data_types_it(typed, expected, vocab, checks):
    """pySHACL mixes only the vocabulary's RDFS/OWL triples and named individuals into the
    data: a place of the gazetteer is a fg:Place there only if the data says so."""
    place = URIRef(BASE + "place/syria")
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.add((place, FG.placeKind, Literal("planet")))
    if typed:
        g.add((place, RDF.type, FG.Place))
    assert_same_verdict(g, vocab, checks, expected)


# ---- validate(): compiled by default, pySHACL's words on failure, fallback

def test_validate_words_a_failure_as_pyshacl_does(vocab):
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.remove((CLAIM, FG.claimant, None))
    with pytest.raises(ValidationError) as compiled:
        validate(g, vocab, "A")
    with pytest.raises(ValidationError) as reference:
        validate_pyshacl(g, vocab, "A")
    assert str(compiled.value) == str(reference.value)
    assert "fg:claimant" in str(compiled.value) or "claimant" in str(compiled.value)


def test_a_dataset_is_validated_by_pyshacl(vocab, monkeypatch):
    """pySHACL validates each named graph of a dataset apart: the compiled checks, which
    see one graph, leave datasets to it."""
    from rdflib import Dataset

    ds = Dataset()
    ds.graph(URIRef(BASE + "graph/a")).parse(data=BASE_GRAPH, format="turtle")
    called = []
    monkeypatch.setattr(validation, "validate_pyshacl", lambda *args: called.append(args))
    validate(ds, vocab, "dataset")
    assert called


def _with_pattern() -> Graph:
    """The shapes with a construct the compiler does not know: sh:pattern on the notation."""
    g = Graph()
    g += SHAPES
    prop = next(p for p in g.subjects(SH.path, URIRef("http://www.w3.org/2004/02/skos/core#notation")))
    g.add((prop, SH.pattern, Literal("^[a-z_]+$")))
    return g


def test_an_unsupported_construct_is_not_compiled():
    with pytest.raises(UnsupportedShapes, match="pattern"):
        compile_shapes(_with_pattern())
    path = Graph()
    path += SHAPES
    prop = next(iter(path.subjects(SH.path, FG.claimant)))
    inverse = URIRef(BASE + "mutant/path")
    path.set((prop, SH.path, inverse))
    path.add((inverse, SH.inversePath, FG.claimant))
    with pytest.raises(UnsupportedShapes, match="path expression|inversePath"):
        compile_shapes(path)


def test_unsupported_shapes_fall_back_on_pyshacl(vocab, caplog):
    """With sh:pattern, which the compiled checks would not see, a bad notation is still
    rejected: pySHACL validates."""
    shapes = _with_pattern()
    g = Graph().parse(data=BASE_GRAPH, format="turtle")
    g.set((URIRef("https://w3id.org/factgraph/quantity/civils_tues"),
           URIRef("http://www.w3.org/2004/02/skos/core#notation"), Literal("Not A Notation")))
    with caplog.at_level(logging.WARNING, logger="factgraph.graph.validation"):
        with pytest.raises(ValidationError, match="notation|pattern"):
            validation.validate_with(shapes, g, vocab, "A")
    assert "not compiled" in caplog.text
    assert validation.compiled_shapes(shapes) is None


_LITERALS = [Literal(x) for x in (0, 1, -3, 2.5, float("nan"), Decimal("1.50"), True, "a", "b", "")] + [
    Literal("2020-01-02", datatype=XSD.date), Literal("2021-01-02", datatype=XSD.date),
    Literal("2020-01-02T10:00:00", datatype=XSD.dateTime), Literal("2020-01-02T10:00:00Z", datatype=XSD.dateTime),
    Literal("2020-01-02T09:00:00+01:00", datatype=XSD.dateTime), Literal("10:00:00", datatype=XSD.time),
    Literal("11:30:00", datatype=XSD.time), Literal("1", datatype=XSD.nonNegativeInteger),
    Literal("x", lang="fr"), Literal("x", lang="en"), Literal("12", datatype=XSD.gYear),
]


@pytest.mark.parametrize("left", _LITERALS, ids=repr)
def test_the_range_comparison_answers_as_pyshacl_does(left):
    from pyshacl.rdfutil.compare import compare_literal as theirs

    from factgraph.graph.shape_checks import compare_literal as ours

    def answer(f, a, b):
        try:
            return f(a, b)
        except Exception as exc:  # noqa: BLE001 - the same refusal expected (TypeError, InvalidOperation...)
            return type(exc)

    for right in _LITERALS:
        assert answer(ours, left, right) == answer(theirs, left, right), (left, right)


def test_the_shapes_read_back_from_disk_are_the_parsed_file(tmp_path, monkeypatch):
    from rdflib.compare import isomorphic

    from factgraph.graph import validation
    from factgraph.graph.lexicon import ontology_file

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parsed = Graph().parse(data=ontology_file(validation.SHAPES_FILE), format="turtle")
    validation.shapes.cache_clear()
    try:
        first = validation.shapes()  # parsed, and kept
        assert list(tmp_path.glob("factgraph/shapes-*.pickle"))
        validation.shapes.cache_clear()
        again = validation.shapes()  # read back
        assert again is not first and isomorphic(again, parsed) and isomorphic(first, parsed)
    finally:
        validation.shapes.cache_clear()
