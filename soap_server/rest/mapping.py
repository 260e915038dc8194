"""Domain views to JSON and query parameters to request views, derived from the OpenAPI document.

Each property of a schema in ``openapi.SCHEMAS`` reads the view's attribute of the same name in
snake_case (``distanceKm`` reads ``distance_km``); where the contract's name is not the view's,
the rename is written once below. Values are written as the property's schema says: money as a
two-decimal string, dates and instants in ISO 8601, durations as ``PT15H45M``, a station as its
code, a ``$ref`` as that schema, an array item by item. So the answers cannot drift from the
published contract: a property the schema lists is written, one it does not is not.

The other way, ``from_parameters`` fills a request view from a call's path and query parameters,
each field reading the parameter of its camelCase name (with the same renames).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from soap_server.naming import camel, snake
from soap_server.notation import duration, money
from soap_server.railway.catalog import Station
from soap_server.rest.openapi import SCHEMAS

Getter = str | Callable[[Any], Any]
V = TypeVar("V")

#: Renames that hold wherever the property appears.
EVERYWHERE: Mapping[str, Getter] = {
    "from": "source",
    "to": "destination",
    "class": "class_code",
    "date": "journey_date",
}
#: Renames of one schema's properties ("Schema" or "Schema.property" for an inline object).
RENAMES: Mapping[str, Mapping[str, Getter]] = {
    "Session": {"idleTimeoutMinutes": lambda s: int(s.idle_timeout.total_seconds() // 60)},
    "Booking": {"farePerPassenger": "fare"},
    "Cancellation": {"pnr": lambda cancellation: cancellation.booking.pnr},
    "Cancellation.promotions": {"from": "was", "to": "now"},
}


Write = Callable[[Any], Any]


def to_json(schema: str, view: Any) -> dict[str, Any]:
    """The JSON object the schema ``schema`` describes, filled from ``view``."""
    body: dict[str, Any] = _writer(schema)(view)
    return body


@cache
def _writer(schema: str) -> Write:
    """The function writing one component schema: compiled from the schema once (the getter
    and the conversion of every property), so a call only reads attributes and converts."""
    return _object(schema, SCHEMAS[schema])


def _object(where: str, spec: Mapping[str, Any]) -> Write:
    renames = RENAMES.get(where, {})
    fields_ = []
    for name, prop in spec["properties"].items():
        getter = renames.get(name) or EVERYWHERE.get(name) or snake(name)
        read = getter if callable(getter) else attrgetter(getter)
        fields_.append((name, read, _value(f"{where}.{name}", prop)))
    properties = tuple(fields_)

    def write(view: Any) -> dict[str, Any]:
        body = {}
        for name, read, convert in properties:
            value = read(view)
            # a plain value (most of them) is written as it is, without a call
            body[name] = value if convert is _scalar and type(value) in _PLAIN else convert(value)
        return body

    return write


def _value(where: str, spec: Mapping[str, Any]) -> Write:
    ref = spec.get("$ref")
    if ref is not None:
        name = ref.rpartition("/")[2]
        return lambda value: None if value is None else _writer(name)(value)
    if spec.get("type") == "array":
        item = _value(where, spec["items"])
        return lambda value: None if value is None else [item(v) for v in value]
    if spec.get("type") == "object":
        inline = _object(where, spec)
        return lambda value: None if value is None else inline(value)
    return _scalar


def _same(value: Any) -> Any:
    return value


def _isoformat(value: date | time) -> str:
    return value.isoformat()


def _code(station: Station) -> str:
    return station.code


#: The types whose values JSON takes as they are.
_PLAIN = frozenset({str, int, bool, float, type(None)})
#: The conversion of each plain type a view holds (by exact type: a subclass takes ``_scalar``).
_BY_TYPE: Mapping[type, Write] = {
    str: _same,
    int: _same,
    bool: _same,
    float: _same,
    type(None): _same,
    Decimal: money,
    timedelta: duration,
    datetime: _isoformat,
    date: _isoformat,
    time: _isoformat,
    Station: _code,
}


def _scalar(value: Any) -> Any:
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None:
        return None
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, date | time):  # and datetime
        return value.isoformat()
    if isinstance(value, Station):
        return value.code
    return value


#: The parameter names of view fields, where camelCase is not the name.
PARAMETERS: Mapping[str, str] = {
    field: str(name) for name, field in EVERYWHERE.items() if isinstance(field, str)
}


@cache
def _hints(view: Any) -> dict[str, Any]:
    return get_type_hints(view)


def from_parameters(view: type[V], parameters: Mapping[str, str]) -> V:
    """The request view ``view`` from path and query parameters (already checked against the
    document's parameter schemas); an absent parameter takes the field's default."""
    hints = _hints(cast(Any, view))
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cast(Any, view)):
        raw = parameters.get(PARAMETERS.get(field.name) or camel(field.name))
        if raw is not None:
            values[field.name] = _parameter(hints[field.name], raw)
    return view(**values)


def _parameter(kind: Any, raw: str) -> Any:
    if get_origin(kind) in (Union, types.UnionType):
        (kind,) = [a for a in get_args(kind) if a is not type(None)]
    if kind is int:
        return int(raw)
    if kind is date:
        return date.fromisoformat(raw)
    if kind is bool:
        return raw in ("true", "1")
    return raw
