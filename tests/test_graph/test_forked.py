"""Work shared with a forked process (``forked.Child``, used by a full conflicts
recompute's detection and its digests): what the child sends comes back, a child that
fails or never says it works gives None (the caller does its part), and no child is left
behind."""

from __future__ import annotations

import os
import threading
import time

import pytest

from factgraph.graph import forked
from factgraph.graph.forked import Child, can_fork

PARENT = os.getpid()


def _children() -> set[int]:
    """Processes this one forked and has not reaped."""
    try:
        with open(f"/proc/{PARENT}/task/{PARENT}/children") as f:
            return {int(p) for p in f.read().split()}
    except OSError:
        return set()


def _sends(n: int):
    def work(send, ready):
        ready()
        for k in range(n):
            send([(k, os.getpid())] * 1000)

    return work


def test_what_a_child_sends_comes_back_in_order_from_another_process():
    child = Child(_sends(120))
    try:
        got = child.results()
    finally:
        child.stop()
    assert got is not None and len(got) == 120
    assert [m[0][0] for m in got] == list(range(120)) and all(len(m) == 1000 for m in got)
    assert {m[0][1] for m in got} != {PARENT}
    assert not _children()


def _fails(send, ready):
    ready()
    raise RuntimeError("the child's work failed")


def _sends_then_fails(send, ready):
    ready()
    send([1, 2, 3])
    raise RuntimeError("the child's work failed after it sent a part")


def _stuck(send, ready):
    time.sleep(60)  # as a child forked with a lock held


@pytest.mark.parametrize("work", [_fails, _sends_then_fails, _stuck])
def test_a_child_that_fails_or_never_says_it_works_gives_none_and_is_gone(monkeypatch, work):
    monkeypatch.setattr(forked, "READY_WAIT", 0.3)
    child = Child(work)
    try:
        assert child.results() is None
    finally:
        child.stop()
    assert not _children()


def test_a_child_given_up_on_is_killed_and_reaped():
    child = Child(_stuck)
    child.stop()
    child.stop()  # twice: harmless
    assert not _children()


def test_with_another_thread_running_nothing_is_forked():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        t.join()
