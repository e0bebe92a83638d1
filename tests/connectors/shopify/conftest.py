"""A simulated shop, the device's database and the engine with the real Shopify connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kiosk.checkout import utc_now
from kiosk.config import SyncConfig
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.connector import ShopifyConnector
from kiosk.sim.shopify import SimHandle, running_sim
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine


@dataclass
class Shop:
    sim: SimHandle
    db: Database
    connector: ShopifyConnector
    engine: SyncEngine
    # Every query the connector sent, with its variables and the data it was answered.
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)


def recorded(
    client: ShopifyClient, calls: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    """Keep every (document, variables, data) the client is answered with."""
    send = client._request

    async def request(
        document: str, variables: Any = None, *, name: str = "", write: bool = False
    ) -> dict[str, Any]:
        data = await send(document, variables, name=name, write=write)
        calls.append((document, dict(variables or {}), data))
        return data

    client._request = request  # type: ignore[method-assign]


@pytest.fixture
async def shop(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Shop]:
    options: dict[str, Any] = getattr(request, "param", {})
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)  # pacing and polling, recorded instead of waited out

    # A bucket so large and quick that only the pacing tests, with their own, ever wait.
    async with running_sim(
        products=options.get("products", 30),
        variations_per=options.get("variations_per", 4),
        restore_rate=1e6,
        bucket_size=1e6,
    ) as sim:
        db = await Database.open(tmp_path / "kiosk.db")
        client = ShopifyClient(sim.url, sim.token, sleep=sleep)
        connector = ShopifyConnector(
            client,
            locale="en_GB",
            bulk_threshold=options.get("bulk_threshold", 2000),
            bulk_poll=0.01,
            batch=options.get("batch", 250),
        )
        found = Shop(
            sim, db, connector, SyncEngine(db, connector, clock=utc_now, settings=SyncConfig())
        )
        found.sleeps = sleeps
        recorded(client, found.calls)
        try:
            yield found
        finally:
            await connector.close()
            await db.close()
