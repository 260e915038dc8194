"""Fuzz the three facades with mutated requests: every answer must be the facade's own shape,
and none may be an ``InternalError``.

::

    .venv/bin/python bench/fuzz_facades.py [--cases 10000] [--seed 11] [--keep DIR]

For each facade (``/soap``, ``/rest/v1``, ``/xml``) it takes valid requests of every operation
(log in, search, book, PNR status, cancel, log out; SOAP also with its SessionHeader) and sends
``--cases`` mutations of them through the whole app in-process: bytes flipped, cut, doubled or
dropped; values swapped for hostile ones (dates out of range, huge and negative numbers, empty
strings, control characters, other scripts, 10 KB of text); elements and attributes removed,
repeated or renamed; ``xsi:type``/``xsi:nil`` added; namespaces changed; JSON values retyped and
keys dropped. An answer passes when it is

* SOAP: a SOAP 1.1 envelope holding one response element of the contract or one Fault with a
  ``tns:ReservationFault`` detail;
* REST: JSON (``application/json`` or ``application/problem+json`` with a ``code``), or an empty
  204;
* plain XML: a ``<Response>`` document (or the XSD for a GET);

and when no ``Code``/``code`` in it is ``InternalError``. It prints the counts per facade,
the statuses and codes seen, and exits 1 on any failure (the failing requests go to ``--keep``).
The test suite runs a small seeded sample of the same cases (``tests/server/test_fuzz.py``).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from werkzeug.test import Client

from soap_server.ns import SOAP_ENV, TNS
from soap_server.railway.agents import demo_agents
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.passwords import Scrypt
from soap_server.settings import Settings
from soap_server.wsgi import CoreApp, create_app

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=IST)
JOURNEY = "2025-11-30"
PASSWORD = {agent.code: agent.demo_password for agent in demo_agents()}["MMT"]
XSI = "http://www.w3.org/2001/XMLSchema-instance"
READER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
HOSTILE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "2025-11-30T25:61:00",
    "RTM",
    "BCT",
    "ZZZZZ",
    "12951",
    "00000",
    "2999999999",
    "1A",
    "TQ",
    "true",
    "null",
    "\u0000",
    "\ud7ff\ue000",
    "नई दिल्ली",
    "' OR 1=1 --",
    "<x/>",
    "&amp;&lt;",
    "A" * 10_000,
    "\t\n\r",
]


@dataclass
class Outcome:
    cases: int = 0
    failures: list[tuple[str, bytes, str]] = field(default_factory=list)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    codes: collections.Counter[str] = field(default_factory=collections.Counter)


# -- the seeds ------------------------------------------------------------------------------------


def soap_envelope(body: str, header: str = "") -> bytes:
    head = f"<soapenv:Header>{header}</soapenv:Header>" if header else ""
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}">{head}'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def soap_seeds(token: str, pnr: str, spare: str) -> list[bytes]:
    session = f"<tns:SessionHeader><tns:SessionToken>{token}</tns:SessionToken></tns:SessionHeader>"
    passenger = (
        "<tns:Passenger><tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age>"
        "<tns:Gender>M</tns:Gender><tns:BerthPreference>LB</tns:BerthPreference></tns:Passenger>"
    )
    return [
        soap_envelope(
            f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{PASSWORD}</tns:Password>"
            "</tns:Login>"
        ),
        soap_envelope(
            f"<tns:SearchTrain><tns:From>NDLS</tns:From><tns:To>BCT</tns:To><tns:JourneyDate>"
            f"{JOURNEY}</tns:JourneyDate><tns:Class>3A</tns:Class><tns:Quota>GN</tns:Quota>"
            "</tns:SearchTrain>",
            session,
        ),
        soap_envelope(
            f"<tns:Book><tns:TrainNumber>12952</tns:TrainNumber><tns:JourneyDate>{JOURNEY}"
            "</tns:JourneyDate><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To><tns:Class>3A"
            f"</tns:Class><tns:Quota>GN</tns:Quota><tns:Passengers>{passenger}{passenger}"
            "</tns:Passengers><tns:OnlyIfConfirmed>false</tns:OnlyIfConfirmed>"
            "<tns:ClientReference>fuzz-1</tns:ClientReference></tns:Book>",
            session,
        ),
        soap_envelope(f"<tns:GetPnrStatus><tns:Pnr>{pnr}</tns:Pnr></tns:GetPnrStatus>", session),
        soap_envelope(
            f"<tns:CancelBooking><tns:Pnr>{pnr}</tns:Pnr><tns:Passengers><tns:PassengerNumber>2"
            "</tns:PassengerNumber></tns:Passengers></tns:CancelBooking>",
            session,
        ),
        soap_envelope(  # another session, so that the others keep theirs
            "<tns:Logout/>",
            session.replace(token, spare),
        ),
    ]


def xml_seeds(token: str, pnr: str, spare: str) -> list[bytes]:
    return [
        f'<Request><Login user="MMT" password="{PASSWORD}"/><SearchTrain source="NDLS"'
        f' destination="MMCT" date="{JOURNEY}" class="3A"/></Request>'.encode(),
        f'<Request session="{token}"><Book train="12952" date="{JOURNEY}" source="NDLS"'
        ' destination="MMCT" class="3A" quota="GN" reference="fuzz-x1">'
        '<Passenger name="Ravi Kumar" age="34" gender="M" berth="LB"/>'
        '<Passenger name="Anita Kumar" age="31" gender="F"/></Book>'
        '<PnrStatus reference="fuzz-x1"/><Cancel reference="fuzz-x1" passengers="1"/>'
        "</Request>".encode(),
        f'<Request session="{token}"><PnrStatus pnr="{pnr}"/><Cancel pnr="{pnr}"'
        ' passengers="2"/></Request>'.encode(),
        f'<Request session="{spare}"><Logout/></Request>'.encode(),
    ]


@dataclass(frozen=True)
class RestCall:
    method: str
    path: str
    body: Any  # JSON value, or None
    headers: dict[str, str]


def rest_seeds(token: str, pnr: str, spare: str) -> list[RestCall]:
    auth = {"Authorization": f"Bearer {token}"}
    person = {"name": "Ravi Kumar", "age": 34, "gender": "M", "berth": "LB"}
    return [
        RestCall("POST", "/rest/v1/sessions", {"agent": "MMT", "password": PASSWORD}, {}),
        RestCall(
            "GET",
            f"/rest/v1/trains?from=NDLS&to=BCT&date={JOURNEY}&class=3A&quota=GN",
            None,
            auth,
        ),
        RestCall(
            "POST",
            "/rest/v1/bookings",
            {
                "train": "12952",
                "date": JOURNEY,
                "from": "NDLS",
                "to": "MMCT",
                "class": "3A",
                "quota": "GN",
                "passengers": [person, {**person, "name": "Anita Kumar", "gender": "F"}],
                "onlyIfConfirmed": False,
            },
            {**auth, "Idempotency-Key": "fuzz-r1"},
        ),
        RestCall("GET", f"/rest/v1/bookings/{pnr}", None, auth),
        RestCall("POST", f"/rest/v1/bookings/{pnr}/cancellations", {"passengers": [2]}, auth),
        RestCall("DELETE", "/rest/v1/sessions/current", None, {"Authorization": f"Bearer {spare}"}),
    ]


# -- mutations ------------------------------------------------------------------------------------


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        kind = rng.randrange(6)
        if kind == 0:
            data[at] = rng.randrange(256)
        elif kind == 1:
            del data[at : at + rng.randint(1, 16)]
        elif kind == 2:
            end = min(len(data), at + rng.randint(1, 64))
            data[at:at] = data[at:end]
        elif kind == 3:
            data = data[: rng.randrange(len(data) + 1)]
        elif kind == 4:
            data[at:at] = rng.choice([b"<", b">", b"&", b"]]>", b"<!--", b"\xff\xfe", b"\x00"])
        else:
            data[at:at] = rng.choice(HOSTILE_VALUES).encode("utf-8", "surrogatepass")
    return bytes(data)


def mutate_tree(rng: random.Random, data: bytes) -> bytes:
    root = etree.fromstring(data, READER)
    elements = list(root.iter())
    for _ in range(rng.randint(1, 3)):
        element = rng.choice(elements)
        kind = rng.randrange(8)
        if kind == 0:
            element.text = rng.choice(HOSTILE_VALUES).replace("\u0000", "")
            element.text = "".join(c for c in element.text if c not in "\ud7ff\ue000")
        elif kind == 1 and element.getparent() is not None:
            element.getparent().remove(element)
            elements = list(root.iter())
        elif kind == 2 and element.getparent() is not None:
            element.addnext(etree.fromstring(etree.tostring(element)))
        elif kind == 3:
            element.set(f"{{{XSI}}}type", rng.choice(["tns:Passenger", "xs:int", "tns:Nothing"]))
        elif kind == 4:
            element.set(f"{{{XSI}}}nil", "true")
        elif kind == 5 and element.attrib:
            name = rng.choice(list(element.attrib))
            element.set(name, rng.choice(HOSTILE_VALUES).replace("\u0000", ""))
        elif kind == 6:
            element.tag = etree.QName(rng.choice([TNS, "urn:other", SOAP_ENV]), "Unexpected").text
        else:
            for _ in range(rng.randint(1, 30)):
                etree.SubElement(element, element.tag if rng.random() < 0.5 else "x")
    return etree.tostring(root)


def mutate_json(rng: random.Random, value: Any) -> Any:
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        kind = rng.randrange(4)
        copy = dict(value)
        if kind == 0:
            del copy[key]
        elif kind == 1:
            copy[key] = mutate_json(rng, copy[key])
        elif kind == 2:
            copy[rng.choice(HOSTILE_VALUES)[:40]] = copy[key]
        else:
            copy[key] = rng.choice(
                [None, 0, -1, 2**70, 1.5, True, "", [], {}, rng.choice(HOSTILE_VALUES)]
            )
        return copy
    if isinstance(value, list):
        copy = list(value)
        if copy and rng.random() < 0.5:
            index = rng.randrange(len(copy))
            copy[index] = mutate_json(rng, copy[index])
        else:
            copy.extend(copy * rng.randint(1, 4) or [None])
        return copy
    return rng.choice([None, 0, -1, 2**70, 1e308, True, "", [], {}, rng.choice(HOSTILE_VALUES)])


# -- checking answers -----------------------------------------------------------------------------


def soap_problem(status: int, body: bytes) -> str | None:
    try:
        root = etree.fromstring(body, READER)
    except etree.XMLSyntaxError:
        return "not XML"
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        return f"root is {root.tag}"
    content = root.findall(f"{{{SOAP_ENV}}}Body/*")
    if len(content) != 1:
        return "the Body does not hold exactly one element"
    if content[0].tag == f"{{{SOAP_ENV}}}Fault":
        code = content[0].findtext(f"detail/{{{TNS}}}ReservationFault/{{{TNS}}}Code")
        if not code:
            return "a Fault without its ReservationFault detail"
        return "InternalError" if code == "InternalError" else None
    if status != 200 or etree.QName(content[0]).namespace != TNS:
        return f"HTTP {status} with {content[0].tag}"
    return None


def rest_problem(status: int, content_type: str, body: bytes) -> str | None:
    if status == 204:
        return None if body == b"" else "a 204 with a body"
    if content_type not in ("application/json", "application/problem+json"):
        return f"Content-Type {content_type!r}"
    try:
        value = json.loads(body)
    except ValueError:
        return "not JSON"
    if content_type == "application/problem+json":
        if not isinstance(value, dict) or "code" not in value:
            return "a problem without a code"
        return "InternalError" if value["code"] == "InternalError" else None
    return None if status in (200, 201) else f"HTTP {status} with a JSON success body"


def xml_problem(body: bytes) -> str | None:
    try:
        root = etree.fromstring(body, READER)
    except etree.XMLSyntaxError:
        return "not XML"
    if root.tag != "Response":
        return f"root is {root.tag}"
    if any(error.get("code") == "InternalError" for error in root.iter("Error")):
        return "InternalError"
    return None


def codes_in(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    found = []
    for marker, end in (("<tns:Code>", "<"), ('"code": "', '"'), ('code="', '"')):
        start = text.find(marker)
        if start >= 0:
            start += len(marker)
            found.append(text[start : text.find(end, start)])
    return found


# -- the run --------------------------------------------------------------------------------------


def fresh_app(folder: Path) -> CoreApp:
    settings = Settings(
        db_path=folder / "core.sqlite3",
        clock=FixedClock(NOW),
        password_hashing=Scrypt(n=16, r=1, p=1),  # the fuzz is about parsing, not hashing
        login_failures_allowed=10**9,  # and not about throttling: every Login is parsed through
    )
    return create_app(settings)


def _login(http: Client) -> str:
    answer = http.post("/rest/v1/sessions", json={"agent": "MMT", "password": PASSWORD}).json
    assert answer is not None
    return str(answer["token"])


def _session(http: Client) -> tuple[str, str]:
    token = _login(http)
    booked = http.post(
        "/rest/v1/bookings",
        json={
            "train": "12952",
            "date": JOURNEY,
            "from": "NDLS",
            "to": "MMCT",
            "class": "2A",
            "passengers": [{"name": "Seed Kumar", "age": 40, "gender": "M"}] * 3,
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "fuzz-seed"},
    ).json
    assert booked is not None
    return token, str(booked["pnr"])


def fuzz(facade: str, cases: int, seed: int, folder: Path) -> Outcome:
    """``cases`` mutated requests to ``facade`` (soap, rest or xml) on a fresh core."""
    rng = random.Random(f"{facade}:{seed}")
    app = fresh_app(folder)
    outcome = Outcome()
    try:
        http = Client(app)
        token, pnr = _session(http)
        spare = _login(http)
        for request in _requests(facade, rng, cases, token, pnr, spare):
            label, send = request
            response = send(http)
            body = response.get_data()
            outcome.cases += 1
            outcome.statuses[response.status_code] += 1
            outcome.codes.update(codes_in(body))
            if facade == "soap":
                problem = soap_problem(response.status_code, body)
            elif facade == "rest":
                problem = rest_problem(response.status_code, response.mimetype, body)
            else:
                problem = xml_problem(body)
            if problem is not None:
                outcome.failures.append(
                    (problem, label.encode("utf-8", "replace"), repr(body[:300]))
                )
    finally:
        app.close()
    return outcome


Send = Callable[[Client], Any]


def _requests(
    facade: str, rng: random.Random, cases: int, token: str, pnr: str, spare: str
) -> Iterator[tuple[str, Send]]:
    if facade == "rest":
        seeds = rest_seeds(token, pnr, spare)
        for _ in range(cases):
            call = rng.choice(seeds)
            body: Any = call.body
            raw: bytes | None = None
            kind = rng.randrange(3)
            if kind == 0 and body is not None:
                body = mutate_json(rng, body)
            elif kind == 1:
                raw = mutate_bytes(rng, json.dumps(body).encode())
            path = call.path
            if rng.random() < 0.2:  # the resource path, inside the facade
                tail = path.removeprefix("/rest/v1/").encode()
                path = "/rest/v1/" + mutate_bytes(rng, tail).decode("latin-1")
            data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
            label = f"{call.method} {path} {data!r}"

            def send(
                http: Client, call: RestCall = call, path: str = path, data: bytes | None = data
            ) -> Any:
                return http.open(
                    path,
                    method=call.method,
                    data=data,
                    headers=call.headers,
                    content_type="application/json" if data is not None else None,
                )

            yield label, send
        return
    seeds = soap_seeds(token, pnr, spare) if facade == "soap" else xml_seeds(token, pnr, spare)
    path = "/soap" if facade == "soap" else "/xml"
    for _ in range(cases):
        seed = rng.choice(seeds)
        data = mutate_tree(rng, seed) if rng.random() < 0.5 else mutate_bytes(rng, seed)
        content_type = rng.choice(
            ["text/xml; charset=utf-8", "text/xml", "application/xml", "text/xml; charset=latin-1"]
        )

        def send_xml(http: Client, data: bytes = data, content_type: str = content_type) -> Any:
            return http.post(path, data=data, content_type=content_type)

        yield data.decode("utf-8", "replace"), send_xml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="per facade (10000)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="write failing requests here")
    args = parser.parse_args(argv)
    failed = 0
    print(f"{'facade':8} {'cases':>7} {'failures':>8} {'seconds':>8}  statuses / most common codes")
    with tempfile.TemporaryDirectory() as scratch:
        for facade in ("soap", "rest", "xml"):
            folder = Path(scratch) / facade
            folder.mkdir()
            started = time.perf_counter()
            outcome = fuzz(facade, args.cases, args.seed, folder)
            seconds = time.perf_counter() - started
            statuses = " ".join(f"{s}:{n}" for s, n in sorted(outcome.statuses.items()))
            codes = ", ".join(f"{c} {n}" for c, n in outcome.codes.most_common(6))
            internal = sum(1 for p, _, _ in outcome.failures if p == "InternalError")
            print(
                f"{facade:8} {outcome.cases:7d} {len(outcome.failures):8d} {seconds:8.1f}"
                f"  {statuses} / {codes}"
            )
            print(
                f"{'':8} InternalError: {internal}, not the facade's shape:"
                f" {len(outcome.failures) - internal}"
            )
            failed += len(outcome.failures)
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                for n, (problem, request, answer) in enumerate(outcome.failures):
                    (args.keep / f"{facade}-{n:05d}.txt").write_text(
                        f"{problem}\n{answer}\n", encoding="utf-8"
                    )
                    (args.keep / f"{facade}-{n:05d}.request").write_bytes(request)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
