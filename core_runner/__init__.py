"""A fresh reservation core as its own process, for the demo and the client's tools.

Neutral ground: this package imports neither ``soap_server`` nor ``soap_client``. The demo runner
(``python -m soap_server demo``) and the client's tools (``replay --fresh``, ``load --profile``)
start the core through it the way an operator would, as its own process on a free port of
127.0.0.1 with a new database: ``python -m soap_server serve``, or gunicorn with several worker
processes sharing the database. It is stopped on ``close``, and ``restart`` brings it back on
the same database with another clock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

_SERVE_URL = re.compile(r"(http://127\.0\.0\.1:\d+)/")
_GUNICORN_URL = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


class CoreNotStarted(Exception):
    """The core did not come up; the message says where its log is."""


class FreshCore:
    """A core on its own database in ``folder``; ``workers`` > 0 serves through gunicorn."""

    def __init__(
        self,
        folder: Path,
        clock: str,
        profile: Path | None = None,
        workers: int = 0,
        quiet: bool = True,
        demo: bool = False,
    ) -> None:
        self.folder = folder
        self.quiet = quiet
        self.demo = demo  # demo mode: the help pages show the demo passwords
        self.profile = profile
        self.workers = workers
        self.base = ""
        self.clock = ""
        self._process: subprocess.Popen[str] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.restart(clock, profile)

    @property
    def url(self) -> str:
        """The SOAP endpoint."""
        return f"{self.base}/soap"

    def restart(self, clock: str, profile: Path | None = None) -> None:
        """(Re)start on the same database with ``clock`` and ``profile`` (None: no profile)."""
        self.stop()
        self.profile = profile
        database, log_path = self.folder / "core.sqlite3", self.folder / "core.log"
        with log_path.open("a") as log:
            if self.workers > 0:
                gunicorn = Path(sys.executable).with_name("gunicorn")
                env = {**os.environ, "IRCTC_DB": str(database), "IRCTC_CLOCK": clock}
                if self.demo:
                    env["IRCTC_DEMO"] = "1"
                if self.profile is not None:
                    env["IRCTC_PROFILE"] = str(self.profile)
                command = [
                    str(gunicorn),
                    "-w",
                    str(self.workers),
                    "-k",
                    "soap_server.serving.BoundedThreadWorker",
                    "--threads",
                    "8",
                    "-b",
                    "127.0.0.1:0",
                    "soap_server.wsgi:from_environment()",
                ]
                self._process = subprocess.Popen(
                    command, stdout=log, stderr=subprocess.PIPE, text=True, env=env
                )
                stream, pattern = self._process.stderr, _GUNICORN_URL
            else:
                command = [
                    sys.executable,
                    "-m",
                    "soap_server",
                    "serve",
                    "--port",
                    "0",
                    "--db",
                    str(database),
                    "--clock",
                    clock,
                ]
                if self.quiet:
                    command.append("--quiet")
                if self.demo:
                    command.append("--demo")
                if self.profile is not None:
                    command += ["--profile", str(self.profile)]
                self._process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=log, text=True
                )
                stream, pattern = self._process.stdout, _SERVE_URL
        assert stream is not None
        found = None
        deadline = time.monotonic() + 60
        while found is None and time.monotonic() < deadline:
            line = stream.readline()
            if not line:
                break
            found = pattern.search(line)
        if found is None:
            self.stop()
            raise CoreNotStarted(f"the core did not start; see {log_path}")
        self.base, self.clock = found.group(1), clock
        self._wait_until_it_answers(log_path)

    def _wait_until_it_answers(self, log_path: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise CoreNotStarted(f"the core at {self.base} does not answer; see {log_path}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
