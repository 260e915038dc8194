"""The model of a parsed contract: schema types, WSDL components, and the ``Change`` found.

Plain frozen dataclasses; nothing here reads XML or judges anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from soap_client.ns import XS

ANY_TYPE = f"{{{XS}}}anyType"
ANY_SIMPLE_TYPE = f"{{{XS}}}anySimpleType"

REQUEST = "requests"
RESPONSE = "responses"
BASE_ONLY = "base"  # reached only as the complexContent base of types that are used
Usage = frozenset[str]
Node = tuple[str, str]  # (symbol space: element, type, group, attributeGroup, attribute; name)


@dataclass(frozen=True)
class Change:
    """One difference between two contracts, judged from the side of a client built from OLD."""

    kind: str
    where: str
    detail: str
    breaking: bool

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "kind": self.kind,
            "where": self.where,
            "detail": self.detail,
            "breaking": self.breaking,
        }


# --- the schema model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """One end of a value range: ``minInclusive 0`` is Bound("0", exclusive=False)."""

    value: str
    exclusive: bool


@dataclass(frozen=True)
class Facets:
    """The effective facets of a simple type, merged along its restriction chain."""

    enumeration: tuple[str, ...] | None = None
    patterns: frozenset[str] = frozenset()
    min_length: int | None = None
    max_length: int | None = None
    lower: Bound | None = None
    upper: Bound | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    other: tuple[tuple[str, str], ...] = ()  # whiteSpace and anything else, compared verbatim


@dataclass(frozen=True)
class SimpleType:
    """A value space: a built-in primitive (Clark name) or "list"/"union", and facets."""

    primitive: str
    facets: Facets = Facets()
    item: SimpleType | None = None
    members: tuple[SimpleType, ...] = ()


@dataclass(frozen=True)
class TypeRef:
    """The type of an element or attribute: a named type, or an anonymous one inline."""

    name: str | None
    anonymous: SimpleType | ComplexType | None = None


@dataclass(frozen=True)
class Particle:
    """An element (or an ``xs:any`` wildcard) of a content model, with effective occurrences."""

    key: str
    label: str
    namespace: str  # on the wire; "" when unqualified
    min_occurs: int
    max_occurs: int | None  # None: unbounded
    nillable: bool
    type: TypeRef | None  # None for a wildcard
    path: str  # the compositors around it: "sequence", "sequence/choice", ...
    fixed: str | None = None  # the one value it may have


@dataclass(frozen=True)
class Attribute:
    name: str  # a local name, or a Clark name when qualified
    required: bool
    type: TypeRef
    fixed: str | None = None


@dataclass(frozen=True)
class ComplexType:
    particles: tuple[Particle, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    value: TypeRef | None = None  # simpleContent
    mixed: bool = False
    any_attribute: bool = False


@dataclass(frozen=True)
class ElementDecl:
    type: TypeRef
    nillable: bool


@dataclass(frozen=True)
class SchemaInfo:
    tns: str
    elements_qualified: bool
    attributes_qualified: bool


# --- the WSDL model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    name: str
    element: str | None
    type: str | None


@dataclass(frozen=True)
class Operation:
    input: str | None
    output: str | None
    faults: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Header:
    message: str
    part: str
    required: bool


@dataclass(frozen=True)
class BindingOperation:
    soap_action: str
    style: str | None
    uses: tuple[str, str]  # soap:body use of input, output
    namespaces: tuple[str, str]  # soap:body namespace of input, output (rpc)
    input_headers: tuple[Header, ...]
    output_headers: tuple[Header, ...]


@dataclass(frozen=True)
class Binding:
    port_type: str
    protocol: str
    style: str | None
    transport: str
    operations: dict[str, BindingOperation]


@dataclass(frozen=True)
class Port:
    binding: str
    address: str
