"""The ontology, SKOS vocabularies and SHACL shapes under ontology/."""

from __future__ import annotations

from importlib.resources import files

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

FG = Namespace("https://w3id.org/factgraph/ontology#")
FGQ = Namespace("https://w3id.org/factgraph/quantity/")
FGB = Namespace("https://w3id.org/factgraph/bound/")
FGC = Namespace("https://w3id.org/factgraph/confidence/")
FGK = Namespace("https://w3id.org/factgraph/conflict/")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
PROV = Namespace("http://www.w3.org/ns/prov#")

ONTOLOGY = URIRef("https://w3id.org/factgraph/ontology")
FILES = ("factgraph.ttl", "vocabularies.ttl", "shapes.ttl")

# The quantity notations EVAL.md lists (plus the _pct family, checked separately).
EVAL_QUANTITIES = {
    "civilian_deaths",
    "child_deaths",
    "women_deaths",
    "civilian_injured",
    "people_killed_total",
    "people_injured",
    "jihadists_killed",
    "air_strikes",
    "alleged_incidents",
    "reports_received",
    "reports_assessed",
    "reports_credible",
    "reports_not_credible",
    "reports_under_review",
    "reports_reopened",
    "reports_carried_over",
}


def _parse(name: str) -> Graph:
    g = Graph()
    g.parse(data=files("factgraph.ontology").joinpath(name).read_text(encoding="utf-8"), format="turtle")
    return g


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("factgraph.ttl")


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    return _parse("vocabularies.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _parse("shapes.ttl")


@pytest.fixture(scope="module")
def vocabulary(ontology: Graph, vocabularies: Graph) -> Graph:
    g = Graph()
    for t in ontology:
        g.add(t)
    for t in vocabularies:
        g.add(t)
    return g


@pytest.mark.parametrize("name", FILES)
def test_files_parse(name: str) -> None:
    assert len(_parse(name)) > 50


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")


def _langs(g: Graph, s: URIRef, p: URIRef) -> set[str | None]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def _fg_terms(g: Graph) -> list[URIRef]:
    terms = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        terms.update(s for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(FG))
    return sorted(terms)


def test_every_fg_term_is_labelled_and_commented(ontology: Graph) -> None:
    terms = _fg_terms(ontology)
    assert len(terms) >= 60
    missing = []
    for t in terms:
        if not {"fr", "en"} <= _langs(ontology, t, RDFS.label):
            missing.append((t, "label fr/en"))
        if "en" not in _langs(ontology, t, RDFS.comment):
            missing.append((t, "comment en"))
    assert not missing, missing


@pytest.mark.parametrize(
    "local",
    [
        "Claim",
        "FigureClaim",
        "Statement",
        "Agent",
        "Organisation",
        "Person",
        "GovernmentBody",
        "NewsOutlet",
        "ArticleVoice",
        "Place",
        "QuantityKind",
        "Bound",
        "ConfidenceConcept",
        "ConflictKind",
        "ReliabilityAssessment",
        "Conflict",
        "Corroboration",
        "ExtractionActivity",
        "ConflictDetection",
    ],
)
def test_class_declared(ontology: Graph, local: str) -> None:
    assert (FG[local], RDF.type, OWL.Class) in ontology


def test_properties_declared(ontology: Graph) -> None:
    obj = """claimant quantityKind bound place period confidence readFrom restates restatedBy partOf hasPart
        supports disputes relativeTo conflictsWith corroborates claimA claimB conflictKind assessor verdict
        assessedClaim partOfPlace partOfKind""".split()
    dt = """value valueHigh vagueText intervalLow intervalHigh intervalLowInclusive intervalHighInclusive
        periodStart periodEnd statedOn confidenceWords attributionWords figureText quoteText fileName severity
        ratio gap explanation trigger probabilityLow probabilityHigh tolerance ruleVersion cumulative verdictDigest""".split()
    for p in obj:
        assert (FG[p], RDF.type, OWL.ObjectProperty) in ontology, p
    for p in dt:
        assert (FG[p], RDF.type, OWL.DatatypeProperty) in ontology, p
    for p in ("partOf", "hasPart", "partOfPlace", "partOfKind"):
        assert (FG[p], RDF.type, OWL.TransitiveProperty) in ontology, p
    for p in ("conflictsWith", "corroborates"):
        assert (FG[p], RDF.type, OWL.SymmetricProperty) in ontology, p
    assert (FG.claimant, RDFS.subPropertyOf, PROV.wasAttributedTo) in ontology
    assert (FG.partOfPlace, RDFS.subPropertyOf, SCHEMA.containedInPlace) in ontology


def test_every_concept_is_complete(vocabularies: Graph) -> None:
    concepts = set(vocabularies.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 50
    problems = []
    for c in concepts:
        if not {"fr", "en"} <= _langs(vocabularies, c, SKOS.prefLabel):
            problems.append((c, "prefLabel fr/en"))
        notations = [str(n) for n in vocabularies.objects(c, SKOS.notation)]
        if notations != [str(c).rsplit("/", 1)[-1]]:
            problems.append((c, f"notation {notations}"))
        scheme = vocabularies.value(c, SKOS.inScheme)
        if scheme is None or (scheme, RDF.type, SKOS.ConceptScheme) not in vocabularies:
            problems.append((c, "inScheme"))
        if "en" not in _langs(vocabularies, c, SKOS.definition):
            problems.append((c, "definition en"))
    assert not problems, problems


def test_quantity_notations_cover_eval(vocabularies: Graph) -> None:
    notations = {
        str(n)
        for c in vocabularies.subjects(SKOS.inScheme, FGQ.scheme)
        for n in vocabularies.objects(c, SKOS.notation)
    }
    assert EVAL_QUANTITIES <= notations, EVAL_QUANTITIES - notations
    pct = {n for n in notations if n.endswith("_pct")}
    assert {"civilian_deaths_pct", "reports_credible_pct"} <= pct
    for n in pct:
        assert vocabularies.value(FGQ[n], FG.cumulative).toPython() is False


def test_quantity_hierarchy_and_cumulative(vocabularies: Graph) -> None:
    assert (FGQ.child_deaths, FG.partOfKind, FGQ.civilian_deaths) in vocabularies
    assert (FGQ.child_deaths, SKOS.broader, FGQ.civilian_deaths) in vocabularies
    assert (FGQ.civilian_deaths, FG.partOfKind, FGQ.people_killed_total) in vocabularies
    assert (FGQ.reports_credible, SKOS.broader, FGQ.reports_received) in vocabularies
    assert vocabularies.value(FGQ.civilian_deaths, FG.cumulative).toPython() is True
    assert vocabularies.value(FGQ.air_strikes, FG.cumulative).toPython() is True


def test_bound_and_confidence_details(vocabularies: Graph) -> None:
    assert {str(c).rsplit("/", 1)[-1] for c in vocabularies.subjects(SKOS.inScheme, FGB.scheme)} == {
        "exact",
        "at_least",
        "more_than",
        "about",
        "at_most",
        "less_than",
        "range",
        "vague",
    }
    assert float(vocabularies.value(FGB.about, FG.tolerance)) == pytest.approx(0.1)
    assert Literal("pas moins de", lang="fr") in set(vocabularies.objects(FGB.at_least, FG.trigger))
    assert Literal("plus de", lang="fr") in set(vocabularies.objects(FGB.more_than, FG.trigger))
    assert Literal("up to", lang="en") in set(vocabularies.objects(FGB.at_most, FG.trigger))
    assert float(vocabularies.value(FGC.likely, FG.probabilityLow)) == pytest.approx(0.55)
    assert float(vocabularies.value(FGC.likely, FG.probabilityHigh)) == pytest.approx(0.80)
    assert Literal("a reconnu", lang="fr") in set(vocabularies.objects(FGC.admitted, FG.trigger))
    assert Literal("pas fiables", lang="fr") in set(vocabularies.objects(FGC.not_credible, FG.trigger))
    for kind in (
        "contradiction",
        "impossible_cumulative",
        "same_claim_different_value",
        "tension",
        "explicit_dispute",
        "reliability_verdict",
        "hedge_conflict",
        "scope_difference",
        "corroboration",
    ):
        assert (FGK[kind], SKOS.inScheme, FGK.scheme) in vocabularies, kind
    assert Literal("source_vs_source") in set(vocabularies.objects(FGK.tension, SKOS.altLabel))


def test_open_world_terms(ontology: Graph) -> None:
    """The terms the lexicon graph uses: source types, place containment, counted text."""
    for cls in (FG.GovernmentBody, FG.NewsOutlet):
        assert (cls, RDFS.subClassOf, FG.Organisation) in ontology
    assert (FG.directlyPartOf, RDF.type, OWL.ObjectProperty) in ontology
    assert (FG.directlyPartOf, RDFS.subPropertyOf, FG.partOfPlace) in ontology
    assert (FG.directlyPartOf, RDF.type, OWL.TransitiveProperty) not in ontology  # one step
    for p in (FG.placeKind, FG.countedText):
        assert (p, RDF.type, OWL.DatatypeProperty) in ontology
    assert ontology.value(FG.placeKind, RDFS.domain) == FG.Place
    # countedText is on claims and on the kinds minted from it: its domain is the union
    from rdflib.collection import Collection

    domain = ontology.value(FG.countedText, RDFS.domain)
    assert set(Collection(ontology, ontology.value(domain, OWL.unionOf))) == {FG.FigureClaim, FG.QuantityKind}


def test_description_states_the_minted_kind_policy(ontology: Graph) -> None:
    for lang, words in (("en", ("fgq:minted", "same phrase", "skos:broader")),
                        ("fr", ("fgq:minted", "même expression", "skos:broader"))):
        text = next(str(o) for o in ontology.objects(ONTOLOGY, URIRef("http://purl.org/dc/terms/description"))
                    if o.language == lang)
        for w in words:
            assert w in text, (lang, w)


def test_no_evaluation_jargon_in_labels_and_comments(ontology: Graph) -> None:
    """Readers of /ontology do not know the evaluation harness (no 'EVAL label')."""
    jargon = ("EVAL", "libellé d'évaluation", "nom de quantité de l'évaluation")
    found = [(s, str(o)) for p in (RDFS.label, RDFS.comment) for s, o in ontology.subject_objects(p)
             if any(j in str(o) for j in jargon)]
    assert not found, found


# --------------------------------------------------------------------------- SHACL

BASE = "http://127.0.0.1:5000/"

VALID_CLAIM = f"""
@prefix fg: <https://w3id.org/factgraph/ontology#> .
@prefix fgq: <https://w3id.org/factgraph/quantity/> .
@prefix fgb: <https://w3id.org/factgraph/bound/> .
@prefix fgc: <https://w3id.org/factgraph/confidence/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@base <{BASE}> .

<claim/A/123> a fg:FigureClaim ;
    fg:claimant <agent/coalition> ;
    schema:appearance <article/A> ;
    fg:quantityKind fgq:civilian_deaths ;
    fg:value 1302.0 ;
    fg:bound fgb:at_least ;
    fg:intervalLow 1302.0 ; fg:intervalLowInclusive true ;
    fg:place <place/syria>, <place/iraq> ;
    fg:period <claim/A/123/period> ;
    fg:periodStart "2014-08"^^xsd:gYearMonth ;
    fg:periodEnd "2019-04-30"^^xsd:date ;
    fg:statedOn "2019-05"^^xsd:gYearMonth ;
    fg:confidence fgc:likely ;
    fg:confidenceWords "il est probable que", "pas moins de" ;
    fg:figureText "pas moins de 1.302" ;
    fg:quoteText "il est probable que pas moins de 1.302 civils ont été tués" ;
    fg:readFrom <claim/A/123/target> ;
    prov:wasDerivedFrom <article/A> ;
    prov:wasGeneratedBy <activity/extraction/A> ;
    rdfs:label "Coalition: at least 1302 civilian deaths (Syria, Iraq)"@en .

<claim/A/123/target> a oa:SpecificResource ;
    oa:hasSource <article/A> ;
    oa:hasSelector <claim/A/123/quote>, <claim/A/123/position> .
<claim/A/123/quote> a oa:TextQuoteSelector ;
    oa:exact "il est probable que pas moins de 1.302 civils ont été tués" ;
    oa:prefix "Selon le texte, " ; oa:suffix "." .
<claim/A/123/position> a oa:TextPositionSelector ; oa:start 123 ; oa:end 182 .

<claim/A/123/period> a time:Interval ;
    time:hasBeginning [ a time:Instant ; time:inXSDgYearMonth "2014-08"^^xsd:gYearMonth ] ;
    time:hasEnd [ a time:Instant ; time:inXSDDate "2019-04-30"^^xsd:date ] .

<agent/coalition> a fg:Organisation ; rdfs:label "Coalition internationale (CJTF-OIR)"@fr .
<activity/extraction/A> a fg:ExtractionActivity .

<article/A> a schema:NewsArticle ;
    schema:headline "Titre" ; schema:datePublished "2019-05"^^xsd:gYearMonth ;
    schema:inLanguage "fr" ; schema:url <https://example.org/a> ;
    schema:text "Selon le texte, il est probable que pas moins de 1.302 civils ont été tués." ;
    fg:fileName "000_x.txt" .

<statement/A/s10> a fg:Statement ;
    fg:claimant <agent/coalition> ;
    schema:appearance <article/A> ;
    fg:confidence fgc:asserted ;
    fg:readFrom <claim/A/123/target> ;
    prov:wasGeneratedBy <activity/extraction/A> .
"""


def _validate(data: Graph, vocabulary: Graph, shapes: Graph) -> tuple[bool, Graph]:
    from pyshacl import validate

    conforms, report, _text = validate(
        data, shacl_graph=shapes, ont_graph=vocabulary, inference="none", allow_warnings=False
    )
    return conforms, report


def test_valid_claim_conforms(vocabulary: Graph, shapes: Graph) -> None:
    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    conforms, report = _validate(data, vocabulary, shapes)
    assert conforms, report.serialize(format="turtle")


def test_valid_claim_conforms_as_union_graph(vocabulary: Graph, shapes: Graph) -> None:
    """The shapes also work when the data graph is article + ontology + vocabularies."""
    from pyshacl import validate

    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    for t in vocabulary:
        data.add(t)
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, report.serialize(format="turtle")


def test_selector_end_before_start_fails(vocabulary: Graph, shapes: Graph) -> None:
    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    position = URIRef(BASE + "claim/A/123/position")
    data.set((position, URIRef("http://www.w3.org/ns/oa#end"), Literal(100)))
    conforms, _ = _validate(data, vocabulary, shapes)
    assert not conforms


def test_claim_without_claimant_fails(vocabulary: Graph, shapes: Graph) -> None:
    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    data.remove((URIRef(BASE + "claim/A/123"), FG.claimant, None))
    conforms, report = _validate(data, vocabulary, shapes)
    assert not conforms
    paths = set(report.objects(None, SH.resultPath))
    assert FG.claimant in paths
    focus = set(report.objects(None, SH.focusNode))
    assert URIRef(BASE + "claim/A/123") in focus


def test_unknown_quantity_kind_and_bad_selector_fail(vocabulary: Graph, shapes: Graph) -> None:
    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    claim = URIRef(BASE + "claim/A/123")
    data.set((claim, FG.quantityKind, FGQ.no_such_kind))
    data.set(
        (URIRef(BASE + "claim/A/123/position"), Namespace("http://www.w3.org/ns/oa#").start, Literal("x"))
    )
    conforms, report = _validate(data, vocabulary, shapes)
    assert not conforms
    assert FG.quantityKind in set(report.objects(None, SH.resultPath))


def test_vague_claim_needs_no_value(vocabulary: Graph, shapes: Graph) -> None:
    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    claim = URIRef(BASE + "claim/A/123")
    data.remove((claim, FG.value, None))
    conforms, _ = _validate(data, vocabulary, shapes)
    assert not conforms  # at_least without a value
    data.set((claim, FG.bound, FGB.vague))
    data.remove((claim, FG.intervalLow, None))
    data.add((claim, FG.vagueText, Literal("des dizaines", lang="fr")))
    conforms, report = _validate(data, vocabulary, shapes)
    assert conforms, report.serialize(format="turtle")


# The descriptions the extraction writes into {base}graph/lexicon (open-world sources,
# places and minted quantity kinds), and a claim that uses them.
LEXICON = f"""
@prefix fg: <https://w3id.org/factgraph/ontology#> .
@prefix fgq: <https://w3id.org/factgraph/quantity/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <https://schema.org/> .
@base <{BASE}> .

<agent/pole-emploi> a fg:Agent, fg:GovernmentBody ;
    rdfs:label "Pôle emploi"@fr ; skos:prefLabel "Pôle emploi"@fr ;
    skos:altLabel "Pole emploi" .
<agent/afp> a fg:Agent, fg:NewsOutlet ; rdfs:label "AFP"@fr .
<place/darnah-ly> a fg:Place, schema:Place ;
    rdfs:label "Derna"@fr, "Derna"@en ; fg:placeKind "city" ;
    fg:partOfPlace <place/libya>, <place/continent-af>, <place/world> ;
    fg:directlyPartOf <place/libya> ;
    owl:sameAs <https://sws.geonames.org/87205/> .
<place/libya> a fg:Place, schema:Place ; rdfs:label "Libye"@fr, "Libya"@en ; fg:placeKind "country" ;
    fg:partOfPlace <place/continent-af>, <place/world> ; fg:directlyPartOf <place/continent-af> .
<place/continent-af> a fg:Place ; rdfs:label "Afrique"@fr, "Africa"@en ; fg:placeKind "continent" ;
    fg:partOfPlace <place/world> ; fg:directlyPartOf <place/world> .
<place/world> a fg:Place ; rdfs:label "Monde"@fr, "World"@en ; fg:placeKind "world" .
fgq:minted a skos:ConceptScheme .
fgq:inscrits_pole_emploi a skos:Concept, fg:QuantityKind, owl:NamedIndividual ;
    skos:inScheme fgq:minted ; skos:notation "inscrits_pole_emploi" ;
    skos:prefLabel "inscrits à Pôle emploi"@fr ;
    skos:broader fgq:people ;
    fg:countedText "inscrits à Pôle emploi"@fr .
"""

KIND = FGQ.inscrits_pole_emploi
POLE = URIRef(BASE + "agent/pole-emploi")
DERNA = URIRef(BASE + "place/darnah-ly")


def _lexicon_claim() -> Graph:
    data = Graph().parse(data=VALID_CLAIM, format="turtle")
    data.parse(data=LEXICON, format="turtle")
    claim = URIRef(BASE + "claim/A/123")
    data.set((claim, FG.quantityKind, KIND))
    data.set((claim, FG.claimant, POLE))
    data.remove((claim, FG.place, None))
    data.add((claim, FG.place, DERNA))
    data.add((claim, FG.countedText, Literal("inscrits à Pôle Emploi")))
    return data


def test_lexicon_and_a_claim_using_it_conform(vocabulary: Graph, shapes: Graph) -> None:
    conforms, report = _validate(_lexicon_claim(), vocabulary, shapes)
    assert conforms, report.serialize(format="turtle")


def test_the_vocabulary_itself_conforms_to_the_lexicon_shapes(vocabulary: Graph, shapes: Graph) -> None:
    """Agents, places and kinds of the hand-written vocabulary meet the same shapes."""
    data = Graph()
    for name in ("agents.ttl", "gazetteer.ttl"):
        data += _parse(name)
    conforms, report = _validate(data, vocabulary, shapes)
    assert conforms, report.serialize(format="turtle")


def _broken(data: Graph, vocabulary: Graph, shapes: Graph) -> tuple[set, set]:
    conforms, report = _validate(data, vocabulary, shapes)
    assert not conforms
    return set(report.objects(None, SH.focusNode)), set(report.objects(None, SH.resultPath))


@pytest.mark.parametrize(
    ("case", "focus", "path"),
    [
        ("agent without label", POLE, RDFS.label),
        ("place without label", DERNA, RDFS.label),
        ("kind without notation", KIND, SKOS.notation),
        ("kind with two notations", KIND, SKOS.notation),
        ("kind without prefLabel", KIND, SKOS.prefLabel),
        ("two counted texts", URIRef(BASE + "claim/A/123"), FG.countedText),
        ("counted text not a string", URIRef(BASE + "claim/A/123"), FG.countedText),
        ("unknown place kind", DERNA, FG.placeKind),
    ],
)
def test_lexicon_mistakes_are_caught(vocabulary: Graph, shapes: Graph, case: str, focus: URIRef,
                                     path: URIRef) -> None:
    data = _lexicon_claim()
    claim = URIRef(BASE + "claim/A/123")
    if case == "agent without label":
        data.remove((POLE, RDFS.label, None))
    elif case == "place without label":
        data.remove((DERNA, RDFS.label, None))
    elif case == "kind without notation":
        data.remove((KIND, SKOS.notation, None))
    elif case == "kind with two notations":
        data.add((KIND, SKOS.notation, Literal("inscrits")))
    elif case == "kind without prefLabel":
        data.remove((KIND, SKOS.prefLabel, None))
    elif case == "two counted texts":
        data.add((claim, FG.countedText, Literal("demandeurs d'emploi")))
    elif case == "counted text not a string":
        data.set((claim, FG.countedText, Literal(12)))
    elif case == "unknown place kind":
        data.set((DERNA, FG.placeKind, Literal("town")))
    foci, paths = _broken(data, vocabulary, shapes)
    assert focus in foci and path in paths, (foci, paths)


# --------------------------------------------------------------------------- OWL-RL


def test_owlrl_closure(vocabulary: Graph) -> None:
    import owlrl

    g = Graph()
    for t in vocabulary:
        g.add(t)
    for t in Graph().parse(data=VALID_CLAIM, format="turtle"):
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    claim = URIRef(BASE + "claim/A/123")
    assert (claim, RDF.type, FG.Claim) in g
    assert (claim, RDF.type, SCHEMA.Claim) in g
    assert (claim, PROV.wasAttributedTo, URIRef(BASE + "agent/coalition")) in g
    assert (URIRef(BASE + "agent/coalition"), RDF.type, PROV.Agent) in g
    assert (FG.FigureClaim, RDFS.subClassOf, SCHEMA.Claim) in g
    # partOfKind is transitive and a sub-property of skos:broader
    assert (FGQ.child_deaths, FG.partOfKind, FGQ.people_killed_total) in g
    assert (FGQ.child_deaths, SKOS.broader, FGQ.civilian_deaths) in g
    # no inconsistency was found (owlrl writes its error messages into the graph)
    assert not list(g.subjects(RDF.type, OWL.Nothing))
    errors = list(g.objects(None, URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")))
    assert not errors, errors


def test_owlrl_on_the_lexicon(vocabulary: Graph) -> None:
    """directlyPartOf is one step of partOfPlace; a kind's counted text does not make it a claim."""
    import owlrl

    g = Graph()
    g += vocabulary
    g += _lexicon_claim()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert (POLE, RDF.type, FG.Organisation) in g
    assert (POLE, RDF.type, PROV.Agent) in g
    assert (URIRef(BASE + "place/libya"), FG.partOfPlace, URIRef(BASE + "place/world")) in g
    assert (URIRef(BASE + "place/libya"), SCHEMA.containedInPlace, URIRef(BASE + "place/continent-af")) in g
    assert (KIND, RDF.type, FG.FigureClaim) not in g
    assert (KIND, RDF.type, FG.Claim) not in g
    assert not list(g.objects(None, URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")))
