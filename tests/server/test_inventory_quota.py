"""The era's lower-berth quota per coach, and seating a family in one coach."""

from __future__ import annotations

from collections import Counter
from random import Random

from soap_server.railway import inventory
from soap_server.railway.catalog import load_catalog
from soap_server.railway.store import SeatMap

CATALOG = load_catalog()
TN = CATALOG.trains["12622"]  # 8 sleeper coaches
SL = CATALOG.classes["SL"]


def test_the_quota_takes_lower_berths_in_the_middle_of_every_coach() -> None:
    ss = inventory.confirmed_places(TN, SL, "SS", 7)
    per_coach = Counter(p.coach for p in ss)
    assert per_coach == {f"S{c}": 7 for c in range(1, 9)}
    assert {p.berth_type for p in ss} == {"LB"}
    middle = (SL.berths_per_coach + 1) / 2
    s2 = sorted(p.berth for p in ss if p.coach == "S2")
    others = [
        p.berth
        for p in inventory.places(TN, SL, 7)
        if p.coach == "S2" and p.berth_type == "LB" and p.quota != "SS"
    ]
    assert max(abs(b - middle) for b in s2) <= min(abs(b - middle) for b in others)


def test_without_an_era_rule_the_class_count_stands() -> None:
    assert len(inventory.confirmed_places(TN, SL, "SS")) == SL.senior_berths


def test_the_other_quotas_keep_their_berths() -> None:
    for per_coach in (None, 2, 7):
        counts = Counter(p.quota for p in inventory.places(TN, SL, per_coach) if not p.rac)
        assert counts["LD"] == SL.ladies_berths
        assert sum(counts.values()) == 8 * (SL.berths_per_coach - SL.rac_berths_per_coach)


def test_a_party_sits_in_one_coach_with_its_preferences() -> None:
    berths = inventory.confirmed_places(TN, SL, "GN", 7)
    taken = SeatMap(inventory.layout(TN, SL))
    party = inventory.find_party(berths, taken, range(0, 3), ["LB", None, "UB"])
    assert party is not None
    assert len({p.coach for p in party}) == 1
    assert party[0].berth_type == "LB" and party[2].berth_type == "UB"


def test_a_party_moves_on_to_a_coach_with_room() -> None:
    berths = inventory.confirmed_places(TN, SL, "GN", 7)
    s1 = [p for p in berths if p.coach == "S1"]
    taken = SeatMap(inventory.layout(TN, SL))
    for place in s1[:-2]:  # two places left in S1
        inventory.hold(taken, place, range(0, 10))
    party = inventory.find_party(berths, taken, range(0, 3), [None, None, None])
    assert party is not None and {p.coach for p in party} == {"S2"}


def test_no_coach_with_room_means_no_party() -> None:
    berths = inventory.confirmed_places(TN, SL, "GN", 7)
    taken = SeatMap(inventory.layout(TN, SL))
    for place in berths:
        if place.berth % 2:  # leave at most half a coach, scattered
            inventory.hold(taken, place, range(0, 10))
    per_coach = Counter(p.coach for p in berths if p.berth % 2 == 0)
    too_many = max(per_coach.values()) + 1
    assert inventory.find_party(berths, taken, range(0, 3), [None] * too_many) is None


def _party_by_lists(
    berths: inventory.PlaceSet, taken: SeatMap, legs: range, preferences: list[str | None]
) -> list[inventory.Place] | None:
    """The party seating as first written, place by place over lists: what the masks of
    ``find_party`` must choose too."""
    by_coach: dict[str, list[inventory.Place]] = {}
    for place in berths.free_places(taken, legs):
        by_coach.setdefault(place.coach, []).append(place)
    for free in by_coach.values():
        if len(free) < len(preferences):
            continue
        chosen: list[inventory.Place | None] = [None] * len(preferences)
        for i, preference in enumerate(preferences):
            match = next((p for p in free if preference and p.berth_type == preference), None)
            if match is not None:
                chosen[i] = match
                free.remove(match)
        for i in range(len(chosen)):
            if chosen[i] is None:
                chosen[i] = free.pop(0)
        return [p for p in chosen if p is not None]
    return None


def test_the_party_masks_choose_what_the_lists_chose() -> None:
    random = Random(13)
    layout = inventory.layout(TN, SL)
    kinds = [None, None, "LB", "UB", "MB", "SL", "SU", ""]
    seated = unseated = 0
    for per_coach, quota in ((7, "GN"), (None, "GN"), (None, "TQ"), (7, "SS")):
        berths = inventory.confirmed_places(TN, SL, quota, per_coach)
        every = inventory.all_berths(TN, SL, per_coach)
        for fill in (0.0, 0.3, 0.7, 0.9, 0.97, 1.0):
            taken = SeatMap(layout)
            for place in every:
                if random.random() < fill:  # half of them for the whole route
                    a = random.randrange(layout.legs) if random.random() < 0.5 else 0
                    b = random.randrange(a, layout.legs) + 1 if a else layout.legs
                    inventory.hold(taken, place, range(a, b))
            for _ in range(25):
                a = random.randrange(layout.legs)
                legs = range(a, random.randrange(a, layout.legs) + 1)
                preferences = [random.choice(kinds) for _ in range(random.randint(1, 6))]
                for candidates in (berths, every):
                    party = inventory.find_party(candidates, taken, legs, preferences)
                    assert party == _party_by_lists(candidates, taken, legs, preferences)
                    seated, unseated = seated + (party is not None), unseated + (party is None)
    assert seated > 500 and unseated > 20  # both outcomes were compared
