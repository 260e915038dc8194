"""Quick checks compiled from the contract's JSON Schemas: is a request certainly valid?

``jsonschema`` validates a request body by walking the schema at every call (each keyword a
generator, each ``$ref`` resolved again): about a third of a millisecond for a Book, more than
the core's seat finding. ``compile_check`` turns a schema, once, into nested Python closures
that answer one question: *is this value certainly valid?* True means it is; False means "not
sure", and the caller asks ``jsonschema`` itself, whose verdict and messages stay the truth. So
a check can only make a valid request faster, never accept an invalid one or change a message.

Each keyword below does what ``jsonschema``'s Draft 2020-12 keyword does, applied to the same
types (a ``pattern`` with ``re.search``, lengths with ``len``, a ``format`` through the same
``FORMAT_CHECKER``). Where a keyword would need more care to mirror exactly (``oneOf``, a float
that the ``integer`` type accepts, an ``enum`` of anything but strings, a keyword not listed
here) the check says "not sure" and ``jsonschema`` decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import Draft202012Validator

Check = Callable[[Any], bool]

#: Annotations: they constrain nothing.
_ANNOTATIONS = frozenset({"description", "examples", "title", "default", "deprecated"})
#: Keywords compiled below.
_COMPILED = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "format",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
    }
)
_REF_PREFIX = "#/components/schemas/"


def _unsure(value: Any) -> bool:
    return False


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_integer(value: Any) -> bool:
    # jsonschema also takes 3.0 as an integer: such a value is left to it (not sure).
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_array(value: Any) -> bool:
    return isinstance(value, list)


def _is_null(value: Any) -> bool:
    return value is None


_TYPES: Mapping[str, Check] = {
    "string": _is_string,
    "integer": _is_integer,
    "number": _is_number,
    "boolean": _is_boolean,
    "object": _is_object,
    "array": _is_array,
    "null": _is_null,
}


def compile_check(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Check:
    """A check of ``schema`` (whose ``$ref``s name ``components``, the document's component
    schemas): True when a value is certainly valid, False when ``jsonschema`` must say."""
    return _Compiler(components).schema(schema)


class _Compiler:
    def __init__(self, components: Mapping[str, Any]) -> None:
        self.components = components
        self.refs: dict[str, Check] = {}

    def schema(self, schema: Mapping[str, Any]) -> Check:
        keywords = set(schema) - _ANNOTATIONS
        if keywords - _COMPILED:
            return _unsure
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        if "type" in schema:
            checks.append(self.type(schema["type"]))
        if "enum" in schema:
            checks.append(self.enum(schema["enum"]))
        checks += self.string(schema)
        checks += self.number(schema)
        if "format" in schema:
            checks.append(self.format(schema["format"]))
        checks += self.object(schema)
        checks += self.array(schema)
        return _all(checks)

    def ref(self, ref: str) -> Check:
        if not ref.startswith(_REF_PREFIX) or ref[len(_REF_PREFIX) :] not in self.components:
            return _unsure
        name = ref[len(_REF_PREFIX) :]
        if name not in self.refs:
            # A recursive schema would come back here while it is compiled: not sure then.
            self.refs[name] = _unsure
            self.refs[name] = self.schema(self.components[name])
        return self.refs[name]

    @staticmethod
    def type(kind: str | list[str]) -> Check:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        if not all(k in _TYPES for k in kinds):
            return _unsure
        tests = tuple(_TYPES[k] for k in kinds)
        if len(tests) == 1:
            return tests[0]
        return lambda value: any(test(value) for test in tests)

    @staticmethod
    def enum(values: list[Any]) -> Check:
        if not all(isinstance(v, str) for v in values):
            return _unsure
        allowed = frozenset(values)
        return lambda value: isinstance(value, str) and value in allowed

    @staticmethod
    def string(schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None or high is not None:
            least, most = low or 0, high if high is not None else float("inf")
            checks.append(lambda value: not isinstance(value, str) or least <= len(value) <= most)
        return checks

    @staticmethod
    def number(schema: Mapping[str, Any]) -> list[Check]:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None and high is None:
            return []
        least = low if low is not None else float("-inf")
        most = high if high is not None else float("inf")
        return [lambda value: not _is_number(value) or least <= value <= most]

    @staticmethod
    def format(name: str) -> Check:
        conforms = Draft202012Validator.FORMAT_CHECKER.conforms
        return lambda value: conforms(value, name)

    def object(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        properties = {
            name: self.schema(spec) for name, spec in schema.get("properties", {}).items()
        }
        required = tuple(schema.get("required", ()))
        closed = schema.get("additionalProperties", True)
        if closed not in (True, False):  # a schema for the others: not compiled
            return [_unsure]
        if properties:
            pairs = tuple(properties.items())

            def each_property(value: Any) -> bool:
                if not isinstance(value, dict):
                    return True
                for name, check in pairs:
                    if name in value and not check(value[name]):
                        return False
                return True

            checks.append(each_property)
        if required:
            checks.append(
                lambda value: not isinstance(value, dict) or all(n in value for n in required)
            )
        if closed is False:
            known = frozenset(properties)
            checks.append(lambda value: not isinstance(value, dict) or known.issuperset(value))
        return checks

    def array(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "items" in schema:
            if not isinstance(schema["items"], dict):
                return [_unsure]
            item = self.schema(schema["items"])

            def each_item(value: Any) -> bool:
                if isinstance(value, list):
                    for v in value:
                        if not item(v):
                            return False
                return True

            checks.append(each_item)
        low, high = schema.get("minItems"), schema.get("maxItems")
        if low is not None or high is not None:
            least, most = low or 0, high if high is not None else float("inf")
            checks.append(lambda value: not isinstance(value, list) or least <= len(value) <= most)
        return checks


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)

    def each(value: Any) -> bool:
        for check in every:
            if not check(value):
                return False
        return True

    return each
