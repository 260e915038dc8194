"""How many store transactions an operation opens: a Book is one write, a REGRET one write
that writes nothing, a refused request one read; the door's session check is one read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from soap_server.railway.agents import seed_rows
from soap_server.railway.catalog import load_catalog
from soap_server.railway.clock import FixedClock
from soap_server.railway.errors import ClassNotOnTrain, WaitlistFull
from soap_server.railway.secretbox import SecretBox
from soap_server.railway.store import AgentSeed, Store, Transaction
from soap_server.railway.system import Railway
from soap_server.storage import SqliteStore
from tests.conftest import NOW, TEST_HASHING, login_token
from tests.support import counts, fill, people, request


class CountingStore:
    """A store that counts the transactions it hands out."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.opened: Counter[str] = Counter()

    def read(self) -> AbstractContextManager[Transaction]:
        self.opened["read"] += 1
        return self.store.read()

    def write(self) -> AbstractContextManager[Transaction]:
        self.opened["write"] += 1
        return self.store.write()

    def initialise(self, agents: Iterable[AgentSeed]) -> bool:
        return self.store.initialise(agents)

    def migrate(self, agents: Iterable[AgentSeed]) -> tuple[int | None, int]:
        return self.store.migrate(agents)

    def healthy(self) -> bool:
        return self.store.healthy()

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def counted(tmp_path: Path) -> Iterable[tuple[Railway, CountingStore]]:
    store = CountingStore(SqliteStore(tmp_path / "core.sqlite3"))
    store.initialise(seed_rows(TEST_HASHING, SecretBox.ephemeral()))
    railway = Railway(load_catalog(), store, FixedClock(NOW))
    yield railway, store
    railway.close()


def test_a_book_is_one_write_transaction(counted: tuple[Railway, CountingStore]) -> None:
    railway, store = counted
    token = login_token(railway)
    store.opened.clear()
    railway.book(token, request(passengers=people(3)))
    assert store.opened == {"read": 1, "write": 1}  # the session, then the whole booking


def test_a_retry_and_a_regret_are_one_write_that_writes_nothing(
    counted: tuple[Railway, CountingStore],
) -> None:
    railway, store = counted
    token = login_token(railway)
    first = railway.book(token, request(reference="once", cls="1A"))
    store.opened.clear()
    again = railway.book(token, request(reference="once", cls="1A"))
    assert again.pnr == first.pnr
    assert store.opened == {"read": 1, "write": 1}

    cls = railway.catalog.classes["1A"]
    gn = 22  # 24 berths, two of them senior citizens' quota
    fill(railway, token, gn - 1 + cls.waitlist_limits["GN"], cls="1A")
    before = counts(railway)
    store.opened.clear()
    with pytest.raises(WaitlistFull):
        railway.book(token, request(cls="1A"))
    assert store.opened == {"read": 1, "write": 1}
    assert counts(railway) == before


def test_a_request_refused_by_the_rules_takes_no_writer_lock(
    counted: tuple[Railway, CountingStore],
) -> None:
    railway, store = counted
    token = login_token(railway)
    store.opened.clear()
    with pytest.raises(ClassNotOnTrain):
        railway.book(token, request(cls="SL"))  # 12952 has no sleeper coaches
    assert store.opened["read"] == 2  # the session, then the reference (a retry's answer)
    assert store.opened["write"] == 0
