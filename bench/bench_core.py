"""What availability and seat finding cost in the core, by how full the class is.

Issue 13, goal 1. In one run and side by side, on one core (SQLite in a temporary directory,
a fixed clock):

* ``search``: a SearchTrain of one train and class (22692 3A, NZM to SBC) on train-days filled
  to 0 %, 50 %, 90 %, all berths gone (RAC open), RAC gone (waitlist open) and waitlist full
  (REGRET), and the ratio of each to the empty class;
* ``book``: a Book of two passengers on the same train-days (seat finding: CNF, RAC, waitlist,
  REGRET), each one cancelled again after it is timed so that the fill stays where it is;
* ``search 6 trains``: the core's SearchTrain BPL to AGC (six trains, every class) next to
  REST's JSON encoding of the same answer (the dicts and ``json.dumps`` the REST facade does),
  and the ratio; the goal is at most 3x.

The core is ``Railway.call`` (the door, the session check, the work, SQLite), without any
facade. Medians and p95 in microseconds. ``--profile`` adds cProfile's top entries for a search
and a Book on the 90 % train-day. Usage::

    .venv/bin/python bench/bench_core.py [--n 300] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from soap_server.railway.agents import demo_agents
from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import WaitlistFull
from soap_server.railway.passwords import Scrypt
from soap_server.railway.system import Railway
from soap_server.railway.views import TrainList
from soap_server.rest.mapping import to_json
from soap_server.settings import Settings
from soap_server.wsgi import build_railway

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
TRAIN, CLASS, FROM, TO, MIDDLE = "22692", "3A", "NZM", "SBC", "NGP"
NAMES = ("Ravi Kumar", "Anita Kumar", "Mohan Das", "Sita Devi", "Arjun Rao", "Meena Iyer")
#: Fill levels: (label, GN passengers to book beyond the berths, as a share of the GN berths).
LEVELS = ("empty", "50%", "90%", "berths gone", "RAC gone", "REGRET")


def run_dates(first: date, count: int, railway: Railway) -> list[date]:
    train = railway.catalog.trains[TRAIN]
    found: list[date] = []
    day = first
    while len(found) < count:
        if train.runs_from(day, 0):
            found.append(day)
        day += timedelta(days=1)
    return found


class Bench:
    def __init__(self, railway: Railway, token: str) -> None:
        self.railway = railway
        self.token = token
        self.references = 0

    def reference(self) -> str:
        self.references += 1
        return f"bench-{self.references}"

    def book(self, day: date, n: int, source: str = FROM, destination: str = TO) -> tuple[str, str]:
        train = self.railway.catalog.trains[TRAIN]
        index = train.stop_index(source)
        assert index is not None
        request = BookingRequest(
            TRAIN,
            day + timedelta(days=train.stops[index].day - 1),  # the date at the boarding stop
            source,
            destination,
            CLASS,
            "GN",
            tuple(PassengerRequest(NAMES[i], 30 + i, "MF"[i % 2]) for i in range(n)),
            client_reference=self.reference(),
        )
        view = self.railway.book(self.token, request)
        return view.pnr, view.passengers[-1].booking_status

    def fill(self, day: date, level: str, berths: int) -> str:
        """Book parties of six until the level is reached; the last status booked."""
        target = {"empty": 0, "50%": berths // 2, "90%": berths * 9 // 10}.get(level)
        status = "-"
        if target is not None:
            # Every other party travels in two stretches that meet at NGP, so the map has
            # places held on some legs only.
            free = berths
            while berths - free + 6 <= target:
                if self.references % 2:
                    self.book(day, 3, FROM, MIDDLE)
                    self.book(day, 3, MIDDLE, TO)
                else:
                    self.book(day, 6)
                free = self.railway.search(self.token, FROM, TO, day, CLASS)[0].classes[0].available
            return f"{berths - free} of {berths} GN berths taken"
        want = {"berths gone": "RAC", "RAC gone": "GNWL", "REGRET": "REGRET"}[level]
        while True:
            try:
                _, status = self.book(day, 6)
            except WaitlistFull:
                return "waitlist full"
            if status.startswith(want):
                return f"booked up to {status}"


def timed(fn: Callable[[int], object], n: int, warmup: int = 10) -> list[float]:
    for i in range(warmup):
        fn(-1 - i)
    samples = []
    for i in range(n):
        started = time.perf_counter_ns()
        fn(i)
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples


def median_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def profile(label: str, fn: Callable[[int], object], n: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        fn(i)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    print(f"\n== cProfile, {label}, {n} calls, by own time")
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join(lines[start : start + 13]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="samples per measure")
    parser.add_argument("--profile", action="store_true", help="print cProfile top entries")
    args = parser.parse_args()
    n = args.n

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            db_path=Path(tmp) / "bench.sqlite3",
            clock=FixedClock(NOW),
            password_hashing=Scrypt(n=16, r=1, p=1),
        )
        railway = build_railway(settings)
        password = {a.code: a.demo_password for a in demo_agents()}["MMT"]
        token = railway.login("MMT", password).token
        bench = Bench(railway, token)
        train = railway.catalog.trains[TRAIN]
        cls = railway.catalog.classes[CLASS]
        dates = run_dates(NOW.date() + timedelta(days=7), len(LEVELS), railway)
        gn_berths = railway.search(token, FROM, TO, dates[0], CLASS)[0].classes[0].available
        days = dict(zip(LEVELS, dates, strict=True))
        print(
            f"core in-process, n={n} per measure; {TRAIN} {CLASS} {FROM}-{TO}:"
            f" {train.coaches[CLASS]} coaches of {cls.berths_per_coach}, {gn_berths} GN berths,"
            f" {len(train.stops) - 1} legs"
        )
        filled = {}
        started = time.perf_counter()
        for level, day in days.items():
            filled[level] = bench.fill(day, level, gn_berths)
        print(f"filled {len(days)} train-days in {time.perf_counter() - started:.1f} s")

        def search(day: date) -> Callable[[int], object]:
            return lambda _: railway.search(token, FROM, TO, day, CLASS)

        def book(day: date) -> Callable[[int], object]:
            def run(_: int) -> object:
                try:
                    pnr, _status = bench.book(day, 2)
                except WaitlistFull:
                    return None
                # Not timed: cancelled at once so that the class stays as full as it was.
                cancel.append(pnr)
                return pnr

            return run

        cancel: list[str] = []

        def timed_books(day: date) -> list[float]:
            samples = []
            for i in range(n + 10):
                started = time.perf_counter_ns()
                book(day)(i)
                elapsed = (time.perf_counter_ns() - started) / 1000
                while cancel:
                    railway.cancel(token, cancel.pop(), None)
                if i >= 10:
                    samples.append(elapsed)
            return samples

        rows: list[tuple[str, str, str, list[float]]] = []
        for level, day in days.items():
            status = railway.search(token, FROM, TO, day, CLASS)[0].classes[0].status
            rows.append(("search", level, status, timed(search(day), n)))
        for level, day in days.items():
            rows.append(("book 2", level, filled[level], timed_books(day)))

        base = {}
        print(f"\n{'measure':8} {'fill':12} {'median us':>10} {'p95 us':>9} {'x empty':>8}  state")
        for measure, level, state, samples in rows:
            median, p95 = median_p95(samples)
            base.setdefault(measure, median)
            ratio = median / base[measure]
            print(f"{measure:8} {level:12} {median:10.1f} {p95:9.1f} {ratio:8.2f}  {state}")

        # The six-train answer next to REST's JSON encoding of it.
        day = NOW.date() + timedelta(days=10)
        options = railway.search(token, "BPL", "AGC", day)
        classes = sum(len(o.classes) for o in options)
        core = timed(lambda _: railway.search(token, "BPL", "AGC", day), n)
        answer = TrainList(tuple(options))
        encode = timed(lambda _: json.dumps(to_json("TrainList", answer)), n)
        (core_median, core_p95), (json_median, json_p95) = median_p95(core), median_p95(encode)
        print(
            f"\nSearchTrain BPL-AGC, {len(options)} trains, {classes} classes:\n"
            f"{'core search':26} {core_median:10.1f} {core_p95:9.1f}\n"
            f"{'REST JSON encoding':26} {json_median:10.1f} {json_p95:9.1f}\n"
            f"{'core / JSON encoding':26} {core_median / json_median:10.2f}   (goal: at most 3)"
        )

        if args.profile:
            profile("search 22692 3A at 90%", search(days["90%"]), n)
            profile(
                "search BPL-AGC, 6 trains", lambda _: railway.search(token, "BPL", "AGC", day), n
            )

            def book_and_cancel(i: int) -> None:
                book(days["90%"])(i)
                while cancel:
                    railway.cancel(token, cancel.pop(), None)

            profile("book 2 and cancel them at 90%", book_and_cancel, n)
        railway.close()


if __name__ == "__main__":
    main()
