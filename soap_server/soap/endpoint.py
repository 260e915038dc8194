"""The hardened HTTP edge of the SOAP service.

Every POST is checked here before Spyne sees it: method, media type, charset, size, then a parse
with a locked-down lxml parser (no DTD, no entities, no network), then limits on depth,
attributes and element count, then the envelope's shape and the operation name. Anything wrong
is answered at once with a ``Client`` fault in the contract's shape. A checked request is then
read and answered by the compiled reader (``reader.py``) from the tree parsed here; the few it
leaves to Spyne go to the Spyne application, which reads the same tree (or, for an envelope
with ``xml:id``, a clean re-serialised UTF-8 copy). ``GET ?wsdl`` serves the WSDL built once at
start-up, with the configured public address.
"""

from __future__ import annotations

import copy
import io
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from lxml import etree
from werkzeug.http import HTTP_STATUS_CODES

from soap_server.bodies import BodyRejected
from soap_server.ns import SOAP12_ENV, SOAP_ENV, TNS, WSDL, XS
from soap_server.railway.agents import UsernameToken
from soap_server.railway.errors import SecurityHeaderInvalid
from soap_server.soap.faults import WireFault, fault_envelope
from soap_server.soap.wsse import SECURITY, read_security
from soap_server.xmlguard import Limits, read_document

if TYPE_CHECKING:
    from soap_server.soap.reader import RequestReader

log = logging.getLogger("soap_server.access")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: Where the endpoint leaves a call's UsernameToken for the service, in the WSGI environ.
USERNAME_TOKEN = "irctc.wsse.username_token"
#: Where it leaves the envelope it parsed and checked, for Spyne to read instead of parsing the
#: forwarded bytes again (``protocol.ReservationSoap11.create_in_document``).
PARSED_ENVELOPE = "irctc.soap.envelope"
#: Spyne resolves SOAP-encoded references by the ids its own parse collects (``xml:id``): an
#: envelope with any is left to that parse.
_HAS_IDS = etree.XPath("boolean(//@xml:id)")
CONTENT_TYPE = "text/xml; charset=utf-8"
HTTP_STATUS = {code: f"{code} {HTTP_STATUS_CODES[code]}" for code in (400, 408)}
#: The header entries of the contract, validated against its schema like a body.
_SESSION_HEADER = f"{{{TNS}}}SessionHeader"
CONTRACT_HEADERS = frozenset({_SESSION_HEADER})
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_HEADER = f"{{{SOAP_ENV}}}Header"
_BODY = f"{{{SOAP_ENV}}}Body"
_MUST_UNDERSTAND = f"{{{SOAP_ENV}}}mustUnderstand"

__all__ = ["Limits", "SoapEndpoint"]


class RequestRejected(Exception):
    def __init__(self, fault: WireFault, transport_status: int | None = None) -> None:
        super().__init__(fault.message)
        self.fault = fault
        #: Set when the HTTP transport itself failed (framing, time): that status, and the
        #: connection is closed.
        self.transport_status = transport_status


def _reject(code: str, message: str, faultcode: str | None = None) -> RequestRejected:
    fault = WireFault.of(code, message)
    if faultcode is not None:
        fault = WireFault(faultcode, code, message, False)
    return RequestRejected(fault)


class SoapEndpoint:
    """WSGI app for ``/soap``: the checks above, then the Spyne application."""

    def __init__(
        self,
        spyne_app: WsgiApp,
        wsdl: bytes,
        operations: frozenset[str],
        limits: Limits,
        reader: RequestReader | None = None,
    ):
        self._spyne = spyne_app
        #: The compiled reader; None sends every request through Spyne (as the benchmarks and
        #: the tests comparing the two do).
        self.reader = reader
        self._wsdl = wsdl
        self._operations = {f"{{{TNS}}}{name}" for name in operations}
        self._limits = limits
        self._schema = contract_schema(wsdl)
        # A schema keeps the error log of its last validation: one validation at a time.
        self._schema_lock = threading.Lock()

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
            root, payload, operation, token = self._check(environ)
        except RequestRejected as rejected:
            if rejected.transport_status is not None:
                return self._fault(
                    start_response,
                    rejected.fault,
                    started,
                    status=HTTP_STATUS[rejected.transport_status],
                    extra=[("Connection", "close")],
                )
            return self._fault(start_response, rejected.fault, started)

        has_ids = _HAS_IDS(root)
        if self.reader is not None and not has_ids:
            read = self.reader.answer(environ, root, payload, token)
            if read is not None:  # else left to Spyne
                status, answer = read
                start_response(
                    status,
                    [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(answer)))],
                )
                log.info(
                    "POST %s %s %.1fms", operation, status, (time.perf_counter() - started) * 1000
                )
                return [answer]

        body = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
        forwarded = dict(environ)
        if not has_ids:
            forwarded[PARSED_ENVELOPE] = root  # parsed once: Spyne reads this tree
        forwarded["wsgi.input"] = io.BytesIO(body)
        forwarded["CONTENT_LENGTH"] = str(len(body))
        forwarded["CONTENT_TYPE"] = "text/xml; charset=utf-8"
        forwarded[USERNAME_TOKEN] = token  # the call's WS-Security credential, if any
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
    def _check(
        self, environ: dict[str, Any]
    ) -> tuple[etree._Element, etree._Element, str, UsernameToken | None]:
        """The request's envelope (parsed once, checked), its body's one element, the
        operation it calls, and the UsernameToken of its wsse:Security header, if it has one."""
        try:
            root = read_document(environ, self._limits, "a SOAP envelope")
        except BodyRejected as rejected:
            raise RequestRejected(
                WireFault.of(rejected.code, rejected.message), rejected.status
            ) from None
        securities, sessions = self._check_headers(root)
        payload = self._payload(root)
        token = self._security(securities, sessions, str(environ.get("REMOTE_ADDR") or ""))
        return root, payload, payload.tag[len(TNS) + 2 :], token

    def _security(
        self, entries: list[etree._Element], sessions: bool, source: str
    ) -> UsernameToken | None:
        """The UsernameToken of the header's ``wsse:Security`` entries (``sessions``: whether
        a SessionHeader came too)."""
        if not entries:
            return None
        try:
            if len(entries) > 1:
                raise SecurityHeaderInvalid("send one wsse:Security header, not several")
            if sessions:
                raise SecurityHeaderInvalid(
                    "send either a SessionHeader or a wsse:Security UsernameToken, not both"
                )
            return read_security(entries[0], source)
        except SecurityHeaderInvalid as invalid:
            raise _reject(invalid.code, invalid.message) from None

    def _payload(self, root: etree._Element) -> etree._Element:
        """The body's one element, which names an operation of the contract (checked after
        the headers)."""
        bodies = [child for child in root if child.tag == _BODY]
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
        return calls[0]

    def _check_headers(self, root: etree._Element) -> tuple[list[etree._Element], bool]:
        """The envelope is SOAP 1.1's; header entries of the contract are validated against
        its schema, as Spyne does for bodies (Spyne itself reads headers without validating
        them); an unknown entry marked mustUnderstand is refused, an unknown optional one
        ignored (SOAP 1.1, 4.2.3). Gives the ``wsse:Security`` entries, and whether there is
        a SessionHeader."""
        if root.tag != _ENVELOPE:
            if root.tag == f"{{{SOAP12_ENV}}}Envelope":
                raise _reject(
                    "VersionMismatch",
                    "this is a SOAP 1.2 envelope; the service speaks SOAP 1.1",
                    faultcode="VersionMismatch",
                )
            raise _reject(
                "MalformedRequest",
                f"the document element is {root.tag!r}, not a SOAP 1.1 Envelope",
            )
        seen: set[str] = set()
        securities: list[etree._Element] = []
        for header in root:
            if header.tag != _HEADER:
                continue
            for entry in header:
                tag = entry.tag
                if not isinstance(tag, str):
                    continue
                if tag == SECURITY:
                    securities.append(entry)  # understood, whatever its mustUnderstand
                    continue
                if tag in CONTRACT_HEADERS:
                    if tag in seen:
                        name = etree.QName(entry).localname
                        raise _reject("SchemaValidation", f"header {name} is sent twice")
                    seen.add(tag)
                    with self._schema_lock:
                        if self._schema.validate(entry):
                            continue
                        errors: Any = self._schema.error_log
                        first = next(iter(errors), None)
                    detail = " ".join(str(first.message).split()) if first else "invalid"
                    name = etree.QName(entry).localname
                    raise _reject("SchemaValidation", f"header {name}: {detail}")
                must = entry.get(_MUST_UNDERSTAND, "0").strip()
                if must in ("1", "true"):
                    raise _reject(
                        "MustUnderstand",
                        f"header {tag!r} is marked mustUnderstand and is not understood",
                        faultcode="MustUnderstand",
                    )
        return securities, _SESSION_HEADER in seen

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


def contract_schema(wsdl: bytes) -> etree.XMLSchema:
    """The XSD embedded in the WSDL, compiled on its own (with the namespace declarations of
    the WSDL document it relies on)."""
    definitions = etree.fromstring(wsdl)
    embedded = definitions.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    if embedded is None:
        raise ValueError("the WSDL has no embedded schema")
    namespaces: dict[Any, str] = dict(definitions.nsmap)
    namespaces.update(embedded.nsmap)
    schema = etree.Element(embedded.tag, nsmap=namespaces)
    for name, value in embedded.attrib.items():
        schema.set(name, value)
    schema.extend(copy.deepcopy(child) for child in embedded)
    return etree.XMLSchema(schema)
