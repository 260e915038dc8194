"""Contract diff: which changes between two WSDL 1.1 contracts break clients built from the old.

Both contracts are read with lxml alone (no DTD, no entities, no network, DOCTYPE refused): the
WSDL 1.1 definitions and the inline ``xs:schema`` elements of ``wsdl:types``. Every change is
judged from the side of a client generated from the OLD contract, which sends requests and reads
responses. Schema types are classified by where the old contract uses them: a type reachable
from an input message or input header is used in *requests*; from an output or fault message or
an output header, in *responses*; from both, the stricter verdict wins; from no message at all,
no schema change to it can break anyone (the detail then says "not used by any message").

======================================  =====================================================
change                                  breaking?
======================================  =====================================================
targetNamespace renamed (definitions    yes (names are compared modulo the rename, so the
or a schema)                            rest of the report is still about real changes)
service / port / binding removed        yes
service / port / binding added          no
port address (location) changed         no (noted)
port's binding changed                  yes
binding protocol, transport, style      yes
soapAction changed                      yes if the old one was non-empty, else no (noted)
soap:body use or rpc namespace changed  yes
operation removed                       yes
operation added                         no
input / output message element changed  yes (message *names* are not on the wire)
output added or removed (MEP changed)   yes
fault element changed                   yes
fault added / removed                   no (noted: old clients see a generic fault)
input header added                      yes when required (``wsdl:required`` not "false")
input header removed                    no (noted)
output header removed / added           yes / no
element or attribute removed            yes
optional element/attribute added        no
element added as a new choice branch    if used in responses (it may come instead of a known one)
required element/attribute added        yes
minOccurs raised (or use -> required)   if used in requests (responses always carry it now)
minOccurs lowered (use -> optional)     if used in responses ("responses may now omit it")
maxOccurs lowered                       if used in requests (old clients may send more)
maxOccurs raised                        if used in responses (old clients may not expect lists)
nillable removed / added                if used in requests / in responses
element or attribute type changed       yes (different primitive, simple <-> complex, or a
                                        different complex type with a different shape)
type reference renamed, same value      no (noted; type names are not on the wire) - the
space / same shape                      facets and content are compared as below
order changed in a sequence             yes
compositor changed (sequence/choice)    yes
namespace qualification (form) changed  yes
mixed content changed                   yes
restriction narrowed (enum value        if used in requests
removed, pattern added, maxLength
lowered, minLength raised, range
tightened, fewer digits)
restriction widened (enum value added,  if used in responses (a new enum value can surprise
pattern removed, length or range        old clients)
relaxed, more digits)
restriction changed unorderably         yes (e.g. one pattern replaced by another)
global element / named type removed     yes if the old contract's messages reach it, else no
global element / named type added       no
======================================  =====================================================

Content models are compared as the wire sees them: ``xs:group`` and ``xs:attributeGroup``
references are inlined, ``complexContent`` extensions are flattened (inherited elements count as
the type's own), and occurrence bounds are the effective ones (an element inside an optional
sequence, or one of several branches of a choice, is optional). Types derived from a reachable
type, and substitution-group members of a reachable element, are reachable too (``xsi:type``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
HTTP = "http://schemas.xmlsoap.org/wsdl/http/"
ANY_TYPE = f"{{{XS}}}anyType"
ANY_SIMPLE_TYPE = f"{{{XS}}}anySimpleType"

REQUEST = "requests"
RESPONSE = "responses"
Usage = frozenset[str]
Node = tuple[str, str]  # (symbol space: element, type, group, attributeGroup, attribute; name)

MAX_WSDL_BYTES = 16 * 1024 * 1024


class WsdlError(Exception):
    """An unreadable or invalid contract: reported as one line."""


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


@dataclass(frozen=True)
class Attribute:
    name: str  # a local name, or a Clark name when qualified
    required: bool
    type: TypeRef


@dataclass(frozen=True)
class ComplexType:
    particles: tuple[Particle, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    value: TypeRef | None = None  # simpleContent
    mixed: bool = False
    any_attribute: bool = False


@dataclass(frozen=True)
class _ElementDecl:
    type: TypeRef
    nillable: bool


@dataclass(frozen=True)
class _SchemaInfo:
    tns: str
    elements_qualified: bool
    attributes_qualified: bool


@dataclass
class _Content:
    """A complex type under construction."""

    particles: list[Particle] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)
    value: TypeRef | None = None
    mixed: bool = False
    any_attribute: bool = False

    def add(self, particle: Particle) -> None:
        keys = {p.key for p in self.particles}
        key, n = particle.key, 1
        while key in keys:  # the same name twice in one type: the second is "Name#2"
            n += 1
            key = f"{particle.key}#{n}"
        if key != particle.key:
            particle = replace(particle, key=key, label=f"{particle.label}#{n}")
        self.particles.append(particle)

    def freeze(self) -> ComplexType:
        return ComplexType(
            tuple(self.particles),
            tuple(self.attributes.values()),
            self.value,
            self.mixed,
            self.any_attribute,
        )


# --- small XML helpers ------------------------------------------------------------------------


def _split(clark: str) -> tuple[str, str]:
    if clark.startswith("{"):
        namespace, _, local = clark[1:].partition("}")
        return namespace, local
    return "", clark


def _clark(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def _local(el: etree._Element) -> str:
    return _split(el.tag)[1]


def _children(el: etree._Element, namespace: str, *names: str) -> Iterator[etree._Element]:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        child_ns, local = _split(child.tag)
        if child_ns == namespace and (not names or local in names):
            yield child


def _first(el: etree._Element, namespace: str, *names: str) -> etree._Element | None:
    return next(_children(el, namespace, *names), None)


def _is_complex_content(derivation: etree._Element) -> bool:
    parent = derivation.getparent()
    return parent is not None and parent.tag == f"{{{XS}}}complexContent"


def _bool(text: str | None) -> bool:
    return text is not None and text.strip() in ("true", "1")


def _int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise WsdlError(f"invalid {what} {text!r}") from None


def _occurs(el: etree._Element) -> tuple[int, int | None]:
    low = _int(el.get("minOccurs", "1"), "minOccurs")
    high_text = el.get("maxOccurs", "1").strip()
    high = None if high_text == "unbounded" else _int(high_text, "maxOccurs")
    return low, high


def _times(a: int | None, b: int | None) -> int | None:
    if a == 0 or b == 0:
        return 0
    return None if a is None or b is None else a * b


class _Names:
    """Resolves QName-valued attributes through the in-scope nsmap, applying namespace renames."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def ns(self, namespace: str) -> str:
        return self.renames.get(namespace, namespace)

    def qname(self, el: etree._Element, text: str) -> str:
        prefix, _, local = text.strip().rpartition(":")
        namespace = el.nsmap.get(prefix or None)
        if namespace is None:
            if prefix:
                raise WsdlError(f"undeclared namespace prefix {prefix!r} in {text.strip()!r}")
            namespace = ""
        return _clark(self.ns(namespace), local)

    def declared(self, tns: str, el: etree._Element) -> str:
        return _clark(self.ns(tns), el.get("name", ""))


# --- the schemas ------------------------------------------------------------------------------

_FACET_NAMES = frozenset(
    {
        "length",
        "minLength",
        "maxLength",
        "minInclusive",
        "minExclusive",
        "maxInclusive",
        "maxExclusive",
        "totalDigits",
        "fractionDigits",
    }
)
_NOT_FACETS = frozenset(
    {
        "annotation",
        "simpleType",
        "sequence",
        "choice",
        "all",
        "group",
        "attribute",
        "attributeGroup",
        "anyAttribute",
    }
)


def _merge_facets(base: Facets, restriction: etree._Element) -> Facets:
    """The facets of ``restriction`` applied on top of its base's."""
    enumeration: list[str] = []
    patterns: set[str] = set()
    values: dict[str, str] = {}
    other = dict(base.other)
    for child in _children(restriction, XS):
        name, value = _local(child), child.get("value", "")
        if name == "enumeration":
            enumeration.append(value)
        elif name == "pattern":
            patterns.add(value)
        elif name in _FACET_NAMES:
            values[name] = value.strip()
        elif name not in _NOT_FACETS:
            other[name] = value.strip()
    min_length, max_length = base.min_length, base.max_length
    if "length" in values:
        min_length = max_length = _int(values["length"], "length")
    if "minLength" in values:
        min_length = _int(values["minLength"], "minLength")
    if "maxLength" in values:
        max_length = _int(values["maxLength"], "maxLength")
    lower, upper = base.lower, base.upper
    if "minInclusive" in values:
        lower = Bound(values["minInclusive"], exclusive=False)
    elif "minExclusive" in values:
        lower = Bound(values["minExclusive"], exclusive=True)
    if "maxInclusive" in values:
        upper = Bound(values["maxInclusive"], exclusive=False)
    elif "maxExclusive" in values:
        upper = Bound(values["maxExclusive"], exclusive=True)
    total = base.total_digits
    if "totalDigits" in values:
        total = _int(values["totalDigits"], "totalDigits")
    fraction = base.fraction_digits
    if "fractionDigits" in values:
        fraction = _int(values["fractionDigits"], "fractionDigits")
    return Facets(
        enumeration=tuple(enumeration) if enumeration else base.enumeration,
        patterns=base.patterns | patterns,
        min_length=min_length,
        max_length=max_length,
        lower=lower,
        upper=upper,
        total_digits=total,
        fraction_digits=fraction,
        other=tuple(sorted(other.items())),
    )


class _Schemas:
    """The global components of every inline schema, and the models built from them on demand."""

    def __init__(self, types: etree._Element | None, names: _Names) -> None:
        self.names = names
        self.elements: dict[str, tuple[etree._Element, _SchemaInfo]] = {}
        self.types: dict[str, tuple[etree._Element, _SchemaInfo]] = {}
        self.groups: dict[str, tuple[etree._Element, _SchemaInfo]] = {}
        self.attribute_groups: dict[str, tuple[etree._Element, _SchemaInfo]] = {}
        self.attributes: dict[str, tuple[etree._Element, _SchemaInfo]] = {}
        self._derived: dict[str, set[Node]] = {}  # base type -> named types derived from it
        self._substitutes: dict[str, set[Node]] = {}  # head element -> its group's members
        self._simple_memo: dict[str, SimpleType] = {}
        self._complex_memo: dict[str, ComplexType] = {}
        self._element_memo: dict[str, _ElementDecl] = {}
        self._building: set[str] = set()
        tables = {
            "element": self.elements,
            "complexType": self.types,
            "simpleType": self.types,
            "group": self.groups,
            "attributeGroup": self.attribute_groups,
            "attribute": self.attributes,
        }
        for schema in [] if types is None else _children(types, XS, "schema"):
            tns = names.ns(schema.get("targetNamespace", ""))
            info = _SchemaInfo(
                tns,
                schema.get("elementFormDefault") == "qualified",
                schema.get("attributeFormDefault") == "qualified",
            )
            for child in _children(schema, XS):
                table = tables.get(_local(child))
                if table is None or not child.get("name"):
                    continue
                name = names.declared(tns, child)
                table.setdefault(name, (child, info))
                self._note_derivation(name, child)

    def _note_derivation(self, name: str, el: etree._Element) -> None:
        if _local(el) == "element" and el.get("substitutionGroup"):
            head = self.names.qname(el, el.get("substitutionGroup", ""))
            self._substitutes.setdefault(head, set()).add(("element", name))
        for content in _children(el, XS, "complexContent", "simpleContent"):
            for derivation in _children(content, XS, "extension", "restriction"):
                if derivation.get("base"):
                    base = self.names.qname(derivation, derivation.get("base", ""))
                    self._derived.setdefault(base, set()).add(("type", name))

    # reachability

    def references(self, node: Node) -> set[Node]:
        """The components ``node`` mentions, plus the types derived from it (``xsi:type``).

        A complexContent base is not a use: its elements are flattened into the derived type
        and reported there.
        """
        kind, name = node
        table = {
            "element": self.elements,
            "type": self.types,
            "group": self.groups,
            "attributeGroup": self.attribute_groups,
            "attribute": self.attributes,
        }[kind]
        refs: set[Node] = set()
        if kind == "type":
            refs |= self._derived.get(name, set())
        if kind == "element":
            refs |= self._substitutes.get(name, set())
        entry = table.get(name)
        if entry is None:
            return refs
        for el in entry[0].iter(f"{{{XS}}}*"):
            for attr in ("type", "base", "itemType"):
                if el.get(attr) and not (attr == "base" and _is_complex_content(el)):
                    refs.add(("type", self.names.qname(el, el.get(attr, ""))))
            for member in el.get("memberTypes", "").split():
                refs.add(("type", self.names.qname(el, member)))
            local = _local(el)
            if el.get("ref") and local in ("element", "attribute", "group", "attributeGroup"):
                refs.add((local, self.names.qname(el, el.get("ref", ""))))
        return refs

    # models

    def element(self, name: str) -> _ElementDecl | None:
        if name in self._element_memo:
            return self._element_memo[name]
        entry = self.elements.get(name)
        if entry is None:
            return None
        el, info = entry
        decl = _ElementDecl(self._type_of(el, info, ANY_TYPE), _bool(el.get("nillable")))
        self._element_memo[name] = decl
        return decl

    def resolve(self, ref: TypeRef) -> SimpleType | ComplexType | None:
        """The model behind a type reference; None for a type neither built in nor declared."""
        if ref.anonymous is not None:
            return ref.anonymous
        name = ref.name or ANY_TYPE
        if _split(name)[0] == XS:
            return SimpleType(name)
        entry = self.types.get(name)
        if entry is None:
            return None
        if _local(entry[0]) == "complexType":
            return self.complex_named(name)
        return self.simple_named(name)

    def value_type(self, ref: TypeRef) -> SimpleType:
        """The value space of a simple type, or of a complex type with simple content."""
        model = self.resolve(ref)
        if isinstance(model, SimpleType):
            return model
        if isinstance(model, ComplexType) and model.value is not None:
            return self.value_type(model.value)
        return SimpleType(ref.name or ANY_SIMPLE_TYPE)

    def simple_named(self, name: str) -> SimpleType:
        if name in self._simple_memo:
            return self._simple_memo[name]
        entry = self.types.get(name)
        if _split(name)[0] == XS or entry is None or _local(entry[0]) != "simpleType":
            return SimpleType(name)
        if name in self._building:  # a cycle: an invalid schema, keep going
            return SimpleType(name)
        self._building.add(name)
        try:
            model = self._simple(*entry)
        finally:
            self._building.discard(name)
        self._simple_memo[name] = model
        return model

    def complex_named(self, name: str) -> ComplexType | None:
        if name in self._complex_memo:
            return self._complex_memo[name]
        entry = self.types.get(name)
        if entry is None or _local(entry[0]) != "complexType":
            return None
        if name in self._building:
            return ComplexType()
        self._building.add(name)
        try:
            model = self._complex(*entry)
        finally:
            self._building.discard(name)
        self._complex_memo[name] = model
        return model

    def _type_of(self, el: etree._Element, info: _SchemaInfo, default: str) -> TypeRef:
        if el.get("type"):
            return TypeRef(self.names.qname(el, el.get("type", "")))
        for child in _children(el, XS, "complexType", "simpleType"):
            if _local(child) == "complexType":
                return TypeRef(None, self._complex(child, info))
            return TypeRef(None, self._simple(child, info))
        return TypeRef(default)

    def _simple_ref(self, el: etree._Element, attr: str, info: _SchemaInfo) -> list[SimpleType]:
        """The simple types named by ``attr`` (space-separated) or declared inline in ``el``."""
        found = [self.simple_named(self.names.qname(el, q)) for q in el.get(attr, "").split()]
        found += [self._simple(child, info) for child in _children(el, XS, "simpleType")]
        return found

    def _simple(self, el: etree._Element, info: _SchemaInfo) -> SimpleType:
        for child in _children(el, XS, "restriction", "list", "union"):
            kind = _local(child)
            if kind == "list":
                items = self._simple_ref(child, "itemType", info)
                return SimpleType("list", item=items[0] if items else SimpleType(ANY_SIMPLE_TYPE))
            if kind == "union":
                return SimpleType(
                    "union", members=tuple(self._simple_ref(child, "memberTypes", info))
                )
            bases = self._simple_ref(child, "base", info) or [SimpleType(ANY_SIMPLE_TYPE)]
            base = bases[0]
            return SimpleType(
                base.primitive, _merge_facets(base.facets, child), base.item, base.members
            )
        return SimpleType(ANY_SIMPLE_TYPE)

    def _complex(self, el: etree._Element, info: _SchemaInfo) -> ComplexType:
        content = _Content(mixed=_bool(el.get("mixed")))
        body = el
        wrapper = _first(el, XS, "complexContent", "simpleContent")
        if wrapper is not None:
            derivation = _first(wrapper, XS, "extension", "restriction")
            if derivation is not None:
                self._inherit(content, wrapper, derivation)
                body = derivation
        self._collect(body, info, content)
        return content.freeze()

    def _inherit(
        self, content: _Content, wrapper: etree._Element, derivation: etree._Element
    ) -> None:
        base_name = ANY_TYPE
        if derivation.get("base"):
            base_name = self.names.qname(derivation, derivation.get("base", ""))
        base = self.complex_named(base_name)
        extension = _local(derivation) == "extension"
        if base is not None:
            content.attributes.update((a.name, a) for a in base.attributes)
            content.any_attribute = base.any_attribute
        if _local(wrapper) == "complexContent":
            content.mixed = content.mixed or _bool(wrapper.get("mixed"))
            if base is not None and extension:
                for particle in base.particles:
                    content.add(particle)
            return
        content.value = base.value if base is not None else TypeRef(base_name)
        if not extension and content.value is not None:
            value = self.value_type(content.value)
            facets = _merge_facets(value.facets, derivation)
            content.value = TypeRef(None, SimpleType(value.primitive, facets, value.item))

    def _collect(self, body: etree._Element, info: _SchemaInfo, content: _Content) -> None:
        for child in _children(body, XS):
            kind = _local(child)
            if kind in ("sequence", "choice", "all", "group"):
                self._particles(child, info, content, 1, 1, "", frozenset())
            else:
                self._attribute_member(child, info, content, frozenset())

    def _attribute_member(
        self, el: etree._Element, info: _SchemaInfo, content: _Content, seen: frozenset[str]
    ) -> None:
        kind = _local(el)
        if kind == "anyAttribute":
            content.any_attribute = True
        elif kind == "attributeGroup" and el.get("ref"):
            name = self.names.qname(el, el.get("ref", ""))
            entry = self.attribute_groups.get(name)
            if entry is not None and name not in seen:
                for member in _children(entry[0], XS):
                    self._attribute_member(member, entry[1], content, seen | {name})
        elif kind == "attribute":
            use = el.get("use", "optional")
            if el.get("ref"):
                name = self.names.qname(el, el.get("ref", ""))
                entry = self.attributes.get(name)
                type_ref = (
                    self._type_of(entry[0], entry[1], ANY_SIMPLE_TYPE)
                    if entry is not None
                    else TypeRef(ANY_SIMPLE_TYPE)
                )
            else:
                form = el.get("form")
                qualified = form == "qualified" if form else info.attributes_qualified
                name = _clark(info.tns if qualified else "", el.get("name", ""))
                type_ref = self._type_of(el, info, ANY_SIMPLE_TYPE)
            if use == "prohibited":
                content.attributes.pop(name, None)
            else:
                content.attributes[name] = Attribute(name, use == "required", type_ref)

    def _particles(
        self,
        node: etree._Element,
        info: _SchemaInfo,
        content: _Content,
        low: int,
        high: int | None,
        path: str,
        groups: frozenset[str],
    ) -> None:
        kind = _local(node)
        node_low, node_high = _occurs(node)
        low, high = low * node_low, _times(high, node_high)
        if kind == "group":
            name = self.names.qname(node, node.get("ref", ""))
            entry = self.groups.get(name)
            if entry is None or name in groups:
                return
            for inner in _children(entry[0], XS, "sequence", "choice", "all"):
                self._particles(inner, entry[1], content, low, high, path, groups | {name})
            return
        if not (kind == "sequence" and path.endswith("sequence")):  # nested sequences are one
            path = f"{path}/{kind}" if path else kind
        members = list(_children(node, XS, "element", "any", "sequence", "choice", "group"))
        if kind == "choice" and len(members) > 1:
            low = 0
        for member in members:
            if _local(member) in ("element", "any"):
                content.add(self._particle(member, info, low, high, path))
            else:
                self._particles(member, info, content, low, high, path, groups)

    def _particle(
        self, el: etree._Element, info: _SchemaInfo, low: int, high: int | None, path: str
    ) -> Particle:
        el_low, el_high = _occurs(el)
        low, high = low * el_low, _times(high, el_high)
        if _local(el) == "any":
            namespace = el.get("namespace", "##any")
            return Particle("xs:any", "wildcard xs:any", namespace, low, high, False, None, path)
        if el.get("ref"):
            name = self.names.qname(el, el.get("ref", ""))
            namespace, local = _split(name)
            decl = self.element(name)
            type_ref = decl.type if decl is not None else TypeRef(ANY_TYPE)
            nillable = decl.nillable if decl is not None else False
        else:
            local = el.get("name", "")
            form = el.get("form")
            qualified = form == "qualified" if form else info.elements_qualified
            namespace = info.tns if qualified else ""
            type_ref = self._type_of(el, info, ANY_TYPE)
            nillable = _bool(el.get("nillable"))
        return Particle(local, f"element {local}", namespace, low, high, nillable, type_ref, path)


# --- the WSDL model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    name: str
    element: str | None
    type: str | None


@dataclass(frozen=True)
class _Operation:
    input: str | None
    output: str | None
    faults: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Header:
    message: str
    part: str
    required: bool


@dataclass(frozen=True)
class _BindingOperation:
    soap_action: str
    style: str | None
    uses: tuple[str, str]  # soap:body use of input, output
    namespaces: tuple[str, str]  # soap:body namespace of input, output (rpc)
    input_headers: tuple[_Header, ...]
    output_headers: tuple[_Header, ...]


@dataclass(frozen=True)
class _Binding:
    port_type: str
    protocol: str
    style: str | None
    transport: str
    operations: dict[str, _BindingOperation]


@dataclass(frozen=True)
class _Port:
    binding: str
    address: str


_SOAP_NAMESPACES = (SOAP11, SOAP12, HTTP)


def _extension(el: etree._Element, name: str) -> etree._Element | None:
    for namespace in _SOAP_NAMESPACES:
        found = _first(el, namespace, name)
        if found is not None:
            return found
    return None


class _Contract:
    """One WSDL 1.1 document: messages, port types, bindings, services and its schemas."""

    def __init__(self, root: etree._Element, names: _Names, schema_names: _Names) -> None:
        # WSDL components are named in the definitions' namespace, schema components in their
        # schema's: the two may be renamed independently.
        self.names = names
        tns = root.get("targetNamespace", "")
        types = _first(root, WSDL, "types")
        self.schemas = _Schemas(types, schema_names)
        self.messages: dict[str, tuple[_Part, ...]] = {}
        for message in _children(root, WSDL, "message"):
            parts = tuple(
                _Part(
                    part.get("name", ""),
                    schema_names.qname(part, part.get("element", ""))
                    if part.get("element")
                    else None,
                    schema_names.qname(part, part.get("type", "")) if part.get("type") else None,
                )
                for part in _children(message, WSDL, "part")
            )
            self.messages.setdefault(names.declared(tns, message), parts)
        self.port_types: dict[str, dict[str, _Operation]] = {}
        for port_type in _children(root, WSDL, "portType"):
            operations: dict[str, _Operation] = {}
            for op in _children(port_type, WSDL, "operation"):
                operations.setdefault(op.get("name", ""), self._operation(op))
            self.port_types.setdefault(names.declared(tns, port_type), operations)
        self.bindings: dict[str, _Binding] = {}
        for binding in _children(root, WSDL, "binding"):
            self.bindings.setdefault(names.declared(tns, binding), self._binding(binding))
        self.services: dict[str, dict[str, _Port]] = {}
        for service in _children(root, WSDL, "service"):
            ports: dict[str, _Port] = {}
            for port in _children(service, WSDL, "port"):
                address = _extension(port, "address")
                ports.setdefault(
                    port.get("name", ""),
                    _Port(
                        names.qname(port, port.get("binding", "")),
                        "" if address is None else address.get("location", ""),
                    ),
                )
            self.services.setdefault(names.declared(tns, service), ports)

    def _message_ref(self, el: etree._Element | None) -> str | None:
        if el is None or not el.get("message"):
            return None
        return self.names.qname(el, el.get("message", ""))

    def _operation(self, op: etree._Element) -> _Operation:
        faults = tuple(
            (fault.get("name", ""), self._message_ref(fault) or "")
            for fault in _children(op, WSDL, "fault")
        )
        return _Operation(
            self._message_ref(_first(op, WSDL, "input")),
            self._message_ref(_first(op, WSDL, "output")),
            faults,
        )

    def _binding(self, binding: etree._Element) -> _Binding:
        protocol, style, transport = "none", None, ""
        soap = _extension(binding, "binding")
        if soap is not None:
            namespace = _split(soap.tag)[0]
            if namespace == HTTP:
                protocol = f"HTTP {soap.get('verb', '')}".strip()
            else:
                protocol = "SOAP 1.1" if namespace == SOAP11 else "SOAP 1.2"
                style, transport = soap.get("style"), soap.get("transport", "")
        operations: dict[str, _BindingOperation] = {}
        for op in _children(binding, WSDL, "operation"):
            soap_op = _extension(op, "operation")
            sides = [_first(op, WSDL, "input"), _first(op, WSDL, "output")]
            bodies = [None if side is None else _extension(side, "body") for side in sides]
            operations.setdefault(
                op.get("name", ""),
                _BindingOperation(
                    soap_action="" if soap_op is None else soap_op.get("soapAction", ""),
                    style=None if soap_op is None else soap_op.get("style"),
                    uses=(
                        "" if bodies[0] is None else bodies[0].get("use", ""),
                        "" if bodies[1] is None else bodies[1].get("use", ""),
                    ),
                    namespaces=(
                        "" if bodies[0] is None else bodies[0].get("namespace", ""),
                        "" if bodies[1] is None else bodies[1].get("namespace", ""),
                    ),
                    input_headers=self._headers(sides[0]),
                    output_headers=self._headers(sides[1]),
                ),
            )
        return _Binding(
            self.names.qname(binding, binding.get("type", "")),
            protocol,
            style,
            transport,
            operations,
        )

    def _headers(self, side: etree._Element | None) -> tuple[_Header, ...]:
        if side is None:
            return ()
        headers = []
        for namespace in (SOAP11, SOAP12):
            for header in _children(side, namespace, "header"):
                required = header.get(f"{{{WSDL}}}required", "true").strip() not in ("false", "0")
                headers.append(
                    _Header(self._message_ref(header) or "", header.get("part", ""), required)
                )
        return tuple(headers)

    def part_node(self, part: _Part) -> Node | None:
        if part.element:
            return ("element", part.element)
        if part.type:
            return ("type", part.type)
        return None

    def header_key(self, header: _Header) -> str:
        """What a header is on the wire: its part's element (or type), else message#part."""
        for part in self.messages.get(header.message, ()):
            if part.name == header.part and (part.element or part.type):
                return part.element or part.type or ""
        return f"{header.message}#{header.part}"

    def usage(self) -> dict[Node, Usage]:
        """Which schema components each direction of the contract's operations reaches."""
        seeds: dict[str, set[Node]] = {REQUEST: set(), RESPONSE: set()}

        def seed(direction: str, message: str | None, only_part: str | None = None) -> None:
            for part in self.messages.get(message or "", ()):
                node = self.part_node(part)
                if node is not None and (only_part is None or part.name == only_part):
                    seeds[direction].add(node)

        for operations in self.port_types.values():
            for op in operations.values():
                seed(REQUEST, op.input)
                seed(RESPONSE, op.output)
                for _, message in op.faults:
                    seed(RESPONSE, message)
        for binding in self.bindings.values():
            for bop in binding.operations.values():
                for header in bop.input_headers:
                    seed(REQUEST, header.message, header.part)
                for header in bop.output_headers:
                    seed(RESPONSE, header.message, header.part)
        usage: dict[Node, set[str]] = {}
        for direction, nodes in seeds.items():
            todo, seen = list(nodes), set(nodes)
            while todo:
                node = todo.pop()
                usage.setdefault(node, set()).add(direction)
                for ref in self.schemas.references(node):
                    if ref not in seen:
                        seen.add(ref)
                        todo.append(ref)
        return {node: frozenset(directions) for node, directions in usage.items()}


# --- loading ----------------------------------------------------------------------------------


def _load(source: bytes | Path, role: str) -> tuple[etree._Element, str]:
    if isinstance(source, Path):
        label = str(source)
        try:
            if source.stat().st_size > MAX_WSDL_BYTES:
                raise WsdlError(f"{label}: larger than {MAX_WSDL_BYTES} bytes")
            data = source.read_bytes()
        except OSError as exc:
            raise WsdlError(f"cannot read {label}: {exc.strerror or exc}") from None
    else:
        label, data = f"{role} WSDL", source
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise WsdlError(f"{label}: not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.internalDTD is not None:  # any DOCTYPE, even external only
        raise WsdlError(f"{label}: DOCTYPE declarations are refused")
    if root.tag != f"{{{WSDL}}}definitions":
        raise WsdlError(f"{label}: not a WSDL 1.1 document (root element is {root.tag})")
    imported = _first(root, WSDL, "import")
    if imported is not None:
        location = imported.get("location", "?")
        raise WsdlError(f"{label}: wsdl:import of {location} is not followed; inline it first")
    return root, label


def _target_namespaces(root: etree._Element) -> tuple[str, list[str]]:
    schemas: list[str] = []
    types = _first(root, WSDL, "types")
    for schema in [] if types is None else _children(types, XS, "schema"):
        tns = schema.get("targetNamespace", "")
        if tns not in schemas:
            schemas.append(tns)
    return root.get("targetNamespace", ""), schemas


@dataclass(frozen=True)
class _Renames:
    """Namespaces renamed from old to new: of the definitions, and of the inline schemas."""

    wsdl: dict[str, str]
    schema: dict[str, str]
    changes: list[Change]

    def reverse(self) -> dict[str, str]:
        return {after: before for before, after in (self.schema | self.wsdl).items()}


def _namespace_renames(old: etree._Element, new: etree._Element) -> _Renames:
    """The definitions' targetNamespace, and the schemas' paired in document order when as many
    namespaces disappeared as appeared (otherwise their components are just removed and added)."""
    old_tns, old_schemas = _target_namespaces(old)
    new_tns, new_schemas = _target_namespaces(new)
    renames = _Renames({}, {}, [])
    if old_tns != new_tns:
        renames.wsdl[old_tns] = new_tns
        detail = f"targetNamespace {old_tns or '(none)'} -> {new_tns or '(none)'}"
        renames.changes.append(Change("namespace-renamed", "definitions", detail, True))
    gone = [ns for ns in old_schemas if ns not in new_schemas]
    came = [ns for ns in new_schemas if ns not in old_schemas]
    if len(gone) == len(came):
        for before, after in zip(gone, came, strict=True):
            renames.schema[before] = after
            detail = f"targetNamespace {before or '(none)'} -> {after or '(none)'}"
            where = f"schema {before or '(none)'}"
            renames.changes.append(Change("namespace-renamed", where, detail, True))
    return renames


# --- comparing --------------------------------------------------------------------------------


def _usage_text(usage: Usage) -> str:
    if usage == {REQUEST, RESPONSE}:
        return "requests and responses"
    return next(iter(usage), "no message")


def _occurs_text(value: int | None) -> str:
    return "unbounded" if value is None else str(value)


def _limit_text(value: int | None) -> str:
    return "none" if value is None else str(value)


def _orderable(value: str) -> Decimal | date | datetime | time | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        pass
    for parse in (datetime.fromisoformat, date.fromisoformat, time.fromisoformat):
        try:
            return parse(value)
        except ValueError:
            continue
    return None


def _compare_bound(old: Bound, new: Bound, lower: bool) -> bool | None:
    """True if ``new`` admits fewer values than ``old`` (narrowed), False if more, None: unknown."""
    a, b = _orderable(old.value), _orderable(new.value)
    if a is None or b is None:
        return None
    try:
        if a != b:
            return bool(b > a) if lower else bool(b < a)  # type: ignore[operator]
    except (TypeError, ArithmeticError):  # a date against a number, naive against aware, NaN
        return None
    return new.exclusive


def _bound_text(bound: Bound | None, lower: bool) -> str:
    if bound is None:
        return "none"
    name = ("min" if lower else "max") + ("Exclusive" if bound.exclusive else "Inclusive")
    return f"{name} {bound.value}"


def _facet_changes(old: Facets, new: Facets) -> Iterator[tuple[str, bool | None]]:
    """(detail, narrowed) for each facet difference; narrowed None when it can't be ordered."""
    if old.enumeration != new.enumeration:
        if old.enumeration is None:
            yield f"enumeration introduced: {', '.join(new.enumeration or ())}", True
        elif new.enumeration is None:
            yield "enumeration removed: any value of the base type is allowed", False
        else:
            removed = [v for v in old.enumeration if v not in new.enumeration]
            added = [v for v in new.enumeration if v not in old.enumeration]
            if removed:
                yield f"enumeration value(s) removed: {', '.join(removed)}", True
            if added:
                yield f"enumeration value(s) added: {', '.join(added)}", False
    if old.patterns != new.patterns:
        old_text = " & ".join(repr(p) for p in sorted(old.patterns)) or "none"
        new_text = " & ".join(repr(p) for p in sorted(new.patterns)) or "none"
        ordered = True if not old.patterns else False if not new.patterns else None
        yield f"pattern {old_text} -> {new_text}", ordered
    if (old.min_length or 0) != (new.min_length or 0):
        narrowed = (new.min_length or 0) > (old.min_length or 0)
        yield f"minLength {old.min_length or 0} -> {new.min_length or 0}", narrowed
    for facet, before, after in (  # upper limits: None is no limit
        ("maxLength", old.max_length, new.max_length),
        ("totalDigits", old.total_digits, new.total_digits),
        ("fractionDigits", old.fraction_digits, new.fraction_digits),
    ):
        if before != after:
            narrowed = before is None or (after is not None and after < before)
            yield f"{facet} {_limit_text(before)} -> {_limit_text(after)}", narrowed
    for lower, before_bound, after_bound in (
        (True, old.lower, new.lower),
        (False, old.upper, new.upper),
    ):
        if before_bound != after_bound:
            if before_bound is None or after_bound is None:
                tightened: bool | None = before_bound is None
            else:
                tightened = _compare_bound(before_bound, after_bound, lower)
            text = f"{_bound_text(before_bound, lower)} -> {_bound_text(after_bound, lower)}"
            yield text, tightened
    if old.other != new.other:
        yield f"facets {dict(old.other)} -> {dict(new.other)}", None


@dataclass(frozen=True)
class _Rule:
    """In which directions a schema change breaks a client built from the old contract."""

    requests: bool
    responses: bool


ALWAYS = _Rule(requests=True, responses=True)
IF_REQUEST = _Rule(requests=True, responses=False)  # narrowing: old clients may send it
IF_RESPONSE = _Rule(requests=False, responses=True)  # widening: old clients may not read it

_Stack = frozenset[tuple[str | None, str | None]]  # pairs of named types being compared


class _Differ:
    """Walks both contracts and collects the changes, classified for an old client."""

    def __init__(self, old: _Contract, new: _Contract, unrename: dict[str, str]) -> None:
        self.old, self.new = old, new
        self.usage = old.usage()
        self.unrename = unrename
        self.changes: list[Change] = []

    # reporting

    def name(self, clark: str, *, old: bool = True) -> str:
        namespace, local = _split(clark)
        if namespace == XS:
            return f"xs:{local}"
        if old:
            namespace = self.unrename.get(namespace, namespace)
        return _clark(namespace, local)

    def add(self, kind: str, where: str, detail: str, breaking: bool) -> None:
        self.changes.append(Change(kind, where, detail, breaking))

    def classify(self, kind: str, where: str, detail: str, usage: Usage, rule: _Rule) -> None:
        """A schema change: it breaks old clients only where the type travels the rule's way."""
        breaking = (rule.requests and REQUEST in usage) or (rule.responses and RESPONSE in usage)
        if not usage:
            detail += " (not used by any message)"
        elif rule != ALWAYS:  # say why the verdict is what it is
            detail += f" (used in {_usage_text(usage)})"
        self.add(kind, where, detail, breaking)

    def run(self) -> list[Change]:
        self.services()
        self.bindings()
        self.port_types()
        self.global_elements()
        self.named_types()
        return self.changes

    # services, bindings, operations

    def services(self) -> None:
        old, new = self.old.services, self.new.services
        for name in sorted(old.keys() | new.keys()):
            where = f"service {self.name(name)}"
            if name not in new:
                self.add("service-removed", where, "removed", True)
            elif name not in old:
                self.add("service-added", f"service {self.name(name, old=False)}", "added", False)
            else:
                self.ports(where, old[name], new[name])

    def ports(self, service: str, old: dict[str, _Port], new: dict[str, _Port]) -> None:
        for name in sorted(old.keys() | new.keys()):
            where = f"{service} / port {name}"
            if name not in new:
                self.add("port-removed", where, f"removed (was at {old[name].address})", True)
                continue
            if name not in old:
                self.add("port-added", where, f"added at {new[name].address}", False)
                continue
            before, after = old[name], new[name]
            if before.binding != after.binding:
                detail = (
                    f"binding {self.name(before.binding)} -> {self.name(after.binding, old=False)}"
                )
                self.add("port-binding-changed", where, detail, True)
            if before.address != after.address:
                detail = f"location {before.address} -> {after.address}"
                self.add("address-changed", where, detail, False)

    def bindings(self) -> None:
        old, new = self.old.bindings, self.new.bindings
        for name in sorted(old.keys() | new.keys()):
            where = f"binding {self.name(name)}"
            if name not in new:
                self.add("binding-removed", where, "removed", True)
            elif name not in old:
                self.add("binding-added", f"binding {self.name(name, old=False)}", "added", False)
            else:
                self.binding(where, old[name], new[name])

    def binding(self, where: str, old: _Binding, new: _Binding) -> None:
        for kind, attr, before, after in (
            ("binding-port-type-changed", "portType", old.port_type, new.port_type),
            ("binding-protocol-changed", "protocol", old.protocol, new.protocol),
            ("binding-transport-changed", "transport", old.transport, new.transport),
            ("binding-style-changed", "style", old.style or "document", new.style or "document"),
        ):
            if before != after:
                self.add(kind, where, f"{attr} {before or 'none'} -> {after or 'none'}", True)
        old_ops = self.old.port_types.get(old.port_type, {})
        new_ops = self.new.port_types.get(new.port_type, {})
        for name in sorted(old.operations.keys() | new.operations.keys()):
            op_where = f"{where} / operation {name}"
            if name not in new.operations:
                # An operation gone from the port type too is reported once, there.
                if name in new_ops or name not in old_ops:
                    self.add("operation-removed", op_where, "removed from the binding", True)
            elif name not in old.operations:
                if name in old_ops or name not in new_ops:
                    self.add("operation-added", op_where, "added to the binding", False)
            else:
                self.binding_operation(op_where, old, new, name)

    def binding_operation(self, where: str, old_b: _Binding, new_b: _Binding, name: str) -> None:
        old, new = old_b.operations[name], new_b.operations[name]
        old_default, new_default = old_b.style or "document", new_b.style or "document"
        old_style, new_style = old.style or old_default, new.style or new_default
        explained = old_default != new_default and (old_style, new_style) == (
            old_default,
            new_default,
        )
        if old_style != new_style and not explained:
            self.add("binding-style-changed", where, f"style {old_style} -> {new_style}", True)
        if old.soap_action != new.soap_action:
            detail = f"soapAction {old.soap_action!r} -> {new.soap_action!r}"
            if not old.soap_action:
                detail += " (old clients send an empty one)"
            self.add("soap-action-changed", where, detail, bool(old.soap_action))
        for side, before, after in zip(("input", "output"), old.uses, new.uses, strict=True):
            if before != after:
                self.add("body-use-changed", where, f"{side} use {before} -> {after}", True)
        pairs = zip(("input", "output"), old.namespaces, new.namespaces, strict=True)
        for side, before, after in pairs:
            if self.old.names.ns(before) != after:
                detail = f"{side} namespace {before or 'none'} -> {after or 'none'}"
                self.add("body-namespace-changed", where, detail, True)
        self.headers(where, "input", old.input_headers, new.input_headers)
        self.headers(where, "output", old.output_headers, new.output_headers)

    def headers(
        self, where: str, side: str, old: tuple[_Header, ...], new: tuple[_Header, ...]
    ) -> None:
        before = {self.old.header_key(h): h for h in old}
        after = {self.new.header_key(h): h for h in new}
        for key in sorted(before.keys() | after.keys()):
            label = self.name(key) if key in before else self.name(key, old=False)
            if key not in after:
                if side == "input":
                    detail = f"input header {label} removed: old clients still send it"
                    self.add("header-removed", where, detail, False)
                else:
                    detail = f"output header {label} removed: old clients may read it"
                    self.add("header-removed", where, detail, True)
            elif key not in before:
                header = after[key]
                if side == "input" and header.required:
                    detail = f"required input header {label} added: old clients don't send it"
                    self.add("header-added", where, detail, True)
                else:
                    required = "required" if header.required else "optional"
                    detail = f"{required} {side} header {label} added"
                    self.add("header-added", where, detail, False)
            elif side == "input" and after[key].required and not before[key].required:
                detail = f"input header {label} became required"
                self.add("header-became-required", where, detail, True)

    def port_types(self) -> None:
        old, new = self.old.port_types, self.new.port_types
        single = len(old) == 1 and len(new) == 1
        for name in sorted(old.keys() | new.keys()):
            prefix = "" if single else f"portType {self.name(name)} / "
            if name not in new:
                ops = ", ".join(sorted(old[name])) or "no operations"
                self.add(
                    "port-type-removed", f"portType {self.name(name)}", f"removed ({ops})", True
                )
            elif name not in old:
                where = f"portType {self.name(name, old=False)}"
                self.add("port-type-added", where, "added", False)
            else:
                for op in sorted(old[name].keys() | new[name].keys()):
                    self.operation(f"{prefix}operation {op}", old[name].get(op), new[name].get(op))

    def message_text(self, contract: _Contract, message: str | None, *, old: bool) -> str:
        parts = contract.messages.get(message or "")
        if parts is None:
            return "none" if message is None else f"undeclared message {self.name(message)}"
        return ", ".join(self.name(p.element or p.type or p.name, old=old) for p in parts) or "()"

    def message_shape(self, contract: _Contract, message: str | None) -> tuple[str, ...] | None:
        """What a message puts on the wire: its elements (rpc parts: name and type)."""
        if message is None:
            return None
        parts = contract.messages.get(message, ())
        return tuple(p.element or f"{p.name}:{p.type}" for p in parts)

    def operation(self, where: str, old: _Operation | None, new: _Operation | None) -> None:
        if new is None and old is not None:
            detail = f"removed (input {self.message_text(self.old, old.input, old=True)})"
            self.add("operation-removed", where, detail, True)
            return
        if old is None and new is not None:
            detail = f"added (input {self.message_text(self.new, new.input, old=False)})"
            self.add("operation-added", where, detail, False)
            return
        assert old is not None and new is not None
        for side in ("input", "output"):
            before: str | None = getattr(old, side)
            after: str | None = getattr(new, side)
            old_shape = self.message_shape(self.old, before)
            new_shape = self.message_shape(self.new, after)
            if old_shape == new_shape:
                continue
            detail = (
                f"{side} {self.message_text(self.old, before, old=True)} -> "
                f"{self.message_text(self.new, after, old=False)}"
            )
            pattern_changed = old_shape is None or new_shape is None
            kind = "operation-pattern-changed" if pattern_changed else f"operation-{side}-changed"
            self.add(kind, where, detail, True)
        old_faults, new_faults = dict(old.faults), dict(new.faults)
        for fault in sorted(old_faults.keys() | new_faults.keys()):
            if fault not in new_faults:
                text = self.message_text(self.old, old_faults[fault], old=True)
                detail = f"fault {fault} ({text}) removed: old clients' handling of it goes unused"
                self.add("fault-removed", where, detail, False)
            elif fault not in old_faults:
                text = self.message_text(self.new, new_faults[fault], old=False)
                detail = f"fault {fault} ({text}) added: old clients see it as a generic SOAP fault"
                self.add("fault-added", where, detail, False)
            elif self.message_shape(self.old, old_faults[fault]) != self.message_shape(
                self.new, new_faults[fault]
            ):
                detail = (
                    f"fault {fault} {self.message_text(self.old, old_faults[fault], old=True)} -> "
                    f"{self.message_text(self.new, new_faults[fault], old=False)}"
                )
                self.add("operation-fault-changed", where, detail, True)

    # schemas

    def global_elements(self) -> None:
        old, new = self.old.schemas.elements, self.new.schemas.elements
        for name in sorted(old.keys() | new.keys()):
            usage = self.usage.get(("element", name), frozenset())
            if name not in new:
                where = f"element {self.name(name)}"
                detail = f"removed (used in {_usage_text(usage)})"
                self.add("global-element-removed", where, detail, bool(usage))
            elif name not in old:
                where = f"element {self.name(name, old=False)}"
                self.add("global-element-added", where, "added", False)
            else:
                before, after = self.old.schemas.element(name), self.new.schemas.element(name)
                assert before is not None and after is not None
                where = f"element {self.name(name)}"
                self.nillable(where, before.nillable, after.nillable, usage)
                self.compare_type(where, before.type, after.type, usage, frozenset())

    def named_types(self) -> None:
        old, new = self.old.schemas.types, self.new.schemas.types
        for name in sorted(old.keys() | new.keys()):
            usage = self.usage.get(("type", name), frozenset())
            if name not in new:
                kind = _local(old[name][0])
                where = f"{'type' if kind == 'complexType' else kind} {self.name(name)}"
                detail = f"removed (used in {_usage_text(usage)})"
                self.add("type-removed", where, detail, bool(usage))
            elif name not in old:
                kind = _local(new[name][0])
                where = f"{'type' if kind == 'complexType' else kind} {self.name(name, old=False)}"
                self.add("type-added", where, "added", False)
            else:
                kind = _local(old[name][0])
                where = f"{'type' if kind == 'complexType' else kind} {self.name(name)}"
                before = self.old.schemas.resolve(TypeRef(name))
                after = self.new.schemas.resolve(TypeRef(name))
                self.compare_models(where, before, after, usage, frozenset({(name, name)}))

    def compare_type(
        self,
        where: str,
        old: TypeRef,
        new: TypeRef,
        usage: Usage,
        stack: _Stack,
    ) -> None:
        """Compare the types of one element or attribute; a shared named type is compared once."""
        if old.name is not None and old.name == new.name:
            return
        if (old.name, new.name) in stack and old.name is not None:
            return  # a recursive type, being compared further up
        before_model = self.old.schemas.resolve(old)
        after_model = self.new.schemas.resolve(new)
        alike = (
            isinstance(before_model, ComplexType) and isinstance(after_model, ComplexType)
        ) or (
            isinstance(before_model, SimpleType)
            and isinstance(after_model, SimpleType)
            and before_model.primitive == after_model.primitive
        )
        if old.name != new.name and alike:
            before = self.name(old.name) if old.name else "an anonymous type"
            after = self.name(new.name, old=False) if new.name else "an anonymous type"
            detail = f"type {before} -> {after} (type names are not on the wire)"
            self.add("type-reference-changed", where, detail, False)
        self.compare_models(where, before_model, after_model, usage, stack | {(old.name, new.name)})

    def compare_models(
        self,
        where: str,
        old: SimpleType | ComplexType | None,
        new: SimpleType | ComplexType | None,
        usage: Usage,
        stack: _Stack,
    ) -> None:
        if isinstance(old, SimpleType) and isinstance(new, SimpleType):
            self.compare_simple(where, old, new, usage)
        elif isinstance(old, ComplexType) and isinstance(new, ComplexType):
            self.compare_complex(where, old, new, usage, stack)
        elif old is None and new is None:
            return  # undeclared on both sides; their names were compared already
        else:
            detail = f"{self.describe(old)} -> {self.describe(new, old=False)}"
            self.classify("type-changed", where, detail, usage, ALWAYS)

    def describe(self, model: SimpleType | ComplexType | None, *, old: bool = True) -> str:
        if model is None:
            return "an undeclared type"
        if isinstance(model, ComplexType):
            return "a complex type"
        if model.primitive == "list":
            return "a list"
        if model.primitive == "union":
            return "a union"
        return f"a simple type based on {self.name(model.primitive, old=old)}"

    def compare_simple(self, where: str, old: SimpleType, new: SimpleType, usage: Usage) -> None:
        if old.primitive != new.primitive or len(old.members) != len(new.members):
            detail = f"{self.describe(old)} -> {self.describe(new, old=False)}"
            self.classify("type-changed", where, detail, usage, ALWAYS)
            return
        if old.item is not None and new.item is not None:
            self.compare_simple(f"{where} / list item", old.item, new.item, usage)
        for i, (before, after) in enumerate(zip(old.members, new.members, strict=True), 1):
            self.compare_simple(f"{where} / union member {i}", before, after, usage)
        for detail, narrowed in _facet_changes(old.facets, new.facets):
            if narrowed is None:
                self.classify("restriction-changed", where, detail, usage, ALWAYS)
            elif narrowed:
                self.classify("restriction-narrowed", where, detail, usage, IF_REQUEST)
            else:
                self.classify("restriction-widened", where, detail, usage, IF_RESPONSE)

    def nillable(self, where: str, old: bool, new: bool, usage: Usage) -> None:
        if old and not new:
            detail = "nillable removed"
            detail += ": old clients may send xsi:nil" if REQUEST in usage else ""
            self.classify("nillable-removed", where, detail, usage, IF_REQUEST)
        elif new and not old:
            detail = "nillable added"
            detail += ": responses may now carry xsi:nil" if RESPONSE in usage else ""
            self.classify("nillable-added", where, detail, usage, IF_RESPONSE)

    def compare_complex(
        self,
        where: str,
        old: ComplexType,
        new: ComplexType,
        usage: Usage,
        stack: _Stack,
    ) -> None:
        if old.mixed != new.mixed:
            detail = f"mixed content {old.mixed} -> {new.mixed}".lower()
            self.classify("mixed-changed", where, detail, usage, ALWAYS)
        if (old.value is None) != (new.value is None):
            before = "simple content" if old.value is not None else "element content"
            after = "simple content" if new.value is not None else "element content"
            detail = f"{before} -> {after}"
            self.classify("type-changed", where, detail, usage, ALWAYS)
        elif old.value is not None and new.value is not None:
            self.compare_type(f"{where} / value", old.value, new.value, usage, stack)
        self.compare_particles(where, old.particles, new.particles, usage, stack)
        self.compare_attributes(where, old, new, usage, stack)

    def compare_particles(
        self,
        where: str,
        old: Iterable[Particle],
        new: Iterable[Particle],
        usage: Usage,
        stack: _Stack,
    ) -> None:
        before = {p.key: p for p in old}
        after = {p.key: p for p in new}
        for key, particle in before.items():
            at = f"{where} / {particle.label}"
            if key not in after:
                detail = f"removed (was minOccurs {particle.min_occurs})"
                self.classify("element-removed", at, detail, usage, ALWAYS)
        for key, particle in after.items():
            at = f"{where} / {particle.label}"
            if key in before:
                self.compare_particle(at, before[key], particle, usage, stack)
            elif particle.min_occurs >= 1:
                detail = f"required element added (minOccurs {particle.min_occurs})"
                if REQUEST in usage:
                    detail += ": old clients don't send it"
                self.classify("element-added", at, detail, usage, ALWAYS)
            elif "choice" in particle.path:
                detail = "new choice branch added"
                if RESPONSE in usage:
                    detail += ": responses may carry it instead of one old clients know"
                self.classify("element-added", at, detail, usage, IF_RESPONSE)
            else:
                self.add("element-added", at, "optional element added (minOccurs 0)", False)
        # Order matters among the elements that stay in the type's plain sequence.
        ordered = {
            k
            for k, p in before.items()
            if p.path == "sequence" == getattr(after.get(k), "path", "")
        }
        old_order = [k for k in before if k in ordered]
        new_order = [k for k in after if k in ordered]
        if old_order != new_order:
            detail = f"sequence order {', '.join(old_order)} -> {', '.join(new_order)}"
            self.classify("element-order-changed", where, detail, usage, ALWAYS)

    def compare_particle(
        self,
        where: str,
        old: Particle,
        new: Particle,
        usage: Usage,
        stack: _Stack,
    ) -> None:
        if old.path != new.path:
            detail = f"content model {old.path} -> {new.path}"
            self.classify("compositor-changed", where, detail, usage, ALWAYS)
        if old.namespace != new.namespace:
            before = self.unrename.get(old.namespace, old.namespace) or "(unqualified)"
            detail = f"namespace {before} -> {new.namespace or '(unqualified)'}"
            self.classify("element-namespace-changed", where, detail, usage, ALWAYS)
        if new.min_occurs > old.min_occurs:
            detail = f"minOccurs {old.min_occurs} -> {new.min_occurs}"
            detail += ": old clients may omit it" if REQUEST in usage else ""
            self.classify("min-occurs-raised", where, detail, usage, IF_REQUEST)
        elif new.min_occurs < old.min_occurs:
            detail = f"minOccurs {old.min_occurs} -> {new.min_occurs}"
            detail += ": responses may now omit it" if RESPONSE in usage else ""
            self.classify("min-occurs-lowered", where, detail, usage, IF_RESPONSE)
        if old.max_occurs != new.max_occurs:
            detail = f"maxOccurs {_occurs_text(old.max_occurs)} -> {_occurs_text(new.max_occurs)}"
            lowered = new.max_occurs is not None and (
                old.max_occurs is None or new.max_occurs < old.max_occurs
            )
            if lowered:
                detail += ": old clients may send more" if REQUEST in usage else ""
                self.classify("max-occurs-lowered", where, detail, usage, IF_REQUEST)
            else:
                detail += ": old clients may not expect more" if RESPONSE in usage else ""
                self.classify("max-occurs-raised", where, detail, usage, IF_RESPONSE)
        self.nillable(where, old.nillable, new.nillable, usage)
        if old.type is not None and new.type is not None:
            self.compare_type(where, old.type, new.type, usage, stack)

    def compare_attributes(
        self,
        where: str,
        old: ComplexType,
        new: ComplexType,
        usage: Usage,
        stack: _Stack,
    ) -> None:
        before = {a.name: a for a in old.attributes}
        after = {a.name: a for a in new.attributes}
        for name in sorted(before.keys() | after.keys()):
            label = self.name(name) if name in before else self.name(name, old=False)
            at = f"{where} / attribute {label}"
            if name not in after:
                use = "required" if before[name].required else "optional"
                detail = f"removed (was {use})"
                self.classify("attribute-removed", at, detail, usage, ALWAYS)
            elif name not in before:
                if after[name].required:
                    detail = "required attribute added"
                    if REQUEST in usage:
                        detail += ": old clients don't send it"
                    self.classify("attribute-added", at, detail, usage, ALWAYS)
                else:
                    self.add("attribute-added", at, "optional attribute added", False)
            else:
                if after[name].required and not before[name].required:
                    detail = "use optional -> required"
                    if REQUEST in usage:
                        detail += ": old clients may omit it"
                    self.classify("attribute-became-required", at, detail, usage, IF_REQUEST)
                elif before[name].required and not after[name].required:
                    detail = "use required -> optional"
                    detail += ": responses may now omit it" if RESPONSE in usage else ""
                    self.classify("attribute-became-optional", at, detail, usage, IF_RESPONSE)
                self.compare_type(at, before[name].type, after[name].type, usage, stack)
        if old.any_attribute and not new.any_attribute:
            detail = "xs:anyAttribute removed"
            self.classify("attribute-removed", where, detail, usage, IF_REQUEST)
        elif new.any_attribute and not old.any_attribute:
            detail = "xs:anyAttribute added"
            self.classify("attribute-added", where, detail, usage, IF_RESPONSE)


# --- the public face --------------------------------------------------------------------------


def diff_wsdl(old: bytes | Path, new: bytes | Path) -> list[Change]:
    """The changes from ``old`` to ``new``, each judged for a client generated from ``old``.

    Raises WsdlError for unreadable input, XML that isn't well-formed, a DOCTYPE, or a document
    that isn't a WSDL 1.1 ``definitions``. The order is deterministic: namespaces, services,
    bindings, operations, global elements, then named types, each sorted by name.
    """
    old_root, old_label = _load(old, "old")
    new_root, new_label = _load(new, "new")
    renames = _namespace_renames(old_root, new_root)
    contracts: list[_Contract] = []
    for root, label, wsdl_renames, schema_renames in (
        (old_root, old_label, renames.wsdl, renames.schema),
        (new_root, new_label, {}, {}),
    ):
        try:
            contracts.append(_Contract(root, _Names(wsdl_renames), _Names(schema_renames)))
        except WsdlError as exc:
            raise WsdlError(f"{label}: {exc}") from None
    changes = list(renames.changes)
    try:
        changes += _Differ(contracts[0], contracts[1], renames.reverse()).run()
    except WsdlError as exc:  # a QName met only while walking the schemas
        raise WsdlError(f"{old_label} / {new_label}: {exc}") from None
    return changes


def format_changes(changes: list[Change]) -> str:
    """A readable report: breaking changes first, then compatible ones, then a summary line."""
    if not changes:
        return "no changes"
    breaking = [c for c in changes if c.breaking]
    compatible = [c for c in changes if not c.breaking]
    lines: list[str] = []
    for title, group in (("Breaking", breaking), ("Compatible", compatible)):
        if not group:
            continue
        if lines:
            lines.append("")
        lines.append(f"{title} changes ({len(group)}):")
        for change in group:
            lines.append(f"  [{change.kind}] {change.where}")
            lines.append(f"      {change.detail}")
    lines.append("")
    noun = "change" if len(changes) == 1 else "changes"
    lines.append(f"{len(changes)} {noun}: {len(breaking)} breaking, {len(compatible)} compatible")
    return "\n".join(lines)


def main_diff(old: Path, new: Path, as_json: bool, out: TextIO) -> int:
    """Print the diff of two contracts; 1 if any change is breaking, else 0; 2 on bad input."""
    try:
        changes = diff_wsdl(old, new)
    except WsdlError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    breaking = sum(c.breaking for c in changes)
    if as_json:
        report = {
            "old": str(old),
            "new": str(new),
            "breaking": breaking,
            "compatible": len(changes) - breaking,
            "changes": [c.as_dict() for c in changes],
        }
        out.write(json.dumps(report, indent=2) + "\n")
    else:
        out.write(format_changes(changes) + "\n")
    return 1 if breaking else 0
