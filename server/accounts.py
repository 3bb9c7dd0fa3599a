"""Who may write: reviewers' sessions, API tokens, CSRF, and the login's rate limit.

Reading stays open; every write needs a reviewer. Review is **on** only when the users
file (``users.py``; setting ``USERS``, from ``FACTGRAPH_USERS`` or beside the store
directory) holds at least one account **and** ``FACTGRAPH_SECRET_KEY`` is set (it signs
the session cookie and the CSRF tokens); otherwise the pages show no form and every write
answers 404 with one line saying why (``review_off``).

- A browser logs in at ``/login`` (name and password, checked against the file on each
  try, so ``factgraph user add`` takes effect without a restart) and gets a session
  cookie signed with the secret (Flask's session; HttpOnly, SameSite=Lax, Secure when the
  base is https). Each request checks that the user still exists (``user remove`` logs
  them out).
- Every form carries a CSRF token: Flask-WTF's ``CSRFProtect`` (maintained, the usual
  choice with Flask), called by the review routes themselves (``protect``), not on every
  POST of the app: ``/sparql`` and ``/store/*`` take POSTs from programs and have no
  session. The token's secret is put in the session in the serving process
  (``ensure_csrf``), because pages are rendered in forked query workers, whose session
  changes would be lost.
- A program writes with ``Authorization: Bearer TOKEN`` (``factgraph user token NAME``);
  no cookie is involved, so no CSRF token either.
- Login is rate-limited in the serving process (one process: waitress' threads): the
  11th try within ``LOGIN_WINDOW`` seconds (60) from one address or for one user name
  answers 429 with ``Retry-After``. A small sliding window (``LoginLimiter``) rather than
  Flask-Limiter, which would bring its storage layer and three more packages for one
  route. Behind a reverse proxy every client has the proxy's address: the per-user limit
  still holds.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.wrappers import Response as BaseResponse

from factgraph.graph import review_store
from factgraph.graph.terms import Iris

from . import users
from .current_store import get_store
from .errors import wants_html
from .pages.language import UI, current_lang
from .pages.rendering import page

bp = Blueprint("accounts", __name__)
csrf = CSRFProtect()

DEFAULTS = {  # merged into the app's defaults (app.py), under the environment's settings
    "USERS": None,  # the users file; None: $FACTGRAPH_USERS or beside the store directory (set by serve)
    "LOGIN_LIMIT": 10,  # login tries allowed per window, per address and per user name
    "LOGIN_WINDOW": 60,  # seconds
    "WTF_CSRF_CHECK_DEFAULT": False,  # the review routes call protect() themselves
    "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session
    "SESSION_COOKIE_NAME": "factgraph_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
}


class LoginLimiter:
    """At most ``limit`` tries per ``window`` seconds for each key (sliding window)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._tries: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def hit(self, *keys: str) -> int:
        """Count a try for every key; 0 if allowed, else the seconds to wait (Retry-After)."""
        now = time.monotonic()
        wait = 0
        with self._lock:
            for key in keys:
                tries = self._tries[key]
                while tries and tries[0] <= now - self.window:
                    tries.popleft()
                if len(tries) >= self.limit:
                    wait = max(wait, math.ceil(tries[0] + self.window - now))
            if not wait:
                for key in keys:
                    self._tries[key].append(now)
            if len(self._tries) > 10000:  # forget keys with no recent try
                for key in [k for k, v in self._tries.items() if not v or v[-1] <= now - self.window]:
                    del self._tries[key]
        return max(wait, 1) if wait else 0


def users_path() -> Path | None:
    path = current_app.config.get("USERS")
    return Path(path) if path else users.default_path(None)


def review_off() -> str | None:
    """Why review is off (one line), or None when it is on."""
    if not users.any_user(users_path()):
        return "review is off: there is no reviewer account yet (factgraph user add NAME)"
    if not current_app.config.get("SECRET_KEY"):
        return "review is off: set FACTGRAPH_SECRET_KEY to sign reviewers' sessions"
    return None


def current_reviewer() -> str | None:
    """The reviewer making this request: by API token, else by session; None if nobody."""
    if "factgraph_reviewer" in g:
        return g.factgraph_reviewer
    name = None
    if review_off() is None:
        auth = request.authorization
        if auth is not None and auth.type == "bearer":
            name = users.token_user(users_path(), auth.token or "")
        else:
            wanted = session.get("reviewer")
            name = wanted if wanted and users.exists(users_path(), wanted) else None
    g.factgraph_reviewer = name
    return name


def by_token() -> bool:
    auth = request.authorization
    return auth is not None and auth.type == "bearer"


def _text(status: int, line: str, headers: dict[str, str] | None = None) -> Response:
    return Response(line + "\n", status=status, mimetype="text/plain", headers=headers or {})


def require_reviewer() -> None:
    """Refuse this write unless review is on, a reviewer makes it, and (with a session) its
    CSRF token is right: 404, 401 (with the login link) or 400."""
    off = review_off()
    if off:
        abort(_text(404, off))
    if current_reviewer() is None:
        if by_token():
            abort(_text(401, "invalid API token", {"WWW-Authenticate": 'Bearer error="invalid_token"'}))
        login = url_for("accounts.login")
        if wants_html():  # a browser: the login form, then back to the page the form was on
            generate_csrf()
            abort(_login_page(401, UI[current_lang()]["login_first"], next_path=_referrer_path()))
        abort(
            _text(
                401,
                f"log in as a reviewer first: {login}",
                {"WWW-Authenticate": 'Bearer realm="factgraph"', "Link": f'<{login}>; rel="login"'},
            )
        )
    if not by_token():
        csrf.protect()


def ensure_csrf() -> None:
    """Put the CSRF secret in the session here, in the serving process (see the docstring)."""
    if review_off() is None and current_reviewer() is not None and not by_token():
        generate_csrf()


def private_pages(resp: BaseResponse) -> BaseResponse:
    """A reviewer's pages carry their forms and CSRF token: never kept by a shared cache."""
    if g.get("factgraph_reviewer") and not by_token():
        resp.headers.setdefault("Cache-Control", "private, no-store")
    return resp


def _referrer_path() -> str | None:
    """The path of the page a form was sent from, when it is this site's."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site, never another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _limiter() -> LoginLimiter:
    app = current_app
    limiter = app.extensions.get("factgraph.login_limiter")
    if limiter is None:
        limiter = LoginLimiter(int(app.config["LOGIN_LIMIT"]), float(app.config["LOGIN_WINDOW"]))
        app.extensions["factgraph.login_limiter"] = limiter
    return limiter


def _login_page(status: int = 200, error: str | None = None, next_path: str | None = None) -> Response:
    t = UI[current_lang()]
    resp = page(
        "login.html",
        title=t["login"],
        error=error,
        off=review_off(),
        next=_safe_next(next_path or request.values.get("next")),
    )
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    if request.method == "GET":
        if review_off() is None:
            generate_csrf()
        return _login_page(404 if review_off() else 200)
    off = review_off()
    if off:
        return _text(404, off)
    name = request.form.get("name", "").strip().lower()
    wait = _limiter().hit(f"addr:{request.remote_addr}", f"user:{name}")
    if wait:
        return _text(429, f"too many login tries: wait {wait} s", {"Retry-After": str(wait)})
    csrf.protect()
    t = UI[current_lang()]
    if not users.check_password(users_path(), name, request.form.get("password", "")):
        return _login_page(401, t["login_wrong"])
    # the reviewer's public agent ({base}reviewer/NAME in graph/reviewers, name only) is written
    # here, at their first login (or first API write): a refused write later leaves the store as it was
    review_store.ensure_reviewer(get_store(), Iris(current_app.config["BASE"]), name)
    session.clear()  # a new session for the new login (no fixation)
    session["reviewer"] = name
    generate_csrf()
    return redirect(_safe_next(request.form.get("next")), code=303)


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    if review_off() is None and session.get("reviewer"):
        csrf.protect()
    session.clear()
    return redirect("/", code=303)


def csrf_error(exc: CSRFError) -> Response:
    return _text(400, f"{exc.description} Reload the page and send the form again.")


def init_app(app: Flask) -> None:
    if str(app.config.get("BASE", "")).startswith("https:"):
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, csrf_error)
    app.before_request(ensure_csrf)
    app.after_request(private_pages)

    @app.context_processor
    def reviewer_context() -> dict:
        return {"reviewer": current_reviewer(), "review_on": review_off() is None}

    app.register_blueprint(bp)
