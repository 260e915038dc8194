"""Changing the boarding point of a booked journey, under the era's rule.

The new station must be a later stop of the same journey, before its destination. The change
is refused after the chart, past the era's cut-off before the departure from the original
boarding station, or once the allowed number of changes is used. The berth is kept for the new
legs only (the legs before the new station are sold onward); the fare is not refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from soap_server.railway.catalog import Train
from soap_server.railway.errors import BoardingChangeClosed, ChartPrepared, InvalidBoardingPoint
from soap_server.railway.rulebook import RuleSet


@dataclass(frozen=True)
class BoardingChange:
    """A change from stop ``old`` to stop ``new`` of the train; legs ``released`` are given up."""

    old: int
    new: int

    @property
    def released(self) -> range:
        return range(self.old, self.new)


def plan_boarding_change(
    rules: RuleSet,
    train: Train,
    boarding: int,
    alighting: int,
    station: str,
    departs: datetime,
    chart_at: datetime,
    changes_made: int,
    now: datetime,
) -> BoardingChange:
    """Check a change of the boarding point to ``station`` and say which legs it frees.

    ``departs`` is the train's departure from the current boarding station, ``chart_at`` when
    its chart is (or was) prepared.
    """
    new = train.stop_index(station)
    if new is None or not boarding < new < alighting:
        stops = [s.station for s in train.stops[boarding + 1 : alighting]]
        where = ", ".join(stops) if stops else "none: the journey has no stop in between"
        raise InvalidBoardingPoint(
            f"{station} is not a later stop of this journey on train {train.number}"
            f" ({train.stops[boarding].station} to {train.stops[alighting].station});"
            f" stations it can change to: {where}"
        )
    if now >= chart_at:
        raise ChartPrepared(
            f"the chart of train {train.number} was prepared at {chart_at:%Y-%m-%d %H:%M} IST:"
            " the boarding point can no longer be changed"
        )
    rule = rules.boarding_change
    if rule.cutoff is not None and now > departs - rule.cutoff:
        hours = int(rule.cutoff.total_seconds() // 3600)
        raise BoardingChangeClosed(
            f"the boarding point can be changed up to {hours} h before departure"
            f" ({departs - rule.cutoff:%Y-%m-%d %H:%M} IST for this journey; {rules.name})"
        )
    if changes_made >= rule.changes:
        raise BoardingChangeClosed(
            f"the boarding point of this booking was already changed {changes_made} time(s);"
            f" {rule.changes} allowed ({rules.name})"
        )
    return BoardingChange(boarding, new)
