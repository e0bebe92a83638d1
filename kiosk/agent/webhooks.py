"""`POST /webhooks/<platform>`: signed deliveries in, hints out to the sync engine.

Each platform brings its own reader (connectors.base.WebhookReader: the signature, the body);
this module owns what every platform shares: the route, bounded reads, repeats acted on once.

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

from kiosk.connectors.base import Hint, WebhookReader

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a product with every field is a few tens of KiB
SEEN_DELIVERIES = 2048
# A store sends a few KiB in one go; a client that needs longer than these is either on a link
# too broken to matter or is holding connections open on purpose.
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
LINGER = 2.0


def webhook_path(platform: str) -> str:
    """Where a platform's store delivers this device's webhooks."""
    return f"/webhooks/{platform}"


class WebhookReceiver:
    """Reads each delivery with its platform's reader and passes the hint on."""

    def __init__(
        self,
        reader: WebhookReader,
        on_hint: Callable[[Hint], None],
        *,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.reader = reader
        self._on_hint = on_hint
        self._body_timeout = body_timeout
        self._seen: OrderedDict[str, None] = OrderedDict()

    @property
    def path(self) -> str:
        return webhook_path(self.reader.platform)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(self._body_timeout):
                body = await request.read()  # raises 413 past the app's client_max_size
        except TimeoutError:
            log.warning("webhook refused: the body took longer than %ss", self._body_timeout)
            refused = web.json_response({"error": "request timeout"}, status=408)
            refused.force_close()
            return refused
        delivery = self.reader.read(request.headers, request.content_type, body)
        if delivery.status == 401:
            log.warning("webhook refused: %s", delivery.note)
            return web.json_response({"error": "bad signature"}, status=401)
        if delivery.status != 200:
            log.warning("webhook refused: %s", delivery.note)
            return web.json_response({"error": delivery.note}, status=delivery.status)
        if delivery.note:
            log.info("webhook %s", delivery.note)
        if delivery.key:
            if delivery.key in self._seen:
                return web.json_response({"ok": True, "duplicate": True})
            self._seen[delivery.key] = None
            while len(self._seen) > SEEN_DELIVERIES:
                self._seen.popitem(last=False)
        if delivery.hint is not None:
            self._on_hint(delivery.hint)
        return web.json_response({"ok": True})


def make_app(
    receiver: WebhookReceiver,
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
    app.router.add_post(receiver.path, receiver.handle)
    return app
