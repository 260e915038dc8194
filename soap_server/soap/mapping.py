"""How the contract's Spyne types meet the domain views: one naming rule, the renames, once.

Each element of a Spyne type reads (in answers) or fills (in requests) the view's attribute of
the same name in snake_case (``DistanceKm`` is ``distance_km``, ``JourneyDate`` is
``journey_date``). Where the contract's name is not the view's, the rename is written once below.
In answers a station is written as its code and a tuple of texts as one space-separated text; a
type wrapping one repeated element (``PassengerNumbers``) may be given as the sequence itself.
The compiled writer (``writer.py``) and reader (``reader.py``) read these tables; nothing else
names a field.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from soap_server.naming import snake
from soap_server.railway.catalog import Station
from soap_server.railway.errors import InvalidPassenger, ReservationError
from soap_server.railway.views import PassengerRequest
from soap_server.soap import types as t

Getter = str | Callable[[Any], Any]

#: Renames that hold wherever the element appears, in requests and answers.
EVERYWHERE: Mapping[str, Getter] = {
    "From": "source",
    "To": "destination",
    "Departure": "departs",
    "Arrival": "arrives",
    "Class": "class_code",
    "TrainNumber": "train",
    "AgentId": "agent",
}
#: Renames of one type's elements (the contract's names predate the views').
RENAMES: Mapping[type, Mapping[str, Getter]] = {
    t.LoginResult: {
        "SessionToken": "token",
        "IdleTimeoutMinutes": lambda session: int(session.idle_timeout.total_seconds() // 60),
    },
    t.LogoutResult: {"LoggedOut": lambda _: True},
    t.FareBreakdown: {
        "BaseFare": "base",
        "ReservationCharge": "reservation",
        "SuperfastCharge": "superfast",
        "TatkalCharge": "tatkal",
    },
    t.TrainAvailability: {"TrainNumber": "number", "TrainName": "name"},
    t.BookingDetails: {"FarePerPassenger": "fare"},
    t.Promotion: {"From": "was", "To": "now"},
    t.CancellationResult: {
        "Pnr": lambda cancellation: cancellation.booking.pnr,
        "CancelledPassengers": "cancelled",
        "CancellationCharges": "charges",
    },
}
#: What an optional request element means when it is absent and the view has no default of
#: its own (the general quota, as in a search).
ABSENT: Mapping[str, Any] = {"quota": "GN"}
#: What a nil item of a request list means, by the view it would have been (its number from 1).
#: A nil item the table does not name is read as None.
NIL_ITEMS: Mapping[type, Callable[[int], ReservationError]] = {
    PassengerRequest: lambda number: InvalidPassenger(f"passenger {number} is empty"),
}


def original(cls: Any) -> Any:
    """The type a customised one (``required(X)``) was made from."""
    return getattr(cls, "__orig__", None) or cls


def view_name(cls: Any, name: str) -> Getter:
    """The view's attribute (or a function of the view) behind the element ``name`` of ``cls``."""
    renames = RENAMES.get(original(cls), {})
    return renames.get(name) or EVERYWHERE.get(name) or snake(name)


def getter_of(cls: Any, name: str, wrapped: bool = False) -> Callable[[Any], Any]:
    """Reads the value of the element ``name`` of ``cls`` from a view. ``wrapped``: the type
    wraps this one repeated element, so a sequence given for the whole type is its value."""
    getter = view_name(cls, name)
    if callable(getter):
        return getter
    get = operator.attrgetter(getter)
    if not wrapped:
        return get
    return lambda view: view if isinstance(view, tuple | list) else get(view)


def text_value(value: Any) -> Any:
    """A view's value as the text an element holds: a station its code, a tuple of texts one
    space-separated text (days of run: ``MON WED FRI``)."""
    if isinstance(value, Station):
        return value.code
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    return value
