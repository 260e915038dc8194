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
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from soap_server.railway import errors as e
from soap_server.railway.agents import Credential, Session
from soap_server.railway.views import (
    BookingRequest,
    BookingView,
    CancellationRequest,
    CancellationView,
    LoggedOut,
    LoginRequest,
    LogoutRequest,
    PnrRequest,
    SearchRequest,
    TrainList,
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
    summary="Book up to 6 passengers (4 in Tatkal): CNF, then RAC, then waitlist.",
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
    summary="Cancel some or all passengers; refunds per the 2015 rules.",
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

#: Every operation, in the order the contracts list them.
OPERATIONS: tuple[Operation[Any, Any], ...] = (
    LOGIN,
    LOGOUT,
    SEARCH_TRAIN,
    BOOK,
    GET_PNR_STATUS,
    CANCEL_BOOKING,
)
BY_NAME = {operation.name: operation for operation in OPERATIONS}
BY_KEY = {operation.key: operation for operation in OPERATIONS}
