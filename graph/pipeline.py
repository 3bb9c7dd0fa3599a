"""The one place the steps are sequenced: read, extract, map, validate, store, reason,
detect conflicts.

Each article is read, extracted, mapped, validated and reasoned over on its own
(``preparation.py``, in worker processes when asked) before anything of it is written,
so a bad article changes nothing in the store; with ``strict`` every article is, before
the first write. What is written of an article: its named graph (asserted), its inferred
graph, its lexicon additions and a mark flagging the conflicts stale (``staleness.py``).
New articles are written in groups of up to about 200 (``GROUP_QUADS``; smaller at the
start and toward the end of a batch), each group in one atomic load
(``Store.add_together``), by a thread of its own while the next articles come
(``_Group``); an article that replaces a stored one is written in a transaction of its
own, after the groups before it. An article's review graph is
never dropped: when it replaces a stored article, its reviews are re-attached to the
claims read from the same sentences in that transaction
(``review_anchors.reattach_changes``), or left listed as orphaned. The conflicts graph is
then brought up to date, clearing the mark in the same transaction: only the verdicts the
written claims can change (``conflict_update.py``), or over the whole store when more
changed. A process killed at any moment leaves each article complete with its
inferences, or as it was, and the conflicts current or flagged stale.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from rdflib import URIRef

from . import conflict_update, identity, preparation, review_anchors, scope, sources, staleness
from . import conflicts as conflict_analysis
from .article import ArticleError
from .gazetteer import place_label
from .model import Article, Claim, Extraction
from .preparation import Prepared
from .store import Changes, EmbeddedStore, Store, Triples, as_graph, serialised
from .terms import Iris
from .validation import ValidationError
from .vocabulary import ensure_loaded

BUILTIN_CORPUS = "factgraph.corpus"


def builtin_corpus() -> list[Path]:
    """The bundled articles (the seed article)."""
    folder = files(BUILTIN_CORPUS)
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))


@dataclass(frozen=True)
class Ingested:
    extractions: list[Extraction]
    # the verdicts the ingest computed: every one of the store after a full recompute,
    # those on the claims it could change after an incremental one (conflict_update.py)
    conflicts: list[conflict_analysis.Conflict]
    errors: list[str] = field(default_factory=list)  # the articles left out, one line each (not strict)
    plans: list[identity.Plan] = field(default_factory=list)  # per extraction: what it replaced, same names


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    iris: Iris | None = None,
    progress: Callable[[Iterable, int], Iterable] | None = None,
    strict: bool = True,
    urls: Mapping[str, str] | None = None,
    workers: int = 1,
    each: Callable[[Extraction, identity.Plan], None] | None = None,
    keep: bool = True,
) -> Ingested:
    """Add (or replace) articles in ``store`` and refresh the derived conflicts.

    An article replaces the stored one with the same identity (URL, else text: see
    ``identity.py``), whatever its file name; one with the same file name but another
    identity is kept beside it (``Ingested.plans`` says which).

    ``strict`` (the default for the library): one bad article stops the batch before any
    write. Otherwise bad articles are reported in ``Ingested.errors`` and left out.
    ``urls``: path -> the article's address, for files without a ``url:`` header line.
    ``workers``: processes preparing the articles (``preparation.py``) while this one
    writes; more than 1 forks, so only from a process with no other thread.
    ``progress(items, count)`` wraps the articles as they are written. ``each(extraction,
    plan)`` is called for every article taken, in order; with ``keep=False`` the
    extractions (each with its article's text) are not kept for ``Ingested.extractions``,
    which stays empty: memory then does not grow with the batch (a command's report keeps
    what it prints, ``factgraph ingest``)."""
    iris = iris or Iris()
    ensure_loaded(store, iris)
    paths = list(paths)
    errors: list[str] = []
    ready = preparation.prepare(paths, iris, urls, workers)
    prepared = _all_or_nothing(ready) if strict else _accepted(ready, errors)
    steps: Iterable[Prepared] = progress(prepared, len(paths)) if progress else prepared
    activity = staleness.ingest_activity(iris)
    stale = serialised(staleness.mark(iris, activity), iris.status_graph, "m")
    stored = identity.StoredArticles(identity.stored_articles(store, iris))
    extractions, plans = [], []
    written: set[str] = set()
    removed: list[conflict_analysis.ClaimRecord] = []  # the claims the writes replace, for the conflicts
    vocabulary_changed = False
    checked: set = set()  # vocabulary triples this run asked the store about: they changed nothing
    claims: set[str] | None = set()  # the claims written, while every article is new
    group = _Group(store, len(paths))  # new articles, written together (``GROUP_QUADS``)
    try:
        for index, p in enumerate(steps):
            if index == 1:  # the second comes from the workers, if any: forked by now
                group.beside()
            a = p.extraction.article
            p.remember()  # the sources and sites a worker process met first, as it labelled them
            plan = stored.plan(a.id, a.file_name)
            written.add(str(iris.article(a.id)))
            # lexicon facts about terms stored claims already use change how those are read
            # (a triple asked about before changed nothing then, and cannot now: it is stored since,
            # or its term is still unused - the articles that use it are not written yet)
            if not vocabulary_changed and p.vocabulary - checked:
                vocabulary_changed = conflict_update.vocabulary_changes(store, [p.vocabulary - checked])
                checked |= p.vocabulary
            if not plan.replaces:  # a new article: its graphs, lexicon entries and the stale mark
                if claims is not None:
                    claims.update(str(iris.claim(c.key)) for c in p.extraction.claims)
                group.add([(iris.article_graph(a.id), p.graph), (iris.inferred_graph(a.id), p.inferred),
                           (iris.lexicon_graph, p.lexicon), (iris.lexicon_closure_graph, p.shared),
                           (iris.status_graph, stale)])
            else:
                group.write()  # the articles before it first: what follows reads the store
                claims = None  # its claims, and its reviews', are read back from the store
                gone = [i for i in plan.replaces if i != a.id]  # the same article under another file name
                replaced = [str(iris.article(i)) for i in plan.replaces]
                removed += conflict_update.removed_records(store, iris, replaced)
                written.update(replaced)
                # the reviews of the article it replaces follow their sentences, in the same transaction
                reviews = review_anchors.reattach_changes(store, iris, a.id, tuple(gone), as_graph(p.graph))
                # one transaction: its asserted and inferred graphs and those of the copy it
                # replaces, what it adds to the lexicon, and the mark that the conflicts no
                # longer reflect the store
                store.apply(Changes(
                    replace={iris.article_graph(a.id): p.graph, iris.inferred_graph(a.id): p.inferred,
                             **(reviews.replace if reviews else {})},
                    add={iris.lexicon_graph: p.lexicon, iris.lexicon_closure_graph: p.shared, iris.status_graph: stale},
                    drop=tuple(n for i in gone for n in (iris.article_graph(i), iris.inferred_graph(i)))
                    + (reviews.drop if reviews else ()),
                ))
                for i in gone:
                    stored.remove(i)
            stored.add(a.id, a.file_name)
            if each is not None:
                each(p.extraction, plan)
            if keep:
                extractions.append(p.extraction)
                plans.append(plan)
        group.write()
    finally:
        group.close()
    # clears the marks, in its own transaction: only what the new claims can meet, or all
    found = conflict_update.refresh_after(
        store, iris, conflict_update.Writes(activity, frozenset(written), tuple(removed), vocabulary_changed,
                                            None if claims is None else frozenset(claims))
    ).conflicts
    return Ingested(extractions, found, errors, plans)


# about 200 articles: new articles written together (Store.add_together). Each load hands
# RocksDB new files that its background compactions merge into what is stored: 1,000
# articles cost 4.0 s of compaction CPU in groups of 25,000 quads, 1.5-1.7 s in groups of
# 100,000 (the command's peak unchanged, 515 MB; 852 MB with 400,000)
GROUP_QUADS = 100_000
# the first group's size; each next one twice the last, up to GROUP_QUADS, and at most half
# of what the batch's articles still to come should bring (at least LAST_GROUP_QUADS): a
# batch is written while it is prepared, and what is left to write after its last article
# is small (docs/performance.md, "The start and the end of a small batch")
FIRST_GROUP_QUADS = 10_000
LAST_GROUP_QUADS = 2_500
# groups sent to the loading thread and not landed yet, at most: the caller goes on adding
# articles while one lands and the next waits (a bulk load waits 0.1-0.4 s for its files to
# reach a busy disk: the caller blocked meanwhile left the workers without articles)
IN_FLIGHT = 2


class _Group:
    """New articles waiting to be written together: one atomic load for many (Oxigraph's
    bulk loader: half the CPU of a transaction an article, docs/performance.md). Each
    group lands whole or not at all, so a stopped ingest still leaves each article
    complete or absent; it is written before anything that reads the store for what it
    replaces, and before the conflicts.

    On an embedded Oxigraph store, or the one of a running ``factgraph serve``
    (``Store.loads_beside_reads``), once ``beside()`` is called, a full group is loaded by
    a thread of its own while the next articles are prepared and received (the bulk
    loader releases the GIL; Oxigraph takes reads during a load); one load at a time, in
    order. ``write()`` returns once everything added is in the store, and raises the
    error of any load. Other stores (rdflib's memory store is not safe to read while
    another thread writes it) are written in the caller's thread."""

    def __init__(self, store: Store, articles: int) -> None:
        self.store = store
        self.graphs: list[tuple[URIRef, Triples]] = []
        self.quads = 0
        self.limit = min(FIRST_GROUP_QUADS, GROUP_QUADS)
        self.articles = articles  # in the batch: what is still to come is estimated from them
        self.added = self.added_quads = 0
        self._pool: ThreadPoolExecutor | None = None
        self._loading: deque[Future] = deque()  # in order, at most IN_FLIGHT
        self._failed = False  # a group failed to land: none after it does

    def beside(self) -> None:
        """Load full groups in a thread from now on: the caller has forked what it will
        fork (a process forked while a load runs would hold RocksDB's locks as they were)."""
        if self._pool is None and self.store.loads_beside_reads:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="factgraph-group")

    def add(self, graphs: list[tuple[URIRef, Triples]]) -> None:
        """One article's graphs."""
        quads = sum(t.count for _, t in graphs)
        self.graphs += graphs
        self.quads += quads
        self.added += 1
        self.added_quads += quads
        if self.quads >= self.limit:
            self._send()
            to_come = self.added_quads * max(self.articles - self.added, 0) // self.added
            self.limit = min(self.limit * 2, GROUP_QUADS, max(to_come // 2, LAST_GROUP_QUADS))

    def _send(self) -> None:
        graphs, self.graphs, self.quads = self.graphs, [], 0
        if self._pool is None:
            self.store.add_together(graphs)
            return
        self._wait(IN_FLIGHT - 1)  # the earliest error first; the caller goes on while one lands
        self._loading.append(self._pool.submit(self._land, graphs))

    def _land(self, graphs: list[tuple[URIRef, Triples]]) -> None:
        """Load a group (in the loading thread, one group after the other, in order);
        nothing more once one has failed."""
        if self._failed:
            return
        try:
            self.store.add_together(graphs)
        except BaseException:
            self._failed = True
            raise

    def _wait(self, pending: int = 0) -> None:
        """Until at most ``pending`` groups are still to land; the error of one that failed."""
        while len(self._loading) > pending:
            self._loading.popleft().result()

    def write(self) -> None:
        """Everything added so far in the store."""
        if self.graphs:
            self._send()
        self._wait()

    def close(self) -> None:
        """Wait for the loads under way (an error is the caller's to have seen) and end the thread."""
        try:
            wait(self._loading)
        finally:
            if self._pool is not None:
                self._pool.shutdown()
            self._pool, self._loading = None, deque()


def _accepted(ready: Iterable[Prepared | ArticleError | ValidationError], errors: list[str]) -> Iterator[Prepared]:
    """The prepared articles; each refused one is left out, its one-line error added to ``errors``."""
    for p in ready:
        if isinstance(p, Prepared):
            yield p
        else:
            errors.append(str(p))


def _all_or_nothing(ready: Iterable[Prepared | ArticleError | ValidationError]) -> Iterator[Prepared]:
    """Every article prepared before the first is yielded (nothing is written when one is
    refused: its error is raised), kept meanwhile in a temporary file, not in memory."""
    with tempfile.TemporaryFile() as spool:
        count = 0
        for p in ready:
            if not isinstance(p, Prepared):
                raise p
            pickle.dump(p, spool, pickle.HIGHEST_PROTOCOL)
            count += 1
        spool.seek(0)
        for _ in range(count):
            yield pickle.load(spool)


def ensure_corpus(store: Store, iris: Iris | None = None) -> bool:
    """Ingest the built-in corpus when the store holds no article. Returns True if it did."""
    iris = iris or Iris()
    ensure_loaded(store, iris)
    res = store.query("ASK { ?a a <https://schema.org/NewsArticle> }")
    if res.askAnswer:
        return False
    ingest(store, builtin_corpus(), iris)
    return True


def ensure_current(store: Store, iris: Iris | None = None) -> bool:
    """Recompute the conflicts when the store flags them stale (an ingest was stopped
    between its article writes and its conflicts refresh). Returns True if it did."""
    iris = iris or Iris()
    if not staleness.is_stale(store, iris):
        return False
    conflict_analysis.refresh(store, iris)
    return True


def claim_json(c: Claim, article: Article, iris: Iris) -> dict:
    """One claim in the JSON contract of ``factgraph extract --json`` (EVAL.md)."""
    # the places of the scope, then the places that contain them up to the country (Soussa, Deir Ezzor, Syria)
    wider = [a for p in c.scope.places for a in scope.ancestors(p) if scope.kind_of_place(a) not in ("continent", "world")]
    keys = list(dict.fromkeys([*c.scope.places, *wider]))
    written = dict(zip(c.scope.places, (c.scope.place_evidence or "").split("|"), strict=False))
    # a place as the article writes it when it does ("Mansourah", "Libye"), else its label in the article's language
    places = [written.get(p) or place_label(p, article.language) for p in keys]
    return {
        "id": str(iris.claim(c.key)),
        "file": article.file_name,
        "start": c.sentence.start,
        "end": c.sentence.end,
        "quote": c.sentence.text,
        "claimant": "article" if c.claimant == "article" else sources.label(c.claimant),
        "claimant_iri": str(iris.agent(c.claimant)),
        "relayed_by": str(iris.agent(c.relayed_by)) if c.relayed_by else None,
        "quantity": c.quantity,
        "counted": c.counted,
        "value": _num(c.figure.value),
        "value_high": _num(c.figure.value_high),
        "bound": c.figure.bound,
        "vague_text": c.figure.vague_text,
        "place": places,
        "period_start": c.scope.period_start,
        "period_end": c.scope.period_end,
        "stated_on": c.stated_on,
        "confidence": c.confidence,
        "confidence_words": list(c.confidence_words),
        "verdict": c.verdict,
        "restates": str(iris.claim(c.restates)) if c.restates else None,
        "part_of": str(iris.claim(c.part_of)) if c.part_of else None,
        "disputes": str(iris.claim(c.disputes)) if c.disputes else None,
    }


def _num(v: float | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def extract_json(paths: Iterable[str | Path], iris: Iris | None = None) -> dict:
    """Run the whole pipeline over ``paths`` in a throw-away store (EVAL.md contract)."""
    iris = iris or Iris()
    with EmbeddedStore(None) as store:
        done = ingest(store, paths, iris, strict=False)  # a bad article is left out and named in "errors"
    claims = [claim_json(c, x.article, iris) for x in done.extractions for c in x.claims]
    conflicts = [
        {"a": c.a, "b": c.b, "kind": c.kind, "severity": c.severity, "ratio": c.ratio,
         "explanation": c.explanation_en, "explanation_fr": c.explanation_fr}
        for c in done.conflicts if c.is_conflict
    ]
    return {"claims": claims, "conflicts": conflicts, "errors": done.errors}
