"""The model of one WSDL, built from zeep's parse and the raw documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import zeep

from soap_client.codegen.documents import Documents
from soap_client.codegen.errors import CodegenError
from soap_client.codegen.model import Client, ComplexClass, Fault, Field, Operation
from soap_client.codegen.names import local_name, pascal, snake
from soap_client.codegen.writer import Writer
from soap_client.settings import safe_settings

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


class Generator:
    """Builds the model of one WSDL, then writes it out as Python."""

    def __init__(self, wsdl: Path, module_doc: str | None = None) -> None:
        self.path = wsdl
        try:
            self.zeep = cast(Any, zeep).Client(str(wsdl), settings=safe_settings())
        except Exception as error:  # zeep raises many kinds; all mean "not a usable WSDL"
            raise CodegenError(f"cannot load {wsdl}: {type(error).__name__}: {error}") from None
        self.raw = Documents(wsdl)
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
            groups.setdefault(tuple(values), []).append(local_name(qname))
        for (owner, name), values in self.raw.inline_enums.items():
            groups.setdefault(tuple(values), []).append(f"{local_name(owner)}_{name}")
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
                self.skipped.append(
                    f"binding {local_name(binding_name)}: {kind} is not a SOAP binding"
                )
                continue
            operations = []
            for name in sorted(binding._operations):
                operation = binding._operations[name]
                if operation.style != "document":
                    self.skipped.append(
                        f"operation {name} of binding {local_name(binding_name)}: {operation.style}"
                        "-style operations are not supported (only document/literal)"
                    )
                    continue
                built = self._operation(operation)
                if built is not None:
                    operations.append(built)
            if operations:
                self.clients.append(
                    Client(
                        self._unique(pascal(local_name(binding_name)) + "Client", set()),
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
            return self._literal(
                values, local_name(qname) if qname is not None else f"{owner}{name}"
            )
        for cls in type(xsd_type).__mro__:
            for builtin, python in _BUILTINS:
                if cls.__name__ == builtin:
                    return python
        return "str"

    def _literal(self, values: list[str], name: str) -> str:
        key = tuple(values)
        if key not in self.literals:
            preferred = self.preferred.get(key, local_name(name))
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
            pascal(local_name(qname.split("/")[-1]) if "/" in qname else local_name(qname)),
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
        return Writer(self, source_name).text()
