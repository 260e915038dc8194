"""Schema 4 on PostgreSQL: the same change as SQLite's 0004 (passengers without a berth in
state ``NB`` with their ``berth_option``, each passenger's fare tax, a booking's
``reserved_from`` and ``boarding_changes``, the ``charts`` table), in this dialect: the state
check is replaced in place, no table is rebuilt."""

from __future__ import annotations

from soap_server.storage.migrations import Run, Seed
from soap_server.storage.migrations.steps import record_reserved_from, share_out_fare_tax

DDL = """
ALTER TABLE bookings ADD COLUMN reserved_from text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN boarding_changes integer NOT NULL DEFAULT 0
    CHECK (boarding_changes >= 0);
ALTER TABLE passengers DROP CONSTRAINT passengers_state_check;
ALTER TABLE passengers ADD CONSTRAINT passengers_state_check
    CHECK (state IN ('CNF', 'RAC', 'WL', 'CAN', 'NB'));
ALTER TABLE passengers ADD COLUMN berth_option text COLLATE "C"
    CHECK (berth_option IN ('NOSB', 'INFANT'));
ALTER TABLE passengers ADD COLUMN tax integer NOT NULL DEFAULT 0
    CHECK (tax >= 0 AND tax <= fare);
CREATE TABLE charts (
    train       text COLLATE "C" NOT NULL,
    origin_date text COLLATE "C" NOT NULL,
    prepared_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (train, origin_date)
)
"""


def upgrade(run: Run, seed: Seed) -> None:
    for statement in DDL.split(";"):
        run(statement.strip(), ())
    record_reserved_from(run)
    share_out_fare_tax(run)
