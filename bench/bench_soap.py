"""What a SOAP call costs in-process, next to REST, Spyne's own path, the core and the lxml floor.

Issue 13, goal 3. For SearchTrain, GetPnrStatus and Book it measures, in one run and side by
side, each request handed to the WSGI application directly (a prepared environ, no socket, no
test client, so the harness costs nothing):

* ``soap``: the whole SOAP stack as it runs: the hardened edge, the one parse, schema
  validation, the compiled reader, the core, the compiled writer;
* ``soap via spyne``: the same application with its compiled path switched off, every call
  read, deserialised and dispatched by Spyne (the path main took before the compiled one; its
  answers are written by the same compiled writer now, so this understates the old cost);
* ``rest``: the same call as REST/JSON on the same core;
* ``core``: ``Railway.call`` alone (domain and SQLite);
* ``soap wire``: the SOAP endpoint over a canned core (the answer computed once), so only the
  per-request cost of the SOAP facade is left: read the body, parse, check, validate, read the
  request, write the answer;
* ``floor``: lxml parsing the request envelope and serialising the same answer (parsed from its
  bytes): the least any XML stack does for the call.

Times are this thread's CPU time (``time.thread_time_ns``), so other work on a shared machine
counts as little as possible; medians and p95 in microseconds. The ratios the goals are about
(SOAP/REST <= 1.3 and SOAP/floor <= 10 for SearchTrain, wire/floor <= 3 for GetPnrStatus) are
printed at the end. ``--profile`` adds cProfile's top entries for a SOAP SearchTrain on each path.
Usage::

    .venv/bin/python bench/bench_soap.py [--n 300] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from soap_server.ns import SOAP_ENV, TNS  # noqa: E402
from soap_server.railway import operations as ops  # noqa: E402
from soap_server.railway.agents import demo_agents  # noqa: E402
from soap_server.railway.clock import IST, FixedClock  # noqa: E402
from soap_server.railway.system import Answer  # noqa: E402
from soap_server.railway.views import PnrRequest, SearchRequest  # noqa: E402
from soap_server.settings import Settings  # noqa: E402
from soap_server.soap.endpoint import SoapEndpoint  # noqa: E402
from soap_server.wsgi import CoreApp, create_app  # noqa: E402
from soap_server.xmlguard import Limits  # noqa: E402

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
JOURNEY = date(2025, 11, 30)
ROUTE = ("BPL", "AGC")
Call = Callable[[int], bytes]


def envelope(body: str, token: str) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Header>'
        f"<tns:SessionHeader><tns:SessionToken>{token}</tns:SessionToken></tns:SessionHeader>"
        f"</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def search_body(source: str, destination: str) -> str:
    return (
        f"<tns:SearchTrain><tns:From>{source}</tns:From><tns:To>{destination}</tns:To>"
        f"<tns:JourneyDate>{JOURNEY}</tns:JourneyDate></tns:SearchTrain>"
    )


def travel_date(i: int) -> date:
    """Bookings spread over 40 dates, so that no class fills up during the measurement."""
    return JOURNEY + timedelta(days=i % 40 - 9)


def book_body(reference: str, when: date) -> str:
    return (
        "<tns:Book><tns:TrainNumber>12904</tns:TrainNumber>"
        f"<tns:JourneyDate>{when}</tns:JourneyDate><tns:From>NDLS</tns:From>"
        "<tns:To>MMCT</tns:To><tns:Class>3A</tns:Class><tns:Passengers><tns:Passenger>"
        "<tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age><tns:Gender>M</tns:Gender>"
        "</tns:Passenger><tns:Passenger><tns:Name>Anita Kumar</tns:Name><tns:Age>31</tns:Age>"
        "<tns:Gender>F</tns:Gender></tns:Passenger></tns:Passengers>"
        f"<tns:ClientReference>{reference}</tns:ClientReference></tns:Book>"
    )


def book_json(when: date) -> bytes:
    return (
        f'{{"train": "12904", "date": "{when}", "from": "NDLS", "to": "MMCT", "class": "3A",'
        ' "passengers": [{"name": "Ravi Kumar", "age": 34, "gender": "M"},'
        ' {"name": "Anita Kumar", "age": 31, "gender": "F"}]}'
    ).encode()


def wsgi(
    app: Any, method: str, path: str, body: bytes = b"", **headers: str
) -> Callable[[], bytes]:
    """A call of ``app`` with a prepared environ; returns the answer's bytes."""
    base = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    path, _, query = path.partition("?")
    base["PATH_INFO"], base["QUERY_STRING"] = path, query
    for name, value in headers.items():
        key = name.upper()
        base[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    if body:
        base["CONTENT_LENGTH"] = str(len(body))
    statuses: list[str] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    def call() -> bytes:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(body)
        answer = b"".join(app(environ, start))
        status = statuses.pop()
        if status[0] not in "2":
            raise RuntimeError(f"{method} {path}: {status}: {answer[:300]!r}")
        return answer

    return call


def soap_call(app: Any, body: bytes) -> Callable[[], bytes]:
    return wsgi(app, "POST", "/soap", body, content_type="text/xml; charset=utf-8")


def timed_together(
    measures: list[tuple[str, str, Call]], n: int, warmup: int = 20
) -> list[tuple[str, str, list[float]]]:
    """Every measure once per round, ``n`` rounds: they all see the same machine, whatever
    else it is doing meanwhile, so their ratios hold even where the absolute times drift."""
    for i in range(warmup):
        for _, _, fn in measures:
            fn(-1 - i)
    samples: list[list[float]] = [[] for _ in measures]
    for i in range(n):
        for (_, _, fn), taken in zip(measures, samples, strict=True):
            started = time.thread_time_ns()
            fn(i)
            taken.append((time.thread_time_ns() - started) / 1000)
    return [(op, measure, taken) for (op, measure, _), taken in zip(measures, samples, strict=True)]


def floor(request: bytes, response: bytes) -> Call:
    def run(_: int) -> bytes:
        etree.fromstring(request)
        return etree.tostring(etree.fromstring(response), xml_declaration=True, encoding="UTF-8")

    return run


class CannedCore:
    """A core that answers every call with the answer it was given: the facade's cost alone."""

    def __init__(self, answer: Any) -> None:
        self._answer = Answer(answer, False)
        self.hooks = ()

    def call(self, operation: Any, token: Any, request: Any) -> Answer[Any]:
        return self._answer


def canned_endpoint(app: CoreApp, answer: Any) -> SoapEndpoint:
    settings = app.settings
    return SoapEndpoint(
        app.soap_server,
        app.soap._wsdl,
        frozenset(operation.name for operation in ops.OPERATIONS),
        Limits(
            settings.max_body_bytes,
            settings.max_xml_depth,
            settings.max_xml_attributes,
            settings.max_xml_elements,
        ),
        CannedCore(answer),  # type: ignore[arg-type]
        app.soap_facade,
    )


def spyne_path(app: CoreApp, call: Callable[[], bytes]) -> Callable[[], bytes]:
    def run() -> bytes:
        app.soap.compiled = False
        try:
            return call()
        finally:
            app.soap.compiled = True

    return run


def profile(label: str, fn: Callable[[], object], n: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(14)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"\n-- cProfile, {label}: {n} calls, top 14 by own time")
    for line in lines[start:]:
        print(line.replace(str(ROOT) + "/", "").replace("/usr/lib/python3", "py"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="samples per measure")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    args = parser.parse_args()
    n = args.n

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.sqlite3", clock=FixedClock(NOW))
        app = create_app(settings)
        railway = app.railway
        password = {a.code: a.demo_password for a in demo_agents()}["MMT"]
        token = railway.login("MMT", password).token
        bearer = f"Bearer {token}"
        source, destination = ROUTE

        # SearchTrain
        search_request = envelope(search_body(source, destination), token)
        search_soap = soap_call(app, search_request)
        search_answer = search_soap()
        search_view = railway.call(
            ops.SEARCH_TRAIN, token, SearchRequest(source, destination, JOURNEY)
        ).value
        rest_search = wsgi(
            app,
            "GET",
            f"/rest/v1/trains?from={source}&to={destination}&date={JOURNEY}",
            authorization=bearer,
        )
        search_core = SearchRequest(source, destination, JOURNEY)
        search_wire = soap_call(canned_endpoint(app, search_view), search_request)

        # GetPnrStatus, on a booking made for it
        booked = soap_call(app, envelope(book_body("bench-pnr", JOURNEY), token))()
        pnr = etree.fromstring(booked).findtext(f".//{{{TNS}}}Pnr")
        assert pnr is not None, booked[:300]
        pnr_request = envelope(
            f"<tns:GetPnrStatus><tns:Pnr>{pnr}</tns:Pnr></tns:GetPnrStatus>", token
        )
        pnr_soap = soap_call(app, pnr_request)
        pnr_answer = pnr_soap()
        pnr_view = railway.call(ops.GET_PNR_STATUS, token, PnrRequest(pnr)).value
        pnr_rest = wsgi(app, "GET", f"/rest/v1/bookings/{pnr}", authorization=bearer)
        pnr_wire = soap_call(canned_endpoint(app, pnr_view), pnr_request)

        # Book: a new reference (and a spread of dates) every call
        def book_soap(prefix: str) -> Call:
            def run(i: int) -> bytes:
                body = envelope(book_body(f"{prefix}-{i}", travel_date(i)), token)
                return soap_call(app, body)()

            return run

        def book_spyne(i: int) -> bytes:
            return spyne_path(app, lambda: book_soap("spyne")(i))()

        def book_rest(i: int) -> bytes:
            return wsgi(
                app,
                "POST",
                "/rest/v1/bookings",
                book_json(travel_date(i)),
                authorization=bearer,
                content_type="application/json",
                idempotency_key=f"rest-{i}",
            )()

        book_request = envelope(book_body("bench-floor", JOURNEY), token)

        def once(fn: Callable[[], bytes]) -> Call:
            return lambda _: fn()

        measures: list[tuple[str, str, Call]] = [
            ("SearchTrain", "soap", once(search_soap)),
            ("SearchTrain", "soap via spyne", once(spyne_path(app, search_soap))),
            ("SearchTrain", "rest", once(rest_search)),
            (
                "SearchTrain",
                "core",
                lambda _: railway.call(ops.SEARCH_TRAIN, token, search_core).value,
            ),
            ("SearchTrain", "soap wire", once(search_wire)),
            ("SearchTrain", "floor", floor(search_request, search_answer)),
            ("GetPnrStatus", "soap", once(pnr_soap)),
            ("GetPnrStatus", "soap via spyne", once(spyne_path(app, pnr_soap))),
            ("GetPnrStatus", "rest", once(pnr_rest)),
            (
                "GetPnrStatus",
                "core",
                lambda _: railway.call(ops.GET_PNR_STATUS, token, PnrRequest(pnr)).value,
            ),
            ("GetPnrStatus", "soap wire", once(pnr_wire)),
            ("GetPnrStatus", "floor", floor(pnr_request, pnr_answer)),
            ("Book", "soap", book_soap("soap")),
            ("Book", "soap via spyne", book_spyne),
            ("Book", "rest", book_rest),
            ("Book", "floor", floor(book_request, booked)),
        ]
        rows = timed_together(measures, n)
        medians = {(op, measure): statistics.median(s) for op, measure, s in rows}
        trains = search_answer.count(b"<tns:TrainNumber>")
        print(
            f"in-process, CPU time, n={n} per measure; SearchTrain {source}-{destination}:"
            f" {trains} trains, {len(search_answer):,} bytes; GetPnrStatus {len(pnr_answer):,}"
            " bytes"
        )
        print(f"{'operation':13} {'measure':16} {'median us':>10} {'p95 us':>10} {'x floor':>8}")
        for operation, measure, samples in rows:
            median = medians[operation, measure]
            p95 = statistics.quantiles(samples, n=20)[18]
            ratio = median / medians[operation, "floor"]
            print(f"{operation:13} {measure:16} {median:10.1f} {p95:10.1f} {ratio:8.1f}")

        def ratio(a: tuple[str, str], b: tuple[str, str]) -> float:
            return medians[a] / medians[b]

        print("\nratios (goal in brackets):")
        goals = [
            ("SearchTrain soap / rest", ratio(("SearchTrain", "soap"), ("SearchTrain", "rest")), "<= 1.3"),
            ("SearchTrain soap / floor", ratio(("SearchTrain", "soap"), ("SearchTrain", "floor")), "<= 10"),
            ("SearchTrain soap wire / floor", ratio(("SearchTrain", "soap wire"), ("SearchTrain", "floor")), ""),
            ("SearchTrain soap via spyne / soap", ratio(("SearchTrain", "soap via spyne"), ("SearchTrain", "soap")), ""),
            ("GetPnrStatus soap wire / floor", ratio(("GetPnrStatus", "soap wire"), ("GetPnrStatus", "floor")), "<= 3"),
            ("GetPnrStatus soap / rest", ratio(("GetPnrStatus", "soap"), ("GetPnrStatus", "rest")), ""),
            ("Book soap / rest", ratio(("Book", "soap"), ("Book", "rest")), ""),
        ]  # fmt: skip
        for label, value, goal in goals:
            print(f"  {label:36} {value:6.2f}  {'[' + goal + ']' if goal else ''}")

        if args.profile:
            profile("SOAP SearchTrain, compiled path", search_soap, n)
            profile("SOAP SearchTrain, through Spyne", spyne_path(app, search_soap), n)
        app.close()


if __name__ == "__main__":
    main()
