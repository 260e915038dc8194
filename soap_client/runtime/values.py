"""How XSD simple values travel: text to Python on the fast path, and to and from zeep.

Each ``Simple`` reads a value's lexical form exactly as zeep does (so the fast reader and zeep's
reading agree), but cheaply: the common forms go through the standard library, anything unusual
through zeep's own converter. ``AnyElement`` holds what an ``xs:any`` wildcard carried.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import logging
import re
from collections.abc import Callable
from typing import Any

from lxml import etree
from zeep.xsd.types import builtins

logger = logging.getLogger(__name__)
zeep_builtins: Any = builtins  # zeep leaves these unannotated

_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_TIME = re.compile(r"\d\d:\d\d:\d\d(?:\.\d{1,6})?")
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def _same(value: Any) -> Any:
    return value


class Simple:
    """One XSD simple type: ``parse`` reads its text, ``to_zeep``/``from_zeep`` cross to zeep."""

    __slots__ = ("name", "_fast", "_zeep", "_to_zeep", "_from_zeep")

    def __init__(
        self,
        name: str,
        zeep_type: Any,
        fast: Callable[[str], Any] | None = None,
        to_zeep: Callable[[Any], Any] = _same,
        from_zeep: Callable[[Any], Any] = _same,
    ) -> None:
        self.name = name
        self._zeep = zeep_type
        self._fast = fast
        self._to_zeep = to_zeep
        self._from_zeep = from_zeep

    def __repr__(self) -> str:
        return f"Simple({self.name})"

    def parse(self, text: str | None) -> Any:
        """The value of ``text`` as zeep would read it: None for no text or an unreadable one."""
        if text is None:
            return None
        if self._fast is not None:
            try:
                return self._fast(text)
            except (ValueError, ArithmeticError):
                pass
        try:
            return self._from_zeep(self._zeep.pythonvalue(text))
        except (TypeError, ValueError, ArithmeticError) as error:
            logger.warning("unreadable %s value %r: %s", self.name, text, error)
            return None

    def to_zeep(self, value: Any) -> Any:
        return None if value is None else self._to_zeep(value)

    def from_zeep(self, value: Any) -> Any:
        return None if value is None else self._from_zeep(value)


class ListOf(Simple):
    """An ``xs:list``: whitespace-separated items of one simple type."""

    __slots__ = ("item",)

    def __init__(self, item: Simple) -> None:
        super().__init__(f"list of {item.name}", None)
        self.item = item

    def parse(self, text: str | None) -> Any:
        if text is None:
            return None
        return [self.item.parse(part) for part in text.split()]

    def to_zeep(self, value: Any) -> Any:
        return None if value is None else [self.item.to_zeep(v) for v in value]

    def from_zeep(self, value: Any) -> Any:
        return None if value is None else [self.item.from_zeep(v) for v in value]


def _boolean(text: str) -> bool:
    return text.strip() in ("true", "1")


def _datetime(text: str) -> datetime.datetime:
    if _DATETIME.fullmatch(text) is None:
        raise ValueError(text)
    return datetime.datetime.fromisoformat(text)


def _date(text: str) -> datetime.date:
    if _DATE.fullmatch(text) is None:
        raise ValueError(text)
    return datetime.date.fromisoformat(text)


def _time(text: str) -> datetime.time:
    if _TIME.fullmatch(text) is None:
        raise ValueError(text)
    return datetime.time.fromisoformat(text)


def _duration(text: str) -> datetime.timedelta:
    match = _DURATION.fullmatch(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(text)
    days, hours, minutes, seconds = match.groups()
    return datetime.timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float(seconds or 0) if seconds and "." in seconds else int(seconds or 0),
    )


def _lexical(zeep_type: Any) -> Simple:
    """A type kept as its text in Python (gYear and friends: zeep's tuples are not helpful)."""
    return Simple(
        type(zeep_type).__name__,
        zeep_type,
        fast=_same,
        to_zeep=zeep_type.pythonvalue,
        from_zeep=zeep_type.xmlvalue,
    )


STRING = Simple("string", zeep_builtins.String(), fast=_same)
BOOLEAN = Simple("boolean", zeep_builtins.Boolean(), fast=_boolean)
INTEGER = Simple("integer", zeep_builtins.Integer(), fast=int)
DECIMAL = Simple("decimal", zeep_builtins.Decimal(), fast=decimal.Decimal)
FLOAT = Simple("float", zeep_builtins.Float(), fast=float)
DOUBLE = Simple("double", zeep_builtins.Double(), fast=float)
DATETIME = Simple("dateTime", zeep_builtins.DateTime(), fast=_datetime)
DATE = Simple("date", zeep_builtins.Date(), fast=_date)
TIME = Simple("time", zeep_builtins.Time(), fast=_time)
DURATION = Simple("duration", zeep_builtins.Duration(), fast=_duration)
BASE64 = Simple("base64Binary", zeep_builtins.Base64Binary(), fast=base64.b64decode)
HEX = Simple(
    "hexBinary",
    zeep_builtins.HexBinary(),
    fast=bytes.fromhex,
    to_zeep=lambda value: bytes(value).hex().upper(),
    from_zeep=bytes.fromhex,
)
G_YEAR = _lexical(zeep_builtins.gYear())
G_YEAR_MONTH = _lexical(zeep_builtins.gYearMonth())
G_MONTH = _lexical(zeep_builtins.gMonth())
G_MONTH_DAY = _lexical(zeep_builtins.gMonthDay())
G_DAY = _lexical(zeep_builtins.gDay())


class AnyElement:
    """An element carried by an ``xs:any`` wildcard, kept as XML.

    Two are equal when they are the same XML whatever the prefixes: tags and attributes by
    namespace, text as written (whitespace-only text counts as none). ``AnyElement.parse``
    builds one from text. It is sent as a copy, so the same object can be sent twice.
    """

    __slots__ = ("element", "_key")

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self._key: tuple[object, ...] | None = None

    @classmethod
    def parse(cls, xml: str | bytes) -> AnyElement:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return cls(etree.fromstring(xml.encode() if isinstance(xml, str) else xml, parser))

    @property
    def tag(self) -> str:
        return str(self.element.tag)

    @property
    def text(self) -> str | None:
        return self.element.text

    def key(self) -> tuple[object, ...]:
        """The element as nested tuples, prefix-blind: what equality and hashing compare."""
        if self._key is None:
            self._key = _structure(self.element)
        return self._key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnyElement):
            return NotImplemented
        return self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        return f"AnyElement({etree.tostring(self.element, with_tail=False).decode()!r})"


def _text(text: str | None) -> str:
    return "" if text is None or not text.strip() else text


def _structure(element: etree._Element) -> tuple[object, ...]:
    children = tuple(
        (_structure(child), _text(child.tail)) for child in element if isinstance(child.tag, str)
    )
    attributes = tuple(sorted((str(k), str(v)) for k, v in element.attrib.items()))
    return (str(element.tag), attributes, _text(element.text), children)
