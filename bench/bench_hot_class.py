"""A Tatkal-style rush on one hot class over HTTP: Books per second on two gunicorn workers.

Issue 13, goal 2. Starts gunicorn (2 sync workers, SQLite in a temporary directory, a fixed
clock) and drives it with wrk (Debian's ``wrk``; LuaJIT scripts written here), every connection
booking two passengers on 22692 3A NZM-SBC: a train-day at a time, from the first berth to the
full waitlist (CNF, then RAC, then waitlist), then the next train-day. In one run, side by side:

* ``REST 401``: the same POST without a session (the HTTP, WSGI and door floor of the route);
* ``REST Book`` and ``SOAP Book``: bookings per second and passengers per second (what the
  server answered 201 / a Book response to), with the REGRETs met when a train-day filled up;
* ``REST REGRET`` and ``SOAP REGRET``: the same requests on a train-day whose waitlist is full;
* in-process, the medians of the same Book through the core alone, REST and SOAP (werkzeug's
  test client, no socket): the share of a Book that is the core's (issue 13's core/storage
  part) and the facade's (the SOAP side is being reworked separately).

Beside each run, the CPU milliseconds the two workers (gunicorn and the app) and wrk spent
per answer (``/proc``): on a machine shared with other work, a steadier figure than answers
per second. Then an audit of the database: no place held twice on a leg, every pool's waitlist
numbers gapless from 1, the seat maps equal to the occupancy rows, one booking per 201. Usage::

    .venv/bin/python bench/bench_hot_class.py [--seconds 8] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import requests
from werkzeug.test import Client

from soap_server.ns import SOAP_ENV, TNS
from soap_server.railway import inventory
from soap_server.railway.agents import demo_agents
from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import WaitlistFull
from soap_server.railway.store import SeatMap
from soap_server.settings import Settings
from soap_server.wsgi import build_railway, create_app

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
TRAIN, CLASS, FROM, TO = "22692", "3A", "NZM", "SBC"
ROOT = Path(__file__).resolve().parents[1]
PASSENGERS = (("Ravi Kumar", 34, "M"), ("Anita Kumar", 31, "F"))
NAMES = ("Arjun Rao", "Mohan Das", "Vijay Nair", "Kiran Shah", "Ramesh Jha", "Suresh Pal")

REST_BODY = json.dumps(
    {
        "train": TRAIN,
        "date": "%s",
        "from": FROM,
        "to": TO,
        "class": CLASS,
        "passengers": [{"name": n, "age": a, "gender": g} for n, a, g in PASSENGERS],
    }
)
SOAP_BODY = (
    f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Header>'
    "<tns:SessionHeader><tns:SessionToken>%s</tns:SessionToken></tns:SessionHeader>"
    f"</soapenv:Header><soapenv:Body><tns:Book><tns:TrainNumber>{TRAIN}</tns:TrainNumber>"
    f"<tns:JourneyDate>%s</tns:JourneyDate><tns:From>{FROM}</tns:From><tns:To>{TO}</tns:To>"
    f"<tns:Class>{CLASS}</tns:Class><tns:Passengers>"
    + "".join(
        f"<tns:Passenger><tns:Name>{n}</tns:Name><tns:Age>{a}</tns:Age>"
        f"<tns:Gender>{g}</tns:Gender></tns:Passenger>"
        for n, a, g in PASSENGERS
    )
    + "</tns:Passengers><tns:ClientReference>%s</tns:ClientReference></tns:Book>"
    "</soapenv:Body></soapenv:Envelope>"
)

# Each wrk thread walks the train-days in order and moves on when it is told the one it books
# is full (the REGRET names its date). It counts what it was answered.
LUA = r"""
local tokens = {%(tokens)s}
local dates = {%(dates)s}
local protocol, phase = "%(protocol)s", "%(phase)s"
local rest_body = [==[%(rest_body)s]==]
local soap_body = [==[%(soap_body)s]==]
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  n, day, booked, regret, other = 0, 1, 0, 0, 0
  token = tokens[(id - 1) %% #tokens + 1]
end

function request()
  n = n + 1
  local reference = string.format("%%s-%%s-%%d-%%d", protocol, phase, id, n)
  if protocol == "rest" then
    local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = reference}
    if phase ~= "nosession" then headers["Authorization"] = "Bearer " .. token end
    return wrk.format("POST", "/rest/v1/bookings", headers, string.format(rest_body, dates[day]))
  end
  local headers = {["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = '""'}
  local body = string.format(soap_body, token, dates[day], reference)
  return wrk.format("POST", "/soap", headers, body)
end

function response(status, headers, body)
  if status == 201 or (status == 200 and protocol == "soap") then
    booked = booked + 1
  elseif body and string.find(body, "WaitlistFull", 1, true) then
    regret = regret + 1
    local full = string.match(body, "for (%%d%%d%%d%%d%%-%%d%%d%%-%%d%%d) is full")
    if full == dates[day] and day < #dates then day = day + 1 end
  else
    other = other + 1
    if other <= 2 then io.stderr:write(status .. " " .. string.sub(body or "", 1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local b, r, o = 0, 0, 0
  for _, t in ipairs(threads) do
    b, r, o = b + t:get("booked"), r + t:get("regret"), o + t:get("other")
  end
  io.write(string.format(
    "RESULT {\"booked\": %%d, \"regret\": %%d, \"other\": %%d, \"errors\": %%d,"
    .. " \"seconds\": %%f, \"p50_ms\": %%f, \"p99_ms\": %%f}\n",
    b, r, o, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def run_dates(train_days: int) -> list[date]:
    """The next train-days of 22692 inside the reservation window."""
    railway_days = ("MON", "WED", "THU", "SUN")
    found, day = [], NOW.date() + timedelta(days=1)
    while len(found) < train_days and day <= NOW.date() + timedelta(days=60):
        if ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")[day.weekday()] in railway_days:
            found.append(day)
        day += timedelta(days=1)
    return found


class Gunicorn:
    """gunicorn with two sync workers on the database, on a free port of 127.0.0.1."""

    def __init__(self, db: Path, log: Path) -> None:
        env = {**os.environ, "IRCTC_DB": str(db), "IRCTC_CLOCK": f"fixed:{NOW:%Y-%m-%dT%H:%M}"}
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "-w",
                    "2",
                    "-k",
                    "sync",
                    "-b",
                    "127.0.0.1:0",
                    "--chdir",
                    str(ROOT),
                    "soap_server.wsgi:from_environment()",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + 60
        self.base = ""
        while not self.base and time.monotonic() < deadline:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
            if found:
                self.base = found.group(1)
            time.sleep(0.1)
        booted = 0
        while booted < 2 and time.monotonic() < deadline:
            booted = log.read_text().count("Booting worker")
            time.sleep(0.1)
        if not self.base:
            self.stop()
            raise SystemExit(f"gunicorn did not start; see {log}")
        while time.monotonic() < deadline:  # both workers import the app on their first call
            try:
                requests.get(f"{self.base}/healthz", timeout=5)
                requests.get(f"{self.base}/healthz", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)

    def workers_cpu(self) -> float:
        """CPU seconds (user + system) the workers have used so far (Linux ``/proc``)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ticks = os.sysconf("SC_CLK_TCK")
        stats = [
            Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split() for child in children
        ]
        return sum(int(stat[11]) + int(stat[12]) for stat in stats) / ticks

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(server: Gunicorn, lua: Path, seconds: float, connections: int) -> dict[str, float]:
    """One wrk run: what it counted, and the CPU seconds the workers and wrk spent on it (on a
    shared machine, CPU per answer says more than answers per second)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s"]
    workers, mine = server.workers_cpu(), os.times()
    out = subprocess.run(
        [*command, str(lua), server.base], capture_output=True, text=True, check=False, timeout=300
    )
    workers, after = server.workers_cpu() - workers, os.times()
    used_by_wrk = after.children_user + after.children_system
    used_by_wrk -= mine.children_user + mine.children_system
    if out.returncode != 0:
        raise SystemExit(f"error: wrk failed: {(out.stderr or out.stdout).strip()[:500]}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    if out.stderr.strip() and "nosession" not in lua.name:
        print(f"  ({lua.stem}: unexpected answers, first ones: {out.stderr.strip()[:300]})")
    result: dict[str, float] = json.loads(line[len("RESULT ") :])
    return {**result, "workers_cpu": workers, "wrk_cpu": used_by_wrk}


def script(folder: Path, protocol: str, phase: str, tokens: list[str], days: list[date]) -> Path:
    path = folder / f"{protocol}-{phase}.lua"
    path.write_text(
        LUA
        % {
            "tokens": ", ".join(f'"{t}"' for t in tokens),
            "dates": ", ".join(f'"{d}"' for d in days),
            "protocol": protocol,
            "phase": phase,
            "rest_body": REST_BODY,
            "soap_body": SOAP_BODY,
        }
    )
    return path


def full_days(db: Path) -> set[str]:
    """Train-days of the hot class whose waitlist can't take the bench's party (REGRET): with
    one place left on the waitlist, a Book of two is refused whole, so that place stays."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT origin_date, count(*) FROM passengers WHERE train = ? AND class_code = ?"
            " AND quota = 'GN' AND state = 'WL' GROUP BY origin_date",
            (TRAIN, CLASS),
        ).fetchall()
    railway = build_railway(build_settings(db))
    waitlist = railway.catalog.classes[CLASS].waitlist_limits["GN"]
    railway.close()
    return {day for day, waiting in rows if waiting > waitlist - len(PASSENGERS)}


def fill_up(db: Path, day: date) -> tuple[str, int]:
    """Book a train-day to REGRET in-process (when the REST run did not get that far): six
    at a time, then the bench's own party until it is refused too; the day and how many
    bookings that took."""
    railway = build_railway(build_settings(db))
    token = railway.login("MMT", password("MMT")).token
    booked = 0
    try:
        for party in (
            tuple(PassengerRequest(n, 30 + i, "M") for i, n in enumerate(NAMES)),
            tuple(PassengerRequest(*p) for p in PASSENGERS),
        ):
            try:
                while True:
                    request = BookingRequest(
                        TRAIN, day, FROM, TO, CLASS, "GN", party, client_reference=f"fill-{booked}"
                    )
                    railway.book(token, request)
                    booked += 1
            except WaitlistFull:
                pass
        return str(day), booked
    finally:
        railway.close()


def build_settings(db: Path) -> Settings:
    return Settings(db_path=db, clock=FixedClock(NOW))


def audit(db: Path, booked: int, in_flight: int) -> list[str]:
    """What is wrong with the database after the rush (nothing, one hopes). Up to
    ``in_flight`` bookings may be stored unanswered: wrk stops with requests in flight, and
    the server commits them all the same (a client would retry with the same reference)."""
    problems = []
    railway = build_railway(build_settings(db))
    train, cls = railway.catalog.trains[TRAIN], railway.catalog.classes[CLASS]
    layout = inventory.layout(train, cls)
    railway.close()
    with closing(sqlite3.connect(db)) as conn:
        (bookings,) = conn.execute("SELECT count(*) FROM bookings").fetchone()
        if not booked <= bookings <= booked + in_flight:
            problems.append(
                f"{bookings} bookings stored, {booked} answered as booked"
                f" (up to {in_flight} cut off in flight)"
            )
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM passengers a JOIN passengers b"
            " ON a.train = b.train AND a.origin_date = b.origin_date AND a.class_code ="
            " b.class_code AND a.coach = b.coach AND a.berth = b.berth AND a.slot = b.slot"
            " AND (a.pnr, a.number) < (b.pnr, b.number) AND a.state IN ('CNF', 'RAC')"
            " AND b.state IN ('CNF', 'RAC') AND a.from_index < b.to_index"
            " AND b.from_index < a.to_index)"
        ).fetchone()[0]
        if twice:
            problems.append(f"{twice} pairs of passengers hold one place on one leg")
        pools = conn.execute(
            "SELECT train, origin_date, class_code, quota, count(wl_no), max(wl_no)"
            " FROM passengers WHERE wl_no IS NOT NULL GROUP BY 1, 2, 3, 4"
        ).fetchall()
        for *pool, issued, highest in pools:
            if issued != highest:
                problems.append(f"waitlist numbers of {pool} not gapless: {issued} of {highest}")
        for origin, layout_name, legs in conn.execute(
            "SELECT origin_date, layout, legs FROM seat_maps WHERE train = ? AND class_code = ?",
            (TRAIN, CLASS),
        ).fetchall():
            rows = [0] * layout.legs
            for coach, berth, slot, leg in conn.execute(
                "SELECT coach, berth, slot, leg FROM occupancy"
                " WHERE train = ? AND origin_date = ? AND class_code = ?",
                (TRAIN, origin, CLASS),
            ):
                rows[leg] |= 1 << layout.index[(coach, berth, slot)]
            if layout_name != layout.fingerprint or SeatMap.from_bytes(layout, legs).legs != rows:
                problems.append(f"the seat map of {origin} is not its occupancy rows")
    return problems


def in_process(n: int) -> dict[str, float]:
    """Medians (us) of one Book through the core, REST and SOAP, in-process, lightly filled."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = build_settings(Path(tmp) / "inproc.sqlite3")
        app = create_app(settings)
        http = Client(app)
        token = app.railway.login("MMT", password("MMT")).token
        days = run_dates(30)
        samples: dict[str, list[float]] = {"core": [], "REST": [], "SOAP": []}
        for i in range(n):
            day = days[i % len(days)]
            started = time.perf_counter_ns()
            app.railway.book(
                token,
                BookingRequest(
                    TRAIN,
                    day,
                    FROM,
                    TO,
                    CLASS,
                    "GN",
                    tuple(PassengerRequest(*p) for p in PASSENGERS),
                    client_reference=f"core-{i}",
                ),
            )
            samples["core"].append(time.perf_counter_ns() - started)
            started = time.perf_counter_ns()
            response = http.post(
                "/rest/v1/bookings",
                data=REST_BODY % day,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": f"rest-{i}",
                    "Content-Type": "application/json",
                },
            )
            samples["REST"].append(time.perf_counter_ns() - started)
            assert response.status_code == 201, response.get_data()[:300]
            started = time.perf_counter_ns()
            response = http.post(
                "/soap",
                data=SOAP_BODY % (token, day, f"soap-{i}"),
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            )
            samples["SOAP"].append(time.perf_counter_ns() - started)
            assert response.status_code == 200, response.get_data()[:300]
        app.close()
    return {k: statistics.median(v[10:]) / 1000 for k, v in samples.items()}


def per(seconds: float, answers: float) -> str:
    """CPU milliseconds per answer."""
    return f"{1000 * seconds / answers:.2f}" if answers else "-"


def password(agent: str) -> str:
    return {a.code: a.demo_password for a in demo_agents()}[agent]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--n", type=int, default=200, help="in-process samples")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("error: wrk is not installed (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "rush.sqlite3"
        build_railway(build_settings(db)).close()  # created and seeded before the workers start
        server = Gunicorn(db, folder / "gunicorn.log")
        try:
            tokens = []
            for agent in ("MMT", "PAYTM", "AGODA"):
                answer = requests.post(
                    f"{server.base}/rest/v1/sessions",
                    json={"agent": agent, "password": password(agent)},
                    timeout=30,
                )
                answer.raise_for_status()
                tokens.append(answer.json()["token"])
            days = run_dates(60)
            print(
                f"gunicorn 2 sync workers, SQLite; wrk -t2 -c{args.connections}"
                f" -d{args.seconds:g}s; 2 passengers per Book on {TRAIN} {CLASS} {FROM}-{TO}"
            )
            results: list[tuple[str, dict[str, float]]] = []
            lua = script(folder, "rest", "nosession", tokens, days[:1])
            results.append(("REST 401 (floor)", wrk(server, lua, args.seconds, args.connections)))
            lua = script(folder, "rest", "book", tokens, days)
            results.append(("REST Book", wrk(server, lua, args.seconds, args.connections)))
            full, filled = sorted(full_days(db)), 0
            if not full:
                day, filled = fill_up(db, days[0])
                full = [day]
            left = [d for d in days if str(d) > full[-1]]
            lua = script(folder, "rest", "regret", tokens, [date.fromisoformat(full[0])])
            results.append(("REST REGRET", wrk(server, lua, args.seconds, args.connections)))
            lua = script(folder, "soap", "book", tokens, left)
            results.append(("SOAP Book", wrk(server, lua, args.seconds, args.connections)))
            lua = script(folder, "soap", "regret", tokens, [date.fromisoformat(full[0])])
            results.append(("SOAP REGRET", wrk(server, lua, args.seconds, args.connections)))
        finally:
            server.stop()

        floor = results[0][1]["other"] / results[0][1]["seconds"]
        print(
            f"\n{'run':18} {'answers/s':>10} {'Books/s':>9} {'pass./s':>8} {'REGRET/s':>9}"
            f" {'p50 ms':>7} {'p99 ms':>7} {'x floor':>8} {'CPU ms/answer':>14} {'wrk':>5}"
        )
        booked = filled
        for name, r in results:
            answered = r["booked"] + r["regret"] + r["other"]
            answers = answered / r["seconds"]

            books = r["booked"] / r["seconds"]
            booked += int(r["booked"])
            print(
                f"{name:18} {answers:10.0f} {books:9.0f} {2 * books:8.0f}"
                f" {r['regret'] / r['seconds']:9.0f} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f}"
                f" {answers / floor:8.2f} {per(r['workers_cpu'], answered):>14}"
                f" {per(r['wrk_cpu'], answered):>5}"
            )
            if r["errors"] or (r["other"] and name != "REST 401 (floor)"):
                print(f"  {name}: {r['other']:.0f} other answers, {r['errors']:.0f} socket errors")
        print(f"train-days filled to REGRET: {len(full_days(db))}")
        with closing(sqlite3.connect(db)) as conn:
            (stored,) = conn.execute("SELECT count(*) FROM bookings").fetchone()
        problems = audit(db, booked, in_flight=2 * args.connections)  # two Book runs
        print(
            f"audit: {stored} bookings stored, {booked} answered as booked:",
            "clean" if not problems else "; ".join(problems),
        )

    medians = in_process(args.n)
    print(
        f"\nin-process Book medians (us), lightly filled: core {medians['core']:.0f},"
        f" REST {medians['REST']:.0f} (core {medians['core'] / medians['REST']:.0%}),"
        f" SOAP {medians['SOAP']:.0f} (core {medians['core'] / medians['SOAP']:.0%})"
    )


if __name__ == "__main__":
    try:
        main()
    except WaitlistFull as error:  # the in-process run filled a class: too many samples
        raise SystemExit(f"error: {error}") from None
