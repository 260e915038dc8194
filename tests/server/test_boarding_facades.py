"""ChangeBoardingPoint on the three facades and the travel agent's CLI: the same change, the
same refusals, each in its own wire's words (REST statuses, plain XML <Error>, SOAP faults in
the samples)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from werkzeug.test import Client

from soap_client.__main__ import main as agent_main
from soap_server.wsgi import CoreApp
from tests.conftest import JOURNEY, PASSWORDS
from tests.server.test_plain_xml import answer, book, error_of, login
from tests.server.test_rest import BASE, auth, booked, expect, problem, status, token_of
from tests.support import serving


def put_boarding(http: Client, token: str, pnr: str, body: object) -> object:
    return http.put(f"{BASE}/bookings/{pnr}/boarding-point", json=body, headers=auth(token))


def test_rest_changes_the_boarding_point_once(http: Client) -> None:
    token = token_of(http)
    first = booked(http, token, to="MMCT")
    assert first["boardingPoint"] is None
    changed = expect(put_boarding(http, token, first["pnr"], {"station": "RTM"}), 200, "Booking")
    assert (changed["from"], changed["boardingPoint"]) == ("NDLS", "RTM")
    assert changed["departs"] > first["departs"] and changed["totalFare"] == first["totalFare"]
    again = expect(put_boarding(http, token, first["pnr"], {"station": "RTM"}), 200, "Booking")
    assert again == changed  # the same request again: the booking as it is
    assert expect(status(http, token, first["pnr"]), 200, "Booking") == changed
    problem(
        put_boarding(http, token, first["pnr"], {"station": "BRC"}), 409, "BoardingChangeClosed"
    )
    other = booked(http, token, to="MMCT")
    problem(
        put_boarding(http, token, other["pnr"], {"station": "HWH"}), 422, "InvalidBoardingPoint"
    )
    problem(put_boarding(http, token, other["pnr"], {"station": "XXXX"}), 422, "UnknownStation")
    problem(put_boarding(http, token, other["pnr"], {}), 422, "SchemaValidation")
    problem(put_boarding(http, token, "12345", {"station": "KOTA"}), 422, "SchemaValidation")
    problem(put_boarding(http, token, "2" * 10, {"station": "KOTA"}), 404, "PnrNotFound")
    response = http.post(f"{BASE}/bookings/{other['pnr']}/boarding-point", headers=auth(token))
    assert response.status_code == 405 and response.headers["Allow"] == "PUT"
    problem(
        http.put(f"{BASE}/bookings/{other['pnr']}/boarding-point", json={"station": "KOTA"}),
        401,
        "SessionInvalid",
    )


def test_plain_xml_changes_a_booking_named_by_its_reference(http: Client) -> None:
    calls = (
        login()
        + book("XML-BOARD-1", destination="MMCT")
        + '<ChangeBoardingPoint reference="XML-BOARD-1" station="KOTA"/>'
        + '<ChangeBoardingPoint reference="XML-BOARD-1" station="BRC"/>'
    )
    response = http.post(
        "/xml", data=f"<Request>{calls}</Request>", content_type="text/xml; charset=utf-8"
    )
    results = answer(response)  # validated against the XSD
    assert [r.tag for r in results] == ["Login", "Book", "ChangeBoardingPoint", "Error"]
    booked_, changed = results[1], results[2]
    assert booked_.get("boardingPoint") is None
    assert (changed.get("source"), changed.get("boardingPoint")) == ("NDLS", "KOTA")
    assert changed.get("pnr") == booked_.get("pnr")
    assert [p.get("currentStatus") for p in changed.iterchildren("Passenger")] == [
        p.get("currentStatus") for p in booked_.iterchildren("Passenger")
    ]
    error_of(results, "ChangeBoardingPoint", "BoardingChangeClosed")
    missing = http.post(
        "/xml",
        data=f'<Request>{login()}<ChangeBoardingPoint pnr="2123456789"/></Request>',
        content_type="text/xml; charset=utf-8",
    )
    error_of(answer(missing, 400), None, "SchemaValidation")  # station is required
    assert b"station" in missing.data


def test_the_travel_agent_cli_changes_the_boarding_point(
    app: CoreApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    with serving(app) as url:
        common = ["--url", url, "--agent", "MMT", "--password", PASSWORDS["MMT"]]
        common += ["--ledger", str(ledger)]

        def cli(*args: str) -> tuple[int, str]:
            out = io.StringIO()
            return agent_main([*common, *args], stdout=out), out.getvalue()

        code, text = cli(
            "--json", "book", "--train", "12952", "--date", JOURNEY.isoformat(), "--from",
            "NDLS", "--to", "MMCT", "--class", "2A", "--passenger", "Ravi Kumar,34,M",
        )  # fmt: skip
        assert code == 0, text
        pnr = json.loads(text)["pnr"]
        code, text = cli("boarding", pnr, "kota")
        assert code == 0, text
        assert "boards at KOTA (boarding point changed)" in text and "NDLS -> MMCT" in text
        code, text = cli("--json", "boarding", pnr, "KOTA")  # the retry answers the booking
        assert code == 0 and json.loads(text)["boarding_point"] == "KOTA"
        capsys.readouterr()
        code, text = cli("boarding", pnr, "BRC")
        error = capsys.readouterr().err
        assert code == 1 and text == "", text
        assert error.count("\n") == 1 and "Client.BoardingChangeClosed" in error, error
