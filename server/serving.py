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

Two changes to waitress for the ``/sparql`` lookup (issue #14; measured in docs/performance.md,
"`/sparql` lookups, session 9"), the bytes sent unchanged:

- ``OneSendTask``: an answer whose body comes in one piece of its ``Content-Length`` (what
  Flask and the lookup shortcut give) is handed to the socket with its head in one write,
  where waitress writes the head and then the body (two ``send`` calls, two segments);
- ``InlineAnswers``: an app may offer, as ``app.extensions["factgraph.inline"]``, a callable
  that answers some requests in bounded time from their method, path, query string and
  ``Accept`` header (given as a WSGI environ holding only those: ``sparql.LookupShortcut
  .inline``, a bounded lookup) or returns None. waitress' I/O thread asks it when what one read
  brought is one whole plain request, and writes the answer itself: no request parser, task,
  environ, hand-off to a request thread and wake-up back through waitress' trigger pipe
  (``InlineAnswers.plain_request`` says which requests: ``GET``, HTTP/1.1, no body, every
  header line as waitress' parser accepts it, no ``Connection`` header, one ``Accept`` at
  most), unless requests are waiting in waitress' queue for a request thread (this one would
  pass them). Clients at once are answered in turn on the I/O thread: at 1M claims a lookup
  costs the serving process about 0.24 ms of CPU there against 0.6 ms through a request
  thread and Flask, so one core answers 2.4 times as many (docs/performance.md, "`/sparql`
  throughput, session 10"; session 9 sent clients at once to the request threads).
  Anything else, including every request the answerer declines, goes to waitress as before
  (the same errors, the same request threads).
"""

from __future__ import annotations

import re
import resource
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.rfc7230 import HEADER_FIELD_RE
from waitress.server import create_server
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import build_http_date

from .security import HEADERS

# (status, headers, body): what an inline answerer gives (``InlineAnswers``)
Answer = tuple[str, list[tuple[str, str]], bytes]


class SecureErrorTask(ErrorTask):
    """Waitress' own error response, with the security headers."""

    def execute(self) -> None:
        self.response_headers.extend(HEADERS.items())
        super().execute()


class OneSendTask(WSGITask):
    """waitress' WSGI task, writing the head and a body given whole in one piece together."""

    def write(self, data: bytes) -> None:
        length = self.content_length
        started: bool = self.wrote_header  # type: ignore[has-type]  # waitress' class attribute
        if started or not data or not self.complete or length is None or len(data) != length:
            super().write(data)  # the head alone, then the body as waitress writes it
            return
        head = self.build_response_header()  # a Content-Length: never chunked
        self.wrote_header = True
        if not self.has_body:  # 204, 304: waitress drops the body (and logs it)
            self.channel.write_soon(head)
            super().write(data)
            return
        self.content_bytes_written += length
        self.channel.write_soon(head + data)


class SecureChannel(HTTPChannel):
    error_task_class = SecureErrorTask
    task_class = OneSendTask

    inline: InlineAnswers | None = None  # set per server by make_server

    def handle_read(self) -> None:
        inline = self.inline
        if inline is None or self.request is not None or self.requests or self.will_close or self.close_when_flushed:
            super().handle_read()  # a request in progress, queued or being answered: waitress' way
            return
        try:  # HTTPChannel.handle_read, with the plain request's way first
            data = self.recv(self.adj.recv_bytes)
        except OSError:
            if self.adj.log_socket_errors:
                self.logger.exception("Socket error")
            self.handle_close()
            return
        if not data:
            self.connected = False  # the client disconnected
            return
        self.last_activity = now = time.time()
        if not inline.answer(self, data, now):
            self.received(data)


@lru_cache(maxsize=64)
def _field_name(name: str) -> str:
    """A header's name as waitress writes it (``Task.build_response_header``)."""
    return "-".join(part.capitalize() for part in name.split("-"))


# a request line InlineAnswers handles: an origin-form target of visible ASCII, no fragment
_REQUEST_LINE = re.compile(rb"GET (/[!-\x22\x24-~]*) HTTP/1\.1")


class InlineAnswers:
    """Requests answered on waitress' I/O thread (see the module's docstring)."""

    def __init__(self, server: Any, answerer: Callable[[dict], Answer | None]):
        self.dispatcher = server.task_dispatcher
        self.answerer = answerer

    @staticmethod
    def plain_request(data: bytes) -> dict | None:
        """The environ (method, path, query string, ``Accept``) of ``data`` if it is exactly
        one whole request this class answers, else None (waitress parses it)."""
        end = data.find(b"\r\n\r\n")
        if end != len(data) - 4:  # not whole, or more than one request (pipelined) or a body
            return None
        lines = data[:end].split(b"\r\n")
        first = _REQUEST_LINE.fullmatch(lines[0])
        if first is None:
            return None
        accept = None
        for line in lines[1:]:
            field = HEADER_FIELD_RE.match(line)
            if field is None:
                return None  # waitress answers 400
            name = field.group("name").lower()
            if name == b"accept":
                if accept is not None:
                    return None  # waitress joins them
                accept = field.group("value").strip(b" \t").decode("latin-1")
            elif name in (b"connection", b"content-length", b"transfer-encoding", b"expect") or b"_" in name:
                return None
        path, _, query = first.group(1).decode("ascii").partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}
        if accept is not None:
            environ["HTTP_ACCEPT"] = accept
        return environ

    def answer(self, channel: SecureChannel, data: bytes, now: float) -> bool:
        """Write the answer to the request ``data`` holds if it is plain and the answerer
        answers it, unless requests wait for a request thread; False: waitress is to take
        ``data``."""
        if self.dispatcher.queue:
            return False  # requests wait for a request thread: this one waits its turn behind them
        environ = self.plain_request(data)
        if environ is None:
            return False
        try:
            answer = self.answerer(environ)
        except Exception:  # noqa: BLE001 - a request thread answers it, and words any error
            return False
        if answer is None:
            return False
        status, headers, body = answer
        channel.write_soon(self.head(status, headers, now) + body)  # sends, or leaves the rest to the loop
        return True

    @staticmethod
    def head(status: str, headers: list[tuple[str, str]], now: float) -> bytes:
        """The head waitress writes for an HTTP/1.1 answer with these headers (one of them
        ``Content-Length``) to a request without a ``Connection`` header (``Task
        .build_response_header``: names capitalized, a ``Date``, sorted by name; no ``Server``:
        ``ident`` is empty)."""
        lines = [(_field_name(name), value) for name, value in headers]
        lines.append(("Date", build_http_date(now)))
        lines.sort(key=lambda line: line[0])
        fields = "\r\n".join(f"{name}: {value}" for name, value in lines)
        return f"HTTP/1.1 {status}\r\n{fields}\r\n\r\n".encode("latin-1")


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
    inline = app.extensions.get("factgraph.inline")
    servers = [server] if hasattr(server, "channel_class") else list(server.map.values())
    for one in servers:
        if not hasattr(one, "channel_class"):
            continue
        if inline is None:
            one.channel_class = SecureChannel
        else:
            answers = InlineAnswers(one, inline)
            one.channel_class = type("InlineChannel", (SecureChannel,), {"inline": answers})
    return server
