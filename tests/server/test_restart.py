"""The database survives a restart with nothing lost."""

from __future__ import annotations

from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.settings import Settings
from soap_server.wsgi import build_railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import JOURNEY, PASSWORDS

pytestmark = BOTH_BACKENDS


def test_bookings_and_sessions_survive_a_restart(settings: Settings) -> None:
    first = build_railway(settings)
    token = first.login("AGODA", PASSWORDS["AGODA"]).token
    booking = first.book(
        token,
        BookingRequest(
            "12302",
            JOURNEY,
            "NDLS",
            "HWH",
            "2A",
            "GN",
            (PassengerRequest("Sourav Ganguly", 52, "M"),),
            client_reference="agoda-1",
        ),
    )
    first.close()

    second = build_railway(settings)  # same file: schema found, nothing re-seeded
    try:
        again = second.pnr_status(token, booking.pnr)  # the session is still valid too
        assert again.passengers == booking.passengers
        assert again.total_fare == booking.total_fare
        with second.store.read() as tx:
            assert tx.count("agents") == 3
            assert tx.count("bookings") == 1
    finally:
        second.close()
