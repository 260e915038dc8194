"""Step 1: what the core offered on every corridor, date and class before the load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from soap_client.irctc_client import ClassType, QuotaType
from soap_client.load.corridors import (
    CORRIDORS,
    DAYS_AHEAD,
    TATKAL_DAYS_AHEAD,
    SeatKey,
    offer_for,
    status_of,
    weekday,
)
from soap_client.load.partners import PARTNERS, partner

# -- 1. the snapshot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the core offered before the load: per (train, date, class) the search status, and
    each train's days of run from its origin."""

    core_date: date
    statuses: Mapping[SeatKey, str]
    runs_on: Mapping[str, frozenset[str]]
    quota: QuotaType = "GN"  # TQ: a Tatkal load on tomorrow's trains

    def journey_dates(self, train: str) -> list[date]:
        days = self.runs_on.get(train, frozenset())
        dates = [self.core_date + timedelta(days=n) for n in days_ahead(self.quota)]
        return [d for d in dates if weekday(d) in days]


def days_ahead(quota: QuotaType) -> range:
    return TATKAL_DAYS_AHEAD if quota == "TQ" else DAYS_AHEAD


def classes_for(classes: tuple[ClassType, ...], quota: QuotaType) -> tuple[ClassType, ...]:
    """The classes a load books in that quota (first class has no Tatkal)."""
    return tuple(c for c in classes if quota != "TQ" or c != "1A")


def take_snapshot(url: str, quota: QuotaType = "GN") -> Snapshot:
    """Search every class of every corridor on every date the load may use (not measured)."""
    statuses: dict[SeatKey, str] = {}
    runs_on: dict[str, frozenset[str]] = {}
    with partner(url, PARTNERS[0][0]) as agent:
        agent.login()
        assert agent.server_time is not None
        core_date = agent.server_time.date()
        for corridor in CORRIDORS:
            for n in days_ahead(quota):
                day = core_date + timedelta(days=n)
                known = runs_on.get(corridor.train)
                if known is not None and weekday(day) not in known:
                    continue
                for travel_class in classes_for(corridor.classes, quota):
                    offers = agent.search(
                        corridor.source,
                        corridor.destination,
                        day,
                        travel_class,
                        quota,
                    )
                    offer = offer_for(offers, corridor.train)
                    if offer is None:
                        break  # it does not leave its origin that day
                    runs_on[corridor.train] = frozenset(offer.runs_on.split())
                    status = status_of(offer, travel_class)
                    if status is not None:
                        statuses[(corridor.train, day.isoformat(), travel_class)] = status
    return Snapshot(core_date, statuses, runs_on, quota)
