"""Shopify webhook deliveries: verify the signature, and turn each into a hint.

A webhook is only ever a hint ("product gid://shopify/Product/123 changed, go and fetch it"):
a device behind NAT or on cellular cannot be reached, so correctness comes from polling and
audits, and a hint just makes a change show up sooner.

What this relies on (shopify.dev "Verify webhook deliveries" and "Ignore duplicate webhooks",
read through the docs search; the DESIGN.md facts agree):

- `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(raw body, secret)), the secret being the app's
  client secret (or the signing key shown in the admin for a webhook made there). It is checked
  on the raw bytes before the body is trusted; a rotated secret can take up to an hour to apply.
- `X-Shopify-Topic` names the event ("products/update").
- `X-Shopify-Event-Id` is the same on every delivery of one event (retries, and one delivery
  per subscription to the topic), so it is the dedupe key; `X-Shopify-Webhook-Id` (one per
  delivery, kept on retries) stands in when it is absent.
- Product and customer payloads are the REST resource: a numeric `id` and, except in the
  `*/delete` payloads (just the `id`), `admin_graphql_api_id`, the GID the device keeps.
- `inventory_levels/update` carries `inventory_item_id` and `location_id`, never a product.
  The reader has no connector and a Hint names a product, so it gives no hint: the connector's
  stock delta (the location's inventory levels changed since the last pull) picks it up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kiosk.connectors.base import Delivery, Hint
from kiosk.connectors.shopify import PLATFORM
from kiosk.connectors.signatures import signature as signature
from kiosk.connectors.signatures import verify

SIGNATURE = "X-Shopify-Hmac-Sha256"
TOPIC = "X-Shopify-Topic"
EVENT_ID = "X-Shopify-Event-Id"
WEBHOOK_ID = "X-Shopify-Webhook-Id"

INVENTORY = "inventory_levels/update"
# Topic -> (hint kind, the GID's type name, deleted).
_HINTS = {
    "products/create": ("product", "Product", False),
    "products/update": ("product", "Product", False),
    "products/delete": ("product", "Product", True),
    "customers/create": ("customer", "Customer", False),
    "customers/update": ("customer", "Customer", False),
    "customers/delete": ("customer", "Customer", True),
}
# What the device subscribes to when it registers its hooks.
TOPICS = (*_HINTS, INVENTORY)

_GID = re.compile(r"gid://shopify/(Product|Customer)/([0-9]{1,20})")


class BadDelivery(ValueError):
    """A delivery that is signed correctly but is not what Shopify sends."""


class ShopifyWebhookReader:
    """Shopify's deliveries for the agent's receiver (see connectors.base.WebhookReader)."""

    platform = PLATFORM

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def read(self, headers: Mapping[str, str], content_type: str, body: bytes) -> Delivery:
        if not verify(body, headers.get(SIGNATURE), self._secret):
            return Delivery(401, note="missing or wrong signature")
        topic = headers.get(TOPIC, "").strip()
        try:
            found = hint(topic, body)
        except BadDelivery as exc:
            return Delivery(400, note=str(exc))
        note = ""
        if topic == INVENTORY:
            note = f"{INVENTORY}: no product named; the next stock delta brings it"
        elif found is None:
            note = f"{topic}: a topic the device does not follow"
        return Delivery(200, found, key=delivery_key(topic, headers), note=note)


def delivery_key(topic: str, headers: Mapping[str, str]) -> str:
    """The dedupe key: the event's id (else the webhook's), within its topic; "" if neither."""
    ident = (headers.get(EVENT_ID) or headers.get(WEBHOOK_ID) or "").strip()
    # One change can fire several topics (products/update with inventory_levels/update); the
    # topic keeps one topic's delivery from silencing another's should they share an event id.
    return f"{topic} {ident}" if ident else ""


def hint(topic: str, body: bytes) -> Hint | None:
    """What a delivery asks the device to re-fetch; None for topics the device does not follow."""
    if not topic:
        raise BadDelivery(f"no {TOPIC} header")
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested past the parser
        raise BadDelivery(f"{topic}: the body is not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise BadDelivery(f"{topic}: the body is not a JSON object")
    if topic not in _HINTS:
        return None
    kind, type_name, deleted = _HINTS[topic]
    return Hint(kind, gid(topic, type_name, data), deleted)


def gid(topic: str, type_name: str, data: Mapping[str, Any]) -> str:
    """The object's GID as the device stores it, from `admin_graphql_api_id` and/or `id`."""
    number = _number(data.get("id"))
    given = data.get("admin_graphql_api_id")
    from_gid = None
    if given is not None:
        match = _GID.fullmatch(given) if isinstance(given, str) else None
        if match is None or match[1] != type_name or (from_gid := _number(match[2])) is None:
            raise BadDelivery(f"{topic}: admin_graphql_api_id is not a {type_name} GID")
    if number is not None and from_gid is not None and number != from_gid:
        raise BadDelivery(f"{topic}: id and admin_graphql_api_id name different objects")
    found = number if number is not None else from_gid
    if found is None:
        raise BadDelivery(f"{topic}: the body has no id")
    return f"gid://shopify/{type_name}/{found}"


def _number(value: object) -> int | None:
    # The id goes back to the store inside a GID: only a Shopify id (a positive 64-bit int) will do.
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, int) and 0 < value < 2**64:
        return value
    return None
