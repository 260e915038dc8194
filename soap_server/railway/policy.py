"""The rules of access a deployment chooses: sessions, login throttling, WS-Security freshness
and maintenance windows.

One frozen object, built where the configuration is read (``wsgi.create_app``) and handed to
the ``Railway``; the core never reads settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from soap_server.railway.errors import Maintenance

#: The nightly window of the legacy system (IST), during which every call gets a retryable fault.
NIGHTLY = (time(23, 45), time(0, 20))


@dataclass(frozen=True)
class Policy:
    """How long sessions live, how often an address may fail to log in, how fresh a WS-Security
    UsernameToken must be, and when the core is closed for maintenance."""

    session_idle: timedelta = timedelta(minutes=15)
    #: Failed logins for one agent id from one address within ``login_throttle`` before that
    #: address must pause for ``login_throttle`` (throttling by source, never a lock).
    login_failures_allowed: int = 5
    login_throttle: timedelta = timedelta(minutes=15)
    #: How old a UsernameToken's Created may be, and how far ahead of the core's clock.
    wsse_max_age: timedelta = timedelta(seconds=300)
    wsse_future_skew: timedelta = timedelta(seconds=60)
    #: (start, end) in IST; a window may span midnight.
    maintenance: tuple[tuple[time, time], ...] = (NIGHTLY,)

    def window_at(self, now: datetime) -> tuple[time, time] | None:
        """The maintenance window ``now`` falls in, if any."""
        moment = now.timetz().replace(tzinfo=None)
        for start, end in self.maintenance:
            if _within(moment, start, end):
                return start, end
        return None

    def check_open(self, now: datetime) -> None:
        """Raise Maintenance inside a maintenance window."""
        window = self.window_at(now)
        if window is not None:
            start, end = window
            raise Maintenance(
                f"the reservation system is in its maintenance window"
                f" {start:%H:%M}-{end:%H:%M} IST; it is back at {end:%H:%M} IST"
            )

    def maintenance_ends(self, now: datetime) -> datetime | None:
        """When the window ``now`` falls in ends, if it falls in one."""
        window = self.window_at(now)
        if window is None:
            return None
        back = datetime.combine(now.date(), window[1], now.tzinfo)
        return back if back > now else back + timedelta(days=1)


def _within(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end
