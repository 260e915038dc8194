"""Spyne's SOAP 1.1 protocol, with every fault rendered in the contract's one fault shape, and
answers written straight into lxml.

Spyne parses and validates requests and renders faults; for answers, its generic serialiser
cost about 27 times what lxml needs for the same document (bench/bench_soap.py), so
``serialize`` walks the answer's Spyne models itself, in their declared field order, and writes
the elements with lxml. Values are converted by Spyne's own ``to_unicode``, so the text is what
Spyne would have written; the committed samples (compared element by element) keep it honest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from spyne.model.complex import Array, ComplexModelBase
from spyne.model.primitive import Boolean, Date, DateTime, Integer, Unicode
from spyne.model.primitive import Decimal as SpyneDecimal
from spyne.protocol.soap import Soap11

from soap_server.ns import SOAP_ENV, TNS
from soap_server.soap.faults import fault_element, wire_fault

_NSMAP = {"soap11env": SOAP_ENV, "tns": TNS}


@dataclass(frozen=True)
class _Plan:
    repeated: bool
    text: Callable[[Any], str] | None  # simple types
    item: tuple[str, Any] | None  # arrays: the item's element name and type
    fields: tuple[tuple[str, Any], ...]  # complex types


def _boolean(value: Any) -> str:
    return "true" if value else "false"


def _iso(value: Any) -> str:
    return str(value.isoformat())


# Spyne's own conversions for these types come down to the same text (SOAP forces ISO 8601 dates).
_FAST_TEXT: tuple[tuple[Any, Callable[[Any], str]], ...] = (
    (Boolean, _boolean),
    (Unicode, str),
    (Integer, str),
    (SpyneDecimal, str),
    (DateTime, _iso),
    (Date, _iso),
)

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
        self._plans: dict[Any, _Plan] = {}

    def fault_to_parent(
        self, ctx: Any, cls: Any, inst: Any, parent: Any, ns: Any, *a: Any, **k: Any
    ) -> None:
        fault = wire_fault(inst)
        if fault.retryable:
            log.warning("fault %s: %s", fault.faultcode, fault.message)
        _append(parent, fault_element(fault))

    schema_validation_error_to_parent = fault_to_parent

    def serialize(self, ctx: Any, message: Any) -> None:
        """Answers straight into lxml; requests and faults the way Spyne does them."""
        if message is not self.RESPONSE or ctx.out_error is not None or ctx.descriptor is None:
            super().serialize(ctx, message)
            return
        self.event_manager.fire_event("before_serialize", ctx)
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_NSMAP)
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        wrapper_class = ctx.descriptor.out_message
        wrapper = etree.SubElement(body, f"{{{TNS}}}{wrapper_class.get_type_name()}")
        for (name, cls), value in zip(
            wrapper_class._type_info.items(), ctx.out_object or (), strict=False
        ):
            self._write(wrapper, name, cls, value)
        ctx.out_document = envelope
        ctx.out_body_doc = body
        self.event_manager.fire_event("after_serialize", ctx)

    def _write(self, parent: Any, name: str, cls: Any, value: Any) -> None:
        if value is None:
            return  # optional and absent: Spyne omits the element too
        plan = self._plan(cls)
        if plan.repeated and isinstance(value, list | tuple):
            for item in value:  # a repeated element: one element per item
                self._element(parent, name, plan, item)
        else:
            self._element(parent, name, plan, value)

    def _element(self, parent: Any, name: str, plan: _Plan, value: Any) -> None:
        element = etree.SubElement(parent, f"{{{TNS}}}{name}")
        if plan.text is not None:
            element.text = plan.text(value)
        elif plan.item is not None:
            item_name, item_class = plan.item
            for item in value:
                self._write(element, item_name, item_class, item)
        else:
            for field, field_class in plan.fields:
                self._write(element, field, field_class, getattr(value, field, None))

    def _plan(self, cls: Any) -> _Plan:
        """How to write one Spyne type, worked out once per type."""
        plan = self._plans.get(cls)
        if plan is None:
            plan = self._plans[cls] = _Plan(
                repeated=cls.Attributes.max_occurs != 1,
                text=self._text(cls),
                item=next(iter(cls._type_info.items())) if issubclass(cls, Array) else None,
                fields=tuple(cls._type_info.items())
                if issubclass(cls, ComplexModelBase) and not issubclass(cls, Array)
                else (),
            )
        return plan

    def _text(self, cls: Any) -> Callable[[Any], str] | None:
        """The value-to-text function of a simple type: the common ones inlined, the rest
        (and any type with its own format) through Spyne's ``to_unicode``."""
        if issubclass(cls, ComplexModelBase):
            return None
        attributes = self.get_cls_attrs(cls)
        if getattr(attributes, "format", None) or getattr(attributes, "str_format", None):
            return lambda value: str(self.to_unicode(cls, value))
        for base, convert in _FAST_TEXT:
            if issubclass(cls, base):
                return convert
        return lambda value: str(self.to_unicode(cls, value))
