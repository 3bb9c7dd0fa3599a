"""Crash benchmark: ``kill -9`` of ``factgraph ingest`` during its write phase, then checks.

On one store directory (embedded Oxigraph, nothing on the network; emptied every
``--fresh-every`` runs), runs ``--kills``
(default 20) ``factgraph ingest`` subprocesses over the seed article and a few
synthetic ones (one of them, with a ``url:`` header, in two versions picked at random,
so a kill can land while an article is being replaced), each killed (SIGKILL) at a
random moment of its write phase: during (or right after) its n-th ``Store.apply``, n
drawn among the articles and the conflicts refresh, at a random point of an average
write's duration (a full run's write phase, measured first, over its writes). After
every kill:

- every article is complete: its asserted graph present exactly when its inferred graph
  is, and each one equal to the graph a clean ingest writes for it (either version of
  the updated article);
- the conflicts are current (the conflicts graph equals a fresh recompute over the
  store) or flagged stale (``staleness.is_stale``).

Then one more ingest, not killed, must reach the clean store: the same quads as a clean
ingest of the same files into an empty store, compared as N-Quads sets (blank node
quads, whose labels are the store's own, by count per graph and shape; the conflict
detection's ``prov:endedAtTime`` left out).

With ``--target serve`` the process killed is ``factgraph serve`` instead: a real server
holds the store, a few clients load its pages, and ``factgraph ingest`` goes through it
(the server is the store's one writer); the server is killed (SIGKILL) at a random moment
of the ingest's write phase. Then also: the ingest ends with a one-line error (no
traceback), the killed server leaves no query worker behind (they die with it), and the
same checks hold on the store it leaves.

Prints the counts; exit status 1 if any check failed. Bounded: ``--kills`` runs, each
stopped by the kill or by ``--timeout`` seconds.

    python bench/crash.py [--kills 20] [--seed 1] [--articles 4] [--timeout 120] [--fresh-every 4]
                          [--target ingest|serve]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from factgraph.graph import conflicts, staleness
from factgraph.graph.pipeline import builtin_corpus
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris

BASE = "http://127.0.0.1:5000/"
IRIS = Iris(BASE)
ANNOUNCE = "crash-bench: apply"
# factgraph ingest with each Store.apply announced on stderr before it runs: the bench
# learns when the write phase starts without a hook in the library
CHILD = f"""
import sys
from factgraph.graph import store
_apply = store.Store.apply
def apply(self, changes):
    sys.stderr.write({ANNOUNCE!r} + "\\n")
    sys.stderr.flush()
    _apply(self, changes)
store.Store.apply = apply
from factgraph.cli import main
sys.exit(main(sys.argv[1:]))
"""
ENDED = "<http://www.w3.org/ns/prov#endedAtTime>"
PLACES = ["Raqqa", "Alep", "Mossoul", "Deir ez-Zor", "Idleb", "Homs"]
SOURCES = ["L'OSDH", "La coalition", "L'ONU", "Airwars"]


def synthetic(i: int, version: int = 0) -> str:
    """An article of attributed figures; ``version`` changes its figures only (the same
    sources and places: the lexicon is the same for both versions)."""
    lines = []
    for j in range(6):
        n = 100 + 37 * i + 11 * j + 5 * version
        lines.append(f"{SOURCES[(i + j) % len(SOURCES)]} a recensé {n} civils tués à "
                     f"{PLACES[(i + 2 * j) % len(PLACES)]} entre janvier et avril 2017.")
    return "\n\n".join(lines) + "\n"


def write_articles(folder: Path, count: int) -> tuple[list[Path], Path, Path]:
    """``count`` synthetic articles, and the two versions of the updated one."""
    paths = []
    for i in range(count):
        p = folder / f"synthetic_{i}.txt"
        p.write_text(" date 2017-05\n\n" + synthetic(i), encoding="utf-8")
        paths.append(p)
    versions = []
    for v in (1, 2):
        (folder / f"v{v}").mkdir(exist_ok=True)
        p = folder / f"v{v}" / "updated.txt"
        p.write_text(" date 2017-05-12\nurl: https://news.example.org/2017/05/12/bilan\n\n" + synthetic(count, v),
                     encoding="utf-8")
        versions.append(p)
    return paths, versions[0], versions[1]


def ingest_cmd(store: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-c", CHILD, "ingest", "--store", str(store), "--base", BASE, *map(str, files)]


def run_clean(store: Path, files: list[Path], timeout: float) -> float:
    """A full ingest (not killed); returns how long its write phase lasted (from its
    first ``Store.apply`` to its exit)."""
    proc = subprocess.Popen(ingest_cmd(store, files), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first = None
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(ANNOUNCE) and first is None:
            first = time.monotonic()
    proc.wait(timeout)
    end = time.monotonic()
    if proc.returncode != 0:
        raise SystemExit(f"crash bench: a clean ingest failed (exit {proc.returncode})")
    return end - (first or end)


def run_killed(store: Path, files: list[Path], write_phase: float, writes_per_run: int, rng: random.Random,
               timeout: float) -> tuple[bool, int]:
    """Start an ingest and SIGKILL it at a random moment of its write phase: during (or
    right after) its n-th write, n drawn at random, at a random point of an average
    write's duration. Returns (killed, writes announced before the kill)."""
    proc = subprocess.Popen(ingest_cmd(store, files), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    announced = 0
    started = threading.Event()
    lock = threading.Lock()

    def read() -> None:
        nonlocal announced
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith(ANNOUNCE):
                with lock:
                    announced += 1
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    killed = False
    target = rng.randint(1, writes_per_run)  # which write the kill lands in (or just after)
    deadline = time.monotonic() + timeout
    if started.wait(timeout):
        while proc.poll() is None and time.monotonic() < deadline:
            with lock:
                if announced >= target:
                    break
            time.sleep(0.005)
        time.sleep(rng.uniform(0, write_phase / writes_per_run))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed = True
    else:
        proc.kill()
    proc.wait(timeout)
    reader.join(5)
    with lock:
        return killed, announced


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run_killed_serve(store: Path, files: list[Path], rng: random.Random, timeout: float,
                     failures: list[str], counts: Counter) -> tuple[bool, int]:
    """``factgraph serve`` on ``store`` under a light load, ``factgraph ingest`` through it,
    and the server SIGKILLed after a random number of the ingest's writes. Returns (killed,
    writes announced before the kill)."""
    import urllib.request

    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "factgraph", "serve", "--store", str(store), "--base", BASE,
                              "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(root + "/sparql?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if serve.poll() is not None:
                failures.append("serve did not start")
                return False, 0
            time.sleep(0.2)
    stop = threading.Event()

    def client() -> None:  # a page, a query, again, until the server is gone
        while not stop.is_set():
            for path in ("/", "/conflicts", "/sparql?query=SELECT%20*%20WHERE%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%2050"):
                try:
                    urllib.request.urlopen(root + path, timeout=5).read()
                except OSError:
                    pass
    load = [threading.Thread(target=client, daemon=True) for _ in range(3)]
    for t in load:
        t.start()
    proc = subprocess.Popen(ingest_cmd(store, files), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    announced, lines = 0, []
    lock = threading.Lock()

    def read() -> None:
        nonlocal announced
        assert proc.stderr is not None
        for line in proc.stderr:
            with lock:
                if line.startswith(ANNOUNCE):
                    announced += 1
                else:
                    lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    target = rng.randint(1, len(files) + 1)
    while proc.poll() is None and time.monotonic() < deadline:
        with lock:
            if announced >= target:
                break
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.05))
    workers = _children(serve.pid)
    killed = serve.poll() is None
    serve.send_signal(signal.SIGKILL)
    serve.wait(timeout)
    stop.set()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        failures.append("the ingest hung after its server was killed")
    reader.join(5)
    with lock:
        said = [line for line in lines if line.strip()]
        if proc.returncode not in (0, None) and (any("Traceback" in line for line in said) or len(said) > 3):
            failures.append(f"the ingest's error was not one line: {said[-3:]}")
        counts["ingests ended with one line" if proc.returncode else "ingests finished before the kill"] += 1
        writes = announced
    time.sleep(1.0)  # PR_SET_PDEATHSIG: the workers get SIGKILL with their parent
    orphans = [pid for pid in workers if _alive(pid)]
    counts["query workers seen at the kill"] += len(workers)
    if orphans:
        failures.append(f"query workers left running after the server was killed: {orphans}")
    for t in load:
        t.join(10)
    return killed, writes


def _quads(store: EmbeddedStore) -> tuple[set[str], Counter]:
    """N-Quads lines: those without blank nodes as a set; those with, by graph and shape
    (labels are the store's own). The detection time stamp left out."""
    import io

    out = io.BytesIO()
    store.dump(out, "nquads")
    plain, blank = set(), Counter()
    for line in out.getvalue().decode("utf-8").splitlines():
        if not line.strip() or ENDED in line:
            continue
        if "_:" in line:
            blank[BLANK.sub("_:b", line)] += 1
        else:
            plain.add(line)
    return plain, blank


BLANK = re.compile(r"_:[A-Za-z0-9]+")


def _graph_lines(store: EmbeddedStore, name: URIRef) -> Lines:
    """A graph as its sorted N-Triples lines, blank node labels (the store's own: the
    inferred graphs type claims with the vocabulary's anonymous classes) made one."""
    import io

    out = io.BytesIO()
    store.dump(out, "ntriples", name)
    return tuple(sorted(BLANK.sub("_:b", line) for line in out.getvalue().decode("utf-8").splitlines()
                        if line.strip()))


Lines = tuple[str, ...]
Pair = tuple[Lines | None, Lines | None]


def article_graphs(store: EmbeddedStore) -> dict[str, Pair]:
    """article id -> (its asserted graph, its inferred graph) as N-Triples lines (None:
    absent)."""
    out: dict[str, list] = {}
    for g in store.graph_names():
        for n, kind in enumerate(("article", "inferred")):
            prefix = f"{BASE}graph/{kind}/"
            if str(g).startswith(prefix):
                out.setdefault(str(g)[len(prefix):], [None, None])[n] = _graph_lines(store, g)
    return {i: (a, b) for i, (a, b) in out.items()}


def _by_value(nt: str) -> set[tuple[str, str, str]]:
    """Triples with decimals by value: the store keeps "2498"^^xsd:decimal where rdflib
    writes "2498.0"; the detection time stamp left out."""
    out = set()
    for triple in Graph().parse(data=nt, format="nt"):
        terms = [Literal(format(Decimal(str(t)).normalize(), "f"), datatype=XSD.decimal)
                 if isinstance(t, Literal) and t.datatype == XSD.decimal else t for t in triple]
        if terms[1] != PROV.endedAtTime:
            out.add(tuple(t.n3() for t in terms))
    return out


def conflicts_current(store: EmbeddedStore) -> bool:
    """The conflicts graph equals a fresh recompute over the store (time stamp aside)."""
    places, kinds, cumulative = conflicts.load_hierarchies(store)
    found = conflicts.detect(conflicts.load_records(store, IRIS), places, kinds, None, cumulative or None)
    stored = _by_value("\n".join(_graph_lines(store, IRIS.conflicts_graph)))
    if not stored and not found:  # nothing derived yet (killed before the first refresh), nothing to derive
        return True
    return _by_value(conflicts.to_graph(found, IRIS).serialize(format="nt")) == stored


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="random seed (kill moments, versions, orders)")
    ap.add_argument("--articles", type=int, default=4, help="synthetic articles besides the seed and the updated one")
    ap.add_argument("--timeout", type=float, default=120, help="seconds any one ingest may take")
    ap.add_argument("--fresh-every", type=int, default=4,
                    help="start from an empty store every N runs (0: never), so some kills land among the first "
                         "writes of a store (vocabulary, first articles)")
    ap.add_argument("--target", choices=("ingest", "serve"), default="ingest",
                    help="the process killed: the ingest itself, or the server it goes through")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    failures: list[str] = []
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="factgraph-crash-") as tmp:
        root = Path(tmp)
        synthetic_paths, v1, v2 = write_articles(root, args.articles)
        base_files = [builtin_corpus()[0], *synthetic_paths]
        # the clean stores: every article graph a complete write can leave, per version
        expected: dict[str, set[Pair]] = {}
        phases = []
        for v, updated in ((1, v1), (2, v2)):
            clean = root / f"clean{v}"
            phases.append(run_clean(clean, [*base_files, updated], args.timeout))
            with EmbeddedStore(clean) as s:
                for i, pair in article_graphs(s).items():
                    expected.setdefault(i, set()).add(pair)
        write_phase = min(phases)
        print(f"crash bench: {len(base_files) + 1} articles, write phase of a full run {write_phase:.2f} s, "
              f"{args.kills} kills", flush=True)

        store = root / "store"
        for k in range(args.kills):
            if args.fresh_every and k % args.fresh_every == 0 and store.exists():
                shutil.rmtree(store)  # now and then a store being built: kills among the first writes
            files = [*base_files, rng.choice((v1, v2))]
            rng.shuffle(files)
            if args.target == "serve":
                if not store.exists():  # serve would ingest the built-in corpus into an empty store first
                    run_clean(store, [builtin_corpus()[0]], args.timeout)
                killed, writes = run_killed_serve(store, files, rng, args.timeout, failures, counts)
            else:
                killed, writes = run_killed(store, files, write_phase, len(files) + 1, rng, args.timeout)
            counts["killed" if killed else "finished before the kill"] += 1
            counts[f"killed after {writes} write(s) began"] += killed
            with EmbeddedStore(store) as s:
                graphs = article_graphs(s)
                # whole: asserted and inferred graphs both there, as one clean ingest wrote them
                wrong = sorted(i for i, pair in graphs.items() if pair not in expected.get(i, set()))
                counts["articles seen whole"] += len(graphs) - len(wrong)
                counts["articles absent (not yet written)"] += len(set(expected) - set(graphs))
                if wrong:
                    counts["articles incomplete or mixed"] += len(wrong)
                    failures.append(f"kill {k + 1}: incomplete articles {wrong}")
                stale = staleness.is_stale(s, IRIS)
                current = conflicts_current(s)
                print(f"  kill {k + 1:>2}: {'killed' if killed else 'finished'} after {writes} write(s) began; "
                      f"{len(graphs) - len(wrong)} article(s) whole, {len(wrong)} not, "
                      f"{len(set(expected) - set(graphs))} absent; conflicts "
                      f"{'current' if current else 'outdated'}{', flagged stale' if stale else ''}", flush=True)
                if current:
                    counts["conflicts current"] += 1
                if stale:
                    counts["conflicts flagged stale"] += 1
                if not current and not stale:
                    counts["conflicts wrong and not flagged"] += 1
                    failures.append(f"kill {k + 1}: conflicts neither current nor flagged stale")

        # a re-run reaches the clean store
        final = [*base_files, v2]
        run_clean(store, final, args.timeout)
        with EmbeddedStore(store) as s, EmbeddedStore(root / "clean2") as c:
            got, want = _quads(s), _quads(c)
            same = got == want
            stale_after = staleness.is_stale(s, IRIS)
        if not same:
            missing, extra = sorted(want[0] - got[0])[:5], sorted(got[0] - want[0])[:5]
            failures.append(f"re-run differs from a clean ingest: missing {missing} extra {extra} "
                            f"(blank node quads equal: {got[1] == want[1]})")
        if stale_after:
            failures.append("re-run left the conflicts flagged stale")

    for key in sorted(counts):
        print(f"  {key}: {counts[key]}")
    print(f"  re-run equals a clean ingest (N-Quads sets): {'yes' if same else 'NO'}")
    for f in failures:
        print(f"FAILED {f}", file=sys.stderr)
    print("crash bench: " + ("all checks passed" if not failures else f"{len(failures)} check(s) failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.pop("FACTGRAPH_STORE", None)
    sys.exit(main())
