"""Registering the device's webhooks in the simulated store, and receiving a signed delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kiosk.connectors.woocommerce import webhooks as woo
from kiosk.connectors.woocommerce.auth import Keys
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.webhook_setup import register_webhooks
from kiosk.sim.woocommerce import running_sim
from tests.agent.receiver import serve_receiver

SECRET = "device-webhook-secret"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[woo.Hint]]]:
    async with serve_receiver(SECRET) as served:
        yield served


async def test_registration_is_idempotent_and_deliveries_become_hints(
    receiver: tuple[str, list[woo.Hint]],
) -> None:
    url, hints = receiver
    async with running_sim(products=10) as sim:
        async with WooClient(sim.url, Keys(sim.consumer_key, sim.consumer_secret)) as client:
            first = await register_webhooks(client, url, SECRET)
            assert set(first.created) == set(woo.TOPICS)
            again = await register_webhooks(client, url, SECRET)
            assert again.created == ()
            assert set(again.kept) == set(woo.TOPICS)
            moved = await register_webhooks(client, url + "?v=2", SECRET)
            assert moved.removed == len(woo.TOPICS)
            assert len(sim.state.webhooks) == len(woo.TOPICS)
        await sim.webhooks.drain()  # the creation pings
        assert hints == []  # pings are answered, not acted on
        pid = next(iter(sim.state.products))
        sim.admin.set_price(pid, "1.23")
        await sim.webhooks.drain()
        assert woo.Hint("product", str(pid), False) in hints
