"""Articles prepared in worker processes (``preparation.py``): the same store as when one
process does everything, the work really done elsewhere, nothing written when a strict
batch holds a bad article."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import PROV

from factgraph.graph import pipeline, preparation
from factgraph.graph.pipeline import builtin_corpus, ingest
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris
from factgraph.graph.validation import ValidationError

IRIS = Iris("http://127.0.0.1:5000/")
PLACES = ["Raqqa", "Alep", "Mossoul", "Deir ez-Zor", "Idleb", "Homs"]
# sources the lexicon does not know (registered by extraction in the process that reads
# them), and known ones
SOURCES = ["Le Comité local de coordination de Soussa", "L'OSDH", "Le Collectif des médecins d'Idleb", "Airwars"]


def write_articles(folder: Path, count: int) -> list[Path]:
    paths = list(builtin_corpus())
    for i in range(count):
        lines = [f"{SOURCES[(i + j) % len(SOURCES)]} a recensé {100 + 37 * i + 11 * j} civils tués à "
                 f"{PLACES[(i + 2 * j) % len(PLACES)]} entre janvier et avril 2017." for j in range(4)]
        p = folder / f"article_{i}.txt"
        p.write_text(" date 2017-05\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
        paths.append(p)
    # a named site (registered by the process that reads it) in a conflict's explanation
    for name, text in (("site.txt", " date 2023-10-20\n\nSelon le ministère de la Santé de Gaza, au moins 471 "
                                    "personnes ont été tuées dans la frappe sur l'hôpital Al-Ahli.\n"),
                       ("whole.txt", " date 2023-10-21\n\nSelon une source européenne, au plus 50 personnes ont été "
                                     "tuées dans la bande de Gaza depuis le début du mois.\n")):
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def graphs(store: EmbeddedStore) -> dict[URIRef, Graph]:
    """Every named graph of the store, canonical (blank nodes are the store's own), the
    time the conflicts were computed left out."""
    out = io.BytesIO()
    store.dump(out, "nquads")
    ds = Dataset()
    ds.parse(data=out.getvalue().decode("utf-8"), format="nquads")
    found = {}
    for g in ds.graphs():
        kept = Graph()
        for t in g:
            if t[1] != PROV.endedAtTime:
                kept.add(t)
        if len(kept):
            found[URIRef(str(g.identifier))] = to_isomorphic(kept)
    return found


def ingested(paths: list[Path], workers: int, store: Path, strict: bool = False) -> dict[URIRef, Graph]:
    """The store after ``factgraph ingest`` in a new process (its registries of sources
    and sites, and the caches that go with them, empty at the start)."""
    done = subprocess.run([sys.executable, "-m", "factgraph", "ingest", "--store", str(store), "--base", IRIS.base,
                           "--workers", str(workers), *(["--strict"] if strict else []), *map(str, paths)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with EmbeddedStore(store) as s:
        return graphs(s)


def test_workers_write_the_store_one_process_writes(tmp_path):
    paths = write_articles(tmp_path, 7)
    serial, parallel = ingested(paths, 1, tmp_path / "serial"), ingested(paths, 2, tmp_path / "parallel")
    assert len(serial) > 2 * len(paths)  # each article's graph and inferred graph, the vocabulary, conflicts...
    assert sorted(parallel) == sorted(serial)
    for name, g in serial.items():
        assert parallel[name] == g, f"graph {name} differs"


def test_the_articles_are_prepared_in_other_processes(tmp_path, monkeypatch):
    paths = write_articles(tmp_path, 6)
    pids = tmp_path / "pids"
    real = preparation.prepare_one

    def prepare_one(path, iris, url=None):  # runs in the forked workers, which inherit it
        with open(pids, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        return real(path, iris, url)

    monkeypatch.setattr(preparation, "prepare_one", prepare_one)
    with EmbeddedStore(None) as store:
        done = ingest(store, paths, IRIS, strict=False, workers=2)
    assert [x.article.file_name for x in done.extractions] == [p.name for p in paths]
    seen = pids.read_text(encoding="utf-8").split()
    assert len(seen) == len(paths)
    assert seen[0] == str(os.getpid())  # the first in this process, loading what all need
    assert len(set(seen) - {str(os.getpid())}) == 2


def test_a_strict_batch_with_a_bad_article_writes_nothing(tmp_path, monkeypatch):
    paths = write_articles(tmp_path, 6)
    real = preparation.validate

    def validate(data, vocabulary, label):
        if label == "article_4.txt":
            raise ValidationError(f"{label}: breaks a shape")
        return real(data, vocabulary, label)

    monkeypatch.setattr(preparation, "validate", validate)
    with EmbeddedStore(None) as store:
        with pytest.raises(ValidationError, match="article_4.txt"):
            ingest(store, paths, IRIS, strict=True, workers=2)
        assert not [n for n in store.graph_names() if "/graph/article/" in n]
        done = ingest(store, paths, IRIS, strict=False, workers=2)
        assert len(done.errors) == 1 and "article_4.txt" in done.errors[0]
        assert len(done.extractions) == len(paths) - 1


def test_a_strict_batch_is_written_whole(tmp_path):
    paths = write_articles(tmp_path, 4)
    assert ingested(paths, 2, tmp_path / "strict", strict=True) == ingested(paths, 1, tmp_path / "serial")


def test_pipeline_reports_progress_with_the_count(tmp_path):
    paths = write_articles(tmp_path, 3)
    seen = []

    def progress(items, count):
        seen.append(count)
        return items

    with EmbeddedStore(None) as store:
        pipeline.ingest(store, paths, IRIS, progress=progress, workers=2)
    assert seen == [len(paths)]


def _children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_ingest_leaves_no_worker_behind(tmp_path):
    paths = write_articles(tmp_path, 40)
    proc = subprocess.Popen([sys.executable, "-m", "factgraph", "ingest", "--store", str(tmp_path / "store"),
                             "--workers", "2", *map(str, paths)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the ingest never started its workers"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
