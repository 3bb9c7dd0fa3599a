"""From an article to claims: sentences, figures, and what each figure is about.

For each sentence: who speaks (``attribution``), how sure (``confidence``), when
(``dates``), where (the gazetteer), and for each number that counts something
(``numbers`` + ``quantities``) a ``Claim``. Then the article-level readings: a figure
said again by the same source is a restatement, a ``dont ...`` figure is part of the one
before it, "le nombre ... serait supérieur" is a comparative claim that disputes the
latest figure of another source, and an open period ends where the source's report ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import attribution, confidence, counted, dates, lexicon, numbers, quantities, scope
from .model import Article, Claim, Extraction, Figure, Scope, Span, Statement

SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"”)\]]*\s+(?=[«\"“(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")
ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bM|\bMM|\bDr|\bSt|\bMme|\bMr|\bMrs|\bNo|\bp|\bet al|\bc-à-d|\betc)\.$")
PART_OF_RE = re.compile(r"(?:\bdont\b|\bincluding\b|\bamong them\b|\bparmi lesquel(?:le)?s\b|\bnotamment\b)"
                        r"(?:\s+(?:seulement|only|au moins|at least|plus de|près de))?\s*[«\"“]?\s*$", re.I)
COMPARATIVE_RE = re.compile(
    r"\b(?:le nombre|le bilan|the (?:death )?toll|the number)\b(?P<what>[^.;]{0,90}?)\b(?:serait|seraient|est|sont|"
    r"would be|is|could be|pourrait être)\s+(?:bien\s+|nettement\s+|far\s+|much\s+)?(?:supérieur|plus élevé|"
    r"plus lourd|higher|greater|larger)",
    re.I,
)

# tallies of the air campaign itself (a whole war's death toll is not one)
CAMPAIGN_KINDS = {"civilian_deaths", "child_deaths", "women_deaths", "air_strikes", "reports_received"}
# a sentence about the same events as the one before: "Ils ont tué...", "Ces attaques..."
PERIOD_CONTINUATION_RE = re.compile(r"^\W*(?:ils|elles|il|elle|they|it|ces|cette|ce|these|this|parmi|dont|durant|"
                                    r"pendant|cependant|toutefois|however|mais|but)\b", re.I)
# the article's own computation from a source's figure: "soit une moyenne de 47 victimes par mois"
DERIVED_RE = re.compile(r"\bsoit (?:une moyenne de|en moyenne)\s*$|\b(?:an|on) average of\s*$|"
                        r"^\W*soit\b[^,;]*$", re.I)


def _known_kind(kind: str | None) -> str | None:
    """A quantity kind of the vocabulary, else None (the open path mints one)."""
    if kind is None:
        return None
    return kind if kind in lexicon.quantity_notations() else None


# a figure said as a total: "Au total, 4.877 personnes", "un total de 4.818 décès", "a total of about 15 million"
TOTAL_BEFORE_RE = re.compile(r"(?:\bau total|\ben tout|\bin total|\boverall|\bun total de|\ba total of|\bd['’]un total de)"
                             r"\s*,?\s*(?:[\w'’-]+\s+){0,8}?(?:près de|environ|plus de|about|some|more than|nearly)?\s*$",
                             re.I)
# the running tolls of an event: they count from the event's start
TOLL_KINDS = {"people_killed_total", "missing", "cases", "people_displaced", "people_injured", "civilian_injured"}
# a toll, said as such: "le bilan de 11 300 morts", "the death toll"
TOLL_RE = re.compile(r"\b(?:bilan|toll|décompte|tally|total|cumul)\b", re.I)
# a photo caption or credit: never a date for the body's claims
CAPTION_RE = re.compile(r"\b(?:photo|caption|crédit|credit|légende)\b|/\s*(?:REUTERS|AFP|AP)\b|\b(?:REUTERS|AFP)\s*[–-]\s*[A-Z]",
                        re.I)


def _years_before(iso: str, years: int) -> str:
    return f"{int(iso[:4]) - years:04d}{iso[4:]}"


def _after_comma(text: str, start: int, end: int) -> str:
    comma = text.find(",", start, end)
    return text[comma:end] if comma >= 0 else ""


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int

    def text(self, article: Article) -> str:
        return article.text[self.start:self.end]


def sentences(article: Article) -> list[_Sentence]:
    """Sentences of the body with their offsets; a line break always ends one."""
    out: list[_Sentence] = []
    para = 0
    pos = article.body_start
    for line in re.split(r"(\n+)", article.text[article.body_start:]):
        if line.startswith("\n"):
            pos += len(line)
            para += 1
            continue
        start = 0
        for m in SENTENCE_END.finditer(line):
            if ABBREVIATION.search(line[:m.start()]):
                continue
            chunk = line[start:m.start()]
            if chunk.strip():
                lead = len(chunk) - len(chunk.lstrip())
                out.append(_Sentence(pos + start + lead, pos + start + len(chunk.rstrip()), para))
            start = m.end()
        chunk = line[start:]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append(_Sentence(pos + start + lead, pos + start + len(chunk.rstrip()), para))
        pos += len(line)
    return out


# what may stand between two listed figures: "..., 22.7) , Poland (", "et 10 100", "contre 5 871 200",
# "quand vous avez été élu, il y en a aujourd'hui"
LIST_GAP_RE = re.compile(r"^[^.!?\d]{0,80}$")


def _listed_after(text: str, prev: _Figure, f: _Figure) -> bool:
    """A bare number listed after a counted figure counts the same thing ("Mexico (24.2 deaths
    per million), Ukraine (22.7)", "11 300 personnes sont mortes et 10 100 restent portées
    disparues"). Years, days, times, ranks and measures are not listed figures."""
    n = f.number
    if n.value is None or numbers.is_year(n) or (n.kind == "words" and n.value < 10):
        return False
    rest = text[n.end:]
    if counted.NON_COUNT.match(rest) or dates.MONTH_AFTER_RE.match(rest) or re.match(r"\s*(?:h\d|:\d|/|°)", rest):
        return False
    if counted.NOT_COUNT_BEFORE.search(text[:n.start]):
        return False
    return bool(LIST_GAP_RE.match(text[prev.noun_end:n.start]))


# a share worked out from the figure before it: "4.877 personnes ont été tuées, soit 70 % des cas confirmés"
SHARE_OF_RE = re.compile(r"(?:\bsoit|\bi\.e\.|\bthat is|\breprésentant|\baccounting for|\bwhich is|\bou)\s*"
                         r"(?:près de|environ|about|nearly|some|plus de|more than)?\s*$", re.I)


def _shares(made: list[Claim], text: str, offset: int) -> list[Claim]:
    """A percentage said as the share the figure before it makes of something ("soit 70 % des
    cas confirmés") is linked to that figure and to the figure of what it is a share of, when
    the sentence gives one ("9.936 cas"): the conflict rules check that they add up."""
    out = list(made)
    for i, c in enumerate(made):
        if not (c.figure.percent or c.quantity.endswith("_pct")) or i == 0:
            continue
        prev = made[i - 1]
        if prev.figure.value is None or prev.quantity.endswith("_pct"):
            continue
        if not SHARE_OF_RE.search(text[:c.figure.start - offset][-40:].replace(prev.figure.text, "")):
            continue
        share_kind = counted.general_kind(c.counted or "")
        base = next((o for o in made if o is not c and o is not prev and o.figure.value and share_kind
                     and share_kind in (o.quantity, o.general_kind)), None)
        out[i] = replace(c, share_of=prev.key, share_base=base.key if base else None)
    return out


@dataclass
class _Figure:
    number: numbers.NumberMatch
    cls: str | None
    noun_end: int


def _figures(text: str, language: str) -> list[_Figure]:
    found = numbers.find_numbers(text, language)
    out: list[_Figure] = []
    skip_until = -1
    for n in found:
        if n.start < skip_until:
            continue
        rng = numbers.find_range(text, n) if n.kind == "digits" else None
        if rng:
            low, high, _, end = rng
            n = numbers.NumberMatch(low, n.start, end, text[n.start:end], "digits", value_high=high)
            skip_until = end
        cls, length = quantities.noun_class(text[n.end:])
        out.append(_Figure(n, cls, n.end + length))
    return out


# between two listed figures: an adjective left after the noun, the previous figure's
# place ("9 340 en Irak et 4 620 en Syrie"), then a comma or a conjunction
ELLIPSIS_GAP_RE = re.compile(r"^\s*(?:[\w-]+\s*)?(?:(?:en|in|à|au|dans)\s+[\w'’-]+\s*)?(?:,|et|and|;)\s*$", re.I)
ELLIPSIS_AFTER_RE = re.compile(r"^\s+(?:en|in|à|au|dans|pour|for)\b", re.I)


def _with_ellipsis(figures: list[_Figure], text: str) -> list[_Figure]:
    """'13 960 frappes, 9 340 en Irak et 4 620 en Syrie': a bare number listed right
    after a counted one, followed by a place or share, counts the same thing."""
    out: list[_Figure] = []
    for f in figures:
        prev = out[-1] if out else None
        if (f.cls is None and prev is not None and prev.cls is not None and not numbers.is_year(f.number)
                and ELLIPSIS_GAP_RE.match(text[prev.noun_end:f.number.start])
                and ELLIPSIS_AFTER_RE.match(text[f.number.end:])):
            f = _Figure(f.number, prev.cls, f.number.end)
        out.append(f)
    return out


class _Reader:
    """Reads one article, keeping the discourse state (speaker, period, places)."""

    def __init__(self, article: Article):
        self.article = article
        self.claims: list[Claim] = []
        self.statements: list[Statement] = []
        self.speaker = attribution.ARTICLE
        self.last_period: dates.Period | None = None
        self.last_places: tuple[str, ...] = ()
        self.lead_places: tuple[str, ...] = ()
        self.recent_source: str | None = None
        self.announces = False  # the last sentence ended on a colon
        self.event_start: str | None = None
        self._generals: dict[str, str] = {}  # minted kind -> its general kind
        self.last_paragraph = -1
        self.news_day = dates.latest_day(article.text[article.body_start:], article.date)
        self.report_end: dict[str, str] = {}
        self.stated_by: dict[str, str] = {}  # claimant -> date of its statement the article reports  # claimant -> end of its stated reporting period
        self.classes: dict[str, str] = {}  # claim key -> noun class of its figure
        self.last_places_by: str | None = None  # claimant of the last places
        self._counted: dict[int, tuple[str, str | None]] = {}  # figure offset -> (counted text, general kind)

    def read(self) -> Extraction:
        sents = sentences(self.article)
        self.lead_places = self._lead_places(sents)
        self.event_start = self._event_start(sents)
        # the end of each source's reporting period, wherever the article states it
        self._scan_report_ends(sents)
        for i, s in enumerate(sents):
            nxt = sents[i + 1].text(self.article) if i + 1 < len(sents) else ""
            self._sentence(s, nxt)
        claims = self._restatements(self._headline_sources(sents, self.claims))
        return Extraction(self.article, tuple(claims), tuple(self.statements))

    def _headline_sources(self, sents: list[_Sentence], claims: list[Claim]) -> list[Claim]:
        """A headline compresses its attribution: a figure of the first line in no one's
        name that the body gives in a source's name is that source's ("Inondations en Libye :
        ... le bilan de 11300 morts à Derna" and "Selon l'OCHA, au moins 11 300 personnes...")."""
        if not sents or sents[0].paragraph != 0 or (len(sents) > 1 and sents[1].paragraph == 0):
            return claims  # no headline line of its own
        headline = sents[0]
        out = []
        for c in claims:
            if c.claimant == attribution.ARTICLE and headline.start <= c.figure.start < headline.end:
                body = next((o for o in claims if o.sentence.start >= headline.end and o.claimant != attribution.ARTICLE
                             and o.figure.value == c.figure.value and o.figure.value is not None
                             and (o.quantity == c.quantity or o.general_kind == c.quantity
                                  or c.general_kind == o.quantity)), None)
                if body is not None:
                    c = replace(c, claimant=body.claimant, attribution_words=body.attribution_words,
                                stated_on=body.stated_on)
            out.append(c)
        return out

    def _scan_report_ends(self, sents: list[_Sentence]) -> None:
        speaker = attribution.ARTICLE
        for s in sents:
            text = s.text(self.article)
            who = attribution.attribute(text, speaker, s.paragraph == self.last_paragraph)
            speaker = who.claimant if who.explicit else speaker
            p = dates.find_period(text, self.article.date)
            # a reporting period spans months ("entre août 2014 et fin avril"), or a tally
            # is dated ("en date du 30 juillet"); a day's event is neither
            reporting = p.as_of or (p.explicit_end and p.start and p.end and p.start[:7] != p.end[:7])
            if reporting and p.end and who.claimant not in self.report_end:
                self.report_end[who.claimant] = p.end

    def _sentence(self, s: _Sentence, next_text: str) -> None:
        art = self.article
        text = s.text(art)
        self._counted = {}
        self._nouns: dict[int, str] = {}  # figure offset -> the noun it counts (for the figures listed after it)
        self._head_of: dict[int, Claim] = {}  # figure offset -> the whole it is a part of
        # a sentence that ends on a colon introduces what follows ("a rétorqué qu'il devrait ... :")
        continues = s.paragraph == self.last_paragraph or self.announces
        self.announces = text.rstrip().endswith(":")
        marker = bool(attribution.CONTINUATION_RE.search(text))
        who = attribution.attribute(text, self.speaker, continues, self.recent_source)
        figures: list[_Figure] = []
        self._listed_after: dict[int, _Figure] = {}  # a bare listed number -> the counted figure before it
        for f in _with_ellipsis(_figures(text, art.language), text):
            if self._counts(text, f):
                figures.append(f)
            elif figures and _listed_after(text, figures[-1], f):
                self._listed_after[f.number.start] = figures[-1]
                figures.append(f)
        if not who.explicit and figures and not continues:
            back = attribution.names_source(next_text)
            if back and re.search(r"\b(?:ces|ce chiffre|cette|these|this)\b", next_text[:70], re.I):
                who = attribution.Attribution(back, None, True)
        hedge, hedge_words = confidence.hedge(text)
        verdict, verdict_words = confidence.verdict(text)
        stated = dates.statement_date(text, art.date, self.news_day)
        if stated:  # the figures that follow from the same source come from the same statement
            self.stated_by[who.claimant] = stated
        stated = stated or self.stated_by.get(who.claimant) or art.date
        # a figure's clause runs to the next figure; its 'dont' parts share its scope
        parts = [bool(i and PART_OF_RE.search(text[figures[i - 1].noun_end:f.number.start])) for i, f in enumerate(figures)]
        ends = [figures[i + 1].number.start if i + 1 < len(figures) else len(text) for i in range(len(figures))]
        # a 'dont' part's clause after its first comma is said of the whole too
        # ("32 civils, dont sept enfants, dans la localité de Soussa"; but not "dont 200 à Al-Mansoura")
        tails = ["" if not parts[k] else _after_comma(text, figures[k].noun_end, ends[k]) for k in range(len(figures))]
        period = dates.find_period(scope.blank(text, [(f.number.start, ends[i]) for i, f in enumerate(figures)]), art.date)
        made: list[Claim] = []
        deltas: list[str | None] = []
        sentence_who = who
        for i, f in enumerate(figures):
            n = f.number
            # several sources in one sentence: each clause's figures are its speaker's
            who = attribution.in_clause(text, n.start, self.speaker, continues, self.recent_source) or sentence_who
            before = text[(figures[i - 1].noun_end if i else 0):n.start]
            after = text[n.end:ends[i]]
            head = made[-1] if made and parts[i] else None
            if head is None and made and made[-1].part_of and (
                    n.start in self._listed_after or re.fullmatch(r"\s*(?:[a-zà-ÿ'’-]+[\s,;]+){0,3}?[\s,;]*(?:and|et)?\s*",
                                                                  text[figures[i - 1].noun_end:n.start])):
                head = next((c for c in made if c.key == made[-1].part_of), None)  # listed after a part: same whole
            if head is not None:
                self._head_of[n.start] = head
            kind, cls = self._kind(f, text, before, after, head, who.claimant)
            if kind is None:
                continue
            if n.start not in self._nouns and f.cls is not None:
                self._nouns[n.start] = text[n.end:f.noun_end].strip()
            delta = counted.change(before, text[n.end:ends[i]])
            if delta == "same":  # "et augmenté de 284 celui du Liberia ainsi que de 23 celui de Guinée"
                delta = deltas[-1] if deltas else None
            deltas.append(delta)
            if delta and not kind.endswith(delta):  # a change of a figure, not a figure
                kind = kind + delta
                self._counted[n.start] = (self._counted.get(n.start, ("", None))[0], None)
            fig = numbers.figure(text, n, offset=s.start, noun_end=f.noun_end)
            own = text[n.start:ends[i]] + " " + " ".join(tails[k] for k in range(i + 1, len(figures)) if parts[k]
                                                          and all(parts[m] for m in range(i + 1, k + 1)))
            own = scope.LISTED_TAIL_RE.sub("", own) if i + 1 < len(figures) else own  # "..., and the United States at"
            others = [(g.number.start, ends[k]) for k, g in enumerate(figures) if k != i]
            places = self._places(own, scope.places_in(text, event=self.lead_places, masked=others), who.claimant,
                                  continues or marker,
                                  lead=text[(figures[i - 1].noun_end if i else 0):n.start], sentence=text)
            places = scope.refined(places, scope.near_regions(text), next_text)
            start, end, inferred = self._period(text, n, ends[i], before, period, made, kind, places, who.claimant, stated,
                                      bool(PERIOD_CONTINUATION_RE.search(text)))
            claimant = attribution.ARTICLE if DERIVED_RE.search(before) else who.claimant
            words = tuple(dict.fromkeys(w for w in (*hedge_words, fig.text if fig.bound != "exact" else None,
                                                    verdict_words) if w))
            claim_verdict = {"reports_not_credible": "not_credible", "reports_credible": "credible"}.get(kind)
            what, general = self._counted.get(n.start, (None, None))
            if not what:
                found = counted.after(text, n.end)
                what = found.text if found else None
            if cls:
                self.classes[f"{art.id}/{fig.start}"] = cls
            made.append(Claim(
                article_id=art.id,
                sentence=Span(s.start, s.end, text),
                claimant=claimant,
                quantity=kind,
                figure=fig,
                scope=Scope(places, start, end, place_evidence=scope.evidence(places, text, next_text),
                            start_inferred=inferred),
                stated_on=stated,
                confidence=hedge,
                confidence_words=words,
                attribution_words=attribution.whole_words(text, who.words),
                relayed_by=who.relayed_by if claimant == who.claimant else None,
                part_of=head.key if head is not None else None,
                verdict=claim_verdict,
                counted=what,
                general_kind=general,
            ))
        who = sentence_who
        if not figures:
            comparative = self._comparative(s, text, who)
            if comparative:
                made.append(comparative)
            elif who.explicit and attribution.SPEECH_RE.search(text):
                self.statements.append(Statement(art.id, Span(s.start, s.end, text), who.claimant, hedge_words))
        made = _shares(made, text, s.start)
        self.claims.extend(made)
        if made:  # the sentence's main figure sets the scope later sentences continue
            self.last_places, self.last_places_by = made[0].scope.places, made[0].claimant
            if made[-1].scope.period_start:
                self.last_period = dates.Period(made[-1].scope.period_start, made[-1].scope.period_end)
        elif period.start and period.end:
            self.last_period = period
        named = [f for f in attribution.sources_in(text) if f.key != attribution.ARTICLE]
        if named:  # the last source the text named, whom a later "a-t-elle écrit" may stand for
            self.recent_source = named[-1].key
        if who.explicit and who.strong:
            self.speaker = who.claimant
        elif not continues and not who.explicit and not marker:
            self.speaker = attribution.ARTICLE  # a new paragraph in the article's own voice
        self.last_paragraph = s.paragraph

    def _kind(self, f: _Figure, text: str, before: str, after: str, head: Claim | None,
              claimant: str) -> tuple[str | None, str | None]:
        """The quantity kind of a figure, and the noun class it was read from."""
        n = f.number
        cls = f.cls or quantities.number_of_class(after[:60]) or quantities.number_of_class(before)
        if cls is None and head is not None:  # "dont seulement quatre ont été reconnus crédibles"
            own = counted.after(text, n.end)
            if own is not None and counted.general_kind(own.text) not in (None, head.general_kind, head.quantity):
                return self._open_kind(f, text), None  # "443 cas, dont 244 mortels": deaths among the cases
            head_cls = self.classes.get(head.key)
            return (quantities.kind(head_cls, before + after, text) if head_cls else None) or head.quantity, None
        if numbers.is_year(n) and f.cls is None:
            return None, None
        if cls is None:
            return self._open_kind(f, text), None
        if cls == "percent":
            rest = re.sub(r"^\s*(?:%|pour ?cent|per ?cent|percent)\s*", "", after)
            noun = quantities.noun_class(rest)[0]
            base = quantities.kind(noun, before + after, text) if noun else None
            if base is None:
                return self._open_kind(f, text, percent=True), cls
            return _known_kind(base + "_pct") or self._open_kind(f, text, percent=True), cls
        kind = quantities.kind(cls, before + text[n.start:n.end] + after, text)
        agent = lexicon.agent(claimant)
        if kind == "people_killed_total" and agent and agent.counts_kind:
            kind = agent.counts_kind  # "3 500 personnes" in an Airwars count: civilians
        known = _known_kind(kind)
        if known is None:
            return self._open_kind(f, text), cls
        if known == "people_killed_total":  # "41 personnes disparues", "170 personnes ... enterrées"
            own = counted.after(text, n.end)
            if own is not None and (counted.general_kind(own.text) != known or counted.BURIAL_RE.search(own.text)):
                return self._open_kind(f, text) or known, cls
        return known, cls

    def _open_kind(self, f: _Figure, text: str, percent: bool = False) -> str | None:
        """Any subject: the counted phrase, its general kind and the kind minted from it
        (``counted``); remembered for the claim by the figure's offset."""
        n = f.number
        end = n.end
        if percent:
            m = re.match(r"\s*(?:%|pour ?cent|per ?cent|percent)\s*", text[end:])
            end += m.end() if m else 0
        prev = self._listed_after.get(n.start)
        what = counted.after(text, end) or (None if prev is not None else counted.before(text, n.start))
        if what is None and prev is not None:  # "11 300 personnes sont mortes et 10 100 restent portées disparues"
            noun = self._nouns.get(prev.number.start) or text[prev.number.end:prev.noun_end].strip()
            pred = counted.PREDICATE_RE.match(text[end:])
            what = counted.Counted(f"{noun} {pred.group('pred')}" if pred else noun, n.start, n.end, noun) \
                if noun else None
        if what is None:
            return "share_pct" if percent else None
        self._nouns[n.start] = what.noun
        general = counted.general_kind(what.text)
        head = self._head_of.get(n.start)
        group = counted.GROUP_RE.search(what.noun)
        head_deaths = head is not None and (self._generals.get(head.quantity, head.quantity) == "people_killed_total"
                                            or head.quantity.endswith("_deaths"))
        if head_deaths and not percent and general in (None, "people") and group is not None:
            # "34,622 reported deaths, including ... 1,924 elderly people, and 10,006 men": deaths among them
            kind = f"{counted.notation(group.group(0))}_deaths"
            self._counted[n.start] = (what.text, "people_killed_total")
            self._generals[kind] = "people_killed_total"
            return kind
        context = counted.general_from_context(text[:n.start])
        if context and general in (None, "people"):
            general = context  # "a causé la mort de 31 personnes", "killed 300 people"
            bodies = counted.BODIES_BEFORE_RE.search(text[max(0, n.start - 40):n.start])
            if bodies and not percent:  # "les corps de 3 958 personnes": bodies found, a narrower kind than deaths
                kind = counted.notation(bodies.group(0).split()[0])
                self._counted[n.start] = (text[max(0, n.start - 40) + bodies.start():n.start] + what.text, general)
                self._generals[kind] = general
                return kind
        rate = counted.RATE_RE.match(text[what.end:]) if what.start >= n.end else None
        if rate and not percent:  # "17.1 deaths per million people": a rate, never compared with counts
            kind = f"{counted.notation(what.noun)}_per_{counted.notation(rate.group(0).split()[-1])}"
            self._counted[n.start] = (what.text, None)
            return kind
        if not percent and counted.COUNT_HEADS.search(what.noun) and counted.is_count_phrase(what.noun):
            sentence_kind = counted.general_kind(text)
            if sentence_kind and sentence_kind != "people":
                self._counted[n.start] = (what.text, None)
                return sentence_kind  # "the country's toll is at least four million": the deaths it counts
        if general and not percent and counted.is_bare(what.noun) and counted.BURIAL_RE.search(what.text):
            # "170 personnes auraient été enterrées": burials, a narrower kind than deaths
            kind = counted.notation(f"{what.noun} {what.text.split()[-1]}")
        elif general and not percent and counted.is_bare(what.noun):
            kind = general  # a bare "personnes sont mortes", "4.665 cas": the general kind itself
        else:
            kind = counted.notation(what.noun) + ("_pct" if percent else "")
        self._counted[n.start] = (what.text, general if kind != general else None)
        if general and kind != general:
            self._generals[kind] = general
        return kind

    def _period(self, text: str, n: numbers.NumberMatch, end_of_clause: int, before: str, period: dates.Period,
                made: list[Claim], kind: str, places: tuple[str, ...], claimant: str,
                stated: str, continuation: bool) -> tuple[str | None, str | None, bool]:
        """(start, end, start inferred) of a figure: its clause, else the sentence, else the
        figure before it in the sentence; an open end is the source's report date or the
        statement date; a campaign tally without a start counts from the campaign's start,
        an event's toll from the event's start (inferred: not stated for this figure)."""
        inferred = False
        art = self.article
        p = dates.find_period(text[n.end:end_of_clause], art.date)
        if not (p.start or p.end or p.anaphoric):
            p = dates.find_period(before, art.date)
        if not (p.start or p.end or p.anaphoric):
            p = period
        if (p.anaphoric or (continuation and not (p.start or p.end) and not made)) and self.last_period:
            p = self.last_period  # "Pendant cette période", "Ces attaques ont causé...": the events before
        start, end = p.start, p.end
        said = start == stated or attribution.SPEECH_RE.search(text[max(0, n.start - 50):n.start])
        if start and start == end and len(start) == 10 and said and self._toll(kind) and TOLL_RE.search(text):
            start = None  # "le bilan de 11 300 morts ... ce dimanche 17 septembre": a toll as of that day
        if p.so_far and end is None:
            end = self.news_day  # "jusqu'à présent": up to the news the article reports
        if continuation and end is None and not made and self.last_period:
            end = self.last_period.end
        if end is None and made and start and made[-1].scope.period_start == start:
            end = made[-1].scope.period_end  # figures of one sentence over one period
        if not (start or end) and made:  # "13 960 frappes, 9 340 en Irak": the same period
            start, end = made[-1].scope.period_start, made[-1].scope.period_end
        if not (start or end) and kind.endswith("_pct"):  # "68 % des tirs": a share of the count just given
            base = next((c for c in reversed(self.claims) if c.quantity == kind[:-4]), None)
            if base is not None:
                start, end = base.scope.period_start, base.scope.period_end
        if start is None and kind in CAMPAIGN_KINDS and scope.countrywide(places):
            start = lexicon.campaign_start(places)  # a campaign tally with no start: since the campaign began
        elif start is None and self.event_start and self._toll(kind) and (end is None or self.event_start <= end):
            start = self.event_start  # the toll of the event the article is about: since it began
            inferred = True
        duration = dates.find_duration(text)
        if duration and start and not end:
            end = dates.add_duration(start, duration)
        elif duration and end and not start:
            start = dates.add_duration(end, duration, sign=-1)
        if end is None:
            end = self.report_end.get(claimant) or stated
        return start, end, inferred

    @staticmethod
    def _counts(text: str, f: _Figure) -> bool:
        """Whether a number may count something: it has a noun, or a 'dont' / 'le nombre
        de' frame gives it one. Years, days and durations fall out here."""
        if f.cls is not None:
            return not (numbers.is_year(f.number) and f.cls == "percent")
        if numbers.is_year(f.number) or re.match(r"\s*(?:h\d|:\d|/)", text[f.number.end:]):
            return False
        if dates.MONTH_AFTER_RE.match(text[f.number.end:]):
            return False  # "en date du 30 juillet": a day, not a count
        if (PART_OF_RE.search(text[:f.number.start]) or quantities.number_of_class(text[f.number.end:][:60])
                or quantities.NUMBER_OF_RE.search(text[:f.number.start])):
            return True
        return _Reader._counts_open(text, f)

    @staticmethod
    def _counts_open(text: str, f: _Figure) -> bool:
        """Any subject: a number followed by what it counts ("4.665 cas", "96 000 créations
        d'emplois"), or a large figure whose subject comes before it ("the toll ... is still
        more than 35,000"). Small numbers in words ("deux barrages", "sept pays") are
        descriptions, not figures; ranks, ages, times and measures are not counts."""
        n = f.number
        if n.kind == "vague" or n.value is None:
            return counted.after(text, n.end) is not None
        if counted.NOT_COUNT_BEFORE.search(text[:n.start]) or re.match(r"\s*(?:h\d|:\d|/|°)", text[n.end:]):
            return False
        if n.kind == "words" and n.value < 10:
            return False
        if counted.after(text, n.end) is not None:
            return True
        return n.value >= 1000 and counted.before(text, n.start) is not None

    def _places(self, clause: str, sentence_places: list[str], claimant: str, continues: bool,
                lead: str = "", sentence: str = "") -> tuple[str, ...]:
        only = scope.only_place(clause)
        if only:
            return (only,)
        local = scope.places_in(clause, world=True, event=self.lead_places)
        if local:
            return tuple(local)
        listed = scope.listed_place(lead)
        if listed:  # "Mexico (24.2 deaths per million)", "Russia at 1,072,326"
            return (listed,)
        agent = lexicon.agent(claimant)
        if TOTAL_BEFORE_RE.search(lead):
            # "Au total, 4.877 personnes...", "un total de 4.818 décès": the whole the article covers,
            # not the place of the sentence or the figure before
            if agent and agent.default_places:
                return agent.default_places
            return ("world",) if scope.WORLD_RE.search(scope.without_agents(sentence)) else ()
        if sentence_places:
            return tuple(sentence_places)
        if continues and self.last_places and self.last_places_by == claimant:
            return self.last_places
        if agent and agent.default_places:
            return agent.default_places
        if scope.WORLD_RE.search(scope.without_agents(sentence)):
            return ("world",)
        if not continues:  # a new paragraph in another's voice: the place the article is about first
            return self.lead_places or self.last_places
        return self.last_places or self.lead_places

    def _toll(self, kind: str) -> bool:
        """A running toll of an event (deaths, missing, cases, displaced, injured), read
        from its kind or the general kind a minted kind is narrower than."""
        general = self._generals.get(kind, kind)
        return general in TOLL_KINDS or kind.endswith("_deaths")

    def _event_start(self, sents: list[_Sentence]) -> str | None:
        """When the event the article reports began: the earliest date its body gives, at the
        precision given ("en décembre dernier", "in 2020 and 2021", "Le 23 décembre 2024"); a
        weekday in an article dated by month alone is that month. Photo captions are not the body."""
        art = self.article
        found: list[str] = []
        since: list[str] = []  # "Depuis le début du conflit en 2011": the start, said as such
        for s in sents:
            text = s.text(art)
            if CAPTION_RE.search(text):
                continue
            p = dates.find_period(text, art.date)
            said = dates.statement_date(text, art.date)  # "said on Monday": when it was said, not when it began
            found += [d for d in (p.start, None if p.as_of else p.end) if d and d != said]  # "as of April 30" ends a count
            if p.start and not p.end and dates.SINCE_RE.search(text):
                since.append(p.start)
            ongoing = dates.ongoing_since(text, art.date)
            if ongoing:  # "the seven-month-long conflict"
                since.append(ongoing)
            if len(art.date) == 7 and dates.WEEKDAY_RE.search(text):
                found.append(art.date)
        since = [d for d in since if d[:len(art.date)] <= art.date and d >= _years_before(art.date, 15)]
        found = [d for d in found if d[:len(art.date)] <= art.date and d >= _years_before(art.date, 3)]
        found = since or found
        if not found:
            return None
        earliest = min(found)
        # an inferred start is kept to the month, unless the text dates the event itself to the day
        nights = [d for d in (dates.night(s.text(art), art.date) for s in sents) if d]
        return earliest if earliest in nights else earliest[:7]

    def _lead_places(self, sents: list[_Sentence]) -> tuple[str, ...]:
        """The place the article is about: the first place its first two sentences name
        before any figure (a figure that names no place, in a sentence and a paragraph that
        name none, is there)."""
        texts = []
        for s in sents[:2]:
            text = s.text(self.article)
            part = re.search(r"\b(?:dont|including|among them|parmi lesquels)\b", text)
            texts.append(text[:part.start()] if part else text)  # a part's place is the part's
        found = scope.places_in(" \n ".join(texts))  # the most specific: "l'hôpital Al-Ahli à Gaza" over "Gaza"
        return (found[0],) if found else ()

    def _comparative(self, s: _Sentence, text: str, who: attribution.Attribution) -> Claim | None:
        m = COMPARATIVE_RE.search(text)
        if not m:
            return None
        cls = quantities.number_of_class(text[m.start():m.end()]) or quantities.noun_class(
            re.sub(r"^\s*(?:de|d['’]|of)\s*", "", m.group("what")))[0]
        kind = quantities.kind(cls, text, text) if cls else None
        ref = next((c for c in reversed(self.claims)
                    if c.quantity == kind and c.claimant != who.claimant and c.figure.value is not None), None)
        if ref is None:
            return None
        fig = Figure(ref.figure.value, "more_than", text=m.group(0), start=s.start + m.start(), end=s.start + m.end())
        hedge, words = confidence.hedge(text)
        return Claim(
            article_id=self.article.id,
            sentence=Span(s.start, s.end, text),
            claimant=who.claimant,
            quantity=ref.quantity,
            figure=fig,
            scope=ref.scope,
            stated_on=ref.stated_on,
            confidence=hedge,
            confidence_words=words,
            attribution_words=attribution.whole_words(text, who.words),
            relative_to=ref.key,
            disputes=ref.key,
        )

    @staticmethod
    def _restatements(claims: list[Claim]) -> list[Claim]:
        """A claim restates the first earlier one of its claimant with the same quantity
        and value (neither relative to another). Looked up by (claimant, quantity,
        value): linear in the number of claims, where scanning the earlier ones was
        quadratic (1.8 s of 10 at 4,000 figures)."""
        out: list[Claim] = []
        first: dict[tuple[str, str, float], Claim] = {}
        for c in claims:
            earlier = None
            if c.figure.value is not None and c.relative_to is None:
                earlier = first.setdefault((c.claimant, c.quantity, c.figure.value), c)
                earlier = None if earlier is c else earlier
            if earlier is not None:
                scope = c.scope
                if earlier.scope.period_start and not scope.period_start and set(scope.places) == set(earlier.scope.places):
                    scope = replace(scope, period_start=earlier.scope.period_start)
                c = replace(c, restates=earlier.key, scope=scope)
            out.append(c)
        return out


def extract(article: Article) -> Extraction:
    """Every figure claim and attributed statement of ``article``."""
    return _Reader(article).read()
