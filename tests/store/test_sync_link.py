"""The link to the store as the sync engine records it: unknown, then online or offline since."""

from __future__ import annotations

from datetime import timedelta

from kiosk.store import sync_state
from kiosk.store.db import Database
from kiosk.store.sync_state import Link, LinkState
from tests.store.factory import T0


async def test_the_link_is_unknown_before_any_pass(db: Database) -> None:
    assert await sync_state.get_link(db) == Link(LinkState.UNKNOWN, None, "")


async def test_since_moves_only_when_the_state_changes(db: Database) -> None:
    later = T0 + timedelta(minutes=5)
    first = await sync_state.set_link(db, LinkState.OFFLINE, now=T0, error="no route to host")
    assert first == Link(LinkState.OFFLINE, T0, "no route to host")
    again = await sync_state.set_link(db, LinkState.OFFLINE, now=later, error="timed out")
    assert again == Link(LinkState.OFFLINE, T0, "timed out")  # offline since the first failure
    assert await sync_state.get_link(db) == again
    back = await sync_state.set_link(db, LinkState.ONLINE, now=later)
    assert back == Link(LinkState.ONLINE, later, "")
    assert await sync_state.get_link(db) == back


async def test_a_value_this_code_does_not_know_reads_as_unknown(db: Database) -> None:
    await sync_state.set_value(db, sync_state.LINK_STATE, "sideways")
    assert (await sync_state.get_link(db)).state is LinkState.UNKNOWN
