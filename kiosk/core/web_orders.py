"""Web orders: orders placed in the web shop, never sold on this till, brought here to refund.

A web order is an Order whose `meta` carries WEB_REMOTE_ID (the store's order id): that is what
marks it everywhere. It is already in the store (never uploaded as a sale), it took its stock in
the store (the device never takes it again), and it is no sale of this till's (the shift reports
leave it out); only a refund made of it here is the till's. Its UUID is deterministic
(`web_order_id`), so importing the same order twice gives the same order.
"""

from __future__ import annotations

import uuid

from kiosk.core.models import Order

WEB_REMOTE_ID = "web_order"  # meta: the store's id of the order (its presence marks a web order)
WEB_NUMBER = "web_number"  # meta: the order number the web shop gave it
WEB_PAYMENT = "web_payment"  # meta: how the shopper paid, in the store's words ("PayPal")
# What every web order's UUID is derived from, with the platform and the store's id.
_NAMESPACE = uuid.UUID("6f1c0a52-4b7e-4d8e-9a57-0c1b9e3f2a10")


def web_order_id(platform: str, remote_id: str) -> str:
    """The UUID of the store's order `remote_id` on `platform`: the same on every import."""
    return str(uuid.uuid5(_NAMESPACE, f"{platform}:{remote_id}"))


def is_web_order(order: Order) -> bool:
    return bool(order.meta.get(WEB_REMOTE_ID))


def payment_words(order: Order) -> str:
    """How the web shop says the order was paid ("" when it did not say)."""
    return order.meta.get(WEB_PAYMENT, "")
