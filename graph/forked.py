"""Work shared with a forked process: a child forked from this one (its memory the
parent's, copied on write) runs part of a bulk computation and sends its results back,
pickled through a pipe, while this process does the rest. Used for a full conflicts
recompute's detection (``conflict_detection._detect``: groups of about half the claims
judged by the child) and its verdicts' digests (``conflict_store._differing``).

A child never reads a store: RocksDB's state copied at the fork is not safe to use (its
background threads are not in the child; sessions 14 to 17 read half of a full
recompute's queries in a child, and after another process' write a child's second query
ran away with all the machine's memory). What a recompute reads beside its own read is
read in a thread instead (``conflict_keys.load_records_and_verdicts``).

A child is forked only from a process with no other Python thread (a thread holding a
lock would leave it locked in the child), and it proves it can work before it is
trusted: it says so on the pipe.
A child that has not said so within ``READY_WAIT`` seconds of this process being done
with its own part, or that fails, is killed, and the caller does its part here: the
results are the same either way, only slower. A child that is done says so too: its
results are used while it exits (a child of a 4 GB process took 0.6 s to exit), and it
is reaped by ``stop``.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

READY_WAIT = 5.0  # seconds the child may take to say it works, once this process is done
_HEADER = struct.Struct("<q")  # a message's length, or:
_WORKS = -1  # the child works
_DONE = -2  # the child is done: every message sent


def can_fork() -> bool:
    """Whether this process may fork a child to share work: no other Python thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        part = os.read(fd, min(n - got, 1 << 20))
        if not part:
            return None
        parts.append(part)
        got += len(part)
    return b"".join(parts)


class Child:
    """A forked process running ``work(send, ready)``: ``send(obj)`` pickles ``obj``
    back to this process, ``ready()`` says the child works. A thread of this process
    reads the messages as bytes (the pipe never fills while this process does its own
    part); ``results`` unpickles them once the child is done."""

    def __init__(self, work: Callable[[Callable[[Any], None], Callable[[], None]], None]) -> None:
        r, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: its work, then out without the parent's exit handlers
            status = 1
            try:
                os.close(r)
                said = False

                def ready() -> None:
                    nonlocal said
                    if not said:
                        os.write(w, _HEADER.pack(_WORKS))
                        said = True

                def send(obj: Any) -> None:
                    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
                    data = memoryview(_HEADER.pack(len(payload)) + payload)
                    while data:
                        data = data[os.write(w, data) :]

                work(send, ready)
                ready()
                os.write(w, _HEADER.pack(_DONE))
                status = 0
            finally:
                os._exit(status)
        os.close(w)
        self.fd = r
        self.works = threading.Event()
        self.messages: list[bytes] = []
        self.complete = False
        self.reaped = False
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self) -> None:
        while (header := _read_exactly(self.fd, _HEADER.size)) is not None:
            (n,) = _HEADER.unpack(header)
            if n == _WORKS:
                self.works.set()
                continue
            if n == _DONE:
                self.complete = True
                return
            body = _read_exactly(self.fd, n)
            if body is None:
                return
            self.messages.append(body)
        # the pipe closed before the child said it was done: it failed

    def results(self) -> list[Any] | None:
        """The child's messages once it says it is done, None when it failed or did not
        say it works within ``READY_WAIT`` seconds (then it is killed). Not reaped yet:
        ``stop``, once the results are used."""
        deadline = time.monotonic() + READY_WAIT
        while not self.works.wait(0.05):  # (a child that ended without a word: at once)
            if not self.thread.is_alive() or time.monotonic() > deadline:
                break
        if not self.works.is_set():
            self.stop()  # perhaps forked with a lock held
            return None
        self.thread.join()
        if not self.complete:
            self.stop()
            return None
        return [pickle.loads(m) for m in self.messages]

    def _reap(self) -> None:
        self.thread.join()
        os.waitpid(self.pid, 0)
        self.reaped = True
        os.close(self.fd)

    def stop(self) -> None:
        """Reaped: killed first unless it said it was done (its results are dropped
        when the caller did not take them)."""
        if not self.reaped:
            if not self.complete:
                os.kill(self.pid, signal.SIGKILL)
            self._reap()
