"""Both stores under test: SQLite files and databases on a throwaway PostgreSQL server.

A module runs its tests on both backends with ``pytestmark = BOTH_BACKENDS`` (or a test with
``@BOTH_BACKENDS``): the ``backend`` fixture is then "sqlite" or "postgres", and ``database``
(which the ``settings`` fixture uses) is a new SQLite file or a new PostgreSQL database.

The PostgreSQL server is started once for the whole run, when the first test needs it, from
Debian's binaries (``core_runner.postgres``: initdb in a temporary folder, 127.0.0.1 and a free
port, as the ``postgres`` user when the run is root), and stopped at the end. Each test's
database is a copy of a template made once, already migrated and seeded, so a test pays for
``CREATE DATABASE`` only. ``IRCTC_TEST_POSTGRES=postgresql://USER@HOST:PORT/postgres`` uses a
server that is already running instead (a superuser URL: the tests create databases).

Where there is no server to be had, the PostgreSQL tests fail with one line saying why, unless
``IRCTC_SKIP_POSTGRES`` gives a reason to leave them out, or the run is inside one of the
Debian roots of ``scripts/test-debian`` (``IRCTC_TEST_ROOT``) that has no PostgreSQL: the host's
run has them. The reason is printed as their skip reason in the summary.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from core_runner.postgres import PostgresUnavailable, ThrowawayPostgres
from soap_server.railway.agents import seed_rows
from soap_server.railway.secretbox import SecretBox
from soap_server.storage import open_store

BACKENDS = ("sqlite", "postgres")
BOTH_BACKENDS = pytest.mark.parametrize("backend", BACKENDS, scope="module")
TEMPLATE = "irctc_template"
_names = itertools.count(1)


class PostgresServer:
    """A server the tests may create databases on, and the template they copy."""

    def __init__(self, admin_url: str, hashing: object) -> None:
        self.admin_url = admin_url
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        store = open_store(self.url(TEMPLATE))
        try:
            from tests.conftest import TEST_SECRETS_KEY

            box = SecretBox.from_key_file(TEST_SECRETS_KEY)
            store.initialise(seed_rows(hashing, box))  # type: ignore[arg-type]
        finally:
            store.close()

    def url(self, dbname: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{dbname}"

    def create(self, template: str | None = TEMPLATE) -> str:
        """A new database (a copy of the seeded template, or empty); returns its URL."""
        name = f"irctc_test_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else " TEMPLATE template0"
            conn.execute(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rpartition("/")[2]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def skip_reason() -> str | None:
    """Why the PostgreSQL tests may be left out of this run, if they may."""
    if os.environ.get("IRCTC_SKIP_POSTGRES"):
        return os.environ["IRCTC_SKIP_POSTGRES"]
    if os.environ.get("IRCTC_TEST_ROOT"):
        return f"the Debian root {os.environ['IRCTC_TEST_ROOT']} has none; the host's run has them"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    from tests.conftest import TEST_HASHING

    given = os.environ.get("IRCTC_TEST_POSTGRES")
    if given:
        yield PostgresServer(given, TEST_HASHING)
        return
    try:
        server = ThrowawayPostgres(durable=False).start()
    except PostgresUnavailable as error:
        reason = skip_reason()
        if reason:
            pytest.skip(f"PostgreSQL tests left out: {reason} ({error})")
        pytest.fail(f"no PostgreSQL server for the tests: {error}", pytrace=False)
    try:
        yield PostgresServer(server.url(), TEST_HASHING)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def backend() -> str:
    """The store under test: SQLite unless the test is parametrised with BOTH_BACKENDS."""
    return "sqlite"


@contextmanager
def new_database(
    backend: str, folder: Path, request: pytest.FixtureRequest, seeded: bool = True
) -> Iterator[str | Path]:
    """A new store of ``backend``: a SQLite path in ``folder`` or a PostgreSQL database (a copy
    of the seeded template, or empty), dropped afterwards."""
    if backend == "sqlite":
        yield folder / ("core.sqlite3" if seeded else "empty.sqlite3")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create(TEMPLATE if seeded else None)
    try:
        yield url
    finally:
        server.drop(url)


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str | Path]:
    """A new store of the backend under test: a SQLite path or a PostgreSQL URL."""
    with new_database(backend, tmp_path, request) as where:
        yield where


@pytest.fixture
def empty_database(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str | Path]:
    """A store of the backend under test with no schema at all."""
    with new_database(backend, tmp_path, request, seeded=False) as where:
        yield where
