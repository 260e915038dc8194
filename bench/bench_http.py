"""SOAP SearchTrain over HTTP next to a canned reply of the same size, with Spyne's forced
garbage collection on (Spyne's default: before) and off (the app's setting: after).

Issue 13, goal 4. Three gunicorn servers, each with 2 sync workers on 127.0.0.1 and a free port,
all on one fresh SQLite database and the samples' fixed clock (2025-11-20 09:00 IST):

* ``canned``: a WSGI app that answers every POST with the bytes of a real SOAP SearchTrain
  answer (read once from the core): HTTP, gunicorn and wrk alone, the floor;
* ``soap gc on``: the core, with Spyne's ``gc.collect()`` once a second put back in each worker
  (``bench/gunicorn_spyne_gc.py``: ``spyne.const.MIN_GC_INTERVAL = 1.0``, Spyne's default);
* ``soap``: the core as it ships (``soap/app.py``: ``no_forced_collections``).

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
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("bad %%d\n", b))
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


@contextmanager
def gunicorn(app: str, log: Path, env: dict[str, str], *options: str) -> Iterator[str]:
    """gunicorn with 2 sync workers serving ``app``; yields its base URL once it answers."""
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
        yield base
    finally:
        process.terminate()
        process.wait(30)


def run_wrk(base: str, script: Path, seconds: int) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) of one wrk run."""
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
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"bad (\d+)", out)
    latency = re.search(r"p50us (\d+) p99us (\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if rate is None or bad is None or latency is None:
        raise SystemExit(f"wrk said: {out}")
    if int(bad.group(1)) or errors is not None:
        raise SystemExit(f"{base}: {bad.group(1)} answers were not 200; wrk said: {out}")
    return float(rate.group(1)), int(latency.group(1)) / 1000, int(latency.group(2)) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the three servers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        core_env = {"IRCTC_DB": str(folder / "bench.sqlite3"), "IRCTC_CLOCK": CLOCK}
        core = "soap_server.wsgi:from_environment()"
        # One after the other: the first one makes the database.
        soap = stack.enter_context(gunicorn(core, folder / "soap.log", core_env))
        token = login(soap)
        request = search_envelope(token)
        reply = requests.post(
            f"{soap}/soap", data=request, headers={"Content-Type": "text/xml; charset=utf-8"}
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
        canned = stack.enter_context(
            gunicorn(
                "http_canned:application",
                folder / "canned.log",
                {CANNED_ENV: str(canned_file)},
                "--pythonpath",
                str(BENCH),
            )
        )
        script = folder / "search.lua"
        script.write_text(LUA % {"body": request})
        servers = {"canned": canned, "soap gc on": gc_on, "soap": soap}
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in servers}
        for _ in range(args.repeats):
            for name, base in servers.items():
                results[name].append(run_wrk(base, script, args.seconds))

    def median(name: str, index: int) -> float:
        return statistics.median(run[index] for run in results[name])

    print(
        f"SearchTrain NDLS-MMCT over HTTP: {len(reply.content):,} bytes a reply; gunicorn 2 sync"
        f" workers, wrk -t2 -c8, {args.seconds}s x {args.repeats} rounds (medians)"
    )
    print(f"{'server':12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x canned':>9}")
    for name in servers:
        rate = median(name, 0)
        print(
            f"{name:12} {rate:9.1f} {median(name, 1):8.2f} {median(name, 2):8.2f}"
            f" {rate / median('canned', 0):9.3f}"
        )
    print("\nratios (goal in brackets):")
    print(
        f"  soap / canned req/s            {median('soap', 0) / median('canned', 0):6.3f} [>= 0.40]"
    )
    print(f"  soap gc on / canned req/s      {median('soap gc on', 0) / median('canned', 0):6.3f}")
    print(f"  p99 soap gc on / soap          {median('soap gc on', 2) / median('soap', 2):6.2f}")
    print(f"  p50 soap gc on / soap          {median('soap gc on', 1) / median('soap', 1):6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
