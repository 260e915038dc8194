"""The contract diff: each change classified for a client generated from the old WSDL."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from soap_client import WSDL_PATH
from soap_client.wsdl_diff import Change, diff_wsdl, format_changes, main_diff

FIXTURES = Path(__file__).resolve().parent / "wsdls" / "diff"
BASE = FIXTURES / "base.wsdl"
NS = "{urn:example:rail:v1}"
REAL_NS = "{urn:irctc:reservation:v1}"


def edited(path: Path, *replacements: tuple[str, str]) -> bytes:
    """The file's text with each replacement applied; every one of them must apply."""
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"fixture no longer contains {old!r}"
        text = text.replace(old, new)
    return text.encode("utf-8")


def summary(changes: list[Change]) -> list[tuple[str, str, bool]]:
    return [(c.kind, c.where, c.breaking) for c in changes]


# --- the fixture variants, one file each -----------------------------------------------------


def test_identical_contracts_have_no_changes() -> None:
    assert diff_wsdl(BASE, BASE) == []
    out = io.StringIO()
    assert main_diff(BASE, BASE, as_json=False, out=out) == 0
    assert out.getvalue() == "no changes\n"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        pytest.param(
            "removed_operation.wsdl",
            [("operation-removed", "operation CancelBooking", True)],
            id="removed-operation",
        ),
        pytest.param(
            "optional_request_element.wsdl",
            [("element-added", f"element {NS}Book / element Remarks", False)],
            id="optional-request-element",
        ),
        pytest.param(
            "required_request_element.wsdl",
            [("element-added", f"element {NS}Book / element AgentCode", True)],
            id="required-request-element",
        ),
        pytest.param(
            "narrowed_max_length.wsdl",
            [("restriction-narrowed", f"type {NS}Passenger / element Name", True)],
            id="max-length-16-to-8-in-request",
        ),
        pytest.param(
            "enum_value_removed.wsdl",
            [("restriction-narrowed", f"simpleType {NS}Quota", True)],
            id="enum-value-removed-from-request",
        ),
        pytest.param(
            "widened_max_length.wsdl",
            [("restriction-widened", f"type {NS}Passenger / element Name", False)],
            id="max-length-16-to-32-in-request",
        ),
        pytest.param(
            "enum_value_added_response.wsdl",
            [("restriction-widened", f"simpleType {NS}BookingStatus", True)],
            id="enum-value-added-to-response",
        ),
        pytest.param(
            "renamed_namespace.wsdl",
            [
                ("namespace-renamed", "definitions", True),
                ("namespace-renamed", "schema urn:example:rail:v1", True),
                # The soapActions embedded the namespace, so they changed too.
                ("soap-action-changed", f"binding {NS}RailBookingBinding / operation Book", True),
                (
                    "soap-action-changed",
                    f"binding {NS}RailBookingBinding / operation CancelBooking",
                    True,
                ),
                (
                    "soap-action-changed",
                    f"binding {NS}RailBookingBinding / operation SearchTrains",
                    True,
                ),
            ],
            id="renamed-target-namespace",
        ),
        pytest.param(
            "address_changed.wsdl",
            [("address-changed", f"service {NS}RailBookingService / port RailBookingSoap", False)],
            id="soap-address-only",
        ),
        pytest.param(
            "added_operation.wsdl",
            [
                ("operation-added", "operation GetPnrStatus", False),
                ("global-element-added", f"element {NS}GetPnrStatus", False),
                ("global-element-added", f"element {NS}GetPnrStatusResponse", False),
            ],
            id="added-operation",
        ),
    ],
)
def test_fixture_variants(variant: str, expected: list[tuple[str, str, bool]]) -> None:
    changes = diff_wsdl(BASE, FIXTURES / variant)
    assert summary(changes) == expected
    assert main_diff(BASE, FIXTURES / variant, as_json=False, out=io.StringIO()) == int(
        any(breaking for _, _, breaking in expected)
    )


def test_details_say_what_changed_old_to_new() -> None:
    [narrowed] = diff_wsdl(BASE, FIXTURES / "narrowed_max_length.wsdl")
    assert narrowed.detail == "maxLength 16 -> 8 (used in requests)"
    [enum] = diff_wsdl(BASE, FIXTURES / "enum_value_added_response.wsdl")
    assert enum.detail == "enumeration value(s) added: RLWL (used in responses)"
    [moved] = diff_wsdl(BASE, FIXTURES / "address_changed.wsdl")
    assert moved.detail == (
        "location http://rail.example/soap/v1 -> https://partners.rail.example/soap/v1"
    )
    [removed] = diff_wsdl(BASE, FIXTURES / "enum_value_removed.wsdl")
    assert removed.detail == "enumeration value(s) removed: LD (used in requests)"


# --- the rules, on in-memory edits of the base ------------------------------------------------

SEATS = '<xs:element name="Seats" type="xs:int" minOccurs="0" nillable="true"/>'
TRAIN_NAME = '<xs:element name="Name" type="xs:string"/>\n          <xs:element name="Departure"'
CANCEL_PNR = '<xs:element name="Pnr" type="xs:string"/>\n          </xs:sequence>'
BOOK_DATE = '<xs:element name="JourneyDate" type="xs:date"/>\n            <xs:element name="From"'
BOOK_HEADER = '<soap:header message="tns:SessionHeader" part="header" use="literal"/>'
SEARCH_INPUT = '<soap:operation soapAction="urn:example:rail:v1#SearchTrains"/>\n      <wsdl:input>'
BOOK_FAULT = '<wsdl:output message="tns:BookResponse"/>'


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        pytest.param(
            [(TRAIN_NAME, TRAIN_NAME.replace('"/>', '" minOccurs="0"/>', 1))],
            [("min-occurs-lowered", f"type {NS}TrainSummary / element Name", True)],
            id="min-occurs-lowered-in-response",
        ),
        pytest.param(
            [(BOOK_DATE, BOOK_DATE.replace('"/>', '" minOccurs="0"/>', 1))],
            [("min-occurs-lowered", f"element {NS}Book / element JourneyDate", False)],
            id="min-occurs-lowered-in-request",
        ),
        pytest.param(
            [(SEATS, '<xs:element name="Seats" type="xs:int" nillable="true"/>')],
            [("min-occurs-raised", f"type {NS}TrainSummary / element Seats", False)],
            id="min-occurs-raised-in-response",
        ),
        pytest.param(
            [('minOccurs="1" maxOccurs="6"', 'minOccurs="2" maxOccurs="6"')],
            [("min-occurs-raised", f"type {NS}PassengerList / element Passenger", True)],
            id="min-occurs-raised-in-request",
        ),
        pytest.param(
            [('maxOccurs="6"', 'maxOccurs="4"')],
            [("max-occurs-lowered", f"type {NS}PassengerList / element Passenger", True)],
            id="max-occurs-narrowed-in-request",
        ),
        pytest.param(
            [('maxOccurs="6"', 'maxOccurs="unbounded"')],
            [("max-occurs-raised", f"type {NS}PassengerList / element Passenger", False)],
            id="max-occurs-widened-in-request",
        ),
        pytest.param(
            [
                (
                    '<xs:element name="Number" type="xs:string"/>',
                    '<xs:element name="Number" type="xs:string" maxOccurs="3"/>',
                )
            ],
            [("max-occurs-raised", f"type {NS}TrainSummary / element Number", True)],
            id="max-occurs-widened-in-response",
        ),
        pytest.param(
            [(SEATS, SEATS.replace(' nillable="true"', ""))],
            [("nillable-removed", f"type {NS}TrainSummary / element Seats", False)],
            id="nillable-removed-in-response",
        ),
        pytest.param(
            [(TRAIN_NAME, TRAIN_NAME.replace('"/>', '" nillable="true"/>', 1))],
            [("nillable-added", f"type {NS}TrainSummary / element Name", True)],
            id="nillable-added-in-response",
        ),
        pytest.param(
            [(CANCEL_PNR, CANCEL_PNR.replace("xs:string", "xs:long"))],
            [("type-changed", f"element {NS}CancelBooking / element Pnr", True)],
            id="element-type-changed",
        ),
        pytest.param(
            [
                (TRAIN_NAME, '<xs:element name="Departure"'),
                ('type="xs:dateTime"/>', 'type="xs:dateTime"/>\n          ' + TRAIN_NAME[:44]),
            ],
            [("element-order-changed", f"type {NS}TrainSummary", True)],
            id="sequence-order-changed",
        ),
        pytest.param(
            [('<xs:maxInclusive value="125"/>', '<xs:maxInclusive value="120"/>')],
            [("restriction-narrowed", f"type {NS}Passenger / element Age", True)],
            id="range-tightened-in-request",
        ),
        pytest.param(
            [('<xs:minInclusive value="5"/>', '<xs:minInclusive value="0"/>')],
            [("restriction-widened", f"type {NS}Passenger / element Age", False)],
            id="range-widened-in-request",
        ),
        pytest.param(
            [('<xs:totalDigits value="10"/>', '<xs:totalDigits value="8"/>')],
            [("restriction-narrowed", f"simpleType {NS}Money", False)],
            id="fewer-digits-in-response",
        ),
        pytest.param(
            [("[0-9]{5}", "[0-9]{4,5}")],
            [("restriction-changed", f"element {NS}Book / element TrainNumber", True)],
            id="pattern-changed",
        ),
        pytest.param(
            [('<xs:pattern value="[A-Z]{2,5}"/>', "")],
            [("restriction-widened", f"simpleType {NS}StationCode", False)],
            id="pattern-removed-in-request",
        ),
        pytest.param(
            [
                (
                    'name="Lead" type="xs:boolean" use="optional"',
                    'name="Lead" type="xs:boolean" use="required"',
                )
            ],
            [("attribute-became-required", f"type {NS}Passenger / attribute Lead", True)],
            id="attribute-became-required-in-request",
        ),
        pytest.param(
            [
                (
                    'use="optional"/>',
                    'use="optional"/>\n        <xs:attribute name="Seq" '
                    'type="xs:int" use="required"/>',
                )
            ],
            [("attribute-added", f"type {NS}Passenger / attribute Seq", True)],
            id="required-attribute-added",
        ),
        pytest.param(
            [
                (
                    'use="optional"/>',
                    'use="optional"/>\n        <xs:attribute name="Seq" type="xs:int"/>',
                )
            ],
            [("attribute-added", f"type {NS}Passenger / attribute Seq", False)],
            id="optional-attribute-added",
        ),
        pytest.param(
            [
                (
                    '<xs:attribute name="Currency" type="xs:string" use="required"/>',
                    '<xs:attribute name="Currency" type="xs:string"/>',
                )
            ],
            [("attribute-became-optional", f"type {NS}Fare / attribute Currency", True)],
            id="attribute-became-optional-in-response",
        ),
        pytest.param(
            [(SEARCH_INPUT, SEARCH_INPUT + "\n        " + BOOK_HEADER)],
            [("header-added", f"binding {NS}RailBookingBinding / operation SearchTrains", True)],
            id="required-header-added",
        ),
        pytest.param(
            [
                (
                    SEARCH_INPUT,
                    SEARCH_INPUT
                    + "\n        "
                    + BOOK_HEADER.replace("/>", ' wsdl:required="false"/>'),
                )
            ],
            [("header-added", f"binding {NS}RailBookingBinding / operation SearchTrains", False)],
            id="optional-header-added",
        ),
        pytest.param(
            [
                (
                    BOOK_FAULT,
                    BOOK_FAULT + '\n      <wsdl:fault name="Busy" message="tns:RailFault"/>',
                )
            ],
            [("fault-added", "operation Book", False)],
            id="fault-added",
        ),
        pytest.param(
            [
                (
                    '<wsdl:output message="tns:BookResponse"/>',
                    '<wsdl:output message="tns:CancelBookingResponse"/>',
                )
            ],
            [("operation-output-changed", "operation Book", True)],
            id="output-element-changed",
        ),
        pytest.param(
            [('soapAction="urn:example:rail:v1#Book"', 'soapAction="urn:example:rail:v1#BookV2"')],
            [("soap-action-changed", f"binding {NS}RailBookingBinding / operation Book", True)],
            id="soap-action-changed",
        ),
        pytest.param(
            [('style="document"', 'style="rpc"')],
            [("binding-style-changed", f"binding {NS}RailBookingBinding", True)],
            id="binding-style-changed",
        ),
        pytest.param(
            [('<xs:element name="RailFault">', '<xs:element name="OldRailFault">')],
            [
                ("global-element-added", f"element {NS}OldRailFault", False),
                ("global-element-removed", f"element {NS}RailFault", True),
            ],
            id="element-used-by-a-message-removed",
        ),
        pytest.param(
            [('<wsdl:service name="RailBookingService">', '<wsdl:service name="RailService">')],
            [
                ("service-removed", f"service {NS}RailBookingService", True),
                ("service-added", f"service {NS}RailService", False),
            ],
            id="service-renamed",
        ),
    ],
)
def test_rules(replacements: list[tuple[str, str]], expected: list[tuple[str, str, bool]]) -> None:
    assert summary(diff_wsdl(BASE, edited(BASE, *replacements))) == expected


def test_soap_action_set_where_there_was_none_is_compatible() -> None:
    old = edited(BASE, ('soapAction="urn:example:rail:v1#Book"', 'soapAction=""'))
    [change] = diff_wsdl(old, BASE)
    assert (change.kind, change.breaking) == ("soap-action-changed", False)


def test_unused_types_never_break() -> None:
    unused = '<xs:simpleType name="Legacy"><xs:restriction base="xs:string">' + (
        '<xs:maxLength value="9"/></xs:restriction></xs:simpleType>\n      '
    )
    anchor = '<xs:simpleType name="StationCode">'
    old = edited(BASE, (anchor, unused + anchor))
    narrowed = old.replace(b'value="9"', b'value="3"')
    [change] = diff_wsdl(old, narrowed)
    assert change.breaking is False
    assert change.detail == "maxLength 9 -> 3 (not used by any message)"
    [removed] = diff_wsdl(old, BASE)
    assert (removed.kind, removed.where, removed.breaking) == (
        "type-removed",
        f"simpleType {NS}Legacy",
        False,
    )


MULTI_SCHEMA = """<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:a="urn:a" xmlns:b="urn:b"
    targetNamespace="urn:b">
  <wsdl:types>
    <xs:schema targetNamespace="urn:a" elementFormDefault="qualified">
      <xs:simpleType name="PostCode">
        <xs:restriction base="xs:string"><xs:pattern value="[0-9]{6}"/></xs:restriction>
      </xs:simpleType>
      <xs:complexType name="Person">
        <xs:sequence><xs:element name="Name" type="xs:string"/>PERSON_EXTRA</xs:sequence>
      </xs:complexType>
    </xs:schema>
    <xs:schema targetNamespace="urn:b" elementFormDefault="qualified">
      <xs:complexType name="Account">
        <xs:complexContent><xs:extension base="a:Person">
          <xs:sequence><xs:element name="Login" type="xs:string"/>ACCOUNT_EXTRA</xs:sequence>
        </xs:extension></xs:complexContent>
      </xs:complexType>
      <xs:group name="Contact">
        <xs:choice>
          <xs:element name="Email" type="xs:string"/><xs:element name="Fax" type="xs:string"/>
          CHOICE_EXTRA
        </xs:choice>
      </xs:group>
      <xs:element name="Register">
        <xs:complexType><xs:complexContent><xs:extension base="b:Account">
          <xs:sequence>
            REGISTER_EXTRA<xs:element name="Zip" type="a:PostCode"/><xs:group ref="b:Contact"/>
          </xs:sequence>
        </xs:extension></xs:complexContent></xs:complexType>
      </xs:element>
      <xs:element name="Registered">
        <xs:complexType><xs:all><xs:element name="Id" type="xs:int"/></xs:all>
          <xs:attribute name="At" type="xs:dateTime"/></xs:complexType>
      </xs:element>
      <xs:element name="Profile">
        <xs:complexType><xs:sequence><xs:group ref="b:Contact"/></xs:sequence></xs:complexType>
      </xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="p" element="b:Register"/></wsdl:message>
  <wsdl:message name="Out"><wsdl:part name="p" element="b:Registered"/></wsdl:message>
  <wsdl:message name="ProfileOut"><wsdl:part name="p" element="b:Profile"/></wsdl:message>
  <wsdl:portType name="People">
    <wsdl:operation name="Register">
      <wsdl:input message="b:In"/><wsdl:output message="b:Out"/>
    </wsdl:operation>
    <wsdl:operation name="GetProfile">
      <wsdl:input message="b:In"/><wsdl:output message="b:ProfileOut"/>
    </wsdl:operation>
  </wsdl:portType>
</wsdl:definitions>
"""
CITY = '<xs:element name="City" type="xs:string"/>'


def multi_schema(schema_a: str = "urn:a", **extra: str) -> bytes:
    """MULTI_SCHEMA with extra content at PERSON_EXTRA, ACCOUNT_EXTRA, ... (person_extra=...)."""
    text = MULTI_SCHEMA.replace('"urn:a"', f'"{schema_a}"')
    for slot in ("PERSON_EXTRA", "ACCOUNT_EXTRA", "REGISTER_EXTRA", "CHOICE_EXTRA"):
        text = text.replace(slot, extra.get(slot.lower(), ""))
    return text.encode()


def test_several_schemas_groups_choices_and_extensions() -> None:
    old = multi_schema()
    assert diff_wsdl(old, old) == []
    # Extensions are flattened: moving an element up to the base type, in the same schema,
    # changes nothing on the wire (Account itself changed, but travels only as a base)...
    moved = diff_wsdl(multi_schema(register_extra=CITY), multi_schema(account_extra=CITY))
    assert summary(moved) == [("element-added", "type {urn:b}Account / element City", False)]
    assert moved[0].detail.endswith(
        "(used only as the base of types that extend it, compared where used)"
    )
    # ...but a base type in another schema puts it in another namespace (and, here, order).
    moved = diff_wsdl(multi_schema(account_extra=CITY), multi_schema(person_extra=CITY))
    assert [(c.kind, c.where, c.detail) for c in moved if c.breaking] == [
        (
            "element-namespace-changed",
            "element {urn:b}Register / element City",
            "namespace urn:b -> urn:a",
        ),
        (
            "element-order-changed",
            "element {urn:b}Register",
            "sequence order Name, Login, City, Zip -> Name, City, Login, Zip",
        ),
    ]
    assert {c.where for c in moved if not c.breaking} == {
        "type {urn:a}Person / element City",
        "type {urn:b}Account / element City",
        "type {urn:b}Account",
    }
    # A new branch of a group's choice: fine in a request, a surprise in a response.
    phone = '<xs:element name="Phone" type="xs:string"/>'
    assert summary(diff_wsdl(old, multi_schema(choice_extra=phone))) == [
        ("element-added", "element {urn:b}Profile / element Phone", True),
        ("element-added", "element {urn:b}Register / element Phone", False),
    ]
    # A type from the other schema, narrowed where agents send it.
    narrowed = old.replace(b"[0-9]{6}", b"[0-9]{6}|[A-Z0-9 ]{6,8}")
    assert summary(diff_wsdl(old, narrowed)) == [
        ("restriction-changed", "simpleType {urn:a}PostCode", True)
    ]
    # A schema's namespace renamed: reported once, then names are compared modulo the rename.
    assert summary(diff_wsdl(old, multi_schema(schema_a="urn:a2"))) == [
        ("namespace-renamed", "schema urn:a", True)
    ]


# --- the real contract ------------------------------------------------------------------------


def test_real_contract_against_itself() -> None:
    assert diff_wsdl(WSDL_PATH, WSDL_PATH) == []


def test_real_contract_without_cancel_booking() -> None:
    text = WSDL_PATH.read_text(encoding="utf-8")
    pattern = r'\s*<wsdl:operation name="CancelBooking".*?</wsdl:operation>'
    dropped, count = re.subn(pattern, "", text, flags=re.S)
    assert count == 2  # the port type's and the binding's
    assert summary(diff_wsdl(WSDL_PATH, dropped.encode())) == [
        ("operation-removed", "operation CancelBooking", True)
    ]


def test_real_contract_without_senior_citizen_quota() -> None:
    """Removing SS narrows every quota enumeration: breaking where agents send it only."""
    text = WSDL_PATH.read_text(encoding="utf-8")
    assert text.count('<xs:enumeration value="SS"/>') >= 2
    changes = diff_wsdl(WSDL_PATH, re.sub(r'\s*<xs:enumeration value="SS"/>', "", text).encode())
    assert {c.kind for c in changes} == {"restriction-narrowed"}
    assert all("enumeration value(s) removed: SS" in c.detail for c in changes)
    breaking = {c.where for c in changes if c.breaking}
    assert f"simpleType {REAL_NS}Book_QuotaType" in breaking
    assert f"simpleType {REAL_NS}SearchTrain_QuotaType" in breaking
    for change in changes:
        assert change.breaking == ("used in requests" in change.detail or "and" in change.detail)
    compatible = {c.where for c in changes if not c.breaking}
    assert f"simpleType {REAL_NS}BookingDetails_QuotaType" in compatible  # responses only


# --- the command ------------------------------------------------------------------------------


def test_main_diff_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main_diff(BASE, FIXTURES / "address_changed.wsdl", as_json=False, out=out) == 0
    assert main_diff(BASE, FIXTURES / "removed_operation.wsdl", as_json=False, out=out) == 1
    assert capsys.readouterr().err == ""


def test_report_lists_breaking_first_with_a_summary() -> None:
    changes = diff_wsdl(
        BASE,
        edited(
            BASE,
            ('maxOccurs="6"', 'maxOccurs="4"'),
            ("http://rail.example/", "http://rail2.example/"),
        ),
    )
    report = format_changes(changes)
    lines = report.splitlines()
    assert lines[0] == "Breaking changes (1):"
    assert lines.index("Compatible changes (1):") > lines.index(
        f"  [max-occurs-lowered] type {NS}PassengerList / element Passenger"
    )
    assert lines[-1] == "2 changes: 1 breaking, 1 compatible"
    assert format_changes([]) == "no changes"


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main_diff(BASE, FIXTURES / "added_operation.wsdl", as_json=True, out=out)
    assert code == 0
    report = json.loads(out.getvalue())
    assert (report["breaking"], report["compatible"]) == (0, 3)
    assert report["changes"][0] == {
        "kind": "operation-added",
        "where": "operation GetPnrStatus",
        "detail": f"added (input {NS}GetPnrStatus)",
        "breaking": False,
    }
    for change in report["changes"]:
        assert set(change) == {"kind", "where", "detail", "breaking"}
    out = io.StringIO()
    assert main_diff(BASE, FIXTURES / "removed_operation.wsdl", as_json=True, out=out) == 1
    assert json.loads(out.getvalue())["changes"][0]["breaking"] is True


def test_order_is_deterministic_and_bytes_equal_paths() -> None:
    variant = FIXTURES / "renamed_namespace.wsdl"
    first = diff_wsdl(BASE, variant)
    assert diff_wsdl(BASE.read_bytes(), variant.read_bytes()) == first
    assert diff_wsdl(BASE, variant) == first


DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE wsdl:definitions [<!ENTITY boom "boom">]>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">&boom;</wsdl:definitions>
"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot read", id="unreadable-file"),
        pytest.param(
            (FIXTURES / "not_a_wsdl.wsdl").read_bytes(), "not a WSDL 1.1 document", id="not-wsdl"
        ),
        pytest.param(b"<wsdl:definitions", "not well-formed XML", id="malformed"),
        pytest.param(b"", "not well-formed XML", id="empty"),
        pytest.param(DOCTYPE, "DOCTYPE declarations are refused", id="doctype"),
        pytest.param(
            BASE.read_bytes().replace(b'element="tns:Book"', b'element="nope:Book"'),
            "undeclared namespace prefix 'nope'",
            id="undeclared-prefix",
        ),
    ],
)
@pytest.mark.parametrize("side", ["old", "new"])
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
    side: str,
) -> None:
    bad = tmp_path / "bad.wsdl"
    if content is not None:
        bad.write_bytes(content)
    old, new = (bad, BASE) if side == "old" else (BASE, bad)
    out = io.StringIO()
    assert main_diff(old, new, as_json=False, out=out) == 2
    assert out.getvalue() == ""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err and str(bad) in err
