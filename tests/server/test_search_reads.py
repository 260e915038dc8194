"""A search reads the charts and seat maps of all its train-days at once, on both backends:
``charts_prepared`` and ``seat_maps`` answer what the one-at-a-time reads answer (a class
without a row holds nothing, a stale row is rebuilt from the occupancy rows), and a write
transaction's ``seat_maps`` is each class's ``seat_map``, the class lock."""

from __future__ import annotations

from datetime import timedelta

from soap_server.railway import inventory
from soap_server.railway.store import Layout
from soap_server.railway.system import Railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import JOURNEY, login_token
from tests.support import fill

pytestmark = BOTH_BACKENDS

DAY = JOURNEY.isoformat()
OTHER_DAY = (JOURNEY + timedelta(days=1)).isoformat()


def classes(railway: Railway) -> list[tuple[tuple[str, str, str], Layout]]:
    """Every class of two trains on two days: some booked, most never."""
    wanted = []
    for number in ("12952", "12951"):
        train = railway.catalog.trains[number]
        for code in sorted(train.coaches):
            layout = inventory.layout(train, railway.catalog.classes[code])
            wanted += [((number, day, code), layout) for day in (DAY, OTHER_DAY)]
    return wanted


def test_seat_maps_read_at_once_equal_the_maps_read_one_by_one(railway: Railway) -> None:
    token = login_token(railway)
    fill(railway, token, 7, train="12952", cls="2A")
    fill(railway, token, 3, train="12952", cls="3A", source="RTM")
    fill(railway, token, 2, train="12951", cls="1A", source="MMCT", destination="NDLS")
    pnr = fill(railway, token, 1, train="12952", cls="1A")[0][0]
    with railway.store.write() as tx:  # a change the map was not loaded for: a stale row
        tx.release(pnr, 1)
    wanted = classes(railway)
    with railway.store.read() as tx:
        one_by_one = [tx.seat_map(*key, layout).legs for key, layout in wanted]
    with railway.store.read() as tx:
        at_once = tx.seat_maps(wanted)
        assert [seats.legs for seats in at_once] == one_by_one
        assert tx.seat_maps(wanted[:3]) == at_once[:3]  # the same objects, not read again
    assert any(any(legs) for legs in one_by_one)
    assert not all(any(legs) for legs in one_by_one)
    with railway.store.write() as tx:
        assert [seats.legs for seats in tx.seat_maps(wanted)] == one_by_one
        assert tx.seat_maps([]) == []


def test_charts_prepared_read_at_once(railway: Railway) -> None:
    with railway.store.write() as tx:
        tx.mark_chart_prepared("12952", DAY, "2025-11-19T20:00:00+05:30")
        tx.mark_chart_prepared("12951", OTHER_DAY, "2025-11-20T20:00:00+05:30")
    days = [("12952", DAY), ("12952", OTHER_DAY), ("12951", DAY), ("12951", OTHER_DAY)]
    with railway.store.read() as tx:
        assert tx.charts_prepared(days + days[:1]) == {
            ("12952", DAY): tx.chart_prepared("12952", DAY),
            ("12951", OTHER_DAY): tx.chart_prepared("12951", OTHER_DAY),
        }
        assert tx.charts_prepared([]) == {}
        assert tx.charts_prepared([("12952", OTHER_DAY)]) == {}


def test_a_search_reads_charts_and_seat_maps_in_one_query(railway: Railway) -> None:
    token = login_token(railway)
    fill(railway, token, 4, train="12952", cls="2A")
    with railway.store.write() as tx:
        tx.mark_chart_prepared("12951", DAY, "2025-11-20T20:00:00+05:30")
    wanted = classes(railway)
    days = list(dict.fromkeys((key[0], key[1]) for key, _ in wanted))
    with railway.store.read() as tx:
        expected = tx.charts_prepared(days), [m.legs for m in tx.seat_maps(wanted)]
    with railway.store.read() as tx:
        charts, maps = tx.charts_and_seat_maps(days, wanted)
        assert (charts, [m.legs for m in maps]) == expected
        assert charts == {("12951", DAY): "2025-11-20T20:00:00+05:30"}
        assert tx.charts_and_seat_maps([], []) == ({}, [])
    with railway.store.write() as tx:
        charts, maps = tx.charts_and_seat_maps(days, wanted)
        assert (charts, [m.legs for m in maps]) == expected
