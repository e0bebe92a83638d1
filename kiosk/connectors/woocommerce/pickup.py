"""Web orders for in-store pickup: listed by status and shipping method, completed with a PUT.

Relied on (WooCommerce REST API v3 docs, "Orders"; WooCommerce 9.x source: WC_Shipping_Local_Pickup,
Automattic\\WooCommerce\\Blocks\\Shipping\\PickupLocation, WC_REST_Orders_V2_Controller,
WC_REST_CRUD_Controller::update_item, WC_Order::status_transition):
- An order paid online and waiting is "processing" (or "on-hold" when the payment is to be
  checked): `GET /orders?status=processing,on-hold` lists both.
- The customer's choice of pickup is the order's shipping line: `method_id` "local_pickup" for
  the classic Local pickup method, "pickup_location" for the checkout block's Local Pickup
  (an older block release used "blocks_local_pickup"; kept for stores that still have it).
- `PUT /orders/<id> {"status": "completed"}` completes it (date_completed is stamped, the
  customer gets the "completed" e-mail). Setting the status it already has changes nothing, so
  the write is idempotent by nature; an unknown id is 400 `woocommerce_rest_shop_order_invalid_id`
  on update (404 on GET).
- WooCommerce lets any status become "completed" through REST, even cancelled or refunded: the
  connector checks the order first (it is read anyway) and refuses those itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kiosk.connectors.errors import BadResponse, NotFound, OutcomeUnknown, Rejected
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine, PickupOrder, PickupState

log = logging.getLogger(__name__)

WAITING = ("processing", "on-hold")
DONE = "completed"
PICKUP_METHODS = frozenset({"local_pickup", "pickup_location", "blocks_local_pickup"})


def is_local_pickup(order: Mapping[str, Any]) -> bool:
    return any(
        isinstance(s, Mapping) and s.get("method_id") in PICKUP_METHODS
        for s in order.get("shipping_lines") or ()
    )


def _name(order: Mapping[str, Any]) -> str:
    for key in ("billing", "shipping"):
        addr = order.get(key) or {}
        name = " ".join(str(addr.get(k) or "").strip() for k in ("first_name", "last_name"))
        if name.strip():
            return name.strip()
    return str((order.get("billing") or {}).get("company") or "")


def _placed(order: Mapping[str, Any]) -> datetime:
    text = order.get("date_created_gmt") or order.get("date_created")
    try:
        return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
    except ValueError:
        raise BadResponse(f"order {order.get('id')}: date_created {text!r} is not a date") from None


def pickup_from_woo(order: Mapping[str, Any], currency: str) -> PickupOrder:
    """A listed order as a PickupOrder (BadResponse when it is not an order)."""
    if not isinstance(order.get("id"), int):
        raise BadResponse("an order in the listing has no integer id")
    cur = str(order.get("currency") or currency)
    try:
        total = Money.parse(str(order.get("total") or "0"), cur)
    except ValueError:
        raise BadResponse(f"order {order['id']}: total {order.get('total')!r}") from None
    lines = tuple(
        PickupLine(
            name=str(li.get("name") or ""),
            sku=str(li.get("sku") or ""),
            quantity=int(float(li.get("quantity") or 0)),
        )
        for li in order.get("line_items") or ()
        if isinstance(li, Mapping)
    )
    billing = order.get("billing") or {}
    return PickupOrder(
        remote_id=str(order["id"]),
        number=str(order.get("number") or order["id"]),
        customer=_name(order),
        email=str(billing.get("email") or ""),
        phone=str(billing.get("phone") or (order.get("shipping") or {}).get("phone") or ""),
        placed_at=_placed(order),
        total=total,
        lines=lines,
        status=str(order.get("status") or ""),
        note=str(order.get("customer_note") or ""),
    )


async def pickup_orders(client: WooClient, currency: str, *, local_only: bool) -> list[PickupOrder]:
    """Processing and on-hold orders (with a local-pickup shipping line when `local_only`)."""
    found = await client.get_all(
        "/orders", {"status": ",".join(WAITING), "per_page": 100, "orderby": "date", "order": "asc"}
    )
    return [
        pickup_from_woo(o, currency)
        for o in found
        if isinstance(o, Mapping) and (not local_only or is_local_pickup(o))
    ]


async def _order(client: WooClient, remote_id: str) -> Mapping[str, Any] | None:
    try:
        resp = await client._request("GET", f"/orders/{remote_id}")
    except NotFound:
        return None
    if not isinstance(resp.data, Mapping):
        raise BadResponse(f"GET /orders/{remote_id}: the answer is not an order")
    return resp.data


def state_of(order: Mapping[str, Any] | None) -> PickupState:
    if order is None:
        return PickupState.GONE
    status = order.get("status")
    if status == DONE:
        return PickupState.COLLECTED
    return PickupState.WAITING if status in WAITING else PickupState.GONE


async def pickup_state(client: WooClient, remote_id: str) -> PickupState:
    return state_of(await _order(client, remote_id))


async def complete(client: WooClient, remote_id: str) -> None:
    """Check the order can still be collected, then PUT it completed (see the docstring)."""
    order = await _order(client, remote_id)
    state = state_of(order)
    if state is PickupState.COLLECTED:
        return  # completed already (by an earlier attempt, or in the store's admin)
    if order is None or state is PickupState.GONE:
        status = "deleted" if order is None else f"{order.get('status')}"
        raise Rejected(
            f"the store's order {remote_id} is {status}: it cannot be completed as collected",
            status=409 if order is not None else 404,
            code="kiosk_pickup_not_waiting",
        )
    resp = await client._request("PUT", f"/orders/{remote_id}", json={"status": DONE}, write=True)
    if not isinstance(resp.data, Mapping) or resp.data.get("status") != DONE:
        got = resp.data.get("status") if isinstance(resp.data, Mapping) else None
        raise OutcomeUnknown(
            f"PUT /orders/{remote_id}: the answer says status {got!r}; look the order up"
        )
