"""The operations of the contract, translating wire types to domain calls and domain errors to
faults; the answers are written from the domain's views by the compiled writer (``writer.py``).

Each ``@rpc`` here is the contract of one row of the operations table: its elements, their
types, the answer's element and the faults, with the documentation partners read in the WSDL.
A method reads its request view from what Spyne deserialised, calls the door and leaves the
answer's bytes on the call's ``CallContext``, which the protocol sends as they are.
"""

from __future__ import annotations

import logging
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


def _answer(ctx: Any, operation: Operation[Any, Any], request: Any) -> None:
    """Through the door, with the call's credential (a lost answer is noted for the app), and
    the answer written from the domain's view for the protocol to send."""
    udc: CallContext = ctx.udc
    answer = deliver(ctx.transport.req_env, udc.railway.call(operation, _token(ctx), request))
    udc.answer = udc.writer.answer(operation.name, answer)


def _source(ctx: Any) -> str:
    """The client's address, as the WSGI server (or a trusted proxy, see Settings) gave it."""
    environ = getattr(ctx.transport, "req_env", None) or {}
    return str(environ.get("REMOTE_ADDR") or "")


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
        except ReservationError as error:
            raise fault_from_error(error) from None
        except t.ReservationFault:
            raise
        except Exception:
            log.exception("unexpected failure in %s", ctx.method_request_string)
            raise fault_from_error(InternalError("unexpected internal error")) from None

    @rpc(
        t.required(t.AgentId),
        t.required(t.Password),
        _returns=t.required(t.LoginResult),
        _out_variable_name="Session",
        _throws=_THROWS,
    )
    def Login(ctx: Any, AgentId: str, Password: str) -> None:  # noqa: N802, N803
        """Log in as a travel agent. Five wrong passwords in a row lock the agent for a while."""
        request = LoginRequest(AgentId, Password, _source(ctx))
        _answer(ctx, ops.LOGIN, request)

    @rpc(
        _returns=t.required(t.LogoutResult),
        _out_variable_name="Result",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def Logout(ctx: Any) -> None:  # noqa: N802
        """End the session named in the SessionHeader."""
        _answer(ctx, ops.LOGOUT, LogoutRequest())

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
        request = SearchRequest(From_, To_, JourneyDate, Class_, Quota or "GN")
        _answer(ctx, ops.SEARCH_TRAIN, request)

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
        request = BookingRequest(
            train=TrainNumber,
            journey_date=JourneyDate,
            source=From_,
            destination=To_,
            class_code=Class_,
            quota=Quota or "GN",
            passengers=tuple(_passenger(number, p) for number, p in enumerate(Passengers, 1)),
            client_reference=ClientReference,
            only_if_confirmed=bool(OnlyIfConfirmed),
        )
        _answer(ctx, ops.BOOK, request)

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
        _answer(ctx, ops.GET_PNR_STATUS, PnrRequest(Pnr))

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
        numbers = None
        if Passengers is not None:  # present, even empty: a selection; absent: everyone
            numbers = list(Passengers.PassengerNumber or [])
            if any(number is None for number in numbers):  # xsi:nil passes the schema
                raise InvalidPassengerSelection("a PassengerNumber is nil")
        request = CancellationRequest(Pnr, None if numbers is None else tuple(numbers))
        _answer(ctx, ops.CANCEL_BOOKING, request)

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
        request = BoardingPointRequest(Pnr, BoardingPoint)
        _answer(ctx, ops.CHANGE_BOARDING_POINT, request)

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
        request = ScheduleRequest(TrainNumber)
        _answer(ctx, ops.GET_TRAIN_SCHEDULE, request)


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
