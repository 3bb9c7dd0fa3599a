"""The SPARQL 1.1 Service Description of factgraph's endpoint, as an rdflib Graph.

Built here (the library builds triples, the server only serialises them); served by
``GET /sparql`` without a query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from .terms import PREFIXES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

# media type -> W3C format IRI (http://www.w3.org/ns/formats/)
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/trig": FORMATS.TriG,
}


def service_description(
    endpoint: str,
    result_types: Sequence[str],
    graph_names: Iterable[URIRef],
    *,
    row_limit: int,
    timeout: float,
) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for media_type in result_types:
        if media_type in FORMAT_IRIS:
            g.add((service, SD.resultFormat, FORMAT_IRIS[media_type]))

    g.add((service, RDFS.comment, Literal(
        f"Read-only SPARQL 1.1 Query endpoint: no updates, SERVICE or remote FROM; "
        f"queries stop after {timeout:g} s, SELECT results are capped at {row_limit} rows.", lang="en")))
    dataset = BNode("dataset")
    default = BNode("defaultGraph")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("the union of all named graphs", lang="en")))
    for name in graph_names:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, name))
    return g
