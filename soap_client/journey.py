"""The scripted story of the seed, narrated step by step.

A MakeMyTrip-style agent logs in, searches New Delhi to Mumbai Central, finds first class on
the Mumbai Rajdhani almost sold out (a tour group takes all but one berth), books a couple (one
confirmed, one waitlisted), checks the PNR, cancels the confirmed passenger and watches the
waitlisted one move into the freed berth, then logs out.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TextIO

from soap_client.agent import TravelAgent
from soap_client.errors import AgentError
from soap_client.irctc_client import ClassType
from soap_client.models import Booking, Passenger, TrainOffer

SOURCE, DESTINATION = "NDLS", "MMCT"
TRAVEL_CLASS: ClassType = "1A"
COUPLE = [Passenger("Ravi Kumar", 34, "M"), Passenger("Anita Kumar", 31, "F")]


class Narrator:
    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.steps: list[dict[str, Any]] = []

    def step(self, title: str, lines: list[str], result: Any = None) -> None:
        self.steps.append({"step": len(self.steps) + 1, "title": title, "result": result})
        if self.out is not None:
            print(f"\n== Step {len(self.steps)}: {title}", file=self.out)
            for line in lines:
                print(f"   {line}", file=self.out)
            self.out.flush()


def _statuses(booking: Booking) -> list[str]:
    return [
        f"{p.number}. {p.name}: {p.booking_status} -> now {p.current_status}"
        for p in booking.passengers
    ]


def _first_class(offer: TrainOffer) -> int:
    return next(c.available for c in offer.classes if c.travel_class == TRAVEL_CLASS)


def _find_first_class(
    agent: TravelAgent, when: date, pinned: bool
) -> tuple[list[TrainOffer], TrainOffer, date, list[str]]:
    """The search for ``when``, or (when the date was not pinned and earlier runs sold out first
    class on the Rajdhani) for the next date that still has a berth in it."""
    skipped: list[str] = []
    for _ in range(30):
        offers = agent.search(SOURCE, DESTINATION, when)
        rajdhani = next((o for o in offers if "rajdhani" in o.name.lower()), None)
        if rajdhani is not None and (pinned or _first_class(rajdhani) > 0):
            return offers, rajdhani, when, skipped
        if pinned:
            break
        skipped.append(f"{when:%d %b}")
        when += timedelta(days=1)
    raise AgentError(
        "NoTrain", f"no Rajdhani with first class left from {SOURCE} to {DESTINATION}", False
    )


def play_journey(
    agent: TravelAgent, journey_date: date | None, out: TextIO | None
) -> list[dict[str, Any]]:
    say = Narrator(out)

    agent.login()
    server_time = agent.server_time
    assert server_time is not None
    when = journey_date or server_time.date() + timedelta(days=10)
    say.step(
        f"{agent.agent} logs in",
        [f"session opened; the core's clock says {server_time:%a %d %b %Y %H:%M} IST"],
        {"agent": agent.agent, "server_time": server_time.isoformat()},
    )

    offers, rajdhani, when, skipped = _find_first_class(
        agent, when, pinned=journey_date is not None
    )
    lines = [
        f"{o.number} {o.name}: {o.departs:%H:%M} -> {o.arrives:%H:%M}, "
        + ", ".join(f"{c.travel_class} {c.status}" for c in o.classes)
        for o in offers
    ]
    if skipped:
        lines.insert(0, f"(first class on the Rajdhani is sold out on {', '.join(skipped)})")
    say.step(f"search {SOURCE} -> {DESTINATION} on {when:%a %d %b %Y}", lines, offers)

    free = _first_class(rajdhani)
    group = []
    while free > 1:
        size = min(6, free - 1)
        members = [Passenger(f"Tour Member {chr(65 + i)}", 40 + i, "F") for i in range(size)]
        group.append(
            agent.book(rajdhani.number, when, SOURCE, DESTINATION, TRAVEL_CLASS, members).pnr
        )
        free -= size
    say.step(
        f"a tour group takes all but one berth of {TRAVEL_CLASS} on {rajdhani.number}",
        [
            f"{len(group)} group bookings: {', '.join(group) or 'none needed'};"
            f" {TRAVEL_CLASS} now shows {free} berth(s) left"
        ],
        {"group_pnrs": group},
    )

    booking = agent.book(rajdhani.number, when, SOURCE, DESTINATION, TRAVEL_CLASS, COUPLE)
    say.step(
        f"book two passengers on the {rajdhani.name}",
        [
            f"PNR {booking.pnr}, client reference {booking.reference},"
            f" total fare Rs {booking.total_fare}",
            *_statuses(booking),
        ],
        booking,
    )

    status = agent.pnr_status(booking.pnr)
    say.step(f"check PNR {booking.pnr}", [status.chart_status, *_statuses(status)], status)

    cancelled = agent.cancel(booking.pnr, [1])
    moves = [f"waitlist moved: {p.was} -> {p.now}" for p in cancelled.promotions]
    say.step(
        f"cancel passenger 1 ({COUPLE[0].name})",
        [
            f"refund Rs {cancelled.refund} (charges Rs {cancelled.charges})",
            *(moves or ["nobody was waiting"]),
        ],
        cancelled,
    )

    status = agent.pnr_status(booking.pnr)
    say.step(f"check PNR {booking.pnr} again", _statuses(status), status)

    agent.logout()
    say.step("log out", ["session closed"], None)
    return say.steps
