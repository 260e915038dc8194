"""Domain views to elements: the results and ``<Error>``s of a plain-XML ``<Response>``.

A result is written from the XSD (``schema``): the element of an operation has the complex type
the ``<Response>`` choice gives it, and carries that type's attributes and child elements in
declared order. Each attribute reads the view's attribute of the same name in snake_case
(``distanceKm`` reads ``distance_km``), a repeated child element the view's collection of the
plural name (``<Passenger>`` elements read ``passengers``), a single one the nested view;
where the contract's name is not the view's, the rename is written once below. Values are
written as text the way the era wrote them: money with two decimals, instants to the second,
durations in ISO 8601 hours and minutes, lists space-separated, stations as their codes. An
attribute whose value is None (an optional one) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree

from soap_server.naming import snake
from soap_server.notation import duration, money
from soap_server.plainxml.schema import response_types, shape
from soap_server.railway.catalog import Station

Getter = str | Callable[[Any], Any]

#: Renames that hold wherever the attribute appears.
EVERYWHERE: Mapping[str, Getter] = {
    "reference": "client_reference",
    "date": "journey_date",
    "class": "class_code",
}
#: Renames of one complex type's attributes and child elements.
RENAMES: Mapping[str, Mapping[str, Getter]] = {
    "LoginResult": {
        "session": "token",
        "idleTimeoutMinutes": lambda s: int(s.idle_timeout.total_seconds() // 60),
    },
    "ClassAvailability": {
        "code": "class_code",
        "name": "class_name",
        "fare": lambda c: c.fare.total,
        "base": lambda c: c.fare.base,
        "reservation": lambda c: c.fare.reservation,
        "superfast": lambda c: c.fare.superfast,
        "tatkal": lambda c: c.fare.tatkal,
        "gst": lambda c: c.fare.gst,
    },
    "CancellationResult": {"pnr": lambda c: c.booking.pnr},
    "Promotion": {"from": "was", "to": "now"},
}


def element(tag: str, attributes: Mapping[str, str | None]) -> etree._Element:
    """An element with the attributes that have a value, in the order given."""
    return etree.Element(tag, {k: v for k, v in attributes.items() if v is not None})


def instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def text(value: Any) -> str:
    """A value as the era's attribute text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):  # a time of day, with its zone: 08:35:00+05:30
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, Station):
        return value.code
    if isinstance(value, tuple | list):
        return " ".join(text(item) for item in value)
    return str(value)


def plural(name: str) -> str:
    """``passenger`` -> ``passengers``, ``class`` -> ``classes``."""
    return f"{name}es" if name.endswith("s") else f"{name}s"


def result(tag: str, answer: Any) -> etree._Element:
    """The result element of the operation ``tag`` (``Book``, ``PnrStatus``...) for ``answer``."""
    return _element(tag, response_types()[tag], answer)


def _read(getter: Getter, view: Any) -> Any:
    return getter(view) if callable(getter) else getattr(view, getter)


def _element(tag: str, type_name: str, view: Any) -> etree._Element:
    declared, renames = shape(type_name), RENAMES.get(type_name, {})
    attributes = {}
    for name in declared.attributes:
        value = _read(renames.get(name) or EVERYWHERE.get(name) or snake(name), view)
        attributes[name] = None if value is None else text(value)
    built = element(tag, attributes)
    for child in declared.children:
        name = plural(snake(child.name)) if child.repeated else snake(child.name)
        value = _read(renames.get(child.name) or name, view)
        for item in value if child.repeated else (value,):
            built.append(_element(child.name, child.type, item))
    return built


# -- errors -------------------------------------------------------------------------------------


def error_element(op: str | None, code: str, message: str, retryable: bool) -> etree._Element:
    """An ``<Error>``; ``op`` is None when the document was refused before anything ran."""
    return element(
        "Error",
        {"op": op, "code": code, "message": message, "retryable": text(retryable)},
    )
