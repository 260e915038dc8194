"""The README's main job, end to end: a fresh core, the traced journey over HTTP, a clean stop,
and it works while port 8000 is taken."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def port_8000_taken() -> Iterator[None]:
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            squatter.bind(("127.0.0.1", 8000))
            squatter.listen()
        except OSError:
            pass  # already taken by something else: just as good for this test
        yield


def test_demo_plays_the_journey_and_stops(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    with port_8000_taken():
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "soap_server",
                "demo",
                "--folder",
                str(folder),
                "--clock",
                "offset:2025-11-20T09:00",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "== The core answers at http://127.0.0.1:" in out
    assert ":8000/" not in out
    for step in range(1, 9):
        assert f"== Step {step}:" in out
    assert "waitlist moved: GNWL 1 -> CNF/H1/" in out
    assert "Journey completed; the core has stopped" in out
    # The trace went to stderr: every envelope, with status and timing.
    assert done.stderr.count(">>> POST") >= 8 and "<<< HTTP 200" in done.stderr
    assert (folder / "core.sqlite3").exists() and (folder / "ledger-MMT.sqlite3").exists()
    assert "Traceback" not in (folder / "core.log").read_text()
