"""One core, three eras: the same journey through SOAP, REST and plain XML leaves the core in
the same state, and ``compare`` measures all three over real HTTP."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import requests

from soap_client.__main__ import main
from soap_client.compare.measure import ERAS, _clients, _journey
from soap_client.eras import Traveller, Trip
from soap_server.storage import SqliteStore
from soap_server.wsgi import create_app
from tests.conftest import JOURNEY, PASSWORDS, core_settings
from tests.support import all_occupancy, all_passengers, serving

PASSENGERS = (Traveller("Ravi Kumar", 34, "M"), Traveller("Anita Kumar", 31, "F"))


@contextmanager
def core(db_path: Path) -> Iterator[str]:
    app = create_app(core_settings(db_path))
    try:
        with serving(app) as url:
            yield url
    finally:
        app.close()


def state(db_path: Path) -> dict[str, Any]:
    """What the core holds, without what differs by nature (PNRs, references, tokens)."""
    db = SqliteStore(db_path)
    try:
        with db.read() as tx:
            counts = {t: tx.count(t) for t in ("bookings", "passengers", "occupancy")}
    finally:
        db.close()
    passengers = [
        {k: v for k, v in asdict(p).items() if k != "pnr"} for p in all_passengers(db_path)
    ]
    occupancy = sorted(row[:7] for row in all_occupancy(db_path))
    return {"passengers": passengers, "occupancy": occupancy, "counts": counts}


def test_the_three_eras_leave_the_same_state(tmp_path: Path) -> None:
    states, answers = {}, {}
    for era in ERAS:
        db_path = tmp_path / f"{era}.sqlite3"
        with core(db_path) as url:
            clients = _clients(url, "MMT", PASSWORDS["MMT"])
            trip = Trip("12952", JOURNEY, "NDLS", "MMCT", "3A", PASSENGERS, f"EQ-{era}")
            answers[era] = _journey(era, clients[era], trip, [])
        states[era] = state(db_path)
    assert answers["SOAP"] == answers["REST"] == answers["XML"]
    assert answers["SOAP"][2] == "book: CNF/B1/2, CNF/B1/3"
    assert states["SOAP"] == states["REST"] == states["XML"]
    assert states["SOAP"]["counts"] == {"bookings": 1, "passengers": 2, "occupancy": 0}
    cancelled = [p["state"] for p in states["SOAP"]["passengers"]]
    assert cancelled == ["CAN", "CAN"]  # passenger 1 by the journey, 2 by its restore step


def test_compare_over_http(live_server: str, tmp_path: Path) -> None:
    out = io.StringIO()
    code = main(
        [
            "--url",
            live_server,
            "--password",
            PASSWORDS["MMT"],
            "--json",
            "compare",
            "--runs",
            "2",
            "--report",
            str(tmp_path / "report"),
        ],
        stdout=out,
    )
    assert code == 0
    report = json.loads(out.getvalue())
    assert report["runs"] == 2 and len(report["measures"]) == 2 * 3 * 6
    outcomes = report["outcomes"]
    assert outcomes["SOAP"] == outcomes["REST"] == outcomes["XML"]
    for era in ERAS:
        for operation in (
            "Login",
            "SearchTrain",
            "Book",
            "GetPnrStatus",
            "CancelBooking",
            "Logout",
        ):
            cell = report["per_operation"][era][operation]
            assert cell["round_trips"]["median"] == 1
            assert cell["client_ms"]["median"] > 0 and cell["server_ms"]["median"] > 0
            assert cell["client_ms"]["p95"] >= cell["client_ms"]["median"]
    soap, rest = report["journey_totals"]["SOAP"], report["journey_totals"]["REST"]
    assert soap["wire_bytes"] > rest["wire_bytes"]  # envelopes and namespaces cost bytes
    contracts = report["contract_bytes"]
    assert contracts == {
        "SOAP": len(requests.get(f"{live_server}?wsdl", timeout=10).content),
        "REST": len(requests.get(live_server[:-5] + "/rest/v1/openapi.json", timeout=10).content),
        "XML": len(requests.get(live_server[:-5] + "/xml", timeout=10).content),
    }
    folder = tmp_path / "report"
    markdown = (folder / "report.md").read_text()
    for chart in ("bytes.svg", "client-time.svg", "server-time.svg", "cpu.svg", "contracts.svg"):
        assert f"]({chart})" in markdown
        assert (folder / chart).read_text().startswith("<svg")
    assert "| Book | SOAP |" in markdown


def test_compare_text_output_and_errors(live_server: str) -> None:
    out = io.StringIO()
    assert (
        main(
            ["--url", live_server, "--password", PASSWORDS["MMT"], "compare", "--runs", "1"],
            stdout=out,
        )
        == 0
    )
    text = out.getvalue()
    assert "journey totals" in text and "client code:" in text and "contracts:" in text
    with pytest.raises(SystemExit) as refused:  # a usage mistake, refused by the parser
        main(
            ["--url", live_server, "--password", PASSWORDS["MMT"], "compare", "--runs", "0"],
            stdout=io.StringIO(),
        )
    assert refused.value.code == 2
