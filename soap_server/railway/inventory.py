"""Seat inventory: the places of a train's coaches, their quotas, and finding a free one.

A *place* is a berth (or seat) for one confirmed passenger, or half of a side-lower berth set
aside for RAC. A passenger occupies a place only for the legs of the route they travel, so a
berth given up at an intermediate station can be sold onward. What is held is a ``SeatMap``
(``store``): per leg, one bit per place of the class's ``layout``. A set of places (a quota's
berths, the RAC halves) is a bit mask over the same layout, so the free places of a journey
over legs ``[a, b)`` are ``mask & ~(legs[a] | ... | legs[b-1])``: counting them is
``bit_count()`` and the first one in allocation order is the lowest set bit. The cost is a few
integer operations per leg of the journey, whether the class is empty or full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from soap_server.railway.catalog import Train, TravelClass
from soap_server.railway.store import Layout, PlaceKey, SeatMap


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


@cache
def layout(train: Train, cls: TravelClass) -> Layout:
    """The order of a class's places on a train: the bit positions of its seat maps.

    Physical (coach by coach, berth by berth, then the RAC halves), whatever the quotas: an
    era's lower-berth quota (``places(..., lower_berths_per_coach)``) puts the same places in
    the same order, so a stored map stays valid across eras."""
    return Layout(tuple(p.key for p in places(train, cls)), len(train.stops) - 1)


class PlaceSet:
    """Some places of one class on a train, in allocation order, as a mask over its layout."""

    def __init__(self, layout: Layout, every: tuple[Place, ...], chosen: tuple[Place, ...]):
        self.layout = layout
        self.every = every  # every place of the class, by layout index
        self.places = chosen
        self.mask = 0
        for place in chosen:
            self.mask |= 1 << layout.index[place.key]

    def __iter__(self) -> Iterator[Place]:
        return iter(self.places)

    def __len__(self) -> int:
        return len(self.places)

    def __getitem__(self, position: int) -> Place:
        return self.places[position]

    @cached_property
    def by_type(self) -> dict[str, int]:
        """The mask of this set's places of each berth type."""
        masks: dict[str, int] = {}
        for place in self.places:
            masks[place.berth_type] = masks.get(place.berth_type, 0) | (
                1 << self.layout.index[place.key]
            )
        return masks

    @cached_property
    def coaches(self) -> tuple[int, ...]:
        """The mask of this set's places in each coach."""
        masks: dict[str, int] = {}
        for place in self.places:
            masks[place.coach] = masks.get(place.coach, 0) | (1 << self.layout.index[place.key])
        return tuple(masks.values())

    def free(self, seats: SeatMap, legs: range) -> int:
        """The mask of places of this set free over all of ``legs``."""
        return self.mask & ~seats.held(legs.start, legs.stop)

    def count_free(self, seats: SeatMap, legs: range) -> int:
        return self.free(seats, legs).bit_count()

    def free_places(self, seats: SeatMap, legs: range) -> list[Place]:
        """The places of this set free over all of ``legs``, in allocation order (a cost in
        proportion to how many are free: for choosing among them, not for counting)."""
        free, found = self.free(seats, legs), []
        while free:
            lowest = free & -free
            found.append(self.every[lowest.bit_length() - 1])
            free ^= lowest
        return found

    def find(self, seats: SeatMap, legs: range, preference: str | None = None) -> Place | None:
        """The first free place for the legs, of the preferred berth type if one is free."""
        free = self.free(seats, legs)
        if not free:
            return None
        if preference is not None:
            preferred = free & self.by_type.get(preference, 0)
            if preferred:
                free = preferred
        return self.every[(free & -free).bit_length() - 1]


def is_free(seats: SeatMap, place: Place, legs: range) -> bool:
    index = seats.layout.index[place.key]
    return not (seats.held(legs.start, legs.stop) >> index) & 1


def find_place(
    candidates: PlaceSet, seats: SeatMap, legs: range, preference: str | None = None
) -> Place | None:
    """The first free place for the legs, of the preferred berth type if one is free."""
    return candidates.find(seats, legs, preference)


def count_free(candidates: PlaceSet, seats: SeatMap, legs: range) -> int:
    return candidates.count_free(seats, legs)


def hold(seats: SeatMap, place: Place, legs: range) -> None:
    """Mark a place held in the map (a place chosen and not yet written to the store)."""
    seats.hold(seats.layout.index[place.key], legs.start, legs.stop)


def _place_set(
    train: Train, cls: TravelClass, every: tuple[Place, ...], chosen: Iterable[Place]
) -> PlaceSet:
    return PlaceSet(layout(train, cls), every, tuple(chosen))


@cache
def confirmed_places(
    train: Train, cls: TravelClass, quota: str, lower_berths_per_coach: int | None = None
) -> PlaceSet:
    """The berths of one quota, in allocation order."""
    every = places(train, cls, lower_berths_per_coach)
    return _place_set(train, cls, every, (p for p in every if not p.rac and p.quota == quota))


@cache
def all_berths(
    train: Train, cls: TravelClass, lower_berths_per_coach: int | None = None
) -> PlaceSet:
    """Every berth of the class whatever its quota: what is left at the chart is sold to all."""
    every = places(train, cls, lower_berths_per_coach)
    return _place_set(train, cls, every, (p for p in every if not p.rac))


@cache
def rac_places(
    train: Train, cls: TravelClass, quota: str, lower_berths_per_coach: int | None = None
) -> PlaceSet:
    """The RAC half-berths open to a quota (only the general quota has RAC)."""
    every = places(train, cls, lower_berths_per_coach)
    return _place_set(train, cls, every, (p for p in every if p.rac and p.quota == quota))


def find_party(
    candidates: PlaceSet, seats: SeatMap, legs: range, preferences: Sequence[str | None]
) -> list[Place] | None:
    """Free places for a whole party in one coach, the berth types they prefer where possible.

    The first coach (in allocation order) with enough free places wins; None when no coach has
    room for everyone (the caller then seats them one by one). Within the coach, each passenger
    with a preference (in order) gets the first free berth of that type if one is left, then
    the others the first free places. Masks all the way: a few integer operations per coach,
    however many places are free.
    """
    free = candidates.free(seats, legs)
    wanted = len(preferences)
    first = room = 0
    for coach in candidates.coaches:
        here = free & coach
        if here and here.bit_count() >= wanted:
            lowest = here & -here
            if not room or lowest < first:  # the coach whose first free place comes first
                first, room = lowest, here
    if not room:
        return None
    every, by_type = candidates.every, candidates.by_type
    chosen: list[Place | None] = [None] * wanted
    for i, preference in enumerate(preferences):
        if preference:
            match = room & by_type.get(preference, 0)
            if match:
                lowest = match & -match
                chosen[i] = every[lowest.bit_length() - 1]
                room ^= lowest
    party = []
    for place in chosen:
        if place is None:
            lowest = room & -room
            place = every[lowest.bit_length() - 1]
            room ^= lowest
        party.append(place)
    return party
