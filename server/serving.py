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

Two changes to how waitress writes an answer (issue #14, the ``/sparql`` lookup; measured in
docs/performance.md, "`/sparql` lookups, session 9"), the bytes sent unchanged:

- ``OneSendTask``: an answer whose body comes in one piece of its ``Content-Length`` (what
  Flask and the lookup shortcut give) is handed to the socket with its head in one write,
  where waitress writes the head and then the body (two ``send`` calls, two segments);
- ``InlineAnswers``: an app may offer, as ``app.extensions["factgraph.inline"]``, a callable
  that answers some requests from their WSGI environ in bounded time (``sparql.LookupShortcut
  .inline``: a bounded lookup) or returns None. When such a request arrives while no request
  thread is busy and none waits, waitress' I/O thread asks it and, given an answer, writes it
  itself instead of handing the request to a request thread and being woken to send the answer
  back (two thread hand-offs, a wake-up through waitress' trigger pipe). Anything else, and any
  request while a request thread works, goes to the request threads as before.
"""

from __future__ import annotations

import resource
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask, WSGITask

from .security import HEADERS

# the WSGI environ's key of an answer computed on the I/O thread (``InlineAnswers``): the app
# gives it as it is (status, headers, body)
INLINE_ANSWER = "factgraph.inline_answer"


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
        if inline is None:
            super().handle_read()
            return
        inline.reading = threading.get_ident()  # the I/O thread
        super().handle_read()  # a complete request reaches server.add_task, below
        inline.serve_pending()


class InlineAnswers:
    """Requests answered on waitress' I/O thread (see the module's docstring). The server's
    ``add_task`` (called by a channel holding its requests lock when a request is complete)
    sets a channel aside here instead when it runs on the I/O thread and no request thread
    is busy; ``serve_pending``, after the read, asks ``answer`` and serves the channel in
    place (``HTTPChannel.service``: the same task, bookkeeping and next request as on a
    request thread), or hands it to the request threads."""

    def __init__(self, server: Any, answer: Callable[[dict], tuple[str, list[tuple[str, str]], bytes] | None]):
        self.server = server
        self.dispatcher = server.task_dispatcher
        self.answer = answer
        self.reading: int | None = None
        self.pending: list[HTTPChannel] = []
        self._add_task = server.add_task
        self._pull_trigger = server.pull_trigger
        server.add_task = self.add_task
        server.pull_trigger = self.pull_trigger

    def add_task(self, channel: HTTPChannel) -> None:
        dispatcher = self.dispatcher
        if threading.get_ident() == self.reading and not dispatcher.queue and dispatcher.active_count <= 0:
            self.pending.append(channel)
        else:
            self._add_task(channel)

    def pull_trigger(self) -> None:
        """Wakes the I/O thread's poll (after a request thread's answer); not needed from
        the I/O thread itself, which polls again when it is done."""
        if threading.get_ident() != self.reading:
            self._pull_trigger()

    def serve_pending(self) -> None:
        while self.pending:
            channel = self.pending.pop()
            request = channel.requests[0] if channel.requests else None
            answer = None
            if request is not None and not request.error and channel.connected:
                task = channel.task_class(channel, request)
                environ = task.get_environment()
                try:
                    answer = self.answer(environ)
                except Exception:  # noqa: BLE001 - the request thread answers it, and words any error
                    answer = None
                if answer is not None:
                    environ[INLINE_ANSWER] = answer
                    request.inline_environ = environ
            if answer is None:
                self._add_task(channel)
            else:
                channel.service()


class InlineTask(OneSendTask):
    """The task of a request answered on the I/O thread: its environ is the one the answer
    was computed from (``InlineAnswers``), not built a second time."""

    def get_environment(self) -> dict:
        environ = getattr(self.request, "inline_environ", None)
        if environ is not None:
            self.environ = environ
            return environ
        return super().get_environment()


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
            one.channel_class = type("InlineChannel", (SecureChannel,), {"inline": answers, "task_class": InlineTask})
    return server
