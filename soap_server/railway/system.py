"""The reservation core as one object, and the one door every operation passes.

``Railway`` is built from its parts: the catalog (stations, trains, classes), a store (any
``railway.store.Store``), a clock, a ``Policy`` (sessions, lockout, maintenance), hooks (the
simulation is one) and the rule book (the dated rules, read from data/rules by default). It
never reads settings: ``wsgi.create_app`` does that and builds the parts.

``Railway.call(operation, token, request)`` runs a row of the operations table through one
wrapper, in this order: the maintenance window, the session (or, for Login, the agent named),
the request (a facade may hand a function that reads it, so that a bad session is answered
before a malformed request), every hook's ``before``, the work, every hook's ``after``. The
store's failures become the domain's ``Busy`` (a lock not had in time) or ``InternalError``
here, once, for every facade. A hook may decide that the answer is lost (the work is done, the
caller never hears of it): ``Answer.lost`` says so, and the HTTP layer acts on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from soap_server.railway import operations as ops
from soap_server.railway.agents import LOCAL_SOURCE, AgentDesk, Credential, Session, TokenRules
from soap_server.railway.booking import BookingOffice
from soap_server.railway.catalog import Catalog
from soap_server.railway.clock import Clock
from soap_server.railway.errors import Busy, InternalError
from soap_server.railway.operations import Caller, Operation
from soap_server.railway.passwords import Scrypt
from soap_server.railway.policy import Policy
from soap_server.railway.rulebook import RuleBook, RuleSet, load_rulebook
from soap_server.railway.secretbox import SecretBox
from soap_server.railway.store import Store, StoreBusy, StoreError
from soap_server.railway.views import (
    BoardingPointRequest,
    BookingRequest,
    BookingView,
    CancellationRequest,
    CancellationView,
    LoginRequest,
    LogoutRequest,
    PnrRequest,
    SearchRequest,
    TrainOption,
)

log = logging.getLogger(__name__)

Req = TypeVar("Req")
Ans = TypeVar("Ans")


class Hook(Protocol):
    """Runs around the work of every operation (after the door's own checks)."""

    def before(self, operation: str, agent: str, now: datetime) -> None:
        """Before the work; may raise a ``ReservationError`` to refuse the call."""
        ...

    def after(self, operation: str, agent: str) -> bool:
        """After the work succeeded; True means the answer is to be lost."""
        ...

    def failed(self, operation: str, agent: str) -> None:
        """After ``before`` let the call in, when the work (or a later hook) failed."""
        ...


@dataclass(frozen=True)
class Answer(Generic[Ans]):
    """What an operation answered, and whether a hook decided the caller never gets it."""

    value: Ans
    lost: bool = False


class Railway:
    """The core: every operation of the table, on one store, behind one door."""

    def __init__(
        self,
        catalog: Catalog,
        store: Store,
        clock: Clock,
        policy: Policy | None = None,
        hooks: Sequence[Hook] = (),
        hashing: Scrypt | None = None,
        box: SecretBox | None = None,
        rulebook: RuleBook | None = None,
    ) -> None:
        """``hashing`` is the cost the store's password hashes were made with (an unknown agent
        is checked at the same cost); ``box`` opens the agents' sealed passwords for WS-Security
        digests (without one, no digest can match)."""
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.policy = policy or Policy()
        self.hooks = tuple(hooks)
        self.agents = AgentDesk(
            store,
            clock,
            idle_timeout=self.policy.session_idle,
            failures_allowed=self.policy.login_failures_allowed,
            throttle=self.policy.login_throttle,
            hashing=hashing or Scrypt(),
            box=box or SecretBox.ephemeral(),
            token_rules=TokenRules(self.policy.wsse_max_age, self.policy.wsse_future_skew),
        )
        self.rulebook = rulebook or load_rulebook()
        self.office = BookingOffice(catalog, store, clock, self.rulebook)

    def close(self) -> None:
        self.store.close()

    # -- the door ----------------------------------------------------------------------------
    def call(
        self,
        operation: Operation[Req, Ans],
        token: Credential,
        request: Req | Callable[[], Req],
    ) -> Answer[Ans]:
        """Run one operation: maintenance, session, request, hooks, work (see the module)."""
        try:  # the store's failures as the domain's errors: one mapping for every facade
            return self._call(operation, token, request)
        except StoreBusy:
            raise Busy("the reservation database is busy: retry") from None
        except StoreError:
            log.exception("database failure in %s", operation.name)
            raise InternalError("internal database error") from None

    def _call(
        self,
        operation: Operation[Req, Ans],
        token: Credential,
        request: Req | Callable[[], Req],
    ) -> Answer[Ans]:
        self.policy.check_open(self.clock.now())
        agent = self.agents.authenticate(token) if operation.session else ""
        value: Any = request() if callable(request) else request
        if not operation.session and operation.caller is not None:
            agent = operation.caller(value)
        if not self.hooks:
            return Answer(operation.run(self, Caller(agent, token), value))
        entered = []
        try:
            for hook in self.hooks:
                hook.before(operation.key, agent, self.clock.now())
                entered.append(hook)
            result = operation.run(self, Caller(agent, token), value)
        except BaseException:
            for hook in entered:
                hook.failed(operation.key, agent)
            raise
        lost = False
        for hook in self.hooks:
            lost = hook.after(operation.key, agent) or lost
        return Answer(result, lost)

    # -- the operations, for callers in this process (tests, benchmarks) ----------------------
    def login(self, agent: str, password: str, source: str = LOCAL_SOURCE) -> Session:
        """A session for ``agent``; ``source`` is the client's address (in-process: loopback)."""
        return self.call(ops.LOGIN, None, LoginRequest(agent, password, source)).value

    def logout(self, token: Credential) -> None:
        self.call(ops.LOGOUT, token, LogoutRequest())

    def search(
        self,
        token: Credential,
        source: str,
        destination: str,
        journey_date: date,
        class_code: str | None = None,
        quota: str = "GN",
    ) -> list[TrainOption]:
        request = SearchRequest(source, destination, journey_date, class_code, quota)
        return list(self.call(ops.SEARCH_TRAIN, token, request).value.trains)

    def book(self, token: Credential, request: BookingRequest) -> BookingView:
        return self.call(ops.BOOK, token, request).value

    def pnr_status(self, token: Credential, pnr: str) -> BookingView:
        return self.call(ops.GET_PNR_STATUS, token, PnrRequest(pnr)).value

    def cancel(self, token: Credential, pnr: str, numbers: list[int] | None) -> CancellationView:
        passengers = None if numbers is None else tuple(numbers)
        return self.call(ops.CANCEL_BOOKING, token, CancellationRequest(pnr, passengers)).value

    def change_boarding(self, token: Credential, pnr: str, station: str) -> BookingView:
        request = BoardingPointRequest(pnr, station)
        return self.call(ops.CHANGE_BOARDING_POINT, token, request).value

    def rules_in_force(self) -> RuleSet:
        """The rule set of the simulated day: what /healthz, the help page and the WSDL name."""
        return self.rulebook.at(self.clock.now())

    # -- the maintenance window -------------------------------------------------------------
    def maintenance_ends(self) -> datetime | None:
        """When the current maintenance window ends, if the core is in one."""
        return self.policy.maintenance_ends(self.clock.now())
