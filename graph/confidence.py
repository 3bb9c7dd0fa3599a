"""The speaker's hedge and reliability verdicts, mapped to the confidence concepts of
``ontology/vocabularies.ttl`` (``fgc:`` keys). The most specific epistemic marker wins:
"il est probable que" says more than the "selon" that attributes it."""

from __future__ import annotations

import re

from .screening import screened

# (concept key, trigger expression), most specific first
HEDGES: list[tuple[str, str]] = [
    ("very_likely", r"très probable(?:ment)?|very likely|highly likely|almost certainly"),
    ("likely", r"il est probable que|probables?\b|probablement|more likely than not|\blikely\b|\bprobably\b"),
    ("possible", r"éventuel(?:le)?s?(?:ment)?|peut-être|possiblement|\bpossibly\b|\bmay have\b|\bpotential\b|"
                 r"pourrai(?:en)?t|could have"),
    ("reported", r"\bserai(?:en)?t\b|\baurai(?:en)?t\b|il y aurait eu|would have|reportedly|présumé(?:e)?s?"),
    ("admitted", r"\breconnu\b|reconna[iî]t|reconnaissent|\badmit(?:ted|s)?\b|acknowledg(?:ed|es)"),
    ("estimated", r"\bestime\b|\bestiment\b|\bestimates?\b|\bassesse?s\b|évalu(?:e|ation)"),
    ("attributed", r"\bselon\b|d['’]après|according to|citing"),
    ("asserted", r"\bassure\b|\baffirme\b|a affirmé|\bsays\b|\bsaid\b|a indiqué|a déclaré|a dit|\bprécise\b|a précisé"),
]
HEDGE_RES = [(key, screened(re.compile(rx, re.I))) for key, rx in HEDGES]

VERDICTS: list[tuple[str, str]] = [
    ("not_credible", r"«\s*pas fiables?\s*»|pas fiables?|non fiables?|non crédibles?|pas crédibles?|not credible|"
                     r"\bunreliable\b|non-credible"),
    ("credible", r"(?<!non )(?<!pas )crédibles?|(?<!not )\bcredible\b"),
]
VERDICT_RES = [(key, screened(re.compile(rx, re.I))) for key, rx in VERDICTS]


def hedge(text: str) -> tuple[str | None, tuple[str, ...]]:
    """The confidence concept of a clause and every trigger found (verbatim)."""
    found: list[tuple[int, str, str]] = []
    for rank, (key, rx) in enumerate(HEDGE_RES):
        for m in rx.finditer(text):
            found.append((rank, key, m.group(0)))
    if not found:
        return None, ()
    found.sort()
    words = tuple(dict.fromkeys(w for _, _, w in sorted(found, key=lambda f: text.find(f[2]))))
    return found[0][1], words


def verdict(text: str) -> tuple[str | None, str | None]:
    """A reliability verdict in ``text`` ("pas fiables" -> not_credible) and its words."""
    for key, rx in VERDICT_RES:
        m = rx.search(text)
        if m:
            return key, m.group(0)
    return None, None
