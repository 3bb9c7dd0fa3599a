"""Run one query in a killable worker process.

Neither rdflib nor pyoxigraph can cancel a running query, so the endpoint forks a child
per query: the child inherits the app's ``Store`` (whatever it is: Oxigraph on disk or in
memory, a remote endpoint), runs the query, serialises the answer and sends the bytes
back through a pipe. When the time limit passes, the parent kills the child and the
server goes on answering others. Forking costs a few milliseconds (measured in
``tests/test_server/test_sparql_safety.py``); it also means a query's memory is given
back when it ends.

POSIX only (``fork``). A child forked while another thread of the parent holds a lock
inside the store could block: it is then stopped by the same time limit.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any


class QueryTimeout(Exception):
    """The worker ran past the time limit and was killed."""

    def __init__(self, seconds: float):
        super().__init__(f"query stopped after {seconds:g} s (the QUERY_TIMEOUT setting)")
        self.seconds = seconds


class WorkerError(Exception):
    """The worker raised, or died before answering; ``kind`` is the exception's class name."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        outcome = ("error", (type(exc).__name__, str(exc)))
    try:
        conn.send(outcome)
    finally:
        conn.close()
        os._exit(0)  # no atexit hooks: the store and sockets belong to the parent


def run_isolated(fn: Callable[..., Any], *args: Any, timeout: float) -> Any:
    """``fn(*args)`` in a forked child; its return value must pickle.

    Raises ``QueryTimeout`` after ``timeout`` seconds, ``WorkerError`` if ``fn`` raised.
    """
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, fn, args), daemon=True)
    deadline = time.monotonic() + timeout
    proc.start()
    sender.close()
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            proc.kill()
            raise QueryTimeout(timeout)
        try:
            status, payload = receiver.recv()
        except EOFError as exc:
            raise WorkerError("WorkerDied", f"the query worker died (exit code {proc.exitcode})") from exc
    finally:
        receiver.close()
        proc.join(timeout=5)
    if status == "error":
        raise WorkerError(*payload)
    return payload
