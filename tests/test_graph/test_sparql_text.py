"""Reading SPARQL text without a parser (table-driven)."""

import pytest

from factgraph.graph.sparql_text import (
    QueryTextError,
    declares_dataset,
    inject_values,
    query_form,
    subquery_braces,
    where_brace,
)


@pytest.mark.parametrize(
    "query, form, pattern",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", "{ ?s ?p ?o }"),
        ("# a { comment\nASK { ?s ?p '{' }", "ASK", "{ ?s ?p '{' }"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . }", "CONSTRUCT", "{ ?s ?p ?o . }"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", "{ ?s ?p ?o }"),
        ('PREFIX x: <http://x.test/a#> SELECT (STR("}") AS ?x) { ?s ?p ?o }', "SELECT", "{ ?s ?p ?o }"),
        ("#+ title: it's a \"quote\"\nDESCRIBE ?s WHERE { ?s a ?t }", "DESCRIBE", "{ ?s a ?t }"),
    ],
)
def test_form_and_pattern(query, form, pattern):
    assert query_form(query) == form
    assert query[where_brace(query):].startswith(pattern)


def test_describe_without_a_pattern_has_no_brace():
    with pytest.raises(QueryTextError):
        where_brace("DESCRIBE <http://x.test/a>")


def test_subselects_are_found_and_bound_too():
    q = "SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?p ?o } LIMIT 5 } OPTIONAL { ?a ?q ?b } }"
    assert len(subquery_braces(q)) == 1
    bound = inject_values(q, {"a": "<http://x.test/a>"})
    assert bound.count("VALUES (?a) { (<http://x.test/a>) }") == 2


def test_from_in_a_string_or_a_variable_is_not_a_dataset():
    assert declares_dataset("SELECT * FROM <http://x.test/g> { ?s ?p ?o }")
    assert not declares_dataset('SELECT ?from { ?s ?p "FROM" } # FROM')


@pytest.mark.parametrize("query, form, declared", [
    ("CONSTRUCT { Ⴍ⼈QᎤ WHERE { GRAPH ?g { ?s { ?s ?p ?o } } LIMIT 3", "CONSTRUCT", False),  # found by bench/fuzz.py
    ("SELECT ?x FROM <http://example.org/g> WHERE { ?x ex:élan ?y }", "SELECT", True),
    ("ASK { ?s ex:p ÉFROM }", "ASK", False),  # a word beyond ASCII is never a keyword, nor its tail
])
def test_words_beyond_ascii_are_read_over(query, form, declared):
    assert query_form(query) == form
    assert declares_dataset(query) is declared
