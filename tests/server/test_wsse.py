"""WS-Security UsernameToken on /soap: every outcome, each with its own fault code.

Headers are built here by hand from the OASIS UsernameToken profile (digest = Base64(SHA-1(nonce
+ created + password))), independently of the server's code, and once through zeep's own
``zeep.wsse.UsernameToken``. The core runs on the tests' fixed clock (NOW, 03:30 UTC), so
Created values are written relative to it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse
from zeep import Client as ZeepClient
from zeep.wsse.username import UsernameToken as ZeepUsernameToken

from soap_client import WSDL_PATH
from soap_client.transports import WsgiTransport
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import CoreApp
from tests.conftest import NOW, PASSWORDS, SOAP_ENV, TNS, zeep_settings
from tests.support import READER, read_fault

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
B64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
UTF8 = "text/xml; charset=utf-8"
SEARCH = (
    "<tns:SearchTrain><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To>"
    "<tns:JourneyDate>2025-11-30</tns:JourneyDate><tns:Class>3A</tns:Class></tns:SearchTrain>"
)


def stamp(offset: timedelta = timedelta(0)) -> str:
    return (NOW + offset).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_xml(
    *,
    user: str = "MMT",
    password: str = PASSWORDS["MMT"],
    digest: bool = True,
    nonce: bytes | None = None,
    created: str | None = None,
    digest_value: str | None = None,
    timestamp: tuple[str, str] | None = None,
    must_understand: str | None = "1",
    extra: str = "",
) -> str:
    nonce = os.urandom(16) if nonce is None else nonce
    created = stamp() if created is None else created
    parts = [f"<wsse:Username>{user}</wsse:Username>"]
    if digest:
        value = (
            digest_value
            or base64.b64encode(
                hashlib.sha1(nonce + created.encode() + password.encode()).digest()
            ).decode()
        )
        parts.append(f'<wsse:Password Type="{PROFILE}#PasswordDigest">{value}</wsse:Password>')
    else:
        parts.append(f'<wsse:Password Type="{PROFILE}#PasswordText">{password}</wsse:Password>')
    if nonce:
        parts.append(
            f'<wsse:Nonce EncodingType="{B64}">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        )
    if created:
        parts.append(f"<wsu:Created>{created}</wsu:Created>")
    ts = ""
    if timestamp is not None:
        ts = (
            f"<wsu:Timestamp><wsu:Created>{timestamp[0]}</wsu:Created>"
            f"<wsu:Expires>{timestamp[1]}</wsu:Expires></wsu:Timestamp>"
        )
    must = f' soapenv:mustUnderstand="{must_understand}"' if must_understand else ""
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"{must}>{ts}'
        f"<wsse:UsernameToken>{''.join(parts)}</wsse:UsernameToken>{extra}</wsse:Security>"
    )


def call(http: Client, security: str, body: str = SEARCH, more_headers: str = "") -> TestResponse:
    data = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}">'
        f"<soapenv:Header>{security}{more_headers}</soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()
    return http.post(
        "/soap", data=data, content_type=UTF8, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )


def trains(response: TestResponse) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:600]
    root = etree.fromstring(response.data, READER)
    return [t.text or "" for t in root.iter(f"{{{TNS}}}TrainNumber")]


def fault_code(response: TestResponse) -> str:
    fault = read_fault(response)
    assert fault.retryable is False, fault
    return fault.code


# -- the outcomes -------------------------------------------------------------------------------


def test_password_digest_authenticates_a_call_without_login(http: Client) -> None:
    assert "12952" in trains(call(http, token_xml()))


def test_password_text_authenticates_a_call(http: Client) -> None:
    assert "12952" in trains(call(http, token_xml(digest=False, nonce=b"", created="")))


def test_a_timestamp_inside_its_window_is_accepted(http: Client) -> None:
    window = (stamp(), stamp(timedelta(minutes=5)))
    assert trains(call(http, token_xml(timestamp=window)))


def test_mustunderstand_zero_is_processed_too(http: Client) -> None:
    """The core understands wsse:Security: with mustUnderstand 0 or absent it is still
    checked, never skipped (a wrong digest is refused either way)."""
    for must in ("0", None):
        assert trains(call(http, token_xml(must_understand=must)))
        bad = token_xml(must_understand=must, digest_value=base64.b64encode(b"x" * 20).decode())
        assert fault_code(call(http, bad)) == "DigestMismatch"


def test_a_replayed_nonce_is_refused(http: Client) -> None:
    once = token_xml(nonce=b"0123456789abcdef")
    assert trains(call(http, once))
    assert fault_code(call(http, once)) == "NonceReplayed"


def test_a_replay_is_refused_by_another_worker_process(settings: Settings) -> None:
    """Nonces live in the database: two apps on one file are two gunicorn workers."""
    from soap_server.wsgi import create_app

    first, second = create_app(settings), create_app(settings)
    try:
        once = token_xml(nonce=b"fedcba9876543210")
        assert trains(call(Client(first), once))
        assert fault_code(call(Client(second), once)) == "NonceReplayed"
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        pytest.param(timedelta(seconds=-301), "MessageExpired", id="stale-301s"),
        pytest.param(timedelta(hours=-6), "MessageExpired", id="stale-6h"),
        pytest.param(timedelta(seconds=61), "CreatedInFuture", id="future-61s"),
        pytest.param(timedelta(days=1), "CreatedInFuture", id="future-1d"),
    ],
)
def test_created_outside_the_skew_is_refused(http: Client, offset: timedelta, code: str) -> None:
    assert fault_code(call(http, token_xml(created=stamp(offset)))) == code


@pytest.mark.parametrize(
    "offset", [timedelta(seconds=-299), timedelta(seconds=59)], ids=["299s-old", "59s-ahead"]
)
def test_created_inside_the_skew_is_accepted(http: Client, offset: timedelta) -> None:
    assert trains(call(http, token_xml(created=stamp(offset))))


@pytest.mark.parametrize(
    ("window", "code"),
    [
        pytest.param(
            (stamp(timedelta(minutes=-10)), stamp(timedelta(seconds=-1))),
            "MessageExpired",
            id="expired",
        ),
        pytest.param(
            (stamp(timedelta(minutes=10)), stamp(timedelta(minutes=15))),
            "CreatedInFuture",
            id="future",
        ),
    ],
)
def test_a_timestamp_outside_its_window_is_refused(
    http: Client, window: tuple[str, str], code: str
) -> None:
    assert fault_code(call(http, token_xml(timestamp=window))) == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        pytest.param({"password": "not-it"}, "DigestMismatch", id="wrong-password"),
        pytest.param({"user": "NOBODY"}, "DigestMismatch", id="unknown-user"),
        pytest.param({"digest_value": "AAAA"}, "DigestMismatch", id="garbage-digest"),
        pytest.param(
            {"digest": False, "password": "not-it"}, "AuthenticationFailed", id="wrong-text"
        ),
    ],
)
def test_wrong_credentials_are_refused(http: Client, kwargs: dict[str, object], code: str) -> None:
    assert fault_code(call(http, token_xml(**kwargs))) == code  # type: ignore[arg-type]


def test_unknown_and_wrong_digests_answer_alike(http: Client) -> None:
    wrong = read_fault(call(http, token_xml(password="not-it")))
    unknown = read_fault(call(http, token_xml(user="NOBODY")))
    assert (wrong.code, wrong.message) == (unknown.code, unknown.message)


@pytest.mark.parametrize(
    ("security", "more"),
    [
        pytest.param(token_xml(nonce=b"", created=""), "", id="digest-without-nonce"),
        pytest.param(token_xml().replace("PasswordDigest", "PasswordHash"), "", id="unknown-type"),
        pytest.param(
            token_xml().replace(f'EncodingType="{B64}"', 'EncodingType="hex"'),
            "",
            id="nonce-encoding",
        ),
        pytest.param(token_xml(created="yesterday"), "", id="created-unreadable"),
        pytest.param(token_xml(created="2025-11-20T03:30:00"), "", id="created-without-zone"),
        pytest.param(
            token_xml(extra="<wsse:BinarySecurityToken>x</wsse:BinarySecurityToken>"),
            "",
            id="unsupported-token",
        ),
        pytest.param(token_xml(), token_xml(), id="two-security-headers"),
        pytest.param(
            token_xml(),
            "<tns:SessionHeader><tns:SessionToken>" + "T" * 32 + "</tns:SessionToken>"
            "</tns:SessionHeader>",
            id="with-a-session-header",
        ),
        pytest.param(
            token_xml().replace("<wsse:Username>MMT</wsse:Username>", ""), "", id="no-username"
        ),
    ],
)
def test_an_unreadable_security_header_is_refused(http: Client, security: str, more: str) -> None:
    assert fault_code(call(http, security, more_headers=more)) == "SecurityHeaderInvalid"


def test_an_unknown_mandatory_header_is_still_a_must_understand_fault(http: Client) -> None:
    other = '<x:Audit xmlns:x="urn:other" soapenv:mustUnderstand="1">1</x:Audit>'
    response = call(http, token_xml(), more_headers=other)
    assert read_fault(response).faultcode == "MustUnderstand"


def test_the_agents_networks_and_throttling_apply(app: CoreApp, settings: Settings) -> None:
    outside = Client(app)
    data = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:tns="{TNS}">'
        f"<soapenv:Header>{token_xml()}</soapenv:Header><soapenv:Body>{SEARCH}</soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()
    answer = outside.post(
        "/soap", data=data, content_type=UTF8, environ_base={"REMOTE_ADDR": "198.51.100.66"}
    )
    assert fault_code(answer) == "DigestMismatch"
    for _ in range(settings.login_failures_allowed):
        fault_code(call(Client(app), token_xml(password="guess")))
    assert fault_code(call(Client(app), token_xml())) == "LoginThrottled"


def test_a_booking_is_made_under_the_tokens_agent(http: Client, railway: Railway) -> None:
    book = (
        "<tns:Book><tns:TrainNumber>12952</tns:TrainNumber><tns:JourneyDate>2025-11-30"
        "</tns:JourneyDate><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To><tns:Class>3A</tns:Class>"
        "<tns:Passengers><tns:Passenger><tns:Name>Ravi Kumar</tns:Name><tns:Age>34</tns:Age>"
        "<tns:Gender>M</tns:Gender></tns:Passenger></tns:Passengers>"
        "<tns:ClientReference>wsse-1</tns:ClientReference></tns:Book>"
    )
    answer = call(http, token_xml(user="PAYTM", password=PASSWORDS["PAYTM"]), body=book)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    pnr = etree.fromstring(answer.data, READER).findtext(f".//{{{TNS}}}Pnr")
    assert pnr
    paytm = railway.login("PAYTM", PASSWORDS["PAYTM"]).token
    assert railway.pnr_status(paytm, pnr).pnr == pnr


def test_zeeps_own_username_token_is_accepted(app: CoreApp) -> None:
    created = NOW.astimezone(UTC).replace(tzinfo=None)
    for digest in (True, False):
        client = ZeepClient(
            str(WSDL_PATH),
            transport=WsgiTransport(app),
            settings=zeep_settings(),
            wsse=ZeepUsernameToken("MMT", PASSWORDS["MMT"], use_digest=digest, created=created),
        )  # type: ignore[no-untyped-call]
        result = client.service.SearchTrain(From="NDLS", To="MMCT", JourneyDate="2025-11-30")
        assert any(t.TrainNumber == "12952" for t in result)


def test_passwords_for_digests_are_sealed_under_a_private_key(
    railway: Railway, settings: Settings
) -> None:
    key = Path(f"{settings.db_path}.key")
    assert stat.S_IMODE(os.stat(key).st_mode) & 0o077 == 0
    raw = settings.db_path.read_bytes() + Path(f"{settings.db_path}-wal").read_bytes()
    for password in PASSWORDS.values():
        assert password.encode() not in raw
    _ = datetime  # (imported for the annotations of helpers above)
