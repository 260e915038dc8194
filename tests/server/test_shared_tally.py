"""A profile behaves the same over one app host or several when they share PostgreSQL: the
simulation's draws, calls in flight and rate limits are counted in the database. Two
``Simulation``s on two stores of one database stand for two hosts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from soap_server.railway.errors import RateLimited, Unavailable
from soap_server.simulation import LocalTally, Profile, Simulation
from soap_server.storage.postgres import PostgresStore
from soap_server.wsgi import build_railway
from tests.backends import PostgresServer
from tests.conftest import NOW, core_settings

FLAKY = Profile(name="flaky", seed=3, fault_rate={"book": 0.5}, lost_response_rate={"book": 0.3})


@pytest.fixture
def hosts(postgres_server: PostgresServer) -> Iterator[list[PostgresStore]]:
    """Two app hosts' stores on one new database (schema made by a core start)."""
    url = postgres_server.create()
    build_railway(core_settings(url)).close()
    stores = [PostgresStore(url), PostgresStore(url)]
    yield stores
    for store in stores:
        store.close()
    postgres_server.drop(url)


def fates(simulations: list[Simulation], calls: int, now: datetime = NOW) -> list[str]:
    """What becomes of ``calls`` Book calls by MMT, sent to the hosts in turn."""
    seen = []
    for i in range(calls):
        simulation = simulations[i % len(simulations)]
        try:
            simulation.before("book", "MMT", now)
        except Unavailable:
            seen.append("fault")
            continue
        seen.append("lost" if simulation.after("book", "MMT") else "ok")
    return seen


def test_the_same_calls_meet_the_same_fates_on_one_host_or_two(
    hosts: list[PostgresStore], postgres_server: PostgresServer
) -> None:
    one_process = fates([Simulation(FLAKY, sleep=lambda _: None)], 40)
    two_hosts = fates(
        [Simulation(FLAKY, sleep=lambda _: None, tally=store.tally()) for store in hosts], 40
    )
    assert two_hosts == one_process
    assert {"fault", "lost", "ok"} <= set(one_process)  # the profile did something
    # Two hosts each counting for themselves would have replayed the stream's start on each.
    apart = fates([Simulation(FLAKY, sleep=lambda _: None, tally=LocalTally()) for _ in hosts], 40)
    assert apart != one_process


def test_a_rate_limit_counts_the_calls_of_every_host(hosts: list[PostgresStore]) -> None:
    profile = Profile(name="limited", rate_limit_per_minute=5)
    now = [1_000.0]
    first, second = (
        Simulation(profile, sleep=lambda _: None, monotonic=lambda: now[0], tally=store.tally())
        for store in hosts
    )
    for simulation in (first, second, first, second, first):
        simulation.before("search", "AGODA", NOW)
        simulation.after("search", "AGODA")
    with pytest.raises(RateLimited) as refused:
        second.before("search", "AGODA", NOW)
    assert refused.value.retry_after == 61
    first.before("search", "PAYTM", NOW)  # another agent has its own minute
    first.after("search", "PAYTM")
    now[0] += 61  # the first calls have left the window
    second.before("search", "AGODA", NOW)
    second.after("search", "AGODA")


def test_the_rush_crowd_is_the_calls_in_flight_on_every_host(hosts: list[PostgresStore]) -> None:
    first, second = (store.tally() for store in hosts)
    assert first.enter() == 1
    assert first.enter() == 2
    assert second.enter() == 3  # one more, on the other host
    first.leave()
    assert second.enter() == 3
    for tally in (first, second, second):
        tally.leave()
    assert first.enter() == 1
    first.leave()
