"""What the core needs from its storage: the records it reads and writes, and the ``Store``.

The core never sees SQL. A backend (``soap_server/storage/``: SQLite or PostgreSQL) implements
``Store`` and ``Transaction`` below and maps its own failures to ``StoreError``: ``StoreBusy``
when a lock could not be had in time (the door answers a retryable ``Busy``), any other
``StoreError`` when the store failed (``InternalError``). Either way nothing of the failed
transaction is kept.

Every write operation runs in one ``write()`` transaction; ``read()`` is a consistent snapshot
that never blocks writers.

Seats: a ``SeatMap`` per train-day and class says which places are held on each leg, one bit
per place of the class's ``Layout``; counting and finding free places are a few integer
operations however full the class is (``inventory``). The store keeps it in one row per class
(the *inventory row*) beside the occupancy rows (one per place and leg: the constraint that a
place is never held twice on one leg, and the truth a map is rebuilt from when its layout
changed), and keeps the two in step in the same transaction: ``occupy`` and ``release`` update
the map the transaction handed out, which is written back once at commit. Nothing is cached
across transactions, so another process's commits are always seen.

The class lock: in a write transaction, ``seat_map`` also locks the class, and a write that
touches a class's seats or queues calls it first, before reading anything it decides on, so
two bookings of one class never see the same free berth or take the same waitlist number. On
SQLite every write transaction holds the one writer lock anyway; on PostgreSQL it is a row
lock on the class's inventory row, and writers of different classes run at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from soap_server.railway.codes import BookingState


class StoreError(Exception):
    """The store failed; nothing of the failed transaction was kept."""


class StoreBusy(StoreError):
    """The store's lock could not be had in time; the same call may succeed later."""


@dataclass(frozen=True)
class AgentRow:
    code: str
    name: str
    password_hash: str
    networks: str  # CIDRs separated by spaces
    digest_secret: str | None  # the password sealed by a SecretBox, for WS-Security digests


@dataclass(frozen=True)
class LoginAttemptsRow:
    source: str
    agent: str
    failures: int
    window_start: str
    blocked_until: str | None


@dataclass(frozen=True)
class SessionRow:
    token_hash: str
    agent: str
    created_at: str
    last_seen_at: str
    ended_at: str | None


@dataclass(frozen=True)
class BookingRow:
    pnr: str
    agent: str
    client_reference: str
    request_digest: str
    train: str
    origin_date: str
    journey_date: str
    source: str
    destination: str
    from_index: int
    to_index: int
    class_code: str
    quota: str
    booked_at: str
    base_fare: int
    reservation_charge: int
    superfast_charge: int
    tatkal_charge: int
    gst: int
    reserved_from: str = ""  # the station the fare was paid from (before boarding changes)
    boarding_changes: int = 0
    boarding_changed_at: str | None = None  # when the boarding point was last changed (IST)


@dataclass(frozen=True)
class PassengerRow:
    pnr: str
    number: int
    name: str
    age: int
    gender: str
    berth_preference: str | None
    booking_status: str
    state: BookingState
    coach: str | None
    berth: int | None
    slot: int | None
    berth_type: str | None
    wl_no: int | None
    queue_no: int | None
    fare: int
    refund: int | None
    cancelled_at: str | None
    train: str
    origin_date: str
    class_code: str
    quota: str  # the waitlist pool: GN, RL, PQ, RS in the general quota; TQ, LD, SS
    from_index: int
    to_index: int
    berth_option: str | None = None  # NOSB: a child without a berth; INFANT
    tax: int = 0  # the fare tax (service tax, GST) included in ``fare``


@dataclass
class QueueCounts:
    """A pool's queues: how many wait in RAC and on the waitlist, and the last numbers used."""

    rac_waiting: int
    waiting: int
    last_rac: int
    last_wl: int


PlaceKey = tuple[str, int, int]  # coach, berth, slot (0 for a whole berth, 1/2 for RAC halves)
Pool = tuple[str, str, str, str]  # train, origin_date, class_code, pool (see pools.py)
#: A demo agent to seed: code, name, password hash, networks, the password sealed (or None).
AgentSeed = tuple[str, str, str, str, str | None]


class Layout:
    """The places of one class of one train in a fixed order: place ``i`` is bit ``i`` of a map.

    ``fingerprint`` names the order (a catalogue that changes a train's coaches changes it), so
    a stored map of another layout is known to be stale."""

    __slots__ = ("keys", "legs", "fingerprint", "index", "width")

    def __init__(self, keys: tuple[PlaceKey, ...], legs: int) -> None:
        self.keys = keys
        self.legs = legs
        self.index = {key: i for i, key in enumerate(keys)}
        self.width = (len(keys) + 7) // 8  # bytes per leg when stored
        text = ";".join(f"{c},{b},{s}" for c, b, s in keys)
        self.fingerprint = (
            f"{len(keys)}x{legs}:{hashlib.blake2b(text.encode(), digest_size=8).hexdigest()}"
        )


class SeatMap:
    """Which places of one class of one train-day are held on each leg of the route.

    ``legs[leg]`` is an integer whose bit ``i`` is set when place ``i`` of ``layout`` is held on
    that leg. Obtain one from ``Transaction.seat_map``; change it only through
    ``Transaction.occupy``/``release`` (and ``hold`` for places chosen but not yet written)."""

    __slots__ = ("layout", "legs")

    def __init__(self, layout: Layout, legs: list[int] | None = None) -> None:
        self.layout = layout
        self.legs = legs if legs is not None else [0] * layout.legs

    def held(self, first: int, last: int) -> int:
        """The places held on any leg in ``[first, last)``."""
        legs = self.legs
        if last - first == 1:
            return legs[first]
        held = 0
        for leg in range(first, last):
            held |= legs[leg]
        return held

    def hold(self, index: int, first: int, last: int) -> None:
        bit = 1 << index
        legs = self.legs
        for leg in range(first, last):
            legs[leg] |= bit

    def free(self, index: int, first: int, last: int) -> None:
        keep = ~(1 << index)
        legs = self.legs
        for leg in range(first, last):
            legs[leg] &= keep

    def to_bytes(self) -> bytes:
        width = self.layout.width
        return b"".join(leg.to_bytes(width, "little") for leg in self.legs)

    @classmethod
    def from_bytes(cls, layout: Layout, data: bytes) -> SeatMap:
        width = layout.width
        return cls(
            layout,
            [
                int.from_bytes(data[i * width : (i + 1) * width], "little")
                for i in range(layout.legs)
            ],
        )


class Transaction(Protocol):
    """Queries and updates on one open transaction."""

    # -- agents and sessions
    def agent(self, code: str) -> AgentRow | None: ...
    def lock_login_attempts(self, source: str, agent: str) -> None:
        """Hold, until this transaction ends, the lock of one (source, agent)'s count of failed
        logins, taken before reading it (two hosts counting at once must not lose one)."""
        ...

    def login_attempts(self, source: str, agent: str) -> LoginAttemptsRow | None: ...
    def set_login_attempts(
        self, source: str, agent: str, failures: int, window_start: str, blocked_until: str | None
    ) -> None: ...
    def clear_login_attempts(self, source: str, agent: str) -> None: ...
    def purge_login_attempts(self, window_before: str, now: str) -> None:
        """Forget counts whose window has passed and whose pause (if any) is over."""
        ...

    def insert_session(self, token_hash: str, agent: str, now: str) -> None: ...
    def session(self, token_hash: str) -> SessionRow | None: ...
    def touch_session(self, token_hash: str, now: str) -> None: ...
    def end_session(self, token_hash: str, now: str) -> None: ...
    def purge_sessions(self, idle_before: str, ended_before: str) -> None:
        """Delete sessions idle since before ``idle_before`` or ended before ``ended_before``."""
        ...

    def remember_nonce(self, agent: str, nonce: str, expires_at: str, now: str) -> bool:
        """Record a WS-Security nonce; False if the agent already used it (a replay)."""
        ...

    # -- bookings and passengers
    def booking(self, pnr: str) -> BookingRow | None: ...
    def booking_by_reference(self, agent: str, client_reference: str) -> BookingRow | None: ...
    def pnr_taken(self, pnr: str) -> bool: ...
    def insert_booking(self, booking: BookingRow) -> None: ...
    def passengers(self, pnr: str) -> list[PassengerRow]: ...
    def insert_passengers(self, passengers: Sequence[PassengerRow]) -> None: ...
    def update_passenger(self, passenger: PassengerRow) -> None:
        """Write back a passenger's state, place, queue number, refund, cancellation time and
        boarding stop."""
        ...

    def update_boarding(self, booking: BookingRow) -> None:
        """Write back a booking's boarding station, stop, journey date and change count."""
        ...

    def train_bookings(self, train: str, origin_date: str) -> list[BookingRow]:
        """Every booking on one train leaving its origin on one day, oldest first."""
        ...

    # -- charts
    def chart_prepared(self, train: str, origin_date: str) -> str | None:
        """When the chart of a train-day was prepared (ISO time), if it was."""
        ...

    def charts_prepared(self, days: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Which of the train-days (train, origin date) have their chart prepared, and when
        (ISO time), read at once."""
        ...

    def charts_and_seat_maps(
        self,
        days: Sequence[tuple[str, str]],
        classes: Sequence[tuple[tuple[str, str, str], Layout]],
    ) -> tuple[dict[tuple[str, str], str], list[SeatMap]]:
        """``charts_prepared(days)`` and ``seat_maps(classes)`` together: a search's reads, at
        once in a read transaction."""
        ...

    def mark_chart_prepared(self, train: str, origin_date: str, prepared_at: str) -> None: ...

    # -- queues
    def queue(self, pool: Pool, state: BookingState) -> list[PassengerRow]:
        """Passengers of one pool in one state (RAC or WL), in queue order."""
        ...

    def queue_position(self, pool: Pool, state: BookingState, queue_no: int) -> int: ...
    def queue_counts(self, pool: Pool) -> QueueCounts:
        """How many wait in a pool's RAC and waitlist queues, and its last numbers, read from
        indexes (a cost bounded by the queue's length, not by how full the class is)."""
        ...

    def last_numbers(self, pool: Pool) -> tuple[int, int]:
        """The highest waitlist number issued and RAC queue number used in a pool."""
        ...

    # -- seats
    def seat_map(self, train: str, origin_date: str, class_code: str, layout: Layout) -> SeatMap:
        """The places held per leg of one class of one train-day, read fresh.

        In a write transaction this also locks the class until commit (SQLite: the writer lock
        of ``BEGIN IMMEDIATE`` already does; PostgreSQL: ``SELECT ... FOR UPDATE`` on the
        class's inventory row): Book and Cancel call it first, before reading the class's
        queues, numbers or a booking's reference, so everything they read of the class is
        only changed under the same lock. The same object is handed out again within the
        transaction, and ``occupy``/``release`` keep it in step."""
        ...

    def seat_maps(self, classes: Sequence[tuple[tuple[str, str, str], Layout]]) -> list[SeatMap]:
        """``seat_map`` of several classes ((train, origin date, class code), layout), in the
        order asked: read at once in a read transaction; in a write transaction each one is
        read and locked in the order given."""
        ...

    def occupy(self, passenger: PassengerRow, place: PlaceKey) -> None:
        """Hold a place for each leg of the passenger's journey (rows and seat map)."""
        ...

    def occupy_all(self, held: Sequence[tuple[PassengerRow, PlaceKey]]) -> None:
        """``occupy`` for several passengers at once (one statement)."""
        ...

    def release(self, pnr: str, number: int, before_leg: int | None = None) -> None:
        """Give up a passenger's place: all of it, or only the legs before ``before_leg``
        (rows and seat map)."""
        ...

    # -- reports
    def count(self, table: str) -> int:
        """How many agents, sessions, bookings, passengers, occupancy rows or charts there are."""
        ...


class Store(Protocol):
    """Where the core keeps agents, sessions, bookings and seats."""

    def read(self) -> AbstractContextManager[Transaction]:
        """A consistent snapshot that never blocks writers."""
        ...

    def write(self) -> AbstractContextManager[Transaction]:
        """A transaction holding the store's writer lock from its first statement."""
        ...

    def initialise(self, agents: Iterable[AgentSeed]) -> bool:
        """Create the schema and seed agents (code, name, password hash, networks, sealed
        password) in a new store; a store at another schema version is a one-line
        ``StoreError`` naming ``migrate``.

        Returns True when it seeded. Safe to call from several processes at once."""
        ...

    def healthy(self) -> bool:
        """Whether the store answers and holds this core's schema (for ``/healthz``)."""
        ...

    def migrate(self, agents: Iterable[AgentSeed]) -> tuple[int | None, int]:
        """Bring the schema up to this code's version; (version before or None, after)."""
        ...

    def close(self) -> None: ...
