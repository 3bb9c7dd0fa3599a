"""Page render time with many claims in the store.

Builds an in-memory store with N synthetic claims (default 100 000) shaped like
``mapping.py``'s (docs/design.md, "The claim model"), spread over articles of 100 claims,
50 claimants and 20 places, with a conflict every 50 claims (2 000 with 100k claims, of
three kinds) and the seed vocabulary; then renders pages through Flask's test client and
prints the median (p50) and p90 of each, the conflict report (``/conflicts``: its first
page, a later page, a kind filter and the JSON twin) and the page of one conflict among
them.

    python bench/pages.py [--claims 100000] [--repeat 200]

The issue's bar: claim page p50 under 50 ms with 100k claims.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
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
    args = parser.parse_args()

    import pyoxigraph as ox

    t0 = time.perf_counter()
    store = EmbeddedStore(None)
    data = synthetic_nquads(args.claims)
    store._ox.bulk_load(data, ox.RdfFormat.N_QUADS)  # noqa: SLF001 - benchmark set-up only
    print(f"store: {args.claims} claims, {len(store._ox)} quads, loaded in {time.perf_counter() - t0:.1f} s")  # noqa: SLF001
    client = create_app({"TESTING": True, "BASE": BASE}, store=store).test_client()
    rnd = random.Random(1)
    articles = (args.claims + PER_ARTICLE - 1) // PER_ARTICLE
    claim_paths = [
        str(r[0])[len(BASE) - 1 :]
        for r in store.query(f"SELECT ?c WHERE {{ ?c a <{FG}FigureClaim> }} LIMIT 2000")
    ]
    conflict_paths = [
        str(r[0])[len(BASE) - 1 :] for r in store.query(f"SELECT ?k WHERE {{ ?k a <{FG}Conflict> }}")
    ]
    first = client.get("/conflicts").get_data(as_text=True)
    nxt = first.split('<a rel="next" href="', 1)[1].split('"', 1)[0] if 'rel="next"' in first else ""
    page_two = "/conflicts" + nxt.replace("&amp;", "&")
    print(f"conflicts: {len(conflict_paths)}")
    pages = {
        "claim": lambda: rnd.choice(claim_paths) + ".html",
        "claim (303)": lambda: rnd.choice(claim_paths),
        "claim .ttl": lambda: rnd.choice(claim_paths) + ".ttl",
        "article": lambda: f"/article/a{rnd.randrange(articles):05d}.html",
        "place": lambda: f"/place/p{rnd.randrange(20)}.html",
        "source (agent)": lambda: f"/agent/a{rnd.randrange(50)}.html",
        "home": lambda: "/",
        "conflicts": lambda: "/conflicts",
        "conflicts page 2": lambda: page_two,
        "conflicts (kind)": lambda: (
            f"/conflicts?kind=https://w3id.org/factgraph/conflict/{rnd.choice(CONFLICT_KINDS)}"
        ),
        "conflicts.json": lambda: "/conflicts.json",
        "conflict": lambda: rnd.choice(conflict_paths) + ".html",
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
    print(f"{'page':<18} {'p50 ms':>8} {'p90 ms':>8}  (n)")
    for name, pick in pages.items():
        repeat = args.repeat if name not in slow else max(10, args.repeat // 10)
        times = []
        for _ in range(repeat):
            times.extend(timed(client, pick(), 1))
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"{name:<18} {statistics.median(times):>8.1f} {p90:>8.1f}  ({len(times)})")


if __name__ == "__main__":
    main()
