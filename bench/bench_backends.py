"""Book and SearchTrain throughput on SQLite and PostgreSQL, 1, 2 and 4 app workers/hosts.

For each backend and each N, in one run and side by side, on a fresh database and the fixed
clock of the samples (2025-11-20 09:00 IST):

* SQLite: one gunicorn with N worker processes on one file (one machine's only way to scale);
* PostgreSQL: N app hosts, one gunicorn worker each, on addresses of their own in the loopback
  range (127.0.3.1, ...), all on one throwaway PostgreSQL server (``core_runner.postgres``,
  durable as the SQLite default: ``synchronous_commit=off``);

every worker with 8 threads, and ``wrk`` (Debian's package) sending SOAP requests over 16
connections in all, split over the hosts, for ``--seconds`` per case:

* ``search``: SearchTrain NDLS -> MMCT (read only);
* ``book spread``: Book of one passenger, each request on another (train, date, class) of 180;
* ``book hot``: every Book on one class of one train-day (the Tatkal rush's shape); once the
  class is full, the answers are waitlist numbers and then REGRET faults, each still a whole
  locked write transaction.

It prints requests per second (answers of any kind: a Book answered REGRET counts, a
``Server.Busy`` is counted apart), medians of ``--repeats`` runs, and the ratio of each cell to
SQLite with one worker. The machine has 2 cores shared with wrk and the database server:
read the ratios. Usage::

    .venv/bin/python bench/bench_backends.py [--seconds 5] [--repeats 3] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import psycopg
import requests
from lxml import etree

from core_runner.postgres import ThrowawayPostgres
from soap_server.ns import SOAP_ENV, TNS
from soap_server.railway.agents import demo_agents
from soap_server.railway.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
CLOCK = "fixed:2025-11-20T09:00:00+05:30"
TODAY = date(2025, 11, 20)


def free_port(address: str) -> int:
    """A port free on ``address`` now (another bench, a cluster or a core may be running)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


CONNECTIONS = 16

LUA = r"""
local kind, body_of, combos = "%(kind)s", nil, {%(combos)s}
local counter, id = 0, 0
local threads = {}
answered, busy, faults = 0, 0, 0
function setup(thread)
  thread:set("id", math.random(1, 1000000000))
  table.insert(threads, thread)
end
function init(args) id = wrk.thread:get("id") end
local head = '<soapenv:Envelope xmlns:soapenv="%(env)s" xmlns:tns="%(tns)s"><soapenv:Header>'
  .. '<tns:SessionHeader><tns:SessionToken>%(token)s</tns:SessionToken></tns:SessionHeader>'
  .. '</soapenv:Header><soapenv:Body>'
local tail = '</soapenv:Body></soapenv:Envelope>'
function request()
  counter = counter + 1
  local body
  if kind == "search" then
    body = '<tns:SearchTrain><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To>'
      .. '<tns:JourneyDate>2025-11-30</tns:JourneyDate></tns:SearchTrain>'
  else
    local c = combos[(counter %% #combos) + 1]
    body = '<tns:Book><tns:TrainNumber>' .. c[1] .. '</tns:TrainNumber><tns:JourneyDate>'
      .. c[2] .. '</tns:JourneyDate><tns:From>' .. c[3] .. '</tns:From><tns:To>' .. c[4]
      .. '</tns:To><tns:Class>' .. c[5] .. '</tns:Class><tns:Quota>GN</tns:Quota>'
      .. '<tns:Passengers><tns:Passenger><tns:Name>Bench Rider</tns:Name><tns:Age>30</tns:Age>'
      .. '<tns:Gender>M</tns:Gender></tns:Passenger></tns:Passengers><tns:ClientReference>'
      .. 'b' .. id .. '-' .. counter .. '</tns:ClientReference></tns:Book>'
  end
  return wrk.format("POST", "/soap", {["Content-Type"] = "text/xml; charset=utf-8",
    ["SOAPAction"] = kind == "search" and '"SearchTrain"' or '"Book"'}, head .. body .. tail)
end
function response(status, headers, body)
  if status == 200 then answered = answered + 1
  elseif string.find(body, "Server.Busy", 1, true) then busy = busy + 1
  elseif status == 500 then answered = answered + 1; faults = faults + 1 end
end
function done(summary, latency, requests)
  local b, f = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("busy"); f = f + t:get("faults") end
  io.write(string.format("busy %%d faults %%d\n", b, f))
end
"""


def combos(catalog: Catalog, count: int) -> list[tuple[str, str, str, str, str]]:
    """(train, date, from, to, class) for Book: whole routes of daily trains, many days."""
    found = []
    trains = catalog.trains
    for day in range(2, 58):
        journey = TODAY + timedelta(days=day)
        for number in sorted(trains):
            train = trains[number]
            source, destination = train.stops[0].station, train.stops[-1].station
            if not train.runs_from(journey, 0):
                continue
            for cls in sorted(train.coaches):
                if cls in ("1A", "EC"):  # small classes fill up within one run
                    continue
                found.append((number, journey.isoformat(), source, destination, cls))
                if len(found) >= count:
                    return found
    return found


def lua(kind: str, token: str, cases: list[tuple[str, str, str, str, str]]) -> str:
    table = ",".join("{" + ",".join(f'"{v}"' for v in case) + "}" for case in cases)
    return LUA % {"kind": kind, "combos": table, "token": token, "env": SOAP_ENV, "tns": TNS}


def login(base: str) -> str:
    agent = demo_agents()[0]
    body = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Body>'
        f"<tns:Login><tns:AgentId>{agent.code}</tns:AgentId><tns:Password>"
        f"{agent.demo_password}</tns:Password></tns:Login></soapenv:Body></soapenv:Envelope>"
    )
    answer = requests.post(f"{base}/soap", data=body, headers={"Content-Type": "text/xml"})
    token = etree.fromstring(answer.content).findtext(f".//{{{TNS}}}SessionToken")
    assert token, answer.text[:300]
    return token


def gunicorn(
    address: str, port: int, workers: int, database: str, log: Path
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IRCTC_DB": database, "IRCTC_CLOCK": CLOCK, "IRCTC_DB_POOL": "10"}
    with log.open("a") as out:
        return subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-w",
                str(workers),
                "-k",
                "gthread",
                "--threads",
                "8",
                "-b",
                f"{address}:{port}",
                "--chdir",
                str(ROOT),
                "soap_server.wsgi:from_environment()",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def healthy(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not come up")


@contextmanager
def hosts(
    backend: str, n: int, folder: Path, postgres: ThrowawayPostgres | None
) -> Iterator[list[str]]:
    """N workers on SQLite (one gunicorn) or N hosts on PostgreSQL; yields their base URLs."""
    if backend == "sqlite":
        database = str(folder / f"bench-{n}.sqlite3")
        addresses = [("127.0.3.1", free_port("127.0.3.1"))]
        processes = [gunicorn(*addresses[0], n, database, folder / f"sqlite-{n}.log")]
    else:
        assert postgres is not None
        name = f"bench_{n}_{int(time.time())}"
        with psycopg.connect(postgres.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        database = postgres.url(name)
        subprocess.run(
            [sys.executable, "-m", "soap_server", "migrate", "--db", database],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        addresses = [(f"127.0.3.{i}", free_port(f"127.0.3.{i}")) for i in range(1, n + 1)]
        processes = [
            gunicorn(address, port, 1, database, folder / f"postgres-{n}-{i}.log")
            for i, (address, port) in enumerate(addresses, start=1)
        ]
    bases = [f"http://{address}:{port}" for address, port in addresses]
    try:
        for base in bases:
            healthy(base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


def run_wrk(bases: list[str], script: Path, seconds: float, split: int) -> tuple[float, int, int]:
    """wrk against every base (``split`` processes in all, the connections shared out);
    returns (answers per second, Server.Busy faults, other faults)."""
    targets = [bases[i % len(bases)] for i in range(split)]
    per = max(1, CONNECTIONS // split)
    processes = [
        subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{per}",
                f"-d{int(seconds)}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                target,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for target in targets
    ]
    rate, busy, faults = 0.0, 0, 0
    for process in processes:
        out, _ = process.communicate(timeout=seconds + 120)
        found = re.search(r"Requests/sec:\s+([\d.]+)", out)
        counted = re.search(r"busy (\d+) faults (\d+)", out)
        if found is None or counted is None:
            raise SystemExit(f"wrk said: {out}")
        duration = re.search(r"requests in ([\d.]+)(m?s)", out)
        seconds_run = seconds
        if duration is not None:
            seconds_run = float(duration.group(1)) / (1000 if duration.group(2) == "ms" else 1)
        busy_count = int(counted.group(1))
        rate += float(found.group(1)) - busy_count / seconds_run  # Busy is no answer
        busy += busy_count
        faults += int(counted.group(2))
    return rate, busy, faults


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    counts = [int(n) for n in args.workers.split(",")]
    catalog = load_catalog()
    spread = combos(catalog, 180)
    hot = [("12952", "2025-11-30", "NDLS", "MMCT", "3A")]
    folder = Path(tempfile.mkdtemp(prefix="bench-backends-"))
    results: dict[tuple[str, str, int], list[float]] = {}
    postgres = ThrowawayPostgres().start()
    try:
        for repeat in range(args.repeats):
            for backend in ("sqlite", "postgres"):
                for n in counts:
                    with hosts(backend, n, folder, postgres) as bases:
                        token = login(bases[0])
                        for case, kind, cases in (
                            ("search", "search", spread),
                            ("book spread", "book", spread),
                            ("book hot", "book", hot),
                        ):
                            script = folder / f"{kind}-{len(cases)}.lua"
                            script.write_text(lua(kind, token, cases))
                            rate, busy, faults = run_wrk(bases, script, args.seconds, max(2, n))
                            results.setdefault((case, backend, n), []).append(rate)
                            print(
                                f"run {repeat + 1}: {case:12} {backend:8} x{n}: {rate:8.1f}/s"
                                f"  (faults {faults}, Busy {busy})",
                                file=sys.stderr,
                                flush=True,
                            )
    finally:
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\nanswers per second, medians of {args.repeats} runs of {args.seconds:g} s"
        f" ({CONNECTIONS} connections; ratio to SQLite x1)\n"
    )
    header = "| case | " + " | ".join(f"{b} x{n}" for b in ("SQLite", "PostgreSQL") for n in counts)
    print(header + " |")
    print("|---" * (1 + 2 * len(counts)) + "|")
    for case in ("search", "book spread", "book hot"):
        base = statistics.median(results[(case, "sqlite", counts[0])])
        cells = []
        for backend in ("sqlite", "postgres"):
            for n in counts:
                value = statistics.median(results[(case, backend, n)])
                cells.append(f"{value:.0f} ({value / base:.2f}x)")
        print(f"| {case} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
