"""Ingest per article (issue #14): extraction against mapping, SHACL validation (pySHACL
and the compiled shapes) and OWL-RL reasoning (owlrl and the compiled rules), side by
side, in one run.

Articles: the seed article, then ``../shared/corpus/dev`` and ``../shared/corpus/topics``
when present (or the files given on the command line). For each article, median of
``--repeat`` runs (at least 5) of:

- extract: ``extraction.extract(read_article(path))``;
- map: ``mapping.to_graph`` and ``mapping.lexicon_graph``;
- pyshacl: ``validation.validate_pyshacl`` of the article's graph and lexicon entries
  alone (the reference);
- shacl: ``validation.validate`` of the same (the compiled shapes, the default), checked
  to give pySHACL's verdict;
- owlrl: ``reasoning.infer_owlrl`` (owlrl's closure, the reference);
- compiled: ``reasoning.infer`` (the compiled rules, the default), checked to give the
  same triples as owlrl (``same`` column).

Then SHACL, pySHACL and compiled, over the whole batch in one run (median of the
repeats, per article) and over batches of 1, 2, 4, 8, 16 articles; the end-to-end
``pipeline.ingest`` of the batch into an in-memory store, in this process (articles per
second), with the compiled shapes (the default) and with pySHACL
(``preparation.validate`` swapped for ``validate_pyshacl``); and the ratios: reasoning /
extraction, everything after extraction / extraction. Nothing is asserted.

    python bench/ingest.py [--repeat 5] [FILE...]

``--scale 100,1000,10000``: end to end at scale instead (``ingest_scale.py``): the whole
``factgraph ingest`` command, as a user runs it, of that many article files, written by
varying the real texts, into a new store on disk, for each code revision given
(``--revisions``, default ``main`` and the work tree), interleaved, median of ``--repeat``
runs; the conflicts refresh timed apart; the peak resident memory of the command and of
its workers.

    python bench/ingest.py --scale 100,1000 [--repeat 3] [--revisions main,HEAD,.] [--workers 1,2]

``--steps 100``: CPU per article and per step (``ingest_steps.py``), in one process into a
store on disk, the write included, for each revision given, interleaved, median of
``--repeat`` runs: what everything after extraction costs against extraction.

    python bench/ingest.py --steps 100 [--repeat 3] [--revisions main,.]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

from rdflib import Graph

from factgraph.graph import preparation
from factgraph.graph.article import read_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import lexicon_graph, to_graph
from factgraph.graph.model import Extraction
from factgraph.graph.pipeline import builtin_corpus, ingest
from factgraph.graph.reasoning import infer, infer_owlrl
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris
from factgraph.graph.validation import ValidationError, validate, validate_pyshacl
from factgraph.graph.vocabulary import vocabulary

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
STEPS = ("extract", "map", "pyshacl", "shacl", "owlrl", "compiled")


def default_paths() -> list[Path]:
    paths = list(builtin_corpus())
    for folder in ("dev", "topics"):
        paths += sorted((SHARED / folder).glob("*.txt"))
    return paths


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def extract_file(path: Path) -> Extraction:
    return extract(read_article(path))


def map_graphs(x: Extraction, iris: Iris) -> tuple[Graph, Graph]:
    return to_graph(x, iris), lexicon_graph(x, iris)


def conforms(g: Graph, vocab: Graph, label: str, check: Callable[[Graph, Graph, str], None] = validate) -> bool:
    try:
        check(g, vocab, label)
        return True
    except ValidationError:
        return False


def reference(g: Graph, vocab: Graph, label: str) -> bool:
    return conforms(g, vocab, label, validate_pyshacl)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="article files (default: seed + shared dev/topics)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (at least 5; at scale, 1 or more)")
    parser.add_argument("--scale", help="article counts, comma-separated: end to end at scale (see above)")
    parser.add_argument("--steps", type=int, help="articles: CPU per step, one process, per revision (see above)")
    parser.add_argument("--revisions", default="main,.", help="at scale and steps: git revisions to compare ('.': the work tree)")
    parser.add_argument("--workers", default="", help="at scale: --workers values for the revisions that have it")
    parser.add_argument("--served", action="store_true",
                        help="at scale: each ingest through a running factgraph serve of its revision")
    args = parser.parse_args()
    if args.steps:
        from ingest_steps import run_steps

        run_steps(args.steps, args.repeat, args.revisions.split(","), args.files)
        return
    if args.scale:
        from ingest_scale import run_scale

        run_scale([int(n) for n in args.scale.split(",")], args.repeat, args.revisions.split(","),
                  [int(w) for w in args.workers.split(",") if w], args.files, args.served)
        return
    repeat = max(5, args.repeat)
    paths = args.files or default_paths()
    iris = Iris()
    vocab = vocabulary(iris)

    t0 = time.perf_counter()  # first use: vocabulary closure (cached on disk), rule tables, shapes
    x = extract(read_article(paths[0]))
    g, lex = to_graph(x, iris), lexicon_graph(x, iris)
    conforms(g + lex, vocab, "warm-up")
    reference(g + lex, vocab, "warm-up")
    infer(g, iris, lex)
    infer_owlrl(g, iris, lex)
    print(f"{len(paths)} article(s), median of {repeat} runs each; first use (closures, tables, shapes) "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    print()
    header = (f"{'article':<44} {'triples':>7} " + " ".join(f"{s + ' ms':>11}" for s in STEPS)
              + f" {'py/shacl':>8} {'owlrl/comp':>10} {'comp/extr':>9} same")
    print(header)
    print("-" * len(header))
    med: dict[str, list[float]] = {s: [] for s in STEPS}
    graphs: list[tuple[Graph, Graph]] = []
    differ = shacl_differ = 0
    for path in paths:
        ms: dict[str, float] = {}
        ms["extract"], x = median_ms(partial(extract_file, path), repeat)
        ms["map"], (g, lex) = median_ms(partial(map_graphs, x, iris), repeat)
        ms["pyshacl"], verdict = median_ms(partial(reference, g + lex, vocab, str(path)), repeat)
        ms["shacl"], fast = median_ms(partial(conforms, g + lex, vocab, str(path)), repeat)
        shacl_differ += verdict != fast
        ms["owlrl"], expected = median_ms(partial(infer_owlrl, g, iris, lex), repeat)
        ms["compiled"], inferred = median_ms(partial(infer, g, iris, lex), repeat)
        same = set(expected) == set(inferred)
        differ += not same
        graphs.append((g, lex))
        for s in STEPS:
            med[s].append(ms[s])
        name = path.name if len(path.name) <= 44 else path.name[:43] + "…"
        print(f"{name:<44} {len(g):>7} " + " ".join(f"{ms[s]:>11.1f}" for s in STEPS)
              + f" {ms['pyshacl'] / ms['shacl']:>8.0f} {ms['owlrl'] / ms['compiled']:>10.0f} {ms['compiled'] / ms['extract']:>9.2f} "
              + ("yes" if same else "NO"))
    print("-" * len(header))
    per = {s: statistics.median(med[s]) for s in STEPS}
    total = {s: sum(med[s]) for s in STEPS}
    print(f"{'median per article':<52} " + " ".join(f"{per[s]:>11.1f}" for s in STEPS))
    print(f"{'sum over articles':<52} " + " ".join(f"{total[s]:>11.1f}" for s in STEPS))
    print()

    together = Graph()
    for g, lex in graphs:
        together += g
        together += lex
    n = len(paths)
    py_batch_ms, py_ok = median_ms(lambda: reference(together, vocab, "batch"), repeat)
    batch_ms, ok = median_ms(lambda: conforms(together, vocab, "batch"), repeat)
    print(f"SHACL, one article at a time: pySHACL {total['pyshacl']:.0f} ms in all (median {per['pyshacl']:.1f} ms "
          f"per article), compiled {total['shacl']:.0f} ms (median {per['shacl']:.2f} ms); same verdict on "
          f"{n - shacl_differ} of {n}")
    print(f"SHACL, the batch in one run: pySHACL {py_batch_ms:.0f} ms = {py_batch_ms / n:.1f} ms per article "
          f"({'conforms' if py_ok else 'does NOT conform'}), compiled {batch_ms:.0f} ms = {batch_ms / n:.2f} ms "
          f"per article ({'conforms' if ok else 'does NOT conform'}), {py_batch_ms / batch_ms:.0f}x")

    sizes = sorted({k for k in (1, 2, 4, 8, 16, n) if k <= n})
    print("SHACL by batch size (the first k articles in one run, median), pySHACL | compiled:")
    for k in sizes:
        batch = Graph()
        for g, lex in graphs[:k]:
            batch += g
            batch += lex
        py_ms, _ = median_ms(partial(reference, batch, vocab, "batch"), repeat)
        k_ms, _ = median_ms(partial(conforms, batch, vocab, "batch"), repeat)
        print(f"  {k:>3} article(s), {len(batch):>6} triples: {py_ms:7.0f} ms, {py_ms / k:6.1f} ms per article, "
              f"{py_ms / len(batch) * 1000:6.0f} us per triple | {k_ms:7.1f} ms, {k_ms / k:6.2f} ms per article, "
              f"{k_ms / len(batch) * 1000:5.1f} us per triple")

    def run_ingest() -> None:
        with EmbeddedStore(None) as store:
            ingest(store, paths, iris, strict=False)

    ingest_ms, _ = median_ms(run_ingest, repeat)
    def pyshacl_union(data: Graph | tuple[Graph, ...], vocab: Graph, label: str) -> None:
        union = Graph()
        for g in data if isinstance(data, tuple) else (data,):
            union += g
        validate_pyshacl(union, vocab, label)

    with mock.patch.object(preparation, "validate", pyshacl_union):
        py_ingest_ms, _ = median_ms(run_ingest, repeat)
    for name, t in (("compiled shapes", ingest_ms), ("pySHACL", py_ingest_ms)):
        print(f"pipeline.ingest of the {n} articles into an in-memory store ({name}, compiled rules): {t:.0f} ms "
              f"= {t / n:.1f} ms per article = {n / t * 1000:.1f} articles/s")
    print()
    e = total["extract"]
    after_owlrl = total["map"] + py_batch_ms + total["owlrl"]
    after_pyshacl = total["map"] + py_batch_ms + total["compiled"]
    after_compiled = total["map"] + batch_ms + total["compiled"]
    print(f"reasoning / extraction (sums): owlrl {total['owlrl'] / e:.2f}, compiled {total['compiled'] / e:.2f}; "
          f"owlrl / compiled {total['owlrl'] / total['compiled']:.0f}x")
    print(f"everything after extraction / extraction (map + batch SHACL + reasoning, sums): "
          f"pySHACL and owlrl {after_owlrl / e:.2f}, pySHACL and compiled rules {after_pyshacl / e:.2f}, "
          f"compiled shapes and rules {after_compiled / e:.2f}")
    print(f"compiled inferences equal to owlrl's on {n - differ} of {n} articles")


if __name__ == "__main__":
    main()
