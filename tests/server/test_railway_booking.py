"""The reservation core's booking office, called through ``Railway``: search, book, allocation
(CNF -> RAC -> WL -> REGRET), segments of a route, idempotent retries, cancellation with refunds
and promotion of the RAC and waiting lists.

Capacities, fares and charges are derived from the seed data and the rules in the code's data
files (``inventory``, ``classes.toml``), never typed in as numbers.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import pytest

from soap_server.railway import inventory, queues
from soap_server.railway.booking import (
    BookingView,
    PassengerRequest,
    PassengerStatus,
    Promotion,
)
from soap_server.railway.catalog import CLASS_CODES, PREMIUM_CATEGORIES, Train, TravelClass
from soap_server.railway.clock import IST, FixedClock
from soap_server.railway.errors import (
    AlreadyCancelled,
    CancellationClosed,
    DuplicateReference,
    InvalidPassengerSelection,
    NoConfirmedSeats,
    PnrNotFound,
    WaitlistFull,
)
from soap_server.railway.fares import Fare
from soap_server.railway.pnr import ZONES
from soap_server.railway.system import Railway
from tests.backends import BOTH_BACKENDS
from tests.conftest import JOURNEY, NOW, login_token
from tests.support import (
    LETTERS,
    all_occupancy,
    all_passengers,
    counts,
    database_of,
    fill,
    people,
    request,
)

pytestmark = BOTH_BACKENDS


# -- helpers -------------------------------------------------------------------------------------
def train_class(railway: Railway, train: str, cls: str) -> tuple[Train, TravelClass]:
    return railway.catalog.trains[train], railway.catalog.classes[cls]


def era_lb(railway: Railway, train: Train, cls: TravelClass) -> int | None:
    """The lower berths per coach the era earmarks for seniors and women of 45+ in the class."""
    return queues.lower_berths(railway.rules_in_force(), train, cls)


def gn_berths(railway: Railway, train: str = "12952", cls: str = "2A") -> int:
    t, c = train_class(railway, train, cls)
    return len(inventory.confirmed_places(t, c, "GN", era_lb(railway, t, c)))


def rac_seats(railway: Railway, train: str = "12952", cls: str = "2A") -> int:
    t, c = train_class(railway, train, cls)
    return len(inventory.rac_places(t, c, "GN", era_lb(railway, t, c)))


def whole_rupees(amount: Decimal) -> Decimal:
    return amount.to_integral_value(ROUND_HALF_UP)


def expected_fare(railway: Railway, train: Train, cls: TravelClass, quota: str, km: int) -> Fare:
    """The fare rule as written in classes.toml: base by distance, fixed charges, Tatkal, GST."""
    factor = railway.catalog.premium_factor.get(train.category, Decimal(1))
    raw = Decimal(max(km, cls.min_km)) * cls.per_km * factor
    base = (raw / 5).to_integral_value(ROUND_CEILING) * 5  # rounded up to the next 5 rupees
    superfast_train = train.number[:2] in ("12", "22") or train.category in PREMIUM_CATEGORIES
    superfast = cls.superfast_charge if superfast_train else Decimal(0)
    tatkal = Decimal(0)
    if quota == "TQ":
        tatkal = whole_rupees(
            min(max(base * cls.tatkal_share_of_base, cls.tatkal_min), cls.tatkal_max)
        )
    subtotal = base + cls.reservation_charge + superfast + tatkal
    gst = whole_rupees(subtotal * railway.catalog.rules.gst_rate) if cls.ac else Decimal(0)
    return Fare(base, cls.reservation_charge, superfast, tatkal, gst)


def boarding(railway: Railway, station: str, train: str = "12952") -> date:
    """The date a passenger boards at ``station`` on the run that leaves its origin on JOURNEY."""
    t = railway.catalog.trains[train]
    index = t.stop_index(station)
    assert index is not None
    return JOURNEY + timedelta(days=t.stops[index].day - 1)


def relogin(railway: Railway, clock: FixedClock, at: datetime, agent: str = "MMT") -> str:
    clock.set(at)
    return login_token(railway, agent)


def status_of(view: BookingView) -> list[str]:
    return [p.current_status for p in view.passengers]


# -- search (on ``shared_core``: these tests only read) --------------------------------------------
def test_search_finds_the_mumbai_rajdhani(shared_core: tuple[Railway, str]) -> None:
    railway, token = shared_core
    options = railway.search(token, "NDLS", "MMCT", JOURNEY)
    by_number = {o.number: o for o in options}
    assert "12952" in by_number
    option = by_number["12952"]
    train = railway.catalog.trains["12952"]
    assert option.name == train.name
    assert (option.source.code, option.destination.code) == ("NDLS", "MMCT")
    assert option.departs == train.departure(JOURNEY, 0)
    assert option.arrives == train.arrival(JOURNEY, len(train.stops) - 1)
    assert option.distance_km == train.stops[-1].km - train.stops[0].km
    assert option.duration == option.arrives - option.departs
    expected_classes = [c for c in CLASS_CODES if c in train.coaches]
    assert [c.class_code for c in option.classes] == expected_classes
    for availability in option.classes:
        free = gn_berths(railway, "12952", availability.class_code)
        assert availability.quota == "GN"
        assert availability.available == free
        assert availability.status == f"AVAILABLE {free}"
    # every listed train stops at both stations in that order and leaves on the journey date
    for o in options:
        t = railway.catalog.trains[o.number]
        a, b = t.stop_index("NDLS"), t.stop_index("MMCT")
        assert a is not None and b is not None and a < b
        assert o.departs.date() == JOURNEY


@pytest.mark.parametrize(
    ("source", "destination", "train"),
    [
        pytest.param("NDLS", "BCT", "12952", id="to-BCT"),
        pytest.param("BCT", "NDLS", "12951", id="from-BCT"),
        pytest.param("ndls", "bct", "12952", id="lower-case"),
    ],
)
def test_search_accepts_bct_and_answers_mmct(
    shared_core: tuple[Railway, str], source: str, destination: str, train: str
) -> None:
    railway, token = shared_core
    options = railway.search(token, source, destination, JOURNEY)
    assert train in [o.number for o in options]
    for o in options:
        assert "BCT" not in (o.source.code, o.destination.code)
        assert "MMCT" in (o.source.code, o.destination.code)


def test_search_leaves_out_trains_not_running_that_day(shared_core: tuple[Railway, str]) -> None:
    railway, token = shared_core
    duronto = railway.catalog.trains["22210"]  # New Delhi -> Mumbai, not daily
    assert duronto.stops[0].station == "NDLS" and duronto.stops[-1].station == "MMCT"
    assert JOURNEY.weekday() not in duronto.runs_on
    running_day = next(
        JOURNEY - timedelta(days=d)
        for d in range(1, 8)
        if (JOURNEY - timedelta(days=d)).weekday() in duronto.runs_on
    )
    assert "22210" not in [o.number for o in railway.search(token, "NDLS", "MMCT", JOURNEY)]
    on_its_day = railway.search(token, "NDLS", "MMCT", running_day)
    assert "22210" in [o.number for o in on_its_day]
    option = next(o for o in on_its_day if o.number == "22210")
    assert option.runs_on == tuple(duronto.runs_on_names())


def test_search_class_filter(shared_core: tuple[Railway, str]) -> None:
    railway, token = shared_core
    first = railway.search(token, "NDLS", "MMCT", JOURNEY, class_code="1A")
    assert first, "some train NDLS->MMCT has 1A"
    for option in first:
        assert [c.class_code for c in option.classes] == ["1A"]
    sleeper = railway.search(token, "NDLS", "MMCT", JOURNEY, class_code="SL")
    numbers = [o.number for o in sleeper]
    assert "12952" not in numbers  # a Rajdhani has no sleeper coaches
    assert numbers == [
        o.number
        for o in railway.search(token, "NDLS", "MMCT", JOURNEY)
        if "SL" in railway.catalog.trains[o.number].coaches
    ]
    assert all([c.class_code for c in o.classes] == ["SL"] for o in sleeper)


def test_search_tatkal_quota_shows_tatkal_berths(shared_core: tuple[Railway, str]) -> None:
    railway, token = shared_core
    options = railway.search(token, "NDLS", "MMCT", JOURNEY, quota="TQ")
    option = next(o for o in options if o.number == "12952")
    train = railway.catalog.trains["12952"]
    offered = [
        c for c in CLASS_CODES if c in train.coaches and railway.catalog.classes[c].offers("TQ")
    ]
    assert "1A" not in offered  # first class has no Tatkal share
    assert [c.class_code for c in option.classes] == offered
    for availability in option.classes:
        tq = len(
            inventory.confirmed_places(
                train,
                railway.catalog.classes[availability.class_code],
                "TQ",
                era_lb(railway, train, railway.catalog.classes[availability.class_code]),
            )
        )
        assert tq > 0
        assert availability.quota == "TQ"
        assert availability.available == tq
        assert availability.status == f"AVAILABLE {tq}"
        assert availability.fare.tatkal > 0


@pytest.mark.parametrize(
    ("source", "destination", "quota"),
    [
        pytest.param("NDLS", "MMCT", "GN", id="NDLS-MMCT-GN"),
        pytest.param("NDLS", "MMCT", "TQ", id="NDLS-MMCT-TQ"),
        pytest.param("NDLS", "KOTA", "GN", id="NDLS-KOTA-GN"),
        pytest.param("NDLS", "KOTA", "TQ", id="NDLS-KOTA-TQ"),
        pytest.param("NZM", "KOTA", "TQ", id="NZM-KOTA-TQ-chair-cars"),
        pytest.param("NZM", "MTJ", "GN", id="NZM-MTJ-short"),
    ],
)
def test_fare_components(
    shared_core: tuple[Railway, str], source: str, destination: str, quota: str
) -> None:
    railway, token = shared_core
    options = railway.search(token, source, destination, JOURNEY, quota=quota)
    assert options
    seen_ac = seen_non_ac = False
    for option in options:
        train = railway.catalog.trains[option.number]
        assert train.superfast  # every seed train is numbered 12xxx/20xxx/22xxx
        for availability in option.classes:
            cls = railway.catalog.classes[availability.class_code]
            fare = availability.fare
            assert fare == expected_fare(railway, train, cls, quota, option.distance_km)
            assert fare.total == (
                fare.base + fare.reservation + fare.superfast + fare.tatkal + fare.gst
            )
            if train.number[:2] in ("12", "22"):
                assert fare.superfast == cls.superfast_charge > 0
            if cls.ac:
                seen_ac = True
                subtotal = fare.base + fare.reservation + fare.superfast + fare.tatkal
                assert fare.gst == whole_rupees(subtotal * Decimal("0.05")) > 0
            else:
                seen_non_ac = True
                assert fare.gst == 0
            if quota == "TQ":
                assert cls.tatkal_min <= fare.tatkal <= cls.tatkal_max
            else:
                assert fare.tatkal == 0
    assert seen_ac
    if (source, destination) == ("NDLS", "MMCT"):
        assert seen_non_ac  # 12904 carries sleeper coaches


def test_sleeper_has_no_gst_and_ac_has_five_percent(shared_core: tuple[Railway, str]) -> None:
    railway, token = shared_core
    options = railway.search(token, "NDLS", "MMCT", JOURNEY)
    mail = next(o for o in options if o.number == "12904")
    by_class = {c.class_code: c.fare for c in mail.classes}
    assert by_class["SL"].gst == 0
    for code in ("1A", "2A", "3A"):
        fare = by_class[code]
        subtotal = fare.total - fare.gst
        assert fare.gst == whole_rupees(subtotal / 20)


# -- booking and allocation ----------------------------------------------------------------------
def test_book_returns_a_confirmed_view_and_pnr_status_agrees(railway: Railway) -> None:
    token = login_token(railway)
    view = railway.book(token, request(passengers=people(2), reference="mmt-0001"))
    assert re.fullmatch(r"\d{10}", view.pnr)
    assert view.pnr[0] == ZONES[railway.catalog.stations["NDLS"].state]
    assert view.client_reference == "mmt-0001"
    assert view.agent == "MMT"
    assert (view.train, view.class_code, view.quota) == ("12952", "2A", "GN")
    assert (view.source.code, view.destination.code) == ("NDLS", "MMCT")
    assert view.booked_at == NOW
    assert view.chart_status == "CHART NOT PREPARED"
    train, cls = train_class(railway, "12952", "2A")
    assert view.fare == expected_fare(railway, train, cls, "GN", train.distance(0, 6))
    assert view.total_fare == 2 * view.fare.total
    assert view.total_refund == 0
    berths = set()
    for p in view.passengers:
        assert p.current_status == p.booking_status == f"CNF/{p.coach}/{p.berth}"
        assert p.fare == view.fare.total
        assert p.refund is None
        berths.add((p.coach, p.berth))
    assert len(berths) == 2
    assert railway.pnr_status(token, view.pnr) == view


def test_pnrs_are_unique_and_not_sequential(railway: Railway) -> None:
    token = login_token(railway)
    pnrs = [railway.book(token, request()).pnr for _ in range(5)]
    assert len(set(pnrs)) == 5
    numbers = sorted(int(p) for p in pnrs)
    assert any(b - a != 1 for a, b in itertools.pairwise(numbers))


def test_berth_preference_is_honoured_when_free(railway: Railway) -> None:
    token = login_token(railway)
    prefs = ("LB", "UB", "SL", "SU", "UB", "LB")
    passengers = tuple(
        PassengerRequest(f"Traveller {LETTERS[i]}", 30, "M", pref) for i, pref in enumerate(prefs)
    )
    view = railway.book(token, request(passengers=passengers))
    assert [p.berth_type for p in view.passengers] == list(prefs)
    assert all(p.current_status.startswith("CNF/") for p in view.passengers)
    _, cls = train_class(railway, "12952", "2A")
    for p in view.passengers:
        assert p.berth is not None and cls.berth_type(p.berth) == p.berth_type


@pytest.mark.parametrize(
    ("age", "gender", "senior"),
    [
        pytest.param(60, "M", True, id="man-60"),
        pytest.param(59, "M", False, id="man-59"),
        pytest.param(58, "F", True, id="woman-58"),
        pytest.param(45, "F", True, id="woman-45"),
        pytest.param(44, "F", False, id="woman-44"),
        pytest.param(85, "M", True, id="man-85"),
    ],
)
def test_seniors_and_women_of_45_get_a_lower_berth_without_asking(
    railway: Railway, age: int, gender: str, senior: bool
) -> None:
    token = login_token(railway)
    train, cls = train_class(railway, "12952", "2A")
    first = inventory.confirmed_places(train, cls, "GN", era_lb(railway, train, cls))[0]
    assert first.berth_type != "LB"  # so that the default allocation would not give LB anyway
    view = railway.book(token, request(passengers=people(1, age=age, gender=gender)))
    (p,) = view.passengers
    if senior:
        assert p.berth_type == "LB"
    else:
        assert (p.coach, p.berth, p.berth_type) == (first.coach, first.berth, first.berth_type)


def test_gn_then_rac_then_waitlist_then_regret(railway: Railway) -> None:
    token = login_token(railway)
    train, cls = train_class(railway, "12952", "2A")
    gn, rac, limit = gn_berths(railway), rac_seats(railway), cls.waitlist_limits["GN"]
    assert rac > 0

    confirmed = fill(railway, token, gn)
    assert all(p.booking_status.startswith("CNF/") for _, p in confirmed)
    assert len({(p.coach, p.berth) for _, p in confirmed}) == gn
    gn_keys = {
        (pl.coach, pl.berth)
        for pl in inventory.confirmed_places(train, cls, "GN", era_lb(railway, train, cls))
    }
    assert {(p.coach, p.berth) for _, p in confirmed} == gn_keys
    (option,) = [
        o for o in railway.search(token, "NDLS", "MMCT", JOURNEY, "2A") if o.number == "12952"
    ]
    assert option.classes[0].status == "RAC 1"
    assert option.classes[0].available == 0

    in_rac = fill(railway, token, rac)
    assert [p.booking_status for _, p in in_rac] == [f"RAC {n}" for n in range(1, rac + 1)]
    assert [p.current_status for _, p in in_rac] == [f"RAC {n}" for n in range(1, rac + 1)]
    rac_keys = {
        (pl.coach, pl.berth)
        for pl in inventory.rac_places(train, cls, "GN", era_lb(railway, train, cls))
    }
    assert {(p.coach, p.berth) for _, p in in_rac} == rac_keys
    assert all(p.berth_type == "SL" for _, p in in_rac)  # two RAC passengers share a side lower
    (option,) = [
        o for o in railway.search(token, "NDLS", "MMCT", JOURNEY, "2A") if o.number == "12952"
    ]
    assert option.classes[0].status == "GNWL 1/WL 1"

    waiting = fill(railway, token, limit)
    assert [p.booking_status for _, p in waiting] == [f"GNWL {n}" for n in range(1, limit + 1)]
    assert all(p.coach is None and p.berth is None for _, p in waiting)
    (option,) = [
        o for o in railway.search(token, "NDLS", "MMCT", JOURNEY, "2A") if o.number == "12952"
    ]
    assert option.classes[0].status == "REGRET"

    before = counts(railway)
    with pytest.raises(WaitlistFull) as caught:
        railway.book(token, request())
    assert caught.value.code == "WaitlistFull"
    assert counts(railway) == before


def test_first_class_has_no_rac_and_goes_straight_to_waitlist(railway: Railway) -> None:
    token = login_token(railway)
    train, cls = train_class(railway, "12952", "1A")
    assert cls.rac_berths_per_coach == 0
    assert len(inventory.rac_places(train, cls, "GN", era_lb(railway, train, cls))) == 0
    gn, limit = gn_berths(railway, cls="1A"), cls.waitlist_limits["GN"]
    booked = fill(railway, token, gn + limit, cls="1A")
    statuses = [p.booking_status for _, p in booked]
    assert all(s.startswith("CNF/H") for s in statuses[:gn])
    assert statuses[gn:] == [f"GNWL {n}" for n in range(1, limit + 1)]
    with pytest.raises(WaitlistFull):
        railway.book(token, request(cls="1A"))


def test_waitlist_full_rejects_the_whole_booking(railway: Railway) -> None:
    token = login_token(railway)
    cls = railway.catalog.classes["1A"]
    gn, limit = gn_berths(railway, cls="1A"), cls.waitlist_limits["GN"]
    fill(railway, token, gn + limit - 2, cls="1A")
    before = counts(railway)
    with pytest.raises(WaitlistFull):
        railway.book(token, request(cls="1A", passengers=people(3)))
    assert counts(railway) == before
    view = railway.book(token, request(cls="1A", passengers=people(2)))
    assert [p.booking_status for p in view.passengers] == [f"GNWL {limit - 1}", f"GNWL {limit}"]


def test_only_if_confirmed_books_nothing_unless_all_confirm(railway: Railway) -> None:
    token = login_token(railway)
    gn = gn_berths(railway, cls="1A")
    fill(railway, token, gn - 2, cls="1A")
    before = counts(railway)
    with pytest.raises(NoConfirmedSeats) as caught:
        railway.book(token, request(cls="1A", passengers=people(3), only_if_confirmed=True))
    assert caught.value.code == "NoConfirmedSeats"
    assert counts(railway) == before
    view = railway.book(token, request(cls="1A", passengers=people(2), only_if_confirmed=True))
    assert all(p.booking_status.startswith("CNF/") for p in view.passengers)
    before = counts(railway)
    with pytest.raises(NoConfirmedSeats):
        railway.book(token, request(cls="1A", only_if_confirmed=True))
    assert counts(railway) == before
    # without the flag the same request is waitlisted
    view = railway.book(token, request(cls="1A"))
    assert [p.booking_status for p in view.passengers] == ["GNWL 1"]


def test_mixed_booking_spills_from_cnf_to_rac_to_waitlist(railway: Railway) -> None:
    token = login_token(railway)
    gn, rac = gn_berths(railway), rac_seats(railway)
    fill(railway, token, gn - 2)
    # two berths left: the next booking of six gets 2 CNF and 4 RAC
    view = railway.book(token, request(passengers=people(6)))
    statuses = [p.booking_status for p in view.passengers]
    assert all(s.startswith("CNF/") for s in statuses[:2])
    assert statuses[2:] == ["RAC 1", "RAC 2", "RAC 3", "RAC 4"]
    fill(railway, token, rac - 6)
    view = railway.book(token, request(passengers=people(4)))
    assert [p.booking_status for p in view.passengers] == [
        f"RAC {rac - 1}",
        f"RAC {rac}",
        "GNWL 1",
        "GNWL 2",
    ]


# -- segments ------------------------------------------------------------------------------------
def test_a_berth_is_sold_again_after_the_passenger_gets_off(railway: Railway) -> None:
    token = login_token(railway)
    first = railway.book(token, request(cls="1A", destination="KOTA")).passengers[0]
    onward = railway.book(token, request(cls="1A", source="KOTA")).passengers[0]
    assert first.current_status.startswith("CNF/") and onward.current_status.startswith("CNF/")
    assert (onward.coach, onward.berth) == (first.coach, first.berth)
    overlapping = railway.book(token, request(cls="1A", source="NDLS", destination="RTM"))
    p = overlapping.passengers[0]
    assert p.current_status.startswith("CNF/")
    assert (p.coach, p.berth) != (first.coach, first.berth)

    gn = gn_berths(railway, cls="1A")

    def available(source: str, destination: str) -> int:
        options = railway.search(token, source, destination, boarding(railway, source), "1A")
        return next(o for o in options if o.number == "12952").classes[0].available

    assert available("NDLS", "KOTA") == gn - 2  # first and overlapping
    assert available("KOTA", "MMCT") == gn - 2  # onward and overlapping
    assert available("RTM", "MMCT") == gn - 1  # only onward rides beyond RTM
    assert available("NDLS", "MMCT") == gn - 2


def test_each_berth_is_sold_only_for_disjoint_stretches(railway: Railway) -> None:
    token = login_token(railway)
    gn = gn_berths(railway, cls="1A")
    # every GN berth goes to NDLS->KOTA riders, then again to KOTA->MMCT riders
    north = fill(railway, token, gn, cls="1A", destination="KOTA")
    south = fill(railway, token, gn, cls="1A", source="KOTA")
    assert all(p.booking_status.startswith("CNF/") for _, p in north + south)
    assert {(p.coach, p.berth) for _, p in north} == {(p.coach, p.berth) for _, p in south}
    # a whole-route or overlapping rider finds no berth left
    for source, destination in (("NDLS", "MMCT"), ("KOTA", "RTM"), ("BRC", "ST")):
        view = railway.book(
            token,
            request(
                cls="1A",
                source=source,
                destination=destination,
                journey=boarding(railway, source),
            ),
        )
        # boarding at the origin waits in GNWL, at KOTA or BRC in their remote-location pools
        pool = "GN" if source == "NDLS" else "RL"
        assert view.passengers[0].current_status.startswith(f"{pool}WL")
    riders = [p for p in all_passengers(database_of(railway)) if p.state == "CNF"]
    by_place: dict[tuple[str | None, int | None], list[range]] = {}
    for p in riders:
        by_place.setdefault((p.coach, p.berth), []).append(range(p.from_index, p.to_index))
    assert any(len(legs) > 1 for legs in by_place.values())
    for legs in by_place.values():
        for one, two in itertools.combinations(legs, 2):
            assert set(one).isdisjoint(two)


# -- idempotency ---------------------------------------------------------------------------------
def test_same_reference_same_request_returns_the_same_pnr(railway: Railway) -> None:
    token = login_token(railway)
    req = request(passengers=people(3), reference="retry-1")
    first = railway.book(token, req)
    before = counts(railway)
    again = railway.book(token, req)
    assert again.pnr == first.pnr
    assert again == first
    assert counts(railway) == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param({"destination": "MMCT"}, {"destination": "BCT"}, id="MMCT-then-BCT"),
        pytest.param({"destination": "BCT"}, {"destination": "MMCT"}, id="BCT-then-MMCT"),
        pytest.param({"source": "NDLS"}, {"source": "ndls"}, id="case-of-code"),
    ],
)
def test_station_aliases_are_the_same_request(
    railway: Railway, first: dict[str, str], second: dict[str, str]
) -> None:
    token = login_token(railway)
    view = railway.book(token, request(reference="alias-1", **first))  # type: ignore[arg-type]
    before = counts(railway)
    again = railway.book(token, request(reference="alias-1", **second))  # type: ignore[arg-type]
    assert again.pnr == view.pnr
    assert counts(railway) == before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"cls": "3A"}, id="class"),
        pytest.param({"destination": "KOTA"}, id="destination"),
        pytest.param({"journey": JOURNEY + timedelta(days=1)}, id="date"),
        pytest.param({"passengers": people(2)}, id="passengers"),
        pytest.param({"passengers": people(1, age=31)}, id="age"),
        pytest.param({"only_if_confirmed": True}, id="only-if-confirmed"),
    ],
)
def test_same_reference_different_request_is_refused(
    railway: Railway, change: dict[str, object]
) -> None:
    token = login_token(railway)
    railway.book(token, request(reference="dup-1"))
    before = counts(railway)
    with pytest.raises(DuplicateReference) as caught:
        railway.book(token, request(reference="dup-1", **change))  # type: ignore[arg-type]
    assert caught.value.code == "DuplicateReference"
    assert counts(railway) == before


def test_references_belong_to_one_agent(railway: Railway) -> None:
    mine = railway.book(login_token(railway, "MMT"), request(reference="shared-ref"))
    theirs = railway.book(login_token(railway, "PAYTM"), request(reference="shared-ref"))
    assert theirs.pnr != mine.pnr
    assert (mine.agent, theirs.agent) == ("MMT", "PAYTM")


# -- cancellation: refunds -----------------------------------------------------------------------
def expected_kept(railway: Railway, rule: str, fare: Fare, cls: TravelClass) -> Decimal:
    """What the rules of the day keep of one passenger's fare: the charge and its GST."""
    rules = railway.rules_in_force()
    flat = rules.cancellation.flat[cls.code]
    base = fare.total - fare.gst  # the charge is worked out on the fare without its tax
    charge = {
        "flat": flat,
        "quarter": max(flat, whole_rupees(base / 4)),
        "half": max(flat, whole_rupees(base / 2)),
    }[rule]
    tax = (charge * rules.cancellation_tax.rate).quantize(Decimal("0.01")) if cls.ac else 0
    return min(charge, base) + tax


@pytest.mark.parametrize(
    ("before", "rule"),
    [
        pytest.param(timedelta(days=10), "flat", id="10d-flat"),
        pytest.param(timedelta(hours=48, minutes=1), "flat", id="48h01-flat"),
        pytest.param(timedelta(hours=47, minutes=59), "quarter", id="47h59-25pct"),
        pytest.param(timedelta(hours=24), "quarter", id="24h-25pct"),
        pytest.param(timedelta(hours=12, minutes=1), "quarter", id="12h01-25pct"),
        pytest.param(timedelta(hours=11, minutes=59), "half", id="11h59-50pct"),
        pytest.param(timedelta(hours=8, minutes=1), "half", id="8h01-50pct"),
        # the chart is prepared 8 hours before: a confirmed e-ticket is closed (a TDR instead)
        pytest.param(timedelta(hours=7, minutes=59), "chart", id="7h59-chart"),
        pytest.param(timedelta(hours=3, minutes=59), "chart", id="3h59-chart"),
        pytest.param(timedelta(minutes=1), "chart", id="1min-chart"),
    ],
)
def test_refund_of_a_confirmed_ticket_by_time_left(
    railway: Railway, clock: FixedClock, before: timedelta, rule: str
) -> None:
    token = login_token(railway)
    view = railway.book(token, request(passengers=people(2)))
    cls = railway.catalog.classes["2A"]
    fare = view.fare.total
    flat = railway.rules_in_force().cancellation.flat["2A"]
    assert fare / 4 > flat  # so that 25% and 50% differ from the flat charge
    token = relogin(railway, clock, view.departs - before)
    if rule == "chart":
        with pytest.raises(CancellationClosed, match="chart is prepared"):
            railway.cancel(token, view.pnr, None)
        status = railway.pnr_status(token, view.pnr)
        assert status.chart_status == "CHART PREPARED"
        assert all(p.current_status.startswith("CNF/") for p in status.passengers)
        return
    result = railway.cancel(token, view.pnr, None)
    kept = expected_kept(railway, rule, view.fare, cls)
    assert result.cancelled == (1, 2)
    assert result.charges == 2 * kept
    assert result.refund == 2 * (fare - kept)
    assert result.booking.total_refund == result.refund
    for p in result.booking.passengers:
        assert p.current_status == "CAN"
        assert p.refund == fare - kept
        assert p.booking_status.startswith("CNF/")  # the status at booking is kept


def test_cancellation_charge_is_at_least_the_flat_charge(
    railway: Railway, clock: FixedClock
) -> None:
    token = login_token(railway)
    # a short 3A hop is charged the minimum distance: a cheap ticket
    view = railway.book(
        token, request(cls="3A", source="BVI", destination="MMCT", journey=boarding(railway, "BVI"))
    )
    cls = railway.catalog.classes["3A"]
    flat = railway.rules_in_force().cancellation.flat["3A"]
    base = view.fare.total - view.fare.gst
    assert whole_rupees(base / 4) < flat < base
    token = relogin(railway, clock, view.departs - timedelta(hours=24))
    result = railway.cancel(token, view.pnr, [1])
    assert result.charges == expected_kept(railway, "quarter", view.fare, cls)
    assert result.charges == flat + flat * railway.rules_in_force().cancellation_tax.rate
    assert result.refund == view.fare.total - result.charges


def test_tatkal_confirmed_ticket_gets_no_refund(railway: Railway, clock: FixedClock) -> None:
    rules = railway.rules_in_force()
    opens = datetime.combine(JOURNEY - timedelta(days=1), rules.tatkal.ac_opens, IST)
    token = relogin(railway, clock, opens + rules.agents.tatkal_opening)
    view = railway.book(token, request(quota="TQ", passengers=people(2)))
    train, cls = train_class(railway, "12952", "2A")
    tq = {
        (pl.coach, pl.berth)
        for pl in inventory.confirmed_places(train, cls, "TQ", era_lb(railway, train, cls))
    }
    for p in view.passengers:
        assert p.current_status.startswith("CNF/")
        assert (p.coach, p.berth) in tq
    assert view.fare.tatkal > 0
    clock.advance(timedelta(minutes=5))
    result = railway.cancel(token, view.pnr, [1])
    assert result.refund == 0
    assert result.charges == view.fare.total
    assert result.booking.passengers[0].refund == 0
    assert result.booking.passengers[1].current_status.startswith("CNF/")


def test_waitlisted_ticket_pays_only_clerkage_and_the_rest_is_refunded_at_the_chart(
    railway: Railway, clock: FixedClock
) -> None:
    token = login_token(railway)
    train, cls = train_class(railway, "12952", "1A")
    fill(railway, token, gn_berths(railway, cls="1A"), cls="1A")
    # the berths of the other quotas are released at the chart: waitlisted ahead of us take them
    released = len(inventory.all_berths(train, cls, era_lb(railway, train, cls))) - gn_berths(
        railway, cls="1A"
    )
    assert released > 0
    ahead = [railway.book(token, request(cls="1A")) for _ in range(released)]
    view = railway.book(token, request(cls="1A", passengers=people(2)))
    assert status_of(view) == [f"GNWL {released + 1}", f"GNWL {released + 2}"]
    rules = railway.rules_in_force()
    clerkage = rules.cancellation.rac_wl_clerkage
    kept = clerkage + clerkage * rules.cancellation_tax.rate  # GST on the clerkage of an AC class
    # before the chart: a confirmed ticket would lose half, a waitlisted one only the clerkage
    token = relogin(railway, clock, view.departs - timedelta(hours=9))
    result = railway.cancel(token, view.pnr, [1])
    assert result.charges == kept
    assert result.refund == view.fare.total - kept
    assert status_of(result.booking) == ["CAN", f"GNWL {released + 1}"]
    assert result.promotions == ()
    # at the chart the waitlist ahead is confirmed on the released berths, and the still fully
    # waitlisted e-ticket is cancelled and refunded by itself
    token = relogin(railway, clock, view.departs - timedelta(hours=8))
    status = railway.pnr_status(token, view.pnr)
    assert status.chart_status == "CHART PREPARED"
    assert status_of(status) == ["CAN", "CAN"]
    for booking in ahead:
        assert (
            railway.pnr_status(token, booking.pnr).passengers[0].current_status.startswith("CNF/")
        )
    assert status.passengers[1].refund == view.fare.total - kept
    with pytest.raises(AlreadyCancelled):
        railway.cancel(token, view.pnr, [2])


def test_cancellation_is_closed_once_the_train_has_left(
    railway: Railway, clock: FixedClock
) -> None:
    token = login_token(railway)
    view = railway.book(token, request())
    for moment in (view.departs, view.departs + timedelta(minutes=1)):
        token = relogin(railway, clock, moment)
        with pytest.raises(CancellationClosed) as caught:
            railway.cancel(token, view.pnr, None)
        assert caught.value.code == "CancellationClosed"
    assert railway.pnr_status(token, view.pnr).passengers[0].current_status.startswith("CNF/")


def test_cancelling_frees_the_berth(railway: Railway) -> None:
    token = login_token(railway)
    gn = gn_berths(railway, cls="1A")

    def available() -> int:
        options = railway.search(token, "NDLS", "MMCT", JOURNEY, "1A")
        return next(o for o in options if o.number == "12952").classes[0].available

    view = railway.book(token, request(cls="1A", passengers=people(3)))
    assert available() == gn - 3
    result = railway.cancel(token, view.pnr, [2])
    assert result.cancelled == (2,)
    assert available() == gn - 2
    assert [p.current_status == "CAN" for p in result.booking.passengers] == [False, True, False]
    assert {(o[7], o[8]) for o in all_occupancy(database_of(railway))} == {
        (view.pnr, 1),
        (view.pnr, 3),
    }


# -- cancellation: promotion ---------------------------------------------------------------------
def full_2a(
    railway: Railway, token: str, waitlisted: int
) -> tuple[
    list[tuple[str, PassengerStatus]],
    list[tuple[str, PassengerStatus]],
    list[tuple[str, PassengerStatus]],
]:
    """GN berths full, every RAC place taken and ``waitlisted`` single-passenger WL bookings."""
    confirmed = fill(railway, token, gn_berths(railway))
    in_rac = fill(railway, token, rac_seats(railway))
    waiting = [
        (view.pnr, view.passengers[0])
        for view in (railway.book(token, request()) for _ in range(waitlisted))
    ]
    assert [p.booking_status for _, p in waiting] == [f"GNWL {n}" for n in range(1, waitlisted + 1)]
    return confirmed, in_rac, waiting


def current(railway: Railway, token: str, pnr: str, number: int = 1) -> PassengerStatus:
    return railway.pnr_status(token, pnr).passengers[number - 1]


def test_cancelling_a_confirmed_berth_promotes_rac_1_and_gnwl_1(railway: Railway) -> None:
    token = login_token(railway)
    rac = rac_seats(railway)
    confirmed, in_rac, waiting = full_2a(railway, token, 6)
    pnr, freed = confirmed[0]
    result = railway.cancel(token, pnr, [freed.number])
    assert result.promotions == (
        Promotion("RAC 1", f"CNF/{freed.coach}/{freed.berth}"),
        Promotion("GNWL 1", f"RAC {rac}"),
    )
    # RAC 1 is now on the freed berth; the booking status keeps what it was at booking
    rac_1 = current(railway, token, in_rac[0][0], in_rac[0][1].number)
    assert rac_1.booking_status == "RAC 1"
    assert rac_1.current_status == f"CNF/{freed.coach}/{freed.berth}"
    assert (rac_1.coach, rac_1.berth) == (freed.coach, freed.berth)
    # the rest of the RAC queue moves up one place
    for n, (p_pnr, p) in enumerate(in_rac[1:], start=1):
        assert current(railway, token, p_pnr, p.number).current_status == f"RAC {n}"
    # GNWL 1 took the RAC place at the end of the queue; the waiting list shifts
    gnwl_1 = current(railway, token, waiting[0][0])
    assert (gnwl_1.booking_status, gnwl_1.current_status) == ("GNWL 1", f"RAC {rac}")
    assert gnwl_1.berth_type == "SL"
    gnwl_5 = current(railway, token, waiting[4][0])
    assert (gnwl_5.booking_status, gnwl_5.current_status) == ("GNWL 5", "GNWL 4")
    # the next booking gets the next waitlist number, at its current position
    nxt = railway.book(token, request())
    assert (nxt.passengers[0].booking_status, nxt.passengers[0].current_status) == (
        "GNWL 7",
        "GNWL 6",
    )


def test_cancelling_two_berths_promotes_in_order(railway: Railway) -> None:
    token = login_token(railway)
    rac = rac_seats(railway)
    confirmed, in_rac, waiting = full_2a(railway, token, 3)
    pnr = confirmed[0][0]
    freed = [p for p_pnr, p in confirmed if p_pnr == pnr][:2]
    result = railway.cancel(token, pnr, [1, 2])
    berths = [f"CNF/{p.coach}/{p.berth}" for p in freed]
    assert [pr.was for pr in result.promotions] == ["RAC 1", "RAC 2", "GNWL 1", "GNWL 2"]
    assert {pr.now for pr in result.promotions[:2]} == set(berths)
    assert [pr.now for pr in result.promotions[2:]] == [f"RAC {rac - 1}", f"RAC {rac}"]
    assert current(railway, token, waiting[2][0]).current_status == "GNWL 1"


def test_cancelling_an_rac_ticket_moves_gnwl_1_up(railway: Railway) -> None:
    token = login_token(railway)
    rac = rac_seats(railway)
    _, in_rac, waiting = full_2a(railway, token, 2)
    pnr, p = in_rac[2]  # RAC 3
    fare = railway.pnr_status(token, pnr).fare.total
    result = railway.cancel(token, pnr, [p.number])
    rules = railway.rules_in_force()
    clerkage = rules.cancellation.rac_wl_clerkage
    assert result.charges == clerkage + clerkage * rules.cancellation_tax.rate
    assert result.refund == fare - result.charges
    assert result.promotions == (Promotion("GNWL 1", f"RAC {rac}"),)
    assert current(railway, token, in_rac[3][0], in_rac[3][1].number).current_status == "RAC 3"
    assert current(railway, token, in_rac[1][0], in_rac[1][1].number).current_status == "RAC 2"
    assert current(railway, token, waiting[1][0]).current_status == "GNWL 1"


def test_cancelling_a_waitlisted_ticket_promotes_nobody(railway: Railway) -> None:
    token = login_token(railway)
    _, _, waiting = full_2a(railway, token, 5)
    result = railway.cancel(token, waiting[1][0], None)
    assert result.promotions == ()
    assert [current(railway, token, pnr).current_status for pnr, _ in waiting] == [
        "GNWL 1",
        "CAN",
        "GNWL 2",
        "GNWL 3",
        "GNWL 4",
    ]
    assert [current(railway, token, pnr).booking_status for pnr, _ in waiting] == [
        f"GNWL {n}" for n in range(1, 6)
    ]


# -- cancellation: errors ------------------------------------------------------------------------
def test_already_cancelled(railway: Railway) -> None:
    token = login_token(railway)
    view = railway.book(token, request(passengers=people(2)))
    railway.cancel(token, view.pnr, [1])
    with pytest.raises(AlreadyCancelled):
        railway.cancel(token, view.pnr, [1])
    with pytest.raises(AlreadyCancelled):
        railway.cancel(token, view.pnr, [1, 2])
    result = railway.cancel(token, view.pnr, None)  # what is left: passenger 2
    assert result.cancelled == (2,)
    with pytest.raises(AlreadyCancelled) as caught:
        railway.cancel(token, view.pnr, None)
    assert caught.value.code == "AlreadyCancelled"


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param([3], id="beyond-the-last"),
        pytest.param([0], id="zero"),
        pytest.param([-1], id="negative"),
        pytest.param([1, 7], id="one-good-one-bad"),
        pytest.param([1, 1], id="repeated"),
    ],
)
def test_invalid_passenger_selection(railway: Railway, numbers: list[int]) -> None:
    token = login_token(railway)
    view = railway.book(token, request(passengers=people(2)))
    before = counts(railway)
    with pytest.raises(InvalidPassengerSelection) as caught:
        railway.cancel(token, view.pnr, numbers)
    assert caught.value.code == "InvalidPassengerSelection"
    assert counts(railway) == before
    assert status_of(railway.pnr_status(token, view.pnr)) == status_of(view)


def test_unknown_pnr(railway: Railway) -> None:
    token = login_token(railway)
    with pytest.raises(PnrNotFound):
        railway.pnr_status(token, "2000000000")
    with pytest.raises(PnrNotFound) as caught:
        railway.cancel(token, "2000000000", None)
    assert caught.value.code == "PnrNotFound"


def test_pnr_of_another_agent(railway: Railway) -> None:
    view = railway.book(login_token(railway, "MMT"), request())
    other = login_token(railway, "PAYTM")
    with pytest.raises(PnrNotFound):
        railway.pnr_status(other, view.pnr)
    with pytest.raises(PnrNotFound) as caught:
        railway.cancel(other, view.pnr, None)
    assert caught.value.code == "PnrNotFound"
    assert status_of(railway.pnr_status(login_token(railway, "MMT"), view.pnr)) == status_of(view)
