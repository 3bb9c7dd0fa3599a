"""The on-disk cache of what a process computes at every start (``graph/disk_cache.py``):
kept by the digest of its inputs, computed again when unreadable, and pruned to the
``KEEP`` most recently used files a name."""

from __future__ import annotations

import os
import time

from factgraph.graph import disk_cache


def test_a_value_is_computed_once_read_back_and_recomputed_when_unreadable(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"answer": 42}

    assert disk_cache.pickled("thing", ["a"], compute, dict) == {"answer": 42}
    assert disk_cache.pickled("thing", ["a"], compute, dict) == {"answer": 42}
    assert len(calls) == 1
    [path] = (tmp_path / "factgraph").glob("thing-*.pickle")
    path.write_bytes(b"not a pickle")
    assert disk_cache.pickled("thing", ["a"], compute, dict) == {"answer": 42}
    assert len(calls) == 2
    assert disk_cache.pickled("thing", ["b"], compute, dict) == {"answer": 42}  # other inputs, another file
    assert len(calls) == 3


def test_a_name_keeps_its_most_recently_used_files_only(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "factgraph"
    keep = disk_cache.KEEP
    monkeypatch.setattr(disk_cache, "KEEP", 10**6)  # written without pruning first
    disk_cache.pickled("thing-other", ["x"], lambda: "another name, which 'thing' must not prune")
    paths = []
    for i in range(keep + 3):
        disk_cache.pickled("thing", [str(i)], lambda i=i: i)
        paths.append(folder / f"thing-{disk_cache.digest([str(i)])}.pickle")
        os.utime(paths[-1], (time.time() - 1000 + i, time.time() - 1000 + i))  # 0 the oldest
    assert disk_cache.pickled("thing", ["0"], lambda: "recomputed") == 0  # the oldest, used now
    monkeypatch.setattr(disk_cache, "KEEP", keep)
    disk_cache.pickled("thing", ["new"], lambda: "new")  # a write prunes
    left = {p.name for p in folder.glob("thing-*.pickle")} - {p.name for p in folder.glob("thing-other-*.pickle")}
    assert len(left) == keep
    assert paths[0].name in left  # used recently, though written first
    assert not {p.name for p in paths[1:5]} & left  # the least recently used went
    assert len(list(folder.glob("thing-other-*.pickle"))) == 1
