"""The Shopify simulator's webhooks: a change is POSTed, signed with the app's client secret, to
every subscription to its topic, and the device's receiver takes it as a hint (a forged one
refused)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest

from kiosk.connectors.base import Hint
from kiosk.connectors.shopify.webhooks import ShopifyWebhookReader
from kiosk.sim.shopify import SimHandle, running_sim
from tests.agent.receiver import serve_receiver
from tests.sim.shopify.test_sim import _post

PUBLIC = "https://till-1.shop.example/webhooks/shopify"  # the device, through the shop's proxy
SUBSCRIBE = """
mutation Hook($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""


def device(secret: str) -> AbstractAsyncContextManager[tuple[str, list[Hint]]]:
    """The agent's webhook endpoint with the Shopify reader; (its URL, the hints it passed)."""
    return serve_receiver(secret, reader=ShopifyWebhookReader(secret))


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(products=6, restore_rate=1e6, bucket_size=1e6) as s:
        yield s


async def _subscribe(sim: SimHandle, topic: str) -> None:
    variables = {"topic": topic, "sub": {"uri": PUBLIC, "format": "JSON"}}
    status, body = await _post(sim, {"query": SUBSCRIBE, "variables": variables})
    assert status == 200
    assert body["data"]["webhookSubscriptionCreate"]["userErrors"] == []


async def test_a_price_change_reaches_the_device_as_a_signed_hint(sim: SimHandle) -> None:
    async with device(sim.app_secret) as (url, hints):
        sim.deliveries.forward = lambda uri: url if uri == PUBLIC else uri
        await _subscribe(sim, "PRODUCTS_UPDATE")
        await _subscribe(sim, "PRODUCTS_DELETE")
        product_id, product = next(iter(sim.state.products.items()))
        sim.state.set_price(product["_variants"][0], "9.99")
        (sent,) = await sim.deliveries.wait_for(1)
        assert (sent.topic, sent.uri, sent.status) == ("products/update", PUBLIC, 200)
        assert hints == [Hint("product", product_id, deleted=False)]

        sim.state.delete_product(product_id)
        await sim.deliveries.wait_for(2)
        assert hints[-1] == Hint("product", product_id, deleted=True)
        # A topic nobody subscribed to is not sent.
        assert [s.topic for s in sim.deliveries.sent] == ["products/update", "products/delete"]


async def test_a_device_with_another_secret_refuses_the_delivery(sim: SimHandle) -> None:
    async with device("not-the-apps-secret") as (url, hints):
        sim.deliveries.forward = lambda _uri: url
        await _subscribe(sim, "PRODUCTS_UPDATE")
        product = next(iter(sim.state.products.values()))
        sim.state.set_price(product["_variants"][0], "1.00")
        (sent,) = await sim.deliveries.wait_for(1)
        assert sent.status == 401  # retried once, then given up: never taken as a hint
        assert hints == []
