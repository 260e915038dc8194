"""The dated rule book: every rule's timeline, the rule set of a day, and the data files' checks.

The eras checked here are real: 2008 (90-day ARP, five-day Tatkal at 08:00, no agent
restriction, the old refund table, no tax), late 2015 (120-day ARP, Tatkal 10:00/11:00, agents
barred 30 minutes, the 2015 refund rules, service tax) and today (60-day ARP, 8-hour charting,
GST on fares and on cancellation charges). Each value is read from the data files, whose
sources are in their ``source`` fields.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources

import pytest

from soap_server.railway.clock import IST
from soap_server.railway.rulebook import TOPICS, RuleBook, load_rulebook, parse_rulebook

BOOK = load_rulebook()
FILES = {
    p.name: p.read_text(encoding="utf-8")
    for p in (resources.files("soap_server.railway") / "data" / "rules").iterdir()
    if p.name.endswith(".toml")
}


@pytest.mark.parametrize(
    ("day", "arp", "tatkal_days", "ac", "non_ac", "most", "agent_minutes"),
    [
        pytest.param(date(2008, 6, 1), 90, 5, time(8), time(8), 6, 0, id="2008"),
        pytest.param(date(2010, 9, 1), 90, 2, time(8), time(8), 6, 60, id="2010"),
        pytest.param(date(2012, 1, 10), 90, 1, time(8), time(8), 4, 120, id="2012-jan"),
        pytest.param(date(2013, 1, 10), 120, 1, time(10), time(10), 4, 120, id="2013-jan"),
        pytest.param(date(2014, 7, 25), 60, 1, time(10), time(10), 4, 120, id="2014"),
        pytest.param(date(2015, 12, 1), 120, 1, time(10), time(11), 4, 30, id="2015"),
        pytest.param(date(2024, 10, 31), 120, 1, time(10), time(11), 4, 30, id="2024-oct-31"),
        pytest.param(date(2024, 11, 1), 60, 1, time(10), time(11), 4, 30, id="2024-nov-01"),
        pytest.param(date(2026, 12, 1), 60, 1, time(10), time(11), 4, 30, id="today"),
    ],
)
def test_booking_rules_follow_the_day(
    day: date, arp: int, tatkal_days: int, ac: time, non_ac: time, most: int, agent_minutes: int
) -> None:
    rules = BOOK.at(day)
    assert rules.advance_reservation.days == arp
    assert rules.advance_reservation.opens == time(8)
    assert rules.tatkal.days_before == tatkal_days
    assert (rules.tatkal.ac_opens, rules.tatkal.non_ac_opens) == (ac, non_ac)
    assert rules.tatkal.max_passengers == most
    assert rules.agents.tatkal_opening == timedelta(minutes=agent_minutes)
    assert rules.agents.arp_opening == timedelta(minutes=agent_minutes)


def test_a_moment_reads_the_rules_of_its_day() -> None:
    evening = datetime(2024, 10, 31, 23, 59, tzinfo=IST)
    assert BOOK.at(evening).advance_reservation.days == 120
    assert BOOK.at(evening + timedelta(minutes=1)).advance_reservation.days == 60


def test_before_the_first_entry_the_oldest_rules_apply() -> None:
    old, first = BOOK.at(date(1990, 1, 1)), BOOK.at(date(1998, 2, 1))
    assert old.entries == first.entries and old.tatkal == first.tatkal


@pytest.mark.parametrize(
    ("day", "flat_3a", "bands", "clerkage", "after_chart"),
    [
        pytest.param(
            date(2008, 6, 1), "60", [(24, None), (4, "0.25"), (0, "0.50")], "20", True, id="2008"
        ),
        pytest.param(
            date(2013, 5, 1),
            "90",
            [(24, None), (4, "0.25"), (0, "0.50")],
            "30",
            True,
            id="2013-may",
        ),
        pytest.param(
            date(2014, 1, 1), "90", [(48, None), (6, "0.25"), (0, "0.50")], "30", True, id="2014"
        ),
        pytest.param(
            date(2026, 12, 1),
            "180",
            [(48, None), (12, "0.25"), (4, "0.50")],
            "60",
            False,
            id="today",
        ),
    ],
)
def test_refund_tables_by_era(
    day: date,
    flat_3a: str,
    bands: list[tuple[int, str | None]],
    clerkage: str,
    after_chart: bool,
) -> None:
    rule = BOOK.at(day).cancellation
    assert rule.flat["3A"] == Decimal(flat_3a)
    read = [(b.more_than, b.share) for b in rule.bands]
    assert read == [(timedelta(hours=h), None if s is None else Decimal(s)) for h, s in bands]
    assert rule.rac_wl_clerkage == Decimal(clerkage)
    assert rule.confirmed_after_chart is after_chart


def test_refund_band_of_a_notice() -> None:
    rule = BOOK.at(date(2026, 12, 1)).cancellation
    band = rule.band(timedelta(hours=49))
    assert band is not None and band.share is None
    band = rule.band(timedelta(hours=12, minutes=1))
    assert band is not None and band.share == Decimal("0.25")
    band = rule.band(timedelta(hours=12))
    assert band is not None and band.share == Decimal("0.50")
    assert rule.band(timedelta(hours=4)) is None


@pytest.mark.parametrize(
    ("day", "fare_tax", "cancellation_tax"),
    [
        pytest.param(date(2008, 6, 1), "0", "0", id="2008"),
        pytest.param(date(2012, 10, 1), "0.03708", "0", id="2012-service-tax"),
        pytest.param(date(2015, 12, 1), "0.0435", "0", id="2015-swachh-bharat"),
        pytest.param(date(2017, 6, 30), "0.045", "0", id="2017-before-gst"),
        pytest.param(date(2017, 7, 1), "0.05", "0.05", id="gst"),
    ],
)
def test_taxes_by_the_day(day: date, fare_tax: str, cancellation_tax: str) -> None:
    rules = BOOK.at(day)
    assert rules.fare_tax.rate == Decimal(fare_tax)
    assert rules.cancellation_tax.rate == Decimal(cancellation_tax)


def test_charting_before_and_after_july_2025() -> None:
    old = BOOK.at(date(2025, 7, 14)).chart
    new = BOOK.at(date(2025, 7, 15)).chart
    evening = datetime(2025, 11, 30, 16, 55, tzinfo=IST)
    morning = datetime(2025, 11, 30, 6, 0, tzinfo=IST)
    night = datetime(2025, 11, 30, 1, 30, tzinfo=IST)
    assert old.chart_time(evening) == evening - timedelta(hours=4)
    assert old.chart_time(morning) == morning - timedelta(hours=4)
    assert new.chart_time(evening) == evening - timedelta(hours=8)
    assert new.chart_time(morning) == datetime(2025, 11, 29, 21, 0, tzinfo=IST)
    assert new.chart_time(night) == night - timedelta(hours=8)
    # 14:00 itself is past the morning window
    two = datetime(2025, 11, 30, 14, 0, tzinfo=IST)
    assert new.chart_time(two) == two - timedelta(hours=8)


def test_lower_berth_quota_and_children_by_era() -> None:
    quota_2008 = BOOK.at(date(2008, 6, 1)).lower_berths
    assert quota_2008.per_coach("SL", 8, premium_train=False) == 2
    assert quota_2008.max_party == 1
    today = BOOK.at(date(2026, 12, 1)).lower_berths
    assert today.per_coach("SL", 1, premium_train=False) == 6
    assert today.per_coach("SL", 8, premium_train=False) == 7
    assert today.per_coach("3A", 11, premium_train=True) == 5
    assert today.per_coach("1A", 1, premium_train=False) == 0
    assert today.max_party == 2
    assert not BOOK.at(date(2016, 4, 20)).children.no_berth_option
    assert BOOK.at(date(2016, 4, 21)).children.no_berth_option


def test_boarding_changes_by_era() -> None:
    assert BOOK.at(date(2015, 12, 1)).boarding_change.cutoff == timedelta(hours=24)
    assert BOOK.at(date(2026, 12, 1)).boarding_change.cutoff is None


def test_a_rule_set_is_named_by_its_newest_change_and_lists_its_sources() -> None:
    rules = BOOK.at(date(2026, 12, 1))
    assert rules.since == date(2025, 7, 15)
    assert rules.name == "rules in force since 2025-07-15"
    lines = rules.describe()
    assert [line.topic for line in lines] == list(TOPICS)
    for line in lines:
        assert line.summary and len(line.source) > 20, line.topic
    assert BOOK.at(date(2008, 6, 1)).since == date(2007, 7, 15)


def test_every_entry_names_its_source() -> None:
    for topic, timeline in BOOK.timelines.items():
        for entry in timeline:
            assert entry.source.strip(), (topic, entry.since)


def test_changes_are_listed_oldest_first() -> None:
    changes = BOOK.changes()
    assert changes == sorted(changes)
    assert (date(2024, 11, 1), "advance_reservation") in changes


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        pytest.param(
            "reservation.toml",
            "since = 2013-05-01",
            "since = 2012-03-01",
            "two entries on the same day",
            id="same-day",
        ),
        pytest.param(
            "refunds.toml",
            "{ more_than_hours = 12, charge = 0.25 }",
            "{ more_than_hours = 50, charge = 0.25 }",
            "longest notice to the shortest",
            id="bands-out-of-order",
        ),
        pytest.param(
            "refunds.toml",
            "{ more_than_hours = 12, charge = 0.25 }",
            "{ more_than_hours = 12, charge = 1.25 }",
            "not between 0 and 1",
            id="share-above-one",
        ),
        pytest.param(
            "charting.toml",
            "morning_until = 14:00:00\n",
            "",
            "go together",
            id="half-a-morning-rule",
        ),
        pytest.param(
            "taxes.toml", "since = 2017-07-01", 'since = "2017"', "is not a date", id="since-text"
        ),
    ],
)
def test_bad_rule_files_are_refused_with_their_place(
    file: str, old: str, new: str, message: str
) -> None:
    assert old in FILES[file]
    broken = dict(FILES, **{file: FILES[file].replace(old, new, 1)})
    with pytest.raises(ValueError, match=message) as raised:
        parse_rulebook(broken)
    assert file in str(raised.value) or "rule" in str(raised.value)


def test_a_rule_book_needs_every_topic() -> None:
    with pytest.raises(ValueError, match="lacks"):
        RuleBook({})
