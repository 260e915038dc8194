"""The travel agent's CLI and library against a real server on 127.0.0.1: every command, text
and --json, one-line errors, a lost Book answer, and a session expiring mid-journey."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from soap_client.__main__ import main
from soap_client.agent import TravelAgent
from soap_client.journey import play_journey
from soap_client.ledger import Ledger
from soap_client.trace import Exchange
from soap_server.railway.clock import FixedClock
from soap_server.railway.system import Railway
from soap_server.wsgi import CoreApp
from tests.conftest import JOURNEY, PASSWORDS
from tests.support import serving


def cli(url: str, ledger: Path, *args: str, agent: str = "MMT") -> tuple[int, str]:
    out = io.StringIO()
    code = main(
        [
            "--url",
            url,
            "--agent",
            agent,
            "--password",
            PASSWORDS[agent],
            "--ledger",
            str(ledger),
            *args,
        ],
        stdout=out,
    )
    return code, out.getvalue()


BOOK = [
    "book",
    "--train",
    "12952",
    "--date",
    JOURNEY.isoformat(),
    "--from",
    "NDLS",
    "--to",
    "BCT",
    "--class",
    "3A",
    "--passenger",
    "Ravi Kumar,34,M",
    "--passenger",
    "Anita Kumar,31,F,UB",
]


def test_every_command_in_text_and_json(live_server: str, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"

    code, text = cli(live_server, ledger, "search", "NDLS", "BCT", JOURNEY.isoformat())
    assert code == 0
    assert "12952" in text and "Mumbai Rajdhani" in text and "3A AVAILABLE" in text
    code, text = cli(
        live_server,
        ledger,
        "--json",
        "search",
        "NDLS",
        "MMCT",
        JOURNEY.isoformat(),
        "--class",
        "3A",
    )
    offers = json.loads(text)
    assert code == 0 and {o["number"] for o in offers} >= {"12952"}
    assert all([c["travel_class"] for c in o["classes"]] == ["3A"] for o in offers)

    code, text = cli(live_server, ledger, "--json", *BOOK, "--reference", "MMT-cli-0001")
    booking = json.loads(text)
    assert code == 0 and booking["reference"] == "MMT-cli-0001" and booking["destination"] == "MMCT"
    pnr = booking["pnr"]
    assert [p["current_status"][:4] for p in booking["passengers"]] == ["CNF/", "CNF/"]
    assert booking["total_fare"] == str(
        2 * __import__("decimal").Decimal(booking["fare_per_passenger"]["total"])
    )

    code, text = cli(live_server, ledger, "pnr", pnr)
    assert code == 0 and f"PNR {pnr}" in text and "Anita Kumar" in text
    code, text = cli(live_server, ledger, "--json", "pnr", pnr)
    assert json.loads(text)["pnr"] == pnr

    code, text = cli(live_server, ledger, "--json", "cancel", pnr, "--passenger", "1")
    cancelled = json.loads(text)
    assert (
        code == 0 and cancelled["cancelled"] == [1] and cancelled["charges"] == "189.00"
    )  # Rs 180 and GST

    code, text = cli(live_server, ledger, "bookings")
    assert code == 0 and pnr in text and "BOOKED" in text and "CAN" in text
    code, text = cli(live_server, ledger, "--json", "bookings")
    (entry,) = json.loads(text)
    assert entry["pnr"] == pnr and entry["statuses"][0] == "CAN"

    code, text = cli(live_server, ledger, "--json", "sync")
    assert code == 0 and [b["pnr"] for b in json.loads(text)] == [pnr]

    code, text = cli(live_server, ledger, "cancel", pnr)
    assert code == 0 and "Cancelled passenger(s) 2" in text


def test_journey_command(live_server: str, tmp_path: Path) -> None:
    code, text = cli(live_server, tmp_path / "ledger.sqlite3", "journey")
    assert code == 0
    for step in (
        "logs in",
        "search NDLS -> MMCT",
        "tour group",
        "book two passengers",
        "cancel passenger 1",
        "waitlist moved: GNWL 1 -> CNF/H1/",
        "log out",
    ):
        assert step in text, step
    code, text = cli(live_server, tmp_path / "ledger2.sqlite3", "--json", "journey")
    steps = json.loads(text)
    assert code == 0 and [s["step"] for s in steps] == list(range(1, 9))
    cancellation = steps[5]["result"]
    assert cancellation["promotions"][0]["was"] == "GNWL 1"
    assert steps[6]["result"]["passengers"][1]["current_status"].startswith("CNF/H1/")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["search", "NDLS", "XYZQ", JOURNEY.isoformat()],
            1,
            "error: Client.UnknownStation: unknown station code 'XYZQ'",
            id="fault",
        ),
        pytest.param(
            ["pnr", "1234567890"],
            1,
            "error: Client.PnrNotFound: no booking with PNR 1234567890",
            id="no-pnr",
        ),
    ],
)
def test_faults_are_one_line(
    live_server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    returned, _ = cli(live_server, tmp_path / "l.sqlite3", *args)
    err = capsys.readouterr().err
    assert returned == code
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["search", "NDLS", "MMCT", "30-11-2025"], "not a date", id="date"),
        pytest.param(
            [
                "book",
                "--train",
                "12952",
                "--date",
                "2025-11-30",
                "--from",
                "NDLS",
                "--to",
                "MMCT",
                "--class",
                "3A",
                "--passenger",
                "Ravi",
            ],
            "NAME,AGE,GENDER",
            id="passenger",
        ),
        pytest.param(["cancel"], "required", id="missing"),
        pytest.param(["pnr", "12"], "PNR '12' is not 10 digits", id="short-pnr"),
    ],
)
def test_usage_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli("http://127.0.0.1:9/soap", tmp_path / "l.sqlite3", *args)
    err = capsys.readouterr().err
    assert raised.value.code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_unreachable_core(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port that is certainly closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _ = cli(f"http://127.0.0.1:{port}/soap", tmp_path / "l.sqlite3", "pnr", "1234567890")
    err = capsys.readouterr().err
    assert code == 3 and len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"error: ConnectionRefused: no core answers at http://127.0.0.1:{port}/soap"
    )
    assert "python -m soap_server serve" in err


def test_trace_prints_envelopes(
    live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli(live_server, tmp_path / "l.sqlite3", "--trace", "pnr", "1234567890")
    err = capsys.readouterr().err
    assert code == 1
    assert ">>> POST" in err and "(Login)" in err and "<<< HTTP 200" in err
    assert "<<< HTTP 500" in err and "PnrNotFound" in err
    assert PASSWORDS["MMT"] not in err and "********" in err  # the password is masked


class DropFirstBookAnswer:
    """The core processes and commits the first Book, then the connection is cut."""

    def __init__(self, app: CoreApp) -> None:
        self.app = app
        self.dropped = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        if self.dropped == 0 and b"Book>" in body:
            self.dropped += 1
            b"".join(self.app(environ, lambda *a, **k: None))  # committed in the core
            connection: socket.socket = environ["werkzeug.socket"]
            connection.shutdown(socket.SHUT_RDWR)
            connection.close()
            raise ConnectionAbortedError("answer deliberately lost")
        return self.app(environ, start_response)


def test_lost_first_book_answer_books_once(app: CoreApp, railway: Railway, tmp_path: Path) -> None:
    dropper = DropFirstBookAnswer(app)
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        with serving(dropper) as url:
            with TravelAgent(
                url, "MMT", PASSWORDS["MMT"], ledger=ledger, sleep=lambda _: None, timeout=10
            ) as agent:
                booking = agent.book(
                    "12952",
                    JOURNEY,
                    "NDLS",
                    "MMCT",
                    "2A",
                    [__import__("soap_client.models").models.Passenger("Meera Iyer", 45, "F")],
                )
        entries = ledger.entries()
    assert dropper.dropped == 1
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1
    assert [(e.state, e.pnr) for e in entries] == [("BOOKED", booking.pnr)]


def test_session_expires_mid_journey(
    app: CoreApp, clock: FixedClock, live_server: str, tmp_path: Path
) -> None:
    seen: list[str] = []

    def idle_between_calls(exchange: Exchange) -> None:
        seen.append(exchange.operation)
        if exchange.operation != "Login":
            clock.advance(timedelta(minutes=16))  # the customer dawdles past the idle timeout

    out = io.StringIO()
    with (
        Ledger(tmp_path / "l.sqlite3") as ledger,
        TravelAgent(
            live_server, "MMT", PASSWORDS["MMT"], trace=idle_between_calls, ledger=ledger
        ) as agent,
    ):
        steps = play_journey(agent, JOURNEY, out)
    assert [s["step"] for s in steps] == list(range(1, 9))
    assert "waitlist moved" in out.getvalue()
    assert seen.count("Login") > 3  # renewed again and again, without the user noticing
