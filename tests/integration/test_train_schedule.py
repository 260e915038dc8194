"""GetTrainSchedule end to end: the same timetable through SOAP (the generated client, via the
travel agent), REST and plain XML, each checked against its own contract, and the CLI."""

from __future__ import annotations

import io
import json
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client

from soap_client.__main__ import main as agent_cli
from soap_client.agent import TravelAgent
from soap_client.errors import ClientFault
from soap_client.transports import WsgiTransport
from soap_server.plainxml.schema import compiled
from soap_server.railway.clock import IST
from soap_server.railway.operations import BY_KEY
from soap_server.rest.openapi import Validators, first_error
from soap_server.simulation import Profile, load_profile
from soap_server.wsgi import CoreApp
from tests.conftest import PASSWORDS, login_token
from tests.support import READER

#: The Mumbai Rajdhani from New Delhi, as soap_server/railway/data/trains.toml has it.
RAJDHANI = [
    # station, arrives, departs, halt, day, km
    ("NDLS", None, "16:55", None, 1, 0),
    ("KOTA", "21:40", "21:50", 10, 1, 465),
    ("RTM", "00:42", "00:45", 3, 2, 731),
    ("BRC", "03:48", "03:56", 8, 2, 992),
    ("ST", "05:28", "05:33", 5, 2, 1121),
    ("BVI", "07:50", "07:52", 2, 2, 1354),
    ("MMCT", "08:35", None, None, 2, 1384),
]


def _clock(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text).replace(tzinfo=IST)


def test_the_agent_reads_the_timetable_through_the_generated_client(app: CoreApp) -> None:
    with TravelAgent(
        "http://core.test/soap", "MMT", PASSWORDS["MMT"], transport=WsgiTransport(app)
    ) as agent:
        schedule = agent.read(
            lambda client, header: client.get_train_schedule(
                train_number="12952", session_header=header
            )
        )
        assert (schedule.train_number, schedule.from_, schedule.to) == ("12952", "NDLS", "MMCT")
        assert schedule.train_name == "Mumbai Rajdhani Express"
        assert schedule.category == "RAJDHANI"
        assert schedule.runs_on == "MON TUE WED THU FRI SAT SUN"
        assert schedule.distance_km == 1384 and schedule.duration == timedelta(hours=15, minutes=40)
        got = [
            (s.station, s.arrival, s.departure, s.halt_minutes, s.day, s.distance_km)
            for s in schedule.stops
        ]
        assert got == [(st, _clock(a), _clock(d), h, day, km) for st, a, d, h, day, km in RAJDHANI]
        assert [s.number for s in schedule.stops] == list(range(1, 8))
        assert schedule.stops[2].station_name == "Ratlam Jn"
        with pytest.raises(ClientFault) as refused:
            agent.read(
                lambda client, header: client.get_train_schedule(
                    train_number="99999", session_header=header
                )
            )
        assert refused.value.code == "TrainNotFound"


def _rest(http: Client, token: str, train: str) -> Any:
    response = http.get(
        f"/rest/v1/trains/{train}/schedule", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, json.loads(response.get_data())


def test_rest_answers_the_timetable_by_its_schema(app: CoreApp) -> None:
    http, token = Client(app), login_token(app.railway)
    status, body = _rest(http, token, "12952")
    assert status == 200
    validator = Validators.compile({"$ref": "#/components/schemas/TrainSchedule"})
    assert first_error(validator, body) is None
    assert (body["trainNumber"], body["from"], body["to"], body["duration"]) == (
        "12952",
        "NDLS",
        "MMCT",
        "PT15H40M",
    )
    assert body["runsOn"] == ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
    got = [
        (s["station"], s["arrives"], s["departs"], s["haltMinutes"], s["day"], s["distanceKm"])
        for s in body["stops"]
    ]
    iso = [
        (st, a and f"{a}:00+05:30", d and f"{d}:00+05:30", h, day, km)
        for st, a, d, h, day, km in RAJDHANI
    ]
    assert got == iso
    assert _rest(http, token, "99999")[0] == 404
    status, problem = _rest(http, token, "1295")
    assert status == 422 and problem["code"] == "SchemaValidation"
    assert "train" in problem["detail"]
    unauthenticated = http.get("/rest/v1/trains/12952/schedule")
    assert unauthenticated.status_code == 401


def test_plain_xml_answers_the_timetable_by_its_schema(app: CoreApp) -> None:
    http, token = Client(app), login_token(app.railway)
    document = f'<Request session="{token}"><TrainSchedule train="12952"/></Request>'
    response = http.post("/xml", data=document.encode(), content_type="text/xml; charset=utf-8")
    assert response.status_code == 200
    root = etree.fromstring(response.data, READER)
    assert compiled().validate(root), compiled().error_log
    (schedule,) = root
    assert schedule.tag == "TrainSchedule"
    assert (schedule.get("trainNumber"), schedule.get("source"), schedule.get("destination")) == (
        "12952",
        "NDLS",
        "MMCT",
    )
    got = [
        (
            stop.get("station"),
            stop.get("arrives"),
            stop.get("departs"),
            stop.get("haltMinutes"),
            stop.get("day"),
            stop.get("distanceKm"),
        )
        for stop in schedule.iterchildren("Stop")
    ]
    expected = [
        (
            st,
            a and f"{a}:00+05:30",
            d and f"{d}:00+05:30",
            None if h is None else str(h),
            str(day),
            str(km),
        )
        for st, a, d, h, day, km in RAJDHANI
    ]
    assert got == expected


def test_the_cli_prints_the_timetable_and_fails_in_one_line(
    live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--url", live_server, "--password", PASSWORDS["MMT"]]
    common += ["--ledger", str(tmp_path / "ledger.sqlite3")]
    out = io.StringIO()
    assert agent_cli([*common, "schedule", "12952"], stdout=out) == 0
    text = out.getvalue()
    assert text.startswith("12952 Mumbai Rajdhani Express (RAJDHANI): NDLS -> MMCT, 1384 km")
    assert "RTM   Ratlam Jn" in text and "00:42" in text and "MMCT  Mumbai Central" in text
    out = io.StringIO()
    assert agent_cli([*common, "--json", "schedule", "12951"], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert data["from_"] == "MMCT" and len(data["stops"]) == len(RAJDHANI)
    assert data["stops"][0]["arrival"] is None and data["stops"][0]["departure"] == "17:00:00+05:30"
    assert agent_cli([*common, "schedule", "99999"], stdout=io.StringIO()) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == "error: Client.TrainNotFound: no train numbered '99999'"


def test_a_profile_may_name_the_new_operation(tmp_path: Path) -> None:
    assert BY_KEY["schedule"].name == "GetTrainSchedule"
    path = tmp_path / "schedule.toml"
    path.write_text('name = "slow-timetables"\n[latency.schedule]\nmedian_ms = 5\n')
    profile: Profile = load_profile(path)
    assert profile.latency["schedule"].median_ms == 5
