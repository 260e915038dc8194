"""How values are written as text by the facades that write their own answers (REST, plain XML).

One place, so that the eras agree: money with two decimals, durations in ISO 8601 hours,
minutes and seconds. (SOAP's answers use Spyne's own xs:duration text, which counts days.)
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from soap_server.railway.fares import Fare

_PAISA = Decimal("0.01")


def money(amount: Decimal) -> str:
    """Rupees with exactly two decimals, never in exponent form: ``2546.00``."""
    return f"{amount.quantize(_PAISA, ROUND_HALF_UP):f}"


def duration(delta: timedelta) -> str:
    """ISO 8601 in hours, minutes and seconds, zero parts left out: ``PT15H45M``, ``PT26H5M``."""
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "H"), (minutes, "M"), (seconds, "S")]
    text = "".join(f"{value}{unit}" for value, unit in parts if value)
    return f"PT{text or '0S'}"


def fare_parts(fare: Fare) -> dict[str, str]:
    """A passenger's fare by component (without the total, which callers place themselves)."""
    return {
        "base": money(fare.base),
        "reservation": money(fare.reservation),
        "superfast": money(fare.superfast),
        "tatkal": money(fare.tatkal),
        "gst": money(fare.gst),
    }
