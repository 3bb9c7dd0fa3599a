"""SPARQL query text, read without a parser: where a query's pattern starts, its form,
whether it declares its dataset, and binding values into it.

Both stores need this: ``EmbeddedStore`` when pyoxigraph cannot substitute a variable
(one that is not projected), ``RemoteStore`` always (SPARQLWrapper has no bindings).
The scanner skips strings, IRIs and comments, so a ``{`` or ``FROM`` inside them does not
count.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence


class QueryTextError(ValueError):
    """The query text has no place to bind values into."""


def _skip_string(q: str, i: int) -> int:
    """Index just past the SPARQL string literal starting at ``q[i]``."""
    quote = q[i]
    if q.startswith(quote * 3, i):
        end = i + 3
        while True:
            end = q.find(quote * 3, end)
            if end < 0:
                return len(q)
            if _backslashes_before(q, end) % 2 == 0:
                return end + 3
            end += 1
    j = i + 1
    while j < len(q):
        if q[j] == "\\":
            j += 2
            continue
        if q[j] == quote or q[j] == "\n":
            return j + 1
        j += 1
    return j


def _backslashes_before(q: str, i: int) -> int:
    n = 0
    while i - n - 1 >= 0 and q[i - n - 1] == "\\":
        n += 1
    return n


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_ANY_WORD = re.compile(r"\w[\w-]*")


def where_brace(query: str) -> int:
    """Index of the ``{`` opening the query's WHERE pattern, outside strings, IRIs and
    comments; skips a CONSTRUCT template and parenthesised select expressions."""
    at = _scan(query)[0]
    if at < 0:
        raise QueryTextError("cannot find the WHERE clause of the query to bind values into")
    return at


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of them outside comments, strings and
    IRIs (SPARQLWrapper's own guess is thrown off by a quote in a comment)."""
    return _scan(query)[2]


def declares_dataset(query: str) -> bool:
    """Whether the query has its own FROM / FROM NAMED clauses."""
    return _scan(query)[1]


def _tokens(query: str) -> Iterator[tuple[int, str, int, int]]:
    """The query's keywords and brackets as (index, token, brace depth, paren depth),
    skipping comments, strings, IRIs and variables. A keyword is upper-cased; the depth
    is the one before a bracket opens or closes."""
    i, n = 0, len(query)
    parens = braces = 0
    while i < n:
        c = query[i]
        if c == "#":
            nl = query.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif c in "\"'":
            i = _skip_string(query, i)
        elif c == "<":
            m = _IRIREF.match(query, i)
            i = m.end() if m else i + 1
        elif c in "?$":  # a variable: never a keyword
            m = _WORD.match(query, i + 1)
            i = m.end() if m else i + 1
        elif c.isalpha():
            m = _WORD.match(query, i)
            if m is None:  # a word that starts beyond ASCII (a local name, a typo): never a keyword
                i = _ANY_WORD.match(query, i).end()  # type: ignore[union-attr]  # c is a letter: \w
                continue
            yield i, m.group().upper(), braces, parens
            i = m.end()
        else:
            if c in "(){}":
                yield i, c, braces, parens
            parens += {"(": 1, ")": -1}.get(c, 0)
            braces += {"{": 1, "}": -1}.get(c, 0)
            i += 1


# A page runs the same stored texts again and again: the scans of a text (0.2-0.8 ms each
# for a 1 kB text, three a query, about 10 ms of CPU a claim page) are kept by text, for
# texts of at most KEPT_CHARS (a text with a VALUES block of thousands of IRIs is not kept)
SCANS_KEPT = 512
KEPT_CHARS = 16_384


def _scan(query: str) -> tuple[int, bool, str | None]:
    """(index of the WHERE pattern's ``{`` or -1, whether FROM appears, the query form)."""
    return _kept_scan(query) if len(query) <= KEPT_CHARS else _scan_text(query)


@functools.lru_cache(maxsize=SCANS_KEPT)
def _kept_scan(query: str) -> tuple[int, bool, str | None]:
    return _scan_text(query)


def _scan_text(query: str) -> tuple[int, bool, str | None]:
    saw_from = template_done = False
    form = last_word = None
    for i, token, braces, parens in _tokens(query):
        top = braces == 0 and parens == 0
        if token == "{" and top:
            if not (form == "CONSTRUCT" and not template_done and last_word != "WHERE"):
                return i, saw_from, form
        elif token == "}" and braces == 1 and form == "CONSTRUCT":
            template_done = True  # the CONSTRUCT template is closed
        elif token not in "(){}" and top:
            if form is None and token in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = token
            saw_from = saw_from or token == "FROM"
            last_word = token
    return -1, saw_from, form  # no WHERE pattern (DESCRIBE <iri>)


def subquery_braces(query: str) -> list[int]:
    """Indexes of the ``{`` opening each sub-SELECT's WHERE pattern (outside strings,
    IRIs and comments)."""
    return list(_kept_subqueries(query) if len(query) <= KEPT_CHARS else _subqueries(query))


@functools.lru_cache(maxsize=SCANS_KEPT)
def _kept_subqueries(query: str) -> tuple[int, ...]:
    return _subqueries(query)


def _subqueries(query: str) -> tuple[int, ...]:
    found = []
    pending: int | None = None  # the paren depth of a sub-SELECT whose pattern is next
    for i, token, braces, parens in _tokens(query):
        if token == "SELECT" and braces > 0:
            pending = parens
        elif token == "{" and pending is not None and parens == pending:
            found.append(i)
            pending = None
    return tuple(found)


def inject_values(query: str, terms: Mapping[str, str]) -> str:
    """``query`` with one VALUES row binding each variable of ``terms`` (name -> the
    term already written in SPARQL syntax) at the start of its WHERE pattern and of each
    sub-SELECT's (a VALUES block does not reach inside a sub-SELECT, where initBindings
    bind a variable everywhere)."""
    if not terms:
        return query
    block = f" VALUES ({' '.join(f'?{k}' for k in terms)}) {{ ({' '.join(terms.values())}) }} "
    for at in sorted([where_brace(query), *subquery_braces(query)], reverse=True):
        query = query[: at + 1] + block + query[at + 1 :]
    return query


def graph_union(query: str, name: str, terms: list[str]) -> str:
    """``query`` with its ``GRAPH ?name { ... }`` pattern (the first one) written once per
    graph of ``terms`` (already in SPARQL syntax), as a UNION of ``{ GRAPH <g> { ... }
    BIND(<g> AS ?name) }``: Oxigraph matches a pattern in a named graph by an index seek,
    where a VALUES block for ``?name`` was joined with the pattern matched in every graph
    (all of a source's claims for a page of a few articles). No graph: no row."""
    at = None
    for i, token, braces, _ in _tokens(query):
        if at is None and token == "GRAPH" and re.match(rf"GRAPH\s+[?$]{name}\s*\{{", query[i:], re.IGNORECASE):
            at = (i, braces)
        elif at is not None and token == "}" and braces == at[1] + 1:
            start = query.index("{", at[0])
            inner = query[start + 1 : i]
            union = " UNION ".join(f"{{ GRAPH {t} {{{inner}}} BIND({t} AS ?{name}) }}" for t in terms)
            return query[: at[0]] + (union or f"VALUES ?{name} {{ }}") + query[i + 1 :]
    raise QueryTextError(f"no 'GRAPH ?{name} {{ ... }}' pattern to page by")



def inject_value_rows(query: str, name: str, terms: Iterable[str]) -> str:
    """``query`` with a VALUES block binding ``?name`` to each of ``terms`` (already
    written in SPARQL syntax), one row each, at the start of its WHERE pattern: a query
    over a set of claims or places, planned from them."""
    block = f" VALUES ?{name} {{ {' '.join(terms)} }} "
    at = where_brace(query)
    return query[: at + 1] + block + query[at + 1 :]


def inject_value_table(query: str, names: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """``query`` with a VALUES block binding ``?names`` together to each of ``rows``
    (terms already in SPARQL syntax), at the start of its WHERE pattern: a query over a
    set of (place, time window) or (claimant, place) pairs, planned from them."""
    table = " ".join(f"({' '.join(row)})" for row in rows)
    block = f" VALUES ({' '.join(f'?{n}' for n in names)}) {{ {table} }} "
    at = where_brace(query)
    return query[: at + 1] + block + query[at + 1 :]
