"""The same journey in three integration eras, as a partner would write each client.

* ``soap``: the client generated from the WSDL, on zeep (mid 2000s to 2015);
* ``rest``: JSON over HTTP with ``requests`` (after 2015);
* ``plainxml``: hand-built ``<Request>`` documents, parsed with lxml (early 2000s).

Each module is the whole client code its era needs for the journey (login, search, book, PNR
status, cancel, logout), so their sizes can be compared too. They share one ``requests.Session``
per client, given by the caller, so the comparison can record every HTTP exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class Traveller:
    name: str
    age: int
    gender: str


@dataclass(frozen=True)
class Trip:
    """What the journey books: a train, a date, a class and its passengers."""

    train: str
    journey_date: date
    source: str
    destination: str
    travel_class: str
    passengers: tuple[Traveller, ...]
    reference: str


class EraClient(Protocol):
    """The journey's six steps; each returns something to check the era did the same work."""

    def login(self) -> str: ...

    def search(self, trip: Trip) -> list[str]: ...

    def book(self, trip: Trip) -> tuple[str, list[str]]: ...

    def status(self, pnr: str) -> list[str]: ...

    def cancel(self, pnr: str, numbers: list[int]) -> str: ...

    def logout(self) -> None: ...
