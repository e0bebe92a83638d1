"""`POST /webhooks/woocommerce`: signed deliveries in, hints out to the sync engine."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web

from kiosk.connectors.woocommerce import webhooks as woo

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/woocommerce"
MAX_BODY = 1024 * 1024  # a product with every field is a few tens of KiB
SEEN_DELIVERIES = 2048


class WooWebhookReceiver:
    """Checks each delivery and passes its hint on; answers as WooCommerce expects."""

    def __init__(self, secret: str, on_hint: Callable[[woo.Hint], None]) -> None:
        self._secret = secret
        self._on_hint = on_hint
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()  # raises 413 past the app's client_max_size
        if woo.is_ping(request.content_type, body):
            log.info("webhook ping from the store: %s", body[:40].decode(errors="replace"))
            return web.json_response({"ok": True})
        if not woo.verify(body, request.headers.get(woo.SIGNATURE), self._secret):
            log.warning("webhook refused: missing or wrong signature")
            return web.json_response({"error": "bad signature"}, status=401)
        delivery = request.headers.get(woo.DELIVERY_ID, "")
        if delivery and delivery in self._seen:
            return web.json_response({"ok": True, "duplicate": True})
        topic = request.headers.get(woo.TOPIC, "")
        try:
            hint = woo.hint(topic, body)
        except woo.BadDelivery as exc:
            log.warning("webhook refused: %s", exc)
            return web.json_response({"error": str(exc)}, status=400)
        if delivery:
            self._seen[delivery] = None
            while len(self._seen) > SEEN_DELIVERIES:
                self._seen.popitem(last=False)
        if hint is not None:
            self._on_hint(hint)
        return web.json_response({"ok": True})


def add_routes(app: web.Application, receiver: WooWebhookReceiver) -> None:
    app.router.add_post(WEBHOOK_PATH, receiver.handle)


def make_app(receiver: WooWebhookReceiver) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    add_routes(app, receiver)
    return app
