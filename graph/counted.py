"""What a figure counts, on any subject: the counted phrase as the article writes it,
and the quantity kind it gives.

The counted phrase is the noun phrase after the number ("4.665 cas", "3 millions de
Français", "96 000 créations d'emplois dans le privé"), with the predicate that says
what happened to them when it follows ("11 300 personnes sont mortes", "10,000 people
are still missing"); failing that, the subject the number is the value of ("the
unemployment rate was 5.5 percent", "le nombre de cas s'élève à 3.706", "the death
toll ... is still more than 35,000", "India count 4.7mn").

Kind policy (docs/extraction.md, "Open-world kinds"):
- a kind of the vocabulary when the phrase names one (the campaign kinds, deaths, injured,
  missing, displaced, cases, people, money);
- otherwise a kind minted from the normalised phrase (accents and case folded, function
  words dropped, plural endings removed: "nouveaux cas" and "nouveau cas" give
  ``nouveau_cas``), in the scheme ``fgq:minted``, with ``skos:broader`` the general kind
  its words name when one does. The same phrase in two articles gives the same kind, so
  their figures meet in the conflict analysis.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import gazetteer

# words that end a counted noun phrase
_STOP = set("""
ont sont a est était étaient avaient avait auraient seraient serait sera seront restent reste demeurent
have has had were was are is been be being would will could may might remain remains remained
et and ou or mais but qui que qu dont which who whom that selon according depuis since pendant during
dans in en au aux sur on par by pour for avec with contre against vers to à from entre between
le la les l the this ce cette ces these those un une a an ses son sa leur leurs its their his her
il elle ils elles on they it he she we nous vous ne n pas not no soit either
selon alors tandis while when lorsque quand où where comme as than qu'il au-delà
aujourd'hui today now hier yesterday actuellement currently désormais then celui celle ceux celles
lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday
janvier février mars avril mai juin juillet août septembre octobre novembre décembre january february march
april june july august september october november december dernier dernière last plus moins more less out
""".split())
_SKIP_LEADING = re.compile(r"^\s*(?:plus\s+(?=[a-z]{3,}\b(?!\s+(?:de|que)\b))|(?:le|la|les|the)\s+(?:nombre|number|total|bilan|toll)\s+(?:des|de|d['’]|of(?:\s+the)?)\s*|"
                           r"(?:de|of)\s+(?:ses|leurs|nos|its|their|our|his|her)\s+|"
                           r"de\s+|d['’]\s*|des\s+|of\s+(?:the\s+)?|du\s+)", re.I)
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
# a predicate after the counted noun: "sont mortes", "ont été tuées", "are still missing", "restent portées disparues"
PREDICATE_RE = re.compile(
    r"^\s+(?:(?:ont|sont|avaient|auraient|seraient|restent|demeurent|étaient|avait|aurait|serait|reste|"
    r"have|has|had|were|was|are|remain|remained|remains)\s+)(?:(?:toujours|encore|déjà|still|been|été|"
    r"toutes|tous|officiellement|effectivement|portées?|portés?|reportedly|now|all|[a-zà-ÿ]+ment|[a-z]+ly)\s+){0,3}"
    r"(?!été\b|been\b)(?P<pred>[a-zà-ÿ]+(?:ées?|és?|ts?|tes?|us?|ues?|ed|ing|ne|nes|d)\b|dead|missing|died|disparu\w*|mort\w*)",
    re.I,
)
# what is never a counted thing: time, distance, ranks, units of measure
NON_COUNT = re.compile(
    r"^\s*(?:ans?|années?|mois|jours?|semaines?|heures?|minutes?|secondes?|siècles?|years?|months?|days?|weeks?|"
    r"hours?|minutes?|seconds?|centuries|decades?|décennies?|km|kilomètres?|mètres?|miles?|metres?|meters?|"
    r"feet|foot|kg|tonnes?|tons?|°|degrés?|degrees?|h\b|heures|fois|times|ème|e\b|er\b|ère|th\b|st\b|nd\b|"
    r"rd\b|km/h|mph|pages?|points? de pourcentage|percentage points?|magnitude|on the richter scale|"
    r"sur l['’]échelle)\b",
    re.I,
)
NOT_COUNT_BEFORE = re.compile(r"(?:\branked?|\brang|\bn°|\bnuméro|\bnumber|\bno\.|\bpage|\barticle|\bpoint|"
                              r"\bcatégorie|\bcategory|\bâgée?s? de|\baged|\bde\s+\d+\s+à|\bplace|\bspot)\s*$", re.I)

# general kinds, from the words of the counted phrase and its predicate (first match wins)
GENERAL: list[tuple[str, re.Pattern]] = [
    ("people_injured", re.compile(r"\bblessé|\binjur|\bwounded", re.I)),
    ("missing", re.compile(r"\bdisparu|\bmissing\b|\bsans nouvelles|\bunaccounted", re.I)),
    ("people_displaced", re.compile(r"\bdéplacé|\bdisplaced|\bréfugié|\brefugee|\bsans[- ]abri|\bhomeless|\bévacué|"
                                    r"\bevacuated", re.I)),
    ("people_killed_total", re.compile(
        r"\bmort(?:s|e|es)?\b|\bmortels?\b|\bdécès|\bdécédé|\btu[ée]e?s?\b|\bvictimes?\b|\bpéri|\bdead\b|\bdied\b|"
        r"\bdeaths?\b|\bfatalit|\bkilled\b|\bdeath toll|\btoll\b|\bbilan\b|\bcorps\b|\bbodies\b|\benterr|\binhum|"
        r"\bburied\b|\bcasualt", re.I)),
    ("cases", re.compile(r"\bcas\b|\bcases?\b|\binfect|\bcontamin|\bmalades?\b", re.I)),
    ("money", re.compile(r"\beuros?\b|\bdollars?\b|\blivres?\b|\bfrancs?\b|\bpounds?\b|[$€£]|\bUSD\b|\bEUR\b", re.I)),
    ("people", re.compile(r"\bpersonnes?\b|\bpeople\b|\bhabitants?\b|\bcitoyens?\b|\bgens\b|\bindividus?\b|"
                          r"\binscrits?\b|\bchômeurs?\b|\bdemandeurs?\b|\bemployés?\b|\bsalariés?\b|\btravailleurs?\b|"
                          r"\bworkers?\b|\bresidents?\b|\bcitizens?\b|\bpersons?\b|\bunemployed\b|\bFrançais\b|"
                          r"\bAméricains?\b|\bAmericans?\b|\bélèves\b|\bétudiants?\b|\bpatients?\b|\bbénévoles\b|"
                          r"\bvolunteers?\b|\bmigrants?\b|\benfants\b|\bchildren\b|\bfemmes\b|\bwomen\b|\bmen\b|"
                          r"\bhommes\b|\belderly\b", re.I)),
    ("events", re.compile(r"\bincidents?\b|\battaques?\b|\battacks?\b|\bexplosions?\b|\bfrappes?\b|\bstrikes?\b|"
                          r"\braids?\b|\bséismes?\b|\bearthquakes?\b|\bmanifestations?\b|\bprotests?\b", re.I)),
]
# general kinds that are running tallies over their period (the others are stocks at a date)
CUMULATIVE_GENERAL = {"people_killed_total", "cases", "events", "people_displaced", "people_injured"}
_FUNCTION = set("""
de du des d l la le les un une of the a an à au aux en in dans sur on par by pour for et and ou or
""".split())


@dataclass(frozen=True)
class Counted:
    text: str  # as written ("personnes sont mortes")
    start: int  # offsets in the text searched
    end: int
    noun: str  # the noun phrase alone ("personnes")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _noun_phrase(text: str, pos: int, max_words: int = 5) -> tuple[int, int] | None:
    """(start, end) of the noun phrase starting at ``pos``."""
    m = _SKIP_LEADING.match(text[pos:])
    start = pos + (m.end() if m else 0)
    while start < len(text) and text[start] in " \u00a0\u202f\"«“":
        start += 1
    end = start
    words = 0
    for w in _WORD.finditer(text, start):
        token = w.group(0)
        if not re.match(r"[\w]", token) or token[0].isdigit():
            break
        low = token.lower().replace("’", "'").strip("'")
        if words and (low in _STOP or low.split("'")[0] in _STOP):
            # keep "de/d'/à" complements inside the phrase ("créations d'emplois", "inscrits à Pôle emploi")
            if low in {"de", "d", "à", "of", "des", "du"} and words < max_words - 1:
                nxt = re.match(r"\s*([\w'’-]+)", text[w.end():])
                if nxt and nxt.group(1).lower() not in _STOP and not nxt.group(1)[0].isdigit() \
                        and not _is_place_name(nxt.group(1)):  # "41 disparus à Derna": the place is no part of it
                    end = w.end() + nxt.end()
                    words += 2
                    continue
            break
        if not words and (low in _STOP or low in _FUNCTION):
            return None
        end = w.end()
        words += 1
        if words >= max_words:
            break
    return (start, end) if end > start else None


# "plusieurs centaines, voire quelques milliers de victimes", "« plusieurs centaines » voire « quelques milliers » de morts"
VAGUE_TAIL_RE = re.compile(r"^[\s»\"”]*,?\s*(?:voire|ou|or|even|to|à)\s+[«\"“]?\s*(?:quelques|plusieurs|des|de|several|a few)?\s*"
                           r"(?:dizaines|centaines|milliers|millions|dozens|hundreds|thousands|millions)\s*[»\"”]?", re.I)


OUT_OF_RE = re.compile(r"^\s+(?:out of|sur|of)\s+(?:\d{1,3}(?:[,.\s\u00a0\u202f]\d{3})+|\d+)(?=\s+[a-zà-ÿ])", re.I)


def _is_place_name(word: str) -> bool:
    if not word[:1].isupper():
        return False
    return bool(gazetteer.find(f"à {word}"))


def after(text: str, number_end: int) -> Counted | None:
    """The counted phrase right after a number ending at ``number_end``."""
    rest = text[number_end:]
    if NON_COUNT.match(rest):
        return None
    out_of = OUT_OF_RE.match(rest)
    if out_of:  # "24,686 out of 34,622 reported deaths": the same thing as the whole
        return after(text, number_end + out_of.end())
    tail = VAGUE_TAIL_RE.match(rest)
    if tail:
        number_end += tail.end()
    number_end += len(rest[tail.end() if tail else 0:]) - len(rest[tail.end() if tail else 0:].lstrip(" »\"”"))
    span = _noun_phrase(text, number_end)
    if span is None:
        return None
    start, end = span
    noun = text[start:end]
    pred = PREDICATE_RE.match(text[end:])
    if pred:
        end = end + pred.end("pred")
    return Counted(text[start:end], start, end, noun)


# the subject a number is the value of: "the unemployment rate was 5.5", "le nombre de cas s'élève à"
SUBJECT_BEFORE_RE = re.compile(
    r"(?:(?:le|la|les|l['’]|the|its|their|son|sa|leur)\s+)?(?:nombre (?:de|des|d['’])\s*|number of\s+|total (?:de|of)\s+)?"
    r"(?P<np>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s*(?:[,–—-]\s*)?"
    r"(?:(?:was|is|were|are|stood at|came to|reached|rose to|fell to|est|était|s['’]élève à|s['’]élevait à|"
    r"atteint|atteignait|se situe|at|à|de)\s+)?(?:(?:still|encore|toujours|about|around|some|more than|over|"
    r"at least|nearly|close to|plus de|près de|environ|au moins)\s+)*$",
    re.I,
)


# "les demandeurs d'emploi des catégories A, B et C sont en réalité 5,8 millions", "the rate was 5.5"
COPULA_RE = re.compile(
    r"\s+(?:a atteint|ont atteint|a dépassé|a franchi|has reached|had reached|has risen to|has fallen to|"
    r"sont|est|étaient|était|seraient|serait|were|was|is|are|would be|s['’]élève(?:nt)? à|s['’]élevait à|"
    r"atteint|atteignait|totalise|stood at|reached|totaled|totalled|came to|rose to|fell to|remains?|reste|demeure)"
    r"\s+(?:[\w'’-]+\s+){0,3}?$", re.I)
_CLAUSE_START = re.compile(r"(?:^|[;:—–(,]|\b(?:mais|but|que|qu['’]|that|et|and|où|where|said|says|told|"
                           r"a dit|a déclaré|déclare|affirme|a affirmé|estime|selon|according to)\b)", re.I)
_DETERMINER = re.compile(r"\b(?:les|le|la|l['’]|the|its|their|our|notre|nos|leur|leurs|son|sa|ses|des|ce|cette)\s*", re.I)
# "Des gens qui cherchent un emploi, il y en avait 5,5 millions": the noun the clitic 'en' stands for
DISLOCATION_RE = re.compile(r"(?P<np>(?:des|les|de)\s+[^,;:]{3,70}?),\s*il y en (?:a|avait|aurait|aura)\s+(?:\w+\s+){0,2}$", re.I)


_PP_SPLIT = re.compile(r"\s+(?:in|from|dans|en|depuis|since|for|pour|at|on|sur|after|après|during|pendant|qui|who|"
                       r"which|that)\s+", re.I)


def _subject(head: str) -> tuple[int, str] | None:
    """The subject noun phrase of a copula ending ``head`` (offset, text)."""
    cop = COPULA_RE.search(head)
    if cop is None:
        return None
    det = None
    for bound in sorted({0, *(m.end() for m in _CLAUSE_START.finditer(head, 0, cop.start()))}, reverse=True):
        det = _DETERMINER.search(head, bound, cop.start())
        if det is not None:  # the nearest clause that has a subject
            break
    if det is None:
        return None
    np = head[det.end():cop.start()].strip()
    if not re.search(r"[a-zà-ÿ]{3,}", np) or len(np) > 80 or re.fullmatch(r"(?i:(?:number|nombre|chiffre|figure))", np):
        return None
    return det.end(), np


def before(text: str, number_start: int) -> Counted | None:
    """The subject whose value a number gives, when no noun follows the number."""
    base = max(0, number_start - 120)
    head = text[base:number_start]
    m = DISLOCATION_RE.search(head)
    if m is not None:
        np = re.sub(r"^(?:des|les|de)\s+", "", m.group("np"), flags=re.I)
        start = base + m.end("np") - len(np)
        return Counted(np, start, start + len(np), np)
    found = _subject(head)
    if found is not None:
        offset, np = found
        noun = _PP_SPLIT.split(np)[0]
        return Counted(np, base + offset, base + offset + len(np), noun)
    return _head_before(text, number_start)


def _head_before(text: str, number_start: int) -> Counted | None:
    head = text[max(0, number_start - 200):number_start]
    # the clause the number is in
    cut = max(head.rfind(";"), head.rfind(":"), head.rfind("("))
    base = max(0, number_start - 200) + (cut + 1 if cut >= 0 else 0)
    clause = text[base:number_start]
    found = list(re.finditer(
        r"(?P<np>(?:[A-Za-zà-ÿ][\w'’-]*\s+){0,2}?(?:taux|rate|toll|bilan|nombre|number|total|count|chiffre|"
        r"figure|cas|cases|morts|deaths|fatalities|décès|estimate|estimation|unemployment|chômage|inflation|"
        r"déficit|deficit|dette|debt|croissance|growth)(?:\s+(?:de|d['’]|des|du|of)\s+(?!about|around|some|"
        r"environ|près|plus|more|over|at|au)[\w'’-]+){0,2})\b",
        clause, re.I))
    # the nearest subject; an empty head ("a total of") gives way to a telling one before it
    found = [m for m in found if not re.fullmatch(r"(?i:(?:a|an|the|un|une|le|la)?\s*(?:total|number|nombre|chiffre|"
                                                  r"figure)(?:\s+\w+)*)", m.group("np").strip())] or found
    m = found[-1] if found else None
    if not m:
        return None
    np = m.group("np")
    start = base + m.start("np")
    return Counted(np, start, start + len(np), np)


def general_kind(phrase: str) -> str | None:
    """The general kind the words of a counted phrase name (deaths, injured, missing,
    displaced, cases, money, people, events), or None."""
    for kind, rx in GENERAL:
        if rx.search(phrase):
            return kind
    return None


def _singular(word: str) -> str:
    """A crude singular, enough to make "nouveaux cas" and "nouveau cas" one kind: -eaux -> -eau,
    -aux -> -al (locaux), -ies -> -y (fatalities), participles in -us (disparus), else a final s/x."""
    if len(word) > 4 and word.endswith("eaux"):
        return word[:-1]
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 6 and word.endswith("us"):
        return word[:-1]
    if len(word) > 3 and word[-1] in "sx" and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def notation(phrase: str) -> str:
    """The minted kind of a counted phrase: folded, function words out, singular."""
    words = [_singular(w) for w in re.findall(r"[a-z0-9]+", _fold(phrase)) if w not in _FUNCTION and len(w) > 1]
    return "_".join(words[:5]) or "count"


# words that name a general kind and nothing more: "4.665 cas" counts cases, "31 personnes" people
_BARE = {"personne", "people", "person", "mort", "death", "victime", "dece", "ca", "cas", "case", "fatality", "dead", "tue", "killed", "mortel", "individu", "blesse", "injured", "disparu", "missing",
         "deplace", "displaced", "incident", "event"}


# burials and bodies are counted apart from deaths (a narrower kind), even when "bare"
BURIAL_RE = re.compile(r"\benterr|\binhum|\bburied|\bburials?\b|\bcorps\b|\bbodies\b", re.I)


def is_bare(noun: str) -> bool:
    """Whether a counted noun is only the name of a general kind ("cas", "personnes", "morts")."""
    words = notation(noun).split("_")
    return all(w in _BARE for w in words)


# a change of a figure, not a figure: "réduit de 440 le nombre des décès", "une baisse de 218 100 inscrits",
# "100.000 demandeurs d'emplois en moins", "up 7,200", "fell by 3%"
CHANGE_BEFORE_RE = re.compile(
    r"(?P<down>\b(?:réduit|réduite|diminué|diminuée|baissé|reculé|chuté|baisse|diminution|recul|chute|repli|"
    r"fell|dropped|declined|decreased|cut|reduced|decrease|decline|drop|fall|down)\s+(?:\w+\s+){0,2}?(?:de|d['’]|by|of)\s*"
    r"(?:plus de|moins de|more than|less than|près de|about|some)?\s*$)|"
    r"(?P<up>\b(?:augmenté|augmentée|progressé|grimpé|hausse|augmentation|progression|rose|increased|grew|climbed|"
    r"raised|increase|rise|growth|up)\s+(?:\w+\s+){0,2}?(?:de|d['’]|by|of)\s*(?:plus de|more than|près de|about|some)?\s*$|"
    r":\s*plus\s*$|^\s*plus\s*$)|(?P<same>\b(?:ainsi que|and|et)\s+de\s*$)", re.I)
CHANGE_AFTER_RE = re.compile(r"^\s*(?:[\w'’-]+\s+){0,4}?(?P<down>de moins|en moins|fewer|less)\b|"
                             r"^\s*(?:[\w'’-]+\s+){0,4}?(?P<up>de plus|en plus|more)\b(?!\s+than)", re.I)


def change(before_text: str, after_text: str) -> str | None:
    """'_decrease' or '_increase' when the number is a change of a figure, 'same' when it
    is listed after one with the same verb ("augmenté de 284 ... ainsi que de 23"), else None."""
    m = CHANGE_BEFORE_RE.search(before_text[-60:])
    if m:
        return "same" if m.group("same") else "_decrease" if m.group("down") else "_increase"
    m = CHANGE_AFTER_RE.match(after_text[:60])
    if m:
        return "_decrease" if m.group("down") else "_increase"
    return None


# heads that only say "a count of": the kind comes from what the sentence counts ("the country's toll",
# "its own count", "le bilan", "the number of total dead")
COUNT_HEADS = re.compile(r"(?i:\b(?:toll|death toll|bilan|count|décompte|tally|total|number|nombre|chiffre|figure|"
                         r"estimate|estimation)s?\b)")
# a rate, not a count: "17.1 deaths per million people", "47 victimes par mois"
RATE_RE = re.compile(r"^\s*(?:per|par|pour|a|an|every|chaque)\s+(?:100[ .,\u00a0]?000|1[ .,\u00a0]?000|million|millions|"
                     r"capita|habitant|habitants|inhabitants|people|personnes|month|mois|day|jour|week|semaine|year|an|"
                     r"année)\b", re.I)
# what happened to the people counted, said before the number: "a causé la mort de 31 personnes",
# "killed 300 people", "a coûté la vie à près de 4.900 personnes", "les corps de 3 958 personnes"
DEATH_BEFORE_RE = re.compile(r"(?:\bla mort de|\bcoûté la vie (?:à|a)|\bkill(?:ed|ing)|\btué|\bfait|\bcaused the death of|"
                             r"\bclaimed the lives of|\bdeath of|\bdécès de|\bcorps de|\bbodies of|\bdépouilles de)"
                             r"\s*(?:au moins|at least|plus de|more than|près de|nearly|about|some|environ|quelque)?\s*$",
                             re.I)
INJURY_BEFORE_RE = re.compile(r"(?:\bblessé|\binjur(?:ed|ing)|\bwounded)\s*(?:au moins|at least|plus de|more than|"
                              r"près de|nearly|about|some|environ)?\s*$", re.I)


DISPLACED_BEFORE_RE = re.compile(r"(?:\bdisplaced|\bdéplacé\w*|\bévacué\w*|\bevacuated|\bforced from their homes|"
                                 r"\bjeté sur les routes)\s*(?:au moins|at least|plus de|more than|près de|nearly|about|"
                                 r"some|environ)?\s*$", re.I)


def general_from_context(before_text: str) -> str | None:
    """The general kind what comes before a number says ("la mort de", "killed", "displaced")."""
    tail = before_text[-50:]
    if INJURY_BEFORE_RE.search(tail):
        return "people_injured"
    if DISPLACED_BEFORE_RE.search(tail):
        return "people_displaced"
    if DEATH_BEFORE_RE.search(tail):
        return "people_killed_total"
    return None


BODIES_BEFORE_RE = re.compile(r"\b(?:corps|bodies|dépouilles|remains)\s+(?:de|of)\s*(?:au moins|at least|plus de|more than|"
                              r"près de|nearly|about|some|environ)?\s*$", re.I)


def is_count_phrase(noun: str) -> bool:
    """Whether a counted phrase is only "a count of" something ("the country's toll", "its own
    count", "le bilan humain", "the number of total dead", "death toll")."""
    words = [w for w in re.findall(r"[a-zà-ÿ']+", noun.lower()) if w not in _FUNCTION and w not in
             {"its", "own", "their", "our", "his", "her", "country's", "country’s", "nouveau", "new", "official",
              "officiel", "global", "true", "humain", "total", "provisoire", "final", "latest", "dernier", "revised",
              "death", "dead", "morts", "décès", "says", "say", "said", "will", "show", "is", "that", "still"}]
    return all(COUNT_HEADS.fullmatch(w) for w in words) if words else True


# groups of people a toll is broken down by: "7,797 children, 4,959 women, 1,924 elderly people, and 10,006 men"
GROUP_RE = re.compile(r"(?i:\b(?:elderly|older people|men|women|children|boys|girls|babies|infants|adults|"
                      r"hommes|femmes|enfants|personnes âgées|aînés|garçons|filles|bébés|adultes|mineurs|minors|"
                      r"civilians|civils|soldiers|soldats|fighters|combattants|journalists|journalistes|"
                      r"health workers|soignants|médecins|doctors|nurses|infirmiers)\b)")
