"""When a booking may be made, under the rules of the day: the advance reservation window,
Tatkal's opening, the chart, and the minutes barred to agents after each opening.

Every check takes the ``RuleSet`` in force and the simulated ``now`` (IST, timezone-aware) and
raises the domain error a partner would get.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from soap_server.railway.catalog import Train, TravelClass
from soap_server.railway.errors import (
    AgentBarred,
    ChartPrepared,
    OutsideReservationWindow,
    TatkalNotOpen,
)
from soap_server.railway.rulebook import RuleSet


def check_window(rules: RuleSet, journey_date: date, now: datetime) -> None:
    """The journey date is today or later, and within the advance reservation period.

    The newest day of the period opens at the era's opening time (08:00), not at midnight.
    """
    arp = rules.advance_reservation
    today = now.date()
    last = today + timedelta(days=arp.days)
    if journey_date < today:
        raise OutsideReservationWindow(f"journey date {journey_date} is in the past")
    opening = _aware(datetime.combine(today, arp.opens), now)
    if journey_date == last and now < opening:
        raise OutsideReservationWindow(
            f"booking for {journey_date} opens at {opening:%Y-%m-%d %H:%M} IST"
            f" ({arp.days} days ahead); bookings are open up to {last - timedelta(days=1)}"
        )
    if journey_date > last:
        raise OutsideReservationWindow(
            f"journey date {journey_date} is beyond the advance reservation period of"
            f" {arp.days} days ({rules.since_of('advance_reservation')}): bookings are open up to"
            f" {last}"
        )


def tatkal_opens(rules: RuleSet, cls: TravelClass, origin: date, now: datetime) -> datetime:
    return _aware(rules.tatkal.opens(origin, cls.ac), now)


def check_tatkal_open(
    rules: RuleSet, train: Train, cls: TravelClass, origin: date, now: datetime
) -> None:
    opens = tatkal_opens(rules, cls, origin, now)
    if now < opens:
        raise TatkalNotOpen(
            f"Tatkal in {cls.code} for train {train.number} leaving {origin} opens at"
            f" {opens:%Y-%m-%d %H:%M} IST"
        )


def check_before_chart(
    rules: RuleSet, train: Train, quota: str, chart_at: datetime, now: datetime
) -> None:
    """After the chart only current booking is open, and Tatkal only where the era allows."""
    if now < chart_at:
        return
    if quota == "TQ" and not rules.chart.tatkal_after_chart:
        raise ChartPrepared(
            f"the chart of train {train.number} was prepared at {chart_at:%Y-%m-%d %H:%M} IST:"
            " Tatkal booking is closed; vacant berths are sold as current booking (quota GN)"
        )


def check_current_booking(
    rules: RuleSet, train: Train, departs: datetime, chart_at: datetime, now: datetime
) -> None:
    """Current booking after the chart closes some minutes before the train leaves."""
    closes = departs - rules.chart.current_booking_closes
    if now >= chart_at and now >= closes:
        raise ChartPrepared(
            f"current booking for train {train.number} closed at {closes:%Y-%m-%d %H:%M} IST,"
            f" {int(rules.chart.current_booking_closes.total_seconds() // 60)} minutes before"
            " departure"
        )


def check_agent_window(
    rules: RuleSet,
    journey_date: date,
    origin: date,
    cls: TravelClass,
    quota: str,
    now: datetime,
) -> None:
    """Agents may not book in the first minutes of an opening, in the eras that said so.

    Two openings count: general booking for the newest day of the advance reservation period
    (every morning at its opening time) and Tatkal (AC and non-AC each at their own hour).
    """
    agents = rules.agents
    if quota == "TQ" and agents.tatkal_opening:
        opens = tatkal_opens(rules, cls, origin, now)
        if opens <= now < opens + agents.tatkal_opening:
            raise AgentBarred(
                f"authorised agents may not book Tatkal in {cls.code} from"
                f" {opens:%H:%M} to {opens + agents.tatkal_opening:%H:%M} IST on the opening"
                f" day ({rules.since_of('agent_restriction')}); try again after"
                f" {opens + agents.tatkal_opening:%H:%M}"
            )
    arp = rules.advance_reservation
    if agents.arp_opening and journey_date == now.date() + timedelta(days=arp.days):
        opens = _aware(datetime.combine(now.date(), arp.opens), now)
        if opens <= now < opens + agents.arp_opening:
            raise AgentBarred(
                f"authorised agents may not book on the opening day of {journey_date} from"
                f" {opens:%H:%M} to {opens + agents.arp_opening:%H:%M} IST"
                f" ({rules.since_of('agent_restriction')});"
                f" try again after {opens + agents.arp_opening:%H:%M}"
            )


def _aware(naive: datetime, now: datetime) -> datetime:
    return naive.replace(tzinfo=now.tzinfo)
