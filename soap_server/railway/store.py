"""What the core needs from its storage: the records it reads and writes, and the ``Store``.

The core never sees SQL. A backend (``soap_server/storage/``: SQLite or PostgreSQL) implements
``Store`` and ``Transaction`` below and maps its own failures to ``StoreError``: ``StoreBusy``
when a lock could not be had in time (the door answers a retryable ``Busy``), any other
``StoreError`` when the store failed (``InternalError``). Either way nothing of the failed
transaction is kept.

Every write operation runs in one ``write()`` transaction; ``read()`` is a consistent snapshot
that never blocks writers. A write that touches a class's seats or queues calls
``lock_class`` first, before reading anything it decides on, so two bookings of one class never
see the same free berth or take the same waitlist number: on SQLite every write transaction
holds the one writer lock anyway; on PostgreSQL writers of different classes run at once.
"""

from __future__ import annotations

from collections.abc import Iterable
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


PlaceKey = tuple[str, int, int]  # coach, berth, slot (0 for a whole berth, 1/2 for RAC halves)
Pool = tuple[str, str, str, str]  # train, origin_date, class_code, pool (see pools.py)
#: A demo agent to seed: code, name, password hash, networks, the password sealed (or None).
AgentSeed = tuple[str, str, str, str, str | None]


class Transaction(Protocol):
    """Queries and updates on one open transaction."""

    def lock_class(self, train: str, origin_date: str, class_code: str) -> None:
        """Hold, until this transaction ends, the lock of one class's seats and queues."""
        ...

    # -- agents and sessions
    def agent(self, code: str) -> AgentRow | None: ...
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
    def insert_passenger(self, passenger: PassengerRow) -> None: ...
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

    def mark_chart_prepared(self, train: str, origin_date: str, prepared_at: str) -> None: ...

    # -- queues
    def queue(self, pool: Pool, state: BookingState) -> list[PassengerRow]:
        """Passengers of one pool in one state (RAC or WL), in queue order."""
        ...

    def queue_position(self, pool: Pool, state: BookingState, queue_no: int) -> int: ...
    def queue_lengths(
        self, train: str, origin_date: str, class_code: str
    ) -> dict[tuple[str, str], int]:
        """(quota, state) -> number of passengers, for RAC and WL of one class."""
        ...

    def last_numbers(self, pool: Pool) -> tuple[int, int]:
        """The highest waitlist number issued and RAC queue number used in a pool."""
        ...

    # -- seats
    def occupancy(
        self, train: str, origin_date: str, class_code: str, legs: tuple[int, int] | None = None
    ) -> dict[PlaceKey, set[int]]:
        """Occupied legs per place of one class; only legs in ``[first, last)`` if given."""
        ...

    def occupy(self, passenger: PassengerRow, place: PlaceKey) -> None:
        """Hold a place for each leg of the passenger's journey."""
        ...

    def release(self, pnr: str, number: int, before_leg: int | None = None) -> None:
        """Give up a passenger's place: all of it, or only the legs before ``before_leg``."""
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
