"""The load generator against a real threaded server: journeys, measurements, progress, faults
absorbed or given up on, and an audit that is clean on an honest run (even when answers are
lost) and names a ledger entry that was tampered with."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import threading
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest

import soap_server.railway
from soap_client.ledger import Ledger
from soap_client.load import (
    CORRIDORS,
    OPERATIONS,
    audit,
    ledger_files,
    main_load,
    run_load,
    take_snapshot,
)
from soap_client.trace import operation_of
from soap_server.soap.faults import WireFault, fault_envelope
from soap_server.wsgi import CoreApp
from tests.backends import BOTH_BACKENDS
from tests.support import serving

TRAINS = Path(soap_server.railway.__file__).parent / "data" / "trains.toml"


def test_corridors_are_whole_routes_of_trains_that_carry_those_classes() -> None:
    trains = {t["number"]: t for t in tomllib.loads(TRAINS.read_text("utf-8"))["trains"]}
    for corridor in CORRIDORS:
        train = trains[corridor.train]
        assert (train["stops"][0]["code"], train["stops"][-1]["code"]) == (
            corridor.source,
            corridor.destination,
        ), corridor
        assert set(corridor.classes) <= set(train["coaches"]), corridor


@BOTH_BACKENDS
def test_load_runs_journeys_measures_every_operation_and_audits_clean(
    live_server: str, tmp_path: Path
) -> None:
    out = StringIO()
    code = main_load(
        live_server,
        agents=4,
        duration=3,
        seed=7,
        ledger_dir=tmp_path,
        as_json=True,
        out=out,
        progress=None,
    )
    data = json.loads(out.getvalue())
    assert code == 0, data["audit"]
    assert data["journeys"] > 0
    assert data["throughput"]["journeys_per_s"] > 0
    assert set(data["operations"]) == set(OPERATIONS)
    for op in OPERATIONS:
        stats = data["operations"][op]
        assert stats["count"] > 0, op
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["p99_ms"] <= stats["max_ms"]
    assert data["operations"]["Login"]["count"] == 4
    assert data["operations"]["Logout"]["count"] == 4
    assert data["faults"]["gave_up"] == {}
    assert data["audit"]["clean"] is True
    assert data["audit"]["problems"] == []
    assert data["audit"]["bookings"] > 0
    assert data["audit"]["seat_counts"] > 0
    outcomes = data["outcomes"]
    assert outcomes["CNF"] + outcomes["RAC"] + outcomes["WL"] >= data["audit"]["bookings"]
    assert len(ledger_files(tmp_path)) == 4


def test_progress_line_is_redrawn_in_place_and_ends_with_a_newline(
    live_server: str, tmp_path: Path
) -> None:
    out, progress = StringIO(), StringIO()
    code = main_load(live_server, 2, 1.2, 1, tmp_path, False, out, progress)
    assert code == 0, out.getvalue()
    drawn = progress.getvalue()
    assert drawn.startswith("\r") and drawn.endswith("\n")
    lines = [line.rstrip() for line in drawn.rstrip("\n").split("\r")[1:]]
    pattern = r"\[[#.]{18}\] \d{1,3}%  \d+ journeys  \d+\.\d/s  faults \d+  retries \d+"
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert lines[-1].startswith("[##################] 100%")
    report = out.getvalue()
    assert "journeys/s" in report and "p95 ms" in report
    assert re.search(r"^audit: clean \(\d+ bookings, \d+ passengers checked", report, re.M)


@BOTH_BACKENDS
def test_audit_names_a_ledger_entry_whose_passengers_were_changed(
    live_server: str, tmp_path: Path
) -> None:
    before = take_snapshot(live_server)
    result = run_load(live_server, 2, 1.0, 3, tmp_path, before)
    assert result.meter.journeys > 0
    assert audit(live_server, tmp_path, before) == []

    ledger = tmp_path / "worker-0.sqlite3"
    with sqlite3.connect(ledger) as conn:
        pnr, reference, names = conn.execute(
            "SELECT pnr, reference, passengers FROM bookings WHERE state = 'BOOKED' LIMIT 1"
        ).fetchone()
        recorded = json.loads(names)
        tampered = ["Someone Else", *recorded[1:]]
        conn.execute(
            "UPDATE bookings SET passengers = ? WHERE reference = ?",
            (json.dumps(tampered), reference),
        )
    conn.close()

    assert audit(live_server, tmp_path, before) == [
        f"PNR {pnr} (reference {reference}): the core has passengers {recorded}"
        f" but the ledger recorded {tampered}"
    ]


def test_an_unreachable_core_is_exit_code_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = StringIO()
    code = main_load(
        f"http://127.0.0.1:{port}/soap", 2, 1, 0, tmp_path / "ledgers", False, out, None
    )
    assert code == 3
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert out.getvalue() == ""


class Chaos:
    """Between the agents and the core: refuses every 6th search as busy, forgets the session at
    the first PNR check, and loses the answer to every 4th Book after the core has made it. A
    resent call goes through (one call is never hit twice), except the first booking: its
    answer is lost four times running, so its worker gives up on it."""

    BUSY = fault_envelope(WireFault.of("Busy", "the database is busy, try again", True))

    def __init__(self, app: CoreApp) -> None:
        self.app = app
        self.seen: Counter[bytes] = Counter()
        self.hit: set[bytes] = set()
        self.first: bytes | None = None
        self.first_lost = 0
        self.forgot = False
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        operation = operation_of(body)
        token = re.search(rb"SessionToken>([^<]+)<", body)
        reference = re.search(rb"ClientReference>([^<]+)<", body)
        with self._lock:
            self.seen[operation.encode()] += 1
            nth = self.seen[operation.encode()]
            once = reference.group(1) if reference else body
            busy = operation == "SearchTrain" and nth % 6 == 0 and once not in self.hit
            lose = operation == "Book" and nth % 4 == 0 and once not in self.hit
            if busy or lose:
                self.hit.add(once)
            if reference is not None:
                self.first = self.first or reference.group(1)
                if reference.group(1) == self.first and self.first_lost < 4:
                    self.first_lost += 1
                    lose = True
            # Once, at the first PNR check: however few journeys a loaded machine lets the
            # agents make in the run, one of them meets a forgotten session.
            forget = operation == "GetPnrStatus" and token is not None and not self.forgot
            self.forgot = self.forgot or forget
        if busy:
            start_response("500 Internal Server Error", [("Content-Type", "text/xml")])
            return [self.BUSY]
        if forget:
            body = re.sub(rb"SessionToken>[^<]+<", b"SessionToken>forgotten-session-token<", body)
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        if lose:
            answer = self.app(environ, lambda status, headers, exc_info=None: None)
            b"".join(answer)  # the core did the work; its answer never comes back
            start_response("502 Bad Gateway", [("Content-Length", "0")])
            return [b""]
        return self.app(environ, start_response)


@pytest.fixture
def chaos(app: CoreApp) -> Iterator[tuple[str, Chaos]]:
    """A real server whose answers go through ``Chaos``; yields its SOAP URL."""
    middle = Chaos(app)
    with serving(middle) as url:
        yield url, middle


@BOTH_BACKENDS
def test_faults_are_retried_counted_and_a_lost_booking_is_reconciled_by_the_audit(
    chaos: tuple[str, Chaos], tmp_path: Path
) -> None:
    url, middle = chaos
    out = StringIO()
    code = main_load(url, 3, 1.5, 11, tmp_path, True, out, None)
    data = json.loads(out.getvalue())
    assert code == 0, data["audit"]
    assert data["audit"]["clean"] is True and data["audit"]["bookings"] > 0
    faults = data["faults"]
    # The first booking: four answers lost, the worker gave up; the audit's sync recovered it.
    assert faults["gave_up"] == {"HttpError": 1}
    assert middle.first_lost == 4
    assert faults["absorbed"]["Busy"] > 0
    assert faults["absorbed"]["HttpError"] >= 3
    assert faults["absorbed"]["SessionInvalid"] > 0
    assert data["retries"] >= faults["absorbed"]["Busy"] + faults["absorbed"]["HttpError"]
    assert data["relogins"] == faults["absorbed"]["SessionInvalid"]
    assert data["journeys_failed"] == 1
    entries = []
    for path in ledger_files(tmp_path):
        ledger = Ledger(path)
        entries.extend(ledger.entries())
        ledger.close()
    assert not [e for e in entries if e.state == "PENDING"]
    assert middle.first is not None
    assert [e.state for e in entries if e.reference == middle.first.decode()] == ["BOOKED"]
