"""Settings of the reservation core: one frozen object, built once and passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

from soap_server.railway.catalog import Catalog
from soap_server.railway.clock import Clock, SystemClock
from soap_server.railway.passwords import Scrypt
from soap_server.simulation import Profile

DEFAULT_DB_PATH = Path("var") / "irctc.sqlite3"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000/soap"


@dataclass(frozen=True)
class Settings:
    """Everything the core can be configured with. Defaults suit a local demo."""

    db_path: Path = DEFAULT_DB_PATH
    #: A ``postgresql://`` URL: the store is that PostgreSQL database instead of ``db_path``.
    db_url: str | None = None
    #: The address published as ``soap:address`` in the WSDL, whoever asks for it.
    public_url: str = DEFAULT_PUBLIC_URL
    clock: Clock = field(default_factory=SystemClock)

    session_idle_minutes: int = 15
    #: Failed logins from one address for one agent id before that address must pause
    #: (throttling by source: nobody can lock an agent out from elsewhere).
    login_failures_allowed: int = 5
    #: The window those failures are counted in, and the pause that follows.
    login_throttle_minutes: int = 15
    #: Reverse proxies in front of the core whose X-Forwarded-For is trusted (0: none; behind
    #: one nginx: 1). The client address decides the agent's registered networks and throttling.
    proxy_hops: int = 0
    #: Demo mode (the main job only): the help page shows the demo agents' passwords and
    #: ``/healthz`` adds the simulator's details. Off everywhere else.
    demo_mode: bool = False
    #: WS-Security: how old a UsernameToken's Created (or Timestamp) may be, and how far ahead
    #: of the core's clock, in seconds (WSS4J's defaults: 300 and 60).
    wsse_max_age_seconds: int = 300
    wsse_future_skew_seconds: int = 60
    #: The key that seals agents' passwords for WS-Security digests (None: ``<db>.key`` beside
    #: a SQLite file; ``var/postgres.key`` for PostgreSQL). Every app host of one database
    #: needs the same key (``IRCTC_SECRETS_KEY`` for the gunicorn factory).
    secrets_key_file: Path | None = None
    #: How agents' passwords are hashed when the database is seeded (tests use a cheap cost).
    password_hashing: Scrypt = field(default_factory=Scrypt)
    #: The nightly window during which every call gets a retryable Server fault.
    maintenance_start: time | None = time(23, 45)
    maintenance_end: time | None = time(0, 20)

    #: The timetable: None for the bundled one, or one read by ``load_catalog(path)``.
    catalog: Catalog | None = None

    #: A simulation profile (latency, faults, lost answers, rate limits, the Tatkal rush).
    profile: Profile | None = None

    #: How long a writer waits for a lock before the call fails with Server.Busy.
    db_busy_timeout_ms: int = 10_000
    #: Connections each process keeps to PostgreSQL (at least the server's threads).
    db_pool_size: int = 10

    # Limits on what an incoming request may be; beyond them it is refused as a Client fault.
    max_body_bytes: int = 64 * 1024
    max_xml_depth: int = 24
    max_xml_attributes: int = 32
    max_xml_elements: int = 2_000

    @property
    def database(self) -> str | Path:
        """Where the store is: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.db_url if self.db_url is not None else self.db_path

    def with_secrets_key_from_environment(self) -> Settings:
        """These settings with ``IRCTC_SECRETS_KEY``, if it is set, as the key file (``serve``,
        ``migrate`` and the gunicorn factory read it alike)."""
        key = os.environ.get("IRCTC_SECRETS_KEY")
        return replace(self, secrets_key_file=Path(key)) if key else self

    @property
    def secrets_key_path(self) -> Path:
        """The key file that seals agents' passwords (see ``secrets_key_file``)."""
        if self.secrets_key_file is not None:
            return self.secrets_key_file
        if self.db_url is not None:
            return DEFAULT_DB_PATH.parent / "postgres.key"
        return Path(f"{self.db_path}.key")
