"""Webhooks: registration, the creation ping, and signed deliveries like WooCommerce's.

Changes are coalesced per event-loop turn (one delivery per webhook and resource id), the payload
is built at send time, each delivery is one attempt with no retry, and a webhook whose
`failure_count` is already above 5 when a delivery fails is disabled (WC_Webhook::failed_delivery:
so the 7th consecutive failure disables it). A 2xx, 301 or 302 answer is a success.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from kiosk.sim.woocommerce.listing import WooError
from kiosk.sim.woocommerce.state import Obj, WooStore

RESOURCES = ("product", "order", "customer", "coupon")
EVENTS = ("created", "updated", "deleted", "restored")
MAX_FAILURES = 5
USER_AGENT = "WooCommerce/9.9.3 Hookshot (WordPress/6.8.1)"

Render = Callable[[str, int], Obj | None]  # (resource, id) -> payload, None if gone


@dataclass(frozen=True)
class Delivery:
    """One POST the simulator made to a delivery URL."""

    webhook_id: int
    kind: str  # "ping" or "delivery"
    topic: str
    url: str
    body: bytes
    headers: dict[str, str]
    status: int | None  # None: the connection failed
    ok: bool


class DeliveryLog:
    """Every delivery attempt, in order; `await wait_for(n)` until at least n have finished."""

    def __init__(self) -> None:
        self.records: list[Delivery] = []
        self._changed = asyncio.Event()

    def add(self, record: Delivery) -> None:
        self.records.append(record)
        self._changed.set()
        self._changed = asyncio.Event()

    def __len__(self) -> int:
        return len(self.records)

    async def wait_for(self, n: int, within: float = 5.0) -> list[Delivery]:
        """The first `n` records, once they exist; TimeoutError after `within` seconds."""
        async with asyncio.timeout(within):
            while len(self.records) < n:
                await self._changed.wait()
        return self.records[:n]


def sign(body: bytes, secret: str) -> str:
    """X-WC-Webhook-Signature: base64(HMAC-SHA256(raw body, secret))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class Webhooks:
    """The store's webhooks and their delivery machinery (runs on the simulator's loop)."""

    def __init__(self, store: WooStore, render: Render, source_url: str) -> None:
        self.store = store
        self.render = render
        self.source_url = source_url.rstrip("/") + "/"
        self.log = DeliveryLog()
        self._pending: dict[tuple[str, str, int], None] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._delivery_id = 0
        store.listeners.append(self.on_change)

    # -- registration -------------------------------------------------------------------------

    def create(self, body: Any) -> Obj:
        """POST /webhooks: validate, store, and ping the delivery URL in the background."""
        if not isinstance(body, dict) or not body.get("delivery_url"):
            raise WooError(
                "rest_missing_callback_param",
                "Missing parameter(s): delivery_url",
                400,
                params=["delivery_url"],
            )
        topic = str(body.get("topic") or "")
        resource, _, event = topic.partition(".")
        if resource not in RESOURCES or event not in EVENTS:
            raise WooError(
                "woocommerce_rest_webhook_invalid_topic",
                "Webhook topic is required and must be valid.",
                400,
            )
        wid = self.store.next_webhook_id
        self.store.next_webhook_id += 1
        hook: Obj = {
            "id": wid,
            "name": str(
                body.get("name") or f"Webhook created on {self.store.now():%b %d, %Y @ %I:%M %p}"
            ),
            "status": str(body.get("status") or "active"),
            "topic": topic,
            "resource": resource,
            "event": event,
            "hooks": [f"woocommerce_{event}_{resource}"],
            "delivery_url": str(body["delivery_url"]),
            "secret": str(body.get("secret") or secrets.token_urlsafe(32)),
            "failure_count": 0,
        }
        self.store.stamp(hook, "date_created", "date_modified")
        self.store.webhooks[wid] = hook
        if hook["status"] == "active":
            self._spawn(self._ping(hook))
        return hook

    @staticmethod
    def public(hook: Obj, *, with_secret: bool = False) -> Obj:
        out = {k: v for k, v in hook.items() if k not in ("secret", "failure_count")}
        if with_secret:
            out["secret"] = hook["secret"]
        return out

    # -- events -------------------------------------------------------------------------------

    def on_change(self, resource: str, event: str, oid: int) -> None:
        """Store listener: queue the change; deliveries start on the next loop turn."""
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending[(resource, event, oid)] = None

    def _flush(self) -> None:
        pending, self._pending = list(self._pending), {}
        for resource, event, oid in pending:
            for hook in list(self.store.webhooks.values()):
                if hook["status"] == "active" and hook["topic"] == f"{resource}.{event}":
                    self._spawn(self._deliver(hook, resource, event, oid))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        try:
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, TimeoutError):
            return None

    async def _ping(self, hook: Obj) -> None:
        body = f"webhook_id={hook['id']}".encode()
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}
        status = await self._post(hook["delivery_url"], body, headers)
        ok = status is not None and 200 <= status < 303
        self.log.add(
            Delivery(
                hook["id"], "ping", hook["topic"], hook["delivery_url"], body, headers, status, ok
            )
        )

    async def _deliver(self, hook: Obj, resource: str, event: str, oid: int) -> None:
        payload = {"id": oid} if event == "deleted" else self.render(resource, oid)
        if payload is None:
            return
        body = json.dumps(payload, separators=(",", ":")).encode()
        self._delivery_id += 1
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": self.source_url,
            "X-WC-Webhook-Topic": hook["topic"],
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(body, hook["secret"]),
            "X-WC-Webhook-ID": str(hook["id"]),
            "X-WC-Webhook-Delivery-ID": str(self._delivery_id),
        }
        status = await self._post(hook["delivery_url"], body, headers)
        ok = status is not None and 200 <= status < 303
        if ok:
            hook["failure_count"] = 0
        elif hook["failure_count"] > MAX_FAILURES:
            hook["status"] = "disabled"
            self.store.stamp(hook, "date_modified")
        else:
            hook["failure_count"] += 1
        self.log.add(
            Delivery(
                hook["id"],
                "delivery",
                hook["topic"],
                hook["delivery_url"],
                body,
                headers,
                status,
                ok,
            )
        )

    async def drain(self) -> None:
        """Wait until queued changes are delivered (or found to need no delivery)."""
        await asyncio.sleep(0)  # let a scheduled flush run
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await asyncio.sleep(0)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
