"""``/sparql`` against the Oxigraph server on the same quads (issue #14).

Generates (once, cached under /tmp/factgraph-bench) the N-Quads of ``--claims`` synthetic
claims (``pages.synthetic_nquads``: the project's own claim shape), loads them into a
factgraph store and into an Oxigraph server's store, starts ``factgraph serve`` and
``oxigraph serve --union-default-graph`` (the ``oxigraph`` command of the venv, as
``.ci/services.sh`` installs it) on free loopback ports, then:

- runs the point lookup of one claim and the five fact-checker queries interleaved
  (each round: every query on one server then the other, the order alternating; the
  lookup ``LOOKUPS_PER_ROUND`` times a round, its round's figure their median),
  ``--repeat`` rounds, and prints the median of each with the ratio factgraph / Oxigraph;
- runs the cheap query (the lookup, a different claim each time) from ``--clients``
  concurrent clients (processes, each with its keep-alive connection) for ``--seconds``
  on each server, and prints requests/s and the ratio; with ``--probe``, meanwhile asks
  another query (two patterns about one claim: on factgraph a request thread and a query
  worker) every 50 ms on its own connection, and prints its median and p90 latency: what the
  cheap queries' load does to the latency of the other requests.

factgraph's ``QUERY_TIMEOUT`` (10 s) stops the whole-store queries at 1M claims (about
40 s on both engines): pass ``--set QUERY_TIMEOUT=300`` there. Both get the same query text (its PREFIX lines included), ``Accept: application/sparql-
results+json``, GET. Every answer is checked: status 200 and the same number of rows
on both servers.

    python bench/sparql.py [--claims 100000 1000000] [--repeat 5] [--clients 4 16] [--seconds 5]

``--revisions main,.`` compares code revisions on the same store (``git archive`` of each, or
``.`` for the work tree, imported in place of the installed package): ``--runs`` runs, each
revision's ``factgraph serve`` in turn beside a fresh Oxigraph server (the order alternating
between runs; RocksDB lets one process open the store, so they cannot run at once), then the
median over the runs of each revision's lookup ratio and throughput ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from load import free_port
from pages import BASE, FG, write_synthetic_nquads
from revisions import checkout

CACHE = Path("/tmp/factgraph-bench")
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
PREFIXES = (
    f"PREFIX fg: <{FG}>\n"
    "PREFIX schema: <https://schema.org/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)

# name -> query text with {claim}, {agent}, {place}, {value} filled in per run
QUERIES = {
    "lookup of one claim": "SELECT ?p ?o WHERE { <{claim}> ?p ?o }",
    "count by claimant and kind": (
        "SELECT ?claimant ?kind (COUNT(?c) AS ?claims) WHERE {\n"
        "  ?c a fg:FigureClaim ; fg:claimant ?claimant ; fg:quantityKind ?kind .\n"
        "} GROUP BY ?claimant ?kind ORDER BY DESC(?claims)"
    ),
    "claims in a place with its parts": (
        "SELECT ?c ?value ?label WHERE {\n"
        "  ?where (fg:partOfPlace|fg:directlyPartOf)? <{place}> .\n"
        "  ?c fg:place ?where ; fg:value ?value ; rdfs:label ?label .\n"
        "} ORDER BY DESC(?value) ?c LIMIT 100"
    ),
    "figures over time for one source": (
        "SELECT ?date (COUNT(?c) AS ?claims) (MIN(?value) AS ?low) (MAX(?value) AS ?high) WHERE {\n"
        "  ?c fg:claimant <{agent}> ; fg:statedOn ?date ; fg:value ?value .\n"
        "} GROUP BY ?date ORDER BY ?date"
    ),
    "text search in quotes": (
        "SELECT ?c ?quote WHERE {\n"
        '  ?c fg:quoteText ?quote . FILTER(CONTAINS(?quote, "de {value} civils"))\n'
        "} LIMIT 100"
    ),
    "claims of one source, first page": (
        "SELECT ?c ?value ?date WHERE {\n"
        "  ?c fg:claimant <{agent}> ; fg:value ?value ; fg:statedOn ?date .\n"
        "} ORDER BY ?c LIMIT 50"
    ),
}
CHEAP = "lookup of one claim"
WARM_LOOKUPS = 200  # before the timed rounds, on each server
# the lookup takes ~1 ms and a loaded machine delays some requests by a scheduler slice (~4 ms):
# each round's figure for it is the median of this many lookups (a random claim each, the order
# of the two servers alternating), the reported figure the median of the rounds' figures
LOOKUPS_PER_ROUND = 21


# -- data and servers ---------------------------------------------------------------------


def nquads(claims: int) -> Path:
    """The N-Quads file of ``claims`` synthetic claims, written once."""
    path = CACHE / f"claims-{claims}.nq"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".nq.part")
        t0 = time.perf_counter()
        with part.open("w", encoding="utf-8", buffering=1 << 20) as out:
            write_synthetic_nquads(claims, out)
        part.rename(path)
        print(f"wrote {path} in {time.perf_counter() - t0:.0f} s", flush=True)
    return path


def built(directory: Path, build) -> Path:  # noqa: ANN001 - a callable taking the directory
    """``directory``, built by ``build(tmp)`` once (a COMPLETE mark says it finished)."""
    if (directory / "COMPLETE").exists():
        return directory
    building = directory.with_name(directory.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    t0 = time.perf_counter()
    build(building)
    shutil.rmtree(directory, ignore_errors=True)
    building.rename(directory)
    (directory / "COMPLETE").write_text("")
    print(f"built {directory} in {time.perf_counter() - t0:.0f} s", flush=True)
    return directory


def factgraph_store(claims: int) -> Path:
    def build(path: Path) -> None:
        import pyoxigraph as ox

        from factgraph.graph.store import EmbeddedStore

        store = EmbeddedStore(path)
        store._ox.bulk_load(path=str(nquads(claims)), format=ox.RdfFormat.N_QUADS)  # noqa: SLF001 - set-up
        store.close()

    return built(CACHE / f"sparql-store-{claims}", build)


def oxigraph_store(claims: int) -> Path:
    """The Oxigraph server's store: a copy of factgraph's when the ``oxigraph`` command is
    the version of the embedded pyoxigraph (the same engine wrote it, the same quads; a
    copy takes seconds where ``oxigraph load`` takes 15 minutes for 1M claims on a busy
    machine), else the N-Quads loaded by ``oxigraph load``."""
    import pyoxigraph

    source = factgraph_store(claims)
    version = subprocess.run([str(OXIGRAPH), "--version"], capture_output=True, text=True).stdout.split()[-1]

    def build(path: Path) -> None:
        if version == pyoxigraph.__version__:
            shutil.copytree(source, path, ignore=shutil.ignore_patterns("LOCK", "COMPLETE", "factgraph-*"))
        else:
            subprocess.run([str(OXIGRAPH), "load", "--location", str(path), "--file", str(nquads(claims))],
                           check=True, stdout=subprocess.DEVNULL)

    return built(CACHE / f"sparql-oxigraph-{claims}", build)


# runs ``factgraph`` from the copy on PYTHONPATH, not the editable install of the work tree
PINNED = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "from factgraph.cli import main; sys.exit(main(sys.argv[1:]))"
)


class Server:
    """A SPARQL server as a subprocess on a free loopback port, stopped by ``stop``."""

    def __init__(self, name: str, argv: list[str], path: str, env: dict[str, str] | None = None):
        self.name, self.port, self.path = name, free_port(), path
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.log = CACHE / f"sparql-{name}-{self.port}.log"
        # run outside the work tree: ``python -c`` puts the current directory first on sys.path,
        # where the work tree's own ``factgraph/`` would shadow a pinned revision's copy
        self.proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                                     stderr=self.log.open("wb"), start_new_session=True, cwd=CACHE)
        deadline = time.monotonic() + 300
        while True:
            try:
                if get(self.port, self.url("ASK {}"))[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"{name} did not start (log: {self.log})")
            time.sleep(0.3)

    def url(self, query: str) -> str:
        return f"{self.path}?" + urllib.parse.urlencode({"query": query})

    def stop(self) -> None:
        """SIGTERM (factgraph flushes and closes its store), SIGKILL after 30 s."""
        self.proc.terminate()
        for _ in range(300):
            if self.proc.poll() is not None:
                return
            time.sleep(0.1)
        self.proc.kill()
        self.proc.wait()


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None,
        ) -> tuple[int, bytes, http.client.HTTPConnection]:
    """GET on a kept-alive connection; one that the server closed meanwhile (waitress
    closes one idle for ``SERVER_CHANNEL_TIMEOUT``, 30 s) is opened again."""
    if conn is not None:
        try:
            return _get(conn, path)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
    return _get(http.client.HTTPConnection("127.0.0.1", port, timeout=600), path)


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes, http.client.HTTPConnection]:
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    body = resp.read()
    if resp.getheader("Connection", "").lower() == "close":
        conn.close()
    return resp.status, body, conn


# -- what is measured ---------------------------------------------------------------------


class Values:
    """Random, reproducible query values: a claim, an agent, a place, a value in a quote."""

    def __init__(self, seed: int):
        self.rnd = random.Random(seed)

    def fill(self, template: str, claim_iris: list[str]) -> str:
        return (
            template.replace("{claim}", self.rnd.choice(claim_iris))
            .replace("{agent}", f"{BASE}agent/a{self.rnd.randrange(50)}")
            .replace("{place}", f"{BASE}place/p{self.rnd.randrange(20)}")
            .replace("{value}", str(self.rnd.randint(10, 20000)))
        )


def claim_sample(server: Server, n: int = 2000) -> list[str]:
    """``n`` claim IRIs spread over the store: those with a value under 200 (about 1 in 100,
    drawn at random by ``synthetic_nquads``), asked of the Oxigraph server."""
    query = PREFIXES + f"SELECT ?c WHERE {{ ?c a fg:FigureClaim ; fg:value ?v . FILTER(?v < 200) }} LIMIT {n}"
    status, body, conn = get(server.port, server.url(query))
    conn.close()
    if status != 200:
        raise SystemExit(f"{server.name}: {status} {body[:200]!r}")
    return [b["c"]["value"] for b in json.loads(body)["results"]["bindings"]]


def rows(body: bytes) -> int:
    doc = json.loads(body)
    return len(doc["results"]["bindings"]) if "results" in doc else 1


def latencies(servers: list[Server], repeat: int, claim_iris: list[str], only: list[str]) -> dict:
    """{query: {server: [ms, ...]}}, interleaved; each round fills the templates once and
    sends the same text to every server."""
    values = Values(seed=1)
    queries = {q: t for q, t in QUERIES.items() if not only or q in only}
    times: dict[str, dict[str, list[float]]] = {q: {s.name: [] for s in servers} for q in queries}
    conns: dict[str, http.client.HTTPConnection | None] = {s.name: None for s in servers}
    for s in servers:  # warm both (the first fork; the index blocks a lookup reads): not counted
        for _ in range(WARM_LOOKUPS):
            status, body, conns[s.name] = get(s.port, s.url(PREFIXES + values.fill(QUERIES[CHEAP], claim_iris)),
                                              conns[s.name])
    for round_ in range(1, repeat + 1):
        for qi, (name, template) in enumerate(queries.items()):
            tries = LOOKUPS_PER_ROUND if name == CHEAP else 1
            samples: dict[str, list[float]] = {s.name: [] for s in servers}
            for k in range(tries):
                text = PREFIXES + values.fill(template, claim_iris)
                order = servers if (round_ + qi + k) % 2 == 0 else servers[::-1]
                counts = {}
                for s in order:
                    for attempt in range(3):  # a 5xx is reported and the query asked again (not timed)
                        t0 = time.perf_counter()
                        status, body, conns[s.name] = get(s.port, s.url(text), conns[s.name])
                        elapsed = (time.perf_counter() - t0) * 1000
                        if status < 500 or attempt == 2:
                            break
                        print(f"  {s.name}: {name}: {status} {body[:200]!r}; again", flush=True)
                    if status != 200:
                        raise SystemExit(f"{s.name}: {name}: {status} {body[:300]!r}")
                    counts[s.name] = rows(body)
                    samples[s.name].append(elapsed)
                if len(set(counts.values())) != 1:
                    raise SystemExit(f"{name}: different row counts {counts}")
            for s in servers:
                times[name][s.name].append(statistics.median(samples[s.name]))
            print(f"  round {round_} {name}: " + ", ".join(
                f"{s.name} {times[name][s.name][-1]:.{2 if times[name][s.name][-1] < 10 else 0}f} ms" for s in servers),
                flush=True)
    return times


def _client(port: int, paths: list[str], seconds: float, out: multiprocessing.Queue) -> None:
    conn = None
    done = errors = 0
    stop = time.monotonic() + seconds
    i = 0
    while time.monotonic() < stop:
        try:
            status, _, conn = get(port, paths[i % len(paths)], conn)
        except (OSError, http.client.HTTPException):
            conn, status = None, 0
        i += 1
        if status == 200:
            done += 1
        else:
            errors += 1
    out.put((done, errors))


# ``--probe``: a query that is not the cheap one (two patterns: factgraph sends it to a query
# worker, through a request thread), asked every PROBE_EVERY seconds during a throughput run
PROBE = "ASK { <{claim}> fg:value ?v ; fg:claimant ?a }"
PROBE_EVERY = 0.05


def _probe(server: Server, seconds: float, claim_iris: list[str], out: list[float]) -> None:
    """The latencies (ms) of the probe query asked on one connection during ``seconds``."""
    values, conn = Values(seed=3), None
    stop = time.monotonic() + seconds
    time.sleep(PROBE_EVERY)
    while time.monotonic() < stop - PROBE_EVERY:
        path = server.url(PREFIXES + values.fill(PROBE, claim_iris))
        t0 = time.perf_counter()
        status, body, conn = get(server.port, path, conn)
        if status == 200:
            out.append((time.perf_counter() - t0) * 1000)
        time.sleep(PROBE_EVERY)


def throughput(server: Server, clients: int, seconds: float, claim_iris: list[str],
               probe: list[float] | None = None) -> tuple:
    """(answered requests/s, other answers) of ``clients`` processes sending the cheap query;
    with ``probe``, the latencies (ms) of the probe query asked meanwhile are added to it."""
    values = Values(seed=2)
    paths = [server.url(PREFIXES + values.fill(QUERIES[CHEAP], claim_iris)) for _ in range(500)]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(server.port, paths[i::clients] or paths, seconds, out))
             for i in range(clients)]
    for p in procs:
        p.start()
    prober = None
    if probe is not None:
        prober = threading.Thread(target=_probe, args=(server, seconds, claim_iris, probe), daemon=True)
        prober.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    if prober is not None:
        prober.join(timeout=120)
    return sum(r[0] for r in results) / seconds, sum(r[1] for r in results)


def bench(claims: int, repeat: int, clients: list[int], seconds: float, env: dict[str, str], only: list[str],
          pkg: Path | None = None, label: str = "", probe: bool = False) -> dict[str, float]:
    """One run; returns its figures: ``lookup`` (the lookup's ratio), ``fg`` and ``ox`` (its
    medians, ms), and ``N clients`` (factgraph's req/s over the Oxigraph server's)."""
    fg_dir, ox_dir = factgraph_store(claims), oxigraph_store(claims)
    print(f"\n== {claims} claims{' ' + label if label else ''}; load average {os.getloadavg()[0]:.1f}"
          + (f"; factgraph with LD_PRELOAD={env['LD_PRELOAD']}" if env.get("LD_PRELOAD") else ""), flush=True)
    command = [sys.executable, "-m", "factgraph"] if pkg is None else [sys.executable, "-c", PINNED]
    if pkg is not None:
        env = {**env, "PYTHONPATH": str(pkg)}
    figures: dict[str, float] = {"load": os.getloadavg()[0]}
    servers = [
        Server("factgraph", [*command, "serve", "--store", str(fg_dir),
                             "--host", "127.0.0.1", "--port", "{port}"], "/sparql",
               {"FACTGRAPH_BASE": BASE, **env}),
        Server("oxigraph", [str(OXIGRAPH), "serve", "--location", str(ox_dir), "--bind",
                            "127.0.0.1:{port}", "--union-default-graph"], "/query"),
    ]
    try:
        claim_iris = claim_sample(servers[1])
        times = latencies(servers, repeat, claim_iris, only)
        print(f"{'query (median of ' + str(repeat) + ', ms)':<36} {'factgraph':>10} {'oxigraph':>10} {'ratio':>7}")
        for name, by in times.items():
            fg, ox = statistics.median(by["factgraph"]), statistics.median(by["oxigraph"])
            digits = 2 if ox < 10 else 1  # a lookup takes about a millisecond
            print(f"{name:<36} {fg:>10.{digits}f} {ox:>10.{digits}f} {fg / ox:>6.2f}x", flush=True)
            if name == CHEAP:
                figures.update(lookup=fg / ox, fg=fg, ox=ox)
        for n in clients:
            rates, probes = {}, {}
            for s in servers:  # the same load, one server after the other
                probes[s.name] = [] if probe else None
                rates[s.name] = throughput(s, n, seconds, claim_iris, probes[s.name])
            fg, ox = rates["factgraph"][0], rates["oxigraph"][0]
            print(f"{CHEAP}, {n} clients: factgraph {fg:.0f} req/s ({rates['factgraph'][1]} not 200), "
                  f"oxigraph {ox:.0f} req/s ({rates['oxigraph'][1]} not 200): 1/{ox / fg:.1f}", flush=True)
            figures[f"{n} clients"] = fg / ox
            figures[f"{n} clients fg"], figures[f"{n} clients ox"] = fg, ox
            if probe:
                for s in servers:
                    ms = sorted(probes[s.name]) or [float("nan")]
                    figures[f"{n} clients probe {s.name}"] = statistics.median(ms)
                    figures[f"{n} clients probe90 {s.name}"] = ms[int(0.9 * (len(ms) - 1))]
                print("  the probe meanwhile (median / p90 ms): " + ", ".join(
                    f"{s.name} {figures[f'{n} clients probe {s.name}']:.1f} / "
                    f"{figures[f'{n} clients probe90 {s.name}']:.1f} ({len(probes[s.name])})" for s in servers),
                    flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        figures["load after"] = os.getloadavg()[0]
    finally:
        for s in servers:
            s.stop()
    return figures


def compare(claims: int, revisions: list[str], runs: int, repeat: int, clients: list[int], seconds: float,
            env: dict[str, str], only: list[str], probe: bool = False) -> None:
    """``runs`` runs of each revision (``bench``), the order alternating; then the medians."""
    with tempfile.TemporaryDirectory(prefix="sparql-revs-") as tmp:
        pkgs = {rev: checkout(rev, Path(tmp) / f"rev{i}") for i, rev in enumerate(revisions)}
        results: dict[str, list[dict[str, float]]] = {rev: [] for rev in revisions}
        for run in range(runs):
            for rev in revisions if run % 2 == 0 else revisions[::-1]:
                results[rev].append(bench(claims, repeat, clients, seconds, env, only, pkgs[rev],
                                          f"revision {rev}, run {run + 1} of {runs}", probe))
    print(f"\n== {claims} claims, {runs} runs each, medians of the runs (ranges)")
    for rev, figures in results.items():
        loads = [f["load"] for f in figures] + [f.get("load after", f["load"]) for f in figures]
        parts = [f"load {min(loads):.1f}-{max(loads):.1f}"]
        if all("lookup" in f for f in figures):
            ratios = [f["lookup"] for f in figures]
            parts.append(f"lookup {statistics.median(ratios):.2f}x ({min(ratios):.2f}x-{max(ratios):.2f}x), "
                         f"{statistics.median(f['fg'] for f in figures):.3f} / "
                         f"{statistics.median(f['ox'] for f in figures):.3f} ms")
        for n in clients:
            shares = [f[f"{n} clients"] for f in figures]
            parts.append(f"{n} clients 1/{1 / statistics.median(shares):.1f} (1/{1 / max(shares):.1f}-1/"
                         f"{1 / min(shares):.1f}), {statistics.median(f[f'{n} clients fg'] for f in figures):.0f} / "
                         f"{statistics.median(f[f'{n} clients ox'] for f in figures):.0f} req/s")
        if probe:
            for n in clients:
                parts.append(f"probe at {n} clients " + ", ".join(
                    f"{name} {statistics.median(f[f'{n} clients probe {name}'] for f in figures):.1f} / "
                    f"{statistics.median(f[f'{n} clients probe90 {name}'] for f in figures):.1f} ms"
                    for name in ("factgraph", "oxigraph")))
        print(f"{rev}: " + "; ".join(parts))
        per_run = " ".join(f"{f.get('lookup', 0):.2f}x (load {f['load']:.1f})" for f in figures)
        print(f"  per run: lookup {per_run}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--clients", type=int, nargs="+", default=[4, 16])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--only", action="append", default=[], choices=list(QUERIES), metavar="QUERY",
                    help="run this query only (repeatable; default: all six)")
    ap.add_argument("--prepare", action="store_true", help="only generate the data and build both stores")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/factgraph-bench"),
                    help="where the N-Quads and both stores are kept (default %(default)s); RocksDB lets one "
                         "process open a store: give a copy when another run may use the default")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a FACTGRAPH_ setting for the served app (e.g. SPARQL_WORKERS=2)")
    ap.add_argument("--revisions", help="code revisions to compare on the same store, e.g. main,. ('.': the work "
                    "tree); each run starts each revision's server in turn beside the Oxigraph server")
    ap.add_argument("--runs", type=int, default=5, help="with --revisions: runs per revision (default %(default)s)")
    ap.add_argument("--probe", action="store_true",
                    help="during each throughput run, ask another query (two patterns about one claim: a query "
                         f"worker on factgraph) every {PROBE_EVERY:g} s and report its median and p90 latency")
    ap.add_argument("--preload", metavar="LIB",
                    help="LD_PRELOAD for factgraph serve only (e.g. /usr/lib/x86_64-linux-gnu/libjemalloc.so.2)")
    args = ap.parse_args()
    globals()["CACHE"] = args.cache  # the one setting every helper above reads
    if not OXIGRAPH.exists():
        raise SystemExit(f"no {OXIGRAPH}: pip install 'oxigraph>=0.4,<0.6' (as .ci/services.sh does)")
    env = {f"FACTGRAPH_{k}": v for k, v in (s.split("=", 1) for s in args.set)}
    if args.preload:
        env["LD_PRELOAD"] = args.preload
    for claims in args.claims:
        if args.prepare:
            factgraph_store(claims)
            oxigraph_store(claims)
        elif args.revisions:
            compare(claims, args.revisions.split(","), args.runs, args.repeat, args.clients, args.seconds, env,
                    args.only, args.probe)
        else:
            bench(claims, args.repeat, args.clients, args.seconds, env, args.only, probe=args.probe)


if __name__ == "__main__":
    main()
