"""Injectable clocks: real time, a fixed instant, or simulated time running from a start point.

All railway times are Indian Standard Time. The core never calls ``datetime.now()`` itself: it
asks the clock it was given, so that tests, samples and replays are deterministic.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import datetime, timedelta, timezone
from typing import Protocol

IST = timezone(timedelta(hours=5, minutes=30), "IST")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in IST."""
        ...


class SystemClock:
    """Real wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(IST)

    def __repr__(self) -> str:
        return "real"


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._at += delta

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = _aware(at)

    def __repr__(self) -> str:
        return f"fixed:{self._at.isoformat()}"


class OffsetClock:
    """Simulated time that starts at a given instant and then runs at real speed."""

    def __init__(self, start: datetime) -> None:
        self._start = _aware(start)
        self._t0 = _time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=_time.monotonic() - self._t0)

    def __repr__(self) -> str:
        return f"offset:{self._start.isoformat()}"


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=IST) if at.tzinfo is None else at.astimezone(IST)


def parse_clock(spec: str) -> Clock:
    """Build a clock from ``real``, ``fixed:ISO-DATETIME`` or ``offset:ISO-DATETIME``.

    Datetimes without an offset are read as IST. Raises ``ValueError`` with a readable message.
    """
    kind, _, value = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "real" and not value:
        return SystemClock()
    if kind in ("fixed", "offset") and value:
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not an ISO date-time: {value!r}") from None
        return FixedClock(at) if kind == "fixed" else OffsetClock(at)
    raise ValueError(
        f"unknown clock {spec!r}: use 'real', 'fixed:2025-11-20T09:00' or 'offset:2025-11-20T09:00'"
    )
