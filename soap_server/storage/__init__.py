"""The stores the core can keep its state in; the only package with SQL.

``SqliteStore`` (stdlib sqlite3, WAL, ``BEGIN IMMEDIATE`` for every write) is the embedded
default. Each backend implements ``soap_server.railway.store.Store``.
"""

from __future__ import annotations

from soap_server.storage.sqlite import SqliteStore

__all__ = ["SqliteStore"]
