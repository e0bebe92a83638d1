"""Committing sales: one durable transaction, idempotent, numbered, stock taken, kept safe."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.models import Payment, PaymentMethod, StockStatus
from kiosk.core.money import Money
from kiosk.store import catalog, orders, outbox
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from tests.store.factory import T0, Sold, eur, make_order, simple, variable, variation

TABLES = ("orders", "order_lines", "order_line_taxes", "order_tax_lines", "payments", "outbox")


async def _rows(db: Database) -> dict[str, int]:
    def run(c: sqlite3.Connection) -> dict[str, int]:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}

    return await db.read(run)


async def _stock(db: Database, pid: str) -> tuple[int | None, StockStatus]:
    p = await catalog.get_product(db, pid)
    assert p is not None
    return p.stock_quantity, p.stock_status


@pytest.fixture
async def shop(db: Database) -> Database:
    await catalog.upsert_products(
        db,
        [
            simple("mug", "Mug", manage_stock=True, stock_quantity=5),
            simple("card", "Card"),  # stock not managed
            variable("tee", "Tee", manage_stock=True, stock_quantity=10),
            variation("tee-s", "tee", "Tee - S"),  # stock held by the parent
            variation("tee-m", "tee", "Tee - M", manage_stock=True, stock_quantity=2),
            variable("cap", "Cap"),
            variation("cap-1", "cap", "Cap - One"),  # nobody manages stock
        ],
    )
    return db


async def test_commit_sale_writes_the_whole_order_in_one_durable_transaction(
    shop: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[bool] = []
    real = shop.write

    async def spy(fn: Any, *, durable: bool = False) -> Any:
        writes.append(durable)
        return await real(fn, durable=durable)

    monkeypatch.setattr(shop, "write", spy)
    order = make_order(
        [Sold("mug", 2, 850), Sold("tee", 1, 1500, variation_id="tee-m", discount=100)],
        meta={"device": "till-1", "uuid": "x"},
    )
    done = await orders.commit_sale(shop, order, prefix="K1-")
    assert writes == [True]
    assert done.number == "K1-00001"
    assert done == dataclasses.replace(order, number="K1-00001")
    assert await _rows(shop) == {
        "orders": 1,
        "order_lines": 2,
        "order_line_taxes": 2,
        "order_tax_lines": 1,
        "payments": 1,
        "outbox": 1,
    }
    stored = await orders.get_order(shop, order.id)
    assert stored is not None
    assert stored.order == done  # rebuilt exactly, down to Decimal rates and meta
    assert stored.state is OutboxState.PENDING_SYNC
    assert stored.attempts == 0
    assert stored.last_error == ""
    assert stored.remote_id is None
    assert stored.next_attempt_at == order.created_at == stored.updated_at
    assert await orders.get_order(shop, "K1-00001") == stored
    assert await orders.get_order(shop, "K1-00002") is None


async def test_a_failure_inside_the_transaction_leaves_nothing(shop: Database) -> None:
    await shop.write(
        lambda c: c.execute(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON main.outbox "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        await orders.commit_sale(shop, make_order([Sold("mug", 2)]), prefix="K-")
    assert set((await _rows(shop)).values()) == {0}
    assert await _stock(shop, "mug") == (5, StockStatus.IN_STOCK)
    numbers = await shop.read(lambda c: c.execute("SELECT * FROM order_numbers").fetchall())
    assert numbers == []
    await shop.write(lambda c: c.execute("DROP TRIGGER temp.boom"))
    done = await orders.commit_sale(shop, make_order([Sold("mug", 2)]), prefix="K-")
    assert done.number == "K-00001"  # the failed attempt used no number


async def test_committing_the_same_order_twice_sells_once(shop: Database) -> None:
    order = make_order([Sold("mug", 1)])
    first = await orders.commit_sale(shop, order, prefix="K-")
    again = await orders.commit_sale(shop, order, prefix="K-")
    other_prefix = await orders.commit_sale(shop, order, prefix="Z-")
    assert first == again == other_prefix
    assert first.number == "K-00001"
    assert (await _rows(shop))["orders"] == 1
    assert await _stock(shop, "mug") == (4, StockStatus.IN_STOCK)
    nxt = await orders.commit_sale(shop, make_order([Sold("card")]), prefix="K-")
    assert nxt.number == "K-00002"


async def test_numbers_never_repeat_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    seen: list[str] = []
    for _ in range(3):
        async with await Database.open(path) as db:
            for _ in range(2):
                seen.append(
                    (await orders.commit_sale(db, make_order([Sold("x")]), prefix="A-")).number
                )
            seen.append((await orders.commit_sale(db, make_order([Sold("x")]), prefix="B-")).number)
    assert seen == [
        "A-00001", "A-00002", "B-00001",
        "A-00003", "A-00004", "B-00002",
        "A-00005", "A-00006", "B-00003",
    ]  # fmt: skip


async def test_a_number_another_prefix_already_spelled_is_skipped(db: Database) -> None:
    await db.write(lambda c: c.execute("INSERT INTO order_numbers VALUES ('A', 100000)"))
    clash = await orders.commit_sale(db, make_order([Sold("x")]), prefix="A1")  # "A100001"
    assert clash.number == "A100001"
    nxt = await orders.commit_sale(db, make_order([Sold("x")]), prefix="A")
    assert nxt.number == "A100002"


async def test_stock_rules(shop: Database) -> None:
    order = make_order(
        [
            Sold("mug", 3),
            Sold("mug", 4),  # two lines of one product add up
            Sold("card", 9),
            Sold("tee", 2, variation_id="tee-s"),  # takes the parent's stock
            Sold("tee", 1, variation_id="tee-m"),  # manages its own
            Sold("cap", 1, variation_id="cap-1"),  # nobody manages: nothing moves
            Sold("gone", 1),  # not in the local catalog any more
        ]
    )
    await orders.commit_sale(shop, order, prefix="K-")
    assert await _stock(shop, "mug") == (-2, StockStatus.OUT_OF_STOCK)  # may go negative
    assert await _stock(shop, "card") == (None, StockStatus.IN_STOCK)
    assert await _stock(shop, "tee") == (8, StockStatus.IN_STOCK)
    assert await _stock(shop, "tee-s") == (None, StockStatus.IN_STOCK)
    assert await _stock(shop, "tee-m") == (1, StockStatus.IN_STOCK)
    assert await _stock(shop, "cap-1") == (None, StockStatus.IN_STOCK)
    await orders.commit_sale(shop, make_order([Sold("tee", 1, variation_id="tee-m")]), prefix="K-")
    assert await _stock(shop, "tee-m") == (0, StockStatus.OUT_OF_STOCK)  # 0 is out of stock


async def test_broken_orders_are_refused_and_nothing_is_written(shop: Database) -> None:
    good = make_order([Sold("mug", 1, 1000)])
    short_paid = dataclasses.replace(
        good, payments=(Payment(PaymentMethod.CASH, eur(100), eur(100), eur(0)),)
    )
    with pytest.raises(ValueError, match=r"payments add up to 1\.00 EUR, not the total 12\.00"):
        await orders.commit_sale(shop, short_paid, prefix="K-")
    wrong_total = dataclasses.replace(good, total=eur(1), payments=())
    with pytest.raises(ValueError, match=r"total 0\.01 EUR != sum of line totals"):
        await orders.commit_sale(shop, wrong_total, prefix="K-")
    with pytest.raises(ValueError, match=r"tax_total .* != sum of tax lines"):
        await orders.commit_sale(shop, dataclasses.replace(good, tax_lines=()), prefix="K-")
    with pytest.raises(ValueError, match="it has no lines"):
        await orders.commit_sale(shop, dataclasses.replace(good, lines=()), prefix="K-")
    naive = dataclasses.replace(good, created_at=T0.replace(tzinfo=None))
    with pytest.raises(ValueError, match="naive"):
        await orders.commit_sale(shop, naive, prefix="K-")
    gbp = dataclasses.replace(good, discount_tax=Money(0, "GBP"))
    with pytest.raises(ValueError, match="not in the order's currency EUR: discount_tax"):
        await orders.commit_sale(shop, gbp, prefix="K-")
    line = dataclasses.replace(good.lines[0], discount=eur(5))
    with pytest.raises(ValueError, match="line 1 discount"):
        await orders.commit_sale(shop, dataclasses.replace(good, lines=(line,)), prefix="K-")
    assert set((await _rows(shop)).values()) == {0}
    assert await _stock(shop, "mug") == (5, StockStatus.IN_STOCK)


async def test_an_unsynced_order_cannot_be_deleted(shop: Database) -> None:
    sale = await orders.commit_sale(shop, make_order([Sold("mug")]), prefix="K-")
    with pytest.raises(sqlite3.IntegrityError, match="not yet uploaded"):
        await shop.write(lambda c: c.execute("DELETE FROM orders WHERE id = ?", (sale.id,)))
    with pytest.raises(sqlite3.IntegrityError, match="not yet uploaded"):
        await shop.write(lambda c: c.execute("DELETE FROM outbox"))
    assert (await _rows(shop))["orders"] == 1

    item = await outbox.claim_next(shop, T0)
    assert item is not None
    await outbox.mark_failed(shop, sale.id, "rejected")
    with pytest.raises(sqlite3.IntegrityError, match="not yet uploaded"):
        await shop.write(lambda c: c.execute("DELETE FROM orders"))
    await outbox.retry(shop, sale.id, T0)
    await outbox.claim_next(shop, T0)
    await outbox.mark_synced(shop, sale.id, "1001", T0)
    # Once the store has it, pruning the order removes it whole.
    await shop.write(lambda c: c.execute("DELETE FROM orders WHERE id = ?", (sale.id,)))
    assert set((await _rows(shop)).values()) == {0}


async def test_list_orders_newest_first_and_by_state(db: Database) -> None:
    sales = [
        await orders.commit_sale(
            db, make_order([Sold("x")], created_at=T0 + timedelta(minutes=i)), prefix="K-"
        )
        for i in range(4)
    ]
    listed = await orders.list_orders(db)
    assert [s.order.number for s in listed] == ["K-00004", "K-00003", "K-00002", "K-00001"]
    assert [s.order for s in listed] == sales[::-1]
    page = await orders.list_orders(db, limit=2, offset=1)
    assert [s.order.number for s in page] == ["K-00003", "K-00002"]
    await outbox.claim_next(db, T0 + timedelta(hours=1))
    syncing = await orders.list_orders(db, state=OutboxState.SYNCING)
    assert [s.order.number for s in syncing] == ["K-00001"]
    assert len(await orders.list_orders(db, state=OutboxState.PENDING_SYNC)) == 3
    assert await orders.list_orders(db, state=OutboxState.FAILED) == []
    with pytest.raises(ValueError, match="limit"):
        await orders.list_orders(db, limit=0)
