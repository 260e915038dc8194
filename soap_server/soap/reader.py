"""SOAP requests read straight into the domain's request views, by readers compiled once.

At start-up each operation's request message (the Spyne type its ``@rpc`` declares: the
contract's source) is compiled against the request view the operations table names: every
element gets the view field the naming rule of ``mapping.py`` gives it, its text is converted by
the very Spyne function that would have converted it (looked up once per type instead of once
per value), a list of complex items becomes a tuple of nested views, a wrapper of one repeated
element the tuple of its items. An element absent from the request leaves the view's default.

A request is read in three steps, none of which serialises or parses again: the body's payload
is validated by the lxml schema Spyne builds for the contract (its rules, its messages: a fault
says exactly what Spyne's own validation would have said), the ``SessionHeader`` is read into the
call's token, and the payload into the request view. What the compiled readers leave to Spyne
(an ``xsi:type`` or a SOAP-encoded ``href`` anywhere in the envelope: Spyne swaps classes and
resolves references for those) raises ``Fallback``; so does any value Spyne's conversion refuses,
so that Spyne answers it with its own fault. ``from_spyne`` builds the same view from what Spyne
deserialised, for those requests: one mapping, two sources.
"""

from __future__ import annotations

import dataclasses
import threading
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lxml import etree
from spyne.model.complex import Array, ComplexModelBase
from spyne.protocol.xml import SchemaValidationError

from soap_server.ns import TNS, XSI
from soap_server.railway.operations import Operation
from soap_server.soap.faults import WireFault, wire_fault
from soap_server.soap.mapping import ABSENT, NIL_ITEMS, view_name

_NIL = f"{{{XSI}}}nil"
#: Attributes that make Spyne read an element differently (another class; a reference).
_SPYNE_ONLY = etree.XPath("boolean(//@xsi:type | //@href)", namespaces={"xsi": XSI})


class Fallback(Exception):
    """A request the compiled readers leave to Spyne's own reading."""


class RequestInvalid(Exception):
    """The request breaks the contract's schema: ``fault`` is the fault Spyne would answer."""

    def __init__(self, fault: WireFault) -> None:
        super().__init__(fault.message)
        self.fault = fault


Convert = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class _Part:
    """One element of a complex type, and where it goes in the view."""

    element: str  # local name (Spyne matches children by local name)
    field: str  # the view's field
    repeated: bool
    read: Callable[[etree._Element], Any]  # the element to its value
    adapt: Convert  # what Spyne deserialised to the same value


@dataclasses.dataclass(frozen=True)
class _Shape:
    """A complex type read into a view (or, for a message without a view, a dict)."""

    parts: dict[str, _Part]
    build: Callable[[dict[str, Any]], Any]


class RequestReader:
    """The requests of the operations of a Spyne application, compiled from its types."""

    def __init__(self, application: Any, operations: Iterable[Operation[Any, Any]]) -> None:
        self._protocol = application.in_protocol
        # Spyne's own schema for the contract, built a second time so that validating here
        # never races with Spyne's validation on another thread.
        xml_schema = application.interface.docs.xml_schema
        xml_schema.build_validation_schema()
        self._schema: etree.XMLSchema = xml_schema.validation_schema
        self._schema_lock = threading.Lock()
        self._messages: dict[str, tuple[Operation[Any, Any], _Shape]] = {}
        self._headers: dict[str, Callable[[etree._Element | None], str | None]] = {}
        methods = application.interface.service_method_map
        for operation in operations:
            (descriptor, *_) = methods[f"{{{TNS}}}{operation.name}"]
            shape = self._shape(descriptor.in_message, operation.request, operation.name)
            self._messages[operation.name] = (operation, shape)
            self._headers[operation.name] = self._header(descriptor.in_header)

    # -- reading ---------------------------------------------------------------------------------
    def read(
        self,
        name: str,
        envelope: etree._Element,
        headers: etree._Element | None,
        payload: etree._Element,
    ) -> tuple[Any, str | None]:
        """The request view and the session token of a checked envelope calling ``name``: its
        first soap:Header and the body's payload (what Spyne reads of it)."""
        if _SPYNE_ONLY(envelope):
            raise Fallback(name)
        operation, shape = self._messages[name]
        self.validate(payload)
        try:
            token = self._headers[name](headers)
            request = self._read(shape, payload)
        except _Refused as refused:
            raise Fallback(name) from refused.error
        return request, token

    def validate(self, payload: etree._Element) -> None:
        """Spyne's validation: the payload against the contract's schema, the same message."""
        with self._schema_lock:
            if self._schema.validate(payload):
                return
            log: Any = self._schema.error_log
            error = str(log.last_error)
        raise RequestInvalid(
            wire_fault(SchemaValidationError(error.encode("ascii", "xmlcharrefreplace")))
        )

    def from_spyne(self, name: str, values: Iterable[Any]) -> Any:
        """The request view from the arguments Spyne deserialised for ``name``."""
        _, shape = self._messages[name]
        given = dict(zip(shape.parts, values, strict=False))
        return shape.build(
            {part.field: part.adapt(given.get(key)) for key, part in shape.parts.items()}
        )

    def _read(self, shape: _Shape, element: etree._Element) -> Any:
        found: dict[str, Any] = {}
        parts = shape.parts
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            part = parts.get(tag.rpartition("}")[2])
            if part is None:
                continue
            if part.repeated:
                found.setdefault(part.field, []).append(part.read(child))
            else:
                found[part.field] = part.read(child)
        return shape.build(found)

    # -- compiling -------------------------------------------------------------------------------
    def _header(self, classes: Any) -> Callable[[etree._Element | None], str | None]:
        """The SessionHeader's token, read as Spyne reads it (the last entry of its name in
        the first soap:Header; a nil or missing header is no token)."""
        if not classes:
            return lambda headers: None
        (header_class,) = classes
        tag = f"{{{header_class.get_namespace()}}}{header_class.get_type_name()}"
        shape = self._shape(header_class, None, header_class.get_type_name())
        ((token_part, *_),) = [list(shape.parts.values())]

        def token(headers: etree._Element | None) -> str | None:
            if headers is None:
                return None
            entry = None
            for child in headers:
                if child.tag == tag:
                    entry = child
            if entry is None or entry.get(_NIL):
                return None
            value: str | None = self._read(shape, entry).get(token_part.field)
            return value

        return token

    def _shape(self, cls: Any, view: type | None, path: str) -> _Shape:
        """How to read the complex type ``cls`` into ``view`` (into a dict when None)."""
        hints = typing.get_type_hints(view) if view is not None else {}
        fields = {field.name: field for field in dataclasses.fields(view)} if view else {}
        parts: dict[str, _Part] = {}
        for name, member in cls._type_info.items():
            target = view_name(cls, name)
            if not isinstance(target, str):
                raise TypeError(f"{path}.{name}: a request element needs a field, not a function")
            if view is not None and target not in fields:
                raise TypeError(f"{path}.{name}: {view.__name__} has no field {target!r}")
            read, adapt = self._member(member, hints.get(target), f"{path}.{name}")
            repeated = self._protocol.get_cls_attrs(member).max_occurs > 1
            parts[name] = _Part(name, target, repeated, read, adapt)
        if view is None:
            return _Shape(parts, dict)
        defaults = {
            name
            for name, field in fields.items()
            if field.default is not dataclasses.MISSING
            or field.default_factory is not dataclasses.MISSING
        }
        missing = set(fields) - {part.field for part in parts.values()} - defaults
        if missing:
            raise TypeError(f"{path}: nothing in the contract fills {sorted(missing)}")
        absent = {part.field: ABSENT[part.field] for part in parts.values() if part.field in ABSENT}
        return _Shape(parts, _builder(view, defaults, absent))

    def _member(self, member: Any, hint: Any, path: str) -> tuple[Callable[..., Any], Convert]:
        """Reading one element (from lxml, and from what Spyne made of it)."""
        cls = member
        default = self._protocol.get_cls_attrs(member).default
        if issubclass(cls, Array):
            ((_, item),) = cls._type_info.items()
            item_view = _item_type(hint)
            read_item, adapt_item = self._member(item, item_view, path)
            nil = NIL_ITEMS.get(item_view) if isinstance(item_view, type) else None

            def items(values: list[Any]) -> tuple[Any, ...]:
                if nil is not None:
                    for number, value in enumerate(values, 1):
                        if value is None:
                            raise nil(number)
                return tuple(values)

            def read_array(element: etree._Element) -> Any:
                if element.get(_NIL):
                    return default
                return items([read_item(child) for child in element if isinstance(child.tag, str)])

            def adapt_array(value: Any) -> Any:
                return None if value is None else items([adapt_item(v) for v in value])

            return _nil_aware(read_array, default), adapt_array
        if issubclass(cls, ComplexModelBase):
            wrapped = _wrapped_member(cls)
            if wrapped is not None:  # PassengerNumbers: the tuple of its items
                shape = self._shape(cls, None, path)
                (part,) = shape.parts.values()

                def read_wrapper(element: etree._Element) -> Any:
                    return tuple(self._read(shape, element).get(part.field) or ())

                def adapt_wrapper(value: Any) -> Any:
                    if value is None:
                        return None
                    return tuple(part.adapt(v) for v in getattr(value, wrapped) or ())

                return _nil_aware(read_wrapper, default), adapt_wrapper
            view = hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None
            shape = self._shape(cls, view, path)

            def read_complex(element: etree._Element) -> Any:
                return self._read(shape, element)

            def adapt_complex(value: Any) -> Any:
                if value is None:
                    return None
                return shape.build(
                    {
                        part.field: part.adapt(getattr(value, key, None))
                        for key, part in shape.parts.items()
                    }
                )

            return _nil_aware(read_complex, default), adapt_complex
        return _nil_aware(self._text(member, path), default), _same

    def _text(self, member: Any, path: str) -> Callable[[etree._Element], Any]:
        """Spyne's own text conversion for a simple type (``from_unicode``, its lookups done
        once); a value it refuses is left to Spyne to answer."""
        protocol = self._protocol
        attributes = protocol.get_cls_attrs(member)
        handler = protocol._from_unicode_handlers[member]
        empty_is_none = attributes.empty_is_none
        keeps_none = not _is_unicode(member)  # Spyne reads a missing text as '' for strings

        def convert(element: etree._Element) -> Any:
            text = element.text
            if text is None:
                if keeps_none:
                    return None
                text = ""
            if not text and empty_is_none:
                return None
            try:
                return handler(member, text)
            except Exception as error:
                raise _Refused(error) from None

        return convert


class _Refused(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _same(value: Any) -> Any:
    return value


def _is_unicode(member: Any) -> bool:
    from spyne.model.primitive import Unicode

    return issubclass(member, Unicode)


def _nil_aware(read: Callable[[etree._Element], Any], default: Any) -> Callable[..., Any]:
    """Spyne reads any element with a non-empty ``xsi:nil`` as the type's default."""

    def value(element: etree._Element) -> Any:
        if element.get(_NIL):
            return default
        return read(element)

    return value


def _wrapped_member(cls: Any) -> str | None:
    """The one member of a type that wraps one repeated element, else None."""
    members = list(cls._type_info.items())
    if len(members) == 1 and members[0][1].Attributes.max_occurs > 1:
        return str(members[0][0])
    return None


def _item_type(hint: Any) -> Any:
    """``PassengerRequest`` for ``tuple[PassengerRequest, ...]`` (or its optional form)."""
    for arg in typing.get_args(hint) or ():
        if arg is type(None) or arg is Ellipsis:
            continue
        if typing.get_origin(arg) is tuple:
            return _item_type(arg)
        return arg
    return None


def _builder(
    view: type, defaults: set[str], absent: Mapping[str, Any]
) -> Callable[[Mapping[str, Any]], Any]:
    """The view from the values read; a value absent (None) leaves the field's default, or
    takes the facade's meaning of an absent element (``mapping.ABSENT``), else is None."""
    fields = [field.name for field in dataclasses.fields(view)]
    unset = {name: absent.get(name) for name in fields if name not in defaults}

    def build(values: Mapping[str, Any]) -> Any:
        given = dict(unset)
        for name, value in values.items():
            if value is not None:
                given[name] = value
            elif name in absent:
                given[name] = absent[name]
        return view(**given)

    return build
