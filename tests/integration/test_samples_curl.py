"""The curl commands of samples/README.md, run as written against ``serve --clock sample``."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import core_process

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> str:
    text = (ROOT / "samples" / "README.md").read_text("utf-8")
    section = text[text.index("## With curl") :]
    block = re.search(r"```\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block.group(1)


def test_the_samples_curl_examples_work_on_the_sample_clock(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.fail("curl is needed to check the README's curl examples (apt-get install curl)")
    commands = readme_commands()
    lines = commands.splitlines()
    assert "serve --clock sample" in lines[0]  # the README starts the core the test starts
    script = "\n".join(lines[1:])
    database = str(tmp_path / "core.sqlite3")
    with core_process("--clock", "sample", "--db", database, "--quiet", lines=3) as (
        base,
        banner,
    ):
        assert "fixed:2025-11-20T09:00:00+05:30" in banner
        script = script.replace("URL=http://127.0.0.1:8000/soap", f"URL={base}/soap")
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("<tns:SessionToken>") == 1  # the first Login, printed
    assert "<tns:TrainNumber>12952</tns:TrainNumber>" in out  # the search found trains
    assert "OutsideReservationWindow" not in out and "SessionInvalid" not in out
    assert "HTTP/1.1 500" in out and "AuthenticationFailed" in out  # the Latin-1 wrong password


def test_the_readme_rest_curl_example_works(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.fail("curl is needed to check the README's curl examples (apt-get install curl)")
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("**REST/JSON**") : text.index("**Plain XML**")]
    block = re.search(r"```\n(.*?)```", section, re.DOTALL)
    assert block is not None
    database = str(tmp_path / "core.sqlite3")
    with core_process("--clock", "sample", "--db", database, "--quiet", lines=3) as (base, _):
        script = block.group(1).replace("BASE=http://127.0.0.1:8000", f"BASE={base}")
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    trains, booking, logout = lines[0], lines[1], lines[-1]
    assert '"number": "12952"' in trains or '"train": "12952"' in trains, trains
    assert '"pnr": "' in booking and '"currentStatus": "CNF/' in booking, booking
    assert logout == "204"
