"""Registering the device's webhooks with the store, when the store can reach the device.

Idempotent: hooks of ours that already point at the right address are kept, ours pointing
elsewhere (an old address) are deleted, missing topics are created. "Ours" is recognised by
the name, which carries the device's delivery URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.webhooks import TOPICS

NAME_PREFIX = "Universal Offline POS"


@dataclass(frozen=True, slots=True)
class Registration:
    created: tuple[str, ...]  # topics newly registered
    kept: tuple[str, ...]
    removed: int  # stale hooks of ours deleted


async def register_webhooks(client: WooClient, delivery_url: str, secret: str) -> Registration:
    existing = await client.get_all("/webhooks", {"per_page": 100})
    ours = [h for h in existing if str(h.get("name", "")).startswith(NAME_PREFIX)]
    kept: list[str] = []
    removed = 0
    for hook in ours:
        right = hook.get("delivery_url") == delivery_url and hook.get("status") == "active"
        if right and hook.get("topic") in TOPICS and hook["topic"] not in kept:
            kept.append(str(hook["topic"]))
            continue
        await client._request(
            "DELETE", f"/webhooks/{int(hook['id'])}", params={"force": "true"}, write=True
        )
        removed += 1
    created = [t for t in TOPICS if t not in kept]
    for topic in created:
        await client._request(
            "POST",
            "/webhooks",
            json={
                "name": f"{NAME_PREFIX}: {topic}",
                "topic": topic,
                "delivery_url": delivery_url,
                "secret": secret,
                "status": "active",
            },
            write=True,
        )
    return Registration(tuple(created), tuple(kept), removed)
