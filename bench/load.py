"""The site under load: a real ``factgraph serve`` on a 100k-claim store, 50 clients.

Builds (or reuses, cached under /tmp) an on-disk store of N synthetic claims
(``pages.synthetic_nquads``: the project's own shape), starts ``factgraph serve`` on a
free loopback port as a subprocess, and runs ``--clients`` threads for ``--seconds``
mixing pages (claim, article, source, place, /conflicts, /search), stored queries and
/sparql; ``--runs`` times. A client answered 503 waits what ``Retry-After`` says
(``--hammer``: it asks again at once). Prints requests/s, answers by status, p50/p99 per kind of
request, and the memory of the server with its query workers (RSS, and PSS, which
counts pages shared by parent and children once). Loopback only; stops by itself.

    python bench/load.py [--claims 100000] [--seconds 60] [--clients 50] [--runs 3] [--warmup 120]
                         [--warm-lookups 10000] [--store DIR] [--python PY]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from pages import BASE, CONFLICT_KINDS, FG, PER_ARTICLE, synthetic_nquads

CACHE = Path("/tmp/factgraph-bench")


# -- the store and the server --------------------------------------------------------------


def ensure_store(claims: int) -> Path:
    """An on-disk store of ``claims`` synthetic claims, built once and kept under /tmp."""
    path = CACHE / f"store-{claims}"
    if (path / "COMPLETE").exists():
        return path
    import pyoxigraph as ox

    from factgraph.graph.store import EmbeddedStore

    building = CACHE / f"store-{claims}.building"
    shutil.rmtree(building, ignore_errors=True)
    t0 = time.perf_counter()
    store = EmbeddedStore(building)
    store._ox.bulk_load(synthetic_nquads(claims), ox.RdfFormat.N_QUADS)  # noqa: SLF001 - benchmark set-up
    store.close()
    shutil.rmtree(path, ignore_errors=True)
    building.rename(path)
    (path / "COMPLETE").write_text("")
    print(f"built the store of {claims} claims in {time.perf_counter() - t0:.0f} s: {path}", flush=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``factgraph serve`` on a free loopback port; ``env`` adds FACTGRAPH_* settings."""

    def __init__(self, store: Path, env: dict[str, str] | None = None, python: str = sys.executable):
        self.port = free_port()
        self.log = CACHE / f"serve-{self.port}.log"  # the server's stderr
        self.proc = subprocess.Popen(
            [python, "-m", "factgraph", "serve", "--store", str(store), "--host", "127.0.0.1",
             "--port", str(self.port)],
            env={**os.environ, "FACTGRAPH_BASE": BASE, **(env or {})},
            stdout=subprocess.DEVNULL, stderr=self.log.open("wb"),
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _, _ = request(self.port, "/sparql?query=ASK%7B%7D", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("factgraph serve did not start")
            time.sleep(0.3)

    def memory(self) -> tuple[int, int, int]:
        """(RSS of the server, RSS of server + workers, PSS of server + workers), bytes."""
        pids = [self.proc.pid, *children(self.proc.pid)]
        rss = [proc_kb(pid, "status", "VmRSS:") for pid in pids]
        pss = sum(proc_kb(pid, "smaps_rollup", "Pss:") for pid in pids)
        return rss[0] * 1024, sum(rss) * 1024, pss * 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def proc_kb(pid: int, name: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """The peak of ``server.memory()`` while it runs (every ``every`` seconds)."""

    def __init__(self, server: Server, every: float = 0.25):
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.peak = (0, 0, 0)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            now = self.server.memory()
            self.peak = tuple(max(a, b) for a, b in zip(self.peak, now, strict=True))  # type: ignore[assignment]
            self.stopped.wait(self.every)

    def stop(self) -> tuple[int, int, int]:
        self.stopped.set()
        self.join()
        return self.peak


# -- the clients ---------------------------------------------------------------------------


def request(port: int, path: str, timeout: float = 60, conn: http.client.HTTPConnection | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes, http.client.HTTPConnection]:
    """GET ``path``: (status, body, the connection to reuse); ``conn.retry_after`` is the
    answer's ``Retry-After`` in seconds (0 without one)."""
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        raise
    if resp.getheader("Connection", "").lower() == "close":
        conn.close()
    retry = resp.getheader("Retry-After", "0")
    conn.retry_after = float(retry) if retry.isdigit() else 0.0  # type: ignore[attr-defined]
    conn.cache = resp.getheader("X-Cache", "")  # type: ignore[attr-defined]  # hit / miss / "" (never kept)
    return resp.status, body, conn


def sparql(port: int, query: str) -> list[dict]:
    path = "/sparql?" + urllib.parse.urlencode({"query": query})
    _, body, conn = request(port, path, headers={"Accept": "application/sparql-results+json"})
    conn.close()
    return json.loads(body)["results"]["bindings"]


def workload(port: int, claims: int) -> dict[str, list]:
    """The requests a client picks from: kind -> [(category, path-maker), weight]."""
    articles = (claims + PER_ARTICLE - 1) // PER_ARTICLE
    rnd = random.Random()
    # the claims of 300 articles drawn from the whole store (30 000 claims at 100k): the claim
    # pages and provenance asked for are spread as a site's are, so most are not in the
    # response cache (the first 2 000 claims in index order all were after a minute)
    claim_paths = [
        b["c"]["value"][len(BASE) - 1:]
        for art in rnd.sample(range(articles), min(articles, 300))
        for b in sparql(port, f"SELECT ?c WHERE {{ GRAPH <{BASE}graph/article/a{art:05d}> {{ ?c a <{FG}FigureClaim> }} }}")
    ]
    words = ["civils", "région", "zzznotfound", "moins de 12", "texte"]

    def q(query: str) -> str:
        return "/sparql?" + urllib.parse.urlencode({"query": query})

    return {
        "claim": ["pages", lambda: rnd.choice(claim_paths) + ".html", 30],
        "article": ["pages", lambda: f"/article/a{rnd.randrange(articles):05d}.html", 10],
        "source": ["pages", lambda: f"/agent/a{rnd.randrange(50)}.html", 5],
        "place": ["pages", lambda: f"/place/p{rnd.randrange(20)}.html", 5],
        "conflicts": ["pages", lambda: "/conflicts" + rnd.choice(
            ["", f"?kind=https://w3id.org/factgraph/conflict/{rnd.choice(CONFLICT_KINDS)}"]), 5],
        "search": ["pages", lambda: "/search?" + urllib.parse.urlencode({"q": rnd.choice(words)}), 3],
        "stored": ["stored", lambda: rnd.choice([
            "/queries/claim_provenance?" + urllib.parse.urlencode(
                {"claim": BASE + rnd.choice(claim_paths)[1:], "format": "json"}),
            "/queries/claims_by_place?" + urllib.parse.urlencode(  # 5 000 claims a place: the heavy one
                {"place": f"{BASE}place/p{rnd.randrange(20)}", "format": "json"}),
            "/queries/conflicts_by_kind?" + urllib.parse.urlencode(
                {"kind": f"https://w3id.org/factgraph/conflict/{rnd.choice(CONFLICT_KINDS)}", "format": "json"}),
        ]), 15],
        "sparql": ["sparql", lambda: q(rnd.choice([
            f"SELECT ?p ?o WHERE {{ <{BASE}{rnd.choice(claim_paths)[1:]}> ?p ?o }}",
            f"SELECT ?c ?v WHERE {{ ?c <{FG}place> <{BASE}place/p{rnd.randrange(20)}> ; <{FG}value> ?v }} LIMIT 100",
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c <{FG}claimant> <{BASE}agent/a{rnd.randrange(50)}> }}",
        ])), 27],
    }


def run_load(port: int, work: dict[str, list], clients: int, seconds: float,
             backoff: bool = True) -> list[tuple[str, str, int, float, str]]:
    """``clients`` threads sending requests for ``seconds``: (kind, category, status, ms) each.
    With ``backoff``, a client answered 503 waits what ``Retry-After`` says, as a polite
    client does; without, it asks again at once (a client hammering the site)."""
    kinds = list(work)
    weights = [work[k][2] for k in kinds]
    results: list[tuple[str, str, int, float, str]] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        conn = None
        mine = []
        while time.monotonic() < end:
            kind = rnd.choices(kinds, weights)[0]
            category, make, _ = work[kind]
            t0 = time.perf_counter()
            wait, body, cached = 0.0, b"", ""
            try:
                status, body, conn = request(port, make(), conn=conn, timeout=120)
                wait, cached = conn.retry_after, conn.cache  # type: ignore[attr-defined]
            except (OSError, http.client.HTTPException):
                status, conn = 0, None  # 0: the connection failed
            mine.append((kind, category, status, (time.perf_counter() - t0) * 1000, cached))
            if status == 503:
                with lock:
                    REFUSALS[why(body)] += 1
            if backoff and status == 503:
                time.sleep(max(0.0, min(wait, end - time.monotonic())))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


REFUSALS: Counter[str] = Counter()  # why the 503s were given, across runs


def why(body: bytes) -> str:
    """The setting a 503 names (its reason), from its text or HTML body."""
    text = body.decode("utf-8", "replace")
    return next((name for name in ("QUERY_QUEUE_WAIT", "QUERY_QUEUE", "QUERY_TIMEOUT", "QUERY_MEMORY_MB")
                 if name in text), "other")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def report(results: list[tuple[str, str, int, float, str]], seconds: float) -> None:
    statuses = Counter(status for _, _, status, _, _ in results)
    if REFUSALS:
        print("  503s by the limit they name: " + ", ".join(f"{k}: {n}" for k, n in REFUSALS.most_common()))
        REFUSALS.clear()
    print(f"  {len(results) / seconds:.1f} requests/s ({len(results)} in {seconds:g} s), "
          f"{statuses[200] / seconds:.1f} answered 200/s; by status: "
          + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    by: dict[str, list[float]] = defaultdict(list)
    computed: dict[str, list[float]] = defaultdict(list)  # answers not served from the response cache
    for kind, category, status, ms, cached in results:
        if status == 200:
            by[category].append(ms)
            by["  " + kind].append(ms)
            if cached != "hit":
                computed[category].append(ms)
                computed["  " + kind].append(ms)
    for name in ["pages", "  claim", "  article", "  source", "  place", "  conflicts", "  search",
                 "stored", "sparql"]:
        if by.get(name):
            mine = computed.get(name, [])
            print(f"  {name:<12} p50 {statistics.median(by[name]):>8.0f} ms   p99 {pct(by[name], 0.99):>8.0f} ms"
                  f"   ({len(by[name])} answered 200, {1 - len(mine) / len(by[name]):>4.0%} from the response cache;"
                  f" the others p50 {statistics.median(mine) if mine else float('nan'):.0f} ms,"
                  f" p99 {pct(mine, 0.99):.0f} ms)")


def warm_up(server: Server, work: dict[str, list], args: argparse.Namespace) -> None:
    """Bring the server to the state it reaches after some minutes in service, before the
    measured runs, so that they measure whether its memory keeps growing rather than its
    bounded caches filling. Those caches (docs/performance.md, "The server's memory"): the
    response cache (RESPONSE_CACHE_MB), the pages' row cache (``rendering.CACHED_ROWS_LIMIT``),
    and RocksDB's block cache in the serving process (32 MB: pyoxigraph keeps RocksDB's
    default), which the /sparql lookups answered in that process fill - about 8 000 lookups
    of random claims at 100k claims, where a 60 s run of the mix answers only some hundreds
    there. So: ``--warm-lookups`` lookups from 8 clients, then ``--warmup`` seconds of the mix."""
    if args.warm_lookups > 0:
        claim_page = work["claim"][1]  # "/claim/....html", drawn from the workload's claims

        def lookup() -> str:
            claim = BASE + claim_page().removeprefix("/").removesuffix(".html")
            return "/sparql?" + urllib.parse.urlencode({"query": f"SELECT ?p ?o WHERE {{ <{claim}> ?p ?o }}"})

        lookups = {"sparql": ["sparql", lookup, 1]}
        t0, sent = time.monotonic(), 0
        while sent < args.warm_lookups and time.monotonic() - t0 < 600:
            sent += len(run_load(server.port, lookups, 8, 5))
        print(f"warm-up: {sent} /sparql lookups in {time.monotonic() - t0:.0f} s; server {mb(server.memory()[0])} RSS",
              flush=True)
    if args.warmup > 0:
        run_load(server.port, work, args.clients, args.warmup, backoff=not args.hammer)
        REFUSALS.clear()
        print(f"warm-up: {args.warmup:g} s of the mix; server {mb(server.memory()[0])} RSS", flush=True)


def mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=120,
                        help="seconds of the same load before the measured runs (0: none); see warm_up")
    parser.add_argument("--warm-lookups", type=int, default=10_000,
                        help="/sparql lookups of random claims sent before the measured runs; see warm_up")
    parser.add_argument("--hammer", action="store_true", help="ask again at once after a 503 (no Retry-After)")
    parser.add_argument("--store", type=Path, help="an on-disk store of --claims synthetic claims to serve "
                        "(default: built once under /tmp/factgraph-bench)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs factgraph serve (another checkout's venv, to compare builds)")
    args = parser.parse_args()

    store = args.store or ensure_store(args.claims)
    server = Server(store, python=args.python)
    try:
        work = workload(server.port, args.claims)
        print(f"serving {args.claims} claims on port {server.port}; {args.clients} clients, "
              f"{args.seconds:g} s a run, {'hammering' if args.hammer else 'waiting Retry-After after a 503'}; server at start: {mb(server.memory()[0])} RSS", flush=True)
        warm_up(server, work, args)
        after: list[int] = []
        for run in range(1, args.runs + 1):
            sampler = MemorySampler(server)
            sampler.start()
            results = run_load(server.port, work, args.clients, args.seconds, backoff=not args.hammer)
            peak = sampler.stop()
            own, total, pss = server.memory()
            print(f"run {run}:")
            report(results, args.seconds)
            print(f"  memory after the run: server {mb(own)} RSS; with workers {mb(total)} RSS, {mb(pss)} PSS; "
                  f"peak during the run {mb(peak[1])} RSS, {mb(peak[2])} PSS", flush=True)
            after.append(own)
        if len(after) > 1:
            print(f"server RSS after the {len(after)} runs: {', '.join(mb(n) for n in after)}; "
                  f"spread {(max(after) - min(after)) / 2**20:.1f} MB "
                  f"({(max(after) - min(after)) / min(after):.1%} of the smallest)", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
