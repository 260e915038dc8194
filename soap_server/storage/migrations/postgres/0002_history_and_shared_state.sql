-- Schema 2: the history of migrations (which version, when), beside meta's schema_version;
-- and the simulation's shared state, so that a profile behaves the same over one app host or
-- several (on SQLite, one machine, the simulation keeps it in each process).
CREATE TABLE schema_migrations (
    version    integer PRIMARY KEY,
    name       text COLLATE "C" NOT NULL,
    applied_at text COLLATE "C" NOT NULL
);
-- How many draws each (agent, stream) has made: the n-th call meets the n-th draw, whichever
-- host serves it.
CREATE TABLE sim_draws (
    agent  text COLLATE "C" NOT NULL,
    stream text COLLATE "C" NOT NULL,
    drawn  bigint NOT NULL CHECK (drawn >= 0),
    PRIMARY KEY (agent, stream)
);
-- The per-agent rate limiter: the epoch seconds of each agent's calls in the last minute.
CREATE TABLE sim_calls (
    agent text COLLATE "C" PRIMARY KEY,
    calls double precision[] NOT NULL
);
-- Calls in flight per app process (the rush's crowd is their sum over live processes).
CREATE TABLE sim_processes (
    process   text COLLATE "C" PRIMARY KEY,
    in_flight integer NOT NULL CHECK (in_flight >= 0),
    seen_at   double precision NOT NULL
);
