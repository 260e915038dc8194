"""The committed samples: they replay green in-process and over real HTTP against fresh cores,
recording reproduces them byte for byte, and a broken expectation is reported at the element."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from soap_client.__main__ import main
from soap_client.replay import SAMPLES_DIR, Manifest, WsgiTarget, load_manifest, replay
from soap_server.railway import errors
from soap_server.railway.clock import parse_clock
from soap_server.simulation import load_profile
from soap_server.wsgi import CoreApp, create_app
from tests.conftest import core_settings

WIRE_CODES = {
    "EmptyRequest",
    "MalformedXml",
    "MalformedRequest",
    "ForbiddenXml",
    "RequestTooLarge",
    "RequestTooComplex",
    "UnsupportedMediaType",
    "UnsupportedCharset",
    "UnknownOperation",
    "SchemaValidation",
    "MethodNotAllowed",
    "VersionMismatch",
    "MustUnderstand",
}
# No request can cause these on purpose.
UNPROVOKABLE = {"Busy", "InternalError"}


@pytest.fixture
def in_process(tmp_path: Path) -> Iterator[WsgiTarget]:
    """Fresh in-process cores on one database, one per clock the samples ask for."""
    apps: list[CoreApp] = []

    def factory(clock: str, profile: Path | None) -> CoreApp:
        settings = core_settings(
            tmp_path / "core.sqlite3",
            parse_clock(clock),
            profile=None if profile is None else load_profile(profile),
        )
        app = create_app(settings)
        apps.append(app)
        return app

    yield WsgiTarget(factory, load_manifest().clock)
    for app in apps:
        app.close()


def copy_samples(tmp_path: Path) -> Path:
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES_DIR, target)
    return target


def test_every_sample_replays_green_in_process(in_process: WsgiTarget) -> None:
    results = replay(load_manifest(), in_process)
    failures = {r.sample.id: r.problems for r in results if r.outcome != "pass"}
    assert failures == {}
    assert len(results) == len(load_manifest().samples)


def test_every_sample_replays_green_over_http_against_fresh_cores() -> None:
    out = io.StringIO()
    code = main(["--json", "replay", "--fresh"], stdout=out)
    report = json.loads(out.getvalue())
    assert code == 0, [r for r in report if r["outcome"] != "pass"]
    assert {r["outcome"] for r in report} == {"pass"}
    assert len(report) == len(load_manifest().samples)


def test_recording_reproduces_the_committed_samples(tmp_path: Path) -> None:
    copy = copy_samples(tmp_path)
    out = io.StringIO()
    assert main(["record", "--samples", str(copy)], stdout=out) == 0
    changed = [
        str(path.relative_to(copy))
        for path in sorted(copy.rglob("*.response.xml"))
        if path.read_bytes() != (SAMPLES_DIR / path.relative_to(copy)).read_bytes()
    ]
    assert changed == [], "the server's answers drifted: run `python -m soap_client record`"


def test_a_wildcard_survives_recording_only_while_the_answer_matches_it(tmp_path: Path) -> None:
    """The rate-limited sample's wait is real seconds ("try again in {{*}} s"): recording
    again keeps the wildcard; an answer that no longer fits it is recorded as it came."""
    from lxml import etree

    from soap_client.replay import keep_wildcards

    expected = tmp_path / "x.response.xml"
    expected.write_text("<a><b>try again in {{*}} s</b><c>{{*}}</c></a>")
    answer = etree.fromstring("<a><b>try again in 59 s</b><c>anything</c></a>")
    keep_wildcards(expected, answer, {})
    assert etree.tostring(answer) == b"<a><b>try again in {{*}} s</b><c>{{*}}</c></a>"
    changed = etree.fromstring("<a><b>come back tomorrow</b><c>x</c></a>")
    keep_wildcards(expected, changed, {})
    assert etree.tostring(changed) == b"<a><b>come back tomorrow</b><c>{{*}}</c></a>"


def test_every_fault_code_has_a_sample() -> None:
    manifest = load_manifest()
    codes = set()
    for sample in manifest.samples:
        codes.update(re.findall(r"<tns:Code>(\w+)</tns:Code>", sample.response.read_text()))
    domain = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.ReservationError)
        and cls not in (errors.ReservationError, errors.ClientError, errors.ServerError)
    }
    assert codes >= (domain - UNPROVOKABLE) | WIRE_CODES
    assert not codes & UNPROVOKABLE


def test_the_samples_readme_lists_every_sample() -> None:
    readme = (SAMPLES_DIR / "README.md").read_text()
    for sample in load_manifest().samples:
        assert f"[`{sample.id}`]({sample.request.relative_to(SAMPLES_DIR)})" in readme


def test_requests_cover_the_partner_variants() -> None:
    manifest = load_manifest()
    actions = {s.soap_action for s in manifest.samples}
    assert {None, '"Login"', "Login"} <= actions  # missing, quoted, unquoted
    types = {s.content_type for s in manifest.samples}
    assert {"text/xml", "text/xml; charset=utf-8", "text/xml; charset=ISO-8859-1"} <= types
    texts = [s.request.read_bytes() for s in manifest.samples]
    assert any(b'<Login xmlns="urn:irctc:reservation:v1">' in t for t in texts)  # default ns
    assert any(b"<!--" in t for t in texts) and any(b"<s:Envelope" in t for t in texts)


def _alter(copy: Path, relative: str, old: str, new: str) -> None:
    path = copy / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("relative", "old", "new", "sample", "pointer"),
    [
        pytest.param(
            "Book/book-two-3a.response.xml",
            "<tns:TotalFare>5092.00</tns:TotalFare>",
            "<tns:TotalFare>5100.00</tns:TotalFare>",
            "book-two-3a",
            "/Envelope/Body/BookResponse/Booking/TotalFare: expected '5100.00', got '5092.00'",
            id="changed-field",
        ),
        pytest.param(
            "GetPnrStatus/pnr-status.response.xml",
            "<tns:BerthType>UB</tns:BerthType>",
            "<tns:BerthType>UB</tns:BerthType><tns:Meal>Veg</tns:Meal>",
            "pnr-status",
            "/Envelope/Body/GetPnrStatusResponse/Booking/Passengers/"
            "PassengerStatus[2]/Meal: missing element",
            id="missing-element",
        ),
        pytest.param(
            "GetPnrStatus/pnr-status.response.xml",
            "<tns:BerthType>UB</tns:BerthType>",
            "",
            "pnr-status",
            "/Envelope/Body/GetPnrStatusResponse/Booking/Passengers/"
            "PassengerStatus[2]/BerthType: unexpected element",
            id="unexpected-element",
        ),
        pytest.param(
            "SearchTrain/search-same-station.response.xml",
            "<tns:Code>SameStation</tns:Code>",
            "<tns:Code>UnknownStation</tns:Code>",
            "search-same-station",
            "/ReservationFault/Code: expected 'UnknownStation', got 'SameStation'",
            id="different-fault-code",
        ),
    ],
)
def test_an_altered_response_is_a_failure_pointing_at_the_element(
    tmp_path: Path,
    in_process: WsgiTarget,
    relative: str,
    old: str,
    new: str,
    sample: str,
    pointer: str,
) -> None:
    copy = copy_samples(tmp_path / "copy")
    _alter(copy, relative, old, new)
    manifest: Manifest = load_manifest(copy)
    results = {r.sample.id: r for r in replay(manifest, in_process)}
    failed = [i for i, r in results.items() if r.outcome == "fail"]
    assert failed == [sample]
    result = results[sample]
    assert any(pointer in problem for problem in result.problems), result.problems
    assert result.diff.startswith("--- expected") and "+++ actual answer" in result.diff


def test_cli_reports_failures_with_a_diff_and_exit_code(
    tmp_path: Path, in_process: WsgiTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_samples(tmp_path / "copy")
    _alter(
        copy,
        "Login/login-mmt.response.xml",
        "<tns:AgentId>MMT</tns:AgentId>",
        "<tns:AgentId>PAYTM</tns:AgentId>",
    )
    out = io.StringIO()
    code = main(["replay", "--fresh", "--samples", str(copy), str(copy / "Login")], stdout=out)
    text = out.getvalue()
    assert code == 1
    assert "login-mmt" in text and "FAIL" in text
    assert "/Envelope/Body/LoginResponse/Session/AgentId: expected 'PAYTM', got 'MMT'" in text
    assert "-        <tns:AgentId>PAYTM</tns:AgentId>" in text
    assert "+        <tns:AgentId>MMT</tns:AgentId>" in text
    assert re.search(r"replay: \d+ passed, 1 failed, 0 skipped", text)


def test_selection_runs_what_it_depends_on(in_process: WsgiTarget) -> None:
    manifest = load_manifest()
    results = replay(manifest, in_process, [str(SAMPLES_DIR / "CancelBooking")])
    by_id = {r.sample.id: r for r in results}
    assert all(r.outcome == "pass" for r in results), [
        (r.sample.id, r.problems) for r in results if r.outcome != "pass"
    ]
    assert by_id["login-mmt"].setup and by_id["book-two-3a"].setup
    assert not by_id["cancel-one-passenger"].setup
    assert "search-ndls-bct" not in by_id  # not needed
