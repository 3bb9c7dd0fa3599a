"""Conflicts on a store: full refresh against the incremental refresh after one article.

    python bench/conflicts_incremental.py [--sizes 100000 1000000] [--repeat 5]

For each size, an embedded store is bulk-loaded with that many synthetic claims in the
project's claim shape (``bench/conflict_store_data.py``: ``bench/conflicts.py``'s records
as ``mapping.py`` writes claims, 20 to an article) and the vocabulary they use. Then, in
one run and interleaved:

- **full**: ``conflicts.refresh``, what ``factgraph conflicts`` does: read every claim,
  detect, replace the conflicts graph (the first run writes it from nothing, the others
  replace it);
- **one article**: a new article of 20 claims drawn like the others is written with its
  stale mark (as ``pipeline.ingest`` writes an article), then
  ``conflict_update.refresh_after``: the claims it can meet are read, judged again and
  the verdicts that changed written. The region is the time windows and series around
  the new claims (``graph/conflict_region.py``), or whole groups when undated claims
  are near.

Medians of ``--repeat`` runs, the ratio full / one article, the claims the incremental
refresh read, and the growth exponent between sizes (log(t2/t1) / log(n2/n1)). The load
average is printed: on a shared machine the wall clock counts the neighbours too.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pyoxigraph as ox  # noqa: E402
from conflict_store_data import BASE, claims_nquads, records, vocabulary_nquads  # noqa: E402

from factgraph.graph import conflict_update, staleness  # noqa: E402
from factgraph.graph.conflicts import ClaimRecord, refresh  # noqa: E402
from factgraph.graph.store import EmbeddedStore  # noqa: E402
from factgraph.graph.terms import Iris  # noqa: E402

IRIS = Iris(BASE)


def build(n: int) -> tuple[EmbeddedStore, list[ClaimRecord]]:
    recs, part_of = records(n)
    data = (vocabulary_nquads(part_of) + claims_nquads(recs)).encode()
    store = EmbeddedStore(None)
    store._ox.bulk_load(io.BytesIO(data), ox.RdfFormat.N_QUADS)
    return store, recs


def new_article(stored: list[ClaimRecord], k: int) -> list[ClaimRecord]:
    """Article k: 20 new claims by the sources, on the kinds and places, of 20 stored
    claims drawn at random, their figures and dates a little different."""
    rng = random.Random(k)
    out = []
    for j, r in enumerate(rng.sample(stored, 20)):
        end = date.fromisoformat(r.period_end or "2019-01-01") + timedelta(days=rng.randrange(-30, 31))
        out.append(
            ClaimRecord.make(
                f"{BASE}claim/new{k}/{j}",
                r.claimant,
                r.quantity,
                max(1.0, round((r.value or 1) * rng.lognormvariate(0, 0.3))),
                r.bound,
                value_high=r.value_high,
                places=r.places,
                period_start=r.period_start,
                period_end=end.isoformat(),
                quote=f"New claim {j}.",
                article=f"{BASE}article/new{k}",
            )
        )
    return out


def add_article(store: EmbeddedStore, stored: list[ClaimRecord], k: int) -> conflict_update.Writes:
    """Write article k with its stale mark, in one transaction (as an ingest does)."""
    recs = new_article(stored, k)
    activity = IRIS.activity(f"ingest/bench-{k}")
    mark = staleness.mark(IRIS, activity).serialize(format="nt")
    quads = claims_nquads(recs) + "".join(
        f"{line[:-2]} <{IRIS.status_graph}> .\n" for line in mark.splitlines() if line
    )
    store._ox.extend(ox.parse(io.BytesIO(quads.encode()), ox.RdfFormat.N_QUADS))  # one transaction
    return conflict_update.Writes(activity, frozenset({f"{BASE}article/new{k}"}))


def measure(n: int, repeat: int) -> dict[str, float]:
    t0 = time.perf_counter()
    store, stored = build(n)
    print(
        f"# {n} claims: store built in {time.perf_counter() - t0:.0f} s, {len(store._ox)} quads", flush=True
    )
    full, one, read = [], [], []
    for k in range(repeat):
        t0 = time.perf_counter()
        found = refresh(store, IRIS)
        full.append(time.perf_counter() - t0)
        writes = add_article(store, stored, k)
        t0 = time.perf_counter()
        done = conflict_update.refresh_after(store, IRIS, writes)
        one.append(time.perf_counter() - t0)
        read.append(done.claims_read)
        how = (
            ("incremental, windowed" if done.windowed else "incremental, whole groups")
            if done.incremental
            else "fell back to a full refresh"
        )
        print(
            f"#   run {k + 1}: full {full[-1]:.2f} s ({len(found)} verdicts), one article {one[-1]:.3f} s, {how} "
            f"({done.claims_read} claims read, {len(done.judged)} judged, -{done.removed}/+{done.added} triples)",
            flush=True,
        )
    store.close()
    return {"full": statistics.median(full), "one": statistics.median(one), "read": statistics.median(read)}


def exponent(n: int, t: float, before: tuple[int, float] | None) -> str:
    return "" if before is None else f"{math.log(t / before[1]) / math.log(n / before[0]):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    results = []
    for n in args.sizes:
        results.append((n, measure(n, args.repeat)))
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
    print(
        f"{'claims':>10} {'full s':>8} {'exp':>5} {'1 article s':>12} {'exp':>5} {'ratio':>7} {'claims read':>12}"
    )
    full_before = one_before = None
    for n, r in results:
        print(
            f"{n:>10} {r['full']:>8.2f} {exponent(n, r['full'], full_before):>5} {r['one']:>12.3f}"
            f" {exponent(n, r['one'], one_before):>5} {r['full'] / r['one']:>7.0f} {r['read']:>12.0f}"
        )
        full_before, one_before = (n, r["full"]), (n, r["one"])


if __name__ == "__main__":
    main()
