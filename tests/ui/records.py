"""What the UI tests read back: the simulated store's products and the device's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from kiosk.core.money import Money
from kiosk.sim.woocommerce import SimHandle


def simple(sim: SimHandle, n: int = 0) -> dict[str, Any]:
    """The n-th published simple product with stock to sell."""
    items = [
        p
        for p in sorted(sim.state.products.values(), key=lambda p: p["id"])
        if p["type"] == "simple" and p["status"] == "publish" and (p["stock_quantity"] or 0) > 5
    ]
    return items[n]


def variable(sim: SimHandle) -> dict[str, Any]:
    return next(
        p
        for p in sorted(sim.state.products.values(), key=lambda p: p["id"])
        if p["type"] == "variable" and p["status"] == "publish"
    )


def rows(data_dir: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(data_dir / "kiosk.db") as c:
        c.row_factory = sqlite3.Row
        return list(c.execute(sql, args))


def orders(data_dir: Path) -> list[sqlite3.Row]:
    return rows(data_dir, "SELECT * FROM orders ORDER BY created_at")


def payments(data_dir: Path, order_id: str) -> list[tuple[str, int, int]]:
    """(method, amount, change) of each payment, in the order taken."""
    found = rows(
        data_dir,
        "SELECT method, amount, change FROM payments WHERE order_id = ? ORDER BY position",
        order_id,
    )
    return [(r["method"], r["amount"], r["change"]) for r in found]


def out_of_stock(sim: SimHandle) -> dict[str, Any]:
    """A published simple product the store has none of."""
    return next(
        p
        for p in sorted(sim.state.products.values(), key=lambda p: p["id"])
        if p["type"] == "simple"
        and p["status"] == "publish"
        and p["manage_stock"]
        and p["stock_quantity"] == 0
    )


def money(price: str) -> int:
    """A store price ("12.50") in pence."""
    return Money.parse(price, "GBP").minor


def pounds(pence: int) -> str:
    """Pence as the till shows them: 1600 -> "£16.00"."""
    return f"£{pence // 100}.{pence % 100:02d}"
