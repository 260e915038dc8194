"""What the contract says a request may hold, checked before anything is sent.

A typo (gender ``X``, berth ``WINDOW``, a nine-digit PNR) is the partner's own mistake: it is
refused here with the allowed values, before a request goes out and before the ledger records
a booking, so it never leaves a ``FAILED`` row behind. The enumerations are the generated
client's (from the WSDL); the patterns and ranges are the WSDL's facets, and a test checks that
they still are.
"""

from __future__ import annotations

import re
from datetime import date
from typing import get_args

from soap_client.errors import AgentError
from soap_client.irctc_client import BerthType, ClassType, GenderType, QuotaType
from soap_client.models import Passenger

CLASSES: tuple[str, ...] = get_args(ClassType)
QUOTAS: tuple[str, ...] = get_args(QuotaType)
GENDERS: tuple[str, ...] = get_args(GenderType)
BERTHS: tuple[str, ...] = get_args(BerthType)
#: The WSDL's facets (Book_TrainNumberType, Book_FromType, GetPnrStatus_PnrType,
#: Passenger_NameType, Passenger_AgeType).
TRAIN = re.compile(r"[0-9]{5}")
STATION = re.compile(r"[A-Za-z]{2,5}")
PNR = re.compile(r"[0-9]{10}")
NAME_LENGTH = (1, 64)
AGE_RANGE = (0, 150)
#: Book's documentation in the WSDL: "Book up to 6 passengers (4 in Tatkal)".
MAX_PASSENGERS = {"TQ": 4}
DEFAULT_MAX_PASSENGERS = 6


class LocalError(AgentError):
    """A request the contract does not allow; nothing was sent."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequest", message, False)

    def __str__(self) -> str:
        return self.message


def pnr(value: str) -> str:
    value = value.strip()
    if not PNR.fullmatch(value):
        raise LocalError(f"PNR {value!r} is not 10 digits (e.g. 2481937465)")
    return value


def train(value: str) -> str:
    value = value.strip()
    if not TRAIN.fullmatch(value):
        raise LocalError(f"train {value!r} is not a 5-digit train number (e.g. 12952)")
    return value


def station(value: str) -> str:
    value = value.strip()
    if not STATION.fullmatch(value):
        raise LocalError(f"station {value!r} is not a station code of 2-5 letters (e.g. NDLS)")
    return value.upper()


#: In place of a berth preference: a child travelling without a berth.
NO_BERTH = "NOSB"


def checked(p: Passenger) -> Passenger:
    """A Passenger the contract allows (gender and berth in upper case), or a LocalError."""
    berth = f",{p.berth}" if p.berth else ",NOSB" if p.no_berth else ""
    return passenger(f"{p.name},{p.age},{p.gender}{berth}")


def passenger(value: str) -> Passenger:
    """``NAME,AGE,GENDER[,BERTH]`` as a Passenger, or a LocalError saying what is allowed."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (3, 4):
        raise LocalError(
            f"passenger {value!r} is not NAME,AGE,GENDER[,BERTH] (e.g. 'Ravi Kumar,34,M,LB')"
        )
    name, age_text, gender = parts[0], parts[1], parts[2].upper()
    if not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
        raise LocalError(f"passenger {value!r}: the name must have 1 to 64 characters")
    if not age_text.isdigit() or not AGE_RANGE[0] <= int(age_text) <= AGE_RANGE[1]:
        raise LocalError(f"passenger {value!r}: the age must be a whole number from 0 to 150")
    if gender not in GENDERS:
        raise LocalError(
            f"passenger {value!r}: gender {parts[2]!r} is not one of {', '.join(GENDERS)}"
        )
    berth = parts[3].upper() if len(parts) == 4 and parts[3] else None
    if berth == NO_BERTH:  # a child of 5 to 11 without a berth
        return Passenger(name, int(age_text), gender, None, no_berth=True)
    if berth is not None and berth not in BERTHS:
        raise LocalError(
            f"passenger {value!r}: berth {parts[3]!r} is not one of {' '.join(BERTHS)}"
            " (lower, middle, upper, side lower, side upper; window, middle, aisle seat),"
            f" or {NO_BERTH} for a child of 5 to 11 without a berth"
        )
    return Passenger(name, int(age_text), gender, berth)


def passenger_count(count: int, quota: str) -> None:
    most = MAX_PASSENGERS.get(quota, DEFAULT_MAX_PASSENGERS)
    if not 1 <= count <= most:
        where = " in Tatkal (TQ)" if quota == "TQ" else ""
        raise LocalError(f"a booking holds 1 to {most} passengers{where}, not {count}")


def journey_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LocalError(f"not a date (YYYY-MM-DD): {value!r}") from None
