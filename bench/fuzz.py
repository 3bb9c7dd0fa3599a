"""Fuzzing: mutated articles through the whole pipeline, mutated queries and parameters
through the web app. Nothing may raise past the one-line errors (``ArticleError``,
``ValidationError``, ``StoreError``) and no request may answer 500 or show a traceback.

    python bench/fuzz.py [--articles 2000] [--queries 2000] [--seed 1] [--batch 50]

Articles: the built-in corpus and a few small articles (French and English), mutated by
deleting, duplicating, swapping and truncating spans and by inserting tokens that have
broken readers before (impossible dates, control characters, a BOM, huge numbers, lone
quotes and parentheses, right-to-left text). They are ingested in batches into an
in-memory store (``strict=False``: a bad article is named and left out).

Queries: the stored queries (``queries/**/*.rq``) and a few hand-written ones, mutated the
same way plus deep nesting, then sent to ``/sparql`` (GET and POST); page paths and filters
(``/claim/...``, ``/conflicts?kind=...``, ``/search?q=...``, stored-query parameters) get
the mutated text too. Requests go through Flask's test client, in this process; /sparql
still forks its query workers as in production.

Prints the counts, the statuses seen and every finding (first 20); exits 1 when there is
one. ``tests/test_fuzz.py`` runs a short bounded version of the same code.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

TOKENS = [
    "1.302", "3 800", "2,5", "4,74 millions", "au moins", "plus de", "selon l'OSDH", "according to the WHO",
    "36 juillet", "le 31 février 2019", "2019-02-30", "0000-01", "date 2019-13", "\x00", "\x07", "\x1b[31m",
    "\ufeff", "\u202e", "\u200b", "مقتل 1300 مدني", "死亡 1300 人", "🙂", "«", "»", '"', "'", "(((", ")))",
    "9" * 400, "1e309", "-0", "NaN", "%", "millions", "milliards", "\r\n", "\t", " " * 50, "\n\n\n",
    "<script>alert(1)</script>", "]]>", "\\", "{", "}", "^^", "@fr", "http://x y", "entre 10 et",
]
QUERY_TOKENS = [
    "(" * 40, ")" * 40, "{" * 40, "}", "SERVICE <http://127.0.0.1:9/>", "LOAD <http://x>", "FROM <a b>",
    "\x00", "\r\n", "<http://x y>", '"\\u0000"', "PREFIX : <", "SELECT", "WHERE", "FILTER(", "?", "$",
    "REGEX(?x, \"(a+)+$\")", "ORDER BY", "LIMIT -1", "OFFSET 99999999999999999999", "1e309", "\ufeff",
    "GRAPH ?g", "VALUES ?x { 1 }", "BIND(", "'''", '"""', "#", "\\", "^^<", "@", "COUNT(*)",
]
ARTICLES = [
    " date 2021-03-04\nSéisme : au moins 1.250 morts selon la protection civile.\n"
    "Selon la protection civile, au moins 1.250 personnes sont mortes et 3 400 blessées.\n",
    " date 2020-05\nThe ministry said 4,665 cases had been confirmed, including 2,705 deaths, "
    "while the WHO counted at least 5,000 cases.\n",
    " date 2019-06-30\nL'OSDH parle de plus de 3.800 morts civils en Syrie depuis 2014, "
    "alors que la coalition reconnaît 1.302 civils tués.\n",
]


def mutate(text: str, rng: random.Random, tokens: list[str], rounds: int = 3) -> str:
    for _ in range(rng.randint(1, rounds)):
        n = len(text)
        i, j = sorted(rng.randrange(n + 1) for _ in range(2)) if n else (0, 0)
        op = rng.randrange(7)
        if op == 0:
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:j] + text[i:j] * rng.randint(2, 20) + text[j:]
        elif op == 2:
            text = text[:i] + rng.choice(tokens) + text[i:]
        elif op == 3:
            k = rng.randrange(n + 1)
            text = text[:k]
        elif op == 4 and j > i:
            mid = rng.randint(i, j)
            text = text[:i] + text[mid:j] + text[i:mid] + text[j:]
        elif op == 5:
            text = text[:i] + "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x3000)]))
                                      for _ in range(rng.randint(1, 30))) + text[j:]
        else:
            text = text[:i] + rng.choice(tokens) * rng.randint(2, 30) + text[i:]
    return text


@dataclass
class Report:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    left_out: int = 0
    findings: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.findings.append(what)


def seed_articles() -> list[str]:
    corpus = [p.read_text(encoding="utf-8") for p in sorted(Path(str(files("factgraph.corpus"))).glob("*.txt"))]
    return corpus + ARTICLES


def fuzz_articles(n: int, seed: int, batch: int = 50, report: Report | None = None) -> Report:
    """``n`` mutated articles ingested in batches into in-memory stores."""
    from factgraph.graph.article import ArticleError
    from factgraph.graph.pipeline import ingest
    from factgraph.graph.store import EmbeddedStore, StoreError
    from factgraph.graph.validation import ValidationError

    report = report or Report()
    rng = random.Random(seed)
    seeds = seed_articles()
    with tempfile.TemporaryDirectory() as tmp:
        done = 0
        while done < n:
            paths = []
            for k in range(min(batch, n - done)):
                text = mutate(rng.choice(seeds), rng, TOKENS)
                p = Path(tmp) / f"fuzz-{done + k:05d}.txt"
                if rng.random() < 0.1:  # not UTF-8 at all, now and then
                    p.write_bytes(text.encode("utf-8")[: rng.randrange(1, 200)] + b"\xff\xfe")
                else:
                    p.write_text(text, encoding="utf-8", errors="surrogatepass")
                paths.append(p)
            try:
                with EmbeddedStore(None) as store:
                    out = ingest(store, paths, strict=False)
                report.left_out += len(out.errors)
                for line in out.errors:
                    if "\n" in line or "Traceback" in line:
                        report.add(f"articles {paths[0].name}..: an error of more than one line: {line[:200]!r}")
            except (ArticleError, ValidationError, StoreError) as exc:
                report.add(f"articles {paths[0].name}..: the batch stopped although strict=False: {exc}")
            except Exception:  # noqa: BLE001 - this is what a fuzzer looks for
                report.add(f"articles {paths[0].name}..{paths[-1].name}: {traceback.format_exc(limit=-3)}")
            report.cases += len(paths)
            done += len(paths)
            for p in paths:
                p.unlink()
    return report


def seed_queries() -> list[str]:
    root = Path(str(files("factgraph.queries")))
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.rq"))]
    return texts + [
        "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
        "ASK { ?c a <https://w3id.org/factgraph/ontology#Claim> }",
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), 'civil')) }",
    ]


def requests(rng: random.Random, queries: list[str], stored: list[str]) -> Iterator[tuple[str, str, dict]]:
    """(method, path, data) of one fuzzed request."""
    text = mutate(rng.choice(queries), rng, QUERY_TOKENS)
    junk = mutate(rng.choice(["syria", "tension", "1300", "osdh", "000_x-1", "2019-05"]), rng, TOKENS + QUERY_TOKENS)
    q = urllib.parse.quote(junk, safe="")
    kind = rng.randrange(8)
    if kind < 3:
        yield "GET", "/sparql?" + urllib.parse.urlencode({"query": text}), {}
    elif kind == 3:
        yield "POST", "/sparql", {"data": {"query": text, "default-graph-uri": junk}}
    elif kind == 4:
        yield "POST", "/sparql", {"data": text.encode("utf-8", "surrogatepass"),
                                  "content_type": "application/sparql-query"}
    elif kind == 5:
        page = rng.choice(["claim", "article", "agent", "place", "conflict", "vocab/quantity", "statement"])
        yield "GET", f"/{page}/{q}", {}
    elif kind == 6:
        filt = rng.choice(["kind", "claimant", "place", "severity", "page", "lang", "format"])
        yield "GET", f"/conflicts?{filt}={q}", {}
        yield "GET", f"/search?q={q}", {}
    else:
        name = rng.choice(stored) if stored else "claims_by_place"
        param = rng.choice(["place", "claimant", "quantity", "claim", "source", "min", "format"])
        yield "GET", f"/queries/{name}?{param}={q}&format={rng.choice(['html', 'json', 'csv', q])}", {}


def fuzz_queries(n: int, seed: int, report: Report | None = None) -> Report:
    """``n`` fuzzed requests against the app over the built-in corpus."""
    from factgraph.graph.pipeline import ensure_corpus
    from factgraph.graph.store import EmbeddedStore
    from factgraph.server import create_app

    report = report or Report()
    rng = random.Random(seed)
    store = EmbeddedStore(None)
    ensure_corpus(store)
    app = create_app({"STORE": ":memory:", "QUERY_TIMEOUT": 5}, store=store)
    client = app.test_client()
    stored = [p.stem for p in Path(str(files("factgraph.queries"))).glob("*.rq")]
    queries = seed_queries()
    sent = 0
    while sent < n:
        for method, path, kwargs in requests(rng, queries, stored):
            try:
                resp = client.open(path, method=method, **kwargs)
                body = resp.get_data()
                report.statuses[resp.status_code] += 1
                if resp.status_code >= 500 and resp.status_code != 503:
                    report.add(f"{method} {path[:160]!r}: {resp.status_code} {body[:200]!r}")
                elif b"Traceback (most recent call last)" in body:
                    report.add(f"{method} {path[:160]!r}: a traceback in the answer")
            except Exception:  # noqa: BLE001
                report.add(f"{method} {path[:160]!r}: {traceback.format_exc(limit=-3)}")
            sent += 1
            report.cases += 1
    store.close()
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=50)
    args = ap.parse_args()
    t0 = time.perf_counter()
    arts = fuzz_articles(args.articles, args.seed, args.batch)
    t1 = time.perf_counter()
    print(f"articles: {arts.cases} mutated, {arts.left_out} left out with a one-line error, "
          f"{len(arts.findings)} finding(s), {t1 - t0:.0f} s")
    qs = fuzz_queries(args.queries, args.seed)
    t2 = time.perf_counter()
    print(f"requests: {qs.cases} fuzzed, statuses {dict(sorted(qs.statuses.items()))}, "
          f"{len(qs.findings)} finding(s), {t2 - t1:.0f} s")
    for f in (arts.findings + qs.findings)[:20]:
        print("FINDING:", f.strip().replace("\n", "\n    "))
    return 1 if arts.findings or qs.findings else 0


if __name__ == "__main__":
    sys.exit(main())
