"""Ingest end to end at scale (``python bench/ingest.py --scale 100,1000``): the whole
``factgraph ingest`` command of 100 to 10,000 article files into a new store on disk, per
code revision, side by side. With ``--served``, into a store a ``factgraph serve`` of the
same revision holds (started on a new store, so it holds the built-in corpus first): the
command goes through the server, as a newsroom's ingest does while its site is up.

The articles vary the real texts: the built-in corpus, the texts written below, and
``../shared/corpus/dev`` and ``topics`` when present (or the files given). Article k is
text ``k mod count`` with a ``url:`` header of its own (so each is a new article, not a
replacement) and its two- and three-digit figures, years aside, raised by ``k mod 7``
(so the copies make conflicts and agreements as real ones do).

Each revision (``git archive`` of it, or ``.`` for the work tree) runs in a fresh
interpreter that times the conflicts refresh after the batch apart
(``conflict_update.refresh_after``, full recompute or incremental; ``conflicts.refresh``
in revisions without it: its cost depends on the conflicts algorithm, not on ingest) and reports its peak resident memory (of the whole command, and
before the refresh: the ingest's own) and its workers' (the
largest worker), and the CPU time of the command and its workers less the refresh's
("CPU ms/article"; "less start": less the CPU of the same command for one article, the
cost of starting; on a machine shared with
other work, CPU time tells what the code costs where wall time tells what the others
left). Runs are interleaved (revision after revision, repeat after repeat); the table
gives medians. Nothing is asserted.

Times: "process s" and "per s" are the whole process as a user waits for it, from its
start to its exit (the interpreter's start and its shutdown included, the revision's own
exit: ``cli.console`` where it has one); "command s", "articles/s" and "with refresh" are
measured inside it, from before factgraph's imports to ``main``'s return (what sessions
before 11 called end to end: they leave out Python's start, about 0.02 s, and its shutdown,
0.13-0.14 s after 100 articles before ``cli.console``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from revisions import REPO, checkout

SHARED = REPO.parent / "shared" / "corpus"
BASE = "http://127.0.0.1:5000/"

# a few articles written here, so the bench runs without ../shared (fr and en)
TEXTS = [
    " date 2017-06\n\nSelon l'Observatoire syrien des droits de l'homme (OSDH), 27 civils ont été tués jeudi "
    "dans des frappes de la coalition à Raqqa. La coalition a reconnu 12 morts civils dans la ville depuis "
    "le début du mois.\n\nL'ONU a recensé 173 civils tués à Raqqa entre mars et mai 2017.\n",
    " date 2018-02\n\nAirwars estimates that at least 145 civilians were killed by coalition strikes in Mosul "
    "in January 2018. The coalition said 38 civilians had died in its strikes in Iraq that month.\n\n"
    "According to the UN, 212 civilians were killed in Nineveh province between December and January.\n",
    " date 2019-03\n\nLe Comité local de coordination de Soussa a recensé 58 civils tués à Deir ez-Zor entre "
    "janvier et mars 2019, dont 19 enfants, selon un communiqué publié dimanche.\n\nL'OSDH évoque pour sa part "
    "au moins 64 morts civils dans la province sur la même période.\n",
]
# a figure of two or three digits, not part of a longer number, a date or a name
FIGURE = re.compile(r"(?<![\w.,/:-])(\d{2,3})(?![\w/:-]|[.,]\d)")
HEADER = re.compile(r"\ufeff?\s*date\s+(\S+)[ \t]*")

# the ingest command, with the conflicts refresh timed apart and the peak memory reported
CHILD = """
import resource, sys, time
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()] if {pinned} else sys.meta_path
t0 = time.perf_counter()
try:  # the conflicts step after the batch, full or incremental
    from factgraph.graph import conflict_update as conflicts
    name = "refresh_after"
except ImportError:  # revisions before it: the full recompute
    from factgraph.graph import conflicts
    name = "refresh"
refresh, spent, cpu, before = getattr(conflicts, name), [0.0], [0.0], []
def timed(*args, **kwargs):
    before.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # the ingest's peak, refresh apart
    t, c = time.perf_counter(), time.process_time()
    try:
        return refresh(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - t
        cpu[0] += time.process_time() - c
setattr(conflicts, name, timed)
from factgraph import cli
command = cli.main
def main(argv=None):
    code = command(argv)
    use = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    me, kids = (u.ru_maxrss / 1024 for u in use)
    busy = sum(u.ru_utime + u.ru_stime for u in use)
    print(f"BENCH {{time.perf_counter() - t0}} {{spent[0]}} {{me}} {{kids}} {{busy}} {{cpu[0]}} {{before[0] if before else me}}",
          file=sys.stderr)
    return code
cli.main = main
if hasattr(cli, "console"):  # the revision's program: main, then its own exit
    cli.console()
sys.exit(main(sys.argv[1:]))
"""


def base_texts(files: list[Path]) -> list[str]:
    if files:
        return [p.read_text(encoding="utf-8") for p in files]
    from factgraph.graph.pipeline import builtin_corpus

    paths = list(builtin_corpus())
    for folder in ("dev", "topics"):
        paths += sorted((SHARED / folder).glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths] + TEXTS


def vary(text: str, k: int) -> str:
    """Text ``k`` of a bench corpus: a ``url:`` header of its own, figures raised by k mod 7."""
    m = HEADER.match(text)
    date, body = (m.group(1), text[m.end():]) if m else ("2019-01", text)

    def raised(f: re.Match) -> str:
        v = int(f.group(1))
        return f.group(1) if 1900 <= v <= 2100 else str(v + k % 7)

    return f" date {date}\nurl: https://bench.example.org/{k}\n\n" + FIGURE.sub(raised, body.lstrip("\n"))


def write_articles(folder: Path, n: int, texts: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        p = folder / f"a{k:05d}.txt"
        p.write_text(vary(texts[k % len(texts)], k), encoding="utf-8")
        paths.append(p)
    return paths


def has_workers(pkg: Path | None) -> bool:
    cli = (pkg / "factgraph" / "cli.py") if pkg else REPO / "factgraph" / "cli.py"
    return "--workers" in cli.read_text(encoding="utf-8")


# ``factgraph serve`` of a revision (``--served``): started outside the work tree, so that
# ``python -c`` does not put the work tree's factgraph/ first on sys.path
SERVER = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()] if {pinned} else sys.meta_path
from factgraph.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _serve(pkg: Path | None, store: Path, env: dict[str, str]) -> subprocess.Popen:
    """``factgraph serve`` on ``store`` (it ingests the built-in corpus into it first), once
    it answers: the ingest then goes through it (``graph/shared_store.py``)."""
    from load import free_port

    port = free_port()
    log = (store.parent / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(pinned=pkg is not None), "serve", "--store",
                             str(store), "--port", str(port), "--base", BASE], cwd=store.parent, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"factgraph serve ended (exit {proc.returncode}): see {store.parent / 'serve.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                _settled(proc.pid, deadline)
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("factgraph serve did not answer within 120 s")


def _settled(pid: int, deadline: float) -> None:
    """Until the server has been idle for a second (its start's reading ahead and warm-up
    done), as a site that has been up for a while is."""
    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    if not Path(f"/proc/{pid}/stat").exists():
        time.sleep(5)
        return
    before = cpu()
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu()
        if now - before < 0.02:
            return
        before = now


def run_once(pkg: Path | None, files: list[Path], workers: int | None, store: Path,
             served: bool = False) -> dict[str, float]:
    shutil.rmtree(store, ignore_errors=True)
    env = dict(os.environ)
    if pkg is not None:
        env["PYTHONPATH"] = str(pkg)
    cmd = [sys.executable, "-c", CHILD.format(pinned=pkg is not None), "ingest", "--store", str(store),
           "--base", BASE, *map(str, files)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    server = _serve(pkg, store, env) if served else None
    try:
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=store.parent, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    line = next((x for x in done.stderr.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"ingest failed (exit {done.returncode}): {done.stderr[-2000:]}")
    _, total, refresh, me, kids, busy, refresh_cpu, *ingest_rss = line.split()
    return {"wall": wall, "total": float(total), "refresh": float(refresh), "rss": float(me),
            "workers_rss": float(kids), "cpu": float(busy) - float(refresh_cpu),
            "ingest_rss": float(ingest_rss[0]) if ingest_rss else float(me)}


def run_scale(sizes: list[int], repeat: int, revisions: list[str], workers: list[int], files: list[Path],
              served: bool = False) -> None:
    texts = base_texts(files)
    with tempfile.TemporaryDirectory(prefix="factgraph-ingest-scale-") as tmp:
        root = Path(tmp)
        variants: list[tuple[str, Path | None, int | None]] = []
        for rev in revisions:
            pkg = checkout(rev, root / f"rev{len(variants)}")
            for w in (workers or [None]) if has_workers(pkg) else [None]:
                variants.append((rev, pkg, w))
        load = os.getloadavg()
        if served:
            print("through a running factgraph serve of each revision (started on a new store: the built-in corpus)")
        print(f"{len(texts)} base texts; {repeat} run(s) per size and revision, interleaved; "
              f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start")
        one = write_articles(root / "articles1", 1, texts)
        start = [run_once(pkg, one, w, root / "store")["cpu"] for _, pkg, w in variants]
        print("CPU of the command for 1 article (start, vocabulary, first use of the tables), per revision: "
              + ", ".join(f"{rev}{f' --workers {w}' if w else ''} {c:.1f} s" for (rev, _, w), c in zip(variants, start, strict=True)))
        for n in sizes:
            paths = write_articles(root / f"articles{n}", n, texts)
            runs: dict[int, list[dict[str, float]]] = {i: [] for i in range(len(variants))}
            for _ in range(max(1, repeat)):
                for i, (_, pkg, w) in enumerate(variants):
                    runs[i].append(run_once(pkg, paths, w, root / "store", served))
            print()
            print(f"{n} articles  (medians; ingest = the command less the conflicts refresh)")
            header = (f"  {'revision':<14} {'workers':>7} {'process s':>9} {'per s':>6} {'command s':>9} {'refresh s':>9} "
                      f"{'ingest s':>8} {'articles/s':>10} {'with refresh':>12} {'RSS MB':>7} {'before refresh':>14} {'worker MB':>9} {'speed-up':>8} "
                      f"{'CPU ms/article':>14} {'CPU ratio':>9} {'less start':>10}")
            print(header)
            first = first_cpu = None
            for i, (rev, _, w) in enumerate(variants):
                med = {k: statistics.median(r[k] for r in runs[i]) for k in runs[i][0]}
                ingest_s = statistics.median(r["total"] - r["refresh"] for r in runs[i])
                rate = n / ingest_s
                first = first or rate
                cpu_ms = med["cpu"] / n * 1000
                first_cpu = first_cpu or cpu_ms
                print(f"  {rev:<14} {w if w is not None else '-':>7} {med['wall']:>9.2f} {n / med['wall']:>6.1f} "
                      f"{med['total']:>9.1f} {med['refresh']:>9.1f} "
                      f"{ingest_s:>8.1f} {rate:>10.1f} {n / med['total']:>12.1f} {med['rss']:>7.0f} {med['ingest_rss']:>14.0f} "
                      f"{med['workers_rss']:>9.0f} {rate / first:>7.2f}x {cpu_ms:>14.1f} {first_cpu / cpu_ms:>8.2f}x "
                      f"{(med['cpu'] - start[i]) / max(1, n - 1) * 1000:>10.1f}")
        load = os.getloadavg()
        print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
