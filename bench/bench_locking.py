"""Why the PostgreSQL store locks per class: three locking schemes side by side.

Threads book through ``Railway`` (in-process, no HTTP, so the store is most of the cost) on one
throwaway PostgreSQL server, each scheme on a fresh database, in one run:

* ``class lock`` (the store's): the row lock of each (train, date, class)'s seat map (its
  inventory row, read ``FOR UPDATE``), READ COMMITTED;
* ``one lock``: every write takes the same lock, as SQLite's single writer lock does;
* ``serializable``: no lock, SERIALIZABLE transactions; a serialisation failure is the store's
  ``StoreBusy`` and the bench retries the Book (as an agent would, with the same reference).

Two cases: ``spread`` (each Book on another of 180 train-days and classes) and ``hot`` (every
Book on one class, which fills up: then each Book is a waitlist number or a REGRET, a locked
transaction all the same). It prints Books per second and retries per Book, medians of
``--repeats`` runs. Usage::

    .venv/bin/python bench/bench_locking.py [--threads 8] [--books 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path

import psycopg

from core_runner.postgres import ThrowawayPostgres
from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import Busy, ReservationError
from soap_server.railway.passwords import Scrypt
from soap_server.railway.store import Layout, SeatMap
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.storage.postgres import PostgresStore, PostgresTransaction
from soap_server.wsgi import build_railway

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_backends import combos  # noqa: E402

CLOCK = FixedClock(datetime(2025, 11, 20, 9, 0, tzinfo=IST))


class OneLock(PostgresTransaction):
    def _lock_seat_map(self, key: tuple[str, str, str], layout: Layout) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(1)")
        super()._lock_seat_map(key, layout)


class NoLock(PostgresTransaction):
    def seat_map(self, train: str, origin_date: str, class_code: str, layout: Layout) -> SeatMap:
        locking, self._for_update = self._for_update, ""  # the inventory row read, not locked
        try:
            return super().seat_map(train, origin_date, class_code, layout)
        finally:
            self._for_update = locking


def install(store: PostgresStore, scheme: str) -> None:
    """Make ``store`` use ``scheme`` for its write transactions."""
    if scheme == "class lock":
        return
    kind = OneLock if scheme == "one lock" else NoLock
    begin = "BEGIN ISOLATION LEVEL SERIALIZABLE" if scheme == "serializable" else "BEGIN"
    transaction = store._transaction

    def write() -> AbstractContextManager[PostgresTransaction]:
        return _as(transaction(begin, writing=True), kind)

    store.write = write  # type: ignore[method-assign]


class _as:
    """The store's transaction context, handing out ``kind`` on the same connection."""

    def __init__(self, inner: AbstractContextManager[PostgresTransaction], kind: type) -> None:
        self._inner, self._kind = inner, kind

    def __enter__(self) -> PostgresTransaction:
        tx = self._inner.__enter__()
        return self._kind(tx._conn, writing=True)  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> bool | None:
        return self._inner.__exit__(*exc)  # type: ignore[arg-type]


def run(url: str, scheme: str, case: str, threads: int, books: int) -> tuple[float, float]:
    settings = Settings(
        db_url=url, clock=CLOCK, password_hashing=Scrypt(n=16, r=1, p=1), db_pool_size=threads + 2
    )
    railway: Railway = build_railway(settings)
    install(railway.store, scheme)  # type: ignore[arg-type]
    token = railway.login("MMT", "mmt-secret-2008").token
    cases = (
        combos(railway.catalog, 180)
        if case == "spread"
        else [("12952", "2025-11-30", "NDLS", "MMCT", "3A")]
    )
    retries = Counter[str]()
    lock = threading.Lock()

    def book(i: int) -> None:
        train, day, source, destination, cls = cases[i % len(cases)]
        request = BookingRequest(
            train,
            date.fromisoformat(day),
            source,
            destination,
            cls,
            "GN",
            (PassengerRequest("Bench Rider", 30, "M"),),
            client_reference=f"{scheme}-{case}-{i}",
        )
        while True:
            try:
                railway.book(token, request)
                return
            except Busy:
                with lock:
                    retries["busy"] += 1
            except ReservationError:
                return  # REGRET: a whole transaction all the same

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(book, range(books)))
    elapsed = time.perf_counter() - started
    railway.close()
    return books / elapsed, retries["busy"] / books


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--books", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    schemes = ("class lock", "one lock", "serializable")
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with ThrowawayPostgres() as postgres:
        for repeat in range(args.repeats):
            for case in ("spread", "hot"):
                for scheme in schemes:
                    name = f"lock_{repeat}_{case}_{scheme.replace(' ', '_')}"
                    with psycopg.connect(postgres.url(), autocommit=True) as conn:
                        conn.execute(f"CREATE DATABASE {name}")
                    rate, retry = run(postgres.url(name), scheme, case, args.threads, args.books)
                    results.setdefault((case, scheme), []).append((rate, retry))
                    print(
                        f"run {repeat + 1}: {case:6} {scheme:12} {rate:7.1f} Books/s"
                        f" {retry:.2f} retries/Book",
                        file=sys.stderr,
                        flush=True,
                    )
    print(
        f"\nBooks per second ({args.threads} threads, {args.books} Books, medians of"
        f" {args.repeats}); retries per Book; ratio to the class lock\n"
    )
    print("| case | " + " | ".join(schemes) + " |")
    print("|---" * (1 + len(schemes)) + "|")
    for case in ("spread", "hot"):
        base = statistics.median(r for r, _ in results[(case, "class lock")])
        cells = []
        for scheme in schemes:
            rate = statistics.median(r for r, _ in results[(case, scheme)])
            retry = statistics.median(t for _, t in results[(case, scheme)])
            cells.append(f"{rate:.0f}/s ({rate / base:.2f}x, {retry:.2f} retries)")
        print(f"| {case} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
