"""The region of an incremental conflicts refresh (graph/conflict_region.py), checked
against the detector itself: on random stores, a new or replaced article, then reading
only what the region says to read and judging again only the pairs it reaches, leaves
exactly the verdicts of a full detection over the new store."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from factgraph.graph import (
    conflict_detection,
    conflict_keys,
    conflict_region,
    conflict_store,
    conflict_update,
    conflicts,
    staleness,
)
from factgraph.graph.conflict_records import ClaimRecord, Settings, date_span
from factgraph.graph.conflicts import Conflict, Region, detect, detect_region, refresh
from factgraph.graph.store import Changes, Store
from factgraph.graph.terms import FG, SCHEMA, Iris

PART_OF = {
    "c0-p0": {"c0"},
    "c0-p1": {"c0"},
    "c0-p0-t0": {"c0-p0", "c0"},
    "c0-p0-t1": {"c0-p0", "c0"},
    "c0-p1-t0": {"c0-p1", "c0"},
    "c1-p0": {"c1"},
}
PLACES = ["c0", "c1", *PART_OF]
KINDS = {
    "child_deaths": {"civilian_deaths", "deaths"},
    "civilian_deaths": {"deaths"},
    "deaths": set(),
    "strikes": set(),
}
CLAIMANTS = ["osdh", "un", "hrw"]
BOUNDS = ["exact", "exact", "at_least", "about", "at_most", "range"]
TEXT_RULES = {"text-disputes", "verdict", "share-does-not-add-up", "hedge-dropped"}
# small windows and caps, so that windows, caps and series all matter on a few claims
SETTINGS = [Settings(period_tolerance_days=20, max_neighbours=2), Settings()]


def _claims(rng: random.Random, article: str, n: int, undated: bool) -> list[ClaimRecord]:
    out: list[ClaimRecord] = []
    for j in range(n):
        places: list[str] = rng.choice(
            [["c0"], ["c0-p0"], ["c0-p0-t0"], [rng.choice(PLACES)], [rng.choice(PLACES), rng.choice(PLACES)]]
            + [[], ["c0-p0-t0", "c0"]]
        )
        end = 737000 + rng.randrange(0, 240)
        value = float(rng.choice([10, 50, 100, 120, 300, 1000, 2000]) + rng.randrange(3))
        bound = rng.choice(BOUNDS)
        fields: dict[str, object] = {
            "article": article,
            "period_start": None if rng.random() < 0.3 else _iso(end - rng.randrange(1, 400)),
            "period_end": _iso(end) if rng.random() < 0.9 else _iso(end)[:7],
        }
        if undated and rng.random() < 0.1:
            fields["period_end"] = None
        if out and rng.random() < 0.08:  # says an earlier figure of the article again
            fields["restates"] = out[-1].iri
        if out and rng.random() < 0.05:
            fields["disputes"] = out[0].iri
        out.append(
            ClaimRecord.make(
                f"{article}/{j}",
                rng.choice(CLAIMANTS),
                rng.choice(["deaths", "deaths", "civilian_deaths", "child_deaths", "strikes"]),
                value,
                bound,
                value_high=value * 2 if bound == "range" else None,
                places=places,
                **fields,
            )
        )
    return out


def _iso(day: int) -> str:
    from datetime import date

    return date.fromordinal(day).isoformat()


def _end(r: ClaimRecord) -> int | None:
    e = date_span(r.period_end) or date_span(r.stated_on)
    return e[1] if e else None


def _read(
    store: list[ClaimRecord],
    plan: list[conflict_region.Window],
    series: set,
    near: list[tuple[str, conflict_region.Window]] = (),  # type: ignore[assignment]
    enclosed: conflict_region.Enclosed | None = None,
) -> list[ClaimRecord]:
    """What the store side reads for ``plan`` (the exact windows, the least the SPARQL
    filter returns), the claims of the sifted windows of ``enclosed`` that ``must_read``
    keeps (and their undated ones) and its targets, the claimants'
    claims of the windows ``near`` (dated ones only) and the series, with the claims they
    restate."""
    enclosed = enclosed or conflict_region.Enclosed()
    sifted = enclosed.sifted
    spans = [*plan, *(w for _, w in near), *(s.window for s in sifted)]
    first = {w: date_span(w.first)[0] for w in spans}  # type: ignore[index]
    last = {w: date_span(w.last)[1] for w in spans}  # type: ignore[index]
    out = {}
    for r in store:
        e = _end(r)
        for w in plan:
            at = bool(set(r.places) & w.places) if w.places else not r.places
            if at and r.quantity in w.kinds and (e is None or first[w] <= e <= last[w]):
                out[r.iri] = r
        for s in sifted:
            w = s.window
            at = bool(set(r.places) & w.places) if w.places else not r.places
            if at and r.quantity in w.kinds and (
                e is None or (first[w] <= e <= last[w] and conflict_region.must_read(r, s.most))
            ):
                out[r.iri] = r
        if r.iri in enclosed.targets:
            out[r.iri] = r
        for claimant, w in near:
            at = bool(set(r.places) & w.places) if w.places else not r.places
            if r.claimant == claimant and at and r.quantity in w.kinds and e is not None and first[w] <= e <= last[w]:
                out[r.iri] = r
        for claimant, kind, place in series:
            if (
                r.claimant == claimant
                and r.quantity == kind
                and (place in r.places if place else not r.places)
            ):
                out[r.iri] = r
    by_iri = {r.iri: r for r in store}
    for r in list(out.values()):
        if r.restates in by_iri:
            out[r.restates] = by_iri[r.restates]
    return sorted(out.values(), key=lambda r: r.iri)


def _related(store: list[ClaimRecord], touched: list[ClaimRecord]) -> list[ClaimRecord]:
    """What the store side reads for whole groups: related places and kinds, all of time."""
    places = {p: set(q) for p, q in PART_OF.items()}
    kinds = {k: set(b) for k, b in KINDS.items()}
    wanted_places, wanted_kinds, unplaced = set(), set(), False
    for t in touched:
        p, k = conflict_region.related(t, places, kinds)
        wanted_places |= p
        wanted_kinds |= k
        unplaced = unplaced or not t.places
    by_iri = {r.iri: r for r in store}
    out = {
        r.iri: r
        for r in store
        if r.quantity in wanted_kinds and (set(r.places) & wanted_places or (unplaced and not r.places))
    }
    for r in list(out.values()):
        if r.restates in by_iri:
            out[r.restates] = by_iri[r.restates]
    return sorted(out.values(), key=lambda r: r.iri)


def _incremental(
    before: list[Conflict],
    store: list[ClaimRecord],
    touched: list[ClaimRecord],
    articles: set[str],
    settings: Settings,
    days: int = 60,
) -> tuple[set[Conflict], bool]:
    """The verdicts after an incremental refresh, as ``conflict_update`` computes them:
    the stored ones it does not reach, the text verdicts of other articles, the new ones."""
    places = {p: set(q) for p, q in PART_OF.items()}
    kinds = {k: set(b) for k, b in KINDS.items()}
    plan = conflict_region.windows(touched, places, kinds, settings)
    region = Region(touched, articles)
    reach = None
    if plan is not None:
        # the touched claims' groups and those around them first, then the groups they
        # enclose, sifted
        plan = [w for w in plan if not w.within]
        enclosed = conflict_region.enclosed_windows(touched, _read(store, plan, set()), places, kinds, None, settings)
        plan += enclosed.whole
        # the series: first the claimants' claims within ``days`` (few: often too few, so
        # both ways are taken), then whole those still lacking a neighbour
        series = conflict_region.series_keys(touched, places, settings, _read(store, plan, set(), (), enclosed))
        span = 2 * settings.period_tolerance_days
        near = conflict_region.series_windows(
            touched, places, series, days, _read(store, plan, set(), (), enclosed), span
        )
        series = conflict_region.series_keys(
            touched, places, settings, _read(store, plan, set(), near, enclosed), days
        )
        records = _read(store, plan, series, near, enclosed)
        found, reach = detect_region(records, region, PART_OF, KINDS, settings)
    windowed = reach is not None
    if reach is None:
        found, reach = detect_region(
            _related(store, touched), replace(region, whole_groups=True), PART_OF, KINDS, settings
        )
    assert reach is not None
    written = {t.iri for t in touched}
    kept = {
        c
        for c in before
        if reach.covers(c.a, c.b) and c.rule in TEXT_RULES and c.a not in written and c.b not in written
    }
    kept_keys = {(c.a, c.b, c.kind) for c in kept} | {(c.b, c.a, c.kind) for c in kept}
    out = {c for c in before if not reach.covers(c.a, c.b)} | kept
    out |= {c for c in found if (c.a, c.b, c.kind) not in kept_keys}
    return out, windowed


@pytest.mark.parametrize("seed", range(200))
def test_an_article_added_or_replaced_gives_the_verdicts_of_a_full_detection(seed):
    rng = random.Random(seed)
    settings = SETTINGS[seed % 2]
    undated = seed % 5 == 4  # some stores with undated claims: whole groups
    store = [
        c for a in range(rng.randrange(8, 30)) for c in _claims(rng, f"a{a}", rng.randrange(3, 12), undated)
    ]
    before = detect(store, PART_OF, KINDS, settings)
    if rng.random() < 0.5:  # a new article
        new = _claims(rng, "new", rng.randrange(1, 8), undated)
        removed: list[ClaimRecord] = []
        article = "new"
    else:  # an article read anew: a figure changed, a claim dropped, a claim added
        article = f"a{rng.randrange(4)}"
        removed = [r for r in store if r.article == article]
        new = [
            replace(r, value=r.value * rng.choice((1, 0.2, 3)) if r.value else r.value) for r in removed[1:]
        ]
        new += _claims(rng, article, 2, undated)[1:]
        new = [replace(r, iri=f"{article}/n{i}") if i >= len(removed) - 1 else r for i, r in enumerate(new)]
    after = [r for r in store if r.article != article] + new
    touched = [*new, *removed]
    days = settings.period_tolerance_days * (2 + seed % 7)  # the series looked for near, at first
    got, windowed = _incremental(before, after, touched, {article}, settings, days)
    assert got == set(detect(after, PART_OF, KINDS, settings))


def test_the_windows_read_fewer_claims_than_whole_groups():
    """On a store spread over time, the region of one claim is its time window, not its
    groups' whole history."""
    rng = random.Random(7)
    store = [c for a in range(40) for c in _claims(rng, f"a{a}", 10, False)]
    store = [replace(r, period_end=_iso(737000 + 5 * i), period_start=None) for i, r in enumerate(store)]
    places = {p: set(q) for p, q in PART_OF.items()}
    kinds = {k: set(b) for k, b in KINDS.items()}
    new = [replace(store[200], iri="new/0", article="new")]
    plan = conflict_region.windows(new, places, kinds, Settings())
    assert plan is not None
    read = _read(store + new, plan, conflict_region.series_keys(new, places, Settings()))
    assert 0 < len(read) < len(_related(store + new, new)) / 2


def _claim(iri: str, claimant: str, value: float, places: list[str], end: int, **fields: object) -> ClaimRecord:
    return ClaimRecord.make(
        iri, claimant, "deaths", value, fields.pop("bound", "exact"), places=places, article=iri.split("/")[0],
        period_end=_iso(end), **fields,  # type: ignore[arg-type]
    )


def _added(store: list[ClaimRecord], new: list[ClaimRecord], settings: Settings) -> set[Conflict]:
    """The verdicts after ``new`` (an article) is added, the incremental way; checked equal
    to a full detection."""
    before = detect(store, PART_OF, KINDS, settings)
    got, windowed = _incremental(before, store + new, new, {new[0].article}, settings)
    assert windowed and got == set(detect(store + new, PART_OF, KINDS, settings))
    return got


def test_a_province_figure_below_the_new_country_figure_but_for_its_upper_value_is_read():
    """A range in a province (40 to 80) against a new figure for the country (100), over a
    fifth of its period: 60 is a large share of 100 (a minor tension), though 40 is not."""
    day = 737100
    store = [
        _claim("a1/0", "osdh", 40, ["c0-p0"], day, bound="range", value_high=80, period_start=_iso(day - 20)),
        _claim("a2/0", "un", 1000, ["c1"], day),
    ]
    new = [_claim("new/0", "hrw", 100, ["c0"], day, period_start=_iso(day - 100))]
    got = _added(store, new, Settings())
    assert {(c.a, c.b, c.rule) for c in got} == {("a1/0", "new/0", "sub-scope-large-share")}


def test_a_province_figure_a_claim_of_the_country_is_part_of_is_read_when_the_new_one_pushes_it_out():
    """Two claims for the country near a province's, one said to be part of it and far
    above it (a contradiction); a new claim for the country, nearer, pushes that one out of
    the province claim's two nearest: the contradiction goes, though the province's figure
    is far below every claim for the country."""
    settings = Settings(period_tolerance_days=20, max_neighbours=2)
    day = 737100
    store = [
        _claim("a1/0", "un", 1000, ["c0"], day + 1),
        _claim("a2/0", "un", 1000, ["c0"], day + 2, part_of="a3/0"),
        _claim("a3/0", "osdh", 100, ["c0-p0"], day),
    ]
    assert any(c.rule == "part-exceeds-whole" for c in detect(store, PART_OF, KINDS, settings))
    new = [_claim("new/0", "hrw", 1000, ["c0"], day)]
    assert not any(c.rule == "part-exceeds-whole" for c in _added(store, new, settings))


def test_a_province_figure_whose_nearest_country_figure_the_new_one_pushes_out_is_read():
    """Three figures for the country after a province's, the second a quarter of the
    province's period's length and a large share of it (a minor tension with the province's);
    a new figure for the country, nearer than all, pushes the second out of the province
    figure's two nearest: the tension goes, though the province's figure is far below the
    new one and the nearest one."""
    settings = Settings(period_tolerance_days=20, max_neighbours=2)
    day = 737100
    store = [
        _claim("a1/0", "osdh", 100, ["c0-p0"], day, period_start=_iso(day - 10)),
        _claim("a2/0", "un", 1000, ["c0"], day + 1, period_start=_iso(day - 100)),
        _claim("a3/0", "un", 150, ["c0"], day + 2, period_start=_iso(day - 100)),
        _claim("a4/0", "un", 1000, ["c0"], day + 3, period_start=_iso(day - 100)),
    ]
    assert ("a1/0", "a3/0", "sub-scope-large-share") in {(c.a, c.b, c.rule) for c in detect(store, PART_OF, KINDS, settings)}
    new = [_claim("new/0", "hrw", 1000, ["c0"], day, period_start=_iso(day - 100))]
    assert not any(c.rule == "sub-scope-large-share" for c in _added(store, new, settings))


def test_a_figure_at_a_place_both_inside_and_around_the_new_claims_is_read(monkeypatch):
    """A gazetteer where a province and its country lie in each other: a figure for the
    province has the country's scope, so a figure ten times larger for the country
    contradicts it (same scope, disjoint), however small the province's."""
    import sys

    cyclic = {**PART_OF, "c0": {"c0-p0"}}
    monkeypatch.setattr(sys.modules[__name__], "PART_OF", cyclic)
    day = 737100
    store = [_claim("a1/0", "osdh", 100, ["c0-p0"], day), _claim("a2/0", "un", 7, ["c1"], day)]
    new = [_claim("new/0", "hrw", 1000, ["c0"], day)]
    assert {(c.a, c.b, c.rule) for c in _added(store, new, Settings())} == {("a1/0", "new/0", "disjoint")}


def test_the_groups_a_new_claim_encloses_are_read_sifted():
    """A country's figure among many small ones in its provinces and towns: those below a
    share of it from other sources, which it meets with no verdict, are not read."""
    rng = random.Random(5)
    day = 737100
    towns = ["c0-p0", "c0-p1", "c0-p0-t0", "c0-p0-t1", "c0-p1-t0"]
    store = [
        _claim(f"a{i}/0", rng.choice(CLAIMANTS), rng.choice([5, 10, 20, 300]), [rng.choice(towns)], day + rng.randrange(-30, 30))
        for i in range(60)
    ] + [_claim("b0/0", "un", 500, ["c0"], day - 10), _claim("b1/0", "un", 520, ["c0"], day + 10)]
    new = [_claim("new/0", "hrw", 510, ["c0"], day)]
    _added(store, new, Settings())
    places = {p: set(q) for p, q in PART_OF.items()}
    kinds = {k: set(b) for k, b in KINDS.items()}
    plan = conflict_region.windows(new, places, kinds, Settings())
    assert plan is not None
    first = [w for w in plan if not w.within]
    enclosed = conflict_region.enclosed_windows(new, _read(store + new, first, set()), places, kinds, None, Settings())
    sifted = _read(store + new, first + enclosed.whole, set(), (), enclosed)
    whole = _read(store + new, plan, set())
    assert {r.iri for r in sifted} < {r.iri for r in whole}
    assert {r.iri for r in whole} - {r.iri for r in sifted} == {
        r.iri for r in store if r.value is not None and r.value < 255 and r.places != frozenset({"c0"})
    }


# -- on a store: the same, through conflict_update and the stored queries, on every backend

BASE = "http://127.0.0.1:5000/"
IRIS = Iris(BASE)
QUANTITY = "https://w3id.org/factgraph/quantity/"
BOUND = "https://w3id.org/factgraph/bound/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _stored(r: ClaimRecord) -> ClaimRecord:
    """A record with store IRIs."""
    return replace(
        r,
        iri=BASE + "claim/" + r.iri,
        article=BASE + "article/" + r.article,
        claimant=BASE + "agent/" + r.claimant,
        places=frozenset(BASE + "place/" + p for p in r.places),
        restates=BASE + "claim/" + r.restates if r.restates else None,
        disputes=BASE + "claim/" + r.disputes if r.disputes else None,
    )


def _triples(records: list[ClaimRecord]) -> Graph:
    """The triples of claims as ``mapping.py`` writes them (what the conflicts read)."""
    g = Graph()
    for r in records:
        c = URIRef(r.iri)
        g.add((c, RDF.type, FG.FigureClaim))
        g.add((c, FG.claimant, URIRef(r.claimant)))
        g.add((c, SCHEMA.appearance, URIRef(r.article)))
        g.add((c, FG.quantityKind, URIRef(QUANTITY + r.quantity)))
        g.add((c, FG.bound, URIRef(BOUND + r.bound)))
        for p, v in (
            (FG.value, r.value),
            (FG.valueHigh, r.value_high),
            (FG.intervalLow, r.low),
            (FG.intervalHigh, r.high),
        ):
            if v is not None:
                g.add((c, p, Literal(Decimal(str(v)))))
        for p, v in ((FG.intervalLowInclusive, r.low_incl), (FG.intervalHighInclusive, r.high_incl)):
            g.add((c, p, Literal(v)))
        for place in r.places:
            g.add((c, FG.place, URIRef(place)))
        for p, d in ((FG.periodStart, r.period_start), (FG.periodEnd, r.period_end)):
            if d:
                g.add((c, p, Literal(d, datatype=URIRef(XSD + ("gYearMonth" if len(d) == 7 else "date")))))
        for p, o in ((FG.restates, r.restates), (FG.disputes, r.disputes)):
            if o:
                g.add((c, p, URIRef(o)))
        g.add((c, FG.quoteText, Literal(f"claim {r.iri}")))
    return g


def _vocabulary() -> Graph:
    g = Graph()
    for kind, broader in KINDS.items():
        k = URIRef(QUANTITY + kind)
        g.add((k, RDF.type, FG.QuantityKind))
        g.add((k, SKOS.notation, Literal(kind)))
        g.add((k, FG.cumulative, Literal(True)))
        for b in broader:
            g.add((k, FG.partOfKind, URIRef(QUANTITY + b)))
    for place, enclosing in PART_OF.items():
        for e in enclosing:
            g.add((URIRef(BASE + "place/" + place), FG.partOfPlace, URIRef(BASE + "place/" + e)))
    return g


def _conflicts_graph(store: Store) -> set:
    return {t for t in store.graph(IRIS.conflicts_graph) if t[1] != PROV.endedAtTime}


def _load(store: Store, articles: dict[str, list[ClaimRecord]]) -> None:
    """The vocabulary and the articles' graphs, written at once."""
    store.apply(
        Changes(
            replace={
                IRIS.vocabulary_graph: _vocabulary(),
                **{IRIS.article_graph(a): _triples(rs) for a, rs in articles.items()},
            }
        )
    )


def _write_article(
    store: Store, article: str, records: list[ClaimRecord], step: int
) -> conflict_update.Writes:
    """The article's claims in its graph with the run's stale mark, as an ingest writes them."""
    activity = IRIS.activity(f"ingest/test-{step}")
    iri = BASE + "article/" + article
    removed = conflict_update.removed_records(store, IRIS, [iri])
    store.apply(
        Changes(
            replace={IRIS.article_graph(article): _triples(records)},
            add={IRIS.status_graph: staleness.mark(IRIS, activity)},
        )
    )
    return conflict_update.Writes(activity, frozenset({iri}), tuple(removed))


@pytest.mark.parametrize("seed, keys_kept, series_days", [(3, False, None), (11, True, None), (3, True, 60)])
def test_random_articles_on_a_store_give_the_conflicts_of_a_full_recompute(
    store, seed, keys_kept, series_days, monkeypatch
):
    """New articles and articles read anew (overlapping and distant periods, places in one
    another, the same and other sources), each refreshed incrementally from the store:
    each time the conflicts graph a full recompute writes, and mostly read by windows.
    The conflict keys are said to be out of date after each step (each refresh rebuilds
    them), or, ``keys_kept``, not: each refresh then finds the claims by the keys the
    refreshes before it kept up to date. ``series_days``: the claimants' series looked for
    within so few days of a written claim that they must often be read whole after."""
    if series_days is not None:
        monkeypatch.setattr(conflict_region, "SERIES_DAYS", series_days)
    rng = random.Random(seed)
    settings = Settings(period_tolerance_days=20, max_neighbours=2)
    articles = {
        f"a{a}": [_stored(r) for r in _claims(rng, f"a{a}", rng.randrange(3, 10), False)] for a in range(16)
    }
    _load(store, articles)
    refresh(store, IRIS, settings)
    windowed, seen = 0, set()
    for step in range(6):
        if step % 2:  # an article read anew: figures changed, its first claim gone
            article = f"a{rng.randrange(16)}"
            records = [replace(r, value=r.value * 3 if r.value else r.value) for r in articles[article][1:]]
            records = [
                ClaimRecord.make(
                    r.iri,
                    r.claimant,
                    r.quantity,
                    r.value,
                    r.bound,
                    value_high=r.value_high,
                    places=r.places,
                    article=r.article,
                    period_start=r.period_start,
                    period_end=r.period_end,
                )
                for r in records
            ]
        else:
            article = f"n{step}"
            records = [_stored(r) for r in _claims(rng, article, rng.randrange(2, 8), False)]
        articles[article] = records
        done = conflict_update.refresh_after(
            store, IRIS, _write_article(store, article, records, step), settings
        )
        assert done.incremental and not staleness.is_stale(store, IRIS)
        windowed += done.windowed
        incremental = _conflicts_graph(store)
        seen.add(frozenset(incremental))
        assert conflict_keys.current(store, IRIS) and _keys(store) == _fresh_keys(store)
        _records_kept(store)
        refresh(store, IRIS, settings)  # no mark left: the keys stay current (and read the records)
        assert _conflicts_graph(store) == incremental and conflict_keys.current(store, IRIS)
        if not keys_kept:  # as after a full recompute that cleared marks: the next refresh rebuilds them
            conflict_keys.invalidate(store, IRIS)
    assert windowed >= 4 and len(seen) >= 4


@pytest.mark.parametrize("seed", [2, 8])
def test_articles_near_undated_claims_on_a_store_give_the_conflicts_of_a_full_recompute(store, seed):
    """Undated claims make the region whole groups (every group a written claim's encloses,
    over all of time: the claims at every place inside its places): each refresh still
    leaves the conflicts graph a full recompute writes."""
    rng = random.Random(seed)
    settings = Settings(period_tolerance_days=20, max_neighbours=2)
    articles = {f"a{a}": [_stored(r) for r in _claims(rng, f"a{a}", rng.randrange(3, 10), True)] for a in range(16)}
    _load(store, articles)
    refresh(store, IRIS, settings)
    whole = 0
    for step in range(6):
        article = f"n{step}"
        records = [_stored(r) for r in _claims(rng, article, rng.randrange(2, 8), True)]
        done = conflict_update.refresh_after(store, IRIS, _write_article(store, article, records, step), settings)
        assert done.incremental
        whole += not done.windowed
        incremental = _conflicts_graph(store)
        refresh(store, IRIS, settings)
        assert _conflicts_graph(store) == incremental
    assert whole >= 2


def _keys(store: Store) -> set[tuple[str, str]]:
    """The stored conflict keys: (key, claim)."""
    return {(str(s), str(o)) for s, p, o in store.graph(IRIS.conflict_keys_graph) if p == FG.indexesClaim}


def _fresh_keys(store: Store) -> set[tuple[str, str]]:
    """The conflict keys of every claim of the store, made from nothing."""
    return {(line.split()[0][1:-1], line.split()[2][1:-1]) for line in conflict_keys.key_lines(store, IRIS)}


def _records_kept(store: Store) -> None:
    """The stored conflict records are those of every claim's triples now, and read as
    the records of the claims' triples are (every field)."""
    stored = {(str(s), str(o)) for s, p, o in store.graph(IRIS.conflict_keys_graph) if p == FG.conflictRecord}
    fresh = conflict_keys.record_lines(store)
    assert len(stored) == len(fresh) > 10
    assert sorted(conflict_keys.stored_records(store, IRIS, [c for c, _ in stored])) == fresh
    by_records, by_triples = conflict_keys.load_records(store, IRIS), conflict_store.load_records(store, IRIS)
    assert [r.__dict__ for r in by_records] == [r.__dict__ for r in by_triples] and len(by_records) > 10
    # some claims, without their quotes, as an incremental refresh reads the claims around
    some = {r.iri for r in by_triples[::3]} | {BASE + "claim/gone/0"}
    around = conflict_keys.load_claim_records(store, IRIS, some)
    assert [r.__dict__ for r in around] == [
        r.__dict__ for r in conflict_store.load_records(store, IRIS, some, quotes=False)
    ]
    assert len(around) == len(some) - 1 and not any(r.quote for r in around)


def _random_windows(rng: random.Random, n: int) -> list[conflict_region.Window]:
    """Windows at random places (or none), kinds and days, some spanning months."""
    out = []
    for _ in range(n):
        first = 737000 + rng.randrange(-40, 240)
        out.append(
            conflict_region.Window(
                frozenset(BASE + "place/" + p for p in rng.sample(PLACES, rng.randrange(0, 3))),
                frozenset(rng.sample([*KINDS, "air_strikes", "injured"], rng.randrange(1, 3))),
                _iso(first),
                _iso(first + rng.choice([0, 5, 20, 40, 90, 200])),
            )
        )
    return out


@pytest.mark.parametrize("seed", [5, 17])
def test_the_keys_find_the_claims_the_window_scans_find(store, seed):
    """On random stores (dates to the day or the month, undated claims, several places
    or none), as articles are added, read anew and dropped and their keys updated: the
    claims the keys find for random windows, one at a time and together, are those the
    window scans find (kinds named by a second notation or by no notation too; the windows
    around claims, whose enclosed places are found within the claims' own); the stored
    keys are those made from nothing; a key left behind by a claim since removed finds
    nothing. Not exact, the keys find every claim the scans find, and others."""
    rng = random.Random(seed)

    def claims(article: str) -> list[ClaimRecord]:  # some of a kind the vocabulary does not name
        return [
            _stored(replace(r, quantity="injured") if rng.random() < 0.15 else r)
            for r in _claims(rng, article, rng.randrange(3, 10), True)
        ]

    articles = {f"a{a}": claims(f"a{a}") for a in range(12)}
    _load(store, articles)
    # a second notation for a kind: a window of either finds its claims
    store.apply(
        Changes(
            add={
                IRIS.vocabulary_graph: _as_graph(
                    {(URIRef(QUANTITY + "strikes"), SKOS.notation, Literal("air_strikes"))}
                )
            }
        )
    )
    assert not conflict_keys.current(store, IRIS)
    conflict_keys.rebuild(store, IRIS)
    assert conflict_keys.current(store, IRIS) and _keys(store) == _fresh_keys(store)
    # a key left behind by a claim no longer in the store
    left = {(str(IRIS.conflict_key(_iso(737100)[:7], "deaths", BASE + "place/c0-p0")), BASE + "claim/gone/0")}
    store.apply(
        Changes(
            add={
                IRIS.conflict_keys_graph: Graph().parse(
                    data="".join(f"<{k}> <{FG.indexesClaim}> <{c}> .\n" for k, c in left), format="nt"
                )
            }
        )
    )

    def check() -> None:
        gazetteer, kinds = conflict_store.load_places(store), conflict_store.load_kinds(store)[0]
        around = rng.sample([r for rs in articles.values() for r in rs], 6)
        plan = conflict_region.windows(around, gazetteer, kinds, rng.choice(SETTINGS)) or []
        assert conflict_keys.claims_in_windows(store, IRIS, plan) == conflict_store.claims_in_windows(
            store, plan
        )
        windows = _random_windows(rng, 30) + plan
        found = [conflict_keys.claims_in_windows(store, IRIS, [w]) for w in windows]
        assert found == [conflict_store.claims_in_windows(store, [w]) for w in windows]
        assert sum(map(len, found)) > 10  # the windows hold claims
        assert conflict_keys.claims_in_windows(store, IRIS, windows) == conflict_store.claims_in_windows(
            store, windows
        )
        # every claim under the windows' keys, nothing looked up: a superset, within their months
        loose = conflict_keys.claims_in_windows(store, IRIS, windows, exact=False)
        assert loose >= conflict_store.claims_in_windows(store, windows)
        assert loose <= {c for k, c in _keys(store)}
        # a claimant's claims under a window's keys (where its series is looked for near a
        # written claim): every dated claim of that claimant the window scan finds, within
        # the claims under the keys, of no other claimant
        by_iri = {r.iri: r for rs in articles.values() for r in rs}
        claimants = sorted({r.claimant for r in by_iri.values()})
        seen = 0
        for w in windows:
            claimant = rng.choice(claimants)
            got = conflict_keys.claimant_claims_in_windows(store, IRIS, [(claimant, w)])
            scanned = {
                c
                for c in conflict_store.claims_in_windows(store, [w])
                if by_iri[c].claimant == claimant and _end(by_iri[c]) is not None
            }
            under = conflict_keys.claims_in_windows(store, IRIS, [w], exact=False)
            assert scanned <= got <= {c for c in under if c in by_iri and by_iri[c].claimant == claimant}
            seen += len(scanned)
        assert seen > 0
        # sifted: of the dated claims under a window's keys, those whose value, upper value
        # or interval low is not below a number (or with no value); every undated one
        kept = 0
        for w in windows:
            most = rng.choice([9.5, 50, 100.5, 150, 1000, 2500])
            got = conflict_keys.enclosed_claims(
                store, IRIS, conflict_region.Enclosed(sifted=[conflict_region.Sifted(w, most)])
            )
            under = conflict_keys.claims_in_windows(store, IRIS, [w], exact=False)
            assert got <= under
            for c in under & by_iri.keys():
                assert (c in got) == (_end(by_iri[c]) is None or conflict_region.must_read(by_iri[c], most))
            kept += len(got)
        assert kept > 0

    check()
    for step in range(4):
        if step == 3:  # an article dropped
            article = rng.choice(sorted(articles))
            removed = articles.pop(article)
            store.apply(Changes(drop=(IRIS.article_graph(article),)))
            written = {r.iri for r in removed}
        else:  # a new article, or one read anew: its claims elsewhere, its first one gone
            article = rng.choice([f"n{step}", *articles])
            before = {r.iri for r in articles.get(article, [])}
            records = claims(article)[1:]
            articles[article] = records
            store.apply(Changes(replace={IRIS.article_graph(article): _triples(records)}))
            written = before | {r.iri for r in records}
        conflict_keys.update(store, IRIS, written)
        assert _keys(store) - left == _fresh_keys(store)
        _records_kept(store)
        check()


def test_places_and_kinds_added_after_the_detection_are_read_by_the_next_refresh(store):
    """The incremental refresh reads the part of the gazetteer and the kinds its claims
    meet from the store each time: a town and a kind an article's lexicon adds (new
    terms, so not a vocabulary change of stored claims) nest its claims at once, and the
    next article's windows reach the claims at the new town."""
    settings = Settings()
    lexicon = Graph()
    town, province = BASE + "place/c0-p0-t9", BASE + "place/c0-p0"
    for e in ("c0-p0", "c0"):
        lexicon.add((URIRef(town), FG.partOfPlace, URIRef(BASE + "place/" + e)))
    girls = URIRef(QUANTITY + "girl_deaths")
    lexicon.add((girls, RDF.type, FG.QuantityKind))
    lexicon.add((girls, SKOS.notation, Literal("girl_deaths")))
    lexicon.add((girls, FG.cumulative, Literal(True)))
    lexicon.add((girls, FG.partOfKind, URIRef(QUANTITY + "child_deaths")))

    def claim(article: str, j: int, claimant: str, kind: str, value: float, place: str) -> ClaimRecord:
        return _stored(
            ClaimRecord.make(
                f"{article}/{j}",
                claimant,
                kind,
                value,
                places=[place],
                article=article,
                period_start="2014-08-01",
                period_end="2019-05-10",
            )
        )

    stored = [claim("a0", 0, "osdh", "deaths", 100, "c0-p0"), claim("a0", 1, "un", "deaths", 2000, "c1")]
    store.apply(
        Changes(replace={IRIS.vocabulary_graph: _vocabulary(), IRIS.article_graph("a0"): _triples(stored)})
    )
    refresh(store, IRIS, settings)
    steps = [
        (
            "n1",
            [
                claim("n1", 0, "hrw", "deaths", 500, "c0-p0-t9"),
                claim("n1", 1, "hrw", "girl_deaths", 300, "c0-p0"),
            ],
        ),
        ("n2", [claim("n2", 0, "un", "deaths", 120, "c0-p0")]),
    ]
    for step, (article, records) in enumerate(steps):
        if step == 0:  # new terms, as an ingest sees them before its writes: no full recompute
            assert not conflict_update.vocabulary_changes(store, [lexicon])
            store.apply(Changes(add={IRIS.lexicon_graph: lexicon}))
        writes = _write_article(store, article, records, step)
        done = conflict_update.refresh_after(store, IRIS, writes, settings)
        assert done.incremental and done.windowed
        incremental = _conflicts_graph(store)
        refresh(store, IRIS, settings)
        assert _conflicts_graph(store) == incremental
        # the claims at the new town and of the new kind are nested in the province's groups
        named = {str(o) for _, p, o in incremental if p in (FG.claimA, FG.claimB)}
        assert BASE + "claim/n1/0" in named and BASE + "claim/n1/1" in named
        if step == 1:  # the next article's window reached the claim at the new town
            pairs = {
                frozenset(
                    {str(incremental_graph.value(c, FG.claimA)), str(incremental_graph.value(c, FG.claimB))}
                )
                for incremental_graph in [_as_graph(incremental)]
                for c in incremental_graph.subjects(FG.claimA, None)
            }
            assert frozenset({BASE + "claim/n1/0", BASE + "claim/n2/0"}) in pairs
    # what it reads of the gazetteer: the whole gazetteer's map, on those places only
    whole = conflict_store.load_hierarchies(store)[0]
    assert conflict_store.load_places(store, [town, province, BASE + "place/c1"]) == {
        p: whole[p] for p in (town, province)
    }
    assert conflict_store.places_inside(store, [province]) == {p for p, e in whole.items() if province in e}
    assert town in conflict_store.places_inside(store, [province])


def _as_graph(triples: set) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


@pytest.mark.parametrize("seed", range(4))
def test_a_detection_half_of_whose_groups_a_child_judges_finds_what_one_process_finds(monkeypatch, seed):
    """The same verdicts (all their fields, and which one of two on a pair and kind) as
    one process judging every group in order; with a child that fails, too."""
    rng = random.Random(seed)
    records = [r for a in range(40) for r in _claims(rng, f"a{a}", rng.randrange(3, 12), True)]
    settings = SETTINGS[seed % 2]
    alone = conflicts.detect(records, PART_OF, KINDS, settings)
    monkeypatch.setattr(conflict_detection, "PARALLEL_FROM", 0)
    children = []
    real = conflict_detection.Child

    def counted(work):
        children.append(1)
        return real(work)

    monkeypatch.setattr(conflict_detection, "Child", counted)
    monkeypatch.setattr(conflict_detection, "can_fork", lambda: True)  # whatever threads earlier tests left
    shared = conflicts.detect(records, PART_OF, KINDS, settings)
    assert children == [1]
    assert [(c, c.records) for c in shared] == [(c, c.records) for c in alone] and len(alone) > 50

    def failing(work):
        return real(lambda send, ready: (_ for _ in ()).throw(RuntimeError("child failed")))

    monkeypatch.setattr(conflict_detection, "Child", failing)
    assert [(c, c.records) for c in conflicts.detect(records, PART_OF, KINDS, settings)] == [
        (c, c.records) for c in alone
    ]
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
        assert not f.read().split()  # no child left


@pytest.mark.parametrize("seed", range(3))
def test_a_shared_detection_given_a_digest_gives_each_verdict_the_digest_worked_out_after(monkeypatch, seed):
    """Each process works out the digests of the verdicts it made (``detect``'s
    ``digest``): those verdict_digests works out of the verdicts as they are, for the
    verdicts of both processes; and the same verdicts as without. A detection in one
    process leaves them to be worked out after; a child that fails, too, for its half."""
    rng = random.Random(seed)
    records = [r for a in range(40) for r in _claims(rng, f"a{a}", rng.randrange(3, 12), True)]
    alone = conflicts.detect(records, PART_OF, KINDS, None, digest=conflict_store.VerdictDigest(IRIS))
    assert all(getattr(c, "digest", None) is None for c in alone)  # (one process: worked out after)
    monkeypatch.setattr(conflict_detection, "PARALLEL_FROM", 0)
    monkeypatch.setattr(conflict_detection, "can_fork", lambda: True)
    shared = conflicts.detect(records, PART_OF, KINDS, None, digest=conflict_store.VerdictDigest(IRIS))
    assert [(c, c.records) for c in shared] == [(c, c.records) for c in alone] and len(alone) > 50
    fresh = [replace(c) for c in shared]  # (the same verdicts, no digest carried)
    assert all(getattr(c, "digest", None) is None for c in fresh)
    expected = [d for _, d in conflict_store.verdict_digests(fresh, IRIS)]
    assert [c.digest for c in shared] == expected
    real = conflict_detection.Child
    monkeypatch.setattr(
        conflict_detection, "Child", lambda work: real(lambda send, ready: (_ for _ in ()).throw(RuntimeError("no")))
    )
    failed = conflicts.detect(records, PART_OF, KINDS, None, digest=conflict_store.VerdictDigest(IRIS))
    assert [d for _, d in conflict_store.verdict_digests(failed, IRIS)] == expected
