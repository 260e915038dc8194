"""``POST /xml``: the reservation core as plain XML over HTTP, the era before SOAP.

A partner posts one ``<Request>`` of attribute-centric operations and gets one ``<Response>``::

    <Request session="TOKEN">                    <Response>
      <SearchTrain source="NDLS" ... />    ->      <SearchTrain><Train .../></SearchTrain>
      <Book train="12952" ...> ... </Book>         <Error op="Book" code="UnknownStation" .../>
      <PnrStatus reference="MMT-1"/>             </Response>
    </Request>

How a document is answered:

* It is read by ``xmlguard`` (media type, charset, size, no DTD, depth, attributes, element
  count), its root must be ``<Request>``, every child one of the six operations, and the whole
  must validate against ``irctc_plain_v1.xsd``. Anything wrong is HTTP 400 with a
  ``<Response>`` holding one ``<Error>`` (no ``op``): nothing in the document is run.
* The operations then run in order, each its own transaction in the core. A ``Login`` sets the
  session for the operations after it; ``<Request session=...>`` sets it for those before.
* The first operation that fails answers ``<Error op=... code=... message=... retryable=...>``
  in place of its result and ends the batch: later operations are not run, earlier results
  stay. The answer is still HTTP 200, as in the era: the outcome is in the document.
* ``GET /xml`` returns the XSD; other methods are HTTP 405 with an ``<Error>`` document.

Domain errors become ``<Error>`` elements here and nowhere else. The core is called only
through ``Railway``.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lxml import etree
from werkzeug.http import HTTP_STATUS_CODES

from soap_server.bodies import BodyRejected
from soap_server.delivery import deliver
from soap_server.plainxml import render
from soap_server.plainxml.calls import read
from soap_server.plainxml.schema import compiled, contract
from soap_server.railway import operations as ops
from soap_server.railway.errors import InternalError, ReservationError, SessionInvalid
from soap_server.railway.operations import Operation
from soap_server.railway.system import Railway
from soap_server.xmlguard import Limits, XmlRejected, read_document

log = logging.getLogger("soap_server.access")
errors_log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Req = TypeVar("Req")
Ans = TypeVar("Ans")

CONTENT_TYPE = "text/xml; charset=utf-8"
ALLOW = "GET, HEAD, POST"
#: This era's names that its naming rule (``element_name``) does not give.
RENAMED = {"CancelBooking": "Cancel"}


def element_name(operation: Operation[Any, Any]) -> str:
    """The element of an operation in a ``<Request>``: its name without ``Get`` (``PnrStatus``)."""
    return RENAMED.get(operation.name, operation.name.removeprefix("Get"))


#: Element -> operation, for every operation of the table; in the table's order.
BY_ELEMENT = {element_name(operation): operation for operation in ops.OPERATIONS}
OPERATIONS = tuple(BY_ELEMENT)
#: As in the XSD (``maxOccurs``); checked first only to say it plainly.
MAX_OPERATIONS = 16

__all__ = ["OPERATIONS", "PlainXmlEndpoint", "contract"]


@dataclass
class _Batch:
    """What the operations of one ``<Request>`` share: the session and the PNRs booked."""

    token: str | None
    environ: dict[str, Any]
    pnrs: dict[str, str] = field(default_factory=dict)  # client reference -> PNR


class PlainXmlEndpoint:
    """WSGI app for ``/xml``: read, check and validate a ``<Request>``, then run it."""

    def __init__(self, railway: Railway, limits: Limits) -> None:
        self._railway = railway
        self._limits = limits
        self._schema = compiled()
        # A schema keeps the error log of its last validation: one validation at a time.
        self._schema_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method in ("GET", "HEAD"):
            body = contract()
            start_response(
                "200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))]
            )
            return [] if method == "HEAD" else [body]
        if method != "POST":
            error = render.error_element(
                None,
                "MethodNotAllowed",
                f"{method} is not allowed: POST a <Request> document, or GET the schema",
                retryable=False,
            )
            return _answer(start_response, "405 Method Not Allowed", error, [("Allow", ALLOW)])
        started = time.perf_counter()
        try:
            return self._post(environ, start_response, started)
        except Exception:
            # A failure outside any operation (reading the body, rendering the answer): still
            # an XML answer, never a traceback.
            errors_log.exception("unexpected failure answering POST /xml")
            error = render.error_element(None, "InternalError", "unexpected internal error", True)
            return _answer(start_response, "500 Internal Server Error", error)

    # -- POST ------------------------------------------------------------------------------------
    def _post(
        self, environ: dict[str, Any], start_response: StartResponse, started: float
    ) -> Iterable[bytes]:
        try:
            session, calls = self._read(environ)
        except BodyRejected as rejected:
            log.info(
                "POST /xml rejected %s %.1fms",
                rejected.code,
                (time.perf_counter() - started) * 1000,
            )
            error = render.error_element(None, rejected.code, rejected.message, retryable=False)
            if rejected.status is not None:  # the transport failed: close the connection
                status = f"{rejected.status} {HTTP_STATUS_CODES[rejected.status]}"
                return _answer(start_response, status, error, [("Connection", "close")])
            return _answer(start_response, "400 Bad Request", error)
        response, outcome = self._run(_Batch(session, environ), calls)
        log.info(
            "POST /xml %s -> %s %.1fms",
            " ".join(str(call.tag) for call in calls),
            outcome,
            (time.perf_counter() - started) * 1000,
        )
        return _answer(start_response, "200 OK", response)

    def _read(self, environ: dict[str, Any]) -> tuple[str | None, list[etree._Element]]:
        """The session and the operations of a valid ``<Request>``, or ``XmlRejected``."""
        root = read_document(environ, self._limits, "a <Request> document")
        if root.tag != "Request":
            raise XmlRejected(
                "MalformedRequest",
                f"the document element is {_describe(root.tag)}, not <Request> (in no namespace)",
            )
        calls = [child for child in root if isinstance(child.tag, str)]
        for call in calls:
            if call.tag not in OPERATIONS:
                raise XmlRejected(
                    "UnknownOperation",
                    f"no operation {_describe(call.tag)}; a <Request> holds"
                    f" {', '.join(OPERATIONS)} (in no namespace)",
                )
        if len(calls) > MAX_OPERATIONS:
            raise XmlRejected(
                "SchemaValidation",
                f"Element 'Request': {len(calls)} operations; a Request holds at most"
                f" {MAX_OPERATIONS}.",
            )
        self._validate(root)
        _check_references(calls)
        return root.get("session"), calls

    def _validate(self, root: etree._Element) -> None:
        with self._schema_lock:
            if self._schema.validate(root.getroottree()):
                return
            errors: Any = self._schema.error_log
            first = next(iter(errors), None)
            message = " ".join(str(first.message).split()) if first is not None else ""
        raise XmlRejected("SchemaValidation", message or "the document does not follow the schema")

    def _run(self, batch: _Batch, calls: list[etree._Element]) -> tuple[etree._Element, str]:
        """The ``<Response>``: a result per operation until one fails, then its ``<Error>``."""
        response = etree.Element("Response")
        for call in calls:
            op = str(call.tag)
            try:
                response.append(self._perform(call, batch))
            except Exception as failure:
                error = _wire_error(op, failure, batch.token)
                response.append(
                    render.error_element(op, error.code, error.message, error.retryable)
                )
                return response, f"Error {op}.{error.code}"
        return response, "ok"

    # -- the operations --------------------------------------------------------------------------
    def _perform(self, call: etree._Element, batch: _Batch) -> etree._Element:
        """One operation: its request read from the call, the door, its result element."""
        operation = BY_ELEMENT[str(call.tag)]
        given: dict[str, Any] = (
            {"pnr": _pnr(call, batch)} if "pnr" in _fields(operation.request) else {}
        )
        if operation is ops.LOGIN:  # the client's address: registered networks, throttling
            given["source"] = str(batch.environ.get("REMOTE_ADDR") or "")
        request = read(operation.request, call, **given)
        answer = deliver(batch.environ, self._railway.call(operation, batch.token, request))
        if operation is ops.LOGIN:  # the session of the operations after it
            batch.token = answer.token
        if operation is ops.BOOK:  # a later PnrStatus or Cancel may name it by reference
            batch.pnrs[request.client_reference] = answer.pnr
        return render.result(str(call.tag), answer)


# -- reading operations (after schema validation: attributes are present and well typed) ------


def _attribute(call: etree._Element, name: str) -> str | None:
    value = call.get(name)
    return None if value is None else value.strip()


def _fields(view: Any) -> set[str]:
    return {field.name for field in dataclasses.fields(view)}


def _pnr(call: etree._Element, batch: _Batch) -> str:
    """The PNR a call names: its ``pnr``, or that of the earlier Book with its ``reference``."""
    pnr = _attribute(call, "pnr")
    # _check_references has made sure that a reference names a Book run before this call.
    return pnr if pnr is not None else batch.pnrs[str(_attribute(call, "reference"))]


def _check_references(calls: list[etree._Element]) -> None:
    """PnrStatus and Cancel name a booking by ``pnr`` or by the reference of an earlier Book.

    XSD 1.0 can't say "exactly one of two attributes", so it is checked here, before anything
    runs, with a message in the style of the schema validator's."""
    booked: set[str] = set()
    for call in calls:
        if BY_ELEMENT[str(call.tag)] is ops.BOOK:
            booked.add(str(_attribute(call, "reference")))
        elif "pnr" in _fields(BY_ELEMENT[str(call.tag)].request):
            pnr, reference = _attribute(call, "pnr"), _attribute(call, "reference")
            if (pnr is None) == (reference is None):
                raise XmlRejected(
                    "SchemaValidation",
                    f"Element '{call.tag}': exactly one of the attributes 'pnr' and 'reference'"
                    " is required.",
                )
            if reference is not None and reference not in booked:
                raise XmlRejected(
                    "SchemaValidation",
                    f"Element '{call.tag}', attribute 'reference': {reference!r} is not the"
                    " reference of a Book earlier in this Request; use pnr.",
                )


def _describe(tag: Any) -> str:
    name = etree.QName(tag)
    if name.namespace:
        return f"<{name.localname}> in namespace {name.namespace!r}"
    return f"<{name.localname}>"


# -- errors -------------------------------------------------------------------------------------


def _wire_error(op: str, failure: Exception, token: str | None) -> ReservationError:
    """The error a failed operation answers; called inside the ``except`` that caught it."""
    if isinstance(failure, ReservationError):
        if isinstance(failure, SessionInvalid) and token is None:
            return SessionInvalid(
                f"{op} needs a session: put a <Login> before it in the request,"
                ' or send <Request session="TOKEN"> with the token of an earlier Login'
            )
        if failure.retryable:
            errors_log.warning("%s failed: %s: %s", op, failure.code, failure.message)
        return failure
    errors_log.exception("unexpected failure in %s", op)
    return InternalError("unexpected internal error")


def _answer(
    start_response: StartResponse,
    status: str,
    content: etree._Element,
    extra: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    """Send ``content`` (a result element or an ``<Error>``) as a ``<Response>`` document."""
    if content.tag != "Response":
        response = etree.Element("Response")
        response.append(content)
        content = response
    body = etree.tostring(content, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    start_response(
        status,
        [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))] + (extra or []),
    )
    return [body]
