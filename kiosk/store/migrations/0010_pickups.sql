-- Version 10: web orders waiting for collection, and the outbox that completes them in the store.
--
-- `pickups` is the store's list as last pulled (the agent replaces it on its catalog schedule),
-- plus what staff did here: `collected_at` / `collected_by` once handed over. A collected pickup
-- has one `pickup_outbox` row, committed in the same transaction, which the agent moves through
-- the orders' states (kiosk.store.outbox.OutboxState) until the store has completed it.
-- `remote_id` is the store's id of what is completed (an order id, a fulfillment order's GID).
-- Money is INTEGER minor units; times ISO-8601 UTC text, as everywhere.

CREATE TABLE pickups (
    remote_id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    customer TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    placed_at TEXT NOT NULL,
    currency TEXT NOT NULL,
    total INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT '',  -- the store's own word, as last pulled
    note TEXT NOT NULL DEFAULT '',
    lines TEXT NOT NULL DEFAULT '[]',  -- JSON [{"name", "sku", "quantity"}]
    search TEXT NOT NULL DEFAULT '',  -- number, name, e-mail and phone in lower case
    pulled_at TEXT NOT NULL,
    collected_at TEXT,
    collected_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pickups_placed ON pickups (placed_at);

CREATE TABLE pickup_outbox (
    seq INTEGER PRIMARY KEY,
    remote_id TEXT NOT NULL UNIQUE REFERENCES pickups (remote_id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending_sync', 'syncing', 'synced', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    first_attempt_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX pickup_outbox_state ON pickup_outbox (state, seq);

-- A collection the store has not confirmed is known only here: a pull must not drop it.
CREATE TRIGGER pickups_keep_uncompleted BEFORE DELETE ON pickups
WHEN (SELECT state FROM pickup_outbox WHERE remote_id = old.remote_id) IS NOT NULL
 AND (SELECT state FROM pickup_outbox WHERE remote_id = old.remote_id) != 'synced' BEGIN
    SELECT RAISE(ABORT, 'pickup collected but not yet completed in the store: it cannot be deleted');
END;
CREATE TRIGGER pickup_outbox_keep_unsynced BEFORE DELETE ON pickup_outbox
WHEN old.state != 'synced' BEGIN
    SELECT RAISE(ABORT, 'outbox row of a collected pickup not yet completed: it cannot be deleted');
END;
