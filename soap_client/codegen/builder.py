"""The model of one WSDL, built from zeep's parse and the raw documents."""

from __future__ import annotations

import decimal
from typing import Any, cast

import zeep
from zeep.xsd import AnySimpleType, ComplexType
from zeep.xsd.elements import Any as AnyParticle
from zeep.xsd.elements import AnyAttribute, Element
from zeep.xsd.elements.indicators import Choice, Group, OrderIndicator
from zeep.xsd.types.collection import ListType

from soap_client.catalog import Catalog, CatalogTransport, Loader
from soap_client.codegen.documents import Documents
from soap_client.codegen.errors import CodegenError, EncodedOnly
from soap_client.codegen.model import Client, ComplexClass, Fault, Field, Operation
from soap_client.codegen.names import (
    CLIENT_RESERVED,
    MODULE_NAMES,
    local_name,
    namespace_word,
    pascal,
    snake,
    split_qname,
)
from soap_client.ns import XS

# zeep's builtin type classes (looked up along the MRO) -> (Python type, runtime simple).
_BUILTINS = {
    "Boolean": ("bool", "rt.BOOLEAN"),
    "DateTime": ("datetime.datetime", "rt.DATETIME"),
    "Date": ("datetime.date", "rt.DATE"),
    "Time": ("datetime.time", "rt.TIME"),
    "Duration": ("datetime.timedelta", "rt.DURATION"),
    "Integer": ("int", "rt.INTEGER"),
    "Decimal": ("decimal.Decimal", "rt.DECIMAL"),
    "Float": ("float", "rt.FLOAT"),
    "Double": ("float", "rt.DOUBLE"),
    "Base64Binary": ("bytes", "rt.BASE64"),
    "HexBinary": ("bytes", "rt.HEX"),
    "gYear": ("str", "rt.G_YEAR"),
    "gYearMonth": ("str", "rt.G_YEAR_MONTH"),
    "gMonth": ("str", "rt.G_MONTH"),
    "gMonthDay": ("str", "rt.G_MONTH_DAY"),
    "gDay": ("str", "rt.G_DAY"),
}
_STRING = ("str", "rt.STRING")


class Unsupported(Exception):
    """A shape of one operation that codegen does not generate; reported by name."""


class Generator:
    """Builds the model of one WSDL; ``writer.Writer`` writes it out as Python."""

    def __init__(
        self,
        wsdl: str,
        module_doc: str | None = None,
        catalog: Catalog | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.location = wsdl
        catalog = catalog or Catalog.standard()
        transport: Any = CatalogTransport(catalog, timeout=timeout)
        settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
        self.raw = Documents(wsdl, Loader(catalog, timeout))
        if self.raw.operations and self.raw.operations <= self.raw.encoded:
            listed = "; ".join(f"{local_name(b)}.{o}" for b, o in sorted(self.raw.encoded))
            raise EncodedOnly(
                f"{self._source()} uses rpc/encoded (SOAP section 5 encoding), which codegen"
                f" does not support: {listed}"
            )
        try:
            self.zeep: Any = cast(Any, zeep).Client(wsdl, transport=transport, settings=settings)
        except Exception as error:  # zeep raises many kinds; all mean "not a usable WSDL"
            reason = " ".join(str(error).split()) or type(error).__name__
            hint = ""
            if "ConnectionError" in type(error).__name__ or "Max retries" in reason:
                hint = " (an import that can't be fetched here? map it with --catalog FILE)"
            raise CodegenError(
                f"cannot load {wsdl}: {type(error).__name__}: {reason}{hint}"
            ) from None
        self.classes: dict[str, ComplexClass] = {}  # by type key
        self.literals: dict[tuple[object, ...], str] = {}
        self.faults: dict[str, Fault] = {}
        self.clients: list[Client] = []
        self.replies: list[ComplexClass] = []
        self.skipped: list[str] = []
        self.encoded: list[str] = []
        self.taken: set[str] = set(MODULE_NAMES) | {"ServiceFault", "Any"}
        self.module_doc = module_doc
        self.preferred = self._literal_names()
        self._build()

    # -- naming ----------------------------------------------------------------------------------
    def _name(self, wanted: str, qname: str = "", owner: str = "") -> str:
        """A module-level name: ``wanted``, else prefixed by its namespace's word (or for an
        anonymous type, by its owner's name), else numbered."""
        candidates = [wanted]
        word = namespace_word(split_qname(qname)[0]) if qname else ""
        if owner:
            word = pascal(owner)
        if word and not wanted.startswith(word):
            candidates.append(word + wanted)
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while f"{wanted}{n}" in self.taken:
            n += 1
        self.taken.add(f"{wanted}{n}")
        return f"{wanted}{n}"

    @staticmethod
    def _unique(name: str, taken: set[str]) -> str:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}{n}", n + 1
        taken.add(candidate)
        return candidate

    def _literal_names(self) -> dict[tuple[object, ...], str]:
        """One name per distinct enumeration: the type name its uses share (Spyne names simple
        types ``Owner_FieldType``, so ``Book_ClassType`` and ``BookingDetails_ClassType`` give
        ``ClassType``), or else the first of them."""
        groups: dict[tuple[object, ...], list[str]] = {}
        for qname, values in self.raw.enums.items():
            groups.setdefault(tuple(values), []).append(local_name(qname))
        for (owner, name), values in self.raw.inline_enums.items():
            groups.setdefault(tuple(values), []).append(f"{local_name(owner)}_{name}")
        names: dict[tuple[object, ...], str] = {}
        for key, candidates in groups.items():
            suffixes = [c.rsplit("_", 1)[-1] for c in candidates if "_" in c]
            if len(suffixes) > 1:
                # the most used suffix; Spyne's extra "...ParentType" copies lose the vote
                best = min(set(suffixes), key=lambda x: (-suffixes.count(x), len(x), x))
                names[key] = best.replace("TypeType", "Type")
            else:
                names[key] = sorted(candidates)[0]
        return names

    # -- bindings and operations -----------------------------------------------------------------
    def _build(self) -> None:
        wsdl = self.zeep.wsdl
        ports: dict[str, dict[str, str]] = {}
        for service_name in sorted(wsdl.services):
            service = wsdl.services[service_name]
            for port_name in sorted(service.ports):
                port = service.ports[port_name]
                address = (port.binding_options or {}).get("address")
                if address:
                    key = str(port.binding.name)
                    ports.setdefault(key, {})[f"{service_name}/{port_name}"] = address
        client_names: set[str] = set()
        for binding_name in sorted(wsdl.bindings, key=str):
            binding = wsdl.bindings[binding_name]
            label = local_name(binding_name)
            kind = type(binding).__name__
            if kind not in ("Soap11Binding", "Soap12Binding"):
                self.skipped.append(f"binding {label}: an HTTP binding, not SOAP")
                continue
            operations = []
            methods = set(CLIENT_RESERVED)
            for name in sorted(binding._operations):
                if (str(binding_name), name) in self.raw.encoded:
                    self.encoded.append(f"operation {name} of binding {label}")
                    continue
                try:
                    built = self._operation(binding._operations[name], methods)
                except Unsupported as reason:
                    self.skipped.append(f"operation {name} of binding {label}: {reason}")
                    continue
                operations.append(built)
            if operations:
                class_name = self._name(self._unique(pascal(label) + "Client", client_names))
                soap = "1.2" if kind == "Soap12Binding" else "1.1"
                self.clients.append(
                    Client(
                        class_name,
                        str(binding_name),
                        ports.get(str(binding_name), {}),
                        operations,
                        soap,
                    )
                )
        if not self.clients:
            if self.encoded and not self.skipped:
                raise EncodedOnly(
                    f"{self._source()} uses rpc/encoded (SOAP section 5 encoding), which codegen"
                    f" does not support: {'; '.join(self.encoded)}"
                )
            reasons = "; ".join(self.not_generated()) or "no bindings"
            raise CodegenError(f"nothing in {self._source()} can be generated: {reasons}")

    def _source(self) -> str:
        return self.location.rstrip("/").rsplit("/", 1)[-1] or self.location

    def not_generated(self) -> list[str]:
        encoded = [f"{item}: rpc/encoded is not supported" for item in self.encoded]
        return self.skipped + encoded

    def _operation(self, operation: Any, methods: set[str]) -> Operation:
        name = operation.name
        rpc = operation.style == "rpc"
        message = operation.input
        params: list[Field] = []
        positional = False
        owner = f"operation:{name}"
        if message.body is not None:
            body = message.body
            if rpc or getattr(message, "_is_body_wrapped", False):
                params = self._fields(body.type, owner)
            elif isinstance(body.type, ComplexType):
                params = self._fields(body.type, self._key(body.type, str(body.qname)))
            else:
                annotation, value = self._simple(body.type, owner, body.name)
                params = [
                    Field(
                        snake(body.name), "element", body.qname.text, body.name, annotation, value
                    )
                ]
                positional = True
        headers = self._header_fields(message)
        taken = {p.name for p in params}
        for item in headers:
            item.name = self._unique(item.name, taken)
            item.optional = True
        op = Operation(
            name=name,
            method=self._unique(snake(name), methods),
            doc=self.raw.operation_docs.get(name, ""),
            params=params,
            headers=headers,
            returns="None",
            mode="rpc" if rpc else "element",
            output=None,
            positional=positional,
        )
        self._output(op, operation, rpc)
        for fault_name in sorted(operation.faults):
            fault = self._fault(fault_name, operation.faults[fault_name])
            if fault is not None:
                op.faults.append(fault.class_name)
        return op

    def _header_fields(self, message: Any) -> list[Field]:
        if message is None or message.header is None:
            return []
        fields = []
        for key, element in message.header.type.elements:
            header = self._element_field(key, element, "headers", optional=True)
            header.name = snake(key)  # the message part's name, as zeep's _soapheaders has it
            fields.append(header)
        return fields

    def _output(self, op: Operation, operation: Any, rpc: bool) -> None:
        message = operation.output
        if message is None:
            return
        headers = self._header_fields(message)
        body = message.body
        returns = "None"
        if body is not None:
            if rpc:
                op.output = self._fields(body.type, f"operation:{op.name}:output")
            elif getattr(message, "_is_body_wrapped", False):
                op.mode = "body"
                op.output = self._fields(body.type, f"operation:{op.name}:output")
            elif isinstance(body.type, ComplexType):
                key = self._key(body.type, str(body.qname))
                op.output = self._fields(body.type, key)
                if len(op.output) > 1 or (op.output and op.output[0].kind != "element"):
                    op.result = self._class(body.type, key)
                    op.output = self.classes[self._key(body.type, key)].fields
            else:
                op.mode = "simple"
                annotation, op.simple = self._simple(body.type, op.name, body.name)
                returns = f"{annotation} | None"
            if op.output is not None:
                returns = self._returns(op)
        op.returns = returns
        if headers:
            op.output_headers = headers
            reply = ComplexClass(self._name(pascal(op.name) + "Reply"), "", [], wire=False)
            result = [Field("result", "element", "", "", returns, "")] if returns != "None" else []
            reply.fields = [*result, *headers]
            reply.doc = f"The answer of {op.name} and the SOAP headers it came with."
            self.replies.append(reply)
            op.reply = reply.name
            op.returns = reply.name

    def _returns(self, op: Operation) -> str:
        assert op.output is not None
        if op.result:
            return op.result
        if not op.output:
            return "None"
        if len(op.output) == 1:
            only = op.output[0]
            op.unwrap = only.name
            if only.repeated or only.item:
                return f"list[{only.annotation}]" + (" | None" if not only.listed else "")
            return (
                f"{only.annotation} | None" if only.optional or only.nillable else only.annotation
            )
        wrapper = ComplexClass(self._name(pascal(op.name) + "Response"), "", list(op.output))
        wrapper.doc = f"The answer of {op.name}."
        self.classes[f"operation:{op.name}:result"] = wrapper
        op.result = wrapper.name
        return wrapper.name

    def _fault(self, name: str, message: Any) -> Fault | None:
        parts = list(message.abstract.parts.values())
        if len(parts) != 1 or parts[0].element is None:
            self.skipped.append(f"fault {name}: only single-part element faults are supported")
            return None
        element = parts[0].element
        key = str(element.qname)
        if key not in self.faults:
            detail, annotation = "", ""
            if isinstance(element.type, ComplexType):
                detail = annotation = self._class(element.type, self._key(element.type, key))
            elif element.type is not None:
                annotation, detail = self._simple(element.type, key, element.name)
            class_name = self._name(pascal(name) + ("" if name.endswith("Error") else "Error"))
            doc = self.raw.type_docs.get(key, "")
            self.faults[key] = Fault(class_name, key, detail, annotation, doc)
        return self.faults[key]

    # -- types -----------------------------------------------------------------------------------
    @staticmethod
    def _key(xsd_type: Any, fallback: str) -> str:
        """A named type's Clark name; an anonymous one's path (zeep names those after their
        element, which a named type of the same name would collide with)."""
        qname: Any = getattr(xsd_type, "qname", None)
        named = qname is not None and getattr(xsd_type, "is_global", False)
        return str(qname.text) if named else fallback

    def _fields(
        self, xsd_type: Any, owner: str, choices: list[list[str]] | None = None
    ) -> list[Field]:
        fields: list[Field] = []
        root = getattr(xsd_type, "_element", None)
        if isinstance(root, Element) and isinstance(root.type, AnySimpleType):
            annotation, value = self._simple(root.type, owner, "_value_1")
            fields.append(Field("value", "value", "", root.attr_name, annotation, value))
        elif isinstance(xsd_type, ComplexType):
            self._particles(xsd_type.elements_nested, owner, fields, False, False, choices)
        for key, attribute in getattr(xsd_type, "attributes", []):
            if isinstance(attribute, AnyAttribute):
                fields.append(
                    Field(
                        snake("other_attributes"),
                        "any-attribute",
                        "",
                        key,
                        "dict[str, str]",
                        "",
                        optional=True,
                    )
                )
                continue
            annotation, value = self._simple(attribute.type, owner, attribute.name)
            optional = not attribute.required
            fixed = self.raw.fixed.get((owner, attribute.name))
            fields.append(
                Field(
                    snake(attribute.name),
                    "attribute",
                    attribute.qname.text,
                    key,
                    annotation,
                    value,
                    optional=optional,
                    default=self._literal_value(fixed, value) if fixed is not None else None,
                    doc=self.raw.element_docs.get((owner, attribute.name), ""),
                )
            )
        names: set[str] = set()
        for item in fields:  # keep Python names unique within a class
            item.name = self._unique(item.name, names)
        return fields

    def _particles(
        self,
        nested: list[tuple[str | None, Any]],
        owner: str,
        fields: list[Field],
        optional: bool,
        in_choice: bool,
        choices: list[list[str]] | None,
    ) -> None:
        for key, particle in nested:
            if isinstance(particle, Element):
                fields.append(
                    self._element_field(str(key), particle, owner, optional=optional or in_choice)
                )
            elif isinstance(particle, AnyParticle):
                repeated = particle.max_occurs == "unbounded" or (
                    isinstance(particle.max_occurs, int) and particle.max_occurs > 1
                )
                annotation = "rt.AnyElement"
                fields.append(
                    Field(
                        "any_elements" if repeated else "any_element",
                        "any",
                        "",
                        str(key),
                        annotation,
                        "",
                        repeated=repeated,
                        optional=optional or in_choice or particle.min_occurs == 0,
                    )
                )
            elif isinstance(particle, (OrderIndicator, Group)):
                inner = particle.child if isinstance(particle, Group) else particle
                if particle.accepts_multiple:
                    optional_group = optional or in_choice or particle.min_occurs == 0
                    fields.append(self._group(str(key), inner, owner, optional_group))
                    continue
                choice = in_choice or isinstance(inner, Choice)
                start = len(fields)
                self._particles(
                    inner.elements_nested,
                    owner,
                    fields,
                    optional or particle.min_occurs == 0,
                    choice,
                    choices,
                )
                if isinstance(inner, Choice) and choices is not None:
                    choices.append([f.name for f in fields[start:]])

    def _group(self, key: str, indicator: Any, owner: str, optional: bool) -> Field:
        """A repeated compositor: a list of dataclasses, one per occurrence."""
        choice = isinstance(indicator, Choice)
        group_key = f"{owner}#{key}"
        known = self.classes.get(group_key)
        if known is not None:  # the same type's fields read twice (a response unwrapped)
            return Field(
                snake(_group_name(known.fields, choice)),
                "group",
                "",
                key,
                known.name,
                known.name,
                repeated=True,
                optional=optional,
                choice=choice,
            )
        members: list[Field] = []
        self._particles(indicator.elements_nested, owner, members, False, choice, None)
        if any(m.kind in ("group", "any") for m in members):
            raise Unsupported(
                f"a repeated compositor holding another one, or a wildcard, in {local_name(owner)}"
            )
        taken: set[str] = set()
        for member in members:
            member.name = self._unique(member.name, taken)
        name = _group_name(members, choice)
        model = ComplexClass(
            self._name(pascal(name), "", local_name(owner)), group_key, members, group=True
        )
        kind = "repeated xs:choice" if choice else "repeated xs:sequence"
        model.doc = f"One occurrence of the {kind} in {local_name(owner)}."
        if choice:
            model.doc += f" Exactly one of: {', '.join(m.name for m in members)}."
        self.classes[group_key] = model
        return Field(
            snake(name),
            "group",
            "",
            key,
            model.name,
            model.name,
            repeated=True,
            optional=optional,
            choice=choice,
        )

    def _element_field(self, key: str, element: Any, owner: str, optional: bool = False) -> Field:
        repeated = element.max_occurs == "unbounded" or (
            isinstance(element.max_occurs, int) and element.max_occurs > 1
        )
        optional = optional or element.min_occurs == 0
        nillable = bool(element.nillable)
        name = element.name
        doc = self.raw.element_docs.get((owner, name), "")
        tag = element.qname.text
        xsd_type = element.type
        # an anonymous type is known by its element: a global one's Clark name, else a path
        inner = tag if getattr(element, "is_global", False) else f"{owner}/{name}"
        if not isinstance(xsd_type, ComplexType):
            annotation, value = (
                self._simple(xsd_type, owner, name)
                if isinstance(xsd_type, AnySimpleType)
                else _STRING  # xs:anyType: its text
            )
            fixed = self.raw.fixed.get((owner, name))
            default = self._literal_value(fixed, value) if fixed is not None else None
            return Field(
                snake(name),
                "element",
                tag,
                key,
                annotation,
                value,
                repeated=repeated,
                optional=optional or nillable,
                nillable=nillable,
                default=default,
                doc=doc,
            )
        array = None if repeated else self._array_item(xsd_type)
        if array is not None:
            item_key, item = array
            inner_owner = self._key(xsd_type, inner)
            if isinstance(item.type, ComplexType):
                target = self._class(item.type, self._key(item.type, f"{inner_owner}/{item.name}"))
                annotation, value = target, target
            else:
                annotation, value = self._simple(item.type, inner_owner, item.name)
            return Field(
                snake(name),
                "element",
                tag,
                key,
                annotation,
                value,
                optional=optional,
                nillable=nillable,
                item=item.qname.text,
                item_key=item_key,
                doc=doc,
            )
        target = self._class(xsd_type, self._key(xsd_type, inner))
        substitutes = self._substitutes(tag)
        return Field(
            snake(name),
            "element",
            tag,
            key,
            target,
            target,
            repeated=repeated,
            optional=optional or nillable,
            nillable=nillable,
            substitutes=substitutes,
            abstract=bool(substitutes) and tag in self.raw.abstract,
            doc=doc,
        )

    def _substitutes(self, head: str) -> dict[str, str]:
        """The classes of the elements that may stand in for ``head`` (substitution groups)."""
        found: dict[str, str] = {}
        todo = list(self.raw.substitutes.get(head, []))
        while todo:
            member = todo.pop(0)
            if member in found:
                continue
            todo.extend(self.raw.substitutes.get(member, []))
            if member in self.raw.abstract:
                continue
            try:
                element = self.zeep.get_element(member)
            except Exception:  # zeep couldn't resolve it; the head still works
                continue
            if isinstance(element.type, ComplexType):
                type_key = self._key(element.type, member)
                target = self._class(element.type, type_key)
                users = [m for m in found.values() if m == target]
                if users or self.raw.element_types.get(head) == type_key:
                    target = self._member_class(member, target)
                found[member] = target
        return dict(sorted(found.items()))

    def _member_class(self, member: str, base: str) -> str:
        """A class of its own for a substitution member sharing its type with another."""
        key = f"element:{member}"
        if key not in self.classes:
            shared = next(c for c in self.classes.values() if c.name == base)
            model = ComplexClass(
                self._name(pascal(local_name(member)), member),
                key,
                list(shared.fields),
                f"The element {member}.",
                base=base,
                inherited=len(shared.fields),
            )
            self.classes[key] = model
        return self.classes[key].name

    @staticmethod
    def _array_item(xsd_type: Any) -> tuple[str, Any] | None:
        """The repeated element of a type that wraps nothing else, like Spyne's FooArray."""
        if xsd_type.attributes:
            return None
        children = list(xsd_type.elements)
        if len(children) != 1:
            return None
        key, element = children[0]
        if not isinstance(element, Element):
            return None
        if element.max_occurs == "unbounded" or (
            isinstance(element.max_occurs, int) and element.max_occurs > 1
        ):
            return key, element
        return None

    def _simple(self, xsd_type: Any, owner: str, name: str) -> tuple[str, str]:
        """(Python annotation, runtime simple) of a simple type, enumerations as Literals."""
        if isinstance(xsd_type, ListType):
            annotation, value = self._simple(xsd_type.item_type, owner, name)
            return f"list[{annotation}]", f"rt.ListOf({value})"
        annotation, value = _STRING
        for cls in type(xsd_type).__mro__:
            if cls.__name__ in _BUILTINS:
                annotation, value = _BUILTINS[cls.__name__]
                break
        qname = getattr(xsd_type, "qname", None)
        values = None
        if qname is not None and split_qname(qname.text)[0] != XS:
            values = self.raw.enumeration(qname.text)
        if values is None:
            values = self.raw.inline_enums.get((owner, name))
        if values and annotation in ("str", "int"):
            try:
                literal = tuple(int(v) for v in values) if annotation == "int" else tuple(values)
            except ValueError:
                return annotation, value
            wanted = local_name(qname.text) if qname is not None else f"{local_name(owner)}_{name}"
            return self._literal(literal, wanted), value
        return annotation, value

    def _literal(self, values: tuple[object, ...], name: str) -> str:
        if values not in self.literals:
            preferred = self.preferred.get(tuple(str(v) for v in values), name)
            self.literals[values] = self._name(pascal(preferred))
        return self.literals[values]

    @staticmethod
    def _literal_value(text: str, value: str) -> str | None:
        """A ``fixed`` value as a Python literal of its field's type."""
        text = text.strip() if value != "rt.STRING" else text
        if value == "rt.STRING":
            return repr(text)
        if value == "rt.INTEGER":
            return repr(int(text)) if text.lstrip("+-").isdigit() else None
        if value == "rt.BOOLEAN":
            return "True" if text in ("true", "1") else "False"
        if value == "rt.DECIMAL":
            try:
                return f'decimal.Decimal("{decimal.Decimal(text)}")'
            except decimal.InvalidOperation:
                return None
        return None

    def _class(self, xsd_type: Any, key: str) -> str:
        known = self.classes.get(key)
        if known is not None:
            return known.name
        named = getattr(xsd_type, "qname", None) is not None and bool(xsd_type.is_global)
        qname = key if named else ""
        wanted = pascal(local_name(key))
        path = split_qname(key)[1].split("/")
        owner = path[-2] if not named and len(path) > 1 else ""
        model = ComplexClass(
            self._name(wanted, qname, owner), key, [], self.raw.type_docs.get(key, ""), named=named
        )
        self.classes[key] = model
        fields = self._fields(xsd_type, key, model.choices)
        base = self.raw.bases.get(key) if named else None
        if base is not None and base[1] == "extension":
            base_type = self._named_type(base[0])
            if isinstance(base_type, ComplexType):
                base_name = self._class(base_type, base[0])
                inherited = self.classes[base[0]].fields
                keys = {f.key for f in inherited}
                own = [f for f in fields if f.key not in keys]
                taken = {f.name for f in inherited}
                for item in own:
                    item.name = self._unique(item.name, taken)
                model.base, model.inherited = base_name, len(inherited)
                fields = list(inherited) + own
        model.fields = fields
        if named:
            for derived in self.raw.derived_from(key):
                derived_type = self._named_type(derived)
                if isinstance(derived_type, ComplexType):
                    model.subtypes[derived] = self._class(derived_type, derived)
        return model.name

    def _named_type(self, qname: str) -> Any:
        try:
            return self.zeep.wsdl.types.get_type(qname)
        except Exception:  # not declared (a broken reference): no class for it
            return None


def _group_name(members: list[Field], choice: bool) -> str:
    """A repeated compositor's field name: its members' (``warning_or_error``), or a plural."""
    names = [m.name.rstrip("_") for m in members]
    if len(names) > 3 or not names:
        return "choices" if choice else "items"
    return ("_or_" if choice else "_and_").join(names)
