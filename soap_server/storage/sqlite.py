"""The SQLite store (the embedded default): migrations, seeding, transactions.

The schema is ``migrations/sqlite/``; the queries, shared with PostgreSQL, are ``queries``.

It implements ``railway.store.Store``; sqlite3's "database is locked" becomes ``StoreBusy`` and
its other operational failures ``StoreError``, so the core never sees a sqlite3 exception.

Concurrency: the file is in WAL mode so readers never block the writer. Every write runs in a
``BEGIN IMMEDIATE`` transaction, which takes SQLite's single writer lock up front: two Book calls,
from two threads or two server processes sharing the file, are serialised there, so the second
sees the first's berths. The ``occupancy`` table's primary key (one row per berth, slot and leg
of the route) makes a berth given twice for the same stretch impossible even if the code above it
were wrong, and a partial unique index does the same for waitlist numbers. The writer lock is
also the class lock of ``seat_map``: nothing more to take.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from soap_server.railway.store import AgentSeed, StoreBusy, StoreError
from soap_server.storage import migrations
from soap_server.storage.queries import SqlTransaction

BACKEND = "sqlite"
#: A writer waiting for another process's writer tries again after this long, doubling up to
#: the second: well under the time a Book holds the lock.
_FIRST_PAUSE, _LAST_PAUSE = 0.00005, 0.001


def _store_error(error: sqlite3.OperationalError) -> StoreError:
    """sqlite3's operational failure as the store's: a lock not had in time is ``StoreBusy``."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return StoreBusy(f"the SQLite database is busy: {text}")
    return StoreError(f"SQLite failed: {text}")


class SqliteTransaction(SqlTransaction):
    """Queries and updates on one open SQLite transaction. Obtain one from ``SqliteStore``."""

    def __init__(self, conn: sqlite3.Connection, writing: bool) -> None:
        super().__init__(writing)
        self._conn = conn

    def _execute(self, sql: str, args: Sequence[object] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, args)

    def _executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        self._conn.executemany(sql, rows)

    def lock_login_attempts(self, source: str, agent: str) -> None:
        """Nothing to do: a write transaction holds SQLite's one writer lock already."""


class SqliteStore:
    """A pool of connections to one SQLite file, handing out transactions."""

    def __init__(self, path: Path | str, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # Writers' connections wait for the lock themselves (``_begin_write``): their own pool,
        # with SQLite's busy handler off once and for all.
        self._idle_writers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # This process's writers queue here (woken as soon as the lock is free) rather than
        # on SQLite's file lock, which each of them would poll.
        self._writer = threading.Lock()
        # A store dropped without close() (an app built for one request, say) still closes the
        # connections in its pool when it is collected, rather than leaving each one to the
        # garbage collector (which Python 3.13 reports as a ResourceWarning).
        weakref.finalize(self, _close_idle, self._idle)
        weakref.finalize(self, _close_idle, self._idle_writers)

    def _connect(self, writer: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_ms / 1000,
            isolation_level=None,  # we issue BEGIN ourselves
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {0 if writer else int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def _connection(self, writer: bool = False) -> Iterator[sqlite3.Connection]:
        idle = self._idle_writers if writer else self._idle
        try:
            conn = idle.get_nowait()
        except queue.Empty:
            conn = self._connect(writer)
        try:
            yield conn
        except BaseException:
            # Rolled back, the connection goes back to the pool like any other; one that cannot
            # even roll back is closed here rather than left to the garbage collector.
            try:
                if conn.in_transaction:
                    conn.rollback()
            except BaseException:
                conn.close()
                raise
            idle.put(conn)
            raise
        idle.put(conn)

    def _begin_write(self, conn: sqlite3.Connection, deadline: float) -> None:
        """``BEGIN IMMEDIATE``, waiting for another process's writer until ``deadline``.

        SQLite's own busy handler sleeps 1, 2, 5, 10, 15 ... ms between tries: a writer that
        waits for a Book (which holds the lock about a millisecond) sleeps far longer than it
        had to, and two workers on one hot class spend most of their time asleep. So the
        wait is ours (a writer's connection has SQLite's busy handler off): tries at most a
        millisecond apart, ``StoreBusy`` at the busy timeout. Once BEGIN IMMEDIATE holds the
        lock, nothing in the transaction waits for another connection (WAL: readers never
        block the writer; the checkpoint after a commit is a passive one)."""
        pause = _FIRST_PAUSE
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                left = deadline - time.monotonic()
                if not isinstance(_store_error(error), StoreBusy) or left <= 0:
                    raise
                time.sleep(min(pause, left))
                pause = min(pause * 2, _LAST_PAUSE)

    @contextmanager
    def _transaction(self, writing: bool) -> Iterator[SqliteTransaction]:
        deadline = time.monotonic() + self._busy_timeout_ms / 1000
        if writing and not self._writer.acquire(timeout=self._busy_timeout_ms / 1000):
            raise StoreBusy("the SQLite database is busy: another writer held it too long")
        try:
            with self._connection(writer=writing) as conn:
                if writing:
                    self._begin_write(conn, deadline)
                else:
                    conn.execute("BEGIN DEFERRED")
                try:
                    tx = SqliteTransaction(conn, writing)
                    yield tx
                    if writing:
                        tx.write_back()
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
        except sqlite3.OperationalError as error:
            raise _store_error(error) from error
        finally:
            if writing:
                self._writer.release()

    def write(self) -> AbstractContextManager[SqliteTransaction]:
        """A transaction holding the writer lock from its first statement (BEGIN IMMEDIATE)."""
        return self._transaction(writing=True)

    def read(self) -> AbstractContextManager[SqliteTransaction]:
        """A read transaction: a consistent snapshot that never blocks writers."""
        return _Read(self)

    def initialise(self, agents: Iterable[AgentSeed]) -> bool:
        """Create the schema (every migration) and seed agents (code, name, password hash,
        networks, sealed password) if the file is new; refuse a file at another schema version
        with a one-line ``SchemaMismatch`` (``migrate`` brings an older one up to date).

        Returns True when it seeded a new database. Safe to call from several processes at once:
        the first one to take the writer lock does the work, the others find it done.
        """
        return self._upgrade(agents, only_if_empty=True)[0] is None

    def migrate(self, agents: Iterable[AgentSeed]) -> tuple[int | None, int]:
        """Apply the migrations above the file's version (all of them, and seed, if it is new);
        returns (version before, version after)."""
        return self._upgrade(agents, only_if_empty=False)

    def schema_version(self) -> int | None:
        """The file's schema version; None for a file with no schema yet."""
        with self.read() as tx:
            return _version(tx._conn)

    def _upgrade(self, agents: Iterable[AgentSeed], only_if_empty: bool) -> tuple[int | None, int]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            if path.exists():
                os.chmod(path, 0o600)
        try:
            with self._connection() as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                # A migration may rebuild a table others refer to (SQLite can't alter a CHECK):
                # foreign keys are off while they run (a pragma a transaction can't change) and
                # checked before the commit.
                conn.execute("PRAGMA foreign_keys = OFF")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        before = _version(conn)
                        if only_if_empty or (before or 0) > migrations.latest(BACKEND):
                            migrations.check(str(self.path), before, BACKEND)
                        _apply(conn, migrations.pending(BACKEND, before), agents, before is None)
                        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(
                                f"{self.path}: the migration broke references: {broken[:3]}"
                            )
                    except BaseException:
                        conn.rollback()
                        raise
                    conn.commit()
                finally:
                    conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.OperationalError as error:
            raise _store_error(error) from error
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: {error}") from error
        return before, migrations.latest(BACKEND)

    def healthy(self) -> bool:
        """Whether the database answers and holds this core's schema (for ``/healthz``)."""
        try:
            return self.schema_version() == migrations.latest(BACKEND)
        except (sqlite3.Error, StoreError):
            return False

    def close(self) -> None:
        _close_idle(self._idle)
        _close_idle(self._idle_writers)


class _Read:
    """``SqliteStore.read()``: what ``_transaction(writing=False)`` does, without its layers of
    generators (every call opens at least one read: the session's)."""

    __slots__ = ("_store", "_conn")

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def __enter__(self) -> SqliteTransaction:
        idle = self._store._idle
        try:
            conn = idle.get_nowait()
        except queue.Empty:
            try:
                conn = self._store._connect()
            except sqlite3.OperationalError as error:
                raise _store_error(error) from error
        try:
            conn.execute("BEGIN DEFERRED")
        except sqlite3.OperationalError as error:
            idle.put(conn)
            raise _store_error(error) from error
        except BaseException:
            idle.put(conn)
            raise
        self._conn = conn
        return SqliteTransaction(conn, False)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> None:
        conn = self._conn
        try:
            if kind is None:
                conn.commit()
            elif conn.in_transaction:
                conn.rollback()
        except sqlite3.OperationalError as failed:
            # Rolled back or not, a connection that failed to end its transaction is closed.
            conn.close()
            raise _store_error(failed) from failed
        except BaseException:
            conn.close()
            raise
        self._store._idle.put(conn)
        if isinstance(error, sqlite3.OperationalError):
            raise _store_error(error) from error


def _close_idle(idle: queue.SimpleQueue[sqlite3.Connection]) -> None:
    while True:
        try:
            idle.get_nowait().close()
        except queue.Empty:
            return


def _version(conn: sqlite3.Connection) -> int | None:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else int(row[0])


def _apply(
    conn: sqlite3.Connection,
    steps: Sequence[migrations.Migration],
    agents: Iterable[AgentSeed],
    new: bool,
) -> None:
    """Run ``steps`` on the open transaction, then seed a new file and record the version."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    # The seed is hashed only when a new file or a data migration needs it.
    seed = list(agents) if new or any(step.module for step in steps) else []
    for step in steps:
        step.apply(conn.execute, seed)
    conn.executemany(  # the history table exists from version 2, which every step reaches
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        [(step.version, step.name, now) for step in steps],
    )
    if new:
        conn.executemany(migrations.SEED_AGENTS, seed)
    if steps:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(steps[-1].version),),
        )
