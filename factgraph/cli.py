"""The ``factgraph`` command.

It lives beside the library and the app rather than in ``graph/`` because ``serve``
starts the Flask app, and ``graph/`` never imports Flask.

Every user error is one line on stderr naming what is wrong, exit code 2; nothing in
the store is changed by a failed command.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from factgraph import __version__

EXIT_USAGE = 2


class CommandError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def _store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", help="store directory, ':memory:', or an http(s):// SPARQL query endpoint "
                                   "(default: $FACTGRAPH_STORE or ~/.local/share/factgraph/store)")
    p.add_argument("--update-url", default=os.environ.get("FACTGRAPH_UPDATE_URL"),
                   help="SPARQL update endpoint of a remote store, when it differs from --store "
                        "(also $FACTGRAPH_UPDATE_URL; credentials from $FACTGRAPH_SPARQL_USER/_PASSWORD)")
    p.add_argument("--base", default=None, help="base IRI of minted resources (default: $FACTGRAPH_BASE "
                                                "or http://127.0.0.1:5000/)")


def _directory(args: argparse.Namespace) -> Path | None:
    """The store directory ``--store`` names (or the default one); None for ``:memory:``
    and remote stores."""
    from factgraph.graph.store import default_store_path

    if args.store is None:
        return default_store_path()
    if args.store == ":memory:" or str(args.store).startswith(("http://", "https://")):
        return None
    return Path(args.store)


# set by ``console``: the process ends when the command does (tests call ``main`` and go on)
_EXITING = False


def _open(args: argparse.Namespace, quiet: bool = False):
    """The store: a directory is opened here, or reached through the ``factgraph serve``
    that holds it, or waited for while another command has it (graph/shared_store.py)."""
    from factgraph.graph import shared_store
    from factgraph.graph.store_spec import open_store

    directory = _directory(args)
    store = (shared_store.open_directory(directory, tell_served=not quiet) if directory is not None
             else open_store(args.store, update_url=args.update_url))
    store.collect_on_close = not _EXITING  # the program's exit frees the directory (``console``)
    return store


def _given_base(args: argparse.Namespace) -> str | None:
    base = args.base or os.environ.get("FACTGRAPH_BASE")
    return None if not base else base if base.endswith("/") else base + "/"


def _base(args: argparse.Namespace, store=None, default: str | None = None) -> str:
    """The base IRI of minted resources: ``--base`` (or ``$FACTGRAPH_BASE``), else the one
    the store was built under, else ``default`` (``serve``: its own address), else
    http://127.0.0.1:5000/. A store built under another base than the one given is refused:
    its IRIs would not dereference, and new ones would not meet the old."""
    from factgraph.graph.terms import DEFAULT_BASE
    from factgraph.graph.vocabulary import stored_base

    given = _given_base(args)
    stored = stored_base(store) if store is not None else None
    if given and stored and given != stored:
        raise CommandError(f"the store was built under base {stored}, not {given}: "
                           f"use --base {stored}, or another store for {given}")
    return given or stored or default or DEFAULT_BASE


def _iris(args: argparse.Namespace, store=None, default: str | None = None):
    from factgraph.graph.terms import Iris

    return Iris(_base(args, store, default))


def _writing(args: argparse.Namespace):
    """The writer lock of the store directory, held for a whole writing command (a
    no-op for in-memory and remote stores)."""
    import contextlib

    from factgraph.graph import shared_store

    directory = _directory(args)
    return shared_store.writer_lock(directory) if directory is not None else contextlib.nullcontext()


# A figure in running text: digits with thousands or decimal separators ("1.302",
# "3 800", "2,5"), or a bare number of two digits or more.
# Digits glued to letters, hyphens or slashes (COVID-19, 2023-09-14, A4) are names or
# dates, not figures.
FIGURE = re.compile(r"(?<![\w.,/-])(?:\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)?)(?![\w/-])")
YEAR = re.compile(r"1[5-9]\d\d|20\d\d")


def has_figures(body: str) -> bool:
    """Whether ``body`` holds a figure: a number with a separator, or of two digits or
    more, that is not a four-digit year."""
    for m in FIGURE.finditer(body):
        text = m.group()
        if not text.isdigit():
            return True
        if len(text) >= 2 and not (len(text) == 4 and YEAR.fullmatch(text)):
            return True
    return False


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes, 1 or more, got {text!r}")
    return int(text)


def cmd_ingest(args: argparse.Namespace) -> int:
    from factgraph.graph import identity
    from factgraph.graph.catalogue import query_text
    from factgraph.graph.model import Extraction
    from factgraph.graph.pipeline import ingest
    from factgraph.graph.preparation import default_workers

    def progress(items, count):
        if count < 5 or not sys.stderr.isatty():  # no bar: tqdm (20-50 ms to import) is not needed
            return items
        from tqdm import tqdm

        return tqdm(items, total=count, desc="storing", unit="article")

    if args.url and len(args.files) != 1:
        raise CommandError("--url gives the address of one article: name one FILE")
    urls = {str(args.files[0]): args.url} if args.url else None
    # what the report prints of each article, kept small: the extractions (each with its
    # article's text) are not kept, so memory does not grow with the batch
    taken: list[tuple[str, str, int, identity.Plan, bool]] = []

    def note(x: Extraction, plan: identity.Plan) -> None:
        silent = not x.claims and has_figures(x.article.text[x.article.body_start:])
        taken.append((x.article.file_name, x.article.id, len(x.claims), plan, silent))

    with _writing(args), _open(args) as store:
        done = ingest(store, args.files, _iris(args, store), progress=progress, strict=args.strict, urls=urls,
                      workers=args.workers or default_workers(), each=note, keep=False)
        # the ingest judged again only what its claims can meet: count the store's conflicts
        n_conflicts = sum(int(row[0]) for row in store.query(query_text("pages/conflict_count_all")))  # type: ignore[index]
    for error in done.errors:  # a bad article is named and left out; the others are stored
        print(f"factgraph ingest: error: {error} (left out)", file=sys.stderr)
    # one line per file, in the order given; a file with figures but no claim is named
    # on stderr (nothing in it was attributed, or nothing counted was recognised)
    names = [str(f) for f in args.files] if len(args.files) == len(taken) else [t[0] for t in taken]
    for name, (_, stored_as, n, plan, silent) in zip(names, taken, strict=True):
        print(f"{name}: {n} claim(s)")
        for replaced in plan.replaces:  # same url, or same text (whatever the file name)
            print(f"{name}: replaced article {replaced}")
        if plan.same_named:
            print(f"note: {name}: an article with the same file name is stored ({', '.join(plan.same_named)}); "
                  f"kept both as their texts differ (stored as {stored_as}; a url: header line says which "
                  "article a file is)", file=sys.stderr)
        if silent:
            print(f"warning: {name}: figures found but no claim read (nothing attributed or counted)",
                  file=sys.stderr)
    n_claims = sum(t[2] for t in taken)
    print(f"ingested {len(taken)} article(s), {n_claims} claim(s); "
          f"{n_conflicts} conflict(s) in the store" + (f"; {len(done.errors)} left out" if done.errors else ""))
    return EXIT_USAGE if done.errors else 0


def _query_text(arg: str) -> str:
    p = Path(arg)
    if arg.endswith(".rq") or (len(arg) < 256 and "{" not in arg and p.exists()):
        if not p.is_file():
            raise CommandError(f"{arg}: no such query file")
        return p.read_text(encoding="utf-8")
    return arg


def _cell(term) -> str:
    return "" if term is None else str(term)


def cmd_query(args: argparse.Namespace) -> int:
    text = _query_text(args.query)
    with _open(args) as store:
        res = store.query(text)
        if res.type == "ASK":
            print(json.dumps({"boolean": bool(res.askAnswer)}) if args.format == "json" else str(bool(res.askAnswer)).lower())
            return 0
        if res.type in ("CONSTRUCT", "DESCRIBE"):
            sys.stdout.write(res.graph.serialize(format="json-ld" if args.format == "json" else "turtle"))
            return 0
        names = [str(v) for v in res.vars]
        rows = [[_cell(r[i]) for i in range(len(names))] for r in res]
    _print_rows(names, rows, args.format)
    return 0


def _print_rows(names: list[str], rows: list[list[str]], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([dict(zip(names, r, strict=True)) for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(names)
        w.writerows(rows)
    else:
        widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
        print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
        print("  ".join("-" * w for w in widths))
        for r in rows:
            print("  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths, strict=True)))
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def cmd_extract(args: argparse.Namespace) -> int:
    from factgraph.graph.pipeline import extract_json

    if not args.json:
        raise CommandError("extract: only --json output exists; add --json")
    out = extract_json(args.files, _iris(args))
    for error in out["errors"]:
        print(f"factgraph extract: error: {error} (left out)", file=sys.stderr)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from factgraph.graph import conflicts

    with _writing(args), _open(args) as store:
        found = [c for c in conflicts.refresh(store, _iris(args, store)) if c.is_conflict or args.all]
    rows = conflicts.report_rows(found)
    names = ["kind", "severity", "a", "b", "ratio", "explanation"]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    _print_rows(names, [[_cell(r.get(n)) for n in names] for r in rows], args.format)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import signal

    from factgraph.graph import shared_store
    from factgraph.graph.pipeline import ensure_corpus, ensure_current
    from factgraph.server import create_app

    directory = _directory(args)
    with _writing(args):
        store = _open(args, quiet=True)
        if isinstance(store, shared_store.ServedStore):
            raise CommandError(f"{directory} is already served by factgraph serve (pid {store.server.pid}) "
                               f"at {store.server.url}")
        loopback = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(args.host, args.host)
        here = f"http://{f'[{loopback}]' if ':' in loopback else loopback}:{args.port}/"
        try:
            iris = _iris(args, store, default=here)  # minted IRIs dereference here unless --base says where
        except CommandError:
            store.close()
            raise
        if ensure_corpus(store, iris):
            print("the store was empty: ingested the built-in corpus", file=sys.stderr)
        else:
            if ensure_current(store, iris):
                print("the conflicts were flagged stale (an ingest did not finish): recomputed them", file=sys.stderr)
            if iris.base != here and not _given_base(args):
                print(f"warning: the store was built under base {iris.base}: its IRIs are served as they are, "
                      f"and dereference only where that base points", file=sys.stderr)
    config: dict = {"BASE": iris.base}
    announced = None
    if directory is not None:  # the other commands reach this store through us while we hold it
        announced = shared_store.ServerFile.new(here)
        config["STORE_TOKEN"] = announced.token
    from factgraph.server.users import default_path

    users_file = default_path(directory)  # $FACTGRAPH_USERS, else beside the store directory
    if users_file is not None:
        config["USERS"] = str(users_file)
    app = create_app(config, store=store)
    with app.app_context():
        from factgraph.graph.review import ReviewError
        from factgraph.server.accounts import review_off
        from factgraph.server.pages.reviewing import rating_scale

        try:
            rating_scale()  # a bad FACTGRAPH_RATING_SCALE stops here, in one line, not on a page
        except ReviewError as exc:
            store.close()
            raise CommandError(str(exc)) from exc
        print(review_off() or f"review is on: reviewers' accounts in {app.config['USERS']}", file=sys.stderr)
    print(f"factgraph {__version__} serving on http://{args.host}:{args.port}/ (SPARQL at /sparql), "
          f"IRIs under {iris.base}" + (" with the development server" if args.dev else ""), file=sys.stderr)
    # SIGTERM ends the server like Ctrl-C: the server file is withdrawn, the store flushed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if announced is not None and directory is not None:
            shared_store.announce(directory, announced)
        _run_server(app, args)
    finally:
        if announced is not None and directory is not None:
            shared_store.withdraw(directory, announced)
        store.close()
    return 0


def _run_server(app, args: argparse.Namespace) -> None:
    if args.dev:
        from werkzeug.serving import run_simple

        run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
        return
    # waitress: a production WSGI server that is pure Python (no compiler, runs where factgraph
    # runs), threaded in one process (the embedded store allows one process), with connection,
    # header and idle limits of its own; gunicorn's pre-fork workers would each open the store.
    # Settings and the security headers of its own error pages: server/serving.py
    from factgraph.server import read_ahead
    from factgraph.server.bounded_views import warm
    from factgraph.server.serving import make_server

    with app.app_context():
        warm()  # templates, stored queries, ontology: loaded once here, not in every query worker
    # the report's keys and choices and the article graphs, read after each write, not by a reader
    ahead = read_ahead.start(app)
    try:
        make_server(app, args.host, args.port).run()
    finally:
        if ahead is not None:
            ahead.stop()


def cmd_export(args: argparse.Namespace) -> int:
    from factgraph.graph import export

    store = _open(args)
    try:
        base = _base(args, store)
        if args.output:
            with open(args.output, "wb") as out:
                export.dump(store, out, args.format, base)
        else:
            export.dump(store, sys.stdout.buffer, args.format, base)
            sys.stdout.buffer.flush()
    finally:
        store.close()
    return 0


def _users_path(args: argparse.Namespace) -> Path:
    from factgraph.server.users import default_path

    path = Path(args.users) if args.users else default_path(_directory(args))
    if path is None:
        raise CommandError("a remote or in-memory store has no users file beside it: give --users FILE "
                           "(or set FACTGRAPH_USERS)")
    return path


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask the password on: use --password-stdin")
    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise CommandError("the two passwords differ")
    return password


def cmd_user(args: argparse.Namespace) -> int:
    from factgraph.server import users

    path = _users_path(args)
    try:
        if args.action == "list":
            for user in users.users(path):
                print(f"{user.name}\t{user.created}\t{user.tokens} token(s)")
            return 0
        if not args.name:
            raise CommandError(f"user {args.action}: a NAME is needed")
        if args.action == "add":
            users.check_name(args.name)
            users.add(path, args.name, _read_password(args), replace=args.replace)
            print(f"user {args.name} saved in {path}", file=sys.stderr)
            if args.token:
                print(users.new_token(path, args.name))
        elif args.action == "token":
            print(users.new_token(path, args.name))
        elif args.action == "remove":
            users.remove(path, args.name)
            print(f"user {args.name} removed from {path}", file=sys.stderr)
    except users.UsersError as exc:
        raise CommandError(str(exc)) from exc
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="factgraph", description="A fact-checking knowledge graph of attributed figures.")
    parser.add_argument("--version", action="version", version=f"factgraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add articles to the store (the same url or text again replaces)")
    _store_options(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--strict", action="store_true",
                   help="stop the whole batch, before any write, at the first bad article (default: leave it out)")
    p.add_argument("--url", help="the address of the article (one FILE), when its file has no 'url:' header line: "
                                 "its identity, so a later ingest of the same address replaces it")
    p.add_argument("--workers", type=_workers, metavar="N",
                   help="processes preparing the articles while one writes them (default: the cores available)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("query", help="run a SPARQL query (text or .rq file) and print the results")
    _store_options(p)
    p.add_argument("query", metavar="QUERY_OR_FILE")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("extract", help="run the whole pipeline over files in a throw-away store, print JSON")
    p.add_argument("--json", action="store_true", help="print the JSON of EVAL.md (the only output)")
    p.add_argument("--base", default=None)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("conflicts", help="recompute and list the conflicts between claims in the store")
    _store_options(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--all", action="store_true", help="also list corroborations")
    p.set_defaults(func=cmd_conflicts)

    p = sub.add_parser("export", help="write the graph: TriG/N-Quads (named graphs kept), Turtle/JSON-LD "
                                      "(default view) or schema.org ClaimReview JSON-LD")
    _store_options(p)
    p.add_argument("--format", choices=("trig", "nquads", "turtle", "jsonld", "claimreview"), default="trig")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", help="serve the graph (ingests the built-in corpus into an empty store)")
    _store_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--dev", action="store_true", help="Werkzeug's development server instead of waitress")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("user", help="reviewers' accounts: add, list, remove, or give an API token "
                                    "(kept in a users file, never in the store)")
    p.add_argument("action", choices=("add", "list", "remove", "token"))
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--store", help="the store the users review (default: $FACTGRAPH_STORE or "
                                   "~/.local/share/factgraph/store); its users file is STORE.users.json")
    p.add_argument("--users", default=None, metavar="FILE",
                   help="the users file (default: $FACTGRAPH_USERS, else beside the store directory)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input's "
                                                                  "first line instead of a prompt")
    p.add_argument("--replace", action="store_true", help="add: set a new password for an existing user")
    p.add_argument("--token", action="store_true", help="add: also print a new API token (shown once)")
    p.set_defaults(func=cmd_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from factgraph.graph.article import ArticleError
    from factgraph.graph.store import StoreError
    from factgraph.graph.validation import ValidationError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ArticleError, StoreError, ValidationError, CommandError) as exc:
        print(f"factgraph {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"factgraph {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: one line for the user, the trace on demand
        if os.environ.get("FACTGRAPH_DEBUG"):
            raise
        print(f"factgraph {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(a bug in factgraph: please report it; FACTGRAPH_DEBUG=1 shows the trace)".replace("\n", " "),
              file=sys.stderr)
        return 1


def console() -> None:
    """The ``factgraph`` program: ``main``, then the interpreter's exit without its final
    collections walking what the command held. Python collects every container again as it
    shuts down; after an ingest (the gazetteer's index, the compiled tables and shapes) that
    took 0.13-0.14 s of the command's 2 s at 100 articles, 0.03 s with them frozen
    (``gc.freeze``: they are left to the operating system, as a forked worker's are).
    Everything the command writes is closed and flushed by then (the store by its
    ``close``, files by their ``with`` blocks, stdout and stderr by Python's exit). Tests
    call ``main`` and keep their collector."""
    global _EXITING
    _EXITING = True  # the command's store is closed without a collection: the exit frees it
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    console()
