"""The booking office: search, book, PNR status and cancellation, with their rules.

The requests and views it takes and answers are in ``views``, the checks made before any seat
is touched in ``rules``, PNR numbers in ``pnr``. Their names are re-exported here, where callers
have always imported them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from soap_server.railway import inventory
from soap_server.railway.catalog import Catalog, Station, Train, TravelClass
from soap_server.railway.clock import Clock
from soap_server.railway.codes import CLASS_CODES, QUEUED, BookingState
from soap_server.railway.errors import (
    AlreadyCancelled,
    CancellationClosed,
    DuplicateReference,
    InvalidPassengerSelection,
    NoConfirmedSeats,
    OutsideReservationWindow,
    PnrNotFound,
    QuotaNotAvailable,
    ReservationError,
    WaitlistFull,
)
from soap_server.railway.fares import Fare, cancellation_charge, fare_for, from_paise, to_paise
from soap_server.railway.pnr import new_pnr
from soap_server.railway.rules import (
    SENIOR_AGE,
    check_passengers,
    check_tatkal_open,
    check_window,
)
from soap_server.railway.store import (
    BookingRow,
    PassengerRow,
    Pool,
    QueueCounts,
    SeatMap,
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


class BookingOffice:
    """Searches, books and cancels against the seat inventory in the database."""

    def __init__(self, catalog: Catalog, db: Store, clock: Clock) -> None:
        self.catalog = catalog
        self._db = db
        self._clock = clock

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
        check_window(self.catalog.rules, journey_date, now)
        options = []
        with self._db.read() as tx:
            for train, a, b in self.catalog.trains_between(src.code, dst.code):
                if not train.runs_from(journey_date, a):
                    continue
                origin = train.origin_date(journey_date, a)
                if train.departure(origin, a) <= now:
                    continue
                codes = [c for c in CLASS_CODES if c in train.coaches]
                if class_code is not None:
                    codes = [c for c in codes if c == class_code]
                classes = []
                for code in codes:
                    cls = self.catalog.classes[code]
                    if cls.offers(quota):
                        classes.append(self._availability(tx, train, origin, cls, quota, a, b))
                if not classes:
                    continue
                options.append(
                    TrainOption(
                        number=train.number,
                        name=train.name,
                        source=src,
                        destination=dst,
                        departs=train.departure(origin, a),
                        arrives=train.arrival(origin, b),
                        distance_km=train.distance(a, b),
                        runs_on=tuple(train.runs_on_names()),
                        classes=tuple(classes),
                    )
                )
        return options

    def _availability(
        self,
        tx: Transaction,
        train: Train,
        origin: date,
        cls: TravelClass,
        quota: str,
        a: int,
        b: int,
    ) -> ClassAvailability:
        legs = range(a, b)
        seats = tx.seat_map(
            train.number, origin.isoformat(), cls.code, inventory.layout(train, cls)
        )
        free = inventory.confirmed_places(train, cls, quota).count_free(seats, legs)
        fare = fare_for(self.catalog, train, cls, quota, train.distance(a, b))
        if free:
            status = f"AVAILABLE {free}"
        else:
            queues = tx.queue_counts((train.number, origin.isoformat(), cls.code, quota))
            rac_free = inventory.rac_places(train, cls, quota).count_free(seats, legs)
            if rac_free:
                status = f"RAC {queues.rac_waiting + 1}"
            elif queues.waiting >= cls.waitlist_limits.get(quota, 0):
                status = "REGRET"
            else:
                status = f"{quota}WL {queues.last_wl + 1}/WL {queues.waiting + 1}"
        return ClassAvailability(cls.code, cls.name, quota, status, free, fare)

    # -- book ------------------------------------------------------------------------------------
    def book(self, agent: str, request: BookingRequest) -> BookingView:
        """Book in one write transaction: the reference, the seats, the numbers, the PNR.

        The checks that need no database run first, outside it; but a retry of a booking
        already made is answered before any of their failures: the lost answer of a Book sent
        before the train left is still that booking. A request refused by those checks looks
        for its reference in a read snapshot instead (it writes nothing either way).
        """
        now = self._clock.now()
        src = self.catalog.station(request.source)
        dst = self.catalog.station(request.destination)
        digest = _digest(request, src.code, dst.code)
        try:
            journey = self._journey(request, src, dst, now)
        except ReservationError:
            with self._db.read() as tx:
                existing = tx.booking_by_reference(agent, request.client_reference)
                if existing is not None:
                    return self._repeat(tx, existing, digest, request.client_reference)
            raise
        with self._db.write() as tx:
            # The class is locked first (PostgreSQL: its inventory row), so that a retry racing
            # the first attempt with the same reference finds it once it has the lock.
            train, cls = journey.train, journey.cls
            seats = tx.seat_map(
                train.number, journey.origin, cls.code, inventory.layout(train, cls)
            )
            existing = tx.booking_by_reference(agent, request.client_reference)
            if existing is not None:
                return self._repeat(tx, existing, digest, request.client_reference)
            return self._allocate(tx, agent, request, journey, seats, digest, now)

    def _journey(
        self, request: BookingRequest, src: Station, dst: Station, now: datetime
    ) -> _Journey:
        """Every check of a booking request that needs no database."""
        # The window is checked before any date arithmetic: a date far in the past or future
        # would otherwise overflow working out the train's origin date.
        check_window(self.catalog.rules, request.journey_date, now)
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
        if quota == "TQ":
            check_tatkal_open(self.catalog.rules, train, cls, origin, now)
        check_passengers(self.catalog.rules, request.passengers, cls, quota)
        fare = fare_for(self.catalog, train, cls, quota, train.distance(a, b))
        return _Journey(src, dst, train, cls, quota, a, b, origin.isoformat(), fare)

    def _allocate(
        self,
        tx: Transaction,
        agent: str,
        request: BookingRequest,
        journey: _Journey,
        seats: SeatMap,
        digest: str,
        now: datetime,
    ) -> BookingView:
        """Seat the passengers (CNF, RAC, waitlist) and write the booking; REGRET writes nothing."""
        train, cls, quota, a, b = journey.train, journey.cls, journey.quota, journey.a, journey.b
        origin = journey.origin
        legs = range(a, b)
        berths = inventory.confirmed_places(train, cls, quota)
        rac = inventory.rac_places(train, cls, quota)
        pool: Pool = (train.number, origin, cls.code, quota)
        queues: QueueCounts | None = None  # read only when someone is not confirmed
        limit = cls.waitlist_limits.get(quota, 0)
        seated: list[tuple[PassengerRow, inventory.Place | None, int]] = []
        unconfirmed = 0
        for number, pax in enumerate(request.passengers, start=1):
            row = PassengerRow(
                pnr="",  # the PNR is drawn once everyone is seated
                number=number,
                name=pax.name.strip(),
                age=pax.age,
                gender=pax.gender,
                berth_preference=pax.berth_preference,
                booking_status="",
                state=BookingState.WL,  # until a place (or none) is found below
                coach=None,
                berth=None,
                slot=None,
                berth_type=None,
                wl_no=None,
                queue_no=None,
                fare=to_paise(journey.fare.total),
                refund=None,
                cancelled_at=None,
                train=train.number,
                origin_date=origin,
                class_code=cls.code,
                quota=quota,
                from_index=a,
                to_index=b,
            )
            position = 0
            place = berths.find(seats, legs, _preference(row))
            if place is not None:
                row = _seated(row, place, BookingState.CNF)
                row = replace(row, booking_status=_status(row, 0))
            elif request.only_if_confirmed:
                unconfirmed += 1  # neither RAC nor waitlist for this request
                continue
            else:
                if queues is None:
                    queues = tx.queue_counts(pool)
                if place := rac.find(seats, legs):
                    queues.rac_waiting += 1
                    queues.last_rac += 1
                    position = queues.rac_waiting
                    row = replace(_seated(row, place, BookingState.RAC), queue_no=queues.last_rac)
                    row = replace(row, booking_status=f"RAC {position}")
                elif queues.waiting < limit:
                    queues.waiting += 1
                    queues.last_wl += 1
                    position = queues.waiting
                    number_ = queues.last_wl
                    row = replace(row, state=BookingState.WL, wl_no=number_, queue_no=number_)
                    row = replace(row, booking_status=f"{quota}WL {number_}")
                else:
                    raise WaitlistFull(
                        f"REGRET: the {quota} waitlist of {cls.code} on train {train.number}"
                        f" for {request.journey_date} is full ({limit} waiting)"
                    )
            if place is not None:
                inventory.hold(seats, place, legs)
            seated.append((row, place, position))

        if unconfirmed:
            raise NoConfirmedSeats(
                f"only {len(seated)} of {len(seated) + unconfirmed} passengers can be confirmed"
                f" in {cls.code} on train {train.number}; nothing was booked"
            )
        pnr = new_pnr(journey.source, tx.pnr_taken)
        fare = journey.fare
        booking = BookingRow(
            pnr=pnr,
            agent=agent,
            client_reference=request.client_reference,
            request_digest=digest,
            train=train.number,
            origin_date=origin,
            journey_date=request.journey_date.isoformat(),
            source=journey.source.code,
            destination=journey.destination.code,
            from_index=a,
            to_index=b,
            class_code=cls.code,
            quota=quota,
            booked_at=now.isoformat(),
            base_fare=to_paise(fare.base),
            reservation_charge=to_paise(fare.reservation),
            superfast_charge=to_paise(fare.superfast),
            tatkal_charge=to_paise(fare.tatkal),
            gst=to_paise(fare.gst),
        )
        tx.insert_booking(booking)
        rows = []
        for row, place, position in seated:
            row = replace(row, pnr=pnr)
            tx.insert_passenger(row)
            if place is not None:
                tx.occupy(row, place.key)
            rows.append((row, position))
        return self._view(tx, booking, rows)

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
        with self._db.read() as tx:
            return self._view(tx, self._owned(tx, agent, pnr))

    # -- cancel ----------------------------------------------------------------------------------
    def cancel(self, agent: str, pnr: str, numbers: list[int] | None = None) -> CancellationView:
        now = self._clock.now()
        with self._db.write() as tx:
            booking = self._owned(tx, agent, pnr)
            train = self.catalog.trains[booking.train]
            cls = self.catalog.classes[booking.class_code]
            # Lock the class and load its map before any passenger changes (the releases
            # below keep it in step; a cancellation that promoted into another PNR's row
            # locked by a second one waiting here would deadlock).
            layout = inventory.layout(train, cls)
            tx.seat_map(train.number, booking.origin_date, cls.code, layout)
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
            departs = train.departure(date.fromisoformat(booking.origin_date), booking.from_index)
            if departs <= now:
                raise CancellationClosed(
                    f"train {train.number} left {booking.source} at {departs:%Y-%m-%d %H:%M} IST;"
                    " file a TDR instead"
                )
            refund = charges = Decimal("0.00")
            for pax in selected:
                fare = from_paise(pax.fare)
                charge = cancellation_charge(
                    self.catalog, cls, booking.quota, pax.state, fare, departs, now
                )
                refund += fare - charge
                charges += charge
                tx.release(pax.pnr, pax.number)
                tx.update_passenger(
                    replace(
                        pax,
                        state=BookingState.CAN,
                        refund=to_paise(fare - charge),
                        cancelled_at=now.isoformat(),
                        coach=None,
                        berth=None,
                        slot=None,
                        berth_type=None,
                        queue_no=None,
                    )
                )
            pool: Pool = (train.number, booking.origin_date, cls.code, booking.quota)
            promotions = self._promote(tx, train, cls, pool)
            return CancellationView(
                booking=self._view(tx, booking),
                cancelled=tuple(p.number for p in selected),
                refund=refund,
                charges=charges,
                promotions=promotions,
            )

    def _promote(
        self, tx: Transaction, train: Train, cls: TravelClass, pool: Pool
    ) -> tuple[Promotion, ...]:
        """Move RAC passengers to free berths, then waitlisted ones to berths or RAC, in order."""
        _, origin, _, quota = pool
        taken = tx.seat_map(train.number, origin, cls.code, inventory.layout(train, cls))
        moved: list[tuple[PassengerRow, str]] = []
        berths = inventory.confirmed_places(train, cls, quota)
        for position, pax in enumerate(tx.queue(pool, BookingState.RAC), start=1):
            legs = range(pax.from_index, pax.to_index)
            place = inventory.find_place(berths, taken, legs, _preference(pax))
            if place is None:
                continue
            tx.release(pax.pnr, pax.number)  # the RAC half-berth, in the map too
            promoted = replace(_seated(pax, place, BookingState.CNF), queue_no=None)
            inventory.hold(taken, place, legs)
            tx.update_passenger(promoted)
            tx.occupy(promoted, place.key)
            moved.append((promoted, f"RAC {position}"))
        _, last_rac = tx.last_numbers(pool)
        rac = inventory.rac_places(train, cls, quota)
        for position, pax in enumerate(tx.queue(pool, BookingState.WL), start=1):
            legs = range(pax.from_index, pax.to_index)
            place = inventory.find_place(berths, taken, legs, _preference(pax))
            if place is not None:
                promoted = replace(_seated(pax, place, BookingState.CNF), queue_no=None)
            elif place := inventory.find_place(rac, taken, legs):
                last_rac += 1
                promoted = replace(_seated(pax, place, BookingState.RAC), queue_no=last_rac)
            else:
                continue
            inventory.hold(taken, place, legs)
            tx.update_passenger(promoted)
            tx.occupy(promoted, place.key)
            moved.append((promoted, f"{quota}WL {position}"))
        return tuple(Promotion(was, self._current(tx, row)) for row, was in moved)

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

    def _view(
        self,
        tx: Transaction,
        booking: BookingRow,
        fresh: list[tuple[PassengerRow, int]] | None = None,
    ) -> BookingView:
        """The booking as the caller sees it; ``fresh`` are rows just written, with their queue
        positions (so a new booking is answered without reading it back)."""
        train = self.catalog.trains[booking.train]
        if fresh is None:
            rows = [(p, self._current(tx, p)) for p in tx.passengers(booking.pnr)]
        else:
            rows = [(p, _status(p, position)) for p, position in fresh]
        origin = date.fromisoformat(booking.origin_date)
        departs = train.departure(origin, booking.from_index)
        fare = Fare(
            from_paise(booking.base_fare),
            from_paise(booking.reservation_charge),
            from_paise(booking.superfast_charge),
            from_paise(booking.tatkal_charge),
            from_paise(booking.gst),
        )
        passengers = tuple(
            PassengerStatus(
                number=p.number,
                name=p.name,
                age=p.age,
                gender=p.gender,
                booking_status=p.booking_status,
                current_status=current,
                coach=p.coach,
                berth=p.berth,
                berth_type=p.berth_type,
                fare=from_paise(p.fare),
                refund=None if p.refund is None else from_paise(p.refund),
            )
            for p, current in rows
        )
        charted = self._clock.now() >= departs - timedelta(hours=4)
        return BookingView(
            pnr=booking.pnr,
            client_reference=booking.client_reference,
            agent=booking.agent,
            train=train.number,
            train_name=train.name,
            source=self.catalog.stations[booking.source],
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
        )


@dataclass(frozen=True)
class _Journey:
    """A booking request checked against the timetable and the rules."""

    source: Station
    destination: Station
    train: Train
    cls: TravelClass
    quota: str
    a: int
    b: int
    origin: str  # the date the train leaves its origin, ISO
    fare: Fare


def _preference(pax: PassengerRow) -> str | None:
    """The berth type to look for first: the one asked for, else a lower berth for seniors."""
    if pax.berth_preference is None and pax.age >= SENIOR_AGE.get(pax.gender, 60):
        return "LB"
    return pax.berth_preference


def _seated(row: PassengerRow, place: inventory.Place, state: BookingState) -> PassengerRow:
    return replace(
        row,
        state=state,
        coach=place.coach,
        berth=place.berth,
        slot=place.slot,
        berth_type=place.berth_type,
    )


def _status(pax: PassengerRow, position: int) -> str:
    if pax.state == BookingState.CNF:
        return f"CNF/{pax.coach}/{pax.berth}"
    if pax.state == BookingState.RAC:
        return f"RAC {position}"
    if pax.state == BookingState.WL:
        return f"{pax.quota}WL {position}"
    return "CAN"


def _digest(request: BookingRequest, source: str, destination: str) -> str:
    """A fingerprint of what a booking asks for, to recognise a retry of the same request.

    The JSON is what ``dataclasses.asdict`` gave (digests stored by earlier versions still
    match), built field by field: ``asdict`` deep-copies, which cost more than the rest."""
    body: dict[str, object] = {f.name: getattr(request, f.name) for f in fields(request)}
    body.update(source=source, destination=destination, client_reference="")
    body["journey_date"] = request.journey_date.isoformat()
    body["passengers"] = [
        {f.name: getattr(p, f.name) for f in fields(p)} for p in request.passengers
    ]
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
