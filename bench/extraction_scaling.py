"""Is extraction near-linear in the number of figures? Times ``extract`` (and the
mapping, ``to_graph``) on synthetic articles of N figures (default 1000, 2000, 4000):
varied sentences of attributed figures, places and dates, one paragraph each. Prints CPU
CPU seconds, claims, milliseconds per figure, and the ratio of each time to the previous size's (2.0 = linear when
the size doubles). Bounded: stops after the sizes given. Nothing is asserted.

    python bench/extraction_scaling.py [--sizes 1000 2000 4000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from factgraph.graph.article import parse_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import to_graph
from factgraph.graph.terms import Iris

SENTENCES = [
    "Selon l'OSDH, {n} civils ont été tués à Raqqa entre janvier et mars {y}.",
    "La coalition a reconnu que plus de {n} civils avaient été tués en Syrie depuis {y}.",
    "L'ONU estime qu'au moins {n} personnes sont mortes à Alep en {y}.",
    "According to Airwars, about {n} civilians were killed in Mosul in {y}.",
    "Le ministère de la Santé a fait état de {n} blessés à Gaza le 3 mai {y}.",
]


def article(figures: int) -> str:
    body = "\n\n".join(SENTENCES[i % len(SENTENCES)].format(n=100 + 7 * i, y=2014 + i % 6)
                       for i in range(figures))
    return " date 2019-05\n\n" + body + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    ap.add_argument("--profile", action="store_true", help="cProfile the largest size, top 25 by cumulative time")
    args = ap.parse_args()
    iris = Iris("http://127.0.0.1:5000/")
    extract(parse_article(article(10), "warm.txt"))  # imports, caches
    prev: tuple[float, float] | None = None
    print(f"{'figures':>8} {'claims':>7} {'extract s':>10} {'x prev':>7} {'ms/fig':>7} {'map s':>8} {'x prev':>7}")
    for n in args.sizes:
        a = parse_article(article(n), f"synthetic-{n}.txt")
        t0 = time.process_time()
        x = extract(a)
        t1 = time.process_time()
        to_graph(x, iris)
        t2 = time.process_time()
        ex, mp = t1 - t0, t2 - t1
        ratios = (f"{ex / prev[0]:7.2f} ", f"{mp / prev[1]:7.2f}") if prev else ("      - ", "      -")
        print(f"{n:>8} {len(x.claims):>7} {ex:>10.2f} {ratios[0]}{1000 * ex / n:>7.2f} {mp:>8.2f} {ratios[1]}")
        prev = (ex, mp)
    if args.profile:
        a = parse_article(article(args.sizes[-1]), "profiled.txt")
        prof = cProfile.Profile()
        prof.runcall(extract, a)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
