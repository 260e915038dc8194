"""Hostile and broken input at the SOAP edge: every case is a fast ``Client`` fault, never a crash.

Each case posts raw bytes through the in-process werkzeug client, reads the fault structurally
with lxml, checks the precise fault code, that the answer came back well under a second, and
then that the same worker still serves a normal Login.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from lxml import etree
from werkzeug.test import Client, EnvironBuilder, TestResponse
from werkzeug.wrappers import Request, Response

from soap_server.railway.system import Railway
from soap_server.wsgi import create_app
from tests.conftest import JOURNEY, PASSWORDS, SOAP_ENV, TNS, core_settings, envelope, login_token
from tests.support import READER, Fault, counts, read_fault

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
UTF8 = "text/xml; charset=utf-8"
MAX_BODY = 64 * 1024
# Schema validation runs before the operation does, so a well-formed but unknown token is enough
# in requests that must fail validation: were they valid, they would fail with SessionInvalid.
ANY_TOKEN = "T" * 32


# -- reading a fault --------------------------------------------------------------------------


def assert_rejected(response: Response, code: str, faultcode: str | None = None) -> Fault:
    fault = read_fault(response)
    assert (fault.faultcode, fault.code, fault.retryable) == (
        faultcode or f"Client.{code}",
        code,
        False,
    ), fault
    return fault


# -- requests -----------------------------------------------------------------------------------


def post(http: Client, data: bytes, content_type: str | None = UTF8) -> TestResponse:
    return http.post("/soap", data=data, content_type=content_type)


def login_xml(password: str = PASSWORDS["MMT"], agent: str = "MMT") -> str:
    return (
        f"<tns:Login><tns:AgentId>{agent}</tns:AgentId>"
        f"<tns:Password>{password}</tns:Password></tns:Login>"
    )


def passenger_xml(name: str = "Ravi Kumar", age: str | int = 34, gender: str = "M") -> str:
    return (
        f"<tns:Passenger><tns:Name>{name}</tns:Name><tns:Age>{age}</tns:Age>"
        f"<tns:Gender>{gender}</tns:Gender></tns:Passenger>"
    )


def book_xml(
    train: str = "12952",
    journey: str = JOURNEY.isoformat(),
    source: str = "NDLS",
    destination: str = "MMCT",
    travel_class: str = "3A",
    passengers: str | None = None,
    reference: str = "hostile-1",
) -> str:
    return (
        f"<tns:Book><tns:TrainNumber>{train}</tns:TrainNumber>"
        f"<tns:JourneyDate>{journey}</tns:JourneyDate>"
        f"<tns:From>{source}</tns:From><tns:To>{destination}</tns:To>"
        f"<tns:Class>{travel_class}</tns:Class><tns:Quota>GN</tns:Quota>"
        f"<tns:Passengers>{passengers if passengers is not None else passenger_xml()}"
        f"</tns:Passengers><tns:ClientReference>{reference}</tns:ClientReference></tns:Book>"
    )


def assert_still_serves(http: Client) -> None:
    """The worker that took the hostile request answers a normal Login."""
    response = post(http, envelope(login_xml()))
    assert response.status_code == 200, response.data[:400]
    root = etree.fromstring(response.data, READER)
    session = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}LoginResponse/{{{TNS}}}Session")
    assert session is not None
    assert session.findtext(f"{{{TNS}}}AgentId") == "MMT"
    assert len(session.findtext(f"{{{TNS}}}SessionToken") or "") >= 16


def nested(levels: int, closed: bool = True) -> str:
    return "<a>" * levels + ("</a>" * levels if closed else "")


def login_token_of(response: Response) -> str:
    root = etree.fromstring(response.data, READER)
    token = root.findtext(f".//{{{TNS}}}SessionToken")
    assert token, response.data[:400]
    return token


# -- the cases ----------------------------------------------------------------------------------

GOOD = envelope(login_xml())
LATIN1_LOGIN = (
    envelope(login_xml("sécret"))
    .decode()
    .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    .encode("latin-1")
)
DOCTYPE_BODY = GOOD.replace(b"?>", b'?><!DOCTYPE Envelope [<!ENTITY pw "mmt-secret-2008">]>', 1)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
    + envelope(login_xml("&lol9;")).split(b"?>", 1)[1]
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + envelope(login_xml("&xxe;")).split(b"?>", 1)[1]
)
OVERSIZED = envelope(login_xml("x" * (MAX_BODY + 10)))
SOAP12 = GOOD.replace(SOAP_ENV.encode(), SOAP12_ENV.encode())
NO_BODY = f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}"><soapenv:Header/></soapenv:Envelope>'
ATTRIBUTES_5000 = " ".join(f'a{i}="1"' for i in range(5000))


class Case(NamedTuple):
    data: bytes
    code: str
    content_type: str | None = UTF8
    faultcode: str | None = None


CASES = [
    pytest.param(Case(b"", "EmptyRequest"), id="empty-body"),
    pytest.param(Case(b" \r\n\t  \n", "EmptyRequest"), id="whitespace-only-body"),
    pytest.param(
        Case(GOOD.replace(b"mmt-secret-2008", b"\xff\xfe\xfa"), "MalformedXml"),
        id="undecodable-bytes-charset-utf8",
    ),
    pytest.param(
        Case(GOOD.replace(b"mmt-secret-2008", b"\xff\xfe\xfa"), "MalformedXml", "text/xml"),
        id="undecodable-bytes-no-charset",
    ),
    pytest.param(
        Case(GOOD.replace(b"mmt-secret-2008", "sécret".encode("latin-1")), "MalformedXml"),
        id="latin1-bytes-declared-utf8",
    ),
    pytest.param(
        Case(GOOD, "UnsupportedCharset", "text/xml; charset=klingon"), id="unknown-charset"
    ),
    pytest.param(
        Case(GOOD, "UnsupportedCharset", "text/xml; charset=rot13"), id="charset-not-a-text-codec"
    ),
    pytest.param(Case(DOCTYPE_BODY, "ForbiddenXml"), id="doctype-internal-entity"),
    pytest.param(Case(BILLION_LAUGHS, "ForbiddenXml"), id="billion-laughs"),
    pytest.param(
        Case(BILLION_LAUGHS.decode().encode("utf-16"), "ForbiddenXml", "text/xml"),
        id="billion-laughs-utf16-no-charset",
    ),
    pytest.param(Case(EXTERNAL_ENTITY, "ForbiddenXml"), id="external-entity-file"),
    pytest.param(
        Case(EXTERNAL_ENTITY, "ForbiddenXml", "text/xml"), id="external-entity-no-charset"
    ),
    pytest.param(
        Case(GOOD.replace(b"mmt-secret-2008", b"&undeclared;"), "MalformedXml"),
        id="undeclared-entity-reference",
    ),
    pytest.param(Case(OVERSIZED, "RequestTooLarge"), id="oversized-by-content-length"),
    pytest.param(
        Case(envelope(login_xml(nested(200))), "RequestTooComplex"), id="nesting-200-levels"
    ),
    # libxml2 itself refuses documents deeper than 256 levels (no huge_tree): a parse error.
    pytest.param(Case(envelope(nested(9000)), "MalformedXml"), id="nesting-9000-levels"),
    pytest.param(
        Case(envelope(nested(10000, closed=False)), "MalformedXml"),
        id="nesting-10000-levels-unclosed",
    ),
    # 10000 closed levels cannot fit in 64 KiB (7 bytes a level): the size limit answers first.
    pytest.param(Case(envelope(nested(10000)), "RequestTooLarge"), id="nesting-10000-levels"),
    pytest.param(
        Case(envelope(f"<tns:Login {ATTRIBUTES_5000}/>"), "RequestTooComplex"),
        id="element-with-5000-attributes",
    ),
    pytest.param(
        Case(
            envelope(login_xml()).replace(b"<soapenv:Body>", b"<x/>" * 2500 + b"<soapenv:Body>"),
            "RequestTooComplex",
        ),
        id="2500-elements",
    ),
    pytest.param(Case(b"hello, this is not XML at all", "MalformedXml"), id="not-xml"),
    pytest.param(Case(GOOD + b"<trailing/>", "MalformedXml"), id="trailing-garbage"),
    pytest.param(Case(GOOD[: len(GOOD) // 2], "MalformedXml"), id="truncated-envelope"),
    pytest.param(
        Case(b'{"Login": {"AgentId": "MMT"}}', "UnsupportedMediaType", "application/json"),
        id="json-body",
    ),
    pytest.param(
        Case(GOOD, "UnsupportedMediaType", "application/soap+xml; charset=utf-8"),
        id="soap12-media-type",
    ),
    pytest.param(Case(GOOD, "UnsupportedMediaType", None), id="no-content-type"),
    pytest.param(
        Case(SOAP12, "VersionMismatch", faultcode="VersionMismatch"), id="soap12-envelope"
    ),
    pytest.param(
        Case(b"<Login><AgentId>MMT</AgentId></Login>", "MalformedRequest"), id="root-not-envelope"
    ),
    pytest.param(Case(NO_BODY.encode(), "MalformedRequest"), id="envelope-without-body"),
    pytest.param(
        Case(
            GOOD.replace(b"</soapenv:Envelope>", b"<soapenv:Body/></soapenv:Envelope>"),
            "MalformedRequest",
        ),
        id="envelope-with-two-bodies",
    ),
    pytest.param(Case(envelope(""), "MalformedRequest"), id="empty-body-element"),
    pytest.param(
        Case(envelope(login_xml() + login_xml()), "MalformedRequest"), id="two-operations"
    ),
    pytest.param(Case(envelope("<tns:Frobnicate/>"), "UnknownOperation"), id="unknown-operation"),
    pytest.param(
        Case(
            envelope('<Login xmlns="urn:other:v9"><AgentId>MMT</AgentId></Login>'),
            "UnknownOperation",
        ),
        id="operation-in-wrong-namespace",
    ),
    pytest.param(
        Case(envelope("<Login><AgentId>MMT</AgentId></Login>"), "UnknownOperation"),
        id="operation-in-no-namespace",
    ),
    pytest.param(
        Case(
            envelope(book_xml(passengers=passenger_xml(age="abc")), ANY_TOKEN), "SchemaValidation"
        ),
        id="age-not-a-number",
    ),
    pytest.param(
        Case(envelope(book_xml(journey="2025-13-45"), ANY_TOKEN), "SchemaValidation"),
        id="journey-date-invalid",
    ),
    pytest.param(
        Case(envelope(book_xml(train="12AB5"), ANY_TOKEN), "SchemaValidation"),
        id="train-number-not-digits",
    ),
    pytest.param(
        Case(envelope(book_xml(passengers=passenger_xml(age=200)), ANY_TOKEN), "SchemaValidation"),
        id="age-200",
    ),
    pytest.param(
        Case(
            envelope(book_xml(passengers=passenger_xml(gender="X")), ANY_TOKEN), "SchemaValidation"
        ),
        id="gender-not-in-enumeration",
    ),
    pytest.param(
        Case(envelope(book_xml(source="TOOLONGX"), ANY_TOKEN), "SchemaValidation"),
        id="station-code-too-long",
    ),
    pytest.param(
        Case(
            envelope(
                "<tns:CancelBooking><tns:Pnr>2123456789</tns:Pnr><tns:Passengers>"
                "<tns:PassengerNumber>9</tns:PassengerNumber></tns:Passengers>"
                "</tns:CancelBooking>",
                ANY_TOKEN,
            ),
            "SchemaValidation",
        ),
        id="passenger-number-9",
    ),
    pytest.param(
        Case(envelope("<tns:Login><tns:AgentId>MMT</tns:AgentId></tns:Login>"), "SchemaValidation"),
        id="login-without-password",
    ),
    pytest.param(Case(envelope(login_xml("x" * 200)), "SchemaValidation"), id="password-too-long"),
    pytest.param(
        Case(
            envelope(login_xml()).replace(b"</tns:Login>", b"<tns:Extra/></tns:Login>"),
            "SchemaValidation",
        ),
        id="unexpected-child-element",
    ),
    pytest.param(
        Case(envelope(login_xml("ab&#0;c")), "MalformedXml"), id="nul-character-reference"
    ),
]


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """One app for the whole table: the same worker takes every hostile case in turn."""
    path = tmp_path_factory.mktemp("hostile") / "core.sqlite3"
    app = create_app(core_settings(path))
    yield Client(app)
    app.close()


@pytest.mark.parametrize("case", CASES)
def test_hostile_request_is_a_fast_client_fault(worker: Client, case: Case) -> None:
    response = post(worker, case.data, case.content_type)
    assert_rejected(response, case.code, case.faultcode)
    assert_still_serves(worker)


# -- cases that need more than one assertion ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(EXTERNAL_ENTITY, UTF8, id="utf8-charset"),
        pytest.param(EXTERNAL_ENTITY, "text/xml", id="utf8-no-charset"),
        pytest.param(
            EXTERNAL_ENTITY.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"', 1)
            .decode()
            .encode("utf-16"),
            "text/xml",
            id="utf16-no-charset",
        ),
    ],
)
def test_external_entity_never_leaks_the_file(http: Client, data: bytes, content_type: str) -> None:
    passwd = Path("/etc/passwd")
    secret = passwd.read_bytes().splitlines()[0] if passwd.exists() else b"root:x:0:0:"
    response = post(http, data, content_type)
    assert_rejected(response, "ForbiddenXml")
    assert b"root:" not in response.data
    assert secret not in response.data
    assert_still_serves(http)


def test_billion_laughs_answer_is_small(http: Client) -> None:
    response = post(http, BILLION_LAUGHS)
    assert_rejected(response, "ForbiddenXml")
    assert len(response.data) < 2048
    assert b"lollollol" not in response.data
    assert_still_serves(http)


@pytest.mark.parametrize(
    ("depth", "code"),
    [
        pytest.param(24, "SchemaValidation", id="depth-24-passes-the-edge"),
        pytest.param(25, "RequestTooComplex", id="depth-25-refused-at-the-edge"),
    ],
)
def test_depth_limit_is_exact(http: Client, depth: int, code: str) -> None:
    # Envelope, Body, Login and Password are four levels; the rest is nesting inside Password.
    response = post(http, envelope(login_xml(nested(depth - 4))))
    assert_rejected(response, code)
    assert_still_serves(http)


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        pytest.param(32, "SchemaValidation", id="32-attributes-pass-the-edge"),
        pytest.param(33, "RequestTooComplex", id="33-attributes-refused-at-the-edge"),
    ],
)
def test_attribute_limit_is_exact(http: Client, attributes: int, code: str) -> None:
    many = " ".join(f'a{i}="1"' for i in range(attributes))
    body = envelope(login_xml()).replace(b"<tns:Login>", f"<tns:Login {many}>".encode())
    response = post(http, body)
    assert_rejected(response, code)
    assert_still_serves(http)


def _streamed(data: bytes, terminated: bool) -> Request:
    """A POST without Content-Length, as a server hands on a ``Transfer-Encoding: chunked`` body
    (``wsgi.input_terminated`` says the server ends the stream at the last chunk)."""
    environ = EnvironBuilder(
        path="/soap", method="POST", input_stream=io.BytesIO(data), content_type=UTF8
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    if terminated:
        environ["wsgi.input_terminated"] = True
    return Request(environ)


def test_oversized_body_without_content_length_is_refused(http: Client) -> None:
    request = _streamed(OVERSIZED, terminated=True)
    assert "CONTENT_LENGTH" not in request.environ
    response = http.open(request)
    fault = assert_rejected(response, "RequestTooLarge")
    assert str(MAX_BODY) in fault.message
    assert_still_serves(http)


def test_streamed_body_within_the_limit_works(http: Client) -> None:
    response = http.open(_streamed(GOOD, terminated=True))
    assert response.status_code == 200, response.data[:400]
    assert login_token_of(response)


def test_unterminated_stream_without_length_is_not_read(http: Client) -> None:
    # Without Content-Length and without a server that ends the stream, reading could block
    # forever: the endpoint reads nothing and answers at once.
    response = http.open(_streamed(OVERSIZED, terminated=False))
    assert_rejected(response, "EmptyRequest")
    assert_still_serves(http)


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize(
    ("data", "status"),
    [pytest.param(GOOD, 200, id="small-works"), pytest.param(OVERSIZED, 500, id="oversized")],
)
def test_chunked_over_a_real_socket(live_server: str, data: bytes, status: int) -> None:
    port = int(live_server.rsplit(":", 1)[1].split("/")[0])
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(
            "POST",
            "/soap",
            body=_chunks(data, 1000),
            headers={"Content-Type": UTF8},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        payload = answer.read()
        content_type = answer.getheader("Content-Type", "")
    finally:
        connection.close()
    response = Response(payload, status=answer.status, content_type=content_type)
    if status == 200:
        assert answer.status == 200, payload[:400]
        assert login_token_of(response)
    else:
        assert_rejected(response, "RequestTooLarge")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405_with_a_fault(http: Client, method: str) -> None:
    response = http.open("/soap", method=method, data=GOOD, content_type=UTF8)
    fault = read_fault(response, status=405)
    assert (fault.faultcode, fault.code, fault.retryable) == (
        "Client.MethodNotAllowed",
        "MethodNotAllowed",
        False,
    )
    assert method in fault.message
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert_still_serves(http)


# -- input that must work -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/xml; charset=iso-8859-1", id="charset-iso-8859-1"),
        pytest.param("text/xml", id="xml-declaration-only"),
    ],
)
def test_latin1_envelope_with_its_charset_is_read(http: Client, content_type: str) -> None:
    assert b"s\xe9cret" in LATIN1_LOGIN  # really latin-1, not UTF-8
    response = post(http, LATIN1_LOGIN, content_type)
    fault = read_fault(response)
    assert (fault.faultcode, fault.code) == ("Client.AuthenticationFailed", "AuthenticationFailed")
    assert_still_serves(http)


def test_latin1_text_reaches_the_core_intact(http: Client, railway: Railway) -> None:
    # The core echoes a bad passenger name in its message: the é must arrive as é.
    token = login_token(railway)
    body = (
        envelope(book_xml(passengers=passenger_xml(name="Zoé"), reference="latin-1"), token)
        .decode()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .encode("latin-1")
    )
    assert "é".encode("latin-1") in body
    response = post(http, body, "text/xml; charset=iso-8859-1")
    fault = read_fault(response)
    assert fault.code == "InvalidPassenger"
    assert "'Zoé'" in fault.message


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/xml", id="bom-no-charset"),
        pytest.param("text/xml; charset=utf-16", id="charset-utf-16"),
    ],
)
def test_utf16_envelope_works(http: Client, content_type: str) -> None:
    body = GOOD.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert body[:2] in (b"\xff\xfe", b"\xfe\xff")
    response = post(http, body, content_type)
    assert response.status_code == 200, response.data[:400]
    assert login_token_of(response)


def test_utf8_bom_is_accepted(http: Client) -> None:
    response = post(http, b"\xef\xbb\xbf" + GOOD)
    assert response.status_code == 200, response.data[:400]
    assert login_token_of(response)


def test_processing_instructions_and_comments_are_harmless(http: Client) -> None:
    body = (
        envelope(login_xml("mmt-<!-- a comment inside the text -->secret-2008"))
        .replace(b"<soapenv:Body>", b"<!-- comment --><?app-hint keep-alive?><soapenv:Body>")
        .replace(b"<tns:AgentId>", b"<?pi inside?><tns:AgentId>")
        + b"<!-- trailing comment --><?trailing pi?>"
    )
    response = post(http, body)
    assert response.status_code == 200, response.data[:400]
    assert login_token_of(response)


# -- bugs found at the edge ---------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["punycode", "undefined"])
def test_charset_whose_codec_raises_unicode_error_is_a_client_fault(
    http: Client, charset: str
) -> None:
    # codecs.lookup() knows these names, but decoding raises UnicodeError (not
    # UnicodeDecodeError), which the endpoint does not catch.
    try:
        response = http.post("/soap", data=GOOD, content_type=f"text/xml; charset={charset}")
    except Exception as error:  # the exception escaped the WSGI app: a crashed request
        pytest.fail(f"charset={charset} crashed the endpoint: {error!r}")
    fault = read_fault(response)
    assert fault.code in ("UnsupportedCharset", "MalformedXml"), fault
    assert fault.faultcode == f"Client.{fault.code}" and not fault.retryable
    assert_still_serves(http)


def test_nil_passenger_is_a_client_fault(http: Client, railway: Railway) -> None:
    # The WSDL declares Passenger nillable; a nil one reaches the service as None.
    token = login_token(railway)
    nil = f'<tns:Passenger xmlns:xsi="{XSI}" xsi:nil="true"/>'
    before = counts(railway)
    response = post(
        http, envelope(book_xml(passengers=nil + passenger_xml(), reference="nil-1"), token)
    )
    fault = read_fault(response)
    assert not fault.retryable, f"a retry can never succeed, yet the fault says so: {fault}"
    assert fault.faultcode in ("Client.SchemaValidation", "Client.InvalidPassenger"), fault
    assert counts(railway) == before


def test_schema_validation_message_is_readable(http: Client) -> None:
    body = envelope(book_xml(passengers=passenger_xml(age="abc")), ANY_TOKEN)
    response = post(http, body)
    fault = read_fault(response)
    assert fault.code == "SchemaValidation"
    assert "Age" in fault.message and "abc" in fault.message
    # No bytes repr, no libxml2 file/line/level prefix: the message is for a partner to read.
    assert not fault.message.startswith(("b'", 'b"')), fault.message
    assert "<string>" not in fault.message and "ERROR:SCHEMASV" not in fault.message, fault.message


# -- no half-written booking --------------------------------------------------------------------

TWO = passenger_xml("Ravi Kumar", 34, "M")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(
            lambda token: envelope(
                book_xml(
                    passengers=TWO + passenger_xml("Anita Kumar", 31, "F"), reference="half-1"
                ),
                token,
            )[:-120],
            "MalformedXml",
            id="envelope-cut-off-mid-way",
        ),
        pytest.param(
            lambda token: envelope(
                book_xml(
                    passengers=TWO + passenger_xml("Anita Kumar", "thirty", "F"), reference="half-1"
                ),
                token,
            ),
            "SchemaValidation",
            id="second-passenger-not-valid-xsd",
        ),
        pytest.param(
            lambda token: envelope(
                book_xml(
                    passengers=TWO + passenger_xml("Old Kumari", 130, "F"), reference="half-1"
                ),
                token,
            ),
            "InvalidPassenger",
            id="second-passenger-refused-by-the-core",
        ),
    ],
)
def test_broken_book_leaves_no_half_written_booking(
    http: Client, railway: Railway, body: Any, code: str
) -> None:
    token = login_token(railway)
    before = counts(railway)
    response = post(http, body(token))
    assert_rejected(response, code)
    assert counts(railway) == before
    # The reference was not consumed either: the same reference now books, once.
    good = envelope(book_xml(passengers=TWO, reference="half-1"), token)
    response = post(http, good)
    assert response.status_code == 200, response.data[:400]
    bookings, passengers, _ = counts(railway)
    assert (bookings, passengers) == (before[0] + 1, before[1] + 1)


def test_unknown_mandatory_header_is_a_must_understand_fault(http: Client) -> None:
    data = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}" xmlns:wsse="urn:wsse">'
        '<soapenv:Header><wsse:Security soapenv:mustUnderstand="1">x</wsse:Security>'
        f"</soapenv:Header><soapenv:Body>{login_xml()}</soapenv:Body></soapenv:Envelope>"
    ).encode()
    response = post(http, data)
    assert_rejected(response, "MustUnderstand", faultcode="MustUnderstand")
    # An optional unknown header is ignored, as SOAP 1.1 says.
    response = post(http, data.replace(b' soapenv:mustUnderstand="1"', b""))
    assert response.status_code == 200


@pytest.mark.parametrize("declared", ["ISO-8859-1", "windows-1252"])
def test_encoding_named_only_by_the_xml_declaration(http: Client, declared: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}"><soapenv:Body>'
        f"{login_xml(password='café-wrong')}</soapenv:Body></soapenv:Envelope>"
    )
    response = post(http, text.encode("latin-1"), content_type="text/xml")
    fault = read_fault(response)
    assert fault.code == "AuthenticationFailed", fault  # decoded, parsed, and refused by the core
