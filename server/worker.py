"""Run one query in a killable, memory-capped worker process: one forked for the call
(``run_isolated``, pages) or a resident one reused until the store changes
(``ResidentPool``, ``/sparql``; see the section below and docs/design.md).

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
inside the store blocks on it for ever (RocksDB's database mutex, which every query's
snapshot takes: 1 fork in about 150 with threads reading and ending beside it). So a new
child first runs its store's ``check_readable`` and says it is ready; one that does not
within ``READY_TIMEOUT`` is killed and forked again (``FORK_ATTEMPTS`` in all), before any
query is given to it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import gc
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1
READY_TIMEOUT = 2.0  # seconds a new child has to pass its store's check_readable (forks take 10-100 ms)
FORK_ATTEMPTS = 3  # children forked in turn before a call gives up (CannotFork)
READY = ("ready", None)  # what a child sends once its readiness check passed
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


class NotReady(CannotFork):
    """A new worker did not pass its readiness check within ``READY_TIMEOUT``."""


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


def _child(
    conn: Any, parent: int, memory_mb: int, fn: Callable[..., Any], args: tuple, ready: Callable[[], None] | None,
    nice: int = 0,
) -> None:
    gc.disable()  # a collection would walk, and so copy, every object the parent has; the child is short-lived
    try:
        _die_with_parent(parent)
        if nice > 0:
            os.nice(nice)  # background work: the serving process' requests get the cores first
        faulthandler.disable()  # an abort for lack of memory is expected: the parent reports it
        _cap_memory(memory_mb)
        if ready is not None:
            ready()
            conn.send(READY)
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        outcome = _failure(exc, memory_mb)
    try:
        _send(conn, outcome)
    finally:
        conn.close()
        os._exit(0)  # no atexit hooks: the store and sockets belong to the parent


def _failure(exc: BaseException, memory_mb: int) -> tuple[str, Any]:
    return ("error", (_kind(exc, memory_mb), " ".join(str(exc).split())))


def _send(conn: Any, outcome: tuple[str, Any]) -> None:
    try:
        conn.send(outcome)
    except BaseException as exc:  # noqa: BLE001 - e.g. MemoryError while pickling the answer
        conn.send(_failure(exc, 0))


def _next_message(receiver: Any, proc: Any, deadline: float, timeout: float) -> Any:
    """What the child sends next, or ``QueryTimeout`` (the child killed) at ``deadline``."""
    if not receiver.poll(max(0.0, deadline - time.monotonic())):
        proc.kill()
        raise QueryTimeout(timeout)
    return receiver.recv()


def run_isolated(
    fn: Callable[..., Any], *args: Any, timeout: float, memory_mb: int = 0, ready: Callable[[], None] | None = None,
    nice: int = 0,
) -> Any:
    """``fn(*args)`` in a forked child whose address space may grow by ``memory_mb``
    (0: no cap); its return value must pickle. ``ready``, run first in the child (the
    store's ``check_readable``), must return within ``READY_TIMEOUT``, else the child is
    forked again. ``nice`` > 0: the child's scheduling priority lowered by that much
    (``os.nice``; background work such as ``read_ahead``'s).

    Raises ``QueryTimeout`` after ``timeout`` seconds, ``OutOfMemory`` when the child
    ran out of memory, ``WorkerError`` if ``fn`` raised anything else, ``CannotFork``
    when no child could be started.
    """
    ctx = multiprocessing.get_context("fork")
    deadline = time.monotonic() + timeout
    for _ in range(FORK_ATTEMPTS):
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(sender, os.getpid(), memory_mb, fn, args, ready, nice),
                           daemon=True)
        try:
            proc.start()
        except OSError as exc:  # EAGAIN, ENOMEM
            receiver.close()
            sender.close()
            raise CannotFork(f"cannot start a query worker now: {exc.strerror or exc}") from exc
        sender.close()
        # the child says it is ready (or answers, or dies: read below as usual) in time
        if ready is None or receiver.poll(max(0.0, min(READY_TIMEOUT, deadline - time.monotonic()))):
            break
        proc.kill()  # blocked in its readiness check: a lock it was forked with
        proc.join(timeout=5)
        receiver.close()
        if time.monotonic() >= deadline:
            raise QueryTimeout(timeout)
    else:
        raise CannotFork(f"cannot start a query worker now: {FORK_ATTEMPTS} in turn did not become ready")
    try:
        try:
            status, payload = _next_message(receiver, proc, deadline, timeout)
            if (status, payload) == READY:
                status, payload = _next_message(receiver, proc, deadline, timeout)
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


# -- resident workers ----------------------------------------------------------------------
#
# A fork per query costs 7-20 ms, more than a point lookup takes in Oxigraph (about 1 ms):
# the queries of ``/sparql`` go to resident workers instead, forked once and reused. A forked
# child sees the store as it was at fork time (RocksDB's memtable is copied with the
# process; the files the parent writes or compacts later are not followed), so each worker
# carries the count of the store's writes it was forked at (``Store.write_count``) and is
# replaced before it is given a query after any write.


class _Spawner:
    """One thread, alive as long as the process, that forks the resident workers:
    ``PR_SET_PDEATHSIG`` fires when the *thread* that forked a child ends, so a child that
    outlives the request that needed it must not be forked in that request's thread (the
    development server and the test client end theirs after each request)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def call(self, fn: Callable[[], Any]) -> Any:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="factgraph-worker-spawner", daemon=True)
                self._thread.start()
        done = threading.Event()
        box: list[Any] = []
        self._jobs.put((fn, box, done))
        done.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def _run(self) -> None:
        while True:
            fn, box, done = self._jobs.get()
            try:
                box.append(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                box.append(exc)
            done.set()


_spawner = _Spawner()


def _let_go_of_connections(keep: int) -> None:
    """Point every socket and pipe inherited from the parent, except ``keep``, at
    /dev/null: a long-lived child must not hold the server's connections open (a closed
    client connection would get no FIN while a copy lives here) nor another worker's pipe
    (whose end would then never see EOF). The descriptors stay taken, so nothing the store
    opens later gets a number that a stale object here still refers to."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd in (keep, null) or fd <= 2:
                continue
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            if target.startswith(("socket:", "pipe:")):
                os.dup2(null, fd)
    finally:
        os.close(null)


def _resident_child(conn: Any, parent: int, memory_mb: int, bound: tuple, ready: Callable[[], None] | None) -> None:
    """The resident worker's loop: ``(fn, args)`` in, ``fn(*bound, *args)``'s outcome out,
    after ``ready()`` (the store's ``check_readable``) passed and it said so."""
    gc.freeze()  # what the parent had is never walked (so never copied) by a collection here
    try:
        _die_with_parent(parent)
        _let_go_of_connections(conn.fileno())
        faulthandler.disable()  # an abort for lack of memory is expected: the parent reports it
        _cap_memory(memory_mb)
        if ready is not None:
            ready()
            conn.send(READY)
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close
        os._exit(1)
    while True:
        try:
            fn, args = conn.recv()
        except BaseException:  # noqa: BLE001 - the parent closed the pipe: exit
            os._exit(0)
        try:
            outcome: tuple[str, Any] = ("ok", fn(*bound, *args))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            outcome = _failure(exc, memory_mb)
        _send(conn, outcome)
        if outcome[0] == "error" and outcome[1][0] == "MemoryError":
            os._exit(0)  # a heap that ran out is not trusted with another query


class ResidentWorker:
    """A forked child that runs calls one after another (``call``); ``tag`` is what it was
    forked with (``ResidentPool``: the store's write count)."""

    def __init__(self, bound: tuple, memory_mb: int, tag: object, ready: Callable[[], None] | None = None):
        """Forks the child; with ``ready``, returns once the child ran it, raises
        ``NotReady`` (the child killed) when it did not within ``READY_TIMEOUT``."""
        ctx = multiprocessing.get_context("fork")
        self.conn, child_end = ctx.Pipe(duplex=True)
        self.memory_mb = memory_mb
        self.tag = tag
        self.calls = 0
        self.proc = ctx.Process(
            target=_resident_child, args=(child_end, os.getpid(), memory_mb, bound, ready), daemon=True
        )
        try:
            self.proc.start()
        except OSError as exc:  # EAGAIN, ENOMEM
            self.conn.close()
            raise CannotFork(f"cannot start a query worker now: {exc.strerror or exc}") from exc
        finally:
            child_end.close()
        if ready is None:
            return
        if not self.conn.poll(READY_TIMEOUT):
            self.stop()  # blocked in its readiness check: a lock it was forked with
            raise NotReady(f"a new query worker was not ready within {READY_TIMEOUT:g} s")
        try:
            said = self.conn.recv()
        except EOFError as exc:
            self.stop()
            raise CannotFork(f"the query worker died as it started (exit code {self.proc.exitcode})") from exc
        if said != READY:
            self.stop()
            raise CannotFork(f"the query worker said {said!r} as it started")

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.is_alive()

    def stop(self) -> None:
        """Kill the child (it may be running a query) and reap it."""
        self.conn.close()
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)

    def call(self, fn: Callable[..., Any], args: tuple, timeout: float) -> Any:
        """``fn(*bound, *args)`` in the child, as ``run_isolated`` would; a worker that timed
        out, ran out of memory or died is stopped (``alive()`` is then False)."""
        self.calls += 1
        try:
            self.conn.send((fn, args))
        except (BrokenPipeError, ConnectionResetError, EOFError) as exc:  # died before it was asked
            self.stop()
            raise WorkerError("WorkerDied", "the query worker died before the query") from exc
        if not self.conn.poll(max(0.0, timeout)):
            self.stop()
            raise QueryTimeout(timeout)
        try:
            status, payload = self.conn.recv()
        except EOFError as exc:
            self.proc.join(timeout=30)  # it closed the pipe: it is exiting
            code = self.proc.exitcode
            self.stop()
            if self.memory_mb and code in MEMORY_SIGNALS:
                raise OutOfMemory(self.memory_mb) from exc
            raise WorkerError("WorkerDied", f"the query worker died (exit code {code})") from exc
        except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
            self.stop()
            raise WorkerError(type(exc).__name__, f"the query worker's answer could not be read: {exc}") from exc
        if status == "error":
            if self.memory_mb and payload[0] == "MemoryError":
                self.stop()
                raise OutOfMemory(self.memory_mb)
            raise WorkerError(*payload)
        return payload


class ResidentPool:
    """At most ``size`` idle resident workers kept for reuse. ``call(fn, store, *args)`` runs
    ``fn(store, *args)`` in a worker forked while the store had made ``store.write_count``
    writes, the current count: a worker forked before a later write is stopped, never
    asked. A worker is replaced after ``max_calls`` calls (what a long-lived heap may keep
    is bounded) or when it died. The caller bounds how many calls run at once
    (``query_pool.QueryPool``)."""

    def __init__(self, size: int, memory_mb: int, max_calls: int = 1000):
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self.max_calls = max(1, max_calls)
        self.idle: list[ResidentWorker] = []
        self._lock = threading.Lock()

    @staticmethod
    def _tag(store: Any) -> tuple:
        return (id(store), getattr(store, "write_count", 0))

    def _take(self, store: Any) -> ResidentWorker:
        stale: list[ResidentWorker] = []
        worker = None
        with self._lock:
            current = self._tag(store)
            keep: list[ResidentWorker] = []
            for w in self.idle:
                (keep if w.tag == current and w.calls < self.max_calls and w.alive() else stale).append(w)
            self.idle = keep
            if self.idle:
                worker = self.idle.pop()
        for w in stale:
            w.stop()
        if worker is not None:
            return worker
        # the tag is read before the fork: a write that ends in between makes it stale, never wrong
        for _ in range(FORK_ATTEMPTS - 1):
            try:
                return self._fork(store)
            except NotReady:
                continue  # forked while another thread held a lock of the store's: again
        return self._fork(store)

    def _fork(self, store: Any) -> ResidentWorker:
        return _spawner.call(lambda: ResidentWorker((store,), self.memory_mb, self._tag(store), store.check_readable))

    def _give_back(self, worker: ResidentWorker) -> None:
        with self._lock:
            if len(self.idle) < self.size:
                self.idle.append(worker)
                return
        worker.stop()

    def call(self, fn: Callable[..., Any], store: Any, *args: Any, timeout: float) -> Any:
        worker = self._take(store)
        try:
            result = worker.call(fn, args, timeout)
        except WorkerError:
            if worker.alive():  # fn raised: the worker is fine
                self._give_back(worker)
            raise
        self._give_back(worker)
        return result

    def workers(self) -> list[int]:
        """The pids of the idle workers (tests, benchmarks)."""
        with self._lock:
            return [w.pid for w in self.idle if w.pid is not None]

    def close(self) -> None:
        with self._lock:
            idle, self.idle = self.idle, []
        for w in idle:
            w.stop()

    def __del__(self) -> None:  # an app that goes away (tests) takes its workers with it
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110 - at interpreter exit the workers die with the process anyway
            pass
