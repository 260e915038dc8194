"""The passenger rules checked before any seat is touched, under the rules of the day.

The booking windows (advance reservation, Tatkal, the chart, agents' minutes) are in
``openings``; the rules that changed over time come from the day's ``RuleSet``.
"""

from __future__ import annotations

from collections.abc import Sequence

from soap_server.railway.catalog import Rules, TravelClass
from soap_server.railway.codes import GENDERS, PASSENGER_NAME, PASSENGER_NAME_LENGTH
from soap_server.railway.errors import InvalidPassenger, TooManyPassengers
from soap_server.railway.rulebook import RuleSet
from soap_server.railway.views import PassengerRequest

SENIOR_AGE = {"M": 60, "F": 58, "T": 60}
WOMEN_LOWER_BERTH_AGE = 45  # women of 45 and above share the senior citizens' lower-berth quota


def is_senior(pax: PassengerRequest) -> bool:
    return pax.age >= SENIOR_AGE.get(pax.gender, 60)


def lower_berth_eligible(pax: PassengerRequest) -> bool:
    """Senior citizens and women aged 45 and above: the lower-berth quota (SS)."""
    return is_senior(pax) or (pax.gender == "F" and pax.age >= WOMEN_LOWER_BERTH_AGE)


def berth_option(day: RuleSet, pax: PassengerRequest) -> str | None:
    """``INFANT`` under the era's free age, ``NOSB`` for a child without a berth, else None."""
    if pax.age < day.children.free_below:
        return "INFANT"
    return "NOSB" if pax.no_berth else None


def is_half_ticket(day: RuleSet, pax: PassengerRequest) -> bool:
    """A child's ticket at the child share of the fare (with a berth before 2016, without after)."""
    children = day.children
    if not children.free_below <= pax.age < children.child_below:
        return False
    return pax.no_berth or not children.no_berth_option


def check_passengers(
    limits: Rules,
    day: RuleSet,
    passengers: Sequence[PassengerRequest],
    cls: TravelClass,
    quota: str,
) -> None:
    most = day.tatkal.max_passengers if quota == "TQ" else limits.max_passengers
    if not passengers:
        raise InvalidPassenger("a booking needs at least one passenger")
    if len(passengers) > most:
        raise TooManyPassengers(
            f"{len(passengers)} passengers: a {quota} booking takes at most {most}"
            + (f" ({day.since_of('tatkal')})" if quota == "TQ" else "")
        )
    children = day.children
    for number, pax in enumerate(passengers, start=1):
        name = pax.name.strip()
        lo, hi = PASSENGER_NAME_LENGTH
        if not (lo <= len(name) <= hi) or not PASSENGER_NAME.fullmatch(name):
            raise InvalidPassenger(
                f"passenger {number}: name {pax.name!r} must be {lo} to {hi} letters,"
                " spaces, dots or apostrophes"
            )
        if not limits.min_passenger_age <= pax.age <= limits.max_passenger_age:
            raise InvalidPassenger(
                f"passenger {number}: age {pax.age} is outside"
                f" {limits.min_passenger_age}-{limits.max_passenger_age}"
            )
        if pax.gender not in GENDERS:
            raise InvalidPassenger(f"passenger {number}: gender must be M, F or T")
        if pax.berth_preference is not None and pax.berth_preference not in cls.layout:
            offered = ", ".join(sorted(set(cls.layout)))
            raise InvalidPassenger(
                f"passenger {number}: {cls.code} has no {pax.berth_preference} berths"
                f" (it has {offered})"
            )
        if pax.no_berth:
            if not children.no_berth_option:
                raise InvalidPassenger(
                    f"passenger {number}: the no-berth option for children does not exist yet"
                    f" ({day.since_of('children')}: children of {children.free_below} to"
                    f" {children.child_below - 1} have a berth at half fare)"
                )
            if not children.free_below <= pax.age < children.child_below:
                raise InvalidPassenger(
                    f"passenger {number}: only children of {children.free_below} to"
                    f" {children.child_below - 1} may travel without a berth"
                    + (" (infants never have one)" if pax.age < children.free_below else "")
                )
            if quota == "TQ":
                raise InvalidPassenger(
                    f"passenger {number}: Tatkal has no child concession: a child books a berth"
                    " at the full fare"
                )
        if quota == "LD" and pax.gender == "M" and pax.age >= 12:
            raise InvalidPassenger(
                f"passenger {number}: the ladies quota is for women and boys under 12"
            )
        if quota == "SS" and berth_option(day, pax) is None and not lower_berth_eligible(pax):
            raise InvalidPassenger(
                f"passenger {number}: the lower-berth quota is for senior citizens (men"
                f" {SENIOR_AGE['M']}+, women {SENIOR_AGE['F']}+) and women of"
                f" {WOMEN_LOWER_BERTH_AGE} and above"
            )
    holders = [p for p in passengers if berth_option(day, p) is None]
    if not holders:
        raise InvalidPassenger("a booking needs at least one passenger with a berth")
    adults = [p for p in passengers if p.age >= children.child_below]
    half = [p for p in passengers if is_half_ticket(day, p)]
    infants = [p for p in passengers if p.age < children.free_below]
    if (half or infants) and not adults:
        raise InvalidPassenger(
            f"children and infants travel with an adult (aged {children.child_below} or more)"
        )
    if len(half) > len(adults):
        raise InvalidPassenger(
            f"{len(half)} half tickets for {len(adults)} adults: half tickets may not outnumber"
            " the adults of a booking"
        )
    if quota == "SS" and len(holders) > day.lower_berths.max_party:
        raise TooManyPassengers(
            f"the lower-berth quota takes at most {day.lower_berths.max_party} passenger(s)"
            f" with a berth on one PNR ({day.since_of('lower_berth_quota')})"
        )
