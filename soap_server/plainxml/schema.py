"""The plain-XML contract: the XSD shipped in this package, and the shapes its types give.

The endpoint validates every request against it, and the answers are written from it: a result
element carries the attributes and child elements its complex type declares, in that order
(see ``render``). So the answers and the published schema cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from lxml import etree

from soap_server.ns import XS
from soap_server.xmlguard import safe_parser

XSD_NAME = "irctc_plain_v1.xsd"


@cache
def contract() -> bytes:
    """The XSD of the plain-XML interface, as shipped in this package."""
    return resources.files(__package__ or "soap_server.plainxml").joinpath(XSD_NAME).read_bytes()


@cache
def _root() -> etree._Element:
    return etree.fromstring(contract(), safe_parser())


@cache
def compiled() -> etree.XMLSchema:
    return etree.XMLSchema(_root())


@dataclass(frozen=True)
class Child:
    name: str
    type: str
    repeated: bool


@dataclass(frozen=True)
class Shape:
    """What a complex type holds: its attributes and its child elements, in declared order."""

    attributes: tuple[str, ...]
    children: tuple[Child, ...]
    #: Attribute -> the default the schema gives it when absent.
    defaults: dict[str, str]


def _complex_type(name: str) -> etree._Element:
    found = _root().find(f"{{{XS}}}complexType[@name='{name}']")
    if found is None:
        raise KeyError(f"{XSD_NAME} has no complexType {name!r}")
    return found


@cache
def shape(type_name: str) -> Shape:
    declared = _complex_type(type_name)
    return Shape(
        attributes=tuple(str(a.get("name")) for a in declared.iter(f"{{{XS}}}attribute")),
        children=tuple(
            Child(str(e.get("name")), str(e.get("type")), e.get("maxOccurs", "1") != "1")
            for e in declared.iter(f"{{{XS}}}element")
        ),
        defaults={
            str(a.get("name")): str(a.get("default"))
            for a in declared.iter(f"{{{XS}}}attribute")
            if a.get("default") is not None
        },
    )


def _choice(document_type: str) -> dict[str, str]:
    choice = _complex_type(document_type).find(f".//{{{XS}}}choice")
    assert choice is not None
    return {str(e.get("name")): str(e.get("type")) for e in choice.iter(f"{{{XS}}}element")}


@cache
def request_types() -> dict[str, str]:
    """Operation element -> the complex type of its call, as ``<Request>`` allows them."""
    return _choice("RequestDocument")


@cache
def response_types() -> dict[str, str]:
    """Operation element -> the complex type of its result in a ``<Response>``."""
    return _choice("ResponseDocument")
