"""Who can speak in a sentence: every source a news text names, known or not.

Three readers, merged left to right (longest first on overlaps):

1. **Known sources** (``ontology/agents.ttl``): a list of aliases that merges the names
   one source goes by (OSDH = SOHR = Observatoire syrien des droits de l'homme; OMS =
   WHO = World Health Organization).
2. **Descriptions** built on a source noun: an institution, an office or a role, with
   its complements and adjectives ("le ministère de la Santé de Gaza", "les autorités
   locales", "the Indian government", "people familiar with the numbers", "une source
   européenne", "le Premier ministre, François Bayrou"). A description that holds a known
   name is that source ("un organisme de l'ONU", "le directeur de l'OSDH, Rami Abdel Rahmane").
3. **Proper names**: a run of capitalised words that is no place, date or sentence
   opener ("Emmanuel Macron", "Marine Le Pen", "PolitiFact", "Hamas").

A source the lexicon does not know gets a key from its normalised name (``slug``), so
the same name gives the same agent IRI in every article, and a type (person,
organisation, government body, news outlet). ``label(key)`` gives its name as written
the first time it was met.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import alternation, gazetteer, lexicon
from .screening import screened
from .terms import slug

# -- what kind of agent a name is -------------------------------------------------------

OUTLETS = re.compile(r"\b(?:AFP|Reuters|REUTERS|CNN|BBC|AP|Associated Press|Agence France-Presse|New York Times|"
                     r"Times|Guardian|Le Monde|Figaro|Libération|Haaretz|Al Jazeera|NBC|CBS|ABC|Fox News|"
                     r"Washington Post|Bloomberg|France 24|RFI|TF1|BFM\w*|LCI)\b")
GOVERNMENT = re.compile(r"minist|gouvernement|government|autorit|authorit|préfe|prefe|mairie|maire|police|"
                        r"armée|army|military|renseignement|intelligence|services|officials?|bureau of|"
                        r"office of|pôle emploi|insee|statisti|cabinet|présiden|president|administration|"
                        r"department|ambassad|embass|parquet|procureur|prosecutor|sénat|senat|congr", re.I)
PERSON_TITLE = re.compile(r"\b(?:ministre|minister|président|présidente|president|préfet|préfète|porte-parole|"
                          r"spokes(?:person|man|woman)|directeur|directrice|director|député|sénateur|senator|"
                          r"candidate?|maire|mayor|reporter|journaliste|docteur|dr)\b", re.I)

# -- descriptions built on a source noun ------------------------------------------------

_SOURCE_HEADS_FR = (
    "ministère", "ministre", "gouvernement", "autorités", "autorité", "préfet", "préfète", "préfecture",
    "maire", "mairie", "police", "gendarmerie", "armée", "porte-parole", "agence", "organisation",
    "organisme", "office", "bureau", "institut", "observatoire", "ong", "association", "syndicat",
    "commission", "comité", "conseil", "cour", "tribunal", "parquet", "procureur", "services",
    "renseignement", "source", "sources", "experts", "chercheurs", "scientifiques", "médecins", "secours",
    "pompiers", "correspondants",
    # religious authorities who count the dead they bury or register
    "cadis", "cadi", "imams", "imam", "prêtres", "curés", "rabbins", "religieux", "autorités religieuses", "président", "présidente", "député", "sénateur", "candidate",
    "candidat", "directeur", "directrice", "responsable", "responsables", "représentant", "économistes",
    "analystes", "spécialistes", "statisticiens", "premier ministre", "évaluation", "enquêteurs",
    "établissement", "gouverneur",
)
_SOURCE_HEADS_EN = (
    "ministry", "minister", "government", "authorities", "authority", "officials", "police",
    "army", "military", "spokesperson", "spokesman", "spokeswoman", "agency", "organization",
    "organisation", "office", "bureau", "institute", "commission", "committee", "council", "court",
    "prosecutors", "prosecutor", "intelligence", "source", "sources", "experts", "researchers",
    "scientists", "doctors", "analysts", "economists", "president", "senator", "candidate", "director",
    "officer", "people familiar", "investigators", "assessment", "prime minister", "mayor", "governor",
    "imams", "imam", "priests", "clerics", "rabbis", "religious leaders", "religious authorities",
)
# the heads as a tree of their common beginnings: the same as their alternation longest first,
# one comparison a letter instead of one a head at every word (``alternation.py``)
_HEADS = alternation.words(sorted(_SOURCE_HEADS_FR + _SOURCE_HEADS_EN, key=len, reverse=True))
_CAP = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*[\w.]|[A-ZÀ-ÖØ-Þ])"
_ADJ_ENDINGS = ("ais|aise|aises|ien|ienne|iens|iennes|ain|aine|ains|aines|al|ale|aux|ales|el|elle|iel|ielle|ique|"
                "iques|if|ive|ifs|ives|ois|oise|éen|éenne|éens|éennes|aire|aires|ier|ière|ale|ales|officiel|"
                "officielle|officiels|officielles")
# an adjective: a word with one of these endings. Where no letter (nor "-") comes before
# the word, its letters are taken at once (possessive: the match cannot end before a
# letter or a "-"), then its ending checked behind them, a character of the word before
# it; "÷", inside [à-ÿ] but no letter, is the one place inside the run where a match may
# end: the run's pieces between them give those ends back, longest first. The same words
# as ``[a-zà-ÿ-]+(?:endings)(?![\w-])``, which tried every ending after every letter of
# every word it met, and which is kept where a letter comes before the word (a
# determiner without a space, "l" + "es" + "..."): there the ending's look behind could
# reach into the determiner
_ADJ_FR = (r"(?i:(?<![a-zà-ÿ-])(?:[a-zà-öø-ÿ-]++|÷)+(?:"
           + "|".join(f"(?<=[a-zà-ÿ-]{e})" for e in dict.fromkeys(_ADJ_ENDINGS.split("|")))
           + rf")|(?<=[a-zà-ÿ-])[a-zà-ÿ-]+(?:{_ADJ_ENDINGS})|haut-placée?s?)(?![\w-])")
_OBJECT = rf"(?:{_CAP}(?:\s+{_CAP}){{0,3}}|(?i:[a-zà-ÿ'’-]{{3,}})(?:\s+{_ADJ_FR})?)"
_COMPLEMENT = (r"(?:\s+(?i:de la|de l['’]|des|du|de|d['’]|of the|of|in|for the|for|on|dans le|dans la|au sein du|"
               rf"chargée? de l['’]|chargée? de)\s*{_OBJECT})")
_DETERMINER = r"(?i:le|la|les|l['’]|the|une?|a|an|des|certaines?|plusieurs|ses|son|sa|leurs?|its|their)"
_PRE = (rf"(?:{_CAP}(?:-run|-led)?|{_ADJ_FR}|(?i:haut-placée?|top|senior|local|national|federal|health|interior|home|"
        rf"foreign|defen[cs]e|finance|economy|labou?r|education|justice|rescue|civil|protection|emergency|disaster|"
        rf"statistics|security|police|army|military|government|state|city|regional|provincial|municipal))")
DESCRIPTION_RE = screened(re.compile(
    rf"(?<![\w-])(?:{_DETERMINER}\s*)?(?:{_PRE}\s+){{0,2}}"
    rf"(?P<head>(?i:{_HEADS}))(?![\w-])(?:\s+{_ADJ_FR}){{0,2}}{_COMPLEMENT}{{0,4}}"
))
# a role and the name after it: "le Premier ministre, François Bayrou"
ROLE_NAME_RE = re.compile(rf",?\s*(?P<name>{_CAP}(?:[\s-]+(?:{_CAP}|de|du|al|el|bin|ben|van|von|le|la)){{1,3}})")

# -- proper names ---------------------------------------------------------------------------

_NAME = rf"{_CAP}(?:(?:\s+(?:de la|de|du|des|d['’]|of the|of|for the|for|al|el|bin|ben|van|von|le|la))?[\s-]+{_CAP}){{0,5}}"
NAME_RE = re.compile(rf"(?<![\w’'-]){_NAME}")
# capitalised words that are not names of speakers
_NOT_NAMES = set("""
le la les l un une des du de d au aux en dans selon pour par sur mais et ou or cette ce ces cet il elle ils elles on
nous vous je tu the a an in at by for with according since but and this that these those it they he she we you its
their his her our officiellement toutefois cependant enfin désormais depuis alors ainsi puis lors quand si comme tout
toute tous toutes pourtant après avant aussi même mardi lundi mercredi jeudi vendredi samedi dimanche monday tuesday
wednesday thursday friday saturday sunday janvier février mars avril mai juin juillet août septembre octobre novembre
décembre january february march april may june july august september october november december le chiffre ce chiffre
at most more less nearly about around some many most other others each every one two three four five six seven eight
nine ten deux trois quatre cinq sept huit neuf dix onze douze quelques plusieurs certains certaines parmi preuve
photo image images caption by dr mr mrs ms m mme mm près plus moins environ au total over under still earlier later
last next first second third des gens what when where why how who which there here don don't yes no not ne pas
faute quelques cela ceci ça eux lui leur leurs son sa ses mon ma mes ton ta tes notre nos votre vos
pendant durant contre entre vers chez sans sous hors afin bien très trop peu beaucoup combien
commission bureau conseil comité office agence organisation ministère gouvernement observatoire institut
council committee agency organization organisation ministry government office institute
pib gdp pnb gnp tva vat smic rsa cac ipc cpi eur usd gbp chf covid covid-19 sida aids vih hiv ebola
ngo ngos ong twitter facebook instagram tiktok youtube telegram x linkedin international internationale national nationale economie économie social emploi chômage covid ebola
""".split())
_TOKEN_RE = re.compile(r"[\w'’.-]+")


Found = lexicon.Found


@dataclass(frozen=True)
class Agent:
    key: str
    label: str
    kind: str  # 'person' | 'organisation' | 'government' | 'outlet'


_registry: dict[str, Agent] = {}


def label(key: str, lang: str = "en") -> str:
    """The name of an agent: the lexicon's label, else its name as first written."""
    known = lexicon.agent(key)
    if known is not None:
        return known.label_en if lang == "en" else known.label_fr
    agent = _registry.get(key)
    return agent.label if agent else key


def agent(key: str) -> Agent | None:
    """The open-world description of an agent the lexicon does not know."""
    return _registry.get(key)


def registered(keys: Iterable[str]) -> tuple[Agent, ...]:
    """The registry's entries for ``keys`` (those it holds), sorted by key: what another
    process needs to label the sources an article cites as this one does."""
    return tuple(_registry[k] for k in sorted(set(keys)) if k in _registry)


def remember(agents: Iterable[Agent]) -> None:
    """Add entries registered in another process; a key already known keeps its entry
    (the name as first written here)."""
    for a in agents:
        _registry.setdefault(a.key, a)


def kind_of(name: str) -> str:
    if OUTLETS.fullmatch(name.strip()):
        return "outlet"
    words = [w for w in _TOKEN_RE.findall(name) if w[:1].isupper()]
    if PERSON_TITLE.search(name) and re.search(r",\s*[A-ZÀ-Þ][\w'’-]+(?:[\s-]+[A-ZÀ-Þ][\w'’-]+)+\.?$", name):
        return "person"  # "le Premier ministre, François Bayrou": the person holding the office
    if GOVERNMENT.search(name):
        return "government"
    if PERSON_TITLE.search(name) and len(words) >= 2:
        return "person"
    lowered = name.strip()
    if len(words) >= 2 and all(w[:1].isupper() for w in lowered.split()[:1]) and not re.search(
            r"\b(?:de|du|des|of|for|and|et)\b", lowered, re.I) and not lowered.isupper() and len(words) <= 3 \
            and not any(w.isupper() and len(w) > 1 for w in words):
        return "person"
    return "organisation"


def _clean(name: str) -> str:
    name = re.sub(r"^(?:(?:le|la|les|the|une?|a|an|des|ses|son|sa|leurs?|its|their)\s+|l['’]\s*)", "", name.strip(),
                  flags=re.I)
    return name.strip(" ,;:«»\"“”()'’-")


def _register(name: str) -> str:
    name = _clean(name)
    key = slug(name)
    if key not in _registry and lexicon.agent(key) is None:
        _registry[key] = Agent(key, name[:1].upper() + name[1:] if name[:1].islower() else name, kind_of(name))
    return key


@lru_cache(maxsize=1)
def _place_names() -> re.Pattern:
    """Place names of the gazetteers, so that a place is never read as a speaker."""
    return re.compile("|".join(f"(?:{e.pattern.pattern})" for e in lexicon.places()), re.I)


def _is_place(text: str, before: str = "") -> bool:
    name = text.title() if text.isupper() else text  # "TRIPOLI (REUTERS) -": a dateline in capitals
    found = gazetteer.find(name)
    # a city's other GeoNames name is that city only after a locative ("in Derna"; "le Hamas" is no town)
    if found and found[0].start == 0 and found[0].end >= len(name.rstrip(" .,")) - 1 and (
            not gazetteer.by_other_name(found[0]) or gazetteer.LOCATIVE_RE.search(before[-25:])):
        return True
    m = _place_names().fullmatch(text)
    return m is not None


def _names(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    out = []
    for m in NAME_RE.finditer(text):
        name = re.sub(r"['’]s$", "", m.group(0)).rstrip(".-’'")
        start = m.start()
        words = name.split()
        # drop leading sentence openers and function words ("Selon Emmanuel Macron" -> "Emmanuel Macron")
        while words and (words[0].lower().strip("'’") in _NOT_NAMES or re.fullmatch(r"[LlDd]['’]\w*", words[0])):
            first = words.pop(0)
            if re.fullmatch(r"[LlDd]['’]\w+", first):  # "L'Insee": keep the name after the elision
                rest = first[2:]
                if rest[:1].isupper():
                    words.insert(0, rest)
                    start = text.index(rest, start)
                    break
            start = text.index(words[0], start) if words else start
        while words and words[-1].lower() in _NOT_NAMES | {"de", "du", "des", "of", "for", "and", "la", "le"}:
            words.pop()
        if not words:
            continue
        name = " ".join(words)
        end = start + len(name) if text[start:start + len(name)] == name else m.end()
        if len(name) < 2 or name.lower() in _NOT_NAMES or any(a < end and start < b for a, b in taken):
            continue
        if re.fullmatch(r"[\d\W]+", name) or _is_place(name, text[:start]):
            continue
        if OUTLETS.fullmatch(name) and not re.search(r"(?:correspondants?|journalistes?|reporters?|correspondents?)"
                                                     r"\s+(?:de l['’]|du|de la|de|d['’]|of the|of)\s*$",
                                                     text[max(0, start - 30):start], re.I):
            continue  # a medium relays what others said; its own correspondents are a source
        if text[max(0, start - 1):start] == "/":
            continue  # a photo credit: "/REUTERS/James Giahyue"
        sentence_initial = not text[:start].strip() or re.search(r"[.!?:«\"“]\s*$|\)\s*[-–—]\s*$", text[:start])
        if sentence_initial and len(words) == 1 and not name.isupper() and not re.search(r"[A-Z].*[A-Z]", name[1:]):
            # a single capitalised word opening a sentence is most often an ordinary word
            if not re.match(r"\s+(?:a|ont|says?|said|estime|affirme|déclare|indique|announced|reported)\b",
                            text[end:]):
                continue
        out.append(Found(_register(name), start, end))
    return out


# generic nouns that refer back to a source already named ("l'ONG", "cette organisation
# indépendante", "les enquêteurs", "the agency") rather than name a new one
GENERIC_HEADS = {"ong", "organisation", "organization", "organisme", "agence", "agency", "observatoire",
                 "enquêteurs", "investigators", "institution", "commission", "committee", "comité", "office",
                 "bureau", "association", "institut", "institute"}


@lru_cache(maxsize=256)  # description_spans and _find ask about the same clauses: remembered within an article
def _descriptions(text: str) -> tuple[Found, ...]:
    out = []
    for m in DESCRIPTION_RE.finditer(text):
        start, end = m.start(), m.end()
        span = text[start:end].rstrip(" ,")
        if re.search(r"\b(?:même|same)\s*$", text[max(0, m.start("head") - 8):m.start("head")], re.I):
            continue  # "selon la même source": the source named before
        if m.group("head").lower() in GENERIC_HEADS and not re.search(r"\s(?:de|du|des|d['’]|of|for|in)\b|[A-ZÀ-Þ]",
                                                                     text[m.end("head"):end]):
            continue  # a back-reference: the source named before speaks
        # a name after the role: "le Premier ministre, François Bayrou" (the person speaks)
        after = ROLE_NAME_RE.match(text, start + len(span))
        if after and PERSON_TITLE.search(m.group("head")) and not _is_place(after.group("name")):
            span = text[start:after.end()]
            if re.search(r"[a-zà-ÿ]\.$", span):  # "..., Gabriel Lemoine.": the sentence's full stop
                span = span[:-1]
        out.append(Found(_register(span), start, start + len(span)))
    return tuple(out)


@lru_cache(maxsize=4096)
def description_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The spans of the sources ``text`` describes by a noun ("the health ministry in Damascus")."""
    return tuple((f.start, f.end) for f in _descriptions(text))


@lru_cache(maxsize=4096)
def person_names(text: str) -> tuple[tuple[int, int], ...]:
    """The spans of the people ``text`` names ("François-Xavier Bieuville", "Emmanuel Macron"):
    their first names are never places (François, a town of Martinique)."""
    return tuple((f.start, f.end) for f in find(text)
                 if (a := _registry.get(f.key)) is not None and a.kind == "person")


def find(text: str) -> list[Found]:
    """Every source ``text`` names, left to right, without overlaps (longest first)."""
    return list(_find(text))  # a copy: the cached tuple is shared


@lru_cache(maxsize=4096)
def _find(text: str) -> tuple[Found, ...]:
    known = [Found(f.key, f.start, f.end) for f in lexicon.find(lexicon.agents(), text)]
    described = _descriptions(text)
    # a description that contains a known name and adds little is that name ("l'Organisation mondiale
    # de la santé (OMS)"); one that qualifies it is a source of its own ("le ministère de la Santé de Gaza")
    hits: list[Found] = []
    for d in described:
        if any(d.start <= k.start and k.end <= d.end for k in known):
            continue  # "le directeur de l'OSDH, Rami Abdel Rahmane", "un organisme de l'ONU": the known source
        hits.append(d)
    hits += known
    hits += _names(text, [(h.start, h.end) for h in hits])
    return tuple(lexicon.leftmost_longest(hits))


AFFILIATION_RE = re.compile(r"^,\s*(?:un|une|a|an|the|le|la|l['’])?\s*(?:\w+\s+){0,2}?(?:responsable|porte-parole|"
                            r"spokes(?:person|man|woman)|directeur|directrice|director|chercheur|chercheuse|"
                            r"researcher|expert|official|officer|représentante?|representative|président|"
                            r"présidente|president|head|chef|chief)\s+(?:\w+\s+){0,2}?(?:de la|de l['’]|du|des|de|d['’]|"
                            r"of the|of|for the|for|at the|at|with)\s*", re.I)


def affiliation(text: str, found: Found) -> Found | None:
    """The organisation a person speaks for, in apposition ("Ole Solvang, un responsable de
    HRW"; "X, a spokesperson for the UN")."""
    m = AFFILIATION_RE.match(text[found.end:])
    if not m:
        return None
    rest = found.end + m.end()
    for f in find(text[rest:rest + 80]):
        return Found(f.key, rest + f.start, rest + f.end)
    return None

