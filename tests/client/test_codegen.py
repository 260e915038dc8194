"""``codegen``: the committed client is what the WSDL generates; generation is deterministic;
modules generated from WSDLs of other shapes import, pass ruff and mypy --strict, and round-trip
calls through zeep against an in-process stub server."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from lxml import etree

from soap_client import WSDL_PATH
from soap_client.__main__ import main
from soap_client.codegen import generate
from soap_client.transports import WsgiTransport

HERE = Path(__file__).parent / "wsdls" / "codegen"
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
            [sys.executable, "-m", "soap_client", "codegen", str(HERE / "library.wsdl")],
            capture_output=True,
            timeout=120,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2] and len(outputs[0]) > 1000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("generated")
    modules = {}
    for name in ("library", "weather", "calculator_rpc"):
        wsdl = HERE / f"{name.replace('_', '-')}.wsdl"
        source, _ = generate(wsdl)
        path = folder / f"gen_{name}.py"
        path.write_text(source)
        modules[name] = path
    return modules


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def test_generated_modules_pass_ruff_and_mypy_strict(generated: dict[str, Path]) -> None:
    paths = [str(p) for p in generated.values()]
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run(
        [*ruff, "check", "--line-length", "100", "--select", "B,E,F,I,UP,W", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    formatted = subprocess.run(
        [*ruff, "format", "--check", "--line-length", "100", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            "/dev/null",
            *paths,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=next(iter(generated.values())).parent,
    )
    assert mypy.returncode == 0, mypy.stdout


# -- an in-process stub service -------------------------------------------------------------------


def stub(answers: dict[str, Callable[[etree._Element], tuple[int, str]]], seen: list[Any]) -> Any:
    """A WSGI app answering each operation (by body element name) with canned XML."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        envelope = etree.fromstring(body)
        seen.append(envelope)
        call = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        status, answer = answers[etree.QName(call).localname](call)
        data = (
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>{answer}</soap:Body>'
            "</soap:Envelope>"
        ).encode()
        start_response(f"{status} X", [("Content-Type", "text/xml; charset=utf-8")])
        return [data]

    return app


def test_library_round_trip(generated: dict[str, Path]) -> None:
    lib = load(generated["library"])
    seen: list[Any] = []
    ns = 'xmlns="urn:example:library"'
    book = (
        '<Book isbn="978-0-14-044913-6" currency="INR"><Title>The Discovery of India</Title>'
        "<Authors>Jawaharlal Nehru</Authors><Genre>history</Genre>"
        '<Subtitle xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
        "<Price>499.00</Price></Book>"
    )
    two_authors = (
        '<Book isbn="978-0-00-000000-2"><Title>Freedom at Midnight</Title>'
        "<Authors>Larry Collins</Authors><Authors>Dominique Lapierre</Authors>"
        "<Genre>history</Genre><Subtitle>1947</Subtitle></Book>"
    )

    def list_shelves(call: etree._Element) -> tuple[int, str]:
        genres = [g.text for g in call.iter("{urn:example:library}Genres")]
        assert genres == ["history", "science"]
        return 200, (
            f"<ListShelvesResponse {ns}><Shelf><Label>A1</Label>{book}{two_authors}</Shelf>"
            "<Shelf><Label>A2</Label></Shelf><UpdatedAt>2025-11-20T09:00:00+05:30</UpdatedAt>"
            "</ListShelvesResponse>"
        )

    def pay_fine(call: etree._Element) -> tuple[int, str]:
        member = call.findtext("{urn:example:library}MemberId")
        if member == "M-13":
            return 500, (
                "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>blocked"
                f"</faultstring><detail><MemberBlocked {ns}><MemberId>M-13</MemberId>"
                "<Until>2025-12-31</Until></MemberBlocked></detail></soap:Fault>"
            )
        payment = call.find("{urn:example:library}Payment")
        assert payment is not None and [etree.QName(c).localname for c in payment] == ["Cash"]
        return 200, f"<PayFineResponse {ns}><Receipt>R-{member}</Receipt></PayFineResponse>"

    app = stub({"ListShelves": list_shelves, "PayFine": pay_fine}, seen)
    client = lib.LibraryBindingClient(str(HERE / "library.wsdl"), transport=WsgiTransport(app))
    answer = client.list_shelves(floor=1, genres=["history", "science"])
    assert answer.updated_at == datetime.fromisoformat("2025-11-20T09:00:00+05:30")
    first, second = answer.shelf
    assert (first.label, second.label, second.book) == ("A1", "A2", [])
    nehru, collins = first.book
    assert nehru == lib.Book(
        title="The Discovery of India",
        authors=["Jawaharlal Nehru"],
        genre="history",
        subtitle=None,
        price=Decimal("499.00"),
        isbn="978-0-14-044913-6",
        currency="INR",
    )
    assert collins.authors == ["Larry Collins", "Dominique Lapierre"]
    assert collins.currency is None and collins.subtitle == "1947"

    assert client.pay_fine(member_id="M-7", payment=lib.Payment(cash=Decimal("20"))) == "R-M-7"
    with pytest.raises(lib.MemberBlockedError) as raised:
        client.pay_fine(member_id="M-13", payment=lib.Payment(card_number="4111"))
    assert raised.value.detail == lib.MemberBlocked(member_id="M-13", until=date(2025, 12, 31))
    assert raised.value.faultcode.endswith("Client") and raised.value.message == "blocked"
    assert seen[0].find(f".//{{{SOAP_ENV}}}Body/{{urn:example:library}}ListShelves") is not None


def test_weather_services_ports_and_headers(generated: dict[str, Path]) -> None:
    weather = load(generated["weather"])
    seen: list[Any] = []
    types = 'xmlns="urn:example:weather:types"'
    app = stub(
        {
            "GetReading": lambda call: (
                200,
                (
                    f"<GetReadingResponse {types}><Reading><Station>"
                    f"{call.findtext('{urn:example:weather:types}Station')}</Station>"
                    "<Celsius>31.5</Celsius><Observed>2025-11-20T14:30:00+05:30</Observed>"
                    "</Reading></GetReadingResponse>"
                ),
            ),
            "ListStations": lambda call: (
                200,
                (
                    f"<ListStationsResponse {types}><Code>NDLS</Code><Code>MMCT</Code>"
                    "</ListStationsResponse>"
                ),
            ),
        },
        seen,
    )
    readings = weather.ReadingsSoapClient
    assert readings.ports == {
        "ReadingService/ReadingsNorth": "http://north.example.test/readings",
        "ReadingService/ReadingsSouth": "http://south.example.test/readings",
    }
    client = readings(
        str(HERE / "weather.wsdl"),
        readings.ports["ReadingService/ReadingsSouth"],
        transport=WsgiTransport(app),
    )
    reading = client.get_reading(station="Delhi", key=weather.ApiKey(key="s3cret"))
    assert reading == weather.Reading(
        station="Delhi",
        celsius=31.5,
        observed=datetime.fromisoformat("2025-11-20T14:30:00+05:30"),
        raining=None,
    )
    header = seen[0].find(f"{{{SOAP_ENV}}}Header")
    assert header is not None and header.findtext(".//{urn:example:weather:types}Key") == "s3cret"
    stations = weather.StationsSoapClient(str(HERE / "weather.wsdl"), transport=WsgiTransport(app))
    assert stations.list_stations() == ["NDLS", "MMCT"]


def test_rpc_binding_is_reported_and_the_rest_generated(
    generated: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calc = load(generated["calculator_rpc"])
    assert hasattr(calc, "AdderSoapClient") and not hasattr(calc, "MultiplierRpcClient")
    assert "rpc-style operations are not supported" in (calc.__doc__ or "")
    app = stub(
        {
            "Add": lambda call: (
                200,
                (
                    '<AddResponse xmlns="urn:example:calc"><Sum>'
                    f"{sum(int(c.text or 0) for c in call)}</Sum></AddResponse>"
                ),
            )
        },
        [],
    )
    adder = calc.AdderSoapClient(str(HERE / "calculator-rpc.wsdl"), transport=WsgiTransport(app))
    assert adder.add(a=2**40, b=2) == 2**40 + 2

    out = io.StringIO()
    code = main(
        ["codegen", str(HERE / "calculator-rpc.wsdl"), "-o", str(tmp_path / "c.py")], stdout=out
    )
    err = capsys.readouterr().err
    assert code == 1 and (tmp_path / "c.py").exists()
    assert err.strip() == (
        "error: not generated: operation Multiply of binding MultiplierRpc: rpc-style operations"
        " are not supported (only document/literal)"
    )
    assert (
        main(
            [
                "codegen",
                str(HERE / "calculator-rpc.wsdl"),
                "--allow-partial",
                "-o",
                str(tmp_path / "c.py"),
            ],
            stdout=out,
        )
        == 0
    )


def test_nothing_generatable_or_unreadable_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only_rpc = (HERE / "calculator-rpc.wsdl").read_text()
    only_rpc = only_rpc.replace('<soap:binding style="document"', '<soap:binding style="rpc"')
    (tmp_path / "rpc.wsdl").write_text(only_rpc)
    assert main(["codegen", str(tmp_path / "rpc.wsdl")], stdout=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: nothing in rpc.wsdl can be generated:")
    assert len(err.strip().splitlines()) == 1
    assert main(["codegen", str(tmp_path / "missing.wsdl")], stdout=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot load") and len(err.strip().splitlines()) == 1


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
