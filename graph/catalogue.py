"""The stored queries: every ``queries/**/*.rq``, loaded by name and parsed at load.

Each file starts with a header, one ``#+ key: value`` line per key::

    #+ title: Claims by source
    #+ description: Every figure claim made by one agent, newest first.
    #+ params: source:iri, kind:iri?

``title`` and ``description`` are required; ``params`` lists the query variables a
caller supplies, each ``name[:type][?]`` with type ``iri`` (default), ``string``,
``integer``, ``decimal`` or ``date``; a trailing ``?`` makes it optional (left unbound).
``paged: graph`` says the query is read in keyset pages by article graph (``paging.py``):
``?graph`` is projected and names the graph each row was read from; run whole (``run``),
the query ranges over every graph. ``graphs: values`` (with ``paged``) binds each chunk
of graphs with a VALUES block rather than a UNION of GRAPH patterns (``paging.py``: a
query whose GRAPH pattern matches every claim of a graph, joined to lookups from them).
A missing or unknown key, or a query that does not parse, raises ``CatalogueError``
when the catalogue loads: a broken query fails at start-up, not on a request.

Values go in as bindings (``Store.query(text, bindings)``: Oxigraph substitutions, rdflib
``initBindings``), never into the text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier

from .store import Store
from .terms import PREFIXES


class CatalogueError(Exception):
    """A stored query is malformed; the message names the file."""


class ParamError(ValueError):
    """A parameter value is missing or cannot be read; the message is for the user."""


TYPES = ("iri", "string", "integer", "decimal", "date")
_HEADER = re.compile(r"#\+\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<type>[a-z]+))?(?P<optional>\?)?$")
_KEYS = {"title", "description", "params", "paged", "graphs"}
GRAPH_CHUNKS = ("union", "values")  # how a paged query binds a chunk of graphs
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "iri"
    optional: bool = False

    def read(self, raw: str) -> Identifier:
        """The RDF term for a value typed into a form or a URL."""
        text = raw.strip()
        if self.type == "iri":
            if text.startswith("<") and text.endswith(">"):
                text = text[1:-1]
            prefix, sep, local = text.partition(":")
            if sep and prefix in PREFIXES and not local.startswith("//"):
                text = str(PREFIXES[prefix]) + local
            if not _IRI.match(text):
                raise ParamError(f"{self.name}: {raw!r} is not an IRI")
            return URIRef(text)
        if self.type == "string":
            return Literal(text)
        datatype = {"integer": XSD.integer, "decimal": XSD.decimal, "date": XSD.date}[self.type]
        value = Literal(text, datatype=datatype)
        if value.value is None or not value.value == value.value:  # ill-typed lexical form
            raise ParamError(f"{self.name}: {raw!r} is not an xsd:{self.type}")
        return value


@dataclass(frozen=True)
class StoredQuery:
    name: str  # path under queries/ without .rq: "claims_by_source", "pages/agent_claims"
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    paged: str | None = None  # the variable naming each row's article graph, when paged by graph
    graphs: str = "union"  # how a page binds a chunk of graphs (``GRAPH_CHUNKS``)

    def bindings(self, values: Mapping[str, str]) -> dict[str, Identifier]:
        """Terms for the given raw values; raises ParamError for a missing or bad one."""
        out: dict[str, Identifier] = {}
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or not str(raw).strip():
                if p.optional:
                    continue
                raise ParamError(f"{p.name}: a value is required")
            out[p.name] = p.read(str(raw))
        return out

    def run(self, store: Store, values: Mapping[str, str] | None = None) -> Result:
        return store.query(self.text, self.bindings(values or {}))


@lru_cache(maxsize=1024)
def parse_stored_query(name: str, source: str) -> StoredQuery:
    """The stored query ``name`` read from its text, or ``CatalogueError``.

    Cached by (name, text): the result is a pure function of them and immutable (a frozen
    dataclass of strings and tuples; rdflib's prepared query is not kept), and an error
    is raised again on every call (exceptions are not cached). rdflib parses the 88 files
    in 1.5-4 s, and every ``create_app`` loads the catalogue: a process building many apps
    (the tests) or reloading it parses each text once. Bounded, for callers that parse
    texts that are not files."""
    meta: dict[str, str] = {}
    for line in source.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        m = _HEADER.match(line)
        if not m:
            raise CatalogueError(f"{name}.rq: malformed header line {line!r} (expected '#+ key: value')")
        key = m["key"].lower()
        if key not in _KEYS:
            raise CatalogueError(f"{name}.rq: unknown header key {key!r} (known: {', '.join(sorted(_KEYS))})")
        if key in meta:
            raise CatalogueError(f"{name}.rq: header key {key!r} given twice")
        meta[key] = m["value"]
    for key in ("title", "description"):
        if not meta.get(key):
            raise CatalogueError(f"{name}.rq: the header needs '#+ {key}: ...'")
    params = []
    for item in re.split(r"[,\s]+", meta.get("params", "").strip()):
        if not item:
            continue
        m = _PARAM.match(item)
        if not m or (m["type"] and m["type"] not in TYPES):
            raise CatalogueError(f"{name}.rq: bad parameter {item!r} (name[:{'|'.join(TYPES)}][?])")
        params.append(Param(m["name"], m["type"] or "iri", bool(m["optional"])))
    form, variables, projected = _shape(name, source)
    for p in params:
        if p.name not in variables:
            raise CatalogueError(f"{name}.rq: parameter {p.name!r} is not a variable of the query")
        if form == "SELECT" and p.name not in projected:  # Oxigraph binds only projected variables
            raise CatalogueError(f"{name}.rq: parameter {p.name!r} must be in the SELECT projection")
    paged = meta.get("paged") or None
    if paged is not None and (form != "SELECT" or paged not in projected):
        raise CatalogueError(f"{name}.rq: paged by {paged!r}, which must be a projected variable of a SELECT")
    graphs = meta.get("graphs", "union")
    if graphs not in GRAPH_CHUNKS or (graphs != "union" and paged is None):
        raise CatalogueError(
            f"{name}.rq: 'graphs: {graphs}' needs 'paged: graph' and one of {', '.join(GRAPH_CHUNKS)}"
        )
    return StoredQuery(name, meta["title"], meta["description"], tuple(params), source, form, paged, graphs)


def _shape(name: str, source: str) -> tuple[str, set[str], set[str]]:
    """(form, variables, projected variables) of the query ``source`` as rdflib parses it,
    or ``CatalogueError``. Remembered on disk in ``$XDG_CACHE_HOME/factgraph/query-shapes``
    by a digest of the text, the prefixes and rdflib's version (a text that does not parse
    is never remembered): rdflib's parse of the 11 queries a ``factgraph ingest`` reads
    cost 0.5-0.6 s of every command's start (docs/performance.md). A cache that cannot be
    read or written is parsed again."""
    key = f"{rdflib.__version__}\n{sorted(PREFIXES.items())}\n{source}"
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cached = Path(home) / "factgraph" / "query-shapes" / f"{digest}.json"
    try:
        form, variables, projected = json.loads(cached.read_text(encoding="utf-8"))
        return str(form), set(variables), set(projected)
    except (OSError, ValueError, TypeError):
        pass
    # rdflib's SPARQL parser (pyparsing's grammar, 50-60 ms to import) only on a miss: a
    # command whose queries are remembered does not import it
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(source, initNs=dict(PREFIXES))
    except Exception as exc:  # pyparsing's ParseException; plain Exception on bad prefixes
        raise CatalogueError(f"{name}.rq: {' '.join(str(exc).split())}") from exc
    form = prepared.algebra.name.replace("Query", "").upper()
    variables = {str(v) for v in prepared.algebra._vars}
    projected = {str(v) for v in prepared.algebra.get("PV") or []}
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([form, sorted(variables), sorted(projected)]), encoding="utf-8")
        tmp.replace(cached)  # atomic: a concurrent reader sees no file or the whole one
    except OSError:
        pass
    return form, variables, projected


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and not entry.name.startswith(("_", ".")):
            yield from _walk(entry, f"{prefix}{entry.name}/")
        elif entry.is_file() and entry.name.endswith(".rq"):
            yield prefix + entry.name[: -len(".rq")], entry


class Catalogue(Mapping[str, StoredQuery]):
    """Stored queries by name, in name order."""

    def __init__(self, queries: Mapping[str, StoredQuery]):
        self._queries = dict(sorted(queries.items()))

    @classmethod
    def load(cls, folder: Traversable | None = None) -> Catalogue:
        """Every ``.rq`` under ``folder`` (default: the ``factgraph.queries`` package)."""
        root = folder if folder is not None else files("factgraph.queries")
        return cls({name: parse_stored_query(name, f.read_text(encoding="utf-8")) for name, f in _walk(root)})

    def library(self) -> list[StoredQuery]:
        """The user-facing library: the queries at the top of ``queries/``."""
        return [q for name, q in self._queries.items() if "/" not in name]

    def __getitem__(self, name: str) -> StoredQuery:
        return self._queries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


@cache
def query_text(name: str) -> str:
    """The text of the stored query ``name`` (``queries/{name}.rq``), header checked and
    parsed once: for the library's own reads."""
    source = files("factgraph.queries").joinpath(*f"{name}.rq".split("/")).read_text(encoding="utf-8")
    return parse_stored_query(name, source).text
