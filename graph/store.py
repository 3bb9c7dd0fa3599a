"""The one place that talks to a triple store.

``Store`` is the small interface every other module uses; ``EmbeddedStore`` keeps the
graph on disk with Oxigraph (pyoxigraph), its answers given as rdflib terms and results
(converted as ``oxrdflib`` converts them; its rdflib ``Dataset`` view is made only when
asked for) so the code speaks rdflib while queries run at Oxigraph speed. ``open_store`` turns a ``--store`` value
into a store: a directory (embedded) or an ``http(s)://`` URL (a remote SPARQL server,
see ``remote.py``).

The query default graph is the union of all named graphs, as on Fuseki with
``unionDefaultGraph`` or on Virtuoso: the asserted, inferred and derived graphs stay
apart, and a query that wants one names it with ``GRAPH``.
"""

from __future__ import annotations

import gc
import io
import itertools
import os
import threading
import traceback
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.query import Result
from rdflib.term import Identifier, Node, Variable

from .sparql_text import QueryTextError, declares_dataset, inject_values
from .terms import PREFIXES


class StoreError(Exception):
    """A store could not be opened, read or written; the message is for the user."""


# Export formats every store can stream: name -> (media type, named graphs kept)
DUMP_FORMATS = {
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "ntriples": "application/n-triples",
    "turtle": "text/turtle",
}


def default_store_path() -> Path:
    """``$FACTGRAPH_STORE``, else ``$XDG_DATA_HOME/factgraph/store``
    (``~/.local/share/factgraph/store``)."""
    if os.environ.get("FACTGRAPH_STORE"):
        return Path(os.environ["FACTGRAPH_STORE"])
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "factgraph" / "store"


@dataclass(frozen=True)
class Triples:
    """A graph already written as N-Triples (``serialised``): what crosses from the
    process that prepares an article to the one that writes it, where an rdflib graph
    would be pickled and rebuilt triple by triple."""

    text: str
    count: int

    def __len__(self) -> int:
        return self.count


def as_graph(triples: Graph | Triples) -> Graph:
    """An rdflib graph of ``triples`` (parsed when written already)."""
    if isinstance(triples, Graph):
        return triples
    return Graph().parse(data=triples.text, format="nt")


@dataclass(frozen=True)
class Changes:
    """Writes to several named graphs that land together or not at all (one transaction):
    an article's asserted and inferred graphs with its lexicon additions, or the
    conflicts graph with the mark that said it was stale.

    Applied in this order: ``drop`` the graphs named, delete every triple of the
    ``forget`` subjects (IRIs, graph by graph: the verdicts a conflicts recompute writes
    anew), delete the ``remove`` triples,
    ``replace`` whole graphs (an empty graph removes it; a graph may be given as
    ``Triples``, N-Triples text written already: an article prepared in another process,
    or the conflicts graph, millions of triples never built as an rdflib graph), then
    ``add`` triples (``remove`` too may be ``Triples``: the conflicts graph's stored
    triples, as the store wrote them out, that a full recompute deletes)."""

    replace: Mapping[URIRef, Graph | Triples] = field(default_factory=dict)
    add: Mapping[URIRef, Graph | Triples] = field(default_factory=dict)
    remove: Mapping[URIRef, Graph | Triples] = field(default_factory=dict)
    drop: tuple[URIRef, ...] = ()
    forget: Mapping[URIRef, Sequence[str]] = field(default_factory=dict)


# the variables of a SELECT's rows: of every query, or of each query (``value_rows_each``)
Names = Sequence[str] | Sequence[Sequence[str]]


def names_of(names: Names, i: int) -> Sequence[str]:
    """The variables of query ``i`` of ``names``."""
    if names and not isinstance(names[0], str):
        return names[i]  # type: ignore[return-value]
    return names  # type: ignore[return-value]


class Store(ABC):
    """What factgraph needs from a triple store."""

    #: writes made through this object: a process forked before a write does not see it
    #: (an embedded store's memory is copied at fork), so the server's resident query
    #: workers are replaced when it changes (``server/worker.py``)
    write_count: int = 0
    #: ``add_together`` may run in a thread of its own while this object is read (an ingest
    #: loads a group while it takes the next articles: ``pipeline._Group``); rdflib's
    #: memory store may not be read while another thread writes it
    loads_beside_reads: bool = False
    #: a long aggregate (a COUNT, a GROUP_CONCAT over millions of rows) is evaluated
    #: without holding Python's lock: in a thread beside Python work, it takes the other
    #: core (``conflict_keys.load_records_and_verdicts``)
    aggregates_beside_reads: bool = False

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE query over the union of all graphs."""

    def rows(self, sparql: str) -> Iterator[dict[str, str]]:
        """The solutions of a SELECT as plain strings: an IRI's text or a literal's
        lexical form per bound variable (unbound ones absent). For bulk reads (every
        claim of the store) where rdflib terms cost more than the query."""
        for row in self.query(sparql):
            yield {k: str(v) for k, v in row.asdict().items()}  # type: ignore[union-attr]

    def value_rows(self, sparql: str, names: Sequence[str]) -> Iterator[tuple[str | None, ...]]:
        """The solutions of a SELECT as tuples of plain strings, the values of ``names``
        in that order (None where unbound): ``rows`` without a dict a row, for reads of
        tens of thousands of rows."""
        for d in self.rows(sparql):
            yield tuple(d.get(n) for n in names)

    def value_rows_each(
        self, queries: Sequence[str], names: Names
    ) -> Iterator[tuple[int, list[tuple[str | None, ...]]]]:
        """(the query's index, a batch of its rows as ``value_rows`` gives them) for each
        of ``queries``; ``names``: the variables of every query, or of each (a sequence
        of sequences)."""
        for i, query in enumerate(queries):
            yield i, list(self.value_rows(query, names_of(names, i)))

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update (factgraph's own write path, never a user's)."""

    def native_query(self, sparql: str, prefixes: bool = True) -> Any:
        """``sparql`` (a query that declares no dataset) over the union of all graphs, as the
        engine's own result objects, without rdflib's parse or conversion: pyoxigraph's
        solutions (their terms and ``variables``), boolean or triples. None when the store
        has no such engine (a remote store): use ``query``. ``prefixes=False``: the text
        uses no prefixed name it does not declare (the engine is not given the project's
        prefixes: their IRIs are parsed again on every call, 10-35 us)."""
        return None

    def apply(self, changes: Changes) -> None:
        """Apply ``changes`` atomically: one SPARQL Update, one transaction."""
        text = changes_update(changes)
        if text:
            self.update(text)

    def add_unguarded(self, name: URIRef, lines: Iterable[str] | Path) -> None:
        """Add N-Triples ``lines`` (or a file's, ``Path``; no blank nodes) to the named
        graph ``name`` as fast as
        the store takes them, in several transactions or none: a crash on the way leaves
        part of them. Only for data a stale mark covers while it is written (a full
        conflicts recompute's large difference, ``conflict_store.write_conflicts``)."""
        if isinstance(lines, Path):
            with lines.open(encoding="utf-8") as text:
                self.add_unguarded(name, text)
            return
        for chunk in batches(lines, BULK_LINES):
            self.add_together([(name, Triples("".join(chunk), len(chunk)))])

    def add_together(self, graphs: Sequence[tuple[URIRef, Triples]]) -> None:
        """Add ``graphs`` ((name, triples) pairs; a name may come more than once, each
        ``Triples`` with blank node labels of its own), all landing together or not at all:
        several new articles' graphs with their lexicon entries and the stale mark
        (``pipeline.ingest``). Here: one ``apply``."""
        merged: dict[URIRef, list[Triples]] = {}
        for name, triples in graphs:
            merged.setdefault(name, []).append(triples)
        self.apply(
            Changes(
                add={
                    name: Triples("".join(t.text for t in parts), sum(t.count for t in parts))
                    for name, parts in merged.items()
                }
            )
        )

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Atomically replace the named graph ``name`` with the triples of ``graph``."""
        self.apply(Changes(replace={name: graph}))

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store."""

    @abstractmethod
    def dump(self, out: IO[bytes], fmt: str, graph: URIRef | None = None) -> None:
        """Stream the store (or one named graph) to ``out`` in ``fmt`` (see DUMP_FORMATS)."""

    def drop_graph(self, name: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH <{name}>")

    def is_empty(self) -> bool:
        return not bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }").askAnswer)

    def graph(self, name: URIRef) -> Graph:
        """A copy of one named graph, as an rdflib Graph."""
        g = Graph(identifier=name)
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        res = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name})
        for t in res:
            g.add(t)  # type: ignore[arg-type]
        return g

    def check_readable(self) -> None:  # noqa: B027 - optional hook
        """One small read through the path every query takes, run first in a forked query
        worker (``server/worker.py``): a store whose engine may have been forked with a lock
        held by another thread of the parent blocks here, before any query is given to it."""

    # whether ``close`` collects the reference cycles that may still hold the store's engine,
    # so that its directory is free once ``close`` returns (an embedded store); a program that
    # exits right after sets it False (``factgraph``'s commands): its exit frees the directory
    collect_on_close = True

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


BULK_LINES = 20_000  # lines per transaction of ``Store.add_unguarded`` (a request every store takes)


def batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """``lines`` in lists of ``size`` (the last one shorter)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pieces(lines: Iterable[str], size: int) -> Iterator[bytes]:
    """``lines`` as UTF-8 text, cut after whole lines into pieces of about ``size`` bytes."""
    lines = iter(lines)
    while True:
        piece: list[bytes] = []
        length = 0
        while length < size:
            text = "".join(itertools.islice(lines, 2000)).encode("utf-8")
            if not text:
                break
            piece.append(text)
            length += len(text)
        if not piece:
            return
        yield b"".join(piece)


class _FileRange(io.RawIOBase):
    """Bytes ``start`` to ``end`` of an open file, read with ``os.pread`` (several readers
    share one descriptor)."""

    def __init__(self, fd: int, start: int, end: int):
        self._fd, self._at, self._end = fd, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self._fd, min(len(buffer), self._end - self._at), self._at)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


def line_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """``path`` cut in at most ``parts`` byte ranges of about one size, each of whole lines."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as f:
        for k in range(1, parts):
            f.seek(max(size * k // parts, cuts[-1]))
            f.readline()  # to the end of the line the cut falls in
            if f.tell() >= size:
                break
            cuts.append(f.tell())
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _ntriples(graph: Graph | Collection[tuple[Node, Node, Node]], block: int | str) -> str:
    """``graph`` as N-Triples (rdflib's own rows: its ``n3`` and literal quoting), its blank
    nodes relabelled for data block ``block``: Oxigraph refuses a label shared by two blocks
    of one request (the vocabulary's closure mentions the vocabulary's blank nodes), and in
    two requests they were two nodes anyway. An IRI or blank node is written once per call
    (an article's 500 triples name about 150 terms)."""
    written: dict[Node, str] = {}

    def term(t: Node) -> str:
        text = written.get(t)
        if text is None:
            text = f"_:{t}x{block}" if isinstance(t, BNode) else t.n3()
            written[t] = text
        return text

    rows = []
    for s, p, o in graph:
        s_text = s.n3() if isinstance(s, Literal) else term(s)
        o_text = _quoteLiteral(o) if isinstance(o, Literal) else term(o)
        rows.append(f"{s_text} {term(p)} {o_text} .\n")
    text = "".join(rows)
    text.encode("utf-8")  # a lone surrogate is refused here, as by rdflib's serialiser
    return text


def serialised(graph: Graph | Collection[tuple[Node, Node, Node]], name: URIRef, tag: str) -> Triples:
    """``graph`` (or a set of triples), to be written to the named graph ``name``, as N-Triples for a
    ``Changes``, its blank nodes labelled for ``tag`` (each ``Triples`` of one ``Changes``,
    or of one ``add_together``, needs its own: a letter and the article's digest). A term
    rdflib refuses to write (an IRI with a space) is a
    ``StoreError`` naming the graph."""
    try:
        return Triples(_ntriples(graph, tag), len(graph))
    except Exception as exc:  # rdflib refuses to write an invalid IRI or literal
        raise StoreError(f"cannot write graph {name}: {exc}".replace("\n", " ")) from exc


FORGET_CHUNK = 500  # subjects an operation names (a VALUES block every store takes)


def forget_operations(forget: Mapping[URIRef, Sequence[str]]) -> list[str]:
    """SPARQL Update operations deleting every triple of the subjects of ``forget``
    (graph -> IRIs) in that graph, ``FORGET_CHUNK`` subjects an operation."""
    ops = []
    for name, subjects in forget.items():
        for at in range(0, len(subjects), FORGET_CHUNK):
            try:
                values = " ".join(URIRef(t).n3() for t in subjects[at : at + FORGET_CHUNK])
            except Exception as exc:  # rdflib refuses an invalid IRI
                raise StoreError(f"cannot write graph {name}: {exc}".replace("\n", " ")) from exc
            ops.append(
                f"DELETE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {values} }} GRAPH <{name}> {{ ?s ?p ?o }} }}"
            )
    return ops


def changes_update(changes: Changes) -> str:
    """``changes`` as one SPARQL Update request (operations joined by ``;``), which
    Oxigraph (embedded and server) and Virtuoso apply as one transaction. Terms are
    written by rdflib's N-Triples serialiser, never pasted in as text; a term it refuses
    (an IRI with a space) is a ``StoreError`` naming the graph."""
    ops = [f"DROP SILENT GRAPH <{name}>" for name in changes.drop]
    ops += forget_operations(changes.forget)

    blocks = 0

    def data(verb: str, name: URIRef, graph: Graph | Triples) -> str:
        nonlocal blocks
        blocks += 1
        if isinstance(graph, Triples):  # written already, its blank nodes labelled by letter
            return f"{verb} DATA {{ GRAPH <{name}> {{\n{graph.text}}} }}"
        try:
            triples = _ntriples(graph, blocks)
        except Exception as exc:  # rdflib refuses to write an invalid IRI or literal
            raise StoreError(f"cannot write graph {name}: {exc}".replace("\n", " ")) from exc
        return f"{verb} DATA {{ GRAPH <{name}> {{\n{triples}}} }}"

    ops += [data("DELETE", name, g) for name, g in changes.remove.items() if len(g)]
    for name, g in changes.replace.items():
        ops.append(f"DROP SILENT GRAPH <{name}>")
        if len(g):
            ops.append(data("INSERT", name, g))
    ops += [data("INSERT", name, g) for name, g in changes.add.items() if len(g)]
    return " ;\n".join(ops)


def nquads(graphs: Iterable[tuple[URIRef, Graph | Triples]]) -> str:
    """``graphs`` ((name, triples) pairs) as one N-Quads text, each graph's blank nodes
    labelled apart (as ``changes_update`` labels its data blocks)."""
    parts = []
    for block, (name, g) in enumerate(graphs):
        if not len(g):
            continue
        try:
            text = g.text if isinstance(g, Triples) else _ntriples(g, block)
            graph = URIRef(name).n3()
        except Exception as exc:  # rdflib refuses to write an invalid IRI or literal
            raise StoreError(f"cannot write graph {name}: {exc}".replace("\n", " ")) from exc
        # every row ends with " .\n" and holds no other line break (N-Triples escapes them)
        parts.append(text.replace(" .\n", f" {graph} .\n"))
    return "".join(parts)


def with_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """``sparql`` with a VALUES block binding ``bindings`` at the start of its WHERE
    clause (and of each sub-SELECT's): terms written with ``n3()``, never as raw text."""
    try:
        return inject_values(sparql, {k: v.n3() for k, v in bindings.items()})
    except QueryTextError as exc:
        raise StoreError(f"query: {exc}") from exc


FLUSH_EVERY = 100  # writes between two flushes of an on-disk store's buffers
# quads: fewer are added together in one transaction, not by the bulk loader (``EmbeddedStore.add_together``)
SMALL_LOAD = 5_000
# bulk loaders run at once on the pieces of a file (``add_unguarded``): the cores this
# process may use, at most 4
LOAD_THREADS = max(
    1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
)
# bytes of N-Triples one bulk load is given at most (``EmbeddedStore.add_unguarded``): about
# 55,000 verdict lines; the loader holds about three times its text
LOAD_PIECE = 10 << 20
_OX_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


@lru_cache(maxsize=1)
def _query_prefixes() -> dict[str, str]:
    """The prefixes a query may use undeclared: those of an rdflib Dataset with the
    project's bound (rdflib's own and ``PREFIXES``), as ``EmbeddedStore.dataset`` has them
    (tested equal)."""
    dataset = Dataset()
    for prefix, ns in PREFIXES.items():
        dataset.bind(prefix, ns)
    return {prefix: str(ns) for prefix, ns in dataset.namespaces()}


def _to_ox(term: Identifier) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    if isinstance(term, Literal):
        return ox.Literal(
            term, language=term.language, datatype=ox.NamedNode(term.datatype) if term.datatype else None
        )
    raise StoreError(f"query: cannot bind {term!r}")


def _from_ox(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):  # RDF-star: as oxrdflib gives it
        return _from_ox(term.subject), _from_ox(term.predicate), _from_ox(term.object)
    if term.language:  # a literal
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _bindings(names: list[Variable], solutions: Any) -> Iterator[dict[Variable, Any]]:
    """The rows of pyoxigraph's ``solutions`` as rdflib bindings, read as they are asked for.

    Holds ``solutions`` and nothing that holds it back: no reference to the ``Result`` it
    feeds (a generator expression reading ``out.vars`` kept ``out`` in its closure, a
    reference cycle), so a result dropped half-read (``next(iter(...))``, a loop left early)
    frees its solutions at once, in the thread that drops it. In a cycle they waited for a
    collection in whatever thread ran one, and pyoxigraph's solutions may be freed only in
    the thread that made them (pyo3 "unsendable": elsewhere they leak, with the engine and
    the directory's lock they hold; CI's PytestUnraisableExceptionWarning). Likewise a query
    that fails while its rows are read drops them before the error leaves (``_dropped``)."""
    try:
        for solution in solutions:
            yield {v: _from_ox(val) for v, val in zip(names, solution, strict=False)}
    except BaseException:
        solutions = None  # dropped now, in this thread: the traceback keeps this frame
        raise


def _result(answer: Any) -> Result:
    """An rdflib ``Result`` of pyoxigraph's answer, as oxrdflib makes it."""
    if isinstance(answer, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(answer)
    elif isinstance(answer, ox.QuerySolutions):
        out = Result("SELECT")
        out.vars = names = [Variable(v.value) for v in answer.variables]
        out.bindings = _bindings(names, answer)  # type: ignore[assignment]
    else:  # triples (CONSTRUCT, DESCRIBE)
        out = Result("CONSTRUCT")
        out.graph = Graph()
        out.graph += (_from_ox(t) for t in answer)
    return out


class EmbeddedStore(Store):
    """Oxigraph on disk (or in memory when ``path`` is None), answering in rdflib terms."""

    loads_beside_reads = True  # Oxigraph reads from snapshots; its bulk loader releases the GIL
    aggregates_beside_reads = True  # and so does its query evaluation

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
            except OSError as exc:  # pyoxigraph raises OSError for locks and I/O
                raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        else:
            self._store = ox.Store()
        self._writing = threading.RLock()

    @cached_property
    def dataset(self) -> Dataset:
        """rdflib's view of the store (oxrdflib), made when first asked for (``add_quads``):
        oxrdflib imports rdflib's SPARQL engine and pyparsing's grammar, 50-70 ms that a
        command reading and writing through pyoxigraph alone (``factgraph ingest``) does
        not spend."""
        from oxrdflib import OxigraphStore

        dataset = Dataset(store=OxigraphStore(store=self._store), default_union=True)
        for prefix, ns in PREFIXES.items():
            dataset.bind(prefix, ns)
        return dataset

    @property
    def _ox(self):  # the pyoxigraph.Store (behind the rdflib Dataset too)
        return self._store

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        # A query that declares its dataset (FROM / FROM NAMED) gets exactly that
        # dataset: the union default graph applies only to queries that declare none.
        declared = declares_dataset(sparql)

        def run(text: str, binds: Mapping[str, Identifier]) -> Result:
            # what rdflib's Dataset.query over oxrdflib does (the union default graph, its
            # prefixes, the terms converted), without making the rdflib view; declared:
            # neither the union nor a fixed default graph, the query's own FROM
            return _result(
                self._ox.query(
                    text,
                    use_default_graph_as_union=not declared,
                    prefixes=_query_prefixes(),
                    substitutions={ox.Variable(k): _to_ox(v) for k, v in binds.items()},
                )
            )

        try:
            if bindings and not any(isinstance(v, BNode) for v in bindings.values()):
                # a VALUES block at the top of the WHERE clause (and of each sub-SELECT):
                # Oxigraph plans from it, where it evaluates a substituted variable's
                # patterns apart and joins late (place_within: 1.4 s -> 1 ms at 100k claims)
                try:
                    text = inject_values(sparql, {k: v.n3() for k, v in bindings.items()})
                except QueryTextError:
                    pass
                else:
                    return run(text, {})
            try:
                return run(sparql, bindings or {})
            except RuntimeError as exc:
                # pyoxigraph substitutes only projected variables: bind the others
                # with a VALUES block at the top of the WHERE clause instead
                if not bindings or "does not contains variable" not in str(exc):
                    raise
                return run(with_values(sparql, bindings), {})
        except (
            SyntaxError,
            RuntimeError,
            ValueError,
            OSError,
        ) as exc:  # pyoxigraph's parse and evaluation errors
            # a CONSTRUCT's triples are read here, and may fail on the way (a SERVICE refused):
            # the frames of the error's traceback hold them; dropped now, in this thread (``_dropped``)
            traceback.clear_frames(exc.__traceback__)
            raise StoreError(f"query: {exc}") from exc

    def check_readable(self) -> None:
        # Every query starts with a snapshot taken under the database's mutex (RocksDB's
        # DBImpl::GetSnapshotImpl), which other threads of the parent take too (a thread
        # that ends after reading, a flush): a child forked while one holds it inherits it
        # locked, and its first query blocks for ever (gdb on such a child; 1 fork in about
        # 150 with threads reading and ending beside it: tests/test_server/test_worker_readiness.py)
        bool(self._ox.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))

    # ``_dropped``: a query that fails while its solutions are read (a SERVICE refused, an
    # evaluation error) drops them before raising. The error's traceback keeps the reading
    # frame, and whoever keeps the error (a caller's cycle) would let the garbage collector
    # free them later in whatever thread runs it; pyoxigraph's solutions may only be freed in
    # the thread that made them (pyo3 "unsendable"): elsewhere they leak, with the engine and
    # the directory's lock they hold (seen as a PytestUnraisableExceptionWarning in CI)

    def rows(self, sparql: str) -> Iterator[dict[str, str]]:
        """Straight from Oxigraph, without rdflib terms (a tenth of the time: 1M claim
        records cost minutes as rdflib terms)."""
        solutions: Any = None
        try:
            solutions = self._ox.query(sparql, use_default_graph_as_union=True)
            names = [v.value for v in solutions.variables]
            for s in solutions:
                yield {k: t.value for k, t in zip(names, s, strict=True) if t is not None}
        except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
            solutions = None  # dropped now, in this thread (``_dropped``)
            raise StoreError(f"query: {exc}") from exc

    def value_rows(self, sparql: str, names: Sequence[str]) -> Iterator[tuple[str | None, ...]]:
        """Straight from Oxigraph's solutions, no dict made (2,600 claims' 34,000 rows at
        1M: 0.30 -> 0.21 s)."""
        solutions: Any = None
        try:
            solutions = self._ox.query(sparql, use_default_graph_as_union=True)
            order = [v.value for v in solutions.variables]
            if order == list(names):
                for s in solutions:
                    yield tuple(None if t is None else t.value for t in s)
            else:
                at = [order.index(n) if n in order else None for n in names]
                for s in solutions:
                    yield tuple(None if i is None or (t := s[i]) is None else t.value for i in at)
        except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
            solutions = None  # dropped now, in this thread (``_dropped``)
            raise StoreError(f"query: {exc}") from exc

    def native_query(self, sparql: str, prefixes: bool = True) -> Any:
        try:
            if not prefixes:
                return self._ox.query(sparql, use_default_graph_as_union=True)
            return self._ox.query(sparql, prefixes=_OX_PREFIXES, use_default_graph_as_union=True)
        except (SyntaxError, RuntimeError, ValueError) as exc:  # pyoxigraph's parse and evaluation errors
            raise StoreError(f"query: {exc}") from exc

    def update(self, sparql: str) -> None:
        with self._writing:
            try:
                self._ox.update(sparql)
            except SyntaxError as exc:
                raise StoreError(f"update: {exc}") from exc
            finally:
                self._written()

    def apply(self, changes: Changes) -> None:
        """Additions only, to graphs the store does not know yet or adds to (a new
        article's graphs, its lexicon entries, the stale mark: most writes of an ingest),
        are loaded as N-Quads in one call, one transaction, without the SPARQL Update's
        ``DROP`` of graphs that do not exist and its parse (13 -> 10 ms of CPU an
        article; docs/performance.md); anything else is the SPARQL Update."""
        with self._writing:  # no other thread of this process creates a graph between the look and the load
            if (
                changes.drop
                or changes.forget
                or changes.remove
                or any(self._ox.contains_named_graph(ox.NamedNode(str(n))) for n in changes.replace)
            ):
                super().apply(changes)
                return
            text = nquads([*changes.replace.items(), *changes.add.items()])
            if text:
                self._load_transaction(text)

    def _load_transaction(self, text: str) -> None:
        """N-Quads in one transaction (the caller holds ``_writing``)."""
        try:
            self._ox.load(text, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"update: {exc}".replace("\n", " ")) from exc
        finally:
            self._written()

    def add_together(self, graphs: Sequence[tuple[URIRef, Triples]]) -> None:
        """Oxigraph's bulk loader, which is atomic since 0.5: its sorted files are handed to
        RocksDB in one call (``IngestExternalFiles``), so a reader sees all of them or none
        and a crash leaves all or none. No transaction (this process' writer lock keeps
        other writers out) and nothing left in RocksDB's write buffers to flush. 400 bench
        articles (189k quads), CPU: 3.3-4.1 s loaded one transaction an article, 1.6-1.8 s
        bulk-loaded 50 articles a call (docs/performance.md). Fewer than ``SMALL_LOAD``
        quads (the last articles of a batch) are one transaction instead: the bulk loader
        costs about 0.02 s of CPU a call whatever it loads and waits for its files to be
        synced to disk (0.1-0.2 s with other writes on the disk), where a transaction of
        2,500 quads takes 0.02 s in all."""
        text = nquads(graphs)
        if not text:
            return
        if sum(t.count for _, t in graphs) >= SMALL_LOAD:
            self.load_nquads(text.encode("utf-8"))
            return
        with self._writing:
            self._load_transaction(text)

    def load_nquads(self, data: bytes) -> None:
        """N-Quads (blank node labels of their own: see ``add_together``) by Oxigraph's
        bulk loader, all landing together or none; what ``add_together`` and a command
        writing through ``factgraph serve`` (``/store/load``) write."""
        with self._writing:
            try:
                self._ox.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            except (SyntaxError, ValueError, OSError) as exc:
                raise StoreError(f"update: {exc}".replace("\n", " ")) from exc
            finally:
                self.write_count += 1  # a process forked before this line is stale

    def rows_json(self, sparql: str) -> bytes:
        """The solutions of a SELECT as SPARQL 1.1 JSON results written by Oxigraph: what
        ``rows`` reads, for a command reading through ``factgraph serve`` (``/store/rows``)."""
        solutions: Any = None
        try:
            solutions = self._ox.query(sparql, use_default_graph_as_union=True)
            if not isinstance(solutions, ox.QuerySolutions):
                raise StoreError("query: rows are read by a SELECT query")
            return solutions.serialize(format=ox.QueryResultsFormat.JSON) or b""
        except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
            solutions = None  # dropped now, in this thread (``_dropped``)
            raise StoreError(f"query: {exc}") from exc

    def add_unguarded(self, name: URIRef, lines: Iterable[str] | Path) -> None:
        """Oxigraph's bulk loader, in pieces of at most about ``LOAD_PIECE`` bytes of lines,
        each its own load (sorted files handed to RocksDB, no transaction): a file's
        pieces taken by ``LOAD_THREADS`` loaders at once, streamed lines cut into pieces
        here while the previous one loads. What fits one piece (the verdicts of a batch of
        100 articles) lands at once. A loader holds about three times the text it is
        given until its files are written: the 610,000 verdict lines of 2,000 articles
        grew the process by 494 MB loaded in two pieces, by 90 MB in pieces of 10 MB, for
        no more CPU (docs/performance.md, session 13). 296k verdict triples: 4.1-4.3 s
        with their lines written on the way, against 12.9 s in one transaction."""
        graph = ox.NamedNode(str(name))
        with self._writing:
            try:
                if isinstance(lines, Path):
                    self._load_file(lines, graph)
                else:
                    self._load_pieces(_pieces(lines, LOAD_PIECE), graph)
            except (SyntaxError, ValueError, OSError) as exc:
                raise StoreError(f"update: {exc}".replace("\n", " ")) from exc
            finally:
                self._written()

    def _load(self, data: Any, graph: Any) -> None:
        self._ox.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def _load_pieces(self, pieces: Iterator[bytes], graph: Any) -> None:
        """Each piece bulk-loaded in a thread while the next is made (the loader releases
        the GIL), one in flight; the last one, or the only one, in the caller's thread."""
        last = next(pieces, None)
        if last is None:
            return
        with ThreadPoolExecutor(1, thread_name_prefix="factgraph-bulk-load") as pool:
            loading: Future | None = None
            for piece in pieces:
                if loading is not None:
                    loading.result()
                loading, last = pool.submit(self._load, last, graph), piece
            if loading is not None:
                loading.result()
        self._load(last, graph)

    def _load_file(self, path: Path, graph: Any) -> None:
        """A file's lines bulk-loaded in pieces of about ``LOAD_PIECE`` bytes by
        ``LOAD_THREADS`` loaders at once (one loader uses one core: 296k verdict triples
        2.1-2.3 s alone, 1.0-1.3 s in two threads; docs/performance.md); none starts after
        one failed."""
        ranges = iter(line_ranges(path, max(LOAD_THREADS, -(-path.stat().st_size // LOAD_PIECE))))
        taking = threading.Lock()
        failed: list[BaseException] = []
        with path.open("rb") as f:

            def load() -> None:
                while not failed:
                    with taking:
                        r = next(ranges, None)
                    if r is None:
                        return
                    try:
                        self._load(io.BufferedReader(_FileRange(f.fileno(), *r), 1 << 20), graph)
                    except BaseException as exc:  # noqa: BLE001 - raised again below, in the caller's thread
                        failed.append(exc)

            threads = [
                threading.Thread(target=load, name="factgraph-bulk-load") for _ in range(LOAD_THREADS - 1)
            ]
            for t in threads:
                t.start()
            load()
            for t in threads:
                t.join()
        if failed:
            raise failed[0]

    def _written(self) -> None:
        self.write_count += 1  # after the write: a process forked before this line is stale
        if self.path is not None and self.write_count % FLUSH_EVERY == 0:
            # RocksDB's write buffers otherwise grow the writer's memory with every article
            # (0.5 MB each: 2 GB after 1,000 articles in one ingest; docs/performance.md)
            self._ox.flush()

    def add_quads(self, quads: Iterable[tuple]) -> None:
        """Bulk load (used for the vocabulary and benchmarks)."""
        try:
            self.dataset.addN(quads)
        finally:
            self.write_count += 1

    def graph_names(self) -> list[URIRef]:
        """The named graphs holding triples: a graph Oxigraph still knows once its last
        triples were deleted (``DELETE DATA``) is not listed, as on a SPARQL server."""
        return sorted(
            URIRef(g.value)
            for g in self._ox.named_graphs()
            if next(iter(self._ox.quads_for_pattern(None, None, None, g)), None) is not None
        )

    def dump(self, out: IO[bytes], fmt: str, graph: URIRef | None = None) -> None:
        formats = {
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "turtle": ox.RdfFormat.TURTLE,
        }
        if fmt not in formats:
            raise StoreError(f"unknown dump format {fmt!r} (choose from {', '.join(formats)})")
        if formats[fmt] in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) and graph is None:
            self._ox.dump(out, formats[fmt])
        elif graph is not None:
            self._ox.dump(out, formats[fmt], from_graph=ox.NamedNode(str(graph)))
        else:  # a triples format of the whole store: the union of all graphs
            ser = ox.serialize(
                (
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in self._ox.quads_for_pattern(None, None, None)
                ),
                out,
                formats[fmt],
            )
            del ser

    def close(self) -> None:
        """Flush and release the directory's lock; closing twice is harmless."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        self.write_count += 1  # a worker forked before this holds a store that is gone
        try:
            self._ox.flush()
        except (AttributeError, OSError):
            pass
        if "dataset" in self.__dict__:  # made: it holds the pyoxigraph store too
            self.dataset.close()
        del self._store
        # pyoxigraph has no close: RocksDB's lock goes with the last reference to the store.
        # Finished frames can linger in reference cycles (pyparsing's exceptions keep the
        # traceback of a stored query's first parse, up to the command that holds this
        # store): collect them now, so the directory is free once the holder lets go. Always:
        # a query's solutions hold the engine without a reference to this Store object, so
        # its reference count does not tell (tried in session 11: a test waited on the lock).
        # Not when the process ends next (``collect_on_close``): 0.03-0.06 s after an ingest.
        if self.collect_on_close:
            gc.collect()
