"""What a figure counts: the quantity kind (``fgq:`` notation) from the noun after the
number ("1.302 civils"), a "le nombre de ..." frame, and the clause's verbs (killed,
injured, received, under review, credible...)."""

from __future__ import annotations

import re
from functools import lru_cache

# Noun classes, tried in order on the words right after a number (or after "le nombre de").
NOUNS: list[tuple[str, str]] = [
    ("civilian", r"(?:morts|victimes|pertes|décès)\s+civil(?:e)?s|civil(?:e)?s\b|civilians?|non-combattants|"
                 r"non-combatants"),
    ("child", r"enfants|children|mineurs|minors"),
    ("women", r"femmes|women"),
    ("jihadist", r"(?:d)?jihadistes|combattants (?:de l['’]|du groupe )?(?:EI|État islamique|Daech)|"
                 r"(?:IS|ISIS|Islamic State) (?:fighters|militants)|militants"),
    ("regime", r"(?:membres des |soldats des |combattants des )?forces (?:pro-régime|prorégime|du régime|gouvernementales)|"
               r"(?:pro-)?regime (?:forces|fighters|soldiers)|soldats syriens"),
    ("fighter", r"combattants|soldats|membres des forces|fighters|soldiers|troops"),
    ("people", r"personnes|people|individus|persons"),
    ("injured", r"blessés|injured|wounded"),
    ("deaths", r"morts|victimes|tués|décès|deaths|dead|fatalities|victims"),
    ("strikes", r"(?:raids|frappes|bombardements|strikes|airstrikes|air strikes|sorties|tirs)"),
    ("reports", r"rapports|dossiers|allégations|signalements|plaintes|reports|claims|allegations|cases"),
    ("incidents", r"incidents"),
]
# Between the number and its noun: articles and adjectives ("111 additional claims"),
# and up to three capitalised adjectives ("800 Iraqi and Syrian civilians").
_LEAD = (r"^(?:[\s\"«»“”]|\b(?:[Dd]e|[Dd]['’]|des|du|of|additional|more|autres|other|nouveaux|new|supplémentaires|"
         r"au total|in total)\b)*(?:[A-Z][a-zé]+\s+(?:and\s+|et\s+)?){0,3}")
NOUN_RES = [(cls, re.compile(rf"{_LEAD}(?i:{rx})\b")) for cls, rx in NOUNS]
NUMBER_OF_RE = re.compile(r"\b(?:le|du|au) nombre (?:de|d['’])\s*|\bthe number of\s+|\bthe (?:death )?toll of\s+", re.I)
PERCENT_RE = re.compile(r"^\s*(?:%|pour ?cent|per ?cent|percent)", re.I)

DEATH = re.compile(
    r"\btu(?:é|ée|és|ées|er)\b|\bmorts?\b|\bmortels?\b|\bvictimes?\b|\bpertes\b|\bpéri|\bdécès\b|\bla vie\b|"
    r"trouvé la mort|\bla mort\b|abattus|\bkill(?:ed|ing)?\b|\bdied\b|\bdeaths?\b|\bdead\b|\bcasualt|collatérales",
    re.I,
)
INJURY = re.compile(r"\bblessé|\binjur|\bwounded", re.I)
TRAPPED = re.compile(r"\bpiégés?\b|\bpris au piège\b|\bassiégés?\b|\btrapped\b|\bbesieged\b", re.I)
UNIDENTIFIED = re.compile(r"\bpas (?:encore |toujours )?(?:été )?identifiés?|\bnon identifiés?|\bunidentified\b", re.I)
DISPLACED = re.compile(r"\bfuir\b|\bdéplacé|\bdisplaced\b|\bfled\b|\bfleeing\b|\bréfugiés\b", re.I)

REPORT_KINDS: list[tuple[str, str]] = [
    ("reports_not_credible", r"pas fiables?|non fiables?|non crédibles?|pas crédibles?|not credible|unreliable"),
    ("reports_credible", r"crédibles?|credible"),
    ("reports_reopened", r"rouvert|réouvert|reopen"),
    ("reports_under_review", r"examin|à l['’]étude|en cours d['’](?:évaluation|examen)|assessing|under review|"
                             r"being assessed|reviewing|pending"),
    ("reports_carried_over", r"report(?:és)? de|carried over"),
    ("reports_assessed", r"évalué|assessed|completed"),
    ("reports_received", r"reçu|received|analyse|fait état|faisant état"),
]
REPORT_RES = [(k, re.compile(rx, re.I)) for k, rx in REPORT_KINDS]


@lru_cache(maxsize=256)
def _speaks_of_death(sentence: str) -> bool:
    """Whether a sentence speaks of deaths (read once per sentence, not once per figure)."""
    return DEATH.search(sentence) is not None


@lru_cache(maxsize=256)
def _speaks_of_civilians(sentence: str) -> bool:
    return re.search(r"\bcivil", sentence, re.I) is not None


def noun_class(after: str) -> tuple[str | None, int]:
    """The noun class right after a number and the length of text it covers."""
    if PERCENT_RE.match(after):
        return "percent", PERCENT_RE.match(after).end()  # type: ignore[union-attr]
    for cls, rx in NOUN_RES:
        m = rx.match(after)
        if m:
            return cls, m.end()
    return None, 0


def number_of_class(text: str) -> str | None:
    """The noun of a 'le nombre de X' frame in ``text``."""
    m = NUMBER_OF_RE.search(text)
    if not m:
        return None
    return noun_class(text[m.end():])[0]


def kind(cls: str | None, clause: str, sentence: str) -> str | None:
    """The quantity notation for a noun class in a clause; None if the clause does not
    count something factgraph models (a duration, a distance, people trapped...)."""
    if cls is None:
        return None
    per_month = re.search(r"\bpar mois\b|\bper month\b|\ba month\b", clause, re.I)
    suffix = "_per_month" if per_month else ""
    if cls == "reports":
        for key, rx in REPORT_RES:
            if rx.search(clause):
                return key
        return "reports_received"
    if cls == "incidents":
        return "alleged_incidents"
    if cls == "strikes":
        return "air_strikes"
    if cls == "injured":
        return "people_injured"
    death = DEATH.search(clause) or _speaks_of_death(sentence)
    injury = INJURY.search(clause)
    if cls == "civilian":
        if TRAPPED.search(clause) and not DEATH.search(clause):
            return "civilians_trapped"
        if injury and not DEATH.search(clause):
            return "civilian_injured"
        if DISPLACED.search(clause):
            return "civilians_displaced"
        return "civilian_deaths" + suffix if death else None
    if cls == "deaths" and UNIDENTIFIED.search(clause):
        return "unidentified_deaths"
    if cls == "deaths":
        if _speaks_of_civilians(sentence):
            return "civilian_deaths" + suffix
        return "people_killed_total" + suffix
    if not death:
        return None
    deaths = {
        "child": "child_deaths",
        "women": "women_deaths",
        "jihadist": "jihadists_killed",
        "fighter": "fighters_killed",
        "regime": "pro_regime_fighters_killed",
        "people": "people_killed_total",
    }.get(cls)  # a class with no death kind ('percent' in "4,6% ... deaths") counts no deaths
    return deaths + suffix if deaths else None
