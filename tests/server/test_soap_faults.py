"""Every fault code of the contract, produced over the wire, and the GET side of ``/soap``.

Requests are raw SOAP 1.1 envelopes through the in-process werkzeug client; answers are read
structurally with lxml. Seats are filled in-process through ``railway.book`` where a test needs a
full train, since only the fault itself has to travel over the wire.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client
from werkzeug.wrappers import Response

from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.system import Railway
from soap_server.wsgi import CoreApp, create_app
from tests.conftest import JOURNEY, PASSWORDS, SOAP_ENV, TNS, core_settings, envelope, login_token
from tests.support import READER, Fault, counts, fill, read_fault, writer_lock_held

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
OPERATIONS = {
    "Login",
    "Logout",
    "SearchTrain",
    "Book",
    "GetPnrStatus",
    "CancelBooking",
    "GetTrainSchedule",
    "ChangeBoardingPoint",
}
UTF8 = "text/xml; charset=utf-8"
BOGUS_TOKEN = "NotIssuedByTheCore_0123456789abcdef"


# -- reading answers ----------------------------------------------------------------------------


def expect_fault(response: Response, code: str, retryable: bool = False) -> Fault:
    fault = read_fault(response)
    kind = "Server" if retryable else "Client"
    assert (fault.faultcode, fault.code, fault.retryable) == (f"{kind}.{code}", code, retryable), (
        fault
    )
    return fault


def answer(response: Response, operation: str) -> etree._Element:
    """The ``<operation>Response`` element of a successful call."""
    assert response.status_code == 200, response.data[:600]
    assert response.mimetype == "text/xml"
    root = etree.fromstring(response.data, READER)
    found = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}{operation}Response")
    assert found is not None, response.data[:600]
    return found


# -- requests -----------------------------------------------------------------------------------


def call(http: Client, body: str, token: str | None = None) -> Response:
    return http.post("/soap", data=envelope(body, token), content_type=UTF8)


def login_xml(agent: str = "MMT", password: str | None = None) -> str:
    password = PASSWORDS[agent] if password is None else password
    return (
        f"<tns:Login><tns:AgentId>{agent}</tns:AgentId>"
        f"<tns:Password>{password}</tns:Password></tns:Login>"
    )


def wire_login(http: Client, agent: str = "MMT") -> str:
    token = answer(call(http, login_xml(agent)), "Login").findtext(f".//{{{TNS}}}SessionToken")
    assert token
    return token


def search_xml(
    source: str = "NDLS", destination: str = "MMCT", journey: date | str = JOURNEY
) -> str:
    return (
        f"<tns:SearchTrain><tns:From>{source}</tns:From><tns:To>{destination}</tns:To>"
        f"<tns:JourneyDate>{journey}</tns:JourneyDate></tns:SearchTrain>"
    )


Pax = tuple[str, int, str]
RAVI: Pax = ("Ravi Kumar", 34, "M")
ANITA: Pax = ("Anita Kumar", 31, "F")


def book_xml(
    reference: str,
    train: str = "12952",
    journey: date | str = JOURNEY,
    source: str = "NDLS",
    destination: str = "MMCT",
    travel_class: str = "3A",
    quota: str = "GN",
    passengers: tuple[Pax, ...] = (RAVI,),
    only_if_confirmed: bool | None = None,
) -> str:
    people = "".join(
        f"<tns:Passenger><tns:Name>{name}</tns:Name><tns:Age>{age}</tns:Age>"
        f"<tns:Gender>{gender}</tns:Gender></tns:Passenger>"
        for name, age, gender in passengers
    )
    only = (
        ""
        if only_if_confirmed is None
        else f"<tns:OnlyIfConfirmed>{str(only_if_confirmed).lower()}</tns:OnlyIfConfirmed>"
    )
    return (
        f"<tns:Book><tns:TrainNumber>{train}</tns:TrainNumber>"
        f"<tns:JourneyDate>{journey}</tns:JourneyDate>"
        f"<tns:From>{source}</tns:From><tns:To>{destination}</tns:To>"
        f"<tns:Class>{travel_class}</tns:Class><tns:Quota>{quota}</tns:Quota>"
        f"<tns:Passengers>{people}</tns:Passengers>{only}"
        f"<tns:ClientReference>{reference}</tns:ClientReference></tns:Book>"
    )


def pnr_xml(pnr: str) -> str:
    return f"<tns:GetPnrStatus><tns:Pnr>{pnr}</tns:Pnr></tns:GetPnrStatus>"


def cancel_xml(pnr: str, numbers: tuple[int, ...] = ()) -> str:
    selection = ""
    if numbers:
        selection = (
            "<tns:Passengers>"
            + "".join(f"<tns:PassengerNumber>{n}</tns:PassengerNumber>" for n in numbers)
            + "</tns:Passengers>"
        )
    return f"<tns:CancelBooking><tns:Pnr>{pnr}</tns:Pnr>{selection}</tns:CancelBooking>"


def wire_book(http: Client, token: str, reference: str, **kwargs: Any) -> str:
    booking = answer(call(http, book_xml(reference, **kwargs), token), "Book")
    pnr = booking.findtext(f".//{{{TNS}}}Pnr")
    assert pnr and len(pnr) == 10
    return pnr


# -- agents and sessions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "password"),
    [
        pytest.param("MMT", "not-the-password", id="wrong-password"),
        pytest.param("NOBODY", "whatever", id="unknown-agent"),
    ],
)
def test_authentication_failed(http: Client, agent: str, password: str) -> None:
    fault = expect_fault(call(http, login_xml(agent, password)), "AuthenticationFailed")
    assert password not in fault.message


def test_five_bad_logins_throttle_the_address(http: Client, clock: FixedClock) -> None:
    for _ in range(5):
        expect_fault(call(http, login_xml("MMT", "wrong")), "AuthenticationFailed")
    # The right password is refused too from this address, until the pause ends.
    expect_fault(call(http, login_xml("MMT")), "LoginThrottled")
    clock.advance(timedelta(minutes=15))
    assert wire_login(http)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(search_xml(), id="SearchTrain"),
        pytest.param(book_xml("no-session"), id="Book"),
        pytest.param(pnr_xml("2123456789"), id="GetPnrStatus"),
        pytest.param(cancel_xml("2123456789"), id="CancelBooking"),
        pytest.param("<tns:Logout/>", id="Logout"),
    ],
)
def test_session_invalid_without_header(http: Client, body: str) -> None:
    expect_fault(call(http, body), "SessionInvalid")


@pytest.mark.parametrize(
    "body",
    [pytest.param(search_xml(), id="SearchTrain"), pytest.param("<tns:Logout/>", id="Logout")],
)
def test_session_invalid_with_bogus_token(http: Client, body: str) -> None:
    expect_fault(call(http, body, BOGUS_TOKEN), "SessionInvalid")


def test_session_expired_after_idle_minutes(http: Client, clock: FixedClock) -> None:
    token = wire_login(http)
    answer(call(http, search_xml(), token), "SearchTrain")
    clock.advance(timedelta(minutes=15, seconds=1))
    expect_fault(call(http, search_xml(), token), "SessionExpired")


def test_session_expired_after_logout(http: Client) -> None:
    token = wire_login(http)
    logged_out = answer(call(http, "<tns:Logout/>", token), "Logout")
    assert logged_out.findtext(f".//{{{TNS}}}LoggedOut") == "true"
    expect_fault(call(http, search_xml(), token), "SessionExpired")
    expect_fault(call(http, "<tns:Logout/>", token), "SessionExpired")


# -- faults of search and booking ---------------------------------------------------------------


def test_no_confirmed_seats(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    fill(railway, token, 22, cls="1A")  # the 22 general-quota berths of 12952's one 1A coach
    before = counts(railway)
    body = book_xml("only-cnf", travel_class="1A", only_if_confirmed=True)
    fault = expect_fault(call(http, body, token), "NoConfirmedSeats")
    assert "nothing was booked" in fault.message
    assert counts(railway) == before
    # Without the flag the same request is waitlisted instead.
    booking = answer(call(http, book_xml("waitlisted", travel_class="1A"), token), "Book")
    assert booking.findtext(f".//{{{TNS}}}CurrentStatus") == "GNWL 1"


def test_waitlist_full(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    fill(railway, token, 22 + 30, cls="1A")  # every 1A berth, then the 30 places of the GN waitlist
    before = counts(railway)
    fault = expect_fault(call(http, book_xml("regret", travel_class="1A"), token), "WaitlistFull")
    assert "REGRET" in fault.message
    assert counts(railway) == before


# -- faults of PNR status and cancellation ------------------------------------------------------


def test_pnr_not_found(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    expect_fault(call(http, pnr_xml("2999999999"), token), "PnrNotFound")
    expect_fault(call(http, cancel_xml("2999999999"), token), "PnrNotFound")


def test_another_agents_pnr_is_not_found(http: Client, railway: Railway) -> None:
    pnr = wire_book(http, login_token(railway, "MMT"), "owned-by-mmt")
    paytm = wire_login(http, "PAYTM")
    expect_fault(call(http, pnr_xml(pnr), paytm), "PnrNotFound")
    expect_fault(call(http, cancel_xml(pnr), paytm), "PnrNotFound")
    # The other agent's attempt changed nothing.
    status = answer(call(http, pnr_xml(pnr), login_token(railway, "MMT")), "GetPnrStatus")
    assert status.findtext(f".//{{{TNS}}}CurrentStatus", "").startswith("CNF/")


def test_already_cancelled(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    pnr = wire_book(http, token, "cancel-twice", passengers=(RAVI, ANITA))
    answer(call(http, cancel_xml(pnr, (1,)), token), "CancelBooking")
    expect_fault(call(http, cancel_xml(pnr, (1,)), token), "AlreadyCancelled")
    answer(call(http, cancel_xml(pnr), token), "CancelBooking")
    expect_fault(call(http, cancel_xml(pnr), token), "AlreadyCancelled")


@pytest.mark.parametrize(
    "numbers",
    [pytest.param((3,), id="no-passenger-3"), pytest.param((1, 1), id="repeated-number")],
)
def test_invalid_passenger_selection(
    http: Client, railway: Railway, numbers: tuple[int, ...]
) -> None:
    token = login_token(railway)
    pnr = wire_book(http, token, "select", passengers=(RAVI, ANITA))
    expect_fault(call(http, cancel_xml(pnr, numbers), token), "InvalidPassengerSelection")


def test_duplicate_reference(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    pnr = wire_book(http, token, "dup-1")
    fault = expect_fault(
        call(http, book_xml("dup-1", passengers=(ANITA,)), token), "DuplicateReference"
    )
    assert pnr in fault.message
    assert counts(railway)[:2] == (1, 1)  # bookings, passengers


def test_cancellation_closed(http: Client, railway: Railway, clock: FixedClock) -> None:
    pnr = wire_book(http, login_token(railway), "too-late")
    clock.set(datetime(2025, 11, 30, 17, 30, tzinfo=IST))  # 12952 left NDLS at 16:55
    token = wire_login(http)
    expect_fault(call(http, cancel_xml(pnr), token), "CancellationClosed")


# -- Server faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at", [time(23, 45), time(23, 50), time(0, 10), time(0, 19)], ids=lambda t: f"{t:%H:%M}"
)
def test_maintenance_window(http: Client, clock: FixedClock, at: time) -> None:
    day = date(2025, 11, 20) if at.hour == 23 else date(2025, 11, 21)
    clock.set(datetime.combine(day, at, IST))
    fault = expect_fault(call(http, login_xml()), "Maintenance", retryable=True)
    assert "00:20" in fault.message


def test_maintenance_applies_to_a_live_session(http: Client, clock: FixedClock) -> None:
    token = wire_login(http)
    clock.set(datetime(2025, 11, 20, 23, 50, tzinfo=IST))
    expect_fault(call(http, search_xml(), token), "Maintenance", retryable=True)


@pytest.mark.parametrize("at", [time(23, 44), time(0, 20)], ids=lambda t: f"{t:%H:%M}")
def test_open_outside_the_maintenance_window(http: Client, clock: FixedClock, at: time) -> None:
    day = date(2025, 11, 20) if at.hour == 23 else date(2025, 11, 21)
    clock.set(datetime.combine(day, at, IST))
    assert wire_login(http)


def test_busy_database(busy_app: tuple[CoreApp, Path]) -> None:
    app, path = busy_app
    http = Client(app)
    with writer_lock_held(path):
        expect_fault(call(http, login_xml()), "Busy", retryable=True)
    assert wire_login(http)


def test_internal_error_hides_the_cause(
    http: Client, railway: Railway, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/core/booking.py")

    monkeypatch.setattr(railway.office, "search", broken)
    response = call(http, search_xml(), login_token(railway))
    fault = expect_fault(response, "InternalError", retryable=True)
    assert fault.message == "unexpected internal error"
    assert b"secret internals" not in response.data and b"RuntimeError" not in response.data


# -- retries ------------------------------------------------------------------------------------


def test_book_retried_with_same_reference_returns_same_pnr(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    body = book_xml("lost-response-1", passengers=(RAVI, ANITA))
    first = answer(call(http, body, token), "Book")
    second = answer(call(http, body, token), "Book")
    pnr = first.findtext(f".//{{{TNS}}}Pnr")
    assert pnr and second.findtext(f".//{{{TNS}}}Pnr") == pnr
    statuses = [e.text for e in first.iter(f"{{{TNS}}}CurrentStatus")]
    assert [e.text for e in second.iter(f"{{{TNS}}}CurrentStatus")] == statuses
    assert counts(railway)[:2] == (1, 2)  # bookings, passengers


# -- GET and the other routes -------------------------------------------------------------------


def _soap_address(wsdl: bytes) -> list[str]:
    root = etree.fromstring(wsdl, READER)
    assert root.tag == f"{{{WSDL_NS}}}definitions"
    assert root.get("targetNamespace") == TNS
    port_operations = root.findall(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
    operations = {op.get("name") for op in port_operations}
    assert operations == OPERATIONS
    return [a.get("location", "") for a in root.iter(f"{{{WSDL_SOAP11}}}address")]


@pytest.mark.parametrize("query", ["wsdl", "WSDL", "wsdl&extra=1"])
def test_wsdl_address_is_the_configured_public_url(http: Client, app: CoreApp, query: str) -> None:
    response = http.get(f"/soap?{query}", base_url="http://attacker.example:9999/")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert _soap_address(response.data) == [app.settings.public_url]


def test_wsdl_address_follows_settings_not_the_caller(tmp_path: Path, clock: FixedClock) -> None:
    public = "https://irctc.example.test/partners/soap"
    app = create_app(core_settings(tmp_path / "other.sqlite3", clock, public_url=public))
    try:
        client = Client(app)
        for base in ("http://localhost/", "http://127.0.0.1:8000/", "https://evil.example/"):
            response = client.get("/soap?wsdl", base_url=base)
            assert _soap_address(response.data) == [public]
    finally:
        app.close()


def test_head_wsdl_has_no_body(http: Client) -> None:
    full = http.get("/soap?wsdl")
    head = http.head("/soap?wsdl")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(full.data))


def test_get_without_wsdl_is_the_operations_page(http: Client) -> None:
    response = http.get("/soap")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert 'href="/soap?op=Book"' in text and "?wsdl" in text


def test_healthz(http: Client, railway: Railway) -> None:
    wire_book(http, login_token(railway), "health-1")
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert body == {"status": "ok", "maintenance": False}  # no count of bookings, no paths


# -- logging ------------------------------------------------------------------------------------


def test_client_faults_are_not_logged_with_a_traceback(
    http: Client, railway: Railway, caplog: pytest.LogCaptureFixture
) -> None:
    token = login_token(railway)
    caplog.set_level(logging.DEBUG)
    expect_fault(call(http, login_xml("MMT", "wrong")), "AuthenticationFailed")
    expect_fault(call(http, search_xml()), "SessionInvalid")
    expect_fault(call(http, search_xml("XYZQ", "NDLS"), token), "UnknownStation")
    expect_fault(
        call(http, book_xml("log-1", passengers=(("R2D2", 30, "M"),)), token), "InvalidPassenger"
    )
    expect_fault(call(http, book_xml("log-2", train="12AB5"), token), "SchemaValidation")
    expect_fault(call(http, "<tns:Frobnicate/>"), "UnknownOperation")
    expect_fault(http.post("/soap", data=b"<not-xml", content_type=UTF8), "MalformedXml")
    assert any(r.name == "soap_server.access" for r in caplog.records), "nothing was captured"
    with_traceback = [r for r in caplog.records if r.exc_info or r.exc_text or r.stack_info]
    assert with_traceback == [], [(r.name, r.getMessage()) for r in with_traceback]
    assert not [r for r in caplog.records if "Traceback" in r.getMessage()]
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [(r.name, r.levelname, r.getMessage()) for r in loud]
