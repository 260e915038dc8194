"""Waitlist pools: which queue a journey waits in when no berth is free, and how it reads.

Within the general quota the real system keeps several pools, each with its own numbering and
its own promotion (a berth freed in a pool goes to that pool's queue first):

* ``GN`` (GNWL) journeys from the train's origin;
* ``RS`` (RSWL) journeys from the origin to a roadside station (a stop marked ``RS``); no RAC;
* ``RL`` (RLWL) journeys boarding at a stop with its own remote-location quota (marked ``RL``);
* ``PQ`` (PQWL) the pooled quota shared by every other intermediate boarding station.

The other quotas are pools of their own: ``TQ`` (TQWL), ``LD`` (LDWL), ``SS`` (SSWL).
"""

from __future__ import annotations

from soap_server.railway.catalog import Train

GENERAL_POOLS = ("GN", "RL", "PQ", "RS")  # in the order a freed berth is offered
NO_RAC_POOLS = frozenset({"RS"})


def pool_for(train: Train, boarding: int, alighting: int, quota: str) -> str:
    """The pool of a journey between two stop indexes of ``train`` in ``quota``."""
    if quota != "GN":
        return quota
    if boarding == 0:
        return "RS" if train.stops[alighting].quota == "RS" else "GN"
    if train.stops[boarding].quota == "RL":
        return "RL"
    return "PQ"


def has_rac(pool: str) -> bool:
    """RAC is given in the general quota's pools except the roadside one."""
    return pool in GENERAL_POOLS and pool not in NO_RAC_POOLS


def waitlist_code(pool: str) -> str:
    """How the pool reads on a ticket: ``GNWL``, ``RLWL``, ``PQWL``, ``RSWL``, ``TQWL``..."""
    return f"{pool}WL"


def offer_order(freed_from: str) -> tuple[str, ...]:
    """The general pools in the order a berth freed from ``freed_from`` is offered to them."""
    if freed_from not in GENERAL_POOLS:
        return GENERAL_POOLS
    return (freed_from, *(p for p in GENERAL_POOLS if p != freed_from))
