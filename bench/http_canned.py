"""The floors of bench/bench_http.py.

``application``: a WSGI app that answers every POST with one canned reply (the bytes of a real
SOAP answer, read once from the file ``IRCTC_BENCH_CANNED_REPLY`` names) after reading the
request body, and ``GET /healthz`` with ``ok``: HTTP, gunicorn and wrk alone.

``stacked()``: the core's own WSGI app (``soap_server.wsgi.from_environment()``: the routing,
the Server-Timing wrapper, the whole core loaded in the worker) with the same canned reply in
place of the SOAP endpoint, after reading the body the way the endpoint does
(``bodies.read_limited``): what the app costs around the SOAP facade."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPLY = Path(os.environ["IRCTC_BENCH_CANNED_REPLY"]).read_bytes()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] == "GET":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response(
        "200 OK",
        [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(REPLY)))],
    )
    return [REPLY]


def stacked() -> Any:
    """The core's app with the canned reply where the SOAP endpoint was (see the module)."""
    from soap_server.bodies import read_limited
    from soap_server.wsgi import from_environment

    app = from_environment()
    limit = app.settings.max_body_bytes

    def canned_soap(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        read_limited(environ, limit)
        start_response(
            "200 OK",
            [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(REPLY)))],
        )
        return [REPLY]

    app.soap = canned_soap  # type: ignore[assignment]
    return app
