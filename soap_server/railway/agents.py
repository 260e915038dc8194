"""Agent accounts and sessions: login with lockout, idle expiry, logout."""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from soap_server.railway.clock import Clock
from soap_server.railway.errors import (
    AccountLocked,
    AuthenticationFailed,
    SessionExpired,
    SessionInvalid,
)
from soap_server.railway.passwords import Scrypt
from soap_server.railway.store import Store

# Sessions are touched at most this often, so that reads don't each become a write.
_TOUCH_EVERY = timedelta(seconds=10)


@dataclass(frozen=True)
class DemoAgent:
    code: str
    name: str
    demo_password: str


def demo_agents() -> list[DemoAgent]:
    """The seeded agents and their published demo passwords."""
    text = (resources.files("soap_server.railway") / "data" / "agents.toml").read_text("utf-8")
    return [
        DemoAgent(a["code"], a["name"], a["demo_password"]) for a in tomllib.loads(text)["agents"]
    ]


def seed_rows(hashing: Scrypt) -> Iterator[tuple[str, str, str]]:
    """(code, name, password hash) per demo agent; lazy, so hashing happens only when seeding."""
    for agent in demo_agents():
        yield agent.code, agent.name, hashing.hash(agent.demo_password)


@dataclass(frozen=True)
class Session:
    token: str
    agent: str
    idle_timeout: timedelta
    server_time: datetime  # the core's clock at login (it may be simulated)


class AgentDesk:
    """Authenticates agents and keeps their sessions."""

    def __init__(
        self,
        db: Store,
        clock: Clock,
        idle_timeout: timedelta,
        max_failed_logins: int,
        lockout: timedelta,
    ) -> None:
        self._db = db
        self._clock = clock
        self._idle_timeout = idle_timeout
        self._max_failed = max_failed_logins
        self._lockout = lockout

    def login(self, agent_code: str, password: str) -> Session:
        now = self._clock.now()
        code = agent_code.strip().upper()
        failure: Exception | None = None
        with self._db.write() as tx:
            agent = tx.agent(code)
            if agent is None:
                failure = AuthenticationFailed("unknown agent or wrong password")
            elif agent.locked_until and datetime.fromisoformat(agent.locked_until) > now:
                until = datetime.fromisoformat(agent.locked_until)
                failure = AccountLocked(
                    f"agent {code} is locked after {self._max_failed} failed logins"
                    f" until {until:%Y-%m-%d %H:%M} IST"
                )
            elif not Scrypt.verify(password, agent.password_hash):
                failed = agent.failed_logins + 1
                if failed >= self._max_failed:
                    # The lock is written and committed before the fault goes out.
                    tx.set_login_failures(code, 0, (now + self._lockout).isoformat())
                    failure = AccountLocked(
                        f"agent {code} is locked for {self._lockout.seconds // 60} minutes"
                        f" after {failed} failed logins"
                    )
                else:
                    tx.set_login_failures(code, failed, None)
                    failure = AuthenticationFailed(
                        f"unknown agent or wrong password ({self._max_failed - failed}"
                        " attempts left before the account is locked)"
                    )
            else:
                tx.set_login_failures(code, 0, None)
                token = secrets.token_urlsafe(24)
                tx.insert_session(token, code, now.isoformat())
        if failure is not None:
            raise failure
        return Session(token, code, self._idle_timeout, now)

    def authenticate(self, token: str | None) -> str:
        """The agent code behind a live session token; touches the session."""
        if not token:
            raise SessionInvalid("this operation needs a SessionHeader with a SessionToken")
        now = self._clock.now()
        with self._db.read() as tx:
            session = tx.session(token)
        if session is None:
            raise SessionInvalid("unknown session token: log in again")
        if session.ended_at is not None:
            raise SessionExpired("the session was logged out: log in again")
        last_seen = datetime.fromisoformat(session.last_seen_at)
        if now - last_seen > self._idle_timeout:
            minutes = int(self._idle_timeout.total_seconds() // 60)
            raise SessionExpired(f"the session expired after {minutes} idle minutes: log in again")
        if now - last_seen > _TOUCH_EVERY:
            with self._db.write() as tx:
                tx.touch_session(token, now.isoformat())
        return session.agent

    def logout(self, token: str | None) -> None:
        self.authenticate(token)
        assert token is not None
        with self._db.write() as tx:
            tx.end_session(token, self._clock.now().isoformat())
