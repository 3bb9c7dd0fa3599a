"""An alternation of many words as a tree of their common beginnings.

Python's ``re`` tries the alternatives of ``(?:a|b|c...)`` one after the other at every
position it tries: the 160 nouns that head a source's description ("ministère", "police",
"spokesman"...) cost 160 failed comparisons at each word of every clause. ``words(...)``
writes the same words as a tree of their shared beginnings, ``min(?:ist(?:ère|er|ry)...)``,
where one comparison of a letter rules out every word that does not start with it.

It matches what ``(?:w1|w2|...)`` matches, the words in the order given, provided that
order is longest first wherever one word begins another: at a given position the two
can only differ in which alternative they try first, and where one word is a prefix of
another, the tree tries the longer one first (an optional continuation is greedy). With
``bounded`` (the expression requires a word boundary, ``\b``, right after the words),
any order will do where the shorter word cannot end at a boundary inside the longer: then
at most one of them matches. ``words`` checks this and refuses (``ValueError``) an order
whose alternation could match otherwise. Case is the caller's (``(?i:...)`` around it):
the words are compared as given and checked ignoring case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD_CHAR = re.compile(r"\w")


def words(items: Iterable[str], bounded: bool = False) -> str:
    """The words ``items`` as one regular expression: a tree of their shared beginnings
    (an empty word is left out). Raises ``ValueError`` where it would match other than
    the alternation of ``items`` in their order (see above)."""
    items = [w for w in items if w]
    _check_order(items, bounded)
    root: dict[str, dict] = {}
    for word in items:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _branch(root)


def _branch(node: dict[str, dict]) -> str:
    alternatives = [re.escape(ch) + _branch(child) for ch, child in sorted(node.items()) if ch]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if "" in node else body


def _check_order(items: list[str], bounded: bool) -> None:
    first: dict[str, int] = {}
    for i, w in enumerate(items):
        first.setdefault(w.lower(), i)
    for short, i in first.items():
        for long, j in first.items():
            if long == short or not long.startswith(short) or j < i:
                continue  # no prefix, or the longer word is tried first as in the alternation
            if bounded and bool(_WORD_CHAR.match(short[-1])) == bool(_WORD_CHAR.match(long[len(short)])):
                continue  # no boundary after the shorter word inside the longer: one of them at most
            raise ValueError(f"{short!r} comes before {long!r}, which it begins: the tree would try the longer first")
