-- Schema 1: the schema of the first release (create-if-missing before migrations existed).
-- Frozen: a database made then must look exactly like one made from this file.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agents (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token        TEXT PRIMARY KEY,
    agent        TEXT NOT NULL REFERENCES agents(code),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
);
CREATE TABLE IF NOT EXISTS bookings (
    pnr                TEXT PRIMARY KEY CHECK (length(pnr) = 10),
    agent              TEXT NOT NULL REFERENCES agents(code),
    client_reference   TEXT NOT NULL,
    request_digest     TEXT NOT NULL,
    train              TEXT NOT NULL,
    origin_date        TEXT NOT NULL,
    journey_date       TEXT NOT NULL,
    source             TEXT NOT NULL,
    destination        TEXT NOT NULL,
    from_index         INTEGER NOT NULL,
    to_index           INTEGER NOT NULL CHECK (to_index > from_index),
    class_code         TEXT NOT NULL,
    quota              TEXT NOT NULL,
    booked_at          TEXT NOT NULL,
    base_fare          INTEGER NOT NULL CHECK (base_fare >= 0),
    reservation_charge INTEGER NOT NULL CHECK (reservation_charge >= 0),
    superfast_charge   INTEGER NOT NULL CHECK (superfast_charge >= 0),
    tatkal_charge      INTEGER NOT NULL CHECK (tatkal_charge >= 0),
    gst                INTEGER NOT NULL CHECK (gst >= 0),
    UNIQUE (agent, client_reference)
);
CREATE TABLE IF NOT EXISTS passengers (
    pnr             TEXT NOT NULL REFERENCES bookings(pnr),
    number          INTEGER NOT NULL CHECK (number BETWEEN 1 AND 6),
    name            TEXT NOT NULL,
    age             INTEGER NOT NULL,
    gender          TEXT NOT NULL,
    berth_preference TEXT,
    booking_status  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('CNF', 'RAC', 'WL', 'CAN')),
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
    PRIMARY KEY (pnr, number),
    CHECK ((state = 'CNF') = (coach IS NOT NULL AND slot = 0) OR state IN ('RAC', 'CAN'))
);
CREATE UNIQUE INDEX IF NOT EXISTS waitlist_numbers
    ON passengers (train, origin_date, class_code, quota, wl_no) WHERE wl_no IS NOT NULL;
CREATE INDEX IF NOT EXISTS passengers_by_pool
    ON passengers (train, origin_date, class_code, quota, state, queue_no);
CREATE TABLE IF NOT EXISTS occupancy (
    train       TEXT NOT NULL,
    origin_date TEXT NOT NULL,
    class_code  TEXT NOT NULL,
    coach       TEXT NOT NULL,
    berth       INTEGER NOT NULL,
    slot        INTEGER NOT NULL,
    leg         INTEGER NOT NULL,
    pnr         TEXT NOT NULL,
    number      INTEGER NOT NULL,
    PRIMARY KEY (train, origin_date, class_code, coach, berth, slot, leg),
    FOREIGN KEY (pnr, number) REFERENCES passengers(pnr, number)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occupancy_by_passenger ON occupancy (pnr, number);
