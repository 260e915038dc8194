"""The railway's rules with the dates they were in force, read from ``data/rules/*.toml``.

The simulator recreates an era, so the rules follow the simulated clock: ``RuleBook.at(day)``
answers the ``RuleSet`` in force on that day (IST). Every rule is a timeline of dated entries,
each in force from its ``since`` date until the next entry's; the first entry also stands for
any earlier day. Each entry keeps the public source it was taken from.
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

T = TypeVar("T")

ZERO = Decimal(0)


@dataclass(frozen=True)
class Dated(Generic[T]):
    """One value of a rule and the day it came into force."""

    since: date
    value: T
    source: str
    basis: str | None = None


class Timeline(Generic[T]):
    """The successive values of one rule, oldest first."""

    def __init__(self, topic: str, entries: Sequence[Dated[T]]) -> None:
        if not entries:
            raise ValueError(f"rule {topic!r} has no entries")
        ordered = sorted(entries, key=lambda e: e.since)
        days = [e.since for e in ordered]
        if len(set(days)) != len(days):
            raise ValueError(f"rule {topic!r} has two entries on the same day")
        self.topic = topic
        self.entries = tuple(ordered)
        self._days = days

    def at(self, day: date) -> Dated[T]:
        """The entry in force on ``day`` (the first one for any earlier day)."""
        i = bisect.bisect_right(self._days, day) - 1
        return self.entries[max(i, 0)]

    def __iter__(self) -> Iterator[Dated[T]]:
        return iter(self.entries)


# -- the rules ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AdvanceReservation:
    """Bookable ``days`` ahead (journey day excluded); the newest day opens at ``opens``."""

    days: int
    opens: time

    def summary(self) -> str:
        return f"{self.days} days ahead, the newest day opening at {self.opens:%H:%M}"


@dataclass(frozen=True)
class TatkalRule:
    days_before: int
    ac_opens: time
    non_ac_opens: time
    max_passengers: int
    confirmed_refund_share: Decimal

    def opens(self, origin_date: date, ac: bool) -> datetime:
        """When Tatkal opens for a train leaving its origin on ``origin_date`` (naive IST)."""
        day = origin_date - timedelta(days=self.days_before)
        return datetime.combine(day, self.ac_opens if ac else self.non_ac_opens)

    def summary(self) -> str:
        when = (
            f"{self.ac_opens:%H:%M}"
            if self.ac_opens == self.non_ac_opens
            else f"{self.ac_opens:%H:%M} (AC) / {self.non_ac_opens:%H:%M} (non-AC)"
        )
        days = "the day" if self.days_before == 1 else f"{self.days_before} days"
        refund = (
            "no refund on confirmed Tatkal"
            if self.confirmed_refund_share == ZERO
            else f"{self.confirmed_refund_share:.0%} refunded on confirmed Tatkal"
        )
        return f"opens {when} {days} before, {self.max_passengers} per PNR, {refund}"


@dataclass(frozen=True)
class AgentRestriction:
    """Authorised agents may not book in the first minutes of each opening."""

    arp_opening: timedelta
    tatkal_opening: timedelta

    def summary(self) -> str:
        if not self.arp_opening and not self.tatkal_opening:
            return "none"
        return (
            f"agents barred for {_minutes(self.arp_opening)} from the opening of general booking"
            f" and {_minutes(self.tatkal_opening)} from each Tatkal opening"
        )


@dataclass(frozen=True)
class ChartRule:
    """When the first reservation chart of a train is prepared, and what it allows after."""

    hours_before: int
    morning_from: time | None
    morning_until: time | None
    morning_chart_at: time | None
    current_booking_closes: timedelta
    release_unsold_quotas: bool
    tatkal_after_chart: bool

    def chart_time(self, departure: datetime) -> datetime:
        """When the chart of a train leaving its origin at ``departure`` is prepared."""
        if self.morning_from is not None and self.morning_until is not None:
            assert self.morning_chart_at is not None
            moment = departure.timetz().replace(tzinfo=None)
            if self.morning_from <= moment < self.morning_until:
                eve = departure.date() - timedelta(days=1)
                return datetime.combine(eve, self.morning_chart_at, departure.tzinfo)
        return departure - timedelta(hours=self.hours_before)

    def summary(self) -> str:
        if self.morning_from is not None and self.morning_chart_at is not None:
            assert self.morning_until is not None
            return (
                f"first chart {self.hours_before} h before departure, at"
                f" {self.morning_chart_at:%H:%M} the day before for trains leaving"
                f" {self.morning_from:%H:%M}-{self.morning_until:%H:%M}"
            )
        return f"first chart {self.hours_before} h before departure"


@dataclass(frozen=True)
class RefundBand:
    """Cancelled more than ``more_than`` before departure: the flat charge or ``share``."""

    more_than: timedelta
    share: Decimal | None  # None: the flat charge of the class


@dataclass(frozen=True)
class CancellationRule:
    flat: Mapping[str, Decimal]
    bands: tuple[RefundBand, ...]
    rac_wl_clerkage: Decimal
    rac_wl_until: timedelta
    confirmed_after_chart: bool

    def band(self, left: timedelta) -> RefundBand | None:
        """The band for a cancellation ``left`` before departure; None: nothing is refunded."""
        for band in self.bands:
            if left > band.more_than:
                return band
        return None

    def summary(self) -> str:
        parts = []
        for band in self.bands:
            what = "flat charge" if band.share is None else f"{band.share:.0%}"
            when = f"beyond {_hours(band.more_than)}" if band.more_than else "up to departure"
            parts.append(f"{what} {when}")
        return (
            ", ".join(parts)
            + f"; RAC/WL clerkage Rs {self.rac_wl_clerkage}"
            + ("" if self.confirmed_after_chart else "; confirmed e-tickets closed at the chart")
        )


@dataclass(frozen=True)
class Tax:
    rate: Decimal
    name: str

    def summary(self) -> str:
        if self.rate == ZERO:
            return "none"
        percent = (self.rate * 100).normalize()
        return f"{self.name} {percent:f}%"


@dataclass(frozen=True)
class LowerBerthQuota:
    """Lower berths per coach earmarked for senior citizens and women aged 45 and above."""

    max_party: int
    one_coach: Mapping[str, int]
    more_coaches: Mapping[str, int]
    premium: Mapping[str, int]

    def per_coach(self, class_code: str, coaches: int, premium_train: bool) -> int:
        if premium_train:
            return self.premium.get(class_code, 0)
        table = self.one_coach if coaches <= 1 else self.more_coaches
        return table.get(class_code, 0)

    def summary(self) -> str:
        per = ", ".join(f"{k} {v}" for k, v in self.more_coaches.items())
        return f"{per} lower berths per coach, up to {self.max_party} on a PNR"


@dataclass(frozen=True)
class ChildRule:
    free_below: int
    child_below: int
    child_share: Decimal
    no_berth_option: bool

    def summary(self) -> str:
        if self.no_berth_option:
            return (
                f"under {self.free_below} free without a berth; {self.free_below}-"
                f"{self.child_below - 1} full fare with a berth or {self.child_share:.0%}"
                " without one"
            )
        return (
            f"under {self.free_below} free without a berth; {self.free_below}-"
            f"{self.child_below - 1} {self.child_share:.0%} with a berth"
        )


@dataclass(frozen=True)
class BoardingChangeRule:
    cutoff: timedelta | None  # before the departure from the original station; None: the chart
    changes: int
    #: A change made less than this before the departure from the original station forfeits
    #: the refund of a later cancellation; None: no such rule.
    no_refund_within: timedelta | None = None

    def summary(self) -> str:
        until = "the chart" if self.cutoff is None else f"{_hours(self.cutoff)} before departure"
        text = f"up to {until}, {self.changes} change(s)"
        if self.no_refund_within is not None:
            text += f"; no refund after a change made within {_hours(self.no_refund_within)}"
        return text

    def forfeits_refund(self, changed_at: datetime, departs: datetime) -> bool:
        """Whether a change made at ``changed_at`` (the train leaving the original boarding
        station at ``departs``) leaves nothing to refund on a later cancellation."""
        return self.no_refund_within is not None and departs - changed_at < self.no_refund_within


@dataclass(frozen=True)
class RuleSet:
    """The rules in force on one day."""

    day: date
    advance_reservation: AdvanceReservation
    tatkal: TatkalRule
    agents: AgentRestriction
    chart: ChartRule
    cancellation: CancellationRule
    fare_tax: Tax
    cancellation_tax: Tax
    lower_berths: LowerBerthQuota
    children: ChildRule
    boarding_change: BoardingChangeRule
    entries: tuple[tuple[str, Dated[Any]], ...] = field(repr=False, compare=False)

    @property
    def since(self) -> date:
        """The day the newest of these rules came into force: the rule set's name."""
        return max(entry.since for _, entry in self.entries)

    @property
    def name(self) -> str:
        return f"rules in force since {self.since.isoformat()}"

    def since_of(self, topic: str) -> str:
        """``the rule of 2015-06-15``: when one rule of the set came into force, for messages."""
        entry = dict(self.entries)[topic]
        return f"the rule of {entry.since.isoformat()}"

    def describe(self) -> list[RuleLine]:
        """One line per rule: what it says, since when, and its source."""
        lines = []
        for topic, entry in self.entries:
            summary = entry.value.summary()
            lines.append(RuleLine(topic, entry.since, summary, entry.source, entry.basis))
        return lines


@dataclass(frozen=True)
class RuleLine:
    topic: str
    since: date
    summary: str
    source: str
    basis: str | None


TOPICS = (
    "advance_reservation",
    "tatkal",
    "agent_restriction",
    "first_chart",
    "cancellation",
    "fare_tax",
    "cancellation_tax",
    "lower_berth_quota",
    "children",
    "boarding_change",
)


class RuleBook:
    """Every rule's timeline; ``at(day)`` is the rule set of that day."""

    def __init__(self, timelines: Mapping[str, Timeline[Any]]) -> None:
        missing = [t for t in TOPICS if t not in timelines]
        if missing:
            raise ValueError(f"rule book lacks {', '.join(missing)}")
        self.timelines = dict(timelines)
        self._at = lru_cache(maxsize=64)(self._build)

    def at(self, moment: date | datetime) -> RuleSet:
        day = moment.date() if isinstance(moment, datetime) else moment
        return self._at(day)

    def _build(self, day: date) -> RuleSet:
        entries = tuple((topic, self.timelines[topic].at(day)) for topic in TOPICS)
        v = {topic: entry.value for topic, entry in entries}
        return RuleSet(
            day=day,
            advance_reservation=v["advance_reservation"],
            tatkal=v["tatkal"],
            agents=v["agent_restriction"],
            chart=v["first_chart"],
            cancellation=v["cancellation"],
            fare_tax=v["fare_tax"],
            cancellation_tax=v["cancellation_tax"],
            lower_berths=v["lower_berth_quota"],
            children=v["children"],
            boarding_change=v["boarding_change"],
            entries=entries,
        )

    def changes(self) -> list[tuple[date, str]]:
        """Every day a rule changed, with the topic, oldest first."""
        return sorted((e.since, topic) for topic, tl in self.timelines.items() for e in tl)


# -- reading the data files -----------------------------------------------------------------------
def _money(value: float | int | str) -> Decimal:
    return Decimal(str(value))


def _share(value: float | int | str) -> Decimal:
    share = Decimal(str(value))
    if not ZERO <= share <= 1:
        raise ValueError(f"share {value!r} is not between 0 and 1")
    return share


def _counts(table: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in table.items()}


def _advance(e: Mapping[str, Any]) -> AdvanceReservation:
    return AdvanceReservation(days=int(e["days"]), opens=e["opens"])


def _tatkal(e: Mapping[str, Any]) -> TatkalRule:
    return TatkalRule(
        days_before=int(e["days_before"]),
        ac_opens=e["ac_opens"],
        non_ac_opens=e["non_ac_opens"],
        max_passengers=int(e["max_passengers"]),
        confirmed_refund_share=_share(e["confirmed_refund_share"]),
    )


def _agents(e: Mapping[str, Any]) -> AgentRestriction:
    return AgentRestriction(
        arp_opening=timedelta(minutes=int(e["arp_opening_minutes"])),
        tatkal_opening=timedelta(minutes=int(e["tatkal_opening_minutes"])),
    )


def _chart(e: Mapping[str, Any]) -> ChartRule:
    morning = (e.get("morning_from"), e.get("morning_until"), e.get("morning_chart_at"))
    if any(m is not None for m in morning) and not all(m is not None for m in morning):
        raise ValueError("morning_from, morning_until and morning_chart_at go together")
    return ChartRule(
        hours_before=int(e["hours_before"]),
        morning_from=morning[0],
        morning_until=morning[1],
        morning_chart_at=morning[2],
        current_booking_closes=timedelta(minutes=int(e["current_booking_closes_minutes"])),
        release_unsold_quotas=bool(e["release_unsold_quotas"]),
        tatkal_after_chart=bool(e["tatkal_after_chart"]),
    )


def _cancellation(e: Mapping[str, Any]) -> CancellationRule:
    bands = []
    for b in e["bands"]:
        charge = b["charge"]
        if charge != "flat" and isinstance(charge, str):
            raise ValueError(f"a band's charge is 'flat' or a share, not {charge!r}")
        share = None if charge == "flat" else _share(charge)
        bands.append(RefundBand(timedelta(hours=int(b["more_than_hours"])), share))
    if [b.more_than for b in bands] != sorted((b.more_than for b in bands), reverse=True):
        raise ValueError("cancellation bands go from the longest notice to the shortest")
    return CancellationRule(
        flat={k: _money(v) for k, v in e["flat"].items()},
        bands=tuple(bands),
        rac_wl_clerkage=_money(e["rac_wl_clerkage"]),
        rac_wl_until=timedelta(minutes=int(e["rac_wl_until_minutes"])),
        confirmed_after_chart=bool(e["confirmed_after_chart"]),
    )


def _tax(e: Mapping[str, Any]) -> Tax:
    return Tax(rate=_share(e["rate"]), name=str(e["name"]))


def _lower_berths(e: Mapping[str, Any]) -> LowerBerthQuota:
    return LowerBerthQuota(
        max_party=int(e["max_party"]),
        one_coach=_counts(e["one_coach"]),
        more_coaches=_counts(e["more_coaches"]),
        premium=_counts(e["premium"]),
    )


def _children(e: Mapping[str, Any]) -> ChildRule:
    return ChildRule(
        free_below=int(e["free_below"]),
        child_below=int(e["child_below"]),
        child_share=_share(e["child_share"]),
        no_berth_option=bool(e["no_berth_option"]),
    )


def _boarding(e: Mapping[str, Any]) -> BoardingChangeRule:
    hours = int(e["cutoff_hours"])
    forfeit = int(e.get("no_refund_within_hours", 0))
    if hours < 0 or forfeit < 0:
        raise ValueError("hours cannot be negative")
    return BoardingChangeRule(
        cutoff=None if hours == 0 else timedelta(hours=hours),
        changes=int(e["changes"]),
        no_refund_within=None if forfeit == 0 else timedelta(hours=forfeit),
    )


_READERS: dict[str, tuple[str, Callable[[Mapping[str, Any]], Any]]] = {
    "advance_reservation": ("reservation.toml", _advance),
    "tatkal": ("reservation.toml", _tatkal),
    "agent_restriction": ("reservation.toml", _agents),
    "first_chart": ("charting.toml", _chart),
    "cancellation": ("refunds.toml", _cancellation),
    "fare_tax": ("taxes.toml", _tax),
    "cancellation_tax": ("taxes.toml", _tax),
    "lower_berth_quota": ("passengers.toml", _lower_berths),
    "children": ("passengers.toml", _children),
    "boarding_change": ("boarding.toml", _boarding),
}


def parse_rulebook(files: Mapping[str, str]) -> RuleBook:
    """Build a rule book from the texts of the rule files, by file name."""
    timelines: dict[str, Timeline[Any]] = {}
    for topic, (name, read) in _READERS.items():
        spec = tomllib.loads(files[name])
        entries = []
        for e in spec.get(topic, []):
            try:
                since = e["since"]
                if not isinstance(since, date) or isinstance(since, datetime):
                    raise ValueError(f"since = {since!r} is not a date")
                entries.append(Dated(since, read(e), str(e["source"]), e.get("basis")))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{name} [[{topic}]] {e.get('since')}: {exc}") from exc
        timelines[topic] = Timeline(topic, entries)
    return RuleBook(timelines)


def load_rulebook() -> RuleBook:
    """Read the rule files shipped with the package."""
    folder = resources.files("soap_server.railway") / "data" / "rules"
    names = {name for name, _ in _READERS.values()}
    return parse_rulebook({n: (folder / n).read_text(encoding="utf-8") for n in names})


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} min"


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h"
