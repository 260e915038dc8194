"""Seat inventory: the places of a train's coaches, their quotas, and finding a free one.

A *place* is a berth (or seat) for one confirmed passenger, or half of a side-lower berth set
aside for RAC. A passenger occupies a place only for the legs of the route they travel, so a
berth given up at an intermediate station can be sold onward. Occupancy is stored per leg (see
``Transaction.occupancy`` in ``store``); this module decides which place to take.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from soap_server.railway.catalog import Train, TravelClass
from soap_server.railway.store import PlaceKey


@dataclass(frozen=True)
class Place:
    coach: str
    berth: int
    slot: int  # 0: the whole berth; 1 or 2: one half of an RAC berth
    berth_type: str
    quota: str
    rac: bool

    @property
    def key(self) -> PlaceKey:
        return (self.coach, self.berth, self.slot)


@cache
def places(train: Train, cls: TravelClass) -> tuple[Place, ...]:
    """Every place of one class on a train, in allocation order, with its quota.

    Per coach, the first ``rac_berths_per_coach`` side-lower berths are RAC berths (two places
    each, general quota). Of the other berths: the first lower berths of the train go to the
    ladies (LD) and senior citizen (SS) quotas, the last ``tatkal_share`` of the train to Tatkal
    (TQ), and the rest to the general quota (GN).
    """
    berths: list[tuple[str, int, str]] = []
    rac: list[Place] = []
    for c in range(1, train.coaches[cls.code] + 1):
        coach = f"{cls.coach_prefix}{c}"
        rac_left = cls.rac_berths_per_coach
        for berth in range(1, cls.berths_per_coach + 1):
            kind = cls.berth_type(berth)
            if kind == "SL" and rac_left > 0:
                rac_left -= 1
                rac.extend(Place(coach, berth, slot, kind, "GN", True) for slot in (1, 2))
            else:
                berths.append((coach, berth, kind))

    quota_of: dict[tuple[str, int], str] = {}
    lower = [b for b in berths if b[2] in ("LB", "WS")]
    for coach, berth, _ in lower[: cls.ladies_berths]:
        quota_of[(coach, berth)] = "LD"
    for coach, berth, _ in lower[cls.ladies_berths : cls.ladies_berths + cls.senior_berths]:
        quota_of[(coach, berth)] = "SS"
    tatkal = round(len(berths) * cls.tatkal_share)
    for coach, berth, _ in reversed(berths):
        if tatkal <= 0:
            break
        if (coach, berth) not in quota_of:
            quota_of[(coach, berth)] = "TQ"
            tatkal -= 1
    confirmed = tuple(
        Place(coach, berth, 0, kind, quota_of.get((coach, berth), "GN"), False)
        for coach, berth, kind in berths
    )
    return confirmed + tuple(rac)


def is_free(taken: dict[PlaceKey, set[int]], place: Place, legs: range) -> bool:
    held = taken.get(place.key)
    return held is None or held.isdisjoint(legs)


def find_place(
    candidates: Iterable[Place],
    taken: dict[PlaceKey, set[int]],
    legs: range,
    preference: str | None = None,
) -> Place | None:
    """The first free place for the legs, of the preferred berth type if one is free."""
    first: Place | None = None
    for place in candidates:
        if not is_free(taken, place, legs):
            continue
        if preference is None or place.berth_type == preference:
            return place
        if first is None:
            first = place
    return first


def hold(taken: dict[PlaceKey, set[int]], place: Place, legs: range) -> None:
    taken.setdefault(place.key, set()).update(legs)


def count_free(candidates: Iterable[Place], taken: dict[PlaceKey, set[int]], legs: range) -> int:
    return sum(1 for place in candidates if is_free(taken, place, legs))


@cache
def confirmed_places(train: Train, cls: TravelClass, quota: str) -> tuple[Place, ...]:
    """The berths of one quota, in allocation order."""
    return tuple(p for p in places(train, cls) if not p.rac and p.quota == quota)


@cache
def rac_places(train: Train, cls: TravelClass, quota: str) -> tuple[Place, ...]:
    """The RAC half-berths open to a quota (only the general quota has RAC)."""
    return tuple(p for p in places(train, cls) if p.rac and p.quota == quota)
