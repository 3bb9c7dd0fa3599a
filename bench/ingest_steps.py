"""CPU per article and per step of ingest (``python bench/ingest.py --steps 100``), per code
revision, side by side: what each step after extraction costs against extraction.

The articles are the scale bench's (``ingest_scale.write_articles``: the real texts varied).
Each revision (``git archive`` of it, or ``.`` for the work tree) runs in a fresh
interpreter, in one process (no workers), into a new store on disk, the steps of
``preparation.prepare_one`` and of ``pipeline.ingest``'s write called one by one and timed
with ``time.process_time`` (CPU of the process, its threads included: RocksDB's flushes
and compactions): read, extraction, mapping, SHACL, reasoning, the split of the
inferences, the N-Triples text, the article's plan with the vocabulary check (only
until one article changes the vocabulary, as ``pipeline.ingest`` does), and the write
(``Store.apply`` of the article's ``Changes``; from session 8 on, as ``pipeline.ingest``, new
articles' graphs gathered and written together by ``Store.add_together``, ``pipeline.GROUP_QUADS``
at a time). The first article is prepared before
the clock starts (first use of the tables, as in the workers). Runs are interleaved; the
table gives medians. Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = ("read", "extraction", "mapping", "SHACL", "reasoning", "split", "N-Triples", "plan and vocabulary", "write")
AFTER = STEPS[2:]  # everything after extraction

CHILD = r"""
import hashlib, json, shutil, sys, tempfile, time
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()] if {pinned} else sys.meta_path
from pathlib import Path
from factgraph.graph import conflict_update, identity, pipeline, preparation, staleness
from factgraph.graph.article import read_article
from factgraph.graph.extraction import extract
from factgraph.graph.mapping import lexicon_triples, triples
from factgraph.graph.reasoning import inferred_triples, split_shared
from factgraph.graph.store import Changes, EmbeddedStore, as_graph, serialised
from factgraph.graph.terms import Iris
from factgraph.graph.validation import validate
from factgraph.graph.vocabulary import ensure_loaded

paths = [Path(p) for p in json.loads(sys.argv[1])]
iris = Iris(base="http://127.0.0.1:5000/")
root = Path(tempfile.mkdtemp(prefix="factgraph-steps-"))
store = EmbeddedStore(root / "store")
ensure_loaded(store, iris)
preparation.prepare_one(paths[0], iris)
stale = serialised(staleness.mark(iris, staleness.ingest_activity(iris)), iris.status_graph, "m")
stored = identity.StoredArticles(identity.stored_articles(store, iris))
spent = dict.fromkeys({steps}, 0.0)
changed = False
together, group, quads = hasattr(store, "add_together"), [], 0
for path in paths:
    t = time.process_time()
    def tick(step):
        global t
        now = time.process_time()
        spent[step] += now - t
        t = now
    article = read_article(path); tick("read")
    x = extract(article); tick("extraction")
    g, lex = triples(x, iris), lexicon_triples(x, iris); tick("mapping")
    validate((g, lex), preparation._vocabulary(iris), article.file_name); tick("SHACL")
    inferred = inferred_triples(g, iris, lex); tick("reasoning")
    own, shared = split_shared(inferred, lex); tick("split")
    a = article.id
    tag = hashlib.blake2b(a.encode("utf-8"), digest_size=6).hexdigest()  # as prepare_one labels blank nodes
    graph, inf = serialised(g, iris.article_graph(a), "a" + tag), serialised(own, iris.inferred_graph(a), "i" + tag)
    lexicon, closure = serialised(lex, iris.lexicon_graph, "l" + tag), serialised(shared, iris.lexicon_closure_graph, "s" + tag)
    tick("N-Triples")
    stored.plan(a, article.file_name)
    if not changed:  # pipeline.ingest stops asking once one article changed the vocabulary
        if hasattr(conflict_update, "vocabulary_triples"):
            changed = conflict_update.vocabulary_changes(store, [conflict_update.vocabulary_triples(lex)])
        else:  # before the worker sent the vocabulary triples: the lexicon text parsed back
            changed = len(lexicon) > 0 and conflict_update.vocabulary_changes(store, [as_graph(lexicon)])
    tick("plan and vocabulary")
    if together:  # new articles written about 200 at a time, as pipeline.ingest does
        group += [(iris.article_graph(a), graph), (iris.inferred_graph(a), inf), (iris.lexicon_graph, lexicon),
                  (iris.lexicon_closure_graph, closure), (iris.status_graph, stale)]
        quads += len(graph) + len(inf) + len(lexicon) + len(closure) + len(stale)
        if quads >= pipeline.GROUP_QUADS:
            store.add_together(group)
            group, quads = [], 0
    else:
        store.apply(Changes(replace={{iris.article_graph(a): graph, iris.inferred_graph(a): inf}},
                            add={{iris.lexicon_graph: lexicon, iris.lexicon_closure_graph: closure, iris.status_graph: stale}}))
    tick("write")
    stored.add(a, article.file_name)
if group:
    t = time.process_time()
    store.add_together(group)
    spent["write"] += time.process_time() - t
store.close()
shutil.rmtree(root, ignore_errors=True)
print("STEPS " + json.dumps({{k: v / len(paths) * 1000 for k, v in spent.items()}}))
"""


def run_once(pkg: Path | None, paths: list[Path], cwd: Path) -> dict[str, float]:
    env = dict(os.environ)
    if pkg is not None:
        env["PYTHONPATH"] = str(pkg)
    code = CHILD.format(pinned=pkg is not None, steps=repr(STEPS))
    done = subprocess.run([sys.executable, "-c", code, json.dumps([str(p) for p in paths])], cwd=cwd, env=env,
                          capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("STEPS ")), None)
    if line is None:
        raise SystemExit(f"steps failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return json.loads(line[len("STEPS "):])


def run_steps(count: int, repeat: int, revisions: list[str], files: list[Path]) -> None:
    from ingest_scale import base_texts, checkout, write_articles

    with tempfile.TemporaryDirectory(prefix="factgraph-ingest-steps-") as tmp:
        root = Path(tmp)
        pkgs = [checkout(rev, root / f"rev{i}") for i, rev in enumerate(revisions)]
        paths = write_articles(root / "articles", count, base_texts(files))
        load = os.getloadavg()
        print(f"{count} articles, one process, store on disk; {repeat} run(s) per revision, interleaved; "
              f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start")
        runs: list[list[dict[str, float]]] = [[] for _ in revisions]
        for _ in range(max(1, repeat)):
            for i, pkg in enumerate(pkgs):
                runs[i].append(run_once(pkg, paths, root))
        med = [{s: statistics.median(r[s] for r in rs) for s in STEPS} for rs in runs]
        width = max(12, *(len(r) for r in revisions))
        print(f"\n{'ms of CPU per article':<28}" + "".join(f"{r:>{width}}" for r in revisions))
        for s in STEPS:
            print(f"{s:<28}" + "".join(f"{m[s]:>{width}.2f}" for m in med))
        after = [sum(m[s] for s in AFTER) for m in med]
        print(f"{'after extraction':<28}" + "".join(f"{a:>{width}.2f}" for a in after))
        print(f"{'  / extraction':<28}" + "".join(f"{a / m['extraction']:>{width}.2f}" for a, m in zip(after, med, strict=True)))
        print(f"{'total':<28}" + "".join(f"{sum(m.values()):>{width}.2f}" for m in med))
        print(f"{'  articles/s on 2 cores':<28}" + "".join(f"{2000 / sum(m.values()):>{width}.0f}" for m in med))
        load = os.getloadavg()
        print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
