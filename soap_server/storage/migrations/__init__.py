"""Versioned schema migrations, one folder per backend: ``sqlite/`` and ``postgres/``.

A migration is a file ``NNNN_name.sql`` (statements separated by ``;``, run in order) or
``NNNN_name.py`` (a module with ``upgrade(run, seed)``, for changes that transform data:
``run(sql, args)`` executes one statement (``?`` placeholders) on the open transaction and
returns its cursor, ``seed`` is the demo agents' rows as ``railway.store.AgentSeed``). Code
shared by both backends' versions of one step lives in ``steps.py``. Both backends have the same
version numbers, each in its own dialect. A store applies the ones above its version in one
transaction and records each in ``schema_migrations`` (from version 2 on) and the version in
``meta``. Version 1 is the schema of the first release, frozen: databases made before migrations
existed are at version 1.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from soap_server.railway.store import AgentSeed, StoreError

Run = Callable[[str, Sequence[object]], Any]
Seed = Iterable[AgentSeed]
#: How a new database is seeded with the demo agents (every column of the latest ``agents``).
SEED_AGENTS = (
    "INSERT INTO agents (code, name, password_hash, networks, digest_secret) VALUES (?, ?, ?, ?, ?)"
)
BACKENDS = ("sqlite", "postgres")
_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.(sql|py)")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    backend: str
    sql: str | None = None
    module: str | None = None

    def statements(self) -> list[str]:
        """The SQL file's statements, in order (a file has no ``;`` inside a statement)."""
        assert self.sql is not None
        return [s.strip() for s in self.sql.split(";") if s.strip()]

    def apply(self, run: Run, seed: Seed) -> None:
        if self.module is not None:
            importlib.import_module(self.module).upgrade(run, seed)
            return
        for statement in self.statements():
            run(statement, ())


@cache
def migrations(backend: str) -> tuple[Migration, ...]:
    """The backend's migrations in version order, checked to run 1, 2, 3 ... without a gap."""
    folder = resources.files(__name__) / backend
    found = []
    for entry in folder.iterdir():
        match = _NAME.fullmatch(entry.name)
        if match is None:
            continue
        version, name, kind = int(match[1]), match[2], match[3]
        if kind == "sql":
            found.append(Migration(version, name, backend, sql=entry.read_text("utf-8")))
        else:
            module = f"{__name__}.{backend}.{entry.name[:-3]}"
            found.append(Migration(version, name, backend, module=module))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"{backend} migrations are not numbered 1..n: {versions}")
    return tuple(found)


def latest(backend: str) -> int:
    return migrations(backend)[-1].version


def pending(backend: str, current: int | None) -> tuple[Migration, ...]:
    """What brings a database at ``current`` (None: empty) to the latest version."""
    return tuple(m for m in migrations(backend) if m.version > (current or 0))


class SchemaMismatch(StoreError):
    """A database this code can't serve as it is; the message is one line for the user."""


def check(where: str, current: int | None, backend: str) -> None:
    """Refuse a database at another version than this code's (an empty one is fine)."""
    want = latest(backend)
    if current is None or current == want:
        return
    if current > want:
        raise SchemaMismatch(
            f"{where} has schema version {current}, newer than this code's {want}:"
            " run a newer release"
        )
    raise SchemaMismatch(
        f"{where} has schema version {current}, this code needs {want}:"
        f" run python -m soap_server migrate --db {where}"
    )
