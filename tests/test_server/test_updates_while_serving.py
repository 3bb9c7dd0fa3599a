"""Updates while serving: a real ``factgraph serve`` process holds a store directory and
the other commands (``ingest``, ``query``, ``export``, ``conflicts``) still work on it,
through the server; a new article's page answers at once, without a restart."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from factgraph.graph.pipeline import builtin_corpus
from factgraph.graph.shared_store import SERVER_FILE, WRITER_LOCK

ARTICLE = """ date 2021-03-04
Séisme : au moins 1.250 morts selon la protection civile.
Selon la protection civile, au moins 1.250 personnes sont mortes dans le séisme qui a frappé la région.
"""
OTHER = """ date 2021-03-05
Inondations : 40 morts selon les pompiers.
Les pompiers ont dénombré 40 morts dans les inondations de la semaine.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "factgraph", *args], capture_output=True, text=True,
                          timeout=timeout, env=env or os.environ.copy())


def get(url: str, auth: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": auth} if auth else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``factgraph serve`` over a store directory; yields (store dir, root URL, process)."""
    store = tmp_path_factory.mktemp("served") / "store"
    port = free_port()
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "factgraph", "serve", "--store", str(store),
                                 "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(1200):  # up to 120 s, looked at every 0.1 s
            if proc.poll() is not None:
                pytest.fail("server did not start:\n" + log.read_text())
            if (store / SERVER_FILE).exists():
                try:
                    if get(root + "sparql?query=ASK%7B%7D")[0] == 200:
                        break
                except OSError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("server did not answer:\n" + log.read_text())
        yield store, root, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_the_server_announces_itself_to_its_owner_only(served):
    store, root, proc = served
    info = json.loads((store / SERVER_FILE).read_text())
    assert info["pid"] == proc.pid and info["url"] == root
    assert (store / SERVER_FILE).stat().st_mode & 0o077 == 0  # the token is write access


def test_store_routes_need_the_token(served):
    store, root, _ = served
    assert get(root + "store/ping")[0] == 401
    assert get(root + "store/ping", "Basic ZmFjdGdyYXBoOndyb25n")[0] == 401  # factgraph:wrong
    assert get(root + "store/dump?format=nquads")[0] == 401


def test_ingest_while_serving_is_visible_without_a_restart(served, tmp_path):
    store, root, proc = served
    article = tmp_path / "seisme.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    done = cli("ingest", "--store", str(store), str(article))
    assert done.returncode == 0, done.stderr
    assert "going through" in done.stderr and re.search(r"seisme.txt: [1-9]\d* claim", done.stdout)
    # the site sees the new article at once: its claim is in the endpoint and its page answers
    q = urllib.parse.quote("SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> ; "
                           "<https://w3id.org/factgraph/ontology#fileName> ?n FILTER(CONTAINS(?n, 'seisme')) }")
    status, body = get(root + "sparql?query=" + q + "&format=json")
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert len(rows) == 1
    page = rows[0]["a"]["value"].replace("http://127.0.0.1:5000/", root)
    assert get(page + "?format=html")[0] == 200 or get(page)[0] == 200
    assert proc.poll() is None  # the same server process, never restarted


def test_read_commands_work_on_a_served_store(served):
    store, root, _ = served
    q = cli("query", "--store", str(store), "--format", "json",
            "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://schema.org/NewsArticle> }")
    assert q.returncode == 0, q.stderr
    assert int(json.loads(q.stdout)[0]["n"]) >= len(builtin_corpus())
    out = cli("export", "--store", str(store), "--format", "nquads")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n") > 1000 and "/graph/" in out.stdout
    c = cli("conflicts", "--store", str(store), "--format", "json")
    assert c.returncode == 0, c.stderr
    assert isinstance(json.loads(c.stdout), list)


def test_two_ingests_at_once_both_land(served, tmp_path):
    store, root, _ = served
    a, b = tmp_path / "inondations.txt", tmp_path / "seisme-bis.txt"
    a.write_text(OTHER, encoding="utf-8")
    b.write_text(ARTICLE.replace("1.250", "1.300"), encoding="utf-8")
    env = os.environ.copy()
    procs = [subprocess.Popen([sys.executable, "-m", "factgraph", "ingest", "--store", str(store), str(p)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for p in (a, b)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    q = cli("query", "--store", str(store), "--format", "json",
            "SELECT ?n WHERE { ?a a <https://schema.org/NewsArticle> ; <https://w3id.org/factgraph/ontology#fileName> ?n }")
    names = {row["n"] for row in json.loads(q.stdout)}
    assert {"inondations.txt", "seisme-bis.txt"} <= names


def test_a_second_server_on_the_same_store_is_refused(served):
    store, _, _ = served
    done = cli("serve", "--store", str(store), "--port", str(free_port()))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "already served" in done.stderr


def test_a_held_writer_lock_makes_an_ingest_wait_then_give_up(tmp_path):
    import fcntl

    store = tmp_path / "store"
    store.mkdir()
    fd = os.open(store / WRITER_LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        env = {**os.environ, "FACTGRAPH_STORE_WAIT": "1"}
        done = cli("ingest", "--store", str(store), str(builtin_corpus()[0]), env=env)
    finally:
        os.close(fd)
    assert done.returncode == 2
    assert "waiting for another command" in done.stderr
    assert "gave up after 1 s (FACTGRAPH_STORE_WAIT)" in done.stderr.strip().splitlines()[-1]


def test_a_dead_servers_file_is_ignored(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9/", "pid": 2 ** 22 + 1, "token": "t"}))
    done = cli("query", "--store", str(store), "ASK { ?s ?p ?o }")
    assert done.returncode == 0, done.stderr
    assert "going through" not in done.stderr


def test_without_a_token_the_store_routes_do_not_exist():
    from factgraph.server import create_app

    app = create_app({"STORE": ":memory:"})
    assert app.test_client().get("/store/ping").status_code == 404



def test_iris_follow_the_served_address(served):
    """Without --base, a new store's IRIs are minted where it is served, so they dereference."""
    store, root, _ = served
    q = urllib.parse.quote("SELECT ?a WHERE { ?a a <https://schema.org/NewsArticle> } LIMIT 1")
    status, body = get(root + "sparql?query=" + q + "&format=json")
    article = json.loads(body)["results"]["bindings"][0]["a"]["value"]
    assert article.startswith(root)
    assert get(article)[0] in (200, 303)


def test_a_store_keeps_the_base_it_was_built_under(tmp_path):
    store = tmp_path / "store"
    seed = str(builtin_corpus()[0])
    first = cli("ingest", "--store", str(store), "--base", "https://facts.example.org/", seed)
    assert first.returncode == 0, first.stderr
    again = cli("ingest", "--store", str(store), seed)  # no --base: the store's own
    assert again.returncode == 0, again.stderr
    q = cli("query", "--store", str(store), "--format", "json",
            "SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/factgraph/ontology#FigureClaim> }")
    claims = [row["c"] for row in json.loads(q.stdout)]
    assert claims and all(c.startswith("https://facts.example.org/claim/") for c in claims)
    for command in (["ingest", seed], ["serve", "--port", str(free_port())]):
        other = cli(command[0], "--store", str(store), "--base", "http://127.0.0.1:5000/", *command[1:])
        assert other.returncode == 2
        line = other.stderr.strip()
        assert "\n" not in line and "built under base https://facts.example.org/" in line


def _token_auth(store) -> str:
    from base64 import b64encode

    token = json.loads((store / SERVER_FILE).read_text())["token"]
    return "Basic " + b64encode(f"factgraph:{token}".encode()).decode("ascii")


def _post(url: str, data: bytes, content_type: str, auth: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers={"Authorization": auth, "Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_bulk_routes_load_n_quads_whole_and_give_rows(served):
    """``/store/load`` bulk-loads N-Quads all or nothing, ``/store/rows`` gives a SELECT's
    rows as SPARQL JSON; bad input is one line, and nothing of it is written."""
    store, root, _ = served
    auth = _token_auth(store)
    form = "application/x-www-form-urlencoded"
    good = b'<http://example.org/s> <http://example.org/p> "loaded" <http://example.org/g> .\n'
    assert _post(root + "store/load", good, "application/n-quads", "Basic ZmFjdGdyYXBoOndyb25n")[0] == 401
    assert _post(root + "store/load", good, "text/plain", auth)[0] == 415
    bad = b'<http://example.org/s2> <http://example.org/p> "half" <http://example.org/g> .\nnot n-quads\n'
    status, body = _post(root + "store/load", bad, "application/n-quads", auth)
    assert status == 400 and body.decode().count("\n") == 1
    assert _post(root + "store/load", good, "application/n-quads", auth)[0] == 204
    query = "SELECT ?s ?o WHERE { GRAPH <http://example.org/g> { ?s <http://example.org/p> ?o } }"
    status, body = _post(root + "store/rows", urllib.parse.urlencode({"query": query}).encode(), form, auth)
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert [(r["s"]["value"], r["o"]["value"]) for r in rows] == [("http://example.org/s", "loaded")]
    status, body = _post(root + "store/rows", urllib.parse.urlencode({"query": "ASK {}"}).encode(), form, auth)
    assert status == 400 and body.decode().count("\n") == 1
    assert _post(root + "store/rows", b"", form, auth)[0] == 400


def test_an_ingest_through_the_server_writes_what_one_into_the_directory_writes(served, tmp_path):
    """The groups go to ``/store/load``, the refresh's reads to ``/store/rows``: the
    articles' graphs are those an ingest into a directory of its own writes."""
    store, root, _ = served
    texts = [ARTICLE.replace("1.250", n).replace(" date 2021-03-04\n", f" date 2021-03-04\nurl: https://ex.org/{n}\n")
             for n in ("2.001", "2.002", "2.003")]
    files = []
    for i, text in enumerate(texts):
        files.append(tmp_path / f"served-{i}.txt")
        files[-1].write_text(text, encoding="utf-8")
    done = cli("ingest", "--store", str(store), *map(str, files))
    assert done.returncode == 0, done.stderr
    alone = tmp_path / "alone"
    assert cli("ingest", "--store", str(alone), *map(str, files)).returncode == 0
    def article_lines(directory) -> set[str]:
        out = cli("export", "--store", str(directory), "--format", "nquads")
        assert out.returncode == 0, out.stderr
        return {line for line in out.stdout.splitlines() if "/graph/article/served-" in line and "_:" not in line}

    lines = article_lines(alone)  # IRIs under the default base; the server's under its own address
    assert lines and lines <= {line.replace(root, "http://127.0.0.1:5000/") for line in article_lines(store)}
