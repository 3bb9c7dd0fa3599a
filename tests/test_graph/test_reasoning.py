"""OWL-RL reasoning: the vocabulary closure, its cache, and per-article inference (the
compiled rules against owlrl, the reference)."""

import ast
import logging
from pathlib import Path

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from factgraph.graph import reasoning, vocabulary
from factgraph.graph.article import parse_article, read_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import lexicon_graph, lexicon_triples, to_graph, triples
from factgraph.graph.pipeline import builtin_corpus
from factgraph.graph.rule_tables import UnsupportedOntology, compile_rules
from factgraph.graph.terms import FG, Iris

IRIS = Iris("http://127.0.0.1:5000/")
XSD_INTEGER, XSD_DECIMAL, XSD_STRING = (URIRef("http://www.w3.org/2001/XMLSchema#" + n)
                                        for n in ("integer", "decimal", "string"))


def test_vocabulary_closure_has_the_transitive_part_of():
    closure = vocabulary._compute_vocabulary_closure(IRIS)
    # Baghouz is in Deir ez-Zor which is in Syria: the closure says Baghouz is in Syria
    assert (IRIS.place("baghouz"), FG.partOfPlace, IRIS.place("syria")) in closure


def test_closure_cache_is_written_read_back_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    vocabulary._closure_triples.cache_clear()  # read from disk once a process: this test's folder
    first = vocabulary.vocabulary_closure(IRIS)
    files = list((tmp_path / "factgraph").glob("vocabulary-closure-*.pickle"))
    assert len(files) == 1
    vocabulary._closure_triples.cache_clear()
    again = vocabulary.vocabulary_closure(IRIS)
    assert isomorphic(first, again)
    files[0].write_text("this is not a pickle", encoding="utf-8")
    vocabulary._closure_triples.cache_clear()
    assert isomorphic(first, vocabulary.vocabulary_closure(IRIS))


def test_the_cache_is_per_base(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    vocabulary._closure_triples.cache_clear()
    vocabulary.vocabulary_closure(IRIS)
    other = vocabulary.vocabulary_closure(Iris("https://example.org/fc/"))
    assert (Iris("https://example.org/fc/").place("baghouz"), FG.partOfPlace,
            Iris("https://example.org/fc/").place("syria")) in other
    assert len(list((tmp_path / "factgraph").glob("vocabulary-closure-*.pickle"))) == 2


def _graph_imports() -> dict[str, set[str]]:
    """Each module of graph/ and the graph/ modules it imports, lazily or not."""
    folder = Path(vocabulary.__file__).parent
    names = {p.stem for p in folder.glob("*.py")}
    out: dict[str, set[str]] = {}
    for p in folder.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        out[p.stem] = deps & names
    return out


def test_reasoning_and_vocabulary_are_in_no_import_cycle():
    # vocabulary.ensure_loaded used to import reasoning lazily while reasoning imported vocabulary
    imports = _graph_imports()
    for module in ("vocabulary", "reasoning"):
        seen: set[str] = set()
        todo = [module]
        while todo:
            for d in imports[todo.pop()] - seen:
                seen.add(d)
                todo.append(d)
        assert module not in seen, f"{module} imports itself through {sorted(seen)}"


# Articles written for these tests: French and English, several sources, places and
# periods, a "dont" (fg:partOf), restatements, disputes and a reliability verdict.
ARTICLES = {
    "fr_osdh_dispute.txt": """ date 2018-03-15 Syrie: l'OSDH fait état de 540 morts civils à Raqqa

Selon l'Observatoire syrien des droits humains (OSDH), au moins 540 civils, dont 120 enfants, ont été tués \
à Raqqa entre juin et octobre 2017 par les frappes de la coalition. La coalition internationale affirme \
pour sa part que 23 civils seulement ont été tués à Raqqa. Le bilan serait plus lourd que celui de la \
coalition, selon Amnesty International, qui parle d'environ 1.600 morts civils.

La coalition a jugé « non crédibles » sept rapports de l'OSDH.
""",
    "en_airwars_iraq.txt": """ date 2017-07-20 Airwars says 5,000 civilians died in Mosul

LONDON: Monitoring group Airwars said on Thursday that at least 5,000 civilians were killed in Mosul, Iraq, \
between October 2016 and July 2017, including 1,200 children. The Iraqi defence ministry said 1,260 \
civilians had died. The US-led coalition says it conducted 1,250 strikes on Mosul in 2017.

"At least 5,000 civilians were killed," Airwars repeated, far more than the ministry's figure.
""",
    "en_yemen_un.txt": """ date 2019-01 UN: 7,000 civilians killed in Yemen since 2015

The United Nations said 7,000 civilians have been killed and 11,000 injured in Yemen since March 2015. \
Save the Children estimates that 85,000 children may have died of hunger. Reuters reported about \
230 air strikes in Hodeidah in December 2018, according to a local official.
""",
    "fr_libye_reuters.txt": """ date 2020-02-10 Libye: plus de 280 civils tués depuis avril

Plus de 280 civils ont été tués en Libye depuis avril 2019, selon la Mission des Nations unies (Manul). \
Au moins 140 000 personnes ont été déplacées à Tripoli et dans sa région, d'après l'ONU. Le ministère \
de la Santé libyen évoque pour sa part 300 morts, dont 45 femmes.
""",
}


def _article(name: str) -> tuple[Graph, Graph]:
    x = extract(parse_article(ARTICLES[name].replace("\\\n", ""), name))
    return to_graph(x, IRIS), lexicon_graph(x, IRIS)


def compiled(g: Graph) -> Graph:
    """``infer``'s result, checking that the compiled rules computed it (not owlrl)."""
    tables = reasoning.compiled_rules(vocabulary.tbox_closure())
    assert tables is not None and tables.entail(set(g)) is not None
    return g


def assert_same_inferences(expected: Graph, actual: Graph) -> None:
    """Set equality of triples, by isomorphism when owlrl's error messages (blank nodes)
    are there, with a readable diff."""
    if set(expected) == set(actual):
        return
    a, b = to_isomorphic(expected), to_isomorphic(actual)
    if a != b:
        _, missing, added = graph_diff(a, b)
        lines = [f"- {t}" for t in sorted(missing)][:20] + [f"+ {t}" for t in sorted(added)][:20]
        pytest.fail("inferred graphs differ (- owlrl only, + compiled only):\n" + "\n".join(lines))


def test_the_ontology_compiles():
    assert reasoning.compiled_rules(vocabulary.tbox_closure()) is not None


def test_compiled_rules_infer_what_owlrl_infers_on_the_seed_article():
    x = extract(read_article(builtin_corpus()[0]))
    g, lex = to_graph(x, IRIS), lexicon_graph(x, IRIS)
    inferred = reasoning.infer(compiled(g), IRIS, lex)
    assert len(inferred) > 100
    assert_same_inferences(reasoning.infer_owlrl(g, IRIS, lex), inferred)


@pytest.mark.parametrize("name", ["seed", *sorted(ARTICLES)])
def test_ingest_path_on_sets_gives_owlrl_inferences(name):
    """What ingest writes (``preparation.prepare_one``: the mapping's triples as sets, never
    an rdflib graph, the inferences split between the article's and the lexicon's inferred
    graphs) is owlrl's closure of the article's graph, restricted as ``infer`` restricts it."""
    x = (extract(read_article(builtin_corpus()[0])) if name == "seed"
         else extract(parse_article(ARTICLES[name].replace("\\\n", ""), name)))
    g, lex = triples(x, IRIS), lexicon_triples(x, IRIS)
    assert g == set(to_graph(x, IRIS)) and lex == set(lexicon_graph(x, IRIS))
    own, shared = reasoning.split_shared(reasoning.inferred_triples(g, IRIS, lex), lex)
    assert own and not own & shared
    assert_same_inferences(reasoning.infer_owlrl(to_graph(x, IRIS), IRIS, lexicon_graph(x, IRIS)),
                           reasoning._graph(own | shared))
    lexicon_nodes = {t[0] for t in lex}
    assert all(t[0] in lexicon_nodes for t in shared) and not any(t[0] in lexicon_nodes for t in own)


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_compiled_rules_infer_what_owlrl_infers(name):
    g, lex = _article(name)
    assert len(g) > 50, "the test article should give claims"
    assert_same_inferences(reasoning.infer_owlrl(g, IRIS, lex), reasoning.infer(compiled(g), IRIS, lex))
    # and without the store's vocabulary or the lexicon left out
    assert_same_inferences(reasoning.infer_owlrl(g), reasoning.infer(g))


def _synthetic() -> Graph:
    """Triples no extracted article has yet but the ontology gives rules for: symmetric,
    transitive, inverse and sub-properties chained, a union domain, typed literals."""
    ex = "https://example.org/t/"
    a, b, c, d = (URIRef(ex + n) for n in "abcd")
    p1, p2, p3 = (URIRef(ex + n) for n in ("p1", "p2", "p3"))
    g = Graph()
    g.add((a, FG.partOf, b))
    g.add((b, FG.partOf, c))
    g.add((d, FG.hasPart, a))
    g.add((a, FG.conflictsWith, c))
    g.add((c, FG.restatedBy, d))
    g.add((p1, FG.directlyPartOf, p2))
    g.add((p2, FG.partOfPlace, p3))
    g.add((URIRef(ex + "k1"), FG.partOfKind, URIRef(ex + "k2")))
    g.add((URIRef(ex + "k1"), FG.percentageOf, URIRef(ex + "k3")))
    g.add((URIRef(ex + "k1"), FG.countedText, Literal("morts civils", lang="fr")))
    g.add((a, FG.value, Literal("12", datatype=XSD_INTEGER)))
    g.add((a, FG.ratio, Literal("0.5", datatype=XSD_DECIMAL)))
    g.add((a, FG.fileName, Literal("x.txt", datatype=XSD_STRING)))
    g.add((a, FG.intervalLowInclusive, Literal(True)))
    return g


def test_compiled_rules_follow_owlrl_on_chained_rules():
    g = _synthetic()
    inferred = reasoning.infer(compiled(g))
    assert (URIRef("https://example.org/t/c"), FG.hasPart, URIRef("https://example.org/t/a")) in inferred
    assert (URIRef("https://example.org/t/p1"), FG.partOfPlace, URIRef("https://example.org/t/p3")) in inferred
    assert_same_inferences(reasoning.infer_owlrl(g), inferred)


@pytest.mark.parametrize("extra", [
    # owlrl reports these as error messages (blank nodes): the compiled path hands them to owlrl
    (URIRef("https://example.org/t/a"), RDF.type, FG.Statement),  # a figure claim and a statement: disjoint
    (URIRef("https://example.org/t/a"), FG.value, Literal("douze", datatype=XSD_INTEGER)),  # ill-typed
    (URIRef("https://example.org/t/a"), RDF.type, OWL.Nothing),
    # schema in an article's graph changes the rules: owlrl again
    (FG.ratio, RDFS.subPropertyOf, FG.value),
    (URIRef("https://example.org/t/a"), OWL.sameAs, URIRef("https://example.org/t/b")),
])
def test_what_the_tables_do_not_cover_goes_to_owlrl(extra):
    g = _synthetic()
    g.add((URIRef("https://example.org/t/a"), RDF.type, FG.FigureClaim))
    g.add(extra)
    tables = reasoning.compiled_rules(vocabulary.tbox_closure())
    assert tables is not None and tables.entail(set(g)) is None
    assert_same_inferences(reasoning.infer_owlrl(g), reasoning.infer(g))


UNSUPPORTED = {
    "functional property": "fg:claimant a owl:FunctionalProperty .",
    "restriction": """fg:Sourced a owl:Restriction ; owl:onProperty fg:claimant ;
        owl:someValuesFrom fg:Agent .""",
    "intersection": "fg:Both owl:intersectionOf ( fg:Claim fg:Place ) .",
    "property chain": "fg:placeOfPart owl:propertyChainAxiom ( fg:partOf fg:place ) .",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_an_unsupported_construct_in_the_ontology_is_detected(name, caplog):
    tbox = vocabulary.tbox()
    tbox.parse(data="@prefix fg: <https://w3id.org/factgraph/ontology#> .\n"
                    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n" + UNSUPPORTED[name], format="turtle")
    closure = vocabulary.close_tbox(tbox)
    with pytest.raises(UnsupportedOntology):
        compile_rules(closure)
    with caplog.at_level(logging.WARNING, logger=reasoning.__name__):
        assert reasoning.compiled_rules(closure) is None
    assert "reasoning with owlrl" in caplog.text
    g, _ = _article("en_airwars_iraq.txt")
    fallback = reasoning.infer_with(closure, g)
    assert_same_inferences(reasoning._infer_owlrl(closure, g, None, None), fallback)


def test_an_ontology_not_closed_by_owlrl_is_not_compiled():
    with pytest.raises(UnsupportedOntology, match="not an owlrl closure"):
        compile_rules(vocabulary.tbox())


def test_an_inconsistent_ontology_is_not_compiled():
    # owlrl leaves its error messages in the closure and would add them again to every article's
    closure = Graph()
    closure += vocabulary.tbox_closure()
    closure.add((BNode(), RDF.type, URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")))
    with pytest.raises(UnsupportedOntology, match="inconsistent"):
        compile_rules(closure)


def test_compiled_rules_see_the_datatypes_of_the_ontologys_literals():
    # with its literals (dcterms:created "2024-01-01"^^xsd:date...), owlrl's datatype rules see more datatypes
    full = vocabulary.tbox()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(full)
    tables = compile_rules(full)
    assert tables.datatypes
    g, _ = _article("fr_libye_reuters.txt")
    assert tables.entail(set(g)) is not None
    assert_same_inferences(reasoning._infer_owlrl(full, g, None, None), reasoning.infer_with(full, g))


def test_the_ontology_closure_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = vocabulary.tbox_closure.__wrapped__()
    assert len(list((tmp_path / "factgraph").glob("tbox-closure-*.pickle"))) == 1
    cached = vocabulary.tbox_closure.__wrapped__()
    assert isomorphic(fresh, cached)
    g, _ = _article("en_yemen_un.txt")
    # the union class of fg:countedText's domain is a blank node: compared by isomorphism
    assert isomorphic(reasoning.infer_with(fresh, g), reasoning.infer_with(cached, g))


def test_the_ontologys_rule_tables_are_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    reasoning._default_rules.cache_clear()
    try:
        fresh = reasoning._default_rules()
        assert len(list((tmp_path / "factgraph").glob("rule-tables-*.pickle"))) == 1
        reasoning._default_rules.cache_clear()
        cached = reasoning._default_rules()
    finally:
        reasoning._default_rules.cache_clear()
    closure = vocabulary.tbox_closure()
    assert fresh is not None and cached is not None and cached is not fresh
    # the tables and triples of this process' closure (its blank nodes are the ones pickled with them)
    assert fresh == (reasoning.compiled_rules(closure), frozenset(closure))
    assert cached == fresh
    g, lex = _article("en_yemen_un.txt")
    assert reasoning.inferred_triples(g, None, lex) == reasoning.inferred_triples(g, None, lex, closure)
