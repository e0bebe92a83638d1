"""`kiosk pickup list|collect|retry` on `kiosk sim woocommerce`, uploaded by `kiosk sync --once`."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.sim.device import provision_device
from tests.bench.sync_figures import simulator
from tests.cli.conftest import Run, as_json


def _post(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{url}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
        return data


def _order_status(url: str, key: str, secret: str, oid: int) -> str:
    """The store's status of order `oid`, read through the connector (OAuth over HTTP)."""

    async def run() -> str:
        connector = WooConnector.connect(url, key, secret)
        try:
            resp = await connector.client._request("GET", f"/orders/{oid}")
            return str(resp.data["status"])
        finally:
            await connector.close()

    return asyncio.run(run())


def test_a_web_order_is_listed_found_collected_and_completed_once(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    with simulator(
        tmp_path, products=6, variable_share=0, variations_per=1, latency_ms=0, seed=0
    ) as store:
        provision_device(data_dir, url=store.url, key=store.key, secret=store.secret)
        code, _, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        with sqlite3.connect(data_dir / "kiosk.db") as conn:
            pid = int(conn.execute("SELECT id FROM products WHERE kind = 'simple'").fetchone()[0])
        billing = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
        line = [{"product_id": pid, "quantity": 2}]
        ada = _post(
            store.url, "/__sim/orders",
            {"line_items": line, "pickup": "local_pickup", "billing": billing},
        )  # fmt: skip
        shipped = _post(store.url, "/__sim/orders", {"line_items": line})  # no pickup line
        code, out, err = kiosk("pickup", "list", "--refresh", "--json")
        assert code == 0, err
        listed = as_json(out)["pickups"]
        assert [p["number"] for p in listed] == [str(ada["id"])]
        assert listed[0]["total"]["minor"] == round(float(ada["total"]) * 100)
        assert listed[0]["status"] == "waiting"
        code, out, _ = kiosk("pickup", "list", "--search", "lovelace")
        assert "1 order:" in out
        assert "Ada Lovelace" in out
        assert "2 items" in out
        assert "Waiting for collection" in out
        code, out, _ = kiosk("pickup", "list", "--search", "nobody")
        assert "No orders waiting for collection matching 'nobody'." in out
        code, _, err = kiosk("pickup", "collect", str(shipped["id"]))
        assert code == 2
        assert f"no order waiting for collection with number or id '{shipped['id']}'" in err
        code, out, err = kiosk("pickup", "collect", f"#{ada['id']}")
        assert code == 0, err
        assert f"Order #{ada['id']} for Ada Lovelace: 2 items" in out
        assert "Collected, to be completed in the store." in out
        code, out, _ = kiosk("pickup", "collect", str(ada["id"]), "--json")  # a second time
        assert as_json(out)["status"] == "pending_sync"
        code, out, _ = kiosk("status", "--json")
        assert as_json(out)["pickups"] == {
            "waiting": 0, "pending_sync": 1, "syncing": 0, "synced": 0, "failed": 0
        }  # fmt: skip
        code, out, _ = kiosk("status")
        assert "Pickups:  0 waiting for collection; collected: 1 to complete in the store" in out
        code, out, err = kiosk("pickup", "retry", str(ada["id"]))
        assert code == 2
        assert "was not refused by the store" in err
        assert _order_status(store.url, store.key, store.secret, ada["id"]) == "processing"
        code, out, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        assert as_json(out)["uploaded"]["pickups"] == {
            "synced": 1, "failed": 0, "retrying": 0, "waiting": 0
        }  # fmt: skip
        assert _order_status(store.url, store.key, store.secret, ada["id"]) == "completed"
        code, out, _ = kiosk("pickup", "list", "--collected", "--json")
        assert as_json(out)["pickups"] == []  # completed: the store lists it no more
