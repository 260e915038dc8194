"""The plain-XML facade: the pre-SOAP era's ``<Request>``/``<Response>`` documents at ``/xml``.

The contract is ``irctc_plain_v1.xsd`` in this package (a byte-identical copy is committed at
``xsd/`` for partners); ``PlainXmlEndpoint(railway, limits)`` is the WSGI app that serves it.
"""

from __future__ import annotations

from soap_server.plainxml.endpoint import OPERATIONS, PlainXmlEndpoint, contract

__all__ = ["OPERATIONS", "PlainXmlEndpoint", "contract"]
