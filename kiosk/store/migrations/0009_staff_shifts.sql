-- Version 9: staff with PINs, manager overrides, drawer openings, shifts and their cash.
--
-- Who did what is kept by name as well as by id: a receipt, an order and a report say the name
-- the person had then, and a removed staff member's row stays (removed_at set) so that what they
-- did still names them. Money is INTEGER minor units of the shift's currency; times are ISO-8601
-- UTC text with microseconds, as everywhere. Refunds (another table) are read by the reports at
-- query time, so nothing here depends on them.

-- ---------------------------------------------------------------------------------------------
-- Staff

CREATE TABLE staff (
    id TEXT PRIMARY KEY,  -- a UUID minted on the device (or in the provisioning file)
    name TEXT NOT NULL CHECK (name != ''),
    fold_name TEXT NOT NULL,  -- name.casefold(): two people cannot share a name on one device
    role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    pin_hash TEXT NOT NULL,  -- kiosk.staff.pins: "scrypt$n$r$p$salt$key", never the PIN
    failures INTEGER NOT NULL DEFAULT 0,  -- wrong PINs in a row since the last good one
    locked_until TEXT,  -- no PIN is checked before this time
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE UNIQUE INDEX staff_name ON staff (fold_name) WHERE removed_at IS NULL;

-- Every manager approval: who approved which action for whom, on what.
CREATE TABLE staff_overrides (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL CHECK (
        action IN ('discount', 'refund', 'no_sale', 'void', 'settings', 'reset')
    ),
    approved_by_id TEXT NOT NULL REFERENCES staff (id),
    approved_by TEXT NOT NULL,  -- the manager's name then
    requested_by TEXT NOT NULL DEFAULT '',  -- the staff member signed in, if any
    subject TEXT NOT NULL DEFAULT '',  -- the order, cart or refund id it was for
    detail TEXT NOT NULL DEFAULT '',  -- in words, e.g. "25% off the sale"
    amount INTEGER,  -- minor units of `currency`, when the action has an amount
    currency TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_overrides_time ON staff_overrides (created_at);

-- Every time the cash drawer was opened, and why.
CREATE TABLE drawer_openings (
    id TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (
        reason IN ('sale', 'refund', 'no_sale', 'cash_in', 'cash_out', 'float', 'count')
    ),
    staff TEXT NOT NULL DEFAULT '',  -- the name of who opened it
    staff_id TEXT,
    order_id TEXT,  -- the sale or refund it was opened for
    override_id TEXT REFERENCES staff_overrides (id),  -- a no-sale's approval
    created_at TEXT NOT NULL
);
CREATE INDEX drawer_openings_time ON drawer_openings (created_at);

-- ---------------------------------------------------------------------------------------------
-- Shifts: one open at a time; its sales are the orders created between opened_at and closed_at.

CREATE TABLE shifts (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,  -- the Z number, 1, 2, 3... on this device
    currency TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_by_id TEXT,
    float INTEGER NOT NULL CHECK (float >= 0),  -- the cash counted into the drawer at the start
    float_counts TEXT,  -- JSON {"<denomination minor>": count} when counted by denomination
    closed_at TEXT,
    closed_by TEXT,
    closed_by_id TEXT,
    counted INTEGER CHECK (counted >= 0),  -- the cash counted at the close
    counted_counts TEXT,
    report TEXT  -- the Z report as computed at the close (JSON), so a reprint is the same
);
CREATE UNIQUE INDEX shifts_one_open ON shifts ((1)) WHERE closed_at IS NULL;

CREATE TABLE cash_movements (
    id TEXT PRIMARY KEY,
    shift_id TEXT NOT NULL REFERENCES shifts (id),
    kind TEXT NOT NULL CHECK (kind IN ('in', 'out')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL CHECK (reason != ''),
    staff TEXT NOT NULL,
    staff_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX cash_movements_shift ON cash_movements (shift_id, created_at);
CREATE INDEX orders_created ON orders (created_at);
