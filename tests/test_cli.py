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


def test_a_store_path_that_cannot_be_a_folder_is_one_line_exit_2(tmp_path, capsys):
    taken = tmp_path / "file"
    taken.write_text("not a folder")
    assert main(["ingest", "--store", str(taken / "store"), SEED]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot open store" in err and "Not a directory" in err
    assert "internal error" not in err and "Traceback" not in err
    assert taken.read_text() == "not a folder"


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


# -- remote stores: --store http://... --update-url, credentials from the environment --------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_remote_store_not_listening_is_one_line_and_non_zero(tmp_path):
    import subprocess
    import sys

    url = f"http://127.0.0.1:{_free_port()}/sparql"
    done = subprocess.run([sys.executable, "-m", "factgraph", "query", "--store", url, "ASK{}"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"factgraph query: error: remote store {url}: cannot connect")


def _use_backend(backend, monkeypatch) -> None:
    """The backend's credentials in the environment, as a user sets them."""
    for name in ("FACTGRAPH_SPARQL_USER", "FACTGRAPH_SPARQL_PASSWORD", "FACTGRAPH_UPDATE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in backend.cli_env().items():
        if name.startswith("FACTGRAPH_SPARQL_"):
            monkeypatch.setenv(name, value)


def test_ingest_then_query_and_conflicts_on_every_backend(store_backend, store, capsys, monkeypatch):
    store.close()  # the embedded store's lock: the commands open it themselves
    _use_backend(store_backend, monkeypatch)
    options = store_backend.cli_args()
    assert main(["ingest", *options, SEED]) == 0
    assert "ingested 1 article(s), 10 claim(s)" in capsys.readouterr().out
    count = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fg:FigureClaim }"
    assert main(["query", *options, "--format", "json", count]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] == "10"
    if store_backend.remote:  # the update endpoint from the environment instead of --update-url
        monkeypatch.setenv("FACTGRAPH_UPDATE_URL", store_backend.update_url)
        options = ["--store", store_backend.url]
    assert main(["conflicts", *options, "--format", "json"]) == 0
    kinds = {c["kind"] for c in json.loads(capsys.readouterr().out)}
    assert "tension" in kinds


def test_remote_update_without_the_update_endpoint_says_so(store_backend, store, capsys, monkeypatch):
    if not store_backend.remote or store_backend.update_url == store_backend.url:
        pytest.skip("a server whose update endpoint differs from its query endpoint")
    _use_backend(store_backend, monkeypatch)
    assert main(["ingest", "--store", store_backend.url, SEED]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--update-url" in err
    assert store.is_empty()


def test_remote_wrong_password_is_one_line_exit_2(store_backend, store, capsys, monkeypatch):
    if not store_backend.user:
        pytest.skip("only a server that requires credentials")
    _use_backend(store_backend, monkeypatch)
    monkeypatch.setenv("FACTGRAPH_SPARQL_PASSWORD", "not-the-password")
    assert main(["ingest", *store_backend.cli_args(), SEED]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "401" in err and "FACTGRAPH_SPARQL_PASSWORD" in err
    assert store.is_empty()


def test_ingest_prints_a_line_per_file_and_warns_on_figures_without_claims(tmp_path, capsys):
    files = {
        "attributed.txt": " date 2023-09-14 Selon le ministère, 1.200 personnes ont été tuées.",
        "score.txt": " date 2023-09-14 Le score était de 12 à 15 au stade, page 87.",
        "no-figures.txt": " date 2023-09-14 Il pleuvait en 2023 sur la ville, le 5 mai.",
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    assert main(["ingest", "--store", ":memory:", *paths]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith(f"{paths[0]}: ") and lines[0].endswith(" claim(s)") and lines[0] != f"{paths[0]}: 0 claim(s)"
    assert lines[1] == f"{paths[1]}: 0 claim(s)"
    assert lines[2] == f"{paths[2]}: 0 claim(s)"
    # only the file with figures and no claim is named on stderr, once
    assert err.splitlines() == [
        f"warning: {paths[1]}: figures found but no claim read (nothing attributed or counted)"
    ]


@pytest.mark.parametrize(
    "body, figures",
    [
        ("1.302 civils", True),
        ("3 800 morts", True),
        ("2,5 %", True),
        ("12 morts", True),
        ("en 2023, 40 morts", True),
        ("Il pleuvait en 2023.", False),  # a year
        ("Depuis 1998 et 2019.", False),
        ("Le 5 mai.", False),  # one digit
        ("le 2023-09-14, COVID-19", False),  # a date, a name
        ("Pas de chiffre.", False),
    ],
)
def test_has_figures(body, figures):
    from factgraph.cli import has_figures

    assert has_figures(body) is figures


def test_a_bad_article_is_left_out_and_named_the_others_are_stored(tmp_path, capsys):
    """Issue #13: one bad article is reported and skipped; --strict stops the batch before any write."""
    store = str(tmp_path / "store")
    bad = tmp_path / "bad.txt"
    bad.write_text(" date 2019-02-30 Selon l'OMS, 300 morts.", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text(" date 2019-02-20 Selon l'OMS, 300 personnes sont mortes.", encoding="utf-8")
    count = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fg:FigureClaim }"

    assert main(["ingest", "--strict", "--store", store, str(bad), str(good)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.txt" in err and "invalid date" in err
    assert main(["query", "--store", store, "--format", "json", count]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] == "0"  # nothing written

    assert main(["ingest", "--store", store, str(bad), str(good)]) == 2
    captured = capsys.readouterr()
    assert "bad.txt" in captured.err and "left out" in captured.err and "Traceback" not in captured.err
    assert "good.txt: 1 claim(s)" in captured.out and "1 left out" in captured.out
    assert main(["query", "--store", store, "--format", "json", count]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] == "1"


def test_reingest_says_replaced_and_a_same_named_article_is_kept_and_named(tmp_path, capsys):
    store = str(tmp_path / "store")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, two = tmp_path / "one" / "a.txt", tmp_path / "two" / "a.txt"
    one.write_text(" date 2019-05\n\nL'OSDH a recensé 310 civils tués en Syrie.\n", encoding="utf-8")
    two.write_text(" date 2019-05\n\nL'OSDH a recensé 520 civils tués en Syrie.\n", encoding="utf-8")
    assert main(["ingest", "--store", store, str(one)]) == 0
    assert "replaced article" not in capsys.readouterr().out
    assert main(["ingest", "--store", store, str(one)]) == 0
    out = capsys.readouterr().out
    assert f"{one}: replaced article a-" in out
    assert main(["ingest", "--store", store, str(two)]) == 0
    captured = capsys.readouterr()
    assert "replaced article" not in captured.out
    assert f"note: {two}: an article with the same file name is stored (a-" in captured.err
    assert main(["query", "--store", store, "--format", "json",
                 "SELECT (COUNT(?a) AS ?n) WHERE { ?a a schema:NewsArticle }"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] == "2"


def test_ingest_url_names_one_article(tmp_path, capsys):
    store = str(tmp_path / "store")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(" date 2019-05\n\nL'OSDH a recensé 310 civils tués en Syrie.\n", encoding="utf-8")
    b.write_text(" date 2019-05\n\nL'OSDH a recensé 320 civils tués en Syrie (mise à jour).\n", encoding="utf-8")
    assert main(["ingest", "--store", store, "--url", "https://example.org/a", str(a), str(b)]) == 2
    assert "--url gives the address of one article" in capsys.readouterr().err
    assert main(["ingest", "--store", store, "--url", "https://example.org/a", str(a)]) == 0
    capsys.readouterr()
    assert main(["ingest", "--store", store, "--url", "https://example.org/a", str(b)]) == 0  # an update
    assert f"{b}: replaced article a-" in capsys.readouterr().out
    assert main(["query", "--store", store, "--format", "json",
                 "SELECT ?u WHERE { ?a a schema:NewsArticle ; schema:url ?u }"]) == 0
    assert [r["u"] for r in json.loads(capsys.readouterr().out)] == ["https://example.org/a"]


def test_a_bug_is_one_line_never_a_traceback(monkeypatch, capsys):
    from factgraph import cli

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "cmd_query", broken)
    monkeypatch.delenv("FACTGRAPH_DEBUG", raising=False)
    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    for action in parser._subparsers._group_actions[0].choices.values():  # noqa: SLF001 - the query command
        if action.prog.endswith(" query"):
            action.set_defaults(func=broken)
    assert cli.main(["query", "--store", ":memory:", "ASK {}"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError" in err and "Traceback" not in err


def test_the_program_writes_everything_before_its_fast_exit(tmp_path):
    """``factgraph`` (``cli.console``) freezes what it holds before Python's shutdown: the
    store it wrote is complete when it has exited, its report printed, its error code kept."""
    import shutil
    import subprocess
    import sys

    article = next(iter(builtin_corpus()))
    store = tmp_path / "store"
    done = subprocess.run([sys.executable, "-m", "factgraph", "ingest", "--store", str(store), str(article)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("conflict(s) in the store")
    asked = subprocess.run([sys.executable, "-m", "factgraph", "query", "--store", str(store), "--format", "json",
                            "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fg:FigureClaim }"],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert int(json.loads(asked.stdout)[0]["n"]) == int(done.stdout.split(" claim(s)")[0].rsplit(" ", 1)[-1])
    shutil.copy(article, tmp_path / "bad.txt")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    failed = subprocess.run([sys.executable, "-m", "factgraph", "ingest", "--store", str(store), "bad.txt"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
