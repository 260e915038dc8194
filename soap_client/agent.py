"""``TravelAgent``: the partner side of the integration, over zeep and the committed WSDL.

It knows the WSDL file, an endpoint URL and its credentials, nothing else. It logs in lazily,
logs in again once when the core says the session expired, sends every Book with a client
reference and retries lost answers and retryable faults with the same reference (so a retry
never books twice), records bookings in its own ledger before and after the call, and turns
every failure into an ``AgentError`` (see ``errors.py``).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from lxml import etree
from zeep import Client
from zeep import Settings as ZeepSettings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.exceptions import TransportError as ZeepTransportError
from zeep.helpers import serialize_object
from zeep.transports import Transport

from soap_client import WSDL_PATH
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
from soap_client.trace import Traceable, TraceHook, TracingTransport

TNS = "urn:irctc:reservation:v1"


def safe_settings() -> ZeepSettings:
    """Strict parsing, and no DTDs, entities or external loads from anything the core sends."""
    return ZeepSettings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
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
    ) -> None:
        self.url = url
        self.agent = agent.upper()
        self._password = password
        self.ledger = ledger
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
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
            self._client = Client(str(wsdl), transport=transport, settings=safe_settings())
        except (OSError, ZeepError, etree.XMLSyntaxError) as error:
            raise AgentError("Wsdl", f"cannot load the WSDL {wsdl}: {error}", False) from None
        binding = next(iter(self._client.wsdl.bindings))
        self._service = self._client.create_service(binding, url)
        self._token: str | None = None
        self._lock = threading.Lock()
        #: The core's clock at the last login (it may be simulated).
        self.server_time: datetime | None = None

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
        result = self._invoke("Login", AgentId=self.agent, Password=self._password)
        with self._lock:
            self._token = result.SessionToken
            self.server_time = result.ServerTime
        return str(result.SessionToken)

    def logout(self) -> None:
        if self._token is None:
            return
        try:
            self._invoke("Logout", _soapheaders=self._header(self._token))
        except SessionError:
            pass  # already gone: that is what we wanted
        finally:
            self._token = None

    # -- operations ----------------------------------------------------------------------------
    def search(
        self,
        source: str,
        destination: str,
        journey_date: date,
        travel_class: str | None = None,
        quota: str | None = None,
    ) -> list[TrainOffer]:
        result = self._call(
            "SearchTrain",
            retry=True,
            From=source,
            To=destination,
            JourneyDate=journey_date,
            Class=travel_class,
            Quota=quota,
        )
        return [_train(t) for t in (result or [])]

    def book(
        self,
        train: str,
        journey_date: date,
        source: str,
        destination: str,
        travel_class: str,
        passengers: list[Passenger],
        *,
        quota: str = "GN",
        only_if_confirmed: bool = False,
        reference: str | None = None,
    ) -> Booking:
        """Book, retrying lost answers and retryable faults with the same client reference."""
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
                    {"Name": p.name, "Age": p.age, "Gender": p.gender, "BerthPreference": p.berth}
                    for p in passengers
                ]
            },
            "OnlyIfConfirmed": only_if_confirmed,
            "ClientReference": reference,
        }
        return self._send_booking(reference, request)

    def pnr_status(self, pnr: str) -> Booking:
        booking = _booking(self._call("GetPnrStatus", retry=True, Pnr=pnr))
        if self.ledger is not None:
            self.ledger.record_booking(booking)
        return booking

    def cancel(self, pnr: str, passengers: list[int] | None = None) -> Cancellation:
        """Cancel. Not retried after a lost answer (the core may have cancelled already): check
        the PNR instead. Retryable faults, which change nothing, are retried."""
        selection = {"PassengerNumber": passengers} if passengers else None
        result = _cancellation(
            self._call("CancelBooking", retry="faults", Pnr=pnr, Passengers=selection)
        )
        if self.ledger is not None:
            self.ledger.record_booking(result.booking)
        return result

    def sync(self) -> list[Booking]:
        """Reconcile pending ledger entries, then refresh every booked one from the core."""
        if self.ledger is None:
            raise AgentError("NoLedger", "sync needs a ledger", False)
        refreshed = []
        for entry in self.ledger.entries("PENDING"):
            if entry.agent == self.agent:
                refreshed.append(self._send_booking(entry.reference, entry.request))
        for entry in self.ledger.entries("BOOKED"):
            if entry.agent == self.agent and entry.pnr is not None:
                refreshed.append(self.pnr_status(entry.pnr))
        return refreshed

    # -- machinery -----------------------------------------------------------------------------
    def _send_booking(self, reference: str, request: dict[str, Any]) -> Booking:
        if self.ledger is not None:
            self.ledger.record_pending(reference, self.agent, request)
        wire = dict(request, JourneyDate=date.fromisoformat(request["JourneyDate"]))
        try:
            booking = _booking(self._call("Book", retry=True, **wire))
        except ClientFault as error:
            if self.ledger is not None:
                self.ledger.record_failure(reference, str(error), final=True)
            raise
        except AgentError as error:
            if self.ledger is not None:
                self.ledger.record_failure(reference, str(error), final=False)
            raise
        if self.ledger is not None:
            self.ledger.record_booking(booking)
        return booking

    def _call(self, operation: str, retry: bool | str, **kwargs: Any) -> Any:
        """Call with a session: log in lazily, once more on an expired session, and retry."""
        attempt = 0
        relogged = False
        while True:
            token = self._token or self.login()
            try:
                return self._invoke(operation, _soapheaders=self._header(token), **kwargs)
            except SessionError:
                if relogged:
                    raise
                relogged = True
                with self._lock:
                    if self._token == token:
                        self._token = None
            except (ServerFault, TransportError) as error:
                if not error.retryable or attempt >= self.retries:
                    raise
                if retry is False or (retry == "faults" and isinstance(error, TransportError)):
                    raise
                attempt += 1
                self._sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 2))

    @staticmethod
    def _header(token: str) -> dict[str, Any]:
        return {"SessionHeader": {"SessionToken": token}}

    def _invoke(self, operation: str, **kwargs: Any) -> Any:
        """One call through zeep, with every failure mapped to an ``AgentError``."""
        method = getattr(self._service, operation)
        try:
            return method(**{k: v for k, v in kwargs.items() if v is not None})
        except Fault as fault:
            raise _service_fault(fault) from None
        except requests.Timeout:
            raise TransportError(f"no answer from {self.url} in time", code="Timeout") from None
        except requests.ConnectionError as error:
            raise TransportError(f"connection to {self.url} failed: {_reason(error)}") from None
        except ZeepTransportError as error:
            raise TransportError(
                f"HTTP {error.status_code} from {self.url} without a SOAP answer",
                code="HttpError",
            ) from None
        except (etree.XMLSyntaxError, ZeepError) as error:
            raise TransportError(
                f"unreadable answer from {self.url}: {error}", "BadResponse"
            ) from None


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


def _service_fault(fault: Fault) -> ServiceFault:
    faultcode = str(fault.code or "Server").split(":")[-1]
    code = faultcode.partition(".")[2] or faultcode
    message = str(fault.message or "")
    retryable = faultcode.startswith("Server")
    detail = fault.detail
    if detail is not None:
        found = detail.find(f"{{{TNS}}}ReservationFault")
        if found is not None:
            code = found.findtext(f"{{{TNS}}}Code") or code
            message = found.findtext(f"{{{TNS}}}Message") or message
            retryable = (found.findtext(f"{{{TNS}}}Retryable") or "").strip() == "true"
    return fault_class(faultcode, code, retryable)(faultcode, code, message, retryable)


# -- zeep objects to the agent's models ----------------------------------------------------------


def _plain(value: Any) -> Any:
    return serialize_object(value, target_cls=dict)


def _items(container: Any, name: str) -> list[Any]:
    if container is None:
        return []
    items = container[name] if isinstance(container, dict) else getattr(container, name)
    return list(items or [])


def _fare(f: Any) -> Fare:
    return Fare(
        Decimal(f["BaseFare"]),
        Decimal(f["ReservationCharge"]),
        Decimal(f["SuperfastCharge"]),
        Decimal(f["TatkalCharge"]),
        Decimal(f["Gst"]),
        Decimal(f["Total"]),
    )


def _train(raw: Any) -> TrainOffer:
    t = _plain(raw)
    duration = t["Duration"]
    return TrainOffer(
        number=t["TrainNumber"],
        name=t["TrainName"],
        source=t["From"],
        destination=t["To"],
        departs=t["Departure"],
        arrives=t["Arrival"],
        duration=duration if isinstance(duration, timedelta) else t["Arrival"] - t["Departure"],
        distance_km=int(t["DistanceKm"]),
        runs_on=t["RunsOn"],
        classes=tuple(
            ClassOffer(
                c["Class"],
                c["ClassName"],
                c["Quota"],
                c["Status"],
                int(c["Available"]),
                _fare(c["Fare"]),
            )
            for c in _items(t["Classes"], "ClassAvailability")
        ),
    )


def _booking(raw: Any) -> Booking:
    b = _plain(raw)
    return Booking(
        pnr=b["Pnr"],
        reference=b["ClientReference"],
        train=b["TrainNumber"],
        train_name=b["TrainName"],
        source=b["From"],
        destination=b["To"],
        journey_date=b["JourneyDate"],
        departs=b["Departure"],
        arrives=b["Arrival"],
        travel_class=b["Class"],
        quota=b["Quota"],
        booked_at=b["BookedAt"],
        chart_status=b["ChartStatus"],
        fare_per_passenger=_fare(b["FarePerPassenger"]),
        total_fare=Decimal(b["TotalFare"]),
        total_refund=Decimal(b["TotalRefund"]),
        passengers=tuple(
            PassengerStatus(
                number=int(p["Number"]),
                name=p["Name"],
                age=int(p["Age"]),
                gender=p["Gender"],
                booking_status=p["BookingStatus"],
                current_status=p["CurrentStatus"],
                coach=p.get("Coach"),
                berth=None if p.get("Berth") is None else int(p["Berth"]),
                berth_type=p.get("BerthType"),
                fare=Decimal(p["Fare"]),
                refund=None if p.get("Refund") is None else Decimal(p["Refund"]),
            )
            for p in _items(b["Passengers"], "PassengerStatus")
        ),
    )


def _cancellation(raw: Any) -> Cancellation:
    c = _plain(raw)
    return Cancellation(
        pnr=c["Pnr"],
        cancelled=tuple(int(n) for n in _items(c["CancelledPassengers"], "PassengerNumber")),
        refund=Decimal(c["Refund"]),
        charges=Decimal(c["CancellationCharges"]),
        promotions=tuple(
            Promotion(p["From"], p["To"]) for p in _items(c["Promotions"], "Promotion")
        ),
        booking=_booking(c["Booking"]),
    )


__all__ = ["Passenger", "TravelAgent", "new_reference", "safe_settings"]
