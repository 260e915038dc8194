"""A cluster on one machine: PostgreSQL, N app hosts (gunicorn), nginx in front.

``python -m core_runner.cluster up --hosts 3`` (``scripts/cluster up``) starts, in its folder
(``var/cluster`` by default, emptied first):

* PostgreSQL from Debian's binaries (``core_runner.postgres``), durable like the SQLite default
  (``synchronous_commit=off``), on 127.0.0.1 and a free port; the core's schema is made with
  ``python -m soap_server migrate``.
* N app hosts, each gunicorn (``--workers`` processes of 8 threads) on an address of its own in
  the loopback range (127.0.2.1, 127.0.2.2, ...: on Linux all of 127.0.0.0/8 is loopback),
  a port free when it starts (two clusters on one machine never meet), with ``IRCTC_DB`` the
  PostgreSQL URL and ``IRCTC_PUBLIC_URL`` the balancer's.
* nginx on 127.0.0.1:``--port``: it buffers each request whole before it reaches a host (a slow
  client costs nginx a connection, not a gunicorn thread), times out slow clients (10 s for
  headers and body) and slow hosts, passes a request on to the next host only when the
  connection to one failed before anything was sent (a POST that reached a host is never resent
  by nginx: the agent retries with its ClientReference), and keeps connections to the hosts
  alive.
* A watcher that asks every host's ``GET /healthz`` each second and takes a host out of nginx's
  upstream (``down``, then a reload) after two failed checks, and back in when it answers
  again: open-source nginx has only passive checks, so this is the active one.

Everything started is recorded in ``cluster.json`` (process ids with what each one is);
``down`` stops exactly those processes (after checking that each pid is still what was started)
and nothing else. The folder keeps the logs. Nothing here imports the core: it is run as
processes, the way an operator would.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import requests

from core_runner.postgres import PostgresUnavailable, ThrowawayPostgres, free_port

NGINX = "/usr/sbin/nginx"
HOST_PORT = 8000
#: How long nginx keeps an idle connection to a host, and (longer) how long a host keeps one.
UPSTREAM_IDLE_S = 4
HOST_KEEPALIVE_S = 15
STATE = "cluster.json"


#: The processes this process started and ``down`` has not yet reaped (a Popen dropped while
#: its process runs on would warn; in a CLI run they outlive this process anyway).
_children: dict[int, subprocess.Popen[bytes]] = {}


class ClusterError(Exception):
    """A cluster that can't be started or stopped; one line for the user."""


@dataclass(frozen=True)
class Host:
    name: str
    address: str
    pid: int
    log: str
    port: int = HOST_PORT

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"


def _free_port(address: str) -> int:
    """A port free on ``address`` now: two clusters on one machine (two checkouts, two test
    runs) must not find each other's hosts answering on the addresses they chose."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def _state(folder: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / STATE).read_text()))
    except (OSError, ValueError):
        return {}


def _save(folder: Path, state: dict[str, Any]) -> None:
    (folder / STATE).write_text(json.dumps(state, indent=2) + "\n")


def alive(pid: int, marker: str) -> bool:
    """Whether ``pid`` still runs a command containing ``marker`` (not a reused pid)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return marker in command


def _upstream(hosts: Sequence[Host], down: set[str]) -> str:
    lines = ["upstream core {"]
    for host in hosts:
        mark = " down" if host.name in down else ""
        # max_fails=0: no passive marking. A host that dropped a connection may be alive (the
        # simulation loses answers on purpose), and with max_fails=1 two lost answers inside
        # fail_timeout took both survivors out: 502 for everyone. Dead hosts are taken out by
        # the watcher's /healthz checks; meanwhile a refused connection is retried elsewhere.
        lines.append(f"    server {host.address}:{host.port} max_fails=0{mark};")
    # nginx must drop an idle upstream connection before the host does (gunicorn's
    # --keep-alive, below): else it may send a request on a connection the host is closing,
    # get "upstream prematurely closed", and (a POST is not retried) answer 502.
    lines += ["    keepalive 32;", f"    keepalive_timeout {UPSTREAM_IDLE_S}s;", "}"]
    return "\n".join(lines) + "\n"


def _nginx_conf(folder: Path, port: int) -> str:
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    temp = folder / "nginx"
    return f"""# Written by scripts/cluster up: the balancer in front of the app hosts.
{user}worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # The core refuses bodies over 64 KiB itself, with a fault in each era's shape.
    client_max_body_size 1m;
    client_body_buffer_size 128k;
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 30s;
    keepalive_timeout 30s;
    include {folder}/upstream.conf;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://core;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_connect_timeout 2s;
            proxy_send_timeout 30s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 3;
        }}
    }}
}}
"""


def _wait_healthy(base: str, seconds: float, log: str, pid: int | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        child = _children.get(pid) if pid is not None else None
        if child is not None and child.poll() is not None:
            raise ClusterError(f"{base} exited with code {child.returncode}; see {log}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise ClusterError(f"{base} did not answer /healthz within {seconds:.0f} s; see {log}")


def up(
    folder: Path,
    hosts: int,
    port: int,
    workers: int = 2,
    profile: Path | None = None,
    clock: str = "real",
) -> dict[str, Any]:
    """Start the cluster (see the module); returns what ``cluster.json`` records."""
    if hosts < 1:
        raise ClusterError("--hosts must be at least 1")
    if _state(folder).get("running"):
        raise ClusterError(f"a cluster is already up in {folder}: scripts/cluster down first")
    if not Path(NGINX).exists():
        raise ClusterError("nginx is missing: apt-get install nginx (or scripts/ensure-servers)")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    folder = folder.resolve()
    port = port or free_port()
    state: dict[str, Any] = {"running": True, "folder": str(folder), "port": port}
    try:
        _start(folder, state, hosts, port, workers, profile, clock)
    except BaseException:
        _save(folder, state)
        down(folder)
        raise
    _save(folder, state)
    return state


def _start(
    folder: Path,
    state: dict[str, Any],
    count: int,
    port: int,
    workers: int,
    profile: Path | None,
    clock: str,
) -> None:
    # As root the server runs as the postgres user, who may not reach into the cluster's folder
    # (a private temporary one, say): its data then lives in a folder of its own under /tmp.
    home = Path(tempfile.mkdtemp(prefix="irctc-cluster-pg-")) if os.geteuid() == 0 else None
    state["postgres"] = {"folder": str(home or folder / "postgres")}
    _save(folder, state)
    try:
        postgres = ThrowawayPostgres(home or folder / "postgres").start()
    except PostgresUnavailable as error:
        raise ClusterError(str(error)) from None
    url = postgres.url("irctc")
    state["postgres"].update(port=postgres.port, pid=postgres.pid, url=url)
    _save(folder, state)
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE irctc")
    # One key seals the agents' passwords for every host (WS-Security digests on any of them).
    secrets = {**os.environ, "IRCTC_SECRETS_KEY": str(folder / "secrets.key")}
    migrated = subprocess.run(
        [sys.executable, "-m", "soap_server", "migrate", "--db", url],
        env=secrets,
        capture_output=True,
        text=True,
        check=False,
    )
    if migrated.returncode != 0:
        raise ClusterError(f"migrate failed: {migrated.stderr.strip()}")
    public = f"http://127.0.0.1:{port}/soap"
    started: list[Host] = []
    for i in range(1, count + 1):
        address = f"127.0.2.{i}"
        host_port = _free_port(address)
        log = folder / f"host{i}.log"
        env = {
            **secrets,
            "IRCTC_DB": url,
            "IRCTC_PUBLIC_URL": public,
            "IRCTC_CLOCK": clock,
            "IRCTC_PROXY_HOPS": "1",
            "IRCTC_DB_POOL": "10",
        }
        if profile is not None:
            env["IRCTC_PROFILE"] = str(profile.resolve())
        with log.open("a") as out:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "-w",
                    str(workers),
                    "-k",
                    "gthread",
                    "--threads",
                    "8",
                    "-b",
                    f"{address}:{host_port}",
                    "--graceful-timeout",
                    "5",
                    "--keep-alive",
                    str(HOST_KEEPALIVE_S),
                    "--name",
                    f"irctc-host{i}",
                    "soap_server.wsgi:from_environment()",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group: ``kill`` reaches its workers
            )
        _children[process.pid] = process
        started.append(Host(f"host{i}", address, process.pid, str(log), host_port))
        state["hosts"] = [host.__dict__ for host in started]
        _save(folder, state)
    for host in started:
        _wait_healthy(host.base, 90, host.log, host.pid)
    (folder / "upstream.conf").write_text(_upstream(started, set()))
    temp = folder / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        account = pwd.getpwnam("www-data")
        for path in [temp, *temp.iterdir()]:
            os.chown(path, account.pw_uid, account.pw_gid)
    conf = folder / "nginx.conf"
    conf.write_text(_nginx_conf(folder, port))
    done = subprocess.run(
        [NGINX, "-c", str(conf), "-p", str(folder), "-e", str(folder / "nginx-error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise ClusterError(f"nginx did not start: {lines[-1] if lines else done.returncode}")
    pid = int((folder / "nginx.pid").read_text().split()[0])
    state["nginx"] = {"pid": pid, "conf": str(conf)}
    _save(folder, state)
    with (folder / "watcher.log").open("a") as out:
        watcher = subprocess.Popen(
            [sys.executable, "-m", "core_runner.cluster", "watch", "--folder", str(folder)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _children[watcher.pid] = watcher
    state["watcher"] = {"pid": watcher.pid}
    state["url"] = public
    _wait_healthy(f"http://127.0.0.1:{port}", 30, str(folder / "nginx-error.log"))


def watch(folder: Path, interval: float = 1.0, failures_allowed: int = 2) -> None:
    """Check each host's /healthz every ``interval``; take it out of (and back into) nginx."""
    state = _state(folder)
    hosts = [Host(**h) for h in state.get("hosts", [])]
    nginx_pid = int(state["nginx"]["pid"])
    failed = {host.name: 0 for host in hosts}
    down_now: set[str] = set()
    while alive(nginx_pid, "nginx"):
        for host in hosts:
            try:
                ok = requests.get(f"{host.base}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                ok = False
            failed[host.name] = 0 if ok else failed[host.name] + 1
        down = {name for name, n in failed.items() if n >= failures_allowed}
        if down != down_now and len(down) < len(hosts):  # never take the last host out
            (folder / "upstream.conf").write_text(_upstream(hosts, down))
            os.kill(nginx_pid, signal.SIGHUP)  # reload: new workers get the new upstream
            print(f"{time.strftime('%H:%M:%S')} hosts down: {sorted(down) or 'none'}", flush=True)
            down_now = down
        time.sleep(interval)


def _stop(pid: int, marker: str, group: bool, wait: float = 15) -> None:
    if not alive(pid, marker):
        return
    send = os.killpg if group else os.kill
    try:
        send(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and alive(pid, marker):
        time.sleep(0.1)
    if alive(pid, marker):
        try:
            send(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _reap(pid)


def _reap(pid: int) -> None:
    """Wait for a process this one started (a test that ran ``up`` in-process)."""
    child = _children.pop(pid, None)
    if child is not None:
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            pass


def down(folder: Path) -> list[str]:
    """Stop exactly what ``up`` recorded in ``folder``; returns what was stopped."""
    state = _state(folder)
    stopped = []
    watcher = state.get("watcher")
    if isinstance(watcher, dict):
        _stop(int(watcher["pid"]), "core_runner.cluster", group=True)
        stopped.append("watcher")
    nginx = state.get("nginx")
    if isinstance(nginx, dict):
        _stop(int(nginx["pid"]), "nginx", group=False)
        stopped.append("nginx")
    for host in state.get("hosts", []):
        # The whole process group: the arbiter and its workers, even if the arbiter died.
        pid = int(host["pid"])
        if alive(pid, "gunicorn"):
            _stop(pid, "gunicorn", group=True)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _reap(pid)
        stopped.append(str(host["name"]))
    postgres = state.get("postgres")
    if isinstance(postgres, dict) and "folder" in postgres:
        home = Path(postgres["folder"])
        try:
            ThrowawayPostgres(home, port=int(postgres.get("port", 0))).stop()
        except PostgresUnavailable:
            pass
        if home.parent != folder:  # its own folder under /tmp: keep the log, remove the rest
            if (home / "server.log").exists():
                shutil.copy(home / "server.log", folder / "postgres.log")
            shutil.rmtree(home, ignore_errors=True)
        stopped.append("postgres")
    if state:
        state["running"] = False
        _save(folder, state)
    return stopped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start PostgreSQL, N app hosts and nginx")
    start.add_argument("--hosts", type=int, default=3)
    start.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    start.add_argument("--port", type=int, default=8080, help="nginx's port (0: a free one)")
    start.add_argument("--profile", type=Path, help="a simulation profile for every host")
    start.add_argument("--clock", default="real", help="real | fixed:ISO | offset:ISO")
    for command in ("down", "status", "watch"):
        sub = commands.add_parser(command)
        sub.add_argument("--folder", type=Path, default=Path("var") / "cluster")
    start.add_argument("--folder", type=Path, default=Path("var") / "cluster")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            state = up(args.folder, args.hosts, args.port, args.workers, args.profile, args.clock)
            hosts = ", ".join(f"{h['address']}:{h.get('port', HOST_PORT)}" for h in state["hosts"])
            print(f"cluster up: {state['url']} (nginx) -> {hosts}")
            print(f"  PostgreSQL: {state['postgres']['url']}")
            print(f"  logs in {args.folder}/; stop with: scripts/cluster down")
        elif args.command == "down":
            stopped = down(args.folder)
            print(f"stopped: {', '.join(stopped)}" if stopped else "nothing to stop")
        elif args.command == "status":
            print(json.dumps(_state(args.folder), indent=2))
        else:
            watch(args.folder)
    except ClusterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
