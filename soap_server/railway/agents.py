"""Agent accounts and sessions: who may log in, from where, how often; idle expiry, logout.

The rules, chosen so that knowing an agent id gives an attacker nothing (issue 11):

* **Registered networks.** Each agent logs in only from its registered source networks, as
  partners of the era did from allow-listed addresses (``agents.toml``). A login from elsewhere
  is refused even with the right password.
* **Throttling by source, not a lock.** Failed logins are counted per (source address, agent
  id) in the database, so every worker process sees the same count. After ``failures_allowed``
  failures within ``throttle`` that address gets ``LoginThrottled`` (with the seconds to wait) for
  that agent, right password or not, until the pause ends. An outsider hammering an agent id
  slows down only themselves: the agent's own office still logs in. Each attempt is counted
  before its password is checked, so concurrent guesses cannot outrun the count.
* **One answer, one cost.** Every refusal says ``LOGIN_REFUSED`` and costs exactly one scrypt,
  whether the agent is unknown (checked against a dummy hash), the password wrong, or the
  address outside the agent's networks; unknown agent ids are counted and throttled like real
  ones. Timing and messages tell agents and non-agents apart no better than chance.
* **WS-Security UsernameToken** (``UsernameToken``, checked by ``verify_token``): a partner may
  authenticate every call with a ``wsse:Security`` header instead of a session. PasswordText is
  checked like a Login; PasswordDigest (Base64 of SHA-1 over Nonce, Created and the password)
  against the agent's password kept encrypted (``secretbox.py``). Created must lie between
  ``max_age`` before and ``future_skew`` after the core's clock (``MessageExpired``,
  ``CreatedInFuture``), the same for a ``wsu:Timestamp``; a wrong digest is ``DigestMismatch``;
  each Nonce is remembered in the database for the window it could be fresh in, so a replay to
  any worker process is ``NonceReplayed``. Registered networks and throttling apply as for Login.
* **Sessions** are stored as SHA-256 digests of their tokens (a token is 192 random bits, so a
  fast hash is enough); logged-out and long-idle sessions are purged at each login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from soap_server.railway.clock import Clock
from soap_server.railway.errors import (
    AuthenticationFailed,
    CreatedInFuture,
    DigestMismatch,
    LoginThrottled,
    MessageExpired,
    NonceReplayed,
    SecurityHeaderInvalid,
    SessionExpired,
    SessionInvalid,
)
from soap_server.railway.passwords import Scrypt
from soap_server.railway.secretbox import SecretBox
from soap_server.railway.store import AgentRow, Store

# Sessions are touched at most this often, so that reads don't each become a write.
_TOUCH_EVERY = timedelta(seconds=10)
#: The source of a call made in-process (tests, tools), which has no network peer: loopback.
LOCAL_SOURCE = "127.0.0.1"
#: The one message of every refused login.
LOGIN_REFUSED = (
    "login refused: unknown agent, wrong password, or an address outside the agent's"
    " registered networks"
)


def token_digest(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DemoAgent:
    code: str
    name: str
    demo_password: str
    networks: tuple[str, ...]


def demo_agents() -> list[DemoAgent]:
    """The seeded agents, their published demo passwords and registered networks."""
    text = (resources.files("soap_server.railway") / "data" / "agents.toml").read_text("utf-8")
    return [
        DemoAgent(a["code"], a["name"], a["demo_password"], tuple(a["networks"]))
        for a in tomllib.loads(text)["agents"]
    ]


def seed_rows(hashing: Scrypt, box: SecretBox) -> Iterator[tuple[str, str, str, str, str]]:
    """(code, name, password hash, networks, sealed password) per demo agent; lazy, so hashing
    happens only when seeding."""
    for agent in demo_agents():
        yield (
            agent.code,
            agent.name,
            hashing.hash(agent.demo_password),
            " ".join(agent.networks),
            box.seal(agent.demo_password),
        )


@dataclass(frozen=True)
class UsernameToken:
    """A WS-Security UsernameToken as the partner sent it, with the address it came from.

    ``password`` is the text of wsse:Password: the password itself (``digest`` False) or the
    Base64 digest. ``created`` is wsu:Created exactly as sent (the digest covers that text) and
    ``created_at`` its instant; ``timestamp`` is the wsu:Timestamp's (Created, Expires), if any.
    """

    username: str
    password: str
    digest: bool
    nonce: bytes | None
    created: str | None
    created_at: datetime | None
    timestamp: tuple[datetime | None, datetime | None] | None
    source: str


#: What authenticates a call: a session token from Login, or the call's own UsernameToken.
Credential = str | UsernameToken | None


@dataclass(frozen=True)
class TokenRules:
    """How fresh a UsernameToken must be (``Settings.wsse_*``)."""

    max_age: timedelta = timedelta(minutes=5)
    future_skew: timedelta = timedelta(minutes=1)


def throttle_key(source: str | None) -> str:
    """The address failures are counted against: an IPv4 address, an IPv6 /64 (one site), or
    the text as given when it is no address at all."""
    try:
        address = ipaddress.ip_address((source or "").strip())
    except ValueError:
        return (source or "").strip()[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def in_networks(source: str | None, networks: str) -> bool:
    """Whether ``source`` lies in one of ``networks`` (CIDRs separated by spaces)."""
    try:
        address = ipaddress.ip_address((source or "").strip())
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for text in networks.split():
        network = ipaddress.ip_network(text, strict=False)
        if address.version == network.version and address in network:
            return True
    return False


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
        failures_allowed: int,
        throttle: timedelta,
        hashing: Scrypt,
        box: SecretBox,
        token_rules: TokenRules = TokenRules(),  # noqa: B008 - frozen
    ) -> None:
        self._db = db
        self._clock = clock
        self._idle_timeout = idle_timeout
        self._failures_allowed = failures_allowed
        self._throttle = throttle
        # What an unknown agent's password is checked against: a hash no password matches (its
        # salt and digest are random) at the cost of the real ones, made now so that the first
        # unknown agent costs what the others do.
        self._dummy_hash = hashing.hash(secrets.token_urlsafe(32))
        self._box = box
        self._token_rules = token_rules

    def login(self, agent_code: str, password: str, source: str | None = LOCAL_SOURCE) -> Session:
        """A new session, or ``AuthenticationFailed`` / ``LoginThrottled`` (see the module)."""
        self.check_password(agent_code, password, source)
        code = agent_code.strip().upper()
        now = self._clock.now()
        token = secrets.token_urlsafe(24)
        with self._db.write() as tx:
            tx.purge_sessions(
                idle_before=(now - 2 * self._idle_timeout).isoformat(),
                ended_before=(now - self._idle_timeout).isoformat(),
            )
            tx.insert_session(token_digest(token), code, now.isoformat())
        return Session(token, code, self._idle_timeout, now)

    def check_password(self, agent_code: str, password: str, source: str | None) -> str:
        """The agent code, if ``password`` is the agent's and ``source`` may use it; every
        attempt counts against (source, agent) until one succeeds."""
        code, key, agent = self._count_attempt(agent_code, source)
        # The same work whatever is wrong: one scrypt, against a dummy hash if there is no agent.
        matches = Scrypt.verify(password, agent.password_hash if agent else self._dummy_hash)
        if agent is None or not matches or not in_networks(source or LOCAL_SOURCE, agent.networks):
            raise AuthenticationFailed(LOGIN_REFUSED)
        with self._db.write() as tx:
            tx.clear_login_attempts(key, code)
        return code

    def verify_token(self, token: UsernameToken) -> str:
        """The agent a WS-Security UsernameToken authenticates (see the module), or an error."""
        now = self._clock.now()
        rules = self._token_rules
        instants = [token.created_at]
        if token.timestamp is not None:
            created, expires = token.timestamp
            instants.append(created)
            if expires is not None and expires <= now:
                raise MessageExpired(f"the wsu:Timestamp expired at {expires.isoformat()}")
        for instant in instants:
            if instant is None:
                continue
            if instant < now - rules.max_age:
                raise MessageExpired(
                    f"Created {instant.isoformat()} is more than"
                    f" {int(rules.max_age.total_seconds())} s old"
                )
            if instant > now + rules.future_skew:
                raise CreatedInFuture(
                    f"Created {instant.isoformat()} is more than"
                    f" {int(rules.future_skew.total_seconds())} s ahead of the core's clock"
                )
        if token.digest and (token.nonce is None or token.created is None):
            raise SecurityHeaderInvalid("a PasswordDigest needs a wsse:Nonce and a wsu:Created")
        if not token.digest:
            code = self.check_password(token.username, token.password, token.source)
        else:
            code, key, agent = self._count_attempt(token.username, token.source)
            assert token.nonce is not None and token.created is not None
            secret = None if agent is None else self._box.open(agent.digest_secret or "")
            # Unknown agents cost what known ones do: a digest over a password nobody has.
            expected = base64.b64encode(
                hashlib.sha1(
                    token.nonce
                    + token.created.encode("utf-8")
                    + (secret or self._dummy_hash).encode("utf-8")
                ).digest()
            ).decode("ascii")
            matches = hmac.compare_digest(expected.encode(), token.password.strip().encode())
            if (
                agent is None
                or secret is None
                or not matches
                or not in_networks(token.source or LOCAL_SOURCE, agent.networks)
            ):
                raise DigestMismatch(
                    "the PasswordDigest does not match (unknown user, wrong password, or an"
                    " address outside the agent's registered networks)"
                )
            with self._db.write() as tx:
                tx.clear_login_attempts(key, code)
        if token.nonce is not None:
            keep_until = (token.created_at or now) + rules.max_age + rules.future_skew
            with self._db.write() as tx:
                fresh = tx.remember_nonce(
                    code,
                    base64.b64encode(token.nonce).decode("ascii"),
                    # In the clock's own zone: the column is compared as text.
                    max(keep_until, now + rules.future_skew).astimezone(now.tzinfo).isoformat(),
                    now.isoformat(),
                )
            if not fresh:
                raise NonceReplayed(
                    f"agent {code} already used this Nonce: the message is a replay"
                )
        return code

    def _count_attempt(
        self, agent_code: str, source: str | None
    ) -> tuple[str, str, AgentRow | None]:
        """Count one attempt for (source, agent) before any password is checked; raises
        LoginThrottled while that address must pause. Returns the code, the throttle key and the
        agent's row (None for an unknown agent)."""
        code = agent_code.strip().upper()
        # A WSGI server always names the peer; a call with none came in-process (no network).
        source = source or LOCAL_SOURCE
        key = throttle_key(source)
        now = self._clock.now()
        with self._db.write() as tx:
            # The agent's row first: on a store with row locks (PostgreSQL) it is read FOR
            # UPDATE, so concurrent attempts on one agent count one after another.
            agent = tx.agent(code)
            tx.purge_login_attempts((now - self._throttle).isoformat(), now.isoformat())
            attempts = tx.login_attempts(key, code)
            if attempts is not None and attempts.blocked_until is not None:
                until = datetime.fromisoformat(attempts.blocked_until)
                if until > now:
                    raise _throttled(until - now)
            if attempts is None or (
                datetime.fromisoformat(attempts.window_start) <= now - self._throttle
            ):
                failures, window_start = 1, now.isoformat()
            else:
                failures, window_start = attempts.failures + 1, attempts.window_start
            # Counted before the password is checked, and cleared if it matches.
            blocked = now + self._throttle if failures >= self._failures_allowed else None
            tx.set_login_attempts(
                key, code, failures, window_start, None if blocked is None else blocked.isoformat()
            )
        return code, key, agent

    def authenticate(self, token: Credential) -> str:
        """The agent code behind a live session token (touching the session) or a WS-Security
        UsernameToken."""
        if isinstance(token, UsernameToken):
            return self.verify_token(token)
        if not token:
            raise SessionInvalid("this operation needs a SessionHeader with a SessionToken")
        now = self._clock.now()
        digest = token_digest(token)
        with self._db.read() as tx:
            session = tx.session(digest)
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
                tx.touch_session(digest, now.isoformat())
        return session.agent

    def logout(self, token: Credential) -> None:
        self.authenticate(token)
        if isinstance(token, UsernameToken):
            return  # a call authenticated by its own token has no session to end
        assert token is not None
        with self._db.write() as tx:
            tx.end_session(token_digest(token), self._clock.now().isoformat())


def _throttled(wait: timedelta) -> LoginThrottled:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    error = LoginThrottled(
        f"too many failed logins for this agent id from this address: try again in {seconds} s"
    )
    error.retry_after = seconds
    return error
