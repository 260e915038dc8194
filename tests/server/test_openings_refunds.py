"""The era's booking windows, agent restriction, chart closing and refunds, as pure functions.

Three eras are real and checked side by side: June 2008, December 2015 and today (December
2026). The values come from data/rules/*.toml; these tests pin what a partner sees.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from soap_server.railway.catalog import load_catalog
from soap_server.railway.clock import IST
from soap_server.railway.errors import (
    AgentBarred,
    CancellationClosed,
    ChartPrepared,
    OutsideReservationWindow,
    TatkalNotOpen,
)
from soap_server.railway.fares import fare_for
from soap_server.railway.openings import (
    check_agent_window,
    check_before_chart,
    check_current_booking,
    check_tatkal_open,
    check_window,
)
from soap_server.railway.refunds import refund_for
from soap_server.railway.rulebook import load_rulebook

BOOK = load_rulebook()
CATALOG = load_catalog()
RAJDHANI = CATALOG.trains["12952"]
TN_EXPRESS = CATALOG.trains["12622"]
SL, THIRD_AC, FIRST_AC = (CATALOG.classes[c] for c in ("SL", "3A", "1A"))

ERAS = {
    "2008": datetime(2008, 6, 1, 9, 0, tzinfo=IST),
    "2015": datetime(2015, 12, 1, 9, 0, tzinfo=IST),
    "today": datetime(2026, 12, 1, 9, 0, tzinfo=IST),
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), IST)


# -- the advance reservation period -------------------------------------------------------------
@pytest.mark.parametrize(
    ("era", "days"),
    [pytest.param("2008", 90), pytest.param("2015", 120), pytest.param("today", 60)],
)
def test_the_window_is_the_eras(era: str, days: int) -> None:
    now = ERAS[era]
    rules = BOOK.at(now)
    check_window(rules, now.date() + timedelta(days=days), now)
    with pytest.raises(OutsideReservationWindow, match=f"{days} days"):
        check_window(rules, now.date() + timedelta(days=days + 1), now)


def test_the_newest_day_opens_at_eight() -> None:
    day = date(2026, 12, 1)
    rules = BOOK.at(day)
    newest = day + timedelta(days=60)
    with pytest.raises(OutsideReservationWindow, match="opens at 2026-12-01 08:00"):
        check_window(rules, newest, at(day, 7, 59))
    check_window(rules, newest, at(day, 8, 0))
    check_window(rules, newest - timedelta(days=1), at(day, 0, 5))


def test_the_past_is_closed() -> None:
    now = ERAS["today"]
    with pytest.raises(OutsideReservationWindow, match="past"):
        check_window(BOOK.at(now), now.date() - timedelta(days=1), now)


# -- Tatkal ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("era_day", "cls", "opens"),
    [
        pytest.param(date(2008, 6, 20), THIRD_AC, (date(2008, 6, 15), 8), id="2008-five-days-0800"),
        pytest.param(date(2010, 6, 20), SL, (date(2010, 6, 18), 8), id="2010-two-days-0800"),
        pytest.param(date(2013, 6, 20), SL, (date(2013, 6, 19), 10), id="2013-one-day-1000"),
        pytest.param(date(2015, 12, 20), SL, (date(2015, 12, 19), 11), id="2015-non-ac-1100"),
        pytest.param(date(2026, 12, 20), THIRD_AC, (date(2026, 12, 19), 10), id="today-ac-1000"),
    ],
)
def test_tatkal_opens_by_era(era_day: date, cls: object, opens: tuple[date, int]) -> None:
    assert cls is SL or cls is THIRD_AC
    day, hour = opens
    rules = BOOK.at(day)
    with pytest.raises(TatkalNotOpen):
        check_tatkal_open(rules, TN_EXPRESS, cls, era_day, at(day, hour) - timedelta(seconds=1))
    check_tatkal_open(rules, TN_EXPRESS, cls, era_day, at(day, hour))


# -- agents ---------------------------------------------------------------------------------------
def test_agents_are_barred_for_the_first_thirty_minutes_of_tatkal_today() -> None:
    origin = date(2026, 12, 2)
    rules = BOOK.at(origin - timedelta(days=1))
    eve = origin - timedelta(days=1)
    with pytest.raises(AgentBarred, match="10:00 to 10:30"):
        check_agent_window(rules, origin, origin, THIRD_AC, "TQ", at(eve, 10, 0))
    with pytest.raises(AgentBarred):
        check_agent_window(rules, origin, origin, THIRD_AC, "TQ", at(eve, 10, 29))
    check_agent_window(rules, origin, origin, THIRD_AC, "TQ", at(eve, 10, 30))
    # non-AC Tatkal opens an hour later, with its own 30 minutes
    check_agent_window(rules, origin, origin, SL, "TQ", at(eve, 10, 15))
    with pytest.raises(AgentBarred, match="11:00 to 11:30"):
        check_agent_window(rules, origin, origin, SL, "TQ", at(eve, 11, 15))
    # general quota bookings for an older date are not restricted
    check_agent_window(rules, origin, origin, THIRD_AC, "GN", at(eve, 10, 5))


def test_agents_are_barred_on_the_opening_morning_of_a_new_day() -> None:
    today = date(2026, 12, 1)
    rules = BOOK.at(today)
    newest = today + timedelta(days=60)
    with pytest.raises(AgentBarred, match="08:00 to 08:30"):
        check_agent_window(rules, newest, newest, SL, "GN", at(today, 8, 10))
    check_agent_window(rules, newest, newest, SL, "GN", at(today, 8, 30))
    check_agent_window(rules, newest - timedelta(days=1), newest, SL, "GN", at(today, 8, 10))


@pytest.mark.parametrize(
    ("day", "minutes", "hour"),
    [
        pytest.param(date(2008, 6, 1), 0, 8, id="2008-no-restriction"),
        pytest.param(date(2011, 1, 10), 60, 8, id="2011-one-hour-at-0800"),
        pytest.param(date(2012, 1, 10), 120, 8, id="2012-two-hours-at-0800"),
        pytest.param(date(2014, 1, 10), 120, 10, id="2014-two-hours-at-1000"),
    ],
)
def test_the_agent_restriction_is_the_eras(day: date, minutes: int, hour: int) -> None:
    rules = BOOK.at(day)
    origin = day + timedelta(days=rules.tatkal.days_before)
    opens = at(day, hour)
    inside = opens + timedelta(minutes=max(minutes - 1, 0))
    if minutes == 0:
        check_agent_window(rules, origin, origin, THIRD_AC, "TQ", inside)
        return
    with pytest.raises(AgentBarred):
        check_agent_window(rules, origin, origin, THIRD_AC, "TQ", inside)
    check_agent_window(rules, origin, origin, THIRD_AC, "TQ", opens + timedelta(minutes=minutes))


# -- the chart ------------------------------------------------------------------------------------
def test_tatkal_closes_at_the_chart_and_current_booking_30_minutes_before_departure() -> None:
    departs = datetime(2026, 12, 2, 16, 55, tzinfo=IST)
    rules = BOOK.at(departs)
    chart_at = rules.chart.chart_time(departs)
    assert chart_at == departs - timedelta(hours=8)
    check_before_chart(rules, RAJDHANI, "TQ", chart_at, chart_at - timedelta(seconds=1))
    with pytest.raises(ChartPrepared, match="Tatkal booking is closed"):
        check_before_chart(rules, RAJDHANI, "TQ", chart_at, chart_at)
    check_before_chart(rules, RAJDHANI, "GN", chart_at, chart_at)
    check_current_booking(rules, RAJDHANI, departs, chart_at, departs - timedelta(minutes=31))
    with pytest.raises(ChartPrepared, match="16:25"):
        check_current_booking(rules, RAJDHANI, departs, chart_at, departs - timedelta(minutes=30))


# -- refunds --------------------------------------------------------------------------------------
def third_ac_fare(day: date) -> tuple[Decimal, Decimal]:
    rules = BOOK.at(day)
    fare = fare_for(CATALOG, RAJDHANI, THIRD_AC, "GN", 1384, rules.fare_tax.rate)
    return fare.total, fare.gst


DEPARTS = {era: at(now.date() + timedelta(days=10), 16, 55) for era, now in ERAS.items()}


@pytest.mark.parametrize(
    ("era", "hours_left", "charge", "tax"),
    [
        # 2008: flat Rs 60 beyond 24 h, 25% from 24 h to 4 h, 50% in the last 4 h; no tax
        pytest.param("2008", 30, "60.00", "0.00", id="2008-flat"),
        pytest.param("2008", 20, "25%", "0.00", id="2008-25pc"),
        pytest.param("2008", 3, "50%", "0.00", id="2008-50pc-last-hours"),
        # 2015: flat Rs 180 beyond 48 h, 25% to 12 h, 50% to 4 h, nothing after; no tax on it
        pytest.param("2015", 49, "180.00", "0.00", id="2015-flat"),
        pytest.param("2015", 30, "25%", "0.00", id="2015-25pc"),
        pytest.param("2015", 6, "50%", "0.00", id="2015-50pc"),
        # today: the same table, with 5% GST on the charge
        pytest.param("today", 49, "180.00", "9.00", id="today-flat-with-gst"),
        pytest.param("today", 30, "25%", "5%", id="today-25pc-with-gst"),
    ],
)
def test_confirmed_refunds_by_era(era: str, hours_left: int, charge: str, tax: str) -> None:
    departs = DEPARTS[era]
    now = departs - timedelta(hours=hours_left)
    rules = BOOK.at(now)
    paid, fare_tax = third_ac_fare(now.date())
    fare = paid - fare_tax
    got = refund_for(rules, THIRD_AC, "GN", "CNF", paid, fare_tax, departs, now, charted=False)
    expect_charge = (
        (fare * Decimal(charge[:-1]) / 100).to_integral_value(ROUND_HALF_UP)
        if charge.endswith("%")
        else Decimal(charge)
    )
    expect_charge = max(expect_charge, rules.cancellation.flat["3A"])
    assert got.charge == expect_charge
    expect_tax = (
        (expect_charge * Decimal(tax[:-1]) / 100).quantize(Decimal("0.01"))
        if tax.endswith("%")
        else Decimal(tax)
    )
    assert got.tax == expect_tax
    assert got.refund == paid - expect_charge - expect_tax


def test_the_fare_tax_of_the_era() -> None:
    assert (
        fare_for(
            CATALOG, RAJDHANI, THIRD_AC, "GN", 1384, BOOK.at(date(2008, 6, 1)).fare_tax.rate
        ).gst
        == 0
    )
    today = fare_for(CATALOG, RAJDHANI, THIRD_AC, "GN", 1384, Decimal("0.05"))
    service = fare_for(CATALOG, RAJDHANI, THIRD_AC, "GN", 1384, Decimal("0.0435"))
    assert today.gst > service.gst > 0
    assert fare_for(CATALOG, RAJDHANI, SL, "GN", 1384, Decimal("0.05")).gst == 0


def test_nothing_back_in_the_last_four_hours_since_2015() -> None:
    departs = DEPARTS["today"]
    now = departs - timedelta(hours=3)
    paid, fare_tax = third_ac_fare(now.date())
    got = refund_for(BOOK.at(now), THIRD_AC, "GN", "CNF", paid, fare_tax, departs, now, False)
    assert got.refund == 0 and got.charge + got.tax == paid


def test_a_confirmed_e_ticket_is_closed_at_the_chart_since_2015_but_not_in_2008() -> None:
    departs = DEPARTS["today"]
    now = departs - timedelta(hours=6)
    paid, fare_tax = third_ac_fare(now.date())
    with pytest.raises(CancellationClosed, match="TDR"):
        refund_for(BOOK.at(now), THIRD_AC, "GN", "CNF", paid, fare_tax, departs, now, True)
    old = DEPARTS["2008"]
    now = old - timedelta(hours=3)
    paid, fare_tax = third_ac_fare(now.date())
    got = refund_for(BOOK.at(now), THIRD_AC, "GN", "CNF", paid, fare_tax, old, now, True)
    assert got.refund > 0


@pytest.mark.parametrize(
    ("era", "clerkage", "tax"),
    [
        pytest.param("2008", "20.00", "0.00"),
        pytest.param("2015", "60.00", "0.00"),
        pytest.param("today", "60.00", "3.00"),
    ],
)
def test_waitlisted_pay_the_eras_clerkage(era: str, clerkage: str, tax: str) -> None:
    departs = DEPARTS[era]
    now = departs - timedelta(hours=5)
    paid, fare_tax = third_ac_fare(now.date())
    got = refund_for(BOOK.at(now), THIRD_AC, "GN", "WL", paid, fare_tax, departs, now, False)
    assert (got.charge, got.tax) == (Decimal(clerkage), Decimal(tax))
    assert got.refund == paid - got.charge - got.tax


def test_waitlisted_get_nothing_in_the_last_half_hour_since_2015() -> None:
    departs = DEPARTS["today"]
    now = departs - timedelta(minutes=30)
    paid, fare_tax = third_ac_fare(now.date())
    assert (
        refund_for(BOOK.at(now), SL, "GN", "RAC", paid, fare_tax, departs, now, False).refund == 0
    )
    old = DEPARTS["2008"]
    now = old - timedelta(minutes=30)
    assert refund_for(BOOK.at(now), SL, "GN", "RAC", paid, fare_tax, old, now, False).refund > 0


def test_confirmed_tatkal_refunds_a_quarter_before_november_2011_and_nothing_after() -> None:
    old_day, new_day = date(2008, 6, 1), date(2026, 12, 1)
    for day in (old_day, new_day):
        departs = at(day + timedelta(days=1), 16, 55)
        now = at(day, 12)
        rules = BOOK.at(now)
        fare = fare_for(CATALOG, RAJDHANI, THIRD_AC, "TQ", 1384, rules.fare_tax.rate)
        got = refund_for(rules, THIRD_AC, "TQ", "CNF", fare.total, fare.gst, departs, now, False)
        if day == old_day:  # no tax in 2008: a quarter of the fare comes back
            assert fare.gst == 0
            assert got.refund == fare.total - (fare.total * Decimal("0.75")).to_integral_value()
        else:
            assert got.refund == 0


def test_first_ac_flat_charge_with_gst_reads_as_on_the_circular() -> None:
    # Rs 240 + 5% GST = Rs 252 (the finance ministry's example of August 2022)
    departs = DEPARTS["today"]
    now = departs - timedelta(hours=72)
    fare = fare_for(CATALOG, RAJDHANI, FIRST_AC, "GN", 1384, Decimal("0.05"))
    got = refund_for(BOOK.at(now), FIRST_AC, "GN", "CNF", fare.total, fare.gst, departs, now, False)
    assert got.kept == Decimal("252.00")
