"""The rules: which changes between two contracts break a client built from the old one.

Every change is judged from the side of a client generated from the OLD contract, which sends
requests and reads responses. Schema types are classified by where the old contract uses them: a
type reachable from an input message or input header is used in *requests*; from an output or fault
message or an output header, in *responses*; from both, the stricter verdict wins; from no message
at all, no schema change to it can break anyone (the detail then says "not used by any message").

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
optional attribute added                no
optional element added                  if used in responses and the old client is strict
                                        (``--client strict``, the default: codegen's clients
                                        reject elements they don't know, as zeep strict=True
                                        does); no with ``--client lax``
element added as a new choice branch    if used in responses (it may come instead of a known one)
required element/attribute added        yes
minOccurs raised (or use -> required)   if used in requests (responses always carry it now)
minOccurs lowered (use -> optional)     if used in responses ("responses may now omit it")
maxOccurs lowered                       if used in requests (old clients may send more)
maxOccurs raised                        if used in responses (old clients may not expect lists)
nillable removed / added                if used in requests / in responses
fixed value changed                     yes; introduced: if used in requests; removed: if
                                        used in responses
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
global element removed                  yes if the old contract's messages reach it, else no
named type removed                      yes if reached and in a derivation (xsi:type may name
                                        it); otherwise no: names are not on the wire, and each
                                        use is compared where it is (an enum type replaced by
                                        xs:string is one widening, not also a removal)
global element / named type added       no
======================================  =====================================================

Content models are compared as the wire sees them: ``xs:group`` and ``xs:attributeGroup``
references are inlined, ``complexContent`` extensions are flattened (inherited elements count as
the type's own), and occurrence bounds are the effective ones (an element inside an optional
sequence, or one of several branches of a choice, is optional). Types derived from a reachable
type, and substitution-group members of a reachable element, are reachable too (``xsi:type``),
and so is a complexContent base, with what it references; a base reached only that way travels
inside the types extending it, which are compared flattened, so its own changes are noted
there and not counted twice. Imported and included schemas are part of the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from soap_client.contract.facets import facet_changes
from soap_client.contract.model import (
    BASE_ONLY,
    REQUEST,
    RESPONSE,
    Change,
    ComplexType,
    Particle,
    SimpleType,
    TypeRef,
    Usage,
)
from soap_client.contract.names import clark_name, local_name, split_qname
from soap_client.contract.reader import Contract
from soap_client.ns import XS


def _usage_text(usage: Usage) -> str:
    if usage == {REQUEST, RESPONSE}:
        return "requests and responses"
    if usage == {BASE_ONLY}:
        return "types that extend it only"
    return next(iter(usage), "no message")


def _travels(usage: Usage) -> bool:
    """Whether a component is on the wire itself (in requests or responses)."""
    return REQUEST in usage or RESPONSE in usage


def _occurs_text(value: int | None) -> str:
    return "unbounded" if value is None else str(value)


@dataclass(frozen=True)
class _Rule:
    """In which directions a schema change breaks a client built from the old contract."""

    requests: bool
    responses: bool


ALWAYS = _Rule(requests=True, responses=True)
IF_REQUEST = _Rule(requests=True, responses=False)  # narrowing: old clients may send it
IF_RESPONSE = _Rule(requests=False, responses=True)  # widening: old clients may not read it

_Stack = frozenset[tuple[str | None, str | None]]  # pairs of named types being compared


class SchemaDiffer:
    """Compares the schemas of two contracts; each change classified for an old client."""

    def __init__(
        self, old: Contract, new: Contract, unrename: dict[str, str], strict: bool = True
    ) -> None:
        self.old, self.new = old, new
        self.usage = old.usage()
        self.unrename = unrename
        self.strict = strict  # the old client rejects elements it doesn't know (zeep strict)
        self.changes: list[Change] = []

    # reporting

    def name(self, clark: str, *, old: bool = True) -> str:
        namespace, local = split_qname(clark)
        if namespace == XS:
            return f"xs:{local}"
        if old:
            namespace = self.unrename.get(namespace, namespace)
        return clark_name(namespace, local)

    def add(self, kind: str, where: str, detail: str, breaking: bool) -> None:
        self.changes.append(Change(kind, where, detail, breaking))

    def classify(self, kind: str, where: str, detail: str, usage: Usage, rule: _Rule) -> None:
        """A schema change: it breaks old clients only where the type travels the rule's way."""
        breaking = (rule.requests and REQUEST in usage) or (rule.responses and RESPONSE in usage)
        if not usage:
            detail += " (not used by any message)"
        elif usage == {BASE_ONLY}:
            detail += " (used only as the base of types that extend it, compared where used)"
        elif rule != ALWAYS:  # say why the verdict is what it is
            detail += f" (used in {_usage_text(usage)})"
        self.add(kind, where, detail, breaking)

    # schemas

    def global_elements(self) -> None:
        old, new = self.old.schemas.elements, self.new.schemas.elements
        for name in sorted(old.keys() | new.keys()):
            usage = self.usage.get(("element", name), frozenset())
            if name not in new:
                where = f"element {self.name(name)}"
                detail = f"removed (used in {_usage_text(usage)})"
                self.add("global-element-removed", where, detail, _travels(usage))
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
                kind = local_name(old[name][0])
                where = f"{'type' if kind == 'complexType' else kind} {self.name(name)}"
                detail = f"removed (used in {_usage_text(usage)})"
                # A type's name is on the wire only in xsi:type, which only a type in a
                # derivation can be named by; every other use is compared where it is.
                polymorphic = bool(self.old.schemas.bases(("type", name))) or any(
                    parent == name for parent in self.old.schemas.base_names()
                )
                if _travels(usage) and not polymorphic:
                    detail += ": its uses are compared where they are"
                self.add("type-removed", where, detail, _travels(usage) and polymorphic)
            elif name not in old:
                kind = local_name(new[name][0])
                where = f"{'type' if kind == 'complexType' else kind} {self.name(name, old=False)}"
                self.add("type-added", where, "added", False)
            else:
                kind = local_name(old[name][0])
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
        for detail, narrowed in facet_changes(old.facets, new.facets):
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
            elif self.strict:
                detail = "optional element added (minOccurs 0)"
                if RESPONSE in usage:
                    detail += ": a strict client rejects elements it doesn't know"
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
        self.fixed(where, old.fixed, new.fixed, usage)
        if old.type is not None and new.type is not None:
            self.compare_type(where, old.type, new.type, usage, stack)

    def fixed(self, where: str, old: str | None, new: str | None, usage: Usage) -> None:
        if old == new:
            return
        if old is None:
            detail = f"fixed value {new!r} introduced"
            self.classify("fixed-changed", where, detail, usage, IF_REQUEST)
        elif new is None:
            detail = f"fixed value {old!r} removed: any value may come back"
            self.classify("fixed-changed", where, detail, usage, IF_RESPONSE)
        else:
            detail = f"fixed value {old!r} -> {new!r}"
            self.classify("fixed-changed", where, detail, usage, ALWAYS)

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
                self.fixed(at, before[name].fixed, after[name].fixed, usage)
                self.compare_type(at, before[name].type, after[name].type, usage, stack)
        if old.any_attribute and not new.any_attribute:
            detail = "xs:anyAttribute removed"
            self.classify("attribute-removed", where, detail, usage, IF_REQUEST)
        elif new.any_attribute and not old.any_attribute:
            detail = "xs:anyAttribute added"
            self.classify("attribute-added", where, detail, usage, IF_RESPONSE)
