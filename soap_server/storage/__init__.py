"""The stores the core can keep its state in; the only package with SQL.

``SqliteStore`` (stdlib sqlite3, WAL, ``BEGIN IMMEDIATE`` for every write) is the embedded
default; ``PostgresStore`` (psycopg 3 and its pool, ``storage.postgres``) serves several app
hosts from one database. Each implements ``soap_server.railway.store.Store``; their schemas are
the versioned migrations in ``migrations/``. ``open_store`` picks one from what ``--db`` /
``IRCTC_DB`` says: a ``postgresql://`` URL or a file path. psycopg is imported only for a URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from soap_server.storage.sqlite import SqliteStore

if TYPE_CHECKING:
    from soap_server.storage.postgres import PostgresStore

__all__ = ["SqliteStore", "describe", "is_url", "open_store"]
URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def open_store(
    target: str | Path, busy_timeout_ms: int = 10_000, pool_size: int = 10
) -> SqliteStore | PostgresStore:
    """The store at ``target``: a ``postgresql://`` URL, or the path of a SQLite file."""
    if is_url(target):
        from soap_server.storage.postgres import PostgresStore

        return PostgresStore(str(target), busy_timeout_ms, pool_size)
    return SqliteStore(Path(target), busy_timeout_ms)


def describe(target: str | Path) -> str:
    """``target`` as it may be printed and logged (a URL without its password)."""
    if is_url(target):
        from soap_server.storage.postgres import redacted

        return redacted(str(target))
    return str(target)
