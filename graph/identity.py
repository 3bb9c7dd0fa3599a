"""Who an article is: its id comes from its URL when the article gives one, else from
its text, never from the file name alone.

``article_id`` is a readable prefix from the file name when it has one (ASCII letters
or digits) and a short hash: of the URL when known, else of the normalised text (NFC,
whitespace runs made one space, the header lines left out). Names with no ASCII letters
(Arabic, CJK) get the hash alone; ``a b.txt`` and ``a-b.txt`` are one article only when
they say the same thing. 12 hex digits (48 bits): two different articles sharing one is
a one-in-ten-million chance across ten thousand articles.

``plan`` tells, for an article about to be written, which stored articles it replaces
(same URL or text, whatever their file name; or the same file stored under the former
file-name id) and which other stored articles share its file name (kept both).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .catalogue import query_text
from .store import Store
from .terms import Iris, slug

HASH_DIGITS = 12
PREFIX_CHARS = 60
# an id this module minted ends with the hash, alone or after a hyphen
_MINTED = re.compile(rf"(?:^|-)([0-9a-f]{{{HASH_DIGITS}}})$")


def normalised_url(url: str) -> str:
    """The URL that identifies an article: scheme and host in lower case, no fragment."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def normalised_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("\ufeff", "").split())


def identity_key(url: str | None, body: str) -> str:
    """The hash part of an article id: of its URL when known, else of its text."""
    source = f"url {normalised_url(url)}" if url else f"text {normalised_text(body)}"
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def article_id(file_name: str, url: str | None, body: str) -> str:
    prefix = slug(Path(file_name).stem, empty="")[:PREFIX_CHARS].strip("-")
    key = identity_key(url, body)
    return f"{prefix}-{key}" if re.search(r"[a-z0-9]", prefix) else key


def key_of(article_id: str) -> str | None:
    """The hash part of an id minted by ``article_id`` (None for a former file-name id)."""
    m = _MINTED.search(article_id)
    return m.group(1) if m else None


@dataclass(frozen=True)
class Plan:
    replaces: tuple[str, ...] = ()  # stored ids this article replaces (itself included when stored)
    same_named: tuple[str, ...] = ()  # other stored articles with the same file name, kept


def plan(article_id: str, file_name: str, stored: Mapping[str, str]) -> Plan:
    """``stored``: id -> file name of the articles in the store."""
    key = key_of(article_id)
    former = slug(Path(file_name).stem)  # the id the file had when ids came from names alone
    replaces = tuple(sorted(
        i for i, name in stored.items()
        if (key is not None and key_of(i) == key) or (i == former and name == file_name and key_of(i) is None)
    ))
    same = tuple(sorted(i for i, name in stored.items() if name == file_name and i not in replaces))
    return Plan(replaces, same)


class StoredArticles:
    """id -> file name of the stored articles, indexed by hash and by file name, so that
    planning an article costs the same beside ten thousand articles as beside none
    (``plan`` over the whole mapping is linear in it, a batch quadratic)."""

    def __init__(self, stored: Mapping[str, str]):
        self.names: dict[str, str] = {}
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self._by_name: dict[str, set[str]] = defaultdict(set)
        for i, name in stored.items():
            self.add(i, name)

    def add(self, article_id: str, file_name: str) -> None:
        self.remove(article_id)
        self.names[article_id] = file_name
        self._by_key[key_of(article_id) or ""].add(article_id)
        self._by_name[file_name].add(article_id)

    def remove(self, article_id: str) -> None:
        name = self.names.pop(article_id, None)
        if name is not None:
            self._by_key[key_of(article_id) or ""].discard(article_id)
            self._by_name[name].discard(article_id)

    def plan(self, article_id: str, file_name: str) -> Plan:
        """``plan`` against the stored articles: only those sharing the article's hash or
        file name can be replaced or named."""
        near = self._by_name.get(file_name, set()) | self._by_key.get(key_of(article_id) or "", set())
        return plan(article_id, file_name, {i: self.names[i] for i in near})


def stored_articles(store: Store, iris: Iris) -> dict[str, str]:
    """id -> file name of every article in the store (stored query ``ingest/articles``)."""
    out = {}
    for row in store.query(query_text("ingest/articles")):
        article, name = row  # type: ignore[misc]
        i = iris.key_of(str(article), "article")
        if i is not None:
            out[i] = str(name)
    return out
