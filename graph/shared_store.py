"""One store directory, several factgraph processes: the running server is the one writer.

An embedded Oxigraph store (RocksDB) can be open in one process only. So that a newsroom
can add articles while the site is up, ``factgraph serve`` announces itself in the store
directory (``factgraph-serve.json``: its loopback URL, its pid and a random token, readable
by the store's owner only) and answers SPARQL queries and updates for that token on
``/store/query``, ``/store/update`` and ``/store/dump``. Every other command (``ingest``,
``query``, ``export``, ``conflicts``) that finds the directory locked by a live server goes
through it: a ``ServedStore``, which is a ``RemoteStore`` with the token. A new article is
then visible to the site at once, without a restart.

When the directory is locked by another command (two ingests at once), the second waits,
for at most ``FACTGRAPH_STORE_WAIT`` seconds (default 300), then gives up with one line.
Writers also hold ``factgraph-writer.lock`` (``fcntl.flock``) for their whole run, so two
ingests through one server do not interleave their conflict refreshes. The kernel drops
both locks when a process dies, even by ``kill -9``; a server file left by a dead server
is ignored (its pid is gone, or its URL refuses the token).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from rdflib import URIRef

from .remote import RemoteStore
from .store import DUMP_FORMATS, EmbeddedStore, Store, StoreError, Triples, nquads

SERVER_FILE = "factgraph-serve.json"
WRITER_LOCK = "factgraph-writer.lock"
NQUADS = "application/n-quads"
TOKEN_USER = "factgraph"
DEFAULT_WAIT = 300.0
T = TypeVar("T")


def store_wait() -> float:
    """Seconds a command waits for a store another process holds (``FACTGRAPH_STORE_WAIT``)."""
    raw = os.environ.get("FACTGRAPH_STORE_WAIT")
    if not raw:
        return DEFAULT_WAIT
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"FACTGRAPH_STORE_WAIT={raw!r} is not a number of seconds") from None
    if value < 0:
        raise StoreError(f"FACTGRAPH_STORE_WAIT={raw!r} must not be negative")
    return value


@dataclass(frozen=True)
class ServerFile:
    """What a running ``factgraph serve`` says about itself in the store directory."""

    url: str  # the server's root on loopback, ending in '/'
    pid: int
    token: str

    @staticmethod
    def new(url: str) -> ServerFile:
        return ServerFile(url.rstrip("/") + "/", os.getpid(), secrets.token_urlsafe(32))


def announce(directory: str | Path, server: ServerFile) -> Path:
    """Write the server file (mode 0600: the token is as good as write access)."""
    path = Path(directory) / SERVER_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": server.url, "pid": server.pid, "token": server.token}, f)
    os.replace(tmp, path)  # readers never see half a file
    return path


def withdraw(directory: str | Path, server: ServerFile) -> None:
    """Remove the server file if it is still this server's."""
    path = Path(directory) / SERVER_FILE
    with contextlib.suppress(OSError):
        if read_server_file(directory) == server:
            path.unlink()


def read_server_file(directory: str | Path) -> ServerFile | None:
    try:
        data = json.loads((Path(directory) / SERVER_FILE).read_text(encoding="utf-8"))
        return ServerFile(str(data["url"]), int(data["pid"]), str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


class ServedStore(RemoteStore):
    """The store of a running ``factgraph serve``, reached with its token."""

    loads_beside_reads = True  # the server's embedded store, over HTTP

    def __init__(self, server: ServerFile):
        super().__init__(server.url + "store/query", update_url=server.url + "store/update",
                         user=TOKEN_USER, password=server.token, flavour="generic")
        self.auth = "basic"
        self.server = server

    def __repr__(self) -> str:
        return f"ServedStore({self.server.url!r}, pid={self.server.pid})"

    def _authorised(self, url: str) -> urllib.request.Request:
        credentials = b64encode(f"{TOKEN_USER}:{self.server.token}".encode()).decode("ascii")
        return urllib.request.Request(url, headers={"Authorization": f"Basic {credentials}"})

    def answers(self) -> bool:
        """Whether the server is up and takes this token."""
        try:
            with urllib.request.urlopen(self._authorised(self.server.url + "store/ping"), timeout=5) as r:
                return r.status == 204
        except (OSError, urllib.error.URLError, ValueError):
            return False

    # -- the bulk of an ingest: rows as the server's Oxigraph writes them, N-Quads bulk-loaded
    # (SPARQLWrapper scans a request's whole text with regular expressions, and rdflib terms
    # on both sides cost more than the store: 100 articles took 9 s through the server, 2.5 s
    # into the directory; docs/performance.md, "Ingest through the running server")

    def rows(self, sparql: str) -> Iterator[dict[str, str]]:
        body = self._post("store/rows", urllib.parse.urlencode({"query": sparql}).encode("utf-8"),
                          "application/x-www-form-urlencoded", "query")
        try:
            results = json.loads(body)
            for binding in results["results"]["bindings"]:
                yield {k: v["value"] for k, v in binding.items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"server {self.server.url}: rows unreadable ({exc})") from exc

    def update(self, sparql: str) -> None:
        """One request to ``/store/update``, without SPARQLWrapper's scan of the text."""
        self._post("store/update", urllib.parse.urlencode({"update": sparql}).encode("utf-8"),
                   "application/x-www-form-urlencoded", "update")

    def add_together(self, graphs: Sequence[tuple[URIRef, Triples]]) -> None:
        """One bulk load on the server, all or nothing (``EmbeddedStore.add_together``);
        ``add_unguarded``'s chunks come here too."""
        text = nquads(graphs)
        if text:
            self._post("store/load", text.encode("utf-8"), NQUADS, "load")

    def _post(self, path: str, data: bytes, content_type: str, what: str) -> bytes:
        request = self._authorised(self.server.url + path)
        request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, data, timeout=self.timeout) as r:
                return r.read()
        except urllib.error.HTTPError as exc:
            said = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
            raise StoreError(f"server {self.server.url}: {what} refused (HTTP {exc.code}){': ' + said if said else ''}"
                             ) from exc
        except OSError as exc:
            raise StoreError(f"server {self.server.url}: {what} failed ({exc})") from exc

    def dump(self, out: IO[bytes], fmt: str, graph: URIRef | None = None) -> None:
        """Streamed by the server from its own store (no paging)."""
        if fmt not in DUMP_FORMATS:
            raise StoreError(f"unknown dump format {fmt!r} (choose from {', '.join(DUMP_FORMATS)})")
        query = urllib.parse.urlencode({"format": fmt, **({"graph": str(graph)} if graph else {})})
        url = self.server.url + "store/dump?" + query
        try:
            with urllib.request.urlopen(self._authorised(url), timeout=self.timeout) as r:
                while chunk := r.read(1 << 16):
                    out.write(chunk)
        except urllib.error.HTTPError as exc:
            raise StoreError(f"server {self.server.url}: dump refused (HTTP {exc.code})") from exc
        except OSError as exc:
            raise StoreError(f"server {self.server.url}: dump failed ({exc})") from exc


LOCKED_RE = re.compile(r"\bLOCK\b|lock file|Resource temporarily unavailable")


def _locked(exc: StoreError) -> bool:
    """Whether opening failed because another process holds the directory (RocksDB: "While
    lock file: DIR/LOCK: Resource temporarily unavailable"), not for another reason."""
    return LOCKED_RE.search(str(exc)) is not None


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _until(attempt: Callable[[], T | None], wait: float | None, waiting: str, giving_up: str,
           say: Callable[[str], None]) -> T:
    """``attempt()`` again every 0.2 s until it gives something, saying ``waiting`` once;
    after ``wait`` seconds (``FACTGRAPH_STORE_WAIT`` when None), a StoreError."""
    wait = store_wait() if wait is None else wait
    deadline = time.monotonic() + wait
    told = False
    while (got := attempt()) is None:
        if time.monotonic() >= deadline:
            raise StoreError(f"{giving_up}; gave up after {wait:g} s (FACTGRAPH_STORE_WAIT)")
        if not told:
            say(waiting)
            told = True
        time.sleep(0.2)
    return got


def open_directory(directory: str | Path, wait: float | None = None, say: Callable[[str], None] = _stderr,
                   tell_served: bool = True) -> Store:
    """The store in ``directory``: opened here, or reached through the server that holds
    it, or waited for while another command holds it (at most ``wait`` seconds). ``say``
    prints a line for the user; ``tell_served``: say so when going through a server."""

    def attempt() -> EmbeddedStore | ServedStore | None:
        try:
            return EmbeddedStore(directory)
        except StoreError as exc:
            if not _locked(exc):
                raise
        server = read_server_file(directory)
        if server is not None and _alive(server.pid):
            served = ServedStore(server)
            if served.answers():
                if tell_served:
                    say(f"factgraph: {directory} is served by factgraph serve (pid {server.pid}): "
                        f"going through {server.url}")
                return served
        return None

    return _until(attempt, wait, f"factgraph: waiting for {directory}: another factgraph process has it open",
                  f"store {directory} is open in another process and no server answers for it", say)


@contextlib.contextmanager
def writer_lock(directory: str | Path, wait: float | None = None,
                say: Callable[[str], None] = _stderr) -> Iterator[None]:
    """Hold the store's writer lock: one writing command at a time, whichever way it
    reaches the store. Waits at most ``wait`` seconds for another writer."""
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
        fd = os.open(Path(directory) / WRITER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # a file where the folder should be, no permission, a full disk
        raise StoreError(f"cannot open store {directory}: {exc.strerror or exc}") from exc

    def attempt() -> bool | None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return None

    try:
        _until(attempt, wait, f"factgraph: waiting for another command writing to {directory}",
               f"store {directory}: another command is writing", say)
        yield
    finally:
        os.close(fd)  # releases the lock
