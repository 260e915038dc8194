"""Multi-process serving through gunicorn (2 workers x 4 threads) on one database (a SQLite file
or PostgreSQL): the same 50-call rush as test_concurrency, and the configuration read from the
environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from lxml import etree

from soap_server.wsgi import build_railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import NOW, PASSWORDS, TNS, core_settings, envelope
from tests.integration.test_concurrency import (
    CALLS,
    CLASS,
    LEAVE,
    TRAIN,
    audit,
    check_rush,
    fill_leaving,
    post_book,
)
from tests.support import rac_berths, wait_until_healthy

GUNICORN = Path(sys.executable).with_name("gunicorn")


@contextmanager
def gunicorn(db_path: Path | str, **env: str) -> Iterator[tuple[str, set[str]]]:
    """gunicorn on an ephemeral port; yields its URL and the pids of the workers it booted."""
    environment = {
        **os.environ,
        "IRCTC_DB": str(db_path),
        "IRCTC_CLOCK": f"fixed:{NOW.isoformat()}",
        **env,
    }
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            "2",
            "-k",
            "soap_server.serving.BoundedThreadWorker",
            "--threads",
            "4",
            "-b",
            "127.0.0.1:0",
            "--chdir",
            str(Path(__file__).resolve().parents[2]),
            "--graceful-timeout",
            "5",
            "soap_server.wsgi:from_environment()",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        url = None
        workers: set[str] = set()
        deadline = time.monotonic() + 60
        while (url is None or len(workers) < 2) and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else url
            booted = re.search(r"Booting worker with pid: (\d+)", line)
            if booted:
                workers.add(booted.group(1))
        assert url and len(workers) == 2, "gunicorn did not start its two workers"
        wait_until_healthy(url)  # both workers answer once one does
        yield url, workers
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


@BOTH_BACKENDS
def test_rush_through_gunicorn_workers(database: Path | str) -> None:
    db_path = database
    railway = build_railway(core_settings(db_path))
    capacity = fill_leaving(railway, LEAVE)
    rac = len(rac_berths(railway, TRAIN, CLASS))
    railway.close()
    with gunicorn(db_path) as (url, workers):
        login = envelope(
            f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{PASSWORDS['MMT']}"
            "</tns:Password></tns:Login>"
        )
        answer = requests.post(
            f"{url}/soap", data=login, headers={"Content-Type": "text/xml"}, timeout=30
        )
        token = etree.fromstring(answer.content).findtext(f".//{{{TNS}}}SessionToken")
        assert token
        with ThreadPoolExecutor(max_workers=16) as pool:
            outcomes = list(
                pool.map(lambda i: post_book(f"{url}/soap", token, f"gu-{i}"), range(CALLS))
            )
    check_rush(outcomes, audit(db_path), capacity, rac)


def test_profile_from_the_environment(tmp_path: Path) -> None:
    profile = Path(__file__).resolve().parents[2] / "profiles" / "flaky.toml"
    with gunicorn(tmp_path / "core.sqlite3", IRCTC_PROFILE=str(profile)) as (url, _):
        login = envelope(
            f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{PASSWORDS['MMT']}"
            "</tns:Password></tns:Login>"
        )
        answer = requests.post(
            f"{url}/soap", data=login, headers={"Content-Type": "text/xml"}, timeout=30
        )
        health = requests.get(f"{url}/healthz", timeout=10).json()
    # flaky.toml's 5-minute sessions, read from the environment by every worker; /healthz
    # says only what a load balancer needs.
    idle = etree.fromstring(answer.content).findtext(f".//{{{TNS}}}IdleTimeoutMinutes")
    assert idle == "5", answer.content[:400]
    assert health == {"status": "ok", "maintenance": False}


def test_load_in_the_tatkal_rush_on_gunicorn_workers(tmp_path: Path) -> None:
    """The rush profile, two gunicorn workers, simulated time crossing 10:00: faults are
    absorbed by the agents' retries and the audit through the API is clean."""
    from io import StringIO

    from soap_client.__main__ import main

    profile = Path(__file__).resolve().parents[2] / "profiles" / "rush.toml"
    out = StringIO()
    code = main(
        [
            "--json",
            "load",
            "--agents",
            "4",
            "--duration",
            "4",
            "--seed",
            "5",
            "--profile",
            str(profile),
            "--workers",
            "2",
            "--clock",
            "offset:2025-11-29T09:59:59",
            "--ledgers",
            str(tmp_path / "load"),
        ],
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert code == 0, report["audit"]
    bookings = report["audit"]["bookings"]
    assert report["audit"]["clean"]
    assert 0 < bookings <= report["journeys"] + report["journeys_failed"]
    assert report["journeys"] > 10
    assert sum(report["faults"]["absorbed"].values()) > 0  # the rush did inject faults
    assert report["retries"] >= sum(report["faults"]["absorbed"].values())
    assert (tmp_path / "load" / "core" / "core.sqlite3").exists()


def test_tatkal_rush_agents_are_barred_until_10_30_then_book(tmp_path: Path) -> None:
    """The rush profile's agents book Tatkal as simulated time crosses 10:30: under the rules in
    force (agents barred for the first 30 minutes of the AC Tatkal opening since 2015) every
    booking before 10:30 is refused with AgentBarred, and the same agents book after it."""
    from io import StringIO

    from soap_client.__main__ import main

    profile = Path(__file__).resolve().parents[2] / "profiles" / "rush.toml"
    out = StringIO()
    code = main(
        [
            "--json",
            "load",
            "--tatkal",
            "--agents",
            "3",
            "--duration",
            "12",
            "--seed",
            "3",
            "--profile",
            str(profile),
            "--clock",
            "offset:2025-11-29T10:29:50",
            "--ledgers",
            str(tmp_path / "load"),
        ],
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert code == 0, report["audit"]
    assert report["quota"] == "TQ" and report["audit"]["clean"]
    outcomes, opening = report["outcomes"], report["opening"]
    assert outcomes["AgentBarred"] > 0 and outcomes["CNF"] > 0
    assert opening["last_agent_barred_s"] < opening["first_booking_s"]
    assert report["faults"]["gave_up"] == {}
