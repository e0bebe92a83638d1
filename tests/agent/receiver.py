"""The agent's webhook endpoint on 127.0.0.1 for a test, collecting the hints it passes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from kiosk.agent.webhooks import BODY_TIMEOUT, WebhookReceiver, make_app
from kiosk.connectors.base import Hint, WebhookReader
from kiosk.connectors.woocommerce.webhooks import WooWebhookReader


@asynccontextmanager
async def serve_receiver(
    secret: str,
    *,
    body_timeout: float = BODY_TIMEOUT,
    reader: WebhookReader | None = None,
    **app: Any,
) -> AsyncIterator[tuple[str, list[Hint]]]:
    """Yield (delivery URL, hints received so far); `reader` is the platform's (WooCommerce's
    with `secret` unless given), `app` goes to make_app (its timeouts)."""
    hints: list[Hint] = []
    reader = reader or WooWebhookReader(secret)
    receiver = WebhookReceiver(reader, hints.append, body_timeout=body_timeout)
    runner = web.AppRunner(make_app(receiver, **app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}{receiver.path}", hints
    finally:
        await runner.cleanup()
