"""The compiled request reader (soap/reader.py) answers exactly what Spyne's reading answered.

Differential: the same requests go to two fresh cores, one with the reader and one with every
request left to Spyne (``SoapEndpoint.reader = None``), their random draws (session tokens, PNRs)
made the same; every answer, status and headers included, must be the same bytes. The corpus:
every committed sample, in manifest order; the facade fuzzer's mutations of valid requests; and
requests written to sit on the reader's edges (nil, attributes, odd values, both credentials).
And the requests the reader leaves to Spyne do reach Spyne, the others never do.
"""

from __future__ import annotations

import base64
import importlib.util
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from werkzeug.test import Client

from soap_client.replay import Answer, load_manifest, replay
from soap_server.railway import agents, pnr
from soap_server.railway.clock import parse_clock
from soap_server.railway.operations import OPERATIONS
from soap_server.simulation import load_profile
from soap_server.soap.app import operation_names
from soap_server.soap.reader import RequestReader, Value
from soap_server.wsgi import CoreApp, create_app
from tests.conftest import PASSWORDS, SOAP_ENV, TNS, core_settings

FUZZER = Path(__file__).resolve().parents[2] / "bench" / "fuzz_facades.py"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class Draws:
    """``secrets`` for the core, drawing from a seeded generator: two cores given the same
    requests draw the same tokens and PNRs."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._random = random.Random(13)

    def token_urlsafe(self, size: int | None = None) -> str:
        raw = self._random.randbytes(32 if size is None else size)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def token_bytes(self, size: int | None = None) -> bytes:
        return self._random.randbytes(32 if size is None else size)

    def randbelow(self, bound: int) -> int:
        return self._random.randrange(bound)


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> Draws:
    fake = Draws()
    monkeypatch.setattr(agents, "secrets", fake)
    monkeypatch.setattr(pnr, "secrets", fake)
    return fake


@dataclass(frozen=True)
class Said:
    """One answer as it went out: status, headers (but the app's timing), body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class Paths:
    """Counts of who answered a core's SOAP requests."""

    reader: int = 0
    spyne: int = 0
    seen: list[str] = field(default_factory=list)  # "reader" or "spyne", per request


def watch(app: CoreApp, reader: bool) -> Paths:
    """Count who answers each request of ``app`` (with its reader on or off)."""
    paths = Paths()
    spyne = app.soap._spyne
    compiled = app.soap.reader
    assert compiled is not None

    def through_spyne(environ: dict[str, Any], start_response: Any) -> Any:
        paths.spyne += 1
        paths.seen.append("spyne")
        return spyne(environ, start_response)

    def answer(*args: Any) -> Any:
        read = compiled_answer(*args)
        if read is not None:
            paths.reader += 1
            paths.seen.append("reader")
        return read

    compiled_answer = compiled.answer
    app.soap._spyne = through_spyne
    if reader:
        compiled.answer = answer  # type: ignore[method-assign]
    else:
        app.soap.reader = None
    return paths


def said(response: Any) -> Said:
    headers = tuple((k, v) for k, v in response.headers.items() if k != "Server-Timing")
    return Said(response.status_code, headers, response.get_data())


class Recorder:
    """A replay target on in-process cores (one database, one core per clock) that keeps every
    answer as it went out."""

    def __init__(self, folder: Path, reader: bool, clock: str) -> None:
        self.folder = folder
        self.reader = reader
        self.answers: list[Said] = []
        self.paths = Paths()
        self.apps: list[CoreApp] = []
        self.clock = clock
        self.profile: Path | None = None
        self._client = self._core(clock, None)

    def _core(self, clock: str, profile: Path | None) -> Client:
        settings = core_settings(
            self.folder / "core.sqlite3",
            parse_clock(clock),
            profile=None if profile is None else load_profile(profile),
        )
        app = create_app(settings)
        self.apps.append(app)
        paths = watch(app, self.reader)
        paths.seen = self.paths.seen
        self._counts = paths
        return Client(app)

    def send(self, method: str, body: bytes, headers: dict[str, str]) -> Answer:
        response = self._client.open("/soap", method=method, data=body, headers=headers)
        self.answers.append(said(response))
        return Answer(response.status_code, response.get_data(), 0.0)

    def use_core(self, clock: str, profile: Path | None) -> bool:
        if (clock, profile) != (self.clock, self.profile):
            self._client = self._core(clock, profile)
            self.clock, self.profile = clock, profile
        return True

    def may_lock_agents(self) -> bool:
        return True

    def close(self) -> None:
        for app in self.apps:
            app.close()


def differences(first: list[Said], second: list[Said], labels: list[str]) -> list[str]:
    assert len(first) == len(second)
    return [
        f"{label}: reader {a.status} {a.body[:400]!r}\n   spyne {b.status} {b.body[:400]!r}"
        for label, a, b in zip(labels, first, second, strict=True)
        if a != b
    ]


def test_every_sample_gets_the_same_bytes_from_the_reader_and_from_spyne(
    tmp_path: Path, draws: Draws
) -> None:
    manifest = load_manifest()
    runs = {}
    for reader in (True, False):
        draws.reset()
        (tmp_path / str(reader)).mkdir()
        target = Recorder(tmp_path / str(reader), reader, manifest.clock)
        try:
            results = replay(manifest, target)
        finally:
            target.close()
        assert {r.outcome for r in results} == {"pass"}, [
            r.sample.id for r in results if r.outcome != "pass"
        ]
        runs[reader] = target
    labels = [sample.id for sample in manifest.samples]
    labels += [f"#{n}" for n in range(len(runs[True].answers) - len(labels))]
    assert differences(runs[True].answers, runs[False].answers, labels) == []
    # The reader answered most of them (the rest were refused at the edge, or left to Spyne).
    assert runs[True].paths.seen.count("reader") > len(manifest.samples) // 2
    assert "reader" not in runs[False].paths.seen


# -- mutated and edge requests ---------------------------------------------------------------


def fuzzer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_facades", FUZZER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def envelope(body: str, header: str = "", prefix: str = "soapenv") -> bytes:
    head = f"<{prefix}:Header>{header}</{prefix}:Header>" if header else ""
    return (
        f'<{prefix}:Envelope xmlns:{prefix}="{SOAP_ENV}" xmlns:tns="{TNS}"'
        f' xmlns:xsi="{XSI}">{head}<{prefix}:Body>{body}</{prefix}:Body></{prefix}:Envelope>'
    ).encode()


def session(token: str, extra: str = "") -> str:
    return (
        f"<tns:SessionHeader{extra}><tns:SessionToken>{token}</tns:SessionToken>"
        "</tns:SessionHeader>"
    )


PASSENGER = (
    "<tns:Passenger><tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age>"
    "<tns:Gender>M</tns:Gender></tns:Passenger>"
)


def book(reference: str, passengers: str = PASSENGER, **values: str) -> str:
    fields = {
        "TrainNumber": "12952",
        "JourneyDate": "2025-11-30",
        "From": "NDLS",
        "To": "MMCT",
        "Class": "3A",
        **values,
    }
    head = "".join(f"<tns:{name}>{value}</tns:{name}>" for name, value in fields.items())
    return (
        f"<tns:Book>{head}<tns:Passengers>{passengers}</tns:Passengers>"
        f"<tns:ClientReference>{reference}</tns:ClientReference></tns:Book>"
    )


def search(date: str = "2025-11-30", extra: str = "", attribute: str = "") -> str:
    return (
        f"<tns:SearchTrain><tns:From>NDLS</tns:From><tns:To{attribute}>MMCT</tns:To>"
        f"<tns:JourneyDate>{date}</tns:JourneyDate>{extra}</tns:SearchTrain>"
    )


def edge_cases(token: str, booked: str) -> list[tuple[str, bytes, str | None]]:
    """(label, request, who must answer it: "reader", "spyne", or None for the edge)."""
    s = session(token)
    password = PASSWORDS["MMT"]
    pnr_status = f"<tns:GetPnrStatus><tns:Pnr>{booked}</tns:Pnr></tns:GetPnrStatus>"
    wsse = (
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>MMT'
        f"</wsse:Username><wsse:Password>{password}</wsse:Password></wsse:UsernameToken>"
        "</wsse:Security>"
    )
    return [
        ("plain search", envelope(search(), s), "reader"),
        (
            "search, class and quota",
            envelope(search(extra="<tns:Class>SL</tns:Class>"), s),
            "reader",
        ),
        ("search, BCT", envelope(search().replace(">MMCT<", ">BCT<"), s), "reader"),
        ("date with Z", envelope(search("2025-11-30Z"), s), "reader"),
        ("date with offset", envelope(search("2025-11-30+05:30"), s), "reader"),
        ("date with spaces", envelope(search(" 2025-11-30 "), s), "spyne"),
        ("date of year 10000", envelope(search("10000-11-30"), s), "spyne"),
        ("date out of range", envelope(search("2025-02-30"), s), "spyne"),
        ("date not a date", envelope(search("tomorrow"), s), "spyne"),
        ("xsi:type", envelope(search(attribute=' xsi:type="xs:string"'), s), "spyne"),
        ("unknown attribute", envelope(search(attribute=' code="x"'), s), "spyne"),
        ("xml:id", envelope(search(attribute=' xml:id="to"'), s), "spyne"),
        ("href", envelope(search(attribute=' href="#to"'), s), "spyne"),
        # Spyne parses an envelope with xml:id itself, and refuses duplicates and non-names.
        (
            "xml:id outside the body",
            envelope(search(), s).replace(b"<soapenv:Body>", b'<soapenv:Body xml:id="b">'),
            "spyne",
        ),
        (
            "xml:id twice",
            envelope(search(), s)
            .replace(b"<soapenv:Body>", b'<soapenv:Body xml:id="b">')
            .replace(b"<soapenv:Header>", b'<soapenv:Header xml:id="b">'),
            "spyne",
        ),
        (
            "xml:id not a name",
            envelope(search(), s).replace(b"<soapenv:Header>", b'<soapenv:Header xml:id="1 2">'),
            "spyne",
        ),
        ("nil required", envelope(search(attribute=' xsi:nil="true"'), s), "spyne"),
        (
            "comment in a value",
            envelope(search().replace(">MMCT<", ">MM<!-- x -->CT<"), s),
            "reader",
        ),
        ("CDATA", envelope(search().replace(">MMCT<", "><![CDATA[MMCT]]><"), s), "reader"),
        (
            "default namespace",
            envelope(
                search()
                .replace("tns:", "")
                .replace("<SearchTrain>", f'<SearchTrain xmlns="{TNS}">'),
                s,
            ),
            "reader",
        ),
        ("other prefix", envelope(search(), s, prefix="S"), "reader"),
        ("no session", envelope(search()), "reader"),
        ("nil session", envelope(search(), session(token, ' xsi:nil="true"')), None),
        ("session with attribute", envelope(search(), session(token, ' xsi:type="x"')), None),
        ("two headers", envelope(search(), s + "</soapenv:Header><soapenv:Header>"), "reader"),
        ("unknown optional header", envelope(search(), s + "<x:Other xmlns:x='urn:x'/>"), "reader"),
        ("wsse and search", envelope(search(), wsse), "reader"),
        (
            "wsse login",
            envelope(
                f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{password}"
                "</tns:Password></tns:Login>",
                wsse,
            ),
            "reader",
        ),
        (
            "session on a login",
            envelope(
                f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{password}"
                "</tns:Password></tns:Login>",
                s,
            ),
            "reader",
        ),
        (
            "wrong password",
            envelope(
                "<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>nope</tns:Password>"
                "</tns:Login>"
            ),
            "reader",
        ),
        (
            "password of spaces",
            envelope(
                "<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>   </tns:Password>"
                "</tns:Login>"
            ),
            "reader",
        ),
        ("pnr status", envelope(pnr_status, s), "reader"),
        ("pnr with spaces", envelope(pnr_status.replace(booked, f" {booked}"), s), "spyne"),
        ("pnr status, no session", envelope(pnr_status), "reader"),
        ("book", envelope(book("edge-1"), s), "reader"),
        ("book again", envelope(book("edge-1"), s), "reader"),
        ("book, other request same reference", envelope(book("edge-1", Class="SL"), s), "reader"),
        (
            "book, age +34",
            envelope(book("edge-2", PASSENGER.replace(">34<", ">+34<")), s),
            "reader",
        ),
        (
            "book, age 034",
            envelope(book("edge-3", PASSENGER.replace(">34<", ">034<")), s),
            "reader",
        ),
        (
            "book, age thirty",
            envelope(book("edge-4", PASSENGER.replace(">34<", ">x<")), s),
            "spyne",
        ),
        (
            "book, nil passenger",
            envelope(book("edge-5", '<tns:Passenger xsi:nil="true"/>'), s),
            "reader",
        ),
        (
            "book, nil=false passenger",
            envelope(
                book(
                    "edge-6",
                    PASSENGER.replace("<tns:Passenger>", '<tns:Passenger xsi:nil="false">'),
                ),
                s,
            ),
            "reader",
        ),
        (
            "book, nil=0 passenger",
            envelope(
                book("edge-7", PASSENGER.replace("<tns:Passenger>", '<tns:Passenger xsi:nil="0">')),
                s,
            ),
            "reader",
        ),
        (
            "book, empty nil",
            envelope(
                book("edge-8", PASSENGER.replace("<tns:Passenger>", '<tns:Passenger xsi:nil="">')),
                s,
            ),
            "spyne",
        ),
        ("book, no passengers", envelope(book("edge-9", ""), s), "reader"),
        ("book, seven", envelope(book("edge-10", PASSENGER * 7), s), "reader"),
        (
            "book, berth and no berth",
            envelope(
                book(
                    "edge-11",
                    PASSENGER.replace(
                        "</tns:Gender>",
                        "</tns:Gender><tns:BerthPreference>LB</tns:BerthPreference>"
                        "<tns:NoBerth>1</tns:NoBerth>",
                    ),
                ),
                s,
            ),
            "reader",
        ),
        (
            "book, no-berth TRUE",
            envelope(
                book(
                    "edge-12",
                    PASSENGER.replace(
                        "</tns:Gender>", "</tns:Gender><tns:NoBerth> true </tns:NoBerth>"
                    ),
                ),
                s,
            ),
            "reader",
        ),
        (
            "book, only if confirmed",
            envelope(
                book("edge-13").replace(
                    "<tns:ClientReference>",
                    "<tns:OnlyIfConfirmed>true</tns:OnlyIfConfirmed><tns:ClientReference>",
                ),
                s,
            ),
            "reader",
        ),
        ("book, tatkal", envelope(book("edge-14", Quota="TQ"), s), "reader"),
        (
            "cancel, nil number",
            envelope(
                f"<tns:CancelBooking><tns:Pnr>{booked}</tns:Pnr><tns:Passengers>"
                '<tns:PassengerNumber xsi:nil="true"/></tns:Passengers></tns:CancelBooking>',
                s,
            ),
            "reader",
        ),
        (
            "cancel, empty selection",
            envelope(
                f"<tns:CancelBooking><tns:Pnr>{booked}</tns:Pnr><tns:Passengers/>"
                "</tns:CancelBooking>",
                s,
            ),
            "reader",
        ),
        (
            "cancel, number 9",
            envelope(
                f"<tns:CancelBooking><tns:Pnr>{booked}</tns:Pnr><tns:Passengers>"
                "<tns:PassengerNumber>9</tns:PassengerNumber></tns:Passengers></tns:CancelBooking>",
                s,
            ),
            "spyne",
        ),
        (
            "cancel one",
            envelope(
                f"<tns:CancelBooking><tns:Pnr>{booked}</tns:Pnr><tns:Passengers>"
                "<tns:PassengerNumber>2</tns:PassengerNumber></tns:Passengers></tns:CancelBooking>",
                s,
            ),
            "reader",
        ),
        (
            "boarding point",
            envelope(
                f"<tns:ChangeBoardingPoint><tns:Pnr>{booked}</tns:Pnr><tns:BoardingPoint>KOTA"
                "</tns:BoardingPoint></tns:ChangeBoardingPoint>",
                s,
            ),
            "reader",
        ),
        (
            "schedule",
            envelope(
                "<tns:GetTrainSchedule><tns:TrainNumber>12952</tns:TrainNumber>"
                "</tns:GetTrainSchedule>",
                s,
            ),
            "reader",
        ),
        (
            "schedule, no such train",
            envelope(
                "<tns:GetTrainSchedule><tns:TrainNumber>19999</tns:TrainNumber>"
                "</tns:GetTrainSchedule>",
                s,
            ),
            "reader",
        ),
        (
            "cancel all",
            envelope(f"<tns:CancelBooking><tns:Pnr>{booked}</tns:Pnr></tns:CancelBooking>", s),
            "reader",
        ),
        ("logout", envelope("<tns:Logout/>", s), "reader"),
        ("after logout", envelope(search(), s), "reader"),
    ]


def two_cores(
    tmp_path: Path, draws: Draws, requests: Callable[[str, str], list[tuple[str, bytes, Any]]]
) -> Iterator[tuple[bool, list[tuple[str, bytes, Any]], list[Said], list[str | None]]]:
    """For the reader's core, then Spyne's, each fresh with the same draws: the requests
    (made from the core's session token and a booked PNR), the answers, and who gave each
    ("reader", "spyne", or None: the edge)."""
    fuzz = fuzzer()
    for reader in (True, False):
        draws.reset()
        folder = tmp_path / ("reader" if reader else "spyne")
        folder.mkdir()
        app = fuzz.fresh_app(folder)
        try:
            http = Client(app)
            token, booked = fuzz._session(http)
            paths = watch(app, reader)
            sent = requests(token, booked)
            answers, who = [], []
            for _, body, _ in sent:
                before = len(paths.seen)
                response = http.post("/soap", data=body, content_type="text/xml; charset=utf-8")
                answers.append(said(response))
                who.append(paths.seen[-1] if len(paths.seen) > before else None)
        finally:
            app.close()
        yield reader, sent, answers, who


def test_edge_requests_get_the_same_bytes_and_reach_the_path_they_should(
    tmp_path: Path, draws: Draws
) -> None:
    runs = {
        reader: (sent, answers, who)
        for reader, sent, answers, who in two_cores(tmp_path, draws, edge_cases)
    }
    sent, answers, who = runs[True]
    labels = [label for label, _, _ in sent]
    assert differences(answers, runs[False][1], labels) == []
    # Who answered each, with the reader on: the ones it leaves reach Spyne, and only those.
    wrong = [
        (label, expected, actual)
        for (label, _, expected), actual in zip(sent, who, strict=True)
        if expected != actual
    ]
    assert wrong == [], wrong
    assert runs[False][2] == [None if w is None else "spyne" for w in who]
    # The corpus says something: faults and answers of several kinds on both paths.
    codes = {
        a.body.split(b"<tns:Code>")[1].split(b"<")[0] for a in answers if b"<tns:Code>" in a.body
    }
    assert {
        b"SchemaValidation",
        b"InvalidPassenger",
        b"InvalidPassengerSelection",
        b"SessionInvalid",
        b"TrainNotFound",
    } <= codes, codes
    assert sum(a.status == 200 for a in answers) > 15


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_requests_get_the_same_bytes_from_the_reader_and_from_spyne(
    tmp_path: Path, draws: Draws, seed: int
) -> None:
    fuzz = fuzzer()

    def mutations(token: str, booked: str) -> list[tuple[str, bytes, Any]]:
        rng = random.Random(f"reader:{seed}")
        seeds = fuzz.soap_seeds(token, booked, token)[:-1]  # keep the session: no Logout
        sent = []
        for n in range(300):
            seed_request = rng.choice(seeds)
            mutate = fuzz.mutate_tree if rng.random() < 0.7 else fuzz.mutate_bytes
            sent.append((f"case {n}", mutate(rng, seed_request), None))
        return sent

    runs = {
        reader: (sent, answers, who)
        for reader, sent, answers, who in two_cores(tmp_path, draws, mutations)
    }
    sent, answers, who = runs[True]
    assert [body for _, body, _ in sent] == [body for _, body, _ in runs[False][0]]
    assert differences(answers, runs[False][1], [label for label, _, _ in sent]) == []
    assert who.count("reader") > 15 and who.count("spyne") > 15, who


# -- the reader itself ---------------------------------------------------------------------------


def test_the_reader_reads_every_operation_of_the_contract(app: CoreApp) -> None:
    reader = app.soap.reader
    assert isinstance(reader, RequestReader)
    assert reader.operations == operation_names(app.soap_application)
    assert reader.operations == {operation.name for operation in OPERATIONS}


def test_values_read_are_what_spyne_gives_the_service(app: CoreApp) -> None:
    """The values of a Book, as the service's method would receive them."""
    reader = app.soap.reader
    assert reader is not None
    from lxml import etree

    root = etree.fromstring(
        envelope(
            book(
                "values-1",
                PASSENGER
                + PASSENGER.replace(
                    "</tns:Gender>", "</tns:Gender><tns:NoBerth>true</tns:NoBerth>"
                ),
            )
        )
    )
    payload = root[0][0]
    message, values, credential = reader._read_call(root, payload, None)
    assert message.operation.name == "Book" and credential is None
    train, day, origin, destination, cls, quota, passengers, only, reference = values
    assert (train, str(day), origin, destination, cls, quota, only, reference) == (
        "12952",
        "2025-11-30",
        "NDLS",
        "MMCT",
        "3A",
        None,
        None,
        "values-1",
    )
    assert [type(p).__name__ for p in passengers] == ["Passenger", "Passenger"]
    assert isinstance(passengers[0], Value)
    assert (passengers[0].Name, passengers[0].Age, passengers[0].NoBerth) == (
        "Ravi Kumar",
        34,
        None,
    )
    assert passengers[1].NoBerth is True
