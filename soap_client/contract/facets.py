"""Facets of simple types: merged along a restriction chain, and compared for narrowing.

``merge_facets`` is used while reading a schema, ``facet_changes`` while comparing two: it says
whether each difference narrows the value space (breaks requests), widens it (breaks responses)
or cannot be ordered (breaks both).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from lxml import etree

from soap_client.contract.model import Bound, Facets
from soap_client.contract.names import child_elements, local_name, parse_int
from soap_client.ns import XS

_FACET_NAMES = frozenset(
    {
        "length",
        "minLength",
        "maxLength",
        "minInclusive",
        "minExclusive",
        "maxInclusive",
        "maxExclusive",
        "totalDigits",
        "fractionDigits",
    }
)
_NOT_FACETS = frozenset(
    {
        "annotation",
        "simpleType",
        "sequence",
        "choice",
        "all",
        "group",
        "attribute",
        "attributeGroup",
        "anyAttribute",
    }
)


def merge_facets(base: Facets, restriction: etree._Element) -> Facets:
    """The facets of ``restriction`` applied on top of its base's."""
    enumeration: list[str] = []
    patterns: set[str] = set()
    values: dict[str, str] = {}
    other = dict(base.other)
    for child in child_elements(restriction, XS):
        name, value = local_name(child), child.get("value", "")
        if name == "enumeration":
            enumeration.append(value)
        elif name == "pattern":
            patterns.add(value)
        elif name in _FACET_NAMES:
            values[name] = value.strip()
        elif name not in _NOT_FACETS:
            other[name] = value.strip()
    min_length, max_length = base.min_length, base.max_length
    if "length" in values:
        min_length = max_length = parse_int(values["length"], "length")
    if "minLength" in values:
        min_length = parse_int(values["minLength"], "minLength")
    if "maxLength" in values:
        max_length = parse_int(values["maxLength"], "maxLength")
    lower, upper = base.lower, base.upper
    if "minInclusive" in values:
        lower = Bound(values["minInclusive"], exclusive=False)
    elif "minExclusive" in values:
        lower = Bound(values["minExclusive"], exclusive=True)
    if "maxInclusive" in values:
        upper = Bound(values["maxInclusive"], exclusive=False)
    elif "maxExclusive" in values:
        upper = Bound(values["maxExclusive"], exclusive=True)
    total = base.total_digits
    if "totalDigits" in values:
        total = parse_int(values["totalDigits"], "totalDigits")
    fraction = base.fraction_digits
    if "fractionDigits" in values:
        fraction = parse_int(values["fractionDigits"], "fractionDigits")
    return Facets(
        enumeration=tuple(enumeration) if enumeration else base.enumeration,
        patterns=base.patterns | patterns,
        min_length=min_length,
        max_length=max_length,
        lower=lower,
        upper=upper,
        total_digits=total,
        fraction_digits=fraction,
        other=tuple(sorted(other.items())),
    )


def _limit_text(value: int | None) -> str:
    return "none" if value is None else str(value)


def _orderable(value: str) -> Decimal | date | datetime | time | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        pass
    for parse in (datetime.fromisoformat, date.fromisoformat, time.fromisoformat):
        try:
            return parse(value)
        except ValueError:
            continue
    return None


def _compare_bound(old: Bound, new: Bound, lower: bool) -> bool | None:
    """True if ``new`` admits fewer values than ``old`` (narrowed), False if more, None: unknown."""
    a, b = _orderable(old.value), _orderable(new.value)
    if a is None or b is None:
        return None
    try:
        if a != b:
            return bool(b > a) if lower else bool(b < a)  # type: ignore[operator]
    except (TypeError, ArithmeticError):  # a date against a number, naive against aware, NaN
        return None
    return new.exclusive


def _bound_text(bound: Bound | None, lower: bool) -> str:
    if bound is None:
        return "none"
    name = ("min" if lower else "max") + ("Exclusive" if bound.exclusive else "Inclusive")
    return f"{name} {bound.value}"


def facet_changes(old: Facets, new: Facets) -> Iterator[tuple[str, bool | None]]:
    """(detail, narrowed) for each facet difference; narrowed None when it can't be ordered."""
    if old.enumeration != new.enumeration:
        if old.enumeration is None:
            yield f"enumeration introduced: {', '.join(new.enumeration or ())}", True
        elif new.enumeration is None:
            yield "enumeration removed: any value of the base type is allowed", False
        else:
            removed = [v for v in old.enumeration if v not in new.enumeration]
            added = [v for v in new.enumeration if v not in old.enumeration]
            if removed:
                yield f"enumeration value(s) removed: {', '.join(removed)}", True
            if added:
                yield f"enumeration value(s) added: {', '.join(added)}", False
    if old.patterns != new.patterns:
        old_text = " & ".join(repr(p) for p in sorted(old.patterns)) or "none"
        new_text = " & ".join(repr(p) for p in sorted(new.patterns)) or "none"
        ordered = True if not old.patterns else False if not new.patterns else None
        yield f"pattern {old_text} -> {new_text}", ordered
    if (old.min_length or 0) != (new.min_length or 0):
        narrowed = (new.min_length or 0) > (old.min_length or 0)
        yield f"minLength {old.min_length or 0} -> {new.min_length or 0}", narrowed
    for facet, before, after in (  # upper limits: None is no limit
        ("maxLength", old.max_length, new.max_length),
        ("totalDigits", old.total_digits, new.total_digits),
        ("fractionDigits", old.fraction_digits, new.fraction_digits),
    ):
        if before != after:
            narrowed = before is None or (after is not None and after < before)
            yield f"{facet} {_limit_text(before)} -> {_limit_text(after)}", narrowed
    for lower, before_bound, after_bound in (
        (True, old.lower, new.lower),
        (False, old.upper, new.upper),
    ):
        if before_bound != after_bound:
            if before_bound is None or after_bound is None:
                tightened: bool | None = before_bound is None
            else:
                tightened = _compare_bound(before_bound, after_bound, lower)
            text = f"{_bound_text(before_bound, lower)} -> {_bound_text(after_bound, lower)}"
            yield text, tightened
    if old.other != new.other:
        yield f"facets {dict(old.other)} -> {dict(new.other)}", None
