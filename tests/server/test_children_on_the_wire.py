"""Children and infants on the three facades: a child of 5 to 11 may travel without a berth
(``NoBerth`` on SOAP, ``noBerth`` on REST and plain XML) at half the base fare, an infant under
5 is recorded without a berth and pays nothing; both travel on the status of the party."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from werkzeug.test import Client

from soap_client import checks
from soap_client.__main__ import main as agent_main
from soap_client.models import Passenger
from soap_server.wsgi import CoreApp
from tests.conftest import JOURNEY, PASSWORDS, TNS, envelope
from tests.server.test_plain_xml import answer, error_of, login
from tests.server.test_rest import book, booked, booking_body, problem, token_of
from tests.support import serving

FAMILY = [
    {"name": "Ravi Kumar", "age": 34, "gender": "M"},
    {"name": "Aarav Kumar", "age": 8, "gender": "M", "noBerth": True},
    {"name": "Diya Kumar", "age": 2, "gender": "F"},
]


def check_family(passengers: list[tuple[str, str, Decimal, str | None]]) -> None:
    """(current status, fare, coach) of the adult, the child without a berth and the infant."""
    (adult, adult_fare, coach), (child, child_fare, child_coach), (infant, infant_fare, baby) = (
        (status, fare, coach) for status, _, fare, coach in passengers
    )
    assert adult.startswith("CNF/") and coach is not None
    assert (child, child_coach) == ("CNF/NB", None) and (infant, baby) == ("CNF/NB", None)
    assert 0 < child_fare < adult_fare and infant_fare == 0


def test_rest(http: Client) -> None:
    token = token_of(http)
    body = booked(http, token, passengers=FAMILY)
    check_family(
        [
            (p["currentStatus"], p["name"], Decimal(p["fare"]), p["coach"])
            for p in body["passengers"]
        ]
    )
    alone = [{"name": "Aarav Kumar", "age": 8, "gender": "M", "noBerth": True}]
    problem(book(http, token, booking_body(passengers=alone)), 422, "InvalidPassenger")
    adult = [{"name": "Ravi Kumar", "age": 34, "gender": "M", "noBerth": True}]
    problem(book(http, token, booking_body(passengers=adult)), 422, "InvalidPassenger")


def test_plain_xml(http: Client) -> None:
    people = "".join(
        f'<Passenger name="{p["name"]}" age="{p["age"]}" gender="{p["gender"]}"'
        + (' noBerth="true"' if p.get("noBerth") else "")
        + "/>"
        for p in FAMILY
    )
    call = (
        f'<Book train="12952" date="{JOURNEY}" source="NDLS" destination="MMCT" class="3A"'
        f' reference="XML-FAMILY-1">{people}</Book>'
    )
    response = http.post(
        "/xml", data=f"<Request>{login()}{call}</Request>", content_type="text/xml; charset=utf-8"
    )
    results = answer(response)
    check_family(
        [
            (p.get("currentStatus", ""), "", Decimal(p.get("fare", "0")), p.get("coach"))
            for p in results[1].iterchildren("Passenger")
        ]
    )
    adult = call.replace('age="8"', 'age="30"').replace("XML-FAMILY-1", "XML-FAMILY-2")
    refused = http.post(
        "/xml", data=f"<Request>{login()}{adult}</Request>", content_type="text/xml; charset=utf-8"
    )
    error_of(answer(refused), "Book", "InvalidPassenger")


def test_soap(http: Client) -> None:
    token = etree.fromstring(
        http.post(
            "/soap",
            data=envelope(
                "<tns:Login><tns:AgentId>MMT</tns:AgentId>"
                "<tns:Password>" + PASSWORDS["MMT"] + "</tns:Password></tns:Login>"
            ),
            content_type="text/xml; charset=utf-8",
        ).data
    ).findtext(f".//{{{TNS}}}SessionToken")
    people = "".join(
        f"<tns:Passenger><tns:Name>{p['name']}</tns:Name><tns:Age>{p['age']}</tns:Age>"
        f"<tns:Gender>{p['gender']}</tns:Gender>"
        + ("<tns:NoBerth>true</tns:NoBerth>" if p.get("noBerth") else "")
        + "</tns:Passenger>"
        for p in FAMILY
    )
    body = (
        f"<tns:Book><tns:TrainNumber>12952</tns:TrainNumber><tns:JourneyDate>{JOURNEY}"
        "</tns:JourneyDate><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To><tns:Class>3A</tns:Class>"
        f"<tns:Passengers>{people}</tns:Passengers>"
        "<tns:ClientReference>SOAP-FAMILY-1</tns:ClientReference></tns:Book>"
    )
    response = http.post(
        "/soap", data=envelope(body, token), content_type="text/xml; charset=utf-8"
    )
    assert response.status_code == 200, response.data[:800]
    root = etree.fromstring(response.data)
    check_family(
        [
            (
                p.findtext(f"{{{TNS}}}CurrentStatus") or "",
                "",
                Decimal(p.findtext(f"{{{TNS}}}Fare") or "0"),
                p.findtext(f"{{{TNS}}}Coach"),
            )
            for p in root.iter(f"{{{TNS}}}PassengerStatus")
        ]
    )


def test_the_travel_agent_books_a_child_without_a_berth(
    app: CoreApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert checks.passenger("Aarav Kumar,8,M,nosb") == Passenger("Aarav Kumar", 8, "M", None, True)
    with serving(app) as url:
        out = io.StringIO()
        code = agent_main(
            [
                "--url", url, "--agent", "MMT", "--password", PASSWORDS["MMT"],
                "--ledger", str(tmp_path / "ledger.sqlite3"), "--json",
                "book", "--train", "12952", "--date", JOURNEY.isoformat(), "--from", "NDLS",
                "--to", "MMCT", "--class", "3A", "--passenger", "Ravi Kumar,34,M",
                "--passenger", "Aarav Kumar,8,M,NOSB", "--passenger", "Diya Kumar,2,F",
            ],
            stdout=out,
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        passengers = json.loads(out.getvalue())["passengers"]
        check_family(
            [(p["current_status"], "", Decimal(p["fare"]), p["coach"]) for p in passengers]
        )
