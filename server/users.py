"""The reviewers' accounts: a users file, never the RDF store.

Where: ``$FACTGRAPH_USERS`` if set, else beside the embedded store directory, named after
it (``~/.local/share/factgraph/store`` -> ``~/.local/share/factgraph/store.users.json``).
A remote or in-memory store has no default: set ``FACTGRAPH_USERS``. The file is JSON,
written whole to a temporary file then renamed (a reader never sees half of it), mode
0600 (it holds hashes, which are worth guessing against).

Passwords are hashed with Werkzeug's ``generate_password_hash`` (scrypt, n=2^15, r=8,
p=1, a random salt each): Werkzeug is maintained with Flask, already a dependency, and
scrypt is memory-hard, which is what OWASP asks of a password hash; argon2-cffi would
add a compiled dependency for the same protection. API tokens are 256 random bits
(``secrets``), shown once, stored as their SHA-256: a token cannot be guessed, so a fast
hash is enough, and a request is checked without scrypt's cost.

Nothing here knows Flask or RDF: the ``factgraph user`` command and the app's accounts
(``accounts.py``) both use it. A reviewer's public side, an agent in
``{base}graph/reviewers`` with a name and never a password, is the graph side's
(``graph/review_store.py``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")  # a reviewer's name is the last segment of its IRI
MIN_PASSWORD = 8
TOKEN_PREFIX = "fgt_"
FORMAT = 1


class UsersError(ValueError):
    """A user-facing error about accounts, one line."""


@dataclass(frozen=True)
class User:
    name: str
    created: str
    tokens: int  # how many API tokens it has


def default_path(store_directory: Path | None) -> Path | None:
    """``$FACTGRAPH_USERS``, else ``STORE.users.json`` beside a store directory, else None."""
    if os.environ.get("FACTGRAPH_USERS"):
        return Path(os.environ["FACTGRAPH_USERS"])
    if store_directory is None:
        return None
    store_directory = Path(store_directory)
    return store_directory.with_name(store_directory.name + ".users.json")


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name or ""):
        raise UsersError(
            f"user name {name!r}: use 1-32 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def _load(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"format": FORMAT, "users": {}}
    except OSError as exc:
        raise UsersError(f"cannot read the users file {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
        if not isinstance(data.get("users"), dict):
            raise ValueError("no 'users' object")
    except (ValueError, AttributeError) as exc:
        raise UsersError(f"the users file {path} is not factgraph's: {exc}") from exc
    return data


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".users-", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
            out.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def users(path: Path | None) -> list[User]:
    """The accounts of the file at ``path`` (none when there is no file or no path)."""
    if path is None:
        return []
    data = _load(path)
    return [
        User(name, entry.get("created", ""), len(entry.get("tokens", [])))
        for name, entry in sorted(data["users"].items())
    ]


def any_user(path: Path | None) -> bool:
    try:
        return bool(users(path))
    except UsersError:
        return False


def add(path: Path, name: str, password: str, replace: bool = False) -> User:
    """A new account (or, with ``replace``, a new password for an existing one)."""
    check_name(name)
    if len(password) < MIN_PASSWORD:
        raise UsersError(f"the password is too short: at least {MIN_PASSWORD} characters")
    data = _load(path)
    entry = data["users"].get(name)
    if entry is not None and not replace:
        raise UsersError(f"user {name!r} exists (use --replace to set a new password)")
    entry = entry or {"created": _now(), "tokens": []}
    entry["password"] = generate_password_hash(password)
    data["users"][name] = entry
    _save(path, data)
    return User(name, entry["created"], len(entry["tokens"]))


def remove(path: Path, name: str) -> None:
    data = _load(path)
    if name not in data["users"]:
        raise UsersError(f"no user {name!r} in {path}")
    del data["users"][name]
    _save(path, data)


def new_token(path: Path, name: str) -> str:
    """A new API token for ``name``: returned once, stored as its hash."""
    data = _load(path)
    if name not in data["users"]:
        raise UsersError(f"no user {name!r} in {path}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    data["users"][name].setdefault("tokens", []).append({"sha256": _digest(token), "created": _now()})
    _save(path, data)
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so a wrong name costs the same time."""
    return generate_password_hash("not a password of anyone")


def check_password(path: Path | None, name: str, password: str) -> bool:
    if path is None:
        return False
    entry = _load(path)["users"].get(name)
    if entry is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(entry["password"], password)


def token_user(path: Path | None, token: str) -> str | None:
    """The user whose API token ``token`` is, or None."""
    if path is None or not token.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(token)
    for name, entry in _load(path)["users"].items():
        for stored in entry.get("tokens", []):
            if hmac.compare_digest(stored.get("sha256", ""), digest):
                return name
    return None


def exists(path: Path | None, name: str) -> bool:
    return path is not None and name in _load(path)["users"]
