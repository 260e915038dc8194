"""The served WSDL is the committed contract; export is deterministic; the address is configured."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from lxml import etree
from werkzeug.test import Client

from soap_client import WSDL_PATH
from soap_server.settings import DEFAULT_PUBLIC_URL, Settings
from soap_server.wsgi import create_app

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/soap/"


def canonical(document: bytes) -> bytes:
    """C14N with whitespace-only text removed: prefix- and formatting-independent enough for a
    contract comparison, and a readable diff when it fails."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(document, parser)
    return etree.tostring(root, method="c14n2", strip_text=True)


def address(document: bytes) -> str | None:
    root = etree.fromstring(document)
    element = root.find(f".//{{{WSDL_NS}}}port/{{{SOAP_BINDING_NS}}}address")
    return None if element is None else element.get("location")


def test_served_wsdl_equals_committed_file(settings: Settings, tmp_path: Path) -> None:
    assert settings.public_url == DEFAULT_PUBLIC_URL
    with closing(create_app(settings)) as app:
        served = Client(app).get("/soap?wsdl")
    assert served.status_code == 200
    assert served.mimetype == "text/xml"
    committed = WSDL_PATH.read_bytes()
    assert canonical(served.get_data()) == canonical(committed), (
        "the served WSDL drifted from wsdl/irctc_reservation_v1.wsdl:"
        " run `python -m soap_server export-wsdl` and commit the result if the change is deliberate"
    )


def test_soap_address_comes_from_public_url(settings: Settings) -> None:
    public = replace(settings, public_url="https://irctc.example.test/services/soap")
    with closing(create_app(public)) as app:
        for query in ("wsdl", "WSDL", "singleWsdl"):
            served = Client(app).get(f"/soap?{query}")
            assert address(served.get_data()) == "https://irctc.example.test/services/soap"
        # ... whoever asks, and under whatever Host header.
        served = Client(app).get("/soap?wsdl", headers={"Host": "evil.example"})
        assert address(served.get_data()) == "https://irctc.example.test/services/soap"


def test_export_command_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("a.wsdl", "b.wsdl"):
        target = tmp_path / name
        done = subprocess.run(
            [sys.executable, "-m", "soap_server", "export-wsdl", "-o", str(target)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == WSDL_PATH.read_bytes()


def test_wsdl_publishes_restrictions_and_faults() -> None:
    root = etree.fromstring(WSDL_PATH.read_bytes())
    xs = "http://www.w3.org/2001/XMLSchema"
    patterns = {p.get("value") for p in root.iter(f"{{{xs}}}pattern")}
    assert {"[0-9]{5}", "[0-9]{10}", "[A-Za-z]{2,5}"} <= patterns
    enumerations = {e.get("value") for e in root.iter(f"{{{xs}}}enumeration")}
    assert {"1A", "2A", "3A", "3E", "SL", "CC", "EC", "2S", "GN", "TQ", "LD", "SS"} <= enumerations
    operations = {
        op.get("name") for op in root.find(f"{{{WSDL_NS}}}portType").iter(f"{{{WSDL_NS}}}operation")
    }
    assert operations == {
        "Login",
        "Logout",
        "SearchTrain",
        "Book",
        "GetPnrStatus",
        "CancelBooking",
        "GetTrainSchedule",
        "ChangeBoardingPoint",
    }
    faults = root.findall(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation/{{{WSDL_NS}}}fault")
    assert len(faults) == len(operations)  # one declared fault per operation
    assert {f.get("name") for f in faults} == {"ReservationFault"}
