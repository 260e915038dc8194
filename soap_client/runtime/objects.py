"""Crossing to zeep: dataclasses into the values zeep serialises, zeep's objects back into them.

Requests always go this way (zeep writes the envelope). Replies come back this way only when
the fast reader hands them over; the rules are the same as the fast reader's, so both give equal
objects: an element whose fields all come out empty is None, a flattened wrapper without items
is None when optional and [] when required.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from lxml import etree

from soap_client.runtime.shapes import ANY, ANY_ATTRIBUTE, ATTRIBUTE, GROUP, Member, Shape
from soap_client.runtime.values import AnyElement, Simple


class ZeepTypes(Protocol):
    """What the conversion needs from the zeep client: typed values and rendered elements."""

    def typed(self, type_name: str, data: dict[str, Any]) -> Any:
        """A zeep value of the named type (it gets an ``xsi:type`` when it isn't the declared)."""

    def substitute(self, tag: str, type_name: str, data: dict[str, Any]) -> Any:
        """A zeep value rendered as the element ``tag`` (a substitution-group member)."""

    def element_xml(self, value: Any) -> etree._Element | None:
        """A parsed global element rendered back to XML, or None if zeep can't say which."""


# -- to zeep --------------------------------------------------------------------------------------


def to_zeep(value: Any, declared: type[Any], types: ZeepTypes) -> Any:
    """A generated dataclass as zeep's keyword data (typed when a subclass stands in)."""
    cls = type(value)
    shape: Shape = cls._xml
    data = members_to_zeep(shape.members, value, types)
    if cls is not declared and shape.type_name:
        return types.typed(shape.type_name, data)
    return data


def members_to_zeep(members: tuple[Member, ...], value: Any, types: ZeepTypes) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for member in members:
        item = getattr(value, member.name)
        if item is not None:
            data[member.key] = member_to_zeep(member, item, types)
    return data


def member_to_zeep(member: Member, value: Any, types: ZeepTypes) -> Any:
    """One member's Python value as zeep takes it."""
    if member.kind == GROUP:  # zeep takes a repeated compositor as a list of dicts
        inner: Shape = member.value._xml  # type: ignore[union-attr]
        return [members_to_zeep(inner.members, item, types) for item in value]
    if member.kind == ANY:
        items = value if member.repeated else [value]
        copies = [copy.deepcopy(item.element) for item in items]
        return copies if member.repeated else copies[0]
    if member.kind == ANY_ATTRIBUTE:
        return dict(value)
    if member.item:
        return {member.item_key: [_single_to_zeep(member, v, types) for v in value]}
    if member.repeated:
        return [_single_to_zeep(member, v, types) for v in value]
    return _single_to_zeep(member, value, types)


def _single_to_zeep(member: Member, value: Any, types: ZeepTypes) -> Any:
    kind = member.value
    if isinstance(kind, Simple):
        return kind.to_zeep(value)
    assert kind is not None
    for tag, substitute in member.substitutes.items():
        if type(value) is substitute:
            shape: Shape = substitute._xml
            data = members_to_zeep(shape.members, value, types)
            return types.substitute(tag, shape.type_name, data)
    return to_zeep(value, kind, types)


# -- from zeep ------------------------------------------------------------------------------------


def from_zeep(cls: type[Any], value: Any, types: ZeepTypes) -> Any:
    """zeep's parsed value as the generated class ``cls`` (or the subclass its type names)."""
    if value is None:
        return None
    shape: Shape = cls._xml
    if shape.subtypes:
        xsd_type = getattr(value, "_xsd_type", None)
        qname = getattr(xsd_type, "qname", None)
        derived = shape.subtypes.get(str(qname)) if qname is not None else None
        if derived is not None:
            cls, shape = derived, derived._xml
    fields = fields_from_zeep(shape, value, types)
    return None if fields is None else cls(**fields)


def fields_from_zeep(shape: Shape, value: Any, types: ZeepTypes) -> dict[str, Any] | None:
    """The field values of one zeep object; None when they all come out empty."""
    if value is None:
        return None
    fields = {}
    for member in shape.members:
        raw = _get(value, member.key)
        fields[member.name] = member_from_zeep(member, raw, types)
    return fields if carries(fields) else None


def carries(fields: dict[str, Any]) -> bool:
    """Whether any field holds something (not None, not an empty list)."""
    return any(v is not None and not (isinstance(v, list) and not v) for v in fields.values())


def _get(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    try:
        return value[key]
    except (KeyError, AttributeError, TypeError, IndexError):
        return getattr(value, key, None)


def member_from_zeep(member: Member, raw: Any, types: ZeepTypes) -> Any:
    if member.kind == GROUP:  # zeep gives one dict per occurrence
        cls: Any = member.value
        inner: Shape = cls._xml
        return [
            cls(**{m.name: member_from_zeep(m, _get(entry, m.key), types) for m in inner.members})
            for entry in raw or []
        ]
    if member.kind == ANY:
        items = [] if raw is None else raw if isinstance(raw, list) else [raw]
        elements = [e for e in (_any_element(item, types) for item in items) if e is not None]
        if member.repeated:
            return elements
        return elements[0] if elements else None
    if member.kind == ANY_ATTRIBUTE:
        return dict(raw) if raw else None
    if member.item:
        found = _get(raw, member.item_key) if raw is not None else None
        items = [_single_from_zeep(member, v, types) for v in found or []]
        if items:
            return items
        return None if member.optional else []
    if member.repeated:
        return [_single_from_zeep(member, v, types) for v in raw or []]
    if member.kind == ATTRIBUTE and isinstance(member.value, Simple):
        return member.value.from_zeep(raw)
    return _single_from_zeep(member, raw, types)


def _single_from_zeep(member: Member, raw: Any, types: ZeepTypes) -> Any:
    kind = member.value
    if isinstance(kind, Simple):
        return kind.from_zeep(raw)
    assert kind is not None
    return from_zeep(kind, raw, types)


def _any_element(item: Any, types: ZeepTypes) -> AnyElement | None:
    if isinstance(item, etree._Element):
        return AnyElement(item)
    element = types.element_xml(item)
    return None if element is None else AnyElement(element)
