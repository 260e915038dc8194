"""codegen on a corpus of WSDLs written after the shapes partners really publish.

Every corpus WSDL is generated once; each module must import, pass ruff and mypy --strict (one
run over all of them), and its client must round-trip requests, answers and faults against an
in-process stub that validates each request (and its own answers) against the WSDL's schemas.
Every call runs on both reading paths, the lxml fast path and zeep's, which must agree.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from lxml import etree

from tests.client.corpus import CORPUS, Entry, Generated, Service, generate_all, load, reply
from tests.client.large_wsdl import write_large_wsdl
from tests.client.stub import Answer

ROOT = Path(__file__).resolve().parents[2]

ENTRIES = [
    Entry("builtin-types.wsdl", "builtin_types"),
    Entry("carrier-rate.wsdl", "carrier_rate"),
    Entry("choice-repeated.wsdl", "choice_repeated"),
    Entry("dotnet-bindings.wsdl", "dotnet_bindings", exit=1),
    Entry("extension-chain.wsdl", "extension_chain"),
    Entry("groups-and-all.wsdl", "groups_and_all"),
    Entry("catalog/booking.wsdl", "catalog", catalog="catalog/catalog.xml"),
    Entry("catalog/booking.wsdl", "catalog_missing", exit=2),
    Entry("library-choice.wsdl", "library_choice"),
    Entry("name-clashes.wsdl", "name_clashes"),
    Entry("one-way.wsdl", "one_way"),
    Entry("recursive.wsdl", "recursive"),
    Entry("repeated-compositors.wsdl", "repeated_compositors"),
    Entry("response-headers.wsdl", "response_headers"),
    Entry("services-and-ports.wsdl", "services_and_ports"),
    Entry("simple-body.wsdl", "simple_body"),
    Entry("simple-content.wsdl", "simple_content"),
    Entry("soap12-device.wsdl", "soap12_device"),
    Entry("standard-imports.wsdl", "standard_imports"),
    Entry("substitution.wsdl", "substitution"),
    Entry("wildcards.wsdl", "wildcards"),
    Entry("wsdl-import/claims-service.wsdl", "wsdl_import"),
    Entry("rpc-literal.wsdl", "rpc_literal"),
    Entry("rpc-encoded.wsdl", "rpc_encoded", exit=3),
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    folder = tmp_path_factory.mktemp("corpus")
    large = Entry(str(write_large_wsdl(folder)), "suite_large")  # ~1 MB, 27 bindings
    return generate_all([*ENTRIES, large], folder)


def module(generated: dict[str, Generated], name: str) -> ModuleType:
    result = generated[name]
    assert result.code in (0, 1), result.stderr
    return load(result.path)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.module for e in ENTRIES])
def test_exit_code_and_one_line_per_problem(entry: Entry, generated: dict[str, Generated]) -> None:
    result = generated[entry.module]
    assert result.code == entry.exit, result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith("error: ") for line in lines), result.stderr
    if entry.exit == 0:
        assert lines == []
    else:
        assert lines and "Traceback" not in result.stderr


def test_every_module_passes_ruff_and_mypy_strict(generated: dict[str, Generated]) -> None:
    paths = [str(g.path) for g in generated.values() if g.code in (0, 1)]
    ruff = [sys.executable, "-m", "ruff"]
    lint = [*ruff, "check", "--isolated", "--line-length", "100", "--select", "B,E,F,I,UP,W"]
    done = subprocess.run([*lint, *paths], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    done = subprocess.run(
        [*ruff, "format", "--isolated", "--line-length", "100", "--check", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", ""]
    done = subprocess.run([*mypy, *paths], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout


# -- the shapes, one test each --------------------------------------------------------------------

MAIL = 'xmlns:m="http://mail.example.org/admin/2009"'


def test_rpc_literal_wrappers_parts_and_faults(generated: dict[str, Generated]) -> None:
    mail = module(generated, "rpc_literal")

    def create(call: etree._Element, header: etree._Element | None) -> Answer:
        box = call.find("mailbox")
        assert box is not None and box.findtext("address") == "ravi@example.org"
        if box.findtext("quotaMb") == "0":
            return Answer(
                '<t:adminError xmlns:t="http://mail.example.org/admin/2009/types">'
                "<code>409</code><reason>exists</reason></t:adminError>",
                fault=("Client", "the mailbox exists"),
                status=500,
            )
        assert call.findtext("protocol") == "imap"
        assert [a.text for a in box.iterfind("aliases")] == ["r.kumar@example.org"]
        return Answer(f"<m:createMailboxResponse {MAIL}><id>4242</id></m:createMailboxResponse>")

    usage = reply(
        f"<m:usageResponse {MAIL}><usedMb>512</usedMb>"
        "<lastLogin>2025-11-20T09:00:00Z</lastLogin></m:usageResponse>"
    )
    service = Service(
        mail.MailAdminBindingClient,
        CORPUS / "rpc-literal.wsdl",
        {"createMailbox": create, "usage": usage},
    )
    box = mail.Mailbox(
        address="ravi@example.org", quota_mb=2048, aliases=["r.kumar@example.org"], enabled=True
    )
    assert service.both(lambda c: c.create_mailbox(mailbox=box, protocol="imap")) == 4242
    assert service.both(lambda c: c.usage(address="ravi@example.org")) == mail.UsageResponse(
        used_mb=512, last_login=datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
    )
    full = mail.Mailbox(address="ravi@example.org", quota_mb=0)
    fault = service.raises(
        mail.AdminFaultError, lambda c: c.create_mailbox(mailbox=full, protocol="pop3")
    )
    assert fault.detail == mail.AdminError(code=409, reason="exists")
    assert fault.faultcode.endswith("Client") and fault.message == "the mailbox exists"
    wrapper = service.stub.requests[0].find(
        ".//{http://schemas.xmlsoap.org/soap/envelope/}Body/"
        "{http://mail.example.org/admin/2009}createMailbox"
    )
    assert wrapper is not None


def test_rpc_encoded_is_one_line_with_its_own_exit_code(generated: dict[str, Generated]) -> None:
    result = generated["rpc_encoded"]
    assert result.code == 3 and not result.path.exists()
    assert result.stderr == (
        "error: rpc-encoded.wsdl uses rpc/encoded (SOAP section 5 encoding), which codegen does"
        " not support: ForecastBinding.forecastByDay\n"
    )


LIB = 'xmlns="urn:example:library"'


def test_library_choice_attributes_and_nillable(generated: dict[str, Generated]) -> None:
    lib = module(generated, "library_choice")
    book = (
        '<Book isbn="978-0-14-044913-6" currency="INR"><Title>The Discovery of India</Title>'
        "<Authors>Jawaharlal Nehru</Authors><Genre>history</Genre>"
        '<Subtitle xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
        "<Price>499.00</Price></Book>"
    )
    two_authors = (
        '<Book isbn="978-0-00-000000-2"><Title>Freedom at Midnight</Title>'
        "<Authors>Larry Collins</Authors><Authors>Dominique Lapierre</Authors>"
        "<Genre>history</Genre><Subtitle>1947</Subtitle></Book>"
    )

    def list_shelves(call: etree._Element, header: etree._Element | None) -> Answer:
        genres = [g.text for g in call.iter("{urn:example:library}Genres")]
        assert genres == ["history", "science"]
        return Answer(
            f"<ListShelvesResponse {LIB}><Shelf><Label>A1</Label>{book}{two_authors}</Shelf>"
            "<Shelf><Label>A2</Label></Shelf><UpdatedAt>2025-11-20T09:00:00+05:30</UpdatedAt>"
            "</ListShelvesResponse>"
        )

    def pay_fine(call: etree._Element, header: etree._Element | None) -> Answer:
        member = call.findtext("{urn:example:library}MemberId")
        if member == "M-13":
            return Answer(
                f"<MemberBlocked {LIB}><MemberId>M-13</MemberId><Until>2025-12-31</Until>"
                "</MemberBlocked>",
                fault=("Client", "blocked"),
                status=500,
            )
        payment = call.find("{urn:example:library}Payment")
        assert payment is not None and [etree.QName(c).localname for c in payment] == ["Cash"]
        return Answer(f"<PayFineResponse {LIB}><Receipt>R-{member}</Receipt></PayFineResponse>")

    service = Service(
        lib.LibraryBindingClient,
        CORPUS / "library-choice.wsdl",
        {"ListShelves": list_shelves, "PayFine": pay_fine},
    )
    answer = service.both(lambda c: c.list_shelves(floor=1, genres=["history", "science"]))
    assert answer.updated_at == datetime.fromisoformat("2025-11-20T09:00:00+05:30")
    first, second = answer.shelf
    assert (first.label, second.label, second.book) == ("A1", "A2", [])
    nehru, collins = first.book
    assert nehru == lib.Book(
        title="The Discovery of India",
        authors=["Jawaharlal Nehru"],
        genre="history",
        subtitle=None,
        price=Decimal("499.00"),
        isbn="978-0-14-044913-6",
        currency="INR",
    )
    assert collins.authors == ["Larry Collins", "Dominique Lapierre"]
    assert collins.currency is None and collins.subtitle == "1947"
    paid = service.both(
        lambda c: c.pay_fine(member_id="M-7", payment=lib.Payment(cash=Decimal(20)))
    )
    assert paid == "R-M-7"
    blocked = service.raises(
        lib.MemberBlockedError,
        lambda c: c.pay_fine(member_id="M-13", payment=lib.Payment(card_number="4111")),
    )
    assert blocked.detail == lib.MemberBlocked(member_id="M-13", until=date(2025, 12, 31))


WEATHER = 'xmlns="urn:example:weather:types"'


def test_services_ports_and_request_headers(generated: dict[str, Generated]) -> None:
    weather = module(generated, "services_and_ports")

    def get_reading(call: etree._Element, header: etree._Element | None) -> Answer:
        assert header is not None and header.findtext(".//{urn:example:weather:types}Key") == "k"
        station = call.findtext("{urn:example:weather:types}Station")
        return Answer(
            f"<GetReadingResponse {WEATHER}><Reading><Station>{station}</Station>"
            "<Celsius>31.5</Celsius><Observed>2025-11-20T14:30:00+05:30</Observed>"
            "</Reading></GetReadingResponse>"
        )

    readings = weather.ReadingsSoapClient
    assert readings.ports == {
        "ReadingService/ReadingsNorth": "http://north.example.test/readings",
        "ReadingService/ReadingsSouth": "http://south.example.test/readings",
    }
    service = Service(readings, CORPUS / "services-and-ports.wsdl", {"GetReading": get_reading})
    reading = service.both(lambda c: c.get_reading(station="Delhi", key=weather.ApiKey(key="k")))
    assert reading == weather.Reading(
        station="Delhi",
        celsius=31.5,
        observed=datetime.fromisoformat("2025-11-20T14:30:00+05:30"),
        raining=None,
    )
    stations = Service(
        weather.StationsSoapClient,
        CORPUS / "services-and-ports.wsdl",
        {
            "ListStations": reply(
                f"<ListStationsResponse {WEATHER}><Code>NDLS</Code>"
                "<Code>MMCT</Code></ListStationsResponse>"
            )
        },
    )
    assert stations.both(lambda c: c.list_stations()) == ["NDLS", "MMCT"]


RATE = 'xmlns="http://parcel.example.com/ws/rate/v28"'


def test_http_namespaces_fixed_values_and_optional_lists(generated: dict[str, Generated]) -> None:
    rate = module(generated, "carrier_rate")
    assert rate.VersionId() == rate.VersionId(service_id="crs", major=28, intermediate=0, minor=0)

    def get_rates(call: etree._Element, header: etree._Element | None) -> Answer:
        ns = "{http://parcel.example.com/ws/rate/v28}"
        assert call.findtext(f"{ns}Version/{ns}Major") == "28"
        assert call.find(f"{ns}VariableOptions") is None  # an optional list left out
        items = call.findall(f"{ns}RequestedShipment/{ns}RequestedPackageLineItems")
        return Answer(
            f"<RateReply {RATE}><HighestSeverity>SUCCESS</HighestSeverity>"
            "<Notifications><Severity>SUCCESS</Severity><Code>0</Code></Notifications>"
            "<Version><ServiceId>crs</ServiceId><Major>28</Major><Intermediate>0</Intermediate>"
            "<Minor>0</Minor></Version>"
            + "".join(
                f"<RateReplyDetails><ServiceType>GROUND</ServiceType><TotalNetCharge>{9 + i}.50"
                "</TotalNetCharge></RateReplyDetails>"
                for i in range(len(items))
            )
            + "</RateReply>"
        )

    service = Service(
        rate.RateServiceSoapBindingClient, CORPUS / "carrier-rate.wsdl", {"RateRequest": get_rates}
    )
    party = rate.Party(postal_code="110001", country_code="IN")
    weight = rate.Weight(units="KG", value=Decimal("2.5"))
    reply_ = service.both(
        lambda c: c.get_rates(
            web_authentication_detail=rate.WebAuthenticationDetail(
                user_credential=rate.WebAuthenticationCredential(key="k", password="p")
            ),
            client_detail=rate.ClientDetail(account_number="510087", meter_number="118"),
            version=rate.VersionId(),
            requested_shipment=rate.RequestedShipment(
                shipper=party,
                recipient=party,
                requested_package_line_items=[
                    rate.RequestedPackageLineItem(weight=weight),
                    rate.RequestedPackageLineItem(sequence_number=2, weight=weight),
                ],
            ),
        )
    )
    assert reply_.highest_severity == "SUCCESS"
    assert reply_.notifications == [rate.Notification(severity="SUCCESS", code="0")]
    assert [d.total_net_charge for d in reply_.rate_reply_details] == [
        Decimal("9.50"),
        Decimal("10.50"),
    ]
    assert "{http" not in (rate.WebAuthenticationDetail.__doc__ or "")


DEVICE = 'xmlns="http://www.camera.example.org/ver10/device/wsdl"'


def test_soap12_binding_and_its_faults(generated: dict[str, Generated]) -> None:
    device = module(generated, "soap12_device")

    def set_time(call: etree._Element, header: etree._Element | None) -> Answer:
        ns = "{http://www.camera.example.org/ver10/device/wsdl}"
        if call.findtext(f"{ns}DateTimeType") == "NTP":
            return Answer(
                f"<ActionNotSupported {DEVICE}>NTP is off on this model</ActionNotSupported>",
                fault=("Receiver", "not supported"),
                status=500,
            )
        assert call.findtext(f"{ns}UTCDateTime/{ns}Time") == "09:30:00"
        return Answer(f"<SetSystemDateAndTimeResponse {DEVICE}/>")

    info = reply(
        f"<GetDeviceInformationResponse {DEVICE}><Manufacturer>Acme</Manufacturer>"
        "<Model>IPC-2</Model><FirmwareVersion>5.1</FirmwareVersion><SerialNumber>SN1"
        "</SerialNumber><HardwareId>H7</HardwareId></GetDeviceInformationResponse>"
    )
    service = Service(
        device.DeviceBindingClient,
        CORPUS / "soap12-device.wsdl",
        {"GetDeviceInformation": info, "SetSystemDateAndTime": set_time},
    )
    assert service.both(lambda c: c.get_device_information()).model == "IPC-2"
    when = device.DateTime(date=date(2025, 11, 20), time=time(9, 30))
    manual = service.both(
        lambda c: c.set_system_date_and_time(
            date_time_type="Manual", daylight_savings=False, utc_date_time=when
        )
    )
    assert manual is None
    fault = service.raises(
        device.ActionNotSupportedError,
        lambda c: c.set_system_date_and_time(date_time_type="NTP", daylight_savings=True),
    )
    assert fault.detail == "NTP is off on this model"
    assert fault.faultcode.endswith("Receiver") and fault.message == "not supported"
    envelope = service.stub.requests[0]
    assert envelope.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"


CLAIMS = 'xmlns="http://schemas.insurer.example.com/claims/V2"'


def test_wsdl_import_across_files_and_folders(generated: dict[str, Generated]) -> None:
    claims = module(generated, "wsdl_import")
    assert "Claims intake and status" in (claims.__doc__ or "")
    file_claim = reply(
        f"<FileClaimResponse {CLAIMS}><ClaimNumber>CL-1</ClaimNumber><State>Received</State>"
        "</FileClaimResponse>"
    )
    service = Service(
        claims.ClaimsServiceSOAPClient,
        CORPUS / "wsdl-import" / "claims-service.wsdl",
        {
            "FileClaimRequest": file_claim,
            "GetClaimStatusRequest": reply(
                f"<GetClaimStatusResponse {CLAIMS}><State>InReview</State></GetClaimStatusResponse>"
            ),
        },
    )
    loss = claims.Loss(occurred_on=date(2025, 11, 1), description="hail")
    answer = service.both(lambda c: c.file_claim(policy_number="P-9", loss=loss))
    assert answer == claims.FileClaimResponse(claim_number="CL-1", state="Received")
    assert service.both(lambda c: c.get_claim_status(claim_number="CL-1")) == "InReview"
    assert claims.ClaimsServiceSOAPClient.ports == {
        "ClaimsService/ClaimsServiceSOAP": "https://esb.insurer.example.com/claims/v2"
    }


GDS = 'xmlns="http://webservices.gds.example.net/air/availability/v3"'


def test_remote_schemas_through_a_catalog(generated: dict[str, Generated]) -> None:
    air = module(generated, "catalog")
    assert air.CabinClass.__args__ == ("Economy", "PremiumEconomy", "Business", "First")

    def search(call: etree._Element, header: etree._Element | None) -> Answer:
        assert call.get("TraceId") == "t-1"
        return Answer(
            f'<AvailabilitySearchRsp {GDS} TraceId="t-1"><FlightOption><Carrier>AI</Carrier>'
            "<FlightNumber>101</FlightNumber><Cabin>Business</Cabin><Seats>4</Seats>"
            "</FlightOption></AvailabilitySearchRsp>"
        )

    service = Service(
        air.AirAvailabilityBindingClient,
        CORPUS / "catalog" / "booking.wsdl",
        {"AvailabilitySearchReq": search},
        catalog=CORPUS / "catalog" / "catalog.xml",
    )
    answer = service.both(
        lambda c: c.service(
            billing_point_of_sale_info=air.BillingPointOfSaleInfo(origin_application="UAPI"),
            origin="DEL",
            destination="BOM",
            departure_date=date(2025, 12, 1),
            trace_id="t-1",
        )
    )
    assert answer.trace_id == "t-1"
    assert answer.flight_option == [
        air.FlightOption(carrier="AI", flight_number="101", cabin="Business", seats=4)
    ]


def test_without_the_catalog_the_remote_import_is_one_line(generated: dict[str, Generated]) -> None:
    result = generated["catalog_missing"]
    assert result.code == 2 and not result.path.exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot load ") and "--catalog" in line


EVENTS = 'xmlns="http://www.camera.example.org/ver10/events/wsdl"'
VENDOR = "urn:vendor:analytics"


def test_wildcards_round_trip_as_xml(generated: dict[str, Generated]) -> None:
    events = module(generated, "wildcards")
    rt = events.rt

    def pull(call: etree._Element, header: etree._Element | None) -> Answer:
        vendor = call.find(f".//{{{VENDOR}}}Hint")
        assert vendor is not None and vendor.text == "motion-only"
        return Answer(
            f"<PullMessagesResponse {EVENTS}><CurrentTime>2025-11-20T09:00:00Z</CurrentTime>"
            "<TerminationTime>2025-11-20T09:01:00Z</TerminationTime>"
            f'<NotificationMessage xmlns:v="{VENDOR}" v:priority="high">'
            "<Topic>tns1:VideoAnalytics/Motion</Topic><UtcTime>2025-11-20T08:59:58Z</UtcTime>"
            f'<Message><v:Motion v:cell="3">true</v:Motion><v:Score>0.93</v:Score></Message>'
            "</NotificationMessage></PullMessagesResponse>"
        )

    def subscribe(call: etree._Element, header: etree._Element | None) -> Answer:
        return Answer(
            f"<CreatePullPointSubscriptionResponse {EVENTS}>"
            f'<SubscriptionReference Version="2" xmlns:w="{VENDOR}" w:id="s-1">'
            "<Address>http://192.0.2.10/onvif/events/s-1</Address>"
            f"<ReferenceParameters><w:Ticket>77</w:Ticket></ReferenceParameters>"
            "</SubscriptionReference><CurrentTime>2025-11-20T09:00:00Z</CurrentTime>"
            "</CreatePullPointSubscriptionResponse>"
        )

    service = Service(
        events.PullPointSubscriptionBindingClient,
        CORPUS / "wildcards.wsdl",
        {"PullMessages": pull, "CreatePullPointSubscription": subscribe},
    )
    hint = rt.AnyElement.parse(f'<v:Hint xmlns:v="{VENDOR}">motion-only</v:Hint>')
    answer = service.both(
        lambda c: c.pull_messages(
            timeout=timedelta(seconds=5),
            message_limit=10,
            extension=events.Extension(any_elements=[hint]),
        )
    )
    (message,) = answer.notification_message
    assert message.other_attributes == {f"{{{VENDOR}}}priority": "high"}
    motion, score = message.message.any_elements
    assert motion == rt.AnyElement.parse(f'<m:Motion xmlns:m="{VENDOR}" m:cell="3">true</m:Motion>')
    assert (score.tag, score.text) == (f"{{{VENDOR}}}Score", "0.93")
    reference = service.both(lambda c: c.create_pull_point_subscription()).subscription_reference
    assert reference.version == "2" and reference.other_attributes == {f"{{{VENDOR}}}id": "s-1"}
    assert reference.reference_parameters.any_element.text == "77"


TRACK = 'xmlns="http://www.freight.example.com/XMLSchema/Track/v2"'


def test_repeated_elements_inside_a_choice(generated: dict[str, Generated]) -> None:
    track = module(generated, "choice_repeated")

    def process(call: etree._Element, header: etree._Element | None) -> Answer:
        ns = "{http://www.freight.example.com/XMLSchema/Track/v2}"
        numbers = [n.text for n in call.iterfind(f"{ns}InquiryNumber")]
        if not numbers:
            return Answer(
                f"<TrackResponse {TRACK}><Error><ErrorCode>151018</ErrorCode>"
                "<Description>Invalid tracking number</Description></Error></TrackResponse>"
            )
        shipments = "".join(
            f"<Shipment><InquiryNumber>{n}</InquiryNumber><Activity><Date>2025-11-19</Date>"
            "<Exception>Weather delay</Exception><Exception>Address corrected</Exception>"
            "</Activity><Activity><Date>2025-11-20</Date><Status>Delivered</Status></Activity>"
            "</Shipment>"
            for n in numbers
        )
        return Answer(f"<TrackResponse {TRACK}>{shipments}</TrackResponse>")

    service = Service(
        track.TrackBindingClient, CORPUS / "choice-repeated.wsdl", {"TrackRequest": process}
    )
    found = service.both(lambda c: c.process_track(inquiry_number=["1Z1", "1Z2"]))
    assert found.error is None and [s.inquiry_number for s in found.shipment] == ["1Z1", "1Z2"]
    delayed, delivered = found.shipment[0].activity
    assert delayed.exception == ["Weather delay", "Address corrected"] and delayed.status is None
    assert delivered.exception == [] and delivered.status == "Delivered"
    failed = service.both(lambda c: c.process_track(reference_number="PO-7"))
    assert failed.shipment == [] and failed.error.error_code == "151018"
    assert "Exactly one of: shipment, error." in " ".join(
        (track.TrackResponse.__doc__ or "").split()
    )


PROFILE = 'xmlns="http://www.gds.example.org/profile/2011/06"'
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def test_extension_chains_and_xsi_type(generated: dict[str, Generated]) -> None:
    profiles = module(generated, "extension_chain")
    assert issubclass(profiles.LoyalTraveler, profiles.Traveler)
    assert issubclass(profiles.Traveler, profiles.Party)
    assert not issubclass(profiles.ContactSummary, profiles.Party)  # a restriction

    def read(call: etree._Element, header: etree._Element | None) -> Answer:
        return Answer(
            f'<ReadProfileResponse {PROFILE} {XSI} xmlns:p="http://www.gds.example.org/profile/2011/06">'
            '<Profile xsi:type="p:LoyalTraveler" Created="2010-01-01T00:00:00Z" Since="2012-05-01">'
            "<PartyId>T-1</PartyId><GivenName>Asha</GivenName><Surname>Rao</Surname>"
            "<ProgramCode>FF</ProgramCode><Tier>2</Tier></Profile>"
            '<Related xsi:type="p:Agency"><PartyId>A-9</PartyId>'
            "<IataNumber>14-3 1234 5</IataNumber></Related>"
            '<Related xsi:type="p:Traveler"><PartyId>T-2</PartyId><GivenName>Dev</GivenName>'
            "<Surname>Rao</Surname></Related><Summary><PartyId>T-1</PartyId></Summary>"
            "</ReadProfileResponse>"
        )

    def save(call: etree._Element, header: etree._Element | None) -> Answer:
        traveler = call.find("{http://www.gds.example.org/profile/2011/06}Traveler")
        assert traveler is not None
        declared = traveler.get("{http://www.w3.org/2001/XMLSchema-instance}type", "")
        assert declared.endswith(":LoyalTraveler"), declared
        return Answer(
            f"<SaveTravelerResponse {PROFILE}><PartyId>T-3</PartyId></SaveTravelerResponse>"
        )

    service = Service(
        profiles.ProfileBindingClient,
        CORPUS / "extension-chain.wsdl",
        {"ReadProfile": read, "SaveTraveler": save},
    )
    answer = service.both(lambda c: c.read_profile(party_id="T-1"))
    assert answer.profile == profiles.LoyalTraveler(
        party_id="T-1",
        created=datetime(2010, 1, 1, tzinfo=UTC),
        given_name="Asha",
        surname="Rao",
        program_code="FF",
        tier=2,
        since=date(2012, 5, 1),
    )
    agency, cousin = answer.related
    assert type(agency) is profiles.Agency and agency.iata_number == "14-3 1234 5"
    assert type(cousin) is profiles.Traveler and cousin.given_name == "Dev"
    assert answer.summary == profiles.ContactSummary(party_id="T-1")
    loyal = profiles.LoyalTraveler(
        party_id="T-3", given_name="Mira", surname="Iyer", program_code="FF", tier=1
    )
    assert service.both(lambda c: c.save_traveler(traveler=loyal)) == "T-3"


PAY = 'xmlns="http://api.payments.example.com/v1/charges"'


def test_substitution_groups(generated: dict[str, Generated]) -> None:
    pay = module(generated, "substitution")
    sent: list[str] = []

    def charge(call: etree._Element, header: etree._Element | None) -> Answer:
        method = call[2]
        sent.append(etree.QName(method).localname)
        assert method.get("{http://www.w3.org/2001/XMLSchema-instance}type") is None
        echoed = etree.tostring(method).decode()
        return Answer(
            f"<CreateChargeResponse {PAY}><ChargeId>ch_1</ChargeId>{echoed}</CreateChargeResponse>"
        )

    service = Service(
        pay.ChargesBindingClient, CORPUS / "substitution.wsdl", {"CreateCharge": charge}
    )
    methods = [
        pay.CardType(number="4111111111111111", expiry="2027-09"),
        pay.StoredCard(label="work", number="5500000000000004", expiry="2028-01"),
        pay.WalletType(token="tok_9"),
        pay.BankTransfer(label="NEFT"),
    ]
    for method in methods:
        # zeep has no substitution groups: it neither reads nor writes a member under its own
        # name; the generated client writes them (through zeep) and reads them (fast path).
        fast = service.clients[0]
        answer = fast.create_charge(amount=Decimal("10.00"), currency="INR", payment_method=method)
        assert answer.charge_id == "ch_1" and answer.payment_method == method
        assert type(answer.payment_method) is type(method)
    assert sent == ["Card", "StoredCard", "Wallet", "BankTransfer"]


CRM = 'xmlns="urn:partner.crm.example.com"'
LIMITS = (
    f"<LimitInfoHeader {CRM}><limitInfo><current>12</current><limit>15000</limit>"
    "<type>API REQUESTS</type></limitInfo></LimitInfoHeader>"
)


def test_response_headers_beside_the_result(generated: dict[str, Generated]) -> None:
    crm = module(generated, "response_headers")

    def query(call: etree._Element, header: etree._Element | None) -> Answer:
        assert header is not None and header.findtext(".//{urn:partner.crm.example.com}sessionId")
        text = call.findtext("{urn:partner.crm.example.com}queryString") or ""
        if not text.startswith("SELECT"):
            return Answer(
                '<MalformedQueryFault xmlns="urn:fault.partner.crm.example.com">'
                "<exceptionCode>MALFORMED_QUERY</exceptionCode><exceptionMessage>unexpected token"
                "</exceptionMessage><column>1</column></MalformedQueryFault>",
                fault=("Client", "MALFORMED_QUERY: unexpected token"),
                status=500,
            )
        return Answer(
            f"<queryResponse {CRM}><result><done>true</done><records>001A</records>"
            "<records>001B</records><size>2</size></result></queryResponse>",
            headers=LIMITS + f"<DebuggingInfo {CRM}><debugLog>parsed</debugLog></DebuggingInfo>"
            '<Trace xmlns="urn:other:vendor">not ours</Trace>',
        )

    handlers = {
        "query": query,
        "logout": reply(f"<logoutResponse {CRM}/>", LIMITS),
        "login": reply(
            f"<loginResponse {CRM}><result><serverUrl>https://eu1.crm.example.com</serverUrl>"
            "<sessionId>00D!AQ</sessionId><passwordExpired>false</passwordExpired></result>"
            "</loginResponse>"
        ),
    }
    service = Service(crm.SoapBindingClient, CORPUS / "response-headers.wsdl", handlers)
    session = service.both(lambda c: c.login(username="u@example.com", password="pw"))
    assert session.session_id == "00D!AQ"
    header = crm.SessionHeader(session_id=session.session_id)
    answer = service.both(
        lambda c: c.query(query_string="SELECT Id FROM Account", session_header=header)
    )
    assert answer.result == crm.QueryResponseResult(done=True, records=["001A", "001B"], size=2)
    assert answer.limit_info_header == [crm.LimitInfo(current=12, limit=15000, type="API REQUESTS")]
    assert answer.debugging_info == crm.DebuggingInfo(debug_log="parsed")
    fault = service.raises(
        crm.MalformedQueryFaultError,
        lambda c: c.query(query_string="DROP", session_header=header),
    )
    assert fault.detail == crm.MalformedQueryFault(
        exception_code="MALFORMED_QUERY", exception_message="unexpected token", column=1
    )
    assert isinstance(fault.detail, crm.ApiFault)
    out = service.both(lambda c: c.logout(session_header=header))
    assert out == crm.LogoutReply(
        limit_info_header=[crm.LimitInfo(current=12, limit=15000, type="API REQUESTS")]
    )


CATS = 'xmlns="urn:example:catalog:categories:2014"'


def test_recursive_types(generated: dict[str, Generated]) -> None:
    cats = module(generated, "recursive")

    def chart(call: etree._Element, header: etree._Element | None) -> Answer:
        inner = etree.tostring(call[0]).decode()  # the chart asked about, sent back
        return Answer(f"<GetOrgChartResponse {CATS}>{inner}</GetOrgChartResponse>")

    tree = reply(
        f"<GetCategoryTreeResponse {CATS}><Root><Id>1</Id><Name>Books</Name><Children>"
        "<Category><Id>2</Id><Name>History</Name><Parent><Id>1</Id><Name>Books</Name></Parent>"
        "<Children><Category><Id>3</Id><Name>India</Name></Category></Children></Category>"
        "</Children></Root></GetCategoryTreeResponse>"
    )
    service = Service(
        cats.CategoriesBindingClient,
        CORPUS / "recursive.wsdl",
        {"GetCategoryTree": tree, "GetOrgChart": chart},
    )
    root = service.both(lambda c: c.get_category_tree(root_id=1))
    (history,) = root.children
    assert history.parent == cats.Category(id=1, name="Books")
    assert history.children == [cats.Category(id=3, name="India")]
    chief = cats.Employee(
        name="Anand",
        leads=cats.Team(
            title="Engineering",
            member=[cats.Employee(name="Bela"), cats.Employee(name="Chitra")],
            sub_team=[cats.Team(title="Payments", member=[cats.Employee(name="Dara")])],
        ),
    )
    assert service.both(lambda c: c.get_org_chart(chief=chief)) == chief


ORDERS = 'xmlns="http://ws.example.org/orders/2016/03"'


def test_keywords_builtins_and_cross_namespace_names(generated: dict[str, Generated]) -> None:
    orders = module(generated, "name_clashes")
    assert orders.Address.__doc__ != orders.ShippingAddress.__doc__

    def place(call: etree._Element, header: etree._Element | None) -> Answer:
        ns = "{http://ws.example.org/orders/2016/03}"
        line = call.find(f"{ns}Line")
        assert line is not None and line.get("sku") == "attr-sku" and line.get("lambda") == "7"
        assert [c.tag.rpartition("}")[2] for c in line] == [
            "class",
            "from",
            "type",
            "list",
            "list",
            "unit.price",
            "_3dModel",
            "sku",
            "extra",
        ]
        return Answer(
            f"<PlaceOrderResponse {ORDERS}><return>O-1</return><yield>yes</yield>"
            "</PlaceOrderResponse>"
        )

    service = Service(
        orders.OrdersBindingV1Client,
        CORPUS / "name-clashes.wsdl",
        {
            "PlaceOrder": place,
            "address": reply(
                f'<addressResponse {ORDERS}><in><Street xmlns="http://ws.example.org/'
                'shipping/2016/03">Dock Rd</Street></in></addressResponse>'
            ),
        },
    )
    line = orders.Line(
        class_="A",
        from_="Pune",
        type="no",
        list_=["x", "y"],
        unit_price=Decimal("9.99"),
        n3d_model="m.glb",
        sku="elem-sku",
        sku2="attr-sku",
        lambda_=7,
        extra=orders.ClassVar_(value="v"),
    )
    answer = service.both(
        lambda c: c.place_order(
            line=[line],
            bill_to=orders.Address(street="MG Road"),
            ship_to=orders.ShippingAddress(street="Dock Rd", dock_door="4"),
        )
    )
    assert answer == orders.PlaceOrderResponse(return_="O-1", yield_="yes")
    assert service.both(lambda c: c.address2(for_="O-1")) == orders.ShippingAddress(
        street="Dock Rd"
    )


PAYOUTS = 'xmlns="urn:ebl:payouts:2009"'


def test_simple_content_values_with_attributes(generated: dict[str, Generated]) -> None:
    po = module(generated, "simple_content")

    def mass_pay(call: etree._Element, header: etree._Element | None) -> Answer:
        assert call.get("version") == "93.0"  # the fixed attribute, sent by default
        amount = call.find("{urn:ebl:payouts:2009}Item/{urn:ebl:payouts:2009}Amount")
        assert amount is not None and (amount.text, amount.get("currencyID")) == ("250.00", "INR")
        return Answer(
            f'<MassPayResponse {PAYOUTS}><Ack schemaVersion="93.0">Success</Ack>'
            '<Total currencyID="INR">250.00</Total></MassPayResponse>'
        )

    service = Service(
        po.PayoutsSOAPBindingClient, CORPUS / "simple-content.wsdl", {"MassPay": mass_pay}
    )
    item = po.Item(
        receiver_email="a@example.com",
        amount=po.BasicAmount(value=Decimal("250.00"), currency_id="INR"),
    )
    answer = service.both(lambda c: c.mass_pay(item=[item]))
    assert answer == po.MassPayResponse(
        ack=po.Ack(value="Success"),
        total=po.BasicAmount(value=Decimal("250.00"), currency_id="INR"),
    )


QUOTES = 'xmlns="http://quotes.example.net/StockQuote"'
XSI_NIL = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"'


def test_simple_typed_body_elements(generated: dict[str, Generated]) -> None:
    quotes = module(generated, "simple_body")

    def price(call: etree._Element, header: etree._Element | None) -> Answer:
        if call.text == "DELISTED":
            return Answer(f"<LastTradePrice {QUOTES} {XSI_NIL}/>")
        return Answer(f"<LastTradePrice {QUOTES}>1520.35</LastTradePrice>")

    handlers = {"Symbol": price}
    service = Service(quotes.StockQuoteSoapBindingClient, CORPUS / "simple-body.wsdl", handlers)
    assert service.both(lambda c: c.get_last_trade_price(symbol="INFY")) == Decimal("1520.35")
    assert service.both(lambda c: c.get_last_trade_price(symbol="DELISTED")) is None
    handlers["Symbol"] = reply(f"<MarketOpen {QUOTES}>true</MarketOpen>")
    assert service.both(lambda c: c.is_market_open(symbol="INFY")) is True


LAND = 'xmlns="http://landrecords.example.gov.in/ws/2013"'


def test_built_in_types_lists_and_nil(generated: dict[str, Generated]) -> None:
    land = module(generated, "builtin_types")
    answer = reply(
        f'<GetParcelResponse {LAND} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:lr="http://landrecords.example.gov.in/ws/2013"><Parcel>'
        "<ParcelId>18446744073709551615</ParcelId><RegisteredOn>1998-04-01</RegisteredOn>"
        "<LastSurvey>2024-02-29T10:15:30.250+05:30</LastSurvey><OfficeOpens>09:30:00"
        "</OfficeOpens><LeaseTerm>P30DT12H</LeaseTerm><SettlementYear>1872</SettlementYear>"
        "<MapImage>iVBORw0KGgo=</MapImage><Checksum>0FB7</Checksum>"
        "<AreaHectares>2.75</AreaHectares><Slope>-INF</Slope><Population>-12</Population>"
        "<SurveyNumbers>101 102  103</SurveyNumbers><PermittedUses>agricultural residential"
        "</PermittedUses><CurrentUse>residential</CurrentUse><Grade>2</Grade>"
        "<Classification>lr:Freehold</Classification><Portal>https://bhoomi.example.gov.in/"
        '</Portal><Mortgage xsi:nil="true"/><Encumbered> 1 </Encumbered></Parcel>'
        "</GetParcelResponse>"
    )
    service = Service(
        land.LandRecordsBindingClient, CORPUS / "builtin-types.wsdl", {"GetParcel": answer}
    )
    parcel = service.both(lambda c: c.get_parcel(parcel_id=2**64 - 1))
    assert parcel == land.Parcel(
        parcel_id=2**64 - 1,
        registered_on=date(1998, 4, 1),
        last_survey=datetime.fromisoformat("2024-02-29T10:15:30.250+05:30"),
        office_opens=time(9, 30),
        lease_term=timedelta(days=30, hours=12),
        settlement_year="1872",
        map_image=b"\x89PNG\r\n\x1a\n",
        checksum=bytes.fromhex("0fb7"),
        area_hectares=2.75,
        slope=float("-inf"),
        population=-12,
        survey_numbers=[101, 102, 103],
        permitted_uses=["agricultural", "residential"],
        current_use="residential",
        grade=2,
        classification="lr:Freehold",
        portal="https://bhoomi.example.gov.in/",
        mortgage=None,
        encumbered=True,
    )
    assert land.Grade.__args__ == (1, 2, 3)


CURRENCY = 'xmlns="http://www.currencyx.example.net/"'


def test_dotnet_service_soap_bindings_generated_http_ones_named(
    generated: dict[str, Generated],
) -> None:
    result = generated["dotnet_bindings"]
    assert result.code == 1 and result.stderr.splitlines() == [
        "error: not generated: binding CurrencyServiceHttpGet: an HTTP binding, not SOAP",
        "error: not generated: binding CurrencyServiceHttpPost: an HTTP binding, not SOAP",
    ]
    currency = module(generated, "dotnet_bindings")
    assert "binding CurrencyServiceHttpGet: an HTTP binding" in (currency.__doc__ or "")
    rates = reply(
        f"<GetRatesResponse {CURRENCY}><GetRatesResult><Rate><Symbol>INR</Symbol>"
        "<Value>83.2</Value><AsOf>2025-11-20T00:00:00</AsOf></Rate></GetRatesResult>"
        "</GetRatesResponse>"
    )
    for client_class in (currency.CurrencyServiceSoapClient, currency.CurrencyServiceSoap12Client):
        service = Service(client_class, CORPUS / "dotnet-bindings.wsdl", {"GetRates": rates})
        answer = service.both(lambda c: c.get_rates(base_currency="USD", symbols=["INR"]))
        assert answer == [currency.Rate(symbol="INR", value=83.2, as_of=datetime(2025, 11, 20))]
    empty = Service(
        currency.CurrencyServiceSoapClient,
        CORPUS / "dotnet-bindings.wsdl",
        {"GetRates": reply(f"<GetRatesResponse {CURRENCY}/>")},
    )
    assert empty.both(lambda c: c.get_rates()) is None


EVENTS_SINK = 'xmlns="http://events.logistics.example.com/consumer/2012"'


def test_one_way_operations(generated: dict[str, Generated]) -> None:
    sink = module(generated, "one_way")
    got: list[str] = []

    def notify(call: etree._Element, header: etree._Element | None) -> Answer:
        got.extend(e.get("id", "") for e in call)
        return Answer(status=202)

    service = Service(
        sink.NotificationConsumerBindingClient,
        CORPUS / "one-way.wsdl",
        {
            "Notify": notify,
            "Heartbeat": reply(
                f"<HeartbeatResponse {EVENTS_SINK}><Alive>true</Alive></HeartbeatResponse>"
            ),
        },
    )
    event = sink.Event(topic="shipment/delivered", at=datetime(2025, 11, 20, tzinfo=UTC), id="e1")
    assert service.both(lambda c: c.notify(event=[event])) is None
    assert got == ["e1", "e1"]
    assert service.both(lambda c: c.heartbeat()) is True


OTA = 'xmlns="http://www.hospitality.example.org/OTA/2003/05"'


def test_model_groups_attribute_groups_and_all(generated: dict[str, Generated]) -> None:
    ota = module(generated, "groups_and_all")

    def avail(call: etree._Element, header: etree._Element | None) -> Answer:
        assert call.get("Version") == "1.003"
        return Answer(
            f'<OTA_HotelAvailRS {OTA} EchoToken="e-1"><Success/>'
            '<RoomRate Code="BAR"><RoomTypeCode>KNG</RoomTypeCode><Total>7200.00</Total>'
            "</RoomRate></OTA_HotelAvailRS>"
        )

    service = Service(
        ota.HotelAvailBindingClient, CORPUS / "groups-and-all.wsdl", {"OTA_HotelAvailRQ": avail}
    )
    criteria = ota.StayCriteria(
        hotel_ref=ota.HotelRef(code="DEL01", chain_code="XX"),
        stay_date_range=ota.StayDateRange(start=date(2025, 12, 24), end=date(2025, 12, 26)),
        adults=2,
        program_id="GOLD",
        membership_id="M-77",
    )
    fast, slow = (
        client.hotel_avail(criteria=[criteria], version=Decimal("1.003"), echo_token="e-1")
        for client in service.clients
    )
    assert (
        fast.room_rate
        == slow.room_rate
        == [ota.RoomRate(total=Decimal("7200.00"), room_type_code="KNG", code="BAR")]
    )
    # An empty type is a presence marker: the fast path reads <Success/> as Success();
    # zeep reads every empty complex type as None, present or not.
    assert fast.success == ota.Success() and slow.success is None


SUITE = 'xmlns="http://suite.example.com/ws/warehouse/2015/1"'


def test_a_large_wsdl_with_many_bindings(generated: dict[str, Generated]) -> None:
    result = generated["suite_large"]
    assert result.code == 0, result.stderr
    suite = module(generated, "suite_large")
    clients = [name for name in suite.__all__ if name.endswith("BindingClient")]
    assert len(clients) == 27
    # one Record per namespace: the first met keeps the plain name
    assert suite.Record.__doc__ != suite.WarehouseRecord.__doc__
    wsdl = result.path.parent / "suite-large.wsdl"
    assert wsdl.stat().st_size > 1_000_000

    def search(call: etree._Element, header: etree._Element | None) -> Answer:
        assert header is not None and header.findtext(".//{*}TenantId") == "t-1"
        return Answer(
            f'<SearchWarehouseResponse {SUITE}><Record version="3"><Id>W-1</Id><Name>Bhiwandi'
            '</Name><State>ACTIVE</State><Total><Amount xmlns="http://suite.example.com/ws/'
            'common/2015/1">10.00</Amount><Currency xmlns="http://suite.example.com/ws/common/'
            '2015/1">INR</Currency></Total><Audit><CreatedBy xmlns="http://suite.example.com/ws/'
            'common/2015/1">ops</CreatedBy><CreatedAt xmlns="http://suite.example.com/ws/common/'
            '2015/1">2025-11-20T09:00:00Z</CreatedAt></Audit><Tags>cold</Tags></Record>'
            "<Count>1</Count></SearchWarehouseResponse>"
        )

    service = Service(suite.WarehouseBindingClient, wsdl, {"SearchWarehouseRequest": search})
    answer = service.both(
        lambda c: c.search_warehouse(
            criteria=suite.SearchWarehouseCriteria(field3="Bhiwandi"),
            context=suite.RequestContext(tenant_id="t-1"),
        )
    )
    (record,) = answer.record
    assert (record.id, record.version, record.tags, answer.count) == ("W-1", 3, ["cold"], 1)


PTZ = 'xmlns="http://www.camera.example.org/ver20/ptz/wsdl"'


def test_standard_schemas_read_offline(generated: dict[str, Generated]) -> None:
    """The XML namespace and SOAP encoding schemas come from soap_client's own stand-ins."""
    ptz = module(generated, "standard_imports")

    def presets(call: etree._Element, header: etree._Element | None) -> Answer:
        return Answer(
            f'<GetPresetsResponse {PTZ}><Preset token="p1"><Name xml:lang="en">Gate</Name>'
            '<Name xml:lang="hi">Dwaar</Name></Preset></GetPresetsResponse>'
        )

    status = reply(
        f"<GetStatusResponse {PTZ}><MoveStatus>IDLE</MoveStatus><Zoom>3</Zoom></GetStatusResponse>"
    )
    service = Service(
        ptz.PTZBindingClient,
        CORPUS / "standard-imports.wsdl",
        {"GetPresets": presets, "GetStatus": status},
    )
    (preset,) = service.both(lambda c: c.get_presets(profile_token="main"))
    assert [(n.value, n.lang) for n in preset.name] == [("Gate", "en"), ("Dwaar", "hi")]
    answer = service.both(lambda c: c.get_status(profile_token=ptz.String(value="main")))
    assert (answer.move_status.value, answer.zoom.value) == ("IDLE", 3)
    # the default client (zeep's forbid_external on, no transport given) loads it offline too
    client = ptz.PTZBindingClient(str(CORPUS / "standard-imports.wsdl"))
    assert client.address == "http://192.0.2.10/onvif/ptz"


RES = 'xmlns="http://www.reservations.example.org/2008/03"'


def test_repeated_choices_and_sequences_keep_their_order(generated: dict[str, Generated]) -> None:
    res = module(generated, "repeated_compositors")

    def modify(call: etree._Element, header: etree._Element | None) -> Answer:
        ns = "{http://www.reservations.example.org/2008/03}"
        pairs = [(c.tag.replace(ns, ""), c.text) for c in call if c.tag != f"{ns}Locator"]
        assert pairs == [
            ("Name", "seat"),
            ("Value", "12C"),
            ("Name", "meal"),
            ("Name", "bag"),
            ("Value", "2"),
        ]
        return Answer(
            f"<ModifyResponse {RES}><Locator>ABC123</Locator>"
            '<Warning Code="W1">fare changed</Warning><Info>seat moved</Info>'
            '<Error Code="E7">meal sold out</Error><Error Code="E8">bag limit</Error>'
            '<Warning Code="W2">check-in closes</Warning></ModifyResponse>'
        )

    service = Service(
        res.ReservationsBindingClient, CORPUS / "repeated-compositors.wsdl", {"Modify": modify}
    )
    answer = service.both(
        lambda c: c.modify(
            locator="ABC123",
            name_and_value=[
                res.NameAndValue(name="seat", value="12C"),
                res.NameAndValue(name="meal"),
                res.NameAndValue(name="bag", value="2"),
            ],
        )
    )
    occurrences = answer.warning_or_error_or_info
    assert occurrences == [
        res.WarningOrErrorOrInfo(warning=res.Message(value="fare changed", code="W1")),
        res.WarningOrErrorOrInfo(info="seat moved"),
        res.WarningOrErrorOrInfo(
            error=[
                res.Message(value="meal sold out", code="E7"),
                res.Message(value="bag limit", code="E8"),
            ]
        ),
        res.WarningOrErrorOrInfo(warning=res.Message(value="check-in closes", code="W2")),
    ]


# -- every generated client reads faults, on both paths -------------------------------------------


def fault_response(client: Any, detail: str = "") -> Any:
    """An HTTP 500 with a SOAP fault in the client's SOAP version."""
    import requests

    env = client._envelope
    if env.endswith("/envelope/"):
        fault = (
            "<e:Fault><faultcode>e:Server</faultcode><faultstring>the backend is down"
            f"</faultstring>{detail and f'<detail>{detail}</detail>'}</e:Fault>"
        )
    else:
        fault = (
            "<e:Fault><e:Code><e:Value>e:Receiver</e:Value></e:Code><e:Reason>"
            '<e:Text xml:lang="en">the backend is down</e:Text></e:Reason>'
            f"{detail and f'<e:Detail>{detail}</e:Detail>'}</e:Fault>"
        )
    response = requests.Response()
    response.status_code = 500
    response._content = (
        f'<e:Envelope xmlns:e="{env}"><e:Body>{fault}</e:Body></e:Envelope>'.encode()
    )
    response.headers["Content-Type"] = "text/xml"
    return response


GENERATED = [e for e in ENTRIES if e.exit in (0, 1)]


@pytest.mark.parametrize("entry", GENERATED, ids=[e.module for e in GENERATED])
def test_every_client_reads_an_undeclared_fault(
    entry: Entry, generated: dict[str, Generated]
) -> None:
    generated_module = module(generated, entry.module)
    catalog = CORPUS / entry.catalog if entry.catalog else None
    clients = [
        getattr(generated_module, n) for n in generated_module.__all__ if n.endswith("Client")
    ]
    assert clients
    for client_class in clients:
        name = next(iter(client_class.operations))
        read = []
        for fast in (True, False):
            client = client_class(str(entry.path), "http://stub.test/", catalog=catalog, fast=fast)
            with pytest.raises(generated_module.ServiceFault) as raised:
                client._reply(client.operations[name], fault_response(client))
            read.append((type(raised.value), raised.value.faultcode, raised.value.message))
        assert read[0] == read[1]
        assert read[0][0] is generated_module.ServiceFault
        assert read[0][1].rpartition(":")[2] in ("Server", "Receiver")
        assert read[0][2] == "the backend is down"
