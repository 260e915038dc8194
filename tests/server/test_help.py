"""The help site in-process: a page per operation of each era, built from the served contracts
and the samples; every example a page offers really works; everything echoed is escaped."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from werkzeug.test import Client

from soap_server.help import examples
from soap_server.help.contracts import read_wsdl
from soap_server.help.samples import form_body, load_samples
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.operations import OPERATIONS
from soap_server.settings import Settings
from soap_server.wsgi import create_app
from tests.conftest import PASSWORDS

ROOT = Path(__file__).resolve().parents[2]
SOAP_OPERATIONS = (
    "Login",
    "SearchTrain",
    "Book",
    "GetPnrStatus",
    "ChangeBoardingPoint",
    "CancelBooking",
    "GetTrainSchedule",
    "Logout",
)
#: The core's table in the order of a journey (log in first, log out last).
JOURNEY_ORDER = sorted(OPERATIONS, key=lambda op: SOAP_OPERATIONS.index(op.name))


@pytest.fixture
def help_client(settings: Settings) -> Client:
    return Client(create_app(replace(settings, demo_mode=True)))


def text_of(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status)
    assert response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    return response.get_data(as_text=True)


def test_the_operations_come_from_the_wsdl() -> None:
    wsdl = read_wsdl((ROOT / "wsdl" / "irctc_reservation_v1.wsdl").read_bytes())
    assert {op.name for op in wsdl.operations} == set(SOAP_OPERATIONS)
    assert {op.name for op in OPERATIONS} == set(SOAP_OPERATIONS)
    names = [examples.era_names(op) for op in OPERATIONS]
    assert {rest for rest, _ in names} == set(examples.REST)
    assert {xml for _, xml in names} == set(examples.PLAIN_XML)
    book = wsdl.operation("Book")
    assert book is not None and [h.name for h in book.headers] == ["SessionHeader"]
    fields = {c.name: c for c in book.request.children}
    assert fields["Quota"].required is False and "one of GN TQ LD SS" in fields["Quota"].facets
    assert fields["TrainNumber"].facets == ("pattern [0-9]{5}",)
    passenger = fields["Passengers"].children[0]
    assert passenger.name == "Passenger" and passenger.repeated == "0..unbounded"


@pytest.mark.parametrize("operation", SOAP_OPERATIONS)
def test_a_page_per_soap_operation_with_its_samples_and_faults(
    help_client: Client, operation: str
) -> None:
    text = text_of(help_client, f"/soap?op={operation}")
    samples = load_samples()
    assert samples is not None
    assert f"<h1>{operation}</h1>" in text
    assert 'class="tryit"' in text and 'class="session tryit"' in text
    for sample in samples.of(operation):
        assert f'id="sample-{sample.id}"' in text
        if sample.fault:
            assert f"<code>{sample.fault}</code>" in text  # in the table of faults
    table = next(op for op in OPERATIONS if op.name == operation)
    assert all(f"<code>{error.code}</code>" in text for error in table.raises)


def test_every_rest_and_xml_operation_has_a_page(help_client: Client) -> None:
    document = json.loads(help_client.get("/rest/v1/openapi.json").data)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert ids and all(examples.REST.get(i) for i in ids)
    for operation_id in ids:
        assert f"<h1>{operation_id}</h1>" in text_of(help_client, f"/help/rest/{operation_id}")
    for name in ("Login", "SearchTrain", "Book", "PnrStatus", "Cancel", "Logout"):
        page = text_of(help_client, f"/help/xml/{name}")
        assert f"<h1>&lt;{name}&gt;</h1>" in page and name in examples.PLAIN_XML


def test_the_readable_wsdl_and_the_raw_one(help_client: Client) -> None:
    text = text_of(help_client, "/help/wsdl")
    for operation in SOAP_OPERATIONS:
        assert f'id="op-{operation}"' in text
    raw = help_client.get("/soap?wsdl")
    assert raw.mimetype == "text/xml" and raw.data.startswith(b"<?xml")


def test_unknown_pages_are_404_and_echo_escaped(help_client: Client) -> None:
    text = text_of(help_client, "/soap?op=<script>alert(1)</script>", 404)
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    text = text_of(help_client, "/help/rest/%3Cimg%20src=x%3E", 404)
    assert "<img src=x>" not in text
    assert help_client.get("/help/static/../settings.py").status_code == 404
    assert help_client.post("/help/wsdl").status_code == 405


def test_no_page_loads_anything_from_elsewhere(help_client: Client) -> None:
    for url in ("/", "/soap", "/soap?op=Book", "/help/rest/book", "/help/xml", "/help/report"):
        text = help_client.get(url).get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]+)"', text)
        local = [s for s in sources if s.startswith(("/", "#"))]
        served = [s for s in sources if s.startswith("http://127.0.0.1:8000/")]
        assert sorted(local + served) == sorted(sources), url


def _fill(text: str, values: dict[str, str], kind: str) -> str:
    return examples.fill(text, {**values, "PASSWORD": PASSWORDS["MMT"], "AGENT": "MMT"}, kind)


def test_the_soap_forms_work_on_a_core_with_another_today(tmp_path: Path) -> None:
    """The forms' envelopes are the samples moved to the core's today: on a core six weeks and
    a day after the samples' clock, the whole journey still goes through."""
    later = FixedClock(datetime(2026, 1, 2, 9, 0, tzinfo=IST))
    client = Client(create_app(Settings(db_path=tmp_path / "core.sqlite3", clock=later)))
    samples = load_samples()
    assert samples is not None
    values: dict[str, str] = {}
    for operation in SOAP_OPERATIONS:
        sample = samples.example(operation)
        assert sample is not None
        body = _fill(form_body(sample, samples.today, later.now().date()), values, "xml")
        assert "{{" not in body, body
        answer = client.post(
            "/soap",
            data=body.encode(),
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation}"'},
        )
        assert answer.status_code == 200, (operation, answer.data[:600])
        root = etree.fromstring(answer.data)
        for name, local in (("TOKEN", "SessionToken"), ("PNR", "Pnr")):
            found = root.find(f".//{{*}}{local}")
            if found is not None and found.text:
                values[name] = found.text


def test_the_rest_and_plain_xml_examples_work(help_client: Client) -> None:
    values: dict[str, str] = {}
    for rest_id, _ in map(examples.era_names, JOURNEY_ORDER):
        example = examples.REST[rest_id]
        headers = {k: _fill(v, values, "raw") for k, v in example.headers}
        answer = help_client.open(
            _fill(example.path, values, "raw"),
            method=example.method,
            data=_fill(example.body, values, "json").encode() or None,
            headers=headers,
        )
        assert 200 <= answer.status_code < 300, (rest_id, answer.data[:400])
        if answer.data:
            body = answer.get_json()
            values.setdefault("TOKEN", body.get("token", ""))
            if body.get("pnr"):
                values["PNR"] = body["pnr"]
    values = {}
    for _, xml_name in map(examples.era_names, JOURNEY_ORDER):
        example = examples.PLAIN_XML[xml_name]
        answer = help_client.post(
            "/xml", data=_fill(example.body, values, "xml").encode(), headers=dict(example.headers)
        )
        root = etree.fromstring(answer.data)
        assert answer.status_code == 200 and root.find("Error") is None, answer.data[:400]
        login = root.find("Login")
        if login is not None:
            values["TOKEN"] = login.get("session", "")
        booked = root.find("Book")
        if booked is not None:
            values["PNR"] = booked.get("pnr", "")
    assert values.get("PNR")


def test_the_report_page_reads_the_committed_report(help_client: Client) -> None:
    report = json.loads((ROOT / "docs" / "compare" / "report.json").read_text())
    text = text_of(help_client, "/help/report")
    for key in ("machine", "python", "commit", "date", "runs"):
        assert key in report["meta"] and f"<td>{key}</td>" in text
    assert report["conclusions"] and all(
        sentence.replace("'", "&#x27;") in text for sentence in report["conclusions"]
    )
    for chart in report["charts"]:
        assert f'src="/help/report/{chart["file"]}"' in text
        svg = help_client.get(f"/help/report/{chart['file']}")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
