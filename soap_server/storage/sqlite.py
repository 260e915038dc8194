"""The SQLite store (the embedded default): schema, seeding, transactions.

It implements ``railway.store.Store``; sqlite3's "database is locked" becomes ``StoreBusy`` and
its other operational failures ``StoreError``, so the core never sees a sqlite3 exception.

Concurrency: the file is in WAL mode so readers never block the writer. Every write runs in a
``BEGIN IMMEDIATE`` transaction, which takes SQLite's single writer lock up front: two Book calls,
from two threads or two server processes sharing the file, are serialised there, so the second
sees the first's berths. The ``occupancy`` table's primary key (one row per berth, slot and leg
of the route) makes a berth given twice for the same stretch impossible even if the code above it
were wrong, and a partial unique index does the same for waitlist numbers.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any

from soap_server.railway.codes import QUEUED, BookingState
from soap_server.railway.store import (
    AgentRow,
    BookingRow,
    LoginAttemptsRow,
    PassengerRow,
    PlaceKey,
    Pool,
    SessionRow,
    StoreBusy,
    StoreError,
)

SCHEMA_VERSION = 3
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
    networks      TEXT NOT NULL DEFAULT '',
    digest_secret TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash   TEXT PRIMARY KEY,
    agent        TEXT NOT NULL REFERENCES agents(code),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_last_seen ON sessions (last_seen_at);
CREATE TABLE IF NOT EXISTS login_attempts (
    source        TEXT NOT NULL,
    agent         TEXT NOT NULL,
    failures      INTEGER NOT NULL CHECK (failures >= 0),
    window_start  TEXT NOT NULL,
    blocked_until TEXT,
    PRIMARY KEY (source, agent)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nonces (
    agent      TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (agent, nonce)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_by_expiry ON nonces (expires_at);
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
    reserved_from      TEXT NOT NULL DEFAULT '',
    boarding_changes   INTEGER NOT NULL DEFAULT 0 CHECK (boarding_changes >= 0),
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
    berth_option    TEXT CHECK (berth_option IN ('NOSB', 'INFANT')),
    tax             INTEGER NOT NULL DEFAULT 0 CHECK (tax >= 0 AND tax <= fare),
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
CREATE TABLE IF NOT EXISTS charts (
    train       TEXT NOT NULL,
    origin_date TEXT NOT NULL,
    prepared_at TEXT NOT NULL,
    PRIMARY KEY (train, origin_date)
);
"""

# Version 2 -> 3: no-berth passengers (state NB, berth_option), the fare tax of each passenger
# (the booking's GST shared out by fare), the reserved-from station and boarding changes of a
# booking (the charts table is new and created by SCHEMA). SQLite cannot change a CHECK
# constraint: the passengers table is rebuilt.
MIGRATE_2_TO_3 = """
ALTER TABLE bookings ADD COLUMN reserved_from TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN boarding_changes INTEGER NOT NULL DEFAULT 0;
UPDATE bookings SET reserved_from = source;
{passengers_new}
INSERT INTO passengers_new SELECT p.*, NULL, coalesce(
    (SELECT (p.fare * b.gst + t.total / 2) / t.total
     FROM bookings b, (SELECT sum(q.fare) AS total FROM passengers q WHERE q.pnr = p.pnr) t
     WHERE b.pnr = p.pnr AND t.total > 0), 0)
    FROM passengers p;
DROP TABLE passengers;
ALTER TABLE passengers_new RENAME TO passengers;
"""


_PASSENGER_COLUMNS = ", ".join(f.name for f in fields(PassengerRow))
_BOOKING_COLUMNS = ", ".join(f.name for f in fields(BookingRow))
_STATE = [f.name for f in fields(PassengerRow)].index("state")


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

    # -- agents and sessions ---------------------------------------------------------------
    def agent(self, code: str) -> AgentRow | None:
        row = self._conn.execute(
            "SELECT code, name, password_hash, networks, digest_secret FROM agents WHERE code = ?",
            (code,),
        ).fetchone()
        return AgentRow(*row) if row else None

    def login_attempts(self, source: str, agent: str) -> LoginAttemptsRow | None:
        row = self._conn.execute(
            "SELECT source, agent, failures, window_start, blocked_until FROM login_attempts"
            " WHERE source = ? AND agent = ?",
            (source, agent),
        ).fetchone()
        return LoginAttemptsRow(*row) if row else None

    def set_login_attempts(
        self, source: str, agent: str, failures: int, window_start: str, blocked_until: str | None
    ) -> None:
        self._conn.execute(
            "INSERT INTO login_attempts (source, agent, failures, window_start, blocked_until)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, agent) DO UPDATE SET"
            " failures = excluded.failures, window_start = excluded.window_start,"
            " blocked_until = excluded.blocked_until",
            (source, agent, failures, window_start, blocked_until),
        )

    def clear_login_attempts(self, source: str, agent: str) -> None:
        self._conn.execute(
            "DELETE FROM login_attempts WHERE source = ? AND agent = ?", (source, agent)
        )

    def purge_login_attempts(self, window_before: str, now: str) -> None:
        """Forget counts whose window has passed and whose pause (if any) is over."""
        self._conn.execute(
            "DELETE FROM login_attempts WHERE window_start <= ?"
            " AND (blocked_until IS NULL OR blocked_until <= ?)",
            (window_before, now),
        )

    def insert_session(self, token_hash: str, agent: str, now: str) -> None:
        self._conn.execute(
            "INSERT INTO sessions (token_hash, agent, created_at, last_seen_at)"
            " VALUES (?, ?, ?, ?)",
            (token_hash, agent, now, now),
        )

    def session(self, token_hash: str) -> SessionRow | None:
        row = self._conn.execute(
            "SELECT token_hash, agent, created_at, last_seen_at, ended_at FROM sessions"
            " WHERE token_hash = ?",
            (token_hash,),
        ).fetchone()
        return SessionRow(*row) if row else None

    def touch_session(self, token_hash: str, now: str) -> None:
        self._conn.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (now, token_hash)
        )

    def end_session(self, token_hash: str, now: str) -> None:
        self._conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (now, token_hash),
        )

    def purge_sessions(self, idle_before: str, ended_before: str) -> None:
        """Delete sessions idle since before ``idle_before`` or ended before ``ended_before``."""
        self._conn.execute(
            "DELETE FROM sessions WHERE last_seen_at < ?"
            " OR (ended_at IS NOT NULL AND ended_at < ?)",
            (idle_before, ended_before),
        )

    def remember_nonce(self, agent: str, nonce: str, expires_at: str, now: str) -> bool:
        """Record a WS-Security nonce; False if the agent already used it (a replay)."""
        self._conn.execute("DELETE FROM nonces WHERE expires_at <= ?", (now,))
        cursor = self._conn.execute(
            "INSERT INTO nonces (agent, nonce, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (agent, nonce) DO NOTHING",
            (agent, nonce, expires_at),
        )
        return cursor.rowcount == 1

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
            f"INSERT INTO bookings ({_BOOKING_COLUMNS}) VALUES ({marks})", astuple(booking)
        )

    def passengers(self, pnr: str) -> list[PassengerRow]:
        rows = self._conn.execute(
            f"SELECT {_PASSENGER_COLUMNS} FROM passengers WHERE pnr = ? ORDER BY number", (pnr,)
        ).fetchall()
        return [_passenger(row) for row in rows]

    def insert_passenger(self, passenger: PassengerRow) -> None:
        marks = ", ".join("?" * len(fields(PassengerRow)))
        self._conn.execute(
            f"INSERT INTO passengers ({_PASSENGER_COLUMNS}) VALUES ({marks})", astuple(passenger)
        )

    def update_passenger(self, passenger: PassengerRow) -> None:
        """Write back a passenger's state, place, queue number, refund and boarding stop."""
        self._conn.execute(
            "UPDATE passengers SET state = ?, coach = ?, berth = ?, slot = ?, berth_type = ?,"
            " queue_no = ?, refund = ?, cancelled_at = ?, from_index = ?"
            " WHERE pnr = ? AND number = ?",
            (
                passenger.state,
                passenger.coach,
                passenger.berth,
                passenger.slot,
                passenger.berth_type,
                passenger.queue_no,
                passenger.refund,
                passenger.cancelled_at,
                passenger.from_index,
                passenger.pnr,
                passenger.number,
            ),
        )

    def update_boarding(self, booking: BookingRow) -> None:
        """Write back a booking's boarding station, stop, journey date and change count."""
        self._conn.execute(
            "UPDATE bookings SET source = ?, from_index = ?, journey_date = ?,"
            " boarding_changes = ? WHERE pnr = ?",
            (
                booking.source,
                booking.from_index,
                booking.journey_date,
                booking.boarding_changes,
                booking.pnr,
            ),
        )

    def train_bookings(self, train: str, origin_date: str) -> list[BookingRow]:
        """Every booking on one train leaving its origin on one day, oldest PNR first."""
        rows = self._conn.execute(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE train = ? AND origin_date = ?"
            " ORDER BY booked_at, pnr",
            (train, origin_date),
        ).fetchall()
        return [BookingRow(*row) for row in rows]

    # -- charts ------------------------------------------------------------------------------
    def chart_prepared(self, train: str, origin_date: str) -> str | None:
        """When the chart of a train-day was prepared, if it was."""
        row = self._conn.execute(
            "SELECT prepared_at FROM charts WHERE train = ? AND origin_date = ?",
            (train, origin_date),
        ).fetchone()
        return None if row is None else str(row[0])

    def mark_chart_prepared(self, train: str, origin_date: str, prepared_at: str) -> None:
        self._conn.execute(
            "INSERT INTO charts (train, origin_date, prepared_at) VALUES (?, ?, ?)",
            (train, origin_date, prepared_at),
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

    def queue_lengths(
        self, train: str, origin_date: str, class_code: str
    ) -> dict[tuple[str, str], int]:
        """(quota, state) -> number of passengers, for RAC and WL of one class."""
        rows = self._conn.execute(
            "SELECT quota, state, count(*) FROM passengers WHERE train = ? AND origin_date = ?"
            " AND class_code = ? AND state IN (?, ?) GROUP BY quota, state",
            (train, origin_date, class_code, *QUEUED),
        ).fetchall()
        return {(quota, state): int(n) for quota, state, n in rows}

    def last_numbers(self, pool: Pool) -> tuple[int, int]:
        """The highest waitlist number issued and RAC queue number used in a pool."""
        wl, rac = self._conn.execute(
            "SELECT coalesce(max(wl_no), 0),"
            " coalesce(max(CASE WHEN state = ? THEN queue_no END), 0)"
            " FROM passengers WHERE train = ? AND origin_date = ? AND class_code = ? AND quota = ?",
            (RAC, *pool),
        ).fetchone()
        return int(wl), int(rac)

    # -- seats -------------------------------------------------------------------------------
    def occupancy(
        self, train: str, origin_date: str, class_code: str, legs: tuple[int, int] | None = None
    ) -> dict[PlaceKey, set[int]]:
        """Occupied legs per place of one class; only legs in ``[first, last)`` if given."""
        sql = (
            "SELECT coach, berth, slot, leg FROM occupancy"
            " WHERE train = ? AND origin_date = ? AND class_code = ?"
        )
        args: tuple[object, ...] = (train, origin_date, class_code)
        if legs is not None:
            sql += " AND leg >= ? AND leg < ?"
            args += legs
        taken: dict[PlaceKey, set[int]] = {}
        for coach, berth, slot, leg in self._conn.execute(sql, args):
            taken.setdefault((coach, berth, slot), set()).add(leg)
        return taken

    def occupy(self, passenger: PassengerRow, place: PlaceKey) -> None:
        """Hold a place for each leg of the passenger's journey."""
        coach, berth, slot = place
        self._conn.executemany(
            "INSERT INTO occupancy (train, origin_date, class_code, coach, berth, slot, leg,"
            " pnr, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    passenger.train,
                    passenger.origin_date,
                    passenger.class_code,
                    coach,
                    berth,
                    slot,
                    leg,
                    passenger.pnr,
                    passenger.number,
                )
                for leg in range(passenger.from_index, passenger.to_index)
            ],
        )

    def release(self, pnr: str, number: int, before_leg: int | None = None) -> None:
        """Give up a passenger's place: all of it, or only the legs before ``before_leg``."""
        if before_leg is None:
            self._conn.execute("DELETE FROM occupancy WHERE pnr = ? AND number = ?", (pnr, number))
        else:
            self._conn.execute(
                "DELETE FROM occupancy WHERE pnr = ? AND number = ? AND leg < ?",
                (pnr, number, before_leg),
            )

    def schema_version(self) -> int | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return None if row is None else int(row[0])

    # -- reports ----------------------------------------------------------------
    def count(self, table: str) -> int:
        if table not in (
            "agents",
            "sessions",
            "bookings",
            "passengers",
            "occupancy",
            "login_attempts",
            "nonces",
            "charts",
        ):
            raise ValueError(table)
        (n,) = self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(n)


class SqliteStore:
    """A pool of connections to one SQLite file, handing out transactions."""

    def __init__(self, path: Path | str, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # A store dropped without close() (an app built for one request, say) still closes the
        # connections in its pool when it is collected, rather than leaving each one to the
        # garbage collector (which Python 3.13 reports as a ResourceWarning).
        weakref.finalize(self, _close_idle, self._idle)

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
            # Rolled back, the connection goes back to the pool like any other; one that cannot
            # even roll back is closed here rather than left to the garbage collector.
            try:
                if conn.in_transaction:
                    conn.rollback()
            except BaseException:
                conn.close()
                raise
            self._idle.put(conn)
            raise
        self._idle.put(conn)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[SqliteTransaction]:
        try:
            with self._connection() as conn:
                conn.execute(begin)
                try:
                    yield SqliteTransaction(conn)
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

    def initialise(self, agents: Iterable[tuple[str, str, str, str, str]]) -> bool:
        """Create the schema and seed agents (code, name, password hash, networks, sealed
        password) if the file is new; bring an older file up to this schema version.

        Returns True when it seeded a new database. Safe to call from several processes at once:
        the first one to take the writer lock does the work, the others find it done. A file
        that can't be opened or has a newer schema version is a ``StoreError``. The file (and so
        the WAL and shared-memory files SQLite makes beside it, which copy its mode) is readable
        by its owner only: it holds password and token hashes.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            if path.exists():
                os.chmod(path, 0o600)
        try:
            return self._initialise(agents)
        except sqlite3.Error as error:
            raise StoreError(str(error)) from error

    def _initialise(self, agents: Iterable[tuple[str, str, str, str, str]]) -> bool:
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = OFF")  # a migration may rebuild a table
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
                ).fetchone()
                version = None
                if row is not None:
                    found = conn.execute(
                        "SELECT value FROM meta WHERE key = 'schema_version'"
                    ).fetchone()
                    version = None if found is None else int(found[0])
                if version is not None and version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path} has schema version {version}, this code needs"
                        f" {SCHEMA_VERSION}"
                    )
                rows = list(agents) if version is None or version < SCHEMA_VERSION else []
                if version == 1:
                    _migrate_from_1(conn, rows)
                if version in (1, 2):
                    _migrate_from_2(conn)
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                seeded = version is None
                if seeded:
                    conn.executemany(
                        "INSERT INTO agents (code, name, password_hash, networks, digest_secret)"
                        " VALUES (?, ?, ?, ?, ?)",
                        rows,
                    )
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
            except BaseException:
                conn.rollback()
                conn.execute("PRAGMA foreign_keys = ON")
                raise
            conn.commit()
            conn.execute("PRAGMA foreign_keys = ON")
        return seeded

    def healthy(self) -> bool:
        """Whether the database answers and holds this core's schema (for ``/healthz``)."""
        try:
            with self.read() as tx:
                return tx.schema_version() == SCHEMA_VERSION
        except (sqlite3.Error, StoreError):
            return False

    def close(self) -> None:
        _close_idle(self._idle)


def _close_idle(idle: queue.SimpleQueue[sqlite3.Connection]) -> None:
    while True:
        try:
            idle.get_nowait().close()
        except queue.Empty:
            return


def _migrate_from_1(conn: sqlite3.Connection, agents: list[tuple[str, str, str, str, str]]) -> None:
    """Schema 1 -> 2: session tokens become SHA-256 digests; agents get registered networks and
    a sealed password for WS-Security digests (the seed's, for the seeded agents) and lose the
    lock columns (failed logins are now counted per source in ``login_attempts``)."""
    import hashlib

    conn.execute("ALTER TABLE sessions RENAME COLUMN token TO token_hash")
    tokens = [token for (token,) in conn.execute("SELECT token_hash FROM sessions")]
    conn.executemany(
        "UPDATE sessions SET token_hash = ? WHERE token_hash = ?",
        [(hashlib.sha256(token.encode()).hexdigest(), token) for token in tokens],
    )
    conn.execute("ALTER TABLE agents ADD COLUMN networks TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE agents ADD COLUMN digest_secret TEXT")
    conn.executemany(
        "UPDATE agents SET networks = ?, digest_secret = ? WHERE code = ?",
        [(networks, sealed, code) for code, _, _, networks, sealed in agents],
    )
    for column in ("failed_logins", "locked_until"):
        conn.execute(f"ALTER TABLE agents DROP COLUMN {column}")


def _passengers_table(name: str) -> str:
    start = SCHEMA.index("CREATE TABLE IF NOT EXISTS passengers")
    end = SCHEMA.index(");", start) + 2
    return SCHEMA[start:end].replace("IF NOT EXISTS passengers", name)


def _migrate_from_2(conn: sqlite3.Connection) -> None:
    """Schema 2 -> 3, inside the caller's transaction (the rules of the era, issue 15).

    The caller turns foreign keys off first (the passengers table is rebuilt under the
    occupancy table's references) and checks them after.
    """
    script = MIGRATE_2_TO_3.format(passengers_new=_passengers_table("passengers_new"))
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration to schema {SCHEMA_VERSION} broke references: {broken[:3]}")
