"""Domain views to the contract's Spyne types, derived from the types' own element lists.

Each element of a Spyne type reads the view's attribute of the same name in snake_case
(``DistanceKm`` reads ``distance_km``, ``BookingStatus`` reads ``booking_status``). Where the
contract's name is not the view's, the rename is written once below. Values become what the
element's type holds: a station its code, a tuple of texts one space-separated text, a nested
view the nested type, a tuple a list (or the one repeated element of a wrapper type).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from spyne.model.complex import Array, ComplexModelBase

from soap_server.naming import snake
from soap_server.railway.catalog import Station
from soap_server.soap import types as t

Getter = str | Callable[[Any], Any]
M = TypeVar("M")

#: Renames that hold wherever the element appears.
EVERYWHERE: Mapping[str, Getter] = {
    "From": "source",
    "To": "destination",
    "Departure": "departs",
    "Arrival": "arrives",
    "Class": "class_code",
}
#: Renames of one type's elements (the contract's names predate the views').
RENAMES: Mapping[type, Mapping[str, Getter]] = {
    t.LoginResult: {
        "SessionToken": "token",
        "AgentId": "agent",
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
    t.BookingDetails: {"TrainNumber": "train", "FarePerPassenger": "fare"},
    t.Promotion: {"From": "was", "To": "now"},
    t.CancellationResult: {
        "Pnr": lambda cancellation: cancellation.booking.pnr,
        "CancelledPassengers": "cancelled",
        "CancellationCharges": "charges",
    },
}


def _original(cls: Any) -> Any:
    """The type a customised one (``required(X)``) was made from."""
    return getattr(cls, "__orig__", None) or cls


def view_name(cls: Any, name: str) -> Getter:
    """The view's attribute (or a function of the view) behind the element ``name`` of ``cls``."""
    renames = RENAMES.get(_original(cls), {})
    return renames.get(name) or EVERYWHERE.get(name) or snake(name)


def text_value(value: Any) -> Any:
    """A view's value as the text an element holds: a station its code, a tuple of texts one
    space-separated text (days of run: ``MON WED FRI``)."""
    if isinstance(value, Station):
        return value.code
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    return value


def to_model(cls: type[M], view: Any) -> M:
    """An instance of the Spyne type ``cls`` holding what ``view`` says."""
    original = _original(cls)
    renames = RENAMES.get(original, {})
    values = {}
    for name, field in original._type_info.items():
        getter = renames.get(name) or EVERYWHERE.get(name) or snake(name)
        value = getter(view) if callable(getter) else getattr(view, getter)
        values[name] = _value(field, value)
    model: M = original(**values)
    return model


def _value(field: Any, value: Any) -> Any:
    if value is None:
        return None
    if issubclass(field, Array):
        (item,) = field._type_info.values()
        return [_value(item, v) for v in value]
    if issubclass(field, ComplexModelBase):
        if isinstance(value, tuple | list):  # a wrapper of one repeated element
            (name,) = field._type_info
            return _original(field)(**{name: list(value)})
        return to_model(field, value)
    if isinstance(value, Station):
        return value.code
    if isinstance(value, tuple):  # days of run: "MON WED FRI"
        return " ".join(value)
    return value
