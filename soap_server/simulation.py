"""Simulation profiles: the legacy system's bad days, reproducible.

A profile (a TOML file chosen with ``serve --profile FILE``) describes latency per operation,
rates of retryable ``Server.Unavailable`` faults and of lost responses (the work is committed,
then the connection is cut before the answer), extra maintenance windows, the session idle
timeout, per-agent rate limits, and the Tatkal rush: from the opening minute (10:00 for AC, 11:00
for non-AC classes, simulated time) latency and fault rates grow with the number of calls in
flight. Every random draw comes from a stream seeded by ``(seed, agent, operation)``, so the same
calls by the same agents meet the same fate in every run, whatever the interleaving between
agents.

A ``Simulation`` is a hook of the core's door (``railway.system.Hook``), injected where the app
is built: the door calls ``before`` and ``after`` around each operation, with the operation's
``key`` from the operations table (the names profiles use). ``after`` answers whether the
answer is to be lost; the door hands that back with the answer, and the HTTP layer cuts the
connection once the work is done. Its clocks are injected too: ``sleep`` for latency and
``monotonic`` (real seconds) for the rate limiter, so tests need no patching. Its counts live
in a ``Tally``: this process's, or the store's when several app hosts share a PostgreSQL
database (draws, calls in flight and the rate limiter then count across hosts).
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any, Protocol

from soap_server.railway.errors import RateLimited, Unavailable
from soap_server.railway.operations import OPERATIONS as TABLE

#: The operations a profile can name: their keys in the operations table.
OPERATIONS = tuple(operation.key for operation in TABLE)


class ProfileError(ValueError):
    """A profile file that can't be used; the message names the file and the key."""


@dataclass(frozen=True)
class Latency:
    """Added latency in milliseconds: lognormal by median and p95, or uniform min-max."""

    median_ms: float = 0.0
    p95_ms: float = 0.0
    min_ms: float = 0.0
    max_ms: float = 0.0

    def draw(self, rng: random.Random) -> float:
        if self.max_ms > 0:
            return rng.uniform(self.min_ms, self.max_ms)
        if self.median_ms <= 0:
            return 0.0
        sigma = math.log(max(self.p95_ms, self.median_ms) / self.median_ms) / 1.645
        return rng.lognormvariate(math.log(self.median_ms), sigma)


@dataclass(frozen=True)
class Rush:
    """The Tatkal rush: from each opening time, for ``minutes``, load makes things worse."""

    openings: tuple[dtime, ...] = (dtime(10, 0), dtime(11, 0))
    minutes: int = 15
    latency_ms_per_call_in_flight: float = 0.0
    fault_rate_per_call_in_flight: float = 0.0
    max_fault_rate: float = 0.5

    def active(self, now: datetime) -> bool:
        minute = now.hour * 60 + now.minute
        return any(
            0 <= minute - (opening.hour * 60 + opening.minute) < self.minutes
            for opening in self.openings
        )


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    seed: int = 0
    latency: dict[str, Latency] = field(default_factory=dict)
    fault_rate: dict[str, float] = field(default_factory=dict)
    lost_response_rate: dict[str, float] = field(default_factory=dict)
    #: Whether the settings' nightly window stays on; ``extra`` windows are added to it.
    nightly_maintenance: bool = True
    extra_maintenance: tuple[tuple[dtime, dtime], ...] = ()
    session_idle_minutes: int | None = None
    rate_limit_per_minute: int | None = None
    rush: Rush | None = None

    def summary(self) -> dict[str, Any]:
        """What is active, for logs and the health endpoint."""
        return {
            "name": self.name,
            "description": self.description,
            "seed": self.seed,
            "latency_ms": {
                op: {"median": lat.median_ms, "p95": lat.p95_ms}
                if lat.max_ms == 0
                else {"min": lat.min_ms, "max": lat.max_ms}
                for op, lat in sorted(self.latency.items())
            },
            "fault_rate": dict(sorted(self.fault_rate.items())),
            "lost_response_rate": dict(sorted(self.lost_response_rate.items())),
            "nightly_maintenance": self.nightly_maintenance,
            "extra_maintenance": [f"{a:%H:%M}-{b:%H:%M}" for a, b in self.extra_maintenance],
            "session_idle_minutes": self.session_idle_minutes,
            "rate_limit_per_minute": self.rate_limit_per_minute,
            "rush": None
            if self.rush is None
            else {
                "openings": [f"{t:%H:%M}" for t in self.rush.openings],
                "minutes": self.rush.minutes,
                "latency_ms_per_call_in_flight": self.rush.latency_ms_per_call_in_flight,
                "fault_rate_per_call_in_flight": self.rush.fault_rate_per_call_in_flight,
            },
        }


def _per_operation(table: Any, key: str, path: Path) -> dict[str, Any]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: [{key}] must be a table of operations")
    unknown = sorted(set(table) - set(OPERATIONS) - {"all"})
    if unknown:
        raise ProfileError(f"{path}: [{key}] has unknown operations {unknown}; use {OPERATIONS}")
    if "all" in table:
        common = table["all"]
        return {op: table.get(op, common) for op in OPERATIONS}
    return dict(table)


def _number(value: Any, where: str, path: Path, low: float = 0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"{path}: {where} must be a number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ProfileError(f"{path}: {where} must be {bound}, not {value!r}")
    return float(value)


def _whole(value: Any, where: str, path: Path, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ProfileError(
            f"{path}: {where} must be a whole number of at least {low}, not {value!r}"
        )
    return value


def _rate(value: Any, where: str, path: Path) -> float:
    return _number(value, where, path, 0, 1)


def _clock_time(value: Any, where: str, path: Path) -> dtime:
    try:
        return dtime.fromisoformat(str(value))
    except ValueError:
        raise ProfileError(f"{path}: {where} must be HH:MM, not {value!r}") from None


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"{path}: [{key}] must be a table, not {value!r}")
    return value


def _windows(value: Any, where: str, path: Path) -> tuple[tuple[dtime, dtime], ...]:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in value
    ):
        raise ProfileError(f"{path}: {where} must be a list of [start, end] pairs, not {value!r}")
    return tuple(
        (_clock_time(start, where, path), _clock_time(end, where, path)) for start, end in value
    )


def load_profile(path: Path) -> Profile:
    """Read and check a profile file; every mistake is a one-line ``ProfileError``."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ProfileError(f"cannot read profile {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: not valid TOML: {error}") from None
    latency = {}
    for op, table in _per_operation(data.get("latency"), "latency", path).items():
        if not isinstance(table, dict):
            raise ProfileError(f"{path}: latency.{op} must be a table")
        spec: dict[str, Any] = table
        median = _number(spec.get("median_ms", 0), f"latency.{op}.median_ms", path)
        latency[op] = Latency(
            median_ms=median,
            p95_ms=_number(spec.get("p95_ms", median), f"latency.{op}.p95_ms", path),
            min_ms=_number(spec.get("min_ms", 0), f"latency.{op}.min_ms", path),
            max_ms=_number(spec.get("max_ms", 0), f"latency.{op}.max_ms", path),
        )
    faults = {
        op: _rate(v, f"fault_rate.{op}", path)
        for op, v in _per_operation(data.get("fault_rate"), "fault_rate", path).items()
    }
    lost = {
        op: _rate(v, f"lost_response_rate.{op}", path)
        for op, v in _per_operation(
            data.get("lost_response_rate"), "lost_response_rate", path
        ).items()
    }
    maintenance = _table(data, "maintenance", path)
    unknown = sorted(set(maintenance) - {"extra", "nightly"})
    if unknown:
        raise ProfileError(f"{path}: [maintenance] has unknown keys {unknown}; use extra, nightly")
    nightly = maintenance.get("nightly", True)
    if not isinstance(nightly, bool):
        raise ProfileError(f"{path}: maintenance.nightly must be true or false")
    rush = None
    if "rush" in data:
        spec = _table(data, "rush", path)
        rush = Rush(
            openings=tuple(
                _clock_time(t, "rush.openings", path)
                for t in spec.get("openings", ["10:00", "11:00"])
            ),
            minutes=_whole(spec.get("minutes", 15), "rush.minutes", path, 1),
            latency_ms_per_call_in_flight=_number(
                spec.get("latency_ms_per_call_in_flight", 0),
                "rush.latency_ms_per_call_in_flight",
                path,
            ),
            fault_rate_per_call_in_flight=_rate(
                spec.get("fault_rate_per_call_in_flight", 0),
                "rush.fault_rate_per_call_in_flight",
                path,
            ),
            max_fault_rate=_rate(spec.get("max_fault_rate", 0.5), "rush.max_fault_rate", path),
        )
    sessions = _table(data, "sessions", path)
    limits = _table(data, "rate_limit", path)
    idle = sessions.get("idle_minutes")
    per_minute = limits.get("per_agent_per_minute")
    seed = data.get("seed", 0)
    return Profile(
        name=str(data.get("name", path.stem)),
        description=str(data.get("description", "")),
        seed=_whole(seed, "seed", path),
        latency=latency,
        fault_rate=faults,
        lost_response_rate=lost,
        nightly_maintenance=nightly,
        extra_maintenance=_windows(maintenance.get("extra", []), "maintenance.extra", path),
        session_idle_minutes=None
        if idle is None
        else _whole(idle, "sessions.idle_minutes", path, 1),
        rate_limit_per_minute=None
        if per_minute is None
        else _whole(per_minute, "rate_limit.per_agent_per_minute", path, 1),
        rush=rush,
    )


class Tally(Protocol):
    """Where a simulation keeps its counts: in this process (``LocalTally``), or in the store
    when several app hosts share one (the PostgreSQL store's ``tally()``), so that a profile
    behaves the same over one host or four."""

    def draw(self, agent: str, stream: str) -> int:
        """The number (from 1) of this draw among ``agent``'s draws in ``stream``."""
        ...

    def enter(self) -> int:
        """Count a call in flight; how many are in flight now, this one included."""
        ...

    def leave(self) -> None:
        """Count a call out again."""
        ...

    def admit(self, agent: str, limit: int, now: float) -> int | None:
        """Count ``agent``'s call at ``now`` (seconds) against ``limit`` calls a minute: None
        when it is admitted, else the whole seconds until one would be."""
        ...


class LocalTally:
    """The counts of one process (enough for one machine's SQLite, whose workers each have
    their own: a rate limit is then per worker process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._draws: dict[tuple[str, str], int] = {}
        self._calls: dict[str, deque[float]] = {}
        self.in_flight = 0

    def draw(self, agent: str, stream: str) -> int:
        with self._lock:
            n = self._draws[(agent, stream)] = self._draws.get((agent, stream), 0) + 1
            return n

    def enter(self) -> int:
        with self._lock:
            self.in_flight += 1
            return self.in_flight

    def leave(self) -> None:
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)

    def admit(self, agent: str, limit: int, now: float) -> int | None:
        with self._lock:
            calls = self._calls.setdefault(agent, deque())
            while calls and now - calls[0] > 60:
                calls.popleft()
            if len(calls) >= limit:
                return max(1, int(61 - (now - calls[0])))
            calls.append(now)
            return None


class Simulation:
    """The profile at work: draws, latency, faults, lost answers, rate limits, the rush.

    The n-th call of an agent to an operation meets the n-th draw of the stream seeded by
    (seed, agent, operation): a random number generator seeded by (seed, agent, operation, n).
    The counts (draws, calls in flight, the rate limiter's window) are kept by a ``Tally``.
    """

    def __init__(
        self,
        profile: Profile,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        tally: Tally | None = None,
    ) -> None:
        self.profile = profile
        self._sleep = sleep
        self._monotonic = monotonic
        self.tally: Tally = tally or LocalTally()

    @property
    def in_flight(self) -> int:
        """Calls in flight in this process (a shared tally answers for every host)."""
        return getattr(self.tally, "in_flight", 0)

    def _stream(self, agent: str, operation: str) -> random.Random:
        n = self.tally.draw(agent, operation)
        digest = hashlib.sha256(f"{self.profile.seed}:{agent}:{operation}:{n}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def before(self, operation: str, agent: str, now: datetime) -> None:
        """Before the core works: rate limit, latency, and maybe a retryable fault."""
        profile = self.profile
        rng = self._stream(agent, operation)
        fault_draw, latency = rng.random(), profile.latency.get(operation, Latency()).draw(rng)
        crowd = self.tally.enter()
        try:
            self._rate_limit(agent)
            fault_rate = profile.fault_rate.get(operation, 0.0)
            rush = profile.rush
            if rush is not None and rush.active(now):
                latency += rush.latency_ms_per_call_in_flight * crowd
                fault_rate = min(
                    rush.max_fault_rate, fault_rate + rush.fault_rate_per_call_in_flight * crowd
                )
            if latency > 0:
                self._sleep(latency / 1000)
            if fault_draw < fault_rate:
                raise Unavailable(
                    f"the reservation system is overloaded ({profile.name} profile): try again"
                )
        except BaseException:
            self.tally.leave()
            raise

    def after(self, operation: str, agent: str) -> bool:
        """After the core committed its work: whether the answer will never arrive."""
        self.tally.leave()
        rate = self.profile.lost_response_rate.get(operation, 0.0)
        if rate <= 0:
            return False
        return self._stream(agent, f"{operation}:lost").random() < rate

    def failed(self, operation: str, agent: str) -> None:
        self.tally.leave()

    def _rate_limit(self, agent: str) -> None:
        limit = self.profile.rate_limit_per_minute
        if limit is None:
            return
        wait = self.tally.admit(agent, limit, self._monotonic())
        if wait is not None:
            error = RateLimited(
                f"agent {agent} is over its limit of {limit} calls a minute; try again in {wait} s"
            )
            error.retry_after = wait
            raise error
