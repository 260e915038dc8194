"""What the operations take and answer: requests and views, plain frozen dataclasses.

Each operation of the table (``operations.py``) names its request and answer type here; the
facades map them to and from their wire shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from soap_server.railway.catalog import Station
from soap_server.railway.fares import Fare


@dataclass(frozen=True)
class LoginRequest:
    agent: str
    password: str
    source: str = ""  # the client's address; empty: a call made in-process


@dataclass(frozen=True)
class LogoutRequest:
    """Logout needs nothing but the session."""


@dataclass(frozen=True)
class LoggedOut:
    """The session is over."""


@dataclass(frozen=True)
class SearchRequest:
    source: str
    destination: str
    journey_date: date
    class_code: str | None = None
    quota: str = "GN"


@dataclass(frozen=True)
class PnrRequest:
    pnr: str


@dataclass(frozen=True)
class CancellationRequest:
    pnr: str
    #: Passenger numbers to cancel; None cancels every passenger still booked.
    passengers: tuple[int, ...] | None = None


@dataclass(frozen=True)
class BoardingPointRequest:
    pnr: str
    station: str  # the later stop of the journey to board at


@dataclass(frozen=True)
class ScheduleRequest:
    train: str


@dataclass(frozen=True)
class ScheduledStop:
    """One stop of a timetable. Times are IST; ``day`` counts from the day the train leaves its
    origin (1); the distance is from the origin."""

    number: int
    station: str
    station_name: str
    arrives: time | None  # None at the origin
    departs: time | None  # None at the terminus
    halt_minutes: int | None
    day: int
    distance_km: int


@dataclass(frozen=True)
class TrainSchedule:
    """A train's timetable: its stops, end to end, and the days it leaves its origin."""

    train_number: str
    train_name: str
    category: str
    source: Station
    destination: Station
    runs_on: tuple[str, ...]
    distance_km: int
    duration: timedelta
    stops: tuple[ScheduledStop, ...]


@dataclass(frozen=True)
class PassengerRequest:
    name: str
    age: int
    gender: str
    berth_preference: str | None = None
    no_berth: bool = False  # a child of 5 to 11 travelling without a berth (from 2016-04-21)


@dataclass(frozen=True)
class BookingRequest:
    train: str
    journey_date: date
    source: str
    destination: str
    class_code: str
    quota: str
    passengers: tuple[PassengerRequest, ...]
    client_reference: str
    only_if_confirmed: bool = False


@dataclass(frozen=True)
class ClassAvailability:
    class_code: str
    class_name: str
    quota: str
    status: str
    available: int
    fare: Fare


@dataclass(frozen=True)
class TrainOption:
    number: str
    name: str
    source: Station
    destination: Station
    departs: datetime
    arrives: datetime
    distance_km: int
    runs_on: tuple[str, ...]
    classes: tuple[ClassAvailability, ...]

    @property
    def duration(self) -> timedelta:
        return self.arrives - self.departs


@dataclass(frozen=True)
class TrainList:
    """The answer of a search: the trains that run, in departure order."""

    trains: tuple[TrainOption, ...]


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
    berth_option: str | None = None  # NOSB: a child without a berth; INFANT
    pool: str | None = None  # the waitlist pool: GN, RL, PQ, RS, TQ, LD, SS


@dataclass(frozen=True)
class BookingView:
    pnr: str
    client_reference: str
    agent: str
    train: str
    train_name: str
    source: Station
    destination: Station
    journey_date: date
    departs: datetime
    arrives: datetime
    class_code: str
    quota: str
    booked_at: datetime
    fare: Fare  # per passenger
    total_fare: Decimal
    total_refund: Decimal
    chart_status: str
    passengers: tuple[PassengerStatus, ...]
    #: Where the train is boarded after a change of boarding point (None: at ``source``, where
    #: the fare was paid from); ``departs`` is then the departure from there.
    boarding_point: Station | None = None


@dataclass(frozen=True)
class Promotion:
    """A passenger of some booking moved up the queue by a cancellation."""

    was: str
    now: str


@dataclass(frozen=True)
class CancellationView:
    booking: BookingView
    cancelled: tuple[int, ...]
    refund: Decimal
    charges: Decimal
    promotions: tuple[Promotion, ...]
