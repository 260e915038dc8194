"""The travel agent's CLI as a newcomer meets it (issue 16): every path that used to end in a
traceback, a silent wait or an unexplained failure, each as the user would type it."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from soap_client import WSDL_PATH, checks
from soap_client.__main__ import main
from soap_client.agent import TravelAgent
from soap_client.errors import TransportError
from soap_client.ledger import Ledger
from soap_client.load import main_load
from soap_client.models import Passenger
from soap_server.railway.clock import FixedClock, parse_clock
from soap_server.railway.errors import AuthenticationFailed, LoginThrottled
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import create_app
from tests.conftest import JOURNEY, PASSWORDS
from tests.support import serving

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CLOCK = "fixed:2025-11-20T09:00:00+05:30"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdout=out), out.getvalue()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def agent_args(url: str, ledger: Path) -> list[str]:
    return ["--url", url, "--password", PASSWORDS["MMT"], "--ledger", str(ledger)]


BOOK = [
    "book",
    "--train",
    "12952",
    "--date",
    JOURNEY.isoformat(),
    "--from",
    "NDLS",
    "--to",
    "MMCT",
    "--class",
    "3A",
]


# -- flags -------------------------------------------------------------------------------------


def test_global_flags_work_after_the_command(live_server: str, tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite3"
    code, text = run(
        "search", "NDLS", "MMCT", JOURNEY.isoformat(), "--json", *agent_args(live_server, ledger)
    )
    assert code == 0 and {o["number"] for o in json.loads(text)} >= {"12952"}


def test_abbreviated_flags_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        run("search", "NDLS", "MMCT", "2025-11-30", "--clas", "3A")
    err = capsys.readouterr().err
    assert raised.value.code == 2 and "unrecognized arguments: --clas" in err


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        run("--help")
    assert raised.value.code == 0
    text = capsys.readouterr().out
    assert "http://127.0.0.1:8000/soap" in text and "(default: 30)" in text
    with pytest.raises(SystemExit):
        run("compare", "--help")
    assert "journeys per era (default: 5)" in capsys.readouterr().out


@pytest.mark.parametrize("timeout", ["0", "-1", "soon"])
def test_a_bad_timeout_is_a_usage_error(timeout: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        run("--timeout", timeout, "pnr", "1234567890")
    err = capsys.readouterr().err
    assert raised.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "--timeout" in err and "Traceback" not in err


def test_a_closed_pipe_ends_quietly() -> None:
    """``... | head -1``: the reader goes away before the output is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "soap_client", "codegen", str(WSDL_PATH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the child has written anything (it is still importing)
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(60) == 141
    assert errors == ""


# -- a core that is not there ------------------------------------------------------------------


def test_a_refused_connection_fails_at_once_and_says_how_to_start_a_core(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/soap"
    code, _ = run(*agent_args(url, tmp_path / "l.sqlite3"), "search", "NDLS", "MMCT", "2025-11-30")
    err = capsys.readouterr().err
    assert code == 3 and len(err.strip().splitlines()) == 1
    assert url in err and "python -m soap_server serve" in err and "IRCTC_URL" in err


def test_the_cli_agent_does_not_retry_a_refused_connection(tmp_path: Path) -> None:
    slept: list[float] = []
    url = f"http://127.0.0.1:{closed_port()}/soap"
    with TravelAgent(url, "MMT", "x", sleep=slept.append, retry_refused=False) as agent:
        with pytest.raises(TransportError) as raised:
            agent.search("NDLS", "MMCT", JOURNEY)
    assert raised.value.code == "ConnectionRefused" and slept == []
    with TravelAgent(url, "MMT", "x", sleep=slept.append, retries=2) as patient:
        with pytest.raises(TransportError):
            patient.search("NDLS", "MMCT", JOURNEY)
    assert len(slept) == 2  # the library's default still rides out a restarting core


# -- JSON --------------------------------------------------------------------------------------


def test_json_errors_are_json_on_stderr(
    live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "l.sqlite3"
    code, out = run("--json", *agent_args(live_server, ledger), "pnr", "1234567890")
    error = json.loads(capsys.readouterr().err)["error"]
    assert code == 1 and out == ""
    assert error == {
        "code": "PnrNotFound",
        "message": "no booking with PNR 1234567890 among this agent's bookings",
        "faultcode": "Client.PnrNotFound",
        "retryable": False,
        "exit_code": 1,
    }
    url = f"http://127.0.0.1:{closed_port()}/soap"
    code, _ = run("pnr", "1234567890", *agent_args(url, ledger), "--json")
    error = json.loads(capsys.readouterr().err)["error"]
    assert code == 3 and error["code"] == "ConnectionRefused" and error["exit_code"] == 3
    with pytest.raises(SystemExit):
        run("--json", "pnr", "12")
    error = json.loads(capsys.readouterr().err)["error"]
    assert error["exit_code"] == 2 and "10 digits" in error["message"]


def test_the_same_field_names_everywhere_and_iso_durations(
    live_server: str, tmp_path: Path
) -> None:
    ledger = tmp_path / "l.sqlite3"
    code, text = run(
        "--json", *agent_args(live_server, ledger), "search", "NDLS", "MMCT", JOURNEY.isoformat()
    )
    offer = next(o for o in json.loads(text) if o["number"] == "12952")
    assert offer["duration"].startswith("PT") and offer["duration"].endswith("M")
    code, text = run(
        "--json", *agent_args(live_server, ledger), *BOOK, "--passenger", "Ravi Kumar,34,M"
    )
    booked = json.loads(text)
    code, text = run("--json", *agent_args(live_server, ledger), "bookings")
    (entry,) = json.loads(text)
    shared = {"pnr", "reference", "train", "journey_date", "source", "destination", "quota"}
    assert shared | {"travel_class"} <= set(entry) and "class_code" not in entry
    assert {key: entry[key] for key in shared} == {key: str(booked[key]) for key in shared}
    assert entry["travel_class"] == booked["travel_class"] == "3A"


# -- local mistakes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passenger", "needle"),
    [
        pytest.param("Ravi,34,X", "gender 'X' is not one of M, F, T", id="gender"),
        pytest.param("Ravi,34,M,WINDOW", "berth 'WINDOW' is not one of LB MB UB", id="berth"),
        pytest.param("Ravi,two,M", "the age must be a whole number from 0 to 150", id="age"),
        pytest.param("Ravi,34", "NAME,AGE,GENDER[,BERTH]", id="shape"),
    ],
)
def test_passenger_typos_are_caught_before_anything_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], passenger: str, needle: str
) -> None:
    ledger = tmp_path / "l.sqlite3"
    url = f"http://127.0.0.1:{closed_port()}/soap"  # a request would be exit code 3
    with pytest.raises(SystemExit) as raised:
        run(*agent_args(url, ledger), *BOOK, "--passenger", passenger)
    err = capsys.readouterr().err
    assert raised.value.code == 2 and needle in err and len(err.strip().splitlines()) == 1
    code, text = run("--json", *agent_args(url, ledger), "bookings")
    assert code == 0 and json.loads(text) == []


def test_the_library_checks_too_and_records_nothing(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/soap"
    ledger = Ledger(tmp_path / "l.sqlite3")
    with TravelAgent(url, "MMT", "x", ledger=ledger) as agent:
        for passengers, quota, needle in (
            ([Passenger("Ravi", 34, "X")], "GN", "gender"),
            ([Passenger(f"P {i}", 30, "M") for i in range(5)], "TQ", "1 to 4 passengers"),
            ([Passenger(f"P {i}", 30, "M") for i in range(7)], "GN", "1 to 6 passengers"),
        ):
            with pytest.raises(checks.LocalError, match=needle):
                agent.book("12952", JOURNEY, "NDLS", "MMCT", "3A", passengers, quota=quota)  # type: ignore[arg-type]
        with pytest.raises(checks.LocalError, match="10 digits"):
            agent.pnr_status("123")
    assert ledger.entries() == []
    ledger.close()


def test_the_contract_checks_are_the_wsdl_facets() -> None:
    wsdl = WSDL_PATH.read_text()
    for facet in (
        '<xs:pattern value="[0-9]{5}"/>',
        '<xs:pattern value="[0-9]{10}"/>',
        '<xs:pattern value="[A-Za-z]{2,5}"/>',
        '<xs:maxInclusive value="150"/>',
    ):
        assert facet in wsdl
    assert checks.TRAIN.pattern == "[0-9]{5}" and checks.PNR.pattern == "[0-9]{10}"
    assert checks.STATION.pattern == "[A-Za-z]{2,5}" and checks.AGE_RANGE == (0, 150)


# -- search ------------------------------------------------------------------------------------


def test_an_empty_search_says_why(live_server: str, tmp_path: Path) -> None:
    tuesday = date(2025, 11, 25)
    code, text = run(
        *agent_args(live_server, tmp_path / "l.sqlite3"),
        "search",
        "NZM",
        "MAS",
        tuesday.isoformat(),
    )
    assert code == 0
    assert "no trains" in text
    assert "12434" in text and "does not run on Tue" in text and "MON" in text and "THU" in text


def test_long_train_names_get_an_ellipsis(live_server: str, tmp_path: Path) -> None:
    code, text = run(
        *agent_args(live_server, tmp_path / "l.sqlite3"), "search", "MMCT", "GNC", "2025-11-27"
    )
    assert code == 0
    line = next(line for line in text.splitlines() if line.startswith("20901"))
    assert "Mumbai Central Gandhinagar Capi\u2026" in line or "\u2026" in line


# -- replay and load against a shared core ------------------------------------------------------


@pytest.fixture
def sample_core(tmp_path: Path) -> Settings:
    return Settings(
        db_path=tmp_path / "shared.sqlite3", clock=parse_clock(SAMPLE_CLOCK), demo_mode=True
    )


def test_replay_refuses_a_core_on_another_clock(
    settings: Settings, railway: Railway, capsys: pytest.CaptureFixture[str]
) -> None:
    other = replace(settings, clock=FixedClock(parse_clock("fixed:2026-01-05T10:00").now()))
    with serving(create_app(other)) as url:
        code, out = run("replay", "--url", url)
    err = capsys.readouterr().err
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "says it is 2026-01-05T10:00:00+05:30" in err and SAMPLE_CLOCK in err
    assert "serve --demo --clock sample" in err and "replay --fresh" in err


def test_replay_asks_a_core_outside_demo_mode_its_time_by_login(tmp_path: Path) -> None:
    """Outside demo mode /healthz tells nothing: the clock is read from Login's ServerTime."""
    from soap_client.replay import SampleError, UrlTarget, load_manifest

    manifest = load_manifest()
    right = Settings(db_path=tmp_path / "right.sqlite3", clock=parse_clock(SAMPLE_CLOCK))
    # another fixed clock, not the real one: on the real clock Login is refused in the nightly
    # maintenance window (23:45-00:20 IST) and the test would fail for the wrong reason
    other = parse_clock("fixed:2026-01-05T12:00:00+05:30")
    wrong = replace(right, db_path=tmp_path / "wrong.sqlite3", clock=other)
    with serving(create_app(right)) as url:
        target = UrlTarget(url, manifest.clock)
        target.check(manifest)  # the samples' clock: accepted
        target.close()
    with serving(create_app(wrong)) as url:
        target = UrlTarget(url, manifest.clock)
        with pytest.raises(SampleError, match="says it is"):
            target.check(manifest)
        target.close()


def test_replay_never_locks_an_agent_on_a_core_it_did_not_start(
    sample_core: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(sample_core)
    with serving(app) as url:
        code, out = run("replay", "--url", url, "--json")
        results = {r["id"]: r for r in json.loads(out)}
        progress = capsys.readouterr().err
        # AGODA can still log in: nothing locked it
        session = app.railway.login("AGODA", PASSWORDS["AGODA"])
        assert session.token
        # and a second replay is refused: the core is no longer fresh
        again, _ = run("replay", "--url", url)
    assert "replay: " in progress and " samples (" in progress
    locking = [r for r in results.values() if "would lock agent AGODA" in r["reason"]]
    assert {r["id"] for r in locking} >= {"login-agoda-throttled", "login-agoda-wrong-4"}
    assert all(r["outcome"] == "skip" for r in locking)
    failed = [r["id"] for r in results.values() if r["outcome"] == "fail"]
    assert code == 0 and failed == []
    assert again == 2 and "already holds" in capsys.readouterr().err


def test_load_fails_when_journeys_fail_for_real_reasons(
    settings: Settings, railway: Railway, tmp_path: Path
) -> None:
    for _ in range(5):
        with pytest.raises((AuthenticationFailed, LoginThrottled)):
            railway.login("AGODA", "wrong")
    with serving(create_app(settings, railway)) as url:
        out = io.StringIO()
        code = main_load(url, 3, 1.0, 1, tmp_path / "ledgers", False, out, None)
    text = out.getvalue()
    assert code == 1
    assert "journeys failed for reasons no simulation causes: LoginThrottled" in text


def test_compare_shows_progress(live_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("--url", live_server, "--password", PASSWORDS["MMT"], "compare", "--runs", "1")
    err = capsys.readouterr().err
    assert code == 0 and "compare: 1 journeys per era" in err and "compare: 3/3 journeys" in err
