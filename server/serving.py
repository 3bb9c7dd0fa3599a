"""The production server: waitress, configured from the app's ``SERVER_*`` settings.

Waitress answers some requests itself, before the app sees them: a request line or
headers over ``SERVER_MAX_HEADER_BYTES`` (431), a body over ``MAX_CONTENT_LENGTH``
(413), a malformed request (400). Those responses are built by waitress' ``ErrorTask``;
``SecureErrorTask`` adds the security headers of ``security.py`` to them, and the server's
channels use it (``HTTPChannel.error_task_class``, set on the server's ``channel_class``).

Connections: waitress serves them from one thread with ``poll`` (``select`` stops at
1024 descriptors); at most ``SERVER_CONNECTION_LIMIT`` at once (4000: the soft limit of
open files is raised to match), idle or half-sent ones closed after
``SERVER_CHANNEL_TIMEOUT`` seconds. Beyond the limit, new connections wait in the listen
backlog behind idle ones: with the old limit of 200, 1000 idle connections kept a normal
request out for over 120 s (``bench/overload.py``). Many more than that from one client
is for a reverse proxy or the firewall to refuse. Requests run on ``SERVER_THREADS``
threads; the queries they run on the bounded pool of ``query_pool.py``.
"""

from __future__ import annotations

import resource
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from .security import HEADERS


class SecureErrorTask(ErrorTask):
    """Waitress' own error response, with the security headers."""

    def execute(self) -> None:
        self.response_headers.extend(HEADERS.items())
        super().execute()


class SecureChannel(HTTPChannel):
    error_task_class = SecureErrorTask


def _allow_descriptors(wanted: int) -> None:
    """Raise the soft limit of open files to ``wanted`` (at most the hard limit): the
    common default of 1024 would refuse connections long before the connection limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def make_server(app: Flask, host: str, port: int) -> Any:
    """A waitress server for ``app`` on ``host:port`` (not started: call ``run()``)."""
    cfg = app.config
    _allow_descriptors(int(cfg["SERVER_CONNECTION_LIMIT"]) + 256)  # connections, the store's files, workers' pipes
    server = create_server(
        app,
        host=host,
        port=port,
        threads=int(cfg["SERVER_THREADS"]),
        connection_limit=int(cfg["SERVER_CONNECTION_LIMIT"]),
        channel_timeout=int(cfg["SERVER_CHANNEL_TIMEOUT"]),
        cleanup_interval=max(1, int(cfg["SERVER_CHANNEL_TIMEOUT"]) // 2),
        max_request_header_size=int(cfg["SERVER_MAX_HEADER_BYTES"]),
        # /store/update (the store's token only) takes a whole article's graphs in one transaction
        max_request_body_size=int(cfg["STORE_MAX_BODY"] if cfg.get("STORE_TOKEN") else cfg["MAX_CONTENT_LENGTH"]),
        asyncore_use_poll=True,
        ident="",
        expose_tracebacks=False,
    )
    servers = [server] if hasattr(server, "channel_class") else list(server.map.values())
    for one in servers:
        if hasattr(one, "channel_class"):
            one.channel_class = SecureChannel
    return server
