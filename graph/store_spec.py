"""The store a ``--store`` value names, opened: the embedded store (``store.py``) or a
remote SPARQL endpoint (``remote.py``). Apart from both, so that ``store`` need not import
``remote``, which builds on it."""

from __future__ import annotations

import os
from pathlib import Path

from .store import EmbeddedStore, Store, default_store_path


def open_store(spec: str | Path | None = None, *, update_url: str | None = None) -> Store:
    """A store from a ``--store`` value: None (the default directory), a directory,
    ``:memory:``, or an ``http(s)://`` SPARQL query endpoint."""
    if spec is None:
        return EmbeddedStore(default_store_path())
    text = str(spec)
    if text == ":memory:":
        return EmbeddedStore(None)
    if text.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(text, update_url=update_url or os.environ.get("FACTGRAPH_UPDATE_URL"))
    return EmbeddedStore(text)
