-- Schema 5: one inventory row per train-day and class (the seat map): the fingerprint of the
-- class's layout and one bitmap per leg of the route (railway.store.SeatMap), kept equal to
-- that class's occupancy rows in the same transaction. A class that already holds places gets
-- a stale row (layout ''), rebuilt from its occupancy rows when first read.
CREATE TABLE seat_maps (
    train       TEXT NOT NULL,
    origin_date TEXT NOT NULL,
    class_code  TEXT NOT NULL,
    layout      TEXT NOT NULL,
    legs        BLOB NOT NULL,
    PRIMARY KEY (train, origin_date, class_code)
) WITHOUT ROWID;
INSERT INTO seat_maps (train, origin_date, class_code, layout, legs)
    SELECT DISTINCT train, origin_date, class_code, '', x'' FROM occupancy
