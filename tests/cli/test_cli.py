"""The `kiosk` command as its users see it: output, JSON contract, exit codes, nothing half-done."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.catalog_export import load_export
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.core.models import Product
from tests.cli.conftest import Run, as_json


def test_status_json_on_a_fresh_device(kiosk: Run) -> None:
    code, out, _ = kiosk("status", "--json")
    assert code == 0
    data = as_json(out)
    assert data["catalog"] == {"products": 0, "variations": 0, "categories": 0, "customers": 0}
    assert data["orders"] == {"pending_sync": 0, "syncing": 0, "synced": 0, "failed": 0}
    assert data["sync"] == {
        "last_pull_at": None,
        "last_push_at": None,
        "initial_sync": {"done": 0, "total": 0, "complete": False},
    }
    assert data["store"] == {"platform": None, "url": None}
    assert data["stock"] == {"discrepancies": 0}


def test_import_then_status_counts_the_catalog(loaded: Run) -> None:
    export = load_export(demo_catalog_path())
    variations = sum(1 for p in export.products if p.parent_id)
    code, out, _ = loaded("status", "--json")
    assert code == 0
    cat = as_json(out)["catalog"]
    assert cat["products"] == len(export.products) - variations
    assert cat["variations"] == variations
    assert cat["categories"] == len(export.categories) > 0
    assert cat["customers"] == len(export.customers) > 0
    code, out, _ = loaded("status")
    assert "products" in out
    assert "waiting to upload" in out


def test_sale_json_contract_and_change(loaded: Run, demo_products: list[Product]) -> None:
    a, b = demo_products[0], demo_products[1]
    assert a.price is not None
    assert b.price is not None
    expected = a.price.minor * 2 + b.price.minor  # demo prices include tax: shelf price is paid
    cash = f"{(expected // 100) + 50}.00"
    code, out, err = loaded(
        "sale", "--item", f"{a.sku}:2", "--item", b.sku, "--cash", cash, "--json"
    )
    assert code == 0, err
    data = as_json(out)
    assert set(data) == {"order_id", "number", "total", "change", "status"}
    uuid.UUID(data["order_id"])
    assert data["number"] == "POS-00001"
    assert data["total"]["minor"] == expected
    assert data["total"]["currency"] == "GBP"
    assert data["total"]["formatted"].startswith("£")
    assert data["change"]["minor"] == ((expected // 100) + 50) * 100 - expected
    assert data["status"] == "pending_sync"

    code, out, _ = loaded("orders", "show", data["number"], "--json")
    assert code == 0
    shown = as_json(out)
    assert shown["order_id"] == data["order_id"]
    assert [li["quantity"] for li in shown["lines"]] == [2, 1]
    assert shown["payments"][0]["method"] == "cash"


def test_sale_by_barcode_and_human_output(loaded: Run, demo_products: list[Product]) -> None:
    p = next(p for p in demo_products if p.barcode)
    code, out, err = loaded("sale", "--item", p.barcode)
    assert code == 0, err
    assert p.name in out
    assert "Total" in out
    assert "waiting to upload" in out


def test_numbers_never_repeat_across_processes(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    sku = demo_products[0].sku
    numbers = []
    for _ in range(2):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--data-dir",
                str(data_dir),
                "sale",
                "--item",
                sku,
                "--json",
            ],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, proc.stderr
        numbers.append(json.loads(proc.stdout)["number"])
    assert numbers == ["POS-00001", "POS-00002"]


def _assert_nothing_written(run: Run) -> None:
    _code, out, _ = run("status", "--json")
    assert as_json(out)["orders"] == {"pending_sync": 0, "syncing": 0, "synced": 0, "failed": 0}
    _code, out, _ = run("orders", "list", "--json")
    assert as_json(out) == {"orders": []}


@pytest.mark.parametrize(
    ("item", "cash", "needle"),
    [
        ("NO-SUCH-SKU", None, "NO-SUCH-SKU"),
        ("{sku}:x", None, "--item"),
        ("{sku}:0", None, "--item"),
        (":3", None, "--item"),
        ("{sku}", "0.01", "--cash: £7.49 is still due"),
        ("{sku}", "12.345", "--cash"),
        ("{sku}", "ten", "--cash"),
    ],
)
def test_bad_sale_input_exits_2_and_writes_nothing(
    loaded: Run, demo_products: list[Product], item: str, cash: str | None, needle: str
) -> None:
    args = ["sale", "--item", item.format(sku=demo_products[0].sku)]
    if cash is not None:
        args += ["--cash", cash]
    code, out, err = loaded(*args)
    assert code == 2
    assert needle.lower() in err.lower()
    assert out == ""
    _assert_nothing_written(loaded)


def test_sale_before_any_catalog_says_what_is_missing(kiosk: Run) -> None:
    code, _, err = kiosk("sale", "--item", "X")
    assert code == 1
    assert "import a catalog" in err


def test_orders_list_filters_and_retry_rules(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    for p in demo_products[:3]:
        assert loaded("sale", "--item", p.sku)[0] == 0
    code, out, _ = loaded("orders", "list", "--json")
    listed = as_json(out)["orders"]
    assert [o["number"] for o in listed] == ["POS-00003", "POS-00002", "POS-00001"]
    assert {o["status"] for o in listed} == {"pending_sync"}

    # Only a failed order can be retried.
    code, _, err = loaded("orders", "retry", "POS-00001")
    assert code == 2
    assert "not failed" in err
    code, _, err = loaded("orders", "retry", "nope")
    assert code == 2
    assert "nope" in err

    _park_as_failed(data_dir, listed[-1]["order_id"], "Invalid product ID 42")
    code, out, _ = loaded("orders", "list", "--status", "failed", "--json")
    failed = as_json(out)["orders"]
    assert [o["number"] for o in failed] == ["POS-00001"]
    assert failed[0]["last_error"] == "Invalid product ID 42"
    code, out, _ = loaded("orders", "list", "--status", "failed")
    assert "Invalid product ID 42" in out

    code, out, _ = loaded("orders", "retry", "POS-00001", "--json")
    assert code == 0
    assert as_json(out)["status"] == "pending_sync"
    code, out, _ = loaded("orders", "list", "--status", "failed", "--json")
    assert as_json(out) == {"orders": []}


def _park_as_failed(data_dir: Path, order_id: str, reason: str) -> None:
    """Act as the agent would: claim the order for upload, then park it with the store's reason."""
    import asyncio

    from kiosk.store import outbox
    from kiosk.store.db import Database

    async def park() -> None:
        db = await Database.open(data_dir / "kiosk.db")
        try:
            item = await outbox.claim_next(db, datetime.now(UTC))
            assert item is not None
            assert item.order_id == order_id
            await outbox.mark_failed(db, order_id, reason)
        finally:
            await db.close()

    asyncio.run(park())


def test_db_check(loaded: Run) -> None:
    code, out, _ = loaded("db", "check", "--json")
    assert code == 0
    data = as_json(out)
    assert data["ok"] is True
    assert data["integrity"] == "ok"
    assert data["schema_version"] == data["latest_version"] >= 1


def test_config_errors_name_the_field(kiosk: Run, tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[device]\norder_prefix = "has spaces"\n')
    code, _, err = kiosk("--config", str(cfg), "status")
    assert code == 2
    assert "device.order_prefix" in err
    cfg.write_text("[device]\nnmae = 'x'\n")
    code, _, err = kiosk("--config", str(cfg), "status")
    assert code == 2
    assert "device.nmae" in err
    code, _, err = kiosk("--config", str(tmp_path / "missing.toml"), "status")
    assert code == 2
    assert "not found" in err


def test_config_prefix_is_used(kiosk: Run, tmp_path: Path, demo_products: list[Product]) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[device]\norder_prefix = "C7-"\ncashier = "Sam"\n')
    assert kiosk("--config", str(cfg), "catalog", "import", str(demo_catalog_path()))[0] == 0
    code, out, _ = kiosk("--config", str(cfg), "sale", "--item", demo_products[0].sku, "--json")
    assert code == 0
    assert as_json(out)["number"] == "C7-00001"


def test_import_errors_exit_2(kiosk: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = kiosk("catalog", "import", str(bad))
    assert code == 2
    assert "bad.json" in err
    code, _, err = kiosk("catalog", "import", str(tmp_path / "absent.json"))
    assert code == 2


def test_demo_rings_up_a_sale(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "demo"), "demo", "--text"],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Total" in proc.stdout
    assert "Change" in proc.stdout
    status = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "demo"), "status", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["orders"]["pending_sync"] == 1
