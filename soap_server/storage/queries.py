"""The queries of ``railway.store.Transaction``, written once for both backends.

The SQL here is the common dialect of SQLite and PostgreSQL (``?`` placeholders, which the
PostgreSQL store turns into psycopg's ``%s``; ``ON CONFLICT``; ``coalesce``). What differs
between the two is how a transaction is opened and locked, and that is each backend's own:
``SqlTransaction`` leaves ``_execute`` and ``_executemany`` to them, and reads rows it is about
to change with ``self._for_update`` appended (empty on SQLite, whose one writer lock is already
held; ``FOR UPDATE`` on PostgreSQL, where writers of different rows run at once).

Seat maps: ``seat_maps`` holds one row per train-day and class (the inventory row): the layout's
fingerprint and one bitmap per leg (``railway.store.SeatMap``), kept equal to the occupancy rows
of that class in the same transaction (the maps handed out are written back by ``write_back``
just before commit). A row whose fingerprint is not the layout the core asks for (a changed
catalogue; ``''`` when marked stale) is rebuilt from the occupancy rows; a class without a row
has no occupancy rows (migration 4 gave every class that had some a stale row). In a write
transaction ``seat_map`` is also the class lock: on PostgreSQL the row is inserted if missing
(``ON CONFLICT DO NOTHING``) and read ``FOR UPDATE``, lock and data in one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from operator import attrgetter
from typing import Any, Protocol

from soap_server.railway.codes import BookingState
from soap_server.railway.store import (
    AgentRow,
    BookingRow,
    Layout,
    LoginAttemptsRow,
    PassengerRow,
    PlaceKey,
    Pool,
    QueueCounts,
    SeatMap,
    SessionRow,
)

ClassKey = tuple[str, str, str]  # train, origin_date, class_code

CNF, RAC, CAN = BookingState.CNF, BookingState.RAC, BookingState.CAN
#: The tables ``count`` may be asked about.
COUNTED = (
    "agents",
    "sessions",
    "bookings",
    "passengers",
    "occupancy",
    "seat_maps",
    "login_attempts",
    "nonces",
    "charts",
)

_PASSENGER_COLUMNS = ", ".join(f.name for f in fields(PassengerRow))
_BOOKING_COLUMNS = ", ".join(f.name for f in fields(BookingRow))
_STATE = [f.name for f in fields(PassengerRow)].index("state")
# A row's values in column order (``dataclasses.astuple`` deep-copies every field: slower).
_BOOKING_VALUES = attrgetter(*(f.name for f in fields(BookingRow)))
_PASSENGER_VALUES = attrgetter(*(f.name for f in fields(PassengerRow)))
_BOOKING_MARKS = ", ".join("?" * len(fields(BookingRow)))
_PASSENGER_MARKS = ", ".join("?" * len(fields(PassengerRow)))

_POOL = "train = ? AND origin_date = ? AND class_code = ? AND quota = ?"
#: Each part answered from an index (passengers_by_pool, waitlist_numbers) without reading rows.
_QUEUE_COUNTS = f"""SELECT
    (SELECT count(*) FROM passengers WHERE {_POOL} AND state = '{RAC}'),
    (SELECT count(*) FROM passengers WHERE {_POOL} AND state = '{BookingState.WL}'),
    (SELECT coalesce(max(queue_no), 0) FROM passengers WHERE {_POOL} AND state = '{RAC}'),
    (SELECT coalesce(max(wl_no), 0) FROM passengers WHERE {_POOL} AND wl_no IS NOT NULL)
"""
_CLASS = "train = ? AND origin_date = ? AND class_code = ?"
#: One passenger's place on each leg of ``[from, to)``: the legs counted by the database, one
#: statement per passenger rather than one bound row per leg.
_OCCUPY = (
    "INSERT INTO occupancy (train, origin_date, class_code, coach, berth, slot, leg, pnr, number)"
    " WITH RECURSIVE legs (leg) AS"
    " (SELECT CAST(? AS INTEGER) UNION ALL SELECT leg + 1 FROM legs WHERE leg + 1 < ?)"
    " SELECT ?, ?, ?, ?, ?, ?, leg, ?, ? FROM legs"
)
_SAVE_SEAT_MAP = (
    "INSERT INTO seat_maps (train, origin_date, class_code, layout, legs) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (train, origin_date, class_code) DO UPDATE"
    " SET layout = excluded.layout, legs = excluded.legs"
)


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

    def __init__(self, writing: bool) -> None:
        self._writing = writing
        self._maps: dict[ClassKey, SeatMap] = {}  # the seat maps handed out, kept in step
        self._dirty: set[ClassKey] = set()  # maps to write back at commit

    def _execute(self, sql: str, args: Sequence[object] = ()) -> Cursor:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        raise NotImplementedError

    def _lock_seat_map(self, key: ClassKey, layout: Layout) -> None:
        """Make sure the class's inventory row exists before it is read to be locked
        (PostgreSQL's; nothing on SQLite, whose writer lock is held already)."""

    def lock_login_attempts(self, source: str, agent: str) -> None:
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
        self._execute(
            f"INSERT INTO bookings ({_BOOKING_COLUMNS}) VALUES ({_BOOKING_MARKS})",
            _BOOKING_VALUES(booking),
        )

    def passengers(self, pnr: str) -> list[PassengerRow]:
        rows = self._execute(
            f"SELECT {_PASSENGER_COLUMNS} FROM passengers WHERE pnr = ? ORDER BY number", (pnr,)
        ).fetchall()
        return [_passenger(row) for row in rows]

    def insert_passengers(self, passengers: Sequence[PassengerRow]) -> None:
        self._executemany(
            f"INSERT INTO passengers ({_PASSENGER_COLUMNS}) VALUES ({_PASSENGER_MARKS})",
            [_PASSENGER_VALUES(passenger) for passenger in passengers],
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
        """Write back a booking's boarding station, stop, journey date, change count and the
        time of the change."""
        self._execute(
            "UPDATE bookings SET source = ?, from_index = ?, journey_date = ?,"
            " boarding_changes = ?, boarding_changed_at = ? WHERE pnr = ?",
            (
                booking.source,
                booking.from_index,
                booking.journey_date,
                booking.boarding_changes,
                booking.boarding_changed_at,
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

    def charts_prepared(self, days: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Which of the train-days ``(train, origin_date)`` have their chart prepared, and
        when: one query for all of them."""
        return self.charts_and_seat_maps(days, [])[0]

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

    def queue_counts(self, pool: Pool) -> QueueCounts:
        """How many wait in a pool's RAC and waitlist queues, and its last numbers."""
        rac, wl, last_rac, last_wl = self._execute(_QUEUE_COUNTS, pool * 4).fetchone()
        return QueueCounts(int(rac), int(wl), int(last_rac), int(last_wl))

    def last_numbers(self, pool: Pool) -> tuple[int, int]:
        """The highest waitlist number issued and RAC queue number used in a pool."""
        counts = self.queue_counts(pool)
        return counts.last_wl, counts.last_rac

    # -- seats -------------------------------------------------------------------------------
    def seat_map(self, train: str, origin_date: str, class_code: str, layout: Layout) -> SeatMap:
        """The class's seat map, read fresh; in a write transaction, the class's lock."""
        key = (train, origin_date, class_code)
        seats = self._maps.get(key)
        if seats is not None and seats.layout is layout:
            return seats
        if self._writing:
            self._lock_seat_map(key, layout)
        row = self._execute(
            f"SELECT layout, legs FROM seat_maps WHERE {_CLASS}{self._for_update}", key
        ).fetchone()
        if row is None:  # no place of the class was ever held
            seats = SeatMap(layout)
        elif row[0] == layout.fingerprint:
            seats = SeatMap.from_bytes(layout, bytes(row[1]))
        else:
            seats = self._rebuild(key, layout)
            self._dirty.add(key)
        self._maps[key] = seats
        return seats

    def seat_maps(self, classes: Sequence[tuple[ClassKey, Layout]]) -> list[SeatMap]:
        """The seat maps of several classes, in the order asked (see ``charts_and_seat_maps``)."""
        return self.charts_and_seat_maps([], classes)[1]

    def charts_and_seat_maps(
        self, days: Sequence[tuple[str, str]], classes: Sequence[tuple[ClassKey, Layout]]
    ) -> tuple[dict[tuple[str, str], str], list[SeatMap]]:
        """The charts prepared among the train-days ``days`` (when, by train-day) and the seat
        maps of ``classes``, in the order asked: a search's reads. In a read transaction they
        are one query (a class without a row holds nothing; a stale row is rebuilt as
        ``seat_map`` does; maps already handed out are not read again); in a write transaction
        each map is ``seat_map``, the class's lock, taken in the order given."""
        if self._writing:
            return self._charts(days), [self.seat_map(*key, layout) for key, layout in classes]
        wanted = [
            (key, layout)
            for key, layout in classes
            if (seats := self._maps.get(key)) is None or seats.layout is not layout
        ]
        parts: list[str] = []
        args: list[object] = []
        if wanted:
            map_days = list(dict.fromkeys((key[0], key[1]) for key, _ in wanted))
            parts.append(
                "SELECT 0, train, origin_date, class_code, layout, legs FROM seat_maps WHERE "
                + " OR ".join(["(train = ? AND origin_date = ?)"] * len(map_days))
            )
            args += [value for day in map_days for value in day]
        chart_days = list(dict.fromkeys(days))
        if chart_days:
            parts.append(
                "SELECT 1, train, origin_date, '', prepared_at, NULL FROM charts WHERE "
                + " OR ".join(["(train = ? AND origin_date = ?)"] * len(chart_days))
            )
            args += [value for day in chart_days for value in day]
        charts: dict[tuple[str, str], str] = {}
        found: dict[ClassKey, tuple[str, Any]] = {}
        if parts:
            for kind, train, day, code, text, legs in self._execute(
                " UNION ALL ".join(parts), args
            ).fetchall():
                if kind:
                    charts[(str(train), str(day))] = str(text)
                else:
                    found[(str(train), str(day), str(code))] = (text, legs)
        for key, layout in wanted:
            row = found.get(key)
            if row is None:
                self._maps[key] = SeatMap(layout)
            elif row[0] == layout.fingerprint:
                self._maps[key] = SeatMap.from_bytes(layout, bytes(row[1]))
            else:
                self._maps[key] = self._rebuild(key, layout)
                self._dirty.add(key)
        return charts, [self._maps[key] for key, _ in classes]

    def _charts(self, days: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        charts = {}
        for train, day in dict.fromkeys(days):
            prepared = self.chart_prepared(train, day)
            if prepared is not None:
                charts[(train, day)] = prepared
        return charts

    def _rebuild(self, key: ClassKey, layout: Layout) -> SeatMap:
        seats = SeatMap(layout)
        legs = seats.legs
        for coach, berth, slot, leg in self._execute(
            f"SELECT coach, berth, slot, leg FROM occupancy WHERE {_CLASS}", key
        ).fetchall():
            index = layout.index.get((coach, berth, slot))
            if index is not None and 0 <= leg < len(legs):  # a place the catalogue still has
                legs[leg] |= 1 << index
        return seats

    def _stale(self, key: ClassKey) -> None:
        """A change the loaded maps can't follow: the stored map is rebuilt when next read."""
        self._maps.pop(key, None)
        self._dirty.discard(key)
        self._execute(_SAVE_SEAT_MAP, (*key, "", b""))

    def occupy(self, passenger: PassengerRow, place: PlaceKey) -> None:
        """Hold a place for each leg of the passenger's journey (rows and seat map)."""
        self.occupy_all([(passenger, place)])

    def occupy_all(self, held: Sequence[tuple[PassengerRow, PlaceKey]]) -> None:
        """``occupy`` for several passengers, in one statement."""
        if not held:
            return
        self._executemany(
            _OCCUPY,
            [
                (
                    p.from_index,
                    p.to_index,
                    p.train,
                    p.origin_date,
                    p.class_code,
                    *place,
                    p.pnr,
                    p.number,
                )
                for p, place in held
            ],
        )
        for passenger, place in held:
            key = (passenger.train, passenger.origin_date, passenger.class_code)
            seats = self._maps.get(key)
            index = None if seats is None else seats.layout.index.get(place)
            if seats is None or index is None or passenger.to_index > seats.layout.legs:
                self._stale(key)
                continue
            seats.hold(index, passenger.from_index, passenger.to_index)
            self._dirty.add(key)

    def release(self, pnr: str, number: int, before_leg: int | None = None) -> None:
        """Give up a passenger's place: all of it, or only the legs before ``before_leg``
        (rows and seat map)."""
        returning = " RETURNING train, origin_date, class_code, coach, berth, slot, leg"
        args: tuple[object, ...] = (pnr, number)
        if before_leg is None:
            sql = "DELETE FROM occupancy WHERE pnr = ? AND number = ?"
        else:
            sql = "DELETE FROM occupancy WHERE pnr = ? AND number = ? AND leg < ?"
            args = (pnr, number, before_leg)
        rows = self._execute(sql + returning, args).fetchall()
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
        if not self._dirty:
            return
        self._executemany(
            _SAVE_SEAT_MAP,
            [
                (*key, self._maps[key].layout.fingerprint, self._maps[key].to_bytes())
                for key in sorted(self._dirty)
            ],
        )
        self._dirty.clear()

    # -- reports ----------------------------------------------------------------
    def count(self, table: str) -> int:
        if table not in COUNTED:
            raise ValueError(table)
        (n,) = self._execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(n)
