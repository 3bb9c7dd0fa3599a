"""Whether the derived data (the conflicts graph) is current.

Every write of an article adds, in the same transaction, a mark to the status graph:
``<conflicts graph> prov:wasInvalidatedBy <activity/ingest/...>`` (one activity per
ingest run). ``conflicts.refresh`` reads the marks before it reads the claims, and
deletes exactly those marks in the transaction that completes the conflicts graph (the
only one when the difference it writes is small; the last of its chunks when it is not,
``conflict_store.write_conflicts``): a mark added by a write it did not see stays. So after a crash at any moment the conflicts are
either current or flagged stale, and the next ingest, ``factgraph conflicts`` or
``factgraph serve`` recomputes them. The marks are public: the stored query
``conflicts_status``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from .catalogue import query_text
from .store import Store
from .terms import Iris


def ingest_activity(iris: Iris, now: datetime | None = None) -> URIRef:
    """The IRI of one ingest run: its start time and process, readable, never random."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return iris.activity(f"ingest/{stamp}-{os.getpid()}")


def mark(iris: Iris, activity: URIRef) -> Graph:
    """The triple an article write adds to the status graph."""
    g = Graph()
    g.add((iris.conflicts_graph, PROV.wasInvalidatedBy, activity))
    return g


def marks(store: Store, iris: Iris) -> Graph:
    """The marks in the store's status graph (empty: the conflicts are current)."""
    g = Graph()
    for row in store.query(query_text("conflicts_status")):
        status, graph, activity = row  # type: ignore[misc]
        if status == iris.status_graph:
            g.add((graph, PROV.wasInvalidatedBy, activity))
    return g


def is_stale(store: Store, iris: Iris) -> bool:
    return len(marks(store, iris)) > 0
