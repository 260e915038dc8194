"""How every fault looks on the wire, whoever raised it.

One shape for all of them: HTTP 500, ``faultcode`` ``soap:Client.<Code>`` or
``soap:Server.<Code>``, a one-line ``faultstring``, and a ``detail`` holding the contract's
``tns:ReservationFault`` element (Code, Message, Retryable). Faults raised by Spyne itself
(schema validation, unknown method) and by the hardened endpoint (malformed or hostile XML) are
mapped to the same shape, so a partner parses one fault format.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from soap_server.ns import SOAP_ENV, TNS

_ENV_PREFIX = "soap11env"

# Spyne's own fault codes, renamed into the contract's vocabulary.
_SPYNE_CODES = {
    "Client.SchemaValidationError": "SchemaValidation",
    "Client.ValidationError": "SchemaValidation",
    "Client.XMLSyntaxError": "MalformedXml",
    "Client.ResourceNotFound": "UnknownOperation",
    "Client.MethodNotFound": "UnknownOperation",
    "Server": "InternalError",
}
_LIBXML_PREFIX = re.compile(r"^(?:<string>)?:\d+:\d+:ERROR:[A-Z]+:[A-Z0-9_]+: ")


@dataclass(frozen=True)
class WireFault:
    faultcode: str  # without the envelope prefix, e.g. "Client.UnknownStation"
    code: str
    message: str
    retryable: bool

    @classmethod
    def of(cls, code: str, message: str, retryable: bool = False) -> WireFault:
        return cls(f"{'Server' if retryable else 'Client'}.{code}", code, message, retryable)


def wire_fault(fault: Any) -> WireFault:
    """Normalise any Spyne Fault (ours or Spyne's own) into the contract's fault shape."""
    code = getattr(fault, "Code", None)
    if code is not None:
        return WireFault(fault.faultcode, code, fault.Message, bool(fault.Retryable))
    faultcode = str(fault.faultcode or "Server")
    text = fault.faultstring or ""
    if isinstance(text, bytes):  # Spyne hands schema errors over as bytes
        text = text.decode("utf-8", "replace")
    message = html.unescape(_LIBXML_PREFIX.sub("", str(text))).strip()
    retryable = faultcode.startswith("Server")
    mapped = _SPYNE_CODES.get(faultcode, faultcode.partition(".")[2] or "InternalError")
    if mapped == "InternalError":
        message = "unexpected internal error"
    return WireFault(
        f"{'Server' if retryable else 'Client'}.{mapped}",
        mapped,
        message.splitlines()[0],
        retryable,
    )


def fault_element(fault: WireFault) -> etree._Element:
    """The ``soap:Fault`` element of a fault."""
    element = etree.Element(f"{{{SOAP_ENV}}}Fault", nsmap={_ENV_PREFIX: SOAP_ENV})
    etree.SubElement(element, "faultcode").text = f"{_ENV_PREFIX}:{fault.faultcode}"
    etree.SubElement(element, "faultstring").text = fault.message
    detail = etree.SubElement(element, "detail")
    body = etree.SubElement(detail, f"{{{TNS}}}ReservationFault", nsmap={"tns": TNS})
    etree.SubElement(body, f"{{{TNS}}}Code").text = fault.code
    etree.SubElement(body, f"{{{TNS}}}Message").text = fault.message
    etree.SubElement(body, f"{{{TNS}}}Retryable").text = "true" if fault.retryable else "false"
    return element


def fault_envelope(fault: WireFault) -> bytes:
    """A complete SOAP envelope carrying one fault, for errors caught before Spyne runs."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={_ENV_PREFIX: SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(fault_element(fault))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
