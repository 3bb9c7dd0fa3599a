"""The full conflicts recompute on an on-disk store: wall, CPU, peak memory, by phase.

    python bench/conflicts_full.py --store DIR [--repeat 3] [--drop] [--src NAME=PATH ...] [--env NAME:VAR=VALUE]

Each run is ``conflicts.refresh`` (what ``factgraph conflicts`` does) in a fresh child
process on the store ``DIR`` (built by ``bench/conflicts_incremental.py --dir``, or any
factgraph store): the parent reports the child's wall time, CPU (user + system) and peak
RSS; the child reports its phases (the hierarchies and marks, the claims read, the
detection, and the rest: the verdict lines and the write; a store whose conflict keys
are current has its records read with the stored digests beside them, both in "read",
session 15). Every run rewrites the
store's conflicts graph; with ``--drop`` it is dropped before each run (not timed), so
the write starts from nothing, as on a new store or after a rule version change.

``--src NAME=PATH`` runs the code of another checkout (``git archive REV | tar -x -C
PATH``) instead of the installed one, for a side-by-side comparison; several are run
interleaved, run by run. ``--src NAME=PATH@DIR`` runs it on a store of its own (a copy):
revisions that write the conflicts graph differently (session 14: with a digest a
verdict) would otherwise undo each other's graph between runs. ``--env
NAME:VAR=VALUE`` sets a variable for one source's runs: ``--src compiled= --src source=
--env source:FACTGRAPH_INTERPRETED=1`` runs the installed code with its detector compiled
(mypyc, graph/compiled.py) and from source, side by side; each run says which ran. The load average is printed with every run: on a shared
machine the wall clock counts the neighbours too.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGES = ("graph", "server", "ontology", "queries", "corpus")


def child(store_dir: str, drop: bool) -> None:
    """One refresh, its phases timed by wrapping what ``refresh`` calls."""
    from factgraph.graph import conflicts
    from factgraph.graph.store import EmbeddedStore
    from factgraph.graph.terms import Iris

    spent: dict[str, float] = {}

    def timed(name, fn):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
                print(json.dumps({"phase": name, "s": spent[name]}), flush=True)

        return run

    conflicts.load_records = timed("read", conflicts.load_records)  # type: ignore[assignment]
    conflicts.detect = timed("detect", conflicts.detect)  # type: ignore[assignment]
    from factgraph.graph import conflict_keys, conflict_store

    if hasattr(conflict_keys, "load_records"):  # (a revision that reads the records the keys keep)
        conflict_keys.load_records = timed("read", conflict_keys.load_records)
    if hasattr(conflict_keys, "load_records_and_verdicts"):  # (the stored digests read beside them)
        conflict_keys.load_records_and_verdicts = timed("read", conflict_keys.load_records_and_verdicts)
    if hasattr(conflict_store, "stored_digests"):  # (a revision that compares verdicts by digest)
        conflict_store.stored_digests = timed("stored digests", conflict_store.stored_digests)
    store = EmbeddedStore(store_dir)
    # as ``factgraph conflicts`` runs (``cli.console``): the store closed without a
    # collection, the exit without walking what the command held (session 18: the bench
    # collected at close, 6 s at 1M that the command does not spend)
    store.collect_on_close = False
    iris = Iris("http://127.0.0.1:5000/")
    if drop:
        store.drop_graph(iris.conflicts_graph)
    t0 = time.perf_counter()
    found = conflicts.refresh(store, iris)
    total = time.perf_counter() - t0
    store.close()
    spent["lines and write"] = (
        total - spent.get("read", 0) - spent.get("detect", 0) - spent.get("stored digests", 0)
    )
    try:
        from factgraph.graph import compiled  # (revisions before session 18: no compiled detector)

        detector = compiled.running()
    except ImportError:
        detector = "source"
    print(json.dumps({"refresh": total, "verdicts": len(found), **spent, "detector": detector}), flush=True)
    gc.freeze()


def _tree(src: str, where: Path) -> str:
    """An import path whose ``factgraph`` package is the checkout ``src``'s."""
    pkg = where / "factgraph"
    pkg.mkdir(parents=True)
    for f in (Path(src) / "factgraph").iterdir():
        (pkg / f.name).symlink_to(f)
    for d in PACKAGES:
        (pkg / d).symlink_to(Path(src) / d)
    return str(where)


# without the installed checkout's editable finder, which comes before PYTHONPATH, nor
# the current directory (a checkout's own factgraph/ directory)
_LAUNCH = (
    "import sys, runpy; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def run_once(
    store_dir: str, drop: bool, path: str | None, cap_mb: float, extra_env: dict[str, str] | None = None
) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", "--store", store_dir] + (["--drop"] if drop else [])
    env = dict(os.environ) | (extra_env or {})
    if path is not None:
        cmd = [sys.executable, "-c", _LAUNCH, *cmd[1:]]
        env["PYTHONPATH"] = path
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, env=env, text=True)
        capped = 0.0
        while True:  # the child's memory watched: stopped above the cap (a shared machine)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if cap_mb and (rss := _rss_mb(proc.pid)) > cap_mb:
                capped = rss
                proc.kill()
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        out.seek(0)
        lines = [json.loads(line) for line in out.read().splitlines() if line.startswith("{")]
    if status != 0:
        done = ", ".join(f"{d['phase']} {d['s']:.1f} s" for d in lines if "phase" in d)
        why = f"stopped above {capped:.0f} MB of RSS" if capped else f"status {status}"
        return {"failed": 1.0, "wall": wall, "rss_mb": capped, "load": load, "note": f"{why} after: {done}"}  # type: ignore[dict-item]
    phases = lines[-1]
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "load": load,
        **phases,
    }


def _show(key: str, v: object) -> str:
    return f"{key} {v:.1f}" if isinstance(v, float) else f"{key} {v}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--drop", action="store_true", help="drop the conflicts graph before each run")
    ap.add_argument("--src", action="append", default=[], help="NAME=PATH: a checkout to run instead")
    ap.add_argument(
        "--env",
        action="append",
        default=[],
        help="NAME:VAR=VALUE: an environment variable for the runs of source NAME "
        "(the installed detector from source: --src compiled= --src source= --env source:FACTGRAPH_INTERPRETED=1)",
    )
    ap.add_argument("--max-rss-mb", type=float, default=8000, help="stop a run above this (0: never)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.store, args.drop)
        return
    with tempfile.TemporaryDirectory() as tmp:
        sources: list[tuple[str, str | None, str]] = [("installed", None, args.store)]
        if args.src:
            sources = []
            for i, spec in enumerate(args.src):
                name, _, src = spec.partition("=")
                src, _, store = src.partition("@")
                sources.append((name, _tree(src, Path(tmp) / str(i)) if src else None, store or args.store))
        envs: dict[str, dict[str, str]] = {}
        for spec in args.env:
            name, _, assignment = spec.partition(":")
            var, _, value = assignment.partition("=")
            envs.setdefault(name, {})[var] = value
        results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in sources}
        for k in range(args.repeat):
            for name, path, store in sources:
                r = run_once(store, args.drop, path, args.max_rss_mb, envs.get(name))
                print(f"run {k + 1} {name}: " + ", ".join(_show(key, v) for key, v in r.items()), flush=True)
                if "failed" not in r:
                    results[name].append(r)
        print(f"\nmedians of {args.repeat} ({'graph dropped first' if args.drop else 'graph in place'}):")
        for name, runs in results.items():
            if not runs:
                print(f"{name}: no run finished")
                continue
            keys = [
                k for k in runs[0] if k != "verdicts" and isinstance(runs[0][k], float) and all(k in r for r in runs)
            ]
            print(f"{name}: " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):.1f}" for k in keys))


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
