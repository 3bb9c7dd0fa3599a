"""Conflicts on a store: full refresh against the incremental refresh after one article.

    python bench/conflicts_incremental.py [--sizes 100000 1000000] [--repeat 5]
        [--dir DIR] [--full-repeat N] [--bulk-write-from 1000000]
    python bench/conflicts_incremental.py --sizes 1000000 --dir DIR --revisions main,.
        [--rounds 4] [--per-round 3] [--first 1000]

The second form compares revisions on the store already built under DIR (``side_by_side``).

For each size, an embedded store is bulk-loaded with that many synthetic claims in the
project's claim shape (``bench/conflict_store_data.py``: ``bench/conflicts.py``'s records
as ``mapping.py`` writes claims, 20 to an article) and the vocabulary they use. Then, in
one run and interleaved:

- **full**: ``conflicts.refresh``, what ``factgraph conflicts`` does: read every claim,
  detect, replace the conflicts graph (the first run writes it from nothing, the others
  replace it);
- **one article**: a new article of 20 claims drawn like the others is written with its
  stale mark (as ``pipeline.ingest`` writes an article), then (the conflict keys built
  once before, timed apart: what the first incremental refresh of a store without them
  does)
  ``conflict_update.refresh_after``: the claims it can meet are read, judged again and
  the verdicts that changed written. The region is the time windows and series around
  the new claims (``graph/conflict_region.py``), or whole groups when undated claims
  are near.

With ``--dir``, each size's store is on disk (``DIR/store-N``, built once from
``DIR/claims-N.nq`` and reused: its conflicts graph is rewritten by every full run), as a
newsroom's store is; without it, in memory (a 1M store with its 27M-triple conflicts graph
does not fit in memory beside other work). ``--full-repeat`` caps the full runs (at 1M one
takes many minutes); the incremental runs are always ``--repeat``.

From ``--bulk-write-from`` claims on, the full refresh is timed by its phases and its
conflicts graph written by a bulk load of the streamed N-Triples, not by
``conflicts.refresh``'s one SPARQL update (27M triples at 1M: the update's text and its
parse do not fit in memory); the phases before the write are the product's.

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
from conflict_store_data import BASE, claims_nquads, records, vocabulary_nquads, write_nquads  # noqa: E402

from factgraph.graph import conflict_keys, conflict_store, conflict_update, staleness  # noqa: E402
from factgraph.graph.conflict_store import detection_graph, load_hierarchies, load_records, verdict_lines  # noqa: E402
from factgraph.graph.conflicts import ClaimRecord, Conflict, detect, refresh  # noqa: E402
from factgraph.graph.store import Changes, EmbeddedStore  # noqa: E402
from factgraph.graph.terms import Iris  # noqa: E402

IRIS = Iris(BASE)


def build(n: int, where: Path | None) -> tuple[EmbeddedStore, list[ClaimRecord]]:
    """The store of n synthetic claims: in memory, or on disk under ``where`` (built
    once, then reused)."""
    if where is None:
        recs, part_of = records(n)
        data = (vocabulary_nquads(part_of) + claims_nquads(recs)).encode()
        store = EmbeddedStore(None)
        store._ox.bulk_load(io.BytesIO(data), ox.RdfFormat.N_QUADS)
        return store, recs
    path, quads = where / f"store-{n}", where / f"claims-{n}.nq"
    built = path.exists()
    if not built:
        write_nquads(n, str(quads))
    store = EmbeddedStore(path)
    if not built:
        store._ox.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
        store._ox.flush()
        store._ox.optimize()
        quads.unlink()
    # the records the store was built from (the generator is deterministic): reading them
    # back would cost what a full refresh's read does
    return store, records(n)[0]


def full_bulk(
    store: EmbeddedStore, where: Path, recs: list[ClaimRecord] | None = None
) -> tuple[list[Conflict], dict[str, float]]:
    """What ``conflicts.refresh`` does, by phases, its conflicts graph written by a bulk
    load of N-Triples streamed to a file (not atomic: for measuring at 1M only). Given
    ``recs``, the store's records are not read (the store is only being prepared)."""
    spent: dict[str, float] = {}
    t0 = time.perf_counter()
    seen = staleness.marks(store, IRIS)
    places, kinds, cumulative = load_hierarchies(store)
    if recs is None:
        recs = load_records(store, IRIS)
        spent["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = detect(recs, places, kinds, None, cumulative or None)
    del recs
    spent["detect"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text = where / "conflicts.nt"
    with open(text, "w", encoding="utf-8") as out:
        out.write(detection_graph(IRIS).serialize(format="nt"))
        for line in verdict_lines(found, IRIS):
            out.write(line)
    spent["lines"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.apply(Changes(drop=(IRIS.conflicts_graph,), remove={IRIS.status_graph: seen}))
    store._ox.bulk_load(
        path=str(text), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(IRIS.conflicts_graph))
    )
    store._ox.flush()
    text.unlink()
    spent["write"] = time.perf_counter() - t0
    return found, spent


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
    return write_article(store, new_article(stored, k), k)


def write_article(store: EmbeddedStore, recs: list[ClaimRecord], k: int) -> conflict_update.Writes:
    """Write article k's records ``recs`` with its stale mark, in one transaction."""
    activity = IRIS.activity(f"ingest/bench-{k}")
    mark = staleness.mark(IRIS, activity).serialize(format="nt")
    quads = claims_nquads(recs) + "".join(
        f"{line[:-2]} <{IRIS.status_graph}> .\n" for line in mark.splitlines() if line
    )
    store._ox.extend(ox.parse(io.BytesIO(quads.encode()), ox.RdfFormat.N_QUADS))  # one transaction
    return conflict_update.Writes(activity, frozenset({f"{BASE}article/new{k}"}))


# one process of the side by side (``--revisions``): the articles of a pickle refreshed in
# turn on the store, the first a warm-up; a JSON line an article
CHILD = """
import json, os, pickle, sys, time
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()] if {pinned} else sys.meta_path
sys.path.insert(0, {bench!r})
from conflicts_incremental import IRIS, write_article
from factgraph.graph import conflict_update
from factgraph.graph.store import EmbeddedStore
store = EmbeddedStore({store!r})
for k, recs in pickle.loads(open({articles!r}, "rb").read()):
    writes = write_article(store, recs, k)
    t0, c0 = time.perf_counter(), time.process_time()
    done = conflict_update.refresh_after(store, IRIS, writes)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps(dict(k=k, wall=wall, cpu=cpu, read=done.claims_read, judged=len(done.judged),
                          removed=done.removed, added=done.added, incremental=done.incremental,
                          load=os.getloadavg()[0])), flush=True)
store.close()
"""


def side_by_side(n: int, where: Path, revisions: list[str], rounds: int, per_round: int, first: int) -> None:
    """Each round, ``per_round`` new articles (after a warm-up one) refreshed by each
    revision in its own process on the one store, the order of the revisions turning
    from round to round: the first process writes the articles and their verdicts, the
    others write the same articles again (the same claims read and judged, nothing to
    write). Medians of wall and CPU a revision, and of the per-article ratios to the first."""
    import json
    import pickle
    import subprocess
    import tempfile

    from revisions import checkout

    path = where / f"store-{n}"
    assert path.exists(), f"build {path} first (--dir without --revisions)"
    stored = records(n)[0]
    got: dict[str, dict[int, dict]] = {rev: {} for rev in revisions}
    with tempfile.TemporaryDirectory(prefix="factgraph-conflicts-side-") as tmp:
        pkgs = {rev: checkout(rev, Path(tmp) / f"rev{i}") for i, rev in enumerate(revisions)}
        for r in range(rounds):
            ks = [first + r * (per_round + 1) + i for i in range(per_round + 1)]  # the first: warm-up
            articles = Path(tmp) / f"round{r}.pickle"
            articles.write_bytes(pickle.dumps([(k, new_article(stored, k)) for k in ks]))
            order = revisions[r % len(revisions) :] + revisions[: r % len(revisions)]
            for rev in order:
                env = dict(os.environ)
                if pkgs[rev] is not None:
                    env["PYTHONPATH"] = str(pkgs[rev])
                code = CHILD.format(
                    pinned=pkgs[rev] is not None, bench=str(Path(__file__).parent), store=str(path), articles=str(articles)
                )
                done = subprocess.run(  # not run in the work tree, whose factgraph/ would be imported
                    [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp
                )
                if done.returncode:
                    raise SystemExit(f"{rev}: {done.stderr[-3000:]}")
                for line in done.stdout.splitlines()[1:]:  # the warm-up left out
                    d = json.loads(line)
                    got[rev][d["k"]] = d
                    print(
                        f"# round {r + 1} {rev:>8}: article {d['k']} wall {d['wall']:.3f} s, CPU {d['cpu']:.3f} s,"
                        f" {d['read']} claims read, {d['judged']} judged, -{d['removed']}/+{d['added']},"
                        f" load {d['load']:.1f}",
                        flush=True,
                    )
    base = revisions[0]
    print(f"{'revision':>10} {'wall s':>8} {'CPU s':>8} {'wall x':>7} {'CPU x':>7} {'load':>9} (medians, {len(got[base])} articles)")
    for rev in revisions:
        rows = got[rev].values()
        loads = [d["load"] for d in rows]
        ratio = {m: statistics.median(got[base][k][m] / d[m] for k, d in got[rev].items()) for m in ("wall", "cpu")}
        print(
            f"{rev:>10} {statistics.median(d['wall'] for d in rows):>8.3f} {statistics.median(d['cpu'] for d in rows):>8.3f}"
            f" {ratio['wall']:>7.2f} {ratio['cpu']:>7.2f} {min(loads):>4.1f}-{max(loads):.1f}"
        )


def measure(n: int, repeat: int, where: Path | None, full_repeat: int, bulk: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    store, stored = build(n, where)
    print(
        f"# {n} claims: store ready in {time.perf_counter() - t0:.0f} s, {len(store._ox)} quads"
        f" ({'on disk' if where else 'in memory'}; full refresh {'phases, bulk write' if bulk else 'conflicts.refresh'})",
        flush=True,
    )
    full: list[float] = []
    one, read = [], []
    found: list[Conflict] = []
    if full_repeat == 0 and conflict_store.detection_run(store, IRIS) is None:
        assert where is not None, "--full-repeat 0 needs --dir"
        t0 = time.perf_counter()
        found, spent = full_bulk(store, where, stored)
        print(
            f"#   conflicts graph written once, not timed as a refresh ({len(found)} verdicts, "
            + ", ".join(f"{p} {t:.1f} s" for p, t in spent.items())
            + f", load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    if not conflict_keys.current(store, IRIS):  # what the first refresh would do: built apart, timed apart
        t0, c0 = time.perf_counter(), time.process_time()
        conflict_keys.rebuild(store, IRIS)
        print(
            f"#   conflict keys built once, not timed as a refresh ({time.perf_counter() - t0:.1f} s,"
            f" CPU {time.process_time() - c0:.1f} s, load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    for k in range(repeat):
        if k < full_repeat:
            t0 = time.perf_counter()
            if bulk:
                assert where is not None, "--bulk-write-from needs --dir"
                found, spent = full_bulk(store, where)
                print(
                    "#   full refresh phases: " + ", ".join(f"{p} {t:.1f} s" for p, t in spent.items()),
                    flush=True,
                )
            else:
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
            f"#   run {k + 1}: full {full[-1] if k < full_repeat else float('nan'):.2f} s ({len(found)} verdicts),"
            f" one article {one[-1]:.3f} s, {how} "
            f"({done.claims_read} claims read, {len(done.judged)} judged, -{done.removed}/+{done.added} triples),"
            f" load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    store.close()
    return {
        "full": statistics.median(full) if full else float("nan"),
        "one": statistics.median(one),
        "read": statistics.median(read),
    }


def exponent(n: int, t: float, before: tuple[int, float] | None) -> str:
    return "" if before is None else f"{math.log(t / before[1]) / math.log(n / before[0]):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", type=Path, help="keep each size's store on disk here (built once)")
    ap.add_argument("--full-repeat", type=int, default=None, help="full runs at most (default: --repeat)")
    ap.add_argument("--bulk-write-from", type=int, default=1_000_000)
    ap.add_argument(
        "--revisions", help="REV,REV: side by side on the store under --dir ('.': the work tree; see side_by_side)"
    )
    ap.add_argument("--rounds", type=int, default=4, help="with --revisions")
    ap.add_argument("--per-round", type=int, default=3, help="with --revisions: articles a process, after a warm-up")
    ap.add_argument("--first", type=int, default=1000, help="with --revisions: the first article's number")
    args = ap.parse_args()
    if args.revisions:
        assert args.dir is not None, "--revisions needs --dir"
        for n in args.sizes:
            side_by_side(n, args.dir, args.revisions.split(","), args.rounds, args.per_round, args.first)
        print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
        return
    results = []
    for n in args.sizes:
        if args.dir:
            args.dir.mkdir(parents=True, exist_ok=True)
        full_repeat = args.repeat if args.full_repeat is None else args.full_repeat
        results.append((n, measure(n, args.repeat, args.dir, full_repeat, n >= args.bulk_write_from)))
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
