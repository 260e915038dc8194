"""The hardened HTTP edge of the SOAP service.

Every POST is checked here before Spyne sees it: method, media type, charset, size, then a parse
with a locked-down lxml parser (no DTD, no entities, no network), then limits on depth,
attributes and element count, then the envelope's shape and the operation name. Anything wrong
is answered at once with a ``Client`` fault in the contract's shape; Spyne only ever receives a
clean, re-serialised UTF-8 envelope. ``GET ?wsdl`` serves the WSDL built once at start-up, with
the configured public address.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_input_stream

from soap_server.soap.faults import SOAP_ENV, WireFault, fault_envelope
from soap_server.soap.types import TNS

log = logging.getLogger("soap_server.access")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
_XML_TYPES = ("text/xml", "application/xml")


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int
    max_depth: int
    max_attributes: int
    max_elements: int


class RequestRejected(Exception):
    def __init__(self, fault: WireFault) -> None:
        super().__init__(fault.message)
        self.fault = fault


def _reject(code: str, message: str, faultcode: str | None = None) -> RequestRejected:
    fault = WireFault.of(code, message)
    if faultcode is not None:
        fault = WireFault(faultcode, code, message, False)
    return RequestRejected(fault)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        encoding="utf-8",
    )


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _text_codec(name: str, source: str) -> str:
    """The codec name for a charset, or UnsupportedCharset for unknown or non-text codecs."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise _reject("UnsupportedCharset", f"unknown {source} {name!r}") from None
    if not getattr(codec, "_is_text_encoding", True) or codec.name in ("undefined", "punycode"):
        raise _reject("UnsupportedCharset", f"{source} {name!r} is not an XML text encoding")
    return codec.name


def _decode(raw: bytes, charset: str | None) -> str:
    """The body as text: by the HTTP charset if given, else by its BOM or XML declaration."""
    if charset is not None:
        encoding, source = _text_codec(charset, "charset"), f"charset {charset}"
    else:
        found = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
        if found is None:
            declared = _DECLARED.match(raw)
            name = declared.group(1).decode("ascii") if declared else "utf-8"
            found = _text_codec(name, "XML declaration encoding")
        encoding, source = found, found
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise _reject(
            "MalformedXml", f"the body is not valid {source}: byte {error.start} cannot be decoded"
        ) from None
    except UnicodeError as error:
        raise _reject("UnsupportedCharset", f"cannot decode with {source}: {error}") from None


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
        limits = self._limits
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
        if mimetype == "application/soap+xml":
            raise _reject(
                "UnsupportedMediaType",
                "application/soap+xml is SOAP 1.2; this endpoint speaks SOAP 1.1 (text/xml)",
            )
        if mimetype not in _XML_TYPES:
            raise _reject(
                "UnsupportedMediaType",
                f"Content-Type {mimetype or '(none)'!r} is not text/xml",
            )
        charset = options.get("charset")
        if charset is not None:
            _text_codec(charset, "charset")
        length_header = environ.get("CONTENT_LENGTH") or ""
        if length_header:
            try:
                length = int(length_header)
            except ValueError:
                raise _reject("MalformedRequest", "Content-Length is not a number") from None
            if length > limits.max_body_bytes:
                raise _reject(
                    "RequestTooLarge",
                    f"the body is {length} bytes; the limit is {limits.max_body_bytes}",
                )
        # Reads at most Content-Length bytes (or a chunked body to its end): a raw socket
        # stream would otherwise block until the client hangs up.
        stream = get_input_stream(environ, safe_fallback=True)
        raw = stream.read(limits.max_body_bytes + 1)
        if len(raw) > limits.max_body_bytes:
            raise _reject(
                "RequestTooLarge", f"the body is over the limit of {limits.max_body_bytes} bytes"
            )
        if not raw.strip():
            raise _reject("EmptyRequest", "the request body is empty: POST a SOAP envelope")

        text = _decode(raw, charset)
        # Checked on the decoded text, so that no encoding hides a DTD from the check; the
        # parser never sees one, and so never expands an entity.
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise _reject("ForbiddenXml", "DOCTYPE and entity declarations are not allowed")
        data = text.encode("utf-8")
        parser = _parser()  # reads UTF-8 whatever the XML declaration says
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as error:
            message = str(error).splitlines()[0] if str(error) else "not well-formed XML"
            raise _reject("MalformedXml", f"the body is not well-formed XML: {message}") from None
        except ValueError as error:
            raise _reject("MalformedXml", f"the body cannot be parsed: {error}") from None
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise _reject("ForbiddenXml", "DOCTYPE and entity declarations are not allowed")
        self._check_shape(root)
        return etree.tostring(root, encoding="UTF-8", xml_declaration=True), self._operation(root)

    def _check_shape(self, root: etree._Element) -> None:
        limits = self._limits
        depth = elements = 0
        for event, element in etree.iterwalk(root, events=("start", "end")):
            if event == "end":
                depth -= 1
                continue
            depth += 1
            elements += 1
            if depth > limits.max_depth:
                raise _reject(
                    "RequestTooComplex", f"elements nest deeper than {limits.max_depth} levels"
                )
            if elements > limits.max_elements:
                raise _reject("RequestTooComplex", f"more than {limits.max_elements} elements")
            if not isinstance(element.tag, str):
                raise _reject("ForbiddenXml", "entity references are not allowed")
            if len(element.attrib) > limits.max_attributes:
                raise _reject(
                    "RequestTooComplex",
                    f"an element has {len(element.attrib)} attributes;"
                    f" the limit is {limits.max_attributes}",
                )

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
