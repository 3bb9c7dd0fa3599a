"""Reviewers' accounts (issue #12): the ``factgraph user`` command, the users file, login,
sessions, CSRF and the login's rate limit, through Flask's test client."""

from __future__ import annotations

import re
import stat
import subprocess
import sys

import pytest

from factgraph.server import create_app, users
from factgraph.server.accounts import LoginLimiter

SECRET = "test secret, not for production"


def run_cli(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "factgraph", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_user_add_list_token_remove_through_the_command(tmp_path):
    store = tmp_path / "store"
    done = run_cli(
        "user", "add", "alice", "--store", str(store), "--password-stdin", "--token", stdin="correct horse\n"
    )
    assert done.returncode == 0, done.stderr
    path = tmp_path / "store.users.json"  # beside the store directory, named after it
    assert path.exists() and not store.exists()  # the store itself is not touched
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = done.stdout.strip()
    assert token.startswith(users.TOKEN_PREFIX)
    text = path.read_text()
    assert "correct horse" not in text and token not in text  # hashes only
    assert users.check_password(path, "alice", "correct horse")
    assert not users.check_password(path, "alice", "wrong horse")
    assert users.token_user(path, token) == "alice"
    listed = run_cli("user", "list", "--users", str(path))
    assert listed.returncode == 0 and listed.stdout.startswith("alice\t") and "1 token(s)" in listed.stdout
    again = run_cli("user", "add", "alice", "--users", str(path), "--password-stdin", stdin="another one\n")
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "exists" in again.stderr
    assert run_cli("user", "remove", "alice", "--users", str(path)).returncode == 0
    assert users.users(path) == []


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("Alice Smith", "long enough", "user name"),
        ("bob", "short", "too short"),
        ("../x", "long enough", "user name"),
    ],
)
def test_user_add_refuses_bad_input_in_one_line(tmp_path, name, password, message):
    done = run_cli(
        "user", "add", name, "--users", str(tmp_path / "u.json"), "--password-stdin", stdin=password + "\n"
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert not (tmp_path / "u.json").exists()


def test_a_remote_store_needs_a_users_file_named(tmp_path):
    done = run_cli("user", "list", "--store", "http://127.0.0.1:9/sparql", env={"FACTGRAPH_USERS": ""})
    assert done.returncode == 2 and "--users" in done.stderr


def make_client(tmp_path, with_user=True, secret=SECRET, **config):
    path = tmp_path / "users.json"
    if with_user:
        users.add(path, "alice", "correct horse")
    app = create_app(
        {"STORE": ":memory:", "USERS": str(path), "SECRET_KEY": secret, "TESTING": True, **config}
    )
    return app.test_client()


def csrf_of(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def login(client, password="correct horse", token=None, name="alice"):
    token = token or csrf_of(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})


def test_review_is_off_until_a_user_exists(tmp_path):
    client = make_client(tmp_path, with_user=False)
    resp = client.get("/login")
    assert resp.status_code == 404 and "no reviewer account yet" in resp.get_data(as_text=True)
    resp = client.post("/login", data={"name": "alice", "password": "x"})
    assert resp.status_code == 404
    assert (
        resp.get_data(as_text=True)
        == "review is off: there is no reviewer account yet (factgraph user add NAME)\n"
    )
    home = client.get("/").get_data(as_text=True)
    assert "/login" not in home and "review-counts" not in home  # no login link, no queue


def test_review_is_off_without_a_secret_key(tmp_path):
    client = make_client(tmp_path, secret=None)
    resp = client.post("/login", data={"name": "alice", "password": "correct horse"})
    assert resp.status_code == 404 and "FACTGRAPH_SECRET_KEY" in resp.get_data(as_text=True)


def test_login_and_logout(tmp_path):
    client = make_client(tmp_path)
    assert 'href="/login' in client.get("/").get_data(as_text=True)
    resp = login(client)
    assert resp.status_code == 303 and resp.headers["Location"] == "/"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/").get_data(as_text=True)
    assert "alice" in home and 'action="/logout"' in home
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/logout", data={}).status_code == 400  # logging out is a form too
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_401(tmp_path):
    client = make_client(tmp_path)
    resp = login(client, password="wrong horse")
    assert resp.status_code == 401 and "Wrong name or password." in resp.get_data(as_text=True)
    resp = login(client, name="mallory")
    assert resp.status_code == 401


def test_login_without_csrf_token_is_400(tmp_path):
    client = make_client(tmp_path)
    resp = client.post("/login", data={"name": "alice", "password": "correct horse"})
    assert resp.status_code == 400 and "CSRF token is missing" in resp.get_data(as_text=True)
    resp = login(client, token="forged")
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)


def test_the_eleventh_login_try_in_a_minute_is_429(tmp_path):
    client = make_client(tmp_path)
    token = csrf_of(client)
    for _ in range(10):
        assert login(client, password="wrong horse", token=token).status_code == 401
    resp = login(client, token=token)  # even the right password: the 11th try
    assert resp.status_code == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 60
    assert "too many login tries" in resp.get_data(as_text=True)


def test_the_limit_holds_per_user_from_many_addresses(tmp_path):
    client = make_client(tmp_path)
    token = csrf_of(client)
    for i in range(10):
        resp = client.post(
            "/login",
            data={"name": "alice", "password": "guess", "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        )
        assert resp.status_code == 401
    resp = client.post(
        "/login",
        data={"name": "alice", "password": "correct horse", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert resp.status_code == 429


def test_login_limiter_window_slides():
    limiter = LoginLimiter(2, 60)
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") > 0
    assert limiter.hit("b") == 0  # another key is counted apart
    limiter.window = 0  # every earlier try is now out of the window
    assert limiter.hit("a") == 0


def test_login_goes_back_only_to_this_site(tmp_path):
    client = make_client(tmp_path)
    token = csrf_of(client)
    resp = client.post(
        "/login",
        data={"name": "alice", "password": "correct horse", "csrf_token": token, "next": "//evil.example/x"},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/"


def test_serve_refuses_a_bad_rating_scale_in_one_line(tmp_path, seed_dir):
    scale = tmp_path / "scale.json"
    scale.write_text('{"ratings": [{"key": "true"}]}')
    # a store with articles: serve checks the scale after its start-up ingest of an empty store
    store = seed_dir(tmp_path / "store")
    done = run_cli("serve", "--store", str(store), "--port", "9", env={"FACTGRAPH_RATING_SCALE": str(scale)})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("factgraph serve: error: FACTGRAPH_RATING_SCALE")
