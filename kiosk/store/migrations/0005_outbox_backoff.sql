-- Version 5: each upload's backoff counts failures since the store last answered, not attempts.
--
-- `attempts` counts every try (a try after the first looks the order up before it sends), and
-- only grows. `failures` is how many tries in a row failed since the store was last reached: the
-- backoff grows with it and starts again from the bottom once the link is back, so an order that
-- met a long outage is not left waiting minutes after it ended.
ALTER TABLE outbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
