"""`POST /webhooks/woocommerce`: signed deliveries in, hints out to the sync engine.

The endpoint may face the internet, so a client gets a bounded time and size to say what it
wants; what this relies on in aiohttp (checked against 3.14's web_protocol.py and web_app.py):

- `web.Application(handler_args=...)` is passed to every connection's RequestHandler, winning
  over the AppRunner's own keyword arguments, so the bounds hold however the app is served;
- RequestHandler's `keepalive_timeout` is armed when a connection opens and again after each
  answer, and closes a connection still waiting for a complete request line and headers when it
  fires. Bytes arriving do not re-arm it, so it bounds the whole time to send the headers (and
  how long an idle keep-alive connection stays open), however slowly they dribble in;
- nothing in aiohttp bounds the time to read a body, so the handler reads it inside
  `asyncio.timeout` and answers 408 with `Connection: close`;
- `client_max_size` makes `request.read()` raise 413 once the body passes it;
- after an answer, RequestHandler reads and discards a body left unread for up to
  `lingering_time` before it closes the connection: that is bounded too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web

from kiosk.connectors.woocommerce import webhooks as woo

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/woocommerce"
MAX_BODY = 1024 * 1024  # a product with every field is a few tens of KiB
SEEN_DELIVERIES = 2048
# A store sends a few KiB in one go; a client that needs longer than these is either on a link
# too broken to matter or is holding connections open on purpose.
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
LINGER = 2.0


class WooWebhookReceiver:
    """Checks each delivery and passes its hint on; answers as WooCommerce expects."""

    def __init__(
        self,
        secret: str,
        on_hint: Callable[[woo.Hint], None],
        *,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self._secret = secret
        self._on_hint = on_hint
        self._body_timeout = body_timeout
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def handle(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(self._body_timeout):
                body = await request.read()  # raises 413 past the app's client_max_size
        except TimeoutError:
            log.warning("webhook refused: the body took longer than %ss", self._body_timeout)
            refused = web.json_response({"error": "request timeout"}, status=408)
            refused.force_close()
            return refused
        if woo.is_ping(request.content_type, body):
            log.info("webhook ping from the store: %s", body.decode("ascii"))
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


def make_app(
    receiver: WooWebhookReceiver,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    linger: float = LINGER,
    max_body: int = MAX_BODY,
) -> web.Application:
    """The receiver's app; `header_timeout` also closes idle keep-alive connections."""
    app = web.Application(
        client_max_size=max_body,
        handler_args={"keepalive_timeout": header_timeout, "lingering_time": linger},
    )
    add_routes(app, receiver)
    return app
