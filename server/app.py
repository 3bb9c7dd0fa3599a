"""Application factory.

Configuration, lowest to highest precedence: ``DEFAULTS`` below, an instance config
file (``instance/factgraph.cfg`` if present), environment variables prefixed
``FACTGRAPH_`` (``FACTGRAPH_STORE``, ``FACTGRAPH_BASE``, ``FACTGRAPH_QUERY_TIMEOUT``...),
then the ``config`` mapping given to ``create_app`` (tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from factgraph.graph.store import Store
from factgraph.graph.terms import DEFAULT_BASE

DEFAULTS: dict[str, Any] = {
    "STORE": None,  # a directory, ':memory:' or an http(s) SPARQL endpoint; None = default dir
    "UPDATE_URL": None,  # remote update endpoint when it differs from STORE
    "BASE": DEFAULT_BASE,  # base of minted IRIs served by this app
    "QUERY_TIMEOUT": 10.0,  # seconds the queries of one request may run (pages, stored queries, /sparql)
    # every query runs in a worker process (server/query_pool.py, server/worker.py)
    "QUERY_WORKERS": 4,  # worker processes at once
    "SPARQL_WORKERS": 2,  # of which at most this many for /sparql, so pages keep being served
    "QUERY_QUEUE": 32,  # requests waiting for a worker; one more is answered 503 at once
    # seconds a request waits for a worker before a 503: short, so what is answered is answered
    # fast under overload (bench/load.py: p99 0.55 s at 0.5 s, 1.1-1.5 s at 5 s, more 503s)
    "QUERY_QUEUE_WAIT": 0.5,
    "QUERY_MEMORY_MB": 512,  # address space a worker may add to what it had at fork time (0: no cap)
    "ROW_LIMIT": 10000,  # rows a SELECT may return
    "SEARCH_SCAN_ARTICLES": 500,  # article graphs a search page reads at most (a text no claim has: a bounded scan per page)
    # a /sparql lookup of one triple pattern with an IRI (query_policy.lookup_plan) is answered in the
    # serving process when it has at most this many rows; more, or 0 here, go to a worker (server/sparql.py)
    "SPARQL_LOOKUP_ROWS": 1000,
    "MAX_CONTENT_LENGTH": 1 << 20,  # request body cap (bytes)
    # the production server (waitress, `factgraph serve`): bounded threads and connections,
    # idle connections closed, request headers capped; no Server banner
    # threads mostly wait on a worker's pipe: more than QUERY_WORKERS + QUERY_QUEUE, so a request
    # beyond the queue reaches the app and gets its 503 at once instead of waiting in waitress' queue
    "SERVER_THREADS": 40,  # requests served at once
    # open connections at once; more wait in the listen backlog, behind idle ones until they time out.
    # An idle connection costs waitress a few kB: 1000 held open must not keep a new one out (bench/overload.py)
    "SERVER_CONNECTION_LIMIT": 4000,
    "SERVER_CHANNEL_TIMEOUT": 30,  # seconds an idle or half-sent connection is kept
    "SERVER_MAX_HEADER_BYTES": 16384,  # request line and headers
    # set by `factgraph serve` on an embedded store: the token of /store/* (graph/shared_store.py)
    "STORE_TOKEN": None,
    # review (server/accounts.py): on once the users file has an account and SECRET_KEY
    # (FACTGRAPH_SECRET_KEY) is set; USERS, LOGIN_LIMIT and LOGIN_WINDOW are in accounts.DEFAULTS
    "SECRET_KEY": None,
    "STORE_MAX_BODY": 64 << 20,  # body cap of /store/update (an article's graphs in one transaction)
    # answers to anonymous GETs of read-only routes, kept until the store changes (response_cache.py)
    "RESPONSE_CACHE_MB": 64,  # bodies kept at most (0: off)
    "RESPONSE_CACHE_TTL": 0,  # seconds an answer is kept (0: until the store changes; remote stores need > 0)
    # `factgraph serve` reads the values kept per version of the data (the conflict report's keys
    # and filter choices, the article graphs) in the background after writes (read_ahead.py)
    "READ_AHEAD": 1,  # 0: off (the first view after a write reads them)
    "READ_AHEAD_QUIET": 2.0,  # seconds without a write before it reads
    "READ_AHEAD_TIMEOUT": 300.0,  # seconds its worker may take (instead of QUERY_TIMEOUT)
    "READ_AHEAD_NICE": 10,  # its worker's priority lowered by this much (os.nice): requests first; 0: as requests
}


def create_app(config: Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    from .accounts import DEFAULTS as ACCOUNT_DEFAULTS

    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(ACCOUNT_DEFAULTS)
    app.config.from_pyfile("factgraph.cfg", silent=True)
    app.config.from_prefixed_env("FACTGRAPH")
    if config:
        app.config.from_mapping(config)
    app.config["BASE"] = str(app.config["BASE"]).rstrip("/") + "/"
    if store is not None:
        app.extensions["factgraph.store"] = store

    from . import (
        accounts,
        conflicts,
        downloads,
        errors,
        resources,
        response_cache,
        reviews,
        security,
        sparql,
        store_access,
        stored_queries,
    )
    from .pages import routes as page_routes

    app.after_request(security.add_headers)
    response_cache.init_app(app)  # after security: its after_request runs first, so hits get the headers anew
    errors.init_app(app)
    accounts.init_app(app)  # sessions, CSRF, /login and /logout (review is off until a user exists)

    app.register_blueprint(sparql.bp)
    sparql.init_app(app)  # a GET /sparql bounded lookup answered before Flask's request machinery
    app.register_blueprint(stored_queries.bp)  # loads and parses every queries/**/*.rq
    app.register_blueprint(page_routes.bp)
    app.register_blueprint(conflicts.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(reviews.bp)  # review writes (in this process), /review, /claimreview.json
    app.register_blueprint(store_access.bp)  # 404 unless serve set STORE_TOKEN
    app.register_blueprint(resources.bp)  # last: the catch-all for minted IRIs
    return app
