"""The SQLite store (the embedded default): schema, seeding, transactions.

It implements ``railway.store.Store``; sqlite3's "database is locked" becomes ``StoreBusy`` and
its other operational failures ``StoreError``, so the core never sees a sqlite3 exception.

Concurrency: the file is in WAL mode so readers never block the writer. Every write runs in a
``BEGIN IMMEDIATE`` transaction, which takes SQLite's single writer lock up front: two Book calls,
from two threads or two server processes sharing the file, are serialised there, so the second
sees the first's berths. The ``occupancy`` table's primary key (one row per berth, slot and leg
of the route) makes a berth given twice for the same stretch impossible even if the code above it
were wrong, and a partial unique index does the same for waitlist numbers.

Seat maps: ``seat_maps`` holds one row per train-day and class (the inventory row): the layout's
fingerprint and one bitmap per leg (``railway.store.SeatMap``), kept equal to the occupancy rows
of that class in the same transaction. A row whose fingerprint is not the layout the core asks
for (a changed catalogue; ``''`` when marked stale) is rebuilt from the occupancy rows; a class
without a row has no occupancy rows (a database made before seat maps gets stale rows for its
classes when it is first opened).
"""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from soap_server.railway.codes import BookingState
from soap_server.railway.store import (
    AgentRow,
    BookingRow,
    Layout,
    PassengerRow,
    PlaceKey,
    Pool,
    QueueCounts,
    SeatMap,
    SessionRow,
    StoreBusy,
    StoreError,
)

ClassKey = tuple[str, str, str]  # train, origin_date, class_code

SCHEMA_VERSION = 1
CNF, RAC, CAN = BookingState.CNF, BookingState.RAC, BookingState.CAN


def _quoted(*states: BookingState) -> str:
    return ", ".join(f"'{state}'" for state in states)


SCHEMA = f"""
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
    state           TEXT NOT NULL CHECK (state IN ({_quoted(*BookingState)})),
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
    CHECK ((state = '{CNF}') = (coach IS NOT NULL AND slot = 0) OR state IN ({_quoted(RAC, CAN)}))
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
CREATE TABLE IF NOT EXISTS seat_maps (
    train       TEXT NOT NULL,
    origin_date TEXT NOT NULL,
    class_code  TEXT NOT NULL,
    layout      TEXT NOT NULL,
    legs        BLOB NOT NULL,
    PRIMARY KEY (train, origin_date, class_code)
) WITHOUT ROWID;
"""
#: Classes that hold places but have no seat map (a database made before seat maps) get a stale
#: one, rebuilt from their occupancy rows when first read.
_BACKFILL_SEAT_MAPS = """
INSERT OR IGNORE INTO seat_maps (train, origin_date, class_code, layout, legs)
    SELECT DISTINCT train, origin_date, class_code, '', x'' FROM occupancy
"""


_POOL = "train = ? AND origin_date = ? AND class_code = ? AND quota = ?"
#: Each part answered from an index (passengers_by_pool, waitlist_numbers) without reading rows.
_QUEUE_COUNTS = f"""SELECT
    (SELECT count(*) FROM passengers WHERE {_POOL} AND state = '{RAC}'),
    (SELECT count(*) FROM passengers WHERE {_POOL} AND state = '{BookingState.WL}'),
    (SELECT coalesce(max(queue_no), 0) FROM passengers WHERE {_POOL} AND state = '{RAC}'),
    (SELECT coalesce(max(wl_no), 0) FROM passengers WHERE {_POOL} AND wl_no IS NOT NULL)
"""
_PASSENGER_COLUMNS = ", ".join(f.name for f in fields(PassengerRow))
_BOOKING_COLUMNS = ", ".join(f.name for f in fields(BookingRow))
_STATE = [f.name for f in fields(PassengerRow)].index("state")
# A row's values in column order (``dataclasses.astuple`` deep-copies every field: slower).
_BOOKING_VALUES = attrgetter(*(f.name for f in fields(BookingRow)))
_PASSENGER_VALUES = attrgetter(*(f.name for f in fields(PassengerRow)))


def _passenger(row: tuple[Any, ...]) -> PassengerRow:
    values = list(row)
    values[_STATE] = BookingState(values[_STATE])
    return PassengerRow(*values)


def _store_error(error: sqlite3.OperationalError) -> StoreError:
    """sqlite3's operational failure as the store's: a lock not had in time is ``StoreBusy``."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return StoreBusy(f"the SQLite database is busy: {text}")
    return StoreError(f"SQLite failed: {text}")


class SqliteTransaction:
    """Queries and updates on one open SQLite transaction. Obtain one from ``SqliteStore``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._maps: dict[ClassKey, SeatMap] = {}  # the seat maps handed out, kept in step
        self._dirty: set[ClassKey] = set()  # maps to write back at commit

    # -- agents and sessions ---------------------------------------------------------------
    def agent(self, code: str) -> AgentRow | None:
        row = self._conn.execute(
            "SELECT code, name, password_hash, failed_logins, locked_until"
            " FROM agents WHERE code = ?",
            (code,),
        ).fetchone()
        return AgentRow(*row) if row else None

    def set_login_failures(self, code: str, failed_logins: int, locked_until: str | None) -> None:
        self._conn.execute(
            "UPDATE agents SET failed_logins = ?, locked_until = ? WHERE code = ?",
            (failed_logins, locked_until, code),
        )

    def insert_session(self, token: str, agent: str, now: str) -> None:
        self._conn.execute(
            "INSERT INTO sessions (token, agent, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
            (token, agent, now, now),
        )

    def session(self, token: str) -> SessionRow | None:
        row = self._conn.execute(
            "SELECT token, agent, created_at, last_seen_at, ended_at FROM sessions WHERE token = ?",
            (token,),
        ).fetchone()
        return SessionRow(*row) if row else None

    def touch_session(self, token: str, now: str) -> None:
        self._conn.execute("UPDATE sessions SET last_seen_at = ? WHERE token = ?", (now, token))

    def end_session(self, token: str, now: str) -> None:
        self._conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE token = ? AND ended_at IS NULL", (now, token)
        )

    # -- bookings and passengers -----------------------------------------------------------
    def booking(self, pnr: str) -> BookingRow | None:
        row = self._conn.execute(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE pnr = ?", (pnr,)
        ).fetchone()
        return BookingRow(*row) if row else None

    def booking_by_reference(self, agent: str, client_reference: str) -> BookingRow | None:
        row = self._conn.execute(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE agent = ? AND client_reference = ?",
            (agent, client_reference),
        ).fetchone()
        return BookingRow(*row) if row else None

    def pnr_taken(self, pnr: str) -> bool:
        return (
            self._conn.execute("SELECT 1 FROM bookings WHERE pnr = ?", (pnr,)).fetchone()
            is not None
        )

    def insert_booking(self, booking: BookingRow) -> None:
        marks = ", ".join("?" * len(fields(BookingRow)))
        self._conn.execute(
            f"INSERT INTO bookings ({_BOOKING_COLUMNS}) VALUES ({marks})", _BOOKING_VALUES(booking)
        )

    def passengers(self, pnr: str) -> list[PassengerRow]:
        rows = self._conn.execute(
            f"SELECT {_PASSENGER_COLUMNS} FROM passengers WHERE pnr = ? ORDER BY number", (pnr,)
        ).fetchall()
        return [_passenger(row) for row in rows]

    def insert_passenger(self, passenger: PassengerRow) -> None:
        marks = ", ".join("?" * len(fields(PassengerRow)))
        self._conn.execute(
            f"INSERT INTO passengers ({_PASSENGER_COLUMNS}) VALUES ({marks})",
            _PASSENGER_VALUES(passenger),
        )

    def update_passenger(self, passenger: PassengerRow) -> None:
        """Write back a passenger's state, place, queue number and refund."""
        self._conn.execute(
            "UPDATE passengers SET state = ?, coach = ?, berth = ?, slot = ?, berth_type = ?,"
            " queue_no = ?, refund = ?, cancelled_at = ? WHERE pnr = ? AND number = ?",
            (
                passenger.state,
                passenger.coach,
                passenger.berth,
                passenger.slot,
                passenger.berth_type,
                passenger.queue_no,
                passenger.refund,
                passenger.cancelled_at,
                passenger.pnr,
                passenger.number,
            ),
        )

    # -- queues ------------------------------------------------------------------------------
    def queue(self, pool: Pool, state: BookingState) -> list[PassengerRow]:
        """Passengers of one pool in one state (RAC or WL), in queue order."""
        rows = self._conn.execute(
            f"SELECT {_PASSENGER_COLUMNS} FROM passengers WHERE train = ? AND origin_date = ?"
            " AND class_code = ? AND quota = ? AND state = ? ORDER BY queue_no",
            (*pool, state),
        ).fetchall()
        return [_passenger(row) for row in rows]

    def queue_position(self, pool: Pool, state: BookingState, queue_no: int) -> int:
        (position,) = self._conn.execute(
            "SELECT count(*) FROM passengers WHERE train = ? AND origin_date = ?"
            " AND class_code = ? AND quota = ? AND state = ? AND queue_no <= ?",
            (*pool, state, queue_no),
        ).fetchone()
        return int(position)

    def queue_counts(self, pool: Pool) -> QueueCounts:
        """How many wait in a pool's RAC and waitlist queues, and its last numbers."""
        rac, wl, last_rac, last_wl = self._conn.execute(_QUEUE_COUNTS, pool * 4).fetchone()
        return QueueCounts(int(rac), int(wl), int(last_rac), int(last_wl))

    def last_numbers(self, pool: Pool) -> tuple[int, int]:
        """The highest waitlist number issued and RAC queue number used in a pool."""
        counts = self.queue_counts(pool)
        return counts.last_wl, counts.last_rac

    # -- seats -------------------------------------------------------------------------------
    def seat_map(self, train: str, origin_date: str, class_code: str, layout: Layout) -> SeatMap:
        """The class's seat map, read fresh (``BEGIN IMMEDIATE`` has locked it already)."""
        key = (train, origin_date, class_code)
        seats = self._maps.get(key)
        if seats is not None and seats.layout is layout:
            return seats
        row = self._conn.execute(
            "SELECT layout, legs FROM seat_maps"
            " WHERE train = ? AND origin_date = ? AND class_code = ?",
            key,
        ).fetchone()
        if row is None:  # no place of the class was ever held
            seats = SeatMap(layout)
        elif row[0] == layout.fingerprint:
            seats = SeatMap.from_bytes(layout, row[1])
        else:
            seats = self._rebuild(key, layout)
            self._dirty.add(key)
        self._maps[key] = seats
        return seats

    def _rebuild(self, key: ClassKey, layout: Layout) -> SeatMap:
        seats = SeatMap(layout)
        legs = seats.legs
        for coach, berth, slot, leg in self._conn.execute(
            "SELECT coach, berth, slot, leg FROM occupancy"
            " WHERE train = ? AND origin_date = ? AND class_code = ?",
            key,
        ):
            index = layout.index.get((coach, berth, slot))
            if index is not None and 0 <= leg < len(legs):  # a place the catalogue still has
                legs[leg] |= 1 << index
        return seats

    def _stale(self, key: ClassKey) -> None:
        """A change the loaded maps can't follow: the stored map is rebuilt when next read."""
        self._maps.pop(key, None)
        self._dirty.discard(key)
        self._conn.execute(
            "INSERT INTO seat_maps (train, origin_date, class_code, layout, legs)"
            " VALUES (?, ?, ?, '', x'') ON CONFLICT DO UPDATE SET layout = '', legs = x''",
            key,
        )

    def occupy(self, passenger: PassengerRow, place: PlaceKey) -> None:
        """Hold a place for each leg of the passenger's journey (rows and seat map)."""
        coach, berth, slot = place
        first, last = passenger.from_index, passenger.to_index
        key = (passenger.train, passenger.origin_date, passenger.class_code)
        self._conn.executemany(
            "INSERT INTO occupancy (train, origin_date, class_code, coach, berth, slot, leg,"
            " pnr, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (*key, coach, berth, slot, leg, passenger.pnr, passenger.number)
                for leg in range(first, last)
            ],
        )
        seats = self._maps.get(key)
        index = None if seats is None else seats.layout.index.get(place)
        if seats is None or index is None or last > seats.layout.legs:
            self._stale(key)
            return
        seats.hold(index, first, last)
        self._dirty.add(key)

    def release(self, pnr: str, number: int) -> None:
        """Give up whatever place a passenger holds (rows and seat map)."""
        rows = self._conn.execute(
            "DELETE FROM occupancy WHERE pnr = ? AND number = ?"
            " RETURNING train, origin_date, class_code, coach, berth, slot, leg",
            (pnr, number),
        ).fetchall()
        for train, origin_date, class_code, coach, berth, slot, leg in rows:
            key = (train, origin_date, class_code)
            seats = self._maps.get(key)
            index = None if seats is None else seats.layout.index.get((coach, berth, slot))
            if seats is None or index is None or leg >= seats.layout.legs:
                self._stale(key)
                continue
            seats.legs[leg] &= ~(1 << index)
            self._dirty.add(key)

    def write_back(self) -> None:
        """Store the seat maps changed in this transaction (just before it commits)."""
        self._conn.executemany(
            "INSERT INTO seat_maps (train, origin_date, class_code, layout, legs)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
            " SET layout = excluded.layout, legs = excluded.legs",
            [
                (*key, self._maps[key].layout.fingerprint, self._maps[key].to_bytes())
                for key in sorted(self._dirty)
            ],
        )
        self._dirty.clear()

    # -- reports ----------------------------------------------------------------
    def count(self, table: str) -> int:
        if table not in ("agents", "sessions", "bookings", "passengers", "occupancy"):
            raise ValueError(table)
        (n,) = self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(n)


class SqliteStore:
    """A pool of connections to one SQLite file, handing out transactions."""

    def __init__(self, path: Path | str, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_ms / 1000,
            isolation_level=None,  # we issue BEGIN ourselves
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            yield conn
        except BaseException:
            try:
                if conn.in_transaction:
                    conn.rollback()
            except sqlite3.Error:
                conn.close()  # not fit to be handed out again
                raise
            # A refused booking (REGRET, a rule) is ordinary traffic: keep the connection.
            self._idle.put(conn)
            raise
        self._idle.put(conn)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[SqliteTransaction]:
        writes = begin != "BEGIN DEFERRED"
        try:
            with self._connection() as conn:
                conn.execute(begin)
                try:
                    tx = SqliteTransaction(conn)
                    yield tx
                    if writes:
                        tx.write_back()
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
        except sqlite3.OperationalError as error:
            raise _store_error(error) from error

    def write(self) -> AbstractContextManager[SqliteTransaction]:
        """A transaction holding the writer lock from its first statement (BEGIN IMMEDIATE)."""
        return self._transaction("BEGIN IMMEDIATE")

    def read(self) -> AbstractContextManager[SqliteTransaction]:
        """A read transaction: a consistent snapshot that never blocks writers."""
        return self._transaction("BEGIN DEFERRED")

    def initialise(self, agents: Iterable[tuple[str, str, str]]) -> bool:
        """Create the schema and seed agents (code, name, password hash) if the file is new.

        Returns True when it seeded a new database. Safe to call from several processes at once:
        the first one to take the writer lock does the work, the others find it done. A file
        that can't be opened or has another schema version is a ``StoreError``.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._initialise(agents)
        except sqlite3.Error as error:
            raise StoreError(str(error)) from error

    def _initialise(self, agents: Iterable[tuple[str, str, str]]) -> bool:
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                had_seat_maps = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seat_maps'"
                ).fetchone()
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                if not had_seat_maps:
                    conn.execute(_BACKFILL_SEAT_MAPS)
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                seeded = row is None
                if seeded:
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),),
                    )
                    conn.executemany(
                        "INSERT INTO agents (code, name, password_hash) VALUES (?, ?, ?)", agents
                    )
                elif int(row[0]) != SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path} has schema version {row[0]}, this code needs {SCHEMA_VERSION}"
                    )
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        return seeded

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
