"""Contract diff: which changes between two WSDL 1.1 contracts break clients built from the old.

Both contracts are read with lxml alone (no DTD, no entities, no network, DOCTYPE refused): the
WSDL 1.1 definitions and the inline ``xs:schema`` elements of ``wsdl:types``. The rules table,
what breaks and for whom, is in the docstring of ``rules``.

Modules, each importing only the ones listed after it:

- ``report``: ``format_changes`` and ``main_diff`` (text or JSON, exit code)
- ``compare``: ``diff_wsdl``; services, ports, bindings and operations
- ``rules``: the rules table; schema changes classified by where the old contract uses them
- ``reader``: the safe parser, a WSDL document into the model, namespace renames
- ``schema``: the inline XSD schemas into the schema model
- ``facets``: simple-type facets, merged and compared
- ``names``: Clark names, QName resolution, ``WsdlError``
- ``model``: the dataclasses of a parsed contract, and ``Change``
"""

from __future__ import annotations

from soap_client.contract.compare import diff_wsdl
from soap_client.contract.model import Change
from soap_client.contract.names import WsdlError
from soap_client.contract.report import format_changes, main_diff

__all__ = ["Change", "WsdlError", "diff_wsdl", "format_changes", "main_diff"]
