-- Schema 1 on PostgreSQL: the tables of SQLite's schema 1, column for column, with the same
-- keys, checks and indexes. Every text column sorts by code point (COLLATE "C"), as SQLite's
-- do, so ISO timestamps compare in time order whatever the database's default collation.
CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);
CREATE TABLE agents (
    code          text COLLATE "C" PRIMARY KEY,
    name          text COLLATE "C" NOT NULL,
    password_hash text COLLATE "C" NOT NULL,
    failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until  text COLLATE "C"
);
CREATE TABLE sessions (
    token        text COLLATE "C" PRIMARY KEY,
    agent        text COLLATE "C" NOT NULL REFERENCES agents(code),
    created_at   text COLLATE "C" NOT NULL,
    last_seen_at text COLLATE "C" NOT NULL,
    ended_at     text COLLATE "C"
);
CREATE TABLE bookings (
    pnr                text COLLATE "C" PRIMARY KEY CHECK (length(pnr) = 10),
    agent              text COLLATE "C" NOT NULL REFERENCES agents(code),
    client_reference   text COLLATE "C" NOT NULL,
    request_digest     text COLLATE "C" NOT NULL,
    train              text COLLATE "C" NOT NULL,
    origin_date        text COLLATE "C" NOT NULL,
    journey_date       text COLLATE "C" NOT NULL,
    source             text COLLATE "C" NOT NULL,
    destination        text COLLATE "C" NOT NULL,
    from_index         integer NOT NULL,
    to_index           integer NOT NULL CHECK (to_index > from_index),
    class_code         text COLLATE "C" NOT NULL,
    quota              text COLLATE "C" NOT NULL,
    booked_at          text COLLATE "C" NOT NULL,
    base_fare          integer NOT NULL CHECK (base_fare >= 0),
    reservation_charge integer NOT NULL CHECK (reservation_charge >= 0),
    superfast_charge   integer NOT NULL CHECK (superfast_charge >= 0),
    tatkal_charge      integer NOT NULL CHECK (tatkal_charge >= 0),
    gst                integer NOT NULL CHECK (gst >= 0),
    UNIQUE (agent, client_reference)
);
CREATE TABLE passengers (
    pnr              text COLLATE "C" NOT NULL REFERENCES bookings(pnr),
    number           integer NOT NULL CHECK (number BETWEEN 1 AND 6),
    name             text COLLATE "C" NOT NULL,
    age              integer NOT NULL,
    gender           text COLLATE "C" NOT NULL,
    berth_preference text COLLATE "C",
    booking_status   text COLLATE "C" NOT NULL,
    state            text COLLATE "C" NOT NULL CHECK (state IN ('CNF', 'RAC', 'WL', 'CAN')),
    coach            text COLLATE "C",
    berth            integer,
    slot             integer,
    berth_type       text COLLATE "C",
    wl_no            integer,
    queue_no         integer,
    fare             integer NOT NULL CHECK (fare >= 0),
    refund           integer CHECK (refund >= 0 AND refund <= fare),
    cancelled_at     text COLLATE "C",
    train            text COLLATE "C" NOT NULL,
    origin_date      text COLLATE "C" NOT NULL,
    class_code       text COLLATE "C" NOT NULL,
    quota            text COLLATE "C" NOT NULL,
    from_index       integer NOT NULL,
    to_index         integer NOT NULL,
    PRIMARY KEY (pnr, number),
    CHECK ((state = 'CNF') = (coach IS NOT NULL AND slot = 0) OR state IN ('RAC', 'CAN'))
);
CREATE UNIQUE INDEX waitlist_numbers
    ON passengers (train, origin_date, class_code, quota, wl_no) WHERE wl_no IS NOT NULL;
CREATE INDEX passengers_by_pool
    ON passengers (train, origin_date, class_code, quota, state, queue_no);
CREATE TABLE occupancy (
    train       text COLLATE "C" NOT NULL,
    origin_date text COLLATE "C" NOT NULL,
    class_code  text COLLATE "C" NOT NULL,
    coach       text COLLATE "C" NOT NULL,
    berth       integer NOT NULL,
    slot        integer NOT NULL,
    leg         integer NOT NULL,
    pnr         text COLLATE "C" NOT NULL,
    number      integer NOT NULL,
    PRIMARY KEY (train, origin_date, class_code, coach, berth, slot, leg),
    FOREIGN KEY (pnr, number) REFERENCES passengers(pnr, number)
);
CREATE INDEX occupancy_by_passenger ON occupancy (pnr, number);
