-- Schema 6: when a booking's boarding point was last changed (IST, ISO 8601), so that a later
-- cancellation can apply the era's rule that a change made close to departure forfeits the
-- refund. NULL for bookings never changed, and a booking changed before this schema keeps NULL
-- (the time is not known) and its cancellation refunds by the era's table, as before.
ALTER TABLE bookings ADD COLUMN boarding_changed_at TEXT
