"""Run one query in a killable, memory-capped worker process.

Neither rdflib nor pyoxigraph can cancel a running query, so every query a request runs
goes to a forked child: the child inherits the app's ``Store`` (Oxigraph on disk or in
memory, a remote endpoint) as it is at fork time, runs the query, serialises the answer
and sends the bytes back through a pipe. When the time limit passes, the parent kills the
child and the server goes on answering others. Forking costs about 8 ms with a 100k-claim
store open (``bench/load.py``); it also means a query's memory is given back when it ends.

Each child
- caps its address space (``RLIMIT_AS``) at what it has at fork time plus ``memory_mb``:
  Oxigraph (Rust) aborts on a failed allocation and Python raises ``MemoryError``; both
  come back as ``OutOfMemory``. An RSS watchdog was not needed: measured with an ORDER BY
  over a cross product on 100k claims (320 MB/s of growth), the cap stops the child
  within a second, where without it the child reached 2.9 GB in 8 s;
- dies with the thread that forked it (``PR_SET_PDEATHSIG`` = SIGKILL on Linux, and a
  ``getppid`` check for the race before it was set): killing ``factgraph serve``, even with
  SIGKILL, leaves no orphan query running. The forking thread is one of waitress' request
  threads, which live as long as the server.

POSIX only (``fork``). A child forked while another thread of the parent holds a lock
inside the store could block: it is then stopped by the same time limit.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import gc
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1
MEMORY_SIGNALS = (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS)  # a failed allocation in Rust aborts


class QueryTimeout(Exception):
    """The worker ran past the time limit and was killed."""

    def __init__(self, seconds: float):
        super().__init__(f"query stopped after {seconds:g} s (the QUERY_TIMEOUT setting)")
        self.seconds = seconds


class OutOfMemory(Exception):
    """The worker needed more memory than its cap."""

    def __init__(self, memory_mb: int):
        super().__init__(f"query stopped: it needed more than {memory_mb} MB (the QUERY_MEMORY_MB setting)")
        self.memory_mb = memory_mb


class CannotFork(Exception):
    """No worker process could be started (the system is out of processes or memory)."""


class WorkerError(Exception):
    """The worker raised, or died before answering; ``kind`` is the exception's class name."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def address_space() -> int:
    """This process' virtual memory size in bytes (``VmSize``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _cap_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = address_space() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _kind(exc: BaseException, memory_mb: int) -> str:
    """The exception's class name; ``MemoryError`` too for an allocation that failed under
    the cap and came back as another error (a Rust panic, an I/O error from RocksDB)."""
    text = str(exc).lower()
    if memory_mb and ("memory allocation" in text or "cannot allocate memory" in text or "out of memory" in text):
        return "MemoryError"
    return type(exc).__name__


def _child(conn: Any, parent: int, memory_mb: int, fn: Callable[..., Any], args: tuple) -> None:
    gc.disable()  # a collection would walk, and so copy, every object the parent has; the child is short-lived
    try:
        _die_with_parent(parent)
        faulthandler.disable()  # an abort for lack of memory is expected: the parent reports it
        _cap_memory(memory_mb)
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        outcome = ("error", (_kind(exc, memory_mb), " ".join(str(exc).split())))
    try:
        conn.send(outcome)
    except BaseException as exc:  # noqa: BLE001 - e.g. MemoryError while pickling the answer
        conn.send(("error", (type(exc).__name__, " ".join(str(exc).split()))))
    finally:
        conn.close()
        os._exit(0)  # no atexit hooks: the store and sockets belong to the parent


def run_isolated(fn: Callable[..., Any], *args: Any, timeout: float, memory_mb: int = 0) -> Any:
    """``fn(*args)`` in a forked child whose address space may grow by ``memory_mb``
    (0: no cap); its return value must pickle.

    Raises ``QueryTimeout`` after ``timeout`` seconds, ``OutOfMemory`` when the child
    ran out of memory, ``WorkerError`` if ``fn`` raised anything else.
    """
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, os.getpid(), memory_mb, fn, args), daemon=True)
    deadline = time.monotonic() + timeout
    try:
        proc.start()
    except OSError as exc:  # EAGAIN, ENOMEM
        receiver.close()
        sender.close()
        raise CannotFork(f"cannot start a query worker now: {exc.strerror or exc}") from exc
    sender.close()
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            proc.kill()
            raise QueryTimeout(timeout)
        try:
            status, payload = receiver.recv()
        except EOFError as exc:
            proc.join(timeout=30)  # it closed the pipe: it is exiting
            if memory_mb and proc.exitcode in MEMORY_SIGNALS:
                raise OutOfMemory(memory_mb) from exc
            raise WorkerError("WorkerDied", f"the query worker died (exit code {proc.exitcode})") from exc
        except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
            raise WorkerError(type(exc).__name__, f"the query worker's answer could not be read: {exc}") from exc
    finally:
        receiver.close()
        proc.join(timeout=5)
    if status == "error":
        if memory_mb and payload[0] == "MemoryError":
            raise OutOfMemory(memory_mb)
        raise WorkerError(*payload)
    return payload
