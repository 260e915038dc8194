"""The model of a generated module: its dataclasses, faults, operations and clients.

Plain data, built by ``builder.Generator`` from zeep's parse and read by ``writer.Writer``. Each
``Field`` is both a Python declaration (``annotation``, ``default``) and a wire table entry
(``kind``, ``tag``, ``key``, ``value``: how ``soap_client.runtime`` moves it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Field:
    name: str  # Python name
    kind: str  # runtime member kind: element, attribute, value, any, any-attribute
    tag: str  # element Clark name, or attribute name ("" for value/any)
    key: str  # zeep's name for it
    annotation: str  # the Python type of one value (without list[] or | None)
    value: str  # runtime expression: rt.STRING, a class name, rt.ListOf(...), "" for wildcards
    repeated: bool = False
    optional: bool = False
    nillable: bool = False
    item: str = ""  # a flattened wrapper's repeated element (Clark name)
    item_key: str = ""
    substitutes: dict[str, str] = field(default_factory=dict)  # Clark tag -> class name
    abstract: bool = False  # an abstract head element: only its substitutes appear
    default: str | None = None  # a Python literal (fixed values)
    choice: bool = False  # a group's compositor is a choice
    doc: str = ""

    @property
    def listed(self) -> bool:
        return self.repeated or (bool(self.item) and not self.optional)

    @property
    def python_type(self) -> str:
        """The declared type: ``list[X]`` for lists, ``X | None`` when it may be missing."""
        text = self.annotation
        if self.substitutes:
            members = list(dict.fromkeys(self.substitutes.values()))
            text = " | ".join(members if self.abstract else [text, *members])
        if self.repeated or self.item:
            text = f"list[{text}]"
        if self.optional and not self.repeated and self.default is None:
            text = f"{text} | None"
        return text


@dataclass
class ComplexClass:
    name: str
    qname: str  # the type's Clark name, or the path of an anonymous type
    fields: list[Field]
    doc: str = ""
    base: str = ""  # the generated class it extends
    inherited: int = 0  # how many leading fields come from the base
    subtypes: dict[str, str] = field(default_factory=dict)  # type Clark name -> class name
    named: bool = False  # a named XSD type (xsi:type can name it)
    wire: bool = True  # has a wire table (replies only gather a result and headers)
    choices: list[list[str]] = field(default_factory=list)  # fields of each xs:choice
    group: bool = False  # one occurrence of a repeated compositor


@dataclass
class Fault:
    class_name: str
    element: str  # Clark name of the detail element
    detail: str  # dataclass name, a runtime simple (rt.STRING), or ""
    annotation: str  # the detail's Python type ("" when none)
    doc: str = ""


@dataclass
class Operation:
    name: str
    method: str
    doc: str
    params: list[Field]
    headers: list[Field]
    returns: str  # the Python return annotation
    mode: str  # element, body, rpc, simple
    output: list[Field] | None  # members of what the answer is read from
    simple: str = ""  # runtime simple of a simple response element
    unwrap: str | None = None  # the output member returned alone
    result: str = ""  # the class built from the whole output
    output_headers: list[Field] = field(default_factory=list)
    reply: str = ""  # the class holding result and output headers
    faults: list[str] = field(default_factory=list)
    positional: bool = False


@dataclass
class Client:
    class_name: str
    binding: str  # Clark name
    ports: dict[str, str]  # "Service/Port" -> address, in name order
    operations: list[Operation]
    soap: str = "1.1"
