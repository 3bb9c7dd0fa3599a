"""factgraph's library: read articles, extract claims, map to RDF, store, reason,
detect conflicts, export. Never imports Flask."""
