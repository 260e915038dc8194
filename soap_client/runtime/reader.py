"""The fast path: reading reply elements with lxml straight into the generated dataclasses.

It reads what zeep reads, the way zeep reads it (the same lexical conversions; an element that
carries nothing its type declares is None; a flattened wrapper without items is None when
optional and [] when required), but walks the tree once with a dict lookup per child instead
of zeep's generic machinery. What it can't judge (an element its type doesn't declare, a second
occurrence of a single element, an item foreign to its wrapper, SOAP-encoded references) raises
``Unreadable``, and the client hands the reply to zeep instead.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from soap_client.runtime.shapes import XSI_TYPE, Member, Shape
from soap_client.runtime.values import AnyElement, Simple


class Unreadable(Exception):
    """Something in the reply that only zeep can judge; the client falls back to zeep."""


def _type_name(el: etree._Element, text: str) -> str:
    prefix, _, local = text.strip().rpartition(":")
    namespace = el.nsmap.get(prefix or None)
    return f"{{{namespace}}}{local}" if namespace else local


def read_object(cls: type[Any], el: etree._Element) -> Any:
    """An instance of the generated class ``cls`` (or of the subclass ``xsi:type`` names)."""
    shape: Shape = cls._xml
    if shape.subtypes:
        declared = el.get(XSI_TYPE)
        if declared is not None:
            derived = shape.subtypes.get(_type_name(el, declared))
            if derived is not None:
                cls, shape = derived, derived._xml
    if not shape.members:  # an empty type: a presence marker like <Success/>
        return cls()
    fields = read_fields(shape, el)
    if fields is None:
        return None
    # The fields are complete and checked: fill the frozen instance without its __init__.
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance


def read_fields(shape: Shape, el: etree._Element, lax: bool = False) -> dict[str, Any] | None:
    """The field values of ``el`` read with ``shape``; None when they all come out empty.

    ``lax`` skips elements the shape doesn't declare (a SOAP Header carries others' headers).
    """
    values = dict(shape.empty)
    for name in shape.lists:
        values[name] = []
    carried = False
    elements = shape.elements
    for child in el:
        tag = child.tag
        entry = elements.get(tag) if isinstance(tag, str) else None
        if entry is None:
            if lax or not isinstance(tag, str):
                continue  # another party's header, or a processing instruction
            wildcard = shape.wildcard
            if wildcard is None:
                raise Unreadable(f"unexpected element {tag}")
            if wildcard.repeated:
                values[wildcard.name].append(AnyElement(child))
            elif values[wildcard.name] is None:
                values[wildcard.name] = AnyElement(child)
            else:
                raise Unreadable(f"a second element {tag} for a single wildcard")
            carried = True
            continue
        member, kind = entry
        if member.item:
            value: Any = _items(member, child)
        elif isinstance(kind, Simple):
            value = kind.parse(child.text)
        else:
            if child.get("href") is not None:
                raise Unreadable("a SOAP-encoded reference")
            value = read_object(kind, child)  # type: ignore[arg-type]
        if member.repeated:
            values[member.name].append(value)
            carried = True
        elif values[member.name] is not None and not member.item:
            raise Unreadable(f"{tag} occurs twice")
        else:
            values[member.name] = value
            carried = carried or value is not None
    attributes = el.attrib
    if attributes:
        extra: dict[str, str] = {}
        for key, text in attributes.items():
            found = shape.attributes.get(str(key))
            if found is not None:
                value = found.value.parse(str(text))  # type: ignore[union-attr]
                values[found.name] = value
                carried = carried or value is not None
            elif shape.any_attribute is not None and key != XSI_TYPE:
                extra[str(key)] = str(text)
        if shape.any_attribute is not None and extra:
            values[shape.any_attribute.name] = extra
            carried = True
    if shape.value is not None:
        value = shape.value.value.parse(el.text)  # type: ignore[union-attr]
        values[shape.value.name] = value
        carried = carried or value is not None
    return values if carried else None


def _items(member: Member, wrapper: etree._Element) -> list[Any] | None:
    """The items of a flattened wrapper: None when optional and empty, else a list."""
    kind = member.value
    items = []
    for item in wrapper:
        if item.tag != member.item:
            if not isinstance(item.tag, str):
                continue
            raise Unreadable(f"{item.tag} inside a wrapper of {member.item}")
        if isinstance(kind, Simple):
            items.append(kind.parse(item.text))
        else:
            assert kind is not None
            items.append(read_object(kind, item))
    if items:
        return items
    return None if member.optional else []
