"""Content negotiation, tested without Flask (table-driven)."""

import pytest

from factgraph.server.negotiation import negotiate

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
RDF = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "application/trig"]
PAGE = ["text/html", "application/json", "text/turtle", "application/ld+json"]

CASES = [
    # accept, format, offered, expected
    (None, None, RESULTS, "application/sparql-results+json"),
    ("", None, RESULTS, "application/sparql-results+json"),
    ("*/*", None, RESULTS, "application/sparql-results+json"),
    ("text/csv", None, RESULTS, "text/csv"),
    ("text/*", None, RESULTS, "text/csv"),
    ("text/*;q=0.5, application/sparql-results+xml", None, RESULTS, "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.5, text/csv;q=0.9", None, RESULTS, "text/csv"),
    ("text/tab-separated-values, text/*;q=0.1", None, RESULTS, "text/tab-separated-values"),
    ("text/csv;q=0", None, ["text/csv"], None),
    ("text/*, text/csv;q=0", None, RESULTS, "text/tab-separated-values"),  # most specific range decides
    ("image/png", None, RESULTS, None),
    ("TEXT/CSV", None, RESULTS, "text/csv"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, PAGE, "text/html"),
    ("application/json", None, PAGE, "application/json"),
    # generic types name the obvious specific one; an exact match still wins
    ("application/json", None, RESULTS, "application/sparql-results+json"),
    ("application/json", None, RDF, "application/ld+json"),
    ("application/json", None, ["text/html", *RDF], "application/ld+json"),
    ("application/xml", None, RESULTS, "application/sparql-results+xml"),
    ("text/xml", None, RDF, "application/rdf+xml"),
    ("text/plain", None, RDF, "application/n-triples"),
    ("text/plain", None, RESULTS, "text/tab-separated-values"),
    ("text/n3", None, RDF, "text/turtle"),
    ("application/json, application/ld+json;q=0.1", None, ["application/ld+json", "application/json"], "application/json"),
    ("application/json", None, ["text/html", "application/json", "application/ld+json"], "application/json"),
    # the format parameter wins over Accept
    ("text/csv", "json", RESULTS, "application/sparql-results+json"),
    (None, "json", RDF, "application/ld+json"),
    (None, "xml", RDF, "application/rdf+xml"),
    (None, "xml", RESULTS, "application/sparql-results+xml"),
    (None, "tsv", RESULTS, "text/tab-separated-values"),
    (None, "ttl", RDF, "text/turtle"),
    (None, "text/turtle", RDF, "text/turtle"),
    (None, "csv", RDF, None),
    (None, "nonsense", RESULTS, None),
    ("*/*", None, [], None),
]


@pytest.mark.parametrize("accept,fmt,offered,expected", CASES)
def test_negotiate(accept, fmt, offered, expected):
    assert negotiate(accept, fmt, offered) == expected
