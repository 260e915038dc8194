"""Seat maps: the per-class bitmaps always equal the occupancy rows they stand for.

Whatever sequence of bookings, cancellations and promotions runs, the stored map of a class is
the OR of its occupancy rows, and the free places counted from it are the ones a plain count
over the rows gives. A map of another layout, or none at all (a database made before seat maps),
is rebuilt from the rows; another connection's commits are always seen.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from soap_server.railway import inventory, queues
from soap_server.railway.catalog import Train, TravelClass
from soap_server.railway.errors import NoConfirmedSeats, WaitlistFull
from soap_server.railway.rulebook import load_rulebook
from soap_server.railway.store import SeatMap, StoreError
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.storage.sqlite import SqliteStore
from soap_server.wsgi import build_railway
from tests.conftest import JOURNEY, NOW, login_token
from tests.support import all_occupancy, fill, people, request

TRAIN = "12952"
RULES = load_rulebook().at(NOW)


def journey_date(train: Train, a: int) -> date:
    """The date at the boarding stop of a train leaving its origin on JOURNEY."""
    return JOURNEY + timedelta(days=train.stops[a].day - 1)


def stored_map(db_path: Path, train: Train, cls: TravelClass) -> SeatMap | None:
    """The seat map of the class as stored, or None if it has no row or a stale one."""
    layout = inventory.layout(train, cls)
    with closing(sqlite3.connect(db_path)) as conn:
        row = conn.execute(
            "SELECT layout, legs FROM seat_maps"
            " WHERE train = ? AND origin_date = ? AND class_code = ?",
            (train.number, JOURNEY.isoformat(), cls.code),
        ).fetchone()
    if row is None or row[0] != layout.fingerprint:
        return None
    return SeatMap.from_bytes(layout, row[1])


def map_of_rows(db_path: Path, train: Train, cls: TravelClass) -> list[int]:
    """The map the occupancy rows of the class describe."""
    layout = inventory.layout(train, cls)
    legs = [0] * layout.legs
    for row in all_occupancy(db_path):
        if row[:3] == (train.number, JOURNEY.isoformat(), cls.code):
            legs[row[6]] |= 1 << layout.index[(row[3], row[4], row[5])]
    return legs


def gn_berths(train: Train, cls: TravelClass) -> inventory.PlaceSet:
    """The general quota's berths under today's rules (the era's lower-berth quota)."""
    return inventory.confirmed_places(train, cls, "GN", queues.lower_berths(RULES, train, cls))


def free_by_rows(db_path: Path, train: Train, cls: TravelClass, a: int, b: int) -> int:
    """Free GN berths for legs [a, b), counted place by place from the occupancy rows."""
    held = {
        (coach, berth, slot)
        for t, day, c, coach, berth, slot, leg, _, _ in all_occupancy(db_path)
        if (t, day, c) == (train.number, JOURNEY.isoformat(), cls.code) and a <= leg < b
    }
    return sum(1 for p in gn_berths(train, cls) if p.key not in held)


def searched_free(railway: Railway, token: str, train: Train, cls: str, a: int, b: int) -> int:
    source, destination = train.stops[a].station, train.stops[b].station
    options = railway.search(token, source, destination, journey_date(train, a), cls)
    (option,) = [o for o in options if o.number == train.number]
    return option.classes[0].available


@pytest.mark.parametrize("cls_code", ["1A", "2A"])
def test_the_map_follows_every_booking_cancellation_and_promotion(
    railway: Railway, settings: Settings, cls_code: str
) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains[TRAIN], railway.catalog.classes[cls_code]
    # Near full first, so that the random traffic below reaches RAC, the waitlist and REGRET.
    whole = len(gn_berths(train, cls)) - 8
    fill(railway, token, whole, train=TRAIN, cls=cls_code, source="NDLS", destination="MMCT")
    rng = random.Random(f"seat-maps-{cls_code}")
    stops = len(train.stops)
    pnrs: list[str] = []
    for step in range(60):
        if pnrs and rng.random() < 0.35:
            pnr = pnrs.pop(rng.randrange(len(pnrs)))
            railway.cancel(token, pnr, None)
        else:
            a = rng.randrange(stops - 1)
            b = rng.randrange(a + 1, stops)
            try:
                view = railway.book(
                    token,
                    request(
                        train=TRAIN,
                        cls=cls_code,
                        source=train.stops[a].station,
                        destination=train.stops[b].station,
                        journey=journey_date(train, a),
                        passengers=people(rng.randint(1, 4), age=rng.choice([30, 65])),
                        only_if_confirmed=rng.random() < 0.1,
                    ),
                )
            except (WaitlistFull, NoConfirmedSeats):
                continue
            pnrs.append(view.pnr)
        stored = stored_map(settings.db_path, train, cls)
        assert stored is not None, f"step {step}: no fresh seat map stored"
        assert stored.legs == map_of_rows(settings.db_path, train, cls), f"step {step}"
        a = rng.randrange(stops - 1)
        b = rng.randrange(a + 1, stops)
        assert searched_free(railway, token, train, cls_code, a, b) == free_by_rows(
            settings.db_path, train, cls, a, b
        ), f"step {step}: legs {a}-{b}"
        berths = gn_berths(train, cls)
        with railway.store.read() as tx:
            seats = tx.seat_map(TRAIN, JOURNEY.isoformat(), cls_code, inventory.layout(train, cls))
            free = [p.key for p in berths.free_places(seats, range(a, b))]
            assert free == [p.key for p in berths if inventory.is_free(seats, p, range(a, b))]
        assert len(free) == free_by_rows(settings.db_path, train, cls, a, b)


def test_a_database_made_before_seat_maps_is_rebuilt_from_its_rows(
    railway: Railway, settings: Settings
) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains[TRAIN], railway.catalog.classes["2A"]
    fill(railway, token, 9, train=TRAIN, cls="2A")
    fill(railway, token, 4, train=TRAIN, cls="2A", source="RTM", journey=journey_date(train, 2))
    before = [searched_free(railway, token, train, "2A", a, a + 1) for a in range(6)]
    railway.close()
    with closing(sqlite3.connect(settings.db_path)) as conn:  # back to schema 4
        conn.execute("DROP TABLE seat_maps")
        conn.execute("ALTER TABLE bookings DROP COLUMN boarding_changed_at")  # schema 6's
        conn.execute("DELETE FROM schema_migrations WHERE version >= 5")
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
        conn.commit()

    with pytest.raises(StoreError, match="migrate"):
        build_railway(settings)
    store = SqliteStore(settings.db_path)
    assert store.migrate([])[0] == 4  # migration 5: a stale row for each class with places
    store.close()
    with closing(sqlite3.connect(settings.db_path)) as conn:
        rows = conn.execute("SELECT train, origin_date, class_code, layout FROM seat_maps")
        assert sorted(rows) == [(TRAIN, JOURNEY.isoformat(), "2A", "")]
    reopened = build_railway(settings)
    try:
        assert stored_map(settings.db_path, train, cls) is None
        token = login_token(reopened)
        assert [searched_free(reopened, token, train, "2A", a, a + 1) for a in range(6)] == before
        reopened.book(token, request(train=TRAIN, cls="2A"))  # a write stores a fresh map
        stored = stored_map(settings.db_path, train, cls)
        assert stored is not None
        assert stored.legs == map_of_rows(settings.db_path, train, cls)
    finally:
        reopened.close()


def test_a_map_of_another_layout_is_not_trusted(railway: Railway, settings: Settings) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains[TRAIN], railway.catalog.classes["2A"]
    fill(railway, token, 5, train=TRAIN, cls="2A")
    with closing(sqlite3.connect(settings.db_path)) as conn:
        # As if written for other coaches: a wrong fingerprint, and every place shown free.
        conn.execute("UPDATE seat_maps SET layout = 'other', legs = zeroblob(length(legs))")
        conn.commit()
    assert searched_free(railway, token, train, "2A", 0, 6) == free_by_rows(
        settings.db_path, train, cls, 0, 6
    )
    view = railway.book(token, request(train=TRAIN, cls="2A"))
    assert view.passengers[0].booking_status.startswith("CNF/")
    stored = stored_map(settings.db_path, train, cls)
    assert stored is not None and stored.legs == map_of_rows(settings.db_path, train, cls)


def test_places_held_without_the_map_loaded_mark_it_stale(
    railway: Railway, settings: Settings
) -> None:
    token = login_token(railway)
    train, cls = railway.catalog.trains[TRAIN], railway.catalog.classes["2A"]
    (pnr, _), *_ = fill(railway, token, 1, train=TRAIN, cls="2A")
    with railway.store.write() as tx:  # a caller that never read the class's map
        tx.release(pnr, 1)
    assert stored_map(settings.db_path, train, cls) is None  # stale, not wrong
    assert searched_free(railway, token, train, "2A", 0, 6) == free_by_rows(
        settings.db_path, train, cls, 0, 6
    )


def test_another_connections_commits_are_seen(tmp_path: Path, settings: Settings) -> None:
    first, second = build_railway(settings), build_railway(settings)
    try:
        train = first.catalog.trains[TRAIN]
        tokens = login_token(first), login_token(second)
        empty = searched_free(second, tokens[1], train, "1A", 0, 6)
        searched_free(first, tokens[0], train, "1A", 0, 6)
        fill(first, tokens[0], 3, train=TRAIN, cls="1A")
        assert searched_free(second, tokens[1], train, "1A", 0, 6) == empty - 3
        fill(second, tokens[1], 2, train=TRAIN, cls="1A")
        assert searched_free(first, tokens[0], train, "1A", 0, 6) == empty - 5
        view = first.book(tokens[0], request(train=TRAIN, cls="1A"))
        assert view.passengers[0].booking_status.startswith("CNF/H1/")
    finally:
        first.close()
        second.close()
