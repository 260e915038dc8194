"""Settings of the reservation core: one frozen object, built once and passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    #: The address published as ``soap:address`` in the WSDL, whoever asks for it.
    public_url: str = DEFAULT_PUBLIC_URL
    clock: Clock = field(default_factory=SystemClock)

    session_idle_minutes: int = 15
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    #: How agents' passwords are hashed when the database is seeded (tests use a cheap cost).
    password_hashing: Scrypt = field(default_factory=Scrypt)
    #: The nightly window during which every call gets a retryable Server fault.
    maintenance_start: time | None = time(23, 45)
    maintenance_end: time | None = time(0, 20)

    #: Demo mode (the main job): the help pages show the demo agents' passwords.
    demo_mode: bool = False

    #: The timetable: None for the bundled one, or one read by ``load_catalog(path)``.
    catalog: Catalog | None = None

    #: A simulation profile (latency, faults, lost answers, rate limits, the Tatkal rush).
    profile: Profile | None = None

    #: How long a writer waits for SQLite's lock before the call fails with Server.Busy.
    db_busy_timeout_ms: int = 10_000

    # Limits on what an incoming request may be; beyond them it is refused as a Client fault.
    max_body_bytes: int = 64 * 1024
    max_xml_depth: int = 24
    max_xml_attributes: int = 32
    max_xml_elements: int = 2_000
