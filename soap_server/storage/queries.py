"""The queries of ``railway.store.Transaction``, written once for both backends.

The SQL here is the common dialect of SQLite and PostgreSQL (``?`` placeholders, which the
PostgreSQL store turns into psycopg's ``%s``; ``ON CONFLICT``; ``coalesce``). What differs
between the two is how a transaction is opened and locked, and that is each backend's own:
``SqlTransaction`` leaves ``_execute``, ``_executemany`` and ``lock_class`` to them, and reads
rows it is about to change with ``self._for_update`` appended (empty on SQLite, whose one writer
lock is already held; ``FOR UPDATE`` on PostgreSQL, where writers of different rows run at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, fields
from typing import Any, Protocol

from soap_server.railway.codes import QUEUED, BookingState
from soap_server.railway.store import (
    AgentRow,
    BookingRow,
    LoginAttemptsRow,
    PassengerRow,
    PlaceKey,
    Pool,
    SessionRow,
)

CNF, RAC, CAN = BookingState.CNF, BookingState.RAC, BookingState.CAN
#: The tables ``count`` may be asked about.
COUNTED = (
    "agents",
    "sessions",
    "bookings",
    "passengers",
    "occupancy",
    "login_attempts",
    "nonces",
    "charts",
)

_PASSENGER_COLUMNS = ", ".join(f.name for f in fields(PassengerRow))
_BOOKING_COLUMNS = ", ".join(f.name for f in fields(BookingRow))
_STATE = [f.name for f in fields(PassengerRow)].index("state")


class Cursor(Protocol):
    """What both drivers' cursors offer and the queries use."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


def _passenger(row: Sequence[Any]) -> PassengerRow:
    values = list(row)
    values[_STATE] = BookingState(values[_STATE])
    return PassengerRow(*values)


class SqlTransaction:
    """Queries and updates on one open transaction; a backend supplies the execution."""

    #: Appended to the reads of rows this transaction may change (see the module docstring).
    _for_update = ""

    def _execute(self, sql: str, args: Sequence[object] = ()) -> Cursor:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        raise NotImplementedError

    def lock_class(self, train: str, origin_date: str, class_code: str) -> None:
        raise NotImplementedError

    # -- agents and sessions ---------------------------------------------------------------
    def agent(self, code: str) -> AgentRow | None:
        row = self._execute(
            "SELECT code, name, password_hash, networks, digest_secret"
            f" FROM agents WHERE code = ?{self._for_update}",
            (code,),
        ).fetchone()
        return AgentRow(*row) if row else None

    def login_attempts(self, source: str, agent: str) -> LoginAttemptsRow | None:
        row = self._execute(
            "SELECT source, agent, failures, window_start, blocked_until FROM login_attempts"
            f" WHERE source = ? AND agent = ?{self._for_update}",
            (source, agent),
        ).fetchone()
        return LoginAttemptsRow(*row) if row else None

    def set_login_attempts(
        self, source: str, agent: str, failures: int, window_start: str, blocked_until: str | None
    ) -> None:
        self._execute(
            "INSERT INTO login_attempts (source, agent, failures, window_start, blocked_until)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, agent) DO UPDATE SET"
            " failures = excluded.failures, window_start = excluded.window_start,"
            " blocked_until = excluded.blocked_until",
            (source, agent, failures, window_start, blocked_until),
        )

    def clear_login_attempts(self, source: str, agent: str) -> None:
        self._execute("DELETE FROM login_attempts WHERE source = ? AND agent = ?", (source, agent))

    def purge_login_attempts(self, window_before: str, now: str) -> None:
        """Forget counts whose window has passed and whose pause (if any) is over."""
        self._execute(
            "DELETE FROM login_attempts WHERE window_start <= ?"
            " AND (blocked_until IS NULL OR blocked_until <= ?)",
            (window_before, now),
        )

    def insert_session(self, token_hash: str, agent: str, now: str) -> None:
        self._execute(
            "INSERT INTO sessions (token_hash, agent, created_at, last_seen_at)"
            " VALUES (?, ?, ?, ?)",
            (token_hash, agent, now, now),
        )

    def session(self, token_hash: str) -> SessionRow | None:
        row = self._execute(
            "SELECT token_hash, agent, created_at, last_seen_at, ended_at FROM sessions"
            " WHERE token_hash = ?",
            (token_hash,),
        ).fetchone()
        return SessionRow(*row) if row else None

    def touch_session(self, token_hash: str, now: str) -> None:
        self._execute(
            "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (now, token_hash)
        )

    def end_session(self, token_hash: str, now: str) -> None:
        self._execute(
            "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (now, token_hash),
        )

    def purge_sessions(self, idle_before: str, ended_before: str) -> None:
        """Delete sessions idle since before ``idle_before`` or ended before ``ended_before``."""
        self._execute(
            "DELETE FROM sessions WHERE last_seen_at < ?"
            " OR (ended_at IS NOT NULL AND ended_at < ?)",
            (idle_before, ended_before),
        )

    def remember_nonce(self, agent: str, nonce: str, expires_at: str, now: str) -> bool:
        """Record a WS-Security nonce; False if the agent already used it (a replay)."""
        self._execute("DELETE FROM nonces WHERE expires_at <= ?", (now,))
        cursor = self._execute(
            "INSERT INTO nonces (agent, nonce, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (agent, nonce) DO NOTHING",
            (agent, nonce, expires_at),
        )
        return cursor.rowcount == 1

    # -- bookings and passengers -----------------------------------------------------------
    def booking(self, pnr: str) -> BookingRow | None:
        row = self._execute(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE pnr = ?{self._for_update}", (pnr,)
        ).fetchone()
        return BookingRow(*row) if row else None

    def booking_by_reference(self, agent: str, client_reference: str) -> BookingRow | None:
        row = self._execute(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE agent = ? AND client_reference = ?",
            (agent, client_reference),
        ).fetchone()
        return BookingRow(*row) if row else None

    def pnr_taken(self, pnr: str) -> bool:
        return self._execute("SELECT 1 FROM bookings WHERE pnr = ?", (pnr,)).fetchone() is not None

    def insert_booking(self, booking: BookingRow) -> None:
        marks = ", ".join("?" * len(fields(BookingRow)))
        self._execute(
            f"INSERT INTO bookings ({_BOOKING_COLUMNS}) VALUES ({marks})", astuple(booking)
        )

    def passengers(self, pnr: str) -> list[PassengerRow]:
        rows = self._execute(
            f"SELECT {_PASSENGER_COLUMNS} FROM passengers WHERE pnr = ? ORDER BY number", (pnr,)
        ).fetchall()
        return [_passenger(row) for row in rows]

    def insert_passenger(self, passenger: PassengerRow) -> None:
        marks = ", ".join("?" * len(fields(PassengerRow)))
        self._execute(
            f"INSERT INTO passengers ({_PASSENGER_COLUMNS}) VALUES ({marks})", astuple(passenger)
        )

    def update_passenger(self, passenger: PassengerRow) -> None:
        """Write back a passenger's state, place, queue number, refund, cancellation time and
        boarding stop."""
        self._execute(
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
        self._execute(
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
        """Every booking on one train leaving its origin on one day, oldest first (not read
        ``FOR UPDATE``: the chart, which reads them, holds the train's class locks, and a
        cancellation locks its booking before its class)."""
        rows = self._execute(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE train = ? AND origin_date = ?"
            " ORDER BY booked_at, pnr",
            (train, origin_date),
        ).fetchall()
        return [BookingRow(*row) for row in rows]

    # -- charts ------------------------------------------------------------------------------
    def chart_prepared(self, train: str, origin_date: str) -> str | None:
        """When the chart of a train-day was prepared (ISO time), if it was."""
        row = self._execute(
            "SELECT prepared_at FROM charts WHERE train = ? AND origin_date = ?",
            (train, origin_date),
        ).fetchone()
        return None if row is None else str(row[0])

    def mark_chart_prepared(self, train: str, origin_date: str, prepared_at: str) -> None:
        self._execute(
            "INSERT INTO charts (train, origin_date, prepared_at) VALUES (?, ?, ?)",
            (train, origin_date, prepared_at),
        )

    # -- queues ------------------------------------------------------------------------------
    def queue(self, pool: Pool, state: BookingState) -> list[PassengerRow]:
        """Passengers of one pool in one state (RAC or WL), in queue order."""
        rows = self._execute(
            f"SELECT {_PASSENGER_COLUMNS} FROM passengers WHERE train = ? AND origin_date = ?"
            " AND class_code = ? AND quota = ? AND state = ? ORDER BY queue_no",
            (*pool, state),
        ).fetchall()
        return [_passenger(row) for row in rows]

    def queue_position(self, pool: Pool, state: BookingState, queue_no: int) -> int:
        (position,) = self._execute(
            "SELECT count(*) FROM passengers WHERE train = ? AND origin_date = ?"
            " AND class_code = ? AND quota = ? AND state = ? AND queue_no <= ?",
            (*pool, state, queue_no),
        ).fetchone()
        return int(position)

    def queue_lengths(
        self, train: str, origin_date: str, class_code: str
    ) -> dict[tuple[str, str], int]:
        """(quota, state) -> number of passengers, for RAC and WL of one class."""
        rows = self._execute(
            "SELECT quota, state, count(*) FROM passengers WHERE train = ? AND origin_date = ?"
            " AND class_code = ? AND state IN (?, ?) GROUP BY quota, state",
            (train, origin_date, class_code, *QUEUED),
        ).fetchall()
        return {(quota, state): int(n) for quota, state, n in rows}

    def last_numbers(self, pool: Pool) -> tuple[int, int]:
        """The highest waitlist number issued and RAC queue number used in a pool."""
        wl, rac = self._execute(
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
        for coach, berth, slot, leg in self._execute(sql, args).fetchall():
            taken.setdefault((coach, berth, slot), set()).add(leg)
        return taken

    def occupy(self, passenger: PassengerRow, place: PlaceKey) -> None:
        """Hold a place for each leg of the passenger's journey."""
        coach, berth, slot = place
        self._executemany(
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
            self._execute("DELETE FROM occupancy WHERE pnr = ? AND number = ?", (pnr, number))
        else:
            self._execute(
                "DELETE FROM occupancy WHERE pnr = ? AND number = ? AND leg < ?",
                (pnr, number, before_leg),
            )

    # -- reports ----------------------------------------------------------------
    def count(self, table: str) -> int:
        if table not in COUNTED:
            raise ValueError(table)
        (n,) = self._execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(n)
