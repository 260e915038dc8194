"""Fares and cancellation charges, in rupees as ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from soap_server.railway.catalog import Catalog, Train, TravelClass

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


def fare_for(
    catalog: Catalog,
    train: Train,
    cls: TravelClass,
    quota: str,
    km: int,
    tax_rate: Decimal | None = None,
    base_share: Decimal = RUPEE,
) -> Fare:
    """Base fare by distance (with the class's minimum distance) plus the fixed charges.

    ``tax_rate`` is the era's tax on AC fares (service tax, then GST; the seed's GST rate when
    not given). ``base_share`` below one is a child's fare without a berth: that share of the
    adult base fare, the reservation and superfast charges in full.
    """
    factor = catalog.premium_factor.get(train.category, RUPEE)
    base = _round_up_to_5(Decimal(max(km, cls.min_km)) * cls.per_km * factor)
    if base_share != RUPEE:
        base = _round_up_to_5(base * base_share)
    superfast = cls.superfast_charge if train.superfast else ZERO
    tatkal = ZERO
    if quota == "TQ":
        tatkal = min(max(base * cls.tatkal_share_of_base, cls.tatkal_min), cls.tatkal_max)
        tatkal = tatkal.to_integral_value(ROUND_HALF_UP)
    subtotal = base + cls.reservation_charge + superfast + tatkal
    rate = catalog.rules.gst_rate if tax_rate is None else tax_rate
    gst = (subtotal * rate).to_integral_value(ROUND_HALF_UP) if cls.ac else ZERO
    return Fare(
        money(base), money(cls.reservation_charge), money(superfast), money(tatkal), money(gst)
    )


def no_fare() -> Fare:
    """An infant's fare: nothing."""
    return Fare(money(ZERO), money(ZERO), money(ZERO), money(ZERO), money(ZERO))


def to_paise(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def from_paise(paise: int) -> Decimal:
    return money(Decimal(paise) / 100)
