"""The REST/JSON facade at ``/rest/v1``: every operation, every error code, and the contract.

Requests go through the in-process werkzeug client over the whole app. Every answer is read by
one helper, ``expect``: it checks the status, the exact ``Content-Type``, the ``Server-Timing``
header, that the body validates against the OpenAPI component schema of that answer, and that
this schema is the one the contract documents for the operation and status. Errors are read by
``problem`` on top of it.

Tests that neither write nor move the clock share one core and one token (``shared``); the
others build their own app from the function-scoped fixtures of ``tests/conftest.py``.
"""

from __future__ import annotations

import itertools
import json
import re
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from werkzeug.test import Client, TestResponse

from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.store import StoreError
from soap_server.railway.system import Railway
from soap_server.rest.openapi import render
from soap_server.settings import DEFAULT_PUBLIC_URL, Settings
from soap_server.wsgi import CoreApp, create_app, public_base
from tests.conftest import JOURNEY, NOW, PASSWORDS
from tests.support import counts, writer_lock_held

BASE = "/rest/v1"
JSON = "application/json"
PROBLEM = "application/problem+json"
COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "irctc_rest_v1.json"
#: The contract as served with the default public URL: the schemas every answer is checked with.
CONTRACT: dict[str, Any] = json.loads(render(public_base(Settings())))
MISSING_PNR = "2999999999"
RAVI = {"name": "Ravi Kumar", "age": 34, "gender": "M"}
ANITA = {"name": "Anita Kumar", "age": 31, "gender": "F"}
_keys = itertools.count(1)


# -- reading answers ----------------------------------------------------------------------------


@cache
def validator(schema: str) -> Draft202012Validator:
    """A validator for one component schema of the contract, formats (date, date-time) checked."""
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": CONTRACT["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def documented(response: TestResponse) -> dict[str, Any] | None:
    """The contract's ``content`` for the operation and status of ``response``, if it has one."""
    request = response.request
    if not request.path.startswith(f"{BASE}/"):
        return None
    path = request.path[len(BASE) :].rstrip("/")
    for template, item in CONTRACT["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}/]+\}", "[^/]+", template), path):
            operation = item.get(request.method.lower())
            if operation is None:
                return None
            answer = operation["responses"].get(str(response.status_code))
            return None if answer is None else answer.get("content", {})
    return None


def check_timing(response: TestResponse) -> None:
    timing = response.headers.get("Server-Timing", "")
    match = re.fullmatch(r"app;dur=(\d+\.\d+)", timing)
    assert match, f"Server-Timing is {timing!r}"
    assert float(match.group(1)) >= 0


def expect(response: TestResponse, status: int, schema: str | None) -> Any:
    """Check one answer and return its parsed body (``schema=None``: an answer without body)."""
    assert response.status_code == status, (response.status, response.get_data(as_text=True)[:600])
    check_timing(response)
    if schema is None:
        assert response.get_data() == b""
        return None
    media = PROBLEM if schema == "Problem" else JSON
    assert response.headers.get("Content-Type") == media
    content = documented(response)
    if content is not None:
        assert content == {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}, content
    body = json.loads(response.get_data())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(body)]
    assert not errors, (schema, errors, body)
    return body


def problem(
    response: TestResponse, status: int, code: str, *, retryable: bool = False
) -> dict[str, Any]:
    """Check a problem+json answer carrying ``code``; returns the problem body."""
    body: dict[str, Any] = expect(response, status, "Problem")
    assert body["type"] == f"urn:irctc:error:{code}", body
    assert body["title"] == code and body["code"] == code, body
    assert body["status"] == status, body
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    assert body["retryable"] is retryable, body
    if status == 401:
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer "), response.headers
    if status == 503:
        assert int(response.headers["Retry-After"]) >= 1
    return body


def money(value: str) -> Decimal:
    return Decimal(value)


# -- making requests ----------------------------------------------------------------------------


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def key() -> str:
    return f"rest-key-{next(_keys):05d}"


def login(http: Client, agent: str = "MMT", password: str | None = None) -> TestResponse:
    password = PASSWORDS[agent] if password is None else password
    return http.post(f"{BASE}/sessions", json={"agent": agent, "password": password})


def token_of(http: Client, agent: str = "MMT") -> str:
    session = expect(login(http, agent), 201, "Session")
    assert isinstance(session["token"], str) and session["token"]
    return session["token"]


def search(http: Client, token: str | None, **query: str) -> TestResponse:
    query = {"from": "NDLS", "to": "MMCT", "date": JOURNEY.isoformat(), **query}
    headers = {} if token is None else auth(token)
    return http.get(f"{BASE}/trains", query_string=query, headers=headers)


def booking_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "train": "12952",
        "date": JOURNEY.isoformat(),
        "from": "NDLS",
        "to": "MMCT",
        "class": "3A",
        "passengers": [RAVI],
    }
    body.update(changes)
    return body


def book(http: Client, token: str | None, body: Any, reference: str | None = None) -> TestResponse:
    headers = {"Idempotency-Key": reference or key()}
    if token is not None:
        headers.update(auth(token))
    return http.post(f"{BASE}/bookings", json=body, headers=headers)


def booked(
    http: Client, token: str, reference: str | None = None, **changes: Any
) -> dict[str, Any]:
    body: dict[str, Any] = expect(
        book(http, token, booking_body(**changes), reference), 201, "Booking"
    )
    return body


def status(http: Client, token: str, pnr: str) -> TestResponse:
    return http.get(f"{BASE}/bookings/{pnr}", headers=auth(token))


def cancel(http: Client, token: str, pnr: str, numbers: list[int] | None = None) -> TestResponse:
    url = f"{BASE}/bookings/{pnr}/cancellations"
    if numbers is None:
        return http.post(url, headers=auth(token))
    return http.post(url, json={"passengers": numbers}, headers=auth(token))


def seniors(n: int) -> list[dict[str, Any]]:
    return [{"name": f"Senior {'ABCDEF'[i]}", "age": 65, "gender": "M"} for i in range(n)]


def senior_booking(**changes: Any) -> dict[str, Any]:
    """A booking in the 1A senior quota of 12952: 2 berths, then a waitlist of 5, then REGRET."""
    return booking_body(**{"class": "1A", "quota": "SS", **changes})


# -- a core shared by the tests that neither write nor move the clock ---------------------------


class Shared(NamedTuple):
    http: Client
    app: CoreApp
    railway: Railway
    token: str


@pytest.fixture(scope="module")
def shared(shared_core: tuple[Railway, str]) -> Shared:
    core, token = shared_core
    app = create_app(Settings(), core)  # the core is given: its settings are not read
    return Shared(Client(app), app, core, token)


# -- the contract -------------------------------------------------------------------------------


def test_openapi_document_is_served_and_valid(shared: Shared) -> None:
    response = shared.http.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response.headers.get("Content-Type") == JSON
    check_timing(response)
    document = json.loads(response.get_data())
    validate_openapi(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"][0]["url"] == "http://127.0.0.1:8000/rest/v1"
    assert document == CONTRACT


@pytest.mark.parametrize(
    ("public_url", "server"),
    [
        ("https://irctc.example.test/core/soap", "https://irctc.example.test/core/rest/v1"),
        ("https://irctc.example.test/core/soap/", "https://irctc.example.test/core/rest/v1"),
        ("https://rail.example.test", "https://rail.example.test/rest/v1"),
    ],
)
def test_openapi_servers_follow_the_public_url(
    shared: Shared, public_url: str, server: str
) -> None:
    settings = replace(shared.app.settings, public_url=public_url)
    http = Client(create_app(settings, shared.railway))
    response = http.get(f"{BASE}/openapi.json", headers={"Host": "evil.example"})
    assert response.status_code == 200
    check_timing(response)
    document = json.loads(response.get_data())
    expected = public_url.rstrip("/").removesuffix("/soap") + "/rest/v1"
    assert document["servers"][0]["url"] == expected == server


def test_committed_openapi_equals_the_served_document(settings: Settings) -> None:
    assert settings.public_url == DEFAULT_PUBLIC_URL
    with closing(create_app(settings)) as app:
        served = Client(app).get(f"{BASE}/openapi.json")
    assert served.status_code == 200
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == json.loads(served.get_data()), (
        "the served OpenAPI document drifted from openapi/irctc_rest_v1.json:"
        " run `python -m soap_server export-openapi` and commit the result if the change is"
        " deliberate"
    )


def test_every_route_is_in_the_contract_and_nothing_more(shared: Shared) -> None:
    routes = {
        (re.sub(r"<(\w+)>", r"{\1}", rule.rule[len(BASE) :]), method.lower())
        for rule in shared.app.rest.urls.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS") and not rule.rule.endswith("/openapi.json")
    }
    operations = {(path, method) for path, item in CONTRACT["paths"].items() for method in item}
    assert routes == operations


def test_every_component_schema_is_valid_json_schema() -> None:
    for name, schema in CONTRACT["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        validator(name)  # every $ref inside resolves when used


# -- sessions -----------------------------------------------------------------------------------


def test_login_creates_a_session_whose_token_works(http: Client) -> None:
    response = login(http)
    session = expect(response, 201, "Session")
    assert response.headers["Location"] == f"{BASE}/sessions/current"
    assert session["agent"] == "MMT"
    assert session["idleTimeoutMinutes"] == 15
    assert datetime.fromisoformat(session["serverTime"]) == NOW
    expect(search(http, session["token"]), 200, "TrainList")
    # The scheme is case-insensitive (RFC 9110).
    lower = http.get(
        f"{BASE}/trains",
        query_string={"from": "NDLS", "to": "MMCT", "date": JOURNEY.isoformat()},
        headers={"Authorization": f"bearer {session['token']}"},
    )
    expect(lower, 200, "TrainList")


def test_logout_ends_the_session(http: Client) -> None:
    token = token_of(http)
    response = http.delete(f"{BASE}/sessions/current", headers=auth(token))
    expect(response, 204, None)
    body = problem(search(http, token), 401, "SessionExpired")
    assert "logged out" in body["detail"]
    problem(http.delete(f"{BASE}/sessions/current", headers=auth(token)), 401, "SessionExpired")
    problem(book(http, token, booking_body()), 401, "SessionExpired")


def test_an_idle_session_expires(http: Client, clock: FixedClock) -> None:
    token = token_of(http)
    clock.advance(timedelta(minutes=16))
    body = problem(search(http, token), 401, "SessionExpired")
    assert "15 idle minutes" in body["detail"]


def test_five_bad_logins_throttle_the_address(http: Client) -> None:
    for _ in range(5):
        body = problem(login(http, "PAYTM", "wrong"), 401, "AuthenticationFailed")
        assert "attempts left" not in body["detail"]
    # Throttled even with the right password; the other agents are not.
    response = login(http, "PAYTM")
    problem(response, 429, "LoginThrottled")
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    expect(login(http, "MMT"), 201, "Session")


def test_unknown_agent(shared: Shared) -> None:
    body = problem(login(shared.http, "NOBODY", "x"), 401, "AuthenticationFailed")
    assert "NOBODY" not in body["detail"]  # says nothing about which part was wrong


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"agent": "MMT"}, id="no-password"),
        pytest.param({"agent": "MMT", "password": ""}, id="empty-password"),
        pytest.param({"agent": "M", "password": "x"}, id="agent-too-short"),
        pytest.param({"agent": "MMT", "password": "x", "otp": "1"}, id="extra-property"),
        pytest.param(["MMT", "x"], id="not-an-object"),
    ],
)
def test_login_schema_validation(shared: Shared, body: Any) -> None:
    problem(shared.http.post(f"{BASE}/sessions", json=body), 422, "SchemaValidation")


def test_login_needs_a_body(shared: Shared) -> None:
    response = shared.http.post(f"{BASE}/sessions", content_type=JSON)
    body = problem(response, 422, "SchemaValidation")
    assert "JSON body" in body["detail"]


# -- who may call -------------------------------------------------------------------------------

OPERATIONS = {
    "search": (
        "GET",
        f"{BASE}/trains?from=NDLS&to=MMCT&date={JOURNEY.isoformat()}",
        None,
    ),
    "book": ("POST", f"{BASE}/bookings", booking_body()),
    "status": ("GET", f"{BASE}/bookings/{MISSING_PNR}", None),
    "cancel": ("POST", f"{BASE}/bookings/{MISSING_PNR}/cancellations", None),
    "logout": ("DELETE", f"{BASE}/sessions/current", None),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize(
    "credentials",
    ["none", "bogus-bearer", "empty-bearer", "basic-scheme", "token-scheme"],
)
def test_session_invalid(shared: Shared, operation: str, credentials: str) -> None:
    method, url, body = OPERATIONS[operation]
    headers = {
        "none": {},
        "bogus-bearer": {"Authorization": "Bearer NotIssuedByTheCore_0123456789abcdef"},
        "empty-bearer": {"Authorization": "Bearer "},
        # The real, live token, but not as a bearer token.
        "basic-scheme": {"Authorization": f"Basic {shared.token}"},
        "token-scheme": {"Authorization": f"Token {shared.token}"},
    }[credentials]
    if operation == "book":
        headers = {**headers, "Idempotency-Key": key()}
    before = counts(shared.railway)
    response = shared.http.open(url, method=method, json=body, headers=headers)
    problem(response, 401, "SessionInvalid")
    assert counts(shared.railway) == before
    expect(search(shared.http, shared.token), 200, "TrainList")  # the real session lives on


# -- search -------------------------------------------------------------------------------------


def test_search_trains(shared: Shared) -> None:
    trains = expect(search(shared.http, shared.token), 200, "TrainList")["trains"]
    numbers = [t["number"] for t in trains]
    assert "12952" in numbers and len(numbers) == len(set(numbers))
    for train in trains:
        assert (train["from"], train["to"]) == ("NDLS", "MMCT")
        assert datetime.fromisoformat(train["departs"]) > NOW
        assert datetime.fromisoformat(train["arrives"]) > datetime.fromisoformat(train["departs"])
        assert train["classes"] and all(c["quota"] == "GN" for c in train["classes"])
    rajdhani = trains[numbers.index("12952")]
    assert rajdhani["departs"] == "2025-11-30T16:55:00+05:30"
    assert rajdhani["duration"] == "PT15H40M"
    assert rajdhani["distanceKm"] == 1384
    assert [c["class"] for c in rajdhani["classes"]] == ["1A", "2A", "3A"]
    for cls in rajdhani["classes"]:
        assert cls["status"] == f"AVAILABLE {cls['available']}" and cls["available"] > 0
        fare = {k: money(v) for k, v in cls["fare"].items()}
        parts = ("base", "reservation", "superfast", "tatkal", "gst")
        assert fare["total"] == sum(fare[k] for k in parts)


def test_search_answers_bct_as_mmct(shared: Shared) -> None:
    by_alias = expect(search(shared.http, shared.token, to="BCT"), 200, "TrainList")
    by_code = expect(search(shared.http, shared.token), 200, "TrainList")
    assert by_alias["trains"] and all(t["to"] == "MMCT" for t in by_alias["trains"])
    assert by_alias == by_code


def test_search_class_filter(shared: Shared) -> None:
    everything = expect(search(shared.http, shared.token), 200, "TrainList")["trains"]
    with_2a = {t["number"] for t in everything if any(c["class"] == "2A" for c in t["classes"])}
    trains = expect(search(shared.http, shared.token, **{"class": "2A"}), 200, "TrainList")
    assert {t["number"] for t in trains["trains"]} == with_2a
    assert all([c["class"] for c in t["classes"]] == ["2A"] for t in trains["trains"])


def test_search_quota_filter(shared: Shared) -> None:
    seniors_only = expect(search(shared.http, shared.token, quota="SS"), 200, "TrainList")
    rajdhani = next(t for t in seniors_only["trains"] if t["number"] == "12952")
    assert {c["class"]: c["status"] for c in rajdhani["classes"]}["1A"] == "AVAILABLE 2"
    assert all(c["quota"] == "SS" for t in seniors_only["trains"] for c in t["classes"])
    ladies = expect(search(shared.http, shared.token, quota="LD"), 200, "TrainList")
    rajdhani = next(t for t in ladies["trains"] if t["number"] == "12952")
    assert [c["class"] for c in rajdhani["classes"]] == ["2A", "3A"]  # 1A has no ladies quota
    nothing = search(shared.http, shared.token, quota="LD", **{"class": "1A"})
    assert expect(nothing, 200, "TrainList") == {"trains": []}


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param({"date": "2025-11-31"}, "date", id="impossible-date"),
        pytest.param({"date": "30-11-2025"}, "date", id="dd-mm-yyyy"),
        pytest.param({"class": "XX"}, "class", id="unknown-class"),
        pytest.param({"quota": "VIP"}, "quota", id="unknown-quota"),
        pytest.param({"from": "N1"}, "from", id="bad-station-code"),
        pytest.param({"page": "2"}, "page", id="unknown-parameter"),
    ],
)
def test_search_schema_validation(shared: Shared, query: dict[str, str], fragment: str) -> None:
    body = problem(search(shared.http, shared.token, **query), 422, "SchemaValidation")
    assert fragment in body["detail"]


def test_search_without_a_destination(shared: Shared) -> None:
    response = shared.http.get(
        f"{BASE}/trains",
        query_string={"from": "NDLS", "date": "2025-11-30"},
        headers=auth(shared.token),
    )
    body = problem(response, 422, "SchemaValidation")
    assert "'to' is a required property" in body["detail"]


# -- booking ------------------------------------------------------------------------------------


def test_book_answers_201_with_a_location_that_resolves(http: Client, railway: Railway) -> None:
    token = token_of(http)
    body = booking_body(to="BCT", passengers=[RAVI, ANITA])
    response = book(http, token, body, "trip-0001")
    booking = expect(response, 201, "Booking")
    pnr = booking["pnr"]
    assert response.headers["Location"] == f"{BASE}/bookings/{pnr}"
    assert booking["clientReference"] == "trip-0001"
    assert (booking["train"], booking["from"], booking["to"]) == ("12952", "NDLS", "MMCT")
    assert (booking["class"], booking["quota"], booking["date"]) == ("3A", "GN", "2025-11-30")
    assert datetime.fromisoformat(booking["bookedAt"]) == NOW
    assert booking["chartStatus"] == "CHART NOT PREPARED"
    passengers = booking["passengers"]
    assert [(p["number"], p["name"], p["age"], p["gender"]) for p in passengers] == [
        (1, "Ravi Kumar", 34, "M"),
        (2, "Anita Kumar", 31, "F"),
    ]
    for p in passengers:
        assert re.fullmatch(r"CNF/B\d+/\d+", p["currentStatus"]), p
        assert p["bookingStatus"] == p["currentStatus"] == f"CNF/{p['coach']}/{p['berth']}"
        assert p["fare"] == booking["farePerPassenger"]["total"] and p["refund"] is None
    assert money(booking["totalFare"]) == 2 * money(booking["farePerPassenger"]["total"])
    assert booking["totalRefund"] == "0.00"
    assert counts(railway)[:2] == (1, 2)

    resolved = http.get(response.headers["Location"], headers=auth(token))
    assert expect(resolved, 200, "Booking") == booking


def test_get_booking(http: Client) -> None:
    token = token_of(http)
    booking = booked(http, token)
    assert expect(status(http, token, booking["pnr"]), 200, "Booking") == booking


def test_book_replayed_with_the_same_key_and_body(http: Client, railway: Railway) -> None:
    token = token_of(http)
    body = booking_body(passengers=[RAVI, ANITA])
    first = book(http, token, body, "lost-answer-1")
    booking = expect(first, 201, "Booking")
    before = counts(railway)
    assert before[:2] == (1, 2)
    again = book(http, token, body, "lost-answer-1")
    assert expect(again, 201, "Booking") == booking
    assert again.headers["Location"] == first.headers["Location"]
    assert counts(railway) == before


def test_book_replayed_with_an_equivalent_body(http: Client, railway: Railway) -> None:
    """Key order, an explicit default quota and the BCT alias make the same request."""
    token = token_of(http)
    booking = booked(http, token, "equivalent-1", to="BCT")
    body = dict(reversed(list(booking_body(quota="GN", onlyIfConfirmed=False).items())))
    again = expect(book(http, token, body, "equivalent-1"), 201, "Booking")
    assert again["pnr"] == booking["pnr"]
    assert counts(railway)[:2] == (1, 1)


def test_same_key_with_a_different_body_is_a_conflict(http: Client, railway: Railway) -> None:
    token = token_of(http)
    booking = booked(http, token, "reused-key")
    before = counts(railway)
    response = book(http, token, booking_body(passengers=[ANITA]), "reused-key")
    body = problem(response, 409, "DuplicateReference")
    assert booking["pnr"] in body["detail"]
    assert counts(railway) == before


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("has space", id="space"),
        pytest.param("k" * 65, id="65-characters"),
    ],
)
def test_book_needs_a_valid_idempotency_key(shared: Shared, reference: str | None) -> None:
    headers = auth(shared.token)
    if reference is not None:
        headers["Idempotency-Key"] = reference
    before = counts(shared.railway)
    response = shared.http.post(f"{BASE}/bookings", json=booking_body(), headers=headers)
    body = problem(response, 422, "SchemaValidation")
    assert "Idempotency-Key" in body["detail"]
    assert counts(shared.railway) == before


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        pytest.param({"date": "2025-02-30"}, "date", id="impossible-date"),
        pytest.param({"date": "30/11/2025"}, "date", id="dd/mm/yyyy"),
        pytest.param({"class": "XX"}, "class", id="unknown-class"),
        pytest.param({"quota": "VIP"}, "quota", id="unknown-quota"),
        pytest.param({"train": "1295"}, "train", id="four-digit-train"),
        pytest.param(
            {"passengers": [{"name": "Ravi Kumar", "age": "abc", "gender": "M"}]},
            "passengers/0/age",
            id="age-abc",
        ),
        pytest.param(
            {"passengers": [{"name": "Ravi Kumar", "age": 34, "gender": "X"}]},
            "passengers/0/gender",
            id="unknown-gender",
        ),
        pytest.param(
            {"passengers": [{**RAVI, "meal": "veg"}]}, "meal", id="extra-passenger-property"
        ),
        pytest.param({"meal": "veg"}, "meal", id="extra-property"),
        pytest.param({"passengers": [9]}, "passengers/0", id="passengers-[9]"),
        pytest.param({"passengers": []}, "passengers", id="no-passengers"),
        pytest.param({"onlyIfConfirmed": "yes"}, "onlyIfConfirmed", id="flag-not-boolean"),
        pytest.param({"train": None}, "train", id="null-train"),
    ],
)
def test_book_schema_validation(shared: Shared, changes: dict[str, Any], fragment: str) -> None:
    before = counts(shared.railway)
    body = problem(
        book(shared.http, shared.token, booking_body(**changes)), 422, "SchemaValidation"
    )
    assert fragment in body["detail"], body
    assert counts(shared.railway) == before


def test_book_schema_validation_of_a_missing_field(shared: Shared) -> None:
    body = booking_body()
    del body["train"]
    detail = problem(book(shared.http, shared.token, body), 422, "SchemaValidation")["detail"]
    assert "'train' is a required property" in detail


def test_no_confirmed_seats(http: Client, railway: Railway) -> None:
    token = token_of(http)
    first = booked(http, token, **senior_booking(passengers=seniors(2)))
    assert all(p["currentStatus"].startswith("CNF/H1/") for p in first["passengers"])
    before = counts(railway)
    body = senior_booking(passengers=seniors(1), onlyIfConfirmed=True)
    detail = problem(book(http, token, body), 409, "NoConfirmedSeats")["detail"]
    assert "nothing was booked" in detail
    assert counts(railway) == before
    # Without the flag the same passenger is waitlisted instead.
    waitlisted = booked(http, token, **senior_booking(passengers=seniors(1)))
    assert waitlisted["passengers"][0]["currentStatus"] == "SSWL 1"
    assert waitlisted["passengers"][0]["coach"] is None


def book_seniors(http: Client, token: str, pairs: int) -> list[str]:
    """Book ``pairs`` PNRs of two seniors (the most the lower-berth quota takes on one PNR)."""
    statuses = []
    for _ in range(pairs):
        view = booked(http, token, **senior_booking(passengers=seniors(2)))
        statuses += [p["currentStatus"] for p in view["passengers"]]
    return statuses


def test_waitlist_full(http: Client, railway: Railway) -> None:
    token = token_of(http)
    first = book_seniors(http, token, 3)
    assert [s[:3] for s in first] == ["CNF"] * 2 + ["SSW"] * 4
    last = booked(http, token, **senior_booking(passengers=seniors(1)))
    assert last["passengers"][0]["currentStatus"] == "SSWL 5"
    before = counts(railway)
    detail = problem(book(http, token, senior_booking(passengers=seniors(1))), 409, "WaitlistFull")
    assert "REGRET" in detail["detail"]
    assert counts(railway) == before


def test_a_booking_refused_halfway_leaves_nothing_behind(http: Client, railway: Railway) -> None:
    """Two seniors when one waitlist place is left: the first would fit, the second can't."""
    token = token_of(http)
    book_seniors(http, token, 3)  # 2 CNF, SSWL 1-4
    before = counts(railway)
    problem(book(http, token, senior_booking(passengers=seniors(2))), 409, "WaitlistFull")
    assert counts(railway) == before
    # The place the first of them would have taken is still free.
    last = booked(http, token, **senior_booking(passengers=seniors(1)))
    assert last["passengers"][0]["currentStatus"] == "SSWL 5"


# -- PNR status and cancellation ----------------------------------------------------------------


def test_pnr_not_found(shared: Shared) -> None:
    problem(status(shared.http, shared.token, MISSING_PNR), 404, "PnrNotFound")
    problem(cancel(shared.http, shared.token, MISSING_PNR), 404, "PnrNotFound")
    problem(cancel(shared.http, shared.token, MISSING_PNR, [1]), 404, "PnrNotFound")


@pytest.mark.parametrize("pnr", ["12345", "abcdefghij", "12345678901", "123456789x"])
def test_a_bad_pnr_in_the_path(shared: Shared, pnr: str) -> None:
    body = problem(status(shared.http, shared.token, pnr), 422, "SchemaValidation")
    assert "PNR" in body["detail"]
    problem(cancel(shared.http, shared.token, pnr), 422, "SchemaValidation")


def test_another_agents_pnr_is_not_found(http: Client) -> None:
    mmt = token_of(http, "MMT")
    booking = booked(http, mmt)
    paytm = token_of(http, "PAYTM")
    problem(status(http, paytm, booking["pnr"]), 404, "PnrNotFound")
    problem(cancel(http, paytm, booking["pnr"]), 404, "PnrNotFound")
    assert expect(status(http, mmt, booking["pnr"]), 200, "Booking") == booking


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(None, None, id="no-body"),
        pytest.param(b"", JSON, id="empty-json-body"),
        pytest.param(b"{}", JSON, id="empty-object"),
    ],
)
def test_cancel_without_a_selection_cancels_everyone(
    http: Client, data: bytes | None, content_type: str | None
) -> None:
    token = token_of(http)
    booking = booked(http, token, passengers=[RAVI, ANITA])
    response = http.post(
        f"{BASE}/bookings/{booking['pnr']}/cancellations",
        data=data,
        content_type=content_type,
        headers=auth(token),
    )
    result = expect(response, 200, "Cancellation")
    assert result["pnr"] == booking["pnr"]
    assert result["cancelled"] == [1, 2]
    assert result["promotions"] == []
    assert money(result["refund"]) + money(result["charges"]) == money(booking["totalFare"])
    assert money(result["charges"]) > 0
    after = result["booking"]
    assert [p["currentStatus"] for p in after["passengers"]] == ["CAN", "CAN"]
    assert [p["bookingStatus"] for p in after["passengers"]] == [
        p["bookingStatus"] for p in booking["passengers"]
    ]
    assert after["totalRefund"] == result["refund"]
    assert expect(status(http, token, booking["pnr"]), 200, "Booking") == after
    problem(cancel(http, token, booking["pnr"]), 409, "AlreadyCancelled")


def test_cancel_selected_passengers(http: Client) -> None:
    token = token_of(http)
    booking = booked(http, token, passengers=[RAVI, ANITA])
    pnr = booking["pnr"]
    result = expect(cancel(http, token, pnr, [2]), 200, "Cancellation")
    assert result["cancelled"] == [2]
    current = [p["currentStatus"] for p in result["booking"]["passengers"]]
    assert current == [booking["passengers"][0]["currentStatus"], "CAN"]
    assert result["booking"]["passengers"][1]["refund"] == result["refund"]
    problem(cancel(http, token, pnr, [2]), 409, "AlreadyCancelled")
    rest = expect(cancel(http, token, pnr), 200, "Cancellation")
    assert rest["cancelled"] == [1]
    problem(cancel(http, token, pnr), 409, "AlreadyCancelled")
    problem(cancel(http, token, pnr, [1]), 409, "AlreadyCancelled")


def test_cancel_lists_the_promotions(http: Client) -> None:
    token = token_of(http)
    first = booked(http, token, **senior_booking(passengers=seniors(2)))  # CNF, CNF
    waiting = booked(http, token, **senior_booking(passengers=seniors(1)))  # SSWL 1
    second = booked(http, token, **senior_booking(passengers=seniors(1)))  # SSWL 2
    assert waiting["passengers"][0]["currentStatus"] == "SSWL 1"
    freed = first["passengers"][0]["currentStatus"]
    result = expect(cancel(http, token, first["pnr"], [1]), 200, "Cancellation")
    assert result["promotions"] == [{"from": "SSWL 1", "to": freed}]
    promoted = expect(status(http, token, waiting["pnr"]), 200, "Booking")["passengers"][0]
    assert (promoted["bookingStatus"], promoted["currentStatus"]) == ("SSWL 1", freed)
    after = expect(status(http, token, second["pnr"]), 200, "Booking")
    assert after["passengers"][0]["currentStatus"] == "SSWL 1"


@pytest.mark.parametrize(
    "numbers", [pytest.param([3], id="no-passenger-3"), pytest.param([1, 1], id="repeated")]
)
def test_invalid_passenger_selection(http: Client, railway: Railway, numbers: list[int]) -> None:
    token = token_of(http)
    booking = booked(http, token, passengers=[RAVI, ANITA])
    before = counts(railway)
    problem(cancel(http, token, booking["pnr"], numbers), 422, "InvalidPassengerSelection")
    assert counts(railway) == before
    assert expect(status(http, token, booking["pnr"]), 200, "Booking") == booking


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"passengers": []}, id="empty-list"),
        pytest.param({"passengers": [0]}, id="passenger-0"),
        pytest.param({"passengers": [9]}, id="passenger-9"),
        pytest.param({"passengers": ["1"]}, id="string-number"),
        pytest.param({"passengers": "all"}, id="not-a-list"),
        pytest.param({"reason": "plans changed"}, id="extra-property"),
        pytest.param([1], id="not-an-object"),
    ],
)
def test_cancel_schema_validation(shared: Shared, body: Any) -> None:
    response = shared.http.post(
        f"{BASE}/bookings/{MISSING_PNR}/cancellations", json=body, headers=auth(shared.token)
    )
    problem(response, 422, "SchemaValidation")


def test_cancellation_closed_once_the_train_has_left(http: Client, clock: FixedClock) -> None:
    booking = booked(http, token_of(http))
    clock.set(datetime(2025, 11, 30, 17, 30, tzinfo=IST))  # 12952 left NDLS at 16:55
    token = token_of(http)
    body = problem(cancel(http, token, booking["pnr"]), 409, "CancellationClosed")
    assert "TDR" in body["detail"]
    after = expect(status(http, token, booking["pnr"]), 200, "Booking")
    assert after["chartStatus"] == "CHART PREPARED"
    assert [p["currentStatus"] for p in after["passengers"]] == [
        p["currentStatus"] for p in booking["passengers"]
    ]


# -- the HTTP plumbing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [BASE, f"{BASE}/nothing", f"{BASE}/bookings/{MISSING_PNR}/passengers", f"{BASE}/v2/trains"],
)
def test_unknown_path(shared: Shared, path: str) -> None:
    body = problem(shared.http.get(path, headers=auth(shared.token)), 404, "NotFound")
    assert path in body["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/trains", {"GET", "HEAD"}),
        ("GET", "/bookings", {"POST"}),
        ("PUT", f"/bookings/{MISSING_PNR}", {"GET", "HEAD"}),
        ("DELETE", f"/bookings/{MISSING_PNR}", {"GET", "HEAD"}),
        ("GET", f"/bookings/{MISSING_PNR}/cancellations", {"POST"}),
        ("GET", "/sessions", {"POST"}),
        ("GET", "/sessions/current", {"DELETE"}),
        ("POST", "/openapi.json", {"GET", "HEAD"}),
    ],
)
def test_method_not_allowed(shared: Shared, method: str, path: str, allow: set[str]) -> None:
    response = shared.http.open(f"{BASE}{path}", method=method, headers=auth(shared.token))
    body = problem(response, 405, "MethodNotAllowed")
    assert method in body["detail"]
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allow


def test_request_too_large(shared: Shared) -> None:
    limit = shared.app.settings.max_body_bytes
    over = json.dumps({"agent": "MMT", "password": "x" * limit}).encode()
    assert len(over) > limit
    problem(
        shared.http.post(f"{BASE}/sessions", data=over, content_type=JSON), 413, "RequestTooLarge"
    )
    before = counts(shared.railway)
    big = json.dumps(booking_body(padding="x" * limit)).encode()
    response = shared.http.post(
        f"{BASE}/bookings",
        data=big,
        content_type=JSON,
        headers={**auth(shared.token), "Idempotency-Key": key()},
    )
    problem(response, 413, "RequestTooLarge")
    assert counts(shared.railway) == before
    response = shared.http.post(
        f"{BASE}/bookings/{MISSING_PNR}/cancellations",
        data=b" " * (limit + 1),
        content_type=JSON,
        headers=auth(shared.token),
    )
    problem(response, 413, "RequestTooLarge")


def test_a_body_of_exactly_the_limit_is_accepted(shared: Shared) -> None:
    limit = shared.app.settings.max_body_bytes
    body = json.dumps({"agent": "MMT", "password": PASSWORDS["MMT"]}).encode()
    exact = body + b" " * (limit - len(body))
    assert len(exact) == limit
    response = shared.http.post(f"{BASE}/sessions", data=exact, content_type=JSON)
    expect(response, 201, "Session")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_unsupported_media_type(shared: Shared, content_type: str | None) -> None:
    login_body = json.dumps({"agent": "MMT", "password": "x"})
    response = shared.http.post(f"{BASE}/sessions", data=login_body, content_type=content_type)
    problem(response, 415, "UnsupportedMediaType")
    before = counts(shared.railway)
    response = shared.http.post(
        f"{BASE}/bookings",
        data=json.dumps(booking_body()),
        content_type=content_type,
        headers={**auth(shared.token), "Idempotency-Key": key()},
    )
    problem(response, 415, "UnsupportedMediaType")
    assert counts(shared.railway) == before
    response = shared.http.post(
        f"{BASE}/bookings/{MISSING_PNR}/cancellations",
        data=json.dumps({"passengers": [1]}),
        content_type=content_type,
        headers=auth(shared.token),
    )
    problem(response, 415, "UnsupportedMediaType")


def test_json_with_a_charset_parameter_is_json(shared: Shared) -> None:
    response = shared.http.post(
        f"{BASE}/sessions",
        data=json.dumps({"agent": "NOBODY", "password": "x"}),
        content_type="application/json; charset=utf-8",
    )
    problem(response, 401, "AuthenticationFailed")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"agent": "MMT", ', id="truncated"),
        pytest.param(b"{'agent': 'MMT'}", id="single-quotes"),
        pytest.param(b'{"agent": "MMT", "password": "x"} trailing', id="trailing-garbage"),
        pytest.param(b'{"agent": "\xff\xfe"}', id="not-utf-8"),
    ],
)
def test_malformed_json(shared: Shared, data: bytes) -> None:
    response = shared.http.post(f"{BASE}/sessions", data=data, content_type=JSON)
    problem(response, 400, "MalformedJson")
    before = counts(shared.railway)
    response = shared.http.post(
        f"{BASE}/bookings",
        data=data,
        content_type=JSON,
        headers={**auth(shared.token), "Idempotency-Key": key()},
    )
    problem(response, 400, "MalformedJson")
    assert counts(shared.railway) == before


def test_deeply_nested_json_is_a_client_error(shared: Shared) -> None:
    """Well under the size limit, but deeper than the JSON parser can go: the client's fault
    (400 MalformedJson), not a retryable 500."""
    data = b"[" * 50_000
    response = shared.http.post(f"{BASE}/sessions", data=data, content_type=JSON)
    problem(response, 400, "MalformedJson")


# -- Server errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "retry_after"),
    [
        pytest.param(datetime(2025, 11, 20, 23, 45, tzinfo=IST), 35 * 60, id="23:45"),
        pytest.param(datetime(2025, 11, 20, 23, 50, tzinfo=IST), 30 * 60, id="23:50"),
        pytest.param(datetime(2025, 11, 21, 0, 10, 30, tzinfo=IST), 9 * 60 + 30, id="00:10:30"),
    ],
)
def test_maintenance_window(
    http: Client, clock: FixedClock, at: datetime, retry_after: int
) -> None:
    clock.set(at)
    response = login(http)
    body = problem(response, 503, "Maintenance", retryable=True)
    assert "00:20" in body["detail"]
    assert response.headers["Retry-After"] == str(retry_after)


def test_maintenance_applies_to_every_operation(
    http: Client, railway: Railway, clock: FixedClock
) -> None:
    token = token_of(http)
    pnr = booked(http, token)["pnr"]
    before = counts(railway)
    clock.set(datetime(2025, 11, 20, 23, 50, tzinfo=IST))
    responses = [
        search(http, token),
        book(http, token, booking_body()),
        status(http, token, pnr),
        cancel(http, token, pnr),
        http.delete(f"{BASE}/sessions/current", headers=auth(token)),
    ]
    for response in responses:
        problem(response, 503, "Maintenance", retryable=True)
        assert response.headers["Retry-After"] == "1800"
    assert counts(railway) == before


def test_busy_database(busy_app: tuple[CoreApp, Path]) -> None:
    app, path = busy_app
    http = Client(app)
    token = token_of(http)
    with writer_lock_held(path):
        response = login(http)
        problem(response, 503, "Busy", retryable=True)
        assert response.headers["Retry-After"] == "1"
        response = book(http, token, booking_body(), "while-busy")
        problem(response, 503, "Busy", retryable=True)
        assert response.headers["Retry-After"] == "1"
    assert counts(app.railway)[:2] == (0, 0)
    # Once the lock is gone the same request goes through.
    booking = expect(book(http, token, booking_body(), "while-busy"), 201, "Booking")
    assert booking["clientReference"] == "while-busy"
    expect(login(http), 201, "Session")


def test_internal_error_hides_the_cause(
    http: Client, railway: Railway, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(http)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret")

    monkeypatch.setattr(railway.office, "search", broken)
    response = search(http, token)
    body = problem(response, 500, "InternalError", retryable=True)
    assert body["detail"] == "unexpected internal error"
    text = response.get_data(as_text=True)
    assert "secret" not in text and "RuntimeError" not in text and "Traceback" not in text


def test_database_error_hides_the_cause(
    http: Client, railway: Railway, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(http)

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("SQLite failed: no such table: secret_bookings")

    monkeypatch.setattr(railway.office, "book", broken)
    response = book(http, token, booking_body())
    body = problem(response, 500, "InternalError", retryable=True)
    assert body["detail"] == "internal database error"
    assert "secret" not in response.get_data(as_text=True)
    assert counts(railway) == (0, 0, 0)
