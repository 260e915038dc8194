"""The six operations, translating wire types to domain calls and domain errors to faults."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from spyne import Array, Boolean, Date, ServiceBase, rpc

from soap_server.delivery import deliver
from soap_server.railway import operations as ops
from soap_server.railway.errors import InternalError, InvalidPassenger, ReservationError
from soap_server.railway.fares import Fare
from soap_server.railway.operations import Operation
from soap_server.railway.system import Railway
from soap_server.railway.views import (
    BookingRequest,
    BookingView,
    CancellationRequest,
    CancellationView,
    LoginRequest,
    LogoutRequest,
    PassengerRequest,
    PnrRequest,
    SearchRequest,
    TrainOption,
)
from soap_server.soap import types as t

log = logging.getLogger(__name__)


@dataclass
class CallContext:
    """What a call needs beyond its arguments; set on ``ctx.udc`` for every call."""

    railway: Railway


def fault_from_error(error: ReservationError) -> t.ReservationFault:
    return t.ReservationFault(error.code, error.message, error.retryable)


Req = TypeVar("Req")
Ans = TypeVar("Ans")


def _call(ctx: Any, operation: Operation[Req, Ans], request: Req) -> Ans:
    """Through the door, with the SessionHeader's token; a lost answer is noted for the app."""
    railway: Railway = ctx.udc.railway
    header = ctx.in_header
    token = None if header is None else header.SessionToken
    return deliver(ctx.transport.req_env, railway.call(operation, token, request))


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
    def Login(ctx: Any, AgentId: str, Password: str) -> t.LoginResult:  # noqa: N802, N803
        """Log in as a travel agent. Five wrong passwords in a row lock the agent for a while."""
        session = _call(ctx, ops.LOGIN, LoginRequest(AgentId, Password))
        return t.LoginResult(
            SessionToken=session.token,
            AgentId=session.agent,
            IdleTimeoutMinutes=int(session.idle_timeout.total_seconds() // 60),
            ServerTime=session.server_time,
        )

    @rpc(
        _returns=t.required(t.LogoutResult),
        _out_variable_name="Result",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def Logout(ctx: Any) -> t.LogoutResult:  # noqa: N802
        """End the session named in the SessionHeader."""
        _call(ctx, ops.LOGOUT, LogoutRequest())
        return t.LogoutResult(LoggedOut=True)

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
    ) -> list[t.TrainAvailability]:
        """Trains from one station to another on a journey date (the boarding date), with the
        availability and fare of each class in the quota asked for (GN by default). BCT is
        accepted for Mumbai Central and answered as MMCT."""
        request = SearchRequest(From_, To_, JourneyDate, Class_, Quota or "GN")
        return [_train(option) for option in _call(ctx, ops.SEARCH_TRAIN, request).trains]

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
    ) -> t.BookingDetails:
        """Book up to 6 passengers (4 in Tatkal). Seats go CNF, then RAC, then waitlist;
        REGRET past the waitlist limit. OnlyIfConfirmed books nothing unless every passenger
        is confirmed. Resending with the same ClientReference returns the first booking and
        books nothing new; the same reference with a different request is a Client fault."""
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
        return _booking(_call(ctx, ops.BOOK, request))

    @rpc(
        t.required(t.PnrNumber),
        _returns=t.required(t.BookingDetails),
        _out_variable_name="Booking",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def GetPnrStatus(ctx: Any, Pnr: str) -> t.BookingDetails:  # noqa: N802, N803
        """The booking and the current status of each passenger. Only the agent who booked a
        PNR may see it."""
        return _booking(_call(ctx, ops.GET_PNR_STATUS, PnrRequest(Pnr)))

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
    ) -> t.CancellationResult:
        """Cancel some passengers (by number) or, without Passengers, all of them. The refund
        follows the 2015 rules; RAC and waitlisted passengers move up in order."""
        numbers = list(Passengers.PassengerNumber or []) if Passengers is not None else []
        request = CancellationRequest(Pnr, tuple(numbers) or None)
        return _cancellation(_call(ctx, ops.CANCEL_BOOKING, request))


def _passenger(number: int, passenger: Any) -> PassengerRequest:
    if passenger is None:  # <Passenger xsi:nil="true"/> passes the schema
        raise InvalidPassenger(f"passenger {number} is empty")
    return PassengerRequest(
        passenger.Name, passenger.Age, passenger.Gender, passenger.BerthPreference
    )


# -- domain views to wire types ---------------------------------------------------------------


def _fare(fare: Fare) -> t.FareBreakdown:
    return t.FareBreakdown(
        BaseFare=fare.base,
        ReservationCharge=fare.reservation,
        SuperfastCharge=fare.superfast,
        TatkalCharge=fare.tatkal,
        Gst=fare.gst,
        Total=fare.total,
    )


def _train(option: TrainOption) -> t.TrainAvailability:
    return t.TrainAvailability(
        TrainNumber=option.number,
        TrainName=option.name,
        From=option.source.code,
        To=option.destination.code,
        Departure=option.departs,
        Arrival=option.arrives,
        Duration=option.duration,
        DistanceKm=option.distance_km,
        RunsOn=" ".join(option.runs_on),
        Classes=[
            t.ClassAvailability(
                Class=c.class_code,
                ClassName=c.class_name,
                Quota=c.quota,
                Status=c.status,
                Available=c.available,
                Fare=_fare(c.fare),
            )
            for c in option.classes
        ],
    )


def _booking(view: BookingView) -> t.BookingDetails:
    return t.BookingDetails(
        Pnr=view.pnr,
        ClientReference=view.client_reference,
        TrainNumber=view.train,
        TrainName=view.train_name,
        From=view.source.code,
        To=view.destination.code,
        JourneyDate=view.journey_date,
        Departure=view.departs,
        Arrival=view.arrives,
        Class=view.class_code,
        Quota=view.quota,
        BookedAt=view.booked_at,
        ChartStatus=view.chart_status,
        FarePerPassenger=_fare(view.fare),
        TotalFare=view.total_fare,
        TotalRefund=view.total_refund,
        Passengers=[
            t.PassengerStatus(
                Number=p.number,
                Name=p.name,
                Age=p.age,
                Gender=p.gender,
                BookingStatus=p.booking_status,
                CurrentStatus=p.current_status,
                Coach=p.coach,
                Berth=p.berth,
                BerthType=p.berth_type,
                Fare=p.fare,
                Refund=p.refund,
            )
            for p in view.passengers
        ],
    )


def _cancellation(result: CancellationView) -> t.CancellationResult:
    return t.CancellationResult(
        Pnr=result.booking.pnr,
        CancelledPassengers=t.PassengerNumbers(PassengerNumber=list(result.cancelled)),
        Refund=result.refund,
        CancellationCharges=result.charges,
        Promotions=[t.Promotion(From=p.was, To=p.now) for p in result.promotions],
        Booking=_booking(result.booking),
    )
