"""Page render time with many claims in the store.

Builds an in-memory store with N synthetic claims (default 100 000) shaped like
``mapping.py``'s (docs/design.md, "The claim model"), spread over articles of 100 claims,
50 claimants and 20 places, with a conflict every 50 claims (2 000 with 100k claims, of
three kinds) and the seed vocabulary; then renders pages through Flask's test client and
prints the median (p50) and p90 of each, the conflict report (``/conflicts``: its first
page, a later page, a kind filter and the JSON twin), the page of one conflict among
them, the kind page (every claim is of one kind) and its next page, and the stored
queries' first pages.

    python bench/pages.py [--claims 100000] [--repeat 200] [--store DIR | --disk]
                          [--only NAMES] [--warm K] [--in-process]
    python bench/pages.py --serve --store DIR [--claims 1000000] [--repeat 40] [--only NAMES]

``--disk`` builds the store on disk once (``load.ensure_store``, under /tmp, as
``factgraph serve`` reads it) and reuses it: 1M claims take about 15 minutes to build.
The issue's bar (#14), printed beside each page it names: p50 under 50 ms at 1M claims
for the claim (under 20 ms), article, source, place pages and the first page of
``/conflicts``. A page whose aggregates are read once per version of the data (the
place, source and kind pages, ``pages.rendering.cached_rows``) is timed after a first
view of each: the p50 of a site in use; the first view is printed apart.

``--in-process`` runs each view (and stored query) in this process instead of a worker
forked per request, and prints beside each page the median of the time its queries took
(``Store.query`` and ``Store.rows``, rows read): the queries' share and the rest (rendering,
rdflib terms, Flask) apart, whatever the execution model. ``--warm K`` warms and times
only the first K places and sources (their first views take seconds each at 1M claims).
To compare two versions of the code side by side, run this script with each on
``PYTHONPATH`` (a tree whose ``factgraph`` package maps to that version).

``--serve`` asks a real ``factgraph serve`` (started on ``--store``, a free loopback port,
the settings as served: resident workers, the response cache, ``QUERY_TIMEOUT``) over
HTTP, one client, one request at a time. It first times the first views after the start
(``--settle S``: S seconds after it, when what the server reads ahead is read;
``/conflicts`` and a conflict kind, then each place and source: what a version of the
data reads once), then ``--repeat`` requests of each page, each a claim, article, place or
source of its own where the store has enough (claims and articles drawn across the store),
and each with an ``Accept-Language`` of its own (``en, x-r<n>;q=0.1``: an English page,
another key for the response cache), so none is answered from the cache: the uncached
p50; then the same requests again: the cached p50. It prints the share the cache
answered in each pass and the CPU time the server and its workers spent per page
(``/proc``: user + system), which a loaded machine changes less than the wall time.
Run it from outside the checkout (``cd /tmp``) with ``PYTHONPATH`` to compare versions:
the server inherits it.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections import Counter
from typing import TextIO

from factgraph.graph.store import EmbeddedStore
from factgraph.server.app import create_app

BASE = "http://127.0.0.1:5000/"
FG = "https://w3id.org/factgraph/ontology#"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
PER_ARTICLE = 100
CONFLICT_KINDS = ("tension", "contradiction", "explicit_dispute")
KIND = "civilian_deaths"  # every synthetic claim's kind
BARS = {"claim": 20, "article": 50, "source (agent)": 50, "place": 50, "conflicts": 50}  # p50 ms, issue #14


def stored_queries(rnd: random.Random, claim_paths: list[str]) -> dict:
    """The stored queries' first pages (JSON), one path-maker each."""
    import urllib.parse

    def q(name: str, **values: str) -> str:
        return f"/queries/{name}?" + urllib.parse.urlencode({**values, "format": "json"})

    kind = f"https://w3id.org/factgraph/quantity/{KIND}"
    return {
        "claims_by_quantity": lambda: q("claims_by_quantity", kind=kind),
        "claims_by_place": lambda: q("claims_by_place", place=f"{BASE}place/p{rnd.randrange(20)}"),
        "claims_by_source": lambda: q("claims_by_source", source=f"{BASE}agent/a{rnd.randrange(50)}"),
        "claims_by_confidence": lambda: q("claims_by_confidence",
                                          confidence="https://w3id.org/factgraph/confidence/likely"),
        "figures_over_time": lambda: q("figures_over_time", source=f"{BASE}agent/a{rnd.randrange(50)}", kind=kind),
        "unreliable_reports": lambda: q("unreliable_reports"),
        "conflicts_by_kind": lambda: q("conflicts_by_kind",
                                       kind=f"https://w3id.org/factgraph/conflict/{rnd.choice(CONFLICT_KINDS)}"),
        "claim_provenance": lambda: q("claim_provenance", claim=BASE + rnd.choice(claim_paths)[1:]),
        "conflicts_status": lambda: q("conflicts_status"),
    }


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{XSD}{datatype}>' if datatype else f'"{escaped}"'


def synthetic_nquads(n_claims: int, seed: int = 7) -> bytes:
    out = io.StringIO()
    write_synthetic_nquads(n_claims, out, seed)
    return out.getvalue().encode("utf-8")


def write_synthetic_nquads(n_claims: int, out: TextIO, seed: int = 7) -> None:
    """The quads of ``synthetic_nquads``, written to ``out`` as they are made (1M claims
    are 19.2M quads: too big to hold as one string)."""
    rnd = random.Random(seed)

    def q(s: str, p: str, o: str, g: str) -> None:
        out.write(f"<{s}> <{p}> {o} <{g}> .\n")

    vocab = BASE + "graph/vocabulary"
    for a in range(50):
        q(f"{BASE}agent/a{a}", RDFS_LABEL, lit(f"Agent {a}", lang="en"), vocab)
    for p in range(20):
        q(f"{BASE}place/p{p}", RDFS_LABEL, lit(f"Place {p}", lang="en"), vocab)
    conflicts = BASE + "graph/conflicts"
    sentence = "La source a déclaré que pas moins de {v} civils ont été tués dans la région, selon le texte. "
    for art in range((n_claims + PER_ARTICLE - 1) // PER_ARTICLE):
        aid = f"a{art:05d}"
        g = f"{BASE}graph/article/{aid}"
        article = f"{BASE}article/{aid}"
        year = 2014 + art % 6
        text_parts = [f"date {year}-05 "]
        offset = len(text_parts[0])
        q(article, RDF_TYPE, f"<{SCHEMA}NewsArticle>", g)
        q(article, SCHEMA + "headline", lit(f"Article {aid}"), g)
        q(article, SCHEMA + "datePublished", lit(f"{year}-05", "gYearMonth"), g)
        for i in range(min(PER_ARTICLE, n_claims - art * PER_ARTICLE)):
            value = rnd.randint(10, 20000)
            s = sentence.format(v=value)
            start, end = offset, offset + len(s) - 1
            text_parts.append(s)
            offset += len(s)
            c = f"{BASE}claim/{aid}/{start}"
            agent = f"{BASE}agent/a{rnd.randrange(50)}"
            q(c, RDF_TYPE, f"<{FG}FigureClaim>", g)
            q(c, FG + "claimant", f"<{agent}>", g)
            q(c, SCHEMA + "appearance", f"<{article}>", g)
            q(c, FG + "quantityKind", "<https://w3id.org/factgraph/quantity/civilian_deaths>", g)
            q(c, FG + "value", lit(str(value), "decimal"), g)
            q(c, FG + "bound", "<https://w3id.org/factgraph/bound/at_least>", g)
            q(c, FG + "place", f"<{BASE}place/p{rnd.randrange(20)}>", g)
            q(c, FG + "statedOn", lit(f"{year}-05", "gYearMonth"), g)
            q(c, FG + "confidence", "<https://w3id.org/factgraph/confidence/likely>", g)
            q(c, FG + "figureText", lit(f"pas moins de {value}"), g)
            q(c, FG + "quoteText", lit(s.strip()), g)
            q(c, FG + "readFrom", f"<{c}/target>", g)
            q(c, PROV + "wasDerivedFrom", f"<{article}>", g)
            q(c, RDFS_LABEL, lit(f"Agent: at least {value} civilian deaths", lang="en"), g)
            q(f"{c}/target", OA + "hasSource", f"<{article}>", g)
            q(f"{c}/target", OA + "hasSelector", f"<{c}/position>", g)
            q(f"{c}/position", RDF_TYPE, f"<{OA}TextPositionSelector>", g)
            q(f"{c}/position", OA + "start", lit(str(start), "integer"), g)
            q(f"{c}/position", OA + "end", lit(str(end), "integer"), g)
            if i % 50 == 1:
                k = f"{BASE}conflict/{aid}-{i}"
                other = f"{BASE}claim/{aid}/{len(text_parts[0])}"
                q(k, RDF_TYPE, f"<{FG}Conflict>", conflicts)
                q(k, FG + "claimA", f"<{c}>", conflicts)
                q(k, FG + "claimB", f"<{other}>", conflicts)
                kind = CONFLICT_KINDS[(art + i) % len(CONFLICT_KINDS)]
                q(k, FG + "conflictKind", f"<https://w3id.org/factgraph/conflict/{kind}>", conflicts)
                q(k, FG + "severity", lit("major"), conflicts)
                q(k, FG + "ratio", lit(f"{1 + rnd.random() * 4:.2f}", "decimal"), conflicts)
                q(k, FG + "explanation", lit("Synthetic conflict.", lang="en"), conflicts)
                q(k, FG + "explanation", lit("Contradiction synthétique.", lang="fr"), conflicts)
        q(article, SCHEMA + "text", lit("".join(text_parts)), g)


def timed(client, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code in (200, 303), (path, r.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--store", help="an on-disk store of --claims synthetic claims (see --disk)")
    parser.add_argument("--disk", action="store_true", help="build the store on disk once under /tmp and reuse it")
    parser.add_argument("--only", help="time only these pages (comma-separated names as printed; 'stored' for all "
                        "the stored queries)")
    parser.add_argument("--warm", type=int, help="warm and time only the first K places and sources")
    parser.add_argument("--in-process", action="store_true",
                        help="views in this process (no worker per request); print each page's query time")
    parser.add_argument("--serve", action="store_true",
                        help="ask a factgraph serve started on --store over HTTP (uncached and cached p50)")
    parser.add_argument("--settle", type=float, default=0,
                        help="--serve: seconds to wait after the start before the first views")
    args = parser.parse_args()
    if args.serve:
        if not args.store:
            parser.error("--serve needs --store")
        served(args)
        return

    import pyoxigraph as ox

    t0 = time.perf_counter()
    if args.store or args.disk:
        from load import ensure_store

        store = EmbeddedStore(args.store or ensure_store(args.claims))
        print(f"store: {args.claims} claims on disk ({store.path}), opened in {time.perf_counter() - t0:.1f} s")
    else:
        store = EmbeddedStore(None)
        data = synthetic_nquads(args.claims)
        store._ox.bulk_load(data, ox.RdfFormat.N_QUADS)  # noqa: SLF001 - benchmark set-up only
        print(f"store: {args.claims} claims, {len(store._ox)} quads, loaded in {time.perf_counter() - t0:.1f} s")  # noqa: SLF001
    spent = [0.0]  # ms in the store's queries since the last reset (--in-process)
    if args.in_process:
        in_process(store, spent)
    # QUERY_TIMEOUT raised: the bench measures how long a page takes, past the served limit too
    client = create_app({"TESTING": True, "BASE": BASE, "QUERY_TIMEOUT": 300}, store=store).test_client()
    rnd = random.Random(1)
    first_views: list[float] = []
    articles = (args.claims + PER_ARTICLE - 1) // PER_ARTICLE
    claim_paths = [
        str(r[0])[len(BASE) - 1 :]
        for r in store.query(f"SELECT ?c WHERE {{ ?c a <{FG}FigureClaim> }} LIMIT 2000")
    ]
    conflict_paths = [
        str(r[0])[len(BASE) - 1 :] for r in store.query(f"SELECT ?k WHERE {{ ?k a <{FG}Conflict> }}")
    ]
    only = args.only.split(",") if args.only else None

    def chosen(name: str) -> bool:
        return only is None or name in only or ("stored" in only and name.startswith("stored "))

    page_two = kind_two = ""
    if chosen("conflicts page 2"):
        first = client.get("/conflicts").get_data(as_text=True)
        nxt = first.split('<a rel="next" href="', 1)[1].split('"', 1)[0] if 'rel="next"' in first else ""
        page_two = "/conflicts" + nxt.replace("&amp;", "&")
    print(f"conflicts: {len(conflict_paths)}")
    if chosen("kind") or chosen("kind page 2"):
        t0 = time.perf_counter()
        kind_first = client.get(f"/vocab/quantity/{KIND}.html").get_data(as_text=True)
        print(f"kind page, first view (its counts read and cached): {(time.perf_counter() - t0) * 1000:.0f} ms")
        more = kind_first.split('<a rel="next" href="', 1)[1].split('"', 1)[0] if 'rel="next"' in kind_first else ""
        kind_two = f"/vocab/quantity/{KIND}.html" + more.replace("&amp;", "&")
    places, sources = min(20, args.warm or 20), min(50, args.warm or 50)
    for name, path in (("conflicts", "/conflicts"), ("conflicts (kind)", "/conflicts?kind=" + CONFLICT_KINDS[0])):
        if chosen(name):  # the first view of a version reads what the report keeps
            t0 = time.perf_counter()
            client.get(path)
            print(f"{name}, first view: {(time.perf_counter() - t0) * 1000:.0f} ms")
    warming = [f"/place/p{p}.html" for p in range(places)] * chosen("place")
    warming += [f"/agent/a{a}.html" for a in range(sources)] * chosen("source (agent)")
    for warm in warming:
        t0 = time.perf_counter()
        client.get(warm)
        first_views.append((time.perf_counter() - t0) * 1000)
    if first_views:
        print(f"first views of the places and sources (aggregates read and cached): median "
              f"{statistics.median(first_views):.0f} ms, max {max(first_views):.0f} ms")
    pages = {
        "claim": lambda: rnd.choice(claim_paths) + ".html",
        "claim (303)": lambda: rnd.choice(claim_paths),
        "claim .ttl": lambda: rnd.choice(claim_paths) + ".ttl",
        "article": lambda: f"/article/a{rnd.randrange(articles):05d}.html",
        "place": lambda: f"/place/p{rnd.randrange(places)}.html",
        "source (agent)": lambda: f"/agent/a{rnd.randrange(sources)}.html",
        "home": lambda: "/",
        "conflicts": lambda: "/conflicts",
        "conflicts page 2": lambda: page_two,
        "conflicts (kind)": lambda: (
            f"/conflicts?kind=https://w3id.org/factgraph/conflict/{rnd.choice(CONFLICT_KINDS)}"
        ),
        "conflicts.json": lambda: "/conflicts.json",
        "conflict": lambda: rnd.choice(conflict_paths) + ".html",
        "kind": lambda: f"/vocab/quantity/{KIND}.html",
        "kind page 2": lambda: kind_two,
        **{f"stored {name}": (lambda path=path: path()) for name, path in stored_queries(rnd, claim_paths).items()},
    }
    slow = (
        "source (agent)",
        "home",
        "place",
        "conflicts",
        "conflicts page 2",
        "conflicts (kind)",
        "conflicts.json",
    )
    print(f"{'page':<32} {'p50 ms':>8} {'p90 ms':>8} {'query ms':>9}  (n)  bar (#14, at 1M claims)")
    for name, pick in pages.items():
        if not chosen(name):
            continue
        repeat = args.repeat if name not in slow and not name.startswith("stored") else max(10, args.repeat // 10)
        times, queries = [], []
        for _ in range(repeat):
            spent[0] = 0.0
            times.extend(timed(client, pick(), 1))
            queries.append(spent[0])
        times.sort()
        p50, p90 = statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)]
        query = f"{statistics.median(queries):>9.1f}" if args.in_process else f"{'':>9}"
        bar = BARS.get(name)
        verdict = f"p50 < {bar} ms: {'met' if p50 < bar else 'NOT met'}" if bar else ""
        print(f"{name:<32} {p50:>8.1f} {p90:>8.1f} {query}  ({len(times)})  {verdict}", flush=True)


def cpu_ms(pid: int) -> float:
    """CPU time (user + system, ms) of the process ``pid`` and its live children, with
    what its ended children spent."""
    import os

    from load import children

    tick = 1000 / os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115, PTH123
        except OSError:
            continue
        total += sum(int(f) for f in fields[11 : 13 + 2 * (p == pid)]) * tick  # utime stime (cutime cstime)
    return total


def served(args: argparse.Namespace) -> None:
    """``--serve``: pages of a running ``factgraph serve``, uncached then cached."""
    import os
    import urllib.parse
    from pathlib import Path

    from load import Server, request, sparql

    rnd = random.Random(1)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    server = Server(Path(args.store))
    only = args.only.split(",") if args.only else None
    time.sleep(args.settle)  # what the server reads ahead after its start (read_ahead.py), done first
    try:
        port = server.port
        articles = (args.claims + PER_ARTICLE - 1) // PER_ARTICLE
        n = args.repeat
        claims = []
        for art in rnd.sample(range(articles), min(articles, n)):
            graph = f"{BASE}graph/article/a{art:05d}"
            found = sparql(port, f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?c a <{FG}FigureClaim> }} }}")
            claims.append(rnd.choice(found)["c"]["value"][len(BASE) - 1 :])
        kinds = [f"https://w3id.org/factgraph/conflict/{k}" for k in CONFLICT_KINDS]
        first = [
            ("conflicts", "/conflicts"),
            ("conflicts (kind)", "/conflicts?kind=" + urllib.parse.quote(kinds[0])),
        ]
        first += [("place", f"/place/p{p}.html") for p in range(min(n, 20))]  # those timed below
        first += [("source (agent)", f"/agent/a{a}.html") for a in range(min(n, 50))]
        views: dict[str, list[tuple[float, int]]] = {}
        for name, path in first:
            if only is None or name in only:
                t0 = time.perf_counter()
                status, _, conn = request(port, path, timeout=600)
                conn.close()
                views.setdefault(name, []).append(((time.perf_counter() - t0) * 1000, status))
        for name, got in views.items():
            ms = sorted(t for t, _ in got)
            print(
                f"first view after the start, {name}: median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms"
                f" ({len(ms)}; statuses {sorted({s for _, s in got})})",
                flush=True,
            )
        pages = {
            "claim": [c + ".html" for c in claims],
            "article": [f"/article/a{a:05d}.html" for a in rnd.sample(range(articles), min(articles, n))],
            "place": [f"/place/p{i % 20}.html" for i in range(n)],
            "source (agent)": [f"/agent/a{i % 50}.html" for i in range(n)],
            "conflicts": ["/conflicts"] * n,
            "conflicts (kind)": [f"/conflicts?kind={urllib.parse.quote(kinds[i % 3])}" for i in range(n)],
            "conflict": [],
        }
        found = sparql(port, f"SELECT ?k WHERE {{ GRAPH <{BASE}graph/conflicts> {{ ?k a <{FG}Conflict> }} }}")
        pages["conflict"] = [rnd.choice(found)["k"]["value"][len(BASE) - 1 :] + ".html" for _ in range(n)]
        print(
            f"{'page':<20} {'uncached p50':>12} {'p90':>7} {'cpu ms':>7} {'cached':>7}   "
            f"{'cached p50':>10} {'cached':>7}  statuses  bar (#14, at 1M claims)"
        )
        serial = 0
        for name, paths in pages.items():
            if only is not None and name not in only:
                continue
            asked = []
            for path in paths:
                serial += 1
                asked.append((path, {"Accept-Language": f"en, x-r{serial};q=0.1"}))
            passes = []
            for _ in ("uncached", "cached"):
                times, hits, statuses = [], 0, Counter()
                cpu0 = cpu_ms(server.proc.pid)
                conn = None
                for path, headers in asked:
                    t0 = time.perf_counter()
                    status, _, conn = request(port, path, conn=conn, timeout=600, headers=headers)
                    times.append((time.perf_counter() - t0) * 1000)
                    hits += conn.cache == "hit"  # type: ignore[attr-defined]
                    statuses[status] += 1
                if conn is not None:
                    conn.close()
                passes.append(
                    (
                        sorted(times),
                        hits / len(asked),
                        (cpu_ms(server.proc.pid) - cpu0) / len(asked),
                        statuses,
                    )
                )
            (t, share, cpu, statuses), (ct, cshare, _, cstatuses) = passes
            p90 = t[max(0, int(len(t) * 0.9) - 1)]
            bar = BARS.get(name)
            verdict = f"p50 < {bar} ms: {'met' if statistics.median(t) < bar else 'NOT met'}" if bar else ""
            print(
                f"{name:<20} {statistics.median(t):>12.1f} {p90:>7.1f} {cpu:>7.1f} {share:>7.0%}   "
                f"{statistics.median(ct):>10.1f} {cshare:>7.0%}  {dict(statuses + cstatuses)}  {verdict}",
                flush=True,
            )
    finally:
        server.stop()
    print(f"load average at the end: {os.getloadavg()}")


def in_process(store: EmbeddedStore, spent: list[float]) -> None:
    """Views and stored queries run in this process, not in a worker forked per request,
    and the time of every query (rows read) added to ``spent[0]``."""
    from factgraph.server import bounded_views, sparql

    def here(fn, *args, **_):  # noqa: ANN001, ANN002, ANN003, ANN202 - query_pool.run_query's signature
        return fn(store, *args)

    bounded_views.run_query = here  # type: ignore[assignment]
    sparql.run_query = here  # type: ignore[assignment]
    query, rows = store.query, store.rows

    def timed_query(text, bindings=None):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        result = query(text, bindings)
        if result.type == "SELECT":
            result.bindings  # noqa: B018 - rdflib reads the rows on first access
        spent[0] += (time.perf_counter() - t0) * 1000
        return result

    def timed_rows(text):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        found = list(rows(text))
        spent[0] += (time.perf_counter() - t0) * 1000
        return iter(found)

    store.query = timed_query  # type: ignore[method-assign]
    store.rows = timed_rows  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
