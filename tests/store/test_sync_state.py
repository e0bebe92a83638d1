"""Sync bookkeeping: last pull and push, initial sync progress, cursors."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from kiosk.store import sync_state
from kiosk.store.db import Database
from tests.store.factory import T0


async def test_a_new_device_has_never_synced(db: Database) -> None:
    status = await sync_state.get_sync_status(db)
    assert status == sync_state.SyncStatus()
    assert status.to_json() == {
        "last_pull_at": None,
        "last_push_at": None,
        "initial_sync": {"done": 0, "total": 0, "complete": False},
    }


async def test_progress_and_times_are_recorded(db: Database) -> None:
    await sync_state.set_initial_sync(db, 40, 120, False)
    local = T0.astimezone(timezone(timedelta(hours=-5)))
    await sync_state.mark_pulled(db, local)
    await sync_state.mark_pushed(db, T0 + timedelta(seconds=1))
    await sync_state.set_initial_sync(db, 120, 120, True)
    status = await sync_state.get_sync_status(db)
    assert status.last_pull_at == T0
    assert status.last_pull_at.utcoffset() == timedelta(0)
    assert status.last_push_at == T0 + timedelta(seconds=1)
    assert status.initial_sync == sync_state.InitialSync(120, 120, True)
    assert status.to_json() == {
        "last_pull_at": "2026-03-01T09:30:00+00:00",
        "last_push_at": "2026-03-01T09:30:01+00:00",
        "initial_sync": {"done": 120, "total": 120, "complete": True},
    }


async def test_cursors_are_plain_values(db: Database) -> None:
    assert await sync_state.get_value(db, "cursor:products") is None
    await sync_state.set_value(db, "cursor:products", "2026-03-01T00:00:00")
    await sync_state.set_value(db, "cursor:products", "2026-03-02T00:00:00")
    assert await sync_state.get_value(db, "cursor:products") == "2026-03-02T00:00:00"
    await sync_state.delete_value(db, "cursor:products")
    assert await sync_state.get_value(db, "cursor:products") is None


async def test_bad_input_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        await sync_state.mark_pulled(db, T0.replace(tzinfo=None))
    with pytest.raises(ValueError, match="must not be negative"):
        await sync_state.set_initial_sync(db, -1, 10, False)
