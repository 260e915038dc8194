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

from pathlib import Path

from soap_client.codegen.builder import Generator
from soap_client.codegen.errors import CodegenError
from soap_client.codegen.model import Client, ComplexClass, Fault, Field, Operation
from soap_client.codegen.names import pascal, snake

__all__ = [
    "Client",
    "CodegenError",
    "ComplexClass",
    "Fault",
    "Field",
    "Generator",
    "Operation",
    "generate",
    "pascal",
    "snake",
]


def generate(wsdl: Path, module_doc: str | None = None) -> tuple[str, list[str]]:
    """The module's source, and what could not be generated (empty when everything was)."""
    generator = Generator(wsdl, module_doc)
    return generator.render(wsdl.name), generator.skipped
