"""Schema 4 on SQLite (issue 15, the rules of the era): passengers who travel without a berth
(state ``NB``: a child who opted out of one, an infant) with their ``berth_option``; the fare
tax (service tax, GST) inside each passenger's fare, so a refund knows what it returns; a
booking's ``reserved_from`` station (where its fare was paid from) and its count of
``boarding_changes``; and ``charts``, when each train-day's chart was prepared.

SQLite cannot change a CHECK constraint: the passengers table is rebuilt (the store runs
migrations with foreign keys off and checks them before it commits)."""

from __future__ import annotations

from soap_server.storage.migrations import Run, Seed
from soap_server.storage.migrations.steps import record_reserved_from, share_out_fare_tax

DDL = """
ALTER TABLE bookings ADD COLUMN reserved_from TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN boarding_changes INTEGER NOT NULL DEFAULT 0
    CHECK (boarding_changes >= 0);
CREATE TABLE passengers_new (
    pnr             TEXT NOT NULL REFERENCES bookings(pnr),
    number          INTEGER NOT NULL CHECK (number BETWEEN 1 AND 6),
    name            TEXT NOT NULL,
    age             INTEGER NOT NULL,
    gender          TEXT NOT NULL,
    berth_preference TEXT,
    booking_status  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('CNF', 'RAC', 'WL', 'CAN', 'NB')),
    coach           TEXT,
    berth           INTEGER,
    slot            INTEGER,
    berth_type      TEXT,
    wl_no           INTEGER,
    queue_no        INTEGER,
    fare            INTEGER NOT NULL CHECK (fare >= 0),
    refund          INTEGER CHECK (refund >= 0 AND refund <= fare),
    cancelled_at    TEXT,
    train           TEXT NOT NULL,
    origin_date     TEXT NOT NULL,
    class_code      TEXT NOT NULL,
    quota           TEXT NOT NULL,
    from_index      INTEGER NOT NULL,
    to_index        INTEGER NOT NULL,
    berth_option    TEXT CHECK (berth_option IN ('NOSB', 'INFANT')),
    tax             INTEGER NOT NULL DEFAULT 0 CHECK (tax >= 0 AND tax <= fare),
    PRIMARY KEY (pnr, number),
    CHECK ((state = 'CNF') = (coach IS NOT NULL AND slot = 0) OR state IN ('RAC', 'CAN'))
);
INSERT INTO passengers_new SELECT *, NULL, 0 FROM passengers;
DROP TABLE passengers;
ALTER TABLE passengers_new RENAME TO passengers;
CREATE UNIQUE INDEX waitlist_numbers
    ON passengers (train, origin_date, class_code, quota, wl_no) WHERE wl_no IS NOT NULL;
CREATE INDEX passengers_by_pool
    ON passengers (train, origin_date, class_code, quota, state, queue_no);
CREATE TABLE charts (
    train       TEXT NOT NULL,
    origin_date TEXT NOT NULL,
    prepared_at TEXT NOT NULL,
    PRIMARY KEY (train, origin_date)
) WITHOUT ROWID
"""


def upgrade(run: Run, seed: Seed) -> None:
    for statement in DDL.split(";"):
        run(statement.strip(), ())
    record_reserved_from(run)
    share_out_fare_tax(run)
