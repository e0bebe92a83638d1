-- Version 4: card attempts, so a card is never charged twice under two keys.

-- One row per attempt to charge a card for an order (keyed by the order id the cart carries).
-- The attempt's idempotency key is "<order_id>:card:<attempt>". An attempt is written, durably,
-- before the reader is asked; one whose outcome never came back (a crash, a power cut) is retried
-- under the same key, so the reader answers with its first outcome instead of charging again.
-- A finished attempt is final: the next one gets the next number, also across park, resume and
-- restarts.
CREATE TABLE card_attempts (
    order_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'unknown',  -- unknown | approved | declined
    reference TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    PRIMARY KEY (order_id, attempt)
) WITHOUT ROWID;
