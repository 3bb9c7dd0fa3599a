"""SPARQL result formats: what each query form can be answered in, and the writers.

rdflib writes SPARQL results as CSV; JSON, XML and TSV (SPARQL 1.1 Query Results CSV
and TSV Formats, section 3) are written here. A result cut at the row limit says so in
its body too: JSON ``"results": {"truncated": true, "rowLimit": N, ...}`` (as Virtuoso adds
``distinct``/``ordered`` there) and XML ``<results truncated="true" rowLimit="N">``, besides
the ``X-SPARQL-MaxRows`` header. rdflib 7's XML writer drops the text of a
literal whose Python value is false (``0``, ``0.0``, ``false``, ``""``): it passes the
``Literal`` itself to SAX's ``characters``, which skips falsy content, so SPARQLWrapper and
rdflib's SPARQLStore read ``fg:gap 0`` as an empty literal (RDFLib/rdflib#3138; the fix
upstream is ``characters(str(val))``, see ``docs/upstream/``). Graph results are written
by rdflib's serialisers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
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
_XSD_STRING_IRI = str(_XSD_STRING)
Term = Node | ox.NamedNode | ox.BlankNode | ox.Literal  # rdflib's, or pyoxigraph's own


def plain(term: Node | None) -> Node | None:
    """RDF 1.1 simple literal for ``"x"^^xsd:string`` (Oxigraph returns the datatype)."""
    if isinstance(term, Literal) and term.datatype == _XSD_STRING:
        return Literal(str(term))
    return term


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def term_parts(term: Term) -> tuple[str, str, str | None, str | None]:
    """(``uri``, ``bnode`` or ``literal``; the IRI, label or lexical form; the language;
    the datatype unless the literal is a plain string) of an rdflib term or of a
    pyoxigraph one (``EmbeddedStore.native_query``'s results, written without a
    conversion to rdflib); ValueError for anything else."""
    # pyoxigraph's first, by exact type: they are what /sparql writes most (rdflib's terms are
    # checked through an ABC, slower)
    kind = type(term)
    if kind is ox.NamedNode:
        return "uri", term.value, None, None  # type: ignore[union-attr]
    if kind is ox.Literal:
        lang, datatype = term.language, term.datatype.value  # type: ignore[union-attr]
        return "literal", term.value, lang, None if lang or datatype == _XSD_STRING_IRI else datatype  # type: ignore[union-attr]
    if kind is ox.BlankNode:
        return "bnode", term.value, None, None  # type: ignore[union-attr]
    if isinstance(term, URIRef):
        return "uri", str(term), None, None
    if isinstance(term, BNode):
        return "bnode", str(term), None, None
    if isinstance(term, Literal):
        dt = term.datatype
        return "literal", str(term), term.language, None if term.language or dt in (None, _XSD_STRING) else str(dt)
    raise ValueError(f"not an RDF term: {term!r}")


def rdflib_term(term: Term | None) -> Node | None:
    """The rdflib term for an rdflib or pyoxigraph one (None stays None)."""
    if term is None or isinstance(term, Node):
        return term
    kind, value, lang, dt = term_parts(term)
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=lang, datatype=URIRef(dt) if dt else None)


def tsv_term(term: Term | None) -> str:
    """One TSV cell: the term in Turtle/SPARQL syntax, empty when unbound."""
    if term is None:
        return ""
    kind, value, lang, dt = term_parts(term)
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    out = '"' + value.translate(_TSV_ESCAPES) + '"'
    if lang:
        return f"{out}@{lang}"
    if dt:
        return f"{out}^^<{dt}>"
    return out


def write_tsv(variables: Sequence[Variable], rows: Sequence[Sequence[Term | None]]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


SPARQL_NS = "http://www.w3.org/2005/sparql-results#"
XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="' + SPARQL_NS + '">\n'


def xml_term(term: Term) -> str:
    """One bound value in SPARQL Query Results XML (section 2.3.1): the lexical form
    always written, whatever its Python value."""
    kind, value, lang, dt = term_parts(term)
    if kind != "literal":
        return f"<{kind}>{escape(value)}</{kind}>"
    if lang:
        attr = f" xml:lang={quoteattr(lang)}"
    elif dt:
        attr = f" datatype={quoteattr(dt)}"
    else:
        attr = ""
    return f"<literal{attr}>{escape(value, {chr(13): '&#13;'})}</literal>"  # a CR survives parsing


def write_xml(variables: Sequence[Variable], rows: Sequence[Sequence[Term | None]],
              cut_at: int | None = None) -> bytes:
    cut = f' truncated="true" rowLimit="{cut_at}"' if cut_at is not None else ""
    out = [XML_HEAD, "<head>", *(f"<variable name={quoteattr(str(v))}/>" for v in variables),
           f"</head>\n<results{cut}>\n"]
    for row in rows:
        out.append("<result>")
        out.extend(f"<binding name={quoteattr(str(v))}>{xml_term(t)}</binding>"
                   for v, t in zip(variables, row, strict=True) if t is not None)
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode("utf-8")


def json_term(term: Term) -> dict[str, str]:
    """One bound value in SPARQL 1.1 Query Results JSON (section 3.2.2)."""
    if type(term) is ox.NamedNode:  # what a result holds most: written without term_parts' tuple
        return {"type": "uri", "value": term.value}
    kind, value, lang, dt = term_parts(term)
    out = {"type": kind, "value": value}
    if lang:
        out["xml:lang"] = lang
    elif dt:
        out["datatype"] = dt
    return out


def native_json(solutions: ox.QuerySolutions) -> bytes:
    """pyoxigraph's solutions (``EmbeddedStore.native_query``) as SPARQL JSON, written by
    the engine itself as it evaluates them: the bytes ``write_json`` writes for the same
    rows (tested), without a Python object per term (a claim's 20 rows: 0.09 ms less). No
    row limit: the query's own LIMIT bounds them (``json_more_rows``)."""
    return solutions.serialize(format=ox.QueryResultsFormat.JSON) or b""  # with no output file: the bytes


def json_more_rows(body: bytes, limit: int) -> bool:
    """True if the SPARQL JSON SELECT result ``body`` holds more than ``limit`` rows. Each
    row is a JSON object (two bytes at least) and all but the last are followed by a comma,
    so a body of at most ``3 * limit`` bytes cannot (a claim's rows: 2 kB, against 3 kB for
    1,000 rows); a longer one is parsed to count them."""
    return len(body) > 3 * limit and len(json.loads(body)["results"]["bindings"]) > limit


def write_json(variables: Sequence[Variable], rows: Sequence[Sequence[Term | None]],
               cut_at: int | None = None) -> bytes:
    results: dict = {"truncated": True, "rowLimit": cut_at} if cut_at is not None else {}
    names = [str(v) for v in variables]
    results["bindings"] = [{name: json_term(t) for name, t in zip(names, row, strict=True) if t is not None}
                           for row in rows]
    doc = {"head": {"vars": names}, "results": results}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_select(variables: Sequence[Variable], rows: Sequence[Sequence[Term | None]], media_type: str,
                 cut_at: int | None = None) -> bytes:
    """The rows in ``media_type``; ``cut_at``: the row limit the result was cut at."""
    if media_type == TSV:
        return write_tsv(variables, rows)
    if media_type == XML:
        return write_xml(variables, rows, cut_at)
    if media_type == JSON:
        return write_json(variables, rows, cut_at)
    result = Result("SELECT")
    result.vars = list(variables)
    result.bindings = [
        {v: plain(rdflib_term(t)) for v, t in zip(variables, row, strict=True) if t is not None}  # type: ignore[misc]  # rdflib: Node, not Identifier
        for row in rows
    ]
    return result.serialize(format="csv") or b""


def write_boolean(answer: bool, media_type: str) -> bytes:
    if media_type == XML:
        return f"{XML_HEAD}<head/>\n<boolean>{'true' if answer else 'false'}</boolean>\n</sparql>\n".encode()
    result = Result("ASK")
    result.askAnswer = answer
    return result.serialize(format="json") or b""


def write_graph(triples: Sequence[tuple[Node, Node, Node]], media_type: str) -> bytes:
    fmt = GRAPH_FORMATS[media_type]
    graph: Graph = Dataset() if fmt == "trig" else Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    target = graph.default_graph if isinstance(graph, Dataset) else graph
    for s, p, o in triples:
        target.add((s, p, plain(o)))  # type: ignore[arg-type]
    return graph.serialize(format=fmt, encoding="utf-8")
