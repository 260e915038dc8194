"""The wire tables of a generated module: what each dataclass field is in XML, and each operation.

A generated module declares one ``Shape`` per dataclass (``Cls._xml``) and one ``Operation`` per
client method; the readers and writers in this package walk them. Plain data, no I/O.
"""

from __future__ import annotations

from typing import Any

from soap_client.ns import XSI
from soap_client.runtime.values import Simple

ELEMENT = "element"
ATTRIBUTE = "attribute"
VALUE = "value"  # the text of a simpleContent type
ANY = "any"  # xs:any: AnyElement items
ANY_ATTRIBUTE = "any-attribute"  # xs:anyAttribute: dict of Clark name -> text
GROUP = "group"  # a repeated xs:choice or xs:sequence: a list of its occurrences

XSI_TYPE = f"{{{XSI}}}type"


class Member:
    """One dataclass field (or operation parameter) and where it sits in the XML.

    ``tag`` is the element's Clark name or the attribute's name; ``key`` is zeep's name for it.
    ``value`` is a ``Simple`` or a generated class. ``item`` names the repeated element inside a
    wrapper that was flattened to a list (``item_key`` is zeep's name for it). ``substitutes``
    maps the Clark names of substitution-group members to their classes.
    """

    __slots__ = (
        "name",
        "kind",
        "tag",
        "key",
        "value",
        "repeated",
        "optional",
        "nillable",
        "item",
        "item_key",
        "substitutes",
        "choice",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        tag: str,
        key: str,
        value: Simple | type[Any] | None = None,
        *,
        repeated: bool = False,
        optional: bool = False,
        nillable: bool = False,
        item: str = "",
        item_key: str = "",
        substitutes: dict[str, type[Any]] | None = None,
        choice: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.tag = tag
        self.key = key
        self.value = value
        self.repeated = repeated
        self.optional = optional
        self.nillable = nillable
        self.item = item
        self.item_key = item_key
        self.substitutes = substitutes or {}
        self.choice = choice  # a group's compositor is a choice (else a sequence)

    def __repr__(self) -> str:
        return f"Member({self.name!r}, {self.kind}, {self.tag!r})"

    @property
    def listed(self) -> bool:
        """Whether the value defaults to an empty list (absent repeated or required wrapped)."""
        return self.repeated or (bool(self.item) and not self.optional)


def element(
    name: str, tag: str, value: Simple | type[Any], key: str = "", **options: Any
) -> Member:
    """A child element; ``key`` defaults to the tag's local name."""
    return Member(name, ELEMENT, tag, key or tag.rpartition("}")[2], value, **options)


def attribute(name: str, tag: str, value: Simple, key: str = "", **options: Any) -> Member:
    return Member(name, ATTRIBUTE, tag, key or tag.rpartition("}")[2], value, **options)


def text(name: str, value: Simple, key: str = "_value_1") -> Member:
    return Member(name, VALUE, "", key, value, optional=True)


def wildcard(name: str, key: str, *, repeated: bool = True) -> Member:
    return Member(name, ANY, "", key, None, repeated=repeated, optional=not repeated)


def group(name: str, key: str, cls: type[Any], *, choice: bool) -> Member:
    """A repeated compositor: a list of ``cls`` (its shape must be set before the parent's)."""
    return Member(name, GROUP, "", key, cls, repeated=True, choice=choice)


def any_attribute(name: str, key: str) -> Member:
    return Member(name, ANY_ATTRIBUTE, "", key, None, optional=True)


class Shape:
    """The XML of one complex type: its members by tag, and the classes derived from it."""

    __slots__ = (
        "type_name",
        "members",
        "elements",
        "attributes",
        "value",
        "wildcard",
        "any_attribute",
        "subtypes",
        "lists",
        "empty",
        "positions",
    )

    def __init__(
        self, type_name: str, *members: Member, subtypes: dict[str, type[Any]] | None = None
    ) -> None:
        self.type_name = type_name
        self.members = members
        # tag -> (member, what an occurrence is read into: a Simple or a generated class)
        self.elements: dict[str, tuple[Member, type[Any] | Simple | None]] = {}
        self.attributes: dict[str, Member] = {}
        self.value: Member | None = None
        self.wildcard: Member | None = None
        self.any_attribute: Member | None = None
        self.subtypes = subtypes or {}
        # a group's members: tag -> (the group, the member inside it), and their order
        self.positions: dict[str, int] = {}
        for member in members:
            if member.kind == GROUP:
                inner: Shape = member.value._xml  # type: ignore[union-attr]
                for position, part in enumerate(inner.members):
                    for tag in [part.tag, *part.substitutes]:
                        self.elements[tag] = (member, part)  # type: ignore[assignment]
                        self.positions[tag] = position
            elif member.kind == ELEMENT:
                self.elements[member.tag] = (member, member.value)
                for tag, cls in member.substitutes.items():
                    self.elements[tag] = (member, cls)
            elif member.kind == ATTRIBUTE:
                self.attributes[member.tag] = member
            elif member.kind == VALUE:
                self.value = member
            elif member.kind == ANY:
                self.wildcard = member
            else:
                self.any_attribute = member
        self.lists = tuple(m.name for m in members if m.listed)
        self.empty: dict[str, Any] = {m.name: None for m in members if not m.listed}

    def __repr__(self) -> str:
        return f"Shape({self.type_name or 'anonymous'}, {len(self.members)} members)"


class Operation:
    """One operation of a binding, as the client sends and reads it.

    ``params`` are the body's members (zeep's keyword arguments), ``headers`` the input SOAP
    headers. The answer is read from ``output``: the response element (``mode`` "element"), the
    Body itself (several parts, "body"), the rpc wrapper ("rpc"), or a simple response element
    ("simple", read with ``simple``). ``unwrap`` names the member returned alone; otherwise
    ``result`` is the class built from all of them. With output headers, ``reply`` is the class
    holding ``result`` and one field per header (``output_headers``).
    """

    __slots__ = (
        "name",
        "params",
        "headers",
        "mode",
        "output",
        "simple",
        "unwrap",
        "result",
        "output_headers",
        "reply",
        "faults",
        "positional",
    )

    def __init__(
        self,
        name: str,
        *,
        params: tuple[Member, ...] = (),
        headers: tuple[Member, ...] = (),
        mode: str = "element",
        output: Shape | None = None,
        simple: Simple | None = None,
        unwrap: str | None = None,
        result: type[Any] | None = None,
        output_headers: tuple[Member, ...] = (),
        reply: type[Any] | None = None,
        faults: tuple[type[Any], ...] = (),
        positional: bool = False,
    ) -> None:
        self.name = name
        self.params = params
        self.headers = headers
        self.mode = mode
        self.output = output
        self.simple = simple
        self.unwrap = unwrap
        self.result = result
        self.output_headers = Shape("", *output_headers) if output_headers else None
        self.reply = reply
        self.faults = faults
        self.positional = positional

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"
