"""Dates and periods, resolved against the article's date.

Regular expressions find the date phrases and the frames around them (``entre ... et``,
``depuis``, ``en date du``, ``Pendant cette période``) and the month names; a phrase
such as ``30 juillet`` without its year takes the latest such date on or before the
article's (``_latest_year``: what ``dateparser``, used before, gave). What the text
leaves out stays out: ``août 2014`` is ``2014-08``, not a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from . import alternation
from .screening import screened

MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_MONTH = alternation.words(sorted(MONTHS, key=len, reverse=True))  # their alternation, longest first, as a tree
_EDGE = r"(?:(?P<edge>fin|début|debut|mi|end of|the end of|beginning of|the beginning of|early|late)[\s-]+(?:de\s+|d'|d’)?)?"
DATE = (
    rf"{_EDGE}(?:(?P<day>\d{{1,2}}|1er)\s+)?(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?"
    rf"(?:\s+(?P<last>dernier|last))?"
)
DATE_RE = re.compile(rf"\b{DATE}\b", re.I)
MONTH_AFTER_RE = re.compile(rf"^\s+(?:{_MONTH})\b", re.I)
YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
WEEKDAY_RE = screened(re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I))


@dataclass(frozen=True)
class Period:
    start: str | None = None
    end: str | None = None
    anaphoric: bool = False  # "Pendant cette période": the period of the text before
    explicit_end: bool = False
    so_far: bool = False  # "jusqu'à présent": as of the latest news the article reports
    as_of: bool = False  # "en date du 30 juillet": the date a tally was counted to


def parse_article_date(text: str) -> dt.date:
    """'2019-05' -> 2019-05-01; '2019-05-31' -> that day."""
    parts = [int(p) for p in text.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _latest_year(month: int, day: int | None, base: dt.date) -> int | None:
    """The year of the latest such date on or before ``base`` ("30 juillet" read on
    2016-07-19 is 2015-07-30; a month alone stands for its first day), or None for a day
    no year of the last four has ("31 avril"). What ``dateparser`` (``PREFER_DATES_FROM:
    past``, ``PREFER_DAY_OF_MONTH: first``) gave on 2,268 cases of every month name, day
    and base tried, but for its "février" read on a 31 January (2016, not the year
    before): the phrase is this module's own, its month already known, so only the year
    was asked, and dateparser's first use cost 0.15-0.3 s of every process."""
    first = day or 1
    for y in range(base.year, base.year - 5, -1):
        if first <= _last_day(y, month) and dt.date(y, month, first) <= base:
            return y
    return None


YEAR_AFTER_RE = re.compile(rf"^\s*(?:et|and|à|au|to|-|–)\s+(?:(?:le\s+)?\d{{1,2}}\s+)?(?:{_MONTH})\s+((?:19|20)\d\d)\b", re.I)


def resolve(m: re.Match, article_date: str, default_year: int | None = None, as_end: bool = False,
            following: str = "") -> str | None:
    """ISO date of a DATE_RE match, as precise as the text: 'fin avril dernier' -> '2019-04-30'.

    ``as_end``: the date ends an interval, so a month stands for its last day.
    ``following``: the text after the match, where 'août et septembre 2014' gives août its year."""
    base = parse_article_date(article_date)
    # the article may be dated by month only: its last day is the latest it can be
    if len(article_date) == 7:
        base = base.replace(day=_last_day(base.year, base.month))
    month = MONTHS[m.group("month").lower()]
    day = m.group("day")
    if day and not 1 <= int(day.replace("1er", "1")) <= 31:
        day = None  # an impossible day ("le 36 juillet") is a typo: the month is all the text tells for sure
    year = m.group("year")
    ahead = YEAR_AFTER_RE.match(following) if not year else None
    if ahead:
        year = ahead.group(1)
    if year:
        y = int(year)
    elif default_year:
        y = default_year
    else:
        latest = _latest_year(month, int(day.replace("1er", "1")) if day else None, base)
        y = latest if latest is not None else (base.year if month <= base.month else base.year - 1)
    edge = (m.group("edge") or "").lower()
    if day and int(day.replace("1er", "1")) <= _last_day(y, month):  # not "le 31 avril"
        return f"{y:04d}-{month:02d}-{int(day.replace('1er', '1')):02d}"
    if edge in ("fin", "end of", "the end of", "late") or as_end:
        return f"{y:04d}-{month:02d}-{_last_day(y, month):02d}"
    return f"{y:04d}-{month:02d}"


def weekday_date(name: str, article_date: str, not_before: str | None = None) -> str | None:
    """The latest such weekday on or before the article's date.

    An article dated by month alone cannot tell which Tuesday "mardi" is, unless the
    text reports a day of that month the statement must follow (``not_before``: "ont
    péri ... le 18 mai dernier", so the Tuesday that revealed it is the 23rd at the
    earliest): then the earliest such weekday from that day, if still in the month."""
    if len(article_date) < 10:
        if not not_before or not not_before.startswith(article_date[:7]):
            return None
        first = dt.date.fromisoformat(not_before)
        day = first + dt.timedelta(days=(WEEKDAYS[name.lower()] - first.weekday()) % 7)
        return day.isoformat() if day.isoformat().startswith(article_date[:7]) else None
    base = parse_article_date(article_date)
    delta = (base.weekday() - WEEKDAYS[name.lower()]) % 7
    return (base - dt.timedelta(days=delta)).isoformat()


BETWEEN_RE = screened(re.compile(
    rf"(?:\b(?:entre|between|de|du|from)\s+|\bd['’]\s*)(?:le\s+|the\s+)?(?P<a>{DATE.replace('?P<', '?P<a_')})"
    rf"\s+(?:et|and|à|au|to|until|jusqu'à|jusqu’à)\s+(?:le\s+|la\s+|the\s+)?(?P<b>{DATE.replace('?P<', '?P<b_')})",
    re.I,
))
DAY_SPAN_RE = screened(re.compile(
    rf"\b(?:entre le|du|from the|between the)\s+(?P<d1>\d{{1,2}}|1er)\s+(?:et le|au|and the|to the|-)\s+(?P<d2>\d{{1,2}})\s+"
    rf"(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?",
    re.I,
))
SINCE_RE = screened(re.compile(
    rf"\b(?:depuis|since|à partir de|a partir de)\s+(?:le début d(?:e|es|u)\b[^.;]{{0,80}}?\ben\s+|the (?:start|beginning) of [^.;]{{0,80}}?\bin\s+|le\s+|the\s+)?"
    rf"(?:(?P<date>{DATE})|(?P<yr>(?:19|20)\d\d))",
    re.I,
))
AS_OF_RE = screened(re.compile(rf"\b(?:en date du|à la date du|as at|au|as of|jusqu'au|jusqu’au|until|through|datent de|date de|datant de|"
                      rf"dating from|dated)\s+(?:le\s+|d[’'])?(?P<date>{DATE})", re.I))
IN_RE = screened(re.compile(
    rf"\b(?:rien qu'en|rien qu’en|en|in|durant|pendant|during|for|the|au cours du mois de|au mois de)\s+(?P<date>{DATE})",
    re.I,
))
ANAPHORA_RE = screened(re.compile(
    r"\b(?:pendant|durant|au cours de)\s+(?:cette|la même)\s+période|\bduring (?:this|that|the same) period",
    re.I,
))
# whole years: "in 2020 and 2021", "en 2019", "entre 2015 et 2017", "during 2020-2021"
YEARS_RE = re.compile(r"\b(?:in|en|during|durant|pendant|over|sur|for|entre|between|au cours de)\s+"
                      r"(?:l['’]année\s+|the year\s+)?(?P<a>(?:19|20)\d\d)"
                      r"(?:\s*(?:and|et|-|–|à|to)\s*(?P<b>(?:19|20)\d\d))?\b(?!\s*(?:%|pour ?cent))", re.I)
# the end of a year: "by the end of 2021" (its last day), "fin 2020" (its last month)
END_OF_YEAR_RE = screened(re.compile(r"\b(?:(?:by|till|until|through|to|at)\s+)?the end of\s+(?P<en>(?:19|20)\d\d)\b|"
                            r"\b(?:(?:dès|jusqu['’]à|à|avant)\s+)?(?:la\s+)?fin(?:\s+de\s+l['’]année|\s+de)?\s+(?P<fr>(?:19|20)\d\d)\b",
                            re.I))
# a month's edge standing alone: "Fin décembre 2020, 3,5 millions ..."
EDGE_DATE_RE = screened(re.compile(rf"(?:^|[,;(]\s*)(?P<date>{DATE})\s*[,;)]", re.I))
# quarters: "au troisième trimestre de 2021", "the third quarter of 2021", "Q3 2021"
_ORDINALS = {"premier": 1, "1er": 1, "first": 1, "deuxième": 2, "second": 2, "2e": 2, "troisième": 3, "third": 3,
             "3e": 3, "quatrième": 4, "fourth": 4, "4e": 4, "dernier": 4, "last": 4}
QUARTER_RE = re.compile(r"\b(?P<n>" + "|".join(_ORDINALS) + r")\s+(?:trimestre|quarter)\s+(?:de\s+|of\s+|d['’])?"
                        r"(?P<y>(?:19|20)\d\d)\b|\bQ(?P<q>[1-4])\s+(?P<qy>(?:19|20)\d\d)\b", re.I)
# a date said as the start of an event: "où a éclaté l'épidémie en décembre dernier", "the war began in October"
EVENT_BEGAN_RE = re.compile(r"\b(?:a éclaté|ont éclaté|avait éclaté|éclate|a commencé|avait commencé|a débuté|a démarré|"
                            r"began|started|broke out|erupted|commencé|débuté)\b[^.;]{0,40}$", re.I)
# the date of a report a figure comes from: "In its May 8 report", "le rapport du 30 juillet"
REPORT_DATE_RE = screened(re.compile(rf"(?:\b(?P<date>{DATE})\s+(?:report|update|bulletin|tally|briefing)\b|"
                            rf"\b(?:report|rapport|bilan|update|bulletin|communiqué|note)\s+(?:for|of|dated|du|de la|daté du|"
                            rf"publié le|published on)\s+(?:le\s+)?(?P<date2>{DATE.replace('?P<', '?P<r_')}))", re.I))
SO_FAR_RE = screened(re.compile(r"\bjusqu'à présent|\bjusqu’à présent|\bà ce jour|\bso far|\bto date\b", re.I))


def _sub(m: re.Match, prefix: str) -> dict[str, str | None]:
    return {k[len(prefix):]: v for k, v in m.groupdict().items() if k.startswith(prefix)}


class _Sub:
    """Adapter so ``resolve`` can read a prefixed sub-match of BETWEEN_RE."""

    def __init__(self, groups: dict[str, str | None]):
        self._g = groups

    def group(self, name: str) -> str | None:
        return self._g.get(name)


_EN_MONTHS = alternation.words("january february march april may june july august september october november "
                               "december".split())
# English puts the day after the month: "May 6", "April 30, 2024", "June 16th"
EN_MONTH_DAY_RE = screened(re.compile(rf"\b(?P<month>(?i:{_EN_MONTHS}))\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\d)"
                             rf"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"))


@lru_cache(maxsize=256)  # the same clause is read for its period, its statement date...: within one article
def day_first(text: str) -> str:
    """``text`` with English month-day dates in day-month order ("May 6" -> "6 May")."""
    return EN_MONTH_DAY_RE.sub(lambda m: " ".join(p for p in (m.group("day"), m.group("month"), m.group("year")) if p),
                               text)


# years named relative to the article: "l'année dernière", "last year", "cette année"
RELATIVE_YEAR_RE = screened(re.compile(r"\b(?P<end>(?:à |by |at )?(?:la |the )?(?:fin|end) (?:de |of )?)?(?:l['’]année dernière|"
                              r"l['’]an dernier|last year|(?P<this>cette année|this year))\b", re.I))
# "entre le 1er trimestre 2017 ... et la fin de l'année dernière": each side read on its own.
# The space before the connector is possessive (``\s++``): a connector starts with a letter, so
# only the whole run of spaces can precede it, and the expression matches what it did with
# ``\s+``; without it, a clause whose figures are blanked ("entre" and 150 spaces) made the
# engine try every split of the run for every length of ``a`` (24 ms for one clause)
SPAN_RE = screened(re.compile(r"\b(?:entre|between|from)\s+(?P<a>[^;]{3,80}?)\s++(?:et|and|to|until|jusqu['’]à)\s+(?P<b>[^;]{3,60}?)"
                     r"(?=\s*[,.;)(]|$)", re.I))


@lru_cache(maxsize=256)  # a clause is asked about 1.6 times per article (its parts too): remembered within one
def find_period(text: str, article_date: str) -> Period:
    """The period a clause states, if any."""
    text = day_first(text)
    span = SPAN_RE.search(text)
    if span and not BETWEEN_RE.search(text) and not DAY_SPAN_RE.search(text):
        a, b = _find_period(span.group("a"), article_date), _find_period(span.group("b"), article_date)
        if a.start and (b.end or b.start):
            return Period(a.start, b.end or b.start, explicit_end=True)
    return _find_period(text, article_date)


# "dans la nuit de dimanche à lundi", "overnight Sunday to Monday": a night that ended by the article's date
NIGHT_RE = screened(re.compile(r"\bnuit (?:de|du) (?P<a>" + "|".join(WEEKDAYS) + r") (?:à|au) (?P<b>" + "|".join(WEEKDAYS) + r")\b|"
                      r"\bovernight (?P<a2>" + "|".join(WEEKDAYS) + r") (?:to|into) (?P<b2>" + "|".join(WEEKDAYS) + r")\b",
                      re.I))


def night(text: str, article_date: str) -> str | None:
    """The day a night named by its two weekdays began, the latest one over by the article's
    date ("la nuit de dimanche à lundi" in an article of Sunday 17 September: the 10th)."""
    m = NIGHT_RE.search(text)
    if m is None or len(article_date) < 10:
        return None
    morning = (m.group("b") or m.group("b2")).lower()
    base = parse_article_date(article_date)
    delta = (base.weekday() - WEEKDAYS[morning]) % 7
    return (base - dt.timedelta(days=delta + 1)).isoformat()


@lru_cache(maxsize=256)  # a clause comes back about twice per article: remembered within one
def _find_period(text: str, article_date: str) -> Period:
    began = night(text, article_date)
    if began:
        return Period(began, began, explicit_end=True)
    m = DAY_SPAN_RE.search(text)
    if m:
        y = m.group("year")
        sub = _Sub({"month": m.group("month"), "year": y, "day": m.group("d1"), "edge": None})
        start = resolve(sub, article_date)  # type: ignore[arg-type]
        end = start[:8] + f"{int(m.group('d2')):02d}" if start else None
        return Period(start, end, explicit_end=True)
    m = BETWEEN_RE.search(text)
    if m:
        a, b = _Sub(_sub(m, "a_")), _Sub(_sub(m, "b_"))
        end = resolve(b, article_date, as_end=True)  # type: ignore[arg-type]
        default_year = int(end[:4]) if end and not a.group("year") else None
        if default_year and end and MONTHS[a.group("month").lower()] > int(end[5:7]):  # type: ignore[union-attr]
            default_year -= 1
        start = resolve(a, article_date, default_year, following=text[m.end("a"):])  # type: ignore[arg-type]
        return Period(start, end, explicit_end=True)
    start = end = None
    explicit_end = False
    m = SINCE_RE.search(text)
    if m:
        if m.group("yr"):
            start = m.group("yr")
        else:
            start = resolve(_Sub(m.groupdict()), article_date, following=text[m.end():])  # type: ignore[arg-type]
    as_of = False
    m = REPORT_DATE_RE.search(text)
    if m and start is None:
        day = resolve(m, article_date) if m.group("date") else resolve(_Sub(_sub(m, "r_")), article_date)  # type: ignore[arg-type]
        return Period(None, day, explicit_end=True, as_of=True)
    m = AS_OF_RE.search(text)
    if m:
        end = resolve(m, article_date)
        explicit_end = as_of = True
    if start is None and end is None:
        m = QUARTER_RE.search(text)
        if m:
            q = int(m.group("q")) if m.group("q") else _ORDINALS[m.group("n").lower()]
            y = int(m.group("qy") or m.group("y"))
            first, last = 3 * q - 2, 3 * q
            return Period(f"{y:04d}-{first:02d}", f"{y:04d}-{last:02d}-{_last_day(y, last):02d}", explicit_end=True)
        m = END_OF_YEAR_RE.search(text)
        if m:
            end = f"{m.group('en')}-12-31" if m.group("en") else f"{m.group('fr')}-12"
            return Period(None, end, explicit_end=True, as_of=True)
        m = RELATIVE_YEAR_RE.search(text)
        if m:
            year = int(article_date[:4]) - (0 if m.group("this") else 1)
            if m.group("end"):
                return Period(None, f"{year:04d}-12-31", explicit_end=True, as_of=True)
            return Period(f"{year:04d}", f"{year:04d}", explicit_end=True)
        m = YEARS_RE.search(text)
        if m and not IN_RE.search(text):
            if re.search(r"\b(?:since|depuis)\b", text[max(0, m.start() - 60):m.start()], re.I):
                return Period(m.group("a"))  # "since the campaign began in 2014": from then on
            return Period(m.group("a"), m.group("b") or m.group("a"), explicit_end=True)
    if start is None and end is None:
        m = IN_RE.search(text)
        if m:  # "en janvier 2018": the whole month
            following = text[m.end():]
            begun = resolve(m, article_date, following=following)
            if EVENT_BEGAN_RE.search(text[max(0, m.start() - 50):m.start()]):
                return Period(begun)  # "où a éclaté l'épidémie en décembre dernier": when it began
            return Period(begun, resolve(m, article_date, as_end=True, following=following), explicit_end=True)
    if start is None and end is None:
        m = EDGE_DATE_RE.search(text)
        if m and m.group("edge") and m.group("month"):  # "Fin décembre 2020,": as of that day
            return Period(None, resolve(m, article_date), explicit_end=True, as_of=True)
    if start is None and end is None:
        m = DAY_RE.search(text)
        if m:  # "le 21 mars": that day
            day = resolve(m, article_date)
            return Period(day, day, explicit_end=True)
        days = [d for d in (_weekday_or_date(w, text, article_date) for w in WEEKDAY_RE.finditer(text)) if d]
        if days:  # "jeudi puis vendredi 19 octobre": the days of the event
            return Period(min(days), max(days), explicit_end=True)
    if start is None and end is None and ANAPHORA_RE.search(text):
        return Period(anaphoric=True)
    return Period(start, end, explicit_end=explicit_end, as_of=as_of, so_far=bool(SO_FAR_RE.search(text)))


def latest_day(text: str, article_date: str) -> str | None:
    """The latest explicit day the text reports in the article's month ("dans la nuit
    du 18 au 19 juillet" -> 2016-07-19): the news an article dated by month is about."""
    text = day_first(text)
    days = []
    for m in DAY_SPAN_RE.finditer(text):
        sub = _Sub({"month": m.group("month"), "year": m.group("year"), "day": m.group("d2"), "edge": None})
        days.append(resolve(sub, article_date))  # type: ignore[arg-type]
    for m in DATE_RE.finditer(text):
        if m.group("day"):
            days.append(resolve(m, article_date))
    in_month = [d for d in days if d and d.startswith(article_date[:7])]
    return max(in_month) if in_month else None


DAY_RE = screened(re.compile(rf"\b(?:le|on|the)\s+(?P<day>\d{{1,2}}|1er)\s+(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?"
                    rf"(?P<edge>)(?P<last>)", re.I))


def _weekday_or_date(m: re.Match, text: str, article_date: str, not_before: str | None = None) -> str | None:
    explicit = re.match(rf",?\s+(\d{{1,2}}|1er)\s+({_MONTH})", text[m.end():], re.I)
    if explicit:
        sub = _Sub({"day": explicit.group(1), "month": explicit.group(2), "year": None, "edge": None})
        return resolve(sub, article_date)  # type: ignore[arg-type]
    return weekday_date(m.group(1), article_date, not_before)


STATEMENT_VERB_RE = re.compile(
    r"(?:\b(?:reconnu|reconna[iî]t|révélé|affirmé|indiqué|déclaré|annoncé|dit|précisé|publié|publiée|diffusé|diffusée|"
    r"estimé|jugé|said|says|announced|released|published|reported|admitted|stated)\b)(?:\s+(?:ce|cette|this|on|le))?\s*$",
    re.I,
)
LEAD_DATE_RE = re.compile(rf"^\W*(?:(?:on|le|ce)\s+)?(?:(?:{'|'.join(WEEKDAYS)})\s*,?\s*)?(?P<date>{DATE})\s*,", re.I)


def statement_date(text: str, article_date: str, not_before: str | None = None) -> str | None:
    """When a clause says its figure was stated ('vendredi', 'ce vendredi', 'jeudi',
    'Début août, elle a reconnu...')."""
    text = day_first(text)
    for m in WEEKDAY_RE.finditer(text):  # "a révélé mardi", "said Friday"; not "des raids menés jeudi"
        if STATEMENT_VERB_RE.search(text[max(0, m.start() - 40):m.start()]):
            return _weekday_or_date(m, text, article_date, not_before)
    lead = LEAD_DATE_RE.match(text)
    return resolve(lead, article_date) if lead else None


DURATION_RE = re.compile(r"\b(?:en|in|over|sur)\s+(?P<n>\d+|[a-zé]+)\s+"
                         r"(?P<unit>jours|jour|days|day|mois|months|month|ans|années|an|years|year|semaines|weeks|week)\b", re.I)


@lru_cache(maxsize=256)
def find_duration(text: str) -> tuple[int, str] | None:
    """'en 32 mois' -> (32, 'month'); 'en 711 jours' -> (711, 'day')."""
    m = DURATION_RE.search(text)
    if not m:
        return None
    n = m.group("n")
    if n.isdigit():
        count = int(n)
    else:
        from .numbers import parse_words  # 'en deux mois', 'in three years'

        value = parse_words("un" if n.lower() == "une" else n)
        if value is None:
            return None
        count = int(value)
    unit = m.group("unit").lower()
    kind = "day" if unit.startswith(("jour", "day")) else "week" if unit.startswith(("semaine", "week")) else \
        "year" if unit.startswith(("an", "année", "year")) else "month"
    return count, kind


ONGOING_RE = screened(re.compile(r"\b(?P<n>\d+|[a-zé]+)[- ](?P<unit>months?|years?|weeks?|days?)[- ]long\b|"
                        r"\bdepuis\s+(?P<n2>\d+|[a-zé]+)\s+(?P<unit2>mois|ans|années|semaines|jours)\b|"
                        r"\b(?P<n3>\d+|[a-zé]+)\s+(?P<unit3>mois|ans|années|semaines|months|years|weeks)\s+"
                        r"(?:après|after)\s+(?:le début|le passage|the start|the beginning|l['’]|la |le |the )", re.I))


def ongoing_since(text: str, article_date: str) -> str | None:
    """When an event still going on began: "the seven-month-long conflict" in May 2024 -> 2023-10,
    "Deux mois après le passage du cyclone" in February 2025 -> 2024-12."""
    m = ONGOING_RE.search(text)
    if not m:
        return None
    n = m.group("n") or m.group("n2") or m.group("n3")
    found = find_duration(f"en {n} {m.group('unit') or m.group('unit2') or m.group('unit3')}")
    if found is None:
        return None
    return add_duration(article_date[:7], found, sign=-1)


def add_duration(iso: str, duration: tuple[int, str], sign: int = 1) -> str:
    """Move an ISO date by a duration, keeping its precision: a day-less date moves by
    whole months or years only (days and weeks leave it as it is)."""
    count, unit = duration
    count *= sign
    parts = [int(p) for p in iso.split("-")]
    if unit in ("day", "week"):
        if len(parts) < 3:
            return iso
        return (dt.date(*parts) + dt.timedelta(days=count * (7 if unit == "week" else 1))).isoformat()
    months = count * (12 if unit == "year" else 1)
    if len(parts) == 1:
        return f"{parts[0] + months // 12:04d}"
    y, m = divmod(parts[1] - 1 + months, 12)
    year, month = parts[0] + y, m + 1
    if len(parts) == 2:
        return f"{year:04d}-{month:02d}"
    return dt.date(year, month, min(parts[2], _last_day(year, month))).isoformat()
