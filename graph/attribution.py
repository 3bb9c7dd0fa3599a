"""Who says it: the claimant of a sentence.

In order: an explicit frame (``selon X``, ``d'après X``, ``according to X``), a speech or
estimate verb next to a named agent (``X a reconnu``, ``X estime à``, ``a dit le
directeur de X``), a pronoun or back-reference speaking (``Elle précise``, ``a-t-elle
dit``, ``selon le texte``, ``cette ONG``) which points to the current speaker, a named
agent acting in the sentence that is not the perpetrator of the strikes ("les frappes de
la coalition" does not make the coalition the source), and last the discourse: a
sentence that continues the previous one (same paragraph, or a continuation marker such
as ``Parmi``, ``Pendant cette période``) keeps its speaker; otherwise the article's own
voice speaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import alternation, lexicon, sources
from .screening import screened

ARTICLE = "article"

# a perfect tense ("a reconnu", "ont estimé"), then speech verbs as words
_SPOKE = (
    r"(?:a|ont|avait|avaient)\s+(?:\w+\s+){0,2}?(?:reconnu|estimé|évoqué|établi|affirmé|assuré|indiqué|précisé|dit|"
    r"déclaré|ajouté|révélé|décompté|jugé|signalé|annoncé|admis|enregistré|recensé|rapporté|fait état|expliqué|"
    r"souligné|conclu|réagi|répondu|confié|démenti|attribué|affirmé|rétorqué|répliqué)"
)
_SPEECH_WORDS = [w.replace("_", " ") for w in (  # "fait_état": "fait état"
    "reconnait reconnaît réagit répond confie poursuit rétorque réplique retorted replied reconnaissent estime "
    "estiment parle évoque établit affirme assure indique précise déclare ajoute révèle dénombre recense "
    "fait_état says said estimates estimated admitted admits acknowledged acknowledges reports reported stated "
    "states claims claimed counted found assesses concluded writes wrote écrit note told added explained noted "
    "announced announces annonce prétend parlant evoked cited citing cite signale signalent recense recensent "
    "denied denies rejected"
).split()]
# the words as a tree of their beginnings (``alternation.py``: the same matches, bounded by \b)
SPEECH = rf"{_SPOKE}|{alternation.words(_SPEECH_WORDS, bounded=True)}"
SPEECH_RE = screened(re.compile(rf"\b(?:{SPEECH})\b", re.I))
FRAME_RE = screened(re.compile(r"\b(?:selon|d['’]après|according to|cité par|de l['’]avis de|lit-on dans|"
                               r"peut-on lire dans|indique|indiquent)\s+", re.I))
DEMONSTRATIVE_RE = re.compile(r"^(?:cette|cet|ce|ces|this|these)\b", re.I)
POSSESSIVE_RE = re.compile(r"^(?:ses|leurs?|its|their|sa|son)\b", re.I)
ANAPHOR_RE = re.compile(
    r"\b(?:elle|il|ils|elles|it|they|lui|eux)\b|-t-(?:elle|il)\b|\b(?:le|ce|du)\s+(?:\w+\s+)?(?:texte|communiqué|rapport|document)\b|"
    r"\b(?:cette|l['’])\s*(?:ONG|organisation|observatoire)\b|\b(?:la même|cette|the same) source\b|\bthe (?:\w+ )?(?:report|statement|group|text)\b|"
    r"\bles enquêteurs\b|\bthe investigators\b",
    re.I,
)
PERPETRATOR_RE = screened(re.compile(
    r"(?:frappes|raids|bombardements|attaques|opérations?|offensive|strikes|airstrikes|bombing|air war|campagne|"
    r"ceux|celles|avions|aviation|forces)(?:\s+\w+){0,3}\s+(?:de la|du|de l['’]|des|de|par la|par le|par l['’]|"
    r"par|of the|by the|of|by)\s*$|(?:menée?s?|dirigée?s?|conduite?s?|led)\s+par\s+(?:les\s+|la\s+|le\s+|l['’])?$|"
    r"contre\s+(?:la\s+|le\s+|l['’])?$",
    re.I,
))
# English puts the perpetrator before its noun: "coalition raids", "coalition strikes"
PERPETRATOR_AFTER_RE = re.compile(r"^['’]?s?\s+(?:raids|strikes|airstrikes|air strikes|bombing|bombs|aircraft|warplanes|jets)\b", re.I)
PASSIVE_RE = re.compile(r"^\s+(?:by|par)\s+(?:the\s+|la\s+|le\s+|l['’]|les\s+)?$", re.I)
AUXILIARY_RE = re.compile(r"\b(?:a été|ont été|was|were|has been|have been|is|est)\s*$", re.I)
SUBJECT_BEFORE_RE = re.compile(
    r"(?:^|[,;:]\s*|^\W*)(?:la|le|l['’]|les|the)?\s*$|(?:présentée?s?|publiée?s?|fournie?s?|diffusée?s?|released|"
    r"provided|published|presented)\s+(?:par|by)\s+(?:la\s+|le\s+|l['’]|les\s+|the\s+)?$",
    re.I,
)
CONTINUATION_RE = re.compile(
    r"^\s*[«\"“]|^\s*(?:parmi|durant la même période|pendant cette période|during (?:this|that) period|en outre|"
    r"de plus|par ailleurs|elle|il|ils|elles|it|they|mais ils|cependant|however|moreover|rien qu['’]en|dont|"
    r"ces|cet|cette|ce|these|this)\b",
    re.I,
)


# reported speech in the conditional: "auraient été enterrées", "would be"
REPORTED_RE = re.compile(r"\b(?:aurait|auraient|serait|seraient|pourrait|pourraient|would)\b", re.I)
# a denial: the figure denied belongs to someone else ("a démenti le bilan ... que lui a attribué l'OCHA")
DENIAL_RE = re.compile(r"\b(?:démenti|dément|démentent|nie|nient|nié|conteste|contestent|contesté|rejette|rejeté|"
                       r"denied|denies|deny|disputes?|disputed|rejects?|rejected|mis en doute)\b", re.I)
# "selon lesquelles": the source is the noun before ("les affirmations du Hamas selon lesquelles")
RELATIVE_FRAME_RE = re.compile(r"^(?:lequel|laquelle|lesquels|lesquelles|qui)\b", re.I)
# a relative clause between a subject and its verb: "OCHA's report, which uses figures from X, says"
RELATIVE_CLAUSE_RE = re.compile(r",\s*(?:which|who|qui|que|dont|citing|citant)\b[^,]{0,120},", re.I)


def whole_words(sentence: str, words: str | None) -> str | None:
    """The attribution words whole: a name matched inside parentheses ("OSDH) parle")
    takes the name it abbreviates ("L'Observatoire syrien des droits humains (OSDH)
    parle"), back to the start of the sentence, a comma or a colon."""
    if not words:
        return words
    close = words.find(")")
    if close < 0 or "(" in words[:close]:
        return words.strip()
    at = sentence.find(words)
    opened = sentence.rfind("(", 0, at) if at >= 0 else -1
    if opened < 0:
        return words.strip()
    start = max(sentence.rfind(sep, 0, opened) for sep in (",", ":", ";", "\u2014", "\u00ab", "\"")) + 1
    return sentence[start:at + len(words)].strip()


@dataclass(frozen=True)
class Attribution:
    claimant: str  # agent key or 'article'
    words: str | None  # the words that name the claimant
    explicit: bool  # a frame, a verb or a pronoun: the sentence itself names its source
    strong: bool = True  # it also makes the claimant the discourse's current speaker
    relayed_by: str | None = None  # nested attribution: who the article heard it from


# a source cited by the speaker, not the speaker
CITED_RE = re.compile(r"\b(?:cites|cite|cited|citing|citait|citant|quoting|quotes|quoted)\s+(?:the\s+|le\s+|la\s+|les\s+|"
                      r"l['’])?$", re.I)
# the addressee of a statement, not its speaker: "a déclaré à l'AFP", "told CNN"
ADDRESSEE_RE = re.compile(r"(?:\bà\s+l['’]|\bà\s+la\s+|\bà|\bau|\baux|\bto\s+the|\bto|\btold)\s*$", re.I)


def _agents(text: str) -> list[lexicon.Found]:
    """The sources ``text`` names (known or not), minus the addressees of a statement and
    the sources a speaker cites ("it cites the Health Ministry and says")."""
    return [f for f in sources.find(text) if not ADDRESSEE_RE.search(text[max(0, f.start - 12):f.start])
            and not CITED_RE.search(text[max(0, f.start - 20):f.start])]


def sources_in(text: str) -> list[lexicon.Found]:
    """The sources a sentence names that may speak (addressees and cited sources left out)."""
    return _agents(text)


def _agent_after(text: str, limit: int = 80) -> lexicon.Found | None:
    found = _agents(text[:limit])
    for i, a in enumerate(found):
        # "the U.N.'s International Organization for Migration": the possessed body speaks
        if i + 1 < len(found) and re.match(r"^['’]s?\s+(?:\w+\s+){0,2}$", text[a.end:found[i + 1].start]):
            continue
        return a
    return None


def attribute(sentence: str, speaker: str, continues: bool, recent: str | None = None) -> Attribution:
    """The claimant of ``sentence``, given the current ``speaker``, whether the sentence
    continues the previous one, and the source the text named last (``recent``), whom a
    pronoun may stand for when no one spoke yet."""
    tag = QUOTE_TAG_RE.search(sentence)
    who = speaker if speaker != ARTICLE else recent
    if tag and who:  # «Emmanuel Macron prétend que ... 3 millions», a-t-elle écrit: hers
        return Attribution(who, sentence[tag.start():tag.end()].strip(), True)
    if continues and QUOTE_END_RE.match(sentence) and speaker != ARTICLE:
        return Attribution(speaker, None, False)  # the rest of a quotation opened before
    # 1. selon / d'après / according to
    for m in FRAME_RE.finditer(sentence):
        rest = sentence[m.end():]
        if RELATIVE_FRAME_RE.match(rest):  # "les affirmations du Hamas selon lesquelles"
            before = [a for a in _agents(sentence[:m.start()]) if m.start() - a.end < 60]
            if before:
                return Attribution(before[-1].key, sentence[before[-1].start:m.end()].strip(), True)
            continue
        if POSSESSIVE_RE.match(rest):  # "selon ses propres informations": the subject's own
            subject = next((a for a in _agents(sentence[:m.start()])
                            if not PERPETRATOR_RE.search(sentence[max(0, a.start - 60):a.start])), None)
            return Attribution(subject.key if subject else speaker, sentence[m.start():m.end() + 20].strip(), True)
        if DEMONSTRATIVE_RE.match(rest):  # "d'après cette ONG": the organisation just named
            return Attribution(speaker, sentence[m.start():m.end() + 20].strip(), True)
        a = _agent_after(rest)
        if a:
            inner = _inner_source(sentence, exclude=a.key)
            if inner:  # "selon Amnesty, la coalition a reconnu ...": the coalition's figure, relayed
                return Attribution(inner, sentence[m.start():m.end() + a.end].strip(), True, relayed_by=a.key)
            return Attribution(a.key, sentence[m.start():m.end() + a.end].strip(), True)
        if ANAPHOR_RE.match(rest):
            return Attribution(speaker, sentence[m.start():m.end() + 20].strip(), True)
    agents = [a for a in _agents(sentence) if not PERPETRATOR_RE.search(sentence[max(0, a.start - 60):a.start])
              and not PERPETRATOR_AFTER_RE.match(sentence[a.end:])]
    verbs = list(SPEECH_RE.finditer(sentence))
    asides = [(r.start(), r.end()) for r in RELATIVE_CLAUSE_RE.finditer(sentence)]
    # 2. a named agent next to a speech verb (either side)
    best: tuple[int, lexicon.Found, re.Match] | None = None
    for a in agents:
        for v in verbs:
            if any(lo <= a.start and a.end <= hi <= v.start() for lo, hi in asides):
                continue  # "OCHA's report, which uses figures from X, says": X is not the speaker
            if v.end() <= a.start and PASSIVE_RE.match(sentence[v.end():a.start]) and not AUXILIARY_RE.search(
                    sentence[max(0, v.start() - 15):v.start()]):
                continue  # "the total acknowledged by the coalition": a participle, not a speaker
            gap = v.start() - a.end if v.start() >= a.end else a.start - v.end()
            if 0 <= gap <= 110 and (best is None or gap < best[0]):
                best = (gap, a, v)
    if best:
        gap, a, v = best
        back_ref = _anaphor_subject(sentence, v)
        if back_ref is not None and v.start() - back_ref[1] < gap and speaker != ARTICLE:
            # "the monthly report, which said ...": the report named before speaks, not
            # an agent further away in the sentence
            return Attribution(speaker, sentence[back_ref[0]:v.end()], True)
        lo, hi = min(a.start, v.start()), max(a.end, v.end())
        if DENIAL_RE.search(sentence[max(0, v.start() - 30):v.end() + 30]):
            other = next((o for o in agents if o.key != a.key and o.start > v.end()), None)
            if other is not None:  # "X a démenti le bilan ... que lui a attribué Y": Y's figure
                return Attribution(other.key, sentence[other.start:other.end], True, strong=False)
        org = sources.affiliation(sentence, a)  # "Ole Solvang, un responsable de HRW": HRW speaks
        return Attribution(org.key if org else a.key, sentence[lo:hi], True)
    # 3. a pronoun or back-reference speaking
    for v in verbs:
        window = sentence[max(0, v.start() - 80):v.end() + 25]
        if ANAPHOR_RE.search(window) and speaker != ARTICLE:
            return Attribution(speaker, window.strip(), True)
    # 4. a named agent acting as the subject of a clause, or presenting the figures
    for a in agents:
        if SUBJECT_BEFORE_RE.search(sentence[:a.start]):
            return Attribution(a.key, sentence[a.start:a.end], True, strong=False)
    # 5. the discourse: a sentence that continues the paragraph, opens with a pronoun or a
    # linking word, or reports in the conditional keeps the current speaker
    if continues or CONTINUATION_RE.search(sentence) or REPORTED_RE.search(sentence):
        return Attribution(speaker, None, False)
    return Attribution(ARTICLE, None, False)


# where a sentence joins two statements: "X reported A, while Y said B"; "X parle de A, alors que Y évoque B"
CLAUSE_SPLIT_RE = re.compile(r",\s*(?:while|whereas|but|tandis que|alors que|mais|quand)\s+|;\s+|\s+—\s+", re.I)


def in_clause(sentence: str, pos: int, speaker: str, continues: bool, recent: str | None = None) -> Attribution | None:
    """The speaker of the clause at ``pos`` when the sentence joins statements of different
    sources ("the ministry reported 1,262 deaths, while the White Helmets said at least 1,900
    people had died"); None when one source speaks for the whole sentence."""
    speakers = _clause_speakers(sentence, speaker, continues, recent)
    for (a, b), f in speakers:
        if a <= pos < b:
            return f if f.explicit else None
    return None


@lru_cache(maxsize=256)
def _clause_speakers(sentence: str, speaker: str, continues: bool,
                     recent: str | None) -> tuple[tuple[tuple[int, int], Attribution], ...]:
    """Each clause's span and speaker, when the sentence joins statements of different
    sources; () otherwise. Worked out once per sentence, whatever its number of figures."""
    bounds = [0, *(m.end() for m in CLAUSE_SPLIT_RE.finditer(sentence)), len(sentence) + 1]
    if len(bounds) < 3 or QUOTE_TAG_RE.search(sentence):
        return ()  # one clause, or a quotation its tag gives to one speaker
    clauses = list(zip(bounds, bounds[1:], strict=False))
    found = [attribute(sentence[a:b], speaker, continues, recent) for a, b in clauses]
    if len({f.claimant for f in found if f.explicit and f.strong}) < 2:
        return ()
    return tuple(zip(clauses, found, strict=True))


def _anaphor_subject(sentence: str, verb: re.Match) -> tuple[int, int] | None:
    """(start, end) of a back-reference right before ``verb``: its subject, with at most
    a relative pronoun between ("the monthly report, which said")."""
    offset = max(0, verb.start() - 40)
    last = None
    for m in ANAPHOR_RE.finditer(sentence, offset, verb.start()):
        last = (m.start(), m.end())
    return last


CLAIM_VERB_RE = re.compile(
    r"^\s*(?:,[^,]{0,40},\s*)?(?:a|ont|avait|avaient|had|has|have)?\s*(?:reconnu|admis|estimé|évalué|annoncé|affirmé|déclaré|"
    r"reconna[iî]t|estime|admitted|acknowledged|estimated|admits|acknowledges|estimates|said|says|reported|reports|"
    r"stated|states|announced|announces|recorded|counted|found|recense|recensé|annonce|déclare|affirme|indique|"
    r"indiqué|fait état)\b",
    re.I,
)
# a quotation closed by its speech tag: «...», a-t-elle écrit; "...", he said
QUOTE_TAG_RE = re.compile(r"[»\"”]\s*,?\s*(?:a-t-(?:elle|il)|ont-(?:elles|ils)|(?:he|she|they)\s+(?:said|wrote|added|told))\b",
                          re.I)
# a quotation that ends in this sentence but began in an earlier one
QUOTE_END_RE = re.compile(r"^[^«“\"]*[»”\"]\s*$")


def _inner_source(sentence: str, exclude: str) -> str | None:
    """A second agent that is itself the subject of a claim verb ("la coalition a
    reconnu"), other than the one the frame names."""
    for a in _agents(sentence):
        if a.key != exclude and CLAIM_VERB_RE.match(sentence[a.end:a.end + 40]) and not PERPETRATOR_RE.search(
                sentence[max(0, a.start - 60):a.start]):
            return a.key
    return None


def names_source(sentence: str) -> str | None:
    """A 'selon X' / 'according to X' frame naming an agent, for back-propagation."""
    for m in FRAME_RE.finditer(sentence):
        a = _agent_after(sentence[m.end():])
        if a:
            return a.key
    return None
