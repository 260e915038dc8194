"""The generated clients' runtime: the lxml fast path reads what zeep reads.

Every committed sample response of this project's contract is read by the generated client on
both paths (the same bytes, answers and faults alike) and must give equal objects; replies the
fast path can't judge are handed to zeep; the simple-value conversions agree with zeep's on
edge cases."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from zeep.xsd.types import builtins

from soap_client import WSDL_PATH
from soap_client import irctc_client as wire
from soap_client import runtime as rt
from soap_client.replay import SAMPLES_DIR, load_manifest
from soap_client.transports import WsgiTransport

SAMPLES = [
    s
    for s in load_manifest(SAMPLES_DIR).samples
    if s.operation in wire.IrctcReservationClient.operations
]


def response_of(path: Path) -> requests.Response:
    text = path.read_bytes()
    status = re.match(rb"<!-- HTTP (\d+) -->", text)
    response = requests.Response()
    response.status_code = int(status.group(1)) if status else 200
    response._content = text
    response.headers["Content-Type"] = "text/xml; charset=utf-8"
    return response


@pytest.fixture(scope="module")
def clients() -> tuple[wire.IrctcReservationClient, wire.IrctcReservationClient]:
    def never(environ: dict[str, Any], start_response: Any) -> Any:
        raise AssertionError("these tests read canned replies; nothing is sent")

    fast, slow = (
        wire.IrctcReservationClient(
            str(WSDL_PATH), "http://core.test/soap", transport=WsgiTransport(never), fast=fast
        )
        for fast in (True, False)
    )
    return fast, slow


def outcome(client: Any, operation: str, response: requests.Response) -> Any:
    """What reading ``response`` gives: the value, or the fault's class, code, text, detail."""
    try:
        return client._reply(client.operations[operation], response)
    except rt.ServiceFault as fault:
        return (type(fault), fault.faultcode, fault.message, fault.detail)


def test_there_are_samples_of_every_operation() -> None:
    assert {s.operation for s in SAMPLES} == set(wire.IrctcReservationClient.operations)
    assert len(SAMPLES) >= 50


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_every_sample_reads_the_same_on_both_paths(sample: Any, clients: Any) -> None:
    fast, slow = clients
    got = outcome(fast, sample.operation, response_of(sample.response))
    assert got == outcome(slow, sample.operation, response_of(sample.response))
    assert got is not None or sample.operation == "Logout"
    if isinstance(got, tuple):
        error, code, message, detail = got
        assert issubclass(error, wire.ReservationFaultError) and isinstance(
            detail, wire.ReservationFault
        )
        assert code.rpartition(":")[2] in (f"Client.{detail.code}", f"Server.{detail.code}") or (
            detail.code in code
        )


SEARCH = next(
    s
    for s in SAMPLES
    if s.operation == "SearchTrain" and b"<tns:Trains>" in s.response.read_bytes()
)


def test_a_reply_the_fast_path_cannot_judge_goes_to_zeep(clients: Any) -> None:
    """A server that leaves the elements of the answer unqualified: zeep accepts it (it
    compares local names when one side has no namespace), the fast path hands it over."""
    fast, slow = clients
    text = SEARCH.response.read_bytes().decode()
    unqualified = re.sub(r"<(/?)tns:(?!SearchTrainResponse)", r"<\1", text)
    assert unqualified != text
    response = response_of(SEARCH.response)
    response._content = unqualified.encode()
    expected = outcome(slow, "SearchTrain", response_of(SEARCH.response))
    assert outcome(fast, "SearchTrain", response) == expected
    assert len(expected) > 1 and all(isinstance(t, wire.TrainAvailability) for t in expected)
    with pytest.raises(rt.Unreadable):
        operation = fast.operations["SearchTrain"]
        from lxml import etree

        body = etree.fromstring(response.content).find(
            "{http://schemas.xmlsoap.org/soap/envelope/}Body"
        )
        fast._read_fast(operation, body, None)


@pytest.mark.parametrize(
    ("simple", "zeep_type", "texts"),
    [
        pytest.param(
            rt.DATETIME,
            builtins.DateTime(),
            [
                "2025-11-20T09:00:00+05:30",
                "2025-11-20T09:00:00Z",
                "2025-11-20T09:00:00.123456",
                "2025-11-20T09:00:00.1234567",
                "2025-11-20",
                " 2025-11-20T09:00:00Z ",
            ],
            id="dateTime",
        ),
        pytest.param(
            rt.DATE, builtins.Date(), ["2025-02-28", "2025-02-28Z", "2025-02-28+05:30"], id="date"
        ),
        pytest.param(rt.TIME, builtins.Time(), ["09:30:00", "09:30:00.5", "23:59:59Z"], id="time"),
        pytest.param(
            rt.DURATION,
            builtins.Duration(),
            ["PT15H30M", "P1DT2H", "PT0.5S", "PT90M", "P2D", "-PT5M", "PT-5M"],
            id="duration",
        ),
        pytest.param(
            rt.BOOLEAN,
            builtins.Boolean(),
            ["true", "1", "false", "0", " true ", "yes"],
            id="boolean",
        ),
        pytest.param(rt.INTEGER, builtins.Integer(), ["42", "+7", " -3 ", "0042"], id="integer"),
        pytest.param(
            rt.DECIMAL, builtins.Decimal(), ["499.00", "-0.5", "1E3", " 7 "], id="decimal"
        ),
        pytest.param(rt.FLOAT, builtins.Float(), ["1.5", "-INF", "1e-3"], id="float"),
    ],
)
def test_simple_values_read_as_zeep_reads_them(
    simple: rt.Simple, zeep_type: Any, texts: list[str]
) -> None:
    for text in texts:
        expected = zeep_type.pythonvalue(text)
        assert simple.parse(text) == expected, text


def test_hex_and_lexical_types_cross_to_zeep_both_ways() -> None:
    assert rt.HEX.parse("0FB7") == bytes.fromhex("0fb7") == rt.HEX.from_zeep("0FB7")
    assert rt.HEX.to_zeep(b"\x0f\xb7") == "0FB7"
    assert rt.G_YEAR.parse("1872") == "1872" == rt.G_YEAR.from_zeep(rt.G_YEAR.to_zeep("1872"))
    assert rt.ListOf(rt.DECIMAL).parse("1.5  2") == [Decimal("1.5"), Decimal(2)]


def test_any_elements_compare_as_xml_whatever_the_prefixes() -> None:
    a = rt.AnyElement.parse('<a:x xmlns:a="urn:v" a:k="1"> <a:y>t</a:y></a:x>')
    b = rt.AnyElement.parse('<x xmlns="urn:v" xmlns:p="urn:v" p:k="1"><y>t</y></x>')
    c = rt.AnyElement.parse('<x xmlns="urn:v"><y>u</y></x>')
    assert a == b and hash(a) == hash(b) and a != c
    assert {a, b, c} == {a, c}
