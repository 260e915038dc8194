"""Writing a built model out as Python: declarations first, then the wire tables.

The writer wraps what ruff can't (docstrings, the module header); ``formatting.format_source``
gives the rest ruff's layout at the chosen line length.
"""

from __future__ import annotations

import json
from typing import Protocol

from soap_client.codegen.documents import Documents
from soap_client.codegen.model import Client, ComplexClass, Fault, Field, Operation
from soap_client.codegen.names import split_qname

BACKSLASH = chr(92)
# Stands in for the imports until the finished body shows which ones it uses.
_IMPORTS = "#<imports>"
TRIPLE = chr(34) * 3


class ModuleModel(Protocol):
    """What the writer reads from a built model (``builder.Generator``)."""

    classes: dict[str, ComplexClass]
    replies: list[ComplexClass]
    literals: dict[tuple[object, ...], str]
    faults: dict[str, Fault]
    clients: list[Client]
    module_doc: str | None
    raw: Documents

    def not_generated(self) -> list[str]: ...


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


def _describe(model: ComplexClass) -> str:
    """A docstring for a class its schema doesn't document: the XSD component it stands for."""
    if model.named:
        return f"The type {model.qname}."
    namespace, local = split_qname(model.qname)
    *owners, element = local.split("/")
    if not element or model.qname.startswith("operation:"):
        return f"The {model.name} structure."
    where = f" of {{{namespace}}}{'/'.join(owners)}" if owners else ""
    name = f"{{{namespace}}}{element}" if namespace and not owners else element
    return f"The content of the element {name}{where}."


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class Writer:
    """Writes one module's model out as Python source, line by line."""

    def __init__(self, model: ModuleModel, source_name: str, line_length: int = 100) -> None:
        self.m = model
        self.source = source_name
        self.width = line_length
        self.lines: list[str] = []

    def text(self) -> str:
        classes = self._ordered_classes()
        self._header(classes)
        self._literals()
        for model in classes:
            self._class(model)
        for fault in sorted(self.m.faults.values(), key=lambda f: f.class_name):
            self._fault(fault)
        for client in self.m.clients:
            self._client(client)
        self.w()
        self.w()
        self.w("# -- wire tables: what each field and operation is in XML (soap_client.runtime)")
        # a repeated compositor's shape is read when its parent's is built: groups first
        for model in sorted(classes, key=lambda c: not c.group):
            if model.wire:
                self._shape(model)
        for client in self.m.clients:
            self._operations(client)
        text = "\n".join(self.lines).rstrip() + "\n"
        head, _, body = text.partition(_IMPORTS)
        imports = [f"import {m}" for m in ("dataclasses", "datetime", "decimal") if f"{m}." in body]
        names = [n for n in ("ClassVar", "Literal", "cast") if f"{n}[" in body or f"{n}(" in body]
        if names:
            imports.append(f"from typing import {', '.join(names)}")
        return head + "\n".join(imports) + body

    def w(self, line: str = "") -> None:
        self.lines.append(line)

    def doc(self, text: str, indent: str) -> None:
        """A docstring: the first sentence as its summary line when it fits, then the rest."""
        if not text:
            return
        text = text.replace(BACKSLASH, BACKSLASH * 2).replace(TRIPLE, "'''")
        if text.endswith(chr(34)):
            text += " "
        # ruff puts the closing quotes of a one-line docstring on that line: leave them room
        width = self.width - len(indent) - 6
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
        if len(lines) == 1:
            self.w(f'{indent}"""{lines[0]}"""')
            return
        self.w(f'{indent}"""{lines[0]}')
        for line in lines[1:]:
            self.w(f"{indent}{line}")
        self.w(f'{indent}"""')

    # -- order -----------------------------------------------------------------------------------
    def _ordered_classes(self) -> list[ComplexClass]:
        """Dataclasses in name order, each base before the classes extending it."""
        by_name = {c.name: c for c in list(self.m.classes.values()) + self.m.replies}
        done: list[ComplexClass] = []
        seen: set[str] = set()

        def visit(model: ComplexClass) -> None:
            if model.name in seen:
                return
            seen.add(model.name)
            if model.base and model.base in by_name:
                visit(by_name[model.base])
            done.append(model)

        for name in sorted(by_name):
            visit(by_name[name])
        return done

    # -- declarations ----------------------------------------------------------------------------
    def _header(self, classes: list[ComplexClass]) -> None:
        names = ", ".join(c.class_name for c in self.m.clients)
        summary = self.m.module_doc or f"Typed SOAP client for {self.source}, generated by codegen."
        self.w(f'"""{summary}')
        self.w()
        self.w(f"Generated from {self.source} by `python -m soap_client codegen`; do not edit.")
        for line in _wrap(f"Clients: {names}.", self.width - 4):
            self.w(line)
        for doc in self.m.raw.service_docs[:1]:
            self.w()
            for line in _wrap(doc.replace(TRIPLE, "'''").replace(BACKSLASH, "/"), self.width - 4):
                self.w(line)
        missing = self.m.not_generated()
        if missing:
            self.w()
            self.w("Not generated:")
            for item in missing:
                lines = _wrap(item.replace(TRIPLE, "'''"), self.width - 6)
                self.w(f"- {lines[0]}")
                for line in lines[1:]:
                    self.w(f"  {line}")
        self.w('"""')
        self.w()
        self.w("from __future__ import annotations")
        self.w()
        self.w(_IMPORTS)
        self.w()
        self.w("from soap_client import runtime as rt")
        self.w()
        exported = sorted(
            [c.name for c in classes]
            + list(self.m.literals.values())
            + [f.class_name for f in self.m.faults.values()]
            + [c.class_name for c in self.m.clients]
            + ["ServiceFault"]
        )
        self.w("__all__ = [")
        for name in exported:
            self.w(f'    "{name}",')
        self.w("]")
        self.w()
        self.w("#: The base of the fault classes below; undeclared faults are raised as it.")
        self.w("ServiceFault = rt.ServiceFault")

    def _literals(self) -> None:
        for values, alias in sorted(self.m.literals.items(), key=lambda item: item[1]):
            self.w()
            joined = ", ".join(json.dumps(v, ensure_ascii=False) for v in values)
            self.w(f"{alias} = Literal[{joined}]")

    def _class(self, model: ComplexClass) -> None:
        self.w()
        self.w()
        self.w("@dataclasses.dataclass(frozen=True, kw_only=True)")
        self.w(f"class {model.name}({model.base}):" if model.base else f"class {model.name}:")
        doc = model.doc or _describe(model)
        for names in model.choices:
            doc += f" Exactly one of: {', '.join(names)}."
        self.doc(doc, "    ")
        own = model.fields[model.inherited :]
        if own:
            self.w()
        for item in own:
            self.w(f"    {item.name}: {item.python_type}{self._default(item)}")
            if item.doc:
                self.doc(item.doc, "    ")
        if not model.base:
            self.w()
            self.w("    _xml: ClassVar[rt.Shape]")

    @staticmethod
    def _default(item: Field) -> str:
        if item.default is not None:
            return f" = {item.default}"
        if item.listed:
            return " = dataclasses.field(default_factory=list)"
        if item.optional:
            return " = None"
        return ""

    def _fault(self, fault: Fault) -> None:
        self.w()
        self.w()
        self.w(f"class {fault.class_name}(rt.ServiceFault):")
        self.doc(fault.doc or f"The declared fault {fault.element}.", "    ")
        self.w()
        self.w(f"    element: ClassVar[str] = {_string(fault.element)}")
        if fault.detail.startswith("rt."):
            self.w(f"    detail_type: ClassVar[rt.Simple] = {fault.detail}")
        elif fault.detail:
            self.w(f"    detail_type: ClassVar[type[{fault.detail}]] = {fault.detail}")
        self.w(f"    detail: {fault.annotation or 'object'} | None")

    def _client(self, client: Client) -> None:
        self.w()
        self.w()
        self.w(f"class {client.class_name}(rt.Client):")
        self.doc(f"Client of the binding {client.binding} (SOAP {client.soap}).", "    ")
        self.w()
        self.w(f"    binding: ClassVar[str] = {_string(client.binding)}")
        if client.ports:
            self.w("    #: The WSDL's ports for this binding; the first is the default address.")
            self.w("    ports: ClassVar[dict[str, str]] = {")
            for port, address in client.ports.items():
                self.w(f"        {_string(port)}: {_string(address)},")
            self.w("    }")
            first = next(iter(client.ports.values()))
            self.w(f"    default_address: ClassVar[str | None] = {_string(first)}")
        for operation in client.operations:
            self._method(operation)

    def _method(self, op: Operation) -> None:
        self.w()
        params = op.params + op.headers
        required = [p for p in params if not p.optional and p.default is None]
        rest = [p for p in params if p not in required]
        signature = ["self"] + (["*"] if params else [])
        for item in required + rest:
            signature.append(
                f"{item.name}: {self._parameter_type(item)}{self._parameter_default(item)}"
            )
        self.w(f"    def {op.method}({', '.join(signature)}) -> {op.returns}:")
        raises = sorted(op.faults)
        doc = op.doc or f"The {op.name} operation."
        if raises and not doc.endswith((".", "!", "?")):
            doc += "."
        if raises:
            doc += f" Raises {', '.join(raises)}, or rt.ServiceFault for undeclared faults."
        self.doc(doc, "        ")
        arguments = ", ".join(f"{_string(p.name)}: {p.name}" for p in params)
        call = f"self._call({_string(op.name)}, {{{arguments}}})"
        if op.returns == "None":
            self.w(f"        {call}")
        else:
            self.w(f"        return cast({_string(op.returns)}, {call})")

    @staticmethod
    def _parameter_type(item: Field) -> str:
        if item.repeated and item.optional:
            return f"{item.python_type} | None"
        return item.python_type

    @staticmethod
    def _parameter_default(item: Field) -> str:
        if item.default is not None:
            return f" = {item.default}"
        return " = None" if item.optional else ""

    # -- wire tables -----------------------------------------------------------------------------
    def _shape(self, model: ComplexClass) -> None:
        members = ", ".join(self._member(f) for f in model.fields)
        type_name = _string(model.qname if model.named else "")
        subtypes = ""
        if model.subtypes:
            entries = ", ".join(f"{_string(k)}: {v}" for k, v in model.subtypes.items())
            subtypes = f", subtypes={{{entries}}}"
        self.w(f"{model.name}._xml = rt.Shape({type_name}, {members}{subtypes})")

    @staticmethod
    def _member(item: Field) -> str:
        options = []
        if item.kind == "any":
            extra = "" if item.repeated else ", repeated=False"
            return f"rt.wildcard({_string(item.name)}, {_string(item.key)}{extra})"
        if item.kind == "any-attribute":
            return f"rt.any_attribute({_string(item.name)}, {_string(item.key)})"
        if item.kind == "group":
            arguments = f"{_string(item.name)}, {_string(item.key)}, {item.value}"
            return f"rt.group({arguments}, choice={item.choice})"
        if item.kind == "value":
            return f"rt.text({_string(item.name)}, {item.value}, {_string(item.key)})"
        local = item.tag.rpartition("}")[2]
        key = "" if item.key == local else f", key={_string(item.key)}"
        if item.repeated:
            options.append("repeated=True")
        if item.optional:
            options.append("optional=True")
        if item.nillable:
            options.append("nillable=True")
        if item.item:
            options.append(f"item={_string(item.item)}")
            options.append(f"item_key={_string(item.item_key)}")
        if item.substitutes:
            entries = ", ".join(f"{_string(k)}: {v}" for k, v in item.substitutes.items())
            options.append(f"substitutes={{{entries}}}")
        function = "rt.attribute" if item.kind == "attribute" else "rt.element"
        tail = "".join(f", {o}" for o in options)
        return f"{function}({_string(item.name)}, {_string(item.tag)}, {item.value}{key}{tail})"

    def _operations(self, client: Client) -> None:
        self.w(f"{client.class_name}.operations = {{")
        for op in client.operations:
            parts = []
            if op.params:
                parts.append(f"params=({''.join(self._member(p) + ', ' for p in op.params)})")
            if op.headers:
                parts.append(f"headers=({''.join(self._member(p) + ', ' for p in op.headers)})")
            if op.mode != "element":
                parts.append(f"mode={_string(op.mode)}")
            if op.output is not None and op.result:
                parts.append(f"output={op.result}._xml")
            elif op.output is not None:
                members = "".join(self._member(f) + ", " for f in op.output)
                parts.append(f'output=rt.Shape("", {members})')
            if op.simple:
                parts.append(f"simple={op.simple}")
            if op.unwrap is not None:
                parts.append(f"unwrap={_string(op.unwrap)}")
            if op.result:
                parts.append(f"result={op.result}")
            if op.output_headers:
                members = "".join(self._member(f) + ", " for f in op.output_headers)
                parts.append(f"output_headers=({members})")
            if op.reply:
                parts.append(f"reply={op.reply}")
            if op.faults:
                parts.append(f"faults=({''.join(f + ', ' for f in sorted(op.faults))})")
            if op.positional:
                parts.append("positional=True")
            self.w(f"    {_string(op.name)}: rt.Operation({_string(op.name)}, {', '.join(parts)}),")
        self.w("}")
