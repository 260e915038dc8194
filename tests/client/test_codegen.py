"""``codegen`` on this project's own contract: the committed client is what the WSDL generates,
generation is deterministic, and the agent is type-checked against the generated module. The
WSDLs of other shapes are in ``test_corpus.py``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from soap_client import WSDL_PATH
from soap_client.codegen import generate

HERE = Path(__file__).parent / "wsdls" / "corpus"
ROOT = Path(__file__).resolve().parents[2]
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def test_committed_client_is_what_the_wsdl_generates() -> None:
    source, skipped = generate(WSDL_PATH)
    committed = (ROOT / "soap_client" / "irctc_client.py").read_text()
    assert skipped == []
    assert source == committed, (
        "soap_client/irctc_client.py drifted from the WSDL: run `python -m soap_client codegen"
        " wsdl/irctc_reservation_v1.wsdl -o soap_client/irctc_client.py`"
    )


def test_generation_is_deterministic_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-m", "soap_client", "codegen", str(HERE / "library-choice.wsdl")],
            capture_output=True,
            timeout=120,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2] and len(outputs[0]) > 1000


def test_the_agent_is_type_checked_against_the_generated_client(tmp_path: Path) -> None:
    """A misspelled field in code using the generated module is a mypy error, not a fault."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from soap_client import irctc_client as wire\n\n"
        "def f(b: wire.BookingDetails) -> str:\n"
        "    return b.pnr_number\n\n"
        "wire.Passenger(name='Ravi', age=34, gender='X')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(probe)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 1
    assert '"BookingDetails" has no attribute "pnr_number"' in done.stdout
    assert 'Argument "gender" to "Passenger" has incompatible type' in done.stdout
