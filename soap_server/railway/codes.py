"""The railway's codes, defined once: classes, quotas, berth types, genders, booking states, days,
and the shapes of station codes, train numbers, PNRs and the other identifiers.

The facades read their enumerations and patterns from here (the Spyne types, the OpenAPI
builder), and a test checks the plain-XML era's XSD against them, so the three contracts and
the core cannot disagree about what a code may be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

#: Travel classes, in the order a search lists them.
CLASS_CODES = ("1A", "2A", "3A", "3E", "SL", "EC", "CC", "2S")
#: General, Tatkal, Ladies, Senior citizens.
QUOTA_CODES = ("GN", "TQ", "LD", "SS")
#: Lower, middle, upper, side lower, side upper; window, middle and aisle seats.
BERTH_TYPES = ("LB", "MB", "UB", "SL", "SU", "WS", "MS", "AS")
GENDERS = ("M", "F", "T")
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


class BookingState(StrEnum):
    """Where a passenger stands: confirmed, RAC (half a side-lower berth), waitlisted, cancelled,
    or with the party but without a berth."""

    CNF = "CNF"
    RAC = "RAC"
    WL = "WL"
    CAN = "CAN"
    NB = "NB"  # travels without a berth: a child who opted out of one, or an infant


#: The states that wait in a queue (and move up it when someone cancels).
QUEUED = (BookingState.RAC, BookingState.WL)


@dataclass(frozen=True)
class Code:
    """The shape of an identifier: characters from one class, between two lengths."""

    characters: str  # a regular-expression character class, e.g. "[A-Za-z]"
    min_len: int
    max_len: int

    @property
    def pattern(self) -> str:
        """The whole shape as one pattern (XSD and JSON Schema dialects agree on it)."""
        counts = (
            f"{self.min_len}" if self.min_len == self.max_len else f"{self.min_len},{self.max_len}"
        )
        return f"{self.characters}{{{counts}}}"


STATION_CODE = Code("[A-Za-z]", 2, 5)
TRAIN_NUMBER = Code("[0-9]", 5, 5)
PNR = Code("[0-9]", 10, 10)
AGENT_ID = Code("[A-Za-z0-9_]", 2, 16)
SESSION_TOKEN = Code("[A-Za-z0-9_-]", 16, 64)
CLIENT_REFERENCE = Code("[A-Za-z0-9._:-]", 1, 64)

#: Passenger names as IRCTC takes them: 3 to 16 letters, spaces, dots or apostrophes, starting
#: with a letter and ending with a letter or a dot.
PASSENGER_NAME = re.compile(r"[A-Za-z][A-Za-z .']*[A-Za-z.]")
PASSENGER_NAME_LENGTH = (3, 16)
