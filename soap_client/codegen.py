"""``codegen``: a typed Python client module from a WSDL 1.1 document/literal service.

The Python equivalent of ``wsimport`` and ``svcutil``: from any WSDL it emits one readable module
with

* a frozen, keyword-only dataclass per complex type (optional fields ``X | None``, repeated
  elements ``list[X]``; a type that only wraps one repeated element, like ``PassengerArray``,
  becomes a plain ``list`` where it is used), with ``_to_xml``/``_from_xml`` converters;
* a ``Literal`` alias per enumeration (identical enumerations share one alias);
* docstrings from the WSDL and schema documentation;
* one client class per binding, one method per operation: typed parameters (SOAP headers as
  typed keyword arguments), typed return, running on zeep underneath;
* an exception per declared fault (carrying its typed detail) and a base exception for them.

The structure (types, messages, operations) comes from zeep's parse of the WSDL, which resolves
imports and references; what zeep drops (enumeration facets, documentation) is read from the raw
documents with lxml. Output is deterministic: the same WSDL gives byte-identical code.

Not supported, and reported by name: rpc-style bindings, SOAP headers in responses, and HTTP
(non-SOAP) bindings. Everything else in the WSDL is still generated.

Why not xsdata: it generates good dataclasses from XSD, but they are bound to its own runtime
(its metadata, ``XmlDate`` types, its own experimental SOAP client), so using them over zeep
would mean two XML bindings in one client; zeep already parses the WSDL and does the wire work,
so the generator only has to map its model to Python.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import zeep
from lxml import etree

from soap_client.agent import safe_settings

XS = "http://www.w3.org/2001/XMLSchema"
BACKSLASH = chr(92)
_IMPORTS = "#<imports>"
TRIPLE = chr(34) * 3
WSDL = "http://schemas.xmlsoap.org/wsdl/"

# zeep's builtin type classes -> the Python type the generated code declares.
_BUILTINS = [
    ("Boolean", "bool"),
    ("DateTime", "datetime.datetime"),
    ("Date", "datetime.date"),
    ("Time", "datetime.time"),
    ("Duration", "datetime.timedelta"),
    ("Integer", "int"),
    ("Int", "int"),
    ("Long", "int"),
    ("Short", "int"),
    ("Byte", "int"),
    ("Decimal", "decimal.Decimal"),
    ("Float", "float"),
    ("Double", "float"),
    ("Base64Binary", "bytes"),
    ("HexBinary", "bytes"),
    ("String", "str"),
    ("AnySimpleType", "str"),
]


class CodegenError(Exception):
    """The WSDL can't be read, or nothing in it can be generated."""


@dataclass
class Field:
    name: str  # Python name
    xml: str  # element or attribute name
    annotation: str
    optional: bool
    kind: str  # "simple", "complex", "list-simple", "list-complex", "array" (flattened)
    target: str = ""  # class name for complex kinds
    array_item: str = ""  # the repeated element's name inside a flattened array wrapper
    doc: str = ""


@dataclass
class ComplexClass:
    name: str
    qname: str
    fields: list[Field]
    doc: str = ""
    choice: list[str] = field(default_factory=list)


@dataclass
class Fault:
    class_name: str
    element: str  # Clark name of the detail element
    detail: str  # dataclass name, or "" if the detail is a simple type
    doc: str = ""


@dataclass
class Operation:
    name: str
    method: str
    doc: str
    params: list[Field]
    headers: list[Field]
    returns: str
    result: Field | None  # how the zeep result converts; None: returns None
    faults: list[str]


@dataclass
class Client:
    class_name: str
    binding: str  # Clark name
    ports: dict[str, str]  # "Service/Port" -> address, in name order
    operations: list[Operation]


class _Raw:
    """What zeep does not keep: enumerations and documentation, read from the documents."""

    def __init__(self, path: Path) -> None:
        self.enums: dict[str, list[str]] = {}
        self.inline_enums: dict[tuple[str, str], list[str]] = {}
        self.type_docs: dict[str, str] = {}
        self.element_docs: dict[tuple[str, str], str] = {}
        self.operation_docs: dict[str, str] = {}
        self.service_docs: list[str] = []
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        seen: set[Path] = set()
        self._read(path.resolve(), parser, seen)

    def _read(self, path: Path, parser: etree.XMLParser, seen: set[Path]) -> None:
        if path in seen or not path.exists():
            return
        seen.add(path)
        root = etree.parse(str(path), parser).getroot()
        for schema in root.iter(f"{{{XS}}}schema"):
            self._schema(schema)
        for operation in root.iter(f"{{{WSDL}}}operation"):
            doc = _doc(operation, f"{{{WSDL}}}documentation")
            if doc and operation.getparent() is not None:
                if etree.QName(operation.getparent()).localname == "portType":
                    self.operation_docs.setdefault(operation.get("name", ""), doc)
        for service in root.iter(f"{{{WSDL}}}service", f"{{{WSDL}}}portType"):
            doc = _doc(service, f"{{{WSDL}}}documentation")
            if doc:
                self.service_docs.append(doc)
        for imported in root.iter(f"{{{WSDL}}}import", f"{{{XS}}}import", f"{{{XS}}}include"):
            location = imported.get("location") or imported.get("schemaLocation")
            if location and "://" not in location:
                self._read((path.parent / location).resolve(), parser, seen)

    def _schema(self, schema: etree._Element) -> None:
        tns = schema.get("targetNamespace", "")
        for simple in schema.iterfind(f"{{{XS}}}simpleType"):
            values = _enumeration(simple)
            if values:
                self.enums[f"{{{tns}}}{simple.get('name')}"] = values
        for complex_type in schema.iter(f"{{{XS}}}complexType"):
            owner = complex_type.get("name")
            if owner is None:  # anonymous: owned by the element that holds it
                parent = complex_type.getparent()
                owner = parent.get("name") if parent is not None else None
            if owner is None:
                continue
            key = f"{{{tns}}}{owner}"
            doc = _doc(complex_type, f"{{{XS}}}annotation/{{{XS}}}documentation")
            if doc:
                self.type_docs[key] = doc
            for element in complex_type.iter(f"{{{XS}}}element", f"{{{XS}}}attribute"):
                name = element.get("name")
                if name is None:
                    continue
                inline = element.find(f"{{{XS}}}simpleType")
                if inline is not None and _enumeration(inline):
                    self.inline_enums[(key, name)] = _enumeration(inline)
                doc = _doc(element, f"{{{XS}}}annotation/{{{XS}}}documentation")
                if doc:
                    self.element_docs[(key, name)] = doc


def _doc(element: etree._Element, path: str) -> str:
    found = element.find(path)
    if found is None or not (found.text or "").strip():
        return ""
    return " ".join((found.text or "").split())


def _enumeration(simple: etree._Element) -> list[str]:
    return [e.get("value", "") for e in simple.iter(f"{{{XS}}}enumeration")]


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return lines + [current] if current else lines


def snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    text = re.sub(r"\W+", "_", text).strip("_").lower() or "value"
    if text[0].isdigit():
        text = f"n{text}"
    return f"{text}_" if keyword.iskeyword(text) or text in ("self", "cls") else text


def pascal(name: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "Type"
    return f"T{text}" if text[0].isdigit() else text


def _local(qname: Any) -> str:
    return etree.QName(str(qname)).localname


class Generator:
    """Builds the model of one WSDL, then writes it out as Python."""

    def __init__(self, wsdl: Path, module_doc: str | None = None) -> None:
        self.path = wsdl
        try:
            self.zeep = cast(Any, zeep).Client(str(wsdl), settings=safe_settings())
        except Exception as error:  # zeep raises many kinds; all mean "not a usable WSDL"
            raise CodegenError(f"cannot load {wsdl}: {type(error).__name__}: {error}") from None
        self.raw = _Raw(wsdl)
        self.classes: dict[int, ComplexClass] = {}
        self.class_names: set[str] = set()
        self.literals: dict[tuple[str, ...], str] = {}
        self.literal_names: set[str] = set()
        self.faults: dict[str, Fault] = {}
        self.clients: list[Client] = []
        self.skipped: list[str] = []
        self.module_doc = module_doc
        self.preferred = self._literal_names()
        self._build()

    # -- model -----------------------------------------------------------------------------------
    def _literal_names(self) -> dict[tuple[str, ...], str]:
        """One name per distinct enumeration: the type name its uses share (Spyne names simple
        types ``Owner_FieldType``, so ``Book_ClassType`` and ``BookingDetails_ClassType`` give
        ``ClassType``), or else the first of them."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for qname, values in self.raw.enums.items():
            groups.setdefault(tuple(values), []).append(_local(qname))
        for (owner, name), values in self.raw.inline_enums.items():
            groups.setdefault(tuple(values), []).append(f"{_local(owner)}_{name}")
        names: dict[tuple[str, ...], str] = {}
        for key, candidates in groups.items():
            suffixes = [c.rsplit("_", 1)[-1] for c in candidates if "_" in c]
            if len(suffixes) > 1:
                # the most used suffix; Spyne's extra "...ParentType" copies lose the vote
                best = min(set(suffixes), key=lambda x: (-suffixes.count(x), len(x), x))
                names[key] = best.replace("TypeType", "Type")
            else:
                names[key] = sorted(candidates)[0]
        return names

    def _build(self) -> None:
        bindings = self.zeep.wsdl.bindings
        ports: dict[str, dict[str, str]] = {}
        for service_name in sorted(self.zeep.wsdl.services):
            service = self.zeep.wsdl.services[service_name]
            for port_name in sorted(service.ports):
                port = service.ports[port_name]
                address = (port.binding_options or {}).get("address")
                if address:
                    ports.setdefault(str(port.binding.name), {})[f"{service_name}/{port_name}"] = (
                        address
                    )
        for binding_name in sorted(bindings, key=str):
            binding = bindings[binding_name]
            kind = type(binding).__name__
            if kind not in ("Soap11Binding", "Soap12Binding"):
                self.skipped.append(f"binding {_local(binding_name)}: {kind} is not a SOAP binding")
                continue
            operations = []
            for name in sorted(binding._operations):
                operation = binding._operations[name]
                if operation.style != "document":
                    self.skipped.append(
                        f"operation {name} of binding {_local(binding_name)}: {operation.style}"
                        "-style operations are not supported (only document/literal)"
                    )
                    continue
                built = self._operation(operation)
                if built is not None:
                    operations.append(built)
            if operations:
                self.clients.append(
                    Client(
                        self._unique(pascal(_local(binding_name)) + "Client", set()),
                        str(binding_name),
                        ports.get(str(binding_name), {}),
                        operations,
                    )
                )
        if not self.clients:
            reasons = "; ".join(self.skipped) or "no bindings"
            raise CodegenError(f"nothing in {self.path.name} can be generated: {reasons}")

    def _operation(self, operation: Any) -> Operation | None:
        name = operation.name
        output = operation.output
        if output is not None and output.header is not None and output.header.type.elements:
            self.skipped.append(f"operation {name}: SOAP headers in responses are not supported")
            return None
        body = operation.input.body
        params = self._fields(body.type, str(body.qname)) if body is not None else []
        headers = []
        if operation.input.header is not None:
            for header_name, element in operation.input.header.type.elements:
                headers.append(self._field(header_name, element, "", optional=True))
        returns, result = "None", None
        if output is not None and output.body is not None:
            returns, result = self._result(output.body)
        faults = []
        for fault_name in sorted(operation.faults):
            fault = self._fault(fault_name, operation.faults[fault_name])
            if fault is not None:
                faults.append(fault.class_name)
        return Operation(
            name=name,
            method=snake(name),
            doc=self.raw.operation_docs.get(name, ""),
            params=params,
            headers=headers,
            returns=returns,
            result=result,
            faults=faults,
        )

    def _result(self, body: Any) -> tuple[str, Field | None]:
        """The return type, following zeep's unwrapping of single-child answers."""
        children = list(body.type.elements)
        if not children and not body.type.attributes:
            return "None", None
        if len(children) > 1 or body.type.attributes:
            target = self._class(body.type, str(body.qname))
            return target, Field("result", "", target, False, "complex", target)
        child_name, child = children[0]
        child_type = child.type
        if hasattr(child_type, "elements") and not child_type.attributes:
            grandchildren = list(child_type.elements)
            if len(grandchildren) == 1 and not child.max_occurs != 1:
                # zeep returns the only grandchild's value (a list if it repeats)
                inner_name, inner = grandchildren[0]
                result = self._field(inner_name, inner, self._owner(child_type, child_name))
                return self._annotation(result), result
        result = self._field(child_name, child, str(body.qname))
        return self._annotation(result), result

    @staticmethod
    def _annotation(item: Field) -> str:
        return f"{item.annotation} | None" if item.optional else item.annotation

    def _fault(self, name: str, message: Any) -> Fault | None:
        parts = list(message.abstract.parts.values())
        if len(parts) != 1 or parts[0].element is None:
            self.skipped.append(f"fault {name}: only single-part element faults are supported")
            return None
        element = parts[0].element
        key = str(element.qname)
        if key not in self.faults:
            detail = ""
            if hasattr(element.type, "elements"):
                detail = self._class(element.type, key)
            class_name = self._unique(
                pascal(name) + ("" if name.endswith("Error") else "Error"), set(self.class_names)
            )
            self.faults[key] = Fault(class_name, key, detail, self.raw.type_docs.get(key, ""))
        return self.faults[key]

    def _owner(self, xsd_type: Any, fallback: str) -> str:
        qname = getattr(xsd_type, "qname", None)
        return str(qname) if qname is not None else fallback

    def _fields(self, xsd_type: Any, owner: str) -> list[Field]:
        owner = self._owner(xsd_type, owner)
        fields = [self._field(name, element, owner) for name, element in xsd_type.elements]
        for name, attribute in xsd_type.attributes:
            simple = self._simple(attribute.type, owner, name)
            optional = not getattr(attribute, "required", False)
            fields.append(Field(snake(name), name, simple, optional, "simple"))
        names: set[str] = set()
        for item in fields:  # keep Python names unique within a class
            item.name = self._unique(item.name, names)
            names.add(item.name)
        return fields

    def _field(self, name: str, element: Any, owner: str, optional: bool = False) -> Field:
        repeated = element.max_occurs == "unbounded" or (
            isinstance(element.max_occurs, int) and element.max_occurs > 1
        )
        optional = optional or element.min_occurs == 0 or bool(element.nillable)
        doc = self.raw.element_docs.get((owner, name), "")
        xsd_type = element.type
        if not hasattr(xsd_type, "elements"):  # a simple type
            simple = self._simple(xsd_type, owner, name)
            if repeated:
                return Field(snake(name), name, f"list[{simple}]", False, "list-simple", doc=doc)
            return Field(snake(name), name, simple, optional, "simple", doc=doc)
        array = self._array_item(xsd_type)
        if array is not None and not repeated:
            item_name, item = array
            if hasattr(item.type, "elements"):
                target = self._class(item.type, f"{owner}/{name}/{item_name}")
                return Field(
                    snake(name), name, f"list[{target}]", optional, "array", target, item_name, doc
                )
            simple = self._simple(item.type, self._owner(xsd_type, owner), item_name)
            return Field(
                snake(name), name, f"list[{simple}]", optional, "array-simple", "", item_name, doc
            )
        target = self._class(xsd_type, f"{owner}/{name}")
        if repeated:
            return Field(
                snake(name), name, f"list[{target}]", False, "list-complex", target, doc=doc
            )
        return Field(snake(name), name, target, optional, "complex", target, doc=doc)

    @staticmethod
    def _array_item(xsd_type: Any) -> tuple[str, Any] | None:
        """The repeated element of a type that wraps nothing else, like spyne's FooArray."""
        children = list(xsd_type.elements)
        if len(children) != 1 or xsd_type.attributes:
            return None
        name, element = children[0]
        if element.max_occurs == "unbounded" or (
            isinstance(element.max_occurs, int) and element.max_occurs > 1
        ):
            return name, element
        return None

    def _simple(self, xsd_type: Any, owner: str, name: str) -> str:
        qname = getattr(xsd_type, "qname", None)
        values = self.raw.enums.get(str(qname)) if qname is not None else None
        if values is None:
            values = self.raw.inline_enums.get((owner, name))
        if values:
            return self._literal(values, _local(qname) if qname is not None else f"{owner}{name}")
        for cls in type(xsd_type).__mro__:
            for builtin, python in _BUILTINS:
                if cls.__name__ == builtin:
                    return python
        return "str"

    def _literal(self, values: list[str], name: str) -> str:
        key = tuple(values)
        if key not in self.literals:
            preferred = self.preferred.get(key, _local(name))
            alias = self._unique(pascal(preferred), self.literal_names | self.class_names)
            self.literals[key] = alias
            self.literal_names.add(alias)
        return self.literals[key]

    def _class(self, xsd_type: Any, fallback_qname: str) -> str:
        known = self.classes.get(id(xsd_type))
        if known is not None:
            return known.name
        qname = self._owner(xsd_type, fallback_qname)
        name = self._unique(
            pascal(_local(qname.split("/")[-1]) if "/" in qname else _local(qname)),
            self.class_names | self.literal_names,
        )
        self.class_names.add(name)
        model = ComplexClass(name, qname, [], self.raw.type_docs.get(qname, ""))
        self.classes[id(xsd_type)] = model
        model.fields = self._fields(xsd_type, qname)
        for _, indicator in getattr(xsd_type, "elements_nested", []):
            if type(indicator).__name__ == "Choice":
                model.choice = [snake(n) for n, _ in indicator.elements]
                for item in model.fields:
                    if item.name in model.choice:
                        item.optional = True
        return name

    @staticmethod
    def _unique(name: str, taken: set[str]) -> str:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}{n}", n + 1
        return candidate

    # -- output ----------------------------------------------------------------------------------
    def render(self, source_name: str) -> str:
        return _Writer(self, source_name).text()


class _Writer:
    def __init__(self, model: Generator, source_name: str) -> None:
        self.m = model
        self.source = source_name
        self.lines: list[str] = []

    def text(self) -> str:
        self._header()
        self._literals()
        self._classes()
        self._faults()
        self._runtime()
        for client in self.m.clients:
            self._client(client)
        text = "\n".join(self.lines).rstrip() + "\n"
        body = text.split(_IMPORTS, 1)[1]
        modules = [m for m in ("dataclasses", "datetime", "decimal") if f"{m}." in body]
        names = [
            n
            for n in ("Any", "ClassVar", "Literal", "cast")
            if f"{n}[" in body or f"{n}(" in body or f": {n}" in body or f"[{n}" in body
        ]
        imports = [f"import {m}" for m in modules] + [f"from typing import {', '.join(names)}"]
        return text.replace(_IMPORTS, "\n".join(imports), 1)

    def w(self, line: str = "") -> None:
        self.lines.append(line)

    def call(self, indent: str, head: str, args: list[str], tail: str) -> None:
        """``head(args)tail`` on one line if it fits, else split the way ruff formats it."""
        joined = ", ".join(args)
        if len(indent) + len(head) + len(joined) + len(tail) <= 100:
            self.w(f"{indent}{head}{joined}{tail}")
        elif len(indent) + 4 + len(joined) <= 100:
            self.w(f"{indent}{head}")
            self.w(f"{indent}    {joined}")
            self.w(f"{indent}{tail}")
        else:
            self.w(f"{indent}{head}")
            for arg in args:
                self.w(f"{indent}    {arg},")
            self.w(f"{indent}{tail}")

    def doc(self, text: str, indent: str) -> None:
        """A docstring: the first sentence as its summary line when it fits, then the rest."""
        if not text:
            return
        text = text.replace(BACKSLASH, BACKSLASH * 2).replace(TRIPLE, "'''")
        width = 100 - len(indent) - 3
        first, _, rest = text.partition(". ")
        if rest:
            first += "."
        if rest and len(first) <= width:
            self.w(f'{indent}"""{first}')
            self.w()
            for line in _wrap(rest, width):
                self.w(f"{indent}{line}")
            self.w(f'{indent}"""')
            return
        lines = _wrap(text, width)
        if len(lines) == 1 and len(lines[0]) + 3 <= width:
            self.w(f'{indent}"""{lines[0]}"""')
            return
        self.w(f'{indent}"""{lines[0]}')
        for line in lines[1:]:
            self.w(f"{indent}{line}")
        self.w(f'{indent}"""')

    def _header(self) -> None:
        names = ", ".join(c.class_name for c in self.m.clients)
        summary = self.m.module_doc or f"Typed SOAP client for {self.source}, generated by codegen."
        self.w(f'"""{summary}')
        self.w()
        self.w(f"Generated from {self.source} by `python -m soap_client codegen`; do not edit.")
        self.w(f"Clients: {names}.")
        for doc in self.m.raw.service_docs[:1]:
            self.w()
            words = doc.split()
            line = ""
            for word in words:
                if line and len(line) + len(word) + 1 > 96:
                    self.w(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            self.w(line)
        if self.m.skipped:
            self.w()
            self.w("Not generated:")
            for item in self.m.skipped:
                lines = _wrap(item, 94)
                self.w(f"- {lines[0]}")
                for line in lines[1:]:
                    self.w(f"  {line}")
        self.w('"""')
        self.w()
        self.w("from __future__ import annotations")
        self.w()
        self.w(_IMPORTS)
        self.w()
        self.w("import zeep")
        self.w("import zeep.exceptions")
        self.w("import zeep.helpers")
        self.w()
        self.w("__all__ = [")
        exported = sorted(
            [c.name for c in self.m.classes.values()]
            + list(self.m.literals.values())
            + [f.class_name for f in self.m.faults.values()]
            + [c.class_name for c in self.m.clients]
            + ["ServiceFault"]
        )
        for name in exported:
            self.w(f'    "{name}",')
        self.w("]")

    def _literals(self) -> None:
        for values, alias in sorted(self.m.literals.items(), key=lambda item: item[1]):
            self.w()
            joined = ", ".join(json.dumps(v) for v in values)
            line = f"{alias} = Literal[{joined}]"
            if len(line) <= 100:
                self.w(line)
            else:
                self.w(f"{alias} = Literal[")
                for value in values:
                    self.w(f"    {json.dumps(value)},")
                self.w("]")

    def _classes(self) -> None:
        for model in sorted(self.m.classes.values(), key=lambda c: c.name):
            self.w()
            self.w()
            self.w("@dataclasses.dataclass(frozen=True, kw_only=True)")
            self.w(f"class {model.name}:")
            doc = model.doc or f"The type {model.qname.split('/')[0]}."
            if model.choice:
                doc += f" Exactly one of: {', '.join(model.choice)}."
            self.doc(doc, "    ")
            self.w()
            for item in model.fields:
                if item.optional:
                    self.w(f"    {item.name}: {item.annotation} | None = None")
                elif item.kind.startswith("list") or item.kind.startswith("array"):
                    self.w(
                        f"    {item.name}: {item.annotation} = dataclasses.field("
                        "default_factory=list)"
                    )
                else:
                    self.w(f"    {item.name}: {item.annotation}")
            if model.fields:
                self.w()
            self._to_xml(model.fields, "    ")
            self.w()
            self.w("    @classmethod")
            self.w(f"    def _from_xml(cls, value: Any) -> {model.name}:")
            if not model.fields:
                self.w("        return cls()")
                continue
            self.w("        data = _plain(value)")
            self.w("        return cls(")
            for item in model.fields:
                head, args, tail = self._read(item, "data")
                self.call("            ", f"{item.name}={head}", args, tail)
            self.w("        )")

    def _to_xml(self, fields: list[Field], indent: str) -> None:
        self.w(f"{indent}def _to_xml(self) -> dict[str, Any]:")
        if not fields:
            self.w(f"{indent}    return {{}}")
            return
        self.w(f"{indent}    return _compact(")
        self.w(f"{indent}        {{")
        for item in fields:
            self.w(f'{indent}            "{item.xml}": {self._write(item, f"self.{item.name}")},')
        self.w(f"{indent}        }}")
        self.w(f"{indent}    )")

    @staticmethod
    def _write(item: Field, value: str) -> str:
        if item.kind == "complex":
            return f"_xml({value})"
        if item.kind == "list-complex":
            return f"[_xml(v) for v in {value}]"
        if item.kind == "array":
            return f'_wrap({value}, "{item.array_item}", _xml)'
        if item.kind == "array-simple":
            return f'_wrap({value}, "{item.array_item}", _same)'
        return value

    @staticmethod
    def _read(item: Field, data: str) -> tuple[str, list[str], str]:
        """A field's value from the plain data, as a call: (head, arguments, tail)."""
        got = f'{data}.get("{item.xml}")'
        if item.kind == "complex":
            if item.optional:
                return "_maybe(", [f"{item.target}._from_xml", got], "),"
            return f"{item.target}._from_xml(", [f'{data}["{item.xml}"]'], "),"
        if item.kind == "list-complex":
            return "_list(", [f"{item.target}._from_xml", got], "),"
        if item.kind == "array":
            reader = "_maybe_array(" if item.optional else "_array("
            return reader, [f"{item.target}._from_xml", got, f'"{item.array_item}"'], "),"
        if item.kind == "array-simple":
            reader = "_maybe_array(" if item.optional else "_array("
            return reader, ["_same", got, f'"{item.array_item}"'], "),"
        if item.kind == "list-simple":
            return "_list(", ["_same", got], "),"
        if item.optional:
            return f"{data}.get(", [f'"{item.xml}"'], "),"
        return f"{data}[", [f'"{item.xml}"'], "],"

    def _faults(self) -> None:
        self.w()
        self.w()
        self.lines.extend(_SERVICE_FAULT.splitlines())
        for fault in sorted(self.m.faults.values(), key=lambda f: f.class_name):
            self.w()
            self.w()
            self.w(f"class {fault.class_name}(ServiceFault):")
            self.doc(fault.doc or f"The declared fault {fault.element}.", "    ")
            self.w()
            self.w(f'    element: ClassVar[str] = "{fault.element}"')
            detail = fault.detail or "Any"
            self.w(f"    detail: {detail} | None = None")
            if fault.detail:
                self.w()
                self.w("    @staticmethod")
                self.w(f"    def _read(value: Any) -> {fault.detail}:")
                self.w(f"        return {fault.detail}._from_xml(value)")

    def _runtime(self) -> None:
        classes = sorted(f.class_name for f in self.m.faults.values())
        self.w()
        self.w()
        if not classes:
            self.w("_FAULTS: dict[str, type[ServiceFault]] = {}")
        else:
            errors = ", ".join(classes) + ("," if len(classes) == 1 else "")
            line = f"_FAULTS: dict[str, type[ServiceFault]] = {{e.element: e for e in ({errors})}}"
            if len(line) <= 100:
                self.w(line)
            else:
                self.w("_FAULTS: dict[str, type[ServiceFault]] = {")
                self.call("    ", "e.element: e for e in (", classes, ")")
                self.w("}")
        self.w('''

def _plain(value: Any) -> Any:
    """zeep's objects as plain dicts and lists."""
    return cast(Any, zeep.helpers).serialize_object(value, dict)


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _same(value: Any) -> Any:
    return value


def _xml(value: Any) -> Any:
    """A generated dataclass as the dict zeep serialises; None stays None."""
    return None if value is None else value._to_xml()


def _wrap(values: list[Any] | None, item: str, write: Any) -> dict[str, Any] | None:
    return None if values is None else {item: [write(v) for v in values]}


def _maybe(read: Any, value: Any) -> Any:
    return None if value is None else read(value)


def _list(read: Any, values: Any) -> list[Any]:
    return [read(value) for value in values or []]


def _array(read: Any, container: Any, item: str) -> list[Any]:
    """The items of a wrapper element that holds only a repeated ``item``."""
    if container is None:
        return []
    found = container.get(item) if isinstance(container, dict) else container
    return [read(value) for value in found or []]


def _maybe_array(read: Any, container: Any, item: str) -> list[Any] | None:
    return None if container is None else _array(read, container, item)


def _raise_fault(
    fault: zeep.exceptions.Fault, zeep_client: Any, allowed: tuple[type[ServiceFault], ...]
) -> None:
    """Raise the declared fault the detail carries, or a plain ServiceFault."""
    faultcode = str(fault.code or "")
    message = str(fault.message or "")
    detail: Any = fault.detail
    for child in [] if detail is None else list(detail):
        error_class = _FAULTS.get(str(child.tag))
        if error_class is not None and error_class in allowed:
            error = error_class(faultcode, message, detail)
            element = zeep_client.get_element(error_class.element)
            parsed = element.parse(child, zeep_client.wsdl.types)
            error.detail = error_class._read(parsed)
            raise error from None
    raise ServiceFault(faultcode, message, detail) from None''')

    def _client(self, client: Client) -> None:
        self.w()
        self.w()
        self.w(f"class {client.class_name}:")
        self.doc(f"Client of the binding {client.binding}, on zeep.", "    ")
        self.w()
        self.w(f'    binding: ClassVar[str] = "{client.binding}"')
        if client.ports:
            self.w("    #: The WSDL's ports for this binding; the first is the default address.")
            self.w("    ports: ClassVar[dict[str, str]] = {")
            for port, address in client.ports.items():
                self.w(f'        "{port}": "{address}",')
            self.w("    }")
            first = next(iter(client.ports.values()))
            self.w(f'    default_address: ClassVar[str | None] = "{first}"')
        else:
            self.w("    ports: ClassVar[dict[str, str]] = {}")
            self.w("    default_address: ClassVar[str | None] = None")
        self.w()
        self.lines.extend(_CLIENT_RUNTIME.splitlines())
        for operation in client.operations:
            self._method(operation)

    def _method(self, op: Operation) -> None:
        self.w()
        params = op.params + op.headers
        signature = ["        self,"]
        if params:
            signature.append("        *,")
        required = [p for p in params if not p.optional]
        optional = [p for p in params if p.optional]
        for item in required + optional:
            annotation = item.annotation
            default = " = None" if item.optional else ""
            if item.optional:
                annotation += " | None"
            signature.append(f"        {item.name}: {annotation}{default},")
        self.w(f"    def {op.method}(")
        for line in signature:
            self.w(line)
        self.w(f"    ) -> {op.returns}:")
        raises = ", ".join(
            sorted(
                {
                    self.m.faults[k].class_name
                    for k in self.m.faults
                    if self.m.faults[k].class_name in op.faults
                }
            )
        )
        doc = op.doc or f"The {op.name} operation."
        if raises:
            doc += f" Raises {raises}, or ServiceFault for undeclared faults."
        self.doc(doc, "        ")
        if op.params:
            self.w("        body: dict[str, Any] = {")
            for item in op.params:
                self.w(f'            "{item.xml}": {_Writer._write(item, item.name)},')
            self.w("        }")
        else:
            self.w("        body: dict[str, Any] = {}")
        self.w("        headers: dict[str, Any] = {}")
        for item in op.headers:
            self.w(f"        if {item.name} is not None:")
            self.w(f'            headers["{item.xml}"] = {_Writer._write(item, item.name)}')
        faults = [name for name in sorted(op.faults)]
        fault_tuple = "(" + ", ".join(faults) + ("," if len(faults) == 1 else "") + ")"
        self.call(
            "        ",
            "result = self._call(",
            [f'"{op.name}"', "body", "headers", fault_tuple],
            ")",
        )
        if op.result is None:
            self.w("        del result")
            self.w("        return None")
            return
        self.w(f"        return {self._result(op.result, op.returns)}")

    @staticmethod
    def _result(item: Field, returns: str) -> str:
        if item.kind == "complex":
            read = f"{item.target}._from_xml(result)"
            return f"None if result is None else {read}" if item.optional else read
        if item.kind in ("list-complex", "array"):
            return f"_list({item.target}._from_xml, _plain(result))"
        if item.kind in ("list-simple", "array-simple"):
            return "_list(_same, _plain(result))"
        return f'cast("{returns}", result)'


_SERVICE_FAULT = '''class ServiceFault(Exception):
    """A SOAP fault from the service: ``faultcode``, ``message`` and the raw detail."""

    element: ClassVar[str] = ""

    def __init__(self, faultcode: str, message: str, detail: Any = None) -> None:
        super().__init__(f"{faultcode}: {message}")
        self.faultcode = faultcode
        self.message = message
        self.raw_detail = detail
        self.detail: Any = None

    @staticmethod
    def _read(value: Any) -> Any:
        return value'''

_CLIENT_RUNTIME = '''    def __init__(
        self,
        wsdl: str,
        address: str | None = None,
        *,
        transport: Any = None,
        settings: Any = None,
    ) -> None:
        """A client of ``wsdl`` (a path or URL) at ``address`` (by default, the WSDL's)."""
        z: Any = zeep
        if settings is None:
            settings = z.Settings(
                strict=True,
                forbid_dtd=True,
                forbid_entities=True,
                forbid_external=True,
            )
        self.zeep: Any = z.Client(wsdl, transport=transport, settings=settings)
        target = address or self.default_address
        if target is None:
            raise ValueError(f"no address for {self.binding}: pass address=")
        self._service: Any = self.zeep.create_service(self.binding, target)

    def _call(
        self,
        operation: str,
        body: dict[str, Any],
        headers: dict[str, Any],
        faults: tuple[type[ServiceFault], ...],
    ) -> Any:
        arguments = _compact(body)
        if headers:
            arguments["_soapheaders"] = headers
        try:
            return getattr(self._service, operation)(**arguments)
        except zeep.exceptions.Fault as fault:
            _raise_fault(fault, self.zeep, faults)
            raise'''


def generate(wsdl: Path, module_doc: str | None = None) -> tuple[str, list[str]]:
    """The module's source, and what could not be generated (empty when everything was)."""
    generator = Generator(wsdl, module_doc)
    return generator.render(wsdl.name), generator.skipped
