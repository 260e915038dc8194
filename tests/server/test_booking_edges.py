"""Edge cases found in review: late retries, seniors' lower berths after promotion."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from soap_server.railway import inventory
from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import NoConfirmedSeats, WaitlistFull
from soap_server.railway.system import Railway
from tests.conftest import JOURNEY, login_token


def _request(reference: str, *passengers: PassengerRequest, cls: str = "1A") -> BookingRequest:
    return BookingRequest("12952", JOURNEY, "NDLS", "MMCT", cls, "GN", passengers, reference)


def test_a_retry_after_departure_still_returns_the_booking(
    railway: Railway, clock: FixedClock
) -> None:
    token = login_token(railway)
    request = _request("late-retry", PassengerRequest("Ravi Kumar", 34, "M"))
    booking = railway.book(token, request)
    clock.set(datetime(2025, 11, 30, 18, 0, tzinfo=IST))  # 12952 left NDLS at 16:55
    token = login_token(railway)
    assert railway.book(token, request).pnr == booking.pnr


def test_a_promoted_senior_gets_a_lower_berth(railway: Railway) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains["12952"], railway.catalog.classes["1A"]
    berths = inventory.confirmed_places(train, cls, "GN")
    # One booking holds an upper berth and a lower one, the upper earlier in allocation order.
    pair = railway.book(
        token,
        _request(
            "pair",
            PassengerRequest("Upper Holder", 30, "M", "UB"),
            PassengerRequest("Lower Holder", 30, "M", "LB"),
        ),
    )
    upper, lower = pair.passengers
    assert (upper.berth_type, lower.berth_type) == ("UB", "LB")
    order = [(p.coach, p.berth) for p in berths]
    assert order.index((upper.coach, upper.berth)) < order.index((lower.coach, lower.berth))
    filled = 2
    while filled < len(berths):
        size = min(6, len(berths) - filled)
        railway.book(token, _request(f"f-{filled}", *(PassengerRequest("Filler", 30, "M"),) * size))
        filled += size
    senior = railway.book(token, _request("senior", PassengerRequest("Kamala Devi", 70, "F")))
    assert senior.passengers[0].current_status == "GNWL 1"
    cancelled = railway.cancel(token, pair.pnr, None)  # frees the upper and the lower berth
    assert [p.was for p in cancelled.promotions] == ["GNWL 1"]
    after = railway.pnr_status(token, senior.pnr).passengers[0]
    assert after.current_status == f"CNF/{lower.coach}/{lower.berth}"
    assert after.berth_type == "LB"


def test_only_if_confirmed_is_refused_as_such_even_when_the_waitlist_is_full(
    railway: Railway,
) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains["12952"], railway.catalog.classes["1A"]
    seniors = len(inventory.confirmed_places(train, cls, "SS"))
    waitlist = cls.waitlist_limits["SS"]
    elders = tuple(PassengerRequest("Kamala Devi", 70, "F") for _ in range(seniors + waitlist))
    for start in range(0, len(elders), 6):
        chunk = elders[start : start + 6]
        railway.book(
            token,
            BookingRequest("12952", JOURNEY, "NDLS", "MMCT", "1A", "SS", chunk, f"ss-{start}"),
        )
    one = (PassengerRequest("Mohan Lal", 81, "M"),)
    request = BookingRequest("12952", JOURNEY, "NDLS", "MMCT", "1A", "SS", one, "ss-last")
    with pytest.raises(WaitlistFull):
        railway.book(token, request)
    with pytest.raises(NoConfirmedSeats, match="only 0 of 1 passengers can be confirmed"):
        railway.book(token, replace(request, client_reference="ss-only", only_if_confirmed=True))
