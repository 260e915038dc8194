"""What a SOAP call costs in-process, next to REST, the core, the answer writers and the lxml floor.

Issue 13, goal 3. For SearchTrain, GetPnrStatus and Book it measures, in one run and side by
side, each request handed to the WSGI application directly (a prepared environ, no socket, no
test client, so the harness costs nothing):

* ``soap``: the whole SOAP stack as it runs: the hardened edge (one parse, header checks), the
  compiled reader (one schema validation, one walk to the service's values), the core, the
  compiled writer;
* ``soap spyne``: the same stack with the compiled reader switched off, so Spyne's request
  machinery reads the call (its contexts, events, validation and deserialisation): before;
* ``rest``: the same call as REST/JSON on the same core;
* ``core``: ``Railway.call`` alone (domain and SQLite);
* ``soap wire``: the SOAP endpoint over a canned core (the answer computed once), so only the
  per-request cost of the SOAP facade is left: read the body, parse, check, validate, read,
  write the answer (``wire spyne``: the same with Spyne reading the request);
* ``writer``: the compiled writer alone, the domain's answer view to the envelope's bytes (the
  writer keeps the text of an immutable view it has written, by identity: for SearchTrain it
  finds the fares, the same objects for every search as the core offers them; for GetPnrStatus
  it keeps nothing, as for a booking's views, new every call: ``new_views_only``);
* ``spyne models+ser``: what it replaced at its plainest: the view to Spyne models
  (``to_model``) and Spyne's own SOAP 1.1 serialiser to bytes, the same document;
* ``floor``: lxml parsing the request envelope and serialising the same answer (parsed from its
  bytes): the least any XML stack does for the call.

Times are this thread's CPU time (``time.thread_time_ns``), so other work on a shared machine
counts as little as possible; medians and p95 in microseconds. The ratios the goals are about
(SOAP/REST <= 1.3 and SOAP/floor <= 10 for SearchTrain, wire/floor <= 3 for GetPnrStatus) are
printed at the end, each with the Spyne reader's figure beside it. ``--profile`` adds
cProfile's top entries for a SOAP SearchTrain and for GetPnrStatus over a canned core (with the
compiled reader, then with Spyne's).
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
from soap_server.soap import types as t  # noqa: E402
from soap_server.soap.app import build_facade, operation_names  # noqa: E402
from soap_server.soap.endpoint import SoapEndpoint  # noqa: E402
from soap_server.soap.mapping import to_model  # noqa: E402
from soap_server.soap.writer import AnswerWriter, Fragments  # noqa: E402
from soap_server.wsgi import CoreApp, create_app  # noqa: E402
from soap_server.xmlguard import Limits  # noqa: E402

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
JOURNEY = date(2025, 11, 30)
ROUTE = ("BPL", "AGC")
Call = Callable[[int], object]


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


def new_views_only(writer: AnswerWriter) -> AnswerWriter:
    """``writer`` as it runs for answers whose views are new every call (a booking's, which
    the core builds per call): the text of the immutable views it has written is not kept (a
    real worker's writer stops keeping them once its trial finds no repeat; a canned answer,
    the same object every call, would be found every time)."""
    for value in writer._names.values():
        if isinstance(value, Fragments):
            value._off = True
    return writer


def canned_endpoint(
    app: CoreApp, answer: Any, reader: bool = True, new_views: bool = False
) -> SoapEndpoint:
    """The SOAP endpoint as the app builds it, over a core that answers ``answer`` (with the
    compiled reader, or with Spyne reading every request; ``new_views``: see new_views_only)."""
    from spyne.server.wsgi import WsgiApplication

    settings = app.settings
    facade = build_facade(CannedCore(answer))  # type: ignore[arg-type]
    if new_views:
        new_views_only(facade.application.irctc_writer)
    application = facade.application
    return SoapEndpoint(
        WsgiApplication(application),
        app._wsdl,
        operation_names(application),
        Limits(
            settings.max_body_bytes,
            settings.max_xml_depth,
            settings.max_xml_attributes,
            settings.max_xml_elements,
        ),
        facade.reader if reader else None,
    )


def spyne_reading(app: CoreApp) -> CoreApp:
    """A second app on the same core and database whose SOAP endpoint leaves every request to
    Spyne (the compiled reader switched off): the path before, beside the one after."""
    other = create_app(app.settings, app.railway)
    other.soap.reader = None
    return other


def spyne_answer(app: CoreApp, operation: str, model_of: Callable[[], Any]) -> Call:
    """The view to Spyne models and Spyne's own SOAP 1.1 serialiser to bytes (the answer path
    the compiled writer replaced, at its plainest)."""
    from spyne import MethodContext
    from spyne.protocol.soap import Soap11

    application = app.soap_application
    protocol = Soap11()
    protocol.set_app(application)
    descriptor = application.interface.service_method_map[f"{{{TNS}}}{operation}"][0]

    def run(_: int) -> bytes:
        ctx = MethodContext(app.soap_server, MethodContext.SERVER)
        ctx.descriptor = descriptor
        ctx.out_object = [model_of()]
        protocol.serialize(ctx, protocol.RESPONSE)
        protocol.create_out_string(ctx)
        return b"".join(ctx.out_string)

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
        before = spyne_reading(app)
        search_spyne = soap_call(before, search_request)
        assert search_spyne() == search_answer
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
        search_wire_spyne = soap_call(canned_endpoint(app, search_view, False), search_request)
        writer = AnswerWriter(app.soap_application, ops.OPERATIONS)

        # GetPnrStatus, on a booking made for it
        booked = soap_call(app, envelope(book_body("bench-pnr", JOURNEY), token))()
        pnr = etree.fromstring(booked).findtext(f".//{{{TNS}}}Pnr")
        assert pnr is not None, booked[:300]
        pnr_request = envelope(
            f"<tns:GetPnrStatus><tns:Pnr>{pnr}</tns:Pnr></tns:GetPnrStatus>", token
        )
        pnr_soap = soap_call(app, pnr_request)
        pnr_answer = pnr_soap()
        pnr_spyne = soap_call(before, pnr_request)
        assert pnr_spyne() == pnr_answer
        pnr_view = railway.call(ops.GET_PNR_STATUS, token, PnrRequest(pnr)).value
        pnr_rest = wsgi(app, "GET", f"/rest/v1/bookings/{pnr}", authorization=bearer)
        pnr_wire = soap_call(canned_endpoint(app, pnr_view, new_views=True), pnr_request)
        pnr_wire_spyne = soap_call(canned_endpoint(app, pnr_view, False, True), pnr_request)
        pnr_writer = new_views_only(AnswerWriter(app.soap_application, ops.OPERATIONS))
        assert pnr_wire() == pnr_wire_spyne() == pnr_answer

        # Book: a new reference (and a spread of dates) every call
        def book_soap(prefix: str, target: CoreApp = app) -> Call:
            def run(i: int) -> bytes:
                body = envelope(book_body(f"{prefix}-{i}", travel_date(i)), token)
                return soap_call(target, body)()

            return run

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
            ("SearchTrain", "soap spyne", once(search_spyne)),
            ("SearchTrain", "rest", once(rest_search)),
            (
                "SearchTrain",
                "core",
                lambda _: railway.call(ops.SEARCH_TRAIN, token, search_core).value,
            ),
            ("SearchTrain", "soap wire", once(search_wire)),
            ("SearchTrain", "wire spyne", once(search_wire_spyne)),
            ("SearchTrain", "writer", lambda _: writer.answer("SearchTrain", search_view)),
            (
                "SearchTrain",
                "spyne models+ser",
                spyne_answer(
                    app,
                    "SearchTrain",
                    lambda: [to_model(t.TrainAvailability, v) for v in search_view.trains],
                ),
            ),
            ("SearchTrain", "floor", floor(search_request, search_answer)),
            ("GetPnrStatus", "soap", once(pnr_soap)),
            ("GetPnrStatus", "soap spyne", once(pnr_spyne)),
            ("GetPnrStatus", "rest", once(pnr_rest)),
            (
                "GetPnrStatus",
                "core",
                lambda _: railway.call(ops.GET_PNR_STATUS, token, PnrRequest(pnr)).value,
            ),
            ("GetPnrStatus", "soap wire", once(pnr_wire)),
            ("GetPnrStatus", "wire spyne", once(pnr_wire_spyne)),
            ("GetPnrStatus", "writer", lambda _: pnr_writer.answer("GetPnrStatus", pnr_view)),
            (
                "GetPnrStatus",
                "spyne models+ser",
                spyne_answer(app, "GetPnrStatus", lambda: to_model(t.BookingDetails, pnr_view)),
            ),
            ("GetPnrStatus", "floor", floor(pnr_request, pnr_answer)),
            ("Book", "soap", book_soap("soap")),
            ("Book", "soap spyne", book_soap("spyne", before)),
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

        goals = [
            ("SearchTrain", "soap", "rest", "<= 1.3"),
            ("SearchTrain", "soap", "floor", "<= 10"),
            ("SearchTrain", "soap wire", "floor", ""),
            ("SearchTrain", "soap", "core", ""),
            ("SearchTrain", "rest", "core", ""),
            ("SearchTrain", "spyne models+ser", "writer", ""),
            ("GetPnrStatus", "soap wire", "floor", "<= 3"),
            ("GetPnrStatus", "soap", "rest", ""),
            ("GetPnrStatus", "spyne models+ser", "writer", ""),
            ("Book", "soap", "rest", ""),
        ]
        spyne_of = {"soap": "soap spyne", "soap wire": "wire spyne"}
        print("\nratios of medians (goal in brackets), compiled reader | Spyne reading:")
        for operation, a, b, goal in goals:
            value = medians[operation, a] / medians[operation, b]
            label = f"{operation} {a} / {b}"
            spyne = ""
            if a in spyne_of:
                spyne = f"{medians[operation, spyne_of[a]] / medians[operation, b]:7.2f}"
            print(f"  {label:40} {value:7.2f} | {spyne:7}  {'[' + goal + ']' if goal else ''}")

        if args.profile:
            profile("SOAP SearchTrain", search_soap, n)
            profile("SOAP GetPnrStatus over a canned core, compiled reader", pnr_wire, n)
            profile("SOAP GetPnrStatus over a canned core, Spyne reading", pnr_wire_spyne, n)
        app.close()


if __name__ == "__main__":
    main()
