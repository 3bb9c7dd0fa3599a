"""What a user's SPARQL text may do on this read-only endpoint.

``plan(text, ...)`` parses the text (rdflib's SPARQL parser, with factgraph's prefixes
predeclared as the store does) and either returns a ``Plan`` (the query form and the text
to run) or raises ``Refused`` with an HTTP status and a message for the user:

- an update (``INSERT``, ``LOAD``, ``CLEAR``...) is refused: nothing here writes;
- ``SERVICE`` is refused: Oxigraph (and rdflib) would open an HTTP connection for it;
- ``FROM`` / ``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri``
  must name graphs that are in the store: nothing is fetched or read from a file;
- a protocol dataset replaces the query's own ``FROM`` clauses (SPARQL 1.1 Protocol 2.1.4);
  that rewrite goes through the tokens of the query, and only IRIs that are graph names
  of the store are written into it;
- relative IRIs resolve against ``base`` (the endpoint's URL);
- a protocol graph that is not an absolute IRI, or a query nested deeper than rdflib's
  parser can recurse, is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from factgraph.graph.terms import PREFIXES, is_absolute_iri

FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


class Refused(Exception):
    """The query is not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Plan:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    text: str  # what the store runs
    checked: bool = True  # False: from the tokens only (``quick_plan``); the engine parses it
    prefixed: bool = True  # False: no prefixed name in the text but those it declares (``lookup_plan``)


SERVICE_REFUSED = "SERVICE is not allowed: this endpoint never calls other endpoints"
# deeper nesting of () and {} goes to rdflib's check, which refuses what it cannot parse
# ("too deeply nested", a 400), as before: no engine's parser is left to recurse on it
QUICK_DEPTH = 16
# words that start an update operation (SPARQL 1.1 Update, section 3)
_FORM_WORDS = frozenset(FORMS.values())
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


# --- tokens ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\" | '''(?:[^\\]|\\.)*?''' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<word>[^\W\d][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*)
    | (?P<open>[{(])
    | (?P<close>[})])
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # nesting of {} and () before this token

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        out.append(_Tok(kind, m.group(), m.start(), m.end(), depth))
        if kind == "open":
            depth += 1
    return out


def _dataset_spans(toks: Sequence[_Tok]) -> list[tuple[int, int]]:
    """Character spans of the top-level ``FROM [NAMED] <iri>`` clauses."""
    spans = []
    for i, t in enumerate(toks):
        if t.depth == 0 and t.keyword == "FROM":
            j = i + 1
            if j < len(toks) and toks[j].keyword == "NAMED":
                j += 1
            if j < len(toks):
                spans.append((t.start, toks[j].end))
    return spans


def _where_position(toks: Sequence[_Tok], text: str) -> int:
    """Where a dataset clause goes: just before the WHERE clause (or the solution
    modifiers / end, for a DESCRIBE without one)."""
    form = next((i for i, t in enumerate(toks) if t.depth == 0 and t.keyword in FORMS.values()), None)
    if form is None:
        return len(text)
    i = form + 1
    if toks[form].keyword == "CONSTRUCT" and i < len(toks) and toks[i].text == "{":
        while i < len(toks) and not (toks[i].text == "}" and toks[i].depth == 0):
            i += 1
        i += 1
    for t in toks[i:]:
        if t.depth == 0 and (t.keyword in ("WHERE", "FROM") or t.text == "{"):
            return t.start
        if t.depth == 0 and t.keyword in ("ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"):
            return t.start
    return len(text)


def mentions_service(text: str) -> bool:
    """True if the keyword SERVICE appears outside strings, IRIs and comments."""
    return any(t.keyword == "SERVICE" for t in _tokens(text))


def quick_plan(text: str, base: str | None = None) -> Plan | None:
    """The plan of a query that needs no rewriting, from its tokens alone (a few µs where
    rdflib's parse takes 5-10 ms), or None when ``plan`` must decide: the first
    top-level keyword is not a query form (an update, say, refused 403 there), the
    query names a dataset (``FROM``: checked against the store's graphs there), or it
    nests () and {} deeper than ``QUICK_DEPTH``. SERVICE
    anywhere outside strings, IRIs and comments is refused here too. The text is then
    parsed by the engine itself, which runs queries only (``pyoxigraph.Store.query``
    refuses an update) and unescapes no ``\\u`` outside strings and IRIs (tested), so
    what the tokens show is what it runs; a text it refuses goes to ``plan`` for the
    message (``sparql.answer_query``)."""
    form = None
    depth = 0
    for m in _TOKEN.finditer(text):  # the tokens of ``_tokens``, without their objects (10x faster)
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            if depth > QUICK_DEPTH:
                return None
        elif kind == "close":
            depth -= 1
        if kind != "word":
            continue
        keyword = m.group().upper()
        if keyword == "SERVICE":
            raise Refused(400, SERVICE_REFUSED)
        if keyword == "FROM":
            return None
        # the first form or update word is at the top level: only a prologue comes before it
        if form is None and (keyword in UPDATE_WORDS or keyword in _FORM_WORDS):
            form = keyword
    if form is None or form in UPDATE_WORDS:
        return None
    if base:
        text = f"BASE {URIRef(base).n3()}\n{text}"
    return Plan(form, text, checked=False)


# --- bounded lookups ------------------------------------------------------------------
#
# The one shape ``lookup_plan`` accepts, as a whole-text match (anything else, a comment
# included, does not match): a prologue of PREFIX / BASE declarations, then
#   SELECT ?v... | SELECT * | ASK   [WHERE] { S P O [.] }   [LIMIT n]
# with one triple pattern whose subject or object is an IRI (written <...> or prefix:name),
# its predicate an IRI, ``a`` or a variable, and no variable twice. No backslash can match
# (no escape the engine would read otherwise), no string, no keyword but those above.
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PNAME = r"(?:[A-Za-z][A-Za-z0-9_-]*)?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?"
_PNAME_NS = r"(?:[A-Za-z][A-Za-z0-9_-]*)?:"
_VAR = r"[?$][A-Za-z_][A-Za-z0-9_]*"
_CONST = rf"(?:{_IRI}|{_PNAME})"
_LOOKUP = re.compile(
    rf"""\s*
    (?:(?i:PREFIX)\s+{_PNAME_NS}\s*{_IRI}\s*|(?i:BASE)\s*{_IRI}\s*)*
    (?:(?P<select>(?i:SELECT))\s*(?:\*\s*|(?:{_VAR}\s*)+)|(?P<ask>(?i:ASK))\s*)
    (?:(?i:WHERE)\s*)?
    \{{\s*(?P<s>{_CONST}|{_VAR})\s+(?P<p>{_CONST}|{_VAR}|a(?=[\s<?$]))\s*(?P<o>{_CONST}|{_VAR})\s*\.?\s*\}}
    \s*(?:(?i:LIMIT)\s+(?P<limit>[0-9]{{1,9}})\s*)?""",
    re.VERBOSE,
)


def lookup_plan(text: str, base: str | None = None, rows: int | None = None) -> Plan | None:
    """The plan of a query whose work is bounded by the rows it returns, or None: one
    triple pattern with its subject or object an IRI and no variable twice (so the engine
    reads one index range, every entry it reads being an answer), SELECT or ASK, no
    modifier but LIMIT (``_LOOKUP``). Nothing in it can update, call a SERVICE or name a
    dataset. The endpoint may run such a query in the serving process, reading a bounded
    number of rows (``sparql.lookup_answer``); anything else goes to ``quick_plan`` /
    ``plan`` and a killable worker. ``rows``: the plan's text asks for at most that many
    rows (its LIMIT, lowered or added), so that the engine itself stops there."""
    m = _LOOKUP.fullmatch(text)
    if m is None:
        return None
    s, p, o = m.group("s", "p", "o")
    if s[0] in "?$" and o[0] in "?$":
        return None
    names = [t[1:] for t in (s, p, o) if t[0] in "?$"]
    if len(set(names)) != len(names):
        return None
    limit = m.group("limit")
    if rows is not None and limit is None:
        text = f"{text}\nLIMIT {rows}"
    elif rows is not None and int(limit) > rows:
        text = f"{text[: m.start('limit')]}{rows}{text[m.end('limit') :]}"
    if base:
        text = f"BASE {URIRef(base).n3()}\n{text}"
    prefixed = any(t[0] not in "<?$" and t != "a" for t in (s, p, o))  # a prefixed name: maybe the defaults'
    return Plan("SELECT" if m.group("select") else "ASK", text, checked=False, prefixed=prefixed)


_RELATIVE = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)")


def needs_base(text: str) -> bool:
    """True if a lookup's text (``lookup_plan``'s shape: every ``<`` opens an IRI) has a
    relative IRI, which resolves against the endpoint's URL."""
    return _RELATIVE.search(text) is not None


def with_dataset(text: str, default_graphs: Sequence[URIRef], named_graphs: Sequence[URIRef]) -> str:
    """``text`` with its ``FROM`` clauses replaced by the given graphs (already checked
    to be graphs of the store)."""
    toks = _tokens(text)
    spans = _dataset_spans(toks)
    at = spans[0][0] if spans else _where_position(toks, text)
    clause = " ".join(
        [f"FROM {g.n3()}" for g in default_graphs] + [f"FROM NAMED {g.n3()}" for g in named_graphs]
    )
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    head = "".join(pieces)
    # spans were removed before ``at`` only if ``at`` is the first span's start: unchanged offset
    return head[:at] + " " + clause + " " + head[at:]


# --- the plan -------------------------------------------------------------------------


def _walk(node: object) -> Iterable[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)


def _syntax_message(exc: Exception) -> str:
    return " ".join(str(exc).split())


def plan(
    text: str,
    graph_names: Iterable[URIRef] | Callable[[], Iterable[URIRef]],
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    base: str | None = None,
) -> Plan:
    """Check ``text`` against the endpoint's policy; see the module docstring."""
    for iri in [*default_graphs, *named_graphs]:
        if not is_absolute_iri(iri):
            raise Refused(400, f"graph {iri!r} is not an absolute IRI")
    try:
        return _plan(text, graph_names, default_graphs, named_graphs, base)
    except RecursionError as exc:  # rdflib's parser and algebra recurse once per nesting level
        raise Refused(400, "query too deeply nested") from exc


def _plan(
    text: str,
    graph_names: Iterable[URIRef] | Callable[[], Iterable[URIRef]],
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    base: str | None,
) -> Plan:
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise Refused(400, f"SPARQL syntax error: {_syntax_message(exc)}") from exc
        raise Refused(403, "SPARQL Update is not accepted: this endpoint is read-only") from exc
    try:
        query = translateQuery(parsed, initNs=dict(PREFIXES))
    except Exception as exc:  # rdflib raises plain Exception for unknown prefixes and scoping
        raise Refused(400, f"SPARQL error: {_syntax_message(exc)}") from exc
    algebra = query.algebra
    form = FORMS.get(algebra.name)
    if form is None:
        raise Refused(400, f"unsupported query form {algebra.name}")
    if mentions_service(text) or any(n.name == "ServiceGraphPattern" for n in _walk(algebra)):
        raise Refused(400, SERVICE_REFUSED)
    # the store's graphs are listed only when the query or the request names a dataset (the
    # listing scans the store: 20 ms at 100k claims, 119 ms at 1M, for every query otherwise)
    names_a_dataset = bool(algebra.get("datasetClause") or default_graphs or named_graphs)
    known = set(graph_names() if callable(graph_names) else graph_names) if names_a_dataset else set()
    for clause in algebra.get("datasetClause") or []:
        iri = clause.get("default") or clause.get("named")
        if URIRef(str(iri)) not in known:
            raise Refused(400, f"FROM {URIRef(str(iri)).n3()} is not a graph of this store; nothing is fetched")
    protocol_default = [URIRef(g) for g in default_graphs]
    protocol_named = [URIRef(g) for g in named_graphs]
    for iri in protocol_default + protocol_named:
        if iri not in known:
            raise Refused(400, f"graph {iri.n3()} is not a graph of this store; nothing is fetched")
    if protocol_default or protocol_named:
        text = with_dataset(text, protocol_default, protocol_named)
    if base:  # the service-defined base IRI (Protocol 2.1.4): relative IRIs resolve to it
        text = f"BASE {URIRef(base).n3()}\n{text}"
    return Plan(form, text)
