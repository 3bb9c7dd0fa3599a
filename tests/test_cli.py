"""The command line: one-line errors with exit code 2, ingest/query/extract round trip."""

from __future__ import annotations

import json

import pytest

from factgraph.cli import main
from factgraph.graph.pipeline import builtin_corpus

SEED = str(builtin_corpus()[0])


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"\xff\xfe date 2019-05 texte", "not UTF-8"),
        (b" 24.502 raids sans date", "no date header"),
        (b" date 2019-05   \n  ", "empty text"),
        (b" date 2019-13 Un texte.", "invalid date"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_store_unchanged(tmp_path, capsys, content, message):
    store = str(tmp_path / "store")
    assert main(["ingest", "--store", store, SEED]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    assert main(["ingest", "--store", store, str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.txt" in err and message in err and "Traceback" not in err
    assert main(["query", "--store", store, "--format", "json",
                 "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fg:FigureClaim }"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] == "10"


def test_query_formats(tmp_path, capsys):
    store = str(tmp_path / "store")
    main(["ingest", "--store", store, SEED])
    capsys.readouterr()
    q = "SELECT ?v WHERE { ?c fg:quantityKind fgq:reports_not_credible ; fg:value ?v }"
    assert main(["query", "--store", store, "--format", "csv", q]) == 0
    assert capsys.readouterr().out.splitlines() == ["v", "7"]
    assert main(["query", "--store", store, q]) == 0
    assert "(1 row)" in capsys.readouterr().out
    assert main(["query", "--store", store, "SELECT ?x WHERE { ?x"]) == 2
    assert "error" in capsys.readouterr().err


def test_query_file(tmp_path, capsys):
    q = tmp_path / "q.rq"
    q.write_text("ASK { ?a a schema:NewsArticle }", encoding="utf-8")
    store = str(tmp_path / "store")
    main(["ingest", "--store", store, SEED])
    capsys.readouterr()
    assert main(["query", "--store", store, str(q)]) == 0
    assert capsys.readouterr().out.strip() == "true"


def test_extract_json(capsys):
    assert main(["extract", "--json", SEED]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["claims"]) == 10 and out["conflicts"]
