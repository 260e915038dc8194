"""Waitlist pools: which pool a journey waits in, read from the stops' quotas in trains.toml."""

from __future__ import annotations

import pytest

from soap_server.railway.catalog import load_catalog
from soap_server.railway.pools import has_rac, offer_order, pool_for, waitlist_code

CATALOG = load_catalog()


def journey(number: str, source: str, destination: str) -> tuple[int, int]:
    return CATALOG.trains[number].segment(source, destination)


@pytest.mark.parametrize(
    ("number", "source", "destination", "quota", "pool"),
    [
        pytest.param("12951", "MMCT", "NDLS", "GN", "GN", id="origin-to-terminus"),
        pytest.param("12951", "MMCT", "KOTA", "GN", "GN", id="origin-to-major-stop"),
        pytest.param("12951", "MMCT", "BVI", "GN", "RS", id="origin-to-roadside"),
        pytest.param("12951", "BRC", "NDLS", "GN", "RL", id="from-remote-location"),
        pytest.param("12951", "RTM", "NDLS", "GN", "PQ", id="from-other-intermediate"),
        pytest.param("12951", "BVI", "ST", "GN", "PQ", id="intermediate-to-intermediate"),
        pytest.param("12951", "BRC", "NDLS", "TQ", "TQ", id="tatkal"),
        pytest.param("12951", "MMCT", "NDLS", "LD", "LD", id="ladies"),
    ],
)
def test_pool_of_a_journey(
    number: str, source: str, destination: str, quota: str, pool: str
) -> None:
    a, b = journey(number, source, destination)
    assert pool_for(CATALOG.trains[number], a, b, quota) == pool


def test_status_codes_read_as_on_a_ticket() -> None:
    assert [waitlist_code(p) for p in ("GN", "RL", "PQ", "RS", "TQ")] == [
        "GNWL",
        "RLWL",
        "PQWL",
        "RSWL",
        "TQWL",
    ]


def test_roadside_pool_has_no_rac() -> None:
    assert has_rac("GN") and has_rac("RL") and has_rac("PQ")
    assert not has_rac("RS") and not has_rac("TQ")


def test_a_freed_berth_goes_to_its_own_pool_first() -> None:
    assert offer_order("RL") == ("RL", "GN", "PQ", "RS")
    assert offer_order("GN") == ("GN", "RL", "PQ", "RS")
    assert offer_order("TQ") == ("GN", "RL", "PQ", "RS")


def test_every_train_has_a_pool_for_every_journey() -> None:
    for train in CATALOG.trains.values():
        last = len(train.stops) - 1
        assert pool_for(train, 0, last, "GN") == "GN", train.number
        for a in range(1, last):
            assert pool_for(train, a, last, "GN") in ("RL", "PQ")
