"""The HTTP servers the project starts, with bounded read times (issue 11, defect 6).

A sync worker that waits for a client which sent half a request is a worker lost: a dozen such
connections stalled gunicorn's threads, and ``serve`` kept them forever. Here every read from a
client socket has a deadline, for the headers and for the body separately:

* ``header_timeout``: from the moment a request may start (the connection opened, or the answer
  before it was sent) to the end of its headers. It also ends idle keep-alive connections.
* ``body_timeout``: from the end of the headers to the end of the body.
* ``idle_timeout``: the longest wait for any single read or write inside those.

``DeadlineSocket`` enforces them by setting the socket's timeout before each ``recv`` to what is
left, so a client trickling a byte at a time cannot stretch them. ``make_server`` builds
werkzeug's threaded server with it (``serve``, so the main job and replay too, and the tests'
real sockets); ``BoundedThreadWorker`` is gunicorn's gthread worker with it
(``-k soap_server.serving.BoundedThreadWorker``, used by the load tool and in the README). A
deadline passed in the headers closes the connection without an answer (nothing was asked yet);
one passed in the body is answered 408 in the facade's shape (``bodies.py``) and closes it.

In production the standard set-up still applies (README, "Several worker processes"): a
buffering reverse proxy (nginx, ``proxy_request_buffering on`` and its own
``client_header_timeout``/``client_body_timeout``) in front of sync workers, so that a slow
client costs the proxy a few kilobytes, not a worker thread.
"""

from __future__ import annotations

import io
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer, WSGIRequestHandler


@dataclass(frozen=True)
class ReadTimeouts:
    """Seconds; see the module. Environment for gunicorn: ``IRCTC_HEADER_TIMEOUT``,
    ``IRCTC_BODY_TIMEOUT``, ``IRCTC_IDLE_TIMEOUT``."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 10.0

    @classmethod
    def from_environment(cls) -> ReadTimeouts:
        default = cls()
        return cls(
            float(os.environ.get("IRCTC_HEADER_TIMEOUT", default.header_timeout)),
            float(os.environ.get("IRCTC_BODY_TIMEOUT", default.body_timeout)),
            float(os.environ.get("IRCTC_IDLE_TIMEOUT", default.idle_timeout)),
        )


class DeadlineSocket:
    """A client socket whose reads stop at a deadline: every ``recv`` waits at most what is
    left of it (and at most ``idle`` seconds); each write waits at most ``idle``. A passed
    deadline raises ``timeout_error``. Everything else is the wrapped socket's."""

    def __init__(
        self, sock: socket.socket, idle: float, timeout_error: type[OSError] = TimeoutError
    ) -> None:
        self.wrapped = sock
        self._idle = idle
        self._error = timeout_error
        self._deadline = time.monotonic() + idle

    def expire_in(self, seconds: float) -> None:
        """Reads from now on must be done within ``seconds``."""
        self._deadline = time.monotonic() + seconds

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise self._error("the client took too long to send its request")
        self.wrapped.settimeout(min(left, self._idle))

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self.wrapped.fileno() < 0:  # closed under us (a simulated lost answer): end of input
            return b""
        self._arm()
        try:
            return self.wrapped.recv(size, flags)
        except TimeoutError:
            raise self._error("the client took too long to send its request") from None

    def recv_into(self, buffer: Any, size: int = 0, flags: int = 0) -> int:
        if self.wrapped.fileno() < 0:
            return 0
        self._arm()
        try:
            return self.wrapped.recv_into(buffer, size, flags)
        except TimeoutError:
            raise self._error("the client took too long to send its request") from None

    def send(self, data: Any, flags: int = 0) -> int:
        self.wrapped.settimeout(self._idle)
        return self.wrapped.send(data, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self.wrapped.settimeout(self._idle)
        self.wrapped.sendall(data, flags)

    def setblocking(self, flag: bool) -> None:
        # gunicorn makes its sockets blocking before each request: every read and write here
        # sets its own timeout instead, so only the non-blocking switch (for its poller) passes.
        if not flag:
            self.wrapped.setblocking(False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


class _Reader(io.RawIOBase):
    def __init__(self, sock: DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


class _Writer(io.BufferedIOBase):
    def __init__(self, sock: DeadlineSocket) -> None:
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._sock.sendall(data)
        return len(data)


class BoundedRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler with the header and body deadlines."""

    timeouts: ReadTimeouts = ReadTimeouts()

    def setup(self) -> None:
        super().setup()
        self.deadlines = DeadlineSocket(self.connection, self.timeouts.idle_timeout)
        self.rfile = io.BufferedReader(_Reader(self.deadlines), 64 * 1024)
        self.wfile = _Writer(self.deadlines)

    def handle_one_request(self) -> None:
        self.deadlines.expire_in(self.timeouts.header_timeout)
        super().handle_one_request()  # a TimeoutError in the headers closes the connection

    def run_wsgi(self) -> None:
        self.deadlines.expire_in(self.timeouts.body_timeout)  # the headers are in
        super().run_wsgi()


def make_server(
    host: str,
    port: int,
    app: Any,
    timeouts: ReadTimeouts = ReadTimeouts(),  # noqa: B008 - frozen, shared safely
    fd: int | None = None,
) -> BaseWSGIServer:
    """werkzeug's threaded WSGI server on ``host:port`` (or the listening socket ``fd``), with
    bounded read times."""
    handler = type("BoundedHandler", (BoundedRequestHandler,), {"timeouts": timeouts})
    return ThreadedWSGIServer(host, port, app, handler=handler, fd=fd)


def _gunicorn_worker() -> type:
    from gunicorn.http.errors import NoMoreData
    from gunicorn.workers.gthread import ThreadWorker

    class DeadlinePassed(NoMoreData, TimeoutError):  # type: ignore[misc]
        """Quiet for gunicorn (a client gone), a timeout for the facades (408)."""

        def __init__(self, message: str = "") -> None:
            NoMoreData.__init__(self, message.encode())

    class BoundedThreadWorker(ThreadWorker):  # type: ignore[misc]
        """gunicorn's gthread worker with the header and body deadlines."""

        timeouts = ReadTimeouts.from_environment()

        def handle(self, conn: Any) -> Any:
            if not isinstance(conn.sock, DeadlineSocket):
                conn.sock = DeadlineSocket(conn.sock, self.timeouts.idle_timeout, DeadlinePassed)
            conn.sock.expire_in(self.timeouts.header_timeout)
            return super().handle(conn)

        def handle_request(self, req: Any, conn: Any) -> Any:
            conn.sock.expire_in(self.timeouts.body_timeout)  # the headers are in
            return super().handle_request(req, conn)

    return BoundedThreadWorker


def __getattr__(name: str) -> Any:
    # gunicorn is imported only by the worker that asks for it (``-k ...BoundedThreadWorker``).
    if name == "BoundedThreadWorker":
        return _gunicorn_worker()
    raise AttributeError(name)
