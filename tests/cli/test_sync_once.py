"""`kiosk sync --once` as the issue tried it: a separate store, lost connections, one pass."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

from kiosk.sim.device import provision_device
from tests.bench.sync_figures import simulator
from tests.cli.conftest import Run, as_json


def _fault(url: str, spec: dict[str, object]) -> None:
    req = urllib.request.Request(
        f"{url}/__sim/faults",
        data=json.dumps(spec).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201


def test_one_pass_uploads_every_sale_past_eight_lost_connections(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    with simulator(
        tmp_path, products=20, variable_share=0, variations_per=1, latency_ms=0, seed=0
    ) as store:
        provision_device(data_dir, url=store.url, key=store.key, secret=store.secret)
        code, out, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        assert as_json(out)["initial"]
        codes = _skus(data_dir)
        assert codes
        for i in range(20):
            code, _, err = kiosk("sale", "--item", codes[i % len(codes)])
            assert code == 0, err
        _fault(store.url, {"kind": "drop", "path": "orders", "count": 3})
        _fault(store.url, {"kind": "drop_after_commit", "path": "orders", "count": 5})
        code, out, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        uploaded = as_json(out)["uploaded"]
        assert uploaded["synced"] == 20
        assert (uploaded["waiting"], uploaded["failed"], uploaded["next_attempt_at"]) == (
            0,
            0,
            None,
        )
        code, out, _ = kiosk("status", "--json")
        assert as_json(out)["orders"] == {
            "pending_sync": 0,
            "syncing": 0,
            "synced": 20,
            "failed": 0,
        }


def _skus(data_dir: Path) -> list[str]:
    """SKUs of the synced catalog's simple products, as `kiosk sale` takes them."""
    with sqlite3.connect(data_dir / "kiosk.db") as conn:
        rows = conn.execute(
            "SELECT sku FROM products WHERE kind = 'simple' AND sku != '' ORDER BY sku"
        ).fetchall()
    return [r[0] for r in rows]
