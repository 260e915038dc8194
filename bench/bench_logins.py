"""Can login timing tell a real agent id from an unknown one? Medians side by side.

::

    .venv/bin/python bench/bench_logins.py [--n 60]

Sends SOAP Logins with a wrong password, alternating a real agent id (MMT) and an unknown one
(NOBODY), through the whole app in-process with the real scrypt cost, and prints the median and
p95 of each and their ratio. Throttling is set out of the way (this measures the work, not the
pause). Run it with ``PYTHONPATH`` pointing at an older checkout to measure that code the same
way: it builds its settings from whatever fields that code's ``Settings`` has.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from werkzeug.test import Client

from soap_server.railway.clock import IST, FixedClock
from soap_server.settings import Settings
from soap_server.wsgi import create_app

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:irctc:reservation:v1"


def login(agent: str) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Body>'
        f"<tns:Login><tns:AgentId>{agent}</tns:AgentId><tns:Password>not-the-password"
        "</tns:Password></tns:Login></soapenv:Body></soapenv:Envelope>"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="logins per kind (60)")
    args = parser.parse_args()
    names = {f.name for f in dataclasses.fields(Settings)}
    relaxed = {
        name: 10**9 for name in ("login_failures_allowed", "max_failed_logins") if name in names
    }
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            db_path=Path(folder) / "core.sqlite3",
            clock=FixedClock(datetime(2025, 11, 20, 9, 0, tzinfo=IST)),
            **relaxed,  # type: ignore[arg-type]
        )
        app = create_app(settings)
        http = Client(app)
        times: dict[str, list[float]] = {"MMT": [], "NOBODY": []}
        messages: dict[str, set[str]] = {"MMT": set(), "NOBODY": set()}
        for agent in ("MMT", "NOBODY"):  # warm up
            http.post("/soap", data=login(agent), content_type="text/xml")
        for _ in range(args.n):
            for agent in ("MMT", "NOBODY"):
                started = time.perf_counter()
                answer = http.post("/soap", data=login(agent), content_type="text/xml")
                times[agent].append((time.perf_counter() - started) * 1000)
                text = answer.get_data(as_text=True)
                messages[agent].add(text[text.find("<faultstring>") : text.find("</faultstring>")])
        app.close()
    print(f"{'agent id':10} {'n':>4} {'median ms':>10} {'p95 ms':>8}")
    medians = {}
    for agent, samples in times.items():
        medians[agent] = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{agent:10} {len(samples):4d} {medians[agent]:10.1f} {p95:8.1f}")
    print(f"ratio known/unknown of the medians: {medians['MMT'] / medians['NOBODY']:.2f}")
    print(f"distinct messages: known {len(messages['MMT'])}, unknown {len(messages['NOBODY'])},")
    print(f"  the same for both: {messages['MMT'] == messages['NOBODY']}")


if __name__ == "__main__":
    main()
