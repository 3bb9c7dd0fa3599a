"""What an HTTP request costs before any query (issue #14: the ``/sparql`` lookup at 1M claims
against the Oxigraph server), the servers side by side in one run:

- a trivial WSGI app (a 204 and one header) on waitress with ``factgraph serve``'s settings
  (``server/serving.py``), and on granian (a Rust HTTP server with a WSGI interface) if it is
  installed (``pip install granian``; not a dependency of factgraph);
- ``factgraph serve``'s ``OPTIONS /sparql`` (waitress and Flask, no query) and its lookup of
  one claim; with ``--granian-store COPY`` (a second copy of the store: RocksDB lets one
  process open it) the same app on granian, the store opened in granian's worker process;
- the Oxigraph server's ``ASK {}`` (its floor) and its lookup.

Each round sends ``--requests`` requests to each server on one kept-alive connection (the
order of the servers rotating and reversing between rounds), its figure the median; printed:
the median of ``--rounds`` rounds, and its ratio to the Oxigraph server's lookup. The stores
are those ``bench/sparql.py`` builds (``--cache``).

    python bench/http_floor.py [--claims 1000000] [--rounds 7] [--requests 300] [--granian-store COPY]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import sparql
from load import free_port
from pages import BASE
from sparql import OXIGRAPH, PREFIXES, claim_sample, factgraph_store, oxigraph_store

TRIVIAL = """
def app(environ, start_response):
    start_response("204 No Content", [("Access-Control-Allow-Origin", "*"), ("Content-Length", "0")])
    return [b""]
"""
ON_WAITRESS = """
import sys
from flask import Flask
from factgraph.server.app import DEFAULTS
from factgraph.server.serving import make_server
from trivial import app
settings = Flask("settings")
settings.config.from_mapping(DEFAULTS)
server = make_server(settings, "127.0.0.1", int(sys.argv[1]))
server.application = app  # factgraph's waitress settings, the trivial app
server.run()
"""
ON_GRANIAN = """
import os
def app():
    from factgraph.graph.store import EmbeddedStore
    from factgraph.server import create_app
    from factgraph.server.bounded_views import warm
    flask = create_app({"BASE": os.environ["FACTGRAPH_BASE"]}, store=EmbeddedStore(os.environ["FLOOR_STORE"]))
    with flask.app_context():
        warm()
    return flask
"""


class Proc:
    """A server in its own process group on a free loopback port; ``stop`` ends the group
    (granian's worker with factgraph's app did not stop on SIGTERM: SIGKILL after 10 s)."""

    def __init__(self, name: str, argv: list[str], path: str, env: dict[str, str], log_dir: Path):
        self.name, self.port, self.path = name, free_port(), path
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        with (log_dir / f"{name}.log").open("wb") as log:
            self.proc = subprocess.Popen(
                argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", self.url("ASK {}"))
                if conn.getresponse().status < 500:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"{name} did not start (log: {log_dir / (name + '.log')})")

    def url(self, query: str) -> str:
        return f"{self.path}?" + urllib.parse.urlencode({"query": query})

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            pass
        try:  # whatever did not stop, and children left behind
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def median_ms(port: int, requests: list[tuple[str, str]]) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for method, path in requests:
        t0 = time.perf_counter()
        conn.request(method, path, headers={"Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        body = resp.read()
        times.append((time.perf_counter() - t0) * 1000)
        if resp.status not in (200, 204):
            raise SystemExit(f"port {port}: {method} {path[:80]}: {resp.status} {body[:200]!r}")
    conn.close()
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--requests", type=int, default=300, help="requests to each server a round")
    ap.add_argument("--cache", type=Path, default=sparql.CACHE, help="as bench/sparql.py's --cache")
    ap.add_argument(
        "--granian-store", type=Path, help="a copy of the factgraph store, for the app on granian"
    )
    args = ap.parse_args()
    sparql.CACHE = args.cache
    fg_store, ox_store = factgraph_store(args.claims), oxigraph_store(args.claims)
    granian = Path(sys.executable).parent / "granian"
    with tempfile.TemporaryDirectory(prefix="http-floor-") as tmp:
        run(args, Path(tmp), fg_store, ox_store, granian)


def run(args: argparse.Namespace, work: Path, fg_store: Path, ox_store: Path, granian: Path) -> None:
    """The servers started, measured and stopped; ``work`` holds the small WSGI modules."""
    for name, text in (
        ("trivial.py", TRIVIAL),
        ("on_waitress.py", ON_WAITRESS),
        ("on_granian.py", ON_GRANIAN),
    ):
        (work / name).write_text(text)
    env = {"PYTHONPATH": str(work), "FACTGRAPH_BASE": BASE}
    on_granian = [
        str(granian),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        "1",
        "--blocking-threads",
        "40",
        "--http",
        "1",
        "--no-ws",
        "--log-level",
        "warning",
    ]
    specs = {
        "oxigraph": (
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(ox_store),
                "--bind",
                "127.0.0.1:{port}",
                "--union-default-graph",
            ],
            "/query",
            {},
        ),
        "factgraph, waitress": (
            [
                sys.executable,
                "-m",
                "factgraph",
                "serve",
                "--store",
                str(fg_store),
                "--host",
                "127.0.0.1",
                "--port",
                "{port}",
            ],
            "/sparql",
            {},
        ),
        "trivial app, waitress": ([sys.executable, str(work / "on_waitress.py"), "{port}"], "/", {}),
    }
    if granian.exists():
        specs["trivial app, granian"] = ([*on_granian, "trivial:app"], "/", {})
        if args.granian_store:
            specs["factgraph, granian"] = (
                [*on_granian, "--factory", "on_granian:app"],
                "/sparql",
                {"FLOOR_STORE": str(args.granian_store)},
            )
    else:
        print(f"no {granian}: granian's columns left out (pip install granian)")
    servers: dict[str, Proc] = {}
    try:
        for name, (argv, path, extra) in specs.items():
            servers[name] = Proc(
                "http-floor-" + name.replace(", ", "-").replace(" ", "-"),
                argv,
                path,
                {**env, **extra},
                args.cache,
            )
        claims = claim_sample(servers["oxigraph"])  # type: ignore[arg-type]  # reads .name, .port and .url
        rnd = random.Random(1)

        def lookups(server: Proc) -> list[tuple[str, str]]:
            return [
                ("GET", server.url(PREFIXES + f"SELECT ?p ?o WHERE {{ <{rnd.choice(claims)}> ?p ?o }}"))
                for _ in range(args.requests)
            ]

        tests: dict[str, tuple[str, object]] = {}
        for name in servers:
            if name.startswith("trivial"):
                tests[name] = (name, lambda: [("OPTIONS", "/")] * args.requests)
            elif name.startswith("factgraph"):
                tests[f"OPTIONS /sparql, {name}"] = (name, lambda: [("OPTIONS", "/sparql")] * args.requests)
        tests["ASK {}, oxigraph"] = (
            "oxigraph",
            lambda: [("GET", servers["oxigraph"].url("ASK {}"))] * args.requests,
        )
        for name in servers:
            if not name.startswith("trivial"):
                tests[f"lookup, {name}"] = (name, lambda s=servers[name]: lookups(s))
                median_ms(servers[name].port, lookups(servers[name]))  # warm: the index blocks a lookup reads
        times: dict[str, list[float]] = {t: [] for t in tests}
        names = list(tests)
        print(
            f"{args.claims} claims, {args.rounds} rounds of {args.requests}; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for test in order[::-1] if r % 2 else order:
                server, requests = tests[test]
                times[test].append(median_ms(servers[server].port, requests()))  # type: ignore[operator]
            print(
                f"  round {r + 1} (load {os.getloadavg()[0]:.1f}): "
                + ", ".join(f"{t} {times[t][-1]:.3f}" for t in names),
                flush=True,
            )
        reference = statistics.median(times["lookup, oxigraph"])
        print(f"{'median ms (range), ratio to the Oxigraph server lookup':<44}")
        for test in names:
            m = statistics.median(times[test])
            print(
                f"{test:<40} {m:7.3f} ({min(times[test]):.3f}-{max(times[test]):.3f}) {m / reference:5.2f}x"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
