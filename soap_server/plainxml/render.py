"""Domain views to elements: the results and ``<Error>``s of a plain-XML ``<Response>``.

Each function builds one element from what the core answered (or from an error's code and
message); the endpoint decides what to answer and sends it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from lxml import etree

from soap_server.notation import duration, fare_parts, money
from soap_server.railway.booking import BookingView, CancellationView, PassengerStatus, TrainOption

# -- domain views to elements -------------------------------------------------------------------


def element(tag: str, attributes: dict[str, str | None]) -> etree._Element:
    """An element with the attributes that have a value, in the order given."""
    return etree.Element(tag, {k: v for k, v in attributes.items() if v is not None})


def _optional_money(amount: Decimal | None) -> str | None:
    return None if amount is None else money(amount)


def instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def train(option: TrainOption) -> etree._Element:
    """A ``<Train>`` with a ``<Class>`` for each class offered: one SearchTrain result."""
    train_el = element(
        "Train",
        {
            "number": option.number,
            "name": option.name,
            "source": option.source.code,
            "destination": option.destination.code,
            "departs": instant(option.departs),
            "arrives": instant(option.arrives),
            "duration": duration(option.duration),
            "distanceKm": str(option.distance_km),
            "runsOn": " ".join(option.runs_on),
        },
    )
    for c in option.classes:
        train_el.append(
            element(
                "Class",
                {
                    "code": c.class_code,
                    "name": c.class_name,
                    "quota": c.quota,
                    "status": c.status,
                    "available": str(c.available),
                    "fare": money(c.fare.total),
                    **fare_parts(c.fare),
                },
            )
        )
    return train_el


def _passenger(p: PassengerStatus) -> etree._Element:
    return element(
        "Passenger",
        {
            "number": str(p.number),
            "name": p.name,
            "age": str(p.age),
            "gender": p.gender,
            "bookingStatus": p.booking_status,
            "currentStatus": p.current_status,
            "coach": p.coach,
            "berth": None if p.berth is None else str(p.berth),
            "berthType": p.berth_type,
            "fare": money(p.fare),
            "refund": _optional_money(p.refund),
        },
    )


def booking(tag: str, view: BookingView) -> etree._Element:
    """A booking as ``<tag>`` (Book, PnrStatus, or Booking inside Cancel) with its passengers."""
    booking_el = element(
        tag,
        {
            "pnr": view.pnr,
            "reference": view.client_reference,
            "train": view.train,
            "trainName": view.train_name,
            "source": view.source.code,
            "destination": view.destination.code,
            "date": view.journey_date.isoformat(),
            "departs": instant(view.departs),
            "arrives": instant(view.arrives),
            "class": view.class_code,
            "quota": view.quota,
            "bookedAt": instant(view.booked_at),
            "chartStatus": view.chart_status,
            "totalFare": money(view.total_fare),
            "totalRefund": money(view.total_refund),
        },
    )
    booking_el.append(element("Fare", {**fare_parts(view.fare), "total": money(view.fare.total)}))
    for p in view.passengers:
        booking_el.append(_passenger(p))
    return booking_el


def cancellation(result: CancellationView) -> etree._Element:
    """A ``<Cancel>``: refund, charges and promotions, then the booking as it now stands."""
    cancel_el = element(
        "Cancel",
        {
            "pnr": result.booking.pnr,
            "refund": money(result.refund),
            "charges": money(result.charges),
            "cancelled": " ".join(str(n) for n in result.cancelled),
        },
    )
    for promotion in result.promotions:
        cancel_el.append(element("Promotion", {"from": promotion.was, "to": promotion.now}))
    cancel_el.append(booking("Booking", result.booking))
    return cancel_el


# -- errors -------------------------------------------------------------------------------------


def error_element(op: str | None, code: str, message: str, retryable: bool) -> etree._Element:
    """An ``<Error>``; ``op`` is None when the document was refused before anything ran."""
    return element(
        "Error",
        {"op": op, "code": code, "message": message, "retryable": _boolean(retryable)},
    )
