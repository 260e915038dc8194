"""The reservation core as one object: every operation a facade can call, behind one door.

``Railway`` checks the maintenance window, authenticates the session and then hands the call to
the agent desk or the booking office. Facades (SOAP today, REST and plain XML later) call only
this class.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from soap_server.railway.agents import AgentDesk, Session, seed_rows
from soap_server.railway.booking import (
    BookingOffice,
    BookingRequest,
    BookingView,
    CancellationView,
    TrainOption,
)
from soap_server.railway.catalog import Catalog, load_catalog
from soap_server.railway.errors import Maintenance
from soap_server.settings import Settings
from soap_server.simulation import Simulation
from soap_server.storage import Database

T = TypeVar("T")


class Railway:
    """Login, Logout, SearchTrain, Book, GetPnrStatus and CancelBooking on one database."""

    def __init__(self, settings: Settings, catalog: Catalog | None = None) -> None:
        self.settings = settings
        self.clock = settings.clock
        self.catalog = catalog or load_catalog()
        self.db = Database(settings.db_path, settings.db_busy_timeout_ms)
        self.db.initialise(seed_rows(settings.password_hashing))
        profile = settings.profile
        self.simulation = Simulation(profile) if profile is not None else None
        idle = settings.session_idle_minutes
        if profile is not None and profile.session_idle_minutes is not None:
            idle = profile.session_idle_minutes
        self.agents = AgentDesk(
            self.db,
            self.clock,
            idle_timeout=timedelta(minutes=idle),
            max_failed_logins=settings.max_failed_logins,
            lockout=timedelta(minutes=settings.lockout_minutes),
        )
        self.office = BookingOffice(self.catalog, self.db, self.clock)

    def close(self) -> None:
        self.db.close()

    # -- the operations ---------------------------------------------------------------------------
    def login(self, agent: str, password: str) -> Session:
        self.check_open()
        return self._simulated(
            "login", agent.strip().upper(), lambda: self.agents.login(agent, password)
        )

    def logout(self, token: str | None) -> None:
        self.check_open()
        agent = self.agents.authenticate(token)
        self._simulated("logout", agent, lambda: self.agents.logout(token))

    def search(
        self,
        token: str | None,
        source: str,
        destination: str,
        journey_date: date,
        class_code: str | None = None,
        quota: str = "GN",
    ) -> list[TrainOption]:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self._simulated(
            "search",
            agent,
            lambda: self.office.search(source, destination, journey_date, class_code, quota),
        )

    def book(self, token: str | None, request: BookingRequest) -> BookingView:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self._simulated("book", agent, lambda: self.office.book(agent, request))

    def pnr_status(self, token: str | None, pnr: str) -> BookingView:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self._simulated("pnr_status", agent, lambda: self.office.status(agent, pnr))

    def cancel(self, token: str | None, pnr: str, numbers: list[int] | None) -> CancellationView:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self._simulated("cancel", agent, lambda: self.office.cancel(agent, pnr, numbers))

    def _simulated(self, operation: str, agent: str, work: Callable[[], T]) -> T:
        """Run ``work`` inside the simulation profile's latency, faults and lost answers."""
        simulation = self.simulation
        if simulation is None:
            return work()
        simulation.before(operation, agent, self.clock.now())
        try:
            result = work()
        except BaseException:
            simulation.failed()
            raise
        simulation.after(operation, agent)
        return result

    # -- the maintenance window -------------------------------------------------------------------
    def maintenance_windows(self) -> tuple[tuple[time, time], ...]:
        """The nightly window (unless disabled) and a profile's extra windows."""
        profile = self.settings.profile
        start, end = self.settings.maintenance_start, self.settings.maintenance_end
        nightly = start is not None and end is not None
        if profile is not None and not profile.nightly_maintenance:
            nightly = False
        windows = ((start, end),) if nightly and start is not None and end is not None else ()
        return windows + (profile.extra_maintenance if profile is not None else ())

    def check_open(self) -> None:
        """Raise Maintenance inside a maintenance window (which may span midnight)."""
        now = self.clock.now()
        for start, end in self.maintenance_windows():
            if _within(now.timetz().replace(tzinfo=None), start, end):
                raise Maintenance(
                    f"the reservation system is in its maintenance window"
                    f" {start:%H:%M}-{end:%H:%M} IST; it is back at {end:%H:%M} IST"
                )

    def maintenance_ends(self) -> datetime | None:
        """When the current maintenance window ends, if the core is in one."""
        now = self.clock.now()
        for start, end in self.maintenance_windows():
            if _within(now.timetz().replace(tzinfo=None), start, end):
                back = datetime.combine(now.date(), end, now.tzinfo)
                return back if back > now else back + timedelta(days=1)
        return None


def _within(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end
