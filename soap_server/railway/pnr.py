"""PNR numbers: ten digits, the first naming the zone of the boarding station."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from soap_server.railway.catalog import Station

# The first digit of a PNR names the issuing zone, as on real tickets; the other nine are random.
ZONES = {
    "Delhi": "2",
    "Uttar Pradesh": "2",
    "Punjab": "2",
    "Haryana": "2",
    "Rajasthan": "2",
    "Tamil Nadu": "4",
    "Karnataka": "4",
    "Kerala": "4",
    "West Bengal": "6",
    "Bihar": "6",
    "Jharkhand": "6",
    "Odisha": "6",
    "Maharashtra": "8",
    "Gujarat": "8",
    "Madhya Pradesh": "8",
    "Telangana": "1",
    "Andhra Pradesh": "1",
}


def new_pnr(boarding: Station, taken: Callable[[str], bool]) -> str:
    """A PNR in the zone of ``boarding`` that ``taken`` says no booking has yet."""
    zone = ZONES.get(boarding.state, "2")
    while True:
        pnr = zone + f"{secrets.randbelow(10**9):09d}"
        if not taken(pnr):
            return pnr
