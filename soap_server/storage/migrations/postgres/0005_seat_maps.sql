-- Schema 5: one inventory row per train-day and class (the seat map): the fingerprint of the
-- class's layout and one bitmap per leg of the route (railway.store.SeatMap), kept equal to
-- that class's occupancy rows in the same transaction. A write locks it (FOR UPDATE) first,
-- which serialises the writers of one class. A class that already holds places gets a stale
-- row (layout ''), rebuilt from its occupancy rows when first read.
CREATE TABLE seat_maps (
    train       text COLLATE "C" NOT NULL,
    origin_date text COLLATE "C" NOT NULL,
    class_code  text COLLATE "C" NOT NULL,
    layout      text COLLATE "C" NOT NULL,
    legs        bytea NOT NULL,
    PRIMARY KEY (train, origin_date, class_code)
);
INSERT INTO seat_maps (train, origin_date, class_code, layout, legs)
    SELECT DISTINCT train, origin_date, class_code, '', ''::bytea FROM occupancy
    ON CONFLICT DO NOTHING
