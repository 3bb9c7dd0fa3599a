"""Reads of an embedded store shared with a forked process: the SELECT queries of a
bulk read (a full conflicts recompute's claims, one predicate a query) evaluated half in
this process, half in a child forked for them, whose rows come back pickled through a
pipe. Oxigraph's answers cost most in writing out each term (a string read from RocksDB
a term), one core's work a query: two processes read about twice as fast.

The child is forked only from a process with no other Python thread (a thread holding a
lock, Python's or RocksDB's, would leave it locked in the child), and it proves it can
read before it is trusted: its first query done, it says so on the pipe. A child that has
not said so when this process is done with its own half (RocksDB's own threads can hold
the database's mutex at the fork: ``Store.check_readable``), or that fails, is killed
and its queries are evaluated here: the rows are the same either way, only slower.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable, Iterator, Sequence

Rows = list[tuple[str | None, ...]]
BATCH = 50_000  # rows a message
READY_WAIT = 5.0  # seconds the child may take to answer its first query, once this process is done
_HEADER = struct.Struct("<q")  # a message's length; -1: the child can read


def _send(fd: int, payload: bytes) -> None:
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def _child(
    fd: int, run: Callable[[str], Iterator[tuple[str | None, ...]]], queries: Sequence[tuple[int, str]]
) -> None:
    ready = False
    for i, query in queries:
        batch: Rows = []
        for row in run(query):
            if not ready:
                os.write(fd, _HEADER.pack(-1))
                ready = True
            batch.append(row)
            if len(batch) == BATCH:
                _send(fd, pickle.dumps((i, batch), protocol=pickle.HIGHEST_PROTOCOL))
                batch = []
        if not ready:
            os.write(fd, _HEADER.pack(-1))
            ready = True
        _send(fd, pickle.dumps((i, batch), protocol=pickle.HIGHEST_PROTOCOL))


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        part = os.read(fd, min(n - got, 1 << 20))
        if not part:
            return None
        parts.append(part)
        got += len(part)
    return b"".join(parts)


class _Receiver(threading.Thread):
    """Reads the child's messages as bytes (the pipe never fills while this process
    reads its own half); unpickled later, by the caller."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.ready = threading.Event()
        self.messages: list[bytes] = []
        self.complete = False

    def run(self) -> None:
        while (header := _read_exactly(self.fd, _HEADER.size)) is not None:
            (n,) = _HEADER.unpack(header)
            if n < 0:
                self.ready.set()
                continue
            body = _read_exactly(self.fd, n)
            if body is None:
                return
            self.messages.append(body)
        self.complete = True  # the child closed the pipe: whether it finished, its status says


def rows_in_two_processes(
    run: Callable[[str], Iterator[tuple[str | None, ...]]], queries: Sequence[str]
) -> Iterator[tuple[int, Rows]]:
    """(the query's index, a batch of its rows) for every query, the odd-numbered
    evaluated by a forked child (``run``: a query's rows); in no set order. Without a
    child that can read, every query is evaluated here."""
    theirs = [(i, q) for i, q in enumerate(queries) if i % 2]
    ours = [(i, q) for i, q in enumerate(queries) if not i % 2]
    if not theirs or threading.active_count() > 1 or not hasattr(os, "fork"):
        ours, theirs = list(enumerate(queries)), []
        pid = None
    else:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its half, then out without running the parent's exit handlers
            status = 1
            try:
                os.close(r)
                _child(w, run, theirs)
                status = 0
            finally:
                os._exit(status)
        os.close(w)
        receiver = _Receiver(r)
        receiver.start()
    done = False
    try:
        for i, query in ours:
            batch: Rows = []
            for row in run(query):
                batch.append(row)
                if len(batch) == BATCH:
                    yield i, batch
                    batch = []
            yield i, batch
        if pid is None:
            return
        read = receiver.ready.wait(READY_WAIT)
        if not read:
            os.kill(pid, signal.SIGKILL)  # not reading: perhaps forked with RocksDB's mutex held
        receiver.join()
        _, status = os.waitpid(pid, 0)
        done = True
        if read and receiver.complete and status == 0:
            for message in receiver.messages:
                yield pickle.loads(message)
            return
        for i, query in theirs:  # the child failed: its queries read here
            yield i, list(run(query))
    finally:
        if pid is not None:
            if not done:  # the caller stopped reading (an error): the child goes too
                os.kill(pid, signal.SIGKILL)
                receiver.join()
                os.waitpid(pid, 0)
            os.close(r)
