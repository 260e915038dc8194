"""Schema 2 (issue 15) opens a file written by schema 1: bookings, passengers and berths kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from soap_server.storage.sqlite import SCHEMA_VERSION, SqliteStore

# The version 1 schema as it was shipped (soap_server/storage.py before schema 2).
SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agents (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token        TEXT PRIMARY KEY,
    agent        TEXT NOT NULL REFERENCES agents(code),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
);
CREATE TABLE IF NOT EXISTS bookings (
    pnr                TEXT PRIMARY KEY CHECK (length(pnr) = 10),
    agent              TEXT NOT NULL REFERENCES agents(code),
    client_reference   TEXT NOT NULL,
    request_digest     TEXT NOT NULL,
    train              TEXT NOT NULL,
    origin_date        TEXT NOT NULL,
    journey_date       TEXT NOT NULL,
    source             TEXT NOT NULL,
    destination        TEXT NOT NULL,
    from_index         INTEGER NOT NULL,
    to_index           INTEGER NOT NULL CHECK (to_index > from_index),
    class_code         TEXT NOT NULL,
    quota              TEXT NOT NULL,
    booked_at          TEXT NOT NULL,
    base_fare          INTEGER NOT NULL CHECK (base_fare >= 0),
    reservation_charge INTEGER NOT NULL CHECK (reservation_charge >= 0),
    superfast_charge   INTEGER NOT NULL CHECK (superfast_charge >= 0),
    tatkal_charge      INTEGER NOT NULL CHECK (tatkal_charge >= 0),
    gst                INTEGER NOT NULL CHECK (gst >= 0),
    UNIQUE (agent, client_reference)
);
CREATE TABLE IF NOT EXISTS passengers (
    pnr             TEXT NOT NULL REFERENCES bookings(pnr),
    number          INTEGER NOT NULL CHECK (number BETWEEN 1 AND 6),
    name            TEXT NOT NULL,
    age             INTEGER NOT NULL,
    gender          TEXT NOT NULL,
    berth_preference TEXT,
    booking_status  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('CNF', 'RAC', 'WL', 'CAN')),
    coach           TEXT,
    berth           INTEGER,
    slot            INTEGER,
    berth_type      TEXT,
    wl_no           INTEGER,
    queue_no        INTEGER,
    fare            INTEGER NOT NULL CHECK (fare >= 0),
    refund          INTEGER CHECK (refund >= 0 AND refund <= fare),
    cancelled_at    TEXT,
    train           TEXT NOT NULL,
    origin_date     TEXT NOT NULL,
    class_code      TEXT NOT NULL,
    quota           TEXT NOT NULL,
    from_index      INTEGER NOT NULL,
    to_index        INTEGER NOT NULL,
    PRIMARY KEY (pnr, number),
    CHECK ((state = 'CNF') = (coach IS NOT NULL AND slot = 0) OR state IN ('RAC', 'CAN'))
);
CREATE UNIQUE INDEX IF NOT EXISTS waitlist_numbers
    ON passengers (train, origin_date, class_code, quota, wl_no) WHERE wl_no IS NOT NULL;
CREATE INDEX IF NOT EXISTS passengers_by_pool
    ON passengers (train, origin_date, class_code, quota, state, queue_no);
CREATE TABLE IF NOT EXISTS occupancy (
    train       TEXT NOT NULL,
    origin_date TEXT NOT NULL,
    class_code  TEXT NOT NULL,
    coach       TEXT NOT NULL,
    berth       INTEGER NOT NULL,
    slot        INTEGER NOT NULL,
    leg         INTEGER NOT NULL,
    pnr         TEXT NOT NULL,
    number      INTEGER NOT NULL,
    PRIMARY KEY (train, origin_date, class_code, coach, berth, slot, leg),
    FOREIGN KEY (pnr, number) REFERENCES passengers(pnr, number)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occupancy_by_passenger ON occupancy (pnr, number);
"""


def old_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1)
    conn.executescript(
        """
        INSERT INTO meta VALUES ('schema_version', '1');
        INSERT INTO agents (code, name, password_hash) VALUES ('MMT', 'MakeMyTrip', 'x');
        INSERT INTO bookings VALUES ('2123456789', 'MMT', 'ref-1', 'd', '12952', '2025-11-30',
            '2025-11-30', 'NDLS', 'MMCT', 0, 6, '2A', 'GN', '2025-11-20T09:00:00+05:30',
            300000, 5000, 4500, 0, 15000);
        INSERT INTO passengers VALUES ('2123456789', 1, 'Ravi Kumar', 30, 'M', NULL,
            'CNF/A1/2', 'CNF', 'A1', 2, 0, 'UB', NULL, NULL, 324500, NULL, NULL,
            '12952', '2025-11-30', '2A', 'GN', 0, 6);
        INSERT INTO passengers VALUES ('2123456789', 2, 'Anita Kumar', 28, 'F', NULL,
            'GNWL 1', 'WL', NULL, NULL, NULL, NULL, 1, 1, 324500, NULL, NULL,
            '12952', '2025-11-30', '2A', 'GN', 0, 6);
        INSERT INTO occupancy VALUES ('12952', '2025-11-30', '2A', 'A1', 2, 0, 0, '2123456789', 1);
        INSERT INTO occupancy VALUES ('12952', '2025-11-30', '2A', 'A1', 2, 0, 1, '2123456789', 1);
        """
    )
    conn.commit()
    conn.close()


def test_a_version_1_file_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old_file(path)
    db = SqliteStore(path)
    assert db.initialise([]) is False  # not seeded again
    with db.read() as tx:
        booking = tx.booking("2123456789")
        assert booking is not None
        assert (booking.reserved_from, booking.boarding_changes) == ("NDLS", 0)
        first, second = tx.passengers("2123456789")
        assert (first.state, first.coach, first.berth, first.berth_option) == ("CNF", "A1", 2, None)
        assert first.tax == 15000  # the fare tax of an adult, from the booking
        assert (second.state, second.wl_no) == ("WL", 1)
        assert tx.occupancy("12952", "2025-11-30", "2A") == {("A1", 2, 0): {0, 1}}
        assert tx.chart_prepared("12952", "2025-11-30") is None
        assert tx.last_numbers(("12952", "2025-11-30", "2A", "GN")) == (1, 0)
    with db.write() as tx:  # the new state and columns are writable
        tx.mark_chart_prepared("12952", "2025-11-30", "2025-11-30T08:55:00+05:30")
    db.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"waitlist_numbers", "passengers_by_pool", "occupancy_by_passenger"} <= indexes
    conn.close()
    again = SqliteStore(path)  # a second start finds it current
    assert again.initialise([]) is False
    again.close()
