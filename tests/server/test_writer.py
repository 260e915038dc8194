"""The compiled writer's kept fragments (soap/writer.py, ``Fragments``): an immutable view
written again is the same text, a mutable one is never kept, a place of new views stops
keeping them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from soap_server.railway import operations as ops
from soap_server.railway.views import SearchRequest
from soap_server.soap import writer
from soap_server.soap.writer import AnswerWriter, Fragments
from soap_server.wsgi import CoreApp
from tests.conftest import JOURNEY, login_token


def test_a_fare_offered_again_is_written_as_the_first_time(
    app: CoreApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = login_token(app.railway)
    request = SearchRequest("NDLS", "MMCT", JOURNEY)
    first = app.railway.call(ops.SEARCH_TRAIN, token, request).value
    second = app.railway.call(ops.SEARCH_TRAIN, token, request).value
    fares = [c.fare for t in first.trains for c in t.classes]
    assert fares and [c.fare for t in second.trains for c in t.classes] == fares
    assert all(  # the core offers the very same fare objects: what the fragments key on
        a is b
        for a, b in zip(fares, [c.fare for t in second.trains for c in t.classes], strict=True)
    )
    compiled = AnswerWriter(app.soap_application, ops.OPERATIONS)
    written = [compiled.answer("SearchTrain", view) for view in (first, second, first)]
    monkeypatch.setattr(Fragments, "get", lambda self, view: None)
    monkeypatch.setattr(Fragments, "keep", lambda self, view, out, start: None)
    plain = AnswerWriter(app.soap_application, ops.OPERATIONS)
    assert written == [plain.answer("SearchTrain", view) for view in (first, second, first)]


@dataclass(frozen=True)
class Frozen:
    value: Decimal


@dataclass
class Mutable:
    value: Decimal


def test_only_immutable_views_are_kept() -> None:
    kept = Fragments()
    frozen, mutable = Frozen(Decimal("1.00")), Mutable(Decimal("1.00"))
    kept.keep(frozen, ["<a>", "1.00", "</a>"], 0)
    kept.keep(mutable, ["<a>", "1.00", "</a>"], 0)
    assert kept.get(frozen) == "<a>1.00</a>"
    assert kept.get(mutable) is None
    assert kept.get(Frozen(Decimal("1.00"))) is None  # equal is not the same: by identity


def test_a_place_of_new_views_stops_keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer.Fragments, "TRIAL", 20)
    views = [Frozen(Decimal(n)) for n in range(40)]
    kept = Fragments()
    for view in views[:19]:
        assert kept.get(view) is None
        kept.keep(view, ["x"], 0)
    kept.keep(views[19], ["x"], 0)  # the 20th without a hit: no more keeping
    assert kept.get(views[0]) is None and kept.get(views[19]) is None
    kept.keep(views[20], ["x"], 0)
    assert kept.get(views[20]) is None
    # One hit in the trial and the place keeps keeping.
    kept = Fragments()
    kept.keep(views[0], ["x"], 0)
    assert kept.get(views[0]) == "x"
    for view in views[1:30]:
        kept.keep(view, ["y"], 0)
    assert kept.get(views[29]) == "y"
