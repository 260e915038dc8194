"""Schema 3 on PostgreSQL: the same change as SQLite's 0003 (session tokens as SHA-256
digests, agents' networks and sealed passwords, failed logins per (source address, agent),
WS-Security nonces), in this dialect."""

from __future__ import annotations

from soap_server.storage.migrations import Run, Seed
from soap_server.storage.migrations.steps import hash_session_tokens, register_agents

DDL = """
ALTER TABLE sessions RENAME COLUMN token TO token_hash;
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);
ALTER TABLE agents ADD COLUMN networks text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN digest_secret text COLLATE "C";
ALTER TABLE agents DROP COLUMN failed_logins;
ALTER TABLE agents DROP COLUMN locked_until;
CREATE TABLE login_attempts (
    source        text COLLATE "C" NOT NULL,
    agent         text COLLATE "C" NOT NULL,
    failures      integer NOT NULL CHECK (failures >= 0),
    window_start  text COLLATE "C" NOT NULL,
    blocked_until text COLLATE "C",
    PRIMARY KEY (source, agent)
);
CREATE TABLE nonces (
    agent      text COLLATE "C" NOT NULL,
    nonce      text COLLATE "C" NOT NULL,
    expires_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (agent, nonce)
);
CREATE INDEX nonces_by_expiry ON nonces (expires_at)
"""


def upgrade(run: Run, seed: Seed) -> None:
    for statement in DDL.split(";"):
        run(statement.strip(), ())
    hash_session_tokens(run)
    register_agents(run, seed)
