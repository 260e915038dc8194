"""The hardened HTTP edge of the SOAP service, and the compiled path every call takes.

Every POST is checked here first: method, media type, charset, size, then a parse with a
locked-down lxml parser (no DTD, no entities, no network), then limits on depth, attributes and
element count, then the envelope's shape and the operation name. Anything wrong is answered at
once with a ``Client`` fault in the contract's shape.

A checked envelope is then answered here, from the one parse: the compiled reader validates the
payload against the contract's schema and reads the request view and the session token, the call
goes through the Railway's door, and the compiled writer writes the answer (or the fault) from
the domain's view. Only what the reader leaves to Spyne (``Fallback``: ``xsi:type``, SOAP-encoded
references, values Spyne's own conversion refuses) is re-serialised as clean UTF-8 and handed to
the Spyne application, which answers it the same way. ``GET ?wsdl`` serves the WSDL built once at
start-up, with the configured public address.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from lxml import etree

from soap_server.delivery import deliver
from soap_server.ns import SOAP12_ENV, SOAP_ENV, TNS
from soap_server.railway.errors import InternalError, ReservationError
from soap_server.railway.operations import BY_NAME
from soap_server.railway.system import Railway
from soap_server.soap.app import SoapFacade
from soap_server.soap.faults import WireFault, fault_envelope, note_fault
from soap_server.soap.reader import Fallback, RequestInvalid
from soap_server.xmlguard import Limits, XmlRejected, read_document

log = logging.getLogger("soap_server.access")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

__all__ = ["Limits", "SoapEndpoint"]

_CONTENT_TYPE = "text/xml; charset=utf-8"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_SOAP12_ENVELOPE = f"{{{SOAP12_ENV}}}Envelope"
_HEADER = f"{{{SOAP_ENV}}}Header"
_BODY = f"{{{SOAP_ENV}}}Body"
_MUST_UNDERSTAND = f"{{{SOAP_ENV}}}mustUnderstand"
_SESSION_HEADER = f"{{{TNS}}}SessionHeader"
_FAULT_STATUS = "500 Internal Server Error"


class Envelope(NamedTuple):
    """What a checked envelope holds: the operation's name, the first soap:Header, the payload."""

    operation: str
    header: etree._Element | None
    payload: etree._Element


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
    """WSGI app for ``/soap``: the checks above, then the compiled path (or Spyne)."""

    def __init__(
        self,
        spyne_app: WsgiApp,
        wsdl: bytes,
        operations: frozenset[str],
        limits: Limits,
        railway: Railway,
        facade: SoapFacade,
    ):
        self._spyne = spyne_app
        self._wsdl = wsdl
        self._operations = {f"{{{TNS}}}{name}" for name in operations}
        self._limits = limits
        self._railway = railway
        self._reader = facade.reader
        self._writer = facade.writer
        #: False sends every call through Spyne (the path the benchmarks compare against).
        self.compiled = True

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
            root, envelope = self._check(environ)
        except RequestRejected as rejected:
            return self._fault(start_response, rejected.fault, started)
        operation = envelope.operation
        if self.compiled:
            try:
                return self._answer(environ, start_response, root, envelope, started)
            except Fallback:
                pass  # Spyne reads this one
        body = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
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
    def _check(self, environ: dict[str, Any]) -> tuple[etree._Element, Envelope]:
        """The request's envelope, parsed once and checked, and what it holds."""
        try:
            root = read_document(environ, self._limits, "a SOAP envelope")
        except XmlRejected as rejected:
            raise _reject(rejected.code, rejected.message) from None
        return root, self._envelope(root)

    def _envelope(self, root: etree._Element) -> Envelope:
        if root.tag == _SOAP12_ENVELOPE:
            raise _reject(
                "VersionMismatch",
                "this is a SOAP 1.2 envelope; the service speaks SOAP 1.1",
                faultcode="VersionMismatch",
            )
        if root.tag != _ENVELOPE:
            raise _reject(
                "MalformedRequest",
                f"the document element is {root.tag!r}, not a SOAP 1.1 Envelope",
            )
        header = None
        bodies = []
        for child in root:  # one pass: headers checked in order, bodies counted after
            if child.tag == _BODY:
                bodies.append(child)
            elif child.tag == _HEADER:
                header = child if header is None else header
                for entry in child:
                    must = entry.get(_MUST_UNDERSTAND, "0").strip()
                    if must in ("1", "true") and entry.tag != _SESSION_HEADER:
                        raise _reject(
                            "MustUnderstand",
                            f"header {entry.tag!r} is marked mustUnderstand and is not understood",
                            faultcode="MustUnderstand",
                        )
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
        return Envelope(tag.rpartition("}")[2], header, calls[0])

    # -- the compiled path --------------------------------------------------------------------
    def _answer(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        root: etree._Element,
        envelope: Envelope,
        started: float,
    ) -> Iterable[bytes]:
        """Read, call, write: the whole call from the one parsed envelope."""
        name = envelope.operation
        try:
            request, token = self._reader.read(name, root, envelope.header, envelope.payload)
            answer = self._railway.call(BY_NAME[name], token, request)
            body = self._writer.answer(name, deliver(environ, answer))
            status = "200 OK"
        except Fallback:
            raise
        except RequestInvalid as invalid:
            body, status = self._writer.fault(note_fault(invalid.fault)), _FAULT_STATUS
        except ReservationError as error:
            body, status = self._domain_fault(error), _FAULT_STATUS
        except Exception:
            log.exception("unexpected failure in %s", name)
            body = self._domain_fault(InternalError("unexpected internal error"))
            status = _FAULT_STATUS
        start_response(
            status, [("Content-Type", _CONTENT_TYPE), ("Content-Length", str(len(body)))]
        )
        log.info("POST %s %s %.1fms", name, status, (time.perf_counter() - started) * 1000)
        return [body]

    def _domain_fault(self, error: ReservationError) -> bytes:
        return self._writer.fault(
            note_fault(WireFault.of(error.code, error.message, error.retryable))
        )

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
