"""Extraction dataclasses to RDF: the only place claims become triples.

One article gives one graph (stored as the article's named graph): the article, its
claims with their figures, scopes and confidence, the exact spans they were read from
(W3C Web Annotation selectors), the extraction activity (PROV-O), and the reliability
assessments the article reports. See docs/design.md for the model.

The triples are collected in a plain set (``triples``, ``lexicon_triples``): ingest only
validates, reasons over and writes them as N-Triples, and an rdflib ``Graph`` costs about
10 µs per ``add`` (half of mapping's time); ``to_graph`` and ``lexicon_graph`` give the
same triples as a graph.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from factgraph import __version__

from . import counted, gazetteer, lexicon, sources
from .model import Article, Claim, Extraction, Statement
from .terms import FG, FGB, FGC, FGQ, OA, PREFIXES, SCHEMA, TIME, Iris

CONTEXT_CHARS = 32  # characters of prefix/suffix kept in a TextQuoteSelector

Triple = tuple[Node, Node, Node]


# rdflib makes a new term at every ``RDF.type`` (and checks the name): the frequent ones once
_TYPE, _LABEL = RDF.type, RDFS.label
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
_INTEGER, _DECIMAL = XSD.integer, XSD.decimal


def date_literal(iso: str) -> Literal:
    """'2019' -> xsd:gYear, '2019-04' -> xsd:gYearMonth, '2019-04-30' -> xsd:date."""
    datatype = _DATE_TYPES.get(len(iso))
    if datatype is None:
        raise ValueError(f"not an ISO date: {iso!r}")
    return Literal(iso, datatype=datatype)


def number_literal(value: float) -> Literal:
    """xsd:integer for whole numbers, xsd:decimal otherwise: both lexical forms survive
    a Turtle round trip unchanged."""
    if float(value).is_integer():
        return Literal(str(int(value)), datatype=_INTEGER)
    return Literal(repr(float(value)), datatype=_DECIMAL)


def _instant_property(iso: str) -> URIRef:
    return {4: TIME.inXSDgYear, 7: TIME.inXSDgYearMonth, 10: TIME.inXSDDate}[len(iso)]


BOUND_WORDS = {
    "en": {"at_least": "at least ", "more_than": "more than ", "about": "about ", "at_most": "at most ",
           "less_than": "less than "},
    "fr": {"at_least": "au moins ", "more_than": "plus de ", "about": "environ ", "at_most": "au plus ",
           "less_than": "moins de "},
}


def claim_label(c: Claim, lang: str = "en") -> str:
    """A readable label: 'Global Coalition (CJTF-OIR): at least 1,302 civilian deaths (Iraq, Syria)'."""
    who = sources.label(c.claimant, lang)
    f = c.figure
    if f.bound == "vague":
        amount = f.vague_text or "?"
    elif f.bound == "range":
        amount = f"{_fmt(f.value, lang)}-{_fmt(f.value_high, lang)}"
    else:
        amount = BOUND_WORDS[lang].get(f.bound, "") + _fmt(f.value, lang)
    kind = lexicon.quantity_label(c.quantity, lang) if c.quantity in lexicon.quantity_notations() else (
        c.counted or c.quantity.replace("_", " "))
    names = sorted(gazetteer.place_label(p, lang) for p in c.scope.places)
    return f"{who}: {amount} {kind}" + (f" ({', '.join(names)})" if names else "")


AGENT_CLASSES = {"person": FG.Person, "organisation": FG.Organisation, "government": FG.GovernmentBody,
                 "outlet": FG.NewsOutlet}


def lexicon_graph(x: Extraction, iris: Iris) -> Graph:
    """What the article introduced that no vocabulary file describes: its sources, its
    places (with every place that contains them) and the kinds minted from what it
    counts. Stored in the lexicon graph, which grows with the articles (docs/design.md)."""
    return _graph(lexicon_triples(x, iris), prefixes=False)


def _graph(triples: set[Triple], prefixes: bool) -> Graph:
    g = Graph()
    if prefixes:
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


def lexicon_triples(x: Extraction, iris: Iris) -> set[Triple]:
    """``lexicon_graph``'s triples, as a set."""
    g: set[Triple] = set()
    lang = x.article.language
    for key in sorted({c.claimant for c in x.claims} | {s.claimant for s in x.statements}
                      | {c.relayed_by for c in x.claims if c.relayed_by}):
        found = sources.agent(key)
        if key == "article" or lexicon.agent(key) is not None or found is None:
            continue
        iri = iris.agent(key)
        g.add((iri, _TYPE, FG.Agent))
        g.add((iri, _TYPE, AGENT_CLASSES.get(found.kind, FG.Organisation)))
        g.add((iri, _LABEL, Literal(found.label, lang=lang)))
        g.add((iri, SKOS.prefLabel, Literal(found.label, lang=lang)))
    known = lexicon.quantity_notations()
    for c in x.claims:
        if c.quantity in known:
            continue
        kind = FGQ[c.quantity]
        g.add((kind, _TYPE, SKOS.Concept))
        g.add((kind, _TYPE, FG.QuantityKind))
        g.add((kind, _TYPE, OWL.NamedIndividual))
        g.add((kind, SKOS.inScheme, FGQ.minted))
        g.add((kind, SKOS.notation, Literal(c.quantity)))
        g.add((kind, SKOS.prefLabel, Literal(c.quantity.replace("_", " "), lang=lang)))
        g.add((kind, FG.cumulative, Literal(c.quantity.endswith("_pct") is False and c.general_kind in
                                                  counted.CUMULATIVE_GENERAL)))
        if c.general_kind:
            g.add((kind, SKOS.broader, FGQ[c.general_kind]))
        elif c.quantity.endswith("_pct"):
            g.add((kind, SKOS.broader, FGQ.share_pct))
    for key in sorted({p for c in x.claims for p in c.scope.places}):
        _place(g, key, iris)
    return g


def _place(g: set[Triple], key: str, iris: Iris) -> None:
    if lexicon.place(key) is not None:
        return  # described by gazetteer.ttl, in the vocabulary graph
    entry = gazetteer.place(key)
    if entry is None:
        return
    iri = iris.place(key)
    g.add((iri, _TYPE, FG.Place))
    g.add((iri, _TYPE, SCHEMA.Place))
    g.add((iri, _LABEL, Literal(entry.label_fr, lang="fr")))
    g.add((iri, _LABEL, Literal(entry.label_en, lang="en")))
    g.add((iri, FG.placeKind, Literal(entry.kind)))
    if entry.geonames_id:
        g.add((iri, OWL.sameAs, URIRef(f"https://sws.geonames.org/{entry.geonames_id}/")))
    for parent in entry.part_of:
        g.add((iri, FG.directlyPartOf, iris.place(parent)))
    for ancestor in gazetteer.ancestors(key):
        g.add((iri, FG.partOfPlace, iris.place(ancestor)))
        if (iris.place(ancestor), _TYPE, FG.Place) not in g:
            _place(g, ancestor, iris)


def _fmt(v: float | None, lang: str = "en") -> str:
    if v is None:
        return "?"
    text = f"{int(v):,}" if float(v).is_integer() else f"{v:,}"
    return text.replace(",", "\u202f") if lang == "fr" else text


class Mapper:
    def __init__(self, iris: Iris):
        self.iris = iris

    def graph(self, x: Extraction) -> Graph:
        return _graph(self.triples(x), prefixes=True)

    def triples(self, x: Extraction) -> set[Triple]:
        g: set[Triple] = set()
        art = self.iris.article(x.article.id)
        activity = self.iris.activity(f"extraction/{x.article.id}")
        self._article(g, x.article, art)
        g.add((activity, _TYPE, FG.ExtractionActivity))
        g.add((activity, _TYPE, PROV.Activity))
        g.add((activity, PROV.used, art))
        software = self.iris.software(__version__)
        g.add((activity, PROV.wasAssociatedWith, software))
        for c in x.claims:
            self._claim(g, x.article, c, art, activity)
        for s in x.statements:
            self._statement(g, x.article, s, art, activity)
        return g

    def _article(self, g: set[Triple], a: Article, art: URIRef) -> None:
        g.add((art, _TYPE, SCHEMA.NewsArticle))
        g.add((art, SCHEMA.datePublished, date_literal(a.date)))
        g.add((art, SCHEMA.inLanguage, Literal(a.language)))
        g.add((art, SCHEMA.text, Literal(a.text)))
        g.add((art, FG.fileName, Literal(a.file_name)))
        if a.title:
            g.add((art, SCHEMA.headline, Literal(a.title, lang=a.language)))
            g.add((art, _LABEL, Literal(a.title, lang=a.language)))
        else:
            g.add((art, _LABEL, Literal(a.file_name)))
        if a.url:
            g.add((art, SCHEMA.url, URIRef(a.url)))
        if a.outlet:
            from .terms import slug

            outlet = self.iris.outlet(slug(a.outlet))
            g.add((art, SCHEMA.publisher, outlet))
            g.add((outlet, _TYPE, SCHEMA.Organization))
            g.add((outlet, _LABEL, Literal(a.outlet)))

    def _agent(self, g: set[Triple], key: str) -> URIRef:
        return self.iris.agent(key)  # described in the vocabulary or the lexicon graph

    def _target(self, g: set[Triple], a: Article, subject: URIRef, start: int, end: int, art: URIRef) -> None:
        target = URIRef(f"{subject}/target")
        quote, position = URIRef(f"{subject}/quote"), URIRef(f"{subject}/position")
        g.add((subject, FG.readFrom, target))
        g.add((target, _TYPE, OA.SpecificResource))
        g.add((target, OA.hasSource, art))
        g.add((target, OA.hasSelector, quote))
        g.add((target, OA.hasSelector, position))
        g.add((quote, _TYPE, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(a.text[start:end])))
        g.add((quote, OA.prefix, Literal(a.text[max(0, start - CONTEXT_CHARS):start])))
        g.add((quote, OA.suffix, Literal(a.text[end:end + CONTEXT_CHARS])))
        g.add((position, _TYPE, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(start)))
        g.add((position, OA.end, Literal(end)))
        g.add((subject, FG.quoteText, Literal(a.text[start:end])))

    def _claim(self, g: set[Triple], a: Article, c: Claim, art: URIRef, activity: URIRef) -> None:
        iri = self.iris.claim(c.key)
        f = c.figure
        g.add((iri, _TYPE, FG.FigureClaim))
        g.add((iri, _LABEL, Literal(claim_label(c, "en"), lang="en")))
        g.add((iri, _LABEL, Literal(claim_label(c, "fr"), lang="fr")))
        g.add((iri, FG.claimant, self._agent(g, c.claimant)))
        g.add((iri, SCHEMA.appearance, art))
        g.add((iri, PROV.wasDerivedFrom, art))
        g.add((iri, PROV.wasGeneratedBy, activity))
        g.add((iri, FG.quantityKind, FGQ[c.quantity]))
        g.add((iri, FG.bound, FGB[f.bound]))
        g.add((iri, FG.figureText, Literal(f.text)))
        if c.counted:
            g.add((iri, FG.countedText, Literal(c.counted)))
        if f.value is not None:
            g.add((iri, FG.value, number_literal(f.value)))
        if f.value_high is not None:
            g.add((iri, FG.valueHigh, number_literal(f.value_high)))
        if f.vague_text:
            g.add((iri, FG.vagueText, Literal(f.vague_text)))
        low, high, low_incl, high_incl = f.interval()
        if low is not None:
            g.add((iri, FG.intervalLow, number_literal(low)))
            g.add((iri, FG.intervalLowInclusive, Literal(low_incl)))
        if high is not None:
            g.add((iri, FG.intervalHigh, number_literal(high)))
            g.add((iri, FG.intervalHighInclusive, Literal(high_incl)))
        for p in c.scope.places:
            g.add((iri, FG.place, self.iris.place(p)))
        if c.scope.period_start or c.scope.period_end:
            period = URIRef(f"{iri}/period")
            g.add((iri, FG.period, period))
            g.add((period, _TYPE, TIME.Interval))
            for iso, edge, flat in ((c.scope.period_start, TIME.hasBeginning, FG.periodStart),
                                    (c.scope.period_end, TIME.hasEnd, FG.periodEnd)):
                if iso:
                    instant = URIRef(f"{period}/{'start' if flat == FG.periodStart else 'end'}")
                    g.add((period, edge, instant))
                    g.add((instant, _TYPE, TIME.Instant))
                    g.add((instant, _instant_property(iso), date_literal(iso)))
                    g.add((iri, flat, date_literal(iso)))
        if c.stated_on:
            g.add((iri, FG.statedOn, date_literal(c.stated_on)))
        if c.scope.start_inferred and c.scope.period_start:
            g.add((iri, FG.startInferred, Literal(True)))
        if c.confidence:
            g.add((iri, FG.confidence, FGC[c.confidence]))
        for w in c.confidence_words:
            g.add((iri, FG.confidenceWords, Literal(w)))
        if c.attribution_words:
            g.add((iri, FG.attributionWords, Literal(c.attribution_words)))
        if c.relayed_by:
            g.add((iri, FG.relayedBy, self._agent(g, c.relayed_by)))
        for prop, key in ((FG.restates, c.restates), (FG.partOf, c.part_of), (FG.disputes, c.disputes),
                          (FG.relativeTo, c.relative_to), (FG.shareOf, c.share_of), (FG.shareBase, c.share_base)):
            if key:
                g.add((iri, prop, self.iris.claim(key)))
        self._target(g, a, iri, c.sentence.start, c.sentence.end, art)
        if c.verdict:
            assessment = URIRef(f"{iri}/assessment")
            g.add((assessment, _TYPE, FG.ReliabilityAssessment))
            g.add((assessment, FG.assessor, self.iris.agent(c.claimant)))
            g.add((assessment, FG.verdict, FGC[c.verdict]))
            g.add((assessment, FG.assessedClaim, iri))
            g.add((assessment, PROV.wasDerivedFrom, art))
            g.add((assessment, _LABEL, Literal(f"{claim_label(c)} judged {c.verdict.replace('_', ' ')}", lang="en")))

    def _statement(self, g: set[Triple], a: Article, s: Statement, art: URIRef, activity: URIRef) -> None:
        iri = self.iris.statement(s.key)
        g.add((iri, _TYPE, FG.Statement))
        g.add((iri, _LABEL, Literal(s.sentence.text[:120], lang=a.language)))
        g.add((iri, FG.claimant, self._agent(g, s.claimant)))
        g.add((iri, SCHEMA.appearance, art))
        g.add((iri, PROV.wasDerivedFrom, art))
        g.add((iri, PROV.wasGeneratedBy, activity))
        for w in s.confidence_words:
            g.add((iri, FG.confidenceWords, Literal(w)))
        self._target(g, a, iri, s.sentence.start, s.sentence.end, art)


def to_graph(x: Extraction, iris: Iris | None = None) -> Graph:
    return Mapper(iris or Iris()).graph(x)


def triples(x: Extraction, iris: Iris | None = None) -> set[Triple]:
    """``to_graph``'s triples, as a set."""
    return Mapper(iris or Iris()).triples(x)


__all__ = ["BNode", "Mapper", "to_graph", "triples", "lexicon_triples", "claim_label", "date_literal"]
