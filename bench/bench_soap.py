"""What a SOAP call costs in-process, next to its floor.

For SearchTrain and Book it measures, in one run and side by side:

* ``full``: the whole request through the WSGI app (hardened edge, Spyne parse and schema
  validation, the core, Spyne serialisation), with werkzeug's test client and no socket;
* ``core``: the same call made directly on ``Railway`` (domain + SQLite only);
* ``serialise``: the protocol writing the answer object to bytes (SearchTrain: a 10-train
  answer), through Spyne's ``serialize``/``create_out_string`` API, which the facade's protocol
  now implements by writing lxml directly;
* ``floor``: lxml parsing the request envelope and serialising the response envelope, which is
  the least any XML stack has to do for the call.

Medians and p95 in microseconds, plus ratios to the floor. Usage::

    .venv/bin/python bench/bench_soap.py [--n 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree
from werkzeug.test import Client

from soap_server.ns import SOAP_ENV, TNS
from soap_server.railway.agents import demo_agents
from soap_server.railway.booking import BookingRequest, PassengerRequest
from soap_server.railway.clock import IST, FixedClock
from soap_server.settings import Settings
from soap_server.soap import types as t
from soap_server.soap.mapping import to_model
from soap_server.wsgi import create_app

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
JOURNEY = date(2025, 11, 30)
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


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
    """Spread the bookings over 40 dates so that no class fills up during the measurement
    (Book's cost grows with how full a class is; this measures a lightly filled one)."""
    return JOURNEY + timedelta(days=i % 40 - 9)


def book_body(reference: str, when: date = JOURNEY) -> str:
    return (
        "<tns:Book><tns:TrainNumber>12904</tns:TrainNumber>"
        f"<tns:JourneyDate>{when}</tns:JourneyDate><tns:From>NDLS</tns:From>"
        "<tns:To>MMCT</tns:To><tns:Class>SL</tns:Class><tns:Passengers><tns:Passenger>"
        "<tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age><tns:Gender>M</tns:Gender>"
        "</tns:Passenger><tns:Passenger><tns:Name>Anita Kumar</tns:Name><tns:Age>31</tns:Age>"
        "<tns:Gender>F</tns:Gender></tns:Passenger></tns:Passengers>"
        f"<tns:ClientReference>{reference}</tns:ClientReference></tns:Book>"
    )


def timed(fn: Callable[[int], object], n: int, warmup: int = 20) -> list[float]:
    for i in range(warmup):
        fn(-1 - i)
    samples = []
    for i in range(n):
        started = time.perf_counter_ns()
        fn(i)
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples


def floor(request: bytes, response: bytes) -> Callable[[int], object]:
    def run(_: int) -> object:
        etree.fromstring(request)
        return etree.tostring(etree.fromstring(response), xml_declaration=True, encoding="UTF-8")

    return run


def spyne_serialiser(app: Any, operation: str, result: object) -> Callable[[int], object]:
    # Imported here, after soap_server (and its Spyne fix for Python 3.12+, soap_server/compat.py).
    from spyne import MethodContext
    from spyne.protocol import ProtocolBase

    application = app.soap_application
    descriptor = application.interface.service_method_map[f"{{{TNS}}}{operation}"][0]

    def run(_: int) -> bytes:
        ctx = MethodContext(app.soap_server, MethodContext.SERVER)
        ctx.descriptor = descriptor
        ctx.out_object = [result]
        application.out_protocol.serialize(ctx, ProtocolBase.RESPONSE)
        application.out_protocol.create_out_string(ctx)
        return b"".join(ctx.out_string)

    return run


def report(rows: list[tuple[str, str, list[float]]], floors: dict[str, float]) -> None:
    print(f"{'operation':12} {'measure':28} {'median us':>10} {'p95 us':>10} {'x floor':>8}")
    for operation, measure, samples in rows:
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[18]
        ratio = median / floors[operation]
        print(f"{operation:12} {measure:28} {median:10.1f} {p95:10.1f} {ratio:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="samples per measure")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.sqlite3", clock=FixedClock(NOW))
        app = create_app(settings)
        railway = app.railway
        http = Client(app)
        password = {a.code: a.demo_password for a in demo_agents()}["MMT"]
        token = railway.login("MMT", password).token

        source, destination = "BPL", "AGC"
        options = railway.search(token, source, destination, JOURNEY)
        ten = [to_model(t.TrainAvailability, options[i % len(options)]) for i in range(10)]
        search_request = envelope(search_body(source, destination), token)
        search_response = http.post("/soap", data=search_request, headers=HEADERS).get_data()
        book_request = envelope(book_body("bench-floor"), token)
        book_response = http.post("/soap", data=book_request, headers=HEADERS).get_data()
        ten_response = spyne_serialiser(app, "SearchTrain", ten)(0)

        def search_full(_: int) -> object:
            return http.post("/soap", data=search_request, headers=HEADERS).get_data()

        def book_full(i: int) -> object:
            data = envelope(book_body(f"bench-full-{i}", travel_date(i)), token)
            return http.post("/soap", data=data, headers=HEADERS).get_data()

        def book_core(i: int) -> object:
            request = BookingRequest(
                "12904",
                travel_date(i),
                "NDLS",
                "MMCT",
                "3A",
                "GN",
                (PassengerRequest("Ravi Kumar", 34, "M"), PassengerRequest("Anita Kumar", 31, "F")),
                client_reference=f"bench-core-{i}",
            )
            return railway.book(token, request)

        n = args.n
        trains = len(options)
        rows = [
            ("SearchTrain", f"full ({trains} trains)", timed(search_full, n)),
            (
                "SearchTrain",
                f"core ({trains} trains)",
                timed(lambda _: railway.search(token, source, destination, JOURNEY), n),
            ),
            (
                "SearchTrain",
                "serialise (10 trains)",
                timed(spyne_serialiser(app, "SearchTrain", ten), n),
            ),
            (
                "SearchTrain",
                f"floor ({trains} trains)",
                timed(floor(search_request, search_response), n),
            ),
            ("SearchTrain", "floor (10 trains)", timed(floor(search_request, ten_response), n)),
            ("Book", "full (2 passengers)", timed(book_full, n)),
            ("Book", "core (2 passengers)", timed(book_core, n)),
            ("Book", "floor", timed(floor(book_request, book_response), n)),
        ]
        floors = {
            "SearchTrain": statistics.median(rows[3][2]),
            "Book": statistics.median(rows[7][2]),
        }
        print(
            f"in-process, n={n} per measure, {search_response.count(b'<tns:TrainNumber>')}"
            f" trains in the real search answer, {len(ten_response)} bytes for 10 trains"
        )
        report(rows, floors)
        app.close()


if __name__ == "__main__":
    main()
