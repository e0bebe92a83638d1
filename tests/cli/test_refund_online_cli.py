"""`kiosk orders refund --online NUMBER`: a web shop order refunded at the till in cash, with a
manager's PIN, uploaded once by `kiosk sync --once`, and never counted in the shift."""

from __future__ import annotations

import io
import json
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from kiosk.sim.device import provision_device
from tests.bench.sync_figures import simulator
from tests.cli.conftest import Run, as_json


def _post(url: str, path: str, spec: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{url}{path}", data=json.dumps(spec).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201
        answer: dict[str, Any] = json.loads(resp.read())
        return answer


def test_a_web_order_is_refunded_online_by_number_once(
    kiosk: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with simulator(
        tmp_path, products=10, variable_share=0, variations_per=1, latency_ms=0, seed=0
    ) as store:
        provision_device(data_dir, url=store.url, key=store.key, secret=store.secret)
        code, _, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        with sqlite3.connect(data_dir / "kiosk.db") as conn:
            pid, sku = conn.execute(
                "SELECT id, sku FROM products WHERE kind = 'simple' AND sku != '' "
                "AND tax_class = '' ORDER BY sku"
            ).fetchone()
        monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
        assert kiosk("staff", "add", "Mia", "--role", "manager", "--pin-stdin")[0] == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
        assert kiosk("shift", "open", "--float", "0", "--staff", "Mia", "--pin-stdin")[0] == 0
        placed = _post(store.url, "/__sim/orders", {"line_items": [
            {"product_id": int(pid), "quantity": 2}
        ]})  # fmt: skip
        number = str(placed["number"])

        code, _, err = kiosk("orders", "refund", "--online", "999999", "--line", f"{sku}:1")
        assert code == 2
        assert "--online 999999: the web shop has no paid order number 999999" in err

        monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
        code, _, err = kiosk(
            "orders", "refund", "--online", number, "--line", f"{sku}:1", "--card",
            "--manager", "Mia", "--pin-stdin",
        )  # fmt: skip
        assert code == 2
        assert f"web order {number} was paid online (Credit card)" in err
        assert "refund it in cash" in err

        monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
        code, out, err = kiosk(
            "orders", "refund", "--online", number, "--line", f"{sku}:1", "--manager", "Mia",
            "--pin-stdin", "--json",
        )  # fmt: skip
        assert code == 0, err
        refund = as_json(out)
        assert (refund["order_number"], refund["method"]) == (number, "cash")
        assert refund["status"] == "pending_sync"
        half = refund["amount"]["minor"]
        assert 0 < half < round(float(placed["total"]) * 100)

        # The same number without --online: the web order is on the till now, found offline.
        monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
        code, _, err = kiosk(
            "orders", "refund", number, "--line", f"{sku}:2", "--manager", "Mia", "--pin-stdin"
        )
        assert code == 2
        assert f"SKU {sku}: 2 to refund, but only 1 of 2 sold are left to refund" in err

        code, out, err = kiosk("sync", "--once", "--json")
        assert code == 0, err
        uploaded = as_json(out)["uploaded"]
        assert (uploaded["synced"], uploaded["refunds"]["synced"]) == (0, 1)
        code, out, _ = kiosk("sync", "--once", "--json")
        assert as_json(out)["uploaded"]["refunds"]["synced"] == 0
        code, out, _ = kiosk("orders", "show", number, "--json")
        shown = as_json(out)
        assert shown["status"] == "synced"
        assert [r["status"] for r in shown["refunds"]] == ["synced"]

        code, out, err = kiosk("shift", "report", "--json")
        assert code == 0, err
        report = as_json(out)
        assert report["orders"] == 0  # the web order is no sale of this till's
        assert report["gross"]["minor"] == 0
        assert [(r["method"], r["amount"]["minor"]) for r in report["refunds"]] == [("cash", half)]
