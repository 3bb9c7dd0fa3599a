"""What a process computes at every start and can read back faster: kept pickled in
``$XDG_CACHE_HOME/factgraph`` (``~/.cache/factgraph``), keyed by a digest of everything it
is computed from.

A command's start is paid by every ``factgraph ingest`` (about a second of the 2.9 s an
ingest of 100 articles took, docs/performance.md): the gazetteer's index, the vocabulary
graph parsed from its Turtle files, the vocabulary as the SHACL checks index it, the code
``re`` compiles for factgraph's expressions (``regex_cache``: its one file grows with the
expressions a process meets, ``read`` and ``write``, where the others are ``pickled``). Each is
a pure function of its inputs, so the key names them all (the code that computes it, the
files it reads, the libraries' versions, Python's); a file that cannot be read, or holds
something else, is computed again, and one that cannot be written is not kept. Writes
go through a temporary file renamed over the cache: a concurrent reader sees no file or
the whole one. A name keeps its ``KEEP`` most recently used files (``prune``): each base
IRI and version has its own, and a test run once left 50 a name in a day (54 MB).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from rdflib.term import BNode, Node

T = TypeVar("T")

# what reading a stale or foreign pickle can raise (a class renamed, a module gone...)
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
               ValueError, KeyError)


def folder() -> Path:
    """``$XDG_CACHE_HOME/factgraph``, ``~/.cache/factgraph`` without it."""
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "factgraph"


def digest(parts: Iterable[str | bytes]) -> str:
    """A key of ``parts`` (with Python's version: pickles and Unicode tables follow it)."""
    h = hashlib.sha256(sys.version.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:24]


def pickled(name: str, parts: Iterable[str | bytes], compute: Callable[[], T], kind: type | None = None) -> T:
    """``compute()``, or what it gave before for the same ``parts``: read from
    ``folder()/name-KEY.pickle``, kept there when it had to be computed. ``kind``: the
    type the cached value must have (anything else is computed again)."""
    parts = list(parts)
    value = read(name, parts)
    if value is not _MISSING and (kind is None or isinstance(value, kind)):
        return value  # type: ignore[return-value]  # what compute() gave for these parts
    computed = compute()
    write(name, parts, computed)
    return computed


_MISSING = object()


def read(name: str, parts: Iterable[str | bytes]) -> object:
    """What ``folder()/name-KEY.pickle`` holds, or a marker object when it cannot be read
    (no file, a stale or foreign pickle)."""
    path = folder() / f"{name}-{digest(parts)}.pickle"
    try:
        with path.open("rb") as f, collecting_nothing():
            value = pickle.load(f)
    except _UNREADABLE:
        return _MISSING
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to go when the folder is pruned
    return value


def write(name: str, parts: Iterable[str | bytes], value: object) -> None:
    """Keep ``value`` in ``folder()/name-KEY.pickle`` (not kept when it cannot be written)."""
    path = folder() / f"{name}-{digest(parts)}.pickle"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(value, f, pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: a concurrent reader sees no file or the whole one
        prune(name)
    except (OSError, pickle.PicklingError):
        pass


KEEP = 8  # files a name keeps (other bases, versions, ontologies): the least recently used go


def prune(name: str, keep: int | None = None) -> None:
    """Delete all but the ``keep`` most recently used files of ``name``: each base IRI and
    version makes its own (a test run serving on new ports made dozens a day), and a
    removed one is computed again when asked for. A reader that has one open still reads
    it whole."""
    keep = KEEP if keep is None else keep
    pattern = re.compile(rf"{re.escape(name)}-[0-9a-f]{{24}}\.pickle")
    try:
        files = [p for p in folder().iterdir() if pattern.fullmatch(p.name)]
        files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError:  # another process pruning at the same moment, a folder gone
        pass


@contextlib.contextmanager
def collecting_nothing() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while: reading a cache makes many
    containers that live as long as the process, and every 700 of them made a collection
    that freed nothing (the gazetteer's index, 122k small dicts: 0.26 s read with it,
    0.14 s without, docs/performance.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def triples_digest(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """A key of a set of triples that two parses of one file share: its N-Triples lines
    sorted, each blank node named by what it says of named nodes (a parse labels them
    afresh)."""
    said: dict[BNode, list[str]] = {}
    rows = list(triples)
    for s, p, o in rows:
        if isinstance(s, BNode):
            said.setdefault(s, []).append(f"{p.n3()} {'_' if isinstance(o, BNode) else o.n3()}")
    names = {b: hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest()[:16] for b, v in said.items()}

    def n3(t: Node) -> str:
        return f"_:{names.get(t, '')}" if isinstance(t, BNode) else t.n3()

    return digest(sorted(f"{n3(s)} {n3(p)} {n3(o)}" for s, p, o in rows))
