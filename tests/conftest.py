"""Shared fixtures: every store-backed test runs once per backend.

``embedded`` always runs; ``oxigraph`` and ``virtuoso`` run against real servers named by
environment variables (``bash .ci/services.sh start`` starts both and writes
``.ci/services.env``):

    FACTGRAPH_TEST_OXIGRAPH_URL, FACTGRAPH_TEST_OXIGRAPH_UPDATE_URL
    FACTGRAPH_TEST_VIRTUOSO_URL, FACTGRAPH_TEST_VIRTUOSO_UPDATE_URL,
    FACTGRAPH_TEST_VIRTUOSO_USER, FACTGRAPH_TEST_VIRTUOSO_PASSWORD

and are skipped, with the reason, when those are not set. The test servers are wiped
(every named graph dropped), so point these variables at throwaway servers only; a test
session locks each server it uses (a second session on the machine waits its turn).

Two kinds of store fixture:

- ``store``: an empty store per backend, for tests that write (function-scoped; the
  remote servers are wiped before and after the test).
- Loaded, read-only stores, shared across tests: ``seed_store`` (the built-in corpus
  ingested through ``pipeline.ingest``) and ``store_with(path)`` (a TriG/N-Quads file).
  Both are parametrized by the session-scoped ``data_backend``.

A server has one dataset, and the union default graph of every query sees all of it: two
datasets cannot share a server without leaking into each other's counts, and a separate
base IRI per fixture would not keep them apart. So each remote server holds **one loaded
dataset at a time**: ``ServerDatasets`` records which one, and a remote loaded store
(``ServerDataset``) wipes the server and loads its data again whenever the server holds
something else (another dataset, or nothing after a ``store`` test). Checked in the test
process before each test runs (``pytest_runtest_call``) and on every call the store
gets; forked query workers trust their parent. A test writing to a loaded store makes
the next test reload it. Pytest orders tests by the session-scoped backend parameter, so
reloads are few; one test cannot use two datasets of the same server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

from factgraph.graph.store import EmbeddedStore, Store

BACKENDS = ("embedded", "oxigraph", "virtuoso")
REMOTE_BACKENDS = BACKENDS[1:]


@dataclass(frozen=True)
class StoreBackend:
    """How to open (and reopen) a store of one backend."""

    name: str
    path: Path | None = None  # embedded (None: in memory)
    url: str | None = None  # remote query endpoint
    update_url: str | None = None
    user: str | None = None
    password: str | None = None

    @property
    def remote(self) -> bool:
        return self.url is not None

    def open(self) -> Store:
        if self.url is None:
            return EmbeddedStore(self.path)
        from factgraph.graph.remote import RemoteStore

        return RemoteStore(self.url, update_url=self.update_url, user=self.user, password=self.password)

    def cli_args(self) -> list[str]:
        """``--store``/``--update-url`` for a ``factgraph`` command on this backend."""
        if self.url is None:
            return ["--store", str(self.path)]
        return ["--store", self.url, "--update-url", self.update_url or self.url]

    def cli_env(self) -> dict[str, str]:
        """The environment a ``factgraph`` process needs for this backend's credentials."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACTGRAPH_SPARQL_")}
        if self.user:
            env["FACTGRAPH_SPARQL_USER"] = self.user
            env["FACTGRAPH_SPARQL_PASSWORD"] = self.password or ""
        return env


_LOCKS: dict[str, Any] = {}


def _lock_server(url: str) -> None:
    """Hold an exclusive lock on the test server for the rest of this session: two test
    sessions on one machine (two checkouts, CI and a developer) would wipe each other's
    data. The second one waits, up to FACTGRAPH_TEST_LOCK_WAIT seconds (default 900)."""
    import fcntl
    import hashlib
    import tempfile
    import time

    key = hashlib.sha1(url.encode()).hexdigest()[:16]
    if key in _LOCKS:
        return
    handle = open(Path(tempfile.gettempdir()) / f"factgraph-test-server-{key}.lock", "w")  # noqa: SIM115
    deadline = time.monotonic() + float(os.environ.get("FACTGRAPH_TEST_LOCK_WAIT", "900"))
    warned = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                pytest.fail(f"the test server {url} stayed in use by another test session")
            if not warned:
                print(f"\nwaiting for another test session to finish with {url}", flush=True)
                warned = True
            time.sleep(1)
    _LOCKS[key] = handle  # released when this process exits


def _remote_backend(name: str) -> StoreBackend:
    prefix = f"FACTGRAPH_TEST_{name.upper()}_"
    url = os.environ.get(prefix + "URL")
    if not url:
        pytest.skip(f"{name} backend: set {prefix}URL (see .ci/services.sh) to run against a {name} server")
    _lock_server(url)
    return StoreBackend(
        name,
        url=url,
        update_url=os.environ.get(prefix + "UPDATE_URL") or url,
        user=os.environ.get(prefix + "USER"),
        password=os.environ.get(prefix + "PASSWORD"),
    )


def _wipe(store: Store) -> None:
    """Drop every graph of factgraph's, and staging graphs a failed write left behind."""
    from factgraph.graph.remote import STAGING_PREFIX

    names = set(store.graph_names())
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                       {"prefix": Literal(STAGING_PREFIX)})
    names.update(URIRef(str(row[0])) for row in rows)  # type: ignore[index]
    for name in sorted(names):
        store.drop_graph(name)


def load_file(store: Store, path: Path) -> None:
    """Each named graph of a TriG / N-Quads file into ``store`` (``replace_graph``)."""
    ds = Dataset()
    ds.parse(path, format="nquads" if path.suffix == ".nq" else "trig")
    for g in ds.graphs():
        if len(g):
            store.replace_graph(URIRef(str(g.identifier)), g)


# ------------------------------------------------------------- one dataset per server


class ServerDatasets:
    """Which loaded dataset each remote test server holds (by backend name)."""

    def __init__(self) -> None:
        self.holding: dict[str, str | None] = {}
        self.written: set[str] = set()
        self.pid = os.getpid()

    def forget(self, backend: str) -> None:
        self.holding[backend] = None

    def end_of_test(self) -> None:
        for name in self.written:
            self.forget(name)
        self.written.clear()


SERVERS = ServerDatasets()


class ServerDataset(Store):
    """A remote store that holds one dataset (``key``), loaded again whenever the server
    holds something else. Read-only by contract; a write makes the next test reload."""

    def __init__(self, backend: StoreBackend, key: str, load: Callable[[Store], None]):
        self.backend, self.key, self._load = backend, key, load
        self.inner = backend.open()

    def ensure(self) -> None:
        if os.getpid() != SERVERS.pid:  # a forked query worker: its parent made sure
            return
        if SERVERS.holding.get(self.backend.name) == self.key:
            return
        SERVERS.forget(self.backend.name)
        _wipe(self.inner)
        self._load(self.inner)
        SERVERS.holding[self.backend.name] = self.key

    def forget(self) -> None:
        """The server's data was changed behind this store's back (by a subprocess)."""
        SERVERS.forget(self.backend.name)

    def __getattr__(self, name: str) -> Any:  # url, update_url, flavour, ...
        inner = self.__dict__.get("inner")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)

    def __repr__(self) -> str:
        return f"ServerDataset({self.backend.name}, {self.key})"

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        self.ensure()
        return self.inner.query(sparql, bindings)

    def graph_names(self) -> list[URIRef]:
        self.ensure()
        return self.inner.graph_names()

    def is_empty(self) -> bool:
        self.ensure()
        return self.inner.is_empty()

    def dump(self, out: IO[bytes], fmt: str, graph: URIRef | None = None) -> None:
        self.ensure()
        self.inner.dump(out, fmt, graph)

    def _written(self) -> None:
        SERVERS.written.add(self.backend.name)

    def update(self, sparql: str) -> None:
        self.ensure()
        self._written()
        self.inner.update(sparql)

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        self.ensure()
        self._written()
        self.inner.replace_graph(name, graph)

    def add_quads(self, quads) -> None:  # type: ignore[no-untyped-def]
        self.ensure()
        self._written()
        self.inner.add_quads(quads)

    def close(self) -> None:  # shared by the session: closed by nobody
        pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Before a test runs, each remote server holds the dataset the test's loaded stores
    want (fixtures of wider scope may have been set up while it held another)."""
    wanted: dict[str, ServerDataset] = {}
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, ServerDataset):
            other = wanted.setdefault(value.backend.name, value)
            if other.key != value.key:
                pytest.fail(f"one test cannot use two datasets on the {value.backend.name} server: "
                            f"{other.key} and {value.key}")
    for handle in wanted.values():
        handle.ensure()
    try:
        return (yield)
    finally:
        SERVERS.end_of_test()


# ------------------------------------------------------------------------- fixtures


@pytest.fixture
def collections_paused(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BaseException | None]]:
    """The garbage collector off (a reference cycle stays until the test collects) and the
    unraisable errors raised meanwhile (pyo3's "unsendable" drops) gathered in the list
    given: for the tests that pyoxigraph's answers are freed in the thread that made them."""
    import gc
    import sys

    raised: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: raised.append(u.exc_value))
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        yield raised
    finally:
        if enabled:
            gc.enable()


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> StoreBackend:
    """The backend under test: ``embedded`` (a fresh directory) or a remote server."""
    if request.param == "embedded":
        return StoreBackend("embedded", path=tmp_path / "store")
    return _remote_backend(request.param)


def _empty(backend: StoreBackend) -> Iterator[Store]:
    s = backend.open()
    if backend.remote:
        SERVERS.forget(backend.name)
        _wipe(s)
    try:
        yield s
    finally:
        if backend.remote:
            SERVERS.forget(backend.name)
            _wipe(s)
        s.close()


@pytest.fixture
def store(store_backend: StoreBackend) -> Iterator[Store]:
    """A fresh, empty ``Store`` of each backend; closed (remote: wiped) afterwards."""
    yield from _empty(store_backend)


@pytest.fixture
def empty_store(store_backend: StoreBackend) -> Iterator[Store]:
    """The same as ``store``, for modules whose own ``store`` is a loaded one."""
    yield from _empty(store_backend)


@pytest.fixture(scope="session", params=BACKENDS)
def data_backend(request: pytest.FixtureRequest) -> StoreBackend:
    """The backend of the loaded, shared stores (embedded ones live in memory)."""
    if request.param == "embedded":
        return StoreBackend("embedded")
    return _remote_backend(request.param)


def _loaded(backend: StoreBackend, key: str, load: Callable[[Store], None]) -> Store:
    if backend.remote:
        handle = ServerDataset(backend, key, load)
        handle.ensure()
        return handle
    s = EmbeddedStore(None)
    load(s)
    return s


def _ingest_seed(store: Store) -> None:
    from factgraph.graph.pipeline import builtin_corpus, ingest

    ingest(store, builtin_corpus())


@pytest.fixture(scope="session")
def seed_store(data_backend: StoreBackend) -> Iterator[Store]:
    """The built-in corpus ingested through the real pipeline, on each backend, shared by
    the session: tests that take it must not write to it."""
    s = _loaded(data_backend, "seed", _ingest_seed)
    yield s
    s.close()


@pytest.fixture(scope="session")
def store_with(data_backend: StoreBackend) -> Iterator[Callable[[Path], Store]]:
    """``store_with(path)``: a store of each backend holding the graphs of a TriG or
    N-Quads file, shared by the session (one per file): read-only, like ``seed_store``."""
    cache: dict[Path, Store] = {}

    def get(path: Path) -> Store:
        path = Path(path).resolve()
        if path not in cache:
            cache[path] = _loaded(data_backend, f"file:{path}", lambda s: load_file(s, path))
        return cache[path]

    yield get
    for s in cache.values():
        s.close()


def canonical_graph(g: Graph) -> Graph:
    """``g`` with literals in one form, for comparing graphs that went through different
    stores and serialisations: Turtle writes xsd:decimal 1302 as ``1302.0`` and Oxigraph
    stores ``1302``; ``"x"^^xsd:string`` is ``"x"`` (the same term in RDF 1.1). Blank nodes
    are left alone: compare the results by isomorphism."""
    from decimal import Decimal

    from rdflib.namespace import XSD

    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and isinstance(o.toPython(), Decimal):
            o = Literal(format(o.toPython().normalize(), "f"), datatype=o.datatype)
        elif isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def _iris_in(node: Any) -> set[URIRef]:
    if isinstance(node, URIRef):
        return {node}
    if isinstance(node, dict):
        return set().union(*(_iris_in(v) for v in node.values()))
    if isinstance(node, (list, tuple)):
        return set().union(*(_iris_in(v) for v in node))
    return set()


@pytest.fixture(scope="session")
def query_iris() -> Callable[[str], set[URIRef]]:
    """The IRIs a SPARQL query names (its algebra's, prefixes expanded), for tests that
    hold a query's list of predicates equal to the code's."""
    from rdflib.plugins.sparql import prepareQuery

    return lambda text: _iris_in(prepareQuery(text).algebra)


@pytest.fixture(scope="session")
def canonical() -> Callable[[Graph], Graph]:
    """``canonical_graph`` for tests (test modules cannot import conftest)."""
    return canonical_graph


@dataclass
class ConflictRefreshes:
    """What the conflicts refreshes of a test did: ``full``, one entry per full recompute;
    ``outcomes``, the ``conflict_update.Outcome`` of each refresh after a write."""

    full: list[int]
    outcomes: list[Any]


@pytest.fixture
def conflict_refreshes(monkeypatch: pytest.MonkeyPatch) -> ConflictRefreshes:
    """Records the conflicts refreshes (full and after writes) the test makes."""
    from factgraph.graph import conflict_update

    seen = ConflictRefreshes([], [])
    whole_store, after = conflict_update.refresh, conflict_update.refresh_after
    monkeypatch.setattr(
        conflict_update, "refresh", lambda *a, **k: seen.full.append(1) or whole_store(*a, **k)
    )
    monkeypatch.setattr(
        conflict_update,
        "refresh_after",
        lambda *a, **k: seen.outcomes.append(after(*a, **k)) or seen.outcomes[-1],
    )
    return seen
