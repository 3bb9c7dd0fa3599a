"""The site under abuse: 50 slow SPARQL queries at once, then 1000 idle connections.

On the same cached 100k-claim store as ``load.py``, against a real ``factgraph serve``
on a free loopback port:

1. ``--slow`` clients (50) each send, for ``--seconds``, a query that sorts a cross
   product (its memory grows by hundreds of MB a second until QUERY_MEMORY_MB stops
   it); meanwhile one client asks for a claim page every 0.5 s. Prints the answers by
   status, the peak memory of the server with its workers (RSS and PSS, sampled every
   0.1 s) against ``--limit-mb`` (2048), and whether the pages kept being answered.
2. ``--idle`` connections (1000) opened and left silent; then a normal request on a new
   connection: answered or not, and how long it took.

    python bench/overload.py [--claims 100000] [--seconds 30] [--slow 50] [--idle 1000]
"""

from __future__ import annotations

import argparse
import http.client
import resource
import socket
import statistics
import threading
import time
import urllib.parse
from collections import Counter

from load import BASE, FG, MemorySampler, Server, ensure_store, mb, request, sparql

HUNGRY = (
    f"SELECT ?x ?y WHERE {{ ?a <{FG}figureText> ?x . ?b <{FG}figureText> ?y }} ORDER BY ?x ?y LIMIT 1"
)


def slow_queries(server: Server, clients: int, seconds: float, limit_mb: int) -> None:
    claim = sparql(server.port, f"SELECT ?c WHERE {{ ?c a <{FG}FigureClaim> }} LIMIT 1")[0]["c"]["value"]
    page = claim[len(BASE) - 1:] + ".html"
    path = "/sparql?" + urllib.parse.urlencode({"query": HUNGRY})
    statuses: Counter[int] = Counter()
    unexpected: dict[int, bytes] = {}  # the first body of each status other than 200 and 503
    pages: list[tuple[int, float]] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def slow() -> None:
        conn = None
        while time.monotonic() < end:
            try:
                status, body, conn = request(server.port, path, conn=conn, timeout=120)
            except (OSError, http.client.HTTPException) as exc:
                status, body, conn = 0, str(exc).encode(), None
            with lock:
                statuses[status] += 1
                if status not in (200, 503):
                    unexpected.setdefault(status, body[:300])

    def prober() -> None:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            try:
                status, _, conn = request(server.port, page, timeout=60)
                conn.close()
            except (OSError, http.client.HTTPException):
                status = 0
            pages.append((status, (time.perf_counter() - t0) * 1000))
            time.sleep(0.5)

    sampler = MemorySampler(server, every=0.1)
    sampler.start()
    threads = [threading.Thread(target=slow) for _ in range(clients)] + [threading.Thread(target=prober)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    own, total, pss = sampler.stop()
    print(f"{clients} clients sending a memory-hungry query for {seconds:g} s:")
    print("  answers by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    for status, body in unexpected.items():
        print(f"  first {status}: {body.decode('utf-8', 'replace').strip()}")
    print(f"  peak memory: server {mb(own)} RSS; server + workers {mb(total)} RSS, {mb(pss)} PSS "
          f"(limit {limit_mb} MB: {'under' if pss < limit_mb * 2**20 else 'OVER'})")
    ok = [ms for status, ms in pages if status == 200]
    print(f"  a claim page every 0.5 s meanwhile: {len(ok)} of {len(pages)} answered 200"
          + (f", p50 {statistics.median(ok):.0f} ms, max {max(ok):.0f} ms" if ok else "")
          + (f"; others: {Counter(s for s, _ in pages if s != 200)}" if len(ok) < len(pages) else ""))


def idle_connections(server: Server, count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 200), hard))
    socks = []
    t0 = time.perf_counter()
    for _ in range(count):
        socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
    time.sleep(1)
    print(f"{count} idle connections opened in {time.perf_counter() - t0:.1f} s; server "
          f"{mb(server.memory()[0])} RSS")
    t0 = time.perf_counter()
    try:
        status, _, conn = request(server.port, "/sparql?query=ASK%7B%7D", timeout=120)
        conn.close()
        print(f"  a normal request meanwhile: {status} in {(time.perf_counter() - t0) * 1000:.0f} ms")
    except (OSError, http.client.HTTPException) as exc:
        print(f"  a normal request meanwhile: no answer after {time.perf_counter() - t0:.1f} s ({exc})")
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            closed += s.recv(1) == b""
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    print(f"  {closed} of the idle connections had been closed by the server")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--limit-mb", type=int, default=2048)
    parser.add_argument("--only", choices=["slow", "idle"], help="run one of the two parts")
    args = parser.parse_args()

    store = ensure_store(args.claims)
    server = Server(store)
    try:
        print(f"serving {args.claims} claims on port {server.port}; server at start {mb(server.memory()[0])} RSS; "
              f"its log: {server.log}")
        if args.only != "idle":
            slow_queries(server, args.slow, args.seconds, args.limit_mb)
        if args.only != "slow":
            idle_connections(server, args.idle)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
