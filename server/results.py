"""SPARQL result formats: what each query form can be answered in, and the writers.

rdflib writes SPARQL results as JSON, XML and CSV; TSV (SPARQL 1.1 Query Results CSV
and TSV Formats, section 3) is written here. Graph results are written by rdflib's
serialisers.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from factgraph.graph.terms import PREFIXES

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"

SELECT_TYPES = [JSON, XML, CSV, TSV]
ASK_TYPES = [JSON, XML]
GRAPH_FORMATS = {  # media type -> rdflib serialiser
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
}
GRAPH_TYPES = list(GRAPH_FORMATS)
OFFERED = {"SELECT": SELECT_TYPES, "ASK": ASK_TYPES, "CONSTRUCT": GRAPH_TYPES, "DESCRIBE": GRAPH_TYPES}

_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def plain(term: Node | None) -> Node | None:
    """RDF 1.1 simple literal for ``"x"^^xsd:string`` (Oxigraph returns the datatype)."""
    if isinstance(term, Literal) and term.datatype == _XSD_STRING:
        return Literal(str(term))
    return term


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def tsv_term(term: Node | None) -> str:
    """One TSV cell: the term in Turtle/SPARQL syntax, empty when unbound."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        out = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{out}@{term.language}"
        if term.datatype and term.datatype != _XSD_STRING:
            return f"{out}^^<{term.datatype}>"
        return out
    return str(term)


def write_tsv(variables: Sequence[Variable], rows: Sequence[Sequence[Node | None]]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_select(variables: Sequence[Variable], rows: Sequence[Sequence[Node | None]], media_type: str) -> bytes:
    if media_type == TSV:
        return write_tsv(variables, rows)
    result = Result("SELECT")
    result.vars = list(variables)
    result.bindings = [
        {v: plain(t) for v, t in zip(variables, row, strict=True) if t is not None}  # type: ignore[misc]  # rdflib: Node, not Identifier
        for row in rows
    ]
    return result.serialize(format={JSON: "json", XML: "xml", CSV: "csv"}[media_type]) or b""


def write_boolean(answer: bool, media_type: str) -> bytes:
    result = Result("ASK")
    result.askAnswer = answer
    return result.serialize(format={JSON: "json", XML: "xml"}[media_type]) or b""


def write_graph(triples: Sequence[tuple[Node, Node, Node]], media_type: str) -> bytes:
    fmt = GRAPH_FORMATS[media_type]
    graph: Graph = Dataset() if fmt == "trig" else Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    target = graph.default_graph if isinstance(graph, Dataset) else graph
    for s, p, o in triples:
        target.add((s, p, plain(o)))  # type: ignore[arg-type]
    return graph.serialize(format=fmt, encoding="utf-8")
