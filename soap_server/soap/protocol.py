"""Spyne's SOAP 1.1 protocol, with every fault rendered in the contract's one fault shape, and
answers sent as the compiled writer wrote them.

Spyne validates and deserialises requests (from the envelope the endpoint parsed once) and
renders faults. Answers are written by
the service with the writer compiled from the contract's types (``writer.py``), straight from
the domain's views: ``serialize`` has nothing left to build and ``create_out_string`` sends
those bytes (Spyne's generic serialiser cost about 27 times what lxml needs for the same
document, and building its models as much again: bench/bench_soap.py).
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from spyne.protocol.soap import Soap11

from soap_server.soap.endpoint import PARSED_ENVELOPE
from soap_server.soap.faults import fault_element, wire_fault

log = logging.getLogger("soap_server.faults")


def _append(parent: Any, element: Any) -> None:
    # Spyne serialises either into an lxml element or into an incremental xmlfile writer.
    if hasattr(parent, "append"):
        parent.append(element)
    else:
        parent.write(element)


class ReservationSoap11(Soap11):
    """SOAP 1.1 with lxml schema validation on input and typed ``ReservationFault`` details."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validator", "lxml")
        super().__init__(**kwargs)

    def fault_to_parent(
        self, ctx: Any, cls: Any, inst: Any, parent: Any, ns: Any, *a: Any, **k: Any
    ) -> None:
        fault = wire_fault(inst)
        if fault.retryable:
            log.warning("fault %s: %s", fault.faultcode, fault.message)
        _append(parent, fault_element(fault))

    schema_validation_error_to_parent = fault_to_parent

    def fault_document(self, fault: Any) -> bytes:
        """The fault envelope of a call answered without Spyne's machinery (``reader.py``), as
        Spyne writes it for the same fault (``serialize`` and ``create_out_string``): the
        interface's namespaces on the envelope and its Body, the fault as ``fault_to_parent``
        renders it, the unused namespaces cleaned up, UTF-8 with the XML declaration."""
        nsmap = self.app.interface.nsmap
        envelope = etree.Element(f"{{{self.ns_soap_env}}}Envelope", nsmap=nsmap)
        body = etree.SubElement(envelope, f"{{{self.ns_soap_env}}}Body", nsmap=nsmap)
        self.fault_to_parent(None, type(fault), fault, body, self.app.interface.get_tns())
        if self.cleanup_namespaces:
            etree.cleanup_namespaces(envelope)
        document: Any = etree.tostring(
            envelope,
            encoding=self.encoding,
            pretty_print=self.pretty_print,
            xml_declaration=self.xml_declaration,
        )
        return bytes(document)

    def create_in_document(self, ctx: Any, charset: Any = None) -> None:
        """The envelope the endpoint parsed and checked, not a second parse of its bytes."""
        environ = getattr(ctx.transport, "req_env", None)
        root = environ.pop(PARSED_ENVELOPE, None) if isinstance(environ, dict) else None
        if root is None:
            super().create_in_document(ctx, charset)
            return
        ctx.in_document = (root, {})  # what Spyne's parse gives: the root and its xml:ids

    def serialize(self, ctx: Any, message: Any) -> None:
        """An answer the service wrote is sent as it is; requests and faults as Spyne does."""
        if message is self.RESPONSE and ctx.out_error is None and _written(ctx) is not None:
            self.event_manager.fire_event("before_serialize", ctx)
            ctx.out_document = None
            self.event_manager.fire_event("after_serialize", ctx)
            return
        super().serialize(ctx, message)

    def create_out_string(self, ctx: Any, charset: Any = None) -> None:
        answer = _written(ctx) if ctx.out_error is None else None
        if answer is None:
            super().create_out_string(ctx, charset)
        else:
            ctx.out_string = [answer]


def _written(ctx: Any) -> bytes | None:
    """The answer envelope the service wrote for this call, if it wrote one."""
    answer = getattr(ctx.udc, "answer", None)
    return answer if isinstance(answer, bytes) else None
