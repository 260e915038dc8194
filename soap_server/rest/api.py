"""The REST/JSON facade at ``/rest/v1``: resources over the same ``Railway`` as SOAP.

::

    POST   /rest/v1/sessions                        log in            201 Session
    DELETE /rest/v1/sessions/current                log out           204
    GET    /rest/v1/trains?from=&to=&date=          search            200 TrainList
    POST   /rest/v1/bookings        Idempotency-Key book              201 Booking + Location
    GET    /rest/v1/bookings/{pnr}                  PNR status        200 Booking
    POST   /rest/v1/bookings/{pnr}/cancellations    cancel            200 Cancellation
    GET    /rest/v1/openapi.json                    the contract

Sessions are bearer tokens. Errors are ``application/problem+json`` carrying the same codes as
the SOAP faults; the HTTP status comes from one table (``STATUS``) below.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from soap_server.bodies import BodyRejected, read_limited
from soap_server.delivery import deliver
from soap_server.railway import errors
from soap_server.railway import operations as ops
from soap_server.railway.operations import Operation
from soap_server.railway.system import Railway
from soap_server.railway.views import (
    BoardingPointRequest,
    BookingRequest,
    CancellationRequest,
    LoginRequest,
    LogoutRequest,
    PassengerRequest,
    PnrRequest,
    SearchRequest,
)
from soap_server.rest.mapping import from_parameters, to_json
from soap_server.rest.openapi import (
    BASE_PATH,
    OPERATION_IDS,
    Schema,
    Validators,
    document,
    first_error,
    first_violation,
    render,
)

log = logging.getLogger(__name__)
Req = TypeVar("Req")
Ans = TypeVar("Ans")

PROBLEM = "application/problem+json"

#: HTTP status per error code; codes not listed are 422 (Client) or 503 (Server).
STATUS: dict[str, int] = {
    "AuthenticationFailed": 401,
    "SessionInvalid": 401,
    "SessionExpired": 401,
    "AgentBarred": 403,
    "PnrNotFound": 404,
    "TrainNotFound": 404,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "DuplicateReference": 409,
    "AlreadyCancelled": 409,
    "CancellationClosed": 409,
    "ChartPrepared": 409,
    "BoardingChangeClosed": 409,
    "NoConfirmedSeats": 409,
    "WaitlistFull": 409,
    "RequestTooLarge": 413,
    "UnsupportedMediaType": 415,
    "MalformedJson": 400,
    "RateLimited": 429,
    "LoginThrottled": 429,
    "InternalError": 500,
}


#: The path of the booking resource (``POST`` books).
BOOKINGS = f"{BASE_PATH}/bookings"
#: Status lines as werkzeug writes them (``201 CREATED``).
_STATUS_LINES = {code: f"{code} {text.upper()}" for code, text in HTTP_STATUS_CODES.items()}


class JsonAnswer:
    """A JSON answer sent as werkzeug's ``Response(body, status, mimetype="application/json")``
    with a ``Location`` would send it (status line, Content-Type, Content-Length, Location;
    no body to a HEAD), without building one: its header machinery cost more than the JSON."""

    __slots__ = ("body", "location", "status")

    def __init__(self, body: bytes, status: int = 200, location: str | None = None) -> None:
        self.body = body
        self.status = status
        self.location = location

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(self.body)))]
        if self.location is not None:
            headers.append(("Location", self.location))
        start_response(_STATUS_LINES[self.status], headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


#: What a resource answers: a JSON answer, or a werkzeug response (errors, 204, the document).
Answer = JsonAnswer | Response


class Problem(Exception):
    """An error answered as problem+json; ``transport_status`` (a broken or slow body) overrides
    the status table and closes the connection."""

    def __init__(
        self,
        code: str,
        message: str,
        retryable: bool = False,
        transport_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.transport_status = transport_status

    @property
    def status(self) -> int:
        if self.transport_status is not None:
            return self.transport_status
        return STATUS.get(self.code, 503 if self.retryable else 422)


#: Resources with their own handler below; any other read-only operation the document lists
#: is served from the document alone (``_read``).
HANDLED = frozenset(
    {
        "Login",
        "Logout",
        "SearchTrain",
        "Book",
        "GetPnrStatus",
        "CancelBooking",
        "ChangeBoardingPoint",
    }
)


@dataclass(frozen=True)
class Reading:
    """A read-only operation served from the document: its parameters and answer schema."""

    operation: Operation[Any, Any]
    parameters: tuple[tuple[str, bool, Schema], ...]  # name, required, schema
    answer: str  # the component schema of the 200 answer


def readings(paths: dict[str, Any]) -> Iterator[tuple[str, Reading]]:
    """(werkzeug rule, Reading) for each GET of the document not handled on its own."""
    names = {operation_id: name for name, operation_id in OPERATION_IDS.items()}
    for path, item in paths.items():
        spec = item.get("get")
        name = None if spec is None else names.get(spec["operationId"])
        if spec is None or name is None or name in HANDLED:
            continue
        operation = ops.BY_NAME[name]
        parameters = tuple(
            (p["name"], bool(p.get("required")), Validators.compile(p["schema"]))
            for p in spec.get("parameters", [])
        )
        schema = spec["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        rule = BASE_PATH + path.replace("{", "<").replace("}", ">")
        yield rule, Reading(operation, parameters, schema.rpartition("/")[2])


class RestApi:
    """WSGI app for ``/rest/v1``."""

    def __init__(self, railway: Railway, public_base: str, max_body_bytes: int) -> None:
        self.railway = railway
        self.openapi = render(public_base)
        self.max_body_bytes = max_body_bytes
        self.validate = Validators()
        self.readings = dict(readings(document(public_base)["paths"]))
        self.urls = Map(
            [
                *(Rule(rule, endpoint="read", methods=["GET"]) for rule in self.readings),
                Rule(f"{BASE_PATH}/sessions", endpoint="login", methods=["POST"]),
                Rule(f"{BASE_PATH}/sessions/current", endpoint="logout", methods=["DELETE"]),
                Rule(f"{BASE_PATH}/trains", endpoint="search", methods=["GET"]),
                Rule(f"{BASE_PATH}/bookings", endpoint="book", methods=["POST"]),
                Rule(f"{BASE_PATH}/bookings/<pnr>", endpoint="status", methods=["GET"]),
                Rule(
                    f"{BASE_PATH}/bookings/<pnr>/cancellations",
                    endpoint="cancel",
                    methods=["POST"],
                ),
                Rule(
                    f"{BASE_PATH}/bookings/<pnr>/boarding-point",
                    endpoint="boarding",
                    methods=["PUT"],
                ),
                Rule(f"{BASE_PATH}/openapi.json", endpoint="openapi", methods=["GET"]),
            ],
            strict_slashes=False,
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response: Answer
        try:
            if environ.get("PATH_INFO") == BOOKINGS and environ.get("REQUEST_METHOD") == "POST":
                response = self._book(request)  # the busiest route, without matching the map
            else:
                rule, values = self.urls.bind_to_environ(environ).match(return_rule=True)
                if rule.endpoint == "read":
                    response = self._read(request, self.readings[rule.rule], values)
                else:
                    response = getattr(self, f"_{rule.endpoint}")(request, **values)
        except Problem as problem:
            response = self._problem(problem)
        except errors.RateLimited as error:
            response = self._problem(Problem(error.code, error.message, error.retryable))
            response.headers["Retry-After"] = str(error.retry_after)
        except errors.ReservationError as error:
            response = self._problem(Problem(error.code, error.message, error.retryable))
        except MethodNotAllowed as error:
            response = self._problem(
                Problem("MethodNotAllowed", f"{request.method} is not allowed here")
            )
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods or []))
        except NotFound:
            response = self._problem(Problem("NotFound", f"no resource at {request.path}"))
        except HTTPException as error:
            response = self._problem(Problem("MalformedRequest", error.description or str(error)))
        except Exception:
            log.exception("unexpected failure on %s %s", request.method, request.path)
            response = self._problem(Problem("InternalError", "unexpected internal error", True))
        answer: Iterable[bytes] = response(environ, start_response)
        return answer

    # -- plumbing --------------------------------------------------------------------------------
    def _problem(self, problem: Problem) -> Response:
        body = {
            "type": f"urn:irctc:error:{problem.code}",
            "title": problem.code,
            "status": problem.status,
            "detail": problem.message,
            "code": problem.code,
            "retryable": problem.retryable,
        }
        response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM)
        if problem.transport_status is not None:
            response.headers["Connection"] = "close"
        if problem.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="irctc"'
        if problem.status in (429, 503):
            response.headers["Retry-After"] = str(
                60 if problem.code == "RateLimited" else self._retry_after(problem.code)
            )
        return response

    def _retry_after(self, code: str) -> int:
        back = self.railway.maintenance_ends() if code == "Maintenance" else None
        if back is None:
            return 1
        return max(1, int((back - self.railway.clock.now()).total_seconds()))

    def _json(self, request: Request, schema: str, required: bool = True) -> Any:
        try:
            raw = read_limited(request.environ, self.max_body_bytes)
        except BodyRejected as rejected:
            raise Problem(
                rejected.code, rejected.message, transport_status=rejected.status
            ) from None
        if not raw.strip():
            if required:
                raise Problem("SchemaValidation", "the request needs a JSON body")
            return {}
        if request.mimetype != "application/json":
            raise Problem(
                "UnsupportedMediaType", f"Content-Type {request.mimetype!r} is not application/json"
            )
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise Problem("MalformedJson", f"the body is not JSON: {error}") from None
        violation = first_violation(self.validate.bodies[schema], value)
        if violation is not None:
            if (
                list(violation.absolute_path) == ["passengers"]
                and violation.validator == "maxItems"
            ):
                # the rule's own code, as SOAP and plain XML answer it
                raise Problem(
                    "TooManyPassengers",
                    "a booking holds up to 6 passengers (4 in Tatkal),"
                    f" not {len(value['passengers'])}",
                )
            raise Problem(
                "SchemaValidation", first_error(self.validate.bodies[schema], value) or ""
            )
        return value

    def _call(
        self, request: Request, operation: Operation[Req, Ans], read: Req | Callable[[], Req]
    ) -> Ans:
        """Through the door with the bearer token. For operations with a session, ``read`` is
        a function: the request is read and validated after the session was checked, so that
        a bad session is 401 before any 422."""
        token = self._token(request)
        try:
            answer = self.railway.call(operation, token, read)
        except errors.SessionInvalid:
            if token is None:  # say it in REST words, not the SOAP era's SessionHeader
                raise Problem(
                    "SessionInvalid",
                    "this operation needs an 'Authorization: Bearer TOKEN' header, with the"
                    f" token from POST {BASE_PATH}/sessions",
                ) from None
            raise
        return deliver(request.environ, answer)

    @staticmethod
    def _token(request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    @staticmethod
    def _ok(body: Any, status: int = 200, location: str | None = None) -> JsonAnswer:
        return JsonAnswer(json.dumps(body).encode(), status, location)

    # -- resources -------------------------------------------------------------------------------
    def _openapi(self, request: Request) -> Response:
        return Response(self.openapi, mimetype="application/json")

    def _login(self, request: Request) -> Answer:
        body = self._json(request, "LoginRequest")
        session = self._call(
            request,
            ops.LOGIN,
            LoginRequest(body["agent"], body["password"], request.remote_addr or ""),
        )
        return self._ok(to_json("Session", session), 201, f"{BASE_PATH}/sessions/current")

    def _logout(self, request: Request) -> Response:
        self._call(request, ops.LOGOUT, LogoutRequest())
        response = Response(status=204)
        del response.headers["Content-Type"]
        return response

    def _search(self, request: Request) -> Answer:
        def read() -> SearchRequest:
            query = {key: value for key, value in request.args.items()}
            problem = first_error(self.validate.search, query)
            if problem is not None:
                raise Problem("SchemaValidation", problem)
            return SearchRequest(
                query["from"],
                query["to"],
                date.fromisoformat(query["date"]),
                query.get("class"),
                query.get("quota", "GN"),
            )

        return self._ok(to_json("TrainList", self._call(request, ops.SEARCH_TRAIN, read)))

    def _book(self, request: Request) -> Answer:
        def read() -> BookingRequest:
            key = request.headers.get("Idempotency-Key")
            if key is None or first_error(self.validate.reference, key) is not None:
                raise Problem(
                    "SchemaValidation",
                    "an Idempotency-Key header of 1-64 [A-Za-z0-9._:-] is required",
                )
            body = self._json(request, "BookingRequest")
            return BookingRequest(
                train=body["train"],
                journey_date=date.fromisoformat(body["date"]),
                source=body["from"],
                destination=body["to"],
                class_code=body["class"],
                quota=body.get("quota", "GN"),
                passengers=tuple(
                    PassengerRequest(
                        p["name"],
                        p["age"],
                        p["gender"],
                        p.get("berth"),
                        no_berth=bool(p.get("noBerth", False)),
                    )
                    for p in body["passengers"]
                ),
                client_reference=key,
                only_if_confirmed=bool(body.get("onlyIfConfirmed", False)),
            )

        booking = self._call(request, ops.BOOK, read)
        return self._ok(to_json("Booking", booking), 201, f"{BASE_PATH}/bookings/{booking.pnr}")

    def _read(self, request: Request, reading: Reading, path: Mapping[str, Any]) -> Answer:
        """A read-only operation from its parameters, answered with its schema."""

        def read() -> Any:
            given = {**request.args.to_dict(), **path}
            for name, required, validator in reading.parameters:
                if name not in given:
                    if required:
                        raise Problem("SchemaValidation", f"{name}: a required parameter")
                    continue
                problem = first_error(validator, given[name])
                if problem is not None:
                    raise Problem("SchemaValidation", f"{name}: {problem.partition(': ')[2]}")
            return from_parameters(reading.operation.request, given)

        return self._ok(to_json(reading.answer, self._call(request, reading.operation, read)))

    def _pnr(self, pnr: str) -> str:
        if first_error(self.validate.pnr, pnr) is not None:
            raise Problem("SchemaValidation", f"{pnr!r} is not a 10-digit PNR")
        return pnr

    def _status(self, request: Request, pnr: str) -> Answer:
        booking = self._call(request, ops.GET_PNR_STATUS, lambda: PnrRequest(self._pnr(pnr)))
        return self._ok(to_json("Booking", booking))

    def _cancel(self, request: Request, pnr: str) -> Answer:
        def read() -> CancellationRequest:
            checked = self._pnr(pnr)
            body = self._json(request, "CancellationRequest", required=False)
            numbers = body.get("passengers")
            return CancellationRequest(checked, None if numbers is None else tuple(numbers))

        return self._ok(to_json("Cancellation", self._call(request, ops.CANCEL_BOOKING, read)))

    def _boarding(self, request: Request, pnr: str) -> Answer:
        def read() -> BoardingPointRequest:
            checked = self._pnr(pnr)
            body = self._json(request, "BoardingPointRequest")
            return BoardingPointRequest(checked, body["station"])

        booking = self._call(request, ops.CHANGE_BOARDING_POINT, read)
        return self._ok(to_json("Booking", booking))
