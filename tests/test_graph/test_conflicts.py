"""Conflict rules: one table row per rule, and the properties every verdict keeps."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factgraph.graph.conflicts import ClaimRecord, Settings, date_span, detect, report_rows

SY, IQ, RAQQA_PROV, MANSOURA, TABQA = "p/syria", "p/iraq", "p/raqqa-province", "p/al-mansoura", "p/tabqa"
PLACES = {RAQQA_PROV: {SY}, MANSOURA: {RAQQA_PROV, SY}, TABQA: {RAQQA_PROV, SY}}
KINDS = {
    "child_deaths": {"civilian_deaths", "people_killed_total"},
    "civilian_deaths": {"people_killed_total"},
    "reports_under_review": {"reports_received"},
}
CUMULATIVE = {"civilian_deaths", "child_deaths", "people_killed_total", "air_strikes", "reports_received"}
BOTH = (SY, IQ)
CAMPAIGN = {"period_start": "2014-08", "period_end": "2019-04-30"}
TALLY = {"period_end": "2014-10-19"}


def rec(
    iri: str,
    claimant: str,
    value: float | None,
    bound: str = "exact",
    *,
    quantity: str = "civilian_deaths",
    places=BOTH,
    **kw,
) -> ClaimRecord:
    kw.setdefault("article", iri.split("/")[0])
    kw.setdefault("quote", f"quote of {iri}")
    return ClaimRecord.make(iri, claimant, quantity, value, bound, places=places, **kw)


def run(*records: ClaimRecord) -> set[tuple[frozenset[str], str]]:
    return {
        (frozenset((c.a, c.b)), c.kind) for c in detect(records, PLACES, KINDS, cumulative_kinds=CUMULATIVE)
    }


def pair(a: str, b: str, kind: str) -> tuple[frozenset[str], str]:
    return frozenset((a, b)), kind


# (case id, records, expected findings): exactly these and no others
CASES = [
    (
        "an admitted figure is a floor: far below another source is a tension, not a contradiction",
        [
            rec("A/1", "airwars", 3500, "more_than", **CAMPAIGN),
            rec("B/1", "coalition", 352, confidence="https://w3id.org/factgraph/confidence/admitted", **CAMPAIGN),
        ],
        {pair("A/1", "B/1", "tension")},
    ),
    (
        "contradiction: same scope, disjoint values",
        [
            rec("A/1", "airwars", 3500, "more_than", **CAMPAIGN),
            rec("B/1", "coalition", 352, **CAMPAIGN),
        ],
        {pair("A/1", "B/1", "contradiction")},
    ),
    (
        "contradiction: a sub-place above the whole's upper bound",
        [
            rec("A/1", "osdh", 1481, places=(SY,), **CAMPAIGN),
            rec("A/2", "coalition", 352, **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "contradiction")},
    ),
    (
        "contradiction: a sub-kind above its whole (child deaths <= civilian deaths)",
        [
            rec("A/1", "osdh", 900, quantity="child_deaths", **CAMPAIGN),
            rec("A/2", "coalition", 352, **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "contradiction")},
    ),
    (
        "contradiction: an explicit part larger than its whole",
        [
            rec("A/1", "osdh", 500, part_of="A/2", quantity="child_deaths", **CAMPAIGN),
            rec("A/2", "osdh", 300, **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "contradiction")},
    ),
    (
        "no conflict: a sub-place smaller than the whole",
        [
            rec("A/1", "osdh", 300, places=(SY,), **CAMPAIGN),
            rec("A/2", "coalition", 1302, "at_least", **CAMPAIGN),
        ],
        set(),
    ),
    (
        "impossible cumulative: the same source's tally falls",
        [
            rec(
                "A/1",
                "coalition",
                34038,
                quantity="air_strikes",
                period_start="2014-08",
                period_end="2019-02-28",
            ),
            rec(
                "B/1",
                "coalition",
                24502,
                quantity="air_strikes",
                period_start="2014-08",
                period_end="2019-04-30",
            ),
        ],
        {pair("A/1", "B/1", "impossible_cumulative")},
    ),
    (
        "impossible cumulative: also years apart",
        [
            rec("A/1", "coalition", 1799, period_start="2014-08", period_end="2017-11-30"),
            rec("B/1", "coalition", 1061, period_start="2014-08", period_end="2018-07-30"),
        ],
        {pair("A/1", "B/1", "impossible_cumulative")},
    ),
    (
        "no conflict: a later, larger tally",
        [
            rec("A/1", "coalition", 1061, period_start="2014-08", period_end="2018-07-30"),
            rec("B/1", "coalition", 1100, period_start="2014-08", period_end="2018-10-19"),
        ],
        set(),
    ),
    (
        "no conflict: a stock that falls (reports under review are not cumulative)",
        [
            rec("A/1", "coalition", 603, quantity="reports_under_review", period_end="2017-11-30"),
            rec("B/1", "coalition", 216, quantity="reports_under_review", period_end="2018-07-30"),
            rec(
                "C/1",
                "coalition",
                116,
                quantity="reports_received",
                period_start="2018-01",
                period_end="2018-01",
            ),
        ],
        set(),
    ),
    (
        "same claim, different value: one communiqué relayed by two articles",
        [
            rec("A/1", "coalition", 24502, quantity="air_strikes", **CAMPAIGN),
            rec("B/1", "coalition", 34502, quantity="air_strikes", **CAMPAIGN),
        ],
        {pair("A/1", "B/1", "same_claim_different_value")},
    ),
    (
        "internal inconsistency: one article, one source, two values",
        [
            rec("A/1", "coalition", 24502, quantity="air_strikes", **CAMPAIGN),
            rec("A/2", "coalition", 34502, quantity="air_strikes", **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "internal_inconsistency")},
    ),
    (
        "tension: compatible lower bounds far apart, sub-place above the whole",
        [
            rec("A/1", "osdh", 3800, "more_than", places=(SY,), period_end="2019-05"),
            rec("A/2", "coalition", 1302, "at_least", **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "tension")},
    ),
    (
        "tension: same scope, estimates far apart",
        [
            rec("A/1", "airwars", 7900, "more_than", period_end="2019-05-31"),
            rec("A/2", "coalition", 1302, "at_least", **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "tension")},
    ),
    (
        "tension: a short, small scope holding most of the whole",
        [
            rec("A/1", "un", 300, places=(RAQQA_PROV,), period_start="2017-03-01", period_end="2017-06-14"),
            rec("B/1", "coalition", 352, period_start="2014-08", period_end="2017-05"),
        ],
        {pair("A/1", "B/1", "tension")},
    ),
    (
        "tension: one incident above a source's total for the places around it",
        [
            rec("A/1", "un", 200, places=(MANSOURA,), period_start="2017-03-21", period_end="2017-03-21"),
            rec(
                "B/1",
                "hrw",
                84,
                "at_least",
                places=(MANSOURA, TABQA),
                period_start="2017-03",
                period_end="2017-03",
            ),
        ],
        {pair("A/1", "B/1", "tension")},
    ),
    (
        "no tension below the ratio threshold",
        [
            rec("A/1", "osdh", 2500, "more_than", places=(SY,), period_end="2019-05"),
            rec("A/2", "coalition", 1302, "at_least", **CAMPAIGN),
        ],
        set(),
    ),
    (
        "no comparison: tallies of different times (ends far apart)",
        [
            rec("A/1", "airwars", 7900, "more_than", period_end="2019-05-31"),
            rec("B/1", "coalition", 352, period_start="2014-08", period_end="2017-05"),
        ],
        set(),
    ),
    (
        "no comparison: a campaign tally with an unstated start against one month",
        [
            rec("A/1", "airwars", 5961, "at_least", period_end="2017-11-30"),
            rec("B/1", "coalition", 10, "at_least", period_start="2018-01", period_end="2018-01"),
        ],
        set(),
    ),
    (
        "explicit dispute: the text says another source's toll is higher",
        [
            rec("A/5", "coalition", 1302, "at_least", **CAMPAIGN),
            rec("A/7", "ngos", 1302, "more_than", relative_to="A/5", **CAMPAIGN),
        ],
        {pair("A/5", "A/7", "explicit_dispute")},
    ),
    (
        "explicit dispute: a fg:disputes link",
        [
            rec("A/1", "coalition", 1302, "at_least", **CAMPAIGN),
            rec("A/2", "ngos", None, "vague", disputes="A/1", **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "explicit_dispute")},
    ),
    (
        "reliability verdict: a claim judging another not credible",
        [
            rec("A/1", "osdh", 30, places=(SY,), period_end="2019-03"),
            rec(
                "A/2",
                "coalition",
                7,
                quantity="reports_not_credible",
                verdict="not_credible",
                disputes="A/1",
                places=(SY,),
                period_end="2019-03",
            ),
        ],
        {pair("A/1", "A/2", "reliability_verdict")},
    ),
    (
        "hedge conflict: 'plus de 225' then '225'",
        [
            rec(
                "A/1",
                "osdh",
                225,
                "more_than",
                places=(SY,),
                period_start="2017-04-23",
                period_end="2017-05-23",
            ),
            rec("A/2", "osdh", 225, places=(SY,), period_start="2017-04-23", period_end="2017-05-23"),
        ],
        {pair("A/1", "A/2", "hedge_conflict")},
    ),
    (
        "hedge conflict: 'au moins 600' in the headline, 'environ 600' in the body",
        [
            rec("A/1", "osdh", 600, "at_least", restates="A/2", places=(SY,), period_end="2018-10"),
            rec("A/2", "osdh", 600, "about", places=(SY,), period_end="2018-10"),
        ],
        {pair("A/1", "A/2", "hedge_conflict")},
    ),
    (
        "hedge conflict: a headline drops the hedge ('800' for 'at least 800')",
        [
            rec("A/1", "coalition", 800, **CAMPAIGN),
            rec("A/2", "coalition", 800, "at_least", **CAMPAIGN),
        ],
        {pair("A/1", "A/2", "hedge_conflict")},
    ),
    (
        "no conflict: a rounded headline for a hedged figure ('800' for 'at least 801') is a rounding",
        [
            rec("A/1", "coalition", 800, **CAMPAIGN),
            rec("A/2", "coalition", 801, "at_least", **CAMPAIGN),
        ],
        set(),
    ),
    (
        "no conflict: 'environ 3.300' for the same source's '3.331' is a rounding",
        [
            rec("A/1", "osdh", 3300, "about", places=(SY,), **CAMPAIGN),
            rec("B/1", "osdh", 3331, places=(SY,), **CAMPAIGN),
        ],
        set(),
    ),
    (
        "no conflict: rounding ('plus de 1.300' and 'pas moins de 1.302')",
        [
            rec("A/1", "coalition", 1300, "more_than", period_start="2014", period_end="2019-04-30"),
            rec("A/2", "coalition", 1302, "at_least", **CAMPAIGN),
        ],
        set(),
    ),
    (
        "no conflict: a rounded exact figure ('1.300' and '1.302')",
        [
            rec("A/1", "coalition", 1300, **CAMPAIGN),
            rec("B/1", "coalition", 1302, **CAMPAIGN),
        ],
        set(),
    ),
    (
        "no conflict: the same claimant restating",
        [
            rec("A/1", "coalition", 1300, "more_than", **CAMPAIGN),
            rec("A/2", "coalition", 1300, "more_than", restates="A/1", **CAMPAIGN),
        ],
        set(),
    ),
    (
        "scope difference: one source, same scope, figures far apart",
        [
            rec("A/1", "coalition", 817, "at_least", period_start="2014-08", period_end="2017-11-30"),
            rec("A/2", "coalition", 1799, period_start="2014-08", period_end="2017-11-30"),
        ],
        {pair("A/1", "A/2", "scope_difference")},
    ),
    (
        "scope difference: one source, a narrower period with a much larger range",
        [
            rec("A/1", "airwars", 1422, "at_least", period_start="2014-08", period_end="2016-07-19"),
            rec(
                "A/2",
                "airwars",
                3181,
                "range",
                value_high=4267,
                period_start="2014-09",
                period_end="2016-07-19",
            ),
        ],
        {pair("A/1", "A/2", "scope_difference")},
    ),
    (
        "corroboration: two sources agree within tolerance",
        [
            rec("A/1", "osdh", 3331, places=(SY,), **CAMPAIGN),
            rec("B/1", "sn4hr", 3300, "about", places=(SY,), **CAMPAIGN),
        ],
        {pair("A/1", "B/1", "corroboration")},
    ),
    (
        "no comparison: different, unrelated kinds",
        [
            rec("A/1", "coalition", 1799, **CAMPAIGN),
            rec("A/2", "coalition", 1790, quantity="reports_received", **CAMPAIGN),
        ],
        set(),
    ),
    # -- open-world rules ---------------------------------------------------------------
    (
        "a share its own figures do not make: '4.877 morts, soit 70 % des cas' with '9.936 cas' (49 %)",
        [
            rec("A/1", "who", 4877, quantity="people_killed_total", places=(), **TALLY),
            rec("A/2", "who", 70, quantity="cas_confirme_pct", places=(), share_of="A/1", share_base="A/3", **TALLY),
            rec("A/3", "who", 9936, quantity="cases", places=(), **TALLY),
        ],
        {pair("A/2", "A/3", "internal_inconsistency")},
    ),
    (
        "a share that adds up is no conflict",
        [
            rec("A/1", "who", 4877, quantity="people_killed_total", places=(), **TALLY),
            rec("A/2", "who", 49, quantity="cas_confirme_pct", places=(), share_of="A/1", share_base="A/3", **TALLY),
            rec("A/3", "who", 9936, quantity="cases", places=(), **TALLY),
        ],
        set(),
    ),
    (
        "a start inferred from the event is read as unstated: one source's tally falling between two articles",
        [
            rec("A/1", "who", 4877, quantity="people_killed_total", places=(), period_start="2013-12",
                start_inferred=True, period_end="2014-10-19"),
            rec("B/1", "who", 4818, quantity="people_killed_total", places=(), period_start="2014-03",
                start_inferred=True, period_end="2014-11-02"),
        ],
        {pair("A/1", "B/1", "impossible_cumulative")},
    ),
    (
        "the same tallies with stated, different starts are two windows of a series: not compared",
        [
            rec("A/1", "who", 4877, quantity="people_killed_total", places=(), period_start="2013-12",
                period_end="2014-10-19"),
            rec("B/1", "who", 4818, quantity="people_killed_total", places=(), period_start="2014-03",
                period_end="2014-11-02"),
        ],
        set(),
    ),
    (
        "a tally counted weeks after a whole it exceeds a little may have grown: no contradiction",
        [
            rec("A/1", "authorities", 31, quantity="people_killed_total", places=(SY,), period_end="2024-12"),
            rec("B/1", "prefect", 40, quantity="people_killed_total", places=(SY,), period_start="2024-12",
                period_end="2025-02"),
        ],
        set(),
    ),
    (
        "but far above it, it is still a contradiction",
        [
            rec("A/1", "authorities", 31, quantity="people_killed_total", places=(SY,), period_end="2024-12"),
            rec("B/1", "prefect", 400, quantity="people_killed_total", places=(SY,), period_start="2024-12",
                period_end="2025-02"),
        ],
        {pair("A/1", "B/1", "contradiction")},
    ),
    (
        "vague amounts of different orders of magnitude: 'des dizaines' against 'plusieurs centaines'",
        [
            replace(rec("A/1", "prime-minister", None, "vague", quantity="people_killed_total", **TALLY),
                    low=20.0, high=99.0),
            replace(rec("B/1", "authorities", None, "vague", quantity="people_killed_total", **TALLY),
                    low=200.0, high=9999.0),
        ],
        {pair("A/1", "B/1", "contradiction")},
    ),
]


@pytest.mark.parametrize("records, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(records, expected):
    assert run(*records) == expected


def test_every_conflict_is_explained_for_a_reader_in_both_languages():
    found = detect(
        [rec("A/1", "airwars", 3500, "more_than", **CAMPAIGN), rec("B/1", "coalition", 352, **CAMPAIGN)],
        PLACES,
        KINDS,
        cumulative_kinds=CUMULATIVE,
    )
    (c,) = found
    # labels in the explanation's language, figures as numbers, periods as dates: no notation
    # (civilian_deaths), no IRI, no ISO date; the quotes go beside it in the report
    assert "more than 3,500 civilian deaths" in c.explanation_en
    assert "plus de 3\u202f500 morts civils" in c.explanation_fr
    assert "Airwars" in c.explanation_en and "Global Coalition" in c.explanation_en
    assert "Coalition internationale" in c.explanation_fr
    for text in (c.explanation_en, c.explanation_fr):
        assert "_" not in text and "http" not in text and not re.search(r"\d{4}-\d{2}", text)
    assert c.ratio == pytest.approx(9.94) and c.gap == pytest.approx(3148)
    row = report_rows(found)[0]
    assert row["explanation"] == c.explanation_en
    assert (row["quote_a"], row["quote_b"]) in (("quote of A/1", "quote of B/1"), ("quote of B/1", "quote of A/1"))


def test_conflict_key_is_deterministic_and_order_free():
    a, b = rec("A/1", "airwars", 3500, "more_than", **CAMPAIGN), rec("B/1", "coalition", 352, **CAMPAIGN)
    (c1,) = detect([a, b], PLACES, KINDS)
    (c2,) = detect([b, a], PLACES, KINDS)
    assert c1.key == c2.key and len(c1.key) == 16


def test_thresholds_are_settings():
    records = [
        rec("A/1", "osdh", 2500, "more_than", places=(SY,), period_end="2019-05"),
        rec("A/2", "coalition", 1302, "at_least", **CAMPAIGN),
    ]
    assert not detect(records, PLACES, KINDS)
    assert detect(records, PLACES, KINDS, Settings(tension_ratio=1.5))


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("2014", "2014-01-01", "2014-12-31"),
        ("2019-02", "2019-02-01", "2019-02-28"),
        ("2019-04-30", "2019-04-30", "2019-04-30"),
    ],
)
def test_date_span(text, first, last):
    from datetime import date

    assert date_span(text) == (date.fromisoformat(first).toordinal(), date.fromisoformat(last).toordinal())


# -- properties -------------------------------------------------------------------------

BOUNDS = ["exact", "about", "at_least", "more_than", "at_most", "less_than", "range"]
PERIODS = [
    (None, "2019-05"),
    ("2014-08", "2019-04-30"),
    ("2014", "2019-04"),
    ("2017-03", "2017-03"),
    ("2014-08", "2017-05"),
    (None, "2017-06"),
]


@st.composite
def records(draw, n_max=8):
    n = draw(st.integers(2, n_max))
    out = []
    for i in range(n):
        value = draw(st.integers(1, 5000))
        bound = draw(st.sampled_from(BOUNDS))
        start, end = draw(st.sampled_from(PERIODS))
        out.append(
            rec(
                f"{draw(st.sampled_from('AB'))}/{i}",
                draw(st.sampled_from(["coalition", "osdh", "airwars"])),
                value,
                bound,
                value_high=value + draw(st.integers(1, 5000)) if bound == "range" else None,
                quantity=draw(st.sampled_from(["civilian_deaths", "child_deaths", "air_strikes"])),
                places=draw(st.sampled_from([BOTH, (SY,), (IQ,), (RAQQA_PROV,)])),
                period_start=start,
                period_end=end,
            )
        )
    return out


def verdicts(rs):
    return {(frozenset((c.a, c.b)), c.kind) for c in detect(rs, PLACES, KINDS, cumulative_kinds=CUMULATIVE)}


@settings(max_examples=300, deadline=None)
@given(records(), st.randoms())
def test_detection_is_symmetric_and_order_free(rs, rnd):
    shuffled = list(rs)
    rnd.shuffle(shuffled)
    assert verdicts(rs) == verdicts(shuffled)
    for a in rs:
        for b in rs:
            assert verdicts([a, b]) == verdicts([b, a])


@settings(max_examples=300, deadline=None)
@given(records())
def test_no_claim_conflicts_with_itself_or_its_restatement(rs):
    again = [ClaimRecord(**{**r.__dict__, "iri": r.iri + "/again", "restates": r.iri}) for r in rs]
    for c in detect(rs + again, PLACES, KINDS, cumulative_kinds=CUMULATIVE):
        assert c.a != c.b
        assert not (c.a.endswith("/again") and c.a[: -len("/again")] == c.b)
        assert not (c.b.endswith("/again") and c.b[: -len("/again")] == c.a)


@settings(max_examples=300, deadline=None)
@given(records(), st.sampled_from([3, 7, 9, 11, 13, 17]))
def test_rescaling_every_figure_keeps_the_verdicts(rs, k):
    def scaled(r: ClaimRecord) -> ClaimRecord:
        return rec(
            r.iri,
            r.claimant,
            r.value * k,
            r.bound,
            quantity=r.quantity,
            places=tuple(r.places),
            value_high=r.value_high * k if r.value_high else None,
            period_start=r.period_start,
            period_end=r.period_end,
        )

    assert verdicts(rs) == verdicts([scaled(r) for r in rs])


# -- the store ----------------------------------------------------------------------------


def test_seed_conflicts_graph(seed_store):
    """The seed's conflicts graph: explained, symmetric, with provenance (read-only)."""
    from rdflib.namespace import PROV, RDF

    from factgraph.graph.conflicts import load_records
    from factgraph.graph.terms import FG, FGK, Iris

    iris = Iris()
    g = seed_store.graph(iris.conflicts_graph)
    conflicts = set(g.subjects(RDF.type, FG.Conflict))
    assert conflicts
    kinds = {g.value(c, FG.conflictKind) for c in conflicts}
    assert {FGK.tension, FGK.explicit_dispute} <= kinds
    for c in conflicts:
        a, b = g.value(c, FG.claimA), g.value(c, FG.claimB)
        assert (a, FG.conflictsWith, b) in g and (b, FG.conflictsWith, a) in g
        assert {e.language for e in g.objects(c, FG.explanation)} == {"en", "fr"}
        assert (g.value(c, PROV.wasGeneratedBy), RDF.type, FG.ConflictDetection) in g
    records = load_records(seed_store, iris)
    assert len(records) >= 10 and all(r.quote for r in records)


def test_refresh_replaces_the_graph_with_the_same_iris():
    from factgraph.graph.conflicts import refresh
    from factgraph.graph.pipeline import builtin_corpus, ingest
    from factgraph.graph.store import EmbeddedStore
    from factgraph.graph.terms import Iris

    iris = Iris()
    with EmbeddedStore(None) as store:
        first = ingest(store, builtin_corpus(), iris).conflicts
        again = refresh(store, iris)
        assert [c.key for c in first] == [c.key for c in again]
        names = set(store.graph(iris.conflicts_graph).subjects())
        assert {iris.conflict(c.key) for c in again} <= names


@settings(max_examples=300, deadline=None)
@given(
    records(),
    st.sampled_from([Settings(), Settings(tension_ratio=0.4), Settings(share_ratio=3.0, tension_ratio=1.5)]),
)
def test_the_shortcut_for_parts_far_below_their_whole_answers_as_judge(rs, config):
    """detect skips most pairs of a sub-scope and its enclosing group without calling
    judge; whatever the rules become, the shortcut must give judge's answer."""
    from factgraph.graph.conflict_records import prepare
    from factgraph.graph.conflict_rules import judge, judge_against

    claims = [prepare(r, KINDS, CUMULATIVE, config) for r in rs]
    for c in claims:
        for o in claims:
            for nest in [(True, False), (False, True), (True, True), (False, False)]:
                got: list = []
                judge_against(c, [o], nest, config, got.append)
                expected = judge(c, o, nest, config)
                assert got == ([expected] if expected is not None else [])



def test_the_claim_triples_query_reads_every_predicate_a_record_reads(query_iris):
    # the query filters the predicates in the engine: a field added to the records and
    # not to the query would silently read as missing
    from rdflib import RDF

    from factgraph.graph import conflict_store

    named = query_iris(conflict_store._stored_query("claim_triples"))
    filtered = {str(i) for i in named} - {"https://w3id.org/factgraph/ontology#FigureClaim", str(RDF.type)}
    assert filtered == {*conflict_store._FIELDS, conflict_store._PLACE}
    # the numbered read, for records without their quote: every other predicate
    named = query_iris(conflict_store._stored_query("claim_triples_numbered"))
    filtered = {str(i) for i in named} - {"https://w3id.org/factgraph/ontology#FigureClaim", str(RDF.type)}
    assert filtered == {*conflict_store._FIELDS, conflict_store._PLACE} - {
        "https://w3id.org/factgraph/ontology#quoteText"
    }
    # ... each named by the field it fills, as load_records reads the rows
    import re

    prefixes = {"fg": "https://w3id.org/factgraph/ontology#", "schema": "https://schema.org/"}
    text = conflict_store._stored_query("claim_triples_numbered")
    named_as = {prefixes[m[1]] + m[2]: m[3] for m in re.finditer(r'\((\w+):(\w+) "(\w+)"\)', text)}
    assert named_as == {
        **{iri: name for iri, name in conflict_store._FIELDS.items() if name != "quoteText"},
        conflict_store._PLACE: "place",
    }


def test_records_read_without_their_quotes_are_the_records_but_the_quote(seed_store):
    """``load_records(..., quotes=False)`` (the claims numbered in the request,
    ``claim_triples_numbered.rq``), what an incremental refresh reads around the written
    claims, reads every field the full read does but the quote and the reliability
    verdict (which only the text rules read, run on the written claims), on each backend."""
    from dataclasses import replace

    from factgraph.graph.conflicts import load_records
    from factgraph.graph.terms import Iris

    iris = Iris()
    full = load_records(seed_store, iris)
    assert len(full) >= 10 and any(r.restates or r.disputes or r.relative_to for r in full)
    light = load_records(seed_store, iris, {r.iri for r in full}, quotes=False)
    assert any(r.verdict for r in full)
    assert light == [replace(r, quote="", verdict=None) for r in full]


def test_every_claims_records_read_a_predicate_at_a_time_are_the_records_read_claim_by_claim(seed_store):
    """``load_records`` of every claim (one scan a predicate, ``predicate_values.rq``, the
    rows of other subjects left out) reads what ``claim_triples.rq`` reads of the same
    claims, on each backend."""
    from factgraph.graph import conflict_store
    from factgraph.graph.conflicts import load_records
    from factgraph.graph.terms import Iris

    iris = Iris()
    full = load_records(seed_store, iris)
    assert len(full) >= 10 and any(r.restates or r.disputes or r.relative_to for r in full)
    assert full == load_records(seed_store, iris, {r.iri for r in full})
    # subjects that are not figure claims carry some of those predicates: left out
    claims = {c for c, in seed_store.value_rows(conflict_store._stored_query("figure_claims"), ("claim",))}
    others = {c for p in conflict_store._FIELDS for c, _ in seed_store.value_rows(
        conflict_store.inject_values(conflict_store._stored_query("predicate_values"), {"p": f"<{p}>"}),
        ("claim", "o")) if c not in claims}
    assert others


def test_value_rows_are_the_rows_as_tuples(seed_store):
    """``Store.value_rows`` (on an embedded store, Oxigraph's own solutions, no dict a
    row) gives each row ``rows`` gives, the values in the order of the names asked, None
    where unbound, on each backend."""
    from factgraph.graph.store import Store

    query = (
        "PREFIX fg: <https://w3id.org/factgraph/ontology#>\n"
        "SELECT ?claim ?end ?high WHERE { ?claim a fg:FigureClaim ."
        " OPTIONAL { ?claim fg:periodEnd ?end } OPTIONAL { ?claim fg:valueHigh ?high } }"
    )
    for names in (("claim", "end", "high"), ("high", "claim", "absent", "end")):
        got = sorted(seed_store.value_rows(query, names), key=repr)
        assert got == sorted(Store.value_rows(seed_store, query, names), key=repr)
        assert len(got) >= 10 and any(r[names.index("high")] is None for r in got)
        assert any(r[names.index("end")] is not None for r in got)


@settings(max_examples=300, deadline=None)
@given(
    records(),
    st.sampled_from([Settings(), Settings(tension_ratio=0.4), Settings(share_ratio=3.0, tension_ratio=1.5)]),
    st.lists(st.sampled_from([None, "restates", "part_of", "restates elsewhere", "part_of elsewhere"]), min_size=8, max_size=8),
)
def test_a_claim_well_below_a_claim_of_a_group_around_its_own_meets_it_with_no_verdict(rs, config, links):
    """The incremental refresh leaves unread the claims of the groups a written claim's
    encloses whose numbers are below ``conflict_region._below`` of the claims of its group
    they may meet (``must_read``): whatever their claimants, and whatever they restate or
    are a part of (those two claims among others), judge must give no verdict on such a pair."""
    from factgraph.graph.conflict_records import prepare
    from factgraph.graph.conflict_region import _below, must_read
    from factgraph.graph.conflict_rules import judge

    claims = [prepare(r, KINDS, CUMULATIVE, config) for r in rs]
    for c, link in zip(claims, links, strict=False):
        for o in claims:
            if (c.quantity, c.places) == (o.quantity, o.places) or o.r.part_of == c.iri:
                continue  # one group; or o a part of c: read whole
            most = _below(o, config)
            if most is None or must_read(c.r, most):
                continue
            d = c
            if link:  # c restates or is a part of o, or of a claim elsewhere
                field = link.split()[0]
                d = prepare(replace(c.r, **{field: "C/99" if " " in link else o.iri}), KINDS, CUMULATIVE, config)
            assert judge(d, o, (True, False), config) is None


def test_a_record_made_of_its_values_is_the_record_its_init_makes():
    """``ClaimRecord.of_values`` (the full read's, without the frozen ``__init__``) gives
    the record ``ClaimRecord(*values)`` gives: equal, hashed alike, still frozen, copied
    by ``replace``; a value too many or too few is refused."""
    made = ClaimRecord.make(
        "http://x/c", "http://x/a", "deaths", 10, "at_least", places={"http://x/p"}, period_start="2019",
        period_end="2019-05", confidence="http://x/likely", quote="q", figure_text="10", claimant_label="A",
    )  # fmt: skip
    values = tuple(getattr(made, f.name) for f in dataclasses.fields(ClaimRecord))
    record = ClaimRecord.of_values(values)
    assert record == made and hash(record) == hash(made) and record.__dict__ == made.__dict__
    assert replace(record, value=11.0) == replace(made, value=11.0) != made
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.value = 12.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        ClaimRecord.of_values(values[:-1])
