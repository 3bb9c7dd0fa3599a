"""Benchmark of the conflict detector: time per size and growth exponent.

    python bench/conflicts.py [--sizes 10000 100000 1000000] [--seed 1]

Synthetic claims look like the corpus: a few claimants (sources) publishing running
tallies of a few quantity kinds (nested: children within civilians within all deaths)
over a gazetteer of countries, provinces and towns, with stated periods over five
years and all the bounds. The exponent between two sizes is
log(t2 / t1) / log(n2 / n1): 1 is linear, 2 all pairs.

Both the wall-clock time and the CPU time of this process are printed, each with its
exponent: on a shared machine the wall clock also counts the time the neighbours held
the CPU, the CPU time only the detector's work (and the limits apply to the wall clock).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from datetime import date, timedelta

from factgraph.graph.conflicts import ClaimRecord, detect

KINDS = {
    "child_deaths": {"civilian_deaths", "people_killed_total"},
    "women_deaths": {"civilian_deaths", "people_killed_total"},
    "civilian_deaths": {"people_killed_total"},
    "people_killed_total": set(),
    "air_strikes": set(),
    "reports_received": set(),
}
BOUNDS = ["exact", "exact", "at_least", "more_than", "about", "at_most", "range"]
CLAIMANTS = [
    f"agent/{k}" for k in ("coalition", "osdh", "airwars", "hrw", "un", "sn4hr", "article", "amnesty")
]


def gazetteer(
    countries: int = 4, provinces: int = 10, towns: int = 10
) -> tuple[list[str], dict[str, set[str]]]:
    """Countries, provinces in them, towns in those: place -> enclosing places."""
    part_of: dict[str, set[str]] = {}
    places = []
    for c in range(countries):
        country = f"place/c{c}"
        places.append(country)
        for p in range(provinces):
            province = f"{country}-p{p}"
            part_of[province] = {country}
            places.append(province)
            for t in range(towns):
                town = f"{province}-t{t}"
                part_of[town] = {province, country}
                places.append(town)
    return places, part_of


def synthetic(n: int, rng: random.Random) -> tuple[list[ClaimRecord], dict[str, set[str]]]:
    """n claims; the gazetteer grows with n (about 2,500 claims per country), as a
    bigger store covers more places, not more claims per place."""
    places, part_of = gazetteer(countries=max(4, n // 2500))
    countries = [p for p in places if p not in part_of]
    origin = date(2014, 8, 1)
    base = {}  # the "true" daily toll of each place and kind, which sources estimate
    out = []
    for i in range(n):
        kind = rng.choice(list(KINDS))
        if rng.random() < 0.3:  # campaign tallies over a country or two neighbours
            c = rng.randrange(len(countries))
            scope = frozenset(countries[(c + k) % len(countries)] for k in range(rng.choice((1, 2))))
        else:
            scope = frozenset({rng.choice(places)})
        end = origin + timedelta(days=rng.randrange(5 * 365))
        start = origin if rng.random() < 0.6 else end - timedelta(days=rng.randrange(1, 120))
        rate = base.setdefault(
            (kind, scope), rng.uniform(0.1, 5.0) / (1 + len(part_of.get(min(scope), ()))) ** 3
        )
        value = float(max(1, round(rate * (end - start).days * rng.lognormvariate(0, 0.2))))
        if rng.random() < 0.05:  # an outlier: a misprint or a disputed count
            value *= rng.choice((0.3, 3.0))
        bound = rng.choice(BOUNDS)
        out.append(
            ClaimRecord.make(
                f"claim/a{i // 20}/{i}",
                rng.choice(CLAIMANTS),
                kind,
                value,
                bound,
                value_high=value * (1 + rng.random()) if bound == "range" else None,
                places=scope,
                period_start=start.isoformat() if rng.random() < 0.8 else None,
                period_end=end.isoformat(),
                quote="synthetic",
            )
        )
    return out, part_of


def run(n: int, seed: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, verdicts) of one detection over n synthetic claims."""
    records, part_of = synthetic(n, random.Random(seed))
    t0, c0 = time.perf_counter(), time.process_time()
    found = detect(records, part_of, KINDS)
    return time.perf_counter() - t0, time.process_time() - c0, len(found)


def exponent(n: int, t: float, previous: tuple[int, float] | None) -> str:
    if previous is None:
        return ""
    return f"{math.log(t / previous[1]) / math.log(n / previous[0]):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    wall_before: tuple[int, float] | None = None
    cpu_before: tuple[int, float] | None = None
    print(
        f"{'claims':>10} {'seconds':>9} {'exponent':>9} {'cpu s':>9} {'exponent':>9} {'verdicts':>9} {'us/claim':>9}"
    )
    for n in args.sizes:
        wall, cpu, verdicts = run(n, args.seed)
        print(
            f"{n:>10} {wall:>9.2f} {exponent(n, wall, wall_before):>9} {cpu:>9.2f}"
            f" {exponent(n, cpu, cpu_before):>9} {verdicts:>9} {wall / n * 1e6:>9.1f}",
            flush=True,
        )
        wall_before, cpu_before = (n, wall), (n, cpu)


if __name__ == "__main__":
    main()
