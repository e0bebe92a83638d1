"""The agent's webhook endpoint on 127.0.0.1 for a test, collecting the hints it passes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from kiosk.agent.webhooks import WEBHOOK_PATH, WooWebhookReceiver, make_app
from kiosk.connectors.woocommerce.webhooks import Hint


@asynccontextmanager
async def serve_receiver(secret: str) -> AsyncIterator[tuple[str, list[Hint]]]:
    """Yield (delivery URL, hints received so far)."""
    hints: list[Hint] = []
    runner = web.AppRunner(make_app(WooWebhookReceiver(secret, hints.append)))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}{WEBHOOK_PATH}", hints
    finally:
        await runner.cleanup()
