"""The conflict report's order and filters: which conflicts a page of ``/conflicts`` (and
its JSON and CSV twins) lists, chosen by a keyset over keys sorted here, not by the engine.

The report lists the derived ``fg:Conflict`` in the order of a key, the kind's IRI, a
space, the conflict's IRI, 100 a page, each page after the last key of the one before.
Asking Oxigraph for that order (``ORDER BY ?key LIMIT 101``) sorted every conflict on
every view: 2 s for the 20 000 conflicts of 1M claims (every IRI read back as a string at
each comparison), and a filter on a claim's claimant, quantity or place joined every
conflict's claims again (1 s more). So the report is read from what the conflicts graph
already holds, once per version of the derived data (the detection's stamps,
``paging.data_version``, which every refresh renews, full or incremental), by the caller:

- ``report_keys``: every conflict's key (``conflict_keys.rq``, unordered), sorted here;
  a kind filter is a prefix of it;
- ``matching``: the conflicts one filter value admits (``conflicts_matching.rq``: claim A
  or B has that claimant, quantity kind or place), one set per value asked for;
- ``chosen`` and ``page_keys``: a filtered list and one page of it after a key;
- ``rows_of``: the columns of the few conflicts of a page (``conflict_rows.rq``, their
  IRIs in a VALUES block, then ``conflict_texts.rq`` for the texts of the conflicts and
  their claims): index lookups, no sort, one row per conflict or text (the languages of
  two labels and an explanation multiplied a conflict's rows by eight).

Nothing here is cached: the server keeps the keys and sets per version
(``server/conflicts.py``), as it keeps the filter choices.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef

from .catalogue import query_text
from .sparql_text import inject_value_rows
from .store import Store
from .terms import FG

# a filter's name on the report -> the property of a claim it compares
FILTER_PROPERTIES = {"claimant": FG.claimant, "quantity": FG.quantityKind, "place": FG.place}
ROWS_CHUNK = 500  # conflicts bound in one VALUES block of ``rows_of``


def key(kind: str, conflict: str) -> str:
    """The report's order: the kind's IRI, a space, the conflict's IRI."""
    return f"{kind} {conflict}"


def conflict_of(report_key: str) -> str:
    return report_key.split(" ", 1)[1]


def report_keys(store: Store) -> list[str]:
    """Every conflict's key, sorted (by code point, as SPARQL compares strings)."""
    return sorted(key(r["kind"], r["c"]) for r in store.rows(query_text("pages/conflict_keys")))


def matching(store: Store, name: str, value: str) -> frozenset[str]:
    """The conflicts whose claim A or claim B has ``value`` for the filter ``name``
    (``FILTER_PROPERTIES``)."""
    found = store.query(
        query_text("pages/conflicts_matching"),
        {"property": FILTER_PROPERTIES[name], "value": URIRef(value)},
    )
    return frozenset(str(row.c) for row in found)  # type: ignore[union-attr]


def chosen(keys: Sequence[str], kind: str | None, admitted: Iterable[frozenset[str]]) -> list[str]:
    """The keys of ``kind`` (any when None) whose conflict is in every set of ``admitted``."""
    if kind:
        lo = bisect.bisect_left(keys, kind + " ")
        hi = bisect.bisect_left(keys, kind + "!")  # "!" follows the space
        keys = keys[lo:hi]
    sets = sorted(admitted, key=len)
    if not sets:
        return list(keys)
    return [k for k in keys if all(conflict_of(k) in s for s in sets)]


def page_keys(keys: Sequence[str], after: str, limit: int) -> tuple[list[str], str | None]:
    """The ``limit`` keys after ``after`` ("" for the first page), and the key to continue
    after when there are more (else None): keyset paging, no OFFSET."""
    at = bisect.bisect_right(keys, after) if after else 0
    page = list(keys[at : at + limit])
    return page, (page[-1] if page and at + limit < len(keys) else None)


@dataclass
class PageRows:
    """The columns of a page's conflicts: one row of ``conflict_rows.rq`` each (in no
    particular order), and the texts of each conflict and claim (``conflict_texts.rq``:
    a conflict's explanations, a claim's labels) by IRI."""

    rows: list[Any]
    texts: dict[str, list[Literal]] = field(default_factory=dict)


def rows_of(store: Store, conflicts: Sequence[str]) -> PageRows:
    """The columns of ``conflicts`` (a page of the report)."""
    found = PageRows([])
    main, texts = query_text("pages/conflict_rows"), query_text("pages/conflict_texts")
    for at in range(0, len(conflicts), ROWS_CHUNK):
        part = conflicts[at : at + ROWS_CHUNK]
        rows = list(store.query(inject_value_rows(main, "c", [URIRef(c).n3() for c in part])))
        found.rows.extend(rows)
        iris = dict.fromkeys([*part, *(str(r.a) for r in rows), *(str(r.b) for r in rows)])  # type: ignore[union-attr]
        for r in store.query(inject_value_rows(texts, "s", [URIRef(i).n3() for i in iris])):
            if isinstance(r.text, Literal):  # type: ignore[union-attr]
                found.texts.setdefault(str(r.s), []).append(r.text)  # type: ignore[union-attr]
    return found
