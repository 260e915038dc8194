"""``codegen``: a typed Python client module from a WSDL 1.1 document, as ``wsimport`` does.

From any WSDL (a file or an ``http(s)://...?wsdl`` URL, with an XML catalog for imports that
point elsewhere) it writes one formatted module with

* a frozen, keyword-only dataclass per complex type (optional fields ``X | None``, repeated
  elements ``list[X]``; a type that only wraps one repeated element, like ``PassengerArray``,
  becomes a plain ``list`` where it is used; an extension a subclass; wildcards
  ``rt.AnyElement`` and ``dict[str, str]``; ``fixed`` values as defaults);
* a ``Literal`` alias per enumeration (identical enumerations share one alias);
* docstrings from the WSDL and schema documentation;
* one client class per SOAP 1.1 or 1.2 binding, one method per document/literal or rpc/literal
  operation: typed parameters (SOAP headers as typed keyword arguments), a typed return (with
  response headers, a ``...Reply`` holding the result and the headers);
* an exception per declared fault carrying its typed detail;
* the wire tables ``soap_client.runtime`` reads: zeep builds and sends the envelope, replies are
  read straight into the dataclasses with lxml (zeep reads what that fast path can't).

The structure comes from zeep's parse of the WSDL, which resolves imports and references; what
zeep drops (enumerations, ``fixed``, documentation, derivations, substitution groups, body
``use``) is read from the raw documents with lxml. Output is deterministic.

Not supported, and named in the module docstring and on stderr: rpc/encoded operations, HTTP
(non-SOAP) bindings, a repeated compositor inside another (or holding a wildcard), multi-part
faults. A repeated ``xs:choice``/``xs:sequence`` is a list of one dataclass per occurrence.

Why not xsdata: it generates good dataclasses from XSD, but they are bound to its own runtime
(its metadata, ``XmlDate`` types, its own experimental SOAP client), so using them over zeep
would mean two XML bindings in one client; zeep already parses the WSDL and sends, so the
generator only has to map its model to Python.
"""

from __future__ import annotations

from soap_client.catalog import Catalog
from soap_client.codegen.builder import Generator
from soap_client.codegen.errors import CodegenError, EncodedOnly
from soap_client.codegen.formatting import format_source
from soap_client.codegen.writer import Writer

__all__ = ["CodegenError", "EncodedOnly", "Generator", "Writer", "format_source", "generate"]


def generate(
    wsdl: str,
    module_doc: str | None = None,
    catalog: Catalog | None = None,
    line_length: int = 100,
) -> tuple[str, list[str]]:
    """The module's source, and what could not be generated (empty when everything was)."""
    generator = Generator(str(wsdl), module_doc, catalog)
    source_name = str(wsdl).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    text = Writer(generator, source_name, line_length).text()
    return format_source(text, line_length), generator.not_generated()
