"""The floor of bench/bench_http.py: a WSGI app that answers every POST with one canned reply
(the bytes of a real SOAP answer, read once from the file ``IRCTC_BENCH_CANNED_REPLY`` names)
after reading the request body, and ``GET /healthz`` with ``ok``."""

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
