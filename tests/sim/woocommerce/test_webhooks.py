"""Webhooks: creation ping, signed deliveries, and disabling after repeated failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.sim.woocommerce.conftest import Woo


class Receiver:
    """A delivery URL on 127.0.0.1 that answers with `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


async def test_ping_then_signed_delivery(woo: Woo, receiver: Receiver) -> None:
    status, hook = await woo.post(
        "webhooks", {"topic": "product.updated", "delivery_url": receiver.url, "secret": "s3cret"}
    )
    assert status == 201
    assert hook["status"] == "active"
    assert hook["secret"] == "s3cret"
    (ping,) = await woo.sim.deliveries.wait_for(1)
    assert (ping.kind, ping.body, ping.ok) == ("ping", f"webhook_id={hook['id']}".encode(), True)
    assert ping.headers["Content-Type"] == "application/x-www-form-urlencoded"

    woo.sim.admin.set_price(101, "8.49")
    delivery = (await woo.sim.deliveries.wait_for(2))[1]
    expected = base64.b64encode(
        hmac.new(b"s3cret", delivery.body, hashlib.sha256).digest()
    ).decode()
    assert delivery.headers["X-WC-Webhook-Signature"] == expected
    assert delivery.headers["X-WC-Webhook-Topic"] == "product.updated"
    assert delivery.headers["X-WC-Webhook-Resource"] == "product"
    assert delivery.headers["X-WC-Webhook-Event"] == "updated"
    assert delivery.headers["X-WC-Webhook-ID"] == str(hook["id"])
    assert delivery.headers["X-WC-Webhook-Source"] == woo.sim.url + "/"
    assert delivery.headers["X-WC-Webhook-Delivery-ID"]
    payload = json.loads(delivery.body)
    assert (payload["id"], payload["price"]) == (101, "8.49")


async def test_list_and_delete_webhooks(woo: Woo, receiver: Receiver) -> None:
    _, hook = await woo.post("webhooks", {"topic": "order.created", "delivery_url": receiver.url})
    _, listed, _headers = await woo.get("webhooks")
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    async with woo.session.delete(woo.url("DELETE", f"webhooks/{hook['id']}")) as resp:
        assert resp.status == 501  # no trash for webhooks
    async with woo.session.delete(woo.url("DELETE", f"webhooks/{hook['id']}?force=true")) as resp:
        assert resp.status == 200
        assert (await resp.json())["id"] == hook["id"]
    assert woo.sim.state.webhooks == {}
    status, bad = await woo.post("webhooks", {"topic": "nonsense", "delivery_url": receiver.url})
    assert (status, bad["code"]) == (400, "woocommerce_rest_webhook_invalid_topic")


async def test_disabled_after_repeated_failures(woo: Woo, receiver: Receiver) -> None:
    receiver.status = 500
    _, hook = await woo.post("webhooks", {"topic": "product.updated", "delivery_url": receiver.url})
    await woo.sim.deliveries.wait_for(1)  # the ping (its failure does not count)
    stored = woo.sim.state.webhooks[hook["id"]]
    for n in range(1, 8):
        woo.sim.admin.set_stock(101, 10 + n)
        await woo.sim.deliveries.wait_for(1 + n)
        # WC_Webhook::failed_delivery disables once failure_count is already above 5.
        assert stored["status"] == ("active" if n < 7 else "disabled"), n
    woo.sim.admin.set_stock(101, 1)
    await woo.sim.webhooks.drain()
    assert len(woo.sim.deliveries) == 8  # a disabled webhook sends nothing
