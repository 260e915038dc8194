"""The PostgreSQL store: several app hosts on one database, with SQLite's guarantees.

psycopg 3 with its connection pool (``psycopg_pool.ConnectionPool``, made in each process after
gunicorn forks, never shared across a fork). Connections run in autocommit mode and every
transaction is opened here explicitly:

* ``read()``: ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY``, one snapshot for the whole
  answer, never blocking nor blocked by writers.
* ``write()``: ``BEGIN`` (READ COMMITTED). There is no global writer lock: what must not run at
  once is serialised by row locks. Book and CancelBooking first read the class's seat map
  (``seat_map``): its inventory row in ``seat_maps`` is inserted if missing (``ON CONFLICT DO
  NOTHING``) and read ``FOR UPDATE``, pipelined into one round trip, so two bookings of one
  class queue on that row lock and the second sees the first's berths and waitlist numbers
  (everything a Book reads of a class is only changed under that lock, so READ COMMITTED is
  enough); bookings of other classes go on in parallel. Rows read to be changed (a booking being
  cancelled, an agent) are read ``FOR UPDATE``; a (source, agent)'s failed logins, whose row
  may not exist yet, are counted under an advisory lock (``lock_login_attempts``). Lock order
  is always booking row, then class, so two cancellations cannot deadlock. The same primary keys and
  unique indexes as on SQLite (one occupancy row per berth, slot and leg; waitlist numbers;
  (agent, ClientReference)) are the backstop.

Failures map to the store's: a lock not had within the busy timeout (``lock_timeout``), a pool
with no free connection in time, a deadlock or serialisation failure, a lost server, and a
unique key taken by a concurrent booking (same PNR or ClientReference) are ``StoreBusy``, so the
call is answered ``Server.Busy`` and a retry with the same reference is safe. Anything else is
``StoreError``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

import psycopg
from psycopg import errors as pgerrors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolTimeout

from soap_server.railway.store import AgentSeed, Layout, SeatMap, StoreBusy, StoreError
from soap_server.storage import migrations
from soap_server.storage.queries import ClassKey, SqlTransaction

BACKEND = "postgres"
#: The key of the advisory lock that serialises schema migrations of one database.
_MIGRATION_LOCK = 0x49524354  # "IRCT"
#: SQLSTATEs after which the same call may succeed: lock timeout, deadlock, serialisation
#: failure, statement cancelled, the server shutting down or out of connections.
_RETRYABLE = {"55P03", "40P01", "40001", "57014", "57P01", "57P02", "57P03", "53300"}
#: Unique keys a concurrent booking can take first (a PNR, an agent's ClientReference).
_RACED_KEYS = {"bookings_pkey", "bookings_agent_client_reference_key"}


def redacted(url: str) -> str:
    """The URL as it may be printed: without a password."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unreadable URL)"
    user = f"{params['user']}@" if "user" in params else ""
    host = params.get("host", "")
    port = f":{params['port']}" if "port" in params else ""
    return f"postgresql://{user}{host}{port}/{params.get('dbname', '')}"


@cache
def _dialect(sql: str) -> str:
    """The shared queries' ``?`` placeholders as psycopg's ``%s`` (no query holds a ``%``)."""
    return sql.replace("?", "%s")


def _store_error(error: psycopg.Error, url: str) -> StoreError:
    state = error.sqlstate or ""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, pgerrors.UniqueViolation) and error.diag.constraint_name in _RACED_KEYS:
        return StoreBusy(f"a concurrent booking took the same key: {first}")
    if state in _RETRYABLE or state.startswith("08") or isinstance(error, psycopg.OperationalError):
        return StoreBusy(f"PostgreSQL at {redacted(url)} is busy or unreachable: {first}")
    return StoreError(f"PostgreSQL failed: {first}")


class PostgresTransaction(SqlTransaction):
    """Queries and updates on one open PostgreSQL transaction. Obtain one from the store."""

    def __init__(self, conn: psycopg.Connection[Any], writing: bool) -> None:
        super().__init__(writing)
        self._conn = conn
        self._for_update = " FOR UPDATE" if writing else ""

    def _execute(self, sql: str, args: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        return self._conn.execute(_dialect(sql), args)

    def _executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(_dialect(sql), rows)

    def _lock_seat_map(self, key: ClassKey, layout: Layout) -> None:
        """The class's inventory row, made if missing, so that ``seat_map`` can lock it.

        A class without a row holds no place (``queries``), so the new row is the layout's
        empty map. Pipelined: it travels with the ``SELECT ... FOR UPDATE`` that follows; a
        second writer of a new class waits here for the first's row, then finds it."""
        self._execute(
            "INSERT INTO seat_maps (train, origin_date, class_code, layout, legs)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (*key, layout.fingerprint, SeatMap(layout).to_bytes()),
        )

    def lock_login_attempts(self, source: str, agent: str) -> None:
        """Hold, until commit, the lock of one (source, agent)'s failed-login count: the row may
        not exist yet (an unknown agent id, a first failure), so ``FOR UPDATE`` can't be it."""
        self._conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"login:{source}:{agent}",)
        )


class PostgresStore:
    """A pool of connections to one PostgreSQL database, handing out transactions."""

    def __init__(self, url: str, busy_timeout_ms: int = 10_000, pool_size: int = 10) -> None:
        self.url = url
        self.where = redacted(url)
        self._busy_timeout_ms = busy_timeout_ms
        self._pool_size = pool_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._opening = threading.Lock()

    def _open_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        with self._opening:
            if self._pool is None:
                options = (
                    f"-c lock_timeout={int(self._busy_timeout_ms)}"
                    " -c idle_in_transaction_session_timeout=60000"
                )
                conninfo = make_conninfo(
                    self.url, options=options, application_name="irctc-core", connect_timeout=10
                )
                self._pool = ConnectionPool(
                    conninfo,
                    min_size=1,
                    max_size=self._pool_size,
                    kwargs={"autocommit": True},
                    timeout=self._busy_timeout_ms / 1000,
                    name="irctc",
                    open=True,  # explicit: psycopg_pool warns about an implicit open
                )
            return self._pool

    @contextmanager
    def _transaction(self, begin: str, writing: bool) -> Iterator[PostgresTransaction]:
        try:
            with self._open_pool().connection() as conn:
                try:
                    # Pipeline mode: statements whose results nobody reads (BEGIN, the class
                    # lock, the inserts, COMMIT) travel with the next one that is read, so a
                    # Book costs a round trip per query it decides on, not per statement.
                    with conn.pipeline():
                        conn.execute(begin)
                        tx = PostgresTransaction(conn, writing)
                        yield tx
                        if writing:
                            tx.write_back()
                        conn.execute("COMMIT")
                except psycopg.Error:
                    # The server refused a statement inside the pipeline (a lock timeout, a
                    # serialisation failure, a raced key): the statements queued behind it were
                    # skipped, among them maybe a PREPARE psycopg now believes done, and the
                    # next use of that statement would fail ("prepared statement _pg3_N does
                    # not exist"). A connection in that state is closed, never reused: the pool
                    # makes a fresh one.
                    conn.close()
                    raise
                except BaseException:
                    if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                        try:
                            conn.execute("ROLLBACK")
                        except psycopg.Error:
                            pass  # the connection is gone; the pool discards it
                    raise
        except PoolTimeout as error:
            raise StoreBusy(f"no free connection to {self.where} in time") from error
        except psycopg.Error as error:
            raise _store_error(error, self.url) from error

    def write(self) -> AbstractContextManager[PostgresTransaction]:
        """A READ COMMITTED transaction; its writers lock rows and classes (see the module)."""
        return self._transaction("BEGIN", writing=True)

    def read(self) -> AbstractContextManager[PostgresTransaction]:
        """A read-only snapshot: it never blocks writers nor waits for them."""
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing=False)

    def initialise(self, agents: Iterable[AgentSeed]) -> bool:
        """Create the schema (every migration) and seed agents in an empty database; refuse one
        at another schema version with a one-line ``SchemaMismatch``. Returns True when it
        seeded. Several hosts starting at once queue on an advisory lock; one does the work."""
        return self._upgrade(agents, only_if_empty=True)[0] is None

    def migrate(self, agents: Iterable[AgentSeed]) -> tuple[int | None, int]:
        """Apply the migrations above the database's version; (version before, after)."""
        return self._upgrade(agents, only_if_empty=False)

    def schema_version(self) -> int | None:
        with self.read() as tx:
            return _version(tx._conn)

    def _upgrade(self, agents: Iterable[AgentSeed], only_if_empty: bool) -> tuple[int | None, int]:
        with self.write() as tx:
            conn = tx._conn
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            before = _version(conn)
            if only_if_empty or (before or 0) > migrations.latest(BACKEND):
                migrations.check(self.where, before, BACKEND)
            steps = migrations.pending(BACKEND, before)
            seed = list(agents) if before is None or any(s.module for s in steps) else []
            for step in steps:
                step.apply(lambda sql, args: conn.execute(_dialect(sql), args or None), seed)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    [(step.version, step.name, now) for step in steps],
                )
                if before is None:
                    cursor.executemany(_dialect(migrations.SEED_AGENTS), seed)
            if steps:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(steps[-1].version),),
                )
        return before, migrations.latest(BACKEND)

    def healthy(self) -> bool:
        """Whether the database answers and holds this core's schema (for ``/healthz``)."""
        try:
            return self.schema_version() == migrations.latest(BACKEND)
        except StoreError:
            return False

    def tally(self) -> PostgresTally:
        """The simulation's counts kept here, shared by every app host on this database."""
        return PostgresTally(self)

    def connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled connection in autocommit mode, for single statements (the tally's)."""
        return self._open_pool().connection()

    def close(self) -> None:
        with self._opening:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def _version(conn: psycopg.Connection[Any]) -> int | None:
    row = conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if found is None else int(found[0])


class PostgresTally:
    """A simulation's counts in the database (``simulation.Tally``), one statement each.

    Draws are counted per (agent, stream) in ``sim_draws``; calls in flight per app process in
    ``sim_processes`` (the crowd is the sum over processes seen in the last minute, so a host
    killed mid-call stops counting after a minute); each agent's calls of the last minute are
    an array in ``sim_calls``, checked and appended in one upsert under that row's lock. Times
    are wall-clock seconds (``time.time``), comparable across hosts on one machine or with NTP.
    A failure here is the store's (``StoreBusy``/``StoreError``), like any other.
    """

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self.process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _one(self, sql: str, args: dict[str, object]) -> Any:
        try:
            with self._store.connection() as conn:
                return conn.execute(sql, args).fetchone()
        except PoolTimeout as error:
            raise StoreBusy(f"no free connection to {self._store.where} in time") from error
        except psycopg.Error as error:
            raise _store_error(error, self._store.url) from error

    def draw(self, agent: str, stream: str) -> int:
        (n,) = self._one(
            "INSERT INTO sim_draws (agent, stream, drawn) VALUES (%(agent)s, %(stream)s, 1)"
            " ON CONFLICT (agent, stream) DO UPDATE SET drawn = sim_draws.drawn + 1"
            " RETURNING drawn",
            {"agent": agent, "stream": stream},
        )
        return int(n)

    def enter(self) -> int:
        now = time.time()
        (crowd,) = self._one(
            "WITH me AS (INSERT INTO sim_processes (process, in_flight, seen_at)"
            " VALUES (%(process)s, 1, %(now)s) ON CONFLICT (process) DO UPDATE"
            " SET in_flight = sim_processes.in_flight + 1, seen_at = excluded.seen_at"
            " RETURNING in_flight)"
            " SELECT (SELECT in_flight FROM me) + coalesce((SELECT sum(in_flight)"
            " FROM sim_processes WHERE process <> %(process)s AND seen_at > %(now)s - 60), 0)",
            {"process": self.process, "now": now},
        )
        return int(crowd)

    def leave(self) -> None:
        self._one(
            "UPDATE sim_processes SET in_flight = greatest(in_flight - 1, 0), seen_at = %(now)s"
            " WHERE process = %(process)s RETURNING in_flight",
            {"process": self.process, "now": time.time()},
        )

    def admit(self, agent: str, limit: int, now: float) -> int | None:
        args = {"agent": agent, "limit": limit, "now": now}
        admitted = self._one(
            "INSERT INTO sim_calls (agent, calls) VALUES (%(agent)s, ARRAY[%(now)s::float8])"
            " ON CONFLICT (agent) DO UPDATE SET calls = array(SELECT c FROM"
            " unnest(sim_calls.calls) AS c WHERE c >= %(now)s - 60 ORDER BY c) || %(now)s::float8"
            " WHERE (SELECT count(*) FROM unnest(sim_calls.calls) AS c"
            " WHERE c >= %(now)s - 60) < %(limit)s"
            " RETURNING 1",
            args,
        )
        if admitted is not None:
            return None
        (first,) = self._one(
            "SELECT min(c) FROM sim_calls, unnest(calls) AS c"
            " WHERE agent = %(agent)s AND c >= %(now)s - 60",
            args,
        )
        return max(1, int(61 - (now - float(first if first is not None else now))))
