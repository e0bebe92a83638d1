-- Version 1: the catalog, the search index, orders with their outbox, and sync state.
--
-- Money is INTEGER minor units next to a currency column; times are ISO-8601 UTC text with
-- microseconds (so text order is time order); ids from the store are TEXT. Catalog rows have an
-- INTEGER PRIMARY KEY `pk` of their own so the FTS index can point at them by rowid.

-- ---------------------------------------------------------------------------------------------
-- Catalog

CREATE TABLE products (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('simple', 'variable', 'variation')),
    -- No foreign key: a sync batch may bring a variation before its parent.
    parent_id TEXT,
    name TEXT NOT NULL,
    sku TEXT NOT NULL DEFAULT '',
    barcode TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT '',
    price INTEGER,
    regular_price INTEGER,
    tax_status TEXT NOT NULL DEFAULT 'taxable',
    tax_class TEXT NOT NULL DEFAULT '',
    manage_stock INTEGER NOT NULL DEFAULT 0,
    stock_quantity INTEGER,
    stock_status TEXT NOT NULL DEFAULT 'instock',
    status TEXT NOT NULL DEFAULT 'publish',
    attributes TEXT NOT NULL DEFAULT '[]',    -- JSON [[name, [options...]], ...]
    category_ids TEXT NOT NULL DEFAULT '[]',  -- JSON [id, ...]; product_categories follows it
    image_url TEXT NOT NULL DEFAULT '',
    modified_at TEXT,
    -- Search text, folded by Python's str.lower() (SQL's lower() knows ASCII only) and written
    -- with the row, except fold_variants, which catalog.upsert_products keeps up to date.
    fold_name TEXT NOT NULL DEFAULT '',
    fold_sku TEXT NOT NULL DEFAULT '',
    fold_options TEXT NOT NULL DEFAULT '[]',  -- a variation's attribute options: JSON array
    fold_variants TEXT NOT NULL DEFAULT '',   -- a parent's variations' options, space-separated
    -- What search matches by name: a product's name and its variations' options; a variation
    -- is found by its SKU or barcode only (its name search surfaces the parent).
    search_text TEXT GENERATED ALWAYS AS (
        CASE WHEN kind = 'variation' THEN '' ELSE fold_name || ' ' || fold_variants END
    ) VIRTUAL,
    -- kiosk.core.models.SELLABLE_STATUSES, in one place for SQL (a test keeps them equal).
    listed INTEGER GENERATED ALWAYS AS (status IN ('publish', 'private')) VIRTUAL,
    -- Product.sellable: what the till may put on a cart.
    sellable INTEGER GENERATED ALWAYS AS (
        kind != 'variable' AND price IS NOT NULL AND status IN ('publish', 'private')
    ) VIRTUAL
);
CREATE INDEX products_barcode ON products (barcode);
CREATE INDEX products_sku ON products (fold_sku);
CREATE INDEX products_parent ON products (parent_id);
CREATE INDEX products_name ON products (fold_name);

-- Category membership as rows, for browsing by category; kept in step with
-- products.category_ids by the triggers below so writers only ever touch products.
CREATE TABLE product_categories (
    category_id TEXT NOT NULL,
    product_pk INTEGER NOT NULL REFERENCES products (pk) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (category_id, product_pk)
) WITHOUT ROWID;
CREATE INDEX product_categories_product ON product_categories (product_pk);

CREATE TRIGGER products_categories_ai AFTER INSERT ON products BEGIN
    INSERT OR IGNORE INTO product_categories (category_id, product_pk, position)
        SELECT value, new.pk, key FROM json_each(new.category_ids);
END;
CREATE TRIGGER products_categories_au AFTER UPDATE OF category_ids ON products
WHEN old.category_ids IS NOT new.category_ids BEGIN
    DELETE FROM product_categories WHERE product_pk = old.pk;
    INSERT OR IGNORE INTO product_categories (category_id, product_pk, position)
        SELECT value, new.pk, key FROM json_each(new.category_ids);
END;

-- Substring search over search_text, SKU and barcode: an external-content FTS5 table on the
-- products' rowid with the trigram tokenizer (case-insensitive), kept right by triggers.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    search_text, sku, barcode,
    content = 'products', content_rowid = 'pk', tokenize = 'trigram'
);
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, search_text, sku, barcode)
        VALUES (new.pk, new.search_text, new.sku, new.barcode);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search_text, sku, barcode)
        VALUES ('delete', old.pk, old.search_text, old.sku, old.barcode);
END;
-- A re-sync rewrites every row; only reindex the ones whose searchable text changed.
CREATE TRIGGER products_fts_au AFTER UPDATE OF kind, fold_name, fold_variants, sku, barcode
ON products WHEN old.search_text IS NOT new.search_text OR old.sku IS NOT new.sku
    OR old.barcode IS NOT new.barcode BEGIN
    INSERT INTO products_fts (products_fts, rowid, search_text, sku, barcode)
        VALUES ('delete', old.pk, old.search_text, old.sku, old.barcode);
    INSERT INTO products_fts (rowid, search_text, sku, barcode)
        VALUES (new.pk, new.search_text, new.sku, new.barcode);
END;

CREATE TABLE categories (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id TEXT,
    slug TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE customers (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    modified_at TEXT
);

CREATE TABLE tax_rates (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    rate TEXT NOT NULL,  -- a Decimal percentage as text, exactly as the store sent it
    name TEXT NOT NULL,
    tax_class TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 1,
    compound INTEGER NOT NULL DEFAULT 0,
    shipping INTEGER NOT NULL DEFAULT 1,
    country TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    postcodes TEXT NOT NULL DEFAULT '[]',  -- JSON
    cities TEXT NOT NULL DEFAULT '[]',     -- JSON
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE shop_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    currency TEXT NOT NULL,
    prices_include_tax INTEGER NOT NULL,
    round_at_subtotal INTEGER NOT NULL,
    taxes_enabled INTEGER NOT NULL,
    country TEXT NOT NULL,
    state TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    locale TEXT NOT NULL,
    name TEXT NOT NULL
);

-- ---------------------------------------------------------------------------------------------
-- Orders: written once, in the sale's transaction, and never changed except by the outbox.

CREATE TABLE order_numbers (
    prefix TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE orders (
    id TEXT PRIMARY KEY,  -- the UUID minted when the cart started: the idempotency key
    number TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    discount_total INTEGER NOT NULL,
    discount_tax INTEGER NOT NULL,
    tax_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    prices_include_tax INTEGER NOT NULL,
    round_at_subtotal INTEGER NOT NULL,
    customer_id TEXT,
    cashier TEXT NOT NULL DEFAULT '',
    offline INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL DEFAULT '{}',  -- JSON object of text
    remote_id TEXT  -- the store's id once uploaded
);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    variation_id TEXT,
    name TEXT NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    subtotal INTEGER NOT NULL,
    subtotal_tax INTEGER NOT NULL,
    total INTEGER NOT NULL,
    total_tax INTEGER NOT NULL,
    discount INTEGER NOT NULL,
    tax_class TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '[]',  -- JSON, as products.attributes
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

CREATE TABLE order_line_taxes (
    order_id TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    position INTEGER NOT NULL,
    rate_id TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no, position),
    FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE order_tax_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    rate_id TEXT NOT NULL,
    label TEXT NOT NULL,
    rate TEXT NOT NULL,
    compound INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;

CREATE TABLE payments (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    method TEXT NOT NULL,
    amount INTEGER NOT NULL,
    tendered INTEGER NOT NULL,
    change INTEGER NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    card_brand TEXT NOT NULL DEFAULT '',
    card_last4 TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;

-- One row per order; `seq` is the order of sale, which the upload follows (FIFO).
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending_sync', 'syncing', 'synced', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX outbox_state ON outbox (state, seq);

-- A sale the store has not confirmed exists nowhere else: it must not be deleted.
CREATE TRIGGER orders_keep_unsynced BEFORE DELETE ON orders
WHEN (SELECT state FROM outbox WHERE order_id = old.id) IS NOT 'synced' BEGIN
    SELECT RAISE(ABORT, 'order not yet uploaded to the store: it cannot be deleted');
END;
CREATE TRIGGER outbox_keep_unsynced BEFORE DELETE ON outbox
WHEN old.state != 'synced' BEGIN
    SELECT RAISE(ABORT, 'outbox row of an order not yet uploaded to the store: it cannot be deleted');
END;

-- ---------------------------------------------------------------------------------------------
-- Sync bookkeeping: last pull/push times, initial sync progress, connector cursors.

CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
