"""The travel agent against the core in-process: sessions, retries, faults, ledger, trace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from soap_client import irctc_client as wire
from soap_client.agent import TravelAgent
from soap_client.errors import (
    AuthenticationError,
    ClientFault,
    ServerFault,
    SessionError,
    TransportError,
)
from soap_client.ledger import Ledger
from soap_client.models import Passenger
from soap_client.trace import Exchange
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.system import Railway
from soap_server.wsgi import CoreApp
from tests.conftest import JOURNEY, PASSWORDS
from tests.support import TracingWsgiTransport

URL = "http://core.invalid/soap"  # never dialled: the transport is in-process
COUPLE = [Passenger("Ravi Kumar", 34, "M"), Passenger("Anita Kumar", 31, "F", "UB")]


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    @property
    def operations(self) -> list[str]:
        return [e.operation for e in self.exchanges]


_LEDGERS: list[Ledger] = []


@pytest.fixture(autouse=True)
def _close_ledgers() -> Iterator[None]:
    """Close the ledgers ``make_agent`` opened during the test."""
    yield
    while _LEDGERS:
        _LEDGERS.pop().close()


def make_agent(
    app: CoreApp,
    tmp_path: Path,
    recorder: Recorder | None = None,
    agent: str = "MMT",
    transport: TracingWsgiTransport | None = None,
    **kwargs: Any,
) -> TravelAgent:
    ledger = Ledger(tmp_path / f"ledger-{agent}.sqlite3")
    _LEDGERS.append(ledger)
    return TravelAgent(
        URL,
        agent,
        PASSWORDS[agent],
        ledger=ledger,
        transport=transport or TracingWsgiTransport(app),
        trace=recorder,
        sleep=lambda _: None,
        **kwargs,
    )


def book_couple(agent: TravelAgent, reference: str | None = None) -> Any:
    return agent.book("12952", JOURNEY, "NDLS", "MMCT", "3A", COUPLE, reference=reference)


def test_login_is_lazy_and_logout_on_close(app: CoreApp, tmp_path: Path) -> None:
    recorder = Recorder()
    with make_agent(app, tmp_path, recorder) as agent:
        assert recorder.operations == []
        offers = agent.search("NDLS", "BCT", JOURNEY)
        assert agent.logged_in
    assert recorder.operations == ["Login", "SearchTrain", "Logout"]
    assert {o.number for o in offers} >= {"12952"}
    assert all(o.destination == "MMCT" for o in offers)
    assert not agent.logged_in


def test_expired_session_is_renewed_once_and_transparently(
    app: CoreApp, clock: FixedClock, tmp_path: Path
) -> None:
    recorder = Recorder()
    with make_agent(app, tmp_path, recorder) as agent:
        booking = book_couple(agent)
        clock.advance(timedelta(minutes=16))  # past the 15 idle minutes
        status = agent.pnr_status(booking.pnr)
    assert status.pnr == booking.pnr
    assert recorder.operations == [
        "Login",
        "Book",
        "GetPnrStatus",
        "Login",
        "GetPnrStatus",
        "Logout",
    ]


def test_a_session_that_cannot_be_renewed_fails_clearly(app: CoreApp, tmp_path: Path) -> None:
    recorder = Recorder()
    agent = make_agent(app, tmp_path, recorder)

    def always_expired(**_: Any) -> Any:
        error = wire.ReservationFaultError("soap11env:Client.SessionExpired", "gone")
        error.detail = wire.ReservationFault(code="SessionExpired", message="gone", retryable=False)
        raise error

    # Fault injection at the generated client's seam: every status check says "expired".
    agent._client.get_pnr_status = always_expired  # type: ignore[method-assign]  # noqa: SLF001
    with pytest.raises(SessionError) as raised:
        agent.pnr_status("1234567890")
    assert raised.value.code == "SessionExpired"
    assert recorder.operations == ["Login", "Login"]  # one renewal, then it gives up


def test_client_faults_are_typed_and_not_retried(app: CoreApp, tmp_path: Path) -> None:
    recorder = Recorder()
    with make_agent(app, tmp_path, recorder) as agent:
        with pytest.raises(ClientFault) as raised:
            agent.search("NDLS", "XXXX", JOURNEY)
        assert raised.value.code == "UnknownStation"
        assert raised.value.faultcode == "Client.UnknownStation"
        assert raised.value.retryable is False
        assert "XXXX" in raised.value.message
    assert recorder.operations.count("SearchTrain") == 1


def test_wrong_password_is_an_authentication_error(app: CoreApp, tmp_path: Path) -> None:
    agent = TravelAgent(URL, "MMT", "not-the-password", transport=TracingWsgiTransport(app))
    with pytest.raises(AuthenticationError) as raised:
        agent.search("NDLS", "MMCT", JOURNEY)
    assert raised.value.code == "AuthenticationFailed"


def test_server_faults_are_retried_with_backoff(
    app: CoreApp, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(datetime(2025, 11, 20, 23, 50, tzinfo=IST))  # nightly maintenance
    delays: list[float] = []

    def wait(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:
            clock.set(datetime(2025, 11, 21, 0, 25, tzinfo=IST))  # the window is over

    recorder = Recorder()
    agent = TravelAgent(
        URL,
        "MMT",
        PASSWORDS["MMT"],
        transport=TracingWsgiTransport(app),
        trace=recorder,
        sleep=wait,
        backoff=0.5,
        retries=3,
    )
    clock.set(datetime(2025, 11, 20, 23, 40, tzinfo=IST))
    agent.login()
    clock.set(datetime(2025, 11, 20, 23, 50, tzinfo=IST))
    offers = agent.search("NDLS", "MMCT", JOURNEY)
    assert offers
    # Two Maintenance faults; after the window the session has been idle for over 15 minutes,
    # so the third try gets SessionExpired and the agent logs in again, once, transparently.
    assert recorder.operations == [
        "Login",
        "SearchTrain",
        "SearchTrain",
        "SearchTrain",
        "Login",
        "SearchTrain",
    ]
    assert len(delays) == 2 and 0.5 <= delays[0] <= 0.75 and 1.0 <= delays[1] <= 1.5


def test_server_faults_give_up_after_the_retries(
    app: CoreApp, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(datetime(2025, 11, 20, 23, 40, tzinfo=IST))
    recorder = Recorder()
    agent = make_agent(app, tmp_path, recorder, retries=2)
    agent.login()
    clock.set(datetime(2025, 11, 20, 23, 50, tzinfo=IST))
    with pytest.raises(ServerFault) as raised:
        book_couple(agent, reference="MMT-maintenance-1")
    assert raised.value.code == "Maintenance" and raised.value.retryable
    assert recorder.operations.count("Book") == 3
    assert agent.ledger is not None
    entry = agent.ledger.get("MMT-maintenance-1")
    assert (
        entry is not None and entry.state == "PENDING" and "Maintenance" in (entry.last_error or "")
    )


class DroppingTransport(TracingWsgiTransport):
    """Delivers requests to the core, but loses the answers to the first ``drops`` Books."""

    def __init__(self, app: CoreApp, drops: int, error: type[Exception]) -> None:
        super().__init__(app)
        self.drops = drops
        self.error = error

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        response = super().post(address, message, headers)
        if self.drops and b"Book>" in message:
            self.drops -= 1
            raise self.error("the answer was lost after the core committed")
        return response


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(requests.ConnectionError, id="reset"),
        pytest.param(requests.ReadTimeout, id="timeout"),
    ],
)
def test_lost_answers_are_retried_with_the_same_reference(
    app: CoreApp, railway: Railway, tmp_path: Path, error: type[Exception]
) -> None:
    transport = DroppingTransport(app, drops=2, error=error)
    recorder = Recorder()
    with make_agent(app, tmp_path, recorder, transport=transport) as agent:
        booking = book_couple(agent)
        assert agent.ledger is not None
        entries = agent.ledger.entries()
    assert recorder.operations.count("Book") == 3
    references = {
        e.request.split(b"ClientReference>")[1] for e in recorder.exchanges if e.operation == "Book"
    }
    assert len(references) == 1  # the same reference every time
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1 and tx.count("passengers") == 2
    assert [(e.state, e.pnr) for e in entries] == [("BOOKED", booking.pnr)]


def test_cancel_is_not_blindly_retried_after_a_lost_answer(app: CoreApp, tmp_path: Path) -> None:
    class LosingCancel(TracingWsgiTransport):
        def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
            response = super().post(address, message, headers)
            if b"CancelBooking>" in message:
                raise requests.ConnectionError("lost")
            return response

    with make_agent(app, tmp_path, transport=LosingCancel(app)) as agent:
        booking = book_couple(agent)
        with pytest.raises(TransportError):
            agent.cancel(booking.pnr, [1])
        # The core did cancel; the PNR tells the truth.
        assert agent.pnr_status(booking.pnr).passengers[0].current_status == "CAN"


def test_ledger_is_written_before_and_after_and_sync_reconciles(
    app: CoreApp, railway: Railway, tmp_path: Path
) -> None:
    # First run: the answer is lost every time, the agent gives up; the ledger keeps PENDING.
    transport = DroppingTransport(app, drops=10, error=requests.ConnectionError)
    with make_agent(app, tmp_path, transport=transport, retries=1) as agent:
        with pytest.raises(TransportError):
            book_couple(agent, reference="MMT-crash-0001")
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1  # the core had booked it
    # A later run (a new process, same ledger file) reconciles.
    with make_agent(app, tmp_path) as agent:
        assert agent.ledger is not None
        assert [e.state for e in agent.ledger.entries()] == ["PENDING"]
        synced = agent.sync()
        entries = agent.ledger.entries()
    assert [(e.state, e.reference, e.pnr) for e in entries] == [
        ("BOOKED", "MMT-crash-0001", synced[0].pnr)
    ]
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1  # reconciled, not re-booked


def test_sync_refreshes_statuses(app: CoreApp, railway: Railway, tmp_path: Path) -> None:
    with make_agent(app, tmp_path) as agent:
        booking = book_couple(agent)
    # Someone cancels passenger 2 directly (e.g. at a counter, via another client).
    railway.cancel(railway.login("MMT", PASSWORDS["MMT"]).token, booking.pnr, [2])
    with make_agent(app, tmp_path) as agent:
        agent.sync()
        assert agent.ledger is not None
        (entry,) = agent.ledger.entries()
    assert entry.statuses[1] == "CAN" and entry.statuses[0].startswith("CNF/")


def test_client_fault_marks_the_ledger_failed(app: CoreApp, tmp_path: Path) -> None:
    with make_agent(app, tmp_path) as agent:
        with pytest.raises(ClientFault):
            agent.book("12952", JOURNEY, "NDLS", "MMCT", "CC", COUPLE, reference="MMT-bad-1")
        assert agent.ledger is not None
        entry = agent.ledger.get("MMT-bad-1")
    assert (
        entry is not None
        and entry.state == "FAILED"
        and "ClassNotOnTrain" in (entry.last_error or "")
    )


def test_trace_hook_sees_every_envelope_with_status_and_timing(
    app: CoreApp, tmp_path: Path
) -> None:
    recorder = Recorder()
    with make_agent(app, tmp_path, recorder) as agent:
        with pytest.raises(ClientFault):
            agent.pnr_status("1234567890")
    statuses = [(e.operation, e.status) for e in recorder.exchanges]
    assert statuses == [("Login", 200), ("GetPnrStatus", 500), ("Logout", 200)]
    assert all(e.elapsed_ms > 0 and e.request.startswith(b"<") for e in recorder.exchanges)
    assert b"PnrNotFound" in recorder.exchanges[1].response


def test_unreachable_core_is_a_transport_error(tmp_path: Path) -> None:
    agent = TravelAgent("http://127.0.0.1:9/soap", "MMT", "x", retries=0, connect_timeout=1)
    with pytest.raises(TransportError) as raised:
        agent.login()
    assert raised.value.retryable and "connection" in raised.value.message


@pytest.mark.parametrize("mode", ["digest", "text"])
def test_a_wsse_agent_authenticates_every_call_and_never_logs_in(tmp_path: Path, mode: str) -> None:
    """``wsse=`` puts zeep's own UsernameToken on every call (zeep stamps Created with the real
    clock, so the core runs on one too); there is no Login and no Logout. The nightly
    maintenance window is off: on the real time of day the calls would be refused in it."""
    from soap_server.settings import Settings
    from soap_server.wsgi import create_app

    now = datetime.now(IST).replace(microsecond=0)
    settings = Settings(
        db_path=tmp_path / "core.sqlite3",
        clock=FixedClock(now),
        maintenance_start=None,
        maintenance_end=None,
    )
    app = create_app(settings)
    recorder = Recorder()
    try:
        with make_agent(app, tmp_path, recorder, wsse=mode) as agent:  # type: ignore[arg-type]
            journey = (now + timedelta(days=10)).date()
            assert {o.number for o in agent.search("NDLS", "BCT", journey)} >= {"12952"}
            booked = agent.book("12952", journey, "NDLS", "MMCT", "3A", COUPLE)
            assert agent.pnr_status(booked.pnr).pnr == booked.pnr
            assert not agent.logged_in
        assert recorder.operations == ["SearchTrain", "Book", "GetPnrStatus"]
        for exchange in recorder.exchanges:
            request = exchange.request.decode()
            assert "wsse:Security" in request or ":Security" in request
            assert ("PasswordDigest" in request) == (mode == "digest")
            assert "SessionHeader" not in request
    finally:
        app.close()
