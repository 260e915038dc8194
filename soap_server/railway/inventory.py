"""Seat inventory: the places of a train's coaches, their quotas, and finding a free one.

A *place* is a berth (or seat) for one confirmed passenger, or half of a side-lower berth set
aside for RAC. A passenger occupies a place only for the legs of the route they travel, so a
berth given up at an intermediate station can be sold onward. Occupancy is stored per leg (see
``Transaction.occupancy`` in ``store``); this module decides which place to take.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
def places(
    train: Train, cls: TravelClass, lower_berths_per_coach: int | None = None
) -> tuple[Place, ...]:
    """Every place of one class on a train, in allocation order, with its quota.

    Per coach, the first ``rac_berths_per_coach`` side-lower berths are RAC berths (two places
    each, general quota). Of the other berths: the first lower berths of the train go to the
    ladies quota (LD); the lower-berth quota for senior citizens and women of 45 and above (SS)
    takes ``lower_berths_per_coach`` lower berths in the middle of every coach (the era's rule),
    or, when that is None, the next lower berths of the train (the class's ``senior_berths``);
    the last ``tatkal_share`` of the train goes to Tatkal (TQ), and the rest to the general
    quota (GN).
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
    if lower_berths_per_coach is None:
        for coach, berth, _ in lower[cls.ladies_berths : cls.ladies_berths + cls.senior_berths]:
            quota_of[(coach, berth)] = "SS"
    else:
        middle = (cls.berths_per_coach + 1) / 2
        for c in range(1, train.coaches[cls.code] + 1):
            coach = f"{cls.coach_prefix}{c}"
            own = [b for b in lower if b[0] == coach and (coach, b[1]) not in quota_of]
            own.sort(key=lambda b: (abs(b[1] - middle), b[1]))
            for _, berth, _ in own[:lower_berths_per_coach]:
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
def confirmed_places(
    train: Train, cls: TravelClass, quota: str, lower_berths_per_coach: int | None = None
) -> tuple[Place, ...]:
    """The berths of one quota, in allocation order."""
    every = places(train, cls, lower_berths_per_coach)
    return tuple(p for p in every if not p.rac and p.quota == quota)


@cache
def all_berths(
    train: Train, cls: TravelClass, lower_berths_per_coach: int | None = None
) -> tuple[Place, ...]:
    """Every berth of the class whatever its quota: what is left at the chart is sold to all."""
    return tuple(p for p in places(train, cls, lower_berths_per_coach) if not p.rac)


@cache
def rac_places(
    train: Train, cls: TravelClass, quota: str, lower_berths_per_coach: int | None = None
) -> tuple[Place, ...]:
    """The RAC half-berths open to a quota (only the general quota has RAC)."""
    every = places(train, cls, lower_berths_per_coach)
    return tuple(p for p in every if p.rac and p.quota == quota)


def find_party(
    candidates: Iterable[Place],
    taken: dict[PlaceKey, set[int]],
    legs: range,
    preferences: Sequence[str | None],
) -> list[Place] | None:
    """Free places for a whole party in one coach, the berth types they prefer where possible.

    The first coach (in allocation order) with enough free places wins; None when no coach has
    room for everyone (the caller then seats them one by one).
    """
    by_coach: dict[str, list[Place]] = {}
    for place in candidates:
        if is_free(taken, place, legs):
            by_coach.setdefault(place.coach, []).append(place)
    for free in by_coach.values():
        if len(free) < len(preferences):
            continue
        chosen: list[Place | None] = [None] * len(preferences)
        for i, preference in enumerate(preferences):
            match = next((p for p in free if preference and p.berth_type == preference), None)
            if match is not None:
                chosen[i] = match
                free.remove(match)
        for i in range(len(chosen)):
            if chosen[i] is None:
                chosen[i] = free.pop(0)
        return [p for p in chosen if p is not None]
    return None
