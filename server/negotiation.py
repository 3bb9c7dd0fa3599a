"""HTTP content negotiation as one pure function, shared by every blueprint.

``negotiate(accept, format_param, offered)`` picks the media type to answer with:

- an explicit ``format`` parameter wins (a media type, or a short name such as ``json``,
  ``csv``, ``ttl``), and must be one of ``offered``;
- else the ``Accept`` header, by q-value, then specificity (``text/turtle`` over
  ``text/*`` over ``*/*``), then the server's order of ``offered``;
- no ``Accept`` at all means anything: the first offered type;
- generic types that clients send name the obvious specific one (``SYNONYMS``):
  ``application/json`` is SPARQL JSON results or JSON-LD, ``application/xml`` and
  ``text/xml`` SPARQL XML results or RDF/XML, ``text/plain`` N-Triples or TSV, ``text/n3``
  Turtle; an exact match still wins over a synonym.

``None`` means nothing offered is acceptable (answer 406). Accept parsing is werkzeug's
(RFC 9110 syntax, q-values); the choice is made here so it is deterministic and tested
without Flask.
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.http import parse_accept_header

from factgraph.graph import export

# the documents a resource IRI is served as, by suffix (``/claim/x.ttl``): HTML and the RDF views
DOCUMENTS: dict[str, str] = {"html": "text/html", **{k: v[0] for k, v in export.RDF_VIEWS.items()}}

# Short names for the ``format`` parameter, each mapped to candidate media types; the
# first candidate that is offered wins, so ``json`` is SPARQL JSON results for SELECT and
# JSON-LD for CONSTRUCT, as SPARQLWrapper and Fuseki use them.
ALIASES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/ld+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml", "application/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "html": ("text/html",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "n3": ("text/turtle",),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "rdf": ("application/rdf+xml",),
    "rdfxml": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "trig": ("application/trig",),
    "nq": ("application/n-quads",),
    "nquads": ("application/n-quads",),
}


# What a generic media type in ``Accept`` stands for, by the query form or page answering.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/plain": ("application/n-triples", "text/tab-separated-values", "application/n-quads"),
    "text/n3": ("text/turtle",),
    "application/x-turtle": ("text/turtle",),
    "application/turtle": ("text/turtle",),
}


def _matches(pattern: str, media_type: str) -> int:
    """Specificity of ``pattern`` matching ``media_type``: 4 exact, 3 synonym, 2 type/*,
    1 */*, 0 none."""
    pattern = pattern.split(";", 1)[0].strip().lower()
    if pattern == media_type:
        return 4
    if media_type in SYNONYMS.get(pattern, ()):
        return 3
    major, _, minor = pattern.partition("/")
    if minor == "*" and major == media_type.split("/", 1)[0]:
        return 2
    if pattern in ("*/*", "*"):
        return 1
    return 0


def negotiate(accept_header: str | None, format_param: str | None, offered: Sequence[str]) -> str | None:
    """The media type of ``offered`` to answer with, or None when none is acceptable."""
    if not offered:
        return None
    if format_param:
        wanted = format_param.strip().lower()
        candidates = ALIASES.get(wanted, (wanted.split(";", 1)[0].strip(),))
        return next((c for c in candidates if c in offered), None)
    if not accept_header or not accept_header.strip():
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    accept = parse_accept_header(accept_header)
    for position, media_type in enumerate(offered):
        # the most specific range that matches decides this type's quality (RFC 9110 12.5.1)
        quality, specificity = 0.0, 0
        for pattern, q in accept:
            s = _matches(pattern, media_type)
            if s > specificity:
                quality, specificity = q, s
        if specificity == 0 or quality <= 0:
            continue
        key = (quality, specificity, -position)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen
