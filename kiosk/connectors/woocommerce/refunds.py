"""A refund as a WooCommerce order refund: created once, found again by our UUID in its meta.

Relied on (WooCommerce REST API v3 docs, "Order refunds"; WooCommerce 9.x source:
WC_REST_Order_Refunds_Controller::prepare_object_for_database, RestApiUtil::
adjust_create_refund_request_parameters, wc_create_refund, wc_restock_refunded_items):
- `POST /wc/v3/orders/<id>/refunds` takes `amount` (it wins over the line items' sum), `reason`,
  `line_items` [{id: the order's line item id, quantity, refund_total (ex tax), refund_tax:
  [{id: tax rate id, refund_total}]}], `api_refund` (default TRUE: the gateway would be asked
  to pay the money back, so we always send false: the device already did) and `api_restock`
  (default TRUE; the v3 name of wc_create_refund's `restock_items`: raise the stock of managed
  products by the refunded quantities). `meta_data` is saved on the refund. A fully refunded
  order's status becomes "refunded".
- An amount above what is left to refund (order total less refunds) fails in wc_create_refund
  with "Invalid refund amount.", which the controller answers as HTTP **500**
  `woocommerce_rest_cannot_create_order_refund` (not 400), and a negative one 400
  `woocommerce_rest_invalid_order_refund`; an unknown order 404 `woocommerce_rest_invalid_order_id`.
  A 500 on a write reads as OutcomeUnknown in our client, so the refund is checked here against
  the store's order first (it must be fetched anyway for its line item ids) and refused
  (Rejected, in the store's own words) before anything is posted.
- `GET /wc/v3/orders/<id>/refunds` lists the order's refunds with their meta_data: a refund
  whose answer was lost is found by the UUID in its meta (there is no idempotency key).
The store's line item ids are not kept by the order upload, so the order is read back and our
lines matched to its line items: the k-th of our lines for a product (and variation) is the k-th
line item for it, as the store keeps the posted order; the SKU when ids do not match.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kiosk.connectors.base import RemoteRefund
from kiosk.connectors.errors import BadResponse, NotFound, OutcomeUnknown, Rejected
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.orders import meta_value
from kiosk.core.money import Money
from kiosk.core.refunds import Refund, RefundLine

log = logging.getLogger("kiosk.connectors.woocommerce.connector")

META_REFUND_ID = "_kiosk_refund_id"
META_ORDER_ID = "_kiosk_order_id"
META_CARD_REFUND = "_kiosk_card_refund"
META_METHOD = "_kiosk_refund_method"
META_STAFF = "_kiosk_staff"
INVALID_AMOUNT = "Invalid refund amount."
CANNOT_CREATE = "woocommerce_rest_cannot_create_order_refund"


def _money(value: Any, currency: str, what: str) -> Money:
    try:
        return Money.parse(str(value), currency)
    except ValueError:
        raise BadResponse(f"{what} {value!r} is not an amount") from None


def _refunded(order: Mapping[str, Any], currency: str) -> Money:
    """What the order's refunds already took back (their totals are negative)."""
    total = Money.zero(currency)
    for r in order.get("refunds") or []:
        if isinstance(r, Mapping):
            total = total + _money(str(r.get("total", "0")).lstrip("-"), currency, "refund total")
    return total


def _item_ids(order: Mapping[str, Any], refund: Refund) -> dict[int, int]:
    """Our line_no -> the store's line item id (see the module docstring).

    The upload posts every line in line_no order (1, 2, ...), so line n is the n-th line item
    when its product and variation agree; else the first unclaimed item of that product and
    variation; else the item with its SKU.
    """
    items = [i for i in order.get("line_items") or [] if isinstance(i, Mapping)]
    out: dict[int, int] = {}
    taken: set[int] = set()

    def fits(item: Mapping[str, Any], rl: RefundLine) -> bool:
        variation = str(item.get("variation_id") or 0)
        return int(item.get("id", 0)) not in taken and (
            str(item.get("product_id")),
            "" if variation == "0" else variation,
        ) == (rl.product_id, rl.variation_id or "")

    for rl in sorted(refund.lines, key=lambda r: r.line_no):
        at = rl.line_no - 1
        candidates = ([items[at]] if 0 <= at < len(items) else []) + items
        chosen = next((i for i in candidates if fits(i, rl)), None)
        if chosen is None and rl.sku:
            chosen = next(
                (i for i in items if i.get("sku") == rl.sku and int(i.get("id", 0)) not in taken),
                None,
            )
        if chosen is None:
            raise Rejected(
                f"the store's order {order.get('id')} has no line item for line {rl.line_no} "
                f"(SKU {rl.sku or 'none'}, product {rl.product_id})",
                status=400,
                code="kiosk_refund_line_unmatched",
            )
        out[rl.line_no] = int(chosen["id"])
        taken.add(out[rl.line_no])
    return out


def refund_payload(refund: Refund, item_ids: Mapping[int, int]) -> dict[str, Any]:
    """The POST body: the money already went back, so never through the gateway."""
    meta = {
        META_REFUND_ID: refund.id,
        META_ORDER_ID: refund.order_id,
        META_METHOD: refund.method.value,
        META_STAFF: refund.staff,
        META_CARD_REFUND: refund.reference,
    }
    return {
        "amount": refund.amount.amount_str(),
        "reason": refund.reason,
        "api_refund": False,
        "api_restock": refund.restock,
        "line_items": [
            {
                "id": item_ids[rl.line_no],
                "quantity": rl.quantity,
                "refund_total": rl.total.amount_str(),
                "refund_tax": [
                    {"id": int(t.rate_id), "refund_total": t.total.amount_str()}
                    for t in rl.taxes
                    if t.rate_id.isdigit()
                ],
            }
            for rl in refund.lines
        ],
        "meta_data": [{"key": k, "value": v} for k, v in meta.items() if v],
    }


def remote_refund(obj: Any, refund: Refund) -> RemoteRefund:
    if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), int):
        raise ValueError("a refund is a JSON object with an integer id")
    amount = _money(obj.get("amount", "0"), refund.currency, f"refund {obj['id']} amount")
    return RemoteRefund(str(obj["id"]), meta_value(obj, META_REFUND_ID) or refund.id, amount)


async def _order(client: WooClient, order_remote_id: str) -> Mapping[str, Any]:
    try:
        resp = await client._request("GET", f"/orders/{order_remote_id}")
    except NotFound:
        raise Rejected(
            f"the store has no order {order_remote_id} to refund (was it deleted?)",
            status=404,
            code="woocommerce_rest_shop_order_invalid_id",
        ) from None
    if not isinstance(resp.data, Mapping):
        raise BadResponse(f"GET /orders/{order_remote_id}: the answer is not an order")
    return resp.data


async def create(client: WooClient, refund: Refund, *, order_remote_id: str) -> RemoteRefund:
    """Check the refund against the store's order, then POST it (see the module docstring)."""
    order = await _order(client, order_remote_id)
    currency = str(order.get("currency") or refund.currency)
    left = _money(order.get("total", "0"), currency, "order total") - _refunded(order, currency)
    if refund.amount.minor > left.minor:
        raise Rejected(
            f"{INVALID_AMOUNT} The store's order {order_remote_id} has {left.amount_str()} "
            f"{currency} left to refund, the refund is {refund.amount.amount_str()}",
            status=500,
            code=CANNOT_CREATE,
        )
    payload = refund_payload(refund, _item_ids(order, refund))
    resp = await client._request(
        "POST", f"/orders/{order_remote_id}/refunds", json=payload, write=True
    )
    try:
        return remote_refund(resp.data, refund)
    except (ValueError, BadResponse) as exc:
        raise OutcomeUnknown(
            f"POST /orders/{order_remote_id}/refunds: the answer is unreadable ({exc}); "
            "look the refund up"
        ) from None


async def find(client: WooClient, refund: Refund, *, order_remote_id: str) -> RemoteRefund | None:
    """The store's refund of this order that carries our refund UUID, if there is one."""
    try:
        found = [
            obj
            for obj in await client.get_all(f"/orders/{order_remote_id}/refunds", {"per_page": 100})
            if isinstance(obj, Mapping) and meta_value(obj, META_REFUND_ID) == refund.id
        ]
    except NotFound:
        raise Rejected(
            f"the store has no order {order_remote_id} to refund (was it deleted?)",
            status=404,
            code="woocommerce_rest_invalid_order_id",
        ) from None
    if not found:
        return None
    if len(found) > 1:
        log.error("refund %s exists %d times on the store", refund.id, len(found))
    try:
        return remote_refund(found[0], refund)
    except ValueError as exc:
        raise BadResponse(f"GET /orders/{order_remote_id}/refunds: {exc}") from None
