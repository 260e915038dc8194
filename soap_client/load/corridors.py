"""The whole routes the journeys take, their dates, and reading a class's status from a search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from soap_client.irctc_client import ClassType
from soap_client.models import TrainOffer


@dataclass(frozen=True)
class Corridor:
    """A whole route: the train's origin to its destination, and the classes it carries."""

    train: str
    source: str
    destination: str
    classes: tuple[ClassType, ...]


#: Checked against soap_server/railway/data/trains.toml (first and last stop of each train).
CORRIDORS: tuple[Corridor, ...] = (
    Corridor("12952", "NDLS", "MMCT", ("1A", "2A", "3A")),
    Corridor("12951", "MMCT", "NDLS", ("1A", "2A", "3A")),
    Corridor("12302", "NDLS", "HWH", ("2A", "3A")),
    Corridor("12954", "NZM", "MMCT", ("2A", "3A")),
    Corridor("22692", "NZM", "SBC", ("2A", "3A")),
)
#: Journey dates: the core's date plus one of these numbers of days.
DAYS_AHEAD = range(5, 16)
#: Tatkal journeys (``load --tatkal``): the trains leaving their origin tomorrow.
TATKAL_DAYS_AHEAD = range(1, 2)
TATKAL_MOST = 4  # passengers on one Tatkal PNR in every era since 2011
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

#: (train, journey date ISO, class)
SeatKey = tuple[str, str, str]


def weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def offer_for(offers: list[TrainOffer], train: str) -> TrainOffer | None:
    return next((o for o in offers if o.number == train), None)


def status_of(offer: TrainOffer, travel_class: str) -> str | None:
    return next((c.status for c in offer.classes if c.travel_class == travel_class), None)


def free_seats(status: str | None) -> int | None:
    """``AVAILABLE 45`` -> 45; anything else (RAC, waitlist, REGRET) -> None."""
    if status is None or not status.startswith("AVAILABLE "):
        return None
    return int(status.split()[1])
