"""What the workers measure: every call's latency, faults and outcomes, and the progress line."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from typing import TextIO

from lxml import etree

from soap_client.errors import AgentError
from soap_client.models import Booking
from soap_client.ns import TNS
from soap_client.trace import Exchange

#: The operations a journey calls, named as the contract (and the core) name them.
OPERATIONS = ("Login", "SearchTrain", "Book", "GetPnrStatus", "CancelBooking", "Logout")
#: Faults that are answers, not failures: the train is full, or agents are barred for the first
#: minutes of an opening (the era's rule; AgentBarred) and Tatkal is not open yet.
OUTCOME_FAULTS = {
    "WaitlistFull": "REGRET",
    "NoConfirmedSeats": "NoConfirmedSeats",
    "AgentBarred": "AgentBarred",
    "TatkalNotOpen": "TatkalNotOpen",
}
OUTCOMES = ("CNF", "RAC", "WL", "REGRET", "NoConfirmedSeats", "AgentBarred", "TatkalNotOpen")

_READER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def fault_code(exchange: Exchange) -> str | None:
    """The fault code of one round trip (None when it succeeded), as the agent would name it."""
    if exchange.status is None:
        return "Timeout" if "Timeout" in (exchange.error or "") else "Transport"
    if exchange.status == 200:
        return None
    try:
        root = etree.fromstring(exchange.response, _READER)
    except etree.XMLSyntaxError:
        return "HttpError"
    code = root.findtext(f".//{{{TNS}}}ReservationFault/{{{TNS}}}Code")
    if code:
        return code
    faultcode = root.findtext(".//faultcode") or ""
    local = faultcode.split(":")[-1]
    return local.partition(".")[2] or local or "HttpError"


class WireLog:
    """One worker's trace hook: the operation and fault code of every exchange, in order."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[str, str | None]] = []

    def __call__(self, exchange: Exchange) -> None:
        self.exchanges.append((exchange.operation, fault_code(exchange)))


class Meter:
    """Everything the workers measure, shared between them (one lock, short holds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        self.gave_up: Counter[str] = Counter()
        self.absorbed: Counter[str] = Counter()
        self.outcome_faults: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter({o: 0 for o in OUTCOMES})
        self.retries = 0
        self.relogins = 0
        self.journeys = 0
        self.journeys_failed = 0
        self.problems: list[str] = []
        self.started = time.perf_counter()
        #: Seconds into the run of the last AgentBarred answer and of the first booking.
        self.last_barred: float | None = None
        self.first_booked: float | None = None

    def call(
        self,
        op: str,
        elapsed_ms: float,
        exchanges: list[tuple[str, str | None]],
        error: AgentError | None,
    ) -> None:
        """One TravelAgent call and the exchanges it made (retries and re-logins included)."""
        sent = sum(1 for name, _ in exchanges if name == op)
        relogins = 0 if op == "Login" else sum(1 for name, _ in exchanges if name == "Login")
        codes = [code for _, code in exchanges if code is not None]
        if error is not None and exchanges and exchanges[-1][1] is not None:
            codes.pop()  # the fault that was raised: counted below, not as absorbed
        with self._lock:
            self.latencies[op].append(elapsed_ms)
            # A resend after a re-login is the re-login's doing, not a retry.
            self.retries += max(0, sent - 1 - relogins)
            self.relogins += relogins
            self.absorbed.update(codes)
            if error is not None:
                if error.code == "AgentBarred":
                    self.last_barred = time.perf_counter() - self.started
                if error.code in OUTCOME_FAULTS:
                    self.outcome_faults[error.code] += 1
                    self.outcomes[OUTCOME_FAULTS[error.code]] += 1
                else:
                    self.gave_up[error.code] += 1

    def booked(self, booking: Booking, at: float | None = None) -> None:
        with self._lock:
            if at is not None and self.first_booked is None:
                self.first_booked = at - self.started
            for p in booking.passengers:
                kind = p.booking_status.split("/")[0].split()[0]
                self.outcomes["WL" if kind.endswith("WL") else kind] += 1

    def journey(self, completed: bool) -> None:
        with self._lock:
            if completed:
                self.journeys += 1
            else:
                self.journeys_failed += 1

    def problem(self, line: str) -> None:
        with self._lock:
            self.problems.append(line)

    def progress(self) -> tuple[int, int, int]:
        """(journeys, faults, retries) for the progress line."""
        with self._lock:
            faults = sum(self.gave_up.values()) + sum(self.absorbed.values())
            return self.journeys, faults, self.retries


class ProgressLine:
    """``[#########.........] 47%  123 journeys  8.4/s  faults 3  retries 5``, redrawn in place."""

    WIDTH = 18

    def __init__(self, stream: TextIO, meter: Meter, duration: float) -> None:
        self.stream = stream
        self.meter = meter
        self.duration = duration
        self._shown = 0

    def draw(self, elapsed: float, done: bool = False) -> None:
        share = 1.0 if done else min(1.0, elapsed / self.duration)
        filled = round(share * self.WIDTH)
        journeys, faults, retries = self.meter.progress()
        rate = journeys / elapsed if elapsed > 0 else 0.0
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {round(share * 100)}%"
            f"  {journeys} journeys  {rate:.1f}/s  faults {faults}  retries {retries}"
        )
        self.stream.write("\r" + line.ljust(self._shown))
        self._shown = len(line)
        if done:
            self.stream.write("\n")
        self.stream.flush()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (share in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]
