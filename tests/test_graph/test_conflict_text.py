"""What the explanations of conflicts are worded from (graph/conflict_text.py): a
verdict's digest (``conflict_store.verdict_digests``) names every input of its words, so
a full recompute need not word a verdict whose digest is stored."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import pytest

from factgraph.graph import conflict_store, conflict_text
from factgraph.graph.conflict_records import ClaimRecord, Conflict, Settings
from factgraph.graph.terms import Iris

IRIS = Iris("http://127.0.0.1:5000/")
PLACE = "http://127.0.0.1:5000/place/"

A = ClaimRecord.make(
    "http://127.0.0.1:5000/claim/a/1",
    "http://127.0.0.1:5000/agent/sohr",
    "civilian_deaths",
    3800.0,
    "more_than",
    places=frozenset({PLACE + "syria", PLACE + "raqqa"}),
    article="http://127.0.0.1:5000/article/a",
    period_start="2014-09-23",
    period_end="2019-05",
)
B = replace(A, iri="http://127.0.0.1:5000/claim/b/1", claimant="http://127.0.0.1:5000/agent/airwars", value=1302.0,
            low=1302.0, high=1302.0, bound="exact")

# another value for each field of a record, of its type
OTHER = {
    str: "http://127.0.0.1:5000/other",
    float: 12345.0,
    bool: None,  # flipped
    frozenset: frozenset({PLACE + "iraq"}),
}


def _changed(r: ClaimRecord, name: str) -> ClaimRecord:
    value = getattr(r, name)
    if isinstance(value, bool):
        return replace(r, **{name: not value})
    if isinstance(value, frozenset):
        return replace(r, **{name: OTHER[frozenset]})
    if isinstance(value, float) or name in ("value", "value_high", "low", "high"):
        return replace(r, **{name: (value or 0.0) + 7.0})
    if name == "bound":
        return replace(r, bound="about" if value != "about" else "exact")
    if name in ("period_start", "period_end", "stated_on"):
        return replace(r, **{name: "2017-02-03"})
    if name == "quantity":
        return replace(r, quantity="displaced")
    return replace(r, **{name: f"{value or ''}-other"})


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(ClaimRecord)])
def test_a_record_is_described_in_other_words_only_when_a_described_field_changes(field):
    other = _changed(A, field)
    assert getattr(other, field) != getattr(A, field)
    words = {lang: conflict_text.describe(A, lang) for lang in ("en", "fr")}
    if field in conflict_text.DESCRIBED:
        assert conflict_text.described(other) != conflict_text.described(A)
    else:  # no other words for a field the digest leaves out
        assert {lang: conflict_text.describe(other, lang) for lang in ("en", "fr")} == words
        assert conflict_text.described(other) == conflict_text.described(A)


def _digest(c: Conflict) -> str:
    ((_, digest),) = conflict_store.verdict_digests([c], IRIS)
    return digest


def test_a_verdicts_digest_changes_with_every_input_of_its_triples(monkeypatch):
    c = Conflict("contradiction", "major", A.iri, B.iri, "disjoint", 2.92, 2498.0, (A, B), Settings())
    digest = _digest(c)
    assert _digest(replace(c)) == digest  # the same inputs, the same digest
    others = [
        replace(c, severity="minor"),
        replace(c, rule="far-apart"),
        replace(c, ratio=3.0),
        replace(c, gap=None),
        replace(c, kind="tension"),
        replace(c, records=(replace(A, value=3900.0), B)),
        replace(c, records=(A, replace(B, claimant_label="Airwars"))),
        replace(c, settings=Settings(tension_ratio=3.0)),
        replace(c, a=B.iri, b=A.iri, records=(B, A)),
    ]
    assert len({digest, *map(_digest, others)}) == len(others) + 1
    # a field no explanation reads changes no triple, nor the digest
    assert _digest(replace(c, records=(replace(A, quote="autre citation"), B))) == digest
    # another version of the wording or the labels: every digest changes
    monkeypatch.setattr(conflict_text, "wording_key", lambda: "another wording")
    assert _digest(c) != digest


def test_the_wording_key_names_the_code_and_the_vocabulary_files():
    key = conflict_text.wording_key()
    assert key == conflict_text.wording_key() and len(key) == 24


def test_a_verdicts_digest_is_of_its_text_hashed_in_pieces_as_stored_digests_were():
    """``verdict_digests`` hashes the text of ``_digest_text`` in pieces (the head and the
    settings once, each record's described fields encoded once): the digests of verdicts
    sharing records and settings, in any order, are those of their whole texts, so the
    digests stored before (session 18: the whole text hashed) still name their verdicts."""
    import hashlib
    from binascii import b2a_base64

    c = Conflict("contradiction", "major", A.iri, B.iri, "disjoint", 2.92, 2498.0, (A, B), Settings())
    C = replace(B, iri="http://127.0.0.1:5000/claim/c/1", value=99.5, places=frozenset())
    verdicts = [
        c,
        replace(c, a=B.iri, b=A.iri, records=(B, A), ratio=None),
        replace(c, b=C.iri, records=(A, C), settings=Settings(tension_ratio=3.0), gap=None),
        replace(c, records=None, kind="tension", severity="minor"),
        replace(c, a=C.iri, records=(C, B), settings=None),
    ]
    got = [d for _, d in conflict_store.verdict_digests(verdicts * 2, IRIS)]
    whole = [
        b2a_base64(
            hashlib.blake2b(conflict_store._digest_text(v, IRIS).encode("utf-8"), digest_size=11).digest(),
            newline=False,
        )[:15].decode()
        for v in verdicts * 2
    ]
    assert got == whole and len(set(got)) == len(verdicts)
