"""Defects an outside attack found (issue 11), each through every facade it reached.

Every case posts what the attacker posted, through the in-process werkzeug client over the whole
app, and checks the precise, non-retryable error in the facade's own shape: a SOAP fault, a
problem+json answer, a plain-XML ``<Error>``.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client, EnvironBuilder, TestResponse, run_wsgi_app

from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import CoreApp, create_app
from tests.conftest import JOURNEY, PASSWORDS, SOAP_ENV, TNS, envelope, login_token
from tests.support import READER, counts, read_fault

UTF8 = "text/xml; charset=utf-8"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


# -- the three facades ----------------------------------------------------------------------------


def soap(http: Client, body: str, token: str | None = None, header: str | None = None) -> Any:
    data = envelope(body, token)
    if header is not None:
        data = data.replace(
            f"<soapenv:Body>{body}".encode(),
            f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}".encode(),
        )
    return http.post("/soap", data=data, content_type=UTF8)


def rest_problem(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status, response.get_data(as_text=True))
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.get_data())
    assert (body["code"], body["retryable"]) == (code, False), body
    return body


def xml_error(response: TestResponse, status: int = 200) -> etree._Element:
    assert response.status_code == status, (response.status, response.get_data(as_text=True))
    root = etree.fromstring(response.get_data(), READER)
    error = root.find("Error")
    assert error is not None, response.get_data(as_text=True)
    return error


def book_soap(journey: str, source: str = "NDLS", destination: str = "MMCT", **kw: str) -> str:
    return (
        f"<tns:Book><tns:TrainNumber>{kw.get('train', '12952')}</tns:TrainNumber>"
        f"<tns:JourneyDate>{journey}</tns:JourneyDate>"
        f"<tns:From>{source}</tns:From><tns:To>{destination}</tns:To>"
        f"<tns:Class>3A</tns:Class><tns:Passengers><tns:Passenger><tns:Name>Ravi Kumar</tns:Name>"
        f"<tns:Age>34</tns:Age><tns:Gender>M</tns:Gender></tns:Passenger></tns:Passengers>"
        f"<tns:ClientReference>{kw.get('reference', 'harden-1')}</tns:ClientReference></tns:Book>"
    )


# -- 1: a date far in the past at a stop reached on the train's second day ------------------------

# 12951 leaves MMCT in the evening and reaches RTM after midnight: its origin date is the day
# before the boarding date, which does not exist for 0001-01-01.
FAR_DATES = ["0001-01-01", "0001-01-02", "9999-12-31"]


@pytest.mark.parametrize("journey", FAR_DATES)
def test_far_date_book_is_a_client_fault_over_soap(
    http: Client, railway: Railway, journey: str
) -> None:
    token = login_token(railway)
    before = counts(railway)
    fault = read_fault(soap(http, book_soap(journey, "RTM", "NDLS", train="12951"), token))
    assert (fault.code, fault.retryable) == ("OutsideReservationWindow", False), fault
    assert counts(railway) == before


@pytest.mark.parametrize("journey", FAR_DATES)
def test_far_date_book_is_a_client_error_over_rest(
    http: Client, railway: Railway, journey: str
) -> None:
    token = login_token(railway)
    response = http.post(
        "/rest/v1/bookings",
        json={
            "train": "12951",
            "date": journey,
            "from": "RTM",
            "to": "NDLS",
            "class": "3A",
            "passengers": [{"name": "Ravi Kumar", "age": 34, "gender": "M"}],
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "far-1"},
    )
    rest_problem(response, 422, "OutsideReservationWindow")


@pytest.mark.parametrize("journey", FAR_DATES)
def test_far_date_book_is_an_error_over_plain_xml(
    http: Client, railway: Railway, journey: str
) -> None:
    token = login_token(railway)
    document = (
        f'<Request session="{token}"><Book train="12951" date="{journey}" source="RTM"'
        ' destination="NDLS" class="3A" reference="far-1">'
        '<Passenger name="Ravi Kumar" age="34" gender="M"/></Book></Request>'
    )
    error = xml_error(http.post("/xml", data=document, content_type=UTF8))
    assert (error.get("code"), error.get("retryable")) == ("OutsideReservationWindow", "false")


@pytest.mark.parametrize("journey", FAR_DATES)
def test_far_date_search_from_a_second_day_stop(
    http: Client, railway: Railway, journey: str
) -> None:
    token = login_token(railway)
    body = (
        f"<tns:SearchTrain><tns:From>RTM</tns:From><tns:To>NDLS</tns:To>"
        f"<tns:JourneyDate>{journey}</tns:JourneyDate></tns:SearchTrain>"
    )
    fault = read_fault(soap(http, body, token))
    assert (fault.code, fault.retryable) == ("OutsideReservationWindow", False), fault


# -- 3: an empty selection is not "everyone" ------------------------------------------------------


def _booked_pair(railway: Railway) -> tuple[str, str]:
    from tests.support import people, request

    token = login_token(railway)
    view = railway.book(token, request(passengers=people(2)))
    return token, view.pnr


def _states(railway: Railway, token: str, pnr: str) -> list[str]:
    return [p.current_status for p in railway.pnr_status(token, pnr).passengers]


@pytest.mark.parametrize(
    "selection",
    [
        pytest.param("<tns:Passengers/>", id="empty-element"),
        pytest.param("<tns:Passengers></tns:Passengers>", id="empty-open-close"),
        pytest.param(
            f'<tns:Passengers><tns:PassengerNumber xmlns:xsi="{XSI}" xsi:nil="true"/>'
            "</tns:Passengers>",
            id="nil-number",
        ),
    ],
)
def test_empty_soap_selection_cancels_nobody(
    http: Client, railway: Railway, selection: str
) -> None:
    token, pnr = _booked_pair(railway)
    before = _states(railway, token, pnr)
    body = f"<tns:CancelBooking><tns:Pnr>{pnr}</tns:Pnr>{selection}</tns:CancelBooking>"
    fault = read_fault(soap(http, body, token))
    assert (fault.code, fault.retryable) == ("InvalidPassengerSelection", False), fault
    assert _states(railway, token, pnr) == before
    # Without the element, it is every passenger, as the contract says.
    response = soap(http, f"<tns:CancelBooking><tns:Pnr>{pnr}</tns:Pnr></tns:CancelBooking>", token)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _states(railway, token, pnr) == ["CAN", "CAN"]


def test_empty_rest_selection_cancels_nobody(http: Client, railway: Railway) -> None:
    token, pnr = _booked_pair(railway)
    before = _states(railway, token, pnr)
    response = http.post(
        f"/rest/v1/bookings/{pnr}/cancellations",
        json={"passengers": []},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert _states(railway, token, pnr) == before


def test_empty_plain_xml_selection_cancels_nobody(http: Client, railway: Railway) -> None:
    token, pnr = _booked_pair(railway)
    before = _states(railway, token, pnr)
    for selection in ("", "   "):
        document = (
            f'<Request session="{token}"><Cancel pnr="{pnr}" passengers="{selection}"/></Request>'
        )
        response = http.post("/xml", data=document, content_type=UTF8)
        assert response.status_code in (200, 400), response.get_data(as_text=True)
        xml_error(response, response.status_code)
    assert _states(railway, token, pnr) == before


def test_the_core_refuses_an_empty_selection(railway: Railway) -> None:
    from soap_server.railway.errors import InvalidPassengerSelection

    token, pnr = _booked_pair(railway)
    with pytest.raises(InvalidPassengerSelection):
        railway.cancel(token, pnr, [])
    assert _states(railway, token, pnr) != ["CAN", "CAN"]


def test_empty_book_passenger_list_is_a_client_fault(http: Client, railway: Railway) -> None:
    token = login_token(railway)
    body = book_soap(JOURNEY.isoformat()).replace(
        "<tns:Passengers><tns:Passenger><tns:Name>Ravi Kumar</tns:Name>"
        "<tns:Age>34</tns:Age><tns:Gender>M</tns:Gender></tns:Passenger></tns:Passengers>",
        "<tns:Passengers/>",
    )
    before = counts(railway)
    fault = read_fault(soap(http, body, token))
    assert fault.retryable is False and fault.faultcode.startswith("Client."), fault
    assert counts(railway) == before


_ = (PASSWORDS, SOAP_ENV, TNS)


# -- 2: SOAP headers are validated like bodies ----------------------------------------------------

PNR_BODY = "<tns:GetPnrStatus><tns:Pnr>2999999999</tns:Pnr></tns:GetPnrStatus>"
GOOD_TOKEN = "T" * 32


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(
            f'<tns:SessionHeader xmlns:xsi="{XSI}"><tns:SessionToken xsi:type="tns:Passenger">'
            "<tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age><tns:Gender>M</tns:Gender>"
            "</tns:SessionToken></tns:SessionHeader>",
            id="xsi-type-on-token",
        ),
        pytest.param(
            f'<tns:SessionHeader xmlns:xsi="{XSI}" xsi:type="tns:Passenger">'
            "<tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age><tns:Gender>M</tns:Gender>"
            "</tns:SessionHeader>",
            id="xsi-type-on-header",
        ),
        pytest.param(
            "<tns:SessionHeader><tns:SessionToken>abc</tns:SessionToken></tns:SessionHeader>",
            id="token-too-short",
        ),
        pytest.param(
            "<tns:SessionHeader><tns:SessionToken>" + "x" * 65 + "</tns:SessionToken>"
            "</tns:SessionHeader>",
            id="token-too-long",
        ),
        pytest.param(
            "<tns:SessionHeader><tns:SessionToken>" + "x" * 20 + "' OR 1=1 --"
            "</tns:SessionToken></tns:SessionHeader>",
            id="token-outside-its-pattern",
        ),
        pytest.param(
            f"<tns:SessionHeader><tns:SessionToken>{GOOD_TOKEN}</tns:SessionToken>"
            f"<tns:SessionToken>{GOOD_TOKEN}</tns:SessionToken></tns:SessionHeader>",
            id="token-twice",
        ),
        pytest.param(
            f"<tns:SessionHeader><tns:SessionToken>{GOOD_TOKEN}</tns:SessionToken>"
            "<tns:Extra>1</tns:Extra></tns:SessionHeader>",
            id="unknown-child",
        ),
        pytest.param("<tns:SessionHeader/>", id="empty-header"),
        pytest.param(
            f"<tns:SessionHeader><tns:SessionToken>{GOOD_TOKEN}</tns:SessionToken>"
            f"</tns:SessionHeader><tns:SessionHeader><tns:SessionToken>{GOOD_TOKEN}"
            "</tns:SessionToken></tns:SessionHeader>",
            id="header-twice",
        ),
        pytest.param(
            f'<tns:SessionHeader xmlns:xsi="{XSI}"><tns:SessionToken xsi:nil="true"/>'
            "</tns:SessionHeader>",
            id="nil-token",
        ),
    ],
)
def test_bad_session_header_is_a_schema_fault(http: Client, header: str) -> None:
    fault = read_fault(soap(http, PNR_BODY, header=header))
    assert (fault.faultcode, fault.code) == ("Client.SchemaValidation", "SchemaValidation"), fault
    assert "SessionHeader" in fault.message or "SessionToken" in fault.message, fault.message


def test_a_valid_header_still_reaches_the_core(http: Client) -> None:
    header = (
        f"<tns:SessionHeader><tns:SessionToken>{GOOD_TOKEN}</tns:SessionToken></tns:SessionHeader>"
    )
    fault = read_fault(soap(http, PNR_BODY, header=header))
    assert fault.code == "SessionInvalid", fault


# -- 4 and 5: bodies without a length, and broken chunked framing ---------------------------------

LIMIT = 64 * 1024


class EndlessBody(io.RawIOBase):
    """A chunked body already de-chunked by the server: ``size`` bytes, counting what is read."""

    def __init__(self, size: int, byte: bytes = b"x") -> None:
        self.left = size
        self.read_bytes = 0
        self.byte = byte

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = self.byte * n
        self.left -= n
        self.read_bytes += n
        return n


def _run(
    app: CoreApp, path: str, content_type: str, stream: Any
) -> tuple[int, dict[str, str], bytes]:
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream
    environ["wsgi.input_terminated"] = True
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), dict(headers), b"".join(body)


FACADES = [
    pytest.param("/soap", UTF8, id="soap"),
    pytest.param("/rest/v1/sessions", "application/json", id="rest"),
    pytest.param("/xml", UTF8, id="xml"),
]


@pytest.mark.parametrize(("path", "content_type"), FACADES)
def test_a_huge_body_without_length_is_read_only_to_the_limit(
    app: CoreApp, path: str, content_type: str
) -> None:
    stream = EndlessBody(50 * 1024 * 1024)
    status, headers, body = _run(app, path, content_type, io.BufferedReader(stream))
    assert stream.read_bytes <= LIMIT + 64 * 1024, stream.read_bytes
    assert status == (500 if path == "/soap" else 413 if path.startswith("/rest") else 400), body
    assert b"RequestTooLarge" in body


def _broken_chunks(prefix: bytes = b"") -> Any:
    from werkzeug.serving import DechunkedInput

    return DechunkedInput(io.BytesIO(prefix + b"zz\r\nhello\r\n0\r\n\r\n"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("path", "content_type"), FACADES)
@pytest.mark.parametrize("prefix", [b"", b"5\r\n<a/>x\r\n"], ids=["first-chunk", "second-chunk"])
def test_broken_chunk_framing_is_a_400_in_the_facades_shape(
    app: CoreApp, path: str, content_type: str, prefix: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    status, headers, body = _run(app, path, content_type, _broken_chunks(prefix))
    assert status == 400, body
    assert headers.get("Connection") == "close"
    if path == "/soap":
        root = etree.fromstring(body, READER)
        assert root.tag == f"{{{SOAP_ENV}}}Envelope"
        assert root.findtext(f".//{{{TNS}}}Code") == "MalformedRequest"
        assert root.findtext(f".//{{{TNS}}}Retryable") == "false"
    elif path == "/xml":
        error = etree.fromstring(body, READER).find("Error")
        assert error is not None and error.get("code") == "MalformedRequest", body
        assert error.get("retryable") == "false"
    else:
        problem = json.loads(body)
        assert (problem["code"], problem["retryable"], problem["status"]) == (
            "MalformedRequest",
            False,
            400,
        )
    # The client's broken framing is normal traffic: no traceback in the log.
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


class Trickle(io.RawIOBase):
    """A server's stream that hands over at most ``step`` bytes a read, then ends (or fails)."""

    def __init__(self, data: bytes, step: int, error: OSError | None = None) -> None:
        self.data, self.step, self.error = data, step, error
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if not self.data and self.error is not None:
            raise self.error
        part, self.data = self.data[: min(size, self.step)], self.data[min(size, self.step) :]
        return part


def _declared(app: CoreApp, path: str, content_type: str, stream: Any, length: int) -> Any:
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type).get_environ()
    environ["CONTENT_LENGTH"] = str(length)
    environ["wsgi.input"] = stream
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), dict(headers), b"".join(body)


def test_a_body_of_declared_length_is_read_whole_and_not_past_it(app: CoreApp) -> None:
    request = envelope("<tns:Logout/>")
    stream = Trickle(request + b"<next request on the connection>", step=len(request))
    status, _, body = _declared(app, "/soap", UTF8, stream, len(request))
    assert b"SessionInvalid" in body, body  # the envelope was read whole, and only it
    assert stream.reads == 1 and stream.data == b"<next request on the connection>"
    stream = Trickle(request, step=7)  # a server whose reads come short: read on to the length
    status, _, body = _declared(app, "/soap", UTF8, stream, len(request))
    assert b"SessionInvalid" in body, body


@pytest.mark.parametrize(("path", "content_type"), FACADES)
@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        pytest.param(None, 400, "MalformedRequest", id="client-hung-up"),
        pytest.param(ConnectionResetError("reset by peer"), 400, "MalformedRequest", id="reset"),
        pytest.param(TimeoutError("deadline"), 408, "RequestTimeout", id="deadline-passed"),
    ],
)
def test_a_body_shorter_than_its_length_is_refused_in_the_facades_shape(
    app: CoreApp,
    path: str,
    content_type: str,
    error: OSError | None,
    status: int,
    code: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer_status, headers, body = _declared(
        app, path, content_type, Trickle(b"<a>", step=2, error=error), 400
    )
    assert (answer_status, headers.get("Connection")) == (status, "close"), body
    assert code.encode() in body
    if error is None:
        assert b"3 of the 400 bytes" in body
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


# -- 9: demo credentials only in demo mode; a health check for load balancers ---------------------


def test_the_help_page_shows_no_password_outside_demo_mode(settings: Settings) -> None:
    app = create_app(settings)
    try:
        text = Client(app).get("/").get_data(as_text=True)
    finally:
        app.close()
    assert settings.demo_mode is False
    for password in PASSWORDS.values():
        assert password not in text


def test_the_help_page_shows_the_demo_passwords_in_demo_mode(settings: Settings) -> None:
    app = create_app(replace(settings, demo_mode=True))
    try:
        text = Client(app).get("/").get_data(as_text=True)
    finally:
        app.close()
    for password in PASSWORDS.values():
        assert f"<code>{password}</code>" in text


def test_demo_mode_only_when_asked_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from soap_server.__main__ import _settings, build_parser

    serve = build_parser().parse_args(["serve"])
    assert _settings(serve, "http://127.0.0.1:1/soap").demo_mode is False
    demo = build_parser().parse_args(["serve", "--demo"])
    assert _settings(demo, "http://127.0.0.1:1/soap").demo_mode is True
    # gunicorn's factory reads the environment: off unless IRCTC_DEMO=1 is set on purpose.
    from soap_server import wsgi

    monkeypatch.setenv("IRCTC_DB", str(tmp_path / "gunicorn.sqlite3"))
    for value, expected in ((None, False), ("0", False), ("1", True)):
        if value is None:
            monkeypatch.delenv("IRCTC_DEMO", raising=False)
        else:
            monkeypatch.setenv("IRCTC_DEMO", value)
        app = wsgi.from_environment()
        try:
            assert app.settings.demo_mode is expected
            text = Client(app).get("/").get_data(as_text=True)
            assert bool([p for p in PASSWORDS.values() if p in text]) is expected
        finally:
            app.close()


def test_health_tells_a_load_balancer_what_it_needs_and_nothing_else(http: Client) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.data)
    assert body == {"status": "ok", "maintenance": False}
    head = http.head("/healthz")
    assert head.status_code == 200 and head.data == b""


def test_health_in_the_maintenance_window(settings: Settings, clock: Any) -> None:
    from datetime import timedelta

    clock.advance(timedelta(hours=14, minutes=50))  # 23:50 IST
    app = create_app(settings)
    try:
        body = Client(app).get("/healthz").json
    finally:
        app.close()
    assert body == {"status": "ok", "maintenance": True}


def test_health_when_the_database_is_gone(app: CoreApp, settings: Settings) -> None:
    app.railway.store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
    response = Client(app).get("/healthz")
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.json == {"status": "unavailable", "maintenance": False}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS"])
def test_health_answers_405_to_other_methods(http: Client, method: str) -> None:
    response = http.open("/healthz", method=method)
    assert response.status_code == 405, (method, response.status)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
