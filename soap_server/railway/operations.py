"""The operations of the core, as one table: the vocabulary every reader shares.

Each row says what an operation is called (``name``, the SOAP operation, and ``key``, the short
name profiles, the load generator and the comparison use), whether it needs a session, which
request and answer views it takes and gives, which domain errors it raises on purpose, and the
domain call that does the work. ``Railway.call`` runs any row through the one door; the facades
find their operations here, the simulation knows them by ``key``, the help page lists them.

A facade's own name for an operation (plain XML's ``PnrStatus``, REST's ``getBooking``) is that
facade's business, derived from ``name`` by its own rule where it can be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from soap_server.railway import errors as e
from soap_server.railway.agents import Credential, Session
from soap_server.railway.clock import IST
from soap_server.railway.views import (
    BoardingPointRequest,
    BookingRequest,
    BookingView,
    CancellationRequest,
    CancellationView,
    LoggedOut,
    LoginRequest,
    LogoutRequest,
    PnrRequest,
    ScheduledStop,
    ScheduleRequest,
    SearchRequest,
    TrainList,
    TrainSchedule,
)

if TYPE_CHECKING:
    from soap_server.railway.system import Railway

Req = TypeVar("Req")
Ans = TypeVar("Ans")

#: Errors the door itself may answer for any operation.
DOOR_ERRORS: tuple[type[e.ReservationError], ...] = (
    e.Maintenance,
    e.Busy,
    e.InternalError,
)
#: Errors the door answers for an operation that needs a session (or, over SOAP, the call's
#: own WS-Security UsernameToken).
SESSION_ERRORS: tuple[type[e.ReservationError], ...] = (
    e.SessionInvalid,
    e.SessionExpired,
    e.SecurityHeaderInvalid,
    e.MessageExpired,
    e.CreatedInFuture,
    e.DigestMismatch,
    e.NonceReplayed,
    e.AuthenticationFailed,
    e.LoginThrottled,
    e.RateLimited,
)
_JOURNEY = (e.UnknownStation, e.SameStation, e.OutsideReservationWindow)


@dataclass(frozen=True)
class Caller:
    """Who makes a call: the agent (from the session, or named by Login) and the session token."""

    agent: str
    token: Credential  # a session token, or the call's own WS-Security UsernameToken


@dataclass(frozen=True)
class Operation(Generic[Req, Ans]):
    """One operation of the core."""

    name: str
    key: str
    summary: str
    request: type[Req]
    answer: type[Ans]
    #: The domain errors the work raises on purpose (the door adds its own: ``raises``).
    errors: tuple[type[e.ReservationError], ...]
    #: The work: (the railway, who calls, the request) -> the answer.
    run: Callable[[Railway, Caller, Req], Ans]
    session: bool = True
    #: Whether the work changes anything (a lost answer of a write may hide a done change).
    writes: bool = False
    #: For an operation without a session, the agent it is made for (simulation streams).
    caller: Callable[[Req], str] | None = None

    @property
    def raises(self) -> tuple[type[e.ReservationError], ...]:
        """Every domain error a call of this operation can answer."""
        return (*(SESSION_ERRORS if self.session else ()), *self.errors, *DOOR_ERRORS)


def _login(railway: Railway, caller: Caller, request: LoginRequest) -> Session:
    return railway.agents.login(request.agent, request.password, request.source)


def _logout(railway: Railway, caller: Caller, request: LogoutRequest) -> LoggedOut:
    railway.agents.logout(caller.token)
    return LoggedOut()


def _search(railway: Railway, caller: Caller, request: SearchRequest) -> TrainList:
    trains = railway.office.search(
        request.source,
        request.destination,
        request.journey_date,
        request.class_code,
        request.quota,
    )
    return TrainList(tuple(trains))


def _book(railway: Railway, caller: Caller, request: BookingRequest) -> BookingView:
    return railway.office.book(caller.agent, request)


def _pnr_status(railway: Railway, caller: Caller, request: PnrRequest) -> BookingView:
    return railway.office.status(caller.agent, request.pnr)


def _cancel(railway: Railway, caller: Caller, request: CancellationRequest) -> CancellationView:
    numbers = None if request.passengers is None else list(request.passengers)
    return railway.office.cancel(caller.agent, request.pnr, numbers)


def _change_boarding(
    railway: Railway, caller: Caller, request: BoardingPointRequest
) -> BookingView:
    return railway.office.change_boarding(caller.agent, request.pnr, request.station)


def _schedule(railway: Railway, caller: Caller, request: ScheduleRequest) -> TrainSchedule:
    catalog = railway.catalog
    train = catalog.train(request.train)
    last = len(train.stops) - 1
    any_day = date(2024, 1, 1)  # the timetable is the same whichever day it starts
    return TrainSchedule(
        train_number=train.number,
        train_name=train.name,
        category=train.category,
        source=catalog.stations[train.stops[0].station],
        destination=catalog.stations[train.stops[last].station],
        runs_on=tuple(train.runs_on_names()),
        distance_km=train.distance(0, last),
        duration=train.arrival(any_day, last) - train.departure(any_day, 0),
        stops=tuple(
            ScheduledStop(
                number=number,
                station=stop.station,
                station_name=catalog.stations[stop.station].name,
                arrives=_ist(stop.arrives),
                departs=_ist(stop.departs),
                halt_minutes=_halt(stop.arrives, stop.departs),
                day=stop.day,
                distance_km=stop.km,
            )
            for number, stop in enumerate(train.stops, start=1)
        ),
    )


def _ist(moment: time | None) -> time | None:
    return None if moment is None else moment.replace(tzinfo=IST)


def _halt(arrives: time | None, departs: time | None) -> int | None:
    """Minutes between arrival and departure (past midnight if the train leaves the next day)."""
    if arrives is None or departs is None:
        return None
    day = date(2024, 1, 1)
    halt = datetime.combine(day, departs) - datetime.combine(day, arrives)
    return int((halt if halt >= timedelta(0) else halt + timedelta(days=1)).total_seconds() // 60)


LOGIN = Operation(
    name="Login",
    key="login",
    summary="Log in as a travel agent and get a session token.",
    request=LoginRequest,
    answer=Session,
    errors=(e.AuthenticationFailed, e.LoginThrottled, e.RateLimited),
    run=_login,
    session=False,
    writes=True,
    caller=lambda request: request.agent.strip().upper(),
)
LOGOUT = Operation(
    name="Logout",
    key="logout",
    summary="End the session.",
    request=LogoutRequest,
    answer=LoggedOut,
    errors=(),
    run=_logout,
    writes=True,
)
SEARCH_TRAIN = Operation(
    name="SearchTrain",
    key="search",
    summary="Trains between two stations on a date, with availability and fares.",
    request=SearchRequest,
    answer=TrainList,
    errors=_JOURNEY,
    run=_search,
)
BOOK = Operation(
    name="Book",
    key="book",
    summary="Book up to 6 passengers (the era's Tatkal limit): CNF, then RAC, then the waitlist.",
    request=BookingRequest,
    answer=BookingView,
    errors=(
        *_JOURNEY,
        e.TrainNotFound,
        e.TrainNotRunning,
        e.TrainDoesNotStop,
        e.ClassNotOnTrain,
        e.QuotaNotAvailable,
        e.TatkalNotOpen,
        e.AgentBarred,
        e.ChartPrepared,
        e.TooManyPassengers,
        e.InvalidPassenger,
        e.NoConfirmedSeats,
        e.WaitlistFull,
        e.DuplicateReference,
    ),
    run=_book,
    writes=True,
)
GET_PNR_STATUS = Operation(
    name="GetPnrStatus",
    key="pnr_status",
    summary="A booking and the current status of each passenger.",
    request=PnrRequest,
    answer=BookingView,
    errors=(e.PnrNotFound,),
    run=_pnr_status,
)
CANCEL_BOOKING = Operation(
    name="CancelBooking",
    key="cancel",
    summary="Cancel some or all passengers; refunds by the rules of the simulated day.",
    request=CancellationRequest,
    answer=CancellationView,
    errors=(
        e.PnrNotFound,
        e.AlreadyCancelled,
        e.InvalidPassengerSelection,
        e.CancellationClosed,
    ),
    run=_cancel,
    writes=True,
)
CHANGE_BOARDING_POINT = Operation(
    name="ChangeBoardingPoint",
    key="change_boarding",
    summary="Board at a later stop of the journey; the berths are kept for the new legs only.",
    request=BoardingPointRequest,
    answer=BookingView,
    errors=(
        e.PnrNotFound,
        e.UnknownStation,
        e.AlreadyCancelled,
        e.InvalidBoardingPoint,
        e.BoardingChangeClosed,
        e.ChartPrepared,
    ),
    run=_change_boarding,
    writes=True,
)
GET_TRAIN_SCHEDULE = Operation(
    name="GetTrainSchedule",
    key="schedule",
    summary="A train's timetable: stops, times, day offsets, distances, days of run.",
    request=ScheduleRequest,
    answer=TrainSchedule,
    errors=(e.TrainNotFound,),
    run=_schedule,
)

#: Every operation, in the order the contracts list them.
OPERATIONS: tuple[Operation[Any, Any], ...] = (
    LOGIN,
    LOGOUT,
    SEARCH_TRAIN,
    BOOK,
    GET_PNR_STATUS,
    CANCEL_BOOKING,
    GET_TRAIN_SCHEDULE,
    CHANGE_BOARDING_POINT,
)
BY_NAME = {operation.name: operation for operation in OPERATIONS}
BY_KEY = {operation.key: operation for operation in OPERATIONS}
