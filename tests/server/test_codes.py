"""The railway's codes are defined once (railway/codes.py): the contracts agree with them.

The WSDL and the OpenAPI document are built from the codes (and drift-tested against their
committed copies elsewhere); the plain-XML XSD is written by hand, so it is checked here: its
enumerations equal the core's tuples, and each of its patterns accepts exactly the strings the
core's pattern accepts, judged by lxml's own XSD engine on probes of every printable character
at every length around the bounds.
"""

from __future__ import annotations

import re
import string
from functools import cache

import pytest
from lxml import etree

from soap_server.plainxml import contract
from soap_server.railway import codes
from soap_server.railway.catalog import load_catalog
from soap_server.rest.openapi import SCHEMAS, document
from soap_server.soap import types as t

XS = "http://www.w3.org/2001/XMLSchema"


def _simple_type(name: str) -> etree._Element:
    found = etree.fromstring(contract()).find(f"{{{XS}}}simpleType[@name='{name}']")
    assert found is not None, f"the XSD has no simpleType {name}"
    return found


def _enumeration(name: str) -> list[str]:
    return [str(e.get("value")) for e in _simple_type(name).iter(f"{{{XS}}}enumeration")]


@pytest.mark.parametrize(
    ("xsd_type", "values"),
    [
        pytest.param("ClassCode", codes.CLASS_CODES, id="classes"),
        pytest.param("QuotaCode", codes.QUOTA_CODES, id="quotas"),
        pytest.param("Gender", codes.GENDERS, id="genders"),
        pytest.param("BerthType", codes.BERTH_TYPES, id="berth-types"),
        pytest.param("Day", codes.WEEKDAYS, id="days"),
    ],
)
def test_xsd_enumerations_are_the_cores(xsd_type: str, values: tuple[str, ...]) -> None:
    assert _enumeration(xsd_type) == list(values)


def test_xsd_class_documentation_names_the_catalogs_classes() -> None:
    catalog = load_catalog()
    documented = {
        str(e.get("value")): e.findtext(f".//{{{XS}}}documentation")
        for e in _simple_type("ClassCode").iter(f"{{{XS}}}enumeration")
    }
    assert documented == {code: catalog.classes[code].name for code in codes.CLASS_CODES}


@cache
def _validator(xsd_type: str) -> etree.XMLSchema:
    """A schema with one element ``v`` of the XSD's own simple type (copied, not rewritten)."""
    schema = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS})
    schema.append(_simple_type(xsd_type))
    etree.SubElement(schema, f"{{{XS}}}element", name="v", type=xsd_type)
    return etree.XMLSchema(schema)


def _probes(code: codes.Code) -> list[str]:
    """Every printable ASCII character (and two beyond ASCII) at lengths around the bounds,
    plus a valid string with one odd character in it: for a pattern of one character class
    between two lengths, agreeing on these is agreeing on every string."""
    characters = [*string.printable.strip(), "é", "\u0928"]
    allowed = next(c for c in characters if re.fullmatch(code.characters, c))
    lengths = sorted({0, 1, code.min_len - 1, code.min_len, code.max_len, code.max_len + 1} - {-1})
    probes = [c * n for c in characters for n in lengths if n > 0]
    probes += [allowed * (code.min_len - 1) + c for c in characters]
    return [*probes, ""]


@pytest.mark.parametrize(
    ("xsd_type", "code"),
    [
        pytest.param("StationCode", codes.STATION_CODE, id="station"),
        pytest.param("TrainNumber", codes.TRAIN_NUMBER, id="train"),
        pytest.param("Pnr", codes.PNR, id="pnr"),
        pytest.param("AgentId", codes.AGENT_ID, id="agent"),
        pytest.param("SessionToken", codes.SESSION_TOKEN, id="session-token"),
        pytest.param("ClientReference", codes.CLIENT_REFERENCE, id="client-reference"),
    ],
)
def test_xsd_patterns_accept_what_the_core_accepts(xsd_type: str, code: codes.Code) -> None:
    validator = _validator(xsd_type)
    disagree = []
    for probe in _probes(code):
        element = etree.Element("v")
        element.text = probe
        by_xsd = validator.validate(element)
        by_core = re.fullmatch(code.pattern, probe) is not None
        if by_xsd != by_core:
            disagree.append((probe, by_xsd, by_core))
    assert disagree == []


def test_the_probes_tell_patterns_apart() -> None:
    """The probe set is sharp enough to see a one-character or one-length difference."""
    station = _validator("StationCode")
    for wrong in (codes.Code("[A-Z]", 2, 5), codes.Code("[A-Za-z]", 2, 6)):
        differs = False
        for probe in _probes(wrong):
            element = etree.Element("v")
            element.text = probe
            differs |= station.validate(element) != (re.fullmatch(wrong.pattern, probe) is not None)
        assert differs, wrong


def test_soap_types_and_openapi_read_the_same_codes() -> None:
    assert list(t.ClassCode.Attributes.values) == list(codes.CLASS_CODES)
    assert list(t.BerthType.Attributes.values) == list(codes.BERTH_TYPES)
    assert t.StationCode.Attributes.pattern == codes.STATION_CODE.pattern
    assert SCHEMAS["Booking"]["properties"]["class"]["enum"] == list(codes.CLASS_CODES)
    assert SCHEMAS["PassengerRequest"]["properties"]["gender"]["enum"] == list(codes.GENDERS)
    pnr = document("http://x")["paths"]["/bookings/{pnr}"]["get"]["parameters"][0]["schema"]
    assert pnr["pattern"] == f"^{codes.PNR.pattern}$"


def test_an_unknown_berth_type_in_the_class_data_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("soap_server.railway.catalog.BERTH_TYPES", codes.BERTH_TYPES[:-1])
    with pytest.raises(ValueError, match="codes.py"):
        load_catalog()
