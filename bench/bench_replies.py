"""Reading replies: the generated client's lxml fast path against zeep, on the same bytes.

For each committed sample response of this contract (answers and faults), and for a 10-train
SearchTrain answer, measured side by side in one run (medians of ``--n`` reads):

* zeep's ``process_reply`` (its own reading: status, parse, the body into zeep objects);
* the generated client reading through zeep (``fast=False``: zeep's objects converted into the
  generated dataclasses);
* the generated client's fast path (``fast=True``: zeep's safe parser, then lxml straight into
  the dataclasses);
* the floor: ``lxml.etree.fromstring`` of the same bytes.

Times are this process's CPU time (``time.process_time``), so that other work on a shared
machine doesn't count; medians in microseconds. Prints a row per reply and the ratio zeep
``process_reply`` / fast path, then the median ratio over answers and over faults; the goal is
at least 5x. Usage: ``.venv/bin/python bench/bench_replies.py [--n 200]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from soap_client import WSDL_PATH  # noqa: E402
from soap_client import irctc_client as wire  # noqa: E402
from soap_client.replay import SAMPLES_DIR, load_manifest  # noqa: E402
from soap_client.runtime import ServiceFault  # noqa: E402


def response(content: bytes, status: int) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = content
    answer.headers["Content-Type"] = "text/xml; charset=utf-8"
    return answer


def median_us(fn: Callable[[], object], n: int) -> float:
    for _ in range(min(20, n)):
        fn()
    samples = []
    for _ in range(n):
        started = time.process_time()
        fn()
        samples.append(time.process_time() - started)
    return statistics.median(samples) * 1e6


def quietly(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return fn()
        except (ServiceFault, Exception):  # faults are replies too: reading them is the work
            return None

    return run


def ten_trains(one: bytes) -> bytes:
    """A SearchTrain answer with ten trains, made from a sample's first train."""
    text = one.decode()
    start = text.index("<tns:TrainAvailability>")
    end = text.index("</tns:TrainAvailability>") + len("</tns:TrainAvailability>")
    trains = text[start:end] * 10
    close = text.rindex("</tns:TrainAvailability>") + len("</tns:TrainAvailability>")
    return (text[:start] + trains + text[close:]).encode()


def readers_for(
    clients: dict[bool, Any], operation: str, data: bytes, status: int
) -> list[Callable[[], object]]:
    """zeep's process_reply, the generated client via zeep, its fast path, lxml's parse."""
    op = clients[True].operations[operation]
    binding = clients[True]._binding
    zeep_op = binding.get(operation)
    zeep_client = clients[True].zeep
    return [
        quietly(lambda: binding.process_reply(zeep_client, zeep_op, response(data, status))),
        quietly(lambda: clients[False]._reply(op, response(data, status))),
        quietly(lambda: clients[True]._reply(op, response(data, status))),
        lambda: etree.fromstring(data),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    clients = {
        fast: wire.IrctcReservationClient(str(WSDL_PATH), "http://core.test/soap", fast=fast)
        for fast in (True, False)
    }
    cases: list[tuple[str, str, bytes, int]] = []
    for sample in load_manifest(SAMPLES_DIR).samples:
        if sample.operation not in wire.IrctcReservationClient.operations:
            continue
        data = sample.response.read_bytes()
        status = re.match(rb"<!-- HTTP (\d+) -->", data)
        cases.append((sample.id, sample.operation, data, int(status.group(1)) if status else 200))
    search = next(c for c in cases if c[1] == "SearchTrain" and b"<tns:Trains>" in c[2])
    cases.append(("search-10-trains", "SearchTrain", ten_trains(search[2]), 200))
    print(
        f"{'reply':34} {'bytes':>6} {'zeep':>8} {'via zeep':>9} {'fast':>7} {'lxml':>6} "
        f"{'zeep/fast':>9}"
    )
    ratios: dict[str, list[float]] = {"answers": [], "faults": []}
    for name, operation, data, status in cases:
        readers = readers_for(clients, operation, data, status)
        zeep_us, slow_us, fast_us, floor_us = (median_us(r, args.n) for r in readers)
        ratio = zeep_us / fast_us
        ratios["faults" if status != 200 else "answers"].append(ratio)
        print(
            f"{name[:34]:34} {len(data):6} {zeep_us:8.1f} {slow_us:9.1f} {fast_us:7.1f} "
            f"{floor_us:6.1f} {ratio:8.1f}x"
        )
    print("CPU microseconds, medians; 'via zeep' is the generated client with fast=False")
    for kind, values in ratios.items():
        if values:
            print(
                f"{kind}: zeep/fast median {statistics.median(values):.1f}x, "
                f"min {min(values):.1f}x over {len(values)} replies"
            )


if __name__ == "__main__":
    main()
