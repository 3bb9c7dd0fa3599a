"""The app's store, opened on first use and shared by requests.

Its own module so that the blueprints, which need the store, do not import the
application factory, which imports them (no import cycle).
"""

from __future__ import annotations

from flask import current_app, g

from factgraph.graph.store import Store
from factgraph.graph.store_spec import open_store


def get_store() -> Store:
    """The app's store, opened on first use and shared by requests."""
    store = current_app.extensions.get("factgraph.store")
    if store is None:
        store = open_store(current_app.config["STORE"], update_url=current_app.config["UPDATE_URL"])
        current_app.extensions["factgraph.store"] = store
    g.store = store
    return store
