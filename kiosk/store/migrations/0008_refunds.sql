-- Version 8: refunds, their lines and their own outbox.
--
-- A refund is committed whole in one transaction with its outbox row, like a sale: its UUID
-- (minted when staff start it) is the idempotency key of the card refund and of the store's
-- refund. `reference` is the card refund's id at the payment provider once the money went back
-- (the card step); `remote_id` the store's refund id once it has it. Money is INTEGER minor
-- units in the refund's currency; times ISO-8601 UTC text, as everywhere.

CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,  -- lines' totals with their tax: what the customer got back
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'other')),
    restock INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    staff TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',  -- the card refund ("re_..."), once made
    remote_id TEXT  -- the store's refund id, once uploaded
);
CREATE INDEX refunds_order ON refunds (order_id, created_at);
CREATE INDEX refunds_created ON refunds (created_at);

CREATE TABLE refund_lines (
    refund_id TEXT NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,  -- the order line's number
    product_id TEXT NOT NULL,
    variation_id TEXT,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    total INTEGER NOT NULL,  -- ex tax
    total_tax INTEGER NOT NULL,
    PRIMARY KEY (refund_id, line_no)
) WITHOUT ROWID;

CREATE TABLE refund_line_taxes (
    refund_id TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    position INTEGER NOT NULL,
    rate_id TEXT NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (refund_id, line_no, position),
    FOREIGN KEY (refund_id, line_no) REFERENCES refund_lines (refund_id, line_no) ON DELETE CASCADE
) WITHOUT ROWID;

-- One row per refund; states and their meaning as the orders' outbox (kiosk.store.outbox).
CREATE TABLE refund_outbox (
    seq INTEGER PRIMARY KEY,
    refund_id TEXT NOT NULL UNIQUE REFERENCES refunds (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending_sync', 'syncing', 'synced', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    first_attempt_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX refund_outbox_state ON refund_outbox (state, seq);

-- A refund the store has not confirmed exists nowhere else (and a card refund's id may be the
-- only record that money went back): it must not be deleted, not even with its order.
CREATE TRIGGER refunds_keep_unsynced BEFORE DELETE ON refunds
WHEN (SELECT state FROM refund_outbox WHERE refund_id = old.id) IS NOT 'synced' BEGIN
    SELECT RAISE(ABORT, 'refund not yet uploaded to the store: it cannot be deleted');
END;
CREATE TRIGGER refund_outbox_keep_unsynced BEFORE DELETE ON refund_outbox
WHEN old.state != 'synced' BEGIN
    SELECT RAISE(ABORT, 'outbox row of a refund not yet uploaded to the store: it cannot be deleted');
END;
