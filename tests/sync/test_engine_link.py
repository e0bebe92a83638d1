"""The engine records whether each pass reached the store, for the counter's status bar."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from kiosk.config import SyncConfig
from kiosk.connectors.errors import (
    AuthFailed,
    ConnectorError,
    OutcomeUnknown,
    ServerError,
    StoreUnreachable,
    Timeout,
    TLSFailure,
)
from kiosk.connectors.fake import FakeConnector
from kiosk.store import sync_state
from kiosk.store.db import Database
from kiosk.store.sync_state import Link, LinkState
from kiosk.sync.engine import SyncEngine
from tests.sync.conftest import Clock


@pytest.fixture
def engine(db: Database, store: FakeConnector, clock: Clock) -> SyncEngine:
    return SyncEngine(db, store, clock=clock, settings=SyncConfig(interval_s=30))


async def test_offline_then_online_again(
    db: Database, store: FakeConnector, clock: Clock, engine: SyncEngine
) -> None:
    assert await sync_state.get_link(db) == Link()  # unknown until a pass has run
    await engine.run_once()
    online_at = clock.now
    assert await sync_state.get_link(db) == Link(LinkState.ONLINE, online_at, "")

    clock.advance(60)
    lost_at = clock.now
    store.fail("products", StoreUnreachable("no connection to fake.example: no route to host"))
    report = await engine.run_once()
    assert report.errors  # the pass did fail
    assert await sync_state.get_link(db) == Link(
        LinkState.OFFLINE, lost_at, "no connection to fake.example: no route to host"
    )

    clock.advance(60)
    store.fail("products", Timeout("GET products: no answer within 30 s"))
    await engine.run_once()
    link = await sync_state.get_link(db)
    assert link == Link(LinkState.OFFLINE, lost_at, "GET products: no answer within 30 s")

    clock.advance(60)
    await engine.run_once()
    assert await sync_state.get_link(db) == Link(LinkState.ONLINE, clock.now, "")


@pytest.mark.parametrize(
    "error",
    [
        OutcomeUnknown("no answer"),
        TLSFailure("the certificate of fake.example could not be verified"),
    ],
)
async def test_other_ways_of_not_reaching_the_store_are_offline(
    db: Database, store: FakeConnector, clock: Clock, engine: SyncEngine, error: ConnectorError
) -> None:
    await engine.run_once()
    store.fail("products", error)
    await engine.run_once()
    assert await sync_state.get_link(db) == Link(LinkState.OFFLINE, clock.now, str(error))


@pytest.mark.parametrize(
    "error", [ServerError("the store failed (502)", 502), AuthFailed("the store refused the keys")]
)
async def test_an_error_from_the_store_itself_is_online_with_its_words(
    db: Database, store: FakeConnector, clock: Clock, engine: SyncEngine, error: ConnectorError
) -> None:
    await engine.run_once()
    store.fail("products", error)
    await engine.run_once()
    assert await sync_state.get_link(db) == Link(LinkState.ONLINE, clock.now, str(error))


async def test_the_running_loop_records_the_link_as_it_changes(
    db: Database, store: FakeConnector, clock: Clock, engine: SyncEngine
) -> None:
    seen: list[Link] = []
    stop = asyncio.Event()
    start = clock.now

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        link = await sync_state.get_link(db)
        if not seen or seen[-1] != link:
            seen.append(link)
        if clock.now - start >= timedelta(seconds=100):
            stop.set()

    await engine.run_once()  # the initial sync, so that the loop's pulls are deltas
    # The loop pulls at 0, 30, 60 and 90 s: the first two cannot reach the store.
    store.fail("products", StoreUnreachable("no connection to fake.example"), times=2)
    await engine.run(stop, sleep=sleep)
    states = [(link.state, link.error) for link in seen]
    assert states == [
        (LinkState.OFFLINE, "no connection to fake.example"),
        (LinkState.ONLINE, ""),
    ]
    assert seen[0].since == start  # the loop's first pull found the store unreachable
    assert seen[1].since == start + timedelta(seconds=60)
