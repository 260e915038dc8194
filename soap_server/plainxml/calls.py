"""Reading an operation's element of a ``<Request>`` into the operation's request view.

Each field of the request view reads the call's attribute of the same name in camelCase
(``only_if_confirmed`` reads ``onlyIfConfirmed``); where the contract's name is not the view's,
the rename is written once below. A field holding a tuple of views reads the child elements of
that view's type (``Passenger`` elements for ``PassengerRequest``). Values are converted by the
field's type: text is stripped (passwords and passenger names are taken as sent), numbers,
dates and booleans are parsed, a tuple of numbers is space-separated. An absent attribute takes
the schema's default, else the field's. The document has already been validated against the
XSD, so what is there is well-formed.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from lxml import etree

from soap_server.naming import camel
from soap_server.plainxml.schema import request_types, shape
from soap_server.railway.views import LoginRequest, PassengerRequest

V = TypeVar("V")

#: Renames that hold in every call.
EVERYWHERE: Mapping[str, str] = {
    "journey_date": "date",
    "class_code": "class",
    "client_reference": "reference",
}
#: Renames of one view's fields.
RENAMES: Mapping[type, Mapping[str, str]] = {
    LoginRequest: {"agent": "user"},
    PassengerRequest: {"berth_preference": "berth"},
}
#: Fields taken exactly as sent (a password's spaces are part of it).
AS_SENT = frozenset({(LoginRequest, "password"), (PassengerRequest, "name")})


@cache
def _hints(view: Any) -> dict[str, Any]:
    return get_type_hints(view)


def _element_of(view: type) -> str:
    """``PassengerRequest`` is read from ``<Passenger>`` elements."""
    return view.__name__.removesuffix("Request")


def read(view: type[V], call: etree._Element, type_name: str | None = None, **given: Any) -> V:
    """The request view ``view`` of ``call`` (of the XSD type ``type_name``; by default the type
    ``<Request>`` gives the call's element); ``given`` fields are not read from the call."""
    type_name = type_name or request_types()[str(call.tag)]
    defaults = shape(type_name).defaults
    values: dict[str, Any] = dict(given)
    hints = _hints(cast(Any, view))
    for field in dataclasses.fields(cast(Any, view)):
        if field.name in values:
            continue
        kind = hints[field.name]
        item = _view_items(kind)
        if item is not None:
            tag = _element_of(item)
            (child_type,) = [c.type for c in shape(type_name).children if c.name == tag]
            children = call.iterchildren(tag)
            values[field.name] = tuple(read(item, child, child_type) for child in children)
            continue
        name = (
            RENAMES.get(view, {}).get(field.name) or EVERYWHERE.get(field.name) or camel(field.name)
        )
        raw = call.get(name, defaults.get(name))
        if raw is None:
            continue  # the view's own default
        text = raw if (view, field.name) in AS_SENT else raw.strip()
        values[field.name] = _convert(kind, text)
    return view(**values)


def _optional(kind: Any) -> Any:
    """``X | None`` -> ``X``."""
    if get_origin(kind) in (Union, types.UnionType):
        (inner,) = [a for a in get_args(kind) if a is not type(None)]
        return inner
    return kind


def _view_items(kind: Any) -> type | None:
    """For ``tuple[SomeView, ...]``, the view type."""
    kind = _optional(kind)
    if get_origin(kind) is tuple:
        (item, *_) = get_args(kind)
        if dataclasses.is_dataclass(item):
            return item  # type: ignore[return-value]
    return None


def _convert(kind: Any, text: str) -> Any:
    kind = _optional(kind)
    if kind is bool:
        return text in ("true", "1")
    if kind is int:
        return int(text)
    if kind is date:
        return date.fromisoformat(text)
    if get_origin(kind) is tuple:
        return tuple(int(n) for n in text.split())
    return text
