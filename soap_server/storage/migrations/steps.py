"""Data changes shared by both backends' migrations (their DDL stays in each dialect's file)."""

from __future__ import annotations

import hashlib

from soap_server.storage.migrations import Run, Seed


def hash_session_tokens(run: Run) -> None:
    """Version 3: keep SHA-256 digests of session tokens, never the tokens themselves (a copy
    of the database no longer holds live credentials). Sessions open before the migration go
    on working: the core looks a presented token up by its digest."""
    tokens = [token for (token,) in run("SELECT token_hash FROM sessions", ()).fetchall()]
    for token in tokens:
        run(
            "UPDATE sessions SET token_hash = ? WHERE token_hash = ?",
            (hashlib.sha256(token.encode()).hexdigest(), token),
        )


def register_agents(run: Run, seed: Seed) -> None:
    """Version 3: the demo agents get their registered networks and their password sealed for
    WS-Security digests (agents not in the seed keep none: they can log in, but a
    PasswordDigest for them is refused until their password is set again)."""
    for code, _, _, networks, sealed in seed:
        run(
            "UPDATE agents SET networks = ?, digest_secret = ? WHERE code = ?",
            (networks, sealed, code),
        )


def record_reserved_from(run: Run) -> None:
    """Version 4: a booking made before boarding points could change was reserved from the
    station it boards at."""
    run("UPDATE bookings SET reserved_from = source", ())


def share_out_fare_tax(run: Run) -> None:
    """Version 4: each passenger's fare tax, so that a refund under the era's rules can give it
    back. Before version 4 every passenger of a booking paid the one fare the booking's columns
    break down (base, reservation, superfast, Tatkal, tax): a passenger's tax is that fare's
    tax, in proportion to what the passenger paid (the whole of it for a full fare), rounded
    half up to the paisa."""
    total = "(b.base_fare + b.reservation_charge + b.superfast_charge + b.tatkal_charge + b.gst)"
    run(
        f"UPDATE passengers SET tax = coalesce((SELECT CASE WHEN {total} > 0"
        f" THEN (CAST(passengers.fare AS bigint) * b.gst + {total} / 2) / {total} ELSE 0 END"
        " FROM bookings AS b WHERE b.pnr = passengers.pnr), 0)",
        (),
    )
