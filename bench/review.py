"""What a reviewer's write costs as the store grows (issue #12).

Ingests articles into an in-memory store (the built-in corpus, or the folders given), or
loads N synthetic claims (``bench/pages.py``'s shape: many more conflicts per claim than
real articles make, so the refresh's write of the conflicts graph dominates), then times, median of ``--repeat`` runs each: a revision ("confirmed": the
write and the conflicts refresh that follows it), the refresh alone (what the write waits
for), the overlay's read of the current readings, a verdict (no refresh), the review
queue's first page, its counts, and the ClaimReview feed with the verdicts given.

    python bench/review.py [FOLDER ...] [--claims N] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from pages import BASE, FG, synthetic_nquads  # bench/ is run as a folder of scripts

from factgraph.graph import conflicts, pipeline, review_queue, review_store
from factgraph.graph.catalogue import query_text
from factgraph.graph.claimreview import claimreview_feed
from factgraph.graph.review import newsroom
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris
from factgraph.graph.vocabulary import ensure_loaded


def median_ms(run: Callable[[int], object], repeat: int) -> float:
    times = []
    for i in range(repeat):
        t = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, help="folders of articles (default: the built-in corpus)"
    )
    parser.add_argument("--claims", type=int, default=0, help="synthetic claims instead of articles")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="only the reads (at 100k claims a write's refresh takes minutes)",
    )
    args = parser.parse_args()

    import pyoxigraph as ox

    iris = Iris(BASE)
    store = EmbeddedStore(None)
    if args.claims:
        store._ox.bulk_load(synthetic_nquads(args.claims), ox.RdfFormat.N_QUADS)  # noqa: SLF001 - set-up only
        ensure_loaded(store, iris)
    else:
        paths = [p for f in args.folders for p in sorted(f.glob("*.txt"))] or pipeline.builtin_corpus()
        pipeline.ingest(store, paths, iris, strict=False)
    claims = [str(r[0]) for r in store.query(f"SELECT ?c WHERE {{ ?c a <{FG}FigureClaim> }} LIMIT 200")]
    if len(claims) < 2 * args.repeat:
        parser.error(f"{len(claims)} claims: too few for {args.repeat} revisions and {args.repeat} verdicts")
    alice = review_store.ensure_reviewer(store, iris, "alice")
    choices = query_text("pages/review_choices")
    reads = {
        "a claim's current reading": lambda i: review_store.current_reading(store, claims[i]),
        "a claim's machine reading": lambda i: review_store.machine_reading(store, claims[i]),
        "review choices (uncached query)": lambda i: list(store.query(choices)),
        "queue, first 200 (/review)": lambda i: review_queue.review_queue(store, limit=200),
    }
    rows = {
        "revise (write + refresh)": lambda i: review_store.revise(store, iris, claims[i], alice, "confirmed"),
        "conflicts refresh alone": lambda i: conflicts.refresh(store, iris),
        "current readings (overlay input)": lambda i: review_store.current_readings(store),
        "verdict": lambda i: review_store.give_verdict(
            store, iris, claims[-1 - i], alice, "false", "Synthetic."
        ),
        "queue, first 50": lambda i: review_queue.review_queue(store),
        "queue counts": lambda i: review_queue.queue_counts(store),
        "ClaimReview feed": lambda i: claimreview_feed(store, newsroom({}, BASE)),
    }
    n = len(list(store.query(f"SELECT ?c WHERE {{ ?c a <{FG}FigureClaim> }}")))
    print(f"{n} claims, {len(store._ox)} quads; median of {args.repeat}, ms")  # noqa: SLF001
    chosen = reads if args.reads_only else {**rows, **reads}
    if args.reads_only:
        chosen["queue counts"] = rows["queue counts"]
    for name, run in chosen.items():
        print(f"{name:36} {median_ms(run, args.repeat):10.1f}", flush=True)


if __name__ == "__main__":
    main()
