"""Boarding-point changes under the era's rule: the pure check, then the core's change (the
berths kept for the new legs only, the legs given up sold onward, the refusals)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from soap_server.railway.boarding import plan_boarding_change
from soap_server.railway.catalog import load_catalog
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import (
    AlreadyCancelled,
    BoardingChangeClosed,
    ChartPrepared,
    InvalidBoardingPoint,
    PnrNotFound,
    UnknownStation,
)
from soap_server.railway.rulebook import load_rulebook
from soap_server.railway.system import Railway
from soap_server.wsgi import build_railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import JOURNEY, core_settings, login_token
from tests.support import (
    all_occupancy,
    all_passengers,
    berths,
    database_of,
    fill,
    people,
    request,
)

BOOK = load_rulebook()
TRAIN = load_catalog().trains["12952"]  # NDLS KOTA RTM BRC ST BVI MMCT
NDLS, MMCT = TRAIN.segment("NDLS", "MMCT")


def departure(day: date) -> datetime:
    return TRAIN.departure(day, NDLS)


def test_a_later_stop_of_the_journey_frees_the_legs_before_it() -> None:
    departs = departure(date(2026, 12, 10))
    now = departs - timedelta(days=3)
    rules = BOOK.at(now)
    chart_at = rules.chart.chart_time(departs)
    change = plan_boarding_change(rules, TRAIN, NDLS, MMCT, "RTM", departs, chart_at, 0, now)
    assert (change.old, change.new) == (0, 2)
    assert change.released == range(0, 2)


@pytest.mark.parametrize("station", ["NDLS", "MMCT", "HWH", "AGC"])
def test_only_a_stop_between_boarding_and_destination(station: str) -> None:
    departs = departure(date(2026, 12, 10))
    now = departs - timedelta(days=3)
    rules = BOOK.at(now)
    with pytest.raises(InvalidBoardingPoint, match="KOTA, RTM, BRC, ST, BVI"):
        plan_boarding_change(
            rules, TRAIN, NDLS, MMCT, station, departs, rules.chart.chart_time(departs), 0, now
        )


def test_today_up_to_the_chart_and_once() -> None:
    departs = departure(date(2026, 12, 10))
    rules = BOOK.at(departs)
    chart_at = rules.chart.chart_time(departs)
    before = chart_at - timedelta(minutes=1)
    plan_boarding_change(rules, TRAIN, NDLS, MMCT, "KOTA", departs, chart_at, 0, before)
    with pytest.raises(ChartPrepared, match="no longer be changed"):
        plan_boarding_change(rules, TRAIN, NDLS, MMCT, "KOTA", departs, chart_at, 0, chart_at)
    with pytest.raises(BoardingChangeClosed, match="already changed 1"):
        plan_boarding_change(rules, TRAIN, NDLS, MMCT, "KOTA", departs, chart_at, 1, before)


def test_in_2015_up_to_24_hours_before_departure() -> None:
    departs = departure(date(2015, 12, 10))
    rules = BOOK.at(departs)
    chart_at = rules.chart.chart_time(departs)
    plan_boarding_change(
        rules, TRAIN, NDLS, MMCT, "KOTA", departs, chart_at, 0, departs - timedelta(hours=25)
    )
    with pytest.raises(BoardingChangeClosed, match="24 h before departure"):
        plan_boarding_change(
            rules, TRAIN, NDLS, MMCT, "KOTA", departs, chart_at, 0, departs - timedelta(hours=23)
        )


def test_the_chart_time_is_in_ist() -> None:
    departs = departure(date(2026, 12, 10))
    assert departs.tzinfo is not None and departs.utcoffset() == IST.utcoffset(None)


# -- in the core, on both backends --------------------------------------------------------------


def held_legs(railway: Railway) -> dict[tuple[str, int], set[int]]:
    """(PNR, passenger) -> the legs of the route whose berth they hold."""
    held: dict[tuple[str, int], set[int]] = {}
    for row in all_occupancy(database_of(railway)):
        held.setdefault((row[7], row[8]), set()).add(row[6])
    return held


@BOTH_BACKENDS
def test_the_berth_is_kept_for_the_new_legs_only(railway: Railway, backend: str) -> None:
    token = login_token(railway)
    booked = railway.book(token, request(passengers=people(2)))
    assert all(p.current_status.startswith("CNF") for p in booked.passengers)
    changed = railway.change_boarding(token, booked.pnr, "RTM")
    rtm = TRAIN.stop_index("RTM")
    # the ticket still says where the fare was paid from; the train is boarded at Ratlam
    assert (changed.source.code, changed.boarding_point) == (
        "NDLS",
        railway.catalog.stations["RTM"],
    )
    assert changed.departs == TRAIN.departure(JOURNEY, rtm)
    assert changed.journey_date == booked.journey_date
    assert changed.total_fare == booked.total_fare and changed.total_refund == 0  # no refund
    assert [p.current_status for p in changed.passengers] == [
        p.current_status for p in booked.passengers
    ]  # the same berths
    assert held_legs(railway) == {(booked.pnr, n): set(range(rtm, 6)) for n in (1, 2)}
    assert {p.from_index for p in all_passengers(database_of(railway))} == {rtm}
    assert railway.pnr_status(token, booked.pnr) == changed


@BOTH_BACKENDS
def test_the_legs_given_up_go_to_the_waiting_passengers(railway: Railway, backend: str) -> None:
    token = login_token(railway)
    seats = len(berths(railway, "12952", "1A"))
    full = fill(railway, token, seats, cls="1A")
    assert all(p.current_status.startswith("CNF") for _, p in full)
    short = railway.book(token, request(cls="1A", destination="KOTA"))
    long = railway.book(token, request(cls="1A", destination="BRC"))
    assert short.passengers[0].current_status == "GNWL 1"
    assert long.passengers[0].current_status == "GNWL 2"
    railway.change_boarding(token, full[0][0], "RTM")  # six berths free from New Delhi to Ratlam
    # GNWL 1 (to Kota) fits in the legs given up; GNWL 2 (to Vadodara, past Ratlam) does not
    now_short = railway.pnr_status(token, short.pnr).passengers[0]
    assert now_short.current_status.startswith("CNF/")
    assert railway.pnr_status(token, long.pnr).passengers[0].current_status == "GNWL 1"
    # Kota's passenger sits on a berth the changed PNR gave up, which it holds from Ratlam on
    given_up = {(p.coach, p.berth) for p in railway.pnr_status(token, full[0][0]).passengers}
    assert (now_short.coach, now_short.berth) in given_up
    held = held_legs(railway)
    assert held[(short.pnr, 1)] == {0} and held[(full[0][0], 1)] == set(range(2, 6))
    for pax in all_passengers(database_of(railway)):  # whoever holds a berth holds its legs
        expected = set(range(pax.from_index, pax.to_index)) if pax.state == "CNF" else set()
        assert held.get((pax.pnr, pax.number), set()) == expected


@BOTH_BACKENDS
def test_refused_outside_the_journey_after_the_chart_and_the_second_time(
    railway: Railway, backend: str, clock: FixedClock
) -> None:
    token = login_token(railway)
    booked = railway.book(token, request(source="KOTA", destination="ST"))
    for station in ("NDLS", "KOTA", "ST", "MMCT", "HWH"):
        with pytest.raises(InvalidBoardingPoint, match="can change to: RTM, BRC"):
            railway.change_boarding(token, booked.pnr, station)
    with pytest.raises(UnknownStation):
        railway.change_boarding(token, booked.pnr, "XXXX")
    first = railway.change_boarding(token, booked.pnr, "RTM")
    assert railway.change_boarding(token, booked.pnr, "RTM") == first  # a retry: no change
    with pytest.raises(BoardingChangeClosed, match="already changed 1 time"):
        railway.change_boarding(token, booked.pnr, "BRC")
    other = railway.book(token, request())
    chart_at = railway.office.charts.chart_time(TRAIN, JOURNEY)
    clock.set(chart_at)
    token = login_token(railway)  # the morning's session has long been idle
    with pytest.raises(ChartPrepared, match="no longer be changed"):
        railway.change_boarding(token, other.pnr, "KOTA")
    assert railway.pnr_status(token, other.pnr).boarding_point is None
    with pytest.raises(PnrNotFound):
        railway.change_boarding(login_token(railway, "PAYTM"), first.pnr, "BRC")


def test_a_fully_cancelled_booking_has_no_boarding_point_to_change(railway: Railway) -> None:
    token = login_token(railway)
    booked = railway.book(token, request())
    railway.cancel(token, booked.pnr, None)
    with pytest.raises(AlreadyCancelled):
        railway.change_boarding(token, booked.pnr, "KOTA")


def test_in_2015_the_core_closes_changes_24_hours_before_departure(tmp_path: Path) -> None:
    day = date(2015, 12, 10)  # a Thursday: 12952 runs daily
    departs = departure(day)
    clock = FixedClock(departs - timedelta(days=5))
    core = build_railway(core_settings(tmp_path / "core.sqlite3", clock))
    try:
        token = login_token(core)
        first = core.book(token, request(journey=day))
        second = core.book(token, request(journey=day))
        clock.set(departs - timedelta(hours=25))
        token = login_token(core)
        assert core.change_boarding(token, first.pnr, "KOTA").boarding_point is not None
        clock.set(departs - timedelta(hours=23))
        token = login_token(core)
        with pytest.raises(BoardingChangeClosed, match="24 h before departure"):
            core.change_boarding(token, second.pnr, "KOTA")
    finally:
        core.close()


def test_a_change_within_24_hours_of_departure_forfeits_the_refund(tmp_path: Path) -> None:
    """From 2019 a boarding point changed less than 24 h before the train leaves the original
    station leaves nothing to refund (zeenews.india.com 2019-06-06); a change made earlier
    does not, and a booking never changed refunds by the table."""
    day = date(2025, 12, 10)
    departs = departure(day)
    clock = FixedClock(departs - timedelta(days=5))
    core = build_railway(core_settings(tmp_path / "core.sqlite3", clock))
    try:
        token = login_token(core)
        early, late, unchanged = (core.book(token, request(journey=day)) for _ in range(3))
        clock.set(departs - timedelta(hours=30))
        core.change_boarding(login_token(core), early.pnr, "KOTA")
        clock.set(departs - timedelta(hours=12))  # before the chart (8 h before)
        token = login_token(core)
        core.change_boarding(token, late.pnr, "KOTA")
        clock.set(departs - timedelta(hours=11))
        token = login_token(core)
        kept = core.cancel(token, unchanged.pnr, None)
        changed_early = core.cancel(token, early.pnr, None)
        forfeited = core.cancel(token, late.pnr, None)
    finally:
        core.close()
    assert kept.refund > 0 and changed_early.refund > 0
    assert forfeited.refund == 0
    assert forfeited.charges == late.total_fare  # everything paid is kept
    assert forfeited.booking.total_refund == 0


def test_in_2015_a_change_forfeits_no_refund() -> None:
    departs = departure(date(2015, 12, 10))
    rule = BOOK.at(departs - timedelta(days=2)).boarding_change
    assert rule.no_refund_within is None
    assert not rule.forfeits_refund(departs - timedelta(hours=25), departs)
    today = BOOK.at(date(2025, 12, 1)).boarding_change
    assert today.forfeits_refund(departs - timedelta(hours=23), departs)
    assert not today.forfeits_refund(departs - timedelta(hours=24), departs)
    assert "no refund after a change made within 24 h" in today.summary()
