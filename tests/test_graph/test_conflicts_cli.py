"""`factgraph conflicts`: recompute over the store and list, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from factgraph.cli import main
from factgraph.graph.pipeline import builtin_corpus

SEED = str(builtin_corpus()[0])


@pytest.fixture
def seeded(tmp_path, capsys) -> str:
    store = str(tmp_path / "store")
    assert main(["ingest", "--store", store, SEED]) == 0
    capsys.readouterr()
    return store


def _json(store: str, capsys, *extra: str) -> list[dict]:
    assert main(["conflicts", "--store", store, "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_lists_the_seed_conflicts_explained_in_both_languages(seeded, capsys):
    rows = _json(seeded, capsys)
    assert {"tension", "explicit_dispute"} <= {r["kind"] for r in rows}
    assert "corroboration" not in {r["kind"] for r in rows}
    for r in rows:
        assert r["a"] != r["b"] and r["severity"] in ("major", "minor")
        assert r["explanation"] and r["explanation_fr"] and r["rule"]


def test_all_adds_corroborations_to_the_conflicts(seeded, capsys):
    conflicts = _json(seeded, capsys)
    everything = _json(seeded, capsys, "--all")
    assert [r for r in everything if r["kind"] != "corroboration"] == conflicts


def test_csv_has_a_header_and_one_line_per_conflict(seeded, capsys):
    rows = _json(seeded, capsys)
    assert main(["conflicts", "--store", seeded, "--format", "csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["kind", "severity", "a", "b", "ratio", "explanation"]
    assert [(r[0], r[2], r[3]) for r in table[1:]] == [(r["kind"], r["a"], r["b"]) for r in rows]


def test_table_is_the_default_and_counts_its_rows(seeded, capsys):
    n = len(_json(seeded, capsys))
    assert main(["conflicts", "--store", seeded]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["kind", "severity", "a", "b"]
    assert lines[-1] == f"({n} row{'s' if n != 1 else ''})" and len(lines) == n + 3


def test_an_empty_store_has_no_conflicts(tmp_path, capsys):
    assert _json(str(tmp_path / "empty"), capsys) == []


def test_an_unknown_format_is_a_usage_error(seeded, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["conflicts", "--store", seeded, "--format", "xml"])
    assert exit_.value.code == 2
