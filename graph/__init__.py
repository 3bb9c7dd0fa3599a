"""factgraph's library: read articles, extract claims, map to RDF, store, reason,
detect conflicts, export. Never imports Flask."""

from . import compiled, regex_cache

regex_cache.install()  # before the modules that compile expressions at import
compiled.use_source_when_stale(__name__)  # before the conflict detector's modules are
