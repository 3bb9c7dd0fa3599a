"""Shared fixtures.

Store backends: every test that takes ``store`` runs once per backend. ``embedded`` always
runs; ``oxigraph`` and ``virtuoso`` run against real servers named by environment
variables (``bash .ci/services.sh start`` starts both and writes ``.ci/services.env``):

    FACTGRAPH_TEST_OXIGRAPH_URL, FACTGRAPH_TEST_OXIGRAPH_UPDATE_URL
    FACTGRAPH_TEST_VIRTUOSO_URL, FACTGRAPH_TEST_VIRTUOSO_UPDATE_URL,
    FACTGRAPH_TEST_VIRTUOSO_USER, FACTGRAPH_TEST_VIRTUOSO_PASSWORD

and are skipped, with the reason, when those are not set. The test servers are wiped:
every named graph on them is dropped before and after each test, so point these
variables at throwaway servers only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from factgraph.graph.store import EmbeddedStore, Store

REMOTE_BACKENDS = ("oxigraph", "virtuoso")


@dataclass(frozen=True)
class StoreBackend:
    """How to open (and reopen) a store of one backend for one test."""

    name: str
    path: Path | None = None  # embedded
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


def _remote_backend(name: str) -> StoreBackend:
    prefix = f"FACTGRAPH_TEST_{name.upper()}_"
    url = os.environ.get(prefix + "URL")
    if not url:
        pytest.skip(f"{name} backend: set {prefix}URL (see .ci/services.sh) to run against a {name} server")
    return StoreBackend(
        name,
        url=url,
        update_url=os.environ.get(prefix + "UPDATE_URL") or url,
        user=os.environ.get(prefix + "USER"),
        password=os.environ.get(prefix + "PASSWORD"),
    )


def _wipe(store: Store) -> None:
    for name in store.graph_names():
        store.drop_graph(name)


@pytest.fixture(params=("embedded", *REMOTE_BACKENDS))
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> StoreBackend:
    """The backend under test: ``embedded`` (a fresh directory) or a remote server."""
    if request.param == "embedded":
        return StoreBackend("embedded", path=tmp_path / "store")
    return _remote_backend(request.param)


@pytest.fixture
def store(store_backend: StoreBackend) -> Iterator[Store]:
    """A fresh, empty ``Store`` of each backend; closed (remote: wiped) afterwards."""
    s = store_backend.open()
    if store_backend.remote:
        _wipe(s)
    try:
        yield s
    finally:
        if store_backend.remote:
            _wipe(s)
        s.close()


@pytest.fixture(scope="session")
def seed_store() -> Iterator[Store]:
    """An in-memory embedded store with the built-in corpus ingested, shared by the
    session: tests that take it must not write to it."""
    from factgraph.graph.pipeline import builtin_corpus, ingest

    s = EmbeddedStore(None)
    ingest(s, builtin_corpus())
    yield s
    s.close()
