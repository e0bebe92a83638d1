"""`kiosk reset`: refused while sales are not uploaded, unless exported first; nothing lost."""

from __future__ import annotations

import asyncio
import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.models import Product
from kiosk.reset.request import write_request
from kiosk.reset.unsynced import read_export, restore
from kiosk.staff import overrides
from kiosk.store import outbox
from kiosk.store.db import Database
from kiosk.store.orders import StoredOrder, get_order, list_orders
from kiosk.store.outbox import OutboxState
from tests.cli.conftest import Run, as_json


def _sell(run: Run, products: list[Product], n: int) -> list[str]:
    ids = []
    for p in products[:n]:
        code, out, err = run("sale", "--item", p.sku, "--json")
        assert code == 0, err
        ids.append(as_json(out)["order_id"])
    return ids


def _orders(db_path: Path) -> list[StoredOrder]:
    async def read() -> list[StoredOrder]:
        async with await Database.open(db_path) as db:
            return await list_orders(db)

    return asyncio.run(read())


def _upload_one(db_path: Path) -> str:
    """As the agent does: claim the oldest order and mark it uploaded."""

    async def go() -> str:
        async with await Database.open(db_path) as db:
            now = datetime.now(UTC)
            item = await outbox.claim_next(db, now)
            assert item is not None
            await outbox.mark_synced(db, item.order_id, "9001", now)
            return item.order_id

    return asyncio.run(go())


def test_refused_with_pending_orders_and_nothing_touched(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    _sell(loaded, demo_products, 2)
    before = sorted(p.name for p in data_dir.iterdir())
    code, _out, err = loaded("reset", "--yes")
    assert code == 1
    assert "2 order(s) are not uploaded" in err
    assert "--export FILE" in err
    assert sorted(p.name for p in data_dir.iterdir()) == before
    assert len(_orders(data_dir / "kiosk.db")) == 2


def test_without_yes_nothing_changes(loaded: Run, data_dir: Path) -> None:
    code, out, _ = loaded("reset", "--json")
    assert code == 2
    assert str(data_dir / "kiosk.db") in as_json(out)["would_wipe"]
    assert (data_dir / "kiosk.db").exists()


def test_export_then_reset_loses_nothing_unsynced(
    loaded: Run, data_dir: Path, demo_products: list[Product], tmp_path: Path
) -> None:
    ids = _sell(loaded, demo_products, 3)
    uploaded = _upload_one(data_dir / "kiosk.db")
    originals = {o.order.id: o for o in _orders(data_dir / "kiosk.db")}
    (data_dir / "secrets.json").write_text('{"webhook_secret": "w"}')
    (data_dir / "secrets.json").chmod(0o600)
    export = tmp_path / "usb" / "unsent.jsonl"

    code, out, err = loaded("reset", "--export", str(export), "--yes", "--json")
    assert code == 0, err
    assert as_json(out)["pending"] == {"orders": 2, "refunds": 0}
    for name in ("kiosk.db", "kiosk.db-wal", "secrets.json", "kiosk.toml"):
        assert not (data_dir / name).exists()
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    header = json.loads(export.read_text().splitlines()[0])
    assert (header["kind"], header["orders"]) == ("export", 2)
    records = read_export(export)
    assert [r["id"] for r in records] == [i for i in ids if i != uploaded]  # sale order
    assert {"orders", "order_lines", "payments", "outbox"} <= set(records[0]["rows"])

    # Restored on a fresh device, the two orders are back, whole, and queued for upload;
    # restoring twice adds nothing.
    async def restore_twice() -> tuple[int, int]:
        async with await Database.open(tmp_path / "new" / "kiosk.db") as db:
            first = await db.write(lambda conn: restore(conn, records))
            second = await db.write(lambda conn: restore(conn, records))
            for oid in (r["id"] for r in records):
                got = await get_order(db, oid)
                assert got is not None
                assert got.order == originals[oid].order
                assert got.state is OutboxState.PENDING_SYNC
            return first, second

    assert asyncio.run(restore_twice()) == (2, 0)


def test_all_uploaded_resets_without_export(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    _sell(loaded, demo_products, 1)
    _upload_one(data_dir / "kiosk.db")
    code, out, err = loaded("reset", "--yes")
    assert code == 0, err
    assert "Reset: removed" in out
    assert not (data_dir / "kiosk.db").exists()
    code, out, _ = loaded("reset", "--yes", "--json")  # again: harmless
    assert (code, as_json(out)["wiped"]) == (0, [])


def test_a_pending_refund_is_refused_exported_and_restored(
    loaded: Run, data_dir: Path, demo_products: list[Product], tmp_path: Path
) -> None:
    (oid,) = _sell(loaded, demo_products, 1)
    _upload_one(data_dir / "kiosk.db")

    async def add_refund() -> None:  # as the refunds outbox (migration 0008) holds one
        async with await Database.open(data_dir / "kiosk.db") as db:
            await db.write(lambda conn: _insert_refund(conn, oid))

    asyncio.run(add_refund())
    code, _out, err = loaded("reset", "--yes")
    assert code == 1
    assert "1 refund(s) are not uploaded" in err
    export = tmp_path / "unsent.jsonl"
    code, out, err = loaded("reset", "--export", str(export), "--yes", "--json")
    assert code == 0, err
    assert as_json(out)["pending"] == {"orders": 0, "refunds": 1}
    (record,) = read_export(export)
    assert record["kind"] == "refund"
    assert record["rows"]["refund_outbox"][0]["state"] == "pending_sync"
    assert record["rows"]["refund_lines"][0]["sku"] == demo_products[0].sku
    assert record["rows"]["orders"][0]["id"] == oid  # the order it is uploaded against

    async def restored() -> tuple[str, str]:
        async with await Database.open(tmp_path / "new" / "kiosk.db") as db:
            assert await db.write(lambda conn: restore(conn, [record])) == 1

            def states(conn: Any) -> tuple[str, str]:
                a = conn.execute("SELECT state FROM refund_outbox WHERE refund_id = 'r-1'")
                b = conn.execute("SELECT state FROM outbox WHERE order_id = ?", (oid,))
                return a.fetchone()[0], b.fetchone()[0]

            return await db.read(states)

    assert asyncio.run(restored()) == ("pending_sync", "synced")


def _insert_refund(conn: Any, oid: str) -> None:
    line = conn.execute(
        "SELECT line_no, product_id, sku, total, total_tax FROM order_lines WHERE order_id = ?",
        (oid,),
    ).fetchone()
    now = datetime.now(UTC).isoformat()
    conn.execute(
        "INSERT INTO refunds (id, order_id, created_at, currency, amount, method)"
        " VALUES ('r-1', ?, ?, 'GBP', ?, 'cash')",
        (oid, now, line[3] + line[4]),
    )
    conn.execute(
        "INSERT INTO refund_lines (refund_id, line_no, product_id, sku, quantity, total,"
        " total_tax) VALUES ('r-1', ?, ?, ?, 1, ?, ?)",
        line,
    )
    conn.execute(
        "INSERT INTO refund_outbox (refund_id, state, next_attempt_at, updated_at)"
        " VALUES ('r-1', 'pending_sync', ?, ?)",
        (now, now),
    )


def test_export_cannot_name_a_wiped_file(loaded: Run, data_dir: Path) -> None:
    code, _, err = loaded("reset", "--export", str(data_dir / "kiosk.db"), "--yes")
    assert code == 2
    assert "wiped by the reset" in err


def test_refused_while_the_till_runs(
    loaded: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.cli import reset_cmd

    monkeypatch.setattr(reset_cmd, "running_services", lambda _d: ["kiosk-ui", "kiosk-agent"])
    code, _, err = loaded("reset", "--yes")
    assert code == 2
    assert "systemctl stop kiosk-ui kiosk-agent" in err
    assert (data_dir / "kiosk.db").exists()


def test_a_collected_pickup_not_completed_is_kept_too(
    loaded: Run, data_dir: Path, tmp_path: Path
) -> None:
    now = datetime.now(UTC).isoformat()

    async def collect() -> None:  # as migration 0010's pickup_outbox holds a collection
        async with await Database.open(data_dir / "kiosk.db") as db:

            def run(conn: Any) -> None:
                conn.execute(
                    "INSERT INTO pickups (remote_id, number, placed_at, currency, total,"
                    " pulled_at, collected_at) VALUES ('1234', '#1234', ?, 'GBP', 1500, ?, ?)",
                    (now, now, now),
                )
                conn.execute(
                    "INSERT INTO pickup_outbox (remote_id, state, next_attempt_at, updated_at)"
                    " VALUES ('1234', 'pending_sync', ?, ?)",
                    (now, now),
                )

            await db.write(run)

    asyncio.run(collect())
    code, _, err = loaded("reset", "--yes")
    assert (code, "1 pickup(s) are not uploaded" in err) == (1, True)
    export = tmp_path / "unsent.jsonl"
    code, out, err = loaded("reset", "--export", str(export), "--yes", "--json")
    assert code == 0, err
    assert as_json(out)["pending"] == {"orders": 0, "refunds": 0, "pickups": 1}
    (record,) = read_export(export)
    assert record["kind"] == "pickup"
    assert record["rows"]["pickups"][0]["number"] == "#1234"

    async def restored() -> str:
        async with await Database.open(tmp_path / "new" / "kiosk.db") as db:
            assert await db.write(lambda conn: restore(conn, [record])) == 1
            return await db.read(
                lambda conn: conn.execute(
                    "SELECT state FROM pickup_outbox WHERE remote_id = '1234'"
                ).fetchone()[0]
            )

    assert asyncio.run(restored()) == "pending_sync"


def test_once_the_device_has_staff_a_reset_needs_a_managers_pin(
    loaded: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
    assert loaded("staff", "add", "Mia", "--role", "manager", "--pin-stdin")[0] == 0
    code, _, err = loaded("reset", "--yes")
    assert code == 2
    assert "--manager NAME: a reset needs a manager's approval" in err
    assert (data_dir / "kiosk.db").exists()  # nothing wiped
    monkeypatch.setattr("sys.stdin", io.StringIO("11111\n"))
    code, _, err = loaded("reset", "--yes", "--manager", "Mia", "--pin-stdin")
    assert code == 2
    assert (data_dir / "kiosk.db").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
    code, out, err = loaded("reset", "--yes", "--manager", "Mia", "--pin-stdin")
    assert code == 0, err
    assert "Reset: removed" in out
    assert not (data_dir / "kiosk.db").exists()


def test_the_touchscreens_request_is_the_managers_approval_only_when_recorded(
    loaded: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("48213\n"))
    assert loaded("staff", "add", "Mia", "--role", "manager", "--pin-stdin")[0] == 0
    write_request(data_dir, approval_id="forged", by="Mia", at=datetime.now(UTC))
    code, _, err = loaded("reset", "--yes")
    assert code == 2  # an approval the database never recorded asks nothing
    assert "--manager NAME" in err

    async def approve() -> str:
        async with await Database.open(data_dir / "kiosk.db") as db:
            approval = await overrides.approve(
                db, overrides.Action.RESET, manager="Mia", pin="48213"
            )
            return approval.id

    write_request(data_dir, approval_id=asyncio.run(approve()), by="Mia", at=datetime.now(UTC))
    code, _out, err = loaded("reset", "--yes")
    assert code == 0, err
    assert not (data_dir / "kiosk.db").exists()
    assert not (data_dir / "reset-requested.json").exists()  # carried out: gone with the rest
