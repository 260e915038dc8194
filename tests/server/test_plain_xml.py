"""The plain-XML facade (``POST /xml``): the seed's ``<Request>`` documents, every error code the
core can raise, batch semantics, hostile and invalid documents, and the XSD contract.

Requests are raw documents through the in-process werkzeug client. Every answer is read
structurally with lxml and validated against the XSD (``answer``), so each test also checks that
the endpoint speaks its own contract. Seats are filled in-process with ``fill`` where a test needs
a full train; only the error itself has to travel over the wire.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse

from soap_server.plainxml import PlainXmlEndpoint, contract
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import CoreApp
from soap_server.xmlguard import Limits
from tests.conftest import JOURNEY, PASSWORDS, login_token
from tests.support import READER, counts, fill, writer_lock_held

ROOT = Path(__file__).resolve().parents[2]
SEED_SAMPLE = ROOT / "samples" / "pre-soap" / "login-and-search.request.xml"
COMMITTED_XSD = ROOT / "xsd" / "irctc_plain_v1.xsd"
PACKAGE_XSD = resources.files("soap_server.plainxml").joinpath("irctc_plain_v1.xsd")
UTF8 = "text/xml; charset=utf-8"
BOGUS_TOKEN = "NotIssuedByTheCore_0123456789abcdef"
#: The contract, compiled from the package file independently of the endpoint's own copy.
SCHEMA = etree.XMLSchema(etree.fromstring(PACKAGE_XSD.read_bytes(), READER))


# -- the endpoint -------------------------------------------------------------------------------


class CheckedResponse(TestResponse):
    """Every answer a client of this module receives, checked against the contract as it
    arrives: the XSD itself for GET (nothing for HEAD), else a ``<Response>`` valid against it,
    whatever the status (200, 400, 405 or 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.request.method == "HEAD":
            assert self.data == b""
        elif self.request.method == "GET":
            assert self.data == contract()
        else:
            root = etree.fromstring(self.data, READER)
            assert root.tag == "Response", self.data[:400]
            assert SCHEMA.validate(root), (str(SCHEMA.error_log), self.data[:800])


def checked_client(endpoint: PlainXmlEndpoint) -> Client:
    return Client(endpoint, response_wrapper=CheckedResponse)


def limits_of(settings: Settings) -> Limits:
    return Limits(
        max_body_bytes=settings.max_body_bytes,
        max_depth=settings.max_xml_depth,
        max_attributes=settings.max_xml_attributes,
        max_elements=settings.max_xml_elements,
    )


@pytest.fixture
def endpoint(railway: Railway, settings: Settings) -> PlainXmlEndpoint:
    return PlainXmlEndpoint(railway, limits_of(settings))


@pytest.fixture
def client(endpoint: PlainXmlEndpoint) -> Client:
    return checked_client(endpoint)


@pytest.fixture(scope="module")
def shared(shared_core: tuple[Railway, str]) -> tuple[Client, str]:
    """A client on the module's shared core and an MMT session on it: for tests that don't
    write (rule errors, rejected documents) and don't move the clock."""
    core, token = shared_core
    return checked_client(PlainXmlEndpoint(core, limits_of(Settings()))), token


# -- reading answers ----------------------------------------------------------------------------


def answer(response: TestResponse, status: int = 200) -> list[etree._Element]:
    """The children of the ``<Response>``, after checking the status and the contract."""
    assert response.status_code == status, (response.status, response.data[:600])
    assert response.mimetype == "text/xml" and response.mimetype_params["charset"] == "utf-8"
    root = etree.fromstring(response.data, READER)
    assert SCHEMA.validate(root), (str(SCHEMA.error_log), response.data[:800])
    assert root.tag == "Response"
    return list(root)


def error_of(
    results: list[etree._Element], op: str | None, code: str, retryable: bool = False
) -> etree._Element:
    """The ``<Error>`` that ends ``results``, checked to be ``op``'s ``code``."""
    error = results[-1]
    assert error.tag == "Error", etree.tostring(error)
    assert (error.get("op"), error.get("code"), error.get("retryable")) == (
        op,
        code,
        "true" if retryable else "false",
    ), dict(error.attrib)
    message = error.get("message", "")
    assert message.strip() and "\n" not in message
    return error


def tags(results: list[etree._Element]) -> list[str]:
    return [str(e.tag) for e in results]


# -- requests -----------------------------------------------------------------------------------


def post(client: Client, data: str | bytes, content_type: str | None = UTF8) -> TestResponse:
    body = data.encode("utf-8") if isinstance(data, str) else data
    return client.post("/", data=body, content_type=content_type)


def run(client: Client, *operations: str, session: str | None = None) -> list[etree._Element]:
    """Post one ``<Request>`` of ``operations`` and return the results (HTTP 200)."""
    attribute = f' session="{session}"' if session is not None else ""
    return answer(post(client, f"<Request{attribute}>{''.join(operations)}</Request>"))


def login(agent: str = "MMT", password: str | None = None) -> str:
    password = PASSWORDS[agent] if password is None else password
    return f'<Login user="{agent}" password="{password}"/>'


def search(
    source: str = "NDLS",
    destination: str = "MMCT",
    journey: date | str = JOURNEY,
    cls: str | None = None,
) -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<SearchTrain source="{source}" destination="{destination}" date="{journey}"{extra}/>'


Pax = tuple[str, int | str, str]
RAVI: Pax = ("Ravi Kumar", 34, "M")
ANITA: Pax = ("Anita Kumar", 31, "F")
SEVEN: tuple[Pax, ...] = tuple((f"Traveller {chr(65 + i)}", 30 + i, "M") for i in range(7))


def book(
    reference: str,
    train: str = "12952",
    journey: date | str = JOURNEY,
    source: str = "NDLS",
    destination: str = "MMCT",
    cls: str = "3A",
    quota: str | None = None,
    passengers: tuple[Pax, ...] = (RAVI,),
    only_if_confirmed: bool | None = None,
) -> str:
    people = "".join(
        f'<Passenger name="{name}" age="{age}" gender="{gender}"/>'
        for name, age, gender in passengers
    )
    extra = f' quota="{quota}"' if quota else ""
    if only_if_confirmed is not None:
        extra += f' onlyIfConfirmed="{str(only_if_confirmed).lower()}"'
    return (
        f'<Book train="{train}" date="{journey}" source="{source}" destination="{destination}"'
        f' class="{cls}" reference="{reference}"{extra}>{people}</Book>'
    )


def pnr_status(pnr: str | None = None, reference: str | None = None) -> str:
    return f"<PnrStatus{_booking_name(pnr, reference)}/>"


def cancel(pnr: str | None = None, reference: str | None = None, numbers: str | None = None) -> str:
    selection = f' passengers="{numbers}"' if numbers is not None else ""
    return f"<Cancel{_booking_name(pnr, reference)}{selection}/>"


def _booking_name(pnr: str | None, reference: str | None) -> str:
    return (f' pnr="{pnr}"' if pnr else "") + (f' reference="{reference}"' if reference else "")


LOGOUT = "<Logout/>"


def operation_name(operation: str) -> str:
    return str(etree.fromstring(operation.encode(), READER).tag)


def wire_login(client: Client, agent: str = "MMT") -> str:
    (result,) = run(client, login(agent))
    return result.get("session", "")


def wire_book(client: Client, token: str, reference: str, **kwargs: Any) -> str:
    (result,) = run(client, book(reference, **kwargs), session=token)
    assert result.tag == "Book", etree.tostring(result)
    return result.get("pnr", "")


def statuses(booking: etree._Element) -> list[str]:
    return [p.get("currentStatus", "") for p in booking.iterchildren("Passenger")]


# -- the seed story -----------------------------------------------------------------------------


def test_seed_sample_is_a_valid_request() -> None:
    assert SCHEMA.validate(etree.parse(str(SEED_SAMPLE), READER))


def test_seed_sample_with_the_demo_password(client: Client) -> None:
    sample = SEED_SAMPLE.read_text("utf-8").replace('"secret"', '"mmt-secret-2008"')
    logged_in, found = answer(post(client, sample))
    assert logged_in.tag == "Login"
    assert logged_in.get("agent") == "MMT" and len(logged_in.get("session", "")) >= 16
    assert logged_in.get("idleTimeoutMinutes") == "15"
    assert logged_in.get("serverTime") == "2025-11-20T09:00:00+05:30"
    assert found.tag == "SearchTrain"
    trains = {t.get("number"): t for t in found.iterchildren("Train")}
    assert "12952" in trains
    # BCT, Mumbai Central's pre-2018 code, is answered as MMCT.
    assert {(t.get("source"), t.get("destination")) for t in trains.values()} == {("NDLS", "MMCT")}
    rajdhani = trains["12952"]
    assert rajdhani.get("name") == "Mumbai Rajdhani Express"
    assert rajdhani.get("departs") == "2025-11-30T16:55:00+05:30"
    assert rajdhani.get("arrives") == "2025-12-01T08:35:00+05:30"
    assert rajdhani.get("duration") == "PT15H40M"
    third_ac = rajdhani.find("Class[@code='3A']")
    assert third_ac is not None
    assert {k: v for k, v in third_ac.attrib.items() if k not in ("status", "available")} == {
        "code": "3A",
        "name": "AC 3 Tier",
        "quota": "GN",
        "fare": "2546.00",
        "base": "2340.00",
        "reservation": "40.00",
        "superfast": "45.00",
        "tatkal": "0.00",
        "gst": "121.00",
    }
    assert third_ac.get("status") == f"AVAILABLE {third_ac.get('available')}"


def test_seed_sample_as_written_fails_at_login(client: Client) -> None:
    results = answer(post(client, SEED_SAMPLE.read_bytes()))
    assert tags(results) == ["Error"]  # SearchTrain was not run
    error = error_of(results, "Login", "AuthenticationFailed")
    assert "secret" not in error.get("message", "")


# -- journeys -----------------------------------------------------------------------------------


def test_full_journey_in_one_request(client: Client, railway: Railway) -> None:
    results = run(
        client,
        login(),
        search(cls="3A"),
        book("MMT-J1", passengers=(RAVI, ANITA)),
        pnr_status(reference="MMT-J1"),
        cancel(reference="MMT-J1", numbers="1"),
        LOGOUT,
    )
    assert tags(results) == ["Login", "SearchTrain", "Book", "PnrStatus", "Cancel", "Logout"]
    _, found, booked, status, cancelled, logged_out = results
    assert [c.get("code") for c in found.iter("Class")] == ["3A"] * len(found)
    pnr = booked.get("pnr", "")
    assert len(pnr) == 10 and pnr.isdigit()
    assert {k: booked.get(k) for k in ("reference", "train", "source", "destination")} == {
        "reference": "MMT-J1",
        "train": "12952",
        "source": "NDLS",
        "destination": "MMCT",
    }
    assert booked.get("date") == "2025-11-30"
    assert booked.get("bookedAt") == "2025-11-20T09:00:00+05:30"
    assert booked.get("totalFare") == "5092.00" and booked.get("totalRefund") == "0.00"
    fare = booked.find("Fare")
    assert fare is not None and fare.get("total") == "2546.00" and fare.get("gst") == "121.00"
    passengers = list(booked.iterchildren("Passenger"))
    assert [(p.get("number"), p.get("name"), p.get("gender")) for p in passengers] == [
        ("1", "Ravi Kumar", "M"),
        ("2", "Anita Kumar", "F"),
    ]
    for p in passengers:
        assert p.get("currentStatus") == f"CNF/{p.get('coach')}/{p.get('berth')}"
        assert p.get("bookingStatus") == p.get("currentStatus") and p.get("berthType")
    assert status.get("pnr") == pnr and statuses(status) == statuses(booked)
    assert cancelled.get("pnr") == pnr and cancelled.get("cancelled") == "1"
    assert cancelled.get("refund") == "2357.00" and cancelled.get("charges") == "189.00"
    after = cancelled.find("Booking")
    assert after is not None and after.get("totalRefund") == "2357.00"
    assert statuses(after) == ["CAN", statuses(booked)[1]]
    assert logged_out.attrib == {} and len(logged_out) == 0
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1


def test_journey_across_requests_with_a_session(client: Client) -> None:
    token = wire_login(client)
    found, booked = run(client, search(), book("MMT-J2", passengers=(RAVI, ANITA)), session=token)
    assert found.tag == "SearchTrain" and booked.tag == "Book"
    pnr = booked.get("pnr", "")
    (status,) = run(client, pnr_status(pnr), session=token)
    assert status.tag == "PnrStatus" and statuses(status) == statuses(booked)
    (cancelled,) = run(client, cancel(pnr, numbers="2"), session=token)
    assert cancelled.get("cancelled") == "2"
    (logged_out,) = run(client, LOGOUT, session=token)
    assert logged_out.tag == "Logout"
    error_of(run(client, pnr_status(pnr), session=token), "PnrStatus", "SessionExpired")


def test_login_in_a_request_replaces_its_session(client: Client, railway: Railway) -> None:
    pnr = wire_book(client, login_token(railway, "MMT"), "mmt-owned")
    # The request starts as PAYTM; the Login makes the PnrStatus after it MMT's.
    results = run(client, login("MMT"), pnr_status(pnr), session=login_token(railway, "PAYTM"))
    assert tags(results) == ["Login", "PnrStatus"]


def test_cancel_reports_the_promotions_it_causes(client: Client, railway: Railway) -> None:
    token = login_token(railway)
    filled = fill(railway, token, 22, cls="1A")  # every GN berth of 12952's one 1A coach
    (waiting,) = run(client, book("MMT-W1", cls="1A"), session=token)
    assert statuses(waiting) == ["GNWL 1"]
    (cancelled,) = run(client, cancel(filled[0][0], numbers="1"), session=token)
    promotions = [(p.get("from"), p.get("to", "")) for p in cancelled.iterchildren("Promotion")]
    assert len(promotions) == 1 and promotions[0][0] == "GNWL 1"
    assert promotions[0][1].startswith("CNF/")
    (status,) = run(client, pnr_status(waiting.get("pnr")), session=token)
    assert statuses(status) == [promotions[0][1]]


# -- batches ------------------------------------------------------------------------------------


def test_a_failure_stops_the_batch(client: Client, railway: Railway) -> None:
    token = login_token(railway)
    results = run(
        client,
        book("MMT-B1"),
        book("MMT-B2", passengers=(ANITA, ("R2D2", 30, "M"))),  # passenger 2 is invalid
        book("MMT-B3"),
        cancel(reference="MMT-B1"),
        session=token,
    )
    assert tags(results) == ["Book", "Error"]
    error = error_of(results, "Book", "InvalidPassenger")
    assert "passenger 2" in error.get("message", "")
    # Op 1 stays done; op 2 wrote nothing, not even its valid first passenger; 3 and 4 never ran.
    with railway.store.read() as tx:
        assert (tx.count("bookings"), tx.count("passengers")) == (1, 1)
    assert (
        railway.pnr_status(token, results[0].get("pnr", ""))
        .passengers[0]
        .current_status.startswith("CNF/")
    )


def test_a_failed_first_operation_runs_nothing_else(client: Client, railway: Railway) -> None:
    results = run(client, login("MMT", "wrong"), login("PAYTM"), search())
    assert tags(results) == ["Error"]
    error_of(results, "Login", "AuthenticationFailed")
    with railway.store.read() as tx:
        assert tx.count("sessions") == 0


def test_sixteen_operations_are_accepted(shared: tuple[Client, str]) -> None:
    client, token = shared
    assert tags(run(client, *[search()] * 16, session=token)) == ["SearchTrain"] * 16


def test_book_retried_with_the_same_reference_returns_the_same_pnr(
    client: Client, railway: Railway
) -> None:
    token = login_token(railway)
    request = book("MMT-LOST-1", passengers=(RAVI, ANITA))
    (first,) = run(client, request, session=token)
    (second,) = run(client, request, session=token)  # the answer to the first one was lost
    again, status = run(client, request, pnr_status(reference="MMT-LOST-1"), session=token)
    pnr = first.get("pnr")
    assert pnr and second.get("pnr") == pnr and again.get("pnr") == pnr
    assert status.get("pnr") == pnr
    assert statuses(second) == statuses(first)
    assert counts(railway)[:2] == (1, 2)  # bookings, passengers


# -- every error of the core, through the XML ---------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "password"),
    [
        pytest.param("MMT", "not-the-password", id="wrong-password"),
        pytest.param("NOBODY", "whatever", id="unknown-agent"),
    ],
)
def test_authentication_failed(client: Client, agent: str, password: str) -> None:
    error = error_of(run(client, login(agent, password)), "Login", "AuthenticationFailed")
    assert password not in error.get("message", "")


def test_five_bad_logins_throttle_the_address(client: Client, clock: FixedClock) -> None:
    for _ in range(5):
        error_of(run(client, login("MMT", "wrong")), "Login", "AuthenticationFailed")
    error_of(run(client, login("MMT")), "Login", "LoginThrottled")  # even the right password
    clock.advance(timedelta(minutes=15))
    assert wire_login(client)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(search(), id="SearchTrain"),
        pytest.param(book("no-session"), id="Book"),
        pytest.param(pnr_status("2123456789"), id="PnrStatus"),
        pytest.param(cancel("2123456789"), id="Cancel"),
        pytest.param(LOGOUT, id="Logout"),
    ],
)
def test_session_invalid_without_a_session(shared: tuple[Client, str], operation: str) -> None:
    client, _ = shared
    error = error_of(run(client, operation), operation_name(operation), "SessionInvalid")
    assert "<Login>" in error.get("message", "") and "session=" in error.get("message", "")


def test_session_invalid_with_a_token_never_issued(shared: tuple[Client, str]) -> None:
    client, _ = shared
    error_of(run(client, search(), session=BOGUS_TOKEN), "SearchTrain", "SessionInvalid")


def test_session_expired_after_logout(client: Client) -> None:
    results = run(client, login(), LOGOUT, search())
    assert tags(results) == ["Login", "Logout", "Error"]
    error_of(results, "SearchTrain", "SessionExpired")
    token = results[0].get("session")
    error_of(run(client, search(), session=token), "SearchTrain", "SessionExpired")


def test_session_expired_after_idle_minutes(client: Client, clock: FixedClock) -> None:
    token = wire_login(client)
    assert tags(run(client, search(), session=token)) == ["SearchTrain"]
    clock.advance(timedelta(minutes=16))
    error = error_of(run(client, search(), session=token), "SearchTrain", "SessionExpired")
    assert "15 idle minutes" in error.get("message", "")


def test_no_confirmed_seats(client: Client, railway: Railway) -> None:
    token = login_token(railway)
    fill(railway, token, 22, cls="1A")
    before = counts(railway)
    results = run(client, book("only-cnf", cls="1A", only_if_confirmed=True), session=token)
    error = error_of(results, "Book", "NoConfirmedSeats")
    assert "nothing was booked" in error.get("message", "")
    assert counts(railway) == before
    (waitlisted,) = run(
        client, book("waitlisted", cls="1A", only_if_confirmed=False), session=token
    )
    assert statuses(waitlisted) == ["GNWL 1"]


def test_waitlist_full(client: Client, railway: Railway) -> None:
    token = login_token(railway)
    fill(railway, token, 22 + 30, cls="1A")  # the berths, then the 30 places of the GN waitlist
    before = counts(railway)
    error = error_of(run(client, book("regret", cls="1A"), session=token), "Book", "WaitlistFull")
    assert "REGRET" in error.get("message", "")
    assert counts(railway) == before


def test_another_agents_pnr_is_not_found(client: Client, railway: Railway) -> None:
    pnr = wire_book(client, login_token(railway, "MMT"), "owned-by-mmt")
    paytm = login_token(railway, "PAYTM")
    error_of(run(client, pnr_status(pnr), session=paytm), "PnrStatus", "PnrNotFound")
    error_of(run(client, cancel(pnr), session=paytm), "Cancel", "PnrNotFound")
    (status,) = run(client, pnr_status(pnr), session=login_token(railway, "MMT"))
    assert statuses(status)[0].startswith("CNF/")


def test_already_cancelled(client: Client, railway: Railway) -> None:
    results = run(
        client,
        book("twice", passengers=(RAVI, ANITA)),
        cancel(reference="twice", numbers="1"),
        cancel(reference="twice", numbers="1"),
        session=login_token(railway),
    )
    assert tags(results) == ["Book", "Cancel", "Error"]
    error_of(results, "Cancel", "AlreadyCancelled")


@pytest.mark.parametrize("numbers", ["3", "1 1"], ids=["no-passenger-3", "repeated-number"])
def test_invalid_passenger_selection(client: Client, railway: Railway, numbers: str) -> None:
    token = login_token(railway)
    pnr = wire_book(client, token, "select", passengers=(RAVI, ANITA))
    results = run(client, cancel(pnr, numbers=numbers), session=token)
    error_of(results, "Cancel", "InvalidPassengerSelection")


def test_duplicate_reference(client: Client, railway: Railway) -> None:
    results = run(client, login(), book("dup-1"), book("dup-1", passengers=(ANITA,)), search())
    assert tags(results) == ["Login", "Book", "Error"]
    error = error_of(results, "Book", "DuplicateReference")
    assert str(results[1].get("pnr")) in error.get("message", "")
    assert counts(railway)[:2] == (1, 1)


def test_cancellation_closed(client: Client, clock: FixedClock) -> None:
    pnr = wire_book(client, wire_login(client), "too-late")
    clock.set(datetime(2025, 11, 30, 17, 30, tzinfo=IST))  # 12952 left NDLS at 16:55
    results = run(client, login(), cancel(pnr))
    error_of(results, "Cancel", "CancellationClosed")


def test_maintenance_is_retryable(client: Client, clock: FixedClock) -> None:
    token = wire_login(client)
    clock.set(datetime(2025, 11, 20, 23, 50, tzinfo=IST))
    error = error_of(run(client, login()), "Login", "Maintenance", retryable=True)
    assert "00:20" in error.get("message", "")
    error_of(run(client, search(), session=token), "SearchTrain", "Maintenance", retryable=True)


@pytest.mark.parametrize("at", [time(23, 44), time(0, 20)], ids=lambda t: f"{t:%H:%M}")
def test_open_outside_the_maintenance_window(client: Client, clock: FixedClock, at: time) -> None:
    day = date(2025, 11, 20) if at.hour == 23 else date(2025, 11, 21)
    clock.set(datetime.combine(day, at, IST))
    assert wire_login(client)


def test_busy_database_is_retryable(busy_app: tuple[CoreApp, Path]) -> None:
    app, path = busy_app
    client = checked_client(app.plain_xml)
    with writer_lock_held(path):
        error_of(run(client, login()), "Login", "Busy", retryable=True)
    assert wire_login(client)


def test_internal_error_hides_the_cause(
    client: Client,
    railway: Railway,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals at /srv/core/booking.py")

    monkeypatch.setattr(railway.office, "search", broken)
    response = post(client, f"<Request>{login()}{search()}{LOGOUT}</Request>")
    results = answer(response)
    assert tags(results) == ["Login", "Error"]
    error = error_of(results, "SearchTrain", "InternalError", retryable=True)
    assert error.get("message") == "unexpected internal error"
    assert b"secret internals" not in response.data and b"RuntimeError" not in response.data
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged and logged[0].exc_info is not None  # the cause is in the log, not the answer


def test_a_failure_outside_the_operations_is_still_an_xml_answer(
    endpoint: PlainXmlEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(endpoint, "_run", broken)
    response = post(checked_client(endpoint), f"<Request>{LOGOUT}</Request>")
    error_of(answer(response, 500), None, "InternalError", retryable=True)
    assert b"secret internals" not in response.data


# -- documents that are refused as a whole ------------------------------------------------------

GOOD_BOOK = book("doc-1")


def request_of(*operations: str) -> str:
    return f"<Request>{''.join(operations)}</Request>"


def with_passenger(name: str = "Ravi Kumar", age: str = "34", gender: str = "M") -> str:
    return request_of(book("doc-2", passengers=((name, age, gender),)))


REJECTED = [
    pytest.param(b"", UTF8, "EmptyRequest", "empty", id="empty"),
    pytest.param(b"  \n ", UTF8, "EmptyRequest", "empty", id="whitespace"),
    pytest.param(b"<Request><Login", UTF8, "MalformedXml", "well-formed", id="truncated"),
    pytest.param(b"user=MMT&password=x", UTF8, "MalformedXml", "well-formed", id="not-xml"),
    pytest.param(b"<Request>\xff</Request>", UTF8, "MalformedXml", "utf-8", id="bad-utf8"),
    pytest.param(
        b'<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY x "xx">]><Request>&x;</Request>',
        UTF8,
        "ForbiddenXml",
        "DOCTYPE",
        id="doctype",
    ),
    pytest.param(
        ("<Request>" + LOGOUT * 8000 + "</Request>").encode(),
        UTF8,
        "RequestTooLarge",
        "limit",
        id="too-large",
    ),
    pytest.param(
        request_of("<a>" * 30 + "</a>" * 30).encode(), UTF8, "RequestTooComplex", "24", id="deep"
    ),
    pytest.param(
        request_of(LOGOUT * 2001).encode(), UTF8, "RequestTooComplex", "2000", id="many-elements"
    ),
    pytest.param(
        request_of("<Login " + " ".join(f'a{i}="x"' for i in range(40)) + "/>").encode(),
        UTF8,
        "RequestTooComplex",
        "attributes",
        id="many-attributes",
    ),
    pytest.param(
        b'{"Login": {"user": "MMT"}}',
        "application/json",
        "UnsupportedMediaType",
        "application/json",
        id="json",
    ),
    pytest.param(
        request_of(LOGOUT).encode(), None, "UnsupportedMediaType", "(none)", id="no-content-type"
    ),
    pytest.param(
        request_of(LOGOUT).encode(),
        "text/xml; charset=klingon",
        "UnsupportedCharset",
        "klingon",
        id="unknown-charset",
    ),
    pytest.param(b"<Req><Logout/></Req>", UTF8, "MalformedRequest", "<Req>", id="wrong-root"),
    pytest.param(
        b'<r:Request xmlns:r="urn:irctc:plain"><Logout/></r:Request>',
        UTF8,
        "MalformedRequest",
        "urn:irctc:plain",
        id="namespaced-root",
    ),
    pytest.param(
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
        UTF8,
        "MalformedRequest",
        "Envelope",
        id="soap-envelope",
    ),
    pytest.param(
        request_of(login(), "<Frobnicate/>").encode(),
        UTF8,
        "UnknownOperation",
        "<Frobnicate>",
        id="unknown-operation",
    ),
    pytest.param(
        request_of('<GetPnrStatus pnr="2123456789"/>').encode(),
        UTF8,
        "UnknownOperation",
        "<GetPnrStatus>",
        id="soap-operation-name",
    ),
    pytest.param(
        request_of('<Logout xmlns="urn:irctc:reservation:v1"/>').encode(),
        UTF8,
        "UnknownOperation",
        "urn:irctc:reservation:v1",
        id="namespaced-operation",
    ),
]


def schema_case(document: str, fragment: str, case: str) -> object:
    return pytest.param(document.encode(), UTF8, "SchemaValidation", fragment, id=case)


SCHEMA_VIOLATIONS = [
    schema_case(with_passenger(age="abc"), "'abc' is not a valid value", "age-abc"),
    schema_case(with_passenger(age="151"), "maximum value", "age-151"),
    schema_case(with_passenger(gender="X"), "attribute 'gender'", "gender-X"),
    schema_case(with_passenger(name=""), "attribute 'name'", "empty-name"),
    schema_case(request_of(search(journey="2025-13-40")), "'2025-13-40'", "date-2025-13-40"),
    schema_case(request_of(search(journey="30/11/2025")), "attribute 'date'", "date-dd-mm-yyyy"),
    schema_case(request_of(search(journey="2025-11-30Z")), "attribute 'date'", "date-with-zone"),
    schema_case(request_of(search("NEWDLS", "BCT")), "'NEWDLS'", "six-letter-station"),
    schema_case(request_of(search(cls="4A")), "attribute 'class'", "unknown-class"),
    schema_case(request_of(book("d3", quota="XX")), "attribute 'quota'", "unknown-quota"),
    schema_case(request_of(book("d4", train="12AB5")), "attribute 'train'", "train-12AB5"),
    schema_case(request_of(book("bad ref")), "attribute 'reference'", "reference-with-space"),
    schema_case(request_of(book("d5", passengers=SEVEN * 3)), "Passenger", "21-passengers"),
    schema_case(request_of(book("d6", passengers=())), "Missing child", "no-passenger"),
    schema_case(
        request_of(GOOD_BOOK.replace(' reference="doc-1"', "")),
        "'reference' is required",
        "book-without-reference",
    ),
    schema_case(request_of('<Login user="MMT"/>'), "'password' is required", "login-no-password"),
    schema_case(request_of(pnr_status("212345678")), "attribute 'pnr'", "nine-digit-pnr"),
    schema_case(request_of(cancel("2123456789", numbers="")), "passengers", "empty-selection"),
    schema_case(request_of(cancel("2123456789", numbers="1 x")), "passengers", "selection-x"),
    schema_case(request_of(search().replace("/>", ' via="BPL"/>')), "'via'", "unknown-attribute"),
    schema_case(request_of(f"<Logout>{login()}</Logout>"), "Logout", "nested-operation"),
    schema_case("<Request>hello</Request>", "Character content", "text-in-request"),
    schema_case("<Request/>", "Missing child", "no-operations"),
    schema_case(request_of(LOGOUT * 17), "at most 16", "17-operations"),
    schema_case(
        f'<Request session="short">{LOGOUT}</Request>', "attribute 'session'", "bad-session"
    ),
    schema_case(request_of("<PnrStatus/>"), "exactly one of", "pnr-status-names-nothing"),
    schema_case(
        request_of(pnr_status("2123456789", "doc-1")), "exactly one of", "pnr-and-reference"
    ),
    schema_case(
        request_of(pnr_status(reference="doc-1"), GOOD_BOOK), "earlier", "reference-before-book"
    ),
    schema_case(request_of(cancel(reference="never-booked")), "earlier", "unknown-reference"),
]


@pytest.mark.parametrize(("data", "content_type", "code", "fragment"), REJECTED + SCHEMA_VIOLATIONS)
def test_rejected_documents(
    shared: tuple[Client, str],
    shared_core: tuple[Railway, str],
    data: bytes,
    content_type: str | None,
    code: str,
    fragment: str,
) -> None:
    client, _ = shared
    results = answer(post(client, data, content_type), 400)
    assert tags(results) == ["Error"]
    error = error_of(results, None, code)
    message = error.get("message", "")
    assert fragment in message, message
    assert not message.startswith("<string>") and "SCHEMASV" not in message
    assert counts(shared_core[0]) == (0, 0, 0)


def test_a_refused_document_runs_nothing(client: Client, railway: Railway) -> None:
    document = request_of(login(), GOOD_BOOK, LOGOUT, search(journey="2025-13-40"))
    error_of(answer(post(client, document), 400), None, "SchemaValidation")
    with railway.store.read() as tx:
        assert (tx.count("sessions"), tx.count("bookings")) == (0, 0)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(request_of(login()).encode(), "application/xml", id="application-xml"),
        pytest.param(
            f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<Request>\n  <!-- MMT \xe9 -->\n'
            f"  {login()}\n</Request>\n".encode("latin-1"),
            "text/xml",
            id="latin1-declared",
        ),
        pytest.param(request_of(login()).encode("utf-16"), "text/xml", id="utf16-bom"),
    ],
)
def test_accepted_document_variants(client: Client, data: bytes, content_type: str) -> None:
    (logged_in,) = answer(post(client, data, content_type))
    assert logged_in.tag == "Login" and logged_in.get("agent") == "MMT"


# -- HTTP and the contract ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(shared: tuple[Client, str], method: str) -> None:
    client, _ = shared
    response = client.open("/", method=method, data=request_of(LOGOUT), content_type=UTF8)
    error = error_of(answer(response, 405), None, "MethodNotAllowed")
    assert method in error.get("message", "")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


def test_get_returns_the_schema(shared: tuple[Client, str]) -> None:
    client, _ = shared
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert response.data == contract() == PACKAGE_XSD.read_bytes()
    etree.XMLSchema(etree.fromstring(response.data, READER))  # a schema, and it compiles
    head = client.head("/")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(response.data))


def test_committed_schema_equals_the_package_copy() -> None:
    assert COMMITTED_XSD.read_bytes() == PACKAGE_XSD.read_bytes()


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            '<Response><Error code="X1" message="m" retryable="false"/><Logout/></Response>',
            id="error-not-last",
        ),
        pytest.param('<Response><Error message="m" retryable="false"/></Response>', id="no-code"),
        pytest.param(
            '<Response><Error op="GetPnrStatus" code="PnrNotFound" message="m"'
            ' retryable="false"/></Response>',
            id="unknown-op",
        ),
        pytest.param(
            '<Response><Cancel pnr="2123456789" refund="12.5" charges="0.00" cancelled="1">'
            "</Cancel></Response>",
            id="money-one-decimal-and-no-booking",
        ),
        pytest.param(
            '<Response><Login session="0123456789abcdefXYZ" agent="MMT" idleTimeoutMinutes="15"'
            ' serverTime="2025-11-20T09:00:00"/></Response>',
            id="time-without-offset",
        ),
        pytest.param(
            '<Response><SearchTrain><Train number="12952" name="x" source="NDLS"'
            ' destination="MMCT" departs="2025-11-30T16:55:00+05:30"'
            ' arrives="2025-12-01T08:40:00+05:30" duration="PT15H45M" distanceKm="1384"'
            ' runsOn="MON FUNDAY"><Class/></Train></SearchTrain></Response>',
            id="bad-day-and-empty-class",
        ),
    ],
)
def test_the_response_schema_is_not_vacuous(document: str) -> None:
    assert not SCHEMA.validate(etree.fromstring(document.encode(), READER))


def test_every_answer_is_checked_against_the_contract() -> None:
    def off_contract(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [b'<Response><Error code="x" message="m" retryable="no"/></Response>']

    with pytest.raises(AssertionError, match="SCHEMASV"):
        Client(off_contract, response_wrapper=CheckedResponse).post("/", data=b"<Request/>")


def test_client_errors_are_not_logged_loudly(
    client: Client, railway: Railway, caplog: pytest.LogCaptureFixture
) -> None:
    token = login_token(railway)
    caplog.set_level(logging.DEBUG)
    error_of(run(client, login("MMT", "wrong")), "Login", "AuthenticationFailed")
    error_of(run(client, search()), "SearchTrain", "SessionInvalid")
    error_of(run(client, search("XYZQ", "NDLS"), session=token), "SearchTrain", "UnknownStation")
    error_of(
        run(client, book("log-1", passengers=(("R2D2", 30, "M"),)), session=token),
        "Book",
        "InvalidPassenger",
    )
    error_of(
        answer(post(client, request_of(book("log-2", train="12AB5"))), 400),
        None,
        "SchemaValidation",
    )
    error_of(answer(post(client, request_of("<Frobnicate/>")), 400), None, "UnknownOperation")
    error_of(answer(post(client, b"<not-xml"), 400), None, "MalformedXml")
    assert any(r.name == "soap_server.access" for r in caplog.records), "nothing was captured"
    with_traceback = [r for r in caplog.records if r.exc_info or r.exc_text or r.stack_info]
    assert with_traceback == [], [(r.name, r.getMessage()) for r in with_traceback]
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [(r.name, r.levelname, r.getMessage()) for r in loud]
    assert not any(PASSWORDS["MMT"] in r.getMessage() for r in caplog.records)
