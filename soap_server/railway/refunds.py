"""What one cancelled passenger gets back, under the refund rules of the day.

The charge is worked out on the fare without its tax (base, reservation, superfast and Tatkal
charges); in the eras that tax cancellation charges (GST from July 2017) the tax on the charge
is kept as well, and the tax paid on the rest of the fare is refunded with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from soap_server.railway.catalog import TravelClass
from soap_server.railway.codes import QUEUED
from soap_server.railway.errors import CancellationClosed
from soap_server.railway.rulebook import RuleSet

ZERO = Decimal("0.00")
PAISA = Decimal("0.01")


@dataclass(frozen=True)
class Refund:
    """The parts of one passenger's cancellation, in rupees."""

    charge: Decimal  # kept by the railway
    tax: Decimal  # tax on the charge, kept too
    refund: Decimal  # paid back

    @property
    def kept(self) -> Decimal:
        return self.charge + self.tax


def refund_for(
    rules: RuleSet,
    cls: TravelClass,
    quota: str,
    state: str,
    paid: Decimal,
    fare_tax: Decimal,
    departure: datetime,
    now: datetime,
    charted: bool,
    forfeited: bool = False,
) -> Refund:
    """The refund of one passenger who paid ``paid`` (of which ``fare_tax`` was tax).

    ``forfeited``: the booking's boarding point was changed too close to departure for any
    refund (``BoardingChangeRule.forfeits_refund``): everything paid is kept.

    Raises CancellationClosed where the era does not let a confirmed e-ticket be cancelled after
    the chart (the passenger files a TDR instead).
    """
    rule = rules.cancellation
    fare = paid - fare_tax
    left = departure - now
    if state in QUEUED:
        if forfeited:
            return _nothing_back(paid, fare)
        if left > max(rule.rac_wl_until, timedelta(0)):
            return _keep(rules, cls, paid, fare, min(rule.rac_wl_clerkage, fare))
        return _nothing_back(paid, fare)
    if charted and not rule.confirmed_after_chart:
        raise CancellationClosed(
            "the reservation chart is prepared: a confirmed e-ticket can no longer be cancelled"
            " (file a TDR for a refund)"
        )
    if forfeited:
        return _nothing_back(paid, fare)
    if quota == "TQ":
        share_back = rules.tatkal.confirmed_refund_share
        if share_back == 0:
            return _nothing_back(paid, fare)
        return _keep(rules, cls, paid, fare, _rupees(fare * (1 - share_back)))
    band = rule.band(left)
    if band is None:
        return _nothing_back(paid, fare)
    flat = rule.flat[cls.code]
    charge = flat if band.share is None else max(flat, _rupees(fare * band.share))
    return _keep(rules, cls, paid, fare, min(charge, fare))


def _keep(
    rules: RuleSet, cls: TravelClass, paid: Decimal, fare: Decimal, charge: Decimal
) -> Refund:
    tax = ZERO
    if cls.ac and rules.cancellation_tax.rate:
        tax = (charge * rules.cancellation_tax.rate).quantize(PAISA, ROUND_HALF_UP)
    charge = charge.quantize(PAISA)
    refund = max(paid - charge - tax, ZERO)
    return Refund(charge, min(tax, paid - charge), refund.quantize(PAISA))


def _nothing_back(paid: Decimal, fare: Decimal) -> Refund:
    return Refund(fare.quantize(PAISA), (paid - fare).quantize(PAISA), ZERO)


def _rupees(amount: Decimal) -> Decimal:
    return amount.to_integral_value(ROUND_HALF_UP)
