"""Spyne's SOAP 1.1 protocol, with every fault rendered in the contract's one fault shape, and
answers sent as the compiled writer wrote them.

Spyne parses, validates and deserialises only the requests the endpoint's compiled reader leaves
to it (see ``reader.Fallback``); the service writes their answers with the same compiled writer
(``writer.py``) the endpoint uses, so ``serialize`` has nothing left to build and
``create_out_string`` sends those bytes. Faults are rendered here, whoever raised them.
"""

from __future__ import annotations

import logging
from typing import Any

from spyne.protocol.soap import Soap11

from soap_server.soap.faults import fault_element, note_fault, wire_fault

log = logging.getLogger("soap_server.faults")


def _append(parent: Any, element: Any) -> None:
    # Spyne serialises either into an lxml element or into an incremental xmlfile writer.
    if hasattr(parent, "append"):
        parent.append(element)
    else:
        parent.write(element)


def _written(ctx: Any) -> bytes | None:
    answer = getattr(ctx.udc, "answer", None)
    return answer if isinstance(answer, bytes) else None


class ReservationSoap11(Soap11):
    """SOAP 1.1 with lxml schema validation on input and typed ``ReservationFault`` details."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validator", "lxml")
        super().__init__(**kwargs)

    def fault_to_parent(
        self, ctx: Any, cls: Any, inst: Any, parent: Any, ns: Any, *a: Any, **k: Any
    ) -> None:
        _append(parent, fault_element(note_fault(wire_fault(inst))))

    schema_validation_error_to_parent = fault_to_parent

    def serialize(self, ctx: Any, message: Any) -> None:
        """An answer the service wrote is sent as it is; faults the way Spyne renders them."""
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
