"""The operations of the contract, translating wire types to domain calls and domain errors to
faults; the answers are written from the domain's views by the compiled writer (``writer.py``).

Each ``@rpc`` here is the contract of one row of the operations table: its elements, their
types, the answer's element and the faults, with the documentation partners read in the WSDL.
The work of a call is written once (``serve``), for both readers of a request: the compiled
reader (``reader.py``), which reads most requests straight from the envelope, and Spyne, which
reads the ones that reader leaves to it and calls the methods below. Either way the request
view is built by the same function of the message's values (``REQUESTS``), goes through the
door with the same credential, and the answer's bytes are written by the compiled writer
(``writer.py``); domain errors become the contract's faults in one place (``fault_for``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from spyne import Array, Boolean, Date, ServiceBase, rpc

from soap_server.delivery import deliver
from soap_server.railway import operations as ops
from soap_server.railway.agents import Credential, UsernameToken
from soap_server.railway.errors import (
    InternalError,
    InvalidPassenger,
    InvalidPassengerSelection,
    ReservationError,
)
from soap_server.railway.operations import Operation
from soap_server.railway.system import Railway
from soap_server.railway.views import (
    BoardingPointRequest,
    BookingRequest,
    CancellationRequest,
    LoginRequest,
    LogoutRequest,
    PassengerRequest,
    PnrRequest,
    ScheduleRequest,
    SearchRequest,
)
from soap_server.soap import types as t
from soap_server.soap.endpoint import USERNAME_TOKEN
from soap_server.soap.writer import AnswerWriter

log = logging.getLogger(__name__)


@dataclass
class CallContext:
    """What a call needs beyond its arguments; set on ``ctx.udc`` for every call."""

    railway: Railway
    writer: AnswerWriter
    #: The answer envelope, once written (the protocol sends it as it is).
    answer: bytes | None = None


def fault_from_error(error: ReservationError) -> t.ReservationFault:
    return t.ReservationFault(error.code, error.message, error.retryable)


def _serve(ctx: Any, operation: Operation[Any, Any], *values: Any) -> None:
    """A call Spyne read: its values (in the message's declared order), the call's credential
    and address, and the answer's bytes left for the protocol to send."""
    udc: CallContext = ctx.udc
    environ = getattr(ctx.transport, "req_env", None) or {}
    udc.answer = serve(udc.railway, udc.writer, environ, operation, _token(ctx), values)


def serve(
    railway: Railway,
    writer: AnswerWriter,
    environ: dict[str, Any],
    operation: Operation[Any, Any],
    credential: Credential,
    values: tuple[Any, ...],
) -> bytes:
    """Any call, whoever read it (Spyne, or the compiled reader: ``reader.py``): the request
    view built from the values of the message's elements in declared order (``REQUESTS``),
    through the door with the call's credential (a lost answer is noted for the app), and the
    answer envelope written from the domain's view."""
    request = REQUESTS[operation.name](str(environ.get("REMOTE_ADDR") or ""), *values)
    answer = deliver(environ, railway.call(operation, credential, request))
    return writer.answer(operation.name, answer)


def fault_for(error: Exception, where: str) -> t.ReservationFault:
    """The contract's fault for whatever a call raised: a domain error its own fault, anything
    unexpected logged (call this in the ``except`` block) and answered as InternalError."""
    if isinstance(error, ReservationError):
        return fault_from_error(error)
    if isinstance(error, t.ReservationFault):
        return error
    log.exception("unexpected failure in %s", where)
    return fault_from_error(InternalError("unexpected internal error"))


def _token(ctx: Any) -> Credential:
    """The call's credential: the UsernameToken of its wsse:Security header (read by the
    endpoint), else the SessionHeader's token."""
    environ = getattr(ctx.transport, "req_env", None) or {}
    token: UsernameToken | None = environ.get(USERNAME_TOKEN)
    if token is not None:
        return token
    header = ctx.in_header
    return None if header is None else header.SessionToken


_THROWS = [t.ReservationFault]
_SESSION = (t.SessionHeader,)


class ReservationService(ServiceBase):
    """Indian Railways reservation web service for authorised travel agents.

    Log in with your agent id and password to get a session token, then send it in the
    SessionHeader of every other call. Sessions end after some idle minutes. Faults carry a
    ReservationFault detail whose Retryable flag says whether resending may succeed.
    """

    @classmethod
    def call_wrapper(cls, ctx: Any, args: Any = None) -> Any:
        """Domain errors become typed faults here, and nowhere else."""
        try:
            return super().call_wrapper(ctx, args)
        except Exception as error:
            raise fault_for(error, ctx.method_request_string) from None

    @rpc(
        t.required(t.AgentId),
        t.required(t.Password),
        _returns=t.required(t.LoginResult),
        _out_variable_name="Session",
        _throws=_THROWS,
    )
    def Login(ctx: Any, AgentId: str, Password: str) -> None:  # noqa: N802, N803
        """Log in as a travel agent. Five wrong passwords in a row lock the agent for a while."""
        _serve(ctx, ops.LOGIN, AgentId, Password)

    @rpc(
        _returns=t.required(t.LogoutResult),
        _out_variable_name="Result",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def Logout(ctx: Any) -> None:  # noqa: N802
        """End the session named in the SessionHeader."""
        _serve(ctx, ops.LOGOUT)

    @rpc(
        t.required(t.StationCode),
        t.required(t.StationCode),
        t.required(Date),
        t.optional(t.ClassCode),
        t.optional(t.QuotaCode),
        _returns=t.required(Array(t.TrainAvailability)),
        _out_variable_name="Trains",
        _throws=_THROWS,
        _in_header=_SESSION,
        _in_arg_names={"From_": "From", "To_": "To", "Class_": "Class"},
    )
    def SearchTrain(  # noqa: N802
        ctx: Any,
        From_: str,  # noqa: N803
        To_: str,  # noqa: N803
        JourneyDate: date,  # noqa: N803
        Class_: str | None,  # noqa: N803
        Quota: str | None,  # noqa: N803
    ) -> None:
        """Trains from one station to another on a journey date (the boarding date), with the
        availability and fare of each class in the quota asked for (GN by default). BCT is
        accepted for Mumbai Central and answered as MMCT."""
        _serve(ctx, ops.SEARCH_TRAIN, From_, To_, JourneyDate, Class_, Quota)

    @rpc(
        t.required(t.TrainNumber),
        t.required(Date),
        t.required(t.StationCode),
        t.required(t.StationCode),
        t.required(t.ClassCode),
        t.optional(t.QuotaCode),
        t.required(Array(t.Passenger, min_occurs=1)),
        t.optional(Boolean),
        t.required(t.ClientReference),
        _returns=t.required(t.BookingDetails),
        _out_variable_name="Booking",
        _throws=_THROWS,
        _in_header=_SESSION,
        _in_arg_names={"From_": "From", "To_": "To", "Class_": "Class"},
    )
    def Book(  # noqa: N802
        ctx: Any,
        TrainNumber: str,  # noqa: N803
        JourneyDate: date,  # noqa: N803
        From_: str,  # noqa: N803
        To_: str,  # noqa: N803
        Class_: str,  # noqa: N803
        Quota: str | None,  # noqa: N803
        Passengers: list[Any],  # noqa: N803
        OnlyIfConfirmed: bool | None,  # noqa: N803
        ClientReference: str,  # noqa: N803
    ) -> None:
        """Book up to 6 passengers (the era's Tatkal limit in Tatkal). Seats go CNF, then RAC,
        then the waitlist of the journey's pool (GNWL, RLWL, PQWL, RSWL, TQWL...); REGRET past
        the waitlist limit; after the chart only confirmed current booking. OnlyIfConfirmed
        books nothing unless every passenger is confirmed. Agents are barred in the era's first
        minutes of each opening (AgentBarred). Resending with the same ClientReference returns
        the first booking and books nothing new; the same reference with a different request
        is a Client fault."""
        _serve(
            ctx,
            ops.BOOK,
            TrainNumber,
            JourneyDate,
            From_,
            To_,
            Class_,
            Quota,
            Passengers,
            OnlyIfConfirmed,
            ClientReference,
        )

    @rpc(
        t.required(t.PnrNumber),
        _returns=t.required(t.BookingDetails),
        _out_variable_name="Booking",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def GetPnrStatus(ctx: Any, Pnr: str) -> None:  # noqa: N802, N803
        """The booking and the current status of each passenger. Only the agent who booked a
        PNR may see it."""
        _serve(ctx, ops.GET_PNR_STATUS, Pnr)

    @rpc(
        t.required(t.PnrNumber),
        t.optional(t.PassengerNumbers),
        _returns=t.required(t.CancellationResult),
        _out_variable_name="Cancellation",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def CancelBooking(  # noqa: N802
        ctx: Any,
        Pnr: str,  # noqa: N803
        Passengers: t.PassengerNumbers | None,  # noqa: N803
    ) -> None:
        """Cancel some passengers (by number) or, without Passengers, all of them. The refund
        follows the rules of the simulated day (with GST on the charge of AC classes since
        July 2017); RAC and waitlisted passengers move up in order until the chart."""
        _serve(ctx, ops.CANCEL_BOOKING, Pnr, Passengers)

    @rpc(
        t.required(t.PnrNumber),
        t.required(t.StationCode),
        _returns=t.required(t.BookingDetails),
        _out_variable_name="Booking",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def ChangeBoardingPoint(  # noqa: N802
        ctx: Any,
        Pnr: str,  # noqa: N803
        BoardingPoint: str,  # noqa: N803
    ) -> None:
        """Board at a later stop of the booked journey, under the rule of the simulated day (up
        to the chart from May 2019, 24 hours before departure before; once). The berths are kept
        for the new legs only and the legs given up go to the waiting passengers; no fare is
        refunded and the original station may no longer be boarded at. Asking again for the
        station already changed to answers the booking (a safe retry). Faults:
        InvalidBoardingPoint (not a later stop of the journey), BoardingChangeClosed (past the
        cut-off, or changed already), ChartPrepared."""
        _serve(ctx, ops.CHANGE_BOARDING_POINT, Pnr, BoardingPoint)

    @rpc(
        t.required(t.TrainNumber),
        _returns=t.required(t.TrainSchedule),
        _out_variable_name="Schedule",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def GetTrainSchedule(ctx: Any, TrainNumber: str) -> None:  # noqa: N802, N803
        """A train's timetable: every stop with its arrival and departure (IST), the day of the
        journey it falls on (1 is the day the train leaves its origin), the halt and the
        distance from the origin, and the days the train runs."""
        _serve(ctx, ops.GET_TRAIN_SCHEDULE, TrainNumber)


# -- the request views ---------------------------------------------------------------------------
# One function per operation: the caller's address, then the values of the request message's
# elements in declared order (what Spyne passes the methods above, and what the compiled reader
# reads: absent or nil elements are None, a repeated one a list, a complex one an object with
# the type's element names as attributes), to the request view the door takes.


def _login(source: str, agent: str, password: str) -> LoginRequest:
    return LoginRequest(agent, password, source)


def _logout(source: str) -> LogoutRequest:
    return LogoutRequest()


def _search(
    source: str,
    origin: str,
    destination: str,
    journey_date: date,
    class_code: str | None,
    quota: str | None,
) -> SearchRequest:
    return SearchRequest(origin, destination, journey_date, class_code, quota or "GN")


def _book(
    source: str,
    train: str,
    journey_date: date,
    origin: str,
    destination: str,
    class_code: str,
    quota: str | None,
    passengers: list[Any],
    only_if_confirmed: bool | None,
    client_reference: str,
) -> BookingRequest:
    return BookingRequest(
        train=train,
        journey_date=journey_date,
        source=origin,
        destination=destination,
        class_code=class_code,
        quota=quota or "GN",
        passengers=tuple(_passenger(number, p) for number, p in enumerate(passengers, 1)),
        client_reference=client_reference,
        only_if_confirmed=bool(only_if_confirmed),
    )


def _passenger(number: int, passenger: Any) -> PassengerRequest:
    if passenger is None:  # <Passenger xsi:nil="true"/> passes the schema
        raise InvalidPassenger(f"passenger {number} is empty")
    return PassengerRequest(
        passenger.Name,
        passenger.Age,
        passenger.Gender,
        passenger.BerthPreference,
        no_berth=bool(passenger.NoBerth),
    )


def _pnr_status(source: str, pnr: str) -> PnrRequest:
    return PnrRequest(pnr)


def _cancel(source: str, pnr: str, passengers: Any) -> CancellationRequest:
    numbers = None
    if passengers is not None:  # present, even empty: a selection; absent: everyone
        numbers = list(passengers.PassengerNumber or [])
        if any(number is None for number in numbers):  # xsi:nil passes the schema
            raise InvalidPassengerSelection("a PassengerNumber is nil")
    return CancellationRequest(pnr, None if numbers is None else tuple(numbers))


def _boarding_point(source: str, pnr: str, station: str) -> BoardingPointRequest:
    return BoardingPointRequest(pnr, station)


def _schedule(source: str, train: str) -> ScheduleRequest:
    return ScheduleRequest(train)


#: The request view of each operation of the table, by its name.
REQUESTS: dict[str, Callable[..., Any]] = {
    ops.LOGIN.name: _login,
    ops.LOGOUT.name: _logout,
    ops.SEARCH_TRAIN.name: _search,
    ops.BOOK.name: _book,
    ops.GET_PNR_STATUS.name: _pnr_status,
    ops.CANCEL_BOOKING.name: _cancel,
    ops.CHANGE_BOARDING_POINT.name: _boarding_point,
    ops.GET_TRAIN_SCHEDULE.name: _schedule,
}
