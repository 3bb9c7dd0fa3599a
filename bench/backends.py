"""Ingest rate and query latency: embedded Oxigraph vs an Oxigraph server vs Virtuoso.

Every backend gets the same synthetic articles (claims shaped like ``mapping.py``'s,
with a blank-node period each, agents and places in a vocabulary graph), written one
article graph per ``replace_graph`` as the pipeline does; then each query runs
``--repeat`` times. Then the real pipeline ingests the built-in corpus and every stored
query of the library (``queries/*.rq``) runs on it. Prints medians side by side and the
ratio to the embedded store.

    bash .ci/services.sh start && . .ci/services.env
    python bench/backends.py [--articles 200] [--claims 50] [--repeat 30]

Remote servers come from FACTGRAPH_TEST_{OXIGRAPH,VIRTUOSO}_{URL,UPDATE_URL,USER,PASSWORD}
(a backend without its URL is left out). Only graphs under the bench's own base
(``http://bench.factgraph.test/``) are written, and they are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, Namespace
from rdflib import namespace as ns

from factgraph.graph.remote import RemoteStore
from factgraph.graph.store import EmbeddedStore, Store

B = Namespace("http://bench.factgraph.test/")
FG = Namespace("https://w3id.org/factgraph/ontology#")
FGQ = Namespace("https://w3id.org/factgraph/quantity/")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
KINDS = ["civilian_deaths", "deaths", "strikes", "injured", "displaced"]
VOCAB = B["graph/vocabulary"]


def vocabulary() -> Graph:
    g = Graph()
    for a in range(50):
        g.add((B[f"agent/a{a}"], ns.RDFS.label, Literal(f"Agent {a}", lang="en")))
    for p in range(20):
        g.add((B[f"place/p{p}"], ns.RDFS.label, Literal(f"Place {p}", lang="en")))
    return g


def article(i: int, claims: int) -> Graph:
    g = Graph()
    art = B[f"article/a{i:05d}"]
    g.add((art, ns.RDF.type, SCHEMA.NewsArticle))
    g.add((art, SCHEMA.headline, Literal(f"Rapport n°{i} : « bilan » des frappes\nsuite")))
    for c in range(claims):
        claim = B[f"claim/a{i:05d}/{c * 40}"]
        period = BNode()
        g.add((claim, ns.RDF.type, FG.FigureClaim))
        g.add((claim, SCHEMA.appearance, art))
        g.add((claim, FG.claimant, B[f"agent/a{(i + c) % 50}"]))
        g.add((claim, FG.place, B[f"place/p{(i * 7 + c) % 20}"]))
        g.add((claim, FG.quantityKind, FGQ[KINDS[c % len(KINDS)]]))
        g.add((claim, FG.value, Literal(f"{(i * 31 + c * 17) % 5000 + 1}", datatype=ns.XSD.decimal)))
        g.add((claim, FG.periodEnd, Literal(f"{2014 + i % 6}-{c % 12 + 1:02d}", datatype=ns.XSD.gYearMonth)))
        g.add((claim, ns.RDFS.label, Literal(f"Agent {(i + c) % 50}: {c} deaths", lang="en")))
        g.add((claim, FG.period, period))
        g.add((period, TIME.inXSDgYearMonth, Literal(f"{2014 + i % 6}-01", datatype=ns.XSD.gYearMonth)))
    return g


QUERIES: dict[str, tuple[str, Callable[[int], dict]]] = {
    "claims of one article (bound)": (
        "SELECT ?art ?c ?v WHERE { ?c schema:appearance ?art ; fg:value ?v }",
        lambda i: {"art": B[f"article/a{i:05d}"]},
    ),
    "count by kind (aggregate)": (
        "SELECT ?kind (COUNT(?c) AS ?n) (AVG(?v) AS ?avg) WHERE "
        "{ ?c a fg:FigureClaim ; fg:quantityKind ?kind ; fg:value ?v } GROUP BY ?kind",
        lambda i: {},
    ),
    "join across graphs (100 rows)": (
        "SELECT ?c ?label WHERE { ?c fg:claimant ?ag . ?ag rdfs:label ?label } ORDER BY ?c LIMIT 100",
        lambda i: {},
    ),
    "ASK a claim (bound)": (
        "ASK { ?c a fg:FigureClaim ; fg:claimant ?ag }",
        lambda i: {"ag": B[f"agent/a{i % 50}"]},
    ),
}


def bench(store: Store, articles: list[Graph], repeat: int) -> dict[str, float]:
    out: dict[str, float] = {}
    store.replace_graph(VOCAB, vocabulary())
    times = []
    t0 = time.perf_counter()
    for i, g in enumerate(articles):
        t = time.perf_counter()
        store.replace_graph(B[f"graph/article/a{i:05d}"], g)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    out["ingest: triples/s"] = sum(len(g) for g in articles) / total
    out["ingest: ms per article graph (p50)"] = statistics.median(times) * 1000
    for name, (text, bindings) in QUERIES.items():
        times = []
        for r in range(repeat):
            t = time.perf_counter()
            list(store.query(text, bindings(r)))
            times.append(time.perf_counter() - t)
        out[f"{name}: ms (p50)"] = statistics.median(times) * 1000
    times = []
    for r in range(repeat):
        t = time.perf_counter()
        store.graph(B[f"graph/article/a{r % len(articles):05d}"])
        times.append(time.perf_counter() - t)
    out["graph(name) CONSTRUCT: ms (p50)"] = statistics.median(times) * 1000
    return out


# The library's stored queries (queries/*.rq) with the values of
# tests/test_server/test_stored_queries.py, on the built-in corpus under the bench's base.
STORED_VALUES = {
    "claims_by_source": {"source": B["agent/coalition"]},
    "claims_by_quantity": {"kind": "fgq:civilian_deaths"},
    "claims_by_place": {"place": B["place/syria"]},
    "figures_over_time": {"source": B["agent/coalition"], "kind": "fgq:civilian_deaths"},
    "claims_by_confidence": {"confidence": "fgc:likely"},
    "unreliable_reports": {},
    "conflicts_by_kind": {"kind": "fgk:tension"},
    "claim_provenance": {"claim": None},  # the first claim found
}


def bench_pipeline(store: Store, repeat: int) -> dict[str, float]:
    """The real pipeline (extract, map, validate, store, reason, conflicts) on the
    built-in corpus, then each stored query of the library."""
    from factgraph.graph.catalogue import Catalogue
    from factgraph.graph.pipeline import builtin_corpus, ingest
    from factgraph.graph.terms import Iris

    out: dict[str, float] = {}
    iris = Iris(str(B))
    paths = builtin_corpus()
    ingest(store, paths, iris)  # warm: the vocabulary graphs are written once per store
    times = []
    for _ in range(5):  # re-ingesting replaces: the same work each time
        t = time.perf_counter()
        ingest(store, paths, iris)
        times.append(time.perf_counter() - t)
    out[f"pipeline ingest, {len(paths)} built-in article(s): ms (p50)"] = statistics.median(times) * 1000
    first_claim = next(iter(store.query("SELECT ?c WHERE { ?c a fg:FigureClaim } ORDER BY ?c LIMIT 1")))[0]  # type: ignore[index]
    catalogue = Catalogue.load()
    for query in catalogue.library():
        values = {k: str(v if v is not None else first_claim) for k, v in STORED_VALUES[query.name].items()}
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            rows = list(query.run(store, values))
            times.append(time.perf_counter() - t)
        if not rows and query.name != "conflicts_by_kind":
            raise SystemExit(f"bench: stored query {query.name} found nothing on {store!r}")
        out[f"stored {query.name}: ms (p50)"] = statistics.median(times) * 1000
    return out


def cleanup(store: Store) -> None:
    for name in store.graph_names():
        if str(name).startswith(str(B)):
            store.drop_graph(name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--claims", type=int, default=50, help="claims per article (~10 triples each)")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    articles = [article(i, args.claims) for i in range(args.articles)]
    print(f"{args.articles} articles x {args.claims} claims = {sum(len(g) for g in articles)} triples\n")
    tmp = tempfile.TemporaryDirectory(prefix="factgraph-bench-")
    backends: dict[str, Callable[[], Store]] = {"embedded": lambda: EmbeddedStore(tmp.name)}
    for name in ("oxigraph", "virtuoso"):
        env = f"FACTGRAPH_TEST_{name.upper()}_"
        if os.environ.get(env + "URL"):
            backends[name] = lambda env=env: RemoteStore(
                os.environ[env + "URL"],
                update_url=os.environ.get(env + "UPDATE_URL"),
                user=os.environ.get(env + "USER"),
                password=os.environ.get(env + "PASSWORD"),
            )
    results = {}
    for name, make in backends.items():
        store = make()
        try:
            cleanup(store)
            results[name] = bench(store, articles, args.repeat)
            cleanup(store)
            results[name].update(bench_pipeline(store, args.repeat))
        finally:
            cleanup(store)
            store.close()
    tmp.cleanup()

    names = list(results)
    width = max(len(k) for k in results["embedded"])
    header = (
        f"{'':{width}}" + "".join(f"{n:>12}" for n in names) + "".join(f"{n + '/emb':>16}" for n in names[1:])
    )
    print(header)
    for key in results["embedded"]:
        row = f"{key:{width}}" + "".join(f"{results[n][key]:12.1f}" for n in names)
        row += "".join(f"{results[n][key] / results['embedded'][key]:16.2f}" for n in names[1:])
        print(row)


if __name__ == "__main__":
    main()
