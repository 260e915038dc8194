"""Fixtures that build on each other: clock, settings, railway, app, then http, zeep, server."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client
from zeep import Client as ZeepClient
from zeep import Settings as ZeepSettings

from soap_client import WSDL_PATH
from soap_client.transports import WsgiTransport
from soap_server.railway.agents import demo_agents
from soap_server.railway.clock import IST, Clock, FixedClock
from soap_server.railway.passwords import Scrypt
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.storage import is_url
from soap_server.wsgi import CoreApp, build_railway, create_app

#: The backend fixtures (backend, database, empty_database, postgres_server); every SOAP answer
#: validated against the WSDL's schema (tests/answers.py).
pytest_plugins = ("tests.backends", "tests.answers")

#: The simulated "now" of most tests: a Thursday morning, ten days before the journey date.
NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
JOURNEY = date(2025, 11, 30)  # a Sunday
PASSWORDS = {agent.code: agent.demo_password for agent in demo_agents()}
TNS = "urn:irctc:reservation:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
#: scrypt at a cost of microseconds: seeding the demo agents at the real cost (30 ms a hash) was
#: most of what building a core cost a test. Stored hashes name their cost, so a database seeded
#: here still verifies logins in a core process started at the real cost.
TEST_HASHING = Scrypt(n=16, r=1, p=1)
#: The key that seals the demo agents' passwords in PostgreSQL test databases (a SQLite file
#: has its own beside it): the template database and every core on a copy of it share it.
TEST_SECRETS_KEY = Path(tempfile.mkdtemp(prefix="irctc-test-secrets-")) / "postgres.key"
atexit.register(shutil.rmtree, TEST_SECRETS_KEY.parent, True)


def core_settings(database: Path | str, clock: Clock | None = None, **changes: Any) -> Settings:
    """Settings of a test core: its database (a SQLite path or a PostgreSQL URL), a fixed clock
    at NOW unless given, cheap hashing."""
    where: dict[str, Any] = (
        {"db_url": database, "secrets_key_file": TEST_SECRETS_KEY}
        if is_url(database)
        else {"db_path": database}
    )
    return Settings(
        clock=clock or FixedClock(NOW), password_hashing=TEST_HASHING, **where, **changes
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(database: Path | str, clock: FixedClock) -> Settings:
    """Settings on the backend under test (SQLite unless the test asks for both)."""
    return core_settings(database, clock)


@pytest.fixture
def railway(settings: Settings) -> Iterator[Railway]:
    core = build_railway(settings)
    yield core
    core.close()


@pytest.fixture(scope="module")
def shared_core(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Railway, str]]:
    """One core at NOW for a whole module (on its backend), and an MMT session token on it.

    Only for tests that neither move the clock nor write: building a core hashes every demo
    password, so sharing one keeps a module fast.
    """
    from tests.backends import new_database

    with new_database(backend, tmp_path_factory.mktemp("shared"), request) as where:
        core = build_railway(core_settings(where))
        yield core, login_token(core)
        core.close()


@pytest.fixture
def app(settings: Settings, railway: Railway) -> CoreApp:
    return create_app(settings, railway)


@pytest.fixture
def busy_app(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[CoreApp, Path]]:
    """An app whose writers give up after 50 ms, and its database file (to lock from outside)."""
    path = tmp_path / "busy.sqlite3"
    app = create_app(core_settings(path, clock, db_busy_timeout_ms=50))
    yield app, path
    app.close()


@pytest.fixture
def http(app: CoreApp) -> Client:
    return Client(app)


def zeep_settings() -> ZeepSettings:
    return ZeepSettings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)


@pytest.fixture
def zeep_client(app: CoreApp) -> ZeepClient:
    """A zeep client built from the committed WSDL file, calling the app in-process."""
    wsdl = str(WSDL_PATH)
    return ZeepClient(wsdl, transport=WsgiTransport(app), settings=zeep_settings())  # type: ignore[no-untyped-call]


@pytest.fixture
def live_server(app: CoreApp) -> Iterator[str]:
    """The app on a real socket, 127.0.0.1 and an ephemeral port; yields the SOAP URL."""
    from tests.support import serving  # support imports this module's constants

    with serving(app) as url:
        yield url


def envelope(body: str, token: str | None = None, prefix: str = "soapenv") -> bytes:
    """A raw SOAP 1.1 request with ``body`` inside soap:Body, ``tns`` bound to the contract."""
    header = ""
    if token is not None:
        header = (
            f"<{prefix}:Header><tns:SessionHeader><tns:SessionToken>{token}"
            f"</tns:SessionToken></tns:SessionHeader></{prefix}:Header>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{prefix}:Envelope xmlns:{prefix}="{SOAP_ENV}" xmlns:tns="{TNS}">'
        f"{header}<{prefix}:Body>{body}</{prefix}:Body></{prefix}:Envelope>"
    ).encode()


def login_token(railway: Railway, agent: str = "MMT") -> str:
    return railway.login(agent, PASSWORDS[agent]).token
