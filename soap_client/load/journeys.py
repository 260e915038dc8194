"""Step 2: worker threads, each a partner's TravelAgent playing randomly planned journeys."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO, TypeVar

from soap_client.agent import TravelAgent
from soap_client.errors import AgentError
from soap_client.irctc_client import ClassType
from soap_client.ledger import Ledger
from soap_client.load.corridors import CORRIDORS, TATKAL_MOST, Corridor, offer_for, status_of
from soap_client.load.measure import OUTCOME_FAULTS, Meter, ProgressLine, WireLog
from soap_client.load.partners import PARTNERS
from soap_client.load.snapshot import Snapshot, classes_for
from soap_client.models import Passenger

T = TypeVar("T")

TRAVELLERS: tuple[tuple[str, str], ...] = (
    ("Ravi Kumar", "M"),
    ("Anita Sharma", "F"),
    ("Suresh Iyer", "M"),
    ("Priya Nair", "F"),
    ("Arjun Reddy", "M"),
    ("Meena Gupta", "F"),
    ("Vikram Singh", "M"),
    ("Kavita Joshi", "F"),
    ("Imran Khan", "M"),
    ("Lakshmi Rao", "F"),
    ("Rahul Verma", "M"),
    ("Fatima Shaikh", "F"),
)
CANCEL_SHARE = 0.3
ONLY_IF_CONFIRMED_SHARE = 0.1
HARD_LIMIT_EXTRA = 60.0  # seconds past the duration after which workers are abandoned
FAILED_JOURNEY_PAUSE = 0.1  # seconds a worker waits after a journey that gave up


# -- 2. the load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One journey, every random choice drawn up front so a seed replays the same plans."""

    corridor: Corridor
    journey_date: date
    travel_class: ClassType
    passengers: tuple[Passenger, ...]
    only_if_confirmed: bool
    cancel: bool
    cancel_pick: int


def plan_journey(rng: random.Random, before: Snapshot) -> Plan:
    corridors = [c for c in CORRIDORS if before.journey_dates(c.train)]
    corridor = rng.choice(corridors)
    passengers = []
    for _ in range(rng.randint(1, min(3, TATKAL_MOST))):
        name, gender = rng.choice(TRAVELLERS)
        passengers.append(Passenger(name, rng.randint(18, 70), gender))
    return Plan(
        corridor=corridor,
        journey_date=rng.choice(before.journey_dates(corridor.train)),
        travel_class=rng.choice(classes_for(corridor.classes, before.quota)),
        passengers=tuple(passengers),
        only_if_confirmed=rng.random() < ONLY_IF_CONFIRMED_SHARE,
        cancel=rng.random() < CANCEL_SHARE,
        cancel_pick=rng.randrange(6),
    )


class Abandoned(Exception):
    """The hard limit passed in the middle of a journey."""


class Worker:
    """One thread: one partner's TravelAgent, its ledger, and journeys until the deadline."""

    def __init__(
        self,
        number: int,
        url: str,
        ledger: Ledger,
        before: Snapshot,
        seed: int,
        meter: Meter,
        deadline: float,
        stop: threading.Event,
    ) -> None:
        self.number = number
        self.wire = WireLog()
        code, password = PARTNERS[number % len(PARTNERS)]
        self.agent = TravelAgent(
            url, code, password, ledger=ledger, retries=3, backoff=0.05, trace=self.wire
        )
        self.before = before
        self.rng = random.Random(seed + number)
        self.meter = meter
        self.deadline = deadline
        self.stop = stop

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline and not self.stop.is_set():
                self.journey()
            if self.agent.logged_in and not self.stop.is_set():
                try:
                    self._call("Logout", self.agent.logout)
                except AgentError:
                    pass  # counted by _call
        except Abandoned:
            pass
        except Exception as error:  # a bug, not a fault: say so instead of dying silently
            self.meter.problem(
                f"load: worker {self.number} crashed: {type(error).__name__}: {error}"
            )
        finally:
            session = getattr(self.agent.transport, "session", None)
            if session is not None:
                session.close()

    def journey(self) -> None:
        plan = plan_journey(self.rng, self.before)
        agent, corridor = self.agent, plan.corridor
        try:
            if not agent.logged_in:
                self._call("Login", agent.login)
            offers = self._call(
                "SearchTrain",
                lambda: agent.search(corridor.source, corridor.destination, plan.journey_date),
            )
            offer = offer_for(offers, corridor.train)
            if offer is None or status_of(offer, plan.travel_class) is None:
                raise AgentError(
                    "TrainNotOffered",
                    f"{corridor.train} {plan.travel_class} not offered on {plan.journey_date}",
                    False,
                )
            try:
                booking = self._call(
                    "Book",
                    lambda: agent.book(
                        corridor.train,
                        plan.journey_date,
                        corridor.source,
                        corridor.destination,
                        plan.travel_class,
                        list(plan.passengers),
                        quota=self.before.quota,
                        only_if_confirmed=plan.only_if_confirmed,
                    ),
                )
            except AgentError as error:
                if error.code not in OUTCOME_FAULTS:
                    raise
                self.meter.journey(completed=True)  # a full train is an answer
                return
            self.meter.booked(booking, time.perf_counter())
            status = self._call("GetPnrStatus", lambda: agent.pnr_status(booking.pnr))
            if plan.cancel:
                held = [p.number for p in status.passengers if p.current_status != "CAN"]
                if held:
                    number = held[plan.cancel_pick % len(held)]
                    self._call("CancelBooking", lambda: agent.cancel(booking.pnr, [number]))
        except AgentError:
            self.meter.journey(completed=False)
            # The agent already retried; a core that is down should not be hammered in a loop.
            self.stop.wait(FAILED_JOURNEY_PAUSE)
            return
        self.meter.journey(completed=True)

    def _call(self, op: str, call: Callable[[], T]) -> T:
        """One TravelAgent call, timed with its retries, its exchanges handed to the meter."""
        if self.stop.is_set():
            raise Abandoned
        mark = len(self.wire.exchanges)
        error: AgentError | None = None
        started = time.perf_counter()
        try:
            return call()
        except AgentError as raised:
            error = raised
            raise
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.meter.call(op, elapsed, self.wire.exchanges[mark:], error)


@dataclass(frozen=True)
class LoadResult:
    agents: int
    duration: float
    seed: int
    elapsed: float
    meter: Meter
    quota: str = "GN"


def run_load(
    url: str,
    agents: int,
    duration: float,
    seed: int,
    ledger_dir: Path,
    before: Snapshot,
    progress: TextIO | None = None,
) -> LoadResult:
    """Run ``agents`` workers for ``duration`` seconds (each finishes its last journey; all are
    abandoned at duration + 60 s); ledgers go to ``ledger_dir/worker-i.sqlite3``."""
    meter = Meter()
    stop = threading.Event()
    ledgers = [Ledger(ledger_dir / f"worker-{i}.sqlite3") for i in range(agents)]
    started = time.monotonic()
    deadline, hard = started + duration, started + duration + HARD_LIMIT_EXTRA
    workers = [
        Worker(i, url, ledgers[i], before, seed, meter, deadline, stop) for i in range(agents)
    ]
    threads = [
        threading.Thread(target=w.run, name=f"load-worker-{w.number}", daemon=True) for w in workers
    ]
    for thread in threads:
        thread.start()
    line = ProgressLine(progress, meter, duration) if progress is not None else None
    drawn = -1.0
    while True:
        now = time.monotonic()
        alive = [t for t in threads if t.is_alive()]
        if not alive or now >= hard:
            break
        if line is not None and now - drawn >= 0.5:
            line.draw(now - started)
            drawn = now
        alive[0].join(timeout=min(0.5, max(0.01, hard - now)))
    elapsed = time.monotonic() - started
    stop.set()
    stragglers = [i for i, t in enumerate(threads) if t.is_alive()]
    if stragglers:
        meter.problem(
            f"load: worker(s) {', '.join(map(str, stragglers))} still busy at the hard limit"
            f" ({duration + HARD_LIMIT_EXTRA:.0f} s); their last bookings may be in flight"
        )
    if line is not None:
        line.draw(elapsed, done=True)
    for i, ledger in enumerate(ledgers):
        if i not in stragglers:
            ledger.close()
    return LoadResult(agents, duration, seed, elapsed, meter, before.quota)
