"""Spyne's SOAP 1.1 protocol, with every fault rendered in the contract's one fault shape."""

from __future__ import annotations

import logging
from typing import Any

from spyne.protocol.soap import Soap11

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
