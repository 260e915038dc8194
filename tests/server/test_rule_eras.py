"""A core on an old clock behaves like its era: 2008, late 2015 and today, end to end.

The same journeys are booked, charted and cancelled through ``Railway`` on three simulated
clocks, and the answers follow the rules of each day (data/rules/*.toml). ``/healthz``, the help
page and the WSDL name the rule set in force.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from werkzeug.test import Client

from soap_server.railway.clock import IST, FixedClock, parse_clock
from soap_server.railway.errors import AgentBarred, OutsideReservationWindow, TatkalNotOpen
from soap_server.railway.system import Railway
from soap_server.wsgi import build_railway, create_app
from tests.conftest import core_settings, login_token
from tests.support import people, request


def core(tmp_path: Path, clock: FixedClock) -> Railway:
    return build_railway(core_settings(tmp_path / "core.sqlite3", clock))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), IST)


ERAS = {
    "2008": at(date(2008, 6, 1), 9),
    "2015": at(date(2015, 12, 1), 9),
    "today": at(date(2026, 12, 1), 9),
}


@pytest.mark.parametrize(
    ("era", "days", "gst"),
    [("2008", 90, False), ("2015", 120, True), ("today", 60, True)],
)
def test_the_advance_period_and_the_fare_tax_follow_the_clock(
    tmp_path: Path, era: str, days: int, gst: bool
) -> None:
    clock = FixedClock(ERAS[era])
    railway = core(tmp_path, clock)
    try:
        token = login_token(railway)
        last = clock.now().date() + timedelta(days=days)
        view = railway.book(token, request(journey=last))
        assert view.passengers[0].current_status.startswith("CNF/")
        assert (view.fare.gst > 0) is gst  # service tax from 2012, GST from 2017: none in 2008
        with pytest.raises(OutsideReservationWindow, match=f"{days} days"):
            railway.book(token, request(journey=last + timedelta(days=1)))
    finally:
        railway.close()


def test_2008_tatkal_opens_five_days_ahead_at_eight_with_no_agent_restriction(
    tmp_path: Path,
) -> None:
    journey = date(2008, 6, 20)
    clock = FixedClock(at(journey - timedelta(days=5), 7, 59))
    railway = core(tmp_path, clock)
    try:
        token = login_token(railway)
        tatkal = request(quota="TQ", journey=journey, passengers=people(6))
        with pytest.raises(TatkalNotOpen, match="08:00"):
            railway.book(token, tatkal)
        clock.set(at(journey - timedelta(days=5), 8))
        view = railway.book(token, tatkal)  # six on one PNR, at the opening minute: 2008
        assert len(view.passengers) == 6 and view.fare.tatkal > 0
    finally:
        railway.close()


def test_today_agents_wait_thirty_minutes_and_four_is_the_most(tmp_path: Path) -> None:
    journey = date(2026, 12, 20)
    clock = FixedClock(at(journey - timedelta(days=1), 10))
    railway = core(tmp_path, clock)
    try:
        token = login_token(railway)
        with pytest.raises(AgentBarred):
            railway.book(token, request(quota="TQ", journey=journey))
        clock.set(at(journey - timedelta(days=1), 10, 30))
        token = login_token(railway)
        assert railway.book(token, request(quota="TQ", journey=journey)).fare.tatkal > 0
    finally:
        railway.close()


@pytest.mark.parametrize(
    ("era", "chart_hours"),
    [("2008", 4), ("2015", 4), ("today", 8)],
)
def test_the_chart_comes_at_the_eras_time(tmp_path: Path, era: str, chart_hours: int) -> None:
    clock = FixedClock(ERAS[era])
    railway = core(tmp_path, clock)
    try:
        token = login_token(railway)
        journey = clock.now().date() + timedelta(days=3)
        view = railway.book(token, request(journey=journey))
        clock.set(view.departs - timedelta(hours=chart_hours, minutes=1))
        token = login_token(railway)
        assert railway.pnr_status(token, view.pnr).chart_status == "CHART NOT PREPARED"
        clock.set(view.departs - timedelta(hours=chart_hours))
        assert railway.pnr_status(token, view.pnr).chart_status == "CHART PREPARED"
    finally:
        railway.close()


@pytest.mark.parametrize(
    ("era", "flat", "tax"),
    [("2008", "60", "0"), ("2015", "200", "0"), ("today", "200", "10")],
)
def test_cancelling_ten_days_ahead_keeps_the_eras_flat_charge(
    tmp_path: Path, era: str, flat: str, tax: str
) -> None:
    clock = FixedClock(ERAS[era])
    railway = core(tmp_path, clock)
    try:
        token = login_token(railway)
        view = railway.book(token, request(journey=clock.now().date() + timedelta(days=10)))
        result = railway.cancel(token, view.pnr, None)
        assert result.charges == Decimal(flat) + Decimal(tax)  # 2A: Rs 60, then Rs 200 (+GST)
        assert result.refund == view.total_fare - result.charges
    finally:
        railway.close()


def test_an_offset_clock_in_2008_reads_the_2008_rules(tmp_path: Path) -> None:
    clock = parse_clock("offset:2008-06-01T09:00")
    railway = build_railway(core_settings(tmp_path / "core.sqlite3", clock))
    try:
        rules = railway.rules_in_force()
        assert rules.advance_reservation.days == 90
        assert rules.tatkal.days_before == 5
        assert rules.since == date(2007, 7, 15)
    finally:
        railway.close()


def test_healthz_help_and_wsdl_name_the_rule_set(tmp_path: Path) -> None:
    clock = FixedClock(ERAS["2008"])
    app = create_app(core_settings(tmp_path / "core.sqlite3", clock, demo_mode=True))
    try:
        http = Client(app)
        # the simulator's details (the rule set among them) are a demo core's; the WSDL says
        # which rule set is in force on any core
        health = json.loads(http.get("/healthz").get_data())["demo"]
        assert health["rules"]["name"] == "rules in force since 2007-07-15"
        assert health["rules"]["rules"]["advance_reservation"]["summary"].startswith("90 days")
        page = http.get("/").get_data(as_text=True)
        assert "Rules in force: rules in force since 2007-07-15" in page
        assert "90 days ahead" in page and "business.rediff.com" in page  # with its source
        wsdl = http.get("/soap?wsdl").get_data(as_text=True)
        assert "rules in force since 2007-07-15" in wsdl
        assert "tatkal: opens 08:00 5 days before" in wsdl
    finally:
        app.close()
