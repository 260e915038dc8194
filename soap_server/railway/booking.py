"""The booking office: search, book, PNR status, cancellation and boarding-point changes.

Every call reads the rules of its day from the ``RuleBook`` (``rulebook``): the booking
windows in ``openings``, the passenger rules in ``rules``, refunds in ``refunds``, waitlist
pools in ``pools``, the RAC and waitlist queues in ``queues``, the chart in ``chart``. The
requests and views it takes and answers are in ``views``, PNR numbers in ``pnr``. Their names
are re-exported here, where callers have always imported them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal

from soap_server.railway import inventory, queues
from soap_server.railway.boarding import plan_boarding_change
from soap_server.railway.catalog import Catalog, Station, Train, TravelClass
from soap_server.railway.chart import ChartRoom
from soap_server.railway.clock import Clock
from soap_server.railway.codes import CLASS_CODES, QUEUED, BookingState
from soap_server.railway.errors import (
    AlreadyCancelled,
    CancellationClosed,
    ChartPrepared,
    DuplicateReference,
    InvalidPassengerSelection,
    NoConfirmedSeats,
    OutsideReservationWindow,
    PnrNotFound,
    QuotaNotAvailable,
    ReservationError,
    WaitlistFull,
)
from soap_server.railway.fares import Fare, fare_for, from_paise, no_fare, to_paise
from soap_server.railway.openings import (
    check_agent_window,
    check_before_chart,
    check_current_booking,
    check_tatkal_open,
    check_window,
)
from soap_server.railway.pnr import new_pnr
from soap_server.railway.pools import has_rac, pool_for
from soap_server.railway.refunds import refund_for
from soap_server.railway.rulebook import RuleBook, RuleSet, load_rulebook
from soap_server.railway.rules import (
    berth_option,
    check_passengers,
    is_half_ticket,
)
from soap_server.railway.store import (
    BookingRow,
    Layout,
    PassengerRow,
    Pool,
    QueueCounts,
    Store,
    Transaction,
)
from soap_server.railway.views import (
    BookingRequest,
    BookingView,
    CancellationView,
    ClassAvailability,
    PassengerRequest,
    PassengerStatus,
    Promotion,
    TrainOption,
)

__all__ = [
    "BookingOffice",
    "BookingRequest",
    "BookingView",
    "CancellationView",
    "ClassAvailability",
    "PassengerRequest",
    "PassengerStatus",
    "Promotion",
    "TrainOption",
]


#: How many search offers (and trips) an office keeps worked out (a dict cleared when full).
_OFFERS_KEPT = 20_000


@dataclass(frozen=True, slots=True)
class _Trip:
    """One train-day between two stops, as a search shows it whatever the seats."""

    day: str  # the origin date, ISO
    departs: datetime
    arrives: datetime
    distance: int
    runs_on: tuple[str, ...]
    chart_at: datetime  # when its first chart is due


@dataclass(frozen=True, slots=True)
class _Offer:
    """One class of one train between two stops in one quota, as a search reads it whatever
    the seats: the layout of its seat map, the legs, the adult fare, the waitlist pool, and
    the places counted (the quota's berths, its RAC halves if the pool has RAC, every berth
    once the chart is out)."""

    layout: Layout
    legs: range
    fare: Fare
    pool: str
    confirmed: inventory.PlaceSet
    rac: inventory.PlaceSet | None
    berths: inventory.PlaceSet


class BookingOffice:
    """Searches, books and cancels against the seat inventory, under the rules of the day."""

    def __init__(
        self, catalog: Catalog, db: Store, clock: Clock, rulebook: RuleBook | None = None
    ) -> None:
        self.catalog = catalog
        self.rulebook = rulebook or load_rulebook()
        self._db = db
        self._clock = clock
        self.charts = ChartRoom(catalog, db, self.rulebook)
        self._offers: dict[tuple[str, str, str, int, int, Decimal, int | None], _Offer] = {}
        self._trips: dict[tuple[str, int, int, date], _Trip] = {}
        self._offered: dict[tuple[str, str | None, str], tuple[TravelClass, ...]] = {}

    def rules(self) -> RuleSet:
        """The rules in force now (on the simulated clock)."""
        return self.rulebook.at(self._clock.now())

    # -- search --------------------------------------------------------------------------------
    def search(
        self,
        source: str,
        destination: str,
        journey_date: date,
        class_code: str | None = None,
        quota: str = "GN",
    ) -> list[TrainOption]:
        src, dst = self.catalog.station(source), self.catalog.station(destination)
        now = self._clock.now()
        rules = self.rulebook.at(now)
        check_window(rules, journey_date, now)
        journeys = []
        for train, a, b in self.catalog.trains_between(src.code, dst.code):
            origin = train.origin_date(journey_date, a)
            if origin.weekday() not in train.runs_on:
                continue
            trip = self._trip(train, a, b, origin)
            if trip.departs <= now:
                continue
            if now >= trip.chart_at:
                self.charts.prepare_if_due(train, origin, now)
            offers = self._classes_offered(train, class_code, quota)
            journeys.append((train, a, b, origin, trip, offers))
        options = []
        with self._db.read() as tx:
            # The charts and seat maps of every train-day in the answer, read at once.
            charts, _ = tx.charts_and_seat_maps(
                [(train.number, trip.day) for train, _, _, _, trip, _ in journeys],
                [
                    ((train.number, trip.day, cls.code), inventory.layout(train, cls))
                    for train, _, _, _, trip, offers in journeys
                    for cls in offers
                ],
            )
            for train, a, b, origin, trip, offers in journeys:
                if not offers:
                    continue
                charted = (train.number, trip.day) in charts
                classes = [
                    self._availability(tx, rules, train, origin, cls, quota, a, b, charted)
                    for cls in offers
                ]
                options.append(
                    TrainOption(
                        number=train.number,
                        name=train.name,
                        source=src,
                        destination=dst,
                        departs=trip.departs,
                        arrives=trip.arrives,
                        distance_km=trip.distance,
                        runs_on=trip.runs_on,
                        classes=tuple(classes),
                    )
                )
        return options

    def _trip(self, train: Train, a: int, b: int, origin: date) -> _Trip:
        """The timetable of one train-day between two stops (its times, distance, days of
        run and the time its chart is due): worked out once, the catalogue and the rule book
        being fixed under a running core."""
        key = (train.number, a, b, origin)
        trip = self._trips.get(key)
        if trip is None:
            trip = _Trip(
                day=origin.isoformat(),
                departs=train.departure(origin, a),
                arrives=train.arrival(origin, b),
                distance=train.distance(a, b),
                runs_on=tuple(train.runs_on_names()),
                chart_at=self.charts.chart_time(train, origin),
            )
            if len(self._trips) >= _OFFERS_KEPT:
                self._trips.clear()
            self._trips[key] = trip
        return trip

    def _classes_offered(
        self, train: Train, class_code: str | None, quota: str
    ) -> tuple[TravelClass, ...]:
        """The train's classes a search shows, in the catalogue's order: ``class_code`` only if
        given, and only those that offer ``quota``."""
        key = (train.number, class_code, quota)
        offered = self._offered.get(key)
        if offered is None:
            codes = [c for c in CLASS_CODES if c in train.coaches]
            if class_code is not None:
                codes = [c for c in codes if c == class_code]
            offered = tuple(cls for c in codes if (cls := self.catalog.classes[c]).offers(quota))
            if len(self._offered) >= _OFFERS_KEPT:
                self._offered.clear()
            self._offered[key] = offered
        return offered

    def _availability(
        self,
        tx: Transaction,
        rules: RuleSet,
        train: Train,
        origin: date,
        cls: TravelClass,
        quota: str,
        a: int,
        b: int,
        charted: bool,
    ) -> ClassAvailability:
        offer = self._offer(rules, train, cls, quota, a, b)
        day = origin.isoformat()
        taken = tx.seat_map(train.number, day, cls.code, offer.layout)
        legs, fare = offer.legs, offer.fare
        if charted:  # current booking: every berth left, confirmed only, general quota only
            free = offer.berths.count_free(taken, legs)
            if quota != "GN":
                return ClassAvailability(cls.code, cls.name, quota, "CHART PREPARED", 0, fare)
            status = f"CURR_AVBL {free}" if free else "NOT AVAILABLE"
            return ClassAvailability(cls.code, cls.name, quota, status, free, fare)
        free = offer.confirmed.count_free(taken, legs)
        if free:
            status = f"AVAILABLE {free}"
        else:
            pool = offer.pool
            counts = tx.queue_counts((train.number, day, cls.code, pool))
            rac_free = 0 if offer.rac is None else offer.rac.count_free(taken, legs)
            if rac_free:
                status = f"RAC {counts.rac_waiting + 1}"
            elif counts.waiting >= cls.waitlist_limits.get(quota, 0):
                status = "REGRET"
            else:
                status = f"{pool}WL {counts.last_wl + 1}/WL {counts.waiting + 1}"
        return ClassAvailability(cls.code, cls.name, quota, status, free, fare)

    def _offer(
        self, rules: RuleSet, train: Train, cls: TravelClass, quota: str, a: int, b: int
    ) -> _Offer:
        """What a search of ``cls`` between stops ``a`` and ``b`` reads whatever the seats, under
        the era's fare tax and lower-berth quota: worked out once (the catalogue and the rules
        do not change under a running core; the seats are read every time)."""
        lower = queues.lower_berths(rules, train, cls)
        tax = rules.fare_tax.rate
        key = (train.number, cls.code, quota, a, b, tax, lower)
        offer = self._offers.get(key)
        if offer is None:
            pool = pool_for(train, a, b, quota)
            seats_quota = queues.places_quota(pool)
            offer = _Offer(
                layout=inventory.layout(train, cls),
                legs=range(a, b),
                fare=fare_for(self.catalog, train, cls, quota, train.distance(a, b), tax),
                pool=pool,
                confirmed=inventory.confirmed_places(train, cls, seats_quota, lower),
                rac=inventory.rac_places(train, cls, seats_quota, lower) if has_rac(pool) else None,
                berths=inventory.all_berths(train, cls, lower),
            )
            if len(self._offers) >= _OFFERS_KEPT:
                self._offers.clear()
            self._offers[key] = offer
        return offer

    # -- book ------------------------------------------------------------------------------------
    def book(self, agent: str, request: BookingRequest) -> BookingView:
        now = self._clock.now()
        rules = self.rulebook.at(now)
        src = self.catalog.station(request.source)
        dst = self.catalog.station(request.destination)
        digest = _digest(request, src.code, dst.code)
        # A retry of a booking already made is answered before any rule that depends on the
        # time: the lost answer of a Book sent before the train left is still that booking. The
        # checks that need no database run first; if one refuses, the reference is looked up in
        # a read snapshot (no writer lock); otherwise in the one write transaction below.
        try:
            train, a, b, origin, cls, departs, chart_at, charted = self._checked(
                request, rules, src, now
            )
        except ReservationError:
            with self._db.read() as tx:
                existing = tx.booking_by_reference(agent, request.client_reference)
                if existing is not None:
                    return self._repeat(tx, existing, digest, request.client_reference)
            raise
        quota = request.quota
        if charted:
            self.charts.prepare_if_due(train, origin, now)
        km = train.distance(a, b)
        adult = fare_for(self.catalog, train, cls, quota, km, rules.fare_tax.rate)
        child = adult  # the child's fare, worked out only for a booking with a half ticket
        if quota != "TQ" and any(is_half_ticket(rules, pax) for pax in request.passengers):
            child = fare_for(
                self.catalog, train, cls, quota, km, rules.fare_tax.rate, rules.children.child_share
            )
        pool = pool_for(train, a, b, quota)
        seats_quota = queues.places_quota(pool)
        lb = queues.lower_berths(rules, train, cls)
        day = origin.isoformat()
        key: Pool = (train.number, day, cls.code, pool)
        legs = range(a, b)
        if charted:
            berths = inventory.all_berths(train, cls, lb)
        else:
            berths = inventory.confirmed_places(train, cls, seats_quota, lb)
        rac = inventory.rac_places(train, cls, seats_quota, lb) if has_rac(pool) else None

        layout = inventory.layout(train, cls)
        limit = cls.waitlist_limits.get(quota, 0)
        # Everything that needs no database is ready before the writer lock is taken: the
        # passengers' rows (without PNR, state or place), whose berths are wanted, the booking.
        drafts = [
            self._draft(rules, number, pax, quota, adult, child, train.number, day, cls, pool, a, b)
            for number, pax in enumerate(request.passengers, start=1)
        ]
        holders = [row for row in drafts if row.berth_option is None]
        preferences = [queues.preference(row) for row in holders]
        booking = BookingRow(
            pnr="",
            agent=agent,
            client_reference=request.client_reference,
            request_digest=digest,
            train=train.number,
            origin_date=day,
            journey_date=request.journey_date.isoformat(),
            source=src.code,
            destination=dst.code,
            from_index=a,
            to_index=b,
            class_code=cls.code,
            quota=quota,
            booked_at=now.isoformat(),
            base_fare=to_paise(adult.base),
            reservation_charge=to_paise(adult.reservation),
            superfast_charge=to_paise(adult.superfast),
            tatkal_charge=to_paise(adult.tatkal),
            gst=to_paise(adult.gst),
            reserved_from=src.code,
        )

        with self._db.write() as tx:
            # The class is locked first (PostgreSQL: its inventory row, read FOR UPDATE), so
            # that a retry racing the first attempt with the same reference finds it here.
            taken = tx.seat_map(train.number, day, cls.code, layout)
            existing = tx.booking_by_reference(agent, request.client_reference)
            if existing is not None:
                return self._repeat(tx, existing, digest, request.client_reference)

            counts: QueueCounts | None = None  # read only when someone is not confirmed
            party = inventory.find_party(berths, taken, legs, preferences)
            # Each berth holder's state, place, waitlist and queue numbers, status at booking.
            seated: dict[int, _Seat] = {}
            unconfirmed = 0
            for i, row in enumerate(holders):
                place = (
                    party[i]
                    if party is not None
                    else inventory.find_place(berths, taken, legs, preferences[i])
                )
                if place is not None:
                    seat = _Seat(BookingState.CNF, place, None, None, _berth_status(place))
                elif request.only_if_confirmed or charted:
                    unconfirmed += 1  # neither RAC nor waitlist for this request
                    continue
                else:
                    if counts is None:  # the queues, read once, when first needed
                        counts = tx.queue_counts(key)
                    if rac is not None and (place := rac.find(taken, legs)):
                        counts.rac_waiting += 1
                        counts.last_rac += 1
                        status = f"RAC {counts.rac_waiting}"
                        seat = _Seat(BookingState.RAC, place, None, counts.last_rac, status)
                    elif counts.waiting < limit:
                        counts.waiting += 1
                        counts.last_wl += 1
                        wl_no = counts.last_wl
                        seat = _Seat(BookingState.WL, None, wl_no, wl_no, f"{pool}WL {wl_no}")
                    else:
                        raise WaitlistFull(
                            f"REGRET: the {pool}WL waitlist of {cls.code} on train"
                            f" {train.number} for {request.journey_date} is full"
                            f" ({limit} waiting)"
                        )
                if place is not None:
                    inventory.hold(taken, place, legs)
                seated[row.number] = seat

            if unconfirmed:
                why = (
                    "current booking after the chart confirms berths only"
                    if charted
                    else "nothing was booked"
                )
                raise NoConfirmedSeats(
                    f"only {len(seated)} of {len(seated) + unconfirmed} passengers can be"
                    f" confirmed in {cls.code} on train {train.number}; {why}"
                )
            pnr = new_pnr(src, tx.pnr_taken)
            booking = replace(booking, pnr=pnr)
            companion = _companion_status(next(iter(seated.values())).status)
            rows = [_placed(row, pnr, seated.get(row.number), companion) for row in drafts]
            held = [
                (row, place.key)
                for row in rows
                if row.number in seated and (place := seated[row.number].place) is not None
            ]
            tx.insert_booking(booking)
            tx.insert_passengers(rows)
            tx.occupy_all(held)
            # The answer from the rows just written (the queue positions and the chart read
            # in this transaction), not read back from the store.
            current = {p.number: self._current(tx, p) for p in rows if p.state != BookingState.NB}
            charted_row = tx.chart_prepared(train.number, day) is not None
        return self._answer(booking, rows, current, charted_row)

    def _draft(
        self,
        rules: RuleSet,
        number: int,
        pax: PassengerRequest,
        quota: str,
        adult: Fare,
        child: Fare,
        train: str,
        day: str,
        cls: TravelClass,
        pool: str,
        a: int,
        b: int,
    ) -> PassengerRow:
        """A passenger's row before seating: no PNR, state WL (NB without a berth), no place."""
        option = berth_option(rules, pax)
        if option == "INFANT":
            fare = no_fare()
        elif is_half_ticket(rules, pax) and quota != "TQ":
            fare = child
        else:
            fare = adult
        return PassengerRow(
            pnr="",  # the PNR is drawn once everyone is seated: a REGRET draws none
            number=number,
            name=pax.name.strip(),
            age=pax.age,
            gender=pax.gender,
            berth_preference=None if option else pax.berth_preference,
            booking_status="",
            state=BookingState.NB if option else BookingState.WL,  # WL until a place is found
            coach=None,
            berth=None,
            slot=None,
            berth_type=None,
            wl_no=None,
            queue_no=None,
            fare=to_paise(fare.total),
            refund=None,
            cancelled_at=None,
            train=train,
            origin_date=day,
            class_code=cls.code,
            quota=pool,
            from_index=a,
            to_index=b,
            berth_option=option,
            tax=to_paise(fare.gst),
        )

    def _checked(
        self, request: BookingRequest, rules: RuleSet, src: Station, now: datetime
    ) -> tuple[Train, int, int, date, TravelClass, datetime, datetime, bool]:
        """Every check of a booking request that needs no database; the journey it books."""
        dst = self.catalog.station(request.destination)
        # The window is checked before any date arithmetic: a date far in the past or future
        # would otherwise overflow working out the train's origin date.
        check_window(rules, request.journey_date, now)
        train, a, b, origin = self.catalog.journey(
            request.train, src.code, dst.code, request.journey_date
        )
        cls = self.catalog.travel_class(train, request.class_code)
        quota = request.quota
        if not cls.offers(quota):
            raise QuotaNotAvailable(f"{cls.code} on train {train.number} has no {quota} quota")
        departs = train.departure(origin, a)
        if departs <= now:
            raise OutsideReservationWindow(
                f"train {train.number} left {src.code} at {departs:%Y-%m-%d %H:%M} IST"
            )
        chart_at = self.charts.chart_time(train, origin)
        charted = now >= chart_at
        check_before_chart(rules, train, quota, chart_at, now)
        if charted:
            check_current_booking(rules, train, departs, chart_at, now)
            if quota != "GN":
                raise ChartPrepared(
                    f"the chart of train {train.number} was prepared at"
                    f" {chart_at:%Y-%m-%d %H:%M} IST: the {quota} quota is closed and its berths"
                    " are sold as current booking (quota GN)"
                )
        if quota == "TQ":
            check_tatkal_open(rules, train, cls, origin, now)
        check_passengers(self.catalog.rules, rules, request.passengers, cls, quota)
        check_agent_window(rules, request.journey_date, origin, cls, quota, now)
        return train, a, b, origin, cls, departs, chart_at, charted

    def _repeat(
        self, tx: Transaction, existing: BookingRow, digest: str, reference: str
    ) -> BookingView:
        if existing.request_digest != digest:
            raise DuplicateReference(
                f"client reference {reference!r} was used for PNR {existing.pnr}"
                " with a different request"
            )
        return self._view(tx, existing)

    # -- status ----------------------------------------------------------------------------------
    def status(self, agent: str, pnr: str) -> BookingView:
        self._chart_of(agent, pnr)
        with self._db.read() as tx:
            return self._view(tx, self._owned(tx, agent, pnr))

    def _chart_of(self, agent: str, pnr: str) -> None:
        """Prepare the chart of a booking's train if its time has come (before reading it)."""
        with self._db.read() as tx:
            booking = self._owned(tx, agent, pnr)
        train = self.catalog.trains[booking.train]
        self.charts.prepare_if_due(
            train, date.fromisoformat(booking.origin_date), self._clock.now()
        )

    # -- cancel ----------------------------------------------------------------------------------
    def cancel(self, agent: str, pnr: str, numbers: list[int] | None = None) -> CancellationView:
        now = self._clock.now()
        rules = self.rulebook.at(now)
        self._chart_of(agent, pnr)
        with self._db.write() as tx:
            booking = self._owned(tx, agent, pnr)
            # Before any passenger changes: a cancellation that promoted into another PNR's
            # row locked by a second one waiting here would deadlock.
            train_ = self.catalog.trains[booking.train]
            cls_ = self.catalog.classes[booking.class_code]
            tx.seat_map(
                booking.train, booking.origin_date, cls_.code, inventory.layout(train_, cls_)
            )
            passengers = tx.passengers(pnr)
            by_number = {p.number: p for p in passengers}
            if numbers is not None:
                # An empty selection names nobody; "everyone" is the absent selection only.
                if not numbers:
                    raise InvalidPassengerSelection(
                        "the selection names no passenger: leave it out to cancel all"
                    )
                unknown = sorted({n for n in numbers if n not in by_number})
                if unknown:
                    raise InvalidPassengerSelection(
                        f"PNR {pnr} has passengers 1 to {len(passengers)}, not {unknown}"
                    )
                if len(set(numbers)) != len(numbers):
                    raise InvalidPassengerSelection("a passenger number is repeated")
                selected = [by_number[n] for n in sorted(numbers)]
                done = [p.number for p in selected if p.state == BookingState.CAN]
                if done:
                    raise AlreadyCancelled(f"passenger {done} of PNR {pnr} is already cancelled")
            else:
                selected = [p for p in passengers if p.state != BookingState.CAN]
                if not selected:
                    raise AlreadyCancelled(f"PNR {pnr} is already fully cancelled")
            # children without a berth and infants travel with someone who has one
            chosen = {p.number for p in selected}
            holders_left = [
                p
                for p in passengers
                if p.state not in (BookingState.CAN, BookingState.NB) and p.number not in chosen
            ]
            if not holders_left:
                selected += [
                    p for p in passengers if p.state == BookingState.NB and p.number not in chosen
                ]
                selected.sort(key=lambda p: p.number)
            train = self.catalog.trains[booking.train]
            cls = self.catalog.classes[booking.class_code]
            origin = date.fromisoformat(booking.origin_date)
            departs = train.departure(origin, booking.from_index)
            if departs <= now:
                raise CancellationClosed(
                    f"train {train.number} left {booking.source} at {departs:%Y-%m-%d %H:%M} IST;"
                    " file a TDR instead"
                )
            charted = tx.chart_prepared(train.number, booking.origin_date) is not None
            forfeited = self._refund_forfeited(booking, train, origin)
            lead = _lead_state(passengers)
            refund = charges = Decimal("0.00")
            freed_pool: str | None = None
            for pax in selected:
                state = lead if pax.state == BookingState.NB else pax.state
                parts = refund_for(
                    rules,
                    cls,
                    booking.quota,
                    state,
                    from_paise(pax.fare),
                    from_paise(pax.tax),
                    departs,
                    now,
                    charted,
                    forfeited,
                )
                refund += parts.refund
                charges += parts.kept
                if pax.state in (BookingState.CNF, BookingState.RAC) and freed_pool is None:
                    freed_pool = pax.quota
                tx.release(pax.pnr, pax.number)
                tx.update_passenger(
                    replace(
                        pax,
                        state=BookingState.CAN,
                        refund=to_paise(parts.refund),
                        cancelled_at=now.isoformat(),
                        coach=None,
                        berth=None,
                        slot=None,
                        berth_type=None,
                        queue_no=None,
                    )
                )
            moved: list[tuple[PassengerRow, str]] = []
            if not charted and freed_pool is not None:  # the chart stops all promotion
                moved = queues.promote_after_cancellation(
                    tx, rules, train, cls, booking.origin_date, freed_pool
                )
            return CancellationView(
                booking=self._view(tx, booking),
                cancelled=tuple(p.number for p in selected),
                refund=refund,
                charges=charges,
                promotions=tuple(Promotion(was, self._current(tx, row)) for row, was in moved),
            )

    # -- boarding point --------------------------------------------------------------------------
    def change_boarding(self, agent: str, pnr: str, station: str) -> BookingView:
        """Board at a later stop of the journey: the berths are kept for the new legs only (the
        legs before it go to the queues), no fare is refunded, the original station may no
        longer be boarded at. The era says until when (before the departure from the original
        boarding station, or the chart) and how often."""
        now = self._clock.now()
        rules = self.rulebook.at(now)
        new_station = self.catalog.station(station)
        self._chart_of(agent, pnr)
        with self._db.write() as tx:
            booking = self._owned(tx, agent, pnr)
            # Before any passenger changes (the order cancellations use), the class's seat map
            # (its lock): the legs given up are cleared from it and sold onward from the queues.
            layout = inventory.layout(
                self.catalog.trains[booking.train], self.catalog.classes[booking.class_code]
            )
            tx.seat_map(booking.train, booking.origin_date, booking.class_code, layout)
            if booking.boarding_changes and booking.source == new_station.code:
                return self._view(tx, booking)  # the retry of a change already made
            passengers = tx.passengers(pnr)
            active = [p for p in passengers if p.state != BookingState.CAN]
            if not active:
                raise AlreadyCancelled(f"PNR {pnr} is fully cancelled")
            train = self.catalog.trains[booking.train]
            cls = self.catalog.classes[booking.class_code]
            origin = date.fromisoformat(booking.origin_date)
            change = plan_boarding_change(
                rules,
                train,
                booking.from_index,
                booking.to_index,
                new_station.code,
                train.departure(origin, booking.from_index),
                self.charts.chart_time(train, origin),
                booking.boarding_changes,
                now,
            )
            freed: set[str] = set()
            for pax in active:
                if pax.state in (BookingState.CNF, BookingState.RAC):
                    tx.release(pax.pnr, pax.number, before_leg=change.new)
                    freed.add(pax.quota)
                tx.update_passenger(replace(pax, from_index=change.new))
            moved = replace(
                booking,
                source=new_station.code,
                from_index=change.new,
                boarding_changes=booking.boarding_changes + 1,
                boarding_changed_at=now.isoformat(),
            )
            tx.update_boarding(moved)
            for pool in sorted(freed):  # the legs given up are sold onward
                queues.promote_after_cancellation(tx, rules, train, cls, booking.origin_date, pool)
            return self._view(tx, moved)

    def _refund_forfeited(self, booking: BookingRow, train: Train, origin: date) -> bool:
        """Whether the booking's boarding point was changed too close to the departure from its
        original boarding station for a cancellation to refund anything (the rule in force on
        the day of the change)."""
        if booking.boarding_changed_at is None:
            return False
        changed = datetime.fromisoformat(booking.boarding_changed_at)
        original = train.stop_index(booking.reserved_from)
        if original is None:  # a row from before reserved_from was recorded
            original = booking.from_index
        rule = self.rulebook.at(changed).boarding_change
        return rule.forfeits_refund(changed, train.departure(origin, original))

    # -- helpers ---------------------------------------------------------------------------------
    def _owned(self, tx: Transaction, agent: str, pnr: str) -> BookingRow:
        booking = tx.booking(pnr)
        if booking is None or booking.agent != agent:
            raise PnrNotFound(f"no booking with PNR {pnr} among this agent's bookings")
        return booking

    def _current(self, tx: Transaction, pax: PassengerRow) -> str:
        if pax.state in QUEUED:
            assert pax.queue_no is not None
            pool = (pax.train, pax.origin_date, pax.class_code, pax.quota)
            return _status(pax, tx.queue_position(pool, pax.state, pax.queue_no))
        return _status(pax, 0)

    def _view(self, tx: Transaction, booking: BookingRow) -> BookingView:
        rows = tx.passengers(booking.pnr)
        current = {p.number: self._current(tx, p) for p in rows if p.state != BookingState.NB}
        charted = tx.chart_prepared(booking.train, booking.origin_date) is not None
        return self._answer(booking, rows, current, charted)

    def _answer(
        self,
        booking: BookingRow,
        rows: list[PassengerRow],
        current: dict[int, str],
        charted: bool,
    ) -> BookingView:
        """The view of a booking from its rows, its berth holders' current statuses and
        whether the chart of its train-day is prepared."""
        train = self.catalog.trains[booking.train]
        origin = date.fromisoformat(booking.origin_date)
        departs = train.departure(origin, booking.from_index)
        fare = Fare(
            from_paise(booking.base_fare),
            from_paise(booking.reservation_charge),
            from_paise(booking.superfast_charge),
            from_paise(booking.tatkal_charge),
            from_paise(booking.gst),
        )
        lead = next((current[p.number] for p in rows if p.number in current), "CAN")
        passengers = tuple(
            PassengerStatus(
                number=p.number,
                name=p.name,
                age=p.age,
                gender=p.gender,
                booking_status=p.booking_status,
                current_status=current.get(p.number) or _companion_status(lead),
                coach=p.coach,
                berth=p.berth,
                berth_type=p.berth_type,
                fare=from_paise(p.fare),
                refund=None if p.refund is None else from_paise(p.refund),
                berth_option=p.berth_option,
                pool=p.quota,
            )
            for p in rows
        )
        reserved_from = booking.reserved_from or booking.source
        return BookingView(
            pnr=booking.pnr,
            client_reference=booking.client_reference,
            agent=booking.agent,
            train=train.number,
            train_name=train.name,
            source=self.catalog.stations[reserved_from],
            destination=self.catalog.stations[booking.destination],
            journey_date=date.fromisoformat(booking.journey_date),
            departs=departs,
            arrives=train.arrival(origin, booking.to_index),
            class_code=booking.class_code,
            quota=booking.quota,
            booked_at=datetime.fromisoformat(booking.booked_at),
            fare=fare,
            total_fare=sum((p.fare for p in passengers), Decimal("0.00")),
            total_refund=sum((p.refund or Decimal(0) for p in passengers), Decimal("0.00")),
            chart_status="CHART PREPARED" if charted else "CHART NOT PREPARED",
            passengers=passengers,
            boarding_point=(
                self.catalog.stations[booking.source] if booking.boarding_changes else None
            ),
        )


def _placed(draft: PassengerRow, pnr: str, seat: _Seat | None, companion: str) -> PassengerRow:
    """A drafted passenger's row with the PNR and, for a berth holder, where they go; for a
    companion without a berth, the ``companion`` status (one row built, not a chain of
    ``replace``)."""
    place = None if seat is None else seat.place
    return PassengerRow(
        pnr=pnr,
        number=draft.number,
        name=draft.name,
        age=draft.age,
        gender=draft.gender,
        berth_preference=draft.berth_preference,
        booking_status=companion if seat is None else seat.status,
        state=draft.state if seat is None else seat.state,
        coach=None if place is None else place.coach,
        berth=None if place is None else place.berth,
        slot=None if place is None else place.slot,
        berth_type=None if place is None else place.berth_type,
        wl_no=None if seat is None else seat.wl_no,
        queue_no=None if seat is None else seat.queue_no,
        fare=draft.fare,
        refund=None,
        cancelled_at=None,
        train=draft.train,
        origin_date=draft.origin_date,
        class_code=draft.class_code,
        quota=draft.quota,
        from_index=draft.from_index,
        to_index=draft.to_index,
        berth_option=draft.berth_option,
        tax=draft.tax,
    )


@dataclass(frozen=True, slots=True)
class _Seat:
    """Where a berth holder of a new booking goes: state, place (CNF, RAC), waitlist and queue
    numbers, and the status at booking (``CNF/B3/45``, ``RAC 3``, ``GNWL 7``)."""

    state: BookingState
    place: inventory.Place | None
    wl_no: int | None
    queue_no: int | None
    status: str


def _berth_status(place: inventory.Place) -> str:
    return f"CNF/{place.coach}/{place.berth}"


def _status(pax: PassengerRow, position: int) -> str:
    if pax.state == BookingState.CNF:
        return f"CNF/{pax.coach}/{pax.berth}"
    if pax.state == BookingState.RAC:
        return f"RAC {position}"
    if pax.state == BookingState.WL:
        return f"{pax.quota}WL {position}"
    return "CAN"


def _companion_status(lead: str) -> str:
    """A child without a berth or an infant travels on the status of the booking's lead."""
    if lead == "CAN":
        return "CAN"
    return f"{lead.split('/')[0].split()[0]}/NB"


def _lead_state(rows: list[PassengerRow]) -> BookingState:
    """The state a companion's refund follows: the best state left among the berth holders."""
    states = {p.state for p in rows}
    best = (BookingState.CNF, BookingState.RAC, BookingState.WL)
    return next((s for s in best if s in states), BookingState.WL)


_REQUEST_FIELDS = tuple(f.name for f in fields(BookingRequest))
_PASSENGER_FIELDS = tuple(f.name for f in fields(PassengerRequest))
_WITHOUT_NO_BERTH = tuple(name for name in _PASSENGER_FIELDS if name != "no_berth")


def _digest(request: BookingRequest, source: str, destination: str) -> str:
    """A fingerprint of what a booking asks for, to recognise a retry of the same request.

    The JSON of the request's fields (``dataclasses.asdict``'s shape, keys sorted) with the
    stations as resolved, the date in ISO form and no client reference; ``no_berth`` only when
    a passenger has it (as before the option existed): digests stored by earlier versions
    still match their retries."""
    body = {name: getattr(request, name) for name in _REQUEST_FIELDS}
    body["source"], body["destination"], body["client_reference"] = source, destination, ""
    body["journey_date"] = request.journey_date.isoformat()
    names = _PASSENGER_FIELDS if any(p.no_berth for p in request.passengers) else _WITHOUT_NO_BERTH
    body["passengers"] = [{name: getattr(p, name) for name in names} for p in request.passengers]
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
