"""SOAP SearchTrain over HTTP next to a canned reply of the same size, with Spyne's forced
garbage collection on (Spyne's default: before) and off (the app's setting: after).

Issue 13, goal 4. Four gunicorn servers, each with 2 sync workers on 127.0.0.1 and a free port,
all on one fresh SQLite database and the samples' fixed clock (2025-11-20 09:00 IST):

* ``canned``: a WSGI app that answers every POST with the bytes of a real SOAP SearchTrain
  answer (read once from the core): HTTP, gunicorn and wrk alone, the floor;
* ``stack``: the core's own app with that canned answer in place of the SOAP endpoint
  (``bench/http_canned.py:stacked()``): the floor plus what the app costs around the facade
  (routing, the Server-Timing wrapper, reading the body, a worker holding the whole core);
* ``soap gc on``: the core, with Spyne's ``gc.collect()`` once a second put back in each worker
  (``bench/gunicorn_spyne_gc.py``: ``spyne.const.MIN_GC_INTERVAL = 1.0``, Spyne's default);
* ``soap``: the core as it ships (``soap/app.py``: ``no_forced_collections``).

Beside requests/s and latency it prints where a request's time goes: the CPU the two workers
spent per request (``/proc``: gunicorn and the app), the app's own time per request as its
``Server-Timing`` header says (wall time inside the WSGI app; the core's servers only), and
wrk's CPU per request (the load generator shares the machine).

``wrk`` (Debian's package; ``-t2 -c8 --latency``) posts the same SearchTrain NDLS -> MMCT
envelope to each for ``--seconds``, the three in turn, ``--repeats`` rounds, so all see the same
machine. It prints, per server, the medians over the rounds of requests per second, p50 and p99
latency, and the ratios: SOAP's throughput against the canned floor (goal: at least 0.40), and
p99 with the forced collections against without. Every answer must be HTTP 200 (a fault or an
error stops the run). Usage::

    .venv/bin/python bench/bench_http.py [--seconds 5] [--repeats 3]
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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from soap_server.ns import SOAP_ENV, TNS  # noqa: E402
from soap_server.railway.agents import demo_agents  # noqa: E402

CLOCK = "fixed:2025-11-20T09:00:00+05:30"
BENCH = Path(__file__).resolve().parent
#: Where the canned app (bench/http_canned.py) finds the reply it sends.
CANNED_ENV = "IRCTC_BENCH_CANNED_REPLY"

LUA = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"SearchTrain"'
wrk.body = [==[%(body)s]==]
local threads = {}
function setup(thread) table.insert(threads, thread) end
bad = 0
app = 0
timed = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local timing = headers["Server-Timing"]
  if timing then
    local ms = timing:match("dur=([%%d.]+)")
    if ms then app = app + tonumber(ms); timed = timed + 1 end
  end
end
function done(summary, latency, requests)
  local b, a, n = 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad"); a = a + t:get("app"); n = n + t:get("timed")
  end
  io.write(string.format("bad %%d\n", b))
  io.write(string.format("app %%f timed %%d\n", a, n))
  io.write(string.format("p50us %%d p99us %%d\n", latency:percentile(50), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def search_envelope(token: str) -> str:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Header>'
        f"<tns:SessionHeader><tns:SessionToken>{token}</tns:SessionToken></tns:SessionHeader>"
        "</soapenv:Header><soapenv:Body><tns:SearchTrain><tns:From>NDLS</tns:From>"
        "<tns:To>MMCT</tns:To><tns:JourneyDate>2025-11-30</tns:JourneyDate></tns:SearchTrain>"
        "</soapenv:Body></soapenv:Envelope>"
    )


def login(base: str) -> str:
    agent = demo_agents()[0]
    body = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Body>'
        f"<tns:Login><tns:AgentId>{agent.code}</tns:AgentId><tns:Password>"
        f"{agent.demo_password}</tns:Password></tns:Login></soapenv:Body></soapenv:Envelope>"
    )
    answer = requests.post(f"{base}/soap", data=body, headers={"Content-Type": "text/xml"})
    token = etree.fromstring(answer.content).findtext(f".//{{{TNS}}}SessionToken")
    if not token:
        raise SystemExit(f"login failed: {answer.text[:300]}")
    return token


@dataclass
class Server:
    """A running gunicorn: its base URL and its master's process id."""

    base: str
    pid: int

    def workers_cpu(self) -> float:
        """Seconds of CPU (user and system) its workers have used so far."""
        total = 0.0
        for child in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split():
            fields = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        return total


@dataclass
class Run:
    """One wrk run against one server."""

    rate: float  # requests/s
    p50: float  # ms
    p99: float  # ms
    worker_cpu: float  # ms of the workers' CPU per request
    wrk_cpu: float  # ms of wrk's CPU per request
    app: float | None  # ms inside the app per request (Server-Timing), if it says


TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn(app: str, log: Path, env: dict[str, str], *options: str) -> Iterator[Server]:
    """gunicorn with 2 sync workers serving ``app``; yields it once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-w",
                "2",
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{port}",
                "--chdir",
                str(ROOT),
                *options,
                app,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{app} did not come up; see {log}: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        process.wait(30)


def run_wrk(server: Server, script: Path, seconds: int) -> Run:
    """One wrk run: its rate and latency, and the CPU it cost per request."""
    base = server.base
    cpu_before, wrk_before = server.workers_cpu(), os.times()
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(script),
            f"{base}/soap",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    ).stdout
    cpu_after, wrk_after = server.workers_cpu(), os.times()
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    app = re.search(r"app ([\d.]+) timed (\d+)", out)
    bad = re.search(r"bad (\d+)", out)
    latency = re.search(r"p50us (\d+) p99us (\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if rate is None or bad is None or latency is None or count is None or app is None:
        raise SystemExit(f"wrk said: {out}")
    if int(bad.group(1)) or errors is not None:
        raise SystemExit(f"{base}: {bad.group(1)} answers were not 200; wrk said: {out}")
    requests_done = max(int(count.group(1)), 1)
    wrk_cpu = sum(wrk_after[2:4]) - sum(wrk_before[2:4])  # children's user + system
    timed = int(app.group(2))
    return Run(
        rate=float(rate.group(1)),
        p50=int(latency.group(1)) / 1000,
        p99=int(latency.group(2)) / 1000,
        worker_cpu=(cpu_after - cpu_before) * 1000 / requests_done,
        wrk_cpu=wrk_cpu * 1000 / requests_done,
        app=float(app.group(1)) / timed if timed else None,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the four servers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        core_env = {"IRCTC_DB": str(folder / "bench.sqlite3"), "IRCTC_CLOCK": CLOCK}
        core = "soap_server.wsgi:from_environment()"
        # One after the other: the first one makes the database.
        soap = stack.enter_context(gunicorn(core, folder / "soap.log", core_env))
        token = login(soap.base)
        request = search_envelope(token)
        reply = requests.post(
            f"{soap.base}/soap",
            data=request,
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )
        if reply.status_code != 200:
            raise SystemExit(f"SearchTrain failed: {reply.text[:300]}")
        canned_file = folder / "reply.xml"
        canned_file.write_bytes(reply.content)
        gc_on = stack.enter_context(
            gunicorn(
                core,
                folder / "soap-gc.log",
                core_env,
                "-c",
                str(BENCH / "gunicorn_spyne_gc.py"),
            )
        )
        canned_env = {CANNED_ENV: str(canned_file)}
        canned = stack.enter_context(
            gunicorn(
                "http_canned:application",
                folder / "canned.log",
                canned_env,
                "--pythonpath",
                str(BENCH),
            )
        )
        stacked = stack.enter_context(
            gunicorn(
                "http_canned:stacked()",
                folder / "stack.log",
                {**core_env, **canned_env},
                "--pythonpath",
                str(BENCH),
            )
        )
        script = folder / "search.lua"
        script.write_text(LUA % {"body": request})
        servers = {"canned": canned, "stack": stacked, "soap gc on": gc_on, "soap": soap}
        results: dict[str, list[Run]] = {name: [] for name in servers}
        for _ in range(args.repeats):
            for name, server in servers.items():
                results[name].append(run_wrk(server, script, args.seconds))

    def median(name: str, field: str) -> float:
        return statistics.median(getattr(run, field) for run in results[name])

    def app_ms(name: str) -> str:
        times = [run.app for run in results[name] if run.app is not None]
        return f"{statistics.median(times):8.2f}" if times else f"{'-':>8}"

    print(
        f"SearchTrain NDLS-MMCT over HTTP: {len(reply.content):,} bytes a reply; gunicorn 2 sync"
        f" workers, wrk -t2 -c8, {args.seconds}s x {args.repeats} rounds (medians)"
    )
    print(
        f"{'server':12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x canned':>9}"
        f" {'worker':>8} {'app':>8} {'wrk':>8}   <- ms per request: workers' CPU, app"
        " (Server-Timing), wrk's CPU"
    )
    floor = median("canned", "rate")
    for name in servers:
        rate = median(name, "rate")
        print(
            f"{name:12} {rate:9.1f} {median(name, 'p50'):8.2f} {median(name, 'p99'):8.2f}"
            f" {rate / floor:9.3f} {median(name, 'worker_cpu'):8.3f} {app_ms(name)}"
            f" {median(name, 'wrk_cpu'):8.3f}"
        )
    print("\nratios (goal in brackets):")
    print(f"  soap / canned req/s            {median('soap', 'rate') / floor:6.3f} [>= 0.40]")
    print(f"  stack / canned req/s           {median('stack', 'rate') / floor:6.3f}")
    print(
        f"  soap / stack req/s             {median('soap', 'rate') / median('stack', 'rate'):6.3f}"
    )
    print(f"  soap gc on / canned req/s      {median('soap gc on', 'rate') / floor:6.3f}")
    gc_p99 = median("soap gc on", "p99") / median("soap", "p99")
    gc_p50 = median("soap gc on", "p50") / median("soap", "p50")
    print(f"  p99 soap gc on / soap          {gc_p99:6.2f}")
    print(f"  p50 soap gc on / soap          {gc_p50:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
