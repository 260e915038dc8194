"""The travel agent against a core running a simulation profile: overload faults, answers lost
after the core committed, session expiry, maintenance windows and rate limits. Whatever the
profile does, nothing is lost and nothing is booked twice; what the agent gives up on, it says
in one line. A Book the core may have taken stays PENDING in the ledger until ``sync``."""

from __future__ import annotations

import functools
import io
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest

import soap_client.__main__ as cli_module
from soap_client.agent import TravelAgent
from soap_client.errors import ClientFault, ServerFault, SessionError, TransportError
from soap_client.ledger import Ledger
from soap_client.models import Booking, Passenger
from soap_client.trace import Exchange
from soap_server.railway.clock import FixedClock
from soap_server.settings import Settings
from soap_server.simulation import Profile
from soap_server.wsgi import CoreApp, create_app
from tests.conftest import JOURNEY, NOW, PASSWORDS
from tests.support import TracingWsgiTransport, serving

ROOT = Path(__file__).resolve().parents[2]
IN_PROCESS = "http://core.invalid/soap"  # never dialled: the transport is in-process
COUPLE = [Passenger("Ravi Kumar", 34, "M"), Passenger("Anita Kumar", 31, "F", "UB")]
NIGHTLY = (dtime(23, 45), dtime(0, 20))
LUNCH = (dtime(13, 0), dtime(13, 5))


def at(hour: int, minute: int) -> datetime:
    return NOW.replace(hour=hour, minute=minute)


# -- plumbing ------------------------------------------------------------------------------------


class Recorder:
    """A trace hook keeping every exchange."""

    def __init__(self, then: Callable[[Exchange], None] | None = None) -> None:
        self.exchanges: list[Exchange] = []
        self._then = then

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        if self._then is not None:
            self._then(exchange)

    @property
    def operations(self) -> list[str]:
        return [e.operation for e in self.exchanges]

    def of(self, operation: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.operation == operation]


def reference_of(exchange: Exchange) -> str:
    found = re.search(rb"ClientReference>([^<]+)<", exchange.request)
    assert found, exchange.request[:800]
    return found.group(1).decode()


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., CoreApp]]:
    """Apps on the test's database and clock, with a profile or none; closed at the end."""
    apps: list[CoreApp] = []

    def build(profile: Profile | None) -> CoreApp:
        app = create_app(replace(settings, profile=profile))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    book = Ledger(tmp_path / "ledger-MMT.sqlite3")
    yield book
    book.close()


@pytest.fixture
def agents() -> Iterator[Callable[..., TravelAgent]]:
    """Travel agents for MMT, over HTTP to ``url`` or in-process to ``app``; closed at the end.
    They never really sleep: pass ``sleep`` to record or to move the clock."""
    made: list[TravelAgent] = []

    def build(*, url: str = IN_PROCESS, app: CoreApp | None = None, **kwargs: Any) -> TravelAgent:
        kwargs.setdefault("sleep", lambda _: None)
        transport = TracingWsgiTransport(app) if app is not None else None
        agent = TravelAgent(url, "MMT", PASSWORDS["MMT"], transport=transport, **kwargs)
        made.append(agent)
        return agent

    yield build
    for agent in made:
        agent.close()
        agent.transport.session.close()


def core_bookings(settings: Settings) -> dict[str, str]:
    """Client reference -> PNR of every booking in the core's database."""
    connection = sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT client_reference, pnr FROM bookings").fetchall()
    finally:
        connection.close()
    references = [reference for reference, _ in rows]
    assert len(references) == len(set(references)), rows  # never two bookings for a reference
    return dict(rows)


def ledger_pnrs(ledger: Ledger) -> dict[str, str]:
    """Client reference -> PNR of every BOOKED ledger entry; each PNR appears once."""
    booked = {e.reference: e.pnr for e in ledger.entries("BOOKED") if e.pnr is not None}
    assert len(set(booked.values())) == len(booked), booked
    return booked


def book(agent: TravelAgent, reference: str, passengers: list[Passenger] | None = None) -> Booking:
    return agent.book(
        "12952", JOURNEY, "NDLS", "MMCT", "3A", passengers or COUPLE[:1], reference=reference
    )


# -- Server.Unavailable --------------------------------------------------------------------------

#: With seed 26 and a 50 % fault rate, MMT's ten Books (four attempts each at most) include
#: first-time successes, successes after retries and two that exhaust every retry.
OVERLOADED = Profile(name="overloaded", seed=26, fault_rate={"book": 0.5})


def test_overload_faults_are_retried_and_nothing_is_lost_or_doubled(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    recorder = Recorder()
    slept: list[float] = []
    agent = agents(
        app=make_app(OVERLOADED), ledger=ledger, trace=recorder, sleep=slept.append, retries=3
    )
    booked: dict[str, str] = {}
    gave_up: list[str] = []
    for i in range(10):
        reference = f"MMT-overload-{i:02d}"
        try:
            booked[reference] = book(agent, reference).pnr
        except ServerFault as fault:
            assert (fault.faultcode, fault.code, fault.retryable) == (
                "Server.Unavailable",
                "Unavailable",
                True,
            )
            gave_up.append(reference)

    attempts: dict[str, int] = {}
    for exchange in recorder.of("Book"):
        reference = reference_of(exchange)
        attempts[reference] = attempts.get(reference, 0) + 1
    assert set(attempts) == set(booked) | set(gave_up)
    assert all(attempts[reference] == 4 for reference in gave_up)  # 1 + 3 retries, then stop
    assert all(1 <= attempts[reference] <= 4 for reference in booked)
    assert booked and gave_up and any(attempts[r] > 1 for r in booked)  # the seed's mix
    assert len(slept) == sum(n - 1 for n in attempts.values())  # one backoff before each retry
    assert recorder.operations.count("Login") == 1

    # Each success is exactly one booking in the core; the given-up ones booked nothing.
    assert core_bookings(settings) == booked
    assert ledger_pnrs(ledger) == booked
    assert sorted(e.reference for e in ledger.entries("PENDING")) == sorted(gave_up)

    # Later, the core is healthy again (same database, no profile): sync books the pending ones.
    later = agents(app=make_app(None), ledger=ledger)
    synced = later.sync()
    assert ledger.entries("PENDING") == []
    everything = core_bookings(settings)
    assert len(everything) == 10 and ledger_pnrs(ledger) == everything
    assert sorted(b.pnr for b in synced) == sorted(everything.values())  # each booking once
    again = later.sync()  # and a second sync doubles nothing
    assert core_bookings(settings) == everything and ledger_pnrs(ledger) == everything
    assert sorted(b.pnr for b in again) == sorted(everything.values())


def test_the_backoff_grows_between_retries(
    make_app: Callable[..., CoreApp], agents: Callable[..., TravelAgent], ledger: Ledger
) -> None:
    slept: list[float] = []
    always = Profile(name="down", seed=1, fault_rate={"book": 1.0})
    agent = agents(app=make_app(always), ledger=ledger, sleep=slept.append, retries=3, backoff=0.5)
    with pytest.raises(ServerFault) as raised:
        book(agent, "MMT-down-1")
    assert raised.value.code == "Unavailable"
    assert len(slept) == 3
    for seconds, base in zip(slept, (0.5, 1.0, 2.0), strict=True):
        assert base <= seconds <= base * 1.5  # exponential, with up to 50 % jitter


# -- lost answers --------------------------------------------------------------------------------


def test_every_book_answer_lost_over_http_books_once_and_sync_recovers(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    lossy = make_app(Profile(name="lossy", seed=1, lost_response_rate={"book": 1.0}))
    recorder = Recorder()
    with serving(lossy) as url:
        agent = agents(url=url, ledger=ledger, trace=recorder, retries=2)
        with pytest.raises(TransportError) as raised:
            book(agent, "MMT-lost-all", COUPLE)
    assert raised.value.retryable
    books = recorder.of("Book")
    assert len(books) == 3  # 1 + 2 retries, every one cut after the core had answered
    assert all(e.status is None and e.error for e in books), books
    assert {reference_of(e) for e in books} == {"MMT-lost-all"}
    committed = core_bookings(settings)
    assert list(committed) == ["MMT-lost-all"]  # the core committed once, not three times
    assert [e.reference for e in ledger.entries("PENDING")] == ["MMT-lost-all"]

    with serving(make_app(None)) as url:  # the answers get through again
        synced = agents(url=url, ledger=ledger).sync()
    assert [b.pnr for b in synced] == [committed["MMT-lost-all"]]  # once, not once per state
    assert ledger_pnrs(ledger) == committed == core_bookings(settings)
    assert len(synced[0].passengers) == 2


def test_some_book_answers_lost_over_http_each_reference_booked_once(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    # Seed 8 loses half of MMT's Book answers (8 of 16) but never four in a row.
    lossy = make_app(Profile(name="lossy", seed=8, lost_response_rate={"book": 0.5}))
    recorder = Recorder()
    with serving(lossy) as url:
        agent = agents(url=url, ledger=ledger, trace=recorder, retries=3)
        pnrs = {f"MMT-lossy-{i}": book(agent, f"MMT-lossy-{i}").pnr for i in range(8)}
    books = recorder.of("Book")
    lost = [e for e in books if e.status is None]
    assert len(lost) >= 4 and len(books) == 8 + len(lost)  # every lost answer was resent once
    for exchange in lost:
        # the agent resent the very same reference right after the cut
        following = books[books.index(exchange) + 1]
        assert reference_of(following) == reference_of(exchange)
    assert core_bookings(settings) == pnrs
    assert ledger_pnrs(ledger) == pnrs
    assert ledger.entries("PENDING") == []


def test_a_lost_cancel_answer_is_not_resent_and_refunds_once(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    lossy = make_app(Profile(name="lossy", seed=1, lost_response_rate={"cancel": 1.0}))
    recorder = Recorder()
    slept: list[float] = []
    with serving(lossy) as url:
        agent = agents(url=url, ledger=ledger, trace=recorder, sleep=slept.append)
        pnr = book(agent, "MMT-cancel-lost", COUPLE).pnr
        with pytest.raises(TransportError):
            agent.cancel(pnr)
        assert len(recorder.of("CancelBooking")) == 1 and slept == []  # not resent
        status = agent.pnr_status(pnr)  # the agent checks the PNR instead
    assert [p.current_status for p in status.passengers] == ["CAN", "CAN"]
    refunds = [p.refund for p in status.passengers]
    assert all(r is not None and r > 0 for r in refunds)
    assert status.total_refund == sum(r for r in refunds if r is not None)
    entry = ledger.get("MMT-cancel-lost")
    assert entry is not None and entry.statuses == ["CAN", "CAN"]  # the ledger caught up

    # The same booking cancelled once on a healthy core refunds exactly the same amount.
    with serving(make_app(None)) as url:
        plain = agents(url=url, ledger=ledger)
        twin = book(plain, "MMT-cancel-twin", COUPLE).pnr
        assert plain.cancel(twin).refund == status.total_refund
        with pytest.raises(ClientFault) as again:  # and the lost one cannot be refunded twice
            plain.cancel(pnr)
        assert again.value.code == "AlreadyCancelled"
        assert plain.pnr_status(pnr).total_refund == status.total_refund
    assert len(core_bookings(settings)) == 2


# -- sessions ------------------------------------------------------------------------------------

SHORT_SESSIONS = Profile(name="short", seed=1, session_idle_minutes=5)


def test_an_expired_session_is_renewed_once_transparently(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    recorder = Recorder()
    agent = agents(app=make_app(SHORT_SESSIONS), ledger=ledger, trace=recorder)
    assert agent.search("NDLS", "MMCT", JOURNEY)
    clock.advance(timedelta(minutes=6))
    pnr = book(agent, "MMT-renewed").pnr
    assert recorder.operations == ["Login", "SearchTrain", "Book", "Login", "Book"]
    refused = recorder.exchanges[2]
    assert refused.status == 500 and b"SessionExpired" in refused.response
    assert {reference_of(e) for e in recorder.of("Book")} == {"MMT-renewed"}
    assert core_bookings(settings) == {"MMT-renewed": pnr}


def test_a_session_refused_twice_in_a_row_gives_up_clearly(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    def idle_after_login(exchange: Exchange) -> None:
        if exchange.operation == "Login":  # every new session is already stale when used
            clock.advance(timedelta(minutes=6))

    recorder = Recorder(then=idle_after_login)
    agent = agents(app=make_app(SHORT_SESSIONS), ledger=ledger, trace=recorder)
    with pytest.raises(SessionError) as raised:
        book(agent, "MMT-stale")
    assert recorder.operations == ["Login", "Book", "Login", "Book"]  # one re-login only
    assert raised.value.code == "SessionExpired" and not raised.value.retryable
    assert str(raised.value).startswith("Client.SessionExpired: the session expired after 5 idle")
    assert core_bookings(settings) == {}
    entry = ledger.get("MMT-stale")
    # SessionExpired says nothing about the booking: the entry waits for sync, not FAILED
    assert entry is not None and entry.state == "PENDING"


# -- maintenance ---------------------------------------------------------------------------------

#: The settings' nightly window (kept) and a lunch window added by the profile.
LUNCH_BREAK = Profile(name="lunch", seed=1, extra_maintenance=(LUNCH,))
#: Only the lunch window: the profile turns the nightly one off.
LUNCH_ONLY = Profile(
    name="lunch-only", seed=1, nightly_maintenance=False, extra_maintenance=(LUNCH,)
)


def test_maintenance_is_waited_out_with_backoff(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    slept: list[float] = []

    def wait(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(minutes=2))  # simulated time passes while the agent waits

    recorder = Recorder()
    agent = agents(app=make_app(LUNCH_BREAK), ledger=ledger, trace=recorder, sleep=wait)
    clock.set(at(12, 59))
    agent.login()
    clock.set(at(13, 2))
    pnr = book(agent, "MMT-after-lunch").pnr
    assert recorder.operations == ["Login", "Book", "Book", "Book"]  # 13:02, 13:04, 13:06
    assert [b"Maintenance" in e.response for e in recorder.of("Book")] == [True, True, False]
    assert len(slept) == 2 and 0.5 <= slept[0] <= 0.75 and 1.0 <= slept[1] <= 1.5
    assert core_bookings(settings) == {"MMT-after-lunch": pnr}


def test_a_fresh_agent_in_a_maintenance_window_waits_it_out_too(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    """The first call of an agent logs in lazily; a retryable fault on that login deserves the
    same retries as one on the call itself."""
    slept: list[float] = []

    def wait(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(minutes=2))

    agent = agents(app=make_app(LUNCH_BREAK), ledger=ledger, sleep=wait)
    clock.set(at(13, 2))
    pnr = book(agent, "MMT-lazy-after-lunch").pnr
    assert len(slept) == 2
    assert core_bookings(settings) == {"MMT-lazy-after-lunch": pnr}


def test_the_nightly_window_still_applies_with_a_lunch_profile(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    app = make_app(LUNCH_BREAK)
    assert app.railway.policy.maintenance == (NIGHTLY, LUNCH)
    slept: list[float] = []
    agent = agents(app=app, ledger=ledger, sleep=slept.append, retries=2)
    clock.set(at(23, 50))
    with pytest.raises(ServerFault) as raised:
        book(agent, "MMT-midnight")
    assert raised.value.code == "Maintenance" and "23:45-00:20" in raised.value.message
    assert len(slept) == 2  # the fresh agent's login was retried, then it gave up
    assert core_bookings(settings) == {}
    assert [e.reference for e in ledger.entries("PENDING")] == ["MMT-midnight"]


def test_nightly_false_opens_the_night_but_keeps_the_lunch_window(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    app = make_app(LUNCH_ONLY)
    assert app.railway.policy.maintenance == (LUNCH,)
    slept: list[float] = []
    agent = agents(app=app, ledger=ledger, sleep=slept.append, retries=1)
    clock.set(at(23, 50))
    pnr = book(agent, "MMT-night-owl").pnr  # no nightly window: served at once
    assert slept == []
    clock.set(at(13, 2))
    with pytest.raises(ServerFault) as raised:
        book(agent, "MMT-lunch")
    assert raised.value.code == "Maintenance" and "13:00-13:05" in raised.value.message
    assert core_bookings(settings) == {"MMT-night-owl": pnr}


def test_maintenance_gives_up_after_the_retries(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    clock: FixedClock,
    settings: Settings,
) -> None:
    slept: list[float] = []
    recorder = Recorder()
    agent = agents(
        app=make_app(LUNCH_BREAK), ledger=ledger, trace=recorder, sleep=slept.append, retries=3
    )
    clock.set(at(12, 59))
    agent.login()
    clock.set(at(13, 1))  # and the clock stands still: the window never ends
    with pytest.raises(ServerFault) as raised:
        book(agent, "MMT-no-lunch")
    assert (raised.value.faultcode, raised.value.code) == ("Server.Maintenance", "Maintenance")
    assert "13:00-13:05" in raised.value.message
    assert len(recorder.of("Book")) == 4 and len(slept) == 3
    assert slept == sorted(slept)
    assert core_bookings(settings) == {}
    assert [e.reference for e in ledger.entries("PENDING")] == ["MMT-no-lunch"]


# -- rate limits ---------------------------------------------------------------------------------


def test_a_rate_limited_call_is_not_retried_and_the_book_stays_pending(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    slept: list[float] = []
    recorder = Recorder()
    limited = make_app(Profile(name="limited", seed=1, rate_limit_per_minute=3))
    agent = agents(app=limited, ledger=ledger, trace=recorder, sleep=slept.append, retries=3)
    agent.search("NDLS", "MMCT", JOURNEY)  # Login and SearchTrain: 2 calls
    agent.search("NDLS", "MMCT", JOURNEY)  # 3 calls
    with pytest.raises(ClientFault) as raised:
        book(agent, "MMT-too-fast")
    fault = raised.value
    assert (fault.faultcode, fault.code, fault.retryable) == (
        "Client.RateLimited",
        "RateLimited",
        False,
    )
    assert len(recorder.of("Book")) == 1 and slept == []  # one exchange, no backoff
    assert core_bookings(settings) == {}
    # RateLimited says nothing about the booking itself: PENDING, for sync to finish later
    assert agent.uncertain is False
    entry = ledger.get("MMT-too-fast")
    assert entry is not None and entry.state == "PENDING"

    later = agents(app=make_app(None), ledger=ledger)  # the same database, no limit
    synced = later.sync()
    assert [b.reference for b in synced] == ["MMT-too-fast"]
    assert ledger_pnrs(ledger) == core_bookings(settings) == {"MMT-too-fast": synced[0].pnr}


def test_a_book_refused_for_itself_is_failed(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    """A Client fault about the request (here an unknown station) means the core booked
    nothing: FAILED, and sync leaves it alone."""
    agent = agents(app=make_app(Profile(name="calm", seed=1)), ledger=ledger)
    with pytest.raises(ClientFault) as raised:
        agent.book("12952", JOURNEY, "NDLS", "XXXX", "3A", COUPLE[:1], reference="MMT-nowhere")
    assert raised.value.code != "RateLimited" and not raised.value.retryable
    entry = ledger.get("MMT-nowhere")
    assert entry is not None and entry.state == "FAILED"
    assert agent.sync() == [] and core_bookings(settings) == {}


def test_a_lost_book_then_rate_limited_retry_stays_pending_and_sync_books_it_once(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    """The first Book is committed but its answer is lost; the retry (same reference) meets the
    rate limit. The core holds the booking, so the ledger must not call it FAILED."""
    recorder = Recorder()
    profile = Profile(name="lossy-limited", seed=1, lost_response_rate={"book": 1.0})
    limited = make_app(replace(profile, rate_limit_per_minute=2))  # Login, Book, then refused
    with serving(limited) as url:
        agent = agents(url=url, ledger=ledger, trace=recorder, retries=3)
        with pytest.raises(ClientFault) as raised:
            book(agent, "MMT-lost-then-limited", COUPLE)
    assert raised.value.code == "RateLimited" and not raised.value.retryable
    assert recorder.operations == ["Login", "Book", "Book"]
    first, second = recorder.of("Book")
    assert first.status is None and first.error  # cut after the core committed
    assert second.status == 500 and b"RateLimited" in second.response
    assert agent.uncertain is True
    committed = core_bookings(settings)
    assert list(committed) == ["MMT-lost-then-limited"]
    entry = ledger.get("MMT-lost-then-limited")
    assert entry is not None and entry.state == "PENDING" and entry.pnr is None

    # The limit has passed: a core on the same database without the profile.
    with serving(make_app(None)) as url:
        synced = agents(url=url, ledger=ledger).sync()
    assert [b.pnr for b in synced] == [committed["MMT-lost-then-limited"]]
    assert len(synced[0].passengers) == 2
    assert core_bookings(settings) == committed  # still exactly one booking
    assert ledger_pnrs(ledger) == committed
    entry = ledger.get("MMT-lost-then-limited")
    assert entry is not None and entry.state == "BOOKED"


def test_sync_lists_each_booking_once(
    make_app: Callable[..., CoreApp],
    agents: Callable[..., TravelAgent],
    ledger: Ledger,
    settings: Settings,
) -> None:
    """One Book answered, one whose answers were all lost: sync reconciles the pending one and
    refreshes both, each booking once in what it returns."""
    lossy = make_app(Profile(name="lossy", seed=1, lost_response_rate={"book": 1.0}))
    plain = make_app(None)
    fine = book(agents(app=plain, ledger=ledger), "MMT-answered").pnr
    with serving(lossy) as url:
        with pytest.raises(TransportError):
            book(agents(url=url, ledger=ledger, retries=1), "MMT-unanswered")
    assert [e.reference for e in ledger.entries("PENDING")] == ["MMT-unanswered"]
    committed = core_bookings(settings)
    assert set(committed) == {"MMT-answered", "MMT-unanswered"}

    syncer = agents(app=plain, ledger=ledger)
    for _ in range(2):  # the first sync books the pending one; the second only refreshes
        synced = syncer.sync()
        pnrs = [b.pnr for b in synced]
        assert len(pnrs) == len(set(pnrs)) == 2, pnrs
        assert set(pnrs) == set(committed.values()) and fine in pnrs
        assert ledger_pnrs(ledger) == committed == core_bookings(settings)


# -- the command line ----------------------------------------------------------------------------

BOOK_ARGS = [
    "book",
    "--train",
    "12952",
    "--date",
    JOURNEY.isoformat(),
    "--from",
    "NDLS",
    "--to",
    "MMCT",
    "--class",
    "3A",
    "--passenger",
    "Ravi Kumar,34,M",
    "--reference",
    "MMT-cli-1",
]


def cli_args(url: str, ledger_path: Path, *args: str) -> list[str]:
    return ["--url", url, "--password", PASSWORDS["MMT"], "--ledger", str(ledger_path), *args]


@pytest.mark.parametrize(
    ("profile", "hour", "code", "line"),
    [
        pytest.param(
            Profile(name="down", seed=1, fault_rate={"book": 1.0}),
            9,
            1,
            "error: Server.Unavailable: the reservation system is overloaded (down profile)",
            id="unavailable",
        ),
        pytest.param(
            LUNCH_BREAK,
            13,
            1,
            "error: Server.Maintenance: the reservation system is in its maintenance window",
            id="maintenance",
        ),
        pytest.param(
            Profile(name="lossy", seed=1, lost_response_rate={"book": 1.0}),
            9,
            3,
            "error: Transport: connection to http://127.0.0.1:",
            id="lost-answers",
        ),
    ],
)
def test_the_cli_reports_a_given_up_book_in_one_line(
    make_app: Callable[..., CoreApp],
    clock: FixedClock,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: Profile,
    hour: int,
    code: int,
    line: str,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(
        cli_module, "TravelAgent", functools.partial(TravelAgent, sleep=slept.append)
    )
    clock.set(at(hour, 2))
    ledger_path = tmp_path / "cli-ledger.sqlite3"
    with serving(make_app(profile)) as url:
        returned = cli_module.main(cli_args(url, ledger_path, *BOOK_ARGS), stdout=io.StringIO())
    err = capsys.readouterr().err
    assert returned == code, err
    assert err.startswith(line) and len(err.strip().splitlines()) == 1, err
    given_up = Ledger(ledger_path)
    try:
        assert [e.reference for e in given_up.entries("PENDING")] == ["MMT-cli-1"]
    finally:
        given_up.close()

    clock.set(at(9, 30))  # later, on a healthy core: `sync` finishes the job, once
    with serving(make_app(None)) as url:
        out = io.StringIO()
        assert cli_module.main(cli_args(url, ledger_path, "sync"), stdout=out) == 0
    assert "PNR " in out.getvalue()
    assert list(core_bookings(settings)) == ["MMT-cli-1"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "soap_client", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_the_cli_process_gives_up_on_an_unavailable_core_in_one_line(
    make_app: Callable[..., CoreApp], tmp_path: Path, settings: Settings
) -> None:
    """The real ``python -m soap_client``, with its real backoff (about 4 s over 3 retries)."""
    down = make_app(Profile(name="down", seed=1, fault_rate={"book": 1.0}))
    with serving(down) as url:
        done = run_cli(*cli_args(url, tmp_path / "ledger.sqlite3", *BOOK_ARGS))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith("error: Server.Unavailable: the reservation system is overloaded")
    assert core_bookings(settings) == {}


def test_the_cli_process_reports_a_rate_limit_in_one_line(
    make_app: Callable[..., CoreApp], tmp_path: Path
) -> None:
    limited = make_app(Profile(name="limited", seed=1, rate_limit_per_minute=3))
    for _ in range(3):  # MMT spends its budget for this minute elsewhere
        limited.railway.login("MMT", PASSWORDS["MMT"])
    with serving(limited) as url:
        done = run_cli(*cli_args(url, tmp_path / "ledger.sqlite3", "pnr", "1234567890"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith("error: Client.RateLimited: agent MMT is over its limit of 3")
