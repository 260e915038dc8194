"""The core's command line: one-line errors with exit code 2, a real server that answers."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import core_process


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "soap_server", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["serve", "--port", "http"], "not a port number", id="port-not-a-number"),
        pytest.param(["serve", "--port", "70000"], "outside 0-65535", id="port-out-of-range"),
        pytest.param(["serve", "--clock", "tomorrow"], "unknown clock", id="bad-clock"),
        pytest.param(["serve", "--clock", "fixed:2025-13-01"], "not an ISO", id="bad-clock-date"),
        pytest.param(["serve", "--bogus"], "unrecognized arguments", id="unknown-flag"),
        pytest.param(["fly"], "invalid choice", id="unknown-command"),
        pytest.param(
            ["serve", "--session-idle-minutes", "0", "--port", "0"], "at least 1", id="idle-zero"
        ),
    ],
)
def test_bad_flags_are_one_line(args: list[str], needle: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert needle in lines[0]
    assert "Traceback" not in done.stderr


def test_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run("serve", "--port", str(port), "--db", str(tmp_path / "db.sqlite3"))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use: pick another with --port"
        " (0 picks a free one)"
    )


def test_unwritable_database_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    done = run("serve", "--port", "0", "--db", str(blocker / "db.sqlite3"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot open database")
    assert len(done.stderr.strip().splitlines()) == 1


def test_export_wsdl_to_stdout_and_unwritable_path(tmp_path: Path) -> None:
    done = run("export-wsdl", "-o", "-")
    assert done.returncode == 0 and done.stdout.startswith("<?xml")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run("export-wsdl", "-o", str(blocker / "out.wsdl"))
    assert done.returncode == 2 and done.stderr.startswith("error: cannot write")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with core_process(
        "--db",
        str(tmp_path / "var" / "core.sqlite3"),
        "--clock",
        "fixed:2025-11-20T09:00",
        "--public-url",
        "https://partners.example.test/soap",
    ) as (base, banner):
        yield base, banner


def test_serve_answers_and_publishes_the_configured_address(served: tuple[str, str]) -> None:
    base, banner = served
    assert "WSDL:  https://partners.example.test/soap?wsdl" in banner
    wsdl = requests.get(f"{base}/soap?wsdl", timeout=10)
    assert wsdl.status_code == 200
    assert b'location="https://partners.example.test/soap"' in wsdl.content
    health = requests.get(f"{base}/healthz", timeout=10).json()
    assert health == {"status": "ok", "maintenance": False}
