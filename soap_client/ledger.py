"""The agent's own record of its bookings (SQLite), kept apart from the core's database.

A booking is written ``PENDING`` with its client reference and request *before* Book is sent,
and ``BOOKED`` with the core's PNR after the answer arrives (or ``FAILED`` when the core refused
it). A crash or a lost answer in between leaves a ``PENDING`` entry, which ``TravelAgent.sync``
reconciles by resending the same request with the same reference: the core either returns the
booking it already made or makes it now, never twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soap_client.models import Booking

SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    reference    TEXT PRIMARY KEY,
    agent        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('PENDING', 'BOOKED', 'FAILED')),
    request      TEXT NOT NULL,
    pnr          TEXT UNIQUE,
    train        TEXT NOT NULL,
    journey_date TEXT NOT NULL,
    source       TEXT NOT NULL,
    destination  TEXT NOT NULL,
    class_code   TEXT NOT NULL,
    quota        TEXT NOT NULL,
    passengers   TEXT NOT NULL,
    total_fare   TEXT,
    total_refund TEXT,
    statuses     TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK ((state = 'BOOKED') = (pnr IS NOT NULL))
)
"""


@dataclass(frozen=True)
class LedgerEntry:
    reference: str
    agent: str
    state: str
    request: dict[str, Any]
    pnr: str | None
    train: str
    journey_date: str
    source: str
    destination: str
    travel_class: str  # the column is class_code; the name is the one bookings use
    quota: str
    passengers: list[str]
    total_fare: str | None
    total_refund: str | None
    statuses: list[str]
    last_error: str | None
    created_at: str
    updated_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """One SQLite file; safe to share between threads (one short transaction per call)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=10
        )
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute(SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.rollback()
            raise
        self._conn.commit()

    def record_pending(self, reference: str, agent: str, request: dict[str, Any]) -> None:
        """Before Book goes out. A retry of a known reference keeps its first entry."""
        now = _now()
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO bookings (reference, agent, state, request, train,"
                " journey_date, source, destination, class_code, quota, passengers, created_at,"
                " updated_at) VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    reference,
                    agent,
                    json.dumps(request, sort_keys=True),
                    request["TrainNumber"],
                    request["JourneyDate"],
                    request["From"],
                    request["To"],
                    request["Class"],
                    request.get("Quota") or "GN",
                    json.dumps([p["Name"] for p in request["Passengers"]["Passenger"]]),
                    now,
                    now,
                ),
            )

    def record_booking(self, booking: Booking) -> None:
        """After an answer: the PNR and the last known statuses (also used by sync)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE bookings SET state = 'BOOKED', pnr = ?, total_fare = ?, total_refund = ?,"
                " statuses = ?, last_error = NULL, updated_at = ? WHERE reference = ?",
                (
                    booking.pnr,
                    str(booking.total_fare),
                    str(booking.total_refund),
                    json.dumps([p.current_status for p in booking.passengers]),
                    _now(),
                    booking.reference,
                ),
            )

    def record_failure(self, reference: str, error: str, final: bool) -> None:
        """The core refused (``final``: FAILED) or no answer came (stays PENDING)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE bookings SET state = CASE WHEN ? THEN 'FAILED' ELSE state END,"
                " last_error = ?, updated_at = ? WHERE reference = ? AND state != 'BOOKED'",
                (final, error, _now(), reference),
            )

    def entries(self, state: str | None = None) -> list[LedgerEntry]:
        sql = "SELECT * FROM bookings"
        args: tuple[str, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            args = (state,)
        cursor = self._conn.execute(sql + " ORDER BY created_at, reference", args)
        columns = [c[0] for c in cursor.description]
        return [self._entry(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]

    def get(self, reference: str) -> LedgerEntry | None:
        found = [e for e in self.entries() if e.reference == reference]
        return found[0] if found else None

    @staticmethod
    def _entry(row: dict[str, Any]) -> LedgerEntry:
        row["travel_class"] = row.pop("class_code")
        row["request"] = json.loads(row["request"])
        row["passengers"] = json.loads(row["passengers"])
        row["statuses"] = json.loads(row["statuses"]) if row["statuses"] else []
        return LedgerEntry(**row)
