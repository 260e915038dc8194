"""The domain's errors on the three facades, tested once, as data.

``RULES`` is one table of requests that break a rule, written in the domain's terms (the fields
of the operation's request view); each case is sent through SOAP, REST and plain XML and must
come back as the same code, nothing booked. ``WIRE`` then checks every error the core can raise
(found from ``railway.errors``, so a new one can't be forgotten) against each facade's wire
shape: SOAP's ``Client.X``/``Server.X`` faultcode, REST's HTTP status (from the table below:
an independent statement of the contract, not a copy of the code's table) and XML's ``<Error>``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse

from soap_server.railway import errors
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import CoreApp, create_app
from tests.conftest import JOURNEY, envelope, login_token
from tests.support import READER, counts, read_fault

SEVEN = tuple((f"Traveller {chr(65 + i)}", 30 + i, "M") for i in range(7))
RAVI = ("Ravi Kumar", 34, "M")
MISSING_PNR = "2999999999"


@dataclass(frozen=True)
class Rule:
    """A request that breaks a rule: the operation, changes to its usual request, the code."""

    operation: str
    code: str
    changes: dict[str, Any] = field(default_factory=dict)
    rest_status: int = 422


SEARCH = {"source": "NDLS", "destination": "MMCT", "journey_date": JOURNEY}
BOOK = {
    "train": "12952",
    "journey_date": JOURNEY,
    "source": "NDLS",
    "destination": "MMCT",
    "class_code": "3A",
    "quota": "GN",
    "passengers": (RAVI,),
}

RULES = [
    pytest.param(Rule("SearchTrain", "UnknownStation", {"source": "XYZQ"}), id="search-station"),
    pytest.param(Rule("Book", "UnknownStation", {"source": "XYZQ"}), id="book-station"),
    pytest.param(Rule("SearchTrain", "SameStation", {"destination": "NDLS"}), id="search-same"),
    pytest.param(
        Rule("Book", "SameStation", {"source": "BCT", "destination": "MMCT"}),
        id="book-same-BCT-is-MMCT",
    ),
    pytest.param(Rule("Book", "TrainNotFound", {"train": "99999"}, 404), id="TrainNotFound"),
    pytest.param(
        Rule(
            "Book", "TrainNotRunning", {"train": "22209", "source": "MMCT", "destination": "NDLS"}
        ),
        id="TrainNotRunning-22209-not-on-sunday",
    ),
    pytest.param(Rule("Book", "TrainDoesNotStop", {"destination": "HWH"}), id="does-not-stop"),
    pytest.param(
        Rule("Book", "TrainDoesNotStop", {"source": "MMCT", "destination": "NDLS"}),
        id="wrong-direction",
    ),
    pytest.param(Rule("Book", "ClassNotOnTrain", {"class_code": "SL"}), id="ClassNotOnTrain"),
    pytest.param(
        Rule("Book", "QuotaNotAvailable", {"class_code": "1A", "quota": "LD"}), id="1A-ladies"
    ),
    pytest.param(
        Rule("Book", "QuotaNotAvailable", {"class_code": "1A", "quota": "TQ"}), id="1A-tatkal"
    ),
    pytest.param(
        Rule("Book", "OutsideReservationWindow", {"journey_date": date(2026, 1, 20)}),
        id="book-beyond-60-days",
    ),
    pytest.param(
        Rule("Book", "OutsideReservationWindow", {"journey_date": date(2025, 11, 19)}),
        id="book-past",
    ),
    pytest.param(
        Rule("SearchTrain", "OutsideReservationWindow", {"journey_date": date(2026, 1, 20)}),
        id="search-beyond-60-days",
    ),
    pytest.param(Rule("Book", "TatkalNotOpen", {"quota": "TQ"}), id="TatkalNotOpen"),
    pytest.param(Rule("Book", "TooManyPassengers", {"passengers": SEVEN}), id="seven"),
    pytest.param(
        Rule("Book", "InvalidPassenger", {"passengers": (("Baby Kumar", 3, "F"),)}),
        id="age-under-5",
    ),
    pytest.param(
        Rule("Book", "InvalidPassenger", {"passengers": (("R2D2", 30, "M"),)}), id="name-digits"
    ),
    pytest.param(
        Rule("Book", "InvalidPassenger", {"quota": "LD", "passengers": (RAVI,)}),
        id="man-in-ladies-quota",
    ),
    pytest.param(
        Rule("Book", "InvalidPassenger", {"passengers": (("Ravi Kumar", 34, "M", "WS"),)}),
        id="window-seat-in-3A",
    ),
    pytest.param(Rule("GetPnrStatus", "PnrNotFound", {"pnr": MISSING_PNR}, 404), id="pnr-status"),
    pytest.param(Rule("CancelBooking", "PnrNotFound", {"pnr": MISSING_PNR}, 404), id="pnr-cancel"),
    pytest.param(Rule("GetTrainSchedule", "TrainNotFound", {"train": "99999"}, 404), id="schedule"),
]


# -- the three ways of asking ---------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    code: str
    retryable: bool
    message: str


def _request(operation: str, changes: dict[str, Any]) -> dict[str, Any]:
    base = {"SearchTrain": SEARCH, "Book": BOOK}.get(operation, {})
    return {**base, **changes}


def _soap(http: Client, token: str, operation: str, fields: dict[str, Any]) -> TestResponse:
    if operation == "SearchTrain":
        body = (
            f"<tns:SearchTrain><tns:From>{fields['source']}</tns:From>"
            f"<tns:To>{fields['destination']}</tns:To>"
            f"<tns:JourneyDate>{fields['journey_date']}</tns:JourneyDate></tns:SearchTrain>"
        )
    elif operation == "Book":
        people = "".join(
            f"<tns:Passenger><tns:Name>{p[0]}</tns:Name><tns:Age>{p[1]}</tns:Age>"
            f"<tns:Gender>{p[2]}</tns:Gender>"
            + (f"<tns:BerthPreference>{p[3]}</tns:BerthPreference>" if len(p) > 3 else "")
            + "</tns:Passenger>"
            for p in fields["passengers"]
        )
        body = (
            f"<tns:Book><tns:TrainNumber>{fields['train']}</tns:TrainNumber>"
            f"<tns:JourneyDate>{fields['journey_date']}</tns:JourneyDate>"
            f"<tns:From>{fields['source']}</tns:From><tns:To>{fields['destination']}</tns:To>"
            f"<tns:Class>{fields['class_code']}</tns:Class><tns:Quota>{fields['quota']}</tns:Quota>"
            f"<tns:Passengers>{people}</tns:Passengers>"
            f"<tns:ClientReference>rule-{id(fields)}</tns:ClientReference></tns:Book>"
        )
    elif operation == "GetTrainSchedule":
        body = (
            f"<tns:GetTrainSchedule><tns:TrainNumber>{fields['train']}</tns:TrainNumber>"
            "</tns:GetTrainSchedule>"
        )
    else:
        body = f"<tns:{operation}><tns:Pnr>{fields['pnr']}</tns:Pnr></tns:{operation}>"
    headers = {"SOAPAction": f'"{operation}"'}
    return http.post("/soap", data=envelope(body, token), content_type="text/xml", headers=headers)


def _rest(http: Client, token: str, operation: str, fields: dict[str, Any]) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"}
    if operation == "SearchTrain":
        query = {
            "from": fields["source"],
            "to": fields["destination"],
            "date": fields["journey_date"].isoformat(),
        }
        return http.get("/rest/v1/trains", query_string=query, headers=headers)
    if operation == "Book":
        body = {
            "train": fields["train"],
            "date": fields["journey_date"].isoformat(),
            "from": fields["source"],
            "to": fields["destination"],
            "class": fields["class_code"],
            "quota": fields["quota"],
            "passengers": [
                {"name": p[0], "age": p[1], "gender": p[2], **({"berth": p[3]} if p[3:] else {})}
                for p in fields["passengers"]
            ],
        }
        headers["Idempotency-Key"] = f"rule-{id(fields)}"
        return http.post("/rest/v1/bookings", json=body, headers=headers)
    if operation == "GetPnrStatus":
        return http.get(f"/rest/v1/bookings/{fields['pnr']}", headers=headers)
    if operation == "GetTrainSchedule":
        return http.get(f"/rest/v1/trains/{fields['train']}/schedule", headers=headers)
    return http.post(f"/rest/v1/bookings/{fields['pnr']}/cancellations", headers=headers)


def _xml(http: Client, token: str, operation: str, fields: dict[str, Any]) -> TestResponse:
    def attributes(**values: Any) -> str:
        return "".join(f" {k}={quoteattr(str(v))}" for k, v in values.items())

    if operation == "SearchTrain":
        call = "<SearchTrain{}/>".format(
            attributes(
                source=fields["source"],
                destination=fields["destination"],
                date=fields["journey_date"],
            )
        )
    elif operation == "Book":
        people = "".join(
            "<Passenger{}/>".format(
                attributes(name=p[0], age=p[1], gender=p[2], **({"berth": p[3]} if p[3:] else {}))
            )
            for p in fields["passengers"]
        )
        head = attributes(
            train=fields["train"],
            date=fields["journey_date"],
            source=fields["source"],
            destination=fields["destination"],
            **{"class": fields["class_code"]},
            quota=fields["quota"],
            reference=f"rule-{id(fields)}",
        )
        call = f"<Book{head}>{people}</Book>"
    elif operation == "GetTrainSchedule":
        call = f'<TrainSchedule train="{fields["train"]}"/>'
    else:
        tag = {"GetPnrStatus": "PnrStatus", "CancelBooking": "Cancel"}[operation]
        call = f'<{tag} pnr="{fields["pnr"]}"/>'
    document = f'<Request session="{token}">{call}</Request>'
    return http.post("/xml", data=document.encode(), content_type="text/xml; charset=utf-8")


def _read_soap(response: TestResponse, operation: str) -> Refusal:
    fault = read_fault(response)
    return Refusal(fault.code, fault.retryable, fault.message)


def _read_rest(response: TestResponse, operation: str) -> Refusal:
    assert response.mimetype == "application/problem+json", response.data[:300]
    body = json.loads(response.get_data())
    assert body["status"] == response.status_code and body["title"] == body["code"]
    return Refusal(body["code"], body["retryable"], body["detail"])


def _read_xml(response: TestResponse, operation: str) -> Refusal:
    assert response.status_code == 200, response.data[:300]
    (error,) = etree.fromstring(response.data, READER)
    assert error.tag == "Error" and error.get("op"), etree.tostring(error)
    return Refusal(
        str(error.get("code")), error.get("retryable") == "true", error.get("message", "")
    )


Send = Callable[[Client, str, str, dict[str, Any]], TestResponse]
Read = Callable[[TestResponse, str], Refusal]
FACADES: dict[str, tuple[Send, Read]] = {
    "SOAP": (_soap, _read_soap),
    "REST": (_rest, _read_rest),
    "XML": (_xml, _read_xml),
}


@pytest.fixture(scope="module")
def shared(shared_core: tuple[Railway, str]) -> tuple[Client, Railway, str]:
    core, token = shared_core
    return Client(create_app(Settings(), core)), core, token


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("rule", RULES)
def test_a_broken_rule_is_the_same_code_on_every_facade(
    shared: tuple[Client, Railway, str], rule: Rule, facade: str
) -> None:
    http, core, token = shared
    send, read = FACADES[facade]
    before = counts(core)
    response = send(http, token, rule.operation, _request(rule.operation, rule.changes))
    refusal = read(response, rule.operation)
    assert (refusal.code, refusal.retryable) == (rule.code, False)
    assert refusal.message.strip() and "\n" not in refusal.message
    if facade == "REST":
        assert response.status_code == rule.rest_status
    assert counts(core) == before


# -- every error of the core, on each facade's wire ------------------------------------------------

#: REST's status for each code, as the contract (README, OpenAPI) states it; others are
#: 422 for Client errors and 503 for Server errors.
REST_STATUS = {
    "AuthenticationFailed": 401,
    "SessionInvalid": 401,
    "SessionExpired": 401,
    "AgentBarred": 403,
    "PnrNotFound": 404,
    "TrainNotFound": 404,
    "DuplicateReference": 409,
    "AlreadyCancelled": 409,
    "CancellationClosed": 409,
    "ChartPrepared": 409,
    "BoardingChangeClosed": 409,
    "NoConfirmedSeats": 409,
    "WaitlistFull": 409,
    "RateLimited": 429,
    "LoginThrottled": 429,
    "InternalError": 500,
}


def _domain_errors() -> Iterator[type[errors.ReservationError]]:
    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, errors.ReservationError) and cls not in (
            errors.ReservationError,
            errors.ClientError,
            errors.ServerError,
        ):
            yield cls


WIRE = [pytest.param(cls, id=cls.code) for cls in _domain_errors()]


def test_the_error_table_is_complete() -> None:
    codes = {cls.code for cls in _domain_errors()}
    assert len(codes) == len(WIRE) >= 28  # one code per class, none shared
    assert set(REST_STATUS) <= codes


@pytest.fixture
def failing(app: CoreApp, railway: Railway, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An app whose search work raises the error a test sets in ``failing.error``."""

    class Failing:
        error: errors.ReservationError = errors.InternalError("unset")

    def search(*args: Any, **kwargs: Any) -> Any:
        raise Failing.error

    monkeypatch.setattr(railway.office, "search", search)
    yield Failing


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("cls", WIRE)
def test_every_domain_error_has_its_wire_shape(
    app: CoreApp,
    railway: Railway,
    failing: Any,
    cls: type[errors.ReservationError],
    facade: str,
) -> None:
    failing.error = cls(f"the core says {cls.code}")
    send, read = FACADES[facade]
    response = send(Client(app), login_token(railway), "SearchTrain", dict(SEARCH))
    refusal = read(response, "SearchTrain")
    assert (refusal.code, refusal.retryable) == (cls.code, cls.retryable)
    assert refusal.message == f"the core says {cls.code}"
    if facade == "SOAP":
        assert response.status_code == 500
        assert (
            read_fault(response).faultcode
            == f"{'Server' if cls.retryable else 'Client'}.{cls.code}"
        )
    if facade == "REST":
        expected = REST_STATUS.get(cls.code, 503 if cls.retryable else 422)
        assert response.status_code == expected
        if expected in (429, 503):
            assert int(response.headers["Retry-After"]) >= 1
