"""The simulated shop's webhook deliveries: each change is POSTed, signed, to every subscription
to its topic (kiosk.sim.shopify.hooks keeps the subscriptions).

What it relies on (shopify.dev "About webhooks", "Verify webhook deliveries", "Ignore duplicate
webhooks"; the DESIGN.md facts agree):
- A delivery is a POST of the REST resource as JSON (`id` numeric, `admin_graphql_api_id` the
  GID; a `*/delete` body holds only the `id`) with the headers X-Shopify-Topic,
  X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body, keyed with the app's client
  secret), X-Shopify-Shop-Domain, X-Shopify-API-Version, X-Shopify-Webhook-Id (one per delivery),
  X-Shopify-Event-Id (one per event: the same on every subscription's delivery and on retries)
  and X-Shopify-Triggered-At.
- Shopify waits 5 s for an answer; anything but a 2xx is retried (19 times over 48 hours). Here:
  retried once, at once (a test that wants more pulls the lever again).
- The subscription's URI is HTTPS. A device is reached through its shop's public address (a
  proxy in front of it in real life); `forward` maps that address to where a test's receiver
  listens, as the proxy would.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from kiosk.sim.shopify.state import Obj, ShopifyStore, number_of

TIMEOUT_S = 5.0
TRIES = 2


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Sent:
    topic: str
    uri: str
    event_id: str
    status: int | None  # None: no answer (refused, timed out)


@dataclass
class Deliveries:
    """What the shop sent; `forward(uri)` is where a delivery to `uri` really goes."""

    store: ShopifyStore
    secret: str
    api_version: str
    forward: Callable[[str], str] = lambda uri: uri
    sent: list[Sent] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def changed(self, topic: str, resource: Obj) -> None:
        """An event: its payload goes to every subscription to `topic`, one event id for all."""
        hooks = [h for h in self.store.webhooks.values() if h["topic"] == _enum(topic)]
        if not hooks:
            return
        body = json.dumps(_payload(topic, resource), separators=(",", ":")).encode()
        event_id = str(uuid.uuid4())
        for hook in hooks:
            task = asyncio.get_running_loop().create_task(
                self._deliver(topic, hook["uri"], body, event_id)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def wait_for(self, n: int, within: float = 10.0) -> list[Sent]:
        """The first `n` deliveries, once made (answered or given up on)."""
        async with asyncio.timeout(within):
            while len(self.sent) < n:
                self._changed.clear()
                await self._changed.wait()
        return self.sent[:n]

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _deliver(self, topic: str, uri: str, body: bytes, event_id: str) -> None:
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, self.secret),
            "X-Shopify-Shop-Domain": str(self.store.shop["myshopifyDomain"]),
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": self.store.now(),
        }
        status: int | None = None
        for _ in range(TRIES):
            # A new delivery id per attempt would be wrong: Shopify keeps it on retries.
            headers.setdefault("X-Shopify-Webhook-Id", str(uuid.uuid4()))
            status = await _post(self.forward(uri), body, headers)
            if status is not None and 200 <= status < 300:
                break
        self.sent.append(Sent(topic, uri, event_id, status))
        self._changed.set()


async def _post(url: str, body: bytes, headers: dict[str, str]) -> int | None:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, data=body, headers=headers) as answer,
        ):
            await answer.read()
            return answer.status
    except (aiohttp.ClientError, TimeoutError):
        return None


def _enum(topic: str) -> str:
    """products/update -> PRODUCTS_UPDATE, as GraphQL's WebhookSubscriptionTopic names it."""
    return topic.replace("/", "_").upper()


def _payload(topic: str, resource: Obj) -> dict[str, Any]:
    number = number_of(str(resource["id"]))
    if topic.endswith("/delete"):
        return {"id": number}
    body: dict[str, Any] = {"id": number, "admin_graphql_api_id": resource["id"]}
    for ours, theirs in (("title", "title"), ("updatedAt", "updated_at"), ("status", "status")):
        if ours in resource:
            value = resource[ours]
            body[theirs] = value.lower() if ours == "status" and isinstance(value, str) else value
    return body
