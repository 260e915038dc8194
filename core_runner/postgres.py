"""A throwaway PostgreSQL server: Debian's binaries, a new cluster in a temporary folder.

For the test run, the benchmarks and ``scripts/cluster``: ``initdb`` in a fresh folder, then
``pg_ctl start`` listening on 127.0.0.1 at a free port (and on a unix socket in the folder),
trust authentication for loopback only, and ``stop`` removes everything. PostgreSQL refuses to
run as root, so as root the server runs as the ``postgres`` user that Debian's package creates
(the folder is handed to it). Nothing here knows the reservation core.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

#: What the server is started with. ``durable=False`` (tests) also turns fsync off.
_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "300",
    "shared_buffers": "128MB",
    # Durable against a crash of the core (like SQLite's WAL at synchronous=NORMAL), not of the
    # machine: the same promise on both backends, so their benchmarks compare like with like.
    "synchronous_commit": "off",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",  # a test's deliberate failures are not the server's
}


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries here, or the server would not start; one line says why."""


def binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` holding initdb and pg_ctl, if any."""
    found = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            try:
                found.append((int(folder.parent.name), folder))
            except ValueError:
                continue
    return max(found)[1] if found else None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class ThrowawayPostgres:
    """One PostgreSQL cluster of its own, until ``stop``."""

    def __init__(self, folder: Path | None = None, port: int = 0, durable: bool = True) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise PostgresUnavailable(
                "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
                " (Debian package postgresql; scripts/ensure-servers installs it)"
            )
        self._bin = bin_dir
        self._owned = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="irctc-pg-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = self.folder / "data"
        self.port = port or free_port()
        self.user = "irctc"
        self._durable = durable
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' user to run the server as"
                ) from None
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self.log = self.folder / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._run_as, *args], capture_output=True, text=True, check=False, timeout=120
        )

    def start(self) -> ThrowawayPostgres:
        """initdb (if the folder has no cluster yet), then start and wait until it accepts."""
        if not (self.data / "PG_VERSION").exists():
            done = self._run(
                str(self._bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.user,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            if done.returncode != 0:
                raise PostgresUnavailable(f"initdb failed: {_last_line(done.stderr)}")
        settings = dict(_SETTINGS, port=str(self.port), unix_socket_directories=str(self.folder))
        if not self._durable:
            settings.update(fsync="off", full_page_writes="off")
        options = " ".join(f"-c {key}={value}" for key, value in settings.items())
        done = self._run(
            str(self._bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        if done.returncode != 0:
            tail = self.log.read_text(errors="replace") if self.log.exists() else done.stderr
            raise PostgresUnavailable(f"PostgreSQL did not start: {_last_line(tail)}")
        return self

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Stop the server (fast shutdown) and, for a folder of its own, remove it."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        if self._owned:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
