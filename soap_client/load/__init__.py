"""The load generator: many travel agents booking real journeys at once, then an audit of them.

``main_load`` is the ``load`` command. It runs in three steps, each usable on its own:

1. ``take_snapshot``: log in, read the core's date, and search (with a class filter) every
   corridor, date (the core's date + 5..15 days) and class the journeys may use. It keeps each
   class's status (``AVAILABLE 45``) and each train's days of run (the answer's ``RunsOn``).
2. ``run_load``: N worker threads, worker *i* playing partner ``PARTNERS[i % 3]`` with its own
   ``TravelAgent`` and ledger (``worker-i.sqlite3``), each running journeys until the duration
   is over: search, book 1-3 passengers, check the PNR and sometimes cancel one passenger.
   Every call is timed (with its retries), and the trace hook counts what happened on the wire.
3. ``run_audit`` (``audit`` for its problems alone): through the API only, reconcile PENDING
   ledger entries, compare every booking with the core, and look for double sales and seats
   that do not add up.

Journeys only book whole routes (a train's origin to its destination), so a berth can be held
by one passenger at a time and any two confirmed passengers on one coach/berth are a double sale.

The seat arithmetic assumes a **fresh core**: nobody but this run books on these trains between
the snapshot and the audit. Against a core others are using, their bookings show up as seats
that do not add up.

The package, lower modules first (each imports only the ones above it): ``partners`` and
``corridors`` (who books what), ``snapshot`` (step 1), ``measure`` (latencies, faults, the
progress line), ``journeys`` (step 2, the workers), ``audit`` (step 3), ``report`` (the report
and ``main_load``).
"""

from __future__ import annotations

from soap_client.load.audit import AuditResult, audit, ledger_files, run_audit
from soap_client.load.corridors import CORRIDORS, Corridor
from soap_client.load.journeys import LoadResult, run_load
from soap_client.load.measure import OPERATIONS
from soap_client.load.partners import PARTNERS
from soap_client.load.report import main_load
from soap_client.load.snapshot import Snapshot, take_snapshot

__all__ = [
    "CORRIDORS",
    "OPERATIONS",
    "PARTNERS",
    "AuditResult",
    "Corridor",
    "LoadResult",
    "Snapshot",
    "audit",
    "ledger_files",
    "main_load",
    "run_audit",
    "run_load",
    "take_snapshot",
]
