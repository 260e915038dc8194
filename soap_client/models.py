"""The agent's own view of the core's answers: plain frozen dataclasses, no zeep objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Passenger:
    """A passenger to book: ``Passenger("Ravi Kumar", 34, "M", "LB")``; ``no_berth``: a child
    of 5 to 11 without a berth (half fare, from 2016-04-21)."""

    name: str
    age: int
    gender: str
    berth: str | None = None
    no_berth: bool = False


@dataclass(frozen=True)
class Fare:
    base: Decimal
    reservation: Decimal
    superfast: Decimal
    tatkal: Decimal
    gst: Decimal
    total: Decimal


@dataclass(frozen=True)
class ClassOffer:
    travel_class: str
    name: str
    quota: str
    status: str
    available: int
    fare: Fare


@dataclass(frozen=True)
class TrainOffer:
    number: str
    name: str
    source: str
    destination: str
    departs: datetime
    arrives: datetime
    duration: timedelta
    distance_km: int
    runs_on: str
    classes: tuple[ClassOffer, ...]


@dataclass(frozen=True)
class PassengerStatus:
    number: int
    name: str
    age: int
    gender: str
    booking_status: str
    current_status: str
    coach: str | None
    berth: int | None
    berth_type: str | None
    fare: Decimal
    refund: Decimal | None


@dataclass(frozen=True)
class Booking:
    pnr: str
    reference: str
    train: str
    train_name: str
    source: str
    destination: str
    journey_date: date
    departs: datetime
    arrives: datetime
    travel_class: str
    quota: str
    booked_at: datetime
    chart_status: str
    fare_per_passenger: Fare
    total_fare: Decimal
    total_refund: Decimal
    passengers: tuple[PassengerStatus, ...]
    #: After a boarding-point change: where the train is boarded (``source`` is then the
    #: station the fare was paid from).
    boarding_point: str | None = None


@dataclass(frozen=True)
class Promotion:
    was: str
    now: str


@dataclass(frozen=True)
class Cancellation:
    pnr: str
    cancelled: tuple[int, ...]
    refund: Decimal
    charges: Decimal
    promotions: tuple[Promotion, ...]
    booking: Booking
