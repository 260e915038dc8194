"""Step 3: the workers' ledgers checked against the core, through the API only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from soap_client.agent import TravelAgent
from soap_client.errors import AgentError, TransportError
from soap_client.ledger import Ledger, LedgerEntry
from soap_client.load.corridors import SeatKey, free_seats, offer_for, status_of
from soap_client.load.partners import PARTNERS, PASSWORDS, close_agent, partner
from soap_client.load.snapshot import Snapshot
from soap_client.models import Booking

# -- 3. the audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditResult:
    problems: list[str]
    bookings: int  # BOOKED ledger entries compared with the core
    passengers: int  # their passengers
    seat_counts: int  # (train, date, class) whose free berths were compared

    @property
    def clean(self) -> bool:
        return not self.problems


@dataclass
class _Audit:
    url: str
    before: Snapshot
    problems: list[str] = field(default_factory=list)
    agents: dict[str, TravelAgent] = field(default_factory=dict)

    def agent(self, code: str) -> TravelAgent:
        if code not in self.agents:
            self.agents[code] = TravelAgent(
                self.url, code, PASSWORDS[code], retries=3, backoff=0.05
            )
        return self.agents[code]


def ledger_files(ledger_dir: Path) -> list[Path]:
    return sorted(
        ledger_dir.glob("worker-*.sqlite3"), key=lambda p: int(p.stem.removeprefix("worker-"))
    )


def audit(url: str, ledger_dir: Path, before: Snapshot) -> list[str]:
    """The audit's problems, one line each; empty when the ledgers and the core agree."""
    return run_audit(url, ledger_dir, before).problems


def run_audit(url: str, ledger_dir: Path, before: Snapshot) -> AuditResult:
    """Check the workers' ledgers against the core, through the API only (see the module doc)."""
    state = _Audit(url, before)
    try:
        return _run_audit(state, ledger_dir)
    except TransportError as error:
        state.problems.append(f"audit: cannot reach the core: {error.code}: {error.message}")
        return AuditResult(state.problems, 0, 0, 0)
    finally:
        for agent in state.agents.values():
            close_agent(agent)


def _run_audit(state: _Audit, ledger_dir: Path) -> AuditResult:
    problems = state.problems
    entries: list[LedgerEntry] = []
    for path in ledger_files(ledger_dir):
        entries.extend(_reconciled(state, path))

    # One PNR per entry, one PNR per reference.
    by_pnr: defaultdict[str, list[str]] = defaultdict(list)
    pnrs_of: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.pnr is not None:
            by_pnr[entry.pnr].append(entry.reference)
            pnrs_of[entry.reference].add(entry.pnr)
    for pnr, references in by_pnr.items():
        if len(references) > 1:
            problems.append(f"PNR {pnr} appears in {len(references)} ledger entries: {references}")

    # Every booking as the core has it now.
    booked = [e for e in entries if e.state == "BOOKED" and e.pnr is not None]
    core: list[Booking] = []
    passengers = 0
    for entry in booked:
        assert entry.pnr is not None
        if entry.agent not in PASSWORDS:
            problems.append(f"PNR {entry.pnr}: unknown partner {entry.agent!r} in the ledger")
            continue
        try:
            booking = state.agent(entry.agent).pnr_status(entry.pnr)
        except TransportError:
            raise
        except AgentError as error:
            problems.append(f"PNR {entry.pnr} (reference {entry.reference}): {error}")
            continue
        core.append(booking)
        names = [p.name for p in booking.passengers]
        passengers += len(names)
        if names != entry.passengers:
            problems.append(
                f"PNR {entry.pnr} (reference {entry.reference}): the core has passengers"
                f" {names} but the ledger recorded {entry.passengers}"
            )
        if booking.reference != entry.reference:
            problems.append(
                f"PNR {entry.pnr}: the core has reference {booking.reference},"
                f" the ledger {entry.reference}"
            )
        pnrs_of[booking.reference].add(booking.pnr)
        ledger_key = (entry.train, entry.journey_date, entry.travel_class)
        core_key = (booking.train, booking.journey_date.isoformat(), booking.travel_class)
        if ledger_key != core_key:
            problems.append(f"PNR {entry.pnr}: the core has {core_key}, the ledger {ledger_key}")
    for reference, pnrs in pnrs_of.items():
        if len(pnrs) > 1:
            problems.append(f"reference {reference} maps to {len(pnrs)} PNRs: {sorted(pnrs)}")

    # No berth held by two confirmed passengers; free berths add up.
    held: defaultdict[SeatKey, list[tuple[str, str, int]]] = defaultdict(list)
    for booking in core:
        key = (booking.train, booking.journey_date.isoformat(), booking.travel_class)
        for p in booking.passengers:
            if p.current_status.startswith("CNF") and p.coach is not None:
                held[key].append((f"{p.coach}/{p.berth}", booking.pnr, p.number))
    for key, seats in sorted(held.items()):
        owners: defaultdict[str, list[str]] = defaultdict(list)
        for berth, pnr, number in seats:
            owners[berth].append(f"PNR {pnr} passenger {number}")
        for berth, who in sorted(owners.items()):
            if len(who) > 1:
                problems.append(f"{' '.join(key)}: berth {berth} is held by {', '.join(who)}")
    touched = {(e.train, e.journey_date, e.travel_class): e for e in entries}
    compared = 0
    for key, entry in sorted(touched.items()):
        before = state.before.statuses.get(key)
        if before is None:
            problems.append(f"{' '.join(key)}: no availability from before the load")
            continue
        after = _status_now(state, entry)
        free_before, free_after = free_seats(before), free_seats(after)
        if free_before is None or free_after is None:
            continue  # RAC, waitlist or REGRET: nothing to count berths with
        compared += 1
        confirmed = len(held.get(key, []))
        if free_before - free_after != confirmed:
            problems.append(
                f"{' '.join(key)}: {free_before} berths free before and {free_after} after,"
                f" but our bookings hold {confirmed} confirmed"
            )
    return AuditResult(problems, len(core), passengers, compared)


def _reconciled(state: _Audit, path: Path) -> list[LedgerEntry]:
    """The entries of one worker ledger, after ``sync`` settled its PENDING ones."""
    ledger = Ledger(path)
    try:
        pending = ledger.entries("PENDING")
        agents = {e.agent for e in pending if e.agent in PASSWORDS}
        for code in sorted(agents):
            with partner(state.url, code, ledger) as agent:
                # sync stops at its first refusal (which marks that entry FAILED): go again.
                for _ in range(len(pending) + 1):
                    try:
                        agent.sync()
                        break
                    except TransportError:
                        raise
                    except AgentError:
                        continue
        for entry in ledger.entries("PENDING"):
            state.problems.append(
                f"reference {entry.reference} ({path.name}) is still PENDING after sync:"
                f" {entry.last_error or 'no answer'}"
            )
        return ledger.entries()
    finally:
        ledger.close()


def _status_now(state: _Audit, entry: LedgerEntry) -> str | None:
    offers = state.agent(PARTNERS[0][0]).search(
        entry.source,
        entry.destination,
        date.fromisoformat(entry.journey_date),
        entry.travel_class,  # type: ignore[arg-type]  # a ClassType from our own request
        entry.quota,  # type: ignore[arg-type]  # a QuotaType from our own request
    )
    offer = offer_for(offers, entry.train)
    return None if offer is None else status_of(offer, entry.travel_class)
