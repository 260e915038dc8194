"""A Book's answer is made from the rows it just wrote (not read back from the store): it must
be what a PNR status read straight after says, through CNF, RAC, waitlist and REGRET, with
children without berths, infants, preferences and cancellations opening gaps in the queues. And
the request's fingerprint (which recognises a retry) is the one earlier versions stored."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from random import Random

from soap_server.railway.booking import _digest
from soap_server.railway.errors import WaitlistFull
from soap_server.railway.system import Railway
from soap_server.railway.views import BookingRequest, PassengerRequest
from tests.backends import BOTH_BACKENDS
from tests.conftest import login_token
from tests.support import request

BERTHS = (None, None, None, "LB", "UB", "SL", "SU")  # the berths of 2A
NAMES = ("Asha", "Bala", "Chitra", "Dev", "Esha", "Farid")


def party(random: Random) -> tuple[PassengerRequest, ...]:
    """One to six passengers: adults, seniors, women of 45+, and now and then children without
    a berth and infants (no more of them than adults, as the rules allow)."""
    adults = random.randint(1, 6)
    people = [
        PassengerRequest(f"Adult {NAMES[i]}", random.randint(18, 80), random.choice("MF"))
        if i == 0
        else PassengerRequest(
            f"Adult {NAMES[i]}", random.randint(12, 80), random.choice("MF"), random.choice(BERTHS)
        )
        for i in range(adults)
    ]
    for i in range(random.randint(0, min(adults, 6 - adults))):
        if random.random() < 0.5:
            people.append(PassengerRequest(f"Infant {NAMES[i]}", random.randint(0, 4), "M"))
        else:
            age = random.randint(5, 11)
            people.append(PassengerRequest(f"Child {NAMES[i]}", age, "F", no_berth=True))
    random.shuffle(people)
    return tuple(people)


@BOTH_BACKENDS
def test_a_book_answers_what_its_pnr_status_reads(railway: Railway) -> None:
    token = login_token(railway)
    random = Random(2)
    booked: list[str] = []
    regrets = 0
    seen: set[str] = set()
    while regrets < 3:
        asked = request(train="12622", source="NDLS", destination="MAS", cls="2A")
        asked = replace(asked, passengers=party(random))
        try:
            view = railway.book(token, asked)
        except WaitlistFull:
            regrets += 1
            continue
        assert view == railway.pnr_status(token, view.pnr)
        seen.update(p.current_status.split()[0].split("/")[0] for p in view.passengers)
        booked.append(view.pnr)
        if random.random() < 0.2:  # a gap in the queues: positions no longer numbers
            railway.cancel(token, booked.pop(random.randrange(len(booked))), None)
    assert {"CNF", "RAC", "GNWL"} <= seen


def test_the_fingerprint_is_the_one_stored_before() -> None:
    def by_asdict(request: BookingRequest, source: str, destination: str) -> str:
        """The fingerprint as first written (``dataclasses.asdict`` of the request)."""
        resolved = replace(request, source=source, destination=destination, client_reference="")
        body = asdict(resolved)
        body["journey_date"] = request.journey_date.isoformat()
        if not any(p["no_berth"] for p in body["passengers"]):
            for p in body["passengers"]:
                del p["no_berth"]
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    random = Random(7)
    asked = [request(), request(quota="TQ", only_if_confirmed=True)]
    asked += [replace(request(), passengers=party(random)) for _ in range(40)]
    assert any(p.no_berth for r in asked for p in r.passengers)
    assert any(not any(p.no_berth for p in r.passengers) for r in asked)
    for each in asked:
        assert _digest(each, "NDLS", "MMCT") == by_asdict(each, "NDLS", "MMCT")
    assert _digest(asked[0], "NDLS", "MMCT") != _digest(asked[0], "NDLS", "BCT")
