"""The load generator: many travel agents booking real journeys at once, then an audit of them.

``main_load`` is the ``load`` command. It runs in three steps, each usable on its own:

1. ``take_snapshot``: log in, read the core's date, and search (with a class filter) every
   corridor, date (the core's date + 5..15 days) and class the journeys may use. It keeps each
   class's status (``AVAILABLE 45``) and each train's days of run (the answer's ``RunsOn``).
2. ``run_load``: N worker threads, worker *i* playing partner ``PARTNERS[i % 3]`` with its own
   ``TravelAgent`` and ledger (``worker-i.sqlite3``), each running journeys until the duration
   is over: search, book 1-3 passengers, check the PNR and sometimes cancel one passenger.
   Every call is timed (with its retries), and the trace hook counts what happened on the wire.
3. ``run_audit`` (``audit`` for its problems alone): through the API only, reconcile PENDING
   ledger entries, compare every booking with the core, and look for double sales and seats
   that do not add up.

Journeys only book whole routes (a train's origin to its destination), so a berth can be held
by one passenger at a time and any two confirmed passengers on one coach/berth are a double sale.

The seat arithmetic assumes a **fresh core**: nobody but this run books on these trains between
the snapshot and the audit. Against a core others are using, their bookings show up as seats
that do not add up.
"""

from __future__ import annotations

import json
import math
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO, TypeVar

from lxml import etree

from soap_client.agent import TravelAgent
from soap_client.errors import AgentError, TransportError
from soap_client.irctc_client import ClassType
from soap_client.ledger import Ledger, LedgerEntry
from soap_client.models import Booking, Passenger, TrainOffer
from soap_client.trace import Exchange

T = TypeVar("T")

#: The partners the load plays (the published demo credentials); worker i is PARTNERS[i % 3].
PARTNERS: tuple[tuple[str, str], ...] = (
    ("MMT", "mmt-secret-2008"),
    ("PAYTM", "paytm-secret-2015"),
    ("AGODA", "agoda-secret-2012"),
)
PASSWORDS = dict(PARTNERS)


@dataclass(frozen=True)
class Corridor:
    """A whole route: the train's origin to its destination, and the classes it carries."""

    train: str
    source: str
    destination: str
    classes: tuple[ClassType, ...]


#: Checked against soap_server/railway/data/trains.toml (first and last stop of each train).
CORRIDORS: tuple[Corridor, ...] = (
    Corridor("12952", "NDLS", "MMCT", ("1A", "2A", "3A")),
    Corridor("12951", "MMCT", "NDLS", ("1A", "2A", "3A")),
    Corridor("12302", "NDLS", "HWH", ("2A", "3A")),
    Corridor("12954", "NZM", "MMCT", ("2A", "3A")),
    Corridor("22692", "NZM", "SBC", ("2A", "3A")),
)
#: Journey dates: the core's date plus one of these numbers of days.
DAYS_AHEAD = range(5, 16)
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
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

OPERATIONS = ("login", "search", "book", "pnr", "cancel", "logout")
WIRE_OPERATIONS = {
    "login": "Login",
    "search": "SearchTrain",
    "book": "Book",
    "pnr": "GetPnrStatus",
    "cancel": "CancelBooking",
    "logout": "Logout",
}
#: Faults that are answers, not failures: the train is full.
OUTCOME_FAULTS = {"WaitlistFull": "REGRET", "NoConfirmedSeats": "NoConfirmedSeats"}
OUTCOMES = ("CNF", "RAC", "WL", "REGRET", "NoConfirmedSeats")
EXIT_CLEAN, EXIT_PROBLEM, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3

TNS = "urn:irctc:reservation:v1"
_READER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)

#: (train, journey date ISO, class)
SeatKey = tuple[str, str, str]


def _weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def _offer(offers: list[TrainOffer], train: str) -> TrainOffer | None:
    return next((o for o in offers if o.number == train), None)


def _status_of(offer: TrainOffer, travel_class: str) -> str | None:
    return next((c.status for c in offer.classes if c.travel_class == travel_class), None)


def _free(status: str | None) -> int | None:
    """``AVAILABLE 45`` -> 45; anything else (RAC, waitlist, REGRET) -> None."""
    if status is None or not status.startswith("AVAILABLE "):
        return None
    return int(status.split()[1])


def _close(agent: TravelAgent) -> None:
    """Log out quietly and release the HTTP connection pool."""
    agent.close()
    session = getattr(agent.transport, "session", None)
    if session is not None:
        session.close()


@contextmanager
def _partner(url: str, code: str, ledger: Ledger | None = None) -> Iterator[TravelAgent]:
    agent = TravelAgent(url, code, PASSWORDS[code], ledger=ledger, retries=3, backoff=0.05)
    try:
        yield agent
    finally:
        _close(agent)


# -- 1. the snapshot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the core offered before the load: per (train, date, class) the search status, and
    each train's days of run from its origin."""

    core_date: date
    statuses: Mapping[SeatKey, str]
    runs_on: Mapping[str, frozenset[str]]

    def journey_dates(self, train: str) -> list[date]:
        days = self.runs_on.get(train, frozenset())
        dates = [self.core_date + timedelta(days=n) for n in DAYS_AHEAD]
        return [d for d in dates if _weekday(d) in days]


def take_snapshot(url: str) -> Snapshot:
    """Search every class of every corridor on every date the load may use (not measured)."""
    statuses: dict[SeatKey, str] = {}
    runs_on: dict[str, frozenset[str]] = {}
    with _partner(url, PARTNERS[0][0]) as agent:
        agent.login()
        assert agent.server_time is not None
        core_date = agent.server_time.date()
        for corridor in CORRIDORS:
            for n in DAYS_AHEAD:
                day = core_date + timedelta(days=n)
                known = runs_on.get(corridor.train)
                if known is not None and _weekday(day) not in known:
                    continue
                for travel_class in corridor.classes:
                    offers = agent.search(corridor.source, corridor.destination, day, travel_class)
                    offer = _offer(offers, corridor.train)
                    if offer is None:
                        break  # it does not leave its origin that day
                    runs_on[corridor.train] = frozenset(offer.runs_on.split())
                    status = _status_of(offer, travel_class)
                    if status is not None:
                        statuses[(corridor.train, day.isoformat(), travel_class)] = status
    return Snapshot(core_date, statuses, runs_on)


# -- 2. the load -----------------------------------------------------------------------------------


def fault_code(exchange: Exchange) -> str | None:
    """The fault code of one round trip (None when it succeeded), as the agent would name it."""
    if exchange.status is None:
        return "Timeout" if "Timeout" in (exchange.error or "") else "Transport"
    if exchange.status == 200:
        return None
    try:
        root = etree.fromstring(exchange.response, _READER)
    except etree.XMLSyntaxError:
        return "HttpError"
    code = root.findtext(f".//{{{TNS}}}ReservationFault/{{{TNS}}}Code")
    if code:
        return code
    faultcode = root.findtext(".//faultcode") or ""
    local = faultcode.split(":")[-1]
    return local.partition(".")[2] or local or "HttpError"


class WireLog:
    """One worker's trace hook: the operation and fault code of every exchange, in order."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[str, str | None]] = []

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append((exchange.operation, fault_code(exchange)))


class Meter:
    """Everything the workers measure, shared between them (one lock, short holds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        self.gave_up: Counter[str] = Counter()
        self.absorbed: Counter[str] = Counter()
        self.outcome_faults: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter({o: 0 for o in OUTCOMES})
        self.retries = 0
        self.relogins = 0
        self.journeys = 0
        self.journeys_failed = 0
        self.problems: list[str] = []

    def call(
        self,
        op: str,
        elapsed_ms: float,
        exchanges: list[tuple[str, str | None]],
        error: AgentError | None,
    ) -> None:
        """One TravelAgent call and the exchanges it made (retries and re-logins included)."""
        wire_op = WIRE_OPERATIONS[op]
        sent = sum(1 for name, _ in exchanges if name == wire_op)
        relogins = 0 if op == "login" else sum(1 for name, _ in exchanges if name == "Login")
        codes = [code for _, code in exchanges if code is not None]
        if error is not None and exchanges and exchanges[-1][1] is not None:
            codes.pop()  # the fault that was raised: counted below, not as absorbed
        with self._lock:
            self.latencies[op].append(elapsed_ms)
            # A resend after a re-login is the re-login's doing, not a retry.
            self.retries += max(0, sent - 1 - relogins)
            self.relogins += relogins
            self.absorbed.update(codes)
            if error is not None:
                if error.code in OUTCOME_FAULTS:
                    self.outcome_faults[error.code] += 1
                    self.outcomes[OUTCOME_FAULTS[error.code]] += 1
                else:
                    self.gave_up[error.code] += 1

    def booked(self, booking: Booking) -> None:
        with self._lock:
            for p in booking.passengers:
                kind = p.booking_status.split("/")[0].split()[0]
                self.outcomes["WL" if kind.endswith("WL") else kind] += 1

    def journey(self, completed: bool) -> None:
        with self._lock:
            if completed:
                self.journeys += 1
            else:
                self.journeys_failed += 1

    def problem(self, line: str) -> None:
        with self._lock:
            self.problems.append(line)

    def progress(self) -> tuple[int, int, int]:
        """(journeys, faults, retries) for the progress line."""
        with self._lock:
            faults = sum(self.gave_up.values()) + sum(self.absorbed.values())
            return self.journeys, faults, self.retries


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
    for _ in range(rng.randint(1, 3)):
        name, gender = rng.choice(TRAVELLERS)
        passengers.append(Passenger(name, rng.randint(18, 70), gender))
    return Plan(
        corridor=corridor,
        journey_date=rng.choice(before.journey_dates(corridor.train)),
        travel_class=rng.choice(corridor.classes),
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
                    self._call("logout", self.agent.logout)
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
                self._call("login", agent.login)
            offers = self._call(
                "search",
                lambda: agent.search(corridor.source, corridor.destination, plan.journey_date),
            )
            offer = _offer(offers, corridor.train)
            if offer is None or _status_of(offer, plan.travel_class) is None:
                raise AgentError(
                    "TrainNotOffered",
                    f"{corridor.train} {plan.travel_class} not offered on {plan.journey_date}",
                    False,
                )
            try:
                booking = self._call(
                    "book",
                    lambda: agent.book(
                        corridor.train,
                        plan.journey_date,
                        corridor.source,
                        corridor.destination,
                        plan.travel_class,
                        list(plan.passengers),
                        only_if_confirmed=plan.only_if_confirmed,
                    ),
                )
            except AgentError as error:
                if error.code not in OUTCOME_FAULTS:
                    raise
                self.meter.journey(completed=True)  # a full train is an answer
                return
            self.meter.booked(booking)
            status = self._call("pnr", lambda: agent.pnr_status(booking.pnr))
            if plan.cancel:
                held = [p.number for p in status.passengers if p.current_status != "CAN"]
                if held:
                    number = held[plan.cancel_pick % len(held)]
                    self._call("cancel", lambda: agent.cancel(booking.pnr, [number]))
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


class ProgressLine:
    """``[#########.........] 47%  123 journeys  8.4/s  faults 3  retries 5``, redrawn in place."""

    WIDTH = 18

    def __init__(self, stream: TextIO, meter: Meter, duration: float) -> None:
        self.stream = stream
        self.meter = meter
        self.duration = duration
        self._shown = 0

    def draw(self, elapsed: float, done: bool = False) -> None:
        share = 1.0 if done else min(1.0, elapsed / self.duration)
        filled = round(share * self.WIDTH)
        journeys, faults, retries = self.meter.progress()
        rate = journeys / elapsed if elapsed > 0 else 0.0
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {round(share * 100)}%"
            f"  {journeys} journeys  {rate:.1f}/s  faults {faults}  retries {retries}"
        )
        self.stream.write("\r" + line.ljust(self._shown))
        self._shown = len(line)
        if done:
            self.stream.write("\n")
        self.stream.flush()


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
    return LoadResult(agents, duration, seed, elapsed, meter)


# -- 3. the audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditResult:
    problems: list[str]
    bookings: int  # BOOKED ledger entries compared with the core
    passengers: int  # their passengers
    seat_counts: int  # (train, date, class) whose free berths were compared

    @property
    def clean(self) -> bool:
        return not self.problems


@dataclass
class _Audit:
    url: str
    before: Snapshot
    problems: list[str] = field(default_factory=list)
    agents: dict[str, TravelAgent] = field(default_factory=dict)

    def agent(self, code: str) -> TravelAgent:
        if code not in self.agents:
            self.agents[code] = TravelAgent(
                self.url, code, PASSWORDS[code], retries=3, backoff=0.05
            )
        return self.agents[code]


def ledger_files(ledger_dir: Path) -> list[Path]:
    return sorted(
        ledger_dir.glob("worker-*.sqlite3"), key=lambda p: int(p.stem.removeprefix("worker-"))
    )


def audit(url: str, ledger_dir: Path, before: Snapshot) -> list[str]:
    """The audit's problems, one line each; empty when the ledgers and the core agree."""
    return run_audit(url, ledger_dir, before).problems


def run_audit(url: str, ledger_dir: Path, before: Snapshot) -> AuditResult:
    """Check the workers' ledgers against the core, through the API only (see the module doc)."""
    state = _Audit(url, before)
    try:
        return _run_audit(state, ledger_dir)
    except TransportError as error:
        state.problems.append(f"audit: cannot reach the core: {error.code}: {error.message}")
        return AuditResult(state.problems, 0, 0, 0)
    finally:
        for agent in state.agents.values():
            _close(agent)


def _run_audit(state: _Audit, ledger_dir: Path) -> AuditResult:
    problems = state.problems
    entries: list[LedgerEntry] = []
    for path in ledger_files(ledger_dir):
        entries.extend(_reconciled(state, path))

    # One PNR per entry, one PNR per reference.
    by_pnr: defaultdict[str, list[str]] = defaultdict(list)
    pnrs_of: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.pnr is not None:
            by_pnr[entry.pnr].append(entry.reference)
            pnrs_of[entry.reference].add(entry.pnr)
    for pnr, references in by_pnr.items():
        if len(references) > 1:
            problems.append(f"PNR {pnr} appears in {len(references)} ledger entries: {references}")

    # Every booking as the core has it now.
    booked = [e for e in entries if e.state == "BOOKED" and e.pnr is not None]
    core: list[Booking] = []
    passengers = 0
    for entry in booked:
        assert entry.pnr is not None
        if entry.agent not in PASSWORDS:
            problems.append(f"PNR {entry.pnr}: unknown partner {entry.agent!r} in the ledger")
            continue
        try:
            booking = state.agent(entry.agent).pnr_status(entry.pnr)
        except TransportError:
            raise
        except AgentError as error:
            problems.append(f"PNR {entry.pnr} (reference {entry.reference}): {error}")
            continue
        core.append(booking)
        names = [p.name for p in booking.passengers]
        passengers += len(names)
        if names != entry.passengers:
            problems.append(
                f"PNR {entry.pnr} (reference {entry.reference}): the core has passengers"
                f" {names} but the ledger recorded {entry.passengers}"
            )
        if booking.reference != entry.reference:
            problems.append(
                f"PNR {entry.pnr}: the core has reference {booking.reference},"
                f" the ledger {entry.reference}"
            )
        pnrs_of[booking.reference].add(booking.pnr)
        ledger_key = (entry.train, entry.journey_date, entry.class_code)
        core_key = (booking.train, booking.journey_date.isoformat(), booking.travel_class)
        if ledger_key != core_key:
            problems.append(f"PNR {entry.pnr}: the core has {core_key}, the ledger {ledger_key}")
    for reference, pnrs in pnrs_of.items():
        if len(pnrs) > 1:
            problems.append(f"reference {reference} maps to {len(pnrs)} PNRs: {sorted(pnrs)}")

    # No berth held by two confirmed passengers; free berths add up.
    held: defaultdict[SeatKey, list[tuple[str, str, int]]] = defaultdict(list)
    for booking in core:
        key = (booking.train, booking.journey_date.isoformat(), booking.travel_class)
        for p in booking.passengers:
            if p.current_status.startswith("CNF") and p.coach is not None:
                held[key].append((f"{p.coach}/{p.berth}", booking.pnr, p.number))
    for key, seats in sorted(held.items()):
        owners: defaultdict[str, list[str]] = defaultdict(list)
        for berth, pnr, number in seats:
            owners[berth].append(f"PNR {pnr} passenger {number}")
        for berth, who in sorted(owners.items()):
            if len(who) > 1:
                problems.append(f"{' '.join(key)}: berth {berth} is held by {', '.join(who)}")
    touched = {(e.train, e.journey_date, e.class_code): e for e in entries}
    compared = 0
    for key, entry in sorted(touched.items()):
        before = state.before.statuses.get(key)
        if before is None:
            problems.append(f"{' '.join(key)}: no availability from before the load")
            continue
        after = _status_now(state, entry)
        free_before, free_after = _free(before), _free(after)
        if free_before is None or free_after is None:
            continue  # RAC, waitlist or REGRET: nothing to count berths with
        compared += 1
        confirmed = len(held.get(key, []))
        if free_before - free_after != confirmed:
            problems.append(
                f"{' '.join(key)}: {free_before} berths free before and {free_after} after,"
                f" but our bookings hold {confirmed} confirmed"
            )
    return AuditResult(problems, len(core), passengers, compared)


def _reconciled(state: _Audit, path: Path) -> list[LedgerEntry]:
    """The entries of one worker ledger, after ``sync`` settled its PENDING ones."""
    ledger = Ledger(path)
    try:
        pending = ledger.entries("PENDING")
        agents = {e.agent for e in pending if e.agent in PASSWORDS}
        for code in sorted(agents):
            with _partner(state.url, code, ledger) as agent:
                # sync stops at its first refusal (which marks that entry FAILED): go again.
                for _ in range(len(pending) + 1):
                    try:
                        agent.sync()
                        break
                    except TransportError:
                        raise
                    except AgentError:
                        continue
        for entry in ledger.entries("PENDING"):
            state.problems.append(
                f"reference {entry.reference} ({path.name}) is still PENDING after sync:"
                f" {entry.last_error or 'no answer'}"
            )
        return ledger.entries()
    finally:
        ledger.close()


def _status_now(state: _Audit, entry: LedgerEntry) -> str | None:
    offers = state.agent(PARTNERS[0][0]).search(
        entry.source,
        entry.destination,
        date.fromisoformat(entry.journey_date),
        entry.class_code,  # type: ignore[arg-type]  # a ClassType from our own request
    )
    offer = _offer(offers, entry.train)
    return None if offer is None else _status_of(offer, entry.class_code)


# -- the report ------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (share in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def report(result: LoadResult, checked: AuditResult, url: str) -> dict[str, Any]:
    """The whole run as one JSON-ready object (the text report is drawn from it)."""
    meter = result.meter
    calls = sum(len(v) for v in meter.latencies.values())
    operations: dict[str, dict[str, float | int]] = {}
    for op, values in meter.latencies.items():
        stats: dict[str, float | int] = {"count": len(values)}
        for name, share in (("p50_ms", 50.0), ("p95_ms", 95.0), ("p99_ms", 99.0)):
            stats[name] = round(percentile(values, share), 2) if values else 0.0
        stats["max_ms"] = round(max(values), 2) if values else 0.0
        operations[op] = stats
    elapsed = max(result.elapsed, 1e-9)
    return {
        "url": url,
        "agents": result.agents,
        "duration_s": result.duration,
        "seed": result.seed,
        "elapsed_s": round(result.elapsed, 3),
        "journeys": meter.journeys,
        "journeys_failed": meter.journeys_failed,
        "calls": calls,
        "throughput": {
            "journeys_per_s": round(meter.journeys / elapsed, 2),
            "calls_per_s": round(calls / elapsed, 2),
        },
        "operations": operations,
        "faults": {
            "gave_up": dict(sorted(meter.gave_up.items())),
            "absorbed": dict(sorted(meter.absorbed.items())),
            "outcomes": dict(sorted(meter.outcome_faults.items())),
        },
        "retries": meter.retries,
        "relogins": meter.relogins,
        "outcomes": {o: meter.outcomes[o] for o in OUTCOMES},
        "audit": {
            "clean": checked.clean,
            "bookings": checked.bookings,
            "passengers": checked.passengers,
            "seat_counts": checked.seat_counts,
            "problems": checked.problems,
        },
    }


def format_report(data: dict[str, Any]) -> str:
    lines = [
        f"load: {data['agents']} agents for {data['duration_s']:g} s (seed {data['seed']})"
        f" against {data['url']}",
        f"  {data['journeys']} journeys ({data['journeys_failed']} failed), {data['calls']} calls"
        f" in {data['elapsed_s']:.1f} s: {data['throughput']['journeys_per_s']:.1f} journeys/s,"
        f" {data['throughput']['calls_per_s']:.1f} calls/s",
        "",
        f"{'operation':10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for op, s in data["operations"].items():
        lines.append(
            f"{op:10} {s['count']:6} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} {s['p99_ms']:8.1f}"
            f" {s['max_ms']:8.1f}"
        )
    faults = data["faults"]
    codes = sorted(set(faults["gave_up"]) | set(faults["absorbed"]))
    lines.append("")
    if codes:
        lines.append(f"{'fault':24} {'gave up':>8} {'absorbed':>9}")
        for code in codes:
            lines.append(
                f"{code:24} {faults['gave_up'].get(code, 0):8} {faults['absorbed'].get(code, 0):9}"
            )
    else:
        lines.append("faults: none")
    lines.append(f"retries: {data['retries']}  re-logins: {data['relogins']}")
    outcomes = data["outcomes"]
    lines.append(
        f"passengers: CNF {outcomes['CNF']}  RAC {outcomes['RAC']}  WL {outcomes['WL']};"
        f" bookings refused: REGRET {outcomes['REGRET']}"
        f"  NoConfirmedSeats {outcomes['NoConfirmedSeats']}"
    )
    checked = data["audit"]
    if checked["clean"]:
        lines.append(
            f"audit: clean ({checked['bookings']} bookings, {checked['passengers']} passengers"
            f" checked, seat counts of {checked['seat_counts']} classes)"
        )
    else:
        lines.append(f"audit: {len(checked['problems'])} problem(s)")
        lines.extend(f"  {problem}" for problem in checked["problems"])
    return "\n".join(lines)


def main_load(
    url: str,
    agents: int,
    duration: float,
    seed: int,
    ledger_dir: Path,
    as_json: bool,
    out: TextIO,
    progress: TextIO | None,
) -> int:
    """The ``load`` command: snapshot, load, audit, report. Exit 0 when the audit is clean and
    a journey completed, 1 when it is not, 2 for unusable arguments, 3 when the core can't be
    reached at all. Needs a fresh core (see the module doc) and a ledger directory of its own."""
    if agents < 1 or duration <= 0:
        print("error: load needs at least one agent and a positive duration", file=sys.stderr)
        return EXIT_USAGE
    if ledger_dir.exists() and ledger_files(ledger_dir):
        print(
            f"error: {ledger_dir} already holds worker ledgers of another run: use an empty"
            " directory",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        ledger_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: cannot create {ledger_dir}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        before = take_snapshot(url)
    except TransportError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except AgentError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    missing = [c.train for c in CORRIDORS if not before.journey_dates(c.train)]
    if missing:
        print(f"error: the core does not offer train(s) {', '.join(missing)}", file=sys.stderr)
        return EXIT_PROBLEM
    result = run_load(url, agents, duration, seed, ledger_dir, before, progress)
    checked = run_audit(url, ledger_dir, before)
    checked = AuditResult(
        result.meter.problems + checked.problems,
        checked.bookings,
        checked.passengers,
        checked.seat_counts,
    )
    data = report(result, checked, url)
    print(json.dumps(data, indent=2) if as_json else format_report(data), file=out)
    return EXIT_CLEAN if checked.clean and result.meter.journeys > 0 else EXIT_PROBLEM


__all__ = [
    "CORRIDORS",
    "PARTNERS",
    "AuditResult",
    "Corridor",
    "LoadResult",
    "Snapshot",
    "audit",
    "main_load",
    "run_audit",
    "run_load",
    "take_snapshot",
]
