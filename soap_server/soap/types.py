"""The XSD types of the contract, as Spyne models. Their restrictions are published in the WSDL
and enforced at the edge by lxml schema validation, before any domain code runs."""

from __future__ import annotations

from spyne import (
    Array,
    Boolean,
    ComplexModel,
    Date,
    DateTime,
    Decimal,
    Duration,
    Fault,
    Integer,
    Time,
    Unicode,
)

from soap_server.ns import TNS
from soap_server.railway.codes import (
    AGENT_ID,
    BERTH_TYPES,
    CLASS_CODES,
    CLIENT_REFERENCE,
    GENDERS,
    PNR,
    QUOTA_CODES,
    SESSION_TOKEN,
    STATION_CODE,
    TRAIN_NUMBER,
    Code,
)


def required(model: type) -> type:
    """The same type, but the element must be present and not nil."""
    return model.customize(min_occurs=1, nillable=False)  # type: ignore[no-any-return, attr-defined]


def optional(model: type) -> type:
    return model.customize(min_occurs=0, nillable=False)  # type: ignore[no-any-return, attr-defined]


def _lengths(code: Code) -> type:
    """A code published as its characters (``[A-Za-z0-9_]+``) with length facets."""
    return Unicode(min_len=code.min_len, max_len=code.max_len, pattern=f"{code.characters}+")  # type: ignore[no-any-return]


# How each code is spelled in the published WSDL (three spellings, one meaning per code).
AgentId = _lengths(AGENT_ID)
Password = Unicode(min_len=1, max_len=128)
SessionToken = _lengths(SESSION_TOKEN)
StationCode = Unicode(
    min_len=STATION_CODE.min_len, max_len=STATION_CODE.max_len, pattern=STATION_CODE.pattern
)
TrainNumber = Unicode(pattern=TRAIN_NUMBER.pattern)
ClassCode = Unicode(values=list(CLASS_CODES))
QuotaCode = Unicode(values=list(QUOTA_CODES))
Gender = Unicode(values=list(GENDERS))
BerthType = Unicode(values=list(BERTH_TYPES))
PnrNumber = Unicode(pattern=PNR.pattern)
ClientReference = _lengths(CLIENT_REFERENCE)
PassengerName = Unicode(min_len=1, max_len=64)
Age = Integer(ge=0, le=150)
PassengerNumber = Integer(ge=1, le=6)
Money = Decimal(fraction_digits=2, total_digits=12, ge=0)
Text = Unicode(max_len=256)


class SessionHeader(ComplexModel):
    """Carries the session token from Login on every other call, as Amadeus and Sabre did."""

    __namespace__ = TNS
    _type_info = [("SessionToken", required(SessionToken))]


class LoginResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("SessionToken", required(SessionToken)),
        ("AgentId", required(AgentId)),
        ("IdleTimeoutMinutes", required(Integer)),
        ("ServerTime", required(DateTime)),
    ]


class LogoutResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [("LoggedOut", required(Boolean))]


class FareBreakdown(ComplexModel):
    """The fare of one passenger, in rupees."""

    __namespace__ = TNS
    _type_info = [
        ("BaseFare", required(Money)),
        ("ReservationCharge", required(Money)),
        ("SuperfastCharge", required(Money)),
        ("TatkalCharge", required(Money)),
        ("Gst", required(Money)),
        ("Total", required(Money)),
    ]


class ClassAvailability(ComplexModel):
    """Availability of one class and quota for the searched journey, with its fare."""

    __namespace__ = TNS
    _type_info = [
        ("Class", required(ClassCode)),
        ("ClassName", required(Text)),
        ("Quota", required(QuotaCode)),
        ("Status", required(Text)),
        ("Available", required(Integer)),
        ("Fare", required(FareBreakdown)),
    ]


class TrainAvailability(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("TrainNumber", required(TrainNumber)),
        ("TrainName", required(Text)),
        ("From", required(StationCode)),
        ("To", required(StationCode)),
        ("Departure", required(DateTime)),
        ("Arrival", required(DateTime)),
        ("Duration", required(Duration)),
        ("DistanceKm", required(Integer)),
        ("RunsOn", required(Text)),
        ("Classes", required(Array(ClassAvailability))),
    ]


class Passenger(ComplexModel):
    """A passenger to book. Names are 3 to 16 letters; a child under 5 is an infant, recorded
    without a berth and free; NoBerth: a child of 5 to 11 without a berth at half fare (from
    2016-04-21; before, children of 5 to 11 had a berth at half fare). The ladies quota takes
    women and boys under 12, the lower-berth quota seniors and women of 45 or more."""

    __namespace__ = TNS
    _type_info = [
        ("Name", required(PassengerName)),
        ("Age", required(Age)),
        ("Gender", required(Gender)),
        ("BerthPreference", optional(BerthType)),
        ("NoBerth", optional(Boolean)),
    ]


class PassengerStatus(ComplexModel):
    """A passenger's status at booking and now: CNF/B3/45, RAC 8, GNWL 20, or CAN."""

    __namespace__ = TNS
    _type_info = [
        ("Number", required(PassengerNumber)),
        ("Name", required(Text)),
        ("Age", required(Age)),
        ("Gender", required(Gender)),
        ("BookingStatus", required(Text)),
        ("CurrentStatus", required(Text)),
        ("Coach", optional(Text)),
        ("Berth", optional(Integer)),
        ("BerthType", optional(BerthType)),
        ("Fare", required(Money)),
        ("Refund", optional(Money)),
    ]


class BookingDetails(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("Pnr", required(PnrNumber)),
        ("ClientReference", required(ClientReference)),
        ("TrainNumber", required(TrainNumber)),
        ("TrainName", required(Text)),
        ("From", required(StationCode)),
        ("To", required(StationCode)),
        ("JourneyDate", required(Date)),
        ("Departure", required(DateTime)),
        ("Arrival", required(DateTime)),
        ("Class", required(ClassCode)),
        ("Quota", required(QuotaCode)),
        ("BookedAt", required(DateTime)),
        ("ChartStatus", required(Text)),
        ("FarePerPassenger", required(FareBreakdown)),
        ("TotalFare", required(Money)),
        ("TotalRefund", required(Money)),
        ("Passengers", required(Array(PassengerStatus))),
        # After a ChangeBoardingPoint: where the train is boarded (From stays the station the
        # fare was paid from; Departure is then the departure from here).
        ("BoardingPoint", optional(StationCode)),
    ]


class Promotion(ComplexModel):
    """A waiting passenger (of any booking) moved up by this cancellation."""

    __namespace__ = TNS
    _type_info = [("From", required(Text)), ("To", required(Text))]


class PassengerNumbers(ComplexModel):
    """Passenger numbers of a booking (1 to 6), e.g. the ones to cancel."""

    __namespace__ = TNS
    _type_info = [("PassengerNumber", PassengerNumber.customize(min_occurs=0, max_occurs=6))]


class CancellationResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [
        ("Pnr", required(PnrNumber)),
        ("CancelledPassengers", required(PassengerNumbers)),
        ("Refund", required(Money)),
        ("CancellationCharges", required(Money)),
        ("Promotions", required(Array(Promotion))),
        ("Booking", required(BookingDetails)),
    ]


class ScheduledStop(ComplexModel):
    """One stop of a timetable. Arrival and Departure are IST (none at the origin and at the
    terminus); Day counts from the day the train leaves its origin (1); DistanceKm is from the
    origin."""

    __namespace__ = TNS
    _type_info = [
        ("Number", required(Integer)),
        ("Station", required(StationCode)),
        ("StationName", required(Text)),
        ("Arrival", optional(Time)),
        ("Departure", optional(Time)),
        ("HaltMinutes", optional(Integer)),
        ("Day", required(Integer)),
        ("DistanceKm", required(Integer)),
    ]


class TrainSchedule(ComplexModel):
    """A train's timetable: its stops from origin to terminus and the days it leaves its origin."""

    __namespace__ = TNS
    _type_info = [
        ("TrainNumber", required(TrainNumber)),
        ("TrainName", required(Text)),
        ("Category", required(Text)),
        ("From", required(StationCode)),
        ("To", required(StationCode)),
        ("RunsOn", required(Text)),
        ("DistanceKm", required(Integer)),
        ("Duration", required(Duration)),
        ("Stops", required(Array(ScheduledStop))),
    ]


class ReservationFault(Fault):
    """The detail of every fault: a stable code, a message, and whether a retry may succeed.

    ``faultcode`` is ``Client.<Code>`` when resending the same request fails again and
    ``Server.<Code>`` when a retry may succeed.
    """

    __namespace__ = TNS
    __type_name__ = "ReservationFault"
    _type_info = [
        ("Code", required(Unicode)),
        ("Message", required(Unicode)),
        ("Retryable", required(Boolean)),
    ]

    def __init__(self, code: str, message: str, retryable: bool, faultcode: str | None = None):
        prefix = "Server" if retryable else "Client"
        super().__init__(faultcode=faultcode or f"{prefix}.{code}", faultstring=message)
        self.Code = code
        self.Message = message
        self.Retryable = retryable
