"""`kiosk orders refund`: offline on the device, then up to the store with `kiosk sync --once`."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import urllib.request
from pathlib import Path

import pytest

from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.orders import META_ORDER_ID, meta_value
from kiosk.connectors.woocommerce.refunds import META_REFUND_ID
from kiosk.core.models import Product
from kiosk.sim.device import provision_device
from tests.bench.sync_figures import simulator
from tests.cli.conftest import Run, as_json


def _sell(kiosk: Run, *items: str) -> dict[str, object]:
    args = [a for item in items for a in ("--item", item)]
    code, out, err = kiosk("sale", *args, "--json")
    assert code == 0, err
    return as_json(out)


def test_a_cash_refund_is_made_offline_and_refuses_more_than_was_sold(
    loaded: Run, demo_products: list[Product]
) -> None:
    a, b = demo_products[0], demo_products[1]
    sale = _sell(loaded, f"{a.sku}:3", b.sku)
    number = str(sale["number"])
    code, out, err = loaded("orders", "refund", number, "--line", f"{a.sku}:2", "--json")
    assert code == 0, err
    refund = as_json(out)
    assert refund["status"] == "pending_sync"
    assert refund["method"] == "cash"
    assert [(li["sku"], li["quantity"]) for li in refund["lines"]] == [(a.sku, 2)]
    code, _, err = loaded("orders", "refund", number, "--line", f"{a.sku}:2")
    assert code == 2
    assert f"SKU {a.sku}: 2 to refund, but only 1 of 3 sold are left to refund" in err
    code, _, err = loaded("orders", "refund", number, "--card")
    assert code == 2
    assert "was not paid by card: refund it in cash" in err
    code, _, err = loaded("orders", "refund", number, "--line", "nope")
    assert code == 2
    assert "--line 'nope': expected SKU:QTY" in err
    code, out, err = loaded("orders", "refund", number)  # the rest
    assert code == 0, err
    assert "Refund in cash" in out
    assert "Give the customer" in out
    code, out, _ = loaded("orders", "show", number, "--json")
    shown = as_json(out)
    assert [r["status"] for r in shown["refunds"]] == ["pending_sync", "pending_sync"]
    given = sum(r["amount"]["minor"] for r in shown["refunds"])
    assert given == shown["total"]["minor"]
    code, out, _ = loaded("orders", "show", number)
    assert "Refunds:" in out
    assert "waiting to upload" in out
    code, out, _ = loaded("status", "--json")
    assert as_json(out)["refunds"] == {"pending_sync": 2, "syncing": 0, "synced": 0, "failed": 0}
    code, out, _ = loaded("status")
    assert "Refunds:  2 waiting to upload" in out


def _fault(url: str, spec: dict[str, object]) -> int:
    """Queue a fault on the simulator; how many faults are still to come."""
    req = urllib.request.Request(
        f"{url}/__sim/faults",
        data=json.dumps(spec).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201
        return int(json.loads(resp.read())["pending"])


def test_sync_once_uploads_a_partial_refund_once_past_a_lost_answer(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    with simulator(
        tmp_path, products=10, variable_share=0, variations_per=1, latency_ms=0, seed=0
    ) as store:
        provision_device(data_dir, url=store.url, key=store.key, secret=store.secret)
        code, _, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        with sqlite3.connect(data_dir / "kiosk.db") as conn:
            sku = conn.execute(
                "SELECT sku FROM products WHERE kind = 'simple' AND sku != '' ORDER BY sku"
            ).fetchone()[0]
        sale = _sell(kiosk, f"{sku}:3")
        # Refunded before the sale was uploaded, as when the counter is offline.
        code, out, err = kiosk(
            "orders", "refund", str(sale["number"]), "--line", f"{sku}:1", "--restock", "--json"
        )
        assert code == 0, err
        refund_id = as_json(out)["refund_id"]
        lost = {"kind": "drop_after_commit", "method": "POST", "path": "orders/", "count": 1}
        _fault(store.url, lost)  # the refund's POST /orders/<id>/refunds: saved, answer lost
        code, out, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        uploaded = as_json(out)["uploaded"]
        assert uploaded["synced"] == 1
        assert uploaded["refunds"]["synced"] == 1
        assert uploaded["refunds"]["waiting"] == 0
        # The lost answer was used up: only the harmless fault queued now is left.
        assert _fault(store.url, {"kind": "500", "path": "/never", "count": 1}) == 1
        code, out, _ = kiosk("orders", "show", str(sale["number"]), "--json")
        (refund,) = as_json(out)["refunds"]
        assert refund["refund_id"] == refund_id
        assert refund["status"] == "synced"
        assert refund["remote_id"]
        code, out, _ = kiosk("sync", "--once", "--json")  # nothing goes again
        assert as_json(out)["uploaded"]["refunds"]["synced"] == 0
        assert _store_refunds(store.url, store.key, store.secret, refund["order_id"]) == [refund_id]


def _store_refunds(url: str, key: str, secret: str, order_id: str) -> list[str]:
    """The refund UUIDs the store holds for the order with our order UUID (one listing each)."""

    async def run() -> list[str]:
        connector = WooConnector.connect(url, key, secret)
        try:
            client = connector.client
            orders = await client.get_all("/orders", {"per_page": 100})
            (order,) = [o for o in orders if meta_value(o, META_ORDER_ID) == order_id]
            listed = await client.get_all(f"/orders/{order['id']}/refunds", {"per_page": 100})
            return [str(meta_value(r, META_REFUND_ID)) for r in listed]
        finally:
            await connector.close()

    return asyncio.run(run())


def test_a_failed_refund_is_retried_from_the_command_line(
    loaded: Run, demo_products: list[Product], data_dir: Path
) -> None:
    sale = _sell(loaded, demo_products[0].sku)
    code, out, err = loaded("orders", "refund", str(sale["number"]), "--json")
    assert code == 0, err
    refund_id = as_json(out)["refund_id"]
    with sqlite3.connect(data_dir / "kiosk.db") as conn:  # as the agent parks a refusal
        conn.execute(
            "UPDATE refund_outbox SET state = 'failed', last_error = 'Invalid refund amount.' "
            "WHERE refund_id = ?",
            (refund_id,),
        )
    code, out, _ = loaded("orders", "show", str(sale["number"]))
    assert "failed: Invalid refund amount." in out
    code, out, err = loaded("orders", "retry", str(sale["number"]), "--json")
    assert code == 0, err
    assert as_json(out)["refunds"] == [refund_id]
    code, out, _ = loaded("orders", "show", str(sale["number"]), "--json")
    assert [r["status"] for r in as_json(out)["refunds"]] == ["pending_sync"]


def test_once_the_device_has_staff_a_refund_needs_a_managers_pin(
    loaded: Run, demo_products: list[Product], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = demo_products[0]
    number = str(_sell(loaded, f"{a.sku}:2")["number"])
    monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
    assert loaded("staff", "add", "Mia", "--role", "manager", "--pin-stdin")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("97531\n"))
    assert loaded("staff", "add", "Bo", "--role", "cashier", "--pin-stdin")[0] == 0

    code, _, err = loaded("orders", "refund", number, "--line", f"{a.sku}:1")
    assert code == 2
    assert "--manager NAME: a refund needs a manager's approval" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("97531\n"))
    code, _, err = loaded("orders", "refund", number, "--manager", "Bo", "--pin-stdin")
    assert code == 2
    assert "Bo is not a manager" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("11111\n"))
    code, _, err = loaded("orders", "refund", number, "--manager", "Mia", "--pin-stdin")
    assert code == 2
    assert "--manager Mia" in err

    monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
    code, out, err = loaded(
        "orders", "refund", number, "--line", f"{a.sku}:1", "--manager", "Mia", "--pin-stdin",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    refund = as_json(out)
    assert "48213" not in out
    with sqlite3.connect(data_dir / "kiosk.db") as conn:
        approved = conn.execute(
            "SELECT action, approved_by, subject FROM staff_overrides"
        ).fetchall()
        staff = conn.execute("SELECT staff FROM refunds").fetchall()
    assert approved == [("refund", "Mia", refund["refund_id"])]
    assert staff == [("Mia",)]
