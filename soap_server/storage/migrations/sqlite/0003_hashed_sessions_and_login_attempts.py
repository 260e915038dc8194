"""Schema 3 on SQLite: session tokens kept as SHA-256 digests; agents' registered networks and
sealed passwords (WS-Security digests); failed logins counted per (source address, agent) in
``login_attempts`` instead of a lock on the agent (one address can't lock an agent out for
everyone); WS-Security nonces remembered in ``nonces`` to refuse replays."""

from __future__ import annotations

from soap_server.storage.migrations import Run, Seed
from soap_server.storage.migrations.steps import hash_session_tokens, register_agents

DDL = """
ALTER TABLE sessions RENAME COLUMN token TO token_hash;
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);
ALTER TABLE agents ADD COLUMN networks TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN digest_secret TEXT;
ALTER TABLE agents DROP COLUMN failed_logins;
ALTER TABLE agents DROP COLUMN locked_until;
CREATE TABLE login_attempts (
    source        TEXT NOT NULL,
    agent         TEXT NOT NULL,
    failures      INTEGER NOT NULL CHECK (failures >= 0),
    window_start  TEXT NOT NULL,
    blocked_until TEXT,
    PRIMARY KEY (source, agent)
) WITHOUT ROWID;
CREATE TABLE nonces (
    agent      TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (agent, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces (expires_at)
"""


def upgrade(run: Run, seed: Seed) -> None:
    for statement in DDL.split(";"):
        run(statement.strip(), ())
    hash_session_tokens(run)
    register_agents(run, seed)
