"""The receiver is the platforms' common part: each brings a reader, the route is its name."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
from aiohttp import web

from kiosk.agent.webhooks import WebhookReceiver, make_app
from kiosk.connectors.base import Delivery, Hint


class TinyShopReader:
    """A made-up platform: a delivery is `ok:<id>` with header X-Key, anything else refused."""

    platform = "tinyshop"

    def read(self, headers: Mapping[str, str], content_type: str, body: bytes) -> Delivery:
        if headers.get("X-Sig") != "right":
            return Delivery(401, note="wrong sig")
        if not body.startswith(b"ok:"):
            return Delivery(400, note="not ok")
        return Delivery(200, Hint("product", body[3:].decode(), False), key=headers["X-Key"])


async def test_a_platforms_reader_answers_on_its_own_route_and_repeats_count_once() -> None:
    hints: list[Hint] = []
    receiver = WebhookReceiver(TinyShopReader(), hints.append)
    assert receiver.path == "/webhooks/tinyshop"
    runner = web.AppRunner(make_app(receiver))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as s:

            async def post(path: str, body: bytes, **headers: str) -> tuple[int, object]:
                async with s.post(url + path, data=body, headers=headers) as r:
                    return r.status, await r.json() if r.content_type.endswith("json") else None

            sig = {"X-Sig": "right", "X-Key": "d-1"}
            assert await post("/webhooks/tinyshop", b"ok:7", **sig) == (200, {"ok": True})
            assert await post("/webhooks/tinyshop", b"ok:7", **sig) == (
                200,
                {"ok": True, "duplicate": True},
            )
            assert await post("/webhooks/tinyshop", b"nope", **sig) == (400, {"error": "not ok"})
            assert (await post("/webhooks/tinyshop", b"ok:8", **{"X-Sig": "x"}))[0] == 401
            assert (await post("/webhooks/woocommerce", b"ok:9", **sig))[0] == 404
    finally:
        await runner.cleanup()
    assert hints == [Hint("product", "7", False)]
