"""SOAP answers written straight from the domain views, by writers compiled once from the contract.

The Spyne types of ``types.py`` are the contract's source: the WSDL is published from them. At
start-up the writer walks each operation's response message through those types and compiles,
element by element, a small function that reads the value from the domain view (the naming rule
and renames of ``mapping.py``), converts it to text the way Spyne writes that type, checks it
against the type's facets (lengths, pattern, enumeration, ranges, digits) and appends the
escaped element to the answer. Elements come in their declared order; a required element whose
value is missing, a nil where the type is not nillable, or a value outside its facets is not
written but raises ``AnswerInvalid``, which the service answers as a retryable
``Server.InternalError`` and logs: an answer either matches the WSDL or is not sent.

The text is what lxml writes for the same tree (the committed samples, replayed by the tests,
keep it so, and the suite validates every answer against the WSDL's schema: tests/answers.py).
Faults stay with the protocol (``protocol.py``), whoever raised them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from spyne.model.complex import Array, ComplexModelBase
from spyne.model.primitive import Boolean, Date, DateTime, Integer, Unicode
from spyne.model.primitive import Decimal as SpyneDecimal

from soap_server.ns import SOAP_ENV, TNS, XSI
from soap_server.railway.operations import Operation
from soap_server.soap.mapping import text_value, view_name

Text = Callable[[Any], str]

#: The prefixes the answers use, declared once on the envelope (as Spyne and lxml write them).
ENV = "soap11env"
DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
ENVELOPE_OPEN = f'<{ENV}:Envelope xmlns:{ENV}="{SOAP_ENV}" xmlns:tns="{TNS}"><{ENV}:Body>'
ENVELOPE_CLOSE = f"</{ENV}:Body></{ENV}:Envelope>"

# What lxml escapes in text, and what XML cannot carry at all.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class AnswerInvalid(Exception):
    """An answer the contract does not allow: a bug in the core or the mapping, never sent."""


def escape(text: str) -> str:
    """``text`` as lxml writes it inside an element."""
    if _SPECIAL.search(text) is None:
        return text
    if _NOT_XML.search(text) is not None:
        raise AnswerInvalid(f"{text[:40]!r} holds a character XML cannot carry")
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class AnswerWriter:
    """The answers of every operation of a Spyne application, compiled from its types.

    Compiling writes Python source: one function per complex type that appends its children in
    declared order, each child an attribute read, a None check (a required element raises, an
    optional one is left out), a facet-checking text conversion and one append; then ``exec``
    once. ``source`` keeps the text, for reading what the contract compiled to.
    """

    def __init__(self, application: Any, operations: Iterable[Operation[Any, Any]]) -> None:
        self._protocol = application.out_protocol
        self._functions_source: list[tuple[str, list[str]]] = []
        self._names: dict[str, Any] = {"AnswerInvalid": AnswerInvalid}
        self._functions: dict[Any, str] = {}
        answers: dict[str, str] = {}
        methods = application.interface.service_method_map
        for operation in operations:
            (descriptor, *_) = methods[f"{{{TNS}}}{operation.name}"]
            answers[operation.name] = self._answer(descriptor.out_message, operation.answer)
        self.source = "".join(
            f"def {header}:\n" + "".join(f"    {line}\n" for line in body) + "\n"
            for header, body in self._functions_source
        )
        exec(compile(self.source, f"<compiled writer of {TNS}>", "exec"), self._names)
        self._answers: dict[str, Callable[[Any], bytes]] = {
            name: self._names[function] for name, function in answers.items()
        }

    def answer(self, operation: str, view: Any) -> bytes:
        """The whole response envelope of ``operation`` for the answer ``view``."""
        return self._answers[operation](view)

    # -- compiling -------------------------------------------------------------------------------
    def _bind(self, value: Any, prefix: str) -> str:
        name = f"{prefix}{len(self._names)}"
        self._names[name] = value
        return name

    def _function(self, name: str, arguments: str) -> list[str]:
        """A new function's body (lines indented by four), appended to the source."""
        body: list[str] = []
        self._functions_source.append((f"{name}({arguments})", body))
        return body

    def _answer(self, message: Any, answer: type) -> str:
        """The response element (``SearchTrainResponse``) around its one part, which is the
        answer view itself, or the view's one field for a list (``TrainList.trains``)."""
        wrapper = _tag(message, message.get_type_name())
        ((name, cls),) = message._type_info.items()
        get = "v"
        if issubclass(cls, Array):
            (field,) = dataclasses.fields(answer)
            get = f"v.{field.name}"
        function = f"answer_{message.get_type_name()}"
        body = self._function(function, "v")
        head = self._bind(f"{DECLARATION}{ENVELOPE_OPEN}<{wrapper}>", "s")
        tail = self._bind(f"</{wrapper}>{ENVELOPE_CLOSE}", "s")
        body.append(f"out = [{head}]")
        self._field(body, name, cls, get, f"{message.get_type_name()}.{name}")
        body.append(f"out.append({tail})")
        body.append('return "".join(out).encode("utf-8")')
        return function

    def _field(self, body: list[str], name: str, cls: Any, get: str, path: str) -> None:
        """The element ``name`` of type ``cls``, its value ``get``: absent when None and the
        element optional, an error when required; once per item when it repeats."""
        attributes = self._protocol.get_cls_attrs(cls)
        body.append(f"x = {get}")
        body.append("if x is None:")
        if attributes.min_occurs >= 1:
            body.append(f"    raise AnswerInvalid({path + ' is required'!r})")
        else:
            body.append("    pass")
        body.append("else:")
        if attributes.max_occurs > 1:
            body.append("    for y in x:")
            body.append("        if y is None:")
            if attributes.nillable:
                nil = f'<{_tag(cls, name)} xmlns:xsi="{XSI}" xsi:nil="true"/>'
                body.append(f"            out.append({nil!r})")
            else:
                body.append(f"            raise AnswerInvalid({path + ' is not nillable'!r})")
            body.append("        else:")
            self._element(body, "            ", name, cls, "y", path)
        else:
            self._element(body, "    ", name, cls, "x", path)

    def _element(
        self, body: list[str], indent: str, name: str, cls: Any, value: str, path: str
    ) -> None:
        """One present value as the element ``name``."""
        tag = _tag(cls, name)
        if not issubclass(cls, ComplexModelBase):
            self._simple(body, indent, tag, cls, value, path)
            return
        content = self._content(cls, path)
        kept = _leaf(cls)
        if kept:  # an immutable view written before: its text, as written then
            cache = self._bind(Fragments(), "kept")
            body.append(f"{indent}k = {cache}.get({value})")
            body.append(f"{indent}if k is not None:")
            body.append(f"{indent}    out.append(k)")
            body.append(f"{indent}else:")
            indent += "    "
            body.append(f"{indent}s = len(out)")
        body.append(f"{indent}out.append({f'<{tag}>'!r})")
        body.append(f"{indent}m = len(out)")
        body.append(f"{indent}{content}({value}, out)")
        body.append(f"{indent}if len(out) == m:")
        body.append(f"{indent}    out[-1] = {f'<{tag}/>'!r}")
        body.append(f"{indent}else:")
        body.append(f"{indent}    out.append({f'</{tag}>'!r})")
        if kept:
            body.append(f"{indent}{cache}.keep({value}, out, s)")

    def _simple(
        self, body: list[str], indent: str, tag: str, cls: Any, value: str, path: str
    ) -> None:
        """A simple element: the common case (the value already of the wire's Python type and
        within its facets) inline; anything else through the type's converter, which converts
        what it can (a station to its code) and raises ``AnswerInvalid`` for the rest."""
        text = self._bind(self._text(cls, path), "t")
        opening, closing = repr(f"<{tag}>"), repr(f"</{tag}>")
        fast = self._fast(cls, value)
        if fast is None:
            body.append(f"{indent}out.append({opening} + {text}({value}) + {closing})")
            return
        guard, written = fast
        body.append(f"{indent}if {guard}:")
        body.append(f"{indent}    out.append({opening} + {written} + {closing})")
        body.append(f"{indent}else:")
        body.append(f"{indent}    out.append({opening} + {text}({value}) + {closing})")

    def _fast(self, cls: Any, x: str) -> tuple[str, str] | None:
        """(guard, text) expressions for a value that needs no conversion, or None."""
        attributes = self._protocol.get_cls_attrs(cls)
        if getattr(attributes, "format", None) or getattr(attributes, "str_format", None):
            return None
        if issubclass(cls, Boolean):
            return f"{x} is True or {x} is False", f"('true' if {x} else 'false')"
        if issubclass(cls, Unicode):
            checks = [f"type({x}) is str"]
            values = frozenset(attributes.values or ())
            if values:
                checks.append(f"{x} in {self._bind(values, 'e')}")
            low, high = _finite(attributes.min_len) or 0, _finite(attributes.max_len)
            if low:
                checks.append(f"len({x}) >= {int(low)}")
            if high is not None:
                checks.append(f"len({x}) <= {int(high)}")
            if attributes.pattern:
                pattern = re.compile(attributes.pattern).fullmatch
                checks.append(f"{self._bind(pattern, 'p')}({x}) is not None")
            if not values or any(_SPECIAL.search(value) for value in values):
                checks.append(f"{self._bind(_SPECIAL.search, 'special')}({x}) is None")
            return " and ".join(checks), x
        if issubclass(cls, Integer):
            checks = [f"type({x}) is int", *self._range(attributes, x)]
            return " and ".join(checks), f"str({x})"
        if issubclass(cls, SpyneDecimal):
            digits = self._bind(_decimal_shape(attributes).fullmatch, "d")
            decimal = self._bind(Decimal, "Decimal")
            checks = [
                f"type({x}) is {decimal}",
                f"{digits}(w := str({x})) is not None",
                *self._range(attributes, x, implied_ge=0),
            ]
            return " and ".join(checks), "w"
        if issubclass(cls, Date):  # before DateTime: Spyne's Date is one
            return f"type({x}) is {self._bind(date, 'date')}", f"{x}.isoformat()"
        if issubclass(cls, DateTime):
            return f"type({x}) is {self._bind(datetime, 'datetime')}", f"{x}.isoformat()"
        return None

    def _range(self, attributes: Any, x: str, implied_ge: Any = None) -> list[str]:
        ge, gt, le, lt = _bounds(attributes)
        checks = []
        for bound, operator_ in ((ge, ">="), (gt, ">"), (le, "<="), (lt, "<")):
            if bound is None or (
                operator_ == ">=" and implied_ge is not None and bound == implied_ge
            ):
                continue
            checks.append(f"{x} {operator_} {self._bind(bound, 'bound')}")
        return checks

    def _content(self, cls: Any, path: str) -> str:
        """The function writing the children of a complex type in declared order (one per
        type, named before its body is written: a type may contain itself)."""
        known = self._functions.get(cls)
        if known is not None:
            return known
        function = self._functions[cls] = f"content_{len(self._functions)}_{cls.get_type_name()}"
        body = self._function(function, "v, out")
        if issubclass(cls, Array):
            ((item_name, item_class),) = cls._type_info.items()
            self._field(body, item_name, item_class, "v", f"{path}.{item_name}")
            return function
        fields = list(cls._type_info.items())
        for name, field in fields:
            wrapped = len(fields) == 1 and field.Attributes.max_occurs > 1
            self._field(body, name, field, self._getter(cls, name, wrapped), f"{path}.{name}")
        if not fields:
            body.append("pass")
        return function

    def _getter(self, cls: Any, name: str, wrapped: bool) -> str:
        """The expression reading the element's value from the view ``v``."""
        target = view_name(cls, name)
        if callable(target):
            return f"{self._bind(target, 'g')}(v)"
        if not target.isidentifier():
            raise ValueError(f"{cls.__name__}.{name}: {target!r} is not an attribute name")
        if wrapped:  # the wrapper of one repeated element, given as the sequence itself
            return f"(v if isinstance(v, (tuple, list)) else v.{target})"
        return f"v.{target}"

    def _text(self, cls: Any, path: str) -> Text:
        """Value to escaped text for a simple type, with its facets checked."""
        attributes = self._protocol.get_cls_attrs(cls)
        if getattr(attributes, "format", None) or getattr(attributes, "str_format", None):
            return self._spyne_text(cls, path)
        if issubclass(cls, Boolean):
            return _boolean
        if issubclass(cls, Unicode):
            return _unicode_text(attributes, path)
        if issubclass(cls, Integer):
            return _integer_text(attributes, path)
        if issubclass(cls, SpyneDecimal):
            return _decimal_text(attributes, path)
        if issubclass(cls, Date):  # before DateTime: Spyne's Date is one
            return _instant_text(date, path)
        if issubclass(cls, DateTime):
            return _instant_text(datetime, path)
        return self._spyne_text(cls, path)

    def _spyne_text(self, cls: Any, path: str) -> Text:
        """Spyne's own conversion (durations, formatted types), escaped."""
        to_unicode = self._protocol.to_unicode

        def text(value: Any) -> str:
            try:
                return escape(str(to_unicode(cls, value)))
            except AnswerInvalid:
                raise
            except Exception as error:
                raise AnswerInvalid(f"{path}: {value!r} is not a {cls.__name__}: {error}") from None

        return text


class Fragments:
    """The written text of immutable views (frozen dataclasses) at one place of an answer, by
    identity: the same fare object offered by every search of its class is written once. An
    entry holds its view, so the view's id cannot be reused while it is kept; the table is
    emptied when full. A place whose views are new each time (a booking's, made per request)
    stops keeping them after ``TRIAL`` tries without a single hit."""

    LIMIT = 4096
    TRIAL = 128

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Any, str]] = {}
        self._frozen: dict[type, bool] = {}
        self._tries = self._hits = 0
        self._off = False

    def get(self, view: Any) -> str | None:
        if self._off:
            return None
        found = self._kept.get(id(view))
        if found is None or found[0] is not view:
            return None
        self._hits += 1
        return found[1]

    def keep(self, view: Any, out: list[str], start: int) -> None:
        if self._off:
            return
        kind = type(view)
        frozen = self._frozen.get(kind)
        if frozen is None:
            params = getattr(kind, "__dataclass_params__", None)
            frozen = self._frozen[kind] = bool(params is not None and params.frozen)
        if not frozen:
            return
        self._tries += 1
        if self._tries >= self.TRIAL and not self._hits:
            self._off = True  # these views are new every time: keeping them only costs
            self._kept.clear()
            return
        if len(self._kept) >= self.LIMIT:
            self._kept.clear()
        self._kept[id(view)] = (view, "".join(out[start:]))


def _leaf(cls: Any) -> bool:
    """A complex type whose elements are all simple and single (its text depends only on
    its own values)."""
    if issubclass(cls, Array):
        return False
    return all(
        not issubclass(member, ComplexModelBase) and member.Attributes.max_occurs == 1
        for member in cls._type_info.values()
    )


def _tag(cls: Any, name: str) -> str:
    """The element's qualified name: every element of the contract is in its target namespace
    (Spyne's schemas are elementFormDefault="qualified")."""
    if issubclass(cls, ComplexModelBase) and cls.get_namespace() != TNS:
        raise ValueError(f"{cls.__name__} is in {cls.get_namespace()}, not {TNS}")
    return f"tns:{name}"


def _boolean(value: Any) -> str:
    if not isinstance(value, bool):
        raise AnswerInvalid(f"{value!r} is not a boolean")
    return "true" if value else "false"


def _finite(value: Any) -> Any:
    """A facet bound, or None where Spyne means "unbounded" (None or an infinity)."""
    if value is None:
        return None
    if isinstance(value, Decimal | float) and not Decimal(value).is_finite():
        return None
    return value


def _unicode_text(attributes: Any, path: str) -> Text:
    low = _finite(attributes.min_len) or 0
    high = _finite(attributes.max_len)
    values = frozenset(attributes.values or ())
    pattern = re.compile(attributes.pattern) if attributes.pattern else None

    def text(value: Any) -> str:
        if type(value) is not str:
            value = text_value(value)
            if not isinstance(value, str):
                raise AnswerInvalid(f"{path}: {value!r} is not text")
        if values and value not in values:
            raise AnswerInvalid(f"{path}: {value!r} is not one of {sorted(values)}")
        if len(value) < low or (high is not None and len(value) > high):
            raise AnswerInvalid(f"{path}: {value!r} is not {low} to {high} characters long")
        if pattern is not None and pattern.fullmatch(value) is None:
            raise AnswerInvalid(f"{path}: {value!r} does not match {pattern.pattern!r}")
        return escape(value)

    return text


def _bounds(attributes: Any) -> tuple[Any, Any, Any, Any]:
    return (
        _finite(attributes.ge),
        _finite(attributes.gt),
        _finite(attributes.le),
        _finite(attributes.lt),
    )


def _in_range(value: Any, bounds: tuple[Any, Any, Any, Any]) -> bool:
    ge, gt, le, lt = bounds
    return not (
        (ge is not None and value < ge)
        or (gt is not None and value <= gt)
        or (le is not None and value > le)
        or (lt is not None and value >= lt)
    )


def _integer_text(attributes: Any, path: str) -> Text:
    bounds = _bounds(attributes)
    bounded = any(bound is not None for bound in bounds)

    def text(value: Any) -> str:
        if type(value) is not int:
            raise AnswerInvalid(f"{path}: {value!r} is not an integer")
        if bounded and not _in_range(value, bounds):
            raise AnswerInvalid(f"{path}: {value!r} is out of range")
        return str(value)

    return text


def _decimal_shape(attributes: Any) -> re.Pattern[str]:
    """``str(Decimal)`` as the type's digits allow it: plain digits (no exponent), at most
    ``total - fraction`` before the point and ``fraction`` after, a sign only where negative
    values are allowed (the range is checked apart)."""
    total = _finite(attributes.total_digits)
    fraction = _finite(attributes.fraction_digits)
    ge = _finite(attributes.ge)
    whole = None if total is None else max(int(total) - int(fraction or 0), 1)
    integer = "" if whole is None else str(whole - 1)
    decimals = "" if fraction is None else str(int(fraction))
    sign = "" if ge is not None and ge >= 0 else "-?"
    return re.compile(rf"{sign}(?:0|[1-9][0-9]{{0,{integer}}})(?:\.[0-9]{{1,{decimals}}})?")


def _decimal_text(attributes: Any, path: str) -> Text:
    """Decimals as ``str(Decimal)`` (what Spyne writes), which must read as plain digits within
    the type's total and fraction digits and range."""
    bounds = _bounds(attributes)
    shape = _decimal_shape(attributes)

    def text(value: Any) -> str:
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise AnswerInvalid(f"{path}: {value!r} is not a decimal")
        written = str(value)
        if shape.fullmatch(written) is None or not _in_range(value, bounds):
            raise AnswerInvalid(f"{path}: {written} is outside the type's digits or range")
        return written

    return text


def _instant_text(kind: type[date], path: str) -> Text:
    """ISO 8601, as SOAP requires whatever the type's format (Spyne forces the same)."""

    def text(value: Any) -> str:
        if not isinstance(value, kind) or (kind is date and isinstance(value, datetime)):
            raise AnswerInvalid(f"{path}: {value!r} is not a {kind.__name__}")
        return value.isoformat()

    return text
