"""Plain helpers shared by the test modules: reading a SOAP fault, building bookings, serving an
app on a real socket, and running the core as a real ``python -m soap_server serve`` process. No
fixtures here: those live in ``tests/conftest.py``."""

from __future__ import annotations

import itertools
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import requests
from lxml import etree
from werkzeug.wrappers import Response

from soap_client.trace import Traceable
from soap_client.transports import WsgiTransport
from soap_server.railway import inventory, queues
from soap_server.railway.booking import BookingRequest, PassengerRequest, PassengerStatus
from soap_server.railway.inventory import Place
from soap_server.railway.store import PassengerRow
from soap_server.railway.system import Railway
from soap_server.serving import make_server
from tests.conftest import JOURNEY, SOAP_ENV, TNS


class TracingWsgiTransport(Traceable, WsgiTransport):
    """The in-process WSGI transport with a trace hook, for tests of the agent."""


# -- reading a fault ----------------------------------------------------------------------------

#: An XML parser that never resolves entities, loads a DTD or touches the network.
READER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
#: SOAP 1.1's own fault codes, which have no Client/Server part and no contract code behind them.
SOAP_FAULTCODES = ("VersionMismatch", "MustUnderstand")


class Fault(NamedTuple):
    status: int
    faultcode: str  # without the envelope prefix, e.g. "Client.UnknownStation"
    code: str
    message: str
    retryable: bool


def read_fault(response: Response, status: int = 500) -> Fault:
    """The fault in ``response``, after checking it has the contract's one fault shape."""
    assert response.status_code == status, (response.status, response.data[:400])
    assert response.mimetype == "text/xml", response.content_type
    root = etree.fromstring(response.data, READER)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    bodies = root.findall(f"{{{SOAP_ENV}}}Body")
    assert len(bodies) == 1
    assert [child.tag for child in bodies[0]] == [f"{{{SOAP_ENV}}}Fault"]
    fault = bodies[0][0]
    faultcode = fault.find("faultcode")
    assert faultcode is not None and faultcode.text
    prefix, colon, local = faultcode.text.partition(":")
    assert colon and faultcode.nsmap.get(prefix) == SOAP_ENV, faultcode.text
    assert re.fullmatch(r"(Client|Server)\.[A-Z][A-Za-z]+|VersionMismatch|MustUnderstand", local), (
        local
    )
    faultstring = fault.findtext("faultstring")
    assert faultstring and faultstring.strip()
    detail = fault.find("detail")
    assert detail is not None
    reservation = detail.findall(f"{{{TNS}}}ReservationFault")
    assert len(reservation) == 1
    code = reservation[0].findtext(f"{{{TNS}}}Code")
    message = reservation[0].findtext(f"{{{TNS}}}Message")
    retryable = reservation[0].findtext(f"{{{TNS}}}Retryable")
    assert code and message and retryable in ("true", "false"), (code, message, retryable)
    if local not in SOAP_FAULTCODES:
        assert local == f"{'Server' if retryable == 'true' else 'Client'}.{code}"
    return Fault(response.status_code, local, code, message, retryable == "true")


# -- bookings made in-process -------------------------------------------------------------------

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: One counter for the whole run, so that every generated client reference is unique.
_references = itertools.count(1)


def people(
    n: int = 1, *, age: int = 30, gender: str = "M", pref: str | None = None
) -> tuple[PassengerRequest, ...]:
    return tuple(PassengerRequest(f"Traveller {LETTERS[i]}", age, gender, pref) for i in range(n))


def request(
    *,
    train: str = "12952",
    source: str = "NDLS",
    destination: str = "MMCT",
    cls: str = "2A",
    quota: str = "GN",
    passengers: tuple[PassengerRequest, ...] | None = None,
    journey: date = JOURNEY,
    reference: str | None = None,
    only_if_confirmed: bool = False,
) -> BookingRequest:
    """A booking request, one adult by default, with a fresh client reference unless given."""
    return BookingRequest(
        train=train,
        journey_date=journey,
        source=source,
        destination=destination,
        class_code=cls,
        quota=quota,
        passengers=passengers if passengers is not None else people(1),
        client_reference=reference or f"ref-{next(_references):06d}",
        only_if_confirmed=only_if_confirmed,
    )


def fill(
    railway: Railway, token: str, count: int, **kwargs: Any
) -> list[tuple[str, PassengerStatus]]:
    """Book ``count`` passengers, six at a time; (PNR, passenger) in booking order.

    ``kwargs`` go to ``request`` (train, stations, class, quota, journey)."""
    booked: list[tuple[str, PassengerStatus]] = []
    while count > 0:
        n = min(count, 6)
        view = railway.book(token, request(passengers=people(n), **kwargs))
        booked.extend((view.pnr, p) for p in view.passengers)
        count -= n
    return booked


def counts(railway: Railway) -> tuple[int, int, int]:
    """How many bookings, passengers and occupancy rows the core's database holds."""
    with railway.store.read() as tx:
        return tx.count("bookings"), tx.count("passengers"), tx.count("occupancy")


@contextmanager
def writer_lock_held(db_path: Path) -> Iterator[None]:
    """Another connection holds the database's writer lock until the block ends."""
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


# -- what the database holds, read straight from the file or the PostgreSQL database ---------------

PASSENGER_COLUMNS = ", ".join(f.name for f in fields(PassengerRow))


def database_of(railway: Railway) -> Path | str:
    """Where a core keeps its state: its SQLite file or its PostgreSQL URL."""
    store: Any = railway.store
    return store.url if hasattr(store, "url") else store.path


def rows_of(database: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one query, read on a connection of its own to a SQLite file or a URL."""
    if isinstance(database, str) and database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
    with closing(sqlite3.connect(database)) as conn:
        return list(conn.execute(sql).fetchall())


def all_passengers(database: Path | str) -> list[PassengerRow]:
    """Every passenger row, by PNR and number."""
    rows = rows_of(database, f"SELECT {PASSENGER_COLUMNS} FROM passengers ORDER BY pnr, number")
    return [PassengerRow(*row) for row in rows]


def all_occupancy(database: Path | str) -> list[tuple[str, str, str, str, int, int, int, str, int]]:
    """Every occupancy row: train, origin date, class, coach, berth, slot, leg, PNR, number."""
    return rows_of(  # type: ignore[return-value]
        database,
        "SELECT train, origin_date, class_code, coach, berth, slot, leg, pnr, number"
        " FROM occupancy",
    )


# -- the core as a process ----------------------------------------------------------------------


@contextmanager
def core_process(*args: str, lines: int = 2) -> Iterator[tuple[str, str]]:
    """``python -m soap_server serve --port 0 *args`` until the block ends.

    Yields the base URL read from the first line of the banner (``http://127.0.0.1:PORT``) and
    the first ``lines`` lines of the banner; then terminates the process and closes its pipes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "soap_server", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        banner = "".join(process.stdout.readline() for _ in range(lines))
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", banner.partition("\n")[0])
        if match is None:  # stop it first: a live process's stderr would never end
            process.terminate()
            _, errors = process.communicate(timeout=10)
            raise AssertionError((banner, errors))
        yield f"http://127.0.0.1:{match.group(1)}", banner
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def wait_until_healthy(base: str, seconds: float = 60) -> None:
    """Poll ``GET base/healthz`` until it answers 200. A refused connection (not listening yet)
    and a slow answer (ReadTimeout, on a loaded machine) are both polled again."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{base} did not answer /healthz within {seconds} s")
        time.sleep(0.1)


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """A WSGI app on a real socket, 127.0.0.1 and an ephemeral port; yields its SOAP URL."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/soap"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def berths(railway: Railway, train: str, cls: str, quota: str = "GN") -> tuple[Place, ...]:
    """The confirmed berths of a quota on the core's clock (the era's lower-berth quota)."""
    t, c = railway.catalog.trains[train], railway.catalog.classes[cls]
    return inventory.confirmed_places(
        t, c, quota, queues.lower_berths(railway.rules_in_force(), t, c)
    )


def rac_berths(railway: Railway, train: str, cls: str) -> tuple[Place, ...]:
    """The RAC half-berths of the general quota on the core's clock."""
    t, c = railway.catalog.trains[train], railway.catalog.classes[cls]
    return inventory.rac_places(t, c, "GN", queues.lower_berths(railway.rules_in_force(), t, c))
