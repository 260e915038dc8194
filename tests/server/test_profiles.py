"""Simulation profiles, the mechanics: loading and refusing profile files, reporting the active
profile, seeded and per-agent fault streams, latency, the nightly maintenance window and the extra
ones a profile adds (or the nightly one it turns off), short sessions, per-agent rate limits and
their Retry-After, and the Tatkal rush."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from lxml import etree
from werkzeug.test import Client
from werkzeug.wrappers import Response

from soap_server.railway.clock import FixedClock
from soap_server.railway.errors import Maintenance, RateLimited, SessionExpired, Unavailable
from soap_server.settings import Settings
from soap_server.simulation import (
    OPERATIONS,
    Latency,
    Profile,
    ProfileError,
    Rush,
    Simulation,
    load_profile,
)
from soap_server.wsgi import CoreApp, build_railway, create_app
from tests.conftest import JOURNEY, NOW, PASSWORDS, SOAP_ENV, TNS, envelope
from tests.support import READER, read_fault

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "profiles").glob("*.toml"))
UTF8 = "text/xml; charset=utf-8"
SEARCH = f"/rest/v1/trains?from=NDLS&to=MMCT&date={JOURNEY.isoformat()}"
NIGHTLY = (dtime(23, 45), dtime(0, 20))  # the settings' window, which profiles keep by default
LUNCH = (dtime(13, 0), dtime(13, 5))


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """NOW's day (IST) at another time."""
    return NOW.replace(hour=hour, minute=minute, second=second)


def write_profile(folder: Path, text: str, name: str = "profile.toml") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., CoreApp]]:
    """Build apps on the test's database and clock with a given profile; closed at the end."""
    apps: list[CoreApp] = []

    def build(profile: Profile | None, **changes: Any) -> CoreApp:
        app = create_app(replace(settings, profile=profile, **changes))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


# -- SOAP on the wire ----------------------------------------------------------------------------


def soap(http: Client, body: str, token: str | None = None) -> Response:
    return http.post("/soap", data=envelope(body, token), content_type=UTF8)


def answer(response: Response, operation: str) -> etree._Element:
    assert response.status_code == 200, response.data[:600]
    root = etree.fromstring(response.data, READER)
    found = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}{operation}Response")
    assert found is not None, response.data[:600]
    return found


def login_xml(agent: str) -> str:
    return (
        f"<tns:Login><tns:AgentId>{agent}</tns:AgentId>"
        f"<tns:Password>{PASSWORDS[agent]}</tns:Password></tns:Login>"
    )


SEARCH_XML = (
    "<tns:SearchTrain><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To>"
    f"<tns:JourneyDate>{JOURNEY.isoformat()}</tns:JourneyDate></tns:SearchTrain>"
)


def wire_login(http: Client, agent: str = "MMT") -> str:
    token = answer(soap(http, login_xml(agent)), "Login").findtext(f".//{{{TNS}}}SessionToken")
    assert token
    return token


# -- the ready-made profiles ---------------------------------------------------------------------


def test_the_ready_made_profiles_are_there() -> None:
    assert {"calm", "flaky", "rush"} <= {path.stem for path in PROFILES}


@pytest.mark.parametrize("path", PROFILES, ids=lambda path: path.stem)
def test_every_ready_made_profile_loads(path: Path) -> None:
    profile = load_profile(path)
    assert profile.name == path.stem
    assert profile.description
    assert set(profile.fault_rate) <= set(OPERATIONS)
    assert set(profile.lost_response_rate) <= set(OPERATIONS)
    assert set(profile.latency) <= set(OPERATIONS)
    assert all(0 <= rate <= 1 for rate in profile.fault_rate.values())
    assert all(0 <= rate <= 1 for rate in profile.lost_response_rate.values())
    assert profile.nightly_maintenance is True  # the nightly window stays
    assert NIGHTLY not in profile.extra_maintenance  # and is not repeated as an extra one
    json.dumps(profile.summary())  # what the log line and /healthz print


def test_calm_profile_has_only_the_nightly_window() -> None:
    calm = load_profile(ROOT / "profiles" / "calm.toml")
    assert calm.nightly_maintenance is True and calm.extra_maintenance == ()
    assert calm.fault_rate == {} and calm.lost_response_rate == {} and calm.latency == {}
    assert calm.rate_limit_per_minute is None and calm.rush is None


def test_flaky_profile_reads_as_documented() -> None:
    flaky = load_profile(ROOT / "profiles" / "flaky.toml")
    assert flaky.seed == 2008
    # "all" covers every operation; a named operation overrides it
    assert flaky.fault_rate == {op: 0.02 for op in OPERATIONS} | {"book": 0.05, "search": 0.05}
    assert flaky.lost_response_rate == {"book": 0.03, "cancel": 0.01}
    assert flaky.latency["search"] == Latency(median_ms=60, p95_ms=250)
    assert flaky.latency["book"] == Latency(median_ms=20, p95_ms=80)
    assert flaky.nightly_maintenance is True
    assert flaky.extra_maintenance == (LUNCH,)  # on top of the nightly window
    assert flaky.session_idle_minutes == 5
    assert flaky.rate_limit_per_minute == 600
    assert flaky.rush is None


def test_rush_profile_reads_as_documented() -> None:
    profile = load_profile(ROOT / "profiles" / "rush.toml")
    assert profile.rate_limit_per_minute == 6000
    assert profile.nightly_maintenance is True and profile.extra_maintenance == ()
    assert profile.rush == Rush(
        openings=(dtime(10, 0), dtime(11, 0)),
        minutes=15,
        latency_ms_per_call_in_flight=15,
        fault_rate_per_call_in_flight=0.03,
        max_fault_rate=0.4,
    )


def test_a_profile_without_a_maintenance_table_keeps_the_nightly_window(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, 'name = "bare"\n'))
    assert profile.nightly_maintenance is True and profile.extra_maintenance == ()
    assert profile.fault_rate == {} and profile.lost_response_rate == {} and profile.rush is None


# -- refusing bad files --------------------------------------------------------------------------


BAD_PROFILES = [
    pytest.param('name = "x"\n[fault_rate\nbook = 0.1\n', "not valid TOML", id="not-toml"),
    pytest.param("[fault_rate]\nbook = 1.5\n", "fault_rate.book", id="rate-1.5"),
    pytest.param("[lost_response_rate]\ncancel = -0.1\n", "lost_response_rate.cancel", id="neg"),
    pytest.param('[fault_rate]\nbook = "often"\n', "fault_rate.book", id="rate-text"),
    pytest.param("[fault_rate]\nboook = 0.1\n", "boook", id="unknown-operation"),
    pytest.param("[latency.serch]\nmedian_ms = 5\n", "serch", id="unknown-latency-op"),
    pytest.param("fault_rate = 0.5\n", "[fault_rate]", id="rates-not-a-table"),
    pytest.param("[latency]\nbook = 5\n", "latency.book", id="latency-not-a-table"),
    pytest.param(
        '[maintenance]\nextra = [["13:00", "25:00"]]\n', "maintenance.extra", id="bad-hhmm"
    ),
    pytest.param(
        '[maintenance]\nextra = [["1pm", "13:05"]]\n', "maintenance.extra", id="bad-hhmm-2"
    ),
    pytest.param('[maintenance]\nextra = "13:00-13:05"\n', "maintenance.extra", id="extra-text"),
    pytest.param("[maintenance]\nnightly = 0\n", "maintenance.nightly", id="nightly-not-bool"),
    pytest.param("[maintenance]\nnightly = false\nlunch = 1\n", "lunch", id="unknown-key"),
    pytest.param('[rush]\nopenings = ["10h00"]\n', "rush.openings", id="bad-opening"),
    pytest.param(
        "[rush]\nfault_rate_per_call_in_flight = 2\n",
        "rush.fault_rate_per_call_in_flight",
        id="rush-rate",
    ),
]


def assert_one_line_naming(error: ProfileError, path: Path, key: str) -> None:
    message = str(error)
    assert "\n" not in message, message
    assert str(path) in message, message
    assert key in message, message


@pytest.mark.parametrize(("text", "key"), BAD_PROFILES)
def test_load_profile_refuses_a_bad_file_in_one_line(tmp_path: Path, text: str, key: str) -> None:
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    assert_one_line_naming(raised.value, path, key)


def test_load_profile_refuses_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    assert_one_line_naming(raised.value, path, "cannot read profile")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param(
            '[maintenance]\nextra = [["13:00"]]\n', "maintenance.extra", id="window-no-end"
        ),
        pytest.param(
            '[maintenance]\nextra = [["13:00", "13:05", "13:10"]]\n',
            "maintenance.extra",
            id="window-three-times",
        ),
        pytest.param('maintenance = "13:00-13:05"\n', "[maintenance]", id="maintenance-text"),
        pytest.param('seed = "abc"\n', "seed", id="seed-text"),
        pytest.param("seed = -1\n", "seed", id="seed-negative"),
        pytest.param("seed = 1.5\n", "seed", id="seed-fraction"),
        pytest.param("seed = true\n", "seed", id="seed-bool"),
        pytest.param('[latency.book]\nmedian_ms = "fast"\n', "latency.book", id="latency-text"),
        pytest.param("[latency.book]\nmedian_ms = -5\n", "latency.book", id="latency-negative"),
        pytest.param("[fault_rate]\nbook = true\n", "fault_rate.book", id="rate-bool"),
        pytest.param(
            "[lost_response_rate]\nbook = false\n", "lost_response_rate.book", id="lost-bool"
        ),
        pytest.param('[sessions]\nidle_minutes = "five"\n', "idle_minutes", id="idle-text"),
        pytest.param("[sessions]\nidle_minutes = 0\n", "idle_minutes", id="idle-zero"),
        pytest.param("[sessions]\nidle_minutes = 2.5\n", "idle_minutes", id="idle-fraction"),
        pytest.param('sessions = "short"\n', "[sessions]", id="sessions-text"),
        pytest.param(
            '[rate_limit]\nper_agent_per_minute = "x"\n', "per_agent_per_minute", id="limit-text"
        ),
        pytest.param(
            "[rate_limit]\nper_agent_per_minute = 0\n", "per_agent_per_minute", id="limit-zero"
        ),
        pytest.param(
            "[rate_limit]\nper_agent_per_minute = true\n",
            "per_agent_per_minute",
            id="limit-bool",
        ),
        pytest.param("[rush]\nminutes = 0\n", "rush.minutes", id="rush-minutes-zero"),
        pytest.param('[rush]\nminutes = "15"\n', "rush.minutes", id="rush-minutes-text"),
        pytest.param(
            '[rush]\nlatency_ms_per_call_in_flight = "slow"\n',
            "rush.latency_ms_per_call_in_flight",
            id="rush-latency-text",
        ),
        pytest.param("[rush]\nmax_fault_rate = true\n", "rush.max_fault_rate", id="rush-bool"),
        pytest.param('rush = "on"\n', "[rush]", id="rush-text"),
    ],
)
def test_load_profile_refuses_malformed_values_in_one_line(
    tmp_path: Path, text: str, key: str
) -> None:
    """The module promises that *every* mistake is a one-line ProfileError, not a traceback
    (a raw ValueError/AttributeError) or a value that breaks the core later."""
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    assert_one_line_naming(raised.value, path, key)


def test_the_old_maintenance_windows_key_is_refused_in_one_line(tmp_path: Path) -> None:
    """``windows`` used to list every window, the nightly one included; now ``extra`` adds to
    the nightly window and ``nightly = false`` drops it. A profile still written the old way is
    refused rather than silently read as "no extra windows"."""
    path = write_profile(tmp_path, '[maintenance]\nwindows = [["23:45", "00:20"]]\n')
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    assert_one_line_naming(raised.value, path, "[maintenance]")
    assert "windows" in str(raised.value)
    assert "extra" in str(raised.value) and "nightly" in str(raised.value)  # what to use instead


def test_nightly_false_and_extra_windows_load(tmp_path: Path) -> None:
    text = '[maintenance]\nnightly = false\nextra = [["13:00", "13:05"], ["02:00", "02:30"]]\n'
    profile = load_profile(write_profile(tmp_path, text))
    assert profile.nightly_maintenance is False
    assert profile.extra_maintenance == (LUNCH, (dtime(2, 0), dtime(2, 30)))
    assert profile.summary()["nightly_maintenance"] is False
    assert profile.summary()["extra_maintenance"] == ["13:00-13:05", "02:00-02:30"]


def serve(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "soap_server", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param(None, "cannot read profile", id="missing"),
        pytest.param("[fault_rate]\nbook = 1.5\n", "fault_rate.book", id="rate-1.5"),
        pytest.param('[sessions]\nidle_minutes = "five"\n', "idle_minutes", id="idle-text"),
    ],
)
def test_serve_with_a_bad_profile_exits_2_with_one_line(
    tmp_path: Path, text: str | None, key: str
) -> None:
    path = tmp_path / "bad.toml" if text is None else write_profile(tmp_path, text, "bad.toml")
    done = serve("--db", str(tmp_path / "core.sqlite3"), "--profile", str(path))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-2000:]
    assert str(path) in lines[0] and key in lines[0], lines
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # no banner: the core never started


# -- reporting the active profile ----------------------------------------------------------------


@contextmanager
def serving_process(tmp_path: Path, *args: str) -> Iterator[SimpleNamespace]:
    """A real ``python -m soap_server serve`` with a profile, on a free port. Yields its banner
    and its /healthz; after the block, ``errors`` holds what it logged to stderr."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "soap_server",
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "core.sqlite3"),
            "--clock",
            "fixed:2025-11-20T09:00",
            "--demo",  # /healthz reports the simulator's details only in demo mode
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    run = SimpleNamespace(banner=[], health=None, errors="")
    try:
        assert process.stdout is not None
        run.banner = [process.stdout.readline() for _ in range(4)]
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", run.banner[0])
        assert match, run.banner
        with urllib.request.urlopen(f"http://127.0.0.1:{match.group(1)}/healthz", timeout=10) as r:
            run.health = json.loads(r.read())["demo"]
        yield run
    finally:
        process.terminate()
        _, run.errors = process.communicate(timeout=10)


def test_serve_logs_the_profile_at_start_and_healthz_reports_it(tmp_path: Path) -> None:
    with serving_process(tmp_path, "--profile", str(ROOT / "profiles" / "flaky.toml")) as run:
        assert run.banner[3].strip().startswith("profile: flaky ("), run.banner
    health = run.health
    profile = health["profile"]
    assert profile["name"] == "flaky" and profile["seed"] == 2008
    assert profile["fault_rate"]["book"] == 0.05 and profile["fault_rate"]["login"] == 0.02
    assert profile["lost_response_rate"] == {"book": 0.03, "cancel": 0.01}
    assert profile["nightly_maintenance"] is True
    assert profile["extra_maintenance"] == ["13:00-13:05"]
    assert "maintenance" not in profile  # the old key is gone from the summary
    assert profile["session_idle_minutes"] == 5
    assert profile["rate_limit_per_minute"] == 600
    assert health["maintenance"] == ["23:45-00:20", "13:00-13:05"]  # nightly, then the extra
    logged = [line for line in run.errors.splitlines() if "simulation profile active" in line]
    assert len(logged) == 1, run.errors[-2000:]
    assert json.loads(logged[0].split("simulation profile active: ", 1)[1]) == profile


def test_serve_no_maintenance_drops_the_nightly_window_even_with_a_profile(
    tmp_path: Path,
) -> None:
    """``--no-maintenance`` turns the settings' nightly window off; a profile keeps its own
    extra windows but does not bring the nightly one back."""
    flaky = str(ROOT / "profiles" / "flaky.toml")
    with serving_process(tmp_path, "--no-maintenance", "--profile", flaky) as run:
        pass
    assert run.health["maintenance"] == ["13:00-13:05"]
    assert run.health["profile"]["extra_maintenance"] == ["13:00-13:05"]
    with serving_process(
        tmp_path, "--no-maintenance", "--profile", str(ROOT / "profiles" / "calm.toml")
    ) as run:
        pass
    assert run.health["maintenance"] == []  # calm adds nothing: no window at all


def test_healthz_reports_every_part_of_the_profile(make_app: Callable[..., CoreApp]) -> None:
    profile = Profile(
        name="everything",
        description="all knobs turned",
        seed=42,
        latency={"search": Latency(min_ms=1, max_ms=2), "book": Latency(median_ms=3, p95_ms=9)},
        fault_rate={"book": 0.25},
        lost_response_rate={"cancel": 0.1},
        extra_maintenance=(LUNCH,),
        session_idle_minutes=5,
        rate_limit_per_minute=100,
        rush=Rush(latency_ms_per_call_in_flight=15, fault_rate_per_call_in_flight=0.03),
    )
    health = Client(make_app(profile, demo_mode=True)).get("/healthz").json["demo"]
    assert health is not None
    assert health["profile"] == {
        "name": "everything",
        "description": "all knobs turned",
        "seed": 42,
        "latency_ms": {"book": {"median": 3, "p95": 9}, "search": {"min": 1, "max": 2}},
        "fault_rate": {"book": 0.25},
        "lost_response_rate": {"cancel": 0.1},
        "nightly_maintenance": True,
        "extra_maintenance": ["13:00-13:05"],
        "session_idle_minutes": 5,
        "rate_limit_per_minute": 100,
        "rush": {
            "openings": ["10:00", "11:00"],
            "minutes": 15,
            "latency_ms_per_call_in_flight": 15,
            "fault_rate_per_call_in_flight": 0.03,
        },
    }
    assert health["maintenance"] == ["23:45-00:20", "13:00-13:05"]


def test_healthz_without_a_profile_says_so(make_app: Callable[..., CoreApp]) -> None:
    health = Client(make_app(None, demo_mode=True)).get("/healthz").json["demo"]
    assert health is not None
    assert health["profile"] is None and health["maintenance"] == ["23:45-00:20"]


@pytest.mark.parametrize(
    ("profile", "changes", "windows"),
    [
        pytest.param(Profile("bare"), {}, ["23:45-00:20"], id="profile-keeps-nightly"),
        pytest.param(
            Profile("lunch", extra_maintenance=(LUNCH,)),
            {},
            ["23:45-00:20", "13:00-13:05"],
            id="extra-added",
        ),
        pytest.param(
            Profile("no-night", nightly_maintenance=False, extra_maintenance=(LUNCH,)),
            {},
            ["13:00-13:05"],
            id="nightly-false",
        ),
        pytest.param(Profile("none", nightly_maintenance=False), {}, [], id="nightly-false-only"),
        pytest.param(
            Profile("lunch", extra_maintenance=(LUNCH,)),
            {"maintenance_start": None, "maintenance_end": None},
            ["13:00-13:05"],
            id="no-maintenance-setting",
        ),
        pytest.param(
            Profile("other", extra_maintenance=(LUNCH,)),
            {"maintenance_start": dtime(1, 0), "maintenance_end": dtime(2, 0)},
            ["01:00-02:00", "13:00-13:05"],
            id="settings-window-kept",
        ),
    ],
)
def test_maintenance_windows_combine_settings_and_profile(
    make_app: Callable[..., CoreApp], profile: Profile, changes: dict[str, Any], windows: list[str]
) -> None:
    app = make_app(profile, demo_mode=True, **changes)
    health = Client(app).get("/healthz").json["demo"]
    assert health is not None and health["maintenance"] == windows
    assert [f"{a:%H:%M}-{b:%H:%M}" for a, b in app.railway.policy.maintenance] == windows


# -- determinism ---------------------------------------------------------------------------------

AGENTS = ("MMT", "PAYTM")


def fates(
    settings: Settings, name: str, profile: Profile, order: list[str]
) -> dict[str, list[bool]]:
    """A fresh core with ``profile``; each agent searches in ``order``. For every agent, which
    of its calls failed with Server.Unavailable."""
    core = build_railway(
        replace(settings, db_path=settings.db_path.with_name(name), profile=profile)
    )
    try:
        tokens = {agent: core.login(agent, PASSWORDS[agent]).token for agent in AGENTS}
        failed: dict[str, list[bool]] = {agent: [] for agent in AGENTS}
        for agent in order:
            try:
                core.search(tokens[agent], "NDLS", "MMCT", JOURNEY)
            except Unavailable:
                failed[agent].append(True)
            else:
                failed[agent].append(False)
        return failed
    finally:
        core.close()


CALLS = 40
ONE_AFTER_THE_OTHER = [agent for agent in AGENTS for _ in range(CALLS)]
ALTERNATING = [agent for _ in range(CALLS) for agent in AGENTS]


def test_same_seed_same_calls_same_faults(settings: Settings) -> None:
    profile = Profile(name="half", seed=7, fault_rate={"search": 0.5})
    first = fates(settings, "a.sqlite3", profile, ONE_AFTER_THE_OTHER)
    second = fates(settings, "b.sqlite3", profile, ONE_AFTER_THE_OTHER)
    assert first == second
    for pattern in first.values():
        assert len(pattern) == CALLS
        assert 8 <= sum(pattern) <= 32  # about half the calls fail, not none or all


def test_another_seed_gives_another_pattern(settings: Settings) -> None:
    seven = fates(
        settings, "a.sqlite3", Profile("s", seed=7, fault_rate={"search": 0.5}), ALTERNATING
    )
    eight = fates(
        settings, "b.sqlite3", Profile("s", seed=8, fault_rate={"search": 0.5}), ALTERNATING
    )
    for agent in AGENTS:
        assert seven[agent] != eight[agent]
        assert 8 <= sum(eight[agent]) <= 32


def test_each_agent_has_its_own_stream_whatever_the_interleaving(settings: Settings) -> None:
    profile = Profile(name="half", seed=11, fault_rate={"search": 0.5})
    shuffled = list(ONE_AFTER_THE_OTHER)
    random.Random(3).shuffle(shuffled)
    apart = fates(settings, "a.sqlite3", profile, ONE_AFTER_THE_OTHER)
    together = fates(settings, "b.sqlite3", profile, ALTERNATING)
    mixed = fates(settings, "c.sqlite3", profile, shuffled)
    assert apart == together == mixed
    assert apart["MMT"] != apart["PAYTM"]  # two streams, not one shared


def test_simulation_streams_do_not_depend_on_other_operations() -> None:
    """Calls to other operations (or by other agents) in between don't shift a stream."""
    profile = Profile(name="half", seed=5, fault_rate={"book": 0.5, "search": 0.5})

    def book_fates(noise: bool) -> list[bool]:
        simulation = Simulation(profile, sleep=lambda _: None)
        out = []
        for _ in range(30):
            if noise:
                for agent, op in (("MMT", "search"), ("PAYTM", "book")):
                    try:
                        simulation.before(op, agent, NOW)
                    except Unavailable:
                        continue
                    simulation.after(op, agent)
            try:
                simulation.before("book", "MMT", NOW)
            except Unavailable:
                out.append(True)
            else:
                simulation.after("book", "MMT")
                out.append(False)
        return out

    assert book_fates(noise=False) == book_fates(noise=True)


# -- latency -------------------------------------------------------------------------------------


def test_uniform_latency_is_slept_before_the_work() -> None:
    slept: list[float] = []
    profile = Profile(name="slow", seed=1, latency={"search": Latency(min_ms=30, max_ms=40)})
    simulation = Simulation(profile, sleep=slept.append)
    for _ in range(25):
        simulation.before("search", "MMT", NOW)
        simulation.after("search", "MMT")
    assert len(slept) == 25
    assert all(0.030 <= seconds <= 0.040 for seconds in slept), slept
    assert len(set(slept)) > 1  # drawn, not a constant
    simulation.before("book", "MMT", NOW)  # no latency configured for book: no sleep at all
    assert len(slept) == 25


def test_lognormal_latency_has_its_median_and_p95() -> None:
    slept: list[float] = []
    profile = Profile(name="slow", seed=1, latency={"book": Latency(median_ms=20, p95_ms=80)})
    simulation = Simulation(profile, sleep=slept.append)
    for _ in range(400):
        simulation.before("book", "MMT", NOW)
        simulation.after("book", "MMT")
    ordered = sorted(slept)
    assert 0.015 <= ordered[200] <= 0.027, ordered[200]  # median 20 ms
    assert 0.85 <= sum(s <= 0.080 for s in ordered) / 400 <= 0.99  # p95 80 ms
    assert ordered[0] > 0


def test_latency_makes_a_real_call_take_at_least_its_minimum(
    make_app: Callable[..., CoreApp],
) -> None:
    app = make_app(Profile(name="slow", seed=1, latency={"search": Latency(min_ms=30, max_ms=40)}))
    http = Client(app)
    token = wire_login(http)
    started = time.perf_counter()
    response = soap(http, SEARCH_XML, token)
    elapsed = time.perf_counter() - started
    answer(response, "SearchTrain")
    assert elapsed >= 0.030
    timing = re.fullmatch(r"app;dur=([\d.]+)", response.headers["Server-Timing"])
    assert timing and float(timing.group(1)) >= 30.0


# -- maintenance windows -------------------------------------------------------------------------

LUNCH_TOML = '[maintenance]\nextra = [["13:00", "13:05"]]\n'
NO_NIGHTLY_TOML = '[maintenance]\nnightly = false\nextra = [["13:00", "13:05"]]\n'


def test_an_extra_maintenance_window_from_the_profile(
    make_app: Callable[..., CoreApp], clock: FixedClock, tmp_path: Path
) -> None:
    app = make_app(load_profile(write_profile(tmp_path, LUNCH_TOML)))
    http = Client(app)
    clock.set(at(12, 59))
    token = wire_login(http)
    clock.set(at(13, 2))
    fault = read_fault(soap(http, SEARCH_XML, token))
    assert (fault.faultcode, fault.retryable) == ("Server.Maintenance", True)
    assert "13:00-13:05" in fault.message
    fault = read_fault(soap(http, login_xml("PAYTM")))  # logging in is refused too
    assert fault.faultcode == "Server.Maintenance"
    rest = http.get(SEARCH, headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 503 and rest.json and rest.json["code"] == "Maintenance"
    assert rest.headers["Retry-After"] == "180"  # back at 13:05
    clock.set(at(13, 6))
    answer(soap(http, SEARCH_XML, token), "SearchTrain")
    answer(soap(http, login_xml("PAYTM")), "Login")


@pytest.mark.parametrize(
    ("hour", "minute", "closed"),
    [(23, 44, False), (23, 50, True), (0, 10, True), (0, 20, False), (12, 59, False)],
)
def test_the_nightly_window_still_applies_with_the_profile(
    make_app: Callable[..., CoreApp],
    clock: FixedClock,
    tmp_path: Path,
    hour: int,
    minute: int,
    closed: bool,
) -> None:
    app = make_app(load_profile(write_profile(tmp_path, LUNCH_TOML)))
    clock.set(at(hour, minute))
    if closed:
        with pytest.raises(Maintenance, match="23:45-00:20"):
            app.railway.login("MMT", PASSWORDS["MMT"])
    else:
        assert app.railway.login("MMT", PASSWORDS["MMT"]).agent == "MMT"


@pytest.mark.parametrize(
    ("hour", "minute", "closed"),
    [(23, 50, False), (0, 10, False), (12, 59, False), (13, 2, True), (13, 5, False)],
)
@pytest.mark.parametrize("how", ["nightly-false", "no-maintenance"])
def test_the_nightly_window_can_be_dropped_and_the_extra_one_stays(
    make_app: Callable[..., CoreApp],
    clock: FixedClock,
    tmp_path: Path,
    how: str,
    hour: int,
    minute: int,
    closed: bool,
) -> None:
    """``nightly = false`` in the profile, or ``--no-maintenance`` (the settings without a
    nightly window) with a profile: the night is open, the profile's lunch window is not."""
    if how == "nightly-false":
        app = make_app(load_profile(write_profile(tmp_path, NO_NIGHTLY_TOML)))
    else:
        profile = load_profile(write_profile(tmp_path, LUNCH_TOML))
        app = make_app(profile, maintenance_start=None, maintenance_end=None)
    clock.set(at(hour, minute))
    if closed:
        with pytest.raises(Maintenance, match="13:00-13:05"):
            app.railway.login("MMT", PASSWORDS["MMT"])
    else:
        assert app.railway.login("MMT", PASSWORDS["MMT"]).agent == "MMT"


# -- sessions ------------------------------------------------------------------------------------


def test_the_profile_idle_minutes_override_the_settings(
    make_app: Callable[..., CoreApp], clock: FixedClock, tmp_path: Path
) -> None:
    profile = load_profile(write_profile(tmp_path, "[sessions]\nidle_minutes = 5\n"))
    app = make_app(profile, session_idle_minutes=15)
    http = Client(app)
    login = http.post("/rest/v1/sessions", json={"agent": "MMT", "password": PASSWORDS["MMT"]})
    assert login.status_code == 201 and login.json and login.json["idleTimeoutMinutes"] == 5
    token = wire_login(http)
    clock.advance(timedelta(minutes=4))
    answer(soap(http, SEARCH_XML, token), "SearchTrain")  # 4 idle minutes: still alive
    clock.advance(timedelta(minutes=6))
    fault = read_fault(soap(http, SEARCH_XML, token))
    assert (fault.faultcode, fault.retryable) == ("Client.SessionExpired", False)
    assert "5 idle minutes" in fault.message


def test_without_the_override_the_settings_idle_minutes_apply(
    make_app: Callable[..., CoreApp], clock: FixedClock
) -> None:
    app = make_app(Profile(name="no-sessions", seed=1), session_idle_minutes=15)
    token = app.railway.login("MMT", PASSWORDS["MMT"]).token
    clock.advance(timedelta(minutes=6))
    assert app.railway.search(token, "NDLS", "MMCT", JOURNEY)
    clock.advance(timedelta(minutes=16))
    with pytest.raises(SessionExpired):
        app.railway.search(token, "NDLS", "MMCT", JOURNEY)


# -- rate limits ---------------------------------------------------------------------------------


def test_the_fourth_call_in_a_minute_is_rate_limited(make_app: Callable[..., CoreApp]) -> None:
    http = Client(make_app(Profile(name="limited", seed=1, rate_limit_per_minute=3)))
    token = wire_login(http, "MMT")  # call 1
    answer(soap(http, SEARCH_XML, token), "SearchTrain")  # call 2
    answer(soap(http, SEARCH_XML, token), "SearchTrain")  # call 3
    fault = read_fault(soap(http, SEARCH_XML, token))  # call 4
    assert (fault.faultcode, fault.code, fault.retryable) == (
        "Client.RateLimited",
        "RateLimited",
        False,
    )
    assert "MMT" in fault.message and "3 calls a minute" in fault.message

    rest = http.get(SEARCH, headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 429, rest.data
    assert rest.json and rest.json["code"] == "RateLimited" and rest.json["retryable"] is False
    wait = re.search(r"try again in (\d+) s", rest.json["detail"])
    assert wait, rest.json["detail"]
    assert rest.headers["Retry-After"] == wait.group(1)  # the limiter's wait, not a constant
    assert 1 <= int(wait.group(1)) <= 61

    other = wire_login(http, "PAYTM")  # another agent has its own budget
    answer(soap(http, SEARCH_XML, other), "SearchTrain")
    answer(soap(http, SEARCH_XML, other), "SearchTrain")
    assert read_fault(soap(http, SEARCH_XML, other)).code == "RateLimited"


@pytest.fixture
def monotonic() -> list[float]:
    """The rate limiter's real-time clock, frozen; set ``monotonic[0]`` to move it."""
    return [1000.0]


def test_rate_limited_carries_the_limiter_wait(monotonic: list[float]) -> None:
    simulation = Simulation(
        Profile(name="limited", seed=1, rate_limit_per_minute=3), monotonic=lambda: monotonic[0]
    )
    for second in (1000.0, 1010.0, 1020.0):
        monotonic[0] = second
        simulation.before("search", "MMT", NOW)
        simulation.after("search", "MMT")
    monotonic[0] = 1030.0
    with pytest.raises(RateLimited) as raised:
        simulation.before("search", "MMT", NOW)
    assert raised.value.retry_after == 31  # the oldest call (at 1000) leaves the window at 1061
    assert "try again in 31 s" in raised.value.message
    assert simulation.in_flight == 0  # the refused call does not stay in flight
    monotonic[0] = 1059.5
    with pytest.raises(RateLimited) as raised:
        simulation.before("search", "MMT", NOW)
    assert raised.value.retry_after == 1  # never less than a second
    monotonic[0] = 1061.0
    simulation.before("search", "MMT", NOW)  # the call at 1000 has left the window
    simulation.after("search", "MMT")


def test_rest_retry_after_matches_the_rate_limiter(
    settings: Settings, monotonic: list[float]
) -> None:
    profile = Profile(name="limited", seed=1, rate_limit_per_minute=3)
    limiter = Simulation(profile, monotonic=lambda: monotonic[0])
    settings = replace(settings, profile=profile)
    app = create_app(settings, build_railway(settings, hooks=(limiter,)))
    try:
        http = Client(app)
        token = wire_login(http, "MMT")  # 3 calls at 1000
        answer(soap(http, SEARCH_XML, token), "SearchTrain")
        answer(soap(http, SEARCH_XML, token), "SearchTrain")
        monotonic[0] = 1020.0
        rest = http.get(SEARCH, headers={"Authorization": f"Bearer {token}"})
        assert rest.status_code == 429, rest.data
        assert rest.headers["Retry-After"] == "41"  # 1000 + 61 - 1020, not always 60
        assert rest.json and "try again in 41 s" in rest.json["detail"]
        monotonic[0] = 1045.0
        rest = http.get(SEARCH, headers={"Authorization": f"Bearer {token}"})
        assert rest.status_code == 429 and rest.headers["Retry-After"] == "16"
        monotonic[0] = 1061.0  # after Retry-After: served again
        assert http.get(SEARCH, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    finally:
        app.close()


def test_no_rate_limit_without_one_in_the_profile(make_app: Callable[..., CoreApp]) -> None:
    railway = make_app(Profile(name="unlimited", seed=1)).railway
    token = railway.login("MMT", PASSWORDS["MMT"]).token
    for _ in range(20):
        railway.search(token, "NDLS", "MMCT", JOURNEY)


# -- the Tatkal rush -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "active"),
    [
        (9, 59, False),
        (10, 0, True),
        (10, 14, True),
        (10, 15, False),
        (11, 7, True),
        (11, 15, False),
    ],
)
def test_the_rush_lasts_fifteen_minutes_from_each_opening(
    hour: int, minute: int, active: bool
) -> None:
    rush = load_profile(ROOT / "profiles" / "rush.toml").rush
    assert rush is not None
    assert rush.active(at(hour, minute)) is active


def hold_calls_open(simulation: Simulation, count: int, now: datetime) -> list[BaseException]:
    """``count`` threads each enter ``before`` and stay in flight until all of them are in."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def call(agent: str) -> None:
        try:
            simulation.before("book", agent, now)
            barrier.wait(timeout=10)  # every call is in flight at once here
            simulation.after("book", agent)
        except BaseException as error:  # reported by the test, not lost in a thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=call, args=(f"AGENT{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return errors


def test_rush_latency_grows_with_the_calls_in_flight() -> None:
    slept: list[float] = []
    profile = Profile(name="rush", seed=1, rush=Rush(latency_ms_per_call_in_flight=10))
    simulation = Simulation(profile, sleep=slept.append)
    assert hold_calls_open(simulation, 5, at(10, 5)) == []
    assert sorted(slept) == pytest.approx([0.010, 0.020, 0.030, 0.040, 0.050])
    assert simulation.in_flight == 0  # every call left

    slept.clear()
    assert hold_calls_open(simulation, 5, at(10, 20)) == []  # the same crowd after the rush
    assert slept == []


def test_rush_latency_adds_to_the_profile_latency() -> None:
    slept: list[float] = []
    profile = Profile(
        name="rush",
        seed=1,
        latency={"book": Latency(min_ms=5, max_ms=5)},
        rush=Rush(latency_ms_per_call_in_flight=10),
    )
    simulation = Simulation(profile, sleep=slept.append)
    simulation.before("book", "MMT", at(10, 20))  # outside: only the profile's 5 ms
    simulation.before("book", "PAYTM", at(11, 1))  # inside, 2 in flight: 5 + 2 x 10 ms
    assert slept == pytest.approx([0.005, 0.025])


def test_rush_faults_with_two_calls_in_flight_and_not_after_the_rush() -> None:
    profile = Profile(
        name="rush", seed=1, rush=Rush(fault_rate_per_call_in_flight=1.0, max_fault_rate=1.0)
    )
    simulation = Simulation(profile, sleep=lambda _: None)
    simulation.before("book", "MMT", at(10, 20))  # held open; outside the rush: no fault
    with pytest.raises(Unavailable, match="overloaded"):
        simulation.before("book", "PAYTM", at(10, 5))  # two in flight during the rush
    assert simulation.in_flight == 1  # the faulted call does not stay in flight
    simulation.before("book", "PAYTM", at(10, 20))  # two in flight after the rush: fine
    assert simulation.in_flight == 2


def failure_share(simulation: Simulation, crowd: int, calls: int = 200) -> float:
    """Hold ``crowd - 1`` calls open (outside the rush), then make ``calls`` calls in the rush
    one after the other, each with ``crowd`` calls in flight; the share that faulted."""
    for i in range(crowd - 1):
        simulation.before("search", f"HOLDER{i}", at(10, 30))
    failed = 0
    for _ in range(calls):
        try:
            simulation.before("book", "MMT", at(10, 5))
        except Unavailable:
            failed += 1
        else:
            simulation.after("book", "MMT")
    for i in range(crowd - 1):
        simulation.after("search", f"HOLDER{i}")
    assert simulation.in_flight == 0
    return failed / calls


def test_rush_fault_rate_rises_with_the_crowd_up_to_its_cap() -> None:
    rush = Rush(fault_rate_per_call_in_flight=0.3, max_fault_rate=1.0)
    simulation = Simulation(Profile(name="rush", seed=1, rush=rush), sleep=lambda _: None)
    one, two, four = (failure_share(simulation, crowd) for crowd in (1, 2, 4))
    assert 0.18 <= one <= 0.42 and 0.48 <= two <= 0.72 and four == 1.0
    capped = Rush(fault_rate_per_call_in_flight=1.0, max_fault_rate=0.4)
    simulation = Simulation(Profile(name="rush", seed=1, rush=capped), sleep=lambda _: None)
    assert 0.28 <= failure_share(simulation, 3) <= 0.52  # capped at 40 %, not 100 %
