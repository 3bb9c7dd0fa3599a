"""Names the extractor recognises, read from the Turtle files in ``ontology/``.

The gazetteer (``gazetteer.ttl``) and the known claimants (``agents.ttl``) are data, not
code: their labels, ``skos:altLabel`` variants and ``fg:namePattern`` expressions are
compiled once into matchers. Keys are the last segment of the relative IRI
(``<agent/osdh>`` -> ``osdh``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import rdflib
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS

from . import disk_cache, screening
from .screening import folded, needles
from .terms import FG

_LEX_BASE = "http://lexicon.invalid/"


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str  # 'agent' | 'place'
    label_fr: str
    label_en: str
    pattern: re.Pattern
    default_places: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    campaign_start: str | None = None
    counts_kind: str | None = None  # what the agent's bare death counts count (notation)
    # one of these is in any text the pattern matches (``screening.py``); None: always run it
    needles: tuple[str, ...] | None = None


def ontology_file(name: str) -> str:
    return files("factgraph.ontology").joinpath(name).read_text(encoding="utf-8")


def _label(g: Graph, s, lang: str) -> str:
    for o in g.objects(s, RDFS.label):
        if isinstance(o, Literal) and o.language == lang:
            return str(o)
    return str(g.value(s, RDFS.label) or s)


@lru_cache(maxsize=1)
def _code() -> tuple[str | bytes, ...]:
    """What the lexicon's cached values are computed by: this module's code and the
    screen's, rdflib's version (``disk_cache`` adds Python's)."""
    return (*(Path(m.__file__).read_bytes() for m in (sys.modules[__name__], screening) if m.__file__),
            f"rdflib {rdflib.__version__}")


def _entries(file_name: str, kind: str) -> tuple[Entry, ...]:
    """The entries of a Turtle file, its parse kept on disk (``disk_cache``: rdflib's
    Turtle parser took 0.03 s of every start for ``agents.ttl``); their expressions are
    compiled again as they are read."""
    text = ontology_file(file_name)
    return disk_cache.pickled(f"lexicon-{kind}", [text, *_code()], lambda: _parse_entries(text, kind), tuple)


def _parse_entries(text: str, kind: str) -> tuple[Entry, ...]:
    g = Graph()
    g.parse(data=text, format="turtle", publicID=_LEX_BASE)
    out = []
    for s in sorted(set(g.subjects(RDFS.label, None))):  # type: ignore[type-var]  # rdflib: Node, yet Identifiers order
        key = str(s)[len(_LEX_BASE):].split("/", 1)[-1]
        alternatives = [re.escape(str(o)) for p in (RDFS.label, SKOS.altLabel) for o in g.objects(s, p)]
        alternatives = [rf"\b{a}\b" for a in alternatives if len(a) > 3 and not a.startswith(("la\\ ", "the\\ "))]
        alternatives += [str(o) for o in g.objects(s, FG.namePattern)]
        if not alternatives:
            alternatives = [r"(?!x)x"]  # never matches: the entry is known but has no name in texts
        pattern = re.compile("|".join(f"(?:{a})" for a in alternatives), re.I)
        defaults = tuple(sorted(str(o).rsplit("/", 1)[-1] for o in g.objects(s, FG.defaultPlace)))
        parents = tuple(sorted(str(o).rsplit("/", 1)[-1] for o in g.objects(s, FG.partOfPlace)))
        start = g.value(s, FG.campaignStart)
        counts = g.value(s, FG.countsKind)
        out.append(Entry(key, kind, _label(g, s, "fr"), _label(g, s, "en"), pattern, defaults, parents,
                         str(start) if start is not None else None,
                         str(counts).rsplit("/", 1)[-1] if counts is not None else None, needles(pattern)))
    return tuple(out)


@lru_cache(maxsize=1)
def agents() -> tuple[Entry, ...]:
    return _entries("agents.ttl", "agent")


@lru_cache(maxsize=1)
def places() -> tuple[Entry, ...]:
    return _entries("gazetteer.ttl", "place")


@lru_cache(maxsize=1)
def _quantity_kinds() -> dict[str, dict[str, str]]:
    """notation -> {language: prefLabel} of every quantity kind in ``vocabularies.ttl``
    (kept on disk as ``_entries``: its parse took 0.03 s of every start)."""
    text = ontology_file("vocabularies.ttl")
    return disk_cache.pickled("lexicon-kinds", [text, *_code()], lambda: _parse_quantity_kinds(text), dict)


def _parse_quantity_kinds(text: str) -> dict[str, dict[str, str]]:
    from rdflib.namespace import RDF

    g = Graph()
    g.parse(data=text, format="turtle")
    out: dict[str, dict[str, str]] = {}
    for s in g.subjects(RDF.type, FG.QuantityKind):
        notation = g.value(s, SKOS.notation)
        if notation is None:
            continue
        labels = out.setdefault(str(notation), {})
        for label in g.objects(s, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language:
                labels[label.language] = str(label)
    return out


def quantity_notations() -> frozenset[str]:
    """The skos:notation of every quantity kind in ``vocabularies.ttl``."""
    return frozenset(_quantity_kinds())


def quantity_label(notation: str, lang: str = "en") -> str:
    """The vocabulary's label of a quantity kind ('civilian deaths', 'morts civils')."""
    return _quantity_kinds().get(notation, {}).get(lang, notation.replace("_", " "))


def agent(key: str) -> Entry | None:
    return _agents_by_key().get(key)


def place(key: str) -> Entry | None:
    return _places_by_key().get(key)


@lru_cache(maxsize=1)
def _agents_by_key() -> dict[str, Entry]:
    """The first entry of each key (as a scan of ``agents()`` finds it): a look-up a
    label (a full conflicts recompute words two claims' places a verdict, 1.9M at 1M)."""
    out: dict[str, Entry] = {}
    for a in agents():
        out.setdefault(a.key, a)
    return out


@lru_cache(maxsize=1)
def _places_by_key() -> dict[str, Entry]:
    """The first entry of each key, as ``_agents_by_key``."""
    out: dict[str, Entry] = {}
    for p in places():
        out.setdefault(p.key, p)
    return out


def ancestors(key: str) -> set[str]:
    """Every place that contains ``key`` (transitive part-of)."""
    seen: set[str] = set()
    todo = [key]
    while todo:
        entry = place(todo.pop())
        for parent in entry.part_of if entry else ():
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def campaign_start(place_keys: tuple[str, ...]) -> str | None:
    """When the air campaign began over these places (the earliest of them)."""
    starts = []
    for key in place_keys:
        for k in (key, *ancestors(key)):
            entry = place(k)
            if entry and entry.campaign_start:
                starts.append(entry.campaign_start)
                break
    return min(starts) if starts else None


@dataclass(frozen=True)
class Found:
    key: str
    start: int
    end: int


def find(entries: tuple[Entry, ...], text: str) -> list[Found]:
    """Mentions of the entries in ``text``, left to right, longest first on overlaps."""
    return list(_find(_Same(entries), text))


class _Same:
    """``entries`` as a cache key: by identity (hashing the entries at each call would
    cost a good part of what the cache saves); the key holds them, so no other tuple
    takes their id while cached."""

    __slots__ = ("entries",)

    def __init__(self, entries: tuple[Entry, ...]):
        self.entries = entries

    def __hash__(self) -> int:
        return id(self.entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.entries is self.entries


# an article's clauses are searched several times (scope, sources, gazetteer), about half
# of the calls again: remembered within an article, not across a batch
@lru_cache(maxsize=256)
def _find(entries: _Same, text: str) -> tuple[Found, ...]:
    # most clauses name none of the entries: an entry none of whose needles is there is not run
    has = folded(text).__contains__
    return tuple(leftmost_longest([Found(e.key, m.start(), m.end()) for e in entries.entries
                                   if e.needles is None or any(map(has, e.needles))  # no Python frame a needle
                                   for m in e.pattern.finditer(text)]))


def leftmost_longest(hits: list[Found]) -> list[Found]:
    """Non-overlapping mentions, left to right, the longest first where two start together."""
    hits = sorted(hits, key=lambda f: (f.start, -(f.end - f.start)))
    out: list[Found] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out
