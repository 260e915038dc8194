"""Logins under attack (issue 11, defects 7, 8 and 10): nobody can lock an agent out, brute force
gets nowhere, agent ids cannot be told apart from unknown ones, and sessions are kept safely.

The demo agents have registered source networks (``agents.toml``): MakeMyTrip's includes
203.0.113.0/24, so a request from 203.0.113.7 is the partner's own office and one from
198.51.100.66 is an outsider. Requests go through the whole app in-process with the client
address set as a WSGI server would set it (``REMOTE_ADDR``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from werkzeug.test import Client, TestResponse

from soap_server.railway import agents as agents_module
from soap_server.railway import passwords
from soap_server.railway.clock import FixedClock
from soap_server.railway.errors import AuthenticationFailed, LoginThrottled
from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import CoreApp, build_railway, create_app
from tests.conftest import PASSWORDS, TNS, envelope, login_token
from tests.support import READER, Fault, people, read_fault, request

UTF8 = "text/xml; charset=utf-8"
OFFICE = "203.0.113.7"  # in MakeMyTrip's registered network
COLLEAGUE = "203.0.113.99"  # also inside it: another machine of the same office
OUTSIDER = "198.51.100.66"  # nobody's network


def login_xml(agent: str, password: str) -> str:
    return (
        f"<tns:Login><tns:AgentId>{agent}</tns:AgentId>"
        f"<tns:Password>{password}</tns:Password></tns:Login>"
    )


def soap_login(http: Client, agent: str, password: str, source: str) -> TestResponse:
    return http.post(
        "/soap",
        data=envelope(login_xml(agent, password)),
        content_type=UTF8,
        environ_base={"REMOTE_ADDR": source},
    )


def logged_in(response: TestResponse) -> bool:
    if response.status_code != 200:
        return False
    token = etree.fromstring(response.data, READER).findtext(f".//{{{TNS}}}SessionToken")
    return bool(token)


def refused(response: TestResponse) -> Fault:
    fault = read_fault(response)
    assert fault.code in ("AuthenticationFailed", "LoginThrottled"), fault
    assert fault.retryable is False
    return fault


# -- 7: no denial of service, no brute force ------------------------------------------------------


def test_an_outsider_cannot_lock_an_agent_out(http: Client, settings: Settings) -> None:
    """Hundreds of wrong passwords for MMT from outside its network, then MMT logs in from its
    office, first time."""
    for _ in range(4 * settings.login_failures_allowed + 3):
        refused(soap_login(http, "MMT", "guess", OUTSIDER))
    assert logged_in(soap_login(http, "MMT", PASSWORDS["MMT"], OFFICE))


def test_a_colleague_machine_cannot_lock_the_agent_out_either(
    http: Client, settings: Settings
) -> None:
    """Even from inside the partner's network, failures throttle the address they come from,
    not the agent."""
    for _ in range(2 * settings.login_failures_allowed):
        refused(soap_login(http, "MMT", "guess", COLLEAGUE))
    assert logged_in(soap_login(http, "MMT", PASSWORDS["MMT"], OFFICE))


def test_the_right_password_from_outside_the_agents_network_is_refused(http: Client) -> None:
    fault = refused(soap_login(http, "MMT", PASSWORDS["MMT"], OUTSIDER))
    assert fault.code == "AuthenticationFailed"
    # ... with the same message as a wrong password: an outsider learns nothing.
    assert fault.message == refused(soap_login(http, "MMT", "guess", OUTSIDER)).message


def test_brute_force_from_inside_the_network_is_throttled(
    http: Client, settings: Settings, clock: FixedClock
) -> None:
    allowed = settings.login_failures_allowed
    for _ in range(allowed):
        assert refused(soap_login(http, "MMT", "guess", COLLEAGUE)).code == "AuthenticationFailed"
    # From then on that address gets no more guesses, right or wrong, until the pause ends.
    throttled = refused(soap_login(http, "MMT", PASSWORDS["MMT"], COLLEAGUE))
    assert throttled.code == "LoginThrottled", throttled
    clock.advance(timedelta(minutes=settings.login_throttle_minutes) - timedelta(seconds=1))
    assert refused(soap_login(http, "MMT", PASSWORDS["MMT"], COLLEAGUE)).code == "LoginThrottled"
    clock.advance(timedelta(seconds=1))
    assert logged_in(soap_login(http, "MMT", PASSWORDS["MMT"], COLLEAGUE))


def test_a_throttled_address_costs_no_password_check(
    railway: Railway, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(settings.login_failures_allowed):
        with pytest.raises(AuthenticationFailed):
            railway.login("MMT", "guess", source=COLLEAGUE)
    checks: list[int] = []
    real = passwords.hashlib.scrypt

    def counted(*args: object, **kwargs: object) -> bytes:
        checks.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(passwords.hashlib, "scrypt", counted)
    for _ in range(20):
        with pytest.raises(LoginThrottled) as caught:
            railway.login("MMT", "guess", source=COLLEAGUE)
        assert 0 < caught.value.retry_after <= settings.login_throttle_minutes * 60
    assert checks == []


def test_the_throttle_is_shared_by_every_worker_process(settings: Settings) -> None:
    """Two cores on one database (two gunicorn workers): failures on one count on the other."""
    first, second = build_railway(settings), build_railway(settings)
    try:
        for n in range(settings.login_failures_allowed):
            core = first if n % 2 else second
            with pytest.raises(AuthenticationFailed):
                core.login("MMT", "guess", source=COLLEAGUE)
        with pytest.raises(LoginThrottled):
            first.login("MMT", PASSWORDS["MMT"], source=COLLEAGUE)
        with pytest.raises(LoginThrottled):
            second.login("MMT", PASSWORDS["MMT"], source=COLLEAGUE)
    finally:
        first.close()
        second.close()


def test_the_source_comes_from_a_trusted_proxy_only(tmp_path: Path, clock: FixedClock) -> None:
    """Behind nginx (proxy_hops=1) the client is the last X-Forwarded-For hop; without a proxy
    configured, the header is the client's own words and is ignored."""
    headers = {"X-Forwarded-For": OFFICE}
    direct = create_app(Settings(db_path=tmp_path / "a.sqlite3", clock=clock))
    proxied = create_app(Settings(db_path=tmp_path / "b.sqlite3", clock=clock, proxy_hops=1))
    try:
        body = envelope(login_xml("MMT", PASSWORDS["MMT"]))
        spoofed = Client(direct).post(
            "/soap",
            data=body,
            content_type=UTF8,
            headers=headers,
            environ_base={"REMOTE_ADDR": OUTSIDER},
        )
        assert refused(spoofed).code == "AuthenticationFailed"
        through_nginx = Client(proxied).post(
            "/soap",
            data=body,
            content_type=UTF8,
            headers=headers,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert logged_in(through_nginx)
    finally:
        direct.close()
        proxied.close()


@pytest.mark.parametrize("facade", ["rest", "xml"])
def test_other_eras_pass_the_source_too(http: Client, facade: str) -> None:
    if facade == "rest":
        response = http.post(
            "/rest/v1/sessions",
            json={"agent": "MMT", "password": PASSWORDS["MMT"]},
            environ_base={"REMOTE_ADDR": OUTSIDER},
        )
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.json is not None and response.json["code"] == "AuthenticationFailed"
    else:
        response = http.post(
            "/xml",
            data=f'<Request><Login user="MMT" password="{PASSWORDS["MMT"]}"/></Request>',
            content_type=UTF8,
            environ_base={"REMOTE_ADDR": OUTSIDER},
        )
        error = etree.fromstring(response.data, READER).find("Error")
        assert error is not None and error.get("code") == "AuthenticationFailed"


# -- 8: agent ids cannot be enumerated ------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "password", "source"),
    [
        pytest.param("MMT", "guess", OFFICE, id="known-wrong-password"),
        pytest.param("NOBODY", "guess", OFFICE, id="unknown-agent"),
        pytest.param("MMT", PASSWORDS["MMT"], OUTSIDER, id="known-outside-network"),
        pytest.param("NOBODY", "guess", OUTSIDER, id="unknown-outside"),
    ],
)
def test_one_message_and_one_password_check_for_every_failure(
    railway: Railway,
    monkeypatch: pytest.MonkeyPatch,
    agent: str,
    password: str,
    source: str,
) -> None:
    calls: list[int] = []
    real = hashlib.scrypt

    def counted(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(passwords.hashlib, "scrypt", counted)
    for attempt in range(3):
        with pytest.raises(AuthenticationFailed) as caught:
            railway.login(agent, password, source=source)
        assert caught.value.message == agents_module.LOGIN_REFUSED, caught.value.message
        assert len(calls) == attempt + 1  # exactly one scrypt per attempt, known or not


def test_unknown_and_known_agents_are_throttled_alike(railway: Railway, settings: Settings) -> None:
    for agent in ("MMT", "NOBODY"):
        for _ in range(settings.login_failures_allowed):
            with pytest.raises(AuthenticationFailed):
                railway.login(agent, "guess", source=COLLEAGUE)
        with pytest.raises(LoginThrottled) as caught:
            railway.login(agent, "guess", source=COLLEAGUE)
        assert agent not in caught.value.message


# -- 10: PNRs, session tokens, files, old sessions ------------------------------------------------


def test_another_agents_pnr_answers_like_a_missing_one(http: Client, railway: Railway) -> None:
    mmt = login_token(railway)
    pnr = railway.book(mmt, request(passengers=people(1))).pnr
    paytm = login_token(railway, "PAYTM")
    missing = "2999999999"
    for body in (
        "<tns:GetPnrStatus><tns:Pnr>{}</tns:Pnr></tns:GetPnrStatus>",
        "<tns:CancelBooking><tns:Pnr>{}</tns:Pnr></tns:CancelBooking>",
    ):
        theirs = read_fault(
            http.post("/soap", data=envelope(body.format(pnr), paytm), content_type=UTF8)
        )
        absent = read_fault(
            http.post("/soap", data=envelope(body.format(missing), paytm), content_type=UTF8)
        )
        assert theirs.code == absent.code == "PnrNotFound"
        assert theirs.message.replace(pnr, missing) == absent.message
    rest = [
        http.get(f"/rest/v1/bookings/{p}", headers={"Authorization": f"Bearer {paytm}"})
        for p in (pnr, missing)
    ]
    assert [r.status_code for r in rest] == [404, 404]
    assert rest[0].json is not None and rest[1].json is not None
    assert rest[0].json["detail"].replace(pnr, missing) == rest[1].json["detail"]
    # The owner still sees it.
    assert railway.pnr_status(mmt, pnr).pnr == pnr


def test_session_tokens_are_stored_as_hashes(railway: Railway, settings: Settings) -> None:
    token = login_token(railway)
    raw = settings.db_path.read_bytes() + Path(f"{settings.db_path}-wal").read_bytes()
    assert token.encode() not in raw
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw
    assert railway.agents.authenticate(token) == "MMT"


def test_database_files_are_private(railway: Railway, settings: Settings) -> None:
    login_token(railway)
    files = [settings.db_path, Path(f"{settings.db_path}-wal"), Path(f"{settings.db_path}-shm")]
    for path in files:
        assert path.exists(), path
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_an_existing_world_readable_database_is_made_private(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    core = build_railway(Settings(db_path=path, clock=clock))
    core.close()
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0


def _sessions(railway: Railway) -> int:
    with railway.store.read() as tx:
        return tx.count("sessions")


def test_ended_and_idle_sessions_are_purged(
    railway: Railway, settings: Settings, clock: FixedClock
) -> None:
    ended = login_token(railway)
    railway.logout(ended)
    login_token(railway)  # will go idle
    assert _sessions(railway) == 3 - 1 or _sessions(railway) == 2
    clock.advance(timedelta(minutes=2 * settings.session_idle_minutes + 1))
    live = login_token(railway)
    assert _sessions(railway) == 1
    assert railway.agents.authenticate(live) == "MMT"


_ = CoreApp
