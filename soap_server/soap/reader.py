"""SOAP requests read without Spyne's request machinery, by a reader compiled once from the
contract's Spyne types.

Spyne stays the contract's source: the types of ``types.py`` and the ``@rpc`` messages of
``service.py`` give the WSDL, its schema and the rules a request must follow. At start-up this
module walks each operation's request message (and the ``SessionHeader``) through those types
and compiles, per complex type, a reader that maps each child element (by local name, as Spyne
does) to its place in the message, and per simple type the very conversion Spyne would apply
(``from_unicode``'s handler for the type, looked up once instead of once per value). A request
then costs one schema validation and one walk over its body, straight to the values the
service's methods would receive; ``service.serve`` builds the request view from them, calls
the door and writes the answer, exactly as for a call Spyne read.

What Spyne would read the same way is read here; everything else is left to Spyne's own path
(``RequestReader.answer`` returns None), so that its answer, fault texts and codes included,
stays exactly as before:

* a body that is not valid against the contract's schema (Spyne's own validation schema,
  built once more for this reader, gives the verdict; Spyne then validates again and words
  the fault);
* any attribute in the body or the ``SessionHeader`` other than ``xsi:nil`` (``xsi:type``
  makes Spyne read another class; SOAP-encoded ``href``/``id`` references, and anything else
  unexpected), found while walking: a nil element has no content, a simple one no children;
* an envelope with ``xml:id`` attributes (Spyne parses those itself, to resolve references:
  the endpoint decides);
* a value Spyne's conversion refuses, and any operation whose types this reader cannot compile.

Nothing reaches the door before the whole request is read, so leaving a request to Spyne never
repeats a call.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree
from spyne.model.complex import Array, ComplexModelBase
from spyne.model.primitive import Date
from spyne.protocol._inbase import InProtocolBase
from spyne.protocol.xml import XmlDocument

from soap_server.ns import SOAP_ENV, TNS, XSI
from soap_server.railway.agents import UsernameToken
from soap_server.railway.operations import Operation
from soap_server.railway.system import Railway
from soap_server.soap.service import fault_for, serve
from soap_server.soap.writer import AnswerWriter

log = logging.getLogger(__name__)

NIL = f"{{{XSI}}}nil"
HEADER = f"{{{SOAP_ENV}}}Header"
OK = "200 OK"
#: Spyne answers every fault with HTTP 500 (``fault_to_http_response_code``).
FAULT = "500 Internal Server Error"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Read = Callable[[etree._Element], Any]


class _LeftToSpyne(Exception):
    """This request is read by Spyne's own path."""


def _nil(element: etree._Element, attributes: Sequence[Any]) -> bool:
    """Whether an element with ``attributes`` is nil (any non-empty xsi:nil, as Spyne reads
    it); any other attribute leaves the request to Spyne."""
    if len(attributes) == 1 and attributes[0] == NIL:
        return bool(element.get(NIL))
    raise _LeftToSpyne


class Unsupported(Exception):
    """A type this reader does not compile (its operation is left to Spyne)."""


class Value:
    """A complex value as Spyne's model gives it to the service: its elements' names as
    attributes, None where absent (one class per complex type, with its names as slots)."""

    __slots__: tuple[str, ...] = ()

    def __init__(self, values: list[Any]) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


@dataclass(frozen=True)
class _Message:
    operation: Operation[Any, Any]
    read: Callable[[etree._Element], list[Any]]
    #: The SessionHeader's reader, for an operation that reads one (all but Login).
    header: tuple[str, Read] | None


class RequestReader:
    """The requests of the table's operations, read from the envelope the endpoint parsed and
    checked, and answered through the door (``answer``)."""

    def __init__(
        self,
        application: Any,
        operations: Iterable[Operation[Any, Any]],
        railway: Railway,
        writer: AnswerWriter,
    ) -> None:
        self._protocol: XmlDocument = application.in_protocol
        self._faults = application.out_protocol
        self._railway = railway
        self._writer = writer
        # Spyne's own validation schema (the rules its validator='lxml' applies), built once
        # more so that this reader never shares its error log with Spyne's validation.
        xml_schema = application.interface.docs.xml_schema
        xml_schema.build_validation_schema()
        self._schema: etree.XMLSchema = xml_schema.validation_schema
        # A schema keeps the error log of its last validation: one validation at a time.
        self._schema_lock = threading.Lock()
        self._values: dict[type, type[Value]] = {}
        self._messages: dict[str, _Message] = {}
        methods = application.interface.service_method_map
        for operation in operations:
            tag = f"{{{TNS}}}{operation.name}"
            (descriptor, *_) = methods[tag]
            try:
                header = None
                if descriptor.in_header:
                    (header_class,) = descriptor.in_header
                    header_tag = f"{{{header_class.get_namespace()}}}{header_class.get_type_name()}"
                    header = (header_tag, self._read(header_class, header_class.get_type_name()))
                read = self._members(descriptor.in_message, operation.name)
            except Unsupported as unsupported:
                log.warning("%s is left to Spyne's reading: %s", operation.name, unsupported)
                continue
            self._messages[tag] = _Message(operation, read, header)

    @property
    def operations(self) -> frozenset[str]:
        """The operations this reader reads (the others are left to Spyne)."""
        return frozenset(message.operation.name for message in self._messages.values())

    # -- reading -----------------------------------------------------------------------------
    def answer(
        self,
        environ: dict[str, Any],
        envelope: etree._Element,
        payload: etree._Element,
        token: UsernameToken | None,
    ) -> tuple[str, bytes] | None:
        """The HTTP status and the answer envelope of a checked request whose body holds
        ``payload``, with the WS-Security ``token`` the endpoint read, if any; None when the
        request is left to Spyne."""
        try:
            message, values, credential = self._read_call(envelope, payload, token)
        except _LeftToSpyne:
            return None
        try:
            return OK, serve(
                self._railway, self._writer, environ, message.operation, credential, values
            )
        except Exception as error:
            fault = fault_for(error, payload.tag)
            return FAULT, self._faults.fault_document(fault)

    def _read_call(
        self, envelope: etree._Element, payload: etree._Element, token: UsernameToken | None
    ) -> tuple[_Message, tuple[Any, ...], Any]:
        message = self._messages.get(payload.tag)
        if message is None or payload.keys():
            raise _LeftToSpyne
        with self._schema_lock:
            valid = self._schema.validate(payload)
        if not valid:
            raise _LeftToSpyne  # Spyne's validation words the fault
        values = tuple(message.read(payload))
        credential: Any = token
        if token is None and message.header is not None:
            credential = self._session_token(envelope, *message.header)
        return message, values, credential

    def _session_token(self, envelope: etree._Element, tag: str, read: Read) -> str | None:
        """The header's token as Spyne reads it: the last entry of its name in the first
        soap:Header (the endpoint has validated every entry against the schema)."""
        entry = None
        for part in envelope:
            if part.tag == HEADER:
                for child in part:
                    if child.tag == tag:
                        entry = child
                break
        if entry is None:
            return None
        value = read(entry)
        token: str | None = None if value is None else value.SessionToken
        return token

    # -- compiling -------------------------------------------------------------------------------
    def _members(self, cls: Any, path: str) -> Callable[[etree._Element], list[Any]]:
        """The values of a complex type's elements in declared order, from its element's
        children matched by local name (``complex_from_element``: a repeated element a list,
        None when absent; otherwise the last one read)."""
        members = list(cls.get_flat_type_info(cls).items())
        parts: dict[str, tuple[int, bool, Read]] = {}
        for index, (name, member) in enumerate(members):
            attributes = self._protocol.get_cls_attrs(member)
            if attributes.default is not None:
                raise Unsupported(f"{path}.{name} has a default")
            repeated = attributes.max_occurs > 1
            parts[name] = (index, repeated, self._read(member, f"{path}.{name}"))
        size = len(members)

        def read(element: etree._Element) -> list[Any]:
            values: list[Any] = [None] * size
            for child in element:
                tag = child.tag
                if not isinstance(tag, str):
                    continue
                part = parts.get(tag[tag.find("}") + 1 :])
                if part is None:
                    raise _LeftToSpyne  # not after a valid schema: never mind, Spyne reads it
                index, repeated, read_member = part
                if repeated:
                    found = values[index]
                    if found is None:
                        found = values[index] = []
                    found.append(read_member(child))
                else:
                    values[index] = read_member(child)
            return values

        return read

    def _read(self, member: Any, path: str) -> Read:
        """One element of type ``member`` to its value; nil (any value of xsi:nil, as Spyne
        reads it) is the type's default, None."""
        protocol = self._protocol
        attributes = protocol.get_cls_attrs(member)
        if attributes.default is not None:
            raise Unsupported(f"{path} has a default")
        if issubclass(member, Array):
            ((_, item),) = member._type_info.items()
            read_item = self._read(item, path)

            def read_array(element: etree._Element) -> Any:
                attributes = element.keys()
                if attributes and _nil(element, attributes):
                    return None
                return [read_item(child) for child in element]

            return read_array
        if issubclass(member, ComplexModelBase):
            read_members = self._members(member, path)
            value_class = self._value_class(member)

            def read_complex(element: etree._Element) -> Any:
                attributes = element.keys()
                if attributes and _nil(element, attributes):
                    return None
                return value_class(read_members(element))

            return read_complex
        return self._simple(member, path)

    def _simple(self, member: Any, path: str) -> Read:
        """Spyne's ``unicode_from_element`` or ``base_from_element`` for a simple type, with
        the type's ``from_unicode`` handler found once; a value it refuses is Spyne's to
        answer."""
        protocol = self._protocol
        attributes = protocol.get_cls_attrs(member)
        element_handler = protocol.deserialization_handlers[member]
        handler = protocol._from_unicode_handlers[member]
        empty_is_none = bool(attributes.empty_is_none)
        reads_text = getattr(element_handler, "__func__", None) is XmlDocument.unicode_from_element
        if not reads_text and getattr(element_handler, "__func__", None) is not (
            XmlDocument.base_from_element
        ):
            raise Unsupported(f"{path}: Spyne reads {member.__name__} with {element_handler}")
        # Unicode from text is the text itself (``unicode_from_bytes`` of a str).
        same = getattr(handler, "__func__", None) is InProtocolBase.unicode_from_bytes
        iso_date = getattr(handler, "__func__", None) is InProtocolBase.date_from_unicode_iso
        if iso_date and not issubclass(member, Date):
            iso_date = False

        def convert(text: str) -> Any:
            if iso_date and len(text) == 10 and _ISO_DATE.fullmatch(text):
                try:  # what strptime(text, "%Y-%m-%d") gives, without strptime
                    return date(int(text[:4]), int(text[5:7]), int(text[8:]))
                except ValueError:
                    pass
            try:
                return handler(member, text)
            except Exception:
                raise _LeftToSpyne from None

        if reads_text:

            def read_text(element: etree._Element) -> Any:
                attributes = element.keys()
                if attributes and _nil(element, attributes):
                    return None
                text = element.text
                if text is None:
                    text = ""
                if not text and empty_is_none:
                    return None
                return text if same else convert(text)

            return read_text

        def read_value(element: etree._Element) -> Any:
            attributes = element.keys()
            if attributes and _nil(element, attributes):
                return None
            text = element.text
            if text is None or (not text and empty_is_none):
                return None
            return convert(text)

        return read_value

    def _value_class(self, cls: Any) -> type[Value]:
        known = self._values.get(cls)
        if known is None:
            names = tuple(cls.get_flat_type_info(cls))
            known = self._values[cls] = type(cls.get_type_name(), (Value,), {"__slots__": names})
        return known
