"""Schema migrations: from an empty database and from every earlier version, forward only."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.core.models import Customer, PaymentMethod
from kiosk.store import catalog, migrate, orders, outbox, search, sync_state
from kiosk.store.db import Database
from kiosk.store.migrate import Migration, MigrationError, SchemaTooNew
from tests.store.factory import T0, Sold, make_order, simple, variable, variation

LATEST = migrate.latest_version()


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


# Representative rows written with plain SQL at the version that introduced their tables. A new
# migration that changes these tables adds a seeder for its version; older seeders stay as they
# were, since they describe databases that exist in the field.
def _seed_v1(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        INSERT INTO products (id, kind, name, sku, barcode, currency, price, manage_stock,
            stock_quantity, fold_name, fold_sku)
            VALUES ('p1', 'simple', 'Old Mug', 'MUG-1', '5000001', 'EUR', 850, 1, 4,
                    'old mug', 'mug-1');
        INSERT INTO customers (id, first_name, last_name, email) VALUES ('c1', 'Ann', 'Lee', 'a@x');
        INSERT INTO orders (id, number, created_at, currency, subtotal, discount_total,
            discount_tax, tax_total, total, prices_include_tax, round_at_subtotal)
            VALUES ('o1', 'K-00001', '2026-01-01T10:00:00.000000+00:00', 'EUR', 850, 0, 0, 0,
                    850, 0, 0);
        INSERT INTO order_lines (order_id, line_no, product_id, name, sku, quantity, unit_price,
            subtotal, subtotal_tax, total, total_tax, discount)
            VALUES ('o1', 1, 'p1', 'Old Mug', 'MUG-1', 1, 850, 850, 0, 850, 0, 0);
        INSERT INTO payments (order_id, position, method, amount, tendered, change)
            VALUES ('o1', 0, 'cash', 850, 1000, 150);
        INSERT INTO outbox (order_id, state, next_attempt_at, updated_at)
            VALUES ('o1', 'pending_sync', '2026-01-01T10:00:00.000000+00:00',
                    '2026-01-01T10:00:00.000000+00:00');
        INSERT INTO order_numbers (prefix, last_seq) VALUES ('K-', 1);
        INSERT INTO sync_state (key, value) VALUES ('last_pull_at', '2026-01-01T09:00:00+00:00');
        """
    )


SEEDERS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _seed_v1}


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    found = migrate.migrations()
    assert [m.version for m in found] == list(range(1, LATEST + 1))
    assert LATEST >= 1
    assert all(m.sql.strip() for m in found)


async def test_open_migrates_an_empty_database_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "new" / "kiosk.db"
    async with await Database.open(path) as db:
        version = await db.read(migrate.current_version)
        integrity = await db.read(lambda c: c.execute("PRAGMA integrity_check").fetchall())
    assert path.exists()
    assert version == LATEST
    assert integrity == [("ok",)]


@pytest.mark.parametrize("start", range(LATEST + 1))
async def test_upgrade_from_every_earlier_version_keeps_data(tmp_path: Path, start: int) -> None:
    path = tmp_path / "kiosk.db"
    conn = _raw(path)
    assert migrate.migrate(conn, target=start) == start
    seeded = max((v for v in SEEDERS if v <= start), default=None)
    if seeded is not None:
        SEEDERS[seeded](conn)
    conn.close()

    async with await Database.open(path) as db:
        assert await db.read(migrate.current_version) == LATEST
        checks = await db.read(
            lambda c: (
                c.execute("PRAGMA integrity_check").fetchall(),
                c.execute("PRAGMA foreign_key_check").fetchall(),
                c.execute("INSERT INTO products_fts (products_fts) VALUES ('integrity-check')"),
            )
        )
        assert checks[0] == [("ok",)]
        assert checks[1] == []
        if seeded is not None:
            mug = await catalog.get_product(db, "p1")
            assert mug is not None
            assert mug.name == "Old Mug"
            assert mug.stock_quantity == 4
            assert [p.id for p in await search.search(db, "old mu")] == ["p1"]
            assert (await catalog.find_by_code(db, "mug-1")) == mug
            stored = await orders.get_order(db, "K-00001")
            assert stored is not None
            assert stored.order.total.minor == 850
            assert stored.state is outbox.OutboxState.PENDING_SYNC
            (old,) = stored.order.payments
            assert old.change.minor == 150
            # A payment from before version 7 has no entry mode or auth code: none is made up.
            assert (old.entry_mode, old.auth_code) == ("", "")
            status = await sync_state.get_sync_status(db)
            assert status.last_pull_at is not None
        # The upgraded database takes today's writes like a new one.
        await catalog.upsert_products(
            db, [simple("p2", "New Cup"), variable("p3", "Tee"), variation("p3a", "p3", "Tee S")]
        )
        await catalog.upsert_customers(db, [Customer("c2", first_name="Bo")])
        sale = await orders.commit_sale(db, make_order([Sold("p2")], created_at=T0), prefix="K-")
        assert sale.number == ("K-00002" if seeded is not None else "K-00001")
        assert [p.id for p in await search.search(db, "new cup")] == ["p2"]
        card = make_order([Sold("p2")], created_at=T0, method=PaymentMethod.CARD)
        paid = dataclasses.replace(card.payments[0], entry_mode="Chip", auth_code="123456")
        await orders.commit_sale(db, dataclasses.replace(card, payments=(paid,)), prefix="K-")
        kept = await orders.get_order(db, card.id)
        assert kept is not None
        assert kept.order.payments == (paid,)


async def test_a_database_from_newer_code_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    conn = _raw(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew, match=rf"schema version {LATEST + 1}.*newer kiosk"):
        await Database.open(path)
    conn = _raw(path)
    assert migrate.current_version(conn) == LATEST + 1
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    conn.close()


def test_a_failing_migration_rolls_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = Migration(
        LATEST + 1,
        f"{LATEST + 1:04d}_broken.sql",
        "CREATE TABLE added (a INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    shipped = migrate.migrations()
    monkeypatch.setattr(migrate, "migrations", lambda: (*shipped, bad))
    conn = _raw(tmp_path / "kiosk.db")
    with pytest.raises(MigrationError, match=r"_broken\.sql failed and was rolled back"):
        migrate.migrate(conn)
    # Every good migration is applied; the broken one left nothing behind.
    assert migrate.current_version(conn) == LATEST
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "added" not in tables
    assert "products" in tables
    assert not conn.in_transaction
    conn.close()


def test_migrate_refuses_targets_outside_the_known_range(tmp_path: Path) -> None:
    conn = _raw(tmp_path / "kiosk.db")
    with pytest.raises(ValueError, match="outside"):
        migrate.migrate(conn, target=LATEST + 1)
    conn.close()


def test_split_statements_understands_triggers_comments_and_strings() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a TEXT DEFAULT 'x;y');
    /* block; comment */
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET a = 'z;' WHERE rowid = new.rowid;
        SELECT 1;
    END;
    -- trailing comment
    """
    parts = migrate.split_statements(script)
    assert len(parts) == 2
    assert "CREATE TRIGGER" in parts[1]
    assert parts[1].endswith("END;")
    conn = sqlite3.connect(":memory:")
    for p in parts:
        conn.execute(p)
    conn.execute("INSERT INTO t DEFAULT VALUES")
    assert conn.execute("SELECT a FROM t").fetchone() == ("z;",)
    with pytest.raises(MigrationError, match="incomplete statement"):
        migrate.split_statements("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;")
