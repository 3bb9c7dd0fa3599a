"""Preparing articles for the store: read, extract, map, validate, reason, and write each
one's graphs as N-Triples text, ready for its transaction.

``prepare`` yields the articles in the order given. With ``workers`` > 1 the work runs in
that many forked processes, a few articles ahead of the caller (at most ``AHEAD`` per
worker waiting), so the caller writes article N while the workers prepare the next ones,
and memory does not grow with the batch: only text and the extraction cross between
processes, never an rdflib graph.

Forked, not spawned: the first article is prepared in the calling process, which loads
what every article needs (gazetteer index, vocabulary, compiled rules and shapes: about
a second) once; the workers inherit it. A worker dies with its parent (``PR_SET_PDEATHSIG``):
a killed ingest leaves no process behind. Fork only from a process with no other thread
(the command line); the library's default is one process.

Extraction names the sources the lexicon does not know, and the named sites (a hospital,
a camp), in per-process registries (``sources.py``, ``gazetteer.py``: a name as first
written); each prepared article carries the entries of the sources it cites and the
sites its claims are about (``Prepared.agents``, ``Prepared.sites``), which the caller
adds to its own registries (``Prepared.remember``), so the conflicts' explanations read
the same labels as after a serial run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import gazetteer, sources
from .article import ArticleError, read_article
from .conflict_update import vocabulary_triples
from .disk_cache import collecting_nothing
from .extraction import extract
from .mapping import lexicon_triples, triples
from .model import Extraction
from .reasoning import Triple, inferred_triples, split_shared
from .store import Triples, serialised
from .terms import Iris
from .validation import ValidationError, validate
from .vocabulary import Vocabulary, named_vocabulary

AHEAD = 4  # articles submitted per worker beyond the one the caller waits for
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Prepared:
    """One article ready for its transaction: its extraction and its graphs as text."""

    extraction: Extraction
    graph: Triples  # what the article said (its named graph)
    inferred: Triples  # its own inferences (its inferred graph)
    lexicon: Triples  # what it adds to the lexicon graph
    shared: Triples  # inferences about the lexicon's shared nodes (the lexicon's inferred graph)
    agents: tuple[sources.Agent, ...] = ()  # the open-world sources it cites, as registered
    sites: tuple[gazetteer.Place, ...] = ()  # the named sites its claims are about, as registered
    # its lexicon triples that can change how stored claims are read (the writer asks the
    # store about these alone: ``conflict_update.vocabulary_changes``)
    vocabulary: frozenset[Triple] = frozenset()

    def remember(self) -> None:
        """Register its sources and sites in this process (the first entry of a key
        stays): the conflicts' explanations then name them as the process that read
        the article did."""
        sources.remember(self.agents)
        gazetteer.remember_sites(self.sites)


# per process: the vocabulary graph of each base (validation recognises it by identity)
_vocabularies: dict[str, Vocabulary] = {}


def _vocabulary(iris: Iris) -> Vocabulary:
    if iris.base not in _vocabularies:
        _vocabularies[iris.base] = named_vocabulary(iris)
    return _vocabularies[iris.base]


def prepare_one(path: str | Path, iris: Iris, url: str | None = None) -> Prepared:
    """Read, extract, map, validate and reason one article. Raises ``ArticleError``
    (unreadable, or a bug of the reader, named) or ``ValidationError``."""
    article = read_article(path, url)
    try:
        x = extract(article)
        g, lex = triples(x, iris), lexicon_triples(x, iris)  # sets: no rdflib graph is needed
    except Exception as exc:  # noqa: BLE001 - a reader's bug must cost one article, not the batch
        raise ArticleError(f"{Path(path).name}: could not be read ({type(exc).__name__}: {exc}); "
                           "this is a bug in factgraph, please report it with the file") from exc
    validate((g, lex), _vocabulary(iris), article.file_name)
    own, shared = split_shared(inferred_triples(g, iris, lex), lex)
    cited = {c.claimant for c in x.claims} | {s.claimant for s in x.statements} | {
        c.relayed_by for c in x.claims if c.relayed_by}
    a = article.id
    # blank node labels of this article's own (the ontology's anonymous classes are one
    # rdflib node in every article): several articles are written in one load (pipeline.py)
    tag = hashlib.blake2b(a.encode("utf-8"), digest_size=6).hexdigest()
    return Prepared(x, serialised(g, iris.article_graph(a), f"a{tag}"), serialised(own, iris.inferred_graph(a), f"i{tag}"),
                    serialised(lex, iris.lexicon_graph, f"l{tag}"), serialised(shared, iris.lexicon_closure_graph, f"s{tag}"),
                    sources.registered(cited), gazetteer.registered_sites(p for c in x.claims for p in c.scope.places),
                    frozenset(vocabulary_triples(lex)))


def _attempt(path: str | Path, iris: Iris, url: str | None) -> Prepared | ArticleError | ValidationError:
    """``prepare_one``, its refusal returned rather than raised (it crosses a process)."""
    try:
        return prepare_one(path, iris, url)
    except (ArticleError, ValidationError) as exc:
        return type(exc)(str(exc))  # the message only: the cause's traceback stays here


def _die_with_parent(parent: int) -> None:
    """Worker start: killed (SIGKILL) when the process that forked it dies."""
    if hasattr(os, "sched_getaffinity"):  # Linux
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def default_workers() -> int:
    """The cores this process may use (``os.sched_getaffinity``), at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1)


def prepare(paths: Iterable[str | Path], iris: Iris, urls: Mapping[str, str] | None = None,
            workers: int = 1) -> Iterator[Prepared | ArticleError | ValidationError]:
    """Each article of ``paths`` prepared, or the error that refuses it, in order. With
    ``workers`` > 1, the articles after the first are prepared in forked processes."""
    todo = list(paths)
    urls = urls or {}
    if not todo:
        return
    with collecting_nothing():  # the first fills the caches: objects that live as long as the process
        first = _attempt(todo[0], iris, urls.get(str(todo[0])))  # loads what every article needs, before the fork
    yield first
    if workers <= 1 or len(todo) < 3:
        for p in todo[1:]:
            yield _attempt(p, iris, urls.get(str(p)))
        return
    context = multiprocessing.get_context("fork")
    # what this process holds now (modules, the caches the first article filled) lives as
    # long as it does: out of the collector's sight while the workers run (gc.freeze, as
    # Python's documentation advises before a fork), their collections do not walk it nor
    # copy its pages, and neither do this process'
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            pending: deque[Future] = deque()
            rest = iter(todo[1:])
            try:
                for p in rest:
                    pending.append(pool.submit(_attempt, p, iris, urls.get(str(p))))
                    if len(pending) > workers * AHEAD:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:  # the caller stopped early (strict: a refused article): drop what is queued
                for f in pending:
                    f.cancel()
    finally:
        gc.unfreeze()
