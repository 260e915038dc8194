"""Fares and cancellation charges, in rupees as ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from soap_server.railway.catalog import Catalog, Train, TravelClass
from soap_server.railway.codes import QUEUED

ZERO = Decimal(0)
RUPEE = Decimal(1)
PAISA = Decimal("0.01")


def money(amount: Decimal) -> Decimal:
    """Rupees with exactly two decimals, as on a ticket."""
    return amount.quantize(PAISA, ROUND_HALF_UP)


@dataclass(frozen=True)
class Fare:
    """The fare of one passenger, by component."""

    base: Decimal
    reservation: Decimal
    superfast: Decimal
    tatkal: Decimal
    gst: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.reservation + self.superfast + self.tatkal + self.gst


def _round_up_to_5(amount: Decimal) -> Decimal:
    return (amount / 5).to_integral_value(ROUND_CEILING) * 5


def fare_for(catalog: Catalog, train: Train, cls: TravelClass, quota: str, km: int) -> Fare:
    """Base fare by distance (with the class's minimum distance) plus the fixed charges."""
    factor = catalog.premium_factor.get(train.category, RUPEE)
    base = _round_up_to_5(Decimal(max(km, cls.min_km)) * cls.per_km * factor)
    superfast = cls.superfast_charge if train.superfast else ZERO
    tatkal = ZERO
    if quota == "TQ":
        tatkal = min(max(base * cls.tatkal_share_of_base, cls.tatkal_min), cls.tatkal_max)
        tatkal = tatkal.to_integral_value(ROUND_HALF_UP)
    subtotal = base + cls.reservation_charge + superfast + tatkal
    gst = (subtotal * catalog.rules.gst_rate).to_integral_value(ROUND_HALF_UP) if cls.ac else ZERO
    return Fare(
        money(base), money(cls.reservation_charge), money(superfast), money(tatkal), money(gst)
    )


def cancellation_charge(
    catalog: Catalog,
    cls: TravelClass,
    quota: str,
    state: str,
    fare: Decimal,
    departure: datetime,
    now: datetime,
) -> Decimal:
    """What is kept when one passenger cancels, under the 2015 refund rules.

    Confirmed: a flat charge per class more than 48 h before departure; 25% of the fare (at least
    the flat charge) from 48 h to 12 h; 50% (at least the flat charge) from 12 h to 4 h; no refund
    in the last 4 h. Confirmed Tatkal: no refund. RAC or waitlisted: a clerkage charge until 30
    minutes before departure, no refund after.
    """
    left = departure - now
    if state in QUEUED:
        charge = catalog.rules.rac_wl_clerkage if left > timedelta(minutes=30) else fare
    elif quota == "TQ" or left <= timedelta(hours=4):
        charge = fare
    elif left > timedelta(hours=48):
        charge = cls.cancellation_flat
    elif left > timedelta(hours=12):
        charge = max(cls.cancellation_flat, (fare / 4).to_integral_value(ROUND_HALF_UP))
    else:
        charge = max(cls.cancellation_flat, (fare / 2).to_integral_value(ROUND_HALF_UP))
    return money(min(charge, fare))


def to_paise(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def from_paise(paise: int) -> Decimal:
    return money(Decimal(paise) / 100)
