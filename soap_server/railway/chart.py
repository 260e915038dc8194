"""Chart preparation: at the era's time before a train leaves its origin, the allocation freezes.

The chart room prepares a train-day's chart the first time anyone touches that train after its
chart time (a search, a booking, a PNR status, a cancellation): it runs the queues' last pass
(the berths left in every quota offered to RAC and waitlisted passengers), cancels every fully
waitlisted e-ticket with an automatic refund, and records the chart. After it RAC and
waitlist promotion stops and only current booking is sold (see ``openings``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from soap_server.railway import inventory, queues
from soap_server.railway.catalog import Catalog, Train
from soap_server.railway.codes import BookingState
from soap_server.railway.fares import from_paise, to_paise
from soap_server.railway.refunds import refund_for
from soap_server.railway.rulebook import RuleBook
from soap_server.railway.store import Store, Transaction


class ChartRoom:
    """Knows when each train's chart is due and prepares it once."""

    def __init__(self, catalog: Catalog, db: Store, rulebook: RuleBook) -> None:
        self.catalog = catalog
        self.rulebook = rulebook
        self._db = db

    def chart_time(self, train: Train, origin: date) -> datetime:
        """When the first chart of ``train`` leaving its origin on ``origin`` is prepared."""
        departs = train.departure(origin, 0)
        return self.rulebook.at(departs).chart.chart_time(departs)

    def prepare_if_due(self, train: Train, origin: date, now: datetime) -> bool:
        """Prepare the chart if its time has passed and nobody has; True if it is prepared."""
        chart_at = self.chart_time(train, origin)
        if now < chart_at:
            return False
        with self._db.read() as tx:
            if tx.chart_prepared(train.number, origin.isoformat()) is not None:
                return True
        with self._db.write() as tx:
            self.prepare(tx, train, origin, chart_at)
        return True

    def prepare(self, tx: Transaction, train: Train, origin: date, chart_at: datetime) -> None:
        day = origin.isoformat()
        # Every class of the train, in one order (two chart rooms can't deadlock), before
        # anything is read: bookings and cancellations of the train wait for the chart.
        for code in sorted(train.coaches):  # reading a class's seat map locks it
            tx.seat_map(
                train.number, day, code, inventory.layout(train, self.catalog.classes[code])
            )
        if tx.chart_prepared(train.number, day) is not None:
            return  # another call (or process) prepared it first
        rules = self.rulebook.at(chart_at)
        for code in train.coaches:
            cls = self.catalog.classes[code]
            queues.chart_pass(tx, rules, train, cls, day)
        for booking in tx.train_bookings(train.number, day):
            rows = tx.passengers(booking.pnr)
            active = [p for p in rows if p.state != BookingState.CAN]
            holders = [p for p in active if p.state != BookingState.NB]
            if not holders or any(p.state != BookingState.WL for p in holders):
                continue
            cls = self.catalog.classes[booking.class_code]
            departs = train.departure(origin, booking.from_index)
            for pax in active:  # a fully waitlisted e-ticket is cancelled and refunded
                parts = refund_for(
                    rules,
                    cls,
                    booking.quota,
                    BookingState.WL,
                    from_paise(pax.fare),
                    from_paise(pax.tax),
                    departs,
                    chart_at,
                    charted=False,
                )
                tx.update_passenger(
                    replace(
                        pax,
                        state=BookingState.CAN,
                        refund=to_paise(parts.refund),
                        cancelled_at=chart_at.isoformat(),
                        queue_no=None,
                    )
                )
        tx.mark_chart_prepared(train.number, day, chart_at.isoformat())
