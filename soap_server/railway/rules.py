"""The booking rules checked before any seat is touched: reservation window, Tatkal, passengers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from soap_server.railway.catalog import Rules, Train, TravelClass
from soap_server.railway.codes import GENDERS, PASSENGER_NAME, PASSENGER_NAME_LENGTH
from soap_server.railway.errors import (
    InvalidPassenger,
    OutsideReservationWindow,
    TatkalNotOpen,
    TooManyPassengers,
)
from soap_server.railway.views import PassengerRequest

SENIOR_AGE = {"M": 60, "F": 58, "T": 60}


def check_window(rules: Rules, journey_date: date, now: datetime) -> None:
    today = now.date()
    last = today + timedelta(days=rules.advance_reservation_days)
    if journey_date < today:
        raise OutsideReservationWindow(f"journey date {journey_date} is in the past")
    if journey_date > last:
        raise OutsideReservationWindow(
            f"journey date {journey_date} is beyond the advance reservation period:"
            f" bookings are open up to {last}"
        )


def check_tatkal_open(
    rules: Rules, train: Train, cls: TravelClass, origin: date, now: datetime
) -> None:
    opens_at = rules.tatkal_ac_opens if cls.ac else rules.tatkal_non_ac_opens
    opens = datetime.combine(origin - timedelta(days=1), opens_at, now.tzinfo)
    if now < opens:
        raise TatkalNotOpen(
            f"Tatkal in {cls.code} for train {train.number} leaving {origin} opens at"
            f" {opens:%Y-%m-%d %H:%M} IST"
        )


def check_passengers(
    rules: Rules, passengers: tuple[PassengerRequest, ...], cls: TravelClass, quota: str
) -> None:
    most = rules.max_passengers_tatkal if quota == "TQ" else rules.max_passengers
    if not passengers:
        raise InvalidPassenger("a booking needs at least one passenger")
    if len(passengers) > most:
        raise TooManyPassengers(
            f"{len(passengers)} passengers: a {quota} booking takes at most {most}"
        )
    for number, pax in enumerate(passengers, start=1):
        name = pax.name.strip()
        lo, hi = PASSENGER_NAME_LENGTH
        if not (lo <= len(name) <= hi) or not PASSENGER_NAME.fullmatch(name):
            raise InvalidPassenger(
                f"passenger {number}: name {pax.name!r} must be {lo} to {hi} letters,"
                " spaces, dots or apostrophes"
            )
        if not rules.min_passenger_age <= pax.age <= rules.max_passenger_age:
            raise InvalidPassenger(
                f"passenger {number}: age {pax.age} is outside"
                f" {rules.min_passenger_age}-{rules.max_passenger_age}"
                " (children under 5 travel free and are not booked)"
            )
        if pax.gender not in GENDERS:
            raise InvalidPassenger(f"passenger {number}: gender must be M, F or T")
        if pax.berth_preference is not None and pax.berth_preference not in cls.layout:
            offered = ", ".join(sorted(set(cls.layout)))
            raise InvalidPassenger(
                f"passenger {number}: {cls.code} has no {pax.berth_preference} berths"
                f" (it has {offered})"
            )
        if quota == "LD" and pax.gender == "M" and pax.age >= 12:
            raise InvalidPassenger(
                f"passenger {number}: the ladies quota is for women and boys under 12"
            )
        if quota == "SS" and pax.age < SENIOR_AGE[pax.gender]:
            raise InvalidPassenger(
                f"passenger {number}: the senior citizen quota needs age"
                f" {SENIOR_AGE[pax.gender]} or more"
            )
