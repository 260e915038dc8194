"""The Spyne application of the reservation service, and its WSDL."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import spyne.const
from lxml import etree
from spyne import Application
from spyne.interface.wsdl import Wsdl11

from soap_server.ns import SOAP_HTTP, TNS, WSDL, XS
from soap_server.railway.operations import OPERATIONS
from soap_server.railway.system import Railway
from soap_server.soap.protocol import ReservationSoap11
from soap_server.soap.reader import RequestReader
from soap_server.soap.service import CallContext, ReservationService
from soap_server.soap.writer import AnswerWriter

APPLICATION_NAME = "IrctcReservation"

# Spyne logs every fault it sees with a traceback, and every rejected document in full. Faults
# are normal traffic here; the endpoint logs one line per request and the service logs the
# unexpected failures itself.
_SPYNE_LOGGERS = (
    "spyne.application",
    "spyne.application.client",
    "spyne.application.server",
    "spyne.server.wsgi",
    "spyne.server._base",
    "spyne.protocol.soap.soap11.invalid",
    "spyne.protocol.xml",
)


def quiet_spyne() -> None:
    """Silence Spyne's per-fault tracebacks; done when an application is built, so that a
    logging set-up done earlier (a WSGI server's, say) does not bring them back."""
    for name in _SPYNE_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def no_forced_collections() -> None:
    """Stop Spyne running a full ``gc.collect()`` when it closes a call, once a second.

    Spyne does it in ``MethodContext.close`` (``spyne/context.py``) "to have file descriptors
    returned in a timely manner", which this service has none of: on a big heap each collection
    is a pause of tens of milliseconds in whichever request happens to close a context, and
    dominated the tail latency under load (bench/bench_http.py shows p99 before and after).
    ``spyne.const.MIN_GC_INTERVAL`` is Spyne's documented setting for the interval; Python's
    own generational collector still runs as usual.
    """
    spyne.const.MIN_GC_INTERVAL = math.inf


@dataclass(frozen=True)
class SoapFacade:
    """The SOAP facade's parts, built once: Spyne's application (the contract: the WSDL, the
    validation rules, the reading of what the compiled reader leaves to it) and the reader and
    writer compiled from its types for every operation of the table."""

    application: Any
    reader: RequestReader
    writer: AnswerWriter


def build_facade(railway: Railway) -> SoapFacade:
    """The Spyne application over ``railway``, with its compiled reader and writer."""
    application = build_application()
    reader = RequestReader(application, OPERATIONS)
    writer = AnswerWriter(application, OPERATIONS)

    def _attach(ctx: Any) -> None:
        ctx.udc = CallContext(railway, reader, writer)

    application.event_manager.add_listener("method_call", _attach)
    return SoapFacade(application, reader, writer)


def build_application() -> Any:
    """The Spyne ``Application`` (its service needs a ``CallContext``: see ``build_facade``)."""
    quiet_spyne()
    no_forced_collections()
    application = Application(
        [ReservationService],
        tns=TNS,
        name=APPLICATION_NAME,
        in_protocol=ReservationSoap11(),
        out_protocol=ReservationSoap11(),
    )
    # Normally set by the Spyne server class; set here so the WSDL is the same without one.
    application.transport = SOAP_HTTP
    return application


def operation_names(application: Any) -> frozenset[str]:
    """Local names of the operations, e.g. ``Login``; the map's keys are ``{tns}Login``."""
    return frozenset(key.partition("}")[2] for key in application.interface.service_method_map)


def wsdl_document(application: Any, public_url: str) -> bytes:
    """The WSDL 1.1 document, pretty-printed, with ``soap:address`` set to ``public_url``."""
    wsdl = Wsdl11(application.interface)
    wsdl.build_interface_document(public_url)
    root = etree.fromstring(wsdl.get_interface_document())
    _sort_definitions(root)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


_ORDER = {
    f"{{{XS}}}import": 0,
    f"{{{XS}}}simpleType": 1,
    f"{{{XS}}}complexType": 2,
    f"{{{XS}}}element": 3,
    f"{{{WSDL}}}documentation": 0,
    f"{{{WSDL}}}types": 1,
    f"{{{WSDL}}}message": 2,
    f"{{{WSDL}}}portType": 3,
    f"{{{WSDL}}}binding": 4,
    f"{{{WSDL}}}service": 5,
    f"{{{WSDL}}}operation": 6,
}


def _sort_definitions(root: etree._Element) -> None:
    """Put schema types, messages and operations in a stable order.

    Spyne emits them in set-iteration order, which changes from one process to the next; the
    order carries no meaning in XSD or WSDL, and a stable one makes the committed WSDL diffable.
    """

    def key(element: etree._Element) -> tuple[int, str]:
        return _ORDER.get(str(element.tag), 0), element.get("name") or element.get(
            "namespace"
        ) or ""

    containers = [
        root,
        *root.iter(f"{{{XS}}}schema", f"{{{WSDL}}}portType", f"{{{WSDL}}}binding"),
    ]
    for container in containers:
        children = sorted(container, key=key)
        container[:] = children
