"""The reservation core as one object: every operation a facade can call, behind one door.

``Railway`` checks the maintenance window, authenticates the session and then hands the call to
the agent desk or the booking office. Facades (SOAP today, REST and plain XML later) call only
this class.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

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
from soap_server.storage import Database


class Railway:
    """Login, Logout, SearchTrain, Book, GetPnrStatus and CancelBooking on one database."""

    def __init__(self, settings: Settings, catalog: Catalog | None = None) -> None:
        self.settings = settings
        self.clock = settings.clock
        self.catalog = catalog or load_catalog()
        self.db = Database(settings.db_path, settings.db_busy_timeout_ms)
        self.db.initialise(seed_rows())
        self.agents = AgentDesk(
            self.db,
            self.clock,
            idle_timeout=timedelta(minutes=settings.session_idle_minutes),
            max_failed_logins=settings.max_failed_logins,
            lockout=timedelta(minutes=settings.lockout_minutes),
        )
        self.office = BookingOffice(self.catalog, self.db, self.clock)

    def close(self) -> None:
        self.db.close()

    # -- the operations ---------------------------------------------------------------------------
    def login(self, agent: str, password: str) -> Session:
        self.check_open()
        return self.agents.login(agent, password)

    def logout(self, token: str | None) -> None:
        self.check_open()
        self.agents.logout(token)

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
        self.agents.authenticate(token)
        return self.office.search(source, destination, journey_date, class_code, quota)

    def book(self, token: str | None, request: BookingRequest) -> BookingView:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self.office.book(agent, request)

    def pnr_status(self, token: str | None, pnr: str) -> BookingView:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self.office.status(agent, pnr)

    def cancel(self, token: str | None, pnr: str, numbers: list[int] | None) -> CancellationView:
        self.check_open()
        agent = self.agents.authenticate(token)
        return self.office.cancel(agent, pnr, numbers)

    # -- the maintenance window -------------------------------------------------------------------
    def check_open(self) -> None:
        """Raise Maintenance inside the nightly window (which may span midnight)."""
        start, end = self.settings.maintenance_start, self.settings.maintenance_end
        if start is None or end is None:
            return
        now = self.clock.now()
        if _within(now.timetz().replace(tzinfo=None), start, end):
            back = datetime.combine(now.date(), end, now.tzinfo)
            if back <= now:
                back += timedelta(days=1)
            raise Maintenance(
                f"the reservation system is in its nightly maintenance window"
                f" {start:%H:%M}-{end:%H:%M} IST; it is back at {back:%H:%M} IST"
            )


def _within(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end
