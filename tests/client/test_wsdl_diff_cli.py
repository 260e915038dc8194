"""``python -m soap_client wsdl-diff`` on the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from soap_client import WSDL_PATH
from soap_client.__main__ import main


def test_identical_contract_has_no_changes() -> None:
    out = io.StringIO()
    assert main(["wsdl-diff", str(WSDL_PATH), str(WSDL_PATH)], stdout=out) == 0
    assert out.getvalue().strip().endswith("no changes")


def test_removed_operation_is_breaking_in_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = WSDL_PATH.read_text()
    start = text.index('<wsdl:operation name="Logout"', text.index("<wsdl:portType"))
    end = text.index("</wsdl:operation>", start) + len("</wsdl:operation>")
    new = tmp_path / "new.wsdl"
    new.write_text(text[:start] + text[end:])
    out = io.StringIO()
    assert main(["wsdl-diff", str(WSDL_PATH), str(new)], stdout=out) == 1
    assert "Breaking changes" in out.getvalue() and "Logout" in out.getvalue()
    out = io.StringIO()
    assert main(["--json", "wsdl-diff", str(WSDL_PATH), str(new)], stdout=out) == 1
    report = json.loads(out.getvalue())
    assert report["breaking"] >= 1
    assert any(c["kind"] == "operation-removed" and c["breaking"] for c in report["changes"])
    assert main(["wsdl-diff", str(WSDL_PATH), str(tmp_path / "nope.wsdl")], stdout=out) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
