"""The RAC and waitlist queues: who moves up when a place is freed, and the chart's last pass.

A queue is one pool of one class of one train-day (``storage.Pool``); see ``pools`` for the
pools. A place freed in the general quota is offered to the RAC queues first (an RAC passenger
already holds half a berth), then to the waitlists, the pool it was sold from first. At the
chart the berths left in every quota (Tatkal, ladies, lower-berth) are offered to everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from soap_server.railway import inventory
from soap_server.railway.catalog import Train, TravelClass
from soap_server.railway.codes import BookingState
from soap_server.railway.pools import GENERAL_POOLS, has_rac, offer_order
from soap_server.railway.rulebook import RuleSet
from soap_server.railway.rules import SENIOR_AGE, WOMEN_LOWER_BERTH_AGE
from soap_server.railway.store import PassengerRow, Pool, Transaction

#: The category of trains whose lower-berth quota follows the fully air-conditioned table.
FULLY_AC = ("RAJDHANI", "DURONTO")
EVERY_POOL = (*GENERAL_POOLS, "TQ", "LD", "SS")


def lower_berths(rules: RuleSet, train: Train, cls: TravelClass) -> int | None:
    """The era's lower berths per coach for seniors and women 45+; None: not an earmarked class."""
    quota = rules.lower_berths
    if cls.code not in quota.more_coaches and cls.code not in quota.premium:
        return None
    return quota.per_coach(cls.code, train.coaches[cls.code], train.category in FULLY_AC)


def places_quota(pool: str) -> str:
    """The quota whose berths a pool is seated in: the general pools share the general quota."""
    return "GN" if pool in GENERAL_POOLS else pool


def seated(row: PassengerRow, place: inventory.Place, state: BookingState) -> PassengerRow:
    return replace(
        row,
        state=state,
        coach=place.coach,
        berth=place.berth,
        slot=place.slot,
        berth_type=place.berth_type,
    )


def preference(pax: PassengerRow) -> str | None:
    """The berth type to look for first: the one asked for, else a lower berth for a senior or
    a woman of 45 and above (allotted automatically when one is free)."""
    if pax.berth_preference is not None:
        return pax.berth_preference
    if pax.age >= SENIOR_AGE.get(pax.gender, 60):
        return "LB"
    if pax.gender == "F" and pax.age >= WOMEN_LOWER_BERTH_AGE:
        return "LB"
    return None


def promote(
    tx: Transaction,
    train: Train,
    cls: TravelClass,
    origin: str,
    pools: Iterable[str],
    berths: inventory.PlaceSet,
    rac: inventory.PlaceSet,
) -> list[tuple[PassengerRow, str]]:
    """Move RAC passengers to free berths, then waitlisted ones to berths or RAC, pool by pool.

    Returns each moved passenger with the status they had (``RAC 2``, ``RLWL 5``).
    """
    order = tuple(pools)
    # The class's map (locked already by the caller's first read of it): the releases and
    # occupations below keep it in step.
    taken = tx.seat_map(train.number, origin, cls.code, inventory.layout(train, cls))
    moved: list[tuple[PassengerRow, str]] = []
    for pool in order:
        key: Pool = (train.number, origin, cls.code, pool)
        for position, pax in enumerate(tx.queue(key, BookingState.RAC), start=1):
            legs = range(pax.from_index, pax.to_index)
            place = inventory.find_place(berths, taken, legs, preference(pax))
            if place is None:
                continue
            tx.release(pax.pnr, pax.number)  # its RAC half, cleared from the map too
            promoted = replace(seated(pax, place, BookingState.CNF), queue_no=None)
            inventory.hold(taken, place, legs)
            tx.update_passenger(promoted)
            tx.occupy(promoted, place.key)
            moved.append((promoted, f"RAC {position}"))
    for pool in order:
        key = (train.number, origin, cls.code, pool)
        last_rac = tx.queue_counts(key).last_rac
        for position, pax in enumerate(tx.queue(key, BookingState.WL), start=1):
            legs = range(pax.from_index, pax.to_index)
            place = inventory.find_place(berths, taken, legs, preference(pax))
            if place is not None:
                promoted = replace(seated(pax, place, BookingState.CNF), queue_no=None)
            elif has_rac(pool) and (place := rac.find(taken, legs)):
                last_rac += 1
                promoted = replace(seated(pax, place, BookingState.RAC), queue_no=last_rac)
            else:
                continue
            inventory.hold(taken, place, legs)
            tx.update_passenger(promoted)
            tx.occupy(promoted, place.key)
            moved.append((promoted, f"{pool}WL {position}"))
    return moved


def promote_after_cancellation(
    tx: Transaction,
    rules: RuleSet,
    train: Train,
    cls: TravelClass,
    origin: str,
    freed_pool: str,
) -> list[tuple[PassengerRow, str]]:
    """The queues that a place freed in ``freed_pool`` is offered to, in order."""
    quota = places_quota(freed_pool)
    pools = offer_order(freed_pool) if quota == "GN" else (freed_pool,)
    lb = lower_berths(rules, train, cls)
    berths = inventory.confirmed_places(train, cls, quota, lb)
    rac = inventory.rac_places(train, cls, quota, lb)
    return promote(tx, train, cls, origin, pools, berths, rac)


def chart_pass(
    tx: Transaction, rules: RuleSet, train: Train, cls: TravelClass, origin: str
) -> list[tuple[PassengerRow, str]]:
    """The chart's last promotion: each quota's own queues, then every berth left to all."""
    moved: list[tuple[PassengerRow, str]] = []
    for pool in ("TQ", "LD", "SS"):
        if cls.offers(pool):
            moved += promote_after_cancellation(tx, rules, train, cls, origin, pool)
    moved += promote_after_cancellation(tx, rules, train, cls, origin, "GN")
    if rules.chart.release_unsold_quotas:
        lb = lower_berths(rules, train, cls)
        every = inventory.all_berths(train, cls, lb)
        rac = inventory.rac_places(train, cls, "GN", lb)
        moved += promote(tx, train, cls, origin, EVERY_POOL, every, rac)
    return moved
