"""Edge cases found in review: late retries, seniors' lower berths after promotion."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from soap_server.railway import inventory
from soap_server.railway.booking import PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import NoConfirmedSeats, WaitlistFull
from soap_server.railway.system import Railway
from tests.conftest import login_token
from tests.support import fill, request


def test_a_retry_after_departure_still_returns_the_booking(
    railway: Railway, clock: FixedClock
) -> None:
    token = login_token(railway)
    late = request(
        cls="1A", reference="late-retry", passengers=(PassengerRequest("Ravi Kumar", 34, "M"),)
    )
    booking = railway.book(token, late)
    clock.set(datetime(2025, 11, 30, 18, 0, tzinfo=IST))  # 12952 left NDLS at 16:55
    token = login_token(railway)
    assert railway.book(token, late).pnr == booking.pnr


def test_a_promoted_senior_gets_a_lower_berth(railway: Railway) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains["12952"], railway.catalog.classes["1A"]
    berths = inventory.confirmed_places(train, cls, "GN")
    # One booking holds an upper berth and a lower one, the upper earlier in allocation order.
    pair = railway.book(
        token,
        request(
            cls="1A",
            reference="pair",
            passengers=(
                PassengerRequest("Upper Holder", 30, "M", "UB"),
                PassengerRequest("Lower Holder", 30, "M", "LB"),
            ),
        ),
    )
    upper, lower = pair.passengers
    assert (upper.berth_type, lower.berth_type) == ("UB", "LB")
    order = [(p.coach, p.berth) for p in berths]
    assert order.index((upper.coach, upper.berth)) < order.index((lower.coach, lower.berth))
    fill(railway, token, len(berths) - 2, cls="1A")
    kamala = (PassengerRequest("Kamala Devi", 70, "F"),)
    senior = railway.book(token, request(cls="1A", reference="senior", passengers=kamala))
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
    most = railway.rules_in_force().lower_berths.max_party  # per PNR in the lower-berth quota
    for start in range(0, len(elders), most):
        chunk = elders[start : start + most]
        railway.book(
            token, request(cls="1A", quota="SS", passengers=chunk, reference=f"ss-{start}")
        )
    one = (PassengerRequest("Mohan Lal", 81, "M"),)
    last = request(cls="1A", quota="SS", passengers=one, reference="ss-last")
    with pytest.raises(WaitlistFull):
        railway.book(token, last)
    with pytest.raises(NoConfirmedSeats, match="only 0 of 1 passengers can be confirmed"):
        railway.book(token, replace(last, client_reference="ss-only", only_if_confirmed=True))
