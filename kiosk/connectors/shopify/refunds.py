"""A device refund as Shopify's `refundCreate` input, and Shopify's refunds read back. Pure.

What it relies on (shopify.dev, Admin GraphQL 2026-10: refundCreate, RefundInput,
RefundLineItemInput, RefundLineItemRestockType, OrderTransactionInput, "Idempotent requests"):
- refundCreate takes an idempotency key in the `@idempotent(key:)` directive, REQUIRED since
  2026-04: our refund UUID, so a retry after a lost answer cannot refund twice.
- The money already went back (cash from the drawer, or a Stripe refund): the refund records it
  as a REFUND transaction on the sale's own gateway ("cash" or "stripe"), parented to that sale
  transaction (`parentId` is optional: a web order paid through another gateway gets a "cash"
  refund transaction with no parent, never one on its web gateway, which Shopify would pay out
  through). Those gateways are not ones Shopify pays out through, so nothing is charged;
  `notify: false` sends the customer no second notice.
- Restocking: each refunded line names the order's line item, with restockType RETURN at the
  till's location (the order was created fulfilled there), or NO_RESTOCK.
- The refund UUID is written into the refund's `note`; find_refund reads the order's refunds
  (a direct read of the order, not a search) and matches it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.connectors.base import RemoteRefund
from kiosk.connectors.shopify.orders import GATEWAYS
from kiosk.core.money import Money
from kiosk.core.refunds import Refund

MARK = "kiosk refund "

ORDER = """
query KioskRefundOrder($id: ID!) {
  order(id: $id) {
    id
    lineItems(first: 250) { nodes { id quantity refundableQuantity variant { id } product { id } } }
    transactions(first: 50) { id kind status gateway amountSet { shopMoney { amount } } }
    refunds(first: 100) { id note totalRefundedSet { shopMoney { amount currencyCode } } }
  }
}
"""


def create_document(key: str) -> str:
    """refundCreate with our refund UUID as its idempotency key (a UUID needs no escaping)."""
    if not key or any(c in key for c in '"\\\n'):
        raise ValueError(f"refund id {key!r} cannot be an idempotency key")
    return f"""
mutation KioskRefundCreate($input: RefundInput!) {{
  refundCreate(input: $input) @idempotent(key: "{key}") {{
    refund {{ id note totalRefundedSet {{ shopMoney {{ amount currencyCode }} }} }}
    userErrors {{ field message }}
  }}
}}
"""


DOCUMENTS = {"ORDER": ORDER, "CREATE": create_document("00000000-0000-0000-0000-000000000000")}


def note_for(refund: Refund) -> str:
    words = f"{MARK}{refund.id}"
    return f"{refund.reason} ({words})" if refund.reason else words


def refund_input(
    refund: Refund,
    order: Mapping[str, Any],
    variants: Mapping[str, str],
    location: str,
) -> dict[str, Any]:
    """The `refundCreate` variables; `order` is ORDER's answer, `variants` maps the device's ids
    of the refunded lines to variant GIDs. Raises ValueError for a line the order does not hold."""
    lines = [dict(li) for li in (order.get("lineItems") or {}).get("nodes") or ()]
    left = {li["id"]: int(li.get("refundableQuantity") or 0) for li in lines}
    refund_lines = []
    for rl in refund.lines:
        variant = variants.get(rl.variation_id or rl.product_id)
        wanted = rl.quantity
        for li in lines:
            if wanted == 0:
                break
            if (li.get("variant") or {}).get("id") != variant or left[li["id"]] == 0:
                continue
            take = min(wanted, left[li["id"]])
            left[li["id"]] -= take
            wanted -= take
            item: dict[str, Any] = {"lineItemId": li["id"], "quantity": take}
            if refund.restock:
                item |= {"restockType": "RETURN", "locationId": location}
            else:
                item["restockType"] = "NO_RESTOCK"
            refund_lines.append(item)
        if wanted:
            raise ValueError(
                f"line {rl.line_no} ({rl.sku or rl.product_id}): the order has no {wanted} "
                "more of it to refund"
            )
    gateway = GATEWAYS.get(refund.method, "manual")
    sales = [
        t
        for t in order.get("transactions") or ()
        if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"
    ]
    # Only a sale on one of the till's own gateways may be the parent: a web order's sale on
    # "shopify_payments" or "paypal" as parent would have Shopify pay the money out a second time.
    own = [t for t in sales if t.get("gateway") in set(GATEWAYS.values())]
    parent = next((t for t in own if t.get("gateway") == gateway), own[0] if own else None)
    spec: dict[str, Any] = {
        "orderId": order["id"],
        "note": note_for(refund),
        "notify": False,
        "processedAt": refund.created_at.isoformat(),
        "refundLineItems": refund_lines,
    }
    if refund.amount.minor:
        transaction = {
            "orderId": order["id"],
            "kind": "REFUND",
            "gateway": parent.get("gateway", gateway) if parent else gateway,
            "amount": refund.amount.amount_str(),
        }
        if parent is not None:
            transaction["parentId"] = parent["id"]
        spec["transactions"] = [transaction]
    return {"input": spec}


def find(refund: Refund, refunds: Sequence[Any]) -> RemoteRefund | None:
    """Our refund among the order's, by the UUID in its note."""
    for obj in refunds:
        if isinstance(obj, dict) and f"{MARK}{refund.id}" in str(obj.get("note") or ""):
            return remote_refund(obj, refund)
    return None


def remote_refund(obj: Mapping[str, Any], refund: Refund) -> RemoteRefund:
    money = (obj.get("totalRefundedSet") or {}).get("shopMoney") or {}
    if not isinstance(obj.get("id"), str) or not isinstance(money.get("amount"), str):
        raise ValueError("the refund has no id or amount")
    return RemoteRefund(
        remote_id=obj["id"],
        refund_id=refund.id,
        amount=Money.parse(money["amount"], str(money.get("currencyCode") or refund.currency)),
    )
