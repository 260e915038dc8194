"""Domain views to JSON, derived from the OpenAPI document's own schemas.

Each property of a schema in ``openapi.SCHEMAS`` reads the view's attribute of the same name in
snake_case (``distanceKm`` reads ``distance_km``); where the contract's name is not the view's,
the rename is written once below. Values are written as the property's schema says: money as a
two-decimal string, dates and instants in ISO 8601, durations as ``PT15H45M``, a station as its
code, a ``$ref`` as that schema, an array item by item. So the answers cannot drift from the
published contract: a property the schema lists is written, one it does not is not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from soap_server.naming import snake
from soap_server.notation import duration, money
from soap_server.railway.catalog import Station
from soap_server.rest.openapi import SCHEMAS

Getter = str | Callable[[Any], Any]

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


def to_json(schema: str, view: Any) -> dict[str, Any]:
    """The JSON object the schema ``schema`` describes, filled from ``view``."""
    return _object(schema, SCHEMAS[schema], view)


def _object(where: str, spec: Mapping[str, Any], view: Any) -> dict[str, Any]:
    renames = RENAMES.get(where, {})
    body = {}
    for name, prop in spec["properties"].items():
        getter = renames.get(name) or EVERYWHERE.get(name) or snake(name)
        value = getter(view) if callable(getter) else getattr(view, getter)
        body[name] = _value(f"{where}.{name}", prop, value)
    return body


def _value(where: str, spec: Mapping[str, Any], value: Any) -> Any:
    if value is None:
        return None
    ref = spec.get("$ref")
    if ref is not None:
        return to_json(ref.rpartition("/")[2], value)
    if spec.get("type") == "array":
        return [_value(where, spec["items"], item) for item in value]
    if spec.get("type") == "object":
        return _object(where, spec, value)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, Station):
        return value.code
    return value
