"""The quick checks compiled from the REST contract's schemas (``rest/checks.py``) never let
through what jsonschema refuses, and do let through the valid requests (the fast path is used).

Every request schema is tried on valid bodies and on thousands of variants of them: each value
in turn replaced by values of other types, out of range, too long or short, off the pattern or
the enumeration, and keys dropped and added. A check that says "valid" must agree with
jsonschema; one that says "not sure" hands the value to jsonschema, whose answer then stands.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from soap_server.rest.checks import compile_check
from soap_server.rest.openapi import SCHEMAS, Schema, Validators, first_error, first_violation

VALID: dict[str, list[Any]] = {
    "LoginRequest": [{"agent": "MMT", "password": "secret"}],
    "BookingRequest": [
        {
            "train": "22692",
            "date": "2025-11-24",
            "from": "NZM",
            "to": "SBC",
            "class": "3A",
            "passengers": [
                {"name": "Ravi Kumar", "age": 34, "gender": "M"},
                {"name": "Anita Kumar", "age": 31, "gender": "F", "berth": "LB"},
            ],
        },
        {
            "train": "12952",
            "date": "2025-11-30",
            "from": "NDLS",
            "to": "MMCT",
            "class": "2A",
            "quota": "TQ",
            "onlyIfConfirmed": True,
            "passengers": [
                {"name": "Ravi Kumar", "age": 0, "gender": "T"},
                {"name": "R", "age": 150, "gender": "F", "noBerth": False},
                {"name": "x" * 64, "age": 7, "gender": "M", "noBerth": True},
            ],
        },
    ],
    "CancellationRequest": [{}, {"passengers": [1, 6]}, {"passengers": [2, 3, 4, 5, 1, 6]}],
    "BoardingPointRequest": [{"station": "AGC"}],
    "PassengerRequest": [{"name": "Asha", "age": 40, "gender": "F"}],
}
#: What each value may be replaced with.
ODD = [
    None,
    True,
    False,
    0,
    -1,
    1,
    6,
    7,
    151,
    3.0,
    2.5,
    float("nan"),
    "",
    "x",
    "NDLS",
    "3A",
    "TQ",
    "LB",
    "M",
    "12952",
    "2025-11-30",
    "2025-02-30",
    "2025-11-30T10:00:00",
    "12345\n",
    "１２３４５",
    "x" * 65,
    "x" * 129,
    [],
    [1],
    [{}],
    {},
    {"name": "Asha", "age": 40, "gender": "F"},
]


def variants(value: Any) -> Iterator[Any]:
    """``value`` with one thing changed: a value replaced, a key dropped, a key added."""
    yield value
    if isinstance(value, dict):
        for key in value:
            for changed in variants(value[key]):
                yield {**value, key: changed}
            yield {k: v for k, v in value.items() if k != key}
        yield {**value, "extra": 1}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for changed in variants(item):
                yield [*value[:i], changed, *value[i + 1 :]]
        yield []
        yield value + value
        yield value * 7
    for odd in ODD:
        yield copy.deepcopy(odd)


def agree(schema: Schema, value: Any) -> bool:
    """Whether the quick check said "valid" (having checked that jsonschema agrees)."""
    quick = schema.quick(value)
    if quick:
        assert schema.validator.is_valid(value), (value, first_error(schema, value))
    return quick


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_body_the_check_lets_through_is_valid(name: str) -> None:
    schema = Validators().bodies[name]
    tried = passed = refused = 0
    for body in VALID[name]:
        assert schema.quick(body), body  # the fast path is taken
        for variant in variants(body):
            tried += 1
            if agree(schema, variant):
                passed += 1
            elif not schema.validator.is_valid(variant):
                refused += 1
    assert tried > 2 * len(ODD) and passed and refused


def test_the_parameters_and_headers_agree() -> None:
    validate = Validators()
    for schema, good in (
        (validate.reference, ["rest-book-1-23", "a", "A.b_c:d-e" * 7]),
        (validate.pnr, ["2609535460"]),
        (validate.search, [{"from": "NDLS", "to": "MMCT", "date": "2025-11-30", "class": "2A"}]),
    ):
        for value in good:
            assert schema.quick(value)
            for variant in variants(value):
                agree(schema, variant)
    assert not validate.reference.quick("x" * 65) and not validate.pnr.quick("123")


def test_what_is_not_compiled_is_left_to_jsonschema() -> None:
    # oneOf (in the answers), a float the integer type takes, an enum of numbers, any other
    # keyword: "not sure", and jsonschema answers.
    components = {"Stop": SCHEMAS["ScheduledStop"]}
    assert not compile_check({"oneOf": [{"type": "string"}, {"type": "null"}]}, {})("x")
    assert not compile_check({"type": "integer"}, {})(3.0)
    assert compile_check({"type": "integer"}, {})(3)
    assert not compile_check({"enum": [1, 2]}, {})(1)
    assert not compile_check({"type": "string", "const": "x"}, {})("x")
    assert not compile_check({"$ref": "#/components/schemas/Nowhere"}, {})({})
    assert not compile_check({"$ref": "#/components/schemas/Stop"}, components)({})
    age = Validators.compile({"type": "integer", "minimum": 0})
    assert first_violation(age, 3.0) is None  # jsonschema's verdict on what the check left
    assert first_error(age, -1) == "(the body): -1 is less than the minimum of 0"


def test_a_recursive_schema_is_left_to_jsonschema() -> None:
    components = {
        "Node": {
            "type": "object",
            "properties": {"next": {"$ref": "#/components/schemas/Node"}},
        }
    }
    check = compile_check({"$ref": "#/components/schemas/Node"}, components)
    assert not check({"next": {}})
