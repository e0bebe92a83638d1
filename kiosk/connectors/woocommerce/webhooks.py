"""WooCommerce webhook deliveries: verify the signature, and turn each into a hint.

A webhook is only ever a hint ("product 42 changed, go and fetch it"): WooCommerce tries each
delivery once, disables a hook after a few failures, and cannot reach a device behind NAT, so
correctness comes from polling and audits, and a hint just makes a change show up sooner.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

SIGNATURE = "X-WC-Webhook-Signature"
TOPIC = "X-WC-Webhook-Topic"
DELIVERY_ID = "X-WC-Webhook-Delivery-ID"
WEBHOOK_ID = "X-WC-Webhook-ID"

# What the device subscribes to when it registers its hooks.
TOPICS = (
    "product.created",
    "product.updated",
    "product.deleted",
    "customer.created",
    "customer.updated",
    "customer.deleted",
)


class BadDelivery(ValueError):
    """A delivery that is signed correctly but is not what WooCommerce sends."""


@dataclass(frozen=True, slots=True)
class Hint:
    kind: str  # "product" or "customer"
    id: str  # for a variation: its parent, which is what the device re-fetches
    deleted: bool


def signature(body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(raw body, secret)), as WooCommerce signs a delivery."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(body: bytes, given: str | None, secret: str) -> bool:
    """True when `given` is the delivery's signature; compared in constant time."""
    if not given or not secret:
        return False
    return hmac.compare_digest(signature(body, secret).encode(), given.strip().encode())


def is_ping(content_type: str, body: bytes) -> bool:
    """WooCommerce's creation ping: a form-encoded `webhook_id=N`, sent unsigned."""
    return content_type.startswith("application/x-www-form-urlencoded") and body.startswith(
        b"webhook_id="
    )


def hint(topic: str, body: bytes) -> Hint | None:
    """What a delivery asks the device to re-fetch; None for topics the device ignores."""
    resource, _, event = topic.partition(".")
    if resource not in ("product", "customer"):
        return None
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadDelivery(f"{topic}: the body is not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int | str):
        raise BadDelivery(f"{topic}: the body has no id")
    ident = str(data["id"])
    parent = data.get("parent_id")
    if resource == "product" and parent not in (None, 0, "0", ""):
        ident = str(parent)  # a variation changed: its parent carries the whole set
        return Hint(resource, ident, False)
    return Hint(resource, ident, event == "deleted")
