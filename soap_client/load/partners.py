"""The partners the load plays, and a TravelAgent for one of them that cleans up after itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from soap_client.agent import TravelAgent
from soap_client.ledger import Ledger

#: The partners the load plays (the published demo credentials); worker i is PARTNERS[i % 3].
PARTNERS: tuple[tuple[str, str], ...] = (
    ("MMT", "mmt-secret-2008"),
    ("PAYTM", "paytm-secret-2015"),
    ("AGODA", "agoda-secret-2012"),
)
PASSWORDS = dict(PARTNERS)


def close_agent(agent: TravelAgent) -> None:
    """Log out quietly and release the HTTP connection pool."""
    agent.close()
    session = getattr(agent.transport, "session", None)
    if session is not None:
        session.close()


@contextmanager
def partner(url: str, code: str, ledger: Ledger | None = None) -> Iterator[TravelAgent]:
    agent = TravelAgent(url, code, PASSWORDS[code], ledger=ledger, retries=3, backoff=0.05)
    try:
        yield agent
    finally:
        close_agent(agent)
