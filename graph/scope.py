"""Where a figure applies: the places a clause or a sentence names as places.

The gazetteer (``gazetteer.py``) finds place names; this module decides which of them are
a figure's scope: not a source's name or seat, not an actor ("menée par Washington"), not
where a statement was made ("told reporters in New York"), not a city met by another of
its names without a locative; the most specific of those named; a place right before a
listed number ("Mexico (24.2"); the world when the text says "global"; the province
around a town named only approximately ("près de Raqa").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from . import gazetteer, lexicon, sources

TWO_COUNTRIES_RE = re.compile(r"\b(?:ces|les|dans ces|des) deux pays\b|\bthe two countries\b|\bboth countries\b", re.I)
ONLY_RE = re.compile(r"\brien qu['’](?:en|au|à)\s+(\w+)|\ben (\w+) seulement\b|\bonly in (\w+)|\bin (\w+) alone\b", re.I)

COUNTRY_ADJ = {"syria": re.compile(r"\bsyrian\b(?! observatory)|\bsyriens?\b(?! des droits)", re.I),
               "iraq": re.compile(r"\biraqi\b|\birakiens?\b", re.I)}

def countrywide(places: tuple[str, ...]) -> bool:
    return bool(places) and all(kind_of_place(p) == "country" for p in places)


def kind_of_place(key: str) -> str | None:
    entry = gazetteer.place(key)
    return entry.kind if entry else None


def ancestors(key: str) -> list[str]:
    return gazetteer.ancestors(key)


def parent(key: str) -> str | None:
    """The place directly containing ``key`` when it lies inside a country (a city's
    country, a town's province), else None."""
    entry = gazetteer.place(key)
    if entry is None or entry.kind in ("world", "continent", "country") or not entry.part_of:
        return None
    return entry.part_of[0]

# the whole world: "the global death toll", "worldwide", "dans le monde"
WORLD_RE = re.compile(r"\b(?:global|worldwide|world['’]s|around the world|in the world|mondial(?:e|es|aux)?|"
                      r"dans le monde|au monde|du monde entier)\b", re.I)

def refined(places: tuple[str, ...], approximate: frozenset[str], next_text: str) -> tuple[str, ...]:
    """A place named only approximately ("près de Raqa") is made precise by the places
    the next sentence names inside it ("... à Mansourah ainsi qu'un marché à Tabqa")."""
    if not approximate or not set(places) & approximate:
        return places
    inside = [k for k in places_in(next_text) if any(r in ancestors(k) for r in approximate)]
    return tuple(inside) if inside else places


def evidence(places: tuple[str, ...], *texts: str) -> str | None:
    """The places as the text writes them, '|'-separated in the order of ``places``."""
    names: dict[str, str] = {}
    for t in reversed(texts):
        names.update(surface_names(t))
    # localities only, as written with their capital ("Mansourah"); countries and regions by label
    written = [names.get(k, "") if names.get(k, " ")[0].isupper() else "" for k in places]
    return "|".join(written) if any(written) else None


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)

NEAR_RE = re.compile(r"(?:près d['’]|près de|autour de|aux environs de|non loin de|\bnear|\baround|\boutside)\s*$", re.I)


@lru_cache(maxsize=256)
def near_regions(text: str) -> frozenset[str]:
    """Regions named only approximately: "près de Raqa" is somewhere in Raqqa's province."""
    out = set()
    for f in located(text):
        around = parent(f.key)
        if NEAR_RE.search(text[max(0, f.start - 20):f.start]) and around:
            out.add(around)
    return frozenset(out)


@lru_cache(maxsize=1024)
def surface_names(text: str) -> dict[str, str]:
    """Place key -> the name as the text writes it ("Mansourah" for al-mansoura)."""
    return {f.key: text[f.start:f.end] for f in gazetteer.find(text)}


# a place named as an actor, not where the figure applies: "la coalition menée par Washington",
# "les frappes aériennes des Etats-Unis", "anti-Moscou", "Les Etats-Unis sont responsables"
ACTOR_BEFORE_RE = re.compile(r"(?:(?:menée?s?|dirigée?s?|conduite?s?|soutenue?s?)\s+par|\b(?:led|backed|run|supported)\s+by|"
                             r"\bpar|\bby|\b(?:frappes|raids|strikes|bombardements|forces|armée|army|troops)\s+"
                             r"(?:\w+\s+)?(?:des|de la|du|of the|of))\s*(?:les?\s+|la\s+|l['’]|the\s+)?$|anti-$", re.I)
# where a statement was made, not what it is about: "Haq told reporters in New York", "a déclaré depuis Benghazi"
STATEMENT_PLACE_RE = re.compile(r"\b(?:told|said|says|speaking|spoke|briefing|reporters|journalists|déclaré|a dit|"
                                r"affirmé|a indiqué|conférence de presse|press conference)\b[^.;]{0,40}?"
                                r"\b(?:in|at|from|depuis|à|au)\s*$", re.I)
# a place speaking or disputing is an actor, wherever it stands
ACTOR_VERB_RE = re.compile(r"^\s+(?:(?:last week|on \w+day|hier|mardi|lundi|jeudi|vendredi|mercredi|samedi|dimanche)\s+)?"
                           r"(?:questioned|questions|denied|denies|accused|accuses|disputes?|disputed|rejected|rejects|"
                           r"said|says|claimed|claims|announced|a nié|nie|a accusé|accuse|conteste|a contesté|"
                           r"dément|a démenti|rejette|a rejeté|a mis en doute|affirme|a affirmé|a déclaré|déclare)\b",
                           re.I)
ACTOR_AFTER_RE = re.compile(r"^\s+(?:sont|est|a|ont|avait|avaient|is|are|was|were|has|have|had|said|says|dit|nie|"
                            r"conteste|disputes?|denies|denied|accuse[sd]?|affirme|estime)\b", re.I)


def _inside(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether ``pos`` lies in one of the sorted, disjoint ``spans``."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


@lru_cache(maxsize=1024)
def without_agents(text: str) -> str:
    """``text`` with the names of known sources blanked ("Organisation mondiale de la santé")."""
    return blank(text, [(f.start, f.end) for f in lexicon.find(lexicon.agents(), text)])


def located(text: str) -> list[gazetteer.Mention]:
    """The places ``text`` names as places (see ``_located``); worked out once per text."""
    return list(_located(text))


@lru_cache(maxsize=1024)
def _located(text: str) -> tuple[gazetteer.Mention, ...]:
    """The places ``text`` names as places, minus sources' names ("Human Rights Watch"),
    places named as actors, and cities met by another of their names without a locative
    ("les affirmations du Hamas" is no town of Germany)."""
    agents = [(f.start, f.end) for f in lexicon.find(lexicon.agents(), text)] + list(sources.person_names(text))
    out = []
    for f in gazetteer.find(text):
        if any(a < f.end and f.start < b for a, b in agents):
            continue
        if re.match(r"-[A-ZÀ-Þ]", text[f.end:f.end + 2]) or re.search(r"[A-Za-zÀ-ÿ]-$", text[max(0, f.start - 2):f.start]):
            continue  # "the Israel-Hamas war", "the Israel-Gaza border": a name in a compound qualifies a noun
        if ACTOR_VERB_RE.match(text[f.end:]):
            continue  # "after Israel questioned", "Israël a nié": a country speaking or acting
        if gazetteer.by_other_name(f) and not gazetteer.LOCATIVE_RE.search(text[max(0, f.start - 25):f.start]):
            continue
        if re.match(r"(?:-run|-led|['’]s?\s+[A-Z])", text[f.end:f.end + 4]):
            continue  # "Hamas-run", "Hamas’ Health Ministry": a name qualifying a source
        if STATEMENT_PLACE_RE.search(text[max(0, f.start - 60):f.start]):
            continue
        if ACTOR_BEFORE_RE.search(text[max(0, f.start - 40):f.start]) or (
                ACTOR_AFTER_RE.match(text[f.end:]) and re.search(r"(?:^|[.;:]\s*|\b(?:les|the)\s+)$",
                                                                 text[max(0, f.start - 6):f.start], re.I)):
            continue
        out.append(f)
    if out or gazetteer.SITE_RE.search(text):
        within = next((f.key for f in out if kind_of_place(f.key) in ("city", "region")), None) or (
            out[0].key if out else None)
        out = sorted(out + gazetteer.find_sites(text, within), key=lambda m: m.start)
    return tuple(out)


def places_in(text: str, world: bool = False, event: tuple[str, ...] = (),
              masked: Sequence[tuple[int, int]] = ()) -> list[str]:
    """The places ``text`` names as a figure's scope, the most specific, leaving out what lies
    in the ``masked`` spans (the clauses of the sentence's other figures). The sentence is
    read once however many figures it has: its places are worked out once and masked."""
    keys: list[str] = []
    around: set[str] = set()  # "près de Raqa": the town's surroundings, not the town
    spans = sorted(masked)
    starts = [a for a, _ in spans]
    found = [f for f in located(text) if not _inside(f.start, spans, starts)]
    seats = sources.description_spans(text)  # of the whole sentence: worked out once
    if masked:
        text = blank(text, spans)
    # a place inside a source's description ("the health ministry in Damascus") is the source's seat:
    # the figure's place only when the sentence names no other, and then the place of the event
    # the article reports when it lies in that seat ("le ministère de la santé de Gaza" on the
    # explosion at a hospital in Gaza)
    outside = [f for f in found if not any(a <= f.start and f.end <= b for a, b in seats)]
    if not outside and found and event and all(any(f.key in ancestors(e) for f in found) for e in event):
        return list(event)
    for f in outside or found:
        province = parent(f.key)
        if NEAR_RE.search(text[max(0, f.start - 20):f.start]) and province:
            keys.append(province)
            around.add(province)
        else:
            keys.append(f.key)
    for key, rx in COUNTRY_ADJ.items():
        if rx.search(text):
            keys.append(key)
    if TWO_COUNTRIES_RE.search(text):
        keys += ["syria", "iraq"]
    if world and not keys and WORLD_RE.search(without_agents(text)):
        keys.append("world")
    keys = list(dict.fromkeys(keys))
    # keep the most specific: drop a place that contains another one mentioned
    return [k for k in keys if k in around or not any(k in ancestors(o) for o in keys if o != k)]

# the end of a figure's clause that introduces the next figure: "followed by Indonesia at", "et 14% en"
LISTED_TAIL_RE = re.compile(r"(?:,|\band\b|\bet\b|\bfollowed by\b|\bsuivie? de\b)?\s*(?:the\s+)?"
                            r"[A-ZÀ-Þ][\w'’.-]*(?:\s+[A-ZÀ-Þ][\w'’.-]*)*\s*(?:\(|\bat\b|\bà\b|:)\s*$")

def listed_place(lead: str) -> str | None:
    """A place right before a number in a list: "Mexico (24.2", "Russia at 1,072,326", "India, at"."""
    found = located(lead)
    if found and re.fullmatch(r"\s*(?:\(|,?\s*(?:at|à|with|avec)|:|,)\s*", lead[found[-1].end:]):
        return found[-1].key
    return None


def only_place(text: str) -> str | None:
    m = ONLY_RE.search(text)
    if not m:
        return None
    word = next(g for g in m.groups() if g)
    found = gazetteer.find(word[:1].upper() + word[1:])
    return found[0].key if found else None
