"""Keyset pages by article graph: long lists (a kind's claims, a place's, a stored query's
rows) read a few article graphs at a time, never the whole list.

Oxigraph sorts IRIs slowly (every comparison reads both strings back: about 12 000 a
second, so ``ORDER BY ?claim`` over a kind's 100 000 claims took 20-40 s for one page) and
a ``FILTER(STR(?claim) > ?after)`` reads every member's IRI. What it does fast is match a
pattern inside a bound graph (``GRAPH ?g { ?claim fg:claimant ?source }`` with ``?g``
bound is one index seek). So a paged query names the graph its claims were read from
(``#+ paged: graph`` in its header, ``?graph`` projected), the article graphs are listed
once in IRI order (sorted here), and a page is the rows of the graphs after the last one
of the page before (``after``), a chunk at a time: one graph, then four times as many each
round while the page has fewer than ``want`` rows. A chunk is the query with its
``GRAPH ?graph { ... }`` pattern written once per graph, as a UNION of constant graphs
(``sparql_text.graph_union``): a VALUES block for ``?graph`` was joined with the pattern
matched in every graph (all of a source's 20 000 claims for a page of four articles).
Past ``MAX_UNION`` graphs a UNION costs more to parse and plan than that join, and the
chunk is a VALUES block (a sparse list: few matches in many graphs). A query whose GRAPH
pattern matches every claim of a graph and looks up from them (``conflicts_by_kind``: a
graph's claims, then their conflicts) is planned well only from a VALUES block: a UNION
of graphs was joined with the lookups evaluated over the whole store (1.2 s for four
graphs at 1M claims, against 20 ms); such a query says ``#+ graphs: values`` and every
chunk is a VALUES block (``union=False``). After the first rounds, a chunk is no larger
than the rows still wanted need at the density of rows per graph seen so far (plus a
quarter): a query with one row in two graphs read 256 graphs for the last 40 rows. A page
ends at a graph boundary, so it may hold a little more than ``want`` rows (an article's
claims are never split); the union of the pages is the query's result over every graph.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef
from rdflib.term import Identifier

from .catalogue import query_text
from .sparql_text import graph_union, inject_value_rows, inject_values
from .store import Store

FIRST_CHUNK = 1  # graphs bound in the first round
GROWTH = 4  # each round binds this many times more graphs than the last
MAX_CHUNK = 4096  # graphs bound in one query at most (the VALUES block is query text)
MAX_UNION = 64  # graphs written as a UNION at most; a larger chunk is a VALUES block


@dataclass
class Page:
    """One page of a paged query: its variables, its rows in graph order, and the graph
    to continue after (None on the last page)."""

    variables: list[str]
    rows: list[Any]  # rdflib ResultRow
    next_after: str | None


def article_graphs(store: Store) -> list[str]:
    """The named graphs holding an article, in IRI order."""
    return sorted(str(row[0]) for row in store.query(query_text("paging/article_graphs")))  # type: ignore[index]


def data_version(store: Store) -> tuple:
    """The conflict detection's stamps (one small query), which every ingest renews, new
    or replaced articles alike: what a list of the article graphs is kept for."""
    return tuple((str(r[0]), str(r[1])) for r in store.query(query_text("pages/home_version")))  # type: ignore[index]


def graphs_for(store: Store, kept: tuple | None) -> tuple[tuple, list[str]]:
    """(``data_version``, ``article_graphs``): ``kept`` when it is of the current version
    (listing and sorting the graphs takes 2 s at 1M claims, under load), else read anew."""
    version = data_version(store)
    if kept is not None and kept[0] == version:
        return kept
    return version, article_graphs(store)


def page_by_graph(
    store: Store,
    text: str,
    var: str,
    bindings: Mapping[str, Identifier],
    graphs: Sequence[str],
    after: str,
    want: int,
    union: bool = True,
    max_graphs: int | None = None,
) -> Page:
    """The rows of ``text`` (with ``bindings``) whose ``?var`` is one of ``graphs`` after
    ``after`` ("" for the first page), graph by graph until at least ``want`` rows; each
    chunk of graphs bound as a UNION of GRAPH patterns (up to ``MAX_UNION``) or, with
    ``union=False``, always as a VALUES block. ``max_graphs``: read no more than that many
    graphs (a scan, such as a text search, bounded per page; its chunks stay unions)."""
    # the bindings as a VALUES block (Oxigraph plans from it), the graphs as a UNION of
    # the query's GRAPH pattern, one branch per graph
    text = inject_values(text, {k: v.n3() for k, v in bindings.items()})
    at = bisect.bisect_right(graphs, after) if after else 0
    start = at
    chunk = FIRST_CHUNK
    variables: list[str] = []
    rows: list[Any] = []
    end = len(graphs) if max_graphs is None else min(len(graphs), start + max_graphs)
    while at < end and len(rows) < want:
        if max_graphs is not None:
            chunk = min(chunk, MAX_UNION)
        part = graphs[at : min(at + chunk, end)]
        terms = [URIRef(g).n3() for g in part]
        if union and len(part) <= MAX_UNION:
            chunk_text = graph_union(text, var, terms)
        else:
            chunk_text = inject_value_rows(text, var, terms)
        result = store.query(chunk_text)
        variables = variables or [str(v) for v in result.vars or []]
        by_graph: dict[str, list[Any]] = {}
        for row in result:
            by_graph.setdefault(str(row[var]), []).append(row)  # type: ignore[call-overload, index]
        for g in part:
            rows.extend(by_graph.get(g, ()))
            at += 1
            if len(rows) >= want:
                break
        chunk = next_chunk(chunk, len(rows), at - start, want)
    if not variables:  # no graph after ``after``: the columns still
        variables = [str(v) for v in store.query(graph_union(text, var, [])).vars or []]
    return Page(variables, rows, graphs[at - 1] if at < len(graphs) else None)


def next_chunk(chunk: int, found: int, read: int, want: int) -> int:
    """How many graphs the next round reads: ``GROWTH`` times the last, but no more than the
    ``want - found`` rows still wanted need at the ``found / read`` rows per graph seen so
    far, plus a quarter (at least one graph)."""
    grown = min(chunk * GROWTH, MAX_CHUNK)
    if found == 0 or read == 0:
        return grown
    needed = (want - found) * read * 5 // (found * 4) + 1
    return max(1, min(grown, needed))
