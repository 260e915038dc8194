"""The hardened HTTP edge of the SOAP service.

Every POST is checked here before Spyne sees it: method, media type, charset, size, then a parse
with a locked-down lxml parser (no DTD, no entities, no network), then limits on depth,
attributes and element count, then the envelope's shape and the operation name. Anything wrong
is answered at once with a ``Client`` fault in the contract's shape; Spyne only ever receives a
clean, re-serialised UTF-8 envelope. ``GET ?wsdl`` serves the WSDL built once at start-up, with
the configured public address.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from soap_server.ns import SOAP12_ENV, SOAP_ENV, TNS
from soap_server.soap.faults import WireFault, fault_envelope
from soap_server.xmlguard import Limits, XmlRejected, read_document

log = logging.getLogger("soap_server.access")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

__all__ = ["Limits", "SoapEndpoint"]


class RequestRejected(Exception):
    def __init__(self, fault: WireFault) -> None:
        super().__init__(fault.message)
        self.fault = fault


def _reject(code: str, message: str, faultcode: str | None = None) -> RequestRejected:
    fault = WireFault.of(code, message)
    if faultcode is not None:
        fault = WireFault(faultcode, code, message, False)
    return RequestRejected(fault)


class SoapEndpoint:
    """WSGI app for ``/soap``: the checks above, then the Spyne application."""

    def __init__(self, spyne_app: WsgiApp, wsdl: bytes, operations: frozenset[str], limits: Limits):
        self._spyne = spyne_app
        self._wsdl = wsdl
        self._operations = {f"{{{TNS}}}{name}" for name in operations}
        self._limits = limits

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET")
        if method in ("GET", "HEAD"):
            return self._get(environ, start_response)
        if method != "POST":
            return self._fault(
                start_response,
                _reject(
                    "MethodNotAllowed", f"{method} is not allowed: POST a SOAP 1.1 envelope"
                ).fault,
                started,
                status="405 Method Not Allowed",
                extra=[("Allow", "GET, POST")],
            )
        try:
            body, operation = self._check(environ)
        except RequestRejected as rejected:
            return self._fault(start_response, rejected.fault, started)

        forwarded = dict(environ)
        forwarded["wsgi.input"] = io.BytesIO(body)
        forwarded["CONTENT_LENGTH"] = str(len(body))
        forwarded["CONTENT_TYPE"] = "text/xml; charset=utf-8"
        captured: list[str] = []

        def _start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.append(status)
            return start_response(status, headers, exc_info)

        try:
            answer = b"".join(self._spyne(forwarded, _start))
        except Exception:
            log.exception("Spyne failed on %s", operation)
            fault = WireFault.of("InternalError", "unexpected internal error", retryable=True)
            return self._fault(start_response, fault, started)
        log.info(
            "POST %s %s %.1fms",
            operation,
            captured[0] if captured else "?",
            (time.perf_counter() - started) * 1000,
        )
        return [answer]

    # -- GET ---------------------------------------------------------------------------------------
    def _get(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "").lower()
        if query.split("&")[0].split("=")[0] in ("wsdl", "singlewsdl"):
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/xml; charset=utf-8"),
                    ("Content-Length", str(len(self._wsdl))),
                ],
            )
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self._wsdl]
        text = b"This is a SOAP 1.1 endpoint: POST envelopes here. The contract is at ?wsdl\n"
        start_response(
            "405 Method Not Allowed",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Allow", "GET, POST"),
                ("Content-Length", str(len(text))),
            ],
        )
        return [text]

    # -- POST checks -----------------------------------------------------------------------------
    def _check(self, environ: dict[str, Any]) -> tuple[bytes, str]:
        """The request body re-serialised as clean UTF-8, and the operation it calls."""
        try:
            root = read_document(environ, self._limits, "a SOAP envelope")
        except XmlRejected as rejected:
            raise _reject(rejected.code, rejected.message) from None
        return etree.tostring(root, encoding="UTF-8", xml_declaration=True), self._operation(root)

    def _operation(self, root: etree._Element) -> str:
        if root.tag == f"{{{SOAP12_ENV}}}Envelope":
            raise _reject(
                "VersionMismatch",
                "this is a SOAP 1.2 envelope; the service speaks SOAP 1.1",
                faultcode="VersionMismatch",
            )
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise _reject(
                "MalformedRequest",
                f"the document element is {root.tag!r}, not a SOAP 1.1 Envelope",
            )
        for header in root.iterchildren(f"{{{SOAP_ENV}}}Header"):
            for entry in header:
                must = entry.get(f"{{{SOAP_ENV}}}mustUnderstand", "0").strip()
                if must in ("1", "true") and entry.tag != f"{{{TNS}}}SessionHeader":
                    raise _reject(
                        "MustUnderstand",
                        f"header {entry.tag!r} is marked mustUnderstand and is not understood",
                        faultcode="MustUnderstand",
                    )
        bodies = [child for child in root if child.tag == f"{{{SOAP_ENV}}}Body"]
        if len(bodies) != 1:
            raise _reject("MalformedRequest", "the envelope must have exactly one soap:Body")
        calls = [child for child in bodies[0] if isinstance(child.tag, str)]
        if len(calls) != 1:
            raise _reject(
                "MalformedRequest",
                f"the soap:Body must hold exactly one operation element, not {len(calls)}",
            )
        tag = calls[0].tag
        if tag not in self._operations:
            name = etree.QName(tag)
            known = ", ".join(sorted(op.partition("}")[2] for op in self._operations))
            raise _reject(
                "UnknownOperation",
                f"no operation {name.localname!r} in namespace {name.namespace or '(none)'!r};"
                f" operations of {TNS}: {known}",
            )
        return etree.QName(tag).localname

    # -- answers -----------------------------------------------------------------------------------
    def _fault(
        self,
        start_response: StartResponse,
        fault: WireFault,
        started: float,
        status: str = "500 Internal Server Error",
        extra: list[tuple[str, str]] | None = None,
    ) -> Iterable[bytes]:
        body = fault_envelope(fault)
        start_response(
            status,
            [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]
            + (extra or []),
        )
        log.info("POST rejected %s %.1fms", fault.faultcode, (time.perf_counter() - started) * 1000)
        return [body]
