"""The operations of the contract, as Spyne declares them: the source of the WSDL.

Each ``@rpc`` here is the contract of one row of the operations table (``railway/operations.py``):
its elements, their types, the answer's element and the faults, with the docstring partners read
in the WSDL. The work is the same for every operation and written once (``_serve``): the request
view built from what Spyne read, the call through the door, the answer written by the compiled
writer. Requests normally never get here: the endpoint reads them with the compiled reader and
answers itself; Spyne reads only what that reader leaves to it (``reader.Fallback``). Domain
errors become the contract's faults in ``call_wrapper``, and nowhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from spyne import Array, Boolean, Date, ServiceBase, rpc

from soap_server.delivery import deliver
from soap_server.railway import operations as ops
from soap_server.railway.errors import InternalError, ReservationError
from soap_server.railway.system import Railway
from soap_server.soap import types as t
from soap_server.soap.reader import RequestReader
from soap_server.soap.writer import AnswerWriter

log = logging.getLogger(__name__)


@dataclass
class CallContext:
    """What a call needs beyond its arguments; set on ``ctx.udc`` for every call."""

    railway: Railway
    reader: RequestReader
    writer: AnswerWriter
    #: The answer envelope, once written (the protocol sends it as it is).
    answer: bytes | None = None


def fault_from_error(error: ReservationError) -> t.ReservationFault:
    return t.ReservationFault(error.code, error.message, error.retryable)


def _serve(ctx: Any, *values: Any) -> None:
    """Any operation: its request view from Spyne's arguments, the door, the written answer."""
    udc: CallContext = ctx.udc
    name = ctx.descriptor.name
    request = udc.reader.from_spyne(name, values)
    header = ctx.in_header
    token = None if header is None else header.SessionToken
    answer = udc.railway.call(ops.BY_NAME[name], token, request)
    udc.answer = udc.writer.answer(name, deliver(ctx.transport.req_env, answer))


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
        _serve(ctx, AgentId, Password)

    @rpc(
        _returns=t.required(t.LogoutResult),
        _out_variable_name="Result",
        _throws=_THROWS,
        _in_header=_SESSION,
    )
    def Logout(ctx: Any) -> None:  # noqa: N802
        """End the session named in the SessionHeader."""
        _serve(ctx)

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
        _serve(ctx, From_, To_, JourneyDate, Class_, Quota)

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
        """Book up to 6 passengers (4 in Tatkal). Seats go CNF, then RAC, then waitlist;
        REGRET past the waitlist limit. OnlyIfConfirmed books nothing unless every passenger
        is confirmed. Resending with the same ClientReference returns the first booking and
        books nothing new; the same reference with a different request is a Client fault."""
        _serve(
            ctx,
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
        _serve(ctx, Pnr)

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
        follows the 2015 rules; RAC and waitlisted passengers move up in order."""
        _serve(ctx, Pnr, Passengers)
