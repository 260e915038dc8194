"""``TravelAgent``: the partner side of the integration, over the client generated from the WSDL.

It knows the WSDL file, an endpoint URL and its credentials, nothing else. Every call goes
through ``irctc_client.IrctcReservationClient``, the typed module ``codegen`` generated from the
committed WSDL, so a misspelled field or a wrong type here is a type error, not a runtime fault.
The agent logs in lazily, logs in again once when the core says the session expired, sends
every Book with a client reference and retries lost answers and retryable faults with the same
reference (so a retry never books twice), records bookings in its own ledger before and after
the call, and turns every failure into an ``AgentError`` (see ``errors.py``).
"""

from __future__ import annotations

import functools
import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import requests
from lxml import etree
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import TransportError as ZeepTransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from soap_client import WSDL_PATH, checks
from soap_client import irctc_client as wire
from soap_client.errors import (
    AgentError,
    ClientFault,
    ServerFault,
    ServiceFault,
    SessionError,
    TransportError,
    fault_class,
)
from soap_client.ledger import Ledger
from soap_client.models import (
    Booking,
    Cancellation,
    ClassOffer,
    Fare,
    Passenger,
    PassengerStatus,
    Promotion,
    TrainOffer,
)
from soap_client.settings import safe_settings
from soap_client.trace import Traceable, TraceHook, TracingTransport

T = TypeVar("T")
Call = Callable[[wire.SessionHeader | None], T]
#: A read-only call of the generated client, given the client and the session header.
Read = Callable[[wire.IrctcReservationClient, wire.SessionHeader | None], T]
#: Client faults that say nothing about whether the core holds a booking for the reference.
NOT_ABOUT_THE_REQUEST = frozenset(
    {
        "RateLimited",
        "LoginThrottled",
        "SessionExpired",
        "SessionInvalid",
        "AuthenticationFailed",
    }
)


def new_reference(agent: str) -> str:
    return f"{agent}-{uuid.uuid4().hex[:20]}"


class TravelAgent:
    """A travel agent's connection to the reservation core. Use it as a context manager."""

    def __init__(
        self,
        url: str,
        agent: str,
        password: str,
        *,
        ledger: Ledger | None = None,
        wsdl: Path | str = WSDL_PATH,
        connect_timeout: float = 5.0,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        trace: TraceHook | None = None,
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        retry_refused: bool = True,
        wsse: Literal["text", "digest"] | None = None,
    ) -> None:
        """``wsse`` authenticates every call with a WS-Security UsernameToken (zeep's own
        ``zeep.wsse.UsernameToken``: PasswordText, or PasswordDigest with a fresh Nonce and
        Created for each call) instead of a Login session."""
        self.url = url
        self.agent = agent.upper()
        self._password = password
        self.ledger = ledger
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        #: Whether a refused connection (nothing listening) is retried like a lost one; the
        #: CLI says so at once instead.
        self.retry_refused = retry_refused
        if transport is None:
            transport = TracingTransport(
                timeout=connect_timeout, operation_timeout=(connect_timeout, timeout)
            )
        if trace is not None:
            if not isinstance(transport, Traceable):
                raise TypeError("a trace hook needs a transport from soap_client.trace")
            transport.trace_hook = trace
        self.transport = transport
        try:
            self._client = wire.IrctcReservationClient(
                str(wsdl), url, transport=transport, settings=safe_settings()
            )
        except (OSError, ZeepError, etree.XMLSyntaxError) as error:
            raise AgentError("Wsdl", f"cannot load the WSDL {wsdl}: {error}", False) from None
        self.wsse = wsse
        if wsse is not None:
            self._client.zeep.wsse = UsernameToken(
                self.agent, password, use_digest=wsse == "digest", zulu_timestamp=True
            )
        self._token: str | None = None
        self._lock = threading.Lock()
        #: The core's clock at the last login (it may be simulated).
        self.server_time: datetime | None = None
        #: Whether the last call may have reached the core without its answer reaching us.
        self.uncertain = False

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> TravelAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Log out if logged in. Failing to log out is not an error worth raising at exit."""
        if self._token is not None:
            try:
                self.logout()
            except AgentError:
                self._token = None

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    def login(self) -> str:
        session = self._guard(
            lambda: self._client.login(agent_id=self.agent, password=self._password)
        )
        with self._lock:
            self._token = session.session_token
            self.server_time = session.server_time
        return session.session_token

    def logout(self) -> None:
        token = self._token
        if token is None:
            return
        try:
            self._guard(lambda: self._client.logout(session_header=_header(token)))
        except SessionError:
            pass  # already gone: that is what we wanted
        finally:
            self._token = None

    # -- operations ----------------------------------------------------------------------------
    def read(self, call: Read[T]) -> T:
        """Any read-only operation of the generated client, with the agent's session and retries:
        ``agent.read(lambda c, h: c.get_pnr_status(pnr=pnr, session_header=h))``. It logs in
        if needed, once more on an expired session, and retries lost answers and retryable
        faults (reading twice changes nothing)."""
        return self._call(lambda header: call(self._client, header), retry=True)

    def search(
        self,
        source: str,
        destination: str,
        journey_date: date,
        travel_class: wire.ClassType | None = None,
        quota: wire.QuotaType | None = None,
    ) -> list[TrainOffer]:
        trains = self.read(
            lambda client, header: client.search_train(
                from_=source,
                to=destination,
                journey_date=journey_date,
                class_=travel_class,
                quota=quota,
                session_header=header,
            )
        )
        return [_train(t) for t in trains]

    def book(
        self,
        train: str,
        journey_date: date,
        source: str,
        destination: str,
        travel_class: wire.ClassType,
        passengers: list[Passenger],
        *,
        quota: wire.QuotaType = "GN",
        only_if_confirmed: bool = False,
        reference: str | None = None,
    ) -> Booking:
        """Book, retrying lost answers and retryable faults with the same client reference.

        A request the contract does not allow is refused before anything is sent or recorded
        (``checks.LocalError``)."""
        train, source, destination = (
            checks.train(train),
            checks.station(source),
            checks.station(destination),
        )
        checks.passenger_count(len(passengers), quota)
        passengers = [checks.checked(p) for p in passengers]
        reference = reference or new_reference(self.agent)
        request: dict[str, Any] = {
            "TrainNumber": train,
            "JourneyDate": journey_date.isoformat(),
            "From": source,
            "To": destination,
            "Class": travel_class,
            "Quota": quota,
            "Passengers": {
                "Passenger": [
                    {
                        "Name": p.name,
                        "Age": p.age,
                        "Gender": p.gender,
                        "BerthPreference": p.berth,
                        **({"NoBerth": True} if p.no_berth else {}),
                    }
                    for p in passengers
                ]
            },
            "OnlyIfConfirmed": only_if_confirmed,
            "ClientReference": reference,
        }
        return self._send_booking(reference, request)

    def pnr_status(self, pnr: str) -> Booking:
        pnr = checks.pnr(pnr)
        details = self.read(
            lambda client, header: client.get_pnr_status(pnr=pnr, session_header=header)
        )
        booking = _booking(details)
        if self.ledger is not None:
            self.ledger.record_booking(booking)
        return booking

    def cancel(self, pnr: str, passengers: list[int] | None = None) -> Cancellation:
        """Cancel. Not retried after a lost answer (the core may have cancelled already): check
        the PNR instead. Retryable faults, which change nothing, are retried."""
        pnr = checks.pnr(pnr)
        result = _cancellation(
            self._call(
                lambda header: self._client.cancel_booking(
                    pnr=pnr, passengers=passengers or None, session_header=header
                ),
                retry="faults",
            )
        )
        if self.ledger is not None:
            self.ledger.record_booking(result.booking)
        return result

    def change_boarding(self, pnr: str, station: str) -> Booking:
        """Board at a later stop of the journey. Retried after a lost answer too: asking again
        for the station already changed to answers the booking, and changes nothing more."""
        pnr, station = checks.pnr(pnr), checks.station(station)
        booking = _booking(
            self._call(
                lambda header: self._client.change_boarding_point(
                    pnr=pnr, boarding_point=station, session_header=header
                ),
                retry=True,
            )
        )
        if self.ledger is not None:
            self.ledger.record_booking(booking)
        return booking

    def sync(self) -> list[Booking]:
        """Reconcile pending ledger entries, then refresh every booked one from the core."""
        if self.ledger is None:
            raise AgentError("NoLedger", "sync needs a ledger", False)
        refreshed = []
        for entry in self.ledger.entries("PENDING"):
            if entry.agent == self.agent:
                refreshed.append(self._send_booking(entry.reference, entry.request))
        done = {booking.pnr for booking in refreshed}
        for entry in self.ledger.entries("BOOKED"):
            if entry.agent == self.agent and entry.pnr is not None and entry.pnr not in done:
                refreshed.append(self.pnr_status(entry.pnr))
        return refreshed

    # -- machinery -----------------------------------------------------------------------------
    def _send_booking(self, reference: str, request: dict[str, Any]) -> Booking:
        """Book from the ledger's form of a request (what ``record_pending`` stores)."""
        if self.ledger is not None:
            self.ledger.record_pending(reference, self.agent, request)
        passengers = [
            wire.Passenger(
                name=p["Name"],
                age=int(p["Age"]),
                gender=p["Gender"],
                berth_preference=p.get("BerthPreference"),
                no_berth=True if p.get("NoBerth") else None,
            )
            for p in request["Passengers"]["Passenger"]
        ]
        try:
            details = self._call(
                lambda header: self._client.book(
                    train_number=request["TrainNumber"],
                    journey_date=date.fromisoformat(request["JourneyDate"]),
                    from_=request["From"],
                    to=request["To"],
                    class_=request["Class"],
                    quota=request.get("Quota"),
                    passengers=passengers,
                    only_if_confirmed=request.get("OnlyIfConfirmed"),
                    client_reference=reference,
                    session_header=header,
                ),
                retry=True,
            )
        except ClientFault as error:
            # FAILED only when the core surely booked nothing: the refusal is about the request
            # itself and no earlier attempt may have been booked with its answer lost.
            final = error.code not in NOT_ABOUT_THE_REQUEST and not self.uncertain
            if self.ledger is not None:
                self.ledger.record_failure(reference, str(error), final=final)
            raise
        except AgentError as error:
            if self.ledger is not None:
                self.ledger.record_failure(reference, str(error), final=False)
            raise
        booking = _booking(details)
        if self.ledger is not None:
            self.ledger.record_booking(booking)
        return booking

    def _call(self, call: Call[T], retry: bool | str) -> T:
        """Call with a session: log in lazily, once more on an expired session, and retry.

        The (re-)login is inside the retry loop: a login that meets maintenance, an overloaded
        core or a lost answer is retried like the call itself. ``self.uncertain`` tells whether
        an attempt may have reached the core without its answer reaching us.
        """
        attempt = 0
        relogged = False
        self.uncertain = False
        while True:
            token: str | None = None
            try:
                if self.wsse is not None:  # the call carries its own credentials
                    return self._guard(functools.partial(call, None))
                token = self._token or self.login()
                return self._guard(functools.partial(call, _header(token)))
            except SessionError:
                if relogged or self.wsse is not None:
                    raise
                relogged = True
                with self._lock:
                    if self._token == token:
                        self._token = None
            except (ServerFault, TransportError) as error:
                refused = error.code == "ConnectionRefused"  # the request never left
                if isinstance(error, TransportError) and token is not None and not refused:
                    self.uncertain = True
                if not error.retryable or attempt >= self.retries:
                    raise
                if retry is False or (retry == "faults" and isinstance(error, TransportError)):
                    raise
                if error.code == "ConnectionRefused" and not self.retry_refused:
                    raise
                attempt += 1
                self._sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 2))

    def _guard(self, call: Callable[[], T]) -> T:
        """One call through the generated client, with every failure mapped to an AgentError."""
        try:
            return call()
        except wire.ServiceFault as fault:
            raise _service_fault(fault) from None
        except requests.Timeout:
            raise TransportError(f"no answer from {self.url} in time", code="Timeout") from None
        except requests.ConnectionError as error:
            reason = _reason(error)
            raise TransportError(
                f"connection to {self.url} failed: {reason}",
                code="ConnectionRefused" if reason == "connection refused" else "Transport",
            ) from None
        except ZeepTransportError as error:
            raise TransportError(
                f"HTTP {error.status_code} from {self.url} without a SOAP answer",
                code="HttpError",
            ) from None
        except (etree.XMLSyntaxError, ZeepError) as error:
            raise TransportError(
                f"unreadable answer from {self.url}: {error}", "BadResponse"
            ) from None


def _header(token: str) -> wire.SessionHeader:
    return wire.SessionHeader(session_token=token)


def _reason(error: requests.ConnectionError) -> str:
    text = str(error)
    for marker in (
        "Connection refused",
        "Connection reset",
        "RemoteDisconnected",
        "Connection aborted",
        "Name or service not known",
    ):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200]


def _service_fault(fault: wire.ServiceFault) -> ServiceFault:
    faultcode = fault.faultcode.split(":")[-1] or "Server"
    code = faultcode.partition(".")[2] or faultcode
    message = fault.message
    retryable = faultcode.startswith("Server")
    if isinstance(fault, wire.ReservationFaultError) and fault.detail is not None:
        code, message, retryable = fault.detail.code, fault.detail.message, fault.detail.retryable
    return fault_class(faultcode, code, retryable)(faultcode, code, message, retryable)


# -- the generated client's types to the agent's models -------------------------------------------


def _fare(f: wire.FareBreakdown) -> Fare:
    return Fare(
        f.base_fare, f.reservation_charge, f.superfast_charge, f.tatkal_charge, f.gst, f.total
    )


def _train(t: wire.TrainAvailability) -> TrainOffer:
    return TrainOffer(
        number=t.train_number,
        name=t.train_name,
        source=t.from_,
        destination=t.to,
        departs=t.departure,
        arrives=t.arrival,
        duration=t.duration,
        distance_km=t.distance_km,
        runs_on=t.runs_on,
        classes=tuple(
            ClassOffer(c.class_, c.class_name, c.quota, c.status, c.available, _fare(c.fare))
            for c in t.classes
        ),
    )


def _booking(b: wire.BookingDetails) -> Booking:
    return Booking(
        pnr=b.pnr,
        reference=b.client_reference,
        train=b.train_number,
        train_name=b.train_name,
        source=b.from_,
        destination=b.to,
        journey_date=b.journey_date,
        departs=b.departure,
        arrives=b.arrival,
        travel_class=b.class_,
        quota=b.quota,
        booked_at=b.booked_at,
        chart_status=b.chart_status,
        fare_per_passenger=_fare(b.fare_per_passenger),
        total_fare=b.total_fare,
        total_refund=b.total_refund,
        passengers=tuple(
            PassengerStatus(
                number=p.number,
                name=p.name,
                age=p.age,
                gender=p.gender,
                booking_status=p.booking_status,
                current_status=p.current_status,
                coach=p.coach,
                berth=p.berth,
                berth_type=p.berth_type,
                fare=p.fare,
                refund=p.refund,
            )
            for p in b.passengers
        ),
        boarding_point=b.boarding_point,
    )


def _cancellation(c: wire.CancellationResult) -> Cancellation:
    return Cancellation(
        pnr=c.pnr,
        cancelled=tuple(c.cancelled_passengers),
        refund=c.refund,
        charges=c.cancellation_charges,
        promotions=tuple(Promotion(p.from_, p.to) for p in c.promotions),
        booking=_booking(c.booking),
    )


__all__ = ["Passenger", "TravelAgent", "new_reference"]
