"""Playing the same journey through SOAP, REST and plain XML against one core, and measuring it.

For every era and operation it records the request and response body bytes, the bytes on the
wire (body plus HTTP headers), the HTTP round trips, the client-side wall time, the server-side
time (the core's ``Server-Timing`` header) and the client's CPU time. Every journey books the
same two passengers on the same train, date and class, and after its measured cancellation of
passenger 1 it cancels passenger 2 (not measured): the berths are free again, so each journey
starts from the same state and gets the same answers but for PNRs, tokens and references, which
keep the same lengths. The order of the eras rotates from run to run so none is always first.
"""

from __future__ import annotations

import re
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

from soap_client.eras import EraClient, Traveller, Trip
from soap_client.eras.plainxml import PlainXmlEra
from soap_client.eras.rest import RestEra
from soap_client.eras.soap import SoapEra

ERAS = ("SOAP", "REST", "XML")
#: The journey's operations, named as the contract (and the core) name them.
OPERATIONS = ("Login", "SearchTrain", "Book", "GetPnrStatus", "CancelBooking", "Logout")
MAX_RUNS = 200
RESTORE = "restore"  # not an operation of its own: the cancel that frees the last berth
_TIMING = re.compile(r"dur=([0-9.]+)")
_ERA_FILES = {"SOAP": "soap.py", "REST": "rest.py", "XML": "plainxml.py"}


@dataclass
class Measure:
    era: str
    operation: str
    request_bytes: int
    response_bytes: int
    wire_bytes: int
    round_trips: int
    client_ms: float
    server_ms: float
    cpu_ms: float


@dataclass
class Exchange:
    request_bytes: int
    response_bytes: int
    wire_bytes: int
    server_ms: float


class Recorder:
    """A ``requests`` response hook that keeps what each HTTP exchange cost."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body or b""
        sent = len(body if isinstance(body, bytes) else str(body).encode())
        received = len(response.content)
        headers_out = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
        headers_in = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        request_line = len(f"{request.method} {request.path_url} HTTP/1.1\r\n\r\n")
        status_line = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n\r\n")
        timing = _TIMING.search(response.headers.get("Server-Timing", ""))
        self.exchanges.append(
            Exchange(
                sent,
                received,
                sent + received + headers_out + headers_in + request_line + status_line,
                float(timing.group(1)) if timing else 0.0,
            )
        )


@dataclass
class Comparison:
    runs: int
    measures: list[Measure] = field(default_factory=list)
    contract_bytes: dict[str, int] = field(default_factory=dict)
    client_lines: dict[str, int] = field(default_factory=dict)
    generated_lines: int = 0
    outcomes: dict[str, list[str]] = field(default_factory=dict)

    def cell(self, era: str, operation: str, metric: str) -> list[float]:
        return [
            float(getattr(m, metric))
            for m in self.measures
            if m.era == era and m.operation == operation
        ]

    def median(self, era: str, operation: str, metric: str) -> float:
        values = self.cell(era, operation, metric)
        return statistics.median(values) if values else 0.0

    def p95(self, era: str, operation: str, metric: str) -> float:
        values = sorted(self.cell(era, operation, metric))
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]

    def total(self, era: str, metric: str, use: str = "median") -> float:
        pick = self.median if use == "median" else self.p95
        return sum(pick(era, operation, metric) for operation in OPERATIONS)


def code_lines(path: Path) -> int:
    """Lines of code: neither blank nor comment-only (docstrings count, as code a person reads)."""
    return sum(
        1
        for line in path.read_text("utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    )


def _clients(soap_url: str, agent: str, password: str) -> dict[str, Callable[..., EraClient]]:
    base = soap_url.rstrip("/").removesuffix("/soap")
    return {
        "SOAP": lambda session: SoapEra(soap_url, agent, password, session),
        "REST": lambda session: RestEra(f"{base}/rest/v1", agent, password, session),
        "XML": lambda session: PlainXmlEra(f"{base}/xml", agent, password, session),
    }


def _server_date(soap_url: str, agent: str, password: str) -> date:
    """The core's own date (its clock may be simulated), from a login that is not measured:
    the session's ``serverTime``."""
    base = soap_url.rstrip("/").removesuffix("/soap") + "/rest/v1"
    with requests.Session() as session:
        answer = session.post(
            f"{base}/sessions", json={"agent": agent, "password": password}, timeout=30
        )
        answer.raise_for_status()
        opened = answer.json()
        session.delete(
            f"{base}/sessions/current",
            headers={"Authorization": f"Bearer {opened['token']}"},
            timeout=30,
        )
    return date.fromisoformat(str(opened["serverTime"])[:10])


def compare(
    soap_url: str,
    agent: str,
    password: str,
    runs: int,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """``runs`` journeys per era; ``progress(done, total)`` is called after each journey."""
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be 1 to {MAX_RUNS}")
    base = _server_date(soap_url, agent, password)
    clients = _clients(soap_url, agent, password)
    result = Comparison(runs)
    for run in range(runs):
        order = ERAS[run % 3 :] + ERAS[: run % 3]
        for era in order:
            trip = Trip(
                train="12952",
                journey_date=base + timedelta(days=10),
                source="NDLS",
                destination="MMCT",
                travel_class="3A",
                passengers=(Traveller("Ravi Kumar", 34, "M"), Traveller("Anita Kumar", 31, "F")),
                reference=f"CMP-{era:4}-{run:04d}-{uuid.uuid4().hex[:8]}".replace(" ", "_"),
            )
            outcome = _journey(era, clients[era], trip, result.measures)
            result.outcomes.setdefault(era, outcome)
            if progress is not None:
                progress(len(result.measures) // len(OPERATIONS), runs * len(ERAS))
    base_url = soap_url.rstrip("/").removesuffix("/soap")
    with requests.Session() as session:
        for era, url in (
            ("SOAP", f"{soap_url}?wsdl"),
            ("REST", f"{base_url}/rest/v1/openapi.json"),
            ("XML", f"{base_url}/xml"),
        ):
            result.contract_bytes[era] = len(session.get(url, timeout=30).content)
    folder = Path(__file__).resolve().parent.parent / "eras"
    result.client_lines = {era: code_lines(folder / name) for era, name in _ERA_FILES.items()}
    result.generated_lines = code_lines(Path(__file__).resolve().parent.parent / "irctc_client.py")
    return result


def _journey(
    era: str, make: Callable[..., EraClient], trip: Trip, into: list[Measure]
) -> list[str]:
    """One journey; returns what each step answered (to check the eras did the same work)."""
    recorder = Recorder()
    with requests.Session() as session:
        session.hooks["response"].append(recorder)
        client = make(session)
        state: dict[str, Any] = {}
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("Login", client.login),
            ("SearchTrain", lambda: client.search(trip)),
            ("Book", lambda: state.setdefault("booking", client.book(trip))),
            ("GetPnrStatus", lambda: client.status(state["booking"][0])),
            ("CancelBooking", lambda: client.cancel(state["booking"][0], [1])),
            (RESTORE, lambda: client.cancel(state["booking"][0], [2])),
            ("Logout", client.logout),
        ]
        answers = []
        for operation, step in steps:
            if operation == RESTORE:  # frees the last berth for the next journey; not measured
                step()
                continue
            before = len(recorder.exchanges)
            cpu, wall = time.process_time(), time.perf_counter()
            answer = step()
            client_ms = (time.perf_counter() - wall) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
            exchanges = recorder.exchanges[before:]
            into.append(
                Measure(
                    era=era,
                    operation=operation,
                    request_bytes=sum(e.request_bytes for e in exchanges),
                    response_bytes=sum(e.response_bytes for e in exchanges),
                    wire_bytes=sum(e.wire_bytes for e in exchanges),
                    round_trips=len(exchanges),
                    client_ms=client_ms,
                    server_ms=sum(e.server_ms for e in exchanges),
                    cpu_ms=cpu_ms,
                )
            )
            answers.append(_normalise(operation, answer))
    return answers


def _normalise(operation: str, answer: Any) -> str:
    if operation == "Book":
        _, statuses = answer
        return f"book: {', '.join(statuses)}"
    if isinstance(answer, list):
        return f"{operation}: {', '.join(answer)}"
    return f"{operation}: {answer if answer is not None else 'ok'}"
