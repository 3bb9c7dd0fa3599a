"""factgraph's web app (Flask): HTTP, content negotiation, templates.

Never builds triples: it asks ``factgraph.graph`` for data and renders it.
"""

from .app import create_app

__all__ = ["create_app"]
