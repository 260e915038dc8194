"""The OpenAPI 3.1 contract of the REST/JSON facade, and the request validators built from it.

The document is built here in code, served at ``/rest/v1/openapi.json`` with the configured
public address, and exported to ``openapi/irctc_rest_v1.json`` (a test fails when the two
drift). Requests are validated against the same schemas with ``jsonschema`` (OpenAPI 3.1
schemas are JSON Schema 2020-12), so the contract and the checks cannot disagree; a quick check
compiled from the same schemas (``checks``) lets a request that is certainly valid through
without jsonschema's walk, and jsonschema judges (and words) everything else.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from soap_server.railway.codes import (
    AGENT_ID,
    BERTH_TYPES,
    CLASS_CODES,
    CLIENT_REFERENCE,
    GENDERS,
    PNR,
    QUOTA_CODES,
    STATION_CODE,
    TRAIN_NUMBER,
    Code,
)
from soap_server.rest.checks import compile_check

BASE_PATH = "/rest/v1"
MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$", "description": "Rupees, two decimals."}


def _code(code: Code) -> dict[str, str]:
    return {"type": "string", "pattern": f"^{code.pattern}$"}


STATION = {**_code(STATION_CODE), "description": "A station code."}
TRAIN = _code(TRAIN_NUMBER)
PNR_NUMBER = _code(PNR)
REFERENCE = _code(CLIENT_REFERENCE)
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
TIME = {"type": "string", "format": "time", "description": "IST, e.g. 16:55:00+05:30"}
CLASS = {"type": "string", "enum": list(CLASS_CODES)}
QUOTA = {"type": "string", "enum": list(QUOTA_CODES)}
GENDER = {"type": "string", "enum": list(GENDERS)}
BERTH = {"type": "string", "enum": list(BERTH_TYPES)}


def _object(properties: dict[str, Any], required: list[str], doc: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if doc:
        schema["description"] = doc
    return schema


#: REST's name (``operationId``) for each operation of the core's table.
OPERATION_IDS = {
    "Login": "login",
    "Logout": "logout",
    "SearchTrain": "searchTrains",
    "Book": "book",
    "GetPnrStatus": "getBooking",
    "CancelBooking": "cancel",
    "GetTrainSchedule": "getTrainSchedule",
    "ChangeBoardingPoint": "changeBoardingPoint",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "LoginRequest": _object(
        {
            "agent": _code(AGENT_ID),
            "password": {"type": "string", "minLength": 1, "maxLength": 128},
        },
        ["agent", "password"],
    ),
    "Session": _object(
        {
            "token": {"type": "string"},
            "agent": {"type": "string"},
            "idleTimeoutMinutes": {"type": "integer"},
            "serverTime": DATETIME,
        },
        ["token", "agent", "idleTimeoutMinutes", "serverTime"],
        "Send the token as `Authorization: Bearer TOKEN`.",
    ),
    "Fare": _object(
        {
            "base": MONEY,
            "reservation": MONEY,
            "superfast": MONEY,
            "tatkal": MONEY,
            "gst": MONEY,
            "total": MONEY,
        },
        ["base", "reservation", "superfast", "tatkal", "gst", "total"],
        "The fare of one passenger.",
    ),
    "ClassAvailability": _object(
        {
            "class": CLASS,
            "className": {"type": "string"},
            "quota": QUOTA,
            "status": {"type": "string", "examples": ["AVAILABLE 45", "RAC 3", "GNWL 12/WL 9"]},
            "available": {"type": "integer", "minimum": 0},
            "fare": _ref("Fare"),
        },
        ["class", "className", "quota", "status", "available", "fare"],
    ),
    "Train": _object(
        {
            "number": TRAIN,
            "name": {"type": "string"},
            "from": STATION,
            "to": STATION,
            "departs": DATETIME,
            "arrives": DATETIME,
            "duration": {"type": "string", "description": "ISO 8601, e.g. PT15H45M"},
            "distanceKm": {"type": "integer"},
            "runsOn": {"type": "array", "items": {"type": "string"}},
            "classes": {"type": "array", "items": _ref("ClassAvailability")},
        },
        [
            "number",
            "name",
            "from",
            "to",
            "departs",
            "arrives",
            "duration",
            "distanceKm",
            "runsOn",
            "classes",
        ],
    ),
    "TrainList": _object({"trains": {"type": "array", "items": _ref("Train")}}, ["trains"]),
    "PassengerRequest": _object(
        {
            "name": {"type": "string", "minLength": 1, "maxLength": 64},
            "age": {"type": "integer", "minimum": 0, "maximum": 150},
            "gender": GENDER,
            "berth": BERTH,
            "noBerth": {
                "type": "boolean",
                "description": "A child of 5 to 11 without a berth at half fare (from"
                " 2016-04-21); a child under 5 is an infant, always without a berth.",
            },
        },
        ["name", "age", "gender"],
    ),
    "BookingRequest": _object(
        {
            "train": TRAIN,
            "date": DATE,
            "from": STATION,
            "to": STATION,
            "class": CLASS,
            "quota": QUOTA,
            "passengers": {
                "type": "array",
                "items": _ref("PassengerRequest"),
                "minItems": 1,
                # The rule: up to 6 (4 in Tatkal, which a schema without the quota can't say).
                "maxItems": 6,
            },
            "onlyIfConfirmed": {"type": "boolean"},
        },
        ["train", "date", "from", "to", "class", "passengers"],
        "Up to 6 passengers (4 in Tatkal). The date is the boarding date.",
    ),
    "PassengerStatus": _object(
        {
            "number": {"type": "integer"},
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "gender": GENDER,
            "bookingStatus": {"type": "string"},
            "currentStatus": {"type": "string"},
            "coach": {"type": ["string", "null"]},
            "berth": {"type": ["integer", "null"]},
            "berthType": {"type": ["string", "null"]},
            "fare": MONEY,
            "refund": {"oneOf": [MONEY, {"type": "null"}]},
        },
        ["number", "name", "age", "gender", "bookingStatus", "currentStatus", "fare"],
    ),
    "Booking": _object(
        {
            "pnr": PNR_NUMBER,
            "clientReference": REFERENCE,
            "train": TRAIN,
            "trainName": {"type": "string"},
            "from": STATION,
            "to": STATION,
            "date": DATE,
            "departs": DATETIME,
            "arrives": DATETIME,
            "class": CLASS,
            "quota": QUOTA,
            "bookedAt": DATETIME,
            "chartStatus": {"type": "string"},
            "farePerPassenger": _ref("Fare"),
            "totalFare": MONEY,
            "totalRefund": MONEY,
            "passengers": {"type": "array", "items": _ref("PassengerStatus")},
            "boardingPoint": {
                "oneOf": [STATION, {"type": "null"}],
                "description": "After a boarding-point change: where the train is boarded"
                " (from stays the station the fare was paid from; departs is then the"
                " departure from here). null: boarded at from.",
            },
        },
        [
            "pnr",
            "clientReference",
            "train",
            "trainName",
            "from",
            "to",
            "date",
            "departs",
            "arrives",
            "class",
            "quota",
            "bookedAt",
            "chartStatus",
            "farePerPassenger",
            "totalFare",
            "totalRefund",
            "passengers",
        ],
    ),
    "BoardingPointRequest": _object(
        {"station": STATION},
        ["station"],
        "The later stop of the journey to board at.",
    ),
    "CancellationRequest": _object(
        {
            "passengers": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 6},
                "minItems": 1,
                "maxItems": 6,
            }
        },
        [],
        "The passenger numbers to cancel; all of them if absent.",
    ),
    "Cancellation": _object(
        {
            "pnr": PNR_NUMBER,
            "cancelled": {"type": "array", "items": {"type": "integer"}},
            "refund": MONEY,
            "charges": MONEY,
            "promotions": {
                "type": "array",
                "items": _object(
                    {"from": {"type": "string"}, "to": {"type": "string"}}, ["from", "to"]
                ),
            },
            "booking": _ref("Booking"),
        },
        ["pnr", "cancelled", "refund", "charges", "promotions", "booking"],
    ),
    "ScheduledStop": _object(
        {
            "number": {"type": "integer", "minimum": 1},
            "station": STATION,
            "stationName": {"type": "string"},
            "arrives": {"oneOf": [TIME, {"type": "null"}]},
            "departs": {"oneOf": [TIME, {"type": "null"}]},
            "haltMinutes": {"type": ["integer", "null"]},
            "day": {"type": "integer", "minimum": 1},
            "distanceKm": {"type": "integer", "minimum": 0},
        },
        ["number", "station", "stationName", "day", "distanceKm"],
        "A stop: no arrival at the origin, no departure at the terminus; day 1 is the day the"
        " train leaves its origin.",
    ),
    "TrainSchedule": _object(
        {
            "trainNumber": TRAIN,
            "trainName": {"type": "string"},
            "category": {"type": "string"},
            "from": STATION,
            "to": STATION,
            "runsOn": {"type": "array", "items": {"type": "string"}},
            "distanceKm": {"type": "integer"},
            "duration": {"type": "string", "description": "ISO 8601, e.g. PT15H40M"},
            "stops": {"type": "array", "items": _ref("ScheduledStop")},
        },
        [
            "trainNumber",
            "trainName",
            "category",
            "from",
            "to",
            "runsOn",
            "distanceKm",
            "duration",
            "stops",
        ],
        "A train's timetable, origin to terminus.",
    ),
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details, with the same codes as the SOAP faults.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "retryable": {"type": "boolean"},
        },
        "required": ["type", "title", "status", "detail", "code", "retryable"],
    },
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_COMMON = {
    "401": _problem("No session, an unknown or expired token (SessionInvalid, SessionExpired)."),
    "405": _problem("The method is not allowed on this resource (see Allow)."),
    "500": _problem("InternalError: nothing was changed; a retry may succeed."),
    "503": _problem("Maintenance or Busy: retry after the Retry-After seconds."),
}
_INPUT = {"422": _problem("The request breaks a rule (the code says which).")}
_BODY = {
    "400": _problem("MalformedJson: the body is not JSON."),
    "413": _problem("RequestTooLarge: the body is over the limit."),
    "415": _problem("UnsupportedMediaType: the body is not application/json."),
}


def document(public_base: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with ``servers`` at ``public_base`` + ``/rest/v1``."""
    query = [
        {"name": "from", "in": "query", "required": True, "schema": STATION},
        {"name": "to", "in": "query", "required": True, "schema": STATION},
        {
            "name": "date",
            "in": "query",
            "required": True,
            "schema": DATE,
            "description": "The boarding date.",
        },
        {"name": "class", "in": "query", "required": False, "schema": CLASS},
        {"name": "quota", "in": "query", "required": False, "schema": QUOTA},
    ]
    pnr = {"name": "pnr", "in": "path", "required": True, "schema": PNR_NUMBER}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "IRCTC reservation core (REST/JSON)",
            "version": "1.0.0",
            "description": (
                "The same reservation core as the SOAP service at /soap, for the REST era. "
                "Errors are application/problem+json with the SOAP fault codes."
            ),
        },
        "servers": [{"url": f"{public_base.rstrip('/')}{BASE_PATH}"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/sessions": {
                "post": {
                    "operationId": OPERATION_IDS["Login"],
                    "summary": "Log in as a travel agent.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("LoginRequest")}},
                    },
                    "responses": {
                        "201": _json("Session", "A new session."),
                        **_BODY,
                        "401": _problem("Unknown agent or wrong password."),
                        "403": _problem("The agent is locked after five failed logins."),
                        "405": _COMMON["405"],
                        **_INPUT,
                        "500": _COMMON["500"],
                        "503": _COMMON["503"],
                    },
                }
            },
            "/sessions/current": {
                "delete": {
                    "operationId": OPERATION_IDS["Logout"],
                    "summary": "End the session of the bearer token.",
                    "security": _AUTH,
                    "responses": {"204": {"description": "Logged out."}, **_COMMON},
                }
            },
            "/trains": {
                "get": {
                    "operationId": OPERATION_IDS["SearchTrain"],
                    "summary": "Trains between two stations on a date, with availability.",
                    "security": _AUTH,
                    "parameters": query,
                    "responses": {"200": _json("TrainList", "The trains."), **_INPUT, **_COMMON},
                }
            },
            "/bookings": {
                "post": {
                    "operationId": OPERATION_IDS["Book"],
                    "summary": "Book passengers; CNF, then RAC, then waitlist.",
                    "description": (
                        "Idempotent per Idempotency-Key: resending the same request with the "
                        "same key returns the first booking and books nothing new; the same key "
                        "with a different request is 409 DuplicateReference."
                    ),
                    "security": _AUTH,
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": REFERENCE,
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("BookingRequest")}},
                    },
                    "responses": {
                        "201": {
                            **_json("Booking", "The booking (also on a replayed key)."),
                            "headers": {"Location": {"schema": {"type": "string"}}},
                        },
                        "403": _problem(
                            "AgentBarred: agents may not book in the first minutes of an"
                            " opening (the era's rule; retry after the time it names)."
                        ),
                        "404": _problem("TrainNotFound."),
                        "409": _problem(
                            "No seats to confirm, REGRET, a reused key, or ChartPrepared (Tatkal"
                            " and the other quotas close at the chart; current booking closes"
                            " before departure)."
                        ),
                        **_BODY,
                        **_INPUT,
                        **_COMMON,
                    },
                }
            },
            "/trains/{train}/schedule": {
                "get": {
                    "operationId": OPERATION_IDS["GetTrainSchedule"],
                    "summary": "A train's timetable: stops, times, day offsets, distances.",
                    "security": _AUTH,
                    "parameters": [
                        {"name": "train", "in": "path", "required": True, "schema": TRAIN}
                    ],
                    "responses": {
                        "200": _json("TrainSchedule", "The timetable."),
                        "404": _problem("TrainNotFound."),
                        **_INPUT,
                        **_COMMON,
                    },
                }
            },
            "/bookings/{pnr}": {
                "get": {
                    "operationId": OPERATION_IDS["GetPnrStatus"],
                    "summary": "A booking and the current status of each passenger.",
                    "security": _AUTH,
                    "parameters": [pnr],
                    "responses": {
                        "200": _json("Booking", "The booking."),
                        "403": _problem("The PNR belongs to another agent."),
                        "404": _problem("No such PNR."),
                        **_INPUT,
                        **_COMMON,
                    },
                }
            },
            "/bookings/{pnr}/boarding-point": {
                "put": {
                    "operationId": OPERATION_IDS["ChangeBoardingPoint"],
                    "summary": "Board at a later stop of the journey (the era's cut-off, once);"
                    " the berths are kept for the new legs only. Sending the same station again"
                    " answers the booking.",
                    "security": _AUTH,
                    "parameters": [pnr],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("BoardingPointRequest")}},
                    },
                    "responses": {
                        "200": _json("Booking", "The booking, boarding at the new station."),
                        "404": _problem("No such PNR among this agent's bookings."),
                        "409": _problem(
                            "Fully cancelled (AlreadyCancelled), past the era's cut-off or"
                            " changed already (BoardingChangeClosed), or after the chart"
                            " (ChartPrepared)."
                        ),
                        **_BODY,
                        **_INPUT,
                        **_COMMON,
                    },
                }
            },
            "/bookings/{pnr}/cancellations": {
                "post": {
                    "operationId": OPERATION_IDS["CancelBooking"],
                    "summary": "Cancel some or all passengers; refunds per the rules of the day.",
                    "security": _AUTH,
                    "parameters": [pnr],
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": _ref("CancellationRequest")}},
                    },
                    "responses": {
                        "200": _json("Cancellation", "The refund and the booking after it."),
                        "403": _problem("The PNR belongs to another agent."),
                        "404": _problem("No such PNR."),
                        "409": _problem(
                            "Already cancelled, the train has left, or a confirmed e-ticket"
                            " after the chart (CancellationClosed)."
                        ),
                        **_BODY,
                        **_INPUT,
                        **_COMMON,
                    },
                }
            },
        },
    }


def render(public_base: str) -> bytes:
    return (json.dumps(document(public_base), indent=2, ensure_ascii=False) + "\n").encode()


class Schema:
    """A request schema compiled twice: ``validator`` (jsonschema, the truth and its messages)
    and ``quick`` (``checks.compile_check``: True when a value is certainly valid)."""

    __slots__ = ("quick", "validator")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.validator = Draft202012Validator(
            {**schema, "components": {"schemas": SCHEMAS}},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        self.quick = compile_check(schema, SCHEMAS)


class Validators:
    """Compiled JSON Schema validators for request bodies and query strings."""

    def __init__(self) -> None:
        compile_schema = self.compile

        self.bodies = {name: compile_schema(_ref(name)) for name in SCHEMAS}
        self.search = compile_schema(
            _object(
                {"from": STATION, "to": STATION, "date": DATE, "class": CLASS, "quota": QUOTA},
                ["from", "to", "date"],
            )
        )
        self.reference = compile_schema(REFERENCE)
        self.pnr = compile_schema(PNR_NUMBER)

    @staticmethod
    def compile(schema: dict[str, Any]) -> Schema:
        """A validator of ``schema``, which may refer to the document's component schemas."""
        return Schema(schema)


def first_violation(schema: Schema, value: Any) -> ValidationError | None:
    """The first problem with ``value`` (in path order), or None when it is valid."""
    if schema.quick(value):
        return None
    errors = schema.validator.iter_errors(value)
    return next(iter(sorted(errors, key=lambda e: list(e.path))), None)


def first_error(schema: Schema, value: Any) -> str | None:
    """A one-line description of the first problem, or None when ``value`` is valid."""
    error = first_violation(schema, value)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(the body)"
    return f"{where}: {error.message}"
