"""WooCommerce webhook deliveries: verify the signature, and turn each into a hint.

A webhook is only ever a hint ("product 42 changed, go and fetch it"): WooCommerce tries each
delivery once, disables a hook after a few failures, and cannot reach a device behind NAT, so
correctness comes from polling and audits, and a hint just makes a change show up sooner.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kiosk.connectors.base import Delivery, Hint
from kiosk.connectors.signatures import signature as signature
from kiosk.connectors.signatures import verify
from kiosk.connectors.woocommerce import PLATFORM

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


class WooWebhookReader:
    """WooCommerce's deliveries for the agent's receiver (see connectors.base.WebhookReader)."""

    platform = PLATFORM

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def read(self, headers: Mapping[str, str], content_type: str, body: bytes) -> Delivery:
        if is_ping(content_type, body):
            return Delivery(200, note=f"ping from the store: {body.decode('ascii')}")
        if not verify(body, headers.get(SIGNATURE), self._secret):
            return Delivery(401, note="missing or wrong signature")
        try:
            found = hint(headers.get(TOPIC, ""), body)
        except BadDelivery as exc:
            return Delivery(400, note=str(exc))
        return Delivery(200, found, key=headers.get(DELIVERY_ID, ""))


_PING = re.compile(rb"webhook_id=[0-9]{1,20}")


def is_ping(content_type: str, body: bytes) -> bool:
    """WooCommerce's creation ping: a form-encoded `webhook_id=N` and nothing else, unsigned."""
    return content_type == "application/x-www-form-urlencoded" and bool(_PING.fullmatch(body))


def hint(topic: str, body: bytes) -> Hint | None:
    """What a delivery asks the device to re-fetch; None for topics the device ignores."""
    resource, _, event = topic.partition(".")
    if resource not in ("product", "customer"):
        return None
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested past the parser
        raise BadDelivery(f"{topic}: the body is not JSON ({type(exc).__name__})") from None
    ident = _id(data.get("id")) if isinstance(data, dict) else None
    if ident is None:
        raise BadDelivery(f"{topic}: the body has no id")
    parent = data.get("parent_id")
    if resource == "product" and parent not in (None, 0, "0", ""):
        # A variation changed: its parent carries the whole set.
        if (parent_id := _id(parent)) is None:
            raise BadDelivery(f"{topic}: parent_id is not an id")
        return Hint(resource, parent_id, False)
    return Hint(resource, ident, event == "deleted")


def _id(value: object) -> str | None:
    # The id goes into a REST path on the way back to the store: only a WooCommerce id will do.
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value < 2**64:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return str(int(value)) if int(value) > 0 else None
    return None
