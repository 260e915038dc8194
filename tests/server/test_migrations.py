"""Versioned migrations on both backends: a new store gets them all, an older one is refused at
start with one line and brought up to date by ``migrate`` with nothing lost.

The old database is real: ``tests/data/schema-1.sqlite.sql`` is the ``.dump`` of a file made by
the code on main before migrations existed (schema 1, create-if-missing), with 39 bookings in
every state (confirmed, RAC, waitlisted, cancelled). On PostgreSQL, which had no schema 1
database before this release, the same rows are loaded into a database built by migration 1.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import requests

from soap_server.railway import inventory
from soap_server.railway.agents import demo_agents
from soap_server.railway.codes import BookingState
from soap_server.railway.store import SeatMap, StoreError
from soap_server.railway.system import Railway
from soap_server.storage import migrations, open_store
from soap_server.wsgi import build_railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import PASSWORDS, TEST_HASHING, core_settings
from tests.support import all_occupancy, core_process, rows_of

DUMP = Path(__file__).resolve().parents[1] / "data" / "schema-1.sqlite.sql"
#: Every table of schema 1, with an order that makes its rows comparable.
TABLES = {
    "meta": "key",
    "agents": "code",
    "sessions": "1",
    "bookings": "pnr",
    "passengers": "pnr, number",
    "occupancy": "train, origin_date, class_code, coach, berth, slot, leg",
}


def migrate(database: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "soap_server", "migrate", "--db", str(database)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def schema_1(database: Path | str) -> None:
    """Make ``database`` (empty) the schema-1 database of the dump, bookings and all."""
    if not isinstance(database, str):
        with sqlite3.connect(database) as conn:
            conn.executescript(DUMP.read_text("utf-8"))
        conn.close()
        return
    source = sqlite3.connect(":memory:")
    source.executescript(DUMP.read_text("utf-8"))
    with psycopg.connect(database, autocommit=True) as conn:
        first = migrations.migrations("postgres")[0]
        for statement in first.statements():
            conn.execute(statement)  # type: ignore[call-overload]
        for table in TABLES:  # parents before children, as listed
            rows = source.execute(f"SELECT * FROM {table}").fetchall()
            if rows:
                marks = ", ".join(["%s"] * len(rows[0]))
                with conn.cursor() as cursor:
                    cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # type: ignore[call-overload]
    source.close()


def stored_legs(core: Railway, database: Path | str, key: tuple[str, str, str]) -> list[int]:
    """The stored seat map of one class, which must be of the class's current layout."""
    layout = inventory.layout(core.catalog.trains[key[0]], core.catalog.classes[key[2]])
    ((fingerprint, legs),) = rows_of(
        database,
        "SELECT layout, legs FROM seat_maps WHERE train = '{}' AND origin_date = '{}'"
        " AND class_code = '{}'".format(*key),
    )
    assert fingerprint == layout.fingerprint
    return SeatMap.from_bytes(layout, bytes(legs)).legs


def legs_of_rows(core: Railway, database: Path | str, key: tuple[str, str, str]) -> list[int]:
    """The seat map the class's occupancy rows describe."""
    layout = inventory.layout(core.catalog.trains[key[0]], core.catalog.classes[key[2]])
    legs = [0] * layout.legs
    for row in all_occupancy(database):
        if tuple(row[:3]) == key:
            legs[row[6]] |= 1 << layout.index[(row[3], row[4], row[5])]
    return legs


def snapshot(database: Path | str) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: rows_of(database, f"SELECT * FROM {table} ORDER BY {order}")
        for table, order in TABLES.items()
    }


@BOTH_BACKENDS
def test_a_new_store_gets_every_migration(empty_database: Path | str, backend: str) -> None:
    store = open_store(empty_database)
    try:
        seed = [("MMT", "MakeMyTrip", TEST_HASHING.hash("x"), "", None)]
        assert store.initialise(seed) is True
        assert store.schema_version() == migrations.latest(backend)
        assert store.initialise([]) is False  # found, not seeded again
    finally:
        store.close()
    history = rows_of(empty_database, "SELECT version, name FROM schema_migrations ORDER BY 1")
    assert history == [(m.version, m.name) for m in migrations.migrations(backend)]


@BOTH_BACKENDS
def test_both_backends_have_the_same_versions(backend: str) -> None:
    ours = [m.version for m in migrations.migrations(backend)]
    assert ours == [m.version for m in migrations.migrations("sqlite")]
    assert ours == list(range(1, len(ours) + 1))


@BOTH_BACKENDS
def test_an_old_database_is_refused_at_start_with_one_line(
    empty_database: Path | str, backend: str
) -> None:
    schema_1(empty_database)
    with pytest.raises(StoreError) as refused:
        build_railway(core_settings(empty_database))
    message = str(refused.value)
    assert "\n" not in message
    assert "schema version 1" in message and "migrate" in message
    assert f"needs {migrations.latest(backend)}" in message
    done = subprocess.run(
        [sys.executable, "-m", "soap_server", "serve", "--port", "0", "--db", str(empty_database)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "migrate --db" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert "password" not in done.stderr


@BOTH_BACKENDS
def test_migrate_keeps_every_booking_and_the_core_serves_them(
    empty_database: Path | str, backend: str
) -> None:
    schema_1(empty_database)
    before = snapshot(empty_database)
    assert len(before["bookings"]) == 39 and len(before["passengers"]) > 100
    done = migrate(empty_database)
    assert done.returncode == 0, done.stderr
    assert f"migrated from schema version 1 to {migrations.latest(backend)}" in done.stdout
    after = snapshot(empty_database)
    meta = after.pop("meta")
    before.pop("meta")
    # Schema 3 keeps session tokens as SHA-256 digests, and gives the agents their networks and
    # sealed passwords in place of the lock columns: the same sessions and agents, otherwise.
    assert after.pop("sessions") == sorted(
        (hashlib.sha256(str(token).encode()).hexdigest(), *rest)
        for token, *rest in before.pop("sessions")
    )
    old_agents, new_agents = before.pop("agents"), after.pop("agents")
    assert [row[:3] for row in new_agents] == [row[:3] for row in old_agents]
    seeded = {agent.code: agent for agent in demo_agents()}
    for code, _, _, networks, sealed in new_agents:
        assert networks == " ".join(seeded[str(code)].networks)
        assert sealed  # the password, sealed for WS-Security digests
    # Schema 4 (the rules of the era) adds to each booking the station it was reserved from
    # (where it boards, for a booking made before) and no boarding change yet; to each
    # passenger no berth option (everyone of schema 1 has a berth) and the tax in the fare.
    # Schema 6 adds when the boarding point was changed: never, for all of them.
    old_bookings, new_bookings = before.pop("bookings"), after.pop("bookings")
    assert [row[:-3] for row in new_bookings] == old_bookings
    assert [row[-3:] for row in new_bookings] == [(row[7], 0, None) for row in old_bookings]
    gst = {row[0]: row[-1] for row in old_bookings}
    full_fare = {row[0]: sum(row[14:19]) for row in old_bookings}  # base ... tax
    old_passengers, new_passengers = before.pop("passengers"), after.pop("passengers")
    assert [row[:-2] for row in new_passengers] == old_passengers
    assert all(row[-2] is None for row in new_passengers)
    assert all(row[14] == full_fare[row[0]] for row in old_passengers)  # one fare per booking
    assert [row[-1] for row in new_passengers] == [gst[row[0]] for row in old_passengers]
    assert any(row[-1] > 0 for row in new_passengers)  # the AC bookings' GST
    assert after == before  # every berth, unchanged
    assert ("schema_version", str(migrations.latest(backend))) in meta
    assert "already at schema version" in migrate(empty_database).stdout
    # Schema 4: every class holding places has a seat map, stale until first read.
    classes = sorted({tuple(row[:3]) for row in before["occupancy"]})
    maps = rows_of(empty_database, "SELECT train, origin_date, class_code, layout FROM seat_maps")
    assert sorted(maps) == [(*key, "") for key in classes]

    core = build_railway(core_settings(empty_database))
    try:
        token = core.login("MMT", PASSWORDS["MMT"]).token
        rac = next(p for p in old_passengers if p[7] == "RAC")
        waiting = [p for p in old_passengers if p[7] == "WL"]
        assert core.pnr_status(token, str(rac[0])).pnr == rac[0]
        confirmed = next(p for p in old_passengers if p[7] == "CNF")
        result = core.cancel(token, str(confirmed[0]), [int(str(confirmed[1]))])
        # The old queues carry on in order: RAC 1 and the next are confirmed (in the freed
        # berth and, for those the era's lower-berth quota is for, its lower berths), then
        # GNWL 1 and the next move up to the RAC berths they leave.
        was = [p.was for p in result.promotions]
        rac_moved = [w for w in was if w.startswith("RAC ")]
        assert was[: len(rac_moved)] == [f"RAC {n}" for n in range(1, len(rac_moved) + 1)]
        wl_moved = was[len(rac_moved) :]
        assert rac_moved and wl_moved == [f"GNWL {n}" for n in range(1, len(wl_moved) + 1)]
        assert len(wl_moved) == len(rac_moved)
        assert waiting
        # The new columns are written: a chart, a boarding change, a passenger without a berth.
        with core.store.write() as tx:
            tx.mark_chart_prepared("12952", "2030-01-01", "2029-12-31T21:00:00+05:30")
            booking = tx.booking(str(rac[0]))
            assert booking is not None and booking.reserved_from == booking.source
            tx.update_boarding(replace(booking, boarding_changes=1))
            first = tx.passengers(str(rac[0]))[0]
            tx.update_passenger(replace(first, state=BookingState.NB, coach=None, slot=None))
        with core.store.read() as tx:
            assert tx.chart_prepared("12952", "2030-01-01") == "2029-12-31T21:00:00+05:30"
            assert tx.passengers(str(rac[0]))[0].state == BookingState.NB
            changed = tx.booking(str(rac[0]))
            assert changed is not None and changed.boarding_changes == 1
        # The class's map was rebuilt from its rows, kept in step and stored fresh.
        key = (str(confirmed[17]), str(confirmed[18]), str(confirmed[19]))
        assert stored_legs(core, empty_database, key) == legs_of_rows(core, empty_database, key)
    finally:
        core.close()
    with core_process("--db", str(empty_database), "--quiet", lines=3) as (base, banner):
        assert "DB:" in banner  # it starts on the migrated database
        assert requests.get(f"{base}/healthz", timeout=30).json()["status"] == "ok"
    assert rows_of(empty_database, "SELECT count(*) FROM bookings") == [(39,)]


@BOTH_BACKENDS
def test_a_newer_database_is_refused(database: Path | str, backend: str) -> None:
    build_railway(core_settings(database)).close()
    newer = migrations.latest(backend) + 1
    if isinstance(database, str):
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(newer),))
    else:
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(newer),))
        conn.close()
    done = migrate(database)
    assert done.returncode == 2
    assert f"schema version {newer}, newer than this code's" in done.stderr
    assert done.stderr.count("\n") == 1


def test_schema_1_is_what_main_made() -> None:
    """Migration 1 on SQLite builds exactly the tables, indexes and columns of the dump (the
    PostgreSQL schema 1 is shown to hold the same rows by the migration test above)."""

    def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()

    # Closed here, not left to the collector (3.13+ reports an unclosed connection).
    with (
        closing(sqlite3.connect(":memory:")) as made,
        closing(sqlite3.connect(":memory:")) as dumped,
    ):
        for statement in migrations.migrations("sqlite")[0].statements():
            made.execute(statement)
        dumped.executescript(DUMP.read_text("utf-8"))
        assert schema(made) == schema(dumped)


def _execute(database: Path | str, sql: str) -> None:
    """One statement on a connection of its own, committed (SQLite with foreign keys on)."""
    if isinstance(database, str):
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[call-overload]
        return
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        with conn:
            conn.execute(sql)


@BOTH_BACKENDS
def test_a_migrated_database_checks_what_a_new_one_does(
    empty_database: Path | str, backend: str
) -> None:
    """Migration 4 on an old database (SQLite's rebuilt passengers table, PostgreSQL's replaced
    state check): the same constraints, indexes and references as a new store's."""
    schema_1(empty_database)
    assert migrate(empty_database).returncode == 0
    pnr, number = rows_of(
        empty_database,
        "SELECT pnr, max(number) FROM passengers GROUP BY pnr HAVING max(number) < 6 ORDER BY pnr",
    )[0]
    columns = (
        "pnr, number, name, age, gender, booking_status, state, fare, train, origin_date,"
        " class_code, quota, from_index, to_index"
    )
    values = f"'{pnr}', {number + 1}, 'Baby', 0, 'F', 'NB', '{{state}}', 0, '12952',"
    values += " '2030-01-01', '2A', 'GN', 0, 1"
    errors = (psycopg.errors.CheckViolation, sqlite3.IntegrityError)
    with pytest.raises(errors):
        _execute(
            empty_database,
            f"INSERT INTO passengers ({columns}) VALUES ({values.format(state='XX')})",
        )
    _execute(
        empty_database,
        f"INSERT INTO passengers ({columns}, berth_option) VALUES"
        f" ({values.format(state='NB')}, 'INFANT')",
    )
    with pytest.raises(errors):
        _execute(empty_database, f"UPDATE passengers SET tax = fare + 1 WHERE pnr = '{pnr}'")
    with pytest.raises(errors):
        _execute(empty_database, f"UPDATE passengers SET berth_option = 'LAP' WHERE pnr = '{pnr}'")
    with pytest.raises(errors + (psycopg.errors.ForeignKeyViolation,)):  # occupancy still refers
        _execute(empty_database, "DELETE FROM passengers WHERE state = 'CNF'")
    with pytest.raises(errors + (psycopg.errors.UniqueViolation,)):  # one chart per train-day
        for _ in range(2):
            _execute(empty_database, "INSERT INTO charts VALUES ('12952', '2030-01-01', 'x')")
    if backend == "sqlite":
        with closing(sqlite3.connect(empty_database)) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert {"waitlist_numbers", "passengers_by_pool", "occupancy_by_passenger"} <= names
        assert "passengers_new" not in names
