-- Version 3: parked carts, so a sale put aside for the next customer survives a restart.

-- One row per parked cart, keyed by the cart's order id (the upload's idempotency key, which
-- a resumed cart keeps). `data` is kiosk.core.cart_snapshot's JSON: products by id, never
-- prices, so a resumed cart is priced from the catalog as it is then. The other columns are
-- what the list of parked sales shows without decoding `data`.
CREATE TABLE parked_carts (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL DEFAULT '',
    parked_at TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    data TEXT NOT NULL  -- JSON object
) WITHOUT ROWID;
CREATE INDEX parked_carts_parked_at ON parked_carts (parked_at);
