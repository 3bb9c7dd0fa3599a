"""Exports: the RDF view of one resource, streamed dumps of the whole store, the VoID
description of the dataset and the schema.org ``ClaimReview`` feed of reviewers' verdicts.

Everything here reads the store through ``Store`` (``query`` and ``dump``), so it works
on the embedded store and on a remote SPARQL server alike. Dumps are streamed: the store
writes into a pipe from a worker thread while the caller reads chunks from the other
end, so a dump is never held in memory whole.

Formats (``DUMPS``):

- ``trig``, ``nquads``: every named graph kept (asserted, inferred and derived apart);
- ``turtle``, ``jsonld``: the default view, i.e. the union of all graphs;
- ``claimreview``: a schema.org ``DataFeed`` of one ``ClaimReview`` per reviewer's verdict
  (``claimreview.py``); conflicts and sources' assessments are not ClaimReviews.
"""

from __future__ import annotations

import io
import json
import os
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import IO, Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from .claimreview import claimreview_feed
from .review import newsroom
from .store import Store
from .terms import FG, PREFIXES, SCHEMA, VOID

__all__ = [
    "DUMPS",
    "RDF_VIEWS",
    "Dump",
    "claimreview_feed",
    "describe",
    "dump",
    "jsonld_context",
    "query_text",
    "serialize",
    "stream",
    "void",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/factgraph/ontology")
SD_ENDPOINT = URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")


@dataclass(frozen=True)
class Dump:
    """One downloadable export: its file name, media type and what it keeps."""

    name: str
    file_name: str
    media_type: str
    description: str


DUMPS: dict[str, Dump] = {
    d.name: d
    for d in (
        Dump("trig", "factgraph.trig", "application/trig", "every named graph, TriG"),
        Dump("nquads", "factgraph.nq", "application/n-quads", "every named graph, N-Quads"),
        Dump("turtle", "factgraph.ttl", "text/turtle", "default view (union of all graphs), Turtle"),
        Dump(
            "jsonld", "factgraph.jsonld", "application/ld+json", "default view (union of all graphs), JSON-LD"
        ),
        Dump(
            "claimreview",
            "claimreview.jsonld",
            "application/ld+json",
            "schema.org DataFeed of ClaimReviews, one per reviewer's verdict",
        ),
    )
}

# RDF views of one resource: suffix -> (media type, rdflib serializer)
RDF_VIEWS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}


# -- stored queries ---------------------------------------------------------------------


@cache
def query_text(area: str, name: str) -> str:
    """The text of ``queries/{area}/{name}.rq``, its ``#+`` header checked and the query
    parsed once (a broken query fails here, not on a request)."""
    from rdflib.plugins.sparql.parser import parseQuery

    text = (files("factgraph.queries") / area / f"{name}.rq").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#+")]
    keys = {line[2:].split(":", 1)[0].strip() for line in header if ":" in line}
    if not {"title", "description", "params"} <= keys:
        raise ValueError(f"queries/{area}/{name}.rq: header needs #+ title, description and params")
    parseQuery(text)
    return text


# -- one resource -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def jsonld_context() -> dict[str, Any]:
    """The published JSON-LD context (``ontology/context.jsonld``), as a dict."""
    text = (files("factgraph.ontology") / "context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)


def _bound_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def exists(store: Store, iri: URIRef) -> bool:
    """Is ``iri`` the subject or object of any triple?"""
    return bool(store.query(query_text("export", "exists"), {"iri": iri}).askAnswer)


def graph_exists(store: Store, iri: URIRef) -> bool:
    """Is ``iri`` a named graph holding a triple (``Store.graph_names``, without listing them)?"""
    return bool(store.query(query_text("export", "graph_exists"), {"iri": iri}).askAnswer)


def _plain(node: Any) -> Any:
    """``"x"^^xsd:string`` as ``"x"``: the same literal in RDF 1.1, but rdflib tells them
    apart and some stores return the explicit form."""
    if isinstance(node, Literal) and node.datatype == XSD.string:
        return Literal(str(node))
    return node


def plain_graph(triples: Any) -> Graph:
    """A Graph (factgraph prefixes bound) of ``triples``, string literals made plain."""
    g = _bound_graph()
    for s, p, o in triples:
        g.add((s, p, _plain(o)))
    return g


def describe(store: Store, iri: URIRef) -> Graph:
    """The RDF view of ``iri``: its triples and those of the nodes it owns (a claim's
    target, selectors and period), over the union of all graphs."""
    return plain_graph(store.query(query_text("export", "describe"), {"iri": iri}))


def serialize(graph: Graph, view: str) -> bytes:
    """``graph`` in one of ``RDF_VIEWS``; JSON-LD is compacted with the published context."""
    fmt = RDF_VIEWS[view][1]
    if fmt == "json-ld":
        ctx = jsonld_context()["@context"]
        return graph.serialize(format="json-ld", context=ctx, auto_compact=True).encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")


# -- streamed dumps -------------------------------------------------------------------------


def _clear_frames(exc: BaseException) -> None:
    """Drop the local variables of the frames in ``exc``'s traceback and in those of the
    errors it was raised from or during (the traceback keeps its lines)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        traceback.clear_frames(e.__traceback__)
        todo += [e.__cause__, e.__context__]


def _piped(write: Any, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """Run ``write(out)`` in a thread and yield what it writes, chunk by chunk.

    Closing the iterator early (a client that went away) closes the read end, so the
    writer fails with a broken pipe and the thread ends.

    An error of the writer is raised again in the reader's thread, its traceback's frames
    cleared first, in the writer's thread: what they held (a query's rows half read, say)
    would otherwise be freed in the reader's thread, and pyoxigraph's solutions may be
    freed only in the thread that made them (``store._bindings``).
    """
    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with open(write_fd, "wb") as out:
                write(out)
        except BrokenPipeError:
            pass
        except BaseException as exc:  # re-raised in the reader
            _clear_frames(exc)
            errors.append(exc)

    worker = threading.Thread(target=run, name="factgraph-export", daemon=True)
    worker.start()
    with open(read_fd, "rb") as src:
        try:
            while chunk := src.read(chunk_size):
                yield chunk
        finally:
            src.close()
            worker.join(timeout=30)
    if errors:
        raise errors[0]


def _jsonld_default_view(store: Store, out: IO[bytes]) -> None:
    """The default view as JSON-LD, transcoded from the store's N-Triples dump as it
    streams (pyoxigraph's streaming JSON-LD writer, one node object per run of a subject)."""
    import pyoxigraph as ox

    with _PipeReader(lambda w: store.dump(w, "ntriples")) as src:
        ox.serialize(ox.parse(cast(IO[bytes], src), ox.RdfFormat.N_TRIPLES), out, ox.RdfFormat.JSON_LD)


class _PipeReader:
    """A readable binary file fed by ``write(out)`` running in a thread."""

    def __init__(self, write: Any):
        self._chunks = _piped(write)
        self._buffer = b""

    def __enter__(self) -> _PipeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._chunks.close()  # type: ignore[attr-defined]

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readinto(self, buf: Any) -> int:
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True


def dump(store: Store, out: IO[bytes], fmt: str, base: str | None = None) -> None:
    """Write the export ``fmt`` (a key of ``DUMPS``) to ``out``."""
    if fmt in ("trig", "nquads", "turtle"):
        store.dump(out, fmt)
    elif fmt == "jsonld":
        _jsonld_default_view(store, out)
    elif fmt == "claimreview":
        feed = claimreview_feed(store, newsroom(base=base))
        out.write(json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8"))
    else:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(DUMPS)})")


def stream(store: Store, fmt: str, base: str | None = None) -> Iterator[bytes]:
    """The export ``fmt`` as an iterator of byte chunks, for an HTTP response."""
    if fmt not in DUMPS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(DUMPS)})")
    return _piped(lambda out: dump(store, out, fmt, base))


# -- VoID --------------------------------------------------------------------------------


def void(store: Store, base: str) -> Graph:
    """A VoID description of the dataset served under ``base``: counts, vocabularies,
    named graphs as subsets, dump links and the SPARQL endpoint."""
    base = base.rstrip("/") + "/"
    g = _bound_graph()
    g.bind("void", VOID)
    g.bind("foaf", FOAF)
    ds = URIRef(base + ".well-known/void#dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("factgraph", lang="en")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Attributed figures read from news articles, as claims, with derived conflicts.", lang="en"
            ),
        )
    )
    g.add((ds, FOAF.homepage, URIRef(base)))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    g.add((ds, VOID.rootResource, URIRef(base)))
    for name in ("trig", "nquads", "turtle", "jsonld"):
        g.add((ds, VOID.dataDump, URIRef(base + "downloads/" + DUMPS[name].file_name)))
    for vocab in (FG, SCHEMA, PREFIXES["prov"], PREFIXES["oa"], PREFIXES["time"], PREFIXES["skos"]):
        g.add((ds, VOID.vocabulary, URIRef(str(vocab))))
    g.add((ds, DCTERMS.conformsTo, ONTOLOGY_IRI))
    # the dataset's triples: the sum of its named graphs' (no triple is in two of them), the
    # store's own graphs only (a Virtuoso server's default graph also holds its system graphs)
    ours = set(store.graph_names())
    sizes = [(URIRef(str(name)), int(size)) for name, size in store.query(query_text("export", "graph_sizes"))  # type: ignore[misc]
             if URIRef(str(name)) in ours]
    row = next(iter(store.query(query_text("export", "void_counts"))), None)
    if row is not None:
        articles, claims, conflicts, claimants = (int(x) if x is not None else 0 for x in row)  # type: ignore[union-attr, arg-type]
        g.add((ds, VOID.triples, Literal(sum(size for _, size in sizes), datatype=XSD.integer)))
        for cls, n in ((SCHEMA.NewsArticle, articles), (FG.FigureClaim, claims), (FG.Conflict, conflicts)):
            part = BNode()
            g.add((ds, VOID.classPartition, part))
            g.add((part, VOID["class"], cls))
            g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, FG.claimant))
        g.add((part, VOID.distinctObjects, Literal(claimants, datatype=XSD.integer)))
    for sub, size in sizes:
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(int(size), datatype=XSD.integer)))
    return g


def to_bytes(store: Store, fmt: str, base: str | None = None) -> bytes:
    """A whole export in memory (tests and small stores only)."""
    buf = io.BytesIO()
    dump(store, buf, fmt, base)
    return buf.getvalue()


# -- the ontology document ------------------------------------------------------------------

ONTOLOGY_FILES = ("factgraph.ttl", "vocabularies.ttl")


def ontology_turtle() -> bytes:
    """``ontology/factgraph.ttl`` as written (comments kept), the Turtle served at the
    ontology IRI."""
    return (files("factgraph.ontology") / "factgraph.ttl").read_bytes()


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology and the SKOS concept schemes (``factgraph.ttl`` and, when present,
    ``vocabularies.ttl``), parsed once, for the documentation page."""
    g = _bound_graph()
    for name in ONTOLOGY_FILES:
        resource = files("factgraph.ontology") / name
        if resource.is_file():
            g.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return g


def ontology_document(view: str) -> bytes:
    """The ontology document in ``view`` (a key of ``RDF_VIEWS``)."""
    if view == "ttl":
        return ontology_turtle()
    g = _bound_graph()
    g.parse(data=ontology_turtle(), format="turtle")
    return serialize(g, view)
