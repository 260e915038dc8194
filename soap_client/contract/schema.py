"""Reading a contract's XSD schemas (inline and imported) into the schema model, on demand.

Content models are built as the wire sees them: group and attributeGroup references inlined,
complexContent extensions flattened, occurrence bounds made effective.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lxml import etree

from soap_client.contract.facets import merge_facets
from soap_client.contract.model import (
    ANY_SIMPLE_TYPE,
    ANY_TYPE,
    Attribute,
    ComplexType,
    ElementDecl,
    Node,
    Particle,
    SchemaInfo,
    SimpleType,
    TypeRef,
)
from soap_client.contract.names import (
    Names,
    child_elements,
    clark_name,
    first_child,
    is_complex_content,
    local_name,
    parse_bool,
    parse_int,
    split_qname,
)
from soap_client.ns import XS


def _occurs(el: etree._Element) -> tuple[int, int | None]:
    low = parse_int(el.get("minOccurs", "1"), "minOccurs")
    high_text = el.get("maxOccurs", "1").strip()
    high = None if high_text == "unbounded" else parse_int(high_text, "maxOccurs")
    return low, high


def _times(a: int | None, b: int | None) -> int | None:
    if a == 0 or b == 0:
        return 0
    return None if a is None or b is None else a * b


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


class Schemas:
    """The global components of every inline schema, and the models built from them on demand."""

    def __init__(self, schemas: list[etree._Element], names: Names) -> None:
        self.names = names
        self.elements: dict[str, tuple[etree._Element, SchemaInfo]] = {}
        self.types: dict[str, tuple[etree._Element, SchemaInfo]] = {}
        self.groups: dict[str, tuple[etree._Element, SchemaInfo]] = {}
        self.attribute_groups: dict[str, tuple[etree._Element, SchemaInfo]] = {}
        self.attributes: dict[str, tuple[etree._Element, SchemaInfo]] = {}
        self._derived: dict[str, set[Node]] = {}  # base type -> named types derived from it
        self._substitutes: dict[str, set[Node]] = {}  # head element -> its group's members
        self._simple_memo: dict[str, SimpleType] = {}
        self._complex_memo: dict[str, ComplexType] = {}
        self._element_memo: dict[str, ElementDecl] = {}
        self._building: set[str] = set()
        tables = {
            "element": self.elements,
            "complexType": self.types,
            "simpleType": self.types,
            "group": self.groups,
            "attributeGroup": self.attribute_groups,
            "attribute": self.attributes,
        }
        for schema in schemas:
            tns = names.ns(schema.get("targetNamespace", ""))
            info = SchemaInfo(
                tns,
                schema.get("elementFormDefault") == "qualified",
                schema.get("attributeFormDefault") == "qualified",
            )
            for child in child_elements(schema, XS):
                table = tables.get(local_name(child))
                if table is None or not child.get("name"):
                    continue
                name = names.declared(tns, child)
                table.setdefault(name, (child, info))
                self._note_derivation(name, child)

    def _note_derivation(self, name: str, el: etree._Element) -> None:
        if local_name(el) == "element" and el.get("substitutionGroup"):
            head = self.names.qname(el, el.get("substitutionGroup", ""))
            self._substitutes.setdefault(head, set()).add(("element", name))
        for content in child_elements(el, XS, "complexContent", "simpleContent"):
            for derivation in child_elements(content, XS, "extension", "restriction"):
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
                if el.get(attr) and not (attr == "base" and is_complex_content(el)):
                    refs.add(("type", self.names.qname(el, el.get(attr, ""))))
            for member in el.get("memberTypes", "").split():
                refs.add(("type", self.names.qname(el, member)))
            local = local_name(el)
            if el.get("ref") and local in ("element", "attribute", "group", "attributeGroup"):
                refs.add((local, self.names.qname(el, el.get("ref", ""))))
        return refs

    def derived(self, node: Node) -> set[Node]:
        """The named types deriving from a named type (an ``xsi:type`` may name them)."""
        return set(self._derived.get(node[1], set())) if node[0] == "type" else set()

    def base_names(self) -> set[str]:
        """Every named type some other type derives from."""
        return set(self._derived)

    def bases(self, node: Node) -> set[Node]:
        """The complexContent base of a named type, or of an element's anonymous type."""
        kind, name = node
        table = {"element": self.elements, "type": self.types}.get(kind)
        entry = None if table is None else table.get(name)
        if entry is None:
            return set()
        found: set[Node] = set()
        for content in entry[0].iter(f"{{{XS}}}complexContent"):
            for derivation in child_elements(content, XS, "extension", "restriction"):
                if derivation.get("base"):
                    found.add(("type", self.names.qname(derivation, derivation.get("base", ""))))
        return found

    # models

    def element(self, name: str) -> ElementDecl | None:
        if name in self._element_memo:
            return self._element_memo[name]
        entry = self.elements.get(name)
        if entry is None:
            return None
        el, info = entry
        decl = ElementDecl(self._type_of(el, info, ANY_TYPE), parse_bool(el.get("nillable")))
        self._element_memo[name] = decl
        return decl

    def resolve(self, ref: TypeRef) -> SimpleType | ComplexType | None:
        """The model behind a type reference; None for a type neither built in nor declared."""
        if ref.anonymous is not None:
            return ref.anonymous
        name = ref.name or ANY_TYPE
        if split_qname(name)[0] == XS:
            return SimpleType(name)
        entry = self.types.get(name)
        if entry is None:
            return None
        if local_name(entry[0]) == "complexType":
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
        if split_qname(name)[0] == XS or entry is None or local_name(entry[0]) != "simpleType":
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
        if entry is None or local_name(entry[0]) != "complexType":
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

    def _type_of(self, el: etree._Element, info: SchemaInfo, default: str) -> TypeRef:
        if el.get("type"):
            return TypeRef(self.names.qname(el, el.get("type", "")))
        for child in child_elements(el, XS, "complexType", "simpleType"):
            if local_name(child) == "complexType":
                return TypeRef(None, self._complex(child, info))
            return TypeRef(None, self._simple(child, info))
        return TypeRef(default)

    def _simple_ref(self, el: etree._Element, attr: str, info: SchemaInfo) -> list[SimpleType]:
        """The simple types named by ``attr`` (space-separated) or declared inline in ``el``."""
        found = [self.simple_named(self.names.qname(el, q)) for q in el.get(attr, "").split()]
        found += [self._simple(child, info) for child in child_elements(el, XS, "simpleType")]
        return found

    def _simple(self, el: etree._Element, info: SchemaInfo) -> SimpleType:
        for child in child_elements(el, XS, "restriction", "list", "union"):
            kind = local_name(child)
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
                base.primitive, merge_facets(base.facets, child), base.item, base.members
            )
        return SimpleType(ANY_SIMPLE_TYPE)

    def _complex(self, el: etree._Element, info: SchemaInfo) -> ComplexType:
        content = _Content(mixed=parse_bool(el.get("mixed")))
        body = el
        wrapper = first_child(el, XS, "complexContent", "simpleContent")
        if wrapper is not None:
            derivation = first_child(wrapper, XS, "extension", "restriction")
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
        extension = local_name(derivation) == "extension"
        if base is not None:
            content.attributes.update((a.name, a) for a in base.attributes)
            content.any_attribute = base.any_attribute
        if local_name(wrapper) == "complexContent":
            content.mixed = content.mixed or parse_bool(wrapper.get("mixed"))
            if base is not None and extension:
                for particle in base.particles:
                    content.add(particle)
            return
        content.value = base.value if base is not None else TypeRef(base_name)
        if not extension and content.value is not None:
            value = self.value_type(content.value)
            facets = merge_facets(value.facets, derivation)
            content.value = TypeRef(None, SimpleType(value.primitive, facets, value.item))

    def _collect(self, body: etree._Element, info: SchemaInfo, content: _Content) -> None:
        for child in child_elements(body, XS):
            kind = local_name(child)
            if kind in ("sequence", "choice", "all", "group"):
                self._particles(child, info, content, 1, 1, "", frozenset())
            else:
                self._attribute_member(child, info, content, frozenset())

    def _attribute_member(
        self, el: etree._Element, info: SchemaInfo, content: _Content, seen: frozenset[str]
    ) -> None:
        kind = local_name(el)
        if kind == "anyAttribute":
            content.any_attribute = True
        elif kind == "attributeGroup" and el.get("ref"):
            name = self.names.qname(el, el.get("ref", ""))
            entry = self.attribute_groups.get(name)
            if entry is not None and name not in seen:
                for member in child_elements(entry[0], XS):
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
                name = clark_name(info.tns if qualified else "", el.get("name", ""))
                type_ref = self._type_of(el, info, ANY_SIMPLE_TYPE)
            if use == "prohibited":
                content.attributes.pop(name, None)
            else:
                fixed = el.get("fixed")
                content.attributes[name] = Attribute(name, use == "required", type_ref, fixed)

    def _particles(
        self,
        node: etree._Element,
        info: SchemaInfo,
        content: _Content,
        low: int,
        high: int | None,
        path: str,
        groups: frozenset[str],
    ) -> None:
        kind = local_name(node)
        node_low, node_high = _occurs(node)
        low, high = low * node_low, _times(high, node_high)
        if kind == "group":
            name = self.names.qname(node, node.get("ref", ""))
            entry = self.groups.get(name)
            if entry is None or name in groups:
                return
            for inner in child_elements(entry[0], XS, "sequence", "choice", "all"):
                self._particles(inner, entry[1], content, low, high, path, groups | {name})
            return
        if not (kind == "sequence" and path.endswith("sequence")):  # nested sequences are one
            path = f"{path}/{kind}" if path else kind
        members = list(child_elements(node, XS, "element", "any", "sequence", "choice", "group"))
        if kind == "choice" and len(members) > 1:
            low = 0
        for member in members:
            if local_name(member) in ("element", "any"):
                content.add(self._particle(member, info, low, high, path))
            else:
                self._particles(member, info, content, low, high, path, groups)

    def _particle(
        self, el: etree._Element, info: SchemaInfo, low: int, high: int | None, path: str
    ) -> Particle:
        el_low, el_high = _occurs(el)
        low, high = low * el_low, _times(high, el_high)
        if local_name(el) == "any":
            namespace = el.get("namespace", "##any")
            return Particle("xs:any", "wildcard xs:any", namespace, low, high, False, None, path)
        if el.get("ref"):
            name = self.names.qname(el, el.get("ref", ""))
            namespace, local = split_qname(name)
            decl = self.element(name)
            type_ref = decl.type if decl is not None else TypeRef(ANY_TYPE)
            nillable = decl.nillable if decl is not None else False
        else:
            local = el.get("name", "")
            form = el.get("form")
            qualified = form == "qualified" if form else info.elements_qualified
            namespace = info.tns if qualified else ""
            type_ref = self._type_of(el, info, ANY_TYPE)
            nillable = parse_bool(el.get("nillable"))
        fixed = el.get("fixed")
        return Particle(
            local, f"element {local}", namespace, low, high, nillable, type_ref, path, fixed
        )
