"""The serving process's memory under /sparql lookups, alone: does it level off?

``factgraph serve`` answers a bounded lookup in its own process (``sparql.lookup_answer``)
when it is the one query in flight or the workers are busy, so those lookups read the
store through the serving process's RocksDB, whose block cache then fills. pyoxigraph
keeps RocksDB's default block cache (32 MB, LRU). This runs the same ``lookup_answer``
from 40 threads (as waitress's) over the claims of ``--articles`` random articles of the
load bench's store and prints, every ``--every`` batches of ``--batch`` lookups, the
process's anonymous RSS and glibc's malloc figures (``mallinfo2``: bytes in use, bytes
free but kept): in use grows by the cache's 32 MB, then stays; what glibc keeps free
levels off too. Measured figures: docs/performance.md, "The server's memory".

    python bench/lookup_memory.py [--store DIR] [--batches 100] [--batch 400] [--every 10]
"""

from __future__ import annotations

import argparse
import ctypes
import queue
import random
import threading
from pathlib import Path

import pyoxigraph as ox

from factgraph.graph.store import EmbeddedStore
from factgraph.server.sparql import lookup_answer

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def memory() -> str:
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    anon = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("RssAnon"))
    return f"RssAnon {anon >> 10} MB, malloc in use {info.uordblks >> 20} MB, free but kept {info.fordblks >> 20} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/factgraph-bench/store-100000"),
                        help="an on-disk store (bench/load.py builds one); opened read-write, as serve does")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch", type=int, default=400)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()

    store = EmbeddedStore(args.store)
    engine = store._ox  # noqa: SLF001 - benchmark set-up: the claims to look up
    rnd = random.Random(1)
    graphs = sorted(g.value for g in engine.named_graphs() if "/article/" in g.value)
    claims = [q.subject.value for g in rnd.sample(graphs, min(args.articles, len(graphs)))
              for q in engine.quads_for_pattern(None, RDF_TYPE, None, ox.NamedNode(g))]
    print(f"{len(claims)} claims of {args.articles} articles; at start: {memory()}", flush=True)
    todo: queue.Queue[str] = queue.Queue()

    def answer() -> None:
        while True:
            claim = todo.get()
            found = lookup_answer(store, f"SELECT ?p ?o WHERE {{ <{claim}> ?p ?o }}",
                                  "application/sparql-results+json", None, 10_000, 1_000)
            assert found is not None and found.status == 200
            todo.task_done()

    for _ in range(40):
        threading.Thread(target=answer, daemon=True).start()
    for batch in range(1, args.batches + 1):
        for _ in range(args.batch):
            todo.put(rnd.choice(claims))
        todo.join()
        if batch % args.every == 0 or batch == 1:
            print(f"after {batch * args.batch:>6} lookups: {memory()}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
