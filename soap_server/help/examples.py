"""Ready-to-send requests for the REST and plain-XML pages (the SOAP ones come from samples/).

They use the same placeholders as the forms: ``{{TOKEN}}``, ``{{PNR}}``, ``{{PASSWORD}}``,
``{{AGENT}}``, ``{{REFERENCE}}``; dates are the samples' journey date, moved to the core's
today like the samples' (``samples.form_body``). The tests send every one of them to a core, so
an example that stops working fails the build.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from soap_server.plainxml.endpoint import element_name
from soap_server.railway.operations import Operation
from soap_server.rest.openapi import OPERATION_IDS


def era_names(operation: Operation[Any, Any]) -> tuple[str, str]:
    """What the REST and plain-XML eras call an operation of the core's table (the SOAP name
    is the table's own): the facades' own naming rules, not a second list."""
    return OPERATION_IDS[operation.name], element_name(operation)


JOURNEY = "2025-11-30"  # the samples' journey date, a Sunday, ten days after their today


@dataclass(frozen=True)
class Example:
    """One HTTP request: the method, the path under the site's root, headers and a body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str
    kind: str  # "json" or "xml": how placeholders are escaped in the body


_JSON = (("Content-Type", "application/json"),)
_BEARER = (("Authorization", "Bearer {{TOKEN}}"),)
_XML = (("Content-Type", "text/xml; charset=utf-8"),)

_BOOKING = {
    "train": "12952",
    "date": JOURNEY,
    "from": "NDLS",
    "to": "BCT",
    "class": "3A",
    "quota": "GN",
    "passengers": [
        {"name": "Ravi Kumar", "age": 34, "gender": "M"},
        {"name": "Anita Kumar", "age": 31, "gender": "F", "berth": "UB"},
    ],
}

REST: dict[str, Example] = {
    "login": Example(
        "POST",
        "/rest/v1/sessions",
        _JSON,
        json.dumps({"agent": "{{AGENT}}", "password": "{{PASSWORD}}"}),
        "json",
    ),
    "searchTrains": Example(
        "GET", f"/rest/v1/trains?from=NDLS&to=BCT&date={JOURNEY}&class=3A", _BEARER, "", "json"
    ),
    "book": Example(
        "POST",
        "/rest/v1/bookings",
        (*_JSON, *_BEARER, ("Idempotency-Key", "{{REFERENCE}}")),
        json.dumps(_BOOKING, indent=2),
        "json",
    ),
    "getBooking": Example("GET", "/rest/v1/bookings/{{PNR}}", _BEARER, "", "json"),
    "cancel": Example(
        "POST",
        "/rest/v1/bookings/{{PNR}}/cancellations",
        (*_JSON, *_BEARER),
        json.dumps({"passengers": [1]}),
        "json",
    ),
    "getTrainSchedule": Example("GET", "/rest/v1/trains/12952/schedule", _BEARER, "", "json"),
    "changeBoardingPoint": Example(
        "PUT",
        "/rest/v1/bookings/{{PNR}}/boarding-point",
        (*_JSON, *_BEARER),
        json.dumps({"station": "KOTA"}),
        "json",
    ),
    "logout": Example("DELETE", "/rest/v1/sessions/current", _BEARER, "", "json"),
}

PLAIN_XML: dict[str, Example] = {
    "Login": Example(
        "POST",
        "/xml",
        _XML,
        '<Request>\n  <Login user="{{AGENT}}" password="{{PASSWORD}}"/>\n</Request>',
        "xml",
    ),
    "SearchTrain": Example(
        "POST",
        "/xml",
        _XML,
        '<Request session="{{TOKEN}}">\n'
        f'  <SearchTrain source="NDLS" destination="BCT" date="{JOURNEY}" class="3A"/>\n'
        "</Request>",
        "xml",
    ),
    "Book": Example(
        "POST",
        "/xml",
        _XML,
        '<Request session="{{TOKEN}}">\n'
        f'  <Book train="12952" date="{JOURNEY}" source="NDLS" destination="BCT" class="3A"'
        ' reference="{{REFERENCE}}">\n'
        '    <Passenger name="Ravi Kumar" age="34" gender="M"/>\n'
        '    <Passenger name="Anita Kumar" age="31" gender="F" berth="UB"/>\n'
        "  </Book>\n"
        "</Request>",
        "xml",
    ),
    "PnrStatus": Example(
        "POST",
        "/xml",
        _XML,
        '<Request session="{{TOKEN}}">\n  <PnrStatus pnr="{{PNR}}"/>\n</Request>',
        "xml",
    ),
    "Cancel": Example(
        "POST",
        "/xml",
        _XML,
        '<Request session="{{TOKEN}}">\n  <Cancel pnr="{{PNR}}" passengers="1"/>\n</Request>',
        "xml",
    ),
    "TrainSchedule": Example(
        "POST",
        "/xml",
        _XML,
        '<Request session="{{TOKEN}}">\n  <TrainSchedule train="12952"/>\n</Request>',
        "xml",
    ),
    "ChangeBoardingPoint": Example(
        "POST",
        "/xml",
        _XML,
        '<Request session="{{TOKEN}}">\n  <ChangeBoardingPoint pnr="{{PNR}}" station="KOTA"/>\n'
        "</Request>",
        "xml",
    ),
    "Logout": Example(
        "POST", "/xml", _XML, '<Request session="{{TOKEN}}">\n  <Logout/>\n</Request>', "xml"
    ),
}

_NAME = re.compile(r"\{\{([A-Z]+)\}\}")


def fill(text: str, values: dict[str, str], kind: str) -> str:
    """Put values in place of placeholders, escaped for ``kind`` (the forms' script does the
    same in the browser); unknown placeholders stay as they are."""

    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        if name == "REFERENCE" and name not in values:
            return f"WEB-{uuid.uuid4().hex[:16]}"
        if name not in values:
            return found.group(0)
        if kind == "json":
            return json.dumps(values[name])[1:-1]
        if kind == "xml":
            return escape(values[name], {'"': "&quot;"})
        return values[name]

    return _NAME.sub(value, text)
