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
