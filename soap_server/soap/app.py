"""The Spyne application of the reservation service, and its WSDL."""

from __future__ import annotations

import inspect
import logging
import math
import textwrap
from dataclasses import dataclass
from typing import Any

import spyne.const
from lxml import etree
from spyne import Application
from spyne.interface.wsdl import Wsdl11

from soap_server.ns import SOAP_HTTP, TNS, WSDL, XS
from soap_server.railway.clock import SystemClock
from soap_server.railway.operations import OPERATIONS
from soap_server.railway.rulebook import RuleSet, load_rulebook
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

    Spyne does it in ``MethodContext.close`` (``spyne/context.py``: "to have file descriptors
    returned in a timely manner"; this service hands Spyne no files). On a worker's heap each
    full collection is a pause of tens of milliseconds in whichever request happens to close a
    context, which dominated the tail latency under load (bench/bench_http.py shows p99 before
    and after). ``spyne.const.MIN_GC_INTERVAL`` is Spyne's own setting for the interval; an
    infinite one never elapses. Python's generational collector still runs as usual.
    """
    spyne.const.MIN_GC_INTERVAL = math.inf


@dataclass(frozen=True)
class SoapFacade:
    """The SOAP facade over one core: Spyne's application (the WSDL, and the requests the
    compiled reader leaves to Spyne) and the reader, sharing one compiled writer."""

    application: Any
    reader: RequestReader


def build_facade(railway: Railway) -> SoapFacade:
    """The Spyne application over ``railway`` and the request reader compiled from its types."""
    application = build_application(railway)
    writer: AnswerWriter = application.irctc_writer
    return SoapFacade(application, RequestReader(application, OPERATIONS, railway, writer))


def build_application(railway: Railway | None = None) -> Any:
    """The Spyne ``Application``; calls reach ``railway`` through ``ctx.udc``, with the writer
    compiled from the application's types for the answers of every operation of the table
    (kept as ``irctc_writer``, for the reader to share)."""
    quiet_spyne()
    no_forced_collections()
    plain_documentation(ReservationService)
    application = Application(
        [ReservationService],
        tns=TNS,
        name=APPLICATION_NAME,
        in_protocol=ReservationSoap11(),
        out_protocol=ReservationSoap11(),
    )
    # Normally set by the Spyne server class; set here so the WSDL is the same without one.
    application.transport = SOAP_HTTP
    if railway is not None:
        writer = application.irctc_writer = AnswerWriter(application, OPERATIONS)

        def _attach(ctx: Any) -> None:
            ctx.udc = CallContext(railway, writer)

        application.event_manager.add_listener("method_call", _attach)
    return application


def plain_documentation(service: Any) -> None:
    """Make the operations' documentation plain text, the same on every Python version.

    Spyne publishes each operation's raw ``__doc__``. Python 3.13 strips the common indentation
    of docstrings when it compiles them, and 3.11 and 3.12 keep it, so the raw text depends on
    the interpreter. ``inspect.cleandoc`` gives the same text on all of them. This is idempotent:
    the method descriptors belong to the class, and every application built from it shares them.
    """
    for descriptor in service.public_methods.values():
        if descriptor.doc:
            descriptor.doc = inspect.cleandoc(descriptor.doc)


def operation_names(application: Any) -> frozenset[str]:
    """Local names of the operations, e.g. ``Login``; the map's keys are ``{tns}Login``."""
    return frozenset(key.partition("}")[2] for key in application.interface.service_method_map)


def wsdl_document(application: Any, public_url: str, rules: RuleSet | None = None) -> bytes:
    """The WSDL 1.1 document, pretty-printed, with ``soap:address`` set to ``public_url``.

    Its documentation names the rule set in force (``rules``; today's when not given): the
    core follows the rules of its simulated day.
    """
    wsdl = Wsdl11(application.interface)
    wsdl.build_interface_document(public_url)
    root = etree.fromstring(wsdl.get_interface_document())
    if rules is None:
        rules = load_rulebook().at(SystemClock().now())
    note = etree.Element(f"{{{WSDL}}}documentation")
    note.text = rules_note(rules)
    root.insert(0, note)
    _sort_definitions(root)
    etree.indent(root, space="  ")
    _indent_documentation(root)
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


def _indent_documentation(root: etree._Element) -> None:
    """Indent the continuation lines of multi-line documentation one level deeper than its
    element, to match the pretty-printed elements around it (``etree.indent`` does not touch
    text)."""
    for element in root.iter(f"{{{WSDL}}}documentation"):
        first, newline, rest = (element.text or "").partition("\n")
        if newline:
            depth = sum(1 for _ in element.iterancestors())
            element.text = first + newline + textwrap.indent(rest, "  " * (depth + 1))


def rules_note(rules: RuleSet) -> str:
    """The WSDL's words on the rules: which set is in force, and what each rule says."""
    lines = [
        "IRCTC reservation service for authorised travel agents. The core follows the rules of"
        f" its simulated day; {rules.name}:"
    ]
    lines += [f"{line.topic.replace('_', ' ')}: {line.summary}." for line in rules.describe()]
    return "\n".join(lines)


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
