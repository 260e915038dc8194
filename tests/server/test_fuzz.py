"""A seeded sample of the facade fuzzer (``bench/fuzz_facades.py``, 10,000 cases per facade):
mutated requests to /soap, /rest/v1 and /xml are all answered in the facade's own shape, and
none is an InternalError."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZER = Path(__file__).resolve().parents[2] / "bench" / "fuzz_facades.py"
CASES = 250


def fuzzer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_facades", FUZZER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("facade", ["soap", "rest", "xml"])
def test_mutated_requests_get_the_facades_own_answers(facade: str, tmp_path: Path) -> None:
    outcome = fuzzer().fuzz(facade, CASES, seed=2008, folder=tmp_path)
    assert outcome.cases == CASES
    assert outcome.failures == [], outcome.failures[:3]
    # The seeds are live requests: some mutations still succeed, most are refused precisely.
    assert any(200 <= status < 300 for status in outcome.statuses), outcome.statuses
    assert sum(outcome.codes.values()) > CASES // 2, outcome.codes
