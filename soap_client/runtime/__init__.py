"""The runtime of the clients ``codegen`` writes (as JAX-WS is for ``wsimport``'s).

A generated module holds typed dataclasses, their wire tables and one ``Client`` subclass per
binding; everything that moves XML lives here, written and type-checked once:

- ``values``: XSD simple values (``Simple``: text to Python as zeep reads it, to and from zeep)
  and ``AnyElement``, what an ``xs:any`` wildcard carried
- ``shapes``: the tables: ``Member`` (a field in XML), ``Shape`` (a complex type),
  ``Operation``
- ``objects``: dataclasses to zeep's serialisable values and zeep's parsed objects back
- ``reader``: the fast path, reply elements straight into dataclasses with lxml; ``Unreadable``
- ``faults``: ``ServiceFault``, the base of the generated fault classes
- ``client``: ``Client``: zeep builds and sends the envelope, the fast reader reads the answer
  and zeep reads what the fast reader can't

Exceptions a call raises::

    ServiceFault                   a SOAP fault; a generated subclass per declared fault
    zeep.exceptions.Error          zeep's own: TransportError (HTTP), ValidationError (bad
                                   arguments), XMLParseError (a reply zeep can't read either)
"""

from __future__ import annotations

from soap_client.runtime.client import Client
from soap_client.runtime.faults import ServiceFault
from soap_client.runtime.reader import Unreadable
from soap_client.runtime.shapes import (
    Member,
    Operation,
    Shape,
    any_attribute,
    attribute,
    element,
    group,
    text,
    wildcard,
)
from soap_client.runtime.values import (
    BASE64,
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    DOUBLE,
    DURATION,
    FLOAT,
    G_DAY,
    G_MONTH,
    G_MONTH_DAY,
    G_YEAR,
    G_YEAR_MONTH,
    HEX,
    INTEGER,
    STRING,
    TIME,
    AnyElement,
    ListOf,
    Simple,
)

__all__ = [
    "BASE64",
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "DECIMAL",
    "DOUBLE",
    "DURATION",
    "FLOAT",
    "G_DAY",
    "G_MONTH",
    "G_MONTH_DAY",
    "G_YEAR",
    "G_YEAR_MONTH",
    "HEX",
    "INTEGER",
    "STRING",
    "TIME",
    "AnyElement",
    "Client",
    "ListOf",
    "Member",
    "Operation",
    "ServiceFault",
    "Shape",
    "Simple",
    "Unreadable",
    "any_attribute",
    "attribute",
    "element",
    "group",
    "text",
    "wildcard",
]
