-- Version 2: what the sync engine needs to adopt the store's stock and to look orders up.

-- Every time the device adopts a stock number from the store that differs from its own, the
-- difference is kept here: the store wins, and the record says by how much it disagreed.
CREATE TABLE stock_discrepancies (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    local INTEGER,   -- what the device had (NULL: it did not track a number)
    remote INTEGER,  -- what the store says (NULL: the store does not track a number)
    recorded_at TEXT NOT NULL,
    source TEXT NOT NULL  -- what brought the store's number: "pull", "order C1-00042", ...
);
CREATE INDEX stock_discrepancies_product ON stock_discrepancies (product_id, recorded_at);

-- When the first upload attempt began: a lookup for an order whose answer was lost only needs
-- to search the store's orders changed since then.
ALTER TABLE outbox ADD COLUMN first_attempt_at TEXT;
