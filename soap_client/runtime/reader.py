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

from soap_client.runtime.shapes import GROUP, XSI_TYPE, Member, Shape
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
    groups: dict[str, tuple[int, str]] = {}  # a group's name -> its last member's position, tag
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
        if member.kind == GROUP:
            _occurrence(shape, member, kind, child, values[member.name], groups)  # type: ignore[arg-type]
            carried = True
            continue
        value = _value(member, kind, child)
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
    for name in groups:
        values[name] = [_instance(_group_class(shape, name), item) for item in values[name]]
    return values if carried else None


def _value(member: Member, kind: Any, child: etree._Element) -> Any:
    """One occurrence of an element member: a list (a flattened wrapper), a value or an object."""
    if member.item:
        return _items(member, child)
    if isinstance(kind, Simple):
        return kind.parse(child.text)
    if child.get("href") is not None:
        raise Unreadable("a SOAP-encoded reference")
    return read_object(kind, child)


def _occurrence(
    shape: Shape,
    group: Member,
    part: Member,
    child: etree._Element,
    items: list[dict[str, Any]],
    groups: dict[str, tuple[int, str]],
) -> None:
    """Put ``child`` in the current occurrence of a repeated compositor, or start the next:
    a choice's occurrence is one branch (a repeated branch's run of elements), a sequence's
    runs in the members' order."""
    tag = str(child.tag)
    position = shape.positions[tag]
    last = groups.get(group.name)
    again = last is not None and last[1] == tag and part.repeated
    if last is None or not again and (group.choice or position <= last[0]):
        inner: Shape = group.value._xml  # type: ignore[union-attr]
        items.append(dict(inner.empty) | {name: [] for name in inner.lists})
    groups[group.name] = (position, tag)
    value = _value(part, part.value if tag == part.tag else part.substitutes[tag], child)
    if part.repeated:
        items[-1][part.name].append(value)
    else:
        items[-1][part.name] = value


def _group_class(shape: Shape, name: str) -> type[Any]:
    return next(m.value for m in shape.members if m.name == name)  # type: ignore[return-value]


def _instance(cls: type[Any], fields: dict[str, Any]) -> Any:
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance


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
