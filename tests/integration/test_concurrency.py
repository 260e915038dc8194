"""Concurrent Book calls on one nearly full train, date and class: from threads against one
server, and from two server processes sharing one database (a SQLite file, or PostgreSQL).
Nothing may be given twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from lxml import etree

from soap_server.railway.system import Railway
from soap_server.wsgi import build_railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import JOURNEY, NOW, PASSWORDS, TNS, core_settings, envelope, login_token
from tests.support import (
    all_occupancy,
    all_passengers,
    berths,
    core_process,
    database_of,
    fill,
    rac_berths,
)

pytestmark = BOTH_BACKENDS

TRAIN, SOURCE, DESTINATION, CLASS = "12952", "NDLS", "MMCT", "2A"
CALLS = 50
LEAVE = 3  # confirmed berths left before the rush


def fill_leaving(railway: Railway, leave: int) -> int:
    """Book GN passengers until only ``leave`` confirmed berths remain; return how many exist."""
    capacity = len(berths(railway, TRAIN, CLASS))
    fill(
        railway,
        login_token(railway),
        capacity - leave,
        train=TRAIN,
        source=SOURCE,
        destination=DESTINATION,
        cls=CLASS,
    )
    return capacity


def book_envelope(token: str, reference: str) -> bytes:
    return envelope(
        f"<tns:Book><tns:TrainNumber>{TRAIN}</tns:TrainNumber>"
        f"<tns:JourneyDate>{JOURNEY.isoformat()}</tns:JourneyDate>"
        f"<tns:From>{SOURCE}</tns:From><tns:To>{DESTINATION}</tns:To><tns:Class>{CLASS}</tns:Class>"
        "<tns:Quota>GN</tns:Quota><tns:Passengers><tns:Passenger>"
        "<tns:Name>Rush Traveller</tns:Name>"
        "<tns:Age>40</tns:Age><tns:Gender>F</tns:Gender></tns:Passenger></tns:Passengers>"
        f"<tns:ClientReference>{reference}</tns:ClientReference></tns:Book>",
        token,
    )


def post_book(url: str, token: str, reference: str) -> str:
    """One Book over HTTP; returns the passenger's booking status or the fault code."""
    answer = requests.post(
        url,
        data=book_envelope(token, reference),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"Book"'},
        timeout=60,
    )
    root = etree.fromstring(answer.content)
    code = root.find(f".//{{{TNS}}}ReservationFault/{{{TNS}}}Code")
    if code is not None:
        assert answer.status_code == 500
        return f"fault:{code.text}"
    assert answer.status_code == 200
    status = root.find(f".//{{{TNS}}}PassengerStatus/{{{TNS}}}BookingStatus")
    assert status is not None and status.text
    return status.text


def audit(database: Path | str) -> dict[str, int]:
    """Check every invariant of the seat inventory; return passenger counts by state."""
    passengers = all_passengers(database)
    occupancy = all_occupancy(database)
    # Every (place, leg) is held at most once: the primary key says so, and so must the data.
    holders = Counter((row[0], row[1], row[3], row[4], row[5], row[6]) for row in occupancy)
    assert max(holders.values(), default=1) == 1
    held = Counter((row[7], row[8]) for row in occupancy)
    states = Counter(p.state for p in passengers)
    for pax in passengers:
        legs = pax.to_index - pax.from_index
        if pax.state in ("CNF", "RAC"):
            assert held[(pax.pnr, pax.number)] == legs, pax
        else:
            assert held[(pax.pnr, pax.number)] == 0, pax
    # No two confirmed passengers on the same berth.
    berths = Counter(
        (p.train, p.origin_date, p.coach, p.berth) for p in passengers if p.state == "CNF"
    )
    assert max(berths.values(), default=1) == 1
    # Waitlist numbers per pool: unique and gapless from 1.
    pools: dict[tuple[str, str, str, str], list[int]] = {}
    for p in passengers:
        if p.wl_no is not None:
            pools.setdefault((p.train, p.origin_date, p.class_code, p.quota), []).append(p.wl_no)
    for numbers in pools.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    return dict(states)


def check_rush(
    outcomes: list[str], states: dict[str, int], railway_capacity: int, rac: int
) -> None:
    kinds = Counter(o.split(" ")[0].split("/")[0] for o in outcomes)
    assert kinds["CNF"] == LEAVE
    assert kinds["RAC"] == rac
    assert kinds["GNWL"] == CALLS - LEAVE - rac - kinds["fault:WaitlistFull"]
    assert set(kinds) <= {"CNF", "RAC", "GNWL", "fault:WaitlistFull"}
    # RAC numbers 1..rac and WL numbers 1..n were each handed out exactly once.
    assert sorted(int(o.split()[1]) for o in outcomes if o.startswith("RAC")) == list(
        range(1, rac + 1)
    )
    wl = sorted(int(o.split()[1]) for o in outcomes if o.startswith("GNWL"))
    assert wl == list(range(1, len(wl) + 1))
    assert states["CNF"] == railway_capacity
    assert states.get("RAC", 0) == rac
    assert states.get("WL", 0) == len(wl)


def test_threads_against_one_server(railway: Railway, live_server: str) -> None:
    capacity = fill_leaving(railway, LEAVE)
    rac = len(rac_berths(railway, TRAIN, CLASS))
    token = login_token(railway)
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(
            pool.map(lambda i: post_book(live_server, token, f"rush-{i}"), range(CALLS))
        )
    states = audit(database_of(railway))
    check_rush(outcomes, states, capacity, rac)
    # Availability as searched agrees with what was sold.
    option = next(
        o for o in railway.search(token, SOURCE, DESTINATION, JOURNEY, CLASS) if o.number == TRAIN
    )
    assert option.classes[0].available == 0


@pytest.fixture
def two_servers(database: Path | str) -> Iterator[tuple[Path | str, list[str]]]:
    railway = build_railway(core_settings(database))
    fill_leaving(railway, LEAVE)
    railway.close()
    flags = ["--db", str(database), "--clock", f"fixed:{NOW.isoformat()}"]
    flags += ["--quiet", "--no-maintenance"]
    with core_process(*flags) as (first, _), core_process(*flags) as (second, _):
        yield database, [f"{first}/soap", f"{second}/soap"]


def test_two_processes_share_one_database(two_servers: tuple[Path | str, list[str]]) -> None:
    database, urls = two_servers
    login = envelope(
        f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{PASSWORDS['MMT']}"
        "</tns:Password></tns:Login>"
    )
    answer = requests.post(urls[0], data=login, headers={"Content-Type": "text/xml"}, timeout=30)
    token_element = etree.fromstring(answer.content).find(f".//{{{TNS}}}SessionToken")
    assert token_element is not None and token_element.text
    token = token_element.text  # sessions live in the shared database: valid on both servers
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(
            pool.map(lambda i: post_book(urls[i % 2], token, f"rush-{i}"), range(CALLS))
        )
    states = audit(database)
    railway = build_railway(core_settings(database))
    try:
        capacity = len(berths(railway, TRAIN, CLASS))
        rac = len(rac_berths(railway, TRAIN, CLASS))
    finally:
        railway.close()
    check_rush(outcomes, states, capacity, rac)
    assert not any(o.startswith("fault:Busy") for o in outcomes)
