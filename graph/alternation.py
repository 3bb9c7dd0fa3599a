"""An alternation of many words as a tree of their common beginnings.

Python's ``re`` tries the alternatives of ``(?:a|b|c...)`` one after the other at every
position it tries: the 160 nouns that head a source's description ("ministère", "police",
"spokesman"...) cost 160 failed comparisons at each word of every clause. ``words(...)``
writes the same words as a tree of their shared beginnings, ``min(?:ist(?:ère|er|ry)...)``,
where one comparison of a letter rules out every word that does not start with it.

It matches what ``(?:w1|w2|...)`` matches with the words sorted longest first (as the
expressions that use it sort them): at a given position it can only differ in which
alternative it tries first, and where one word is a prefix of another, the tree, like
that alternation, tries the longer one first (an optional continuation is greedy). Case
is the caller's (``(?i:...)`` around it): the words are compared as given, so give them
in one case (lower) when the expression ignores case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def words(items: Iterable[str]) -> str:
    """The words ``items`` as one regular expression: a tree of their shared beginnings
    (an empty word is left out)."""
    root: dict[str, dict] = {}
    for word in items:
        if not word:
            continue
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
