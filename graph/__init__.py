"""factgraph's library: read articles, extract claims, map to RDF, store, reason,
detect conflicts, export. Never imports Flask."""

from . import regex_cache

regex_cache.install()  # before the modules that compile expressions at import
