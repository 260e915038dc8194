"""What a search costs as the timetable grows to 5,000 trains (``serve --catalog``).

Issue 13, goal 6. Generates timetables in a temporary directory, in the shape ``--catalog``
reads (a directory of trains TOML files with a ``stations.csv``): the bundled trains, plus
generated ones on made-up corridors of made-up stations (codes ``QAAA``..., so the bundled
routes keep their answers), for 0, 500, 2,000 and 5,000 generated trains. For each, in one
run and side by side (the core, in-process, on SQLite, with a fixed clock):

* ``load``: reading and checking the timetable (once, at start);
* ``BPL-AGC``: the core's SearchTrain between two bundled stations, whose answer is the same
  trains in every timetable: its cost should not move with the size of the timetable;
* ``busy pair``: a SearchTrain between two generated stations that many generated trains serve,
  and its cost per answer train next to the bundled search's cost per answer train.

Medians in microseconds, ratios to the bundled timetable. Usage::

    .venv/bin/python bench/bench_catalog.py [--n 200] [--sizes 0,500,2000,5000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from soap_server.railway.agents import demo_agents
from soap_server.railway.catalog import load_catalog
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.passwords import Scrypt
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import build_railway

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
DAY = NOW.date() + timedelta(days=10)
WEEK = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
CORRIDORS, STOPS = 10, 14
CLASSES = ("1A", "2A", "3A", "SL", "CC", "2S")


def station_code(i: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "Q" + letters[i // 676 % 26] + letters[i // 26 % 26] + letters[i % 26]


def clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def generate(folder: Path, trains: int, seed: int = 13) -> None:
    """The bundled trains and ``trains`` generated ones, as ``--catalog`` reads them."""
    folder.mkdir(parents=True)
    data = resources.files("soap_server.railway") / "data"
    (folder / "0-bundled.toml").write_text((data / "trains.toml").read_text(encoding="utf-8"))
    codes = [[station_code(c * STOPS + s) for s in range(STOPS)] for c in range(CORRIDORS)]
    with (folder / "stations.csv").open("w") as out:
        out.write("code,name,city,state,aliases\n")
        for corridor in codes:
            for code in corridor:
                out.write(f"{code},Station {code},Town {code},Generated,\n")
    rng = random.Random(seed)
    lines: list[str] = []
    for i in range(trains):
        corridor = codes[rng.randrange(CORRIDORS)]
        first = rng.randrange(STOPS - 5)
        route = corridor[first : rng.randrange(first + 5, STOPS + 1)]
        if rng.random() < 0.5:
            route = route[::-1]
        minutes, km = rng.randrange(24 * 60), 0
        stops = []
        for position, code in enumerate(route):
            day = minutes // (24 * 60) + 1
            arrives = "" if position == 0 else clock(minutes)
            if position == len(route) - 1:
                departs = ""
            else:
                minutes += 0 if position == 0 else 5  # a five-minute halt
                departs = clock(minutes)
            stops.append(
                f'  {{ code = "{code}", arr = "{arrives}", dep = "{departs}",'
                f" day = {day}, km = {km} }},"
            )
            step = rng.randrange(40, 160)  # minutes, and about as many km, to the next stop
            minutes += step
            km += step
        days = sorted(rng.sample(range(7), rng.randrange(3, 8)))
        coaches = {c: rng.randrange(1, 12) for c in rng.sample(CLASSES, rng.randrange(2, 5))}
        lines += [
            "[[trains]]",
            f'number = "{30000 + i}"',
            f'name = "Generated Express {i}"',
            'category = "SUPERFAST"',
            "runs_on = [" + ", ".join(f'"{WEEK[d]}"' for d in days) + "]",
            "coaches = { " + ", ".join(f'"{c}" = {n}' for c, n in sorted(coaches.items())) + " }",
            "stops = [",
            *stops,
            "]",
            "",
        ]
        if (i + 1) % 1000 == 0 or i + 1 == trains:
            (folder / f"generated-{i // 1000:02d}.toml").write_text("\n".join(lines))
            lines = []


def searching(railway: Railway, token: str, source: str, destination: str) -> Callable[[], object]:
    return lambda: railway.search(token, source, destination, DAY)


def timed(fn: Callable[[], object], n: int) -> float:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - started) / 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="samples per measure")
    parser.add_argument("--sizes", default="0,500,2000,5000", help="generated trains per run")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    password = {a.code: a.demo_password for a in demo_agents()}["MMT"]
    busy = (station_code(4), station_code(9))  # on corridor 0, served by many generated trains
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / f"timetable-{size}"
            generate(folder, size)
            started = time.perf_counter()
            catalog = load_catalog(folder)
            load = time.perf_counter() - started
            settings = Settings(
                db_path=Path(tmp) / f"core-{size}.sqlite3",
                clock=FixedClock(NOW),
                password_hashing=Scrypt(n=16, r=1, p=1),
                catalog=catalog,
            )
            railway = build_railway(settings)
            token = railway.login("MMT", password).token
            fixed = len(railway.search(token, "BPL", "AGC", DAY))
            fixed_us = timed(searching(railway, token, "BPL", "AGC"), args.n)
            answer = len(railway.search(token, *busy, DAY)) if size else 0
            busy_us = timed(searching(railway, token, *busy), args.n) if size else 0.0
            rows.append((size, len(catalog.trains), load, fixed, fixed_us, answer, busy_us))
            railway.close()
            shutil.rmtree(folder)

    base = rows[0]
    per_train_base = base[4] / base[3]
    print(f"core in-process SearchTrain, n={args.n} per measure, date {DAY}")
    print(
        f"{'trains':>7} {'load s':>7} {'BPL-AGC us':>11} {'x bundled':>9}"
        f" {'us/train':>9} {'busy pair':>10} {'answer':>7} {'us/train':>9} {'x bundled':>9}"
    )
    for _size, trains, load, fixed, fixed_us, answer, busy_us in rows:
        busy_cells = (
            f"{busy_us:10.0f} {answer:7d} {busy_us / answer:9.1f}"
            f" {busy_us / answer / per_train_base:9.2f}"
            if answer
            else f"{'-':>10} {'-':>7} {'-':>9} {'-':>9}"
        )
        print(
            f"{trains:7d} {load:7.2f} {fixed_us:11.0f} {fixed_us / base[4]:9.2f}"
            f" {fixed_us / fixed:9.1f} {busy_cells}"
        )
    print(f"BPL-AGC answers {base[3]} trains in every timetable; busy pair {busy[0]}-{busy[1]}")


if __name__ == "__main__":
    main()
