"""The wire trace: every envelope sent and received, with HTTP status and timing.

A transport calls ``hook(exchange)`` after each POST; ``print_exchange`` is the hook behind the
CLI's ``--trace``; tests pass their own hook to collect exchanges.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import requests
from lxml import etree
from zeep.transports import Transport

from soap_client.ns import SOAP_ENV

_SECRET_TAGS = ("Password",)


@dataclass(frozen=True)
class Exchange:
    """One HTTP round trip: what went out, what came back, and how long it took."""

    operation: str
    url: str
    request: bytes
    status: int | None  # None when no HTTP answer came back
    response: bytes
    elapsed_ms: float
    error: str | None = None


TraceHook = Callable[[Exchange], None]


def operation_of(envelope: bytes) -> str:
    """The local name of the first element in soap:Body, or '?'."""
    try:
        root = etree.fromstring(envelope, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return "?"
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        return "?"
    return str(etree.QName(body[0]).localname)


class Traceable:
    """Mixin for zeep transports: time each POST and report it to the hook."""

    trace_hook: TraceHook | None = None

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        payload = message if isinstance(message, bytes) else str(message).encode("utf-8")
        started = time.perf_counter()

        def report(status: int | None, answer: bytes, error: str | None = None) -> None:
            if self.trace_hook is not None:
                elapsed = (time.perf_counter() - started) * 1000
                operation = operation_of(payload)
                self.trace_hook(
                    Exchange(operation, address, payload, status, answer, elapsed, error)
                )

        try:
            response: requests.Response = super().post(address, message, headers)  # type: ignore[misc]
        except Exception as error:
            report(None, b"", f"{type(error).__name__}: {error}")
            raise
        report(response.status_code, response.content)
        return response


class TracingTransport(Traceable, Transport):
    """zeep's HTTP transport with a trace hook."""


def pretty(document: bytes, mask_secrets: bool = True) -> str:
    """Indented XML, with passwords masked; the raw text if it is not XML."""
    if not document:
        return "(empty)"
    try:
        root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return document.decode("utf-8", "replace")
    if mask_secrets:
        for element in root.iter():
            if isinstance(element.tag, str) and etree.QName(element).localname in _SECRET_TAGS:
                element.text = "********"
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def print_exchange(exchange: Exchange, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    rule = "-" * 78
    print(f"{rule}\n>>> POST {exchange.url}  ({exchange.operation})", file=out)
    print(pretty(exchange.request), file=out)
    if exchange.status is None:
        print(f"<<< no answer after {exchange.elapsed_ms:.1f} ms: {exchange.error}", file=out)
    else:
        print(f"<<< HTTP {exchange.status}  {exchange.elapsed_ms:.1f} ms", file=out)
        print(pretty(exchange.response), file=out)
    print(rule, file=out, flush=True)
