"""The model of a generated module: its dataclasses, faults, operations and clients.

Plain data, built by ``builder.Generator`` from zeep's parse and read by ``writer.Writer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
