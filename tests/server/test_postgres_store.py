"""What only PostgreSQL has to prove: writers of one class queue on its lock while other classes
go on, a lock not had in time is a retryable Busy, concurrent cancellations in one class neither
deadlock nor break the queues, concurrent wrong passwords are each counted, and a unique key
taken by a concurrent booking is a retry, not an internal error."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from soap_server.railway import inventory
from soap_server.railway.catalog import load_catalog
from soap_server.railway.errors import AuthenticationFailed, Busy, LoginThrottled
from soap_server.railway.store import StoreBusy, Transaction
from soap_server.railway.system import Railway
from soap_server.storage.postgres import PostgresStore
from soap_server.wsgi import build_railway
from tests.backends import PostgresServer
from tests.conftest import core_settings, login_token
from tests.integration.test_concurrency import audit
from tests.support import berths as general_berths
from tests.support import counts, fill, people, request

CLASS_A = ("12952", "2025-11-30", "2A")
CLASS_B = ("12952", "2025-11-30", "3A")


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    where = postgres_server.create()
    yield where
    postgres_server.drop(where)


@pytest.fixture
def core(url: str) -> Iterator[Railway]:
    railway = build_railway(core_settings(url, db_pool_size=20))
    yield railway
    railway.close()


def lock_class(tx: Transaction, key: tuple[str, str, str]) -> None:
    """What Book and Cancel do first: read the class's seat map, which locks the class."""
    train, _, code = key
    catalog = load_catalog()
    tx.seat_map(*key, inventory.layout(catalog.trains[train], catalog.classes[code]))


def hold_class(store: PostgresStore, key: tuple[str, str, str]) -> tuple[threading.Event, ...]:
    """Another transaction takes ``key``'s lock and keeps it until the second event is set."""
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store.write() as tx:
            lock_class(tx, key)
            tx.count("bookings")  # a read: the pipelined lock has surely been taken now
            held.set()
            release.wait(30)

    threading.Thread(target=holder, daemon=True).start()
    assert held.wait(30)
    return held, release


def test_one_class_queues_on_its_lock_and_other_classes_go_on(url: str) -> None:
    store = PostgresStore(url, busy_timeout_ms=300)
    try:
        _, release = hold_class(store, CLASS_A)
        with store.write() as tx:  # another class: had at once (a wait would be StoreBusy)
            lock_class(tx, CLASS_B)
            assert tx.count("bookings") == 0
        with pytest.raises(StoreBusy):
            with store.write() as tx:
                lock_class(tx, CLASS_A)
        release.set()
    finally:
        store.close()


def test_a_book_waiting_too_long_for_its_class_is_busy_and_books_nothing(url: str) -> None:
    railway = build_railway(core_settings(url, db_busy_timeout_ms=300))
    try:
        token = login_token(railway)
        _, release = hold_class(railway.store, CLASS_A)  # type: ignore[arg-type]
        with pytest.raises(Busy):
            railway.book(token, request())
        assert counts(railway) == (0, 0, 0)
        release.set()
        assert railway.book(token, request()).pnr  # once the lock is free, it books
    finally:
        railway.close()


def test_concurrent_cancellations_in_one_class_promote_in_order(core: Railway, url: str) -> None:
    token = login_token(core)
    berths = len(general_berths(core, "12952", "2A"))  # the era's lower-berth quota apart
    booked = fill(core, token, berths)
    queued = fill(core, token, 30)  # RAC, then the waitlist
    assert {p.booking_status.split()[0] for _, p in queued} == {"RAC", "GNWL"}
    pnrs = sorted({pnr for pnr, _ in booked})[:4]  # 24 berths freed for 30 in the queues
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda pnr: core.cancel(token, pnr, None), pnrs))
    assert all(r.cancelled for r in results)
    promoted = [p for r in results for p in r.promotions]
    assert promoted  # freed berths went to the queues
    states = audit(url)  # no berth twice, waitlist numbers unique and gapless
    assert states["CNF"] == berths  # every freed berth was filled from the queues
    # What is left in each queue is numbered 1..n: nobody skipped, nobody twice.
    positions: dict[str, list[int]] = {"RAC": [], "GNWL": []}
    for pnr in sorted({pnr for pnr, _ in queued}):
        for passenger in core.pnr_status(token, pnr).passengers:
            kind, _, number = passenger.current_status.partition(" ")
            if kind in positions:
                positions[kind].append(int(number))
    for numbers in positions.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert any(positions.values())  # some are still queued, in order


def test_concurrent_wrong_passwords_are_each_counted(core: Railway) -> None:
    def attempt(_: int) -> str:
        try:
            core.login("PAYTM", "not-the-password")
        except (AuthenticationFailed, LoginThrottled) as error:
            return type(error).__name__
        return "logged in"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = Counter(pool.map(attempt, range(10)))
    limit = core.policy.login_failures_allowed
    # Counted one after another however many hosts or threads try at once: the first
    # ``limit`` are refused as wrong (the last of them starts the pause), the rest throttled.
    assert outcomes == {"AuthenticationFailed": limit, "LoginThrottled": 10 - limit}


def test_a_reference_taken_by_a_concurrent_booking_is_busy(url: str, core: Railway) -> None:
    token = login_token(core)
    first = core.book(token, request(reference="race-1"))
    store = PostgresStore(url)
    try:
        with store.read() as tx:
            booking = tx.booking(first.pnr)
        assert booking is not None
        with pytest.raises(StoreBusy, match="concurrent booking"):
            with store.write() as tx:
                tx.insert_booking(replace(booking, pnr="9" * 10))  # same agent and reference
    finally:
        store.close()
    again = core.book(token, request(reference="race-1", passengers=people(1)))
    assert again.pnr == first.pnr  # the retry is answered from the first booking


def test_a_transaction_refused_by_the_server_leaves_no_broken_connection(
    url: str, core: Railway
) -> None:
    """A statement the server refuses inside the pipeline skips what was queued behind it, a
    PREPARE among them once a query has run often enough to be prepared (psycopg prepares on
    the 5th use). Reused, that connection failed every later use of the query with "prepared
    statement _pg3_N does not exist": an InternalError for good. With one connection in the
    pool, every transaction below gets the same one, or the fresh one that replaced it."""
    token = login_token(core)
    first = core.book(token, request(reference="broken-1"))
    store = PostgresStore(url, pool_size=1)
    try:
        with store.read() as tx:
            booking = tx.booking(first.pnr)
            travelling = tx.passengers(first.pnr)
        assert booking is not None and travelling
        for _ in range(8):
            with pytest.raises(StoreBusy, match="concurrent booking"):
                with store.write() as tx:
                    tx.insert_booking(replace(booking, pnr="9" * 10))  # refused, not yet read
                    tx.passengers(first.pnr)  # queued behind it: its result raises the error
        for _ in range(8):
            with store.read() as tx:
                assert tx.passengers(first.pnr) == travelling
    finally:
        store.close()
