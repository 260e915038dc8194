"""Every rule of the reservation core and the error it raises, called through ``Railway``.

The reservation window, Tatkal opening hours, passengers, quotas, stations and trains, agent
sessions with throttling, and the nightly maintenance window. Limits and times are read from the
seed rules (``classes.toml``) and ``Settings`` rather than typed in.

Refusals that never change the clock or the database run against one core shared by the module
(``shared_core``: building a core hashes every demo password, which is what makes a test slow);
everything that moves the clock or books gets its own core. Both fixtures are in
``tests/conftest.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from soap_server.railway import errors, inventory, queues
from soap_server.railway.agents import demo_agents
from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import (
    AgentBarred,
    AuthenticationFailed,
    ChartPrepared,
    ClassNotOnTrain,
    ClientError,
    InvalidPassenger,
    Maintenance,
    OutsideReservationWindow,
    QuotaNotAvailable,
    RateLimited,
    ReservationError,
    SameStation,
    ServerError,
    SessionExpired,
    SessionInvalid,
    TatkalNotOpen,
    TooManyPassengers,
    TrainDoesNotStop,
    TrainNotFound,
    TrainNotRunning,
    UnknownStation,
)
from soap_server.railway.passwords import Scrypt
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import build_railway
from tests.conftest import JOURNEY, NOW, PASSWORDS, TEST_HASHING, login_token
from tests.support import counts, people, request

TODAY = NOW.date()


# -- helpers -------------------------------------------------------------------------------------
def at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, IST)


def refused_book(
    shared_core: tuple[Railway, str], expected: type[ReservationError], req: BookingRequest
) -> ReservationError:
    """Book on the shared core, expecting ``expected``; nothing may have been written."""
    core, token = shared_core
    before = counts(core)
    with pytest.raises(expected) as caught:
        core.book(token, req)
    assert counts(core) == before
    assert caught.value.code == expected.__name__
    return caught.value


# -- the reservation window ----------------------------------------------------------------------
def advance_days(railway: Railway) -> int:
    return railway.rules_in_force().advance_reservation.days


@pytest.mark.parametrize(
    "days", [pytest.param(-1, id="yesterday"), pytest.param(-30, id="a-month-ago")]
)
def test_past_journey_date_is_refused(shared_core: tuple[Railway, str], days: int) -> None:
    core, token = shared_core
    journey = TODAY + timedelta(days=days)
    refused_book(shared_core, OutsideReservationWindow, request(journey=journey))
    with pytest.raises(OutsideReservationWindow):
        core.search(token, "NDLS", "MMCT", journey)


@pytest.mark.parametrize("extra", [pytest.param(1, id="one-day-late"), pytest.param(30, id="far")])
def test_beyond_the_advance_reservation_period_is_refused(
    shared_core: tuple[Railway, str], extra: int
) -> None:
    core, token = shared_core
    journey = TODAY + timedelta(days=advance_days(core) + extra)
    refused_book(shared_core, OutsideReservationWindow, request(journey=journey))
    with pytest.raises(OutsideReservationWindow):
        core.search(token, "NDLS", "MMCT", journey)


def test_last_day_of_the_advance_period_is_bookable(railway: Railway) -> None:
    token = login_token(railway)
    last = TODAY + timedelta(days=advance_days(railway))
    assert "12952" in [o.number for o in railway.search(token, "NDLS", "MMCT", last)]
    view = railway.book(token, request(journey=last))
    assert view.journey_date == last
    assert view.passengers[0].current_status.startswith("CNF/")


def test_today_is_bookable_until_the_train_leaves(railway: Railway, clock: FixedClock) -> None:
    train = railway.catalog.trains["12952"]
    departs = train.departure(TODAY, 0)
    closes = railway.rules_in_force().chart.current_booking_closes  # after the chart
    clock.set(departs - closes - timedelta(minutes=1))
    token = login_token(railway)
    assert "12952" in [o.number for o in railway.search(token, "NDLS", "MMCT", TODAY)]
    assert (
        railway.book(token, request(journey=TODAY)).passengers[0].current_status.startswith("CNF/")
    )

    clock.set(departs - closes)
    token = login_token(railway)
    before = counts(railway)
    with pytest.raises(ChartPrepared, match="current booking"):
        railway.book(token, request(journey=TODAY))
    clock.set(departs)
    token = login_token(railway)
    with pytest.raises(OutsideReservationWindow):
        railway.book(token, request(journey=TODAY))
    assert counts(railway) == before
    assert "12952" not in [o.number for o in railway.search(token, "NDLS", "MMCT", TODAY)]
    # the train has left New Delhi but not yet Kota: Kota onwards is still for sale
    kota = train.stop_index("KOTA")
    assert kota is not None and train.departure(TODAY, kota) > departs
    assert "12952" in [o.number for o in railway.search(token, "KOTA", "MMCT", TODAY)]
    view = railway.book(token, request(source="KOTA", journey=TODAY))
    assert view.departs == train.departure(TODAY, kota)


# -- Tatkal --------------------------------------------------------------------------------------
AGENTS = timedelta(minutes=30)  # agents are barred from each Tatkal opening for this long
TATKAL_CASES = [
    # (train, boarding, class, opening, offset from it, outcome)
    pytest.param("12952", "NDLS", "2A", "ac", timedelta(minutes=-1), "closed", id="AC-09:59"),
    pytest.param("12952", "NDLS", "2A", "ac", timedelta(0), "agents", id="AC-10:00-agents"),
    pytest.param("12952", "NDLS", "2A", "ac", AGENTS, "open", id="AC-10:30"),
    pytest.param("12952", "NDLS", "3A", "ac", timedelta(hours=5), "open", id="AC-15:00"),
    pytest.param(
        "12952", "NDLS", "2A", "ac", timedelta(days=-1, hours=2), "closed", id="AC-2-days"
    ),
    pytest.param("12904", "ASR", "SL", "non_ac", timedelta(minutes=-1), "closed", id="SL-10:59"),
    pytest.param("12904", "ASR", "SL", "ac", AGENTS, "closed", id="SL-at-AC-time"),
    pytest.param("12904", "ASR", "SL", "non_ac", timedelta(0), "agents", id="SL-11:00-agents"),
    pytest.param("12904", "ASR", "SL", "non_ac", AGENTS, "open", id="SL-11:30"),
    pytest.param("12904", "ASR", "3A", "ac", AGENTS, "open", id="3A-on-a-mail-10:30"),
    # boarding on the second day of the run: the day before the train leaves its origin counts
    pytest.param("12904", "NDLS", "SL", "non_ac", timedelta(minutes=-1), "closed", id="day2-10:59"),
    pytest.param("12904", "NDLS", "SL", "non_ac", AGENTS, "open", id="day2-11:30"),
]


@pytest.mark.parametrize(("train", "boarding", "cls", "kind", "offset", "outcome"), TATKAL_CASES)
def test_tatkal_opens_the_day_before_at_ten_or_eleven(
    railway: Railway,
    clock: FixedClock,
    train: str,
    boarding: str,
    cls: str,
    kind: str,
    offset: timedelta,
    outcome: str,
) -> None:
    tatkal = railway.rulebook.at(JOURNEY).tatkal
    assert railway.rulebook.at(JOURNEY).agents.tatkal_opening == AGENTS
    t = railway.catalog.trains[train]
    index = t.stop_index(boarding)
    assert index is not None
    journey = JOURNEY + timedelta(days=t.stops[index].day - 1)  # origin date is JOURNEY
    opens = tatkal.ac_opens if kind == "ac" else tatkal.non_ac_opens
    clock.set(at(JOURNEY - timedelta(days=1), opens) + offset)
    token = login_token(railway)
    req = request(
        train=train, source=boarding, destination="MMCT", cls=cls, quota="TQ", journey=journey
    )
    if outcome == "agents":
        before = counts(railway)
        with pytest.raises(AgentBarred, match="authorised agents may not book Tatkal"):
            railway.book(token, req)
        assert counts(railway) == before
    elif outcome == "open":
        view = railway.book(token, req)
        (p,) = view.passengers
        klass = railway.catalog.classes[cls]
        lb = queues.lower_berths(railway.rules_in_force(), t, klass)
        tq = inventory.confirmed_places(t, klass, "TQ", lb)
        assert (p.coach, p.berth) in {(pl.coach, pl.berth) for pl in tq}
        assert view.quota == "TQ" and view.fare.tatkal > 0
    else:
        before = counts(railway)
        with pytest.raises(TatkalNotOpen) as caught:
            railway.book(token, req)
        assert caught.value.code == "TatkalNotOpen"
        assert counts(railway) == before


def test_tatkal_hours_come_from_the_rules(railway: Railway) -> None:
    tatkal = railway.rules_in_force().tatkal
    assert (tatkal.ac_opens, tatkal.non_ac_opens) == (time(10), time(11))
    assert railway.catalog.classes["2A"].ac and not railway.catalog.classes["SL"].ac


# -- passengers ----------------------------------------------------------------------------------
def test_too_many_passengers_in_general_quota(shared_core: tuple[Railway, str]) -> None:
    core, _ = shared_core
    most = core.catalog.rules.max_passengers
    refused_book(shared_core, TooManyPassengers, request(passengers=people(most + 1)))


def test_six_passengers_are_fine_in_general_quota(railway: Railway) -> None:
    most = railway.catalog.rules.max_passengers
    view = railway.book(login_token(railway), request(passengers=people(most)))
    assert len(view.passengers) == most


def test_tatkal_takes_at_most_four(railway: Railway, clock: FixedClock) -> None:
    tatkal = railway.rulebook.at(JOURNEY).tatkal
    most = tatkal.max_passengers
    assert most == 4 < railway.catalog.rules.max_passengers
    clock.set(at(JOURNEY - timedelta(days=1), tatkal.ac_opens) + AGENTS)
    token = login_token(railway)
    before = counts(railway)
    with pytest.raises(TooManyPassengers):
        railway.book(token, request(quota="TQ", passengers=people(most + 1)))
    assert counts(railway) == before
    view = railway.book(token, request(quota="TQ", passengers=people(most)))
    assert len(view.passengers) == most


BAD_PASSENGERS = [
    pytest.param(PassengerRequest("Al", 30, "M"), id="name-too-short"),
    pytest.param(PassengerRequest("A" * 17, 30, "M"), id="name-too-long"),
    pytest.param(PassengerRequest("R2D2 Unit", 30, "M"), id="name-with-digits"),
    pytest.param(PassengerRequest("", 30, "M"), id="name-empty"),
    pytest.param(PassengerRequest("    ", 30, "M"), id="name-blank"),
    pytest.param(PassengerRequest("Ravi_Kumar", 30, "M"), id="name-underscore"),
    pytest.param(PassengerRequest("Ravi Kumar", 12, "M", no_berth=True), id="no-berth-at-12"),
    pytest.param(PassengerRequest("Ravi Kumar", 4, "M", no_berth=True), id="no-berth-infant"),
    pytest.param(PassengerRequest("Ravi Kumar", 126, "M"), id="age-126"),
    pytest.param(PassengerRequest("Ravi Kumar", -1, "M"), id="age-negative"),
    pytest.param(PassengerRequest("Ravi Kumar", 30, "X"), id="gender-X"),
    pytest.param(PassengerRequest("Ravi Kumar", 30, ""), id="gender-empty"),
    pytest.param(PassengerRequest("Ravi Kumar", 30, "M", "MB"), id="no-middle-berth-in-2A"),
    pytest.param(PassengerRequest("Ravi Kumar", 30, "M", "WS"), id="no-window-seat-in-2A"),
]


@pytest.mark.parametrize("bad", BAD_PASSENGERS)
def test_invalid_passenger(shared_core: tuple[Railway, str], bad: PassengerRequest) -> None:
    refused_book(shared_core, InvalidPassenger, request(passengers=(bad,)))
    # a bad second passenger spoils the whole booking, and the message says which one
    error = refused_book(shared_core, InvalidPassenger, request(passengers=(people(1)[0], bad)))
    assert "passenger 2" in error.message


def test_no_passengers(shared_core: tuple[Railway, str]) -> None:
    refused_book(shared_core, InvalidPassenger, request(passengers=()))


def test_passengers_at_the_limits_are_accepted(railway: Railway) -> None:
    rules = railway.catalog.rules
    passengers = (
        PassengerRequest("Ram", 30, "M"),
        PassengerRequest("A" * 16, 30, "F"),
        PassengerRequest("Child Kumar", rules.min_passenger_age, "M"),
        PassengerRequest("Old Kumari", rules.max_passenger_age, "F"),
        PassengerRequest("D'Souza J.", 40, "T"),
        PassengerRequest("  Meera Iyer  ", 45, "F", "UB"),
    )
    view = railway.book(login_token(railway), request(passengers=passengers))
    assert [p.name for p in view.passengers][-1] == "Meera Iyer"
    assert view.passengers[-1].berth_type == "UB"
    assert [p.age for p in view.passengers] == [p.age for p in passengers]


# -- quotas --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "passenger",
    [
        pytest.param(PassengerRequest("Ravi Kumar", 30, "M"), id="adult-man"),
        pytest.param(PassengerRequest("Ravi Kumar", 12, "M"), id="boy-of-12"),
    ],
)
def test_ladies_quota_refuses_men(
    shared_core: tuple[Railway, str], passenger: PassengerRequest
) -> None:
    refused_book(shared_core, InvalidPassenger, request(quota="LD", passengers=(passenger,)))
    mixed = (PassengerRequest("Meera Iyer", 30, "F"), passenger)
    refused_book(shared_core, InvalidPassenger, request(quota="LD", passengers=mixed))


def test_ladies_quota_takes_women_and_boys_under_twelve(railway: Railway) -> None:
    passengers = (PassengerRequest("Meera Iyer", 30, "F"), PassengerRequest("Arjun Iyer", 11, "M"))
    view = railway.book(login_token(railway), request(quota="LD", passengers=passengers))
    train, cls = railway.catalog.trains["12952"], railway.catalog.classes["2A"]
    ld = {(pl.coach, pl.berth) for pl in inventory.confirmed_places(train, cls, "LD")}
    assert len(ld) == len(passengers)  # 2A keeps exactly this many ladies' berths
    assert {(p.coach, p.berth) for p in view.passengers} == ld


@pytest.mark.parametrize(
    "passenger",
    [
        pytest.param(PassengerRequest("Ravi Kumar", 59, "M"), id="man-59"),
        pytest.param(PassengerRequest("Meera Iyer", 44, "F"), id="woman-44"),
        pytest.param(PassengerRequest("Kiran Rao", 59, "T"), id="transgender-59"),
        pytest.param(PassengerRequest("Ravi Kumar", 30, "M"), id="man-30"),
    ],
)
def test_senior_quota_requires_age(
    shared_core: tuple[Railway, str], passenger: PassengerRequest
) -> None:
    refused_book(shared_core, InvalidPassenger, request(quota="SS", passengers=(passenger,)))


def test_senior_quota_takes_men_of_60_and_women_of_45(railway: Railway) -> None:
    passengers = (PassengerRequest("Ravi Kumar", 60, "M"), PassengerRequest("Meera Iyer", 45, "F"))
    view = railway.book(login_token(railway), request(quota="SS", passengers=passengers))
    train, cls = railway.catalog.trains["12952"], railway.catalog.classes["2A"]
    per_coach = railway.rules_in_force().lower_berths.per_coach("2A", 5, premium_train=True)
    ss = {(pl.coach, pl.berth) for pl in inventory.confirmed_places(train, cls, "SS", per_coach)}
    for p in view.passengers:
        assert (p.coach, p.berth) in ss
        assert p.berth_type == "LB"


@pytest.mark.parametrize(
    ("train", "cls", "quota"),
    [
        pytest.param("12952", "1A", "TQ", id="TQ-in-1A"),
        pytest.param("12952", "1A", "LD", id="LD-in-1A"),
        pytest.param("12002", "EC", "LD", id="LD-in-EC"),
        pytest.param("12952", "2A", "XX", id="unknown-quota"),
    ],
)
def test_quota_not_available(
    shared_core: tuple[Railway, str], train: str, cls: str, quota: str
) -> None:
    core, _ = shared_core
    t = core.catalog.trains[train]
    source, destination = t.stops[0].station, t.stops[-1].station
    assert not core.catalog.classes[cls].waitlist_limits.get(quota)
    req = request(train=train, source=source, destination=destination, cls=cls, quota=quota)
    refused_book(shared_core, QuotaNotAvailable, req)


# -- stations, trains and classes ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"source": "XXXX"}, UnknownStation, id="unknown-source"),
        pytest.param({"destination": "ABCD"}, UnknownStation, id="unknown-destination"),
        pytest.param({"source": ""}, UnknownStation, id="empty-station"),
        pytest.param({"destination": "NDLS"}, SameStation, id="same-station"),
        pytest.param(
            {"source": "BCT", "destination": "MMCT", "train": "12951"}, SameStation, id="alias"
        ),
        pytest.param({"train": "99999"}, TrainNotFound, id="no-such-train"),
        pytest.param({"train": ""}, TrainNotFound, id="empty-train"),
        pytest.param({"destination": "NZM"}, TrainDoesNotStop, id="not-on-route"),
        pytest.param({"source": "HWH"}, TrainDoesNotStop, id="source-not-on-route"),
        pytest.param(
            {"source": "MMCT", "destination": "NDLS"}, TrainDoesNotStop, id="reversed-direction"
        ),
        pytest.param(
            {"source": "KOTA", "destination": "NDLS"}, TrainDoesNotStop, id="reversed-segment"
        ),
        pytest.param({"cls": "SL"}, ClassNotOnTrain, id="no-sleeper-on-rajdhani"),
        pytest.param({"cls": "CC"}, ClassNotOnTrain, id="no-chair-car-on-rajdhani"),
        pytest.param({"cls": "ZZ"}, ClassNotOnTrain, id="no-such-class"),
    ],
)
def test_journey_errors(
    shared_core: tuple[Railway, str], change: dict[str, str], expected: type[ReservationError]
) -> None:
    refused_book(shared_core, expected, request(**change))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "destination", "expected"),
    [
        pytest.param("XXXX", "MMCT", UnknownStation, id="unknown-source"),
        pytest.param("NDLS", "ABCD", UnknownStation, id="unknown-destination"),
        pytest.param("NDLS", "ndls", SameStation, id="same-station"),
        pytest.param("BCT", "MMCT", SameStation, id="alias-of-the-same-station"),
    ],
)
def test_search_station_errors(
    shared_core: tuple[Railway, str],
    source: str,
    destination: str,
    expected: type[ReservationError],
) -> None:
    core, token = shared_core
    with pytest.raises(expected):
        core.search(token, source, destination, JOURNEY)


def test_search_with_no_train_between_is_empty(shared_core: tuple[Railway, str]) -> None:
    core, token = shared_core
    assert core.catalog.trains_between("MMCT", "HWH") == []  # no seed train links the two
    assert core.search(token, "MMCT", "HWH", JOURNEY) == []
    assert core.search(token, "BVI", "MMCT", JOURNEY) != []  # an intermediate stop is fine...
    assert core.search(token, "MMCT", "BVI", JOURNEY) != []  # ...in either direction of travel
    assert core.search(token, "NDLS", "MMCT", JOURNEY, class_code="ZZ") == []


def test_train_not_running_that_day(shared_core: tuple[Railway, str]) -> None:
    core, _ = shared_core
    duronto = core.catalog.trains["22210"]
    assert JOURNEY.weekday() not in duronto.runs_on
    refused_book(shared_core, TrainNotRunning, request(train="22210"))


def test_train_running_is_judged_by_the_day_it_leaves_its_origin(
    shared_core: tuple[Railway, str],
) -> None:
    """22210 reaches Kota on its second day: boarding there counts from the day before."""
    core, token = shared_core
    duronto = core.catalog.trains["22210"]
    kota = duronto.stop_index("KOTA")
    assert kota is not None and duronto.stops[kota].day == 2
    runs = next(
        day
        for day in (JOURNEY - timedelta(days=d) for d in range(7))
        if day.weekday() in duronto.runs_on
    )
    kota_day = runs + timedelta(days=1)  # the run that left New Delhi on `runs` is at Kota
    assert kota_day.weekday() not in duronto.runs_on
    options = core.search(token, "KOTA", "MMCT", kota_day)
    assert "22210" in [o.number for o in options]
    # boarding at Kota the day after a day it does not leave New Delhi
    not_running = kota_day + timedelta(days=1)
    assert (not_running - timedelta(days=1)).weekday() not in duronto.runs_on
    assert "22210" not in [o.number for o in core.search(token, "KOTA", "MMCT", not_running)]
    refused_book(
        shared_core, TrainNotRunning, request(train="22210", source="KOTA", journey=not_running)
    )


# -- agents and sessions -------------------------------------------------------------------------
def test_login(railway: Railway, settings: Settings) -> None:
    session = railway.login("MMT", PASSWORDS["MMT"])
    assert session.agent == "MMT"
    assert len(session.token) >= 24
    assert session.idle_timeout == timedelta(minutes=settings.session_idle_minutes)
    again = railway.login(" mmt ", PASSWORDS["MMT"])  # agent codes are case-insensitive
    assert again.agent == "MMT" and again.token != session.token
    assert railway.search(session.token, "NDLS", "MMCT", JOURNEY)
    assert railway.search(again.token, "NDLS", "MMCT", JOURNEY)


@pytest.mark.parametrize(
    ("agent", "password"),
    [
        pytest.param("MMT", "wrong", id="wrong-password"),
        pytest.param("MMT", "", id="empty-password"),
        pytest.param("MMT", PASSWORDS["PAYTM"], id="another-agents-password"),
        pytest.param("NOBODY", "whatever", id="unknown-agent"),
        pytest.param("", PASSWORDS["MMT"], id="no-agent"),
    ],
)
def test_authentication_failed(railway: Railway, agent: str, password: str) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        railway.login(agent, password)
    assert caught.value.code == "AuthenticationFailed"
    assert caught.value.retryable is False


def test_failed_logins_throttle_the_address_then_it_may_try_again(
    railway: Railway, clock: FixedClock, settings: Settings
) -> None:
    most = settings.login_failures_allowed
    for _ in range(most):
        with pytest.raises(AuthenticationFailed) as caught:
            railway.login("MMT", "wrong")
        assert "attempts left" not in caught.value.message  # the same words for every agent id
    # even the right password is refused from this address while the pause holds; other
    # agents are not affected
    with pytest.raises(RateLimited) as limited:
        railway.login("MMT", PASSWORDS["MMT"])
    assert limited.value.code == "LoginThrottled"
    assert railway.login("PAYTM", PASSWORDS["PAYTM"]).agent == "PAYTM"
    clock.advance(timedelta(minutes=settings.login_throttle_minutes) - timedelta(seconds=1))
    with pytest.raises(RateLimited):
        railway.login("MMT", PASSWORDS["MMT"])
    clock.advance(timedelta(seconds=1))
    session = railway.login("MMT", PASSWORDS["MMT"])
    assert session.agent == "MMT"
    # the count starts again after the pause
    for _ in range(most - 1):
        with pytest.raises(AuthenticationFailed):
            railway.login("MMT", "wrong")
    assert railway.login("MMT", PASSWORDS["MMT"]).agent == "MMT"


def test_a_good_login_resets_the_failure_count(railway: Railway, settings: Settings) -> None:
    for _ in range(2):
        for _ in range(settings.login_failures_allowed - 1):
            with pytest.raises(AuthenticationFailed):
                railway.login("MMT", "wrong")
        assert railway.login("MMT", PASSWORDS["MMT"]).agent == "MMT"


def test_unknown_agents_are_throttled_like_known_ones(railway: Railway, settings: Settings) -> None:
    for _ in range(settings.login_failures_allowed):
        with pytest.raises(AuthenticationFailed):
            railway.login("NOBODY", "whatever")
    with pytest.raises(RateLimited):
        railway.login("NOBODY", "whatever")


def test_passwords_are_stored_hashed(railway: Railway) -> None:
    agents = demo_agents()
    with railway.store.read() as tx:
        rows = [tx.agent(agent.code) for agent in agents]
    hashes = []
    for agent, row in zip(agents, rows, strict=True):
        assert row is not None
        assert row.password_hash.startswith("scrypt$")
        assert agent.demo_password not in row.password_hash
        hashes.append(row.password_hash)
    assert len(set(hashes)) == len(hashes)


def test_a_hash_names_its_cost_and_is_verified_at_that_cost() -> None:
    assert Settings().password_hashing == Scrypt(n=2**14, r=8, p=1)  # the real cost, outside tests
    stored = TEST_HASHING.hash("mmt-secret-2008")
    assert stored.startswith("scrypt$16$1$1$")
    assert Scrypt.verify("mmt-secret-2008", stored)
    assert not Scrypt.verify("mmt-secret-2009", stored)
    assert not Scrypt.verify("mmt-secret-2008", "mmt-secret-2008")  # not a hash at all


def test_session_expires_after_idle_minutes(
    railway: Railway, clock: FixedClock, settings: Settings
) -> None:
    idle = timedelta(minutes=settings.session_idle_minutes)
    token = login_token(railway)
    clock.advance(idle - timedelta(seconds=1))
    assert railway.search(token, "NDLS", "MMCT", JOURNEY)  # still alive, and touched
    clock.advance(idle - timedelta(seconds=1))  # long since login, not since the last call
    assert railway.search(token, "NDLS", "MMCT", JOURNEY)
    clock.advance(idle + timedelta(seconds=1))
    with pytest.raises(SessionExpired) as caught:
        railway.search(token, "NDLS", "MMCT", JOURNEY)
    assert caught.value.code == "SessionExpired"
    with pytest.raises(SessionExpired):
        railway.pnr_status(token, "2000000000")
    assert railway.search(login_token(railway), "NDLS", "MMCT", JOURNEY)


def test_logout_ends_the_session(railway: Railway) -> None:
    token = login_token(railway)
    other = login_token(railway)
    railway.logout(token)
    with pytest.raises(SessionExpired):
        railway.search(token, "NDLS", "MMCT", JOURNEY)
    with pytest.raises(SessionExpired):
        railway.book(token, request())
    with pytest.raises(SessionExpired):
        railway.logout(token)
    assert railway.search(other, "NDLS", "MMCT", JOURNEY)  # other sessions live on


def call_with(token: str | None) -> list[Callable[[Railway], object]]:
    return [
        lambda r: r.search(token, "NDLS", "MMCT", JOURNEY),
        lambda r: r.book(token, request()),
        lambda r: r.pnr_status(token, "2000000000"),
        lambda r: r.cancel(token, "2000000000", None),
        lambda r: r.logout(token),
    ]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no-token"),
        pytest.param("", id="empty-token"),
        pytest.param("not-a-token-the-core-issued", id="bogus-token"),
    ],
)
def test_session_invalid(shared_core: tuple[Railway, str], token: str | None) -> None:
    core, _ = shared_core
    before = counts(core)
    for call in call_with(token):
        with pytest.raises(SessionInvalid) as caught:
            call(core)
        assert caught.value.code == "SessionInvalid"
    assert counts(core) == before


# -- maintenance ---------------------------------------------------------------------------------
def operations(token: str, pnr: str) -> dict[str, Callable[[Railway], object]]:
    return {
        "login": lambda r: r.login("MMT", PASSWORDS["MMT"]),
        "logout": lambda r: r.logout(token),
        "search": lambda r: r.search(token, "NDLS", "MMCT", JOURNEY),
        "book": lambda r: r.book(token, request()),
        "pnr_status": lambda r: r.pnr_status(token, pnr),
        "cancel": lambda r: r.cancel(token, pnr, None),
    }


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(at(TODAY, time(23, 45)), id="23:45"),
        pytest.param(at(TODAY, time(23, 59, 59)), id="23:59:59"),
        pytest.param(at(TODAY + timedelta(days=1), time(0, 0)), id="00:00"),
        pytest.param(at(TODAY + timedelta(days=1), time(0, 19, 59)), id="00:19:59"),
    ],
)
def test_every_operation_is_refused_during_maintenance(
    railway: Railway, clock: FixedClock, moment: datetime
) -> None:
    token = login_token(railway)
    pnr = railway.book(token, request()).pnr
    before = counts(railway)
    clock.set(moment)
    # the session would have expired by now too: maintenance is what the caller is told
    for name, call in operations(token, pnr).items():
        with pytest.raises(Maintenance) as caught:
            call(railway)
        error = caught.value
        assert isinstance(error, ServerError), name
        assert error.retryable is True
        assert error.code == "Maintenance"
        assert "00:20" in error.message
    assert counts(railway) == before


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(at(TODAY, time(23, 44, 59)), id="23:44:59"),
        pytest.param(at(TODAY + timedelta(days=1), time(0, 20)), id="00:20"),
        pytest.param(at(TODAY + timedelta(days=1), time(12, 0)), id="noon"),
    ],
)
def test_outside_maintenance_everything_works(
    railway: Railway, clock: FixedClock, moment: datetime
) -> None:
    clock.set(moment)
    token = login_token(railway)
    assert railway.search(token, "NDLS", "MMCT", JOURNEY)
    view = railway.book(token, request())
    assert railway.pnr_status(token, view.pnr).pnr == view.pnr
    assert railway.cancel(token, view.pnr, None).cancelled == (1,)
    railway.logout(token)


def test_maintenance_window_comes_from_settings(settings: Settings, clock: FixedClock) -> None:
    clock.set(at(TODAY, time(23, 50)))
    open_all_night = replace(settings, maintenance_start=None, maintenance_end=None)
    core = build_railway(open_all_night)
    try:
        assert core.login("MMT", PASSWORDS["MMT"]).agent == "MMT"
    finally:
        core.close()
    core = build_railway(
        replace(settings, maintenance_start=time(23, 0), maintenance_end=time(23, 30))
    )
    try:
        clock.set(at(TODAY, time(23, 10)))
        with pytest.raises(Maintenance):
            core.login("MMT", PASSWORDS["MMT"])
        clock.set(at(TODAY, time(23, 30)))
        assert core.login("MMT", PASSWORDS["MMT"]).agent == "MMT"
    finally:
        core.close()


# -- the error classes ---------------------------------------------------------------------------
ERROR_CLASSES = sorted(
    (
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, ReservationError)
        and cls not in (ReservationError, ClientError, ServerError)
    ),
    key=lambda cls: cls.__name__,
)


def test_the_error_catalogue_is_complete() -> None:
    names = {cls.__name__ for cls in ERROR_CLASSES}
    assert {
        "AuthenticationFailed",
        "SessionInvalid",
        "SessionExpired",
        "UnknownStation",
        "SameStation",
        "TrainNotFound",
        "TrainNotRunning",
        "TrainDoesNotStop",
        "ClassNotOnTrain",
        "QuotaNotAvailable",
        "OutsideReservationWindow",
        "TatkalNotOpen",
        "TooManyPassengers",
        "InvalidPassenger",
        "NoConfirmedSeats",
        "WaitlistFull",
        "PnrNotFound",
        "AlreadyCancelled",
        "InvalidPassengerSelection",
        "CancellationClosed",
        "DuplicateReference",
        "Maintenance",
        "Busy",
        "InternalError",
    } <= names


@pytest.mark.parametrize("error", [pytest.param(c, id=c.__name__) for c in ERROR_CLASSES])
def test_error_code_and_retryable(error: type[ReservationError]) -> None:
    instance = error("something went wrong")
    assert error.code == error.__name__
    assert instance.code == error.__name__
    assert instance.message == str(instance) == "something went wrong"
    assert issubclass(error, ClientError) != issubclass(error, ServerError)
    if issubclass(error, ClientError):
        assert instance.retryable is False
    else:
        assert instance.retryable is True
