"""Uploading a sale: create it once, and find it again when an attempt's outcome is unknown."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from kiosk.connectors.base import RemoteOrder
from kiosk.connectors.errors import BadResponse, OutcomeUnknown
from kiosk.connectors.woocommerce import paging
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.orders import (
    META_ORDER_ID,
    meta_value,
    order_payload,
    remote_order_from_woo,
)
from kiosk.connectors.woocommerce.paging import gmt
from kiosk.core.models import Order

log = logging.getLogger("kiosk.connectors.woocommerce.connector")

LOOKUP_FIELDS = "id,number,status,total,currency,meta_data"


async def create(client: WooClient, order: Order) -> RemoteOrder:
    """POST the order; an unreadable answer is OutcomeUnknown, for `find` to settle.

    The answer carries no stock: the caller reads back what a batch of orders sold in a few
    listings (`stock_levels`), instead of one more request per order.
    """
    payload = order_payload(order)
    resp = await client._request("POST", "/orders", json=payload, write=True)
    try:
        remote = remote_order_from_woo(resp.data, order.currency)
    except ValueError as exc:
        # The store took the order but its answer is unreadable: let find_order settle it.
        raise OutcomeUnknown(
            f"POST /orders: the store's answer is unreadable ({exc}); look the order up"
        ) from None
    if remote.total != order.total:
        log.error(
            "order %s: the store's total %s differs from the sale's %s",
            order.id,
            remote.total,
            order.total,
        )
    if not remote.order_id:
        remote = replace(remote, order_id=order.id)
    return remote


async def find(client: WooClient, order: Order, *, since: datetime) -> RemoteOrder | None:
    """The store's copy of `order` (by the UUID in its meta) among orders modified since."""
    params: dict[str, str | int] = {
        **paging.BY_ID,
        "modified_after": gmt(since),
        "dates_are_gmt": "true",
        # Only what matching and remote_order_from_woo read: the listing holds every order
        # changed since the attempt, and whole orders are kilobytes each.
        "_fields": LOOKUP_FIELDS,
    }
    found = [
        obj
        for obj in await client.get_all("/orders", params)
        if isinstance(obj, dict) and meta_value(obj, META_ORDER_ID) == order.id
    ]
    if not found:
        return None
    if len(found) > 1:
        log.error(
            "order %s exists %d times on the store (ids %s)",
            order.id,
            len(found),
            ", ".join(str(o.get("id")) for o in found),
        )
    try:
        return remote_order_from_woo(found[0], order.currency)
    except ValueError as exc:
        raise BadResponse(f"GET /orders: order for {order.id} is unreadable: {exc}") from None
