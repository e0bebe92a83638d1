"""A sale as Shopify's `orderCreate` input, and Shopify's order read back. Pure, no I/O.

What it relies on (shopify.dev, Admin GraphQL 2026-10: orderCreate, OrderCreateOrderInput,
OrderCreateLineItemInput, OrderCreateTaxLineInput, OrderCreateOrderTransactionInput,
OrderCreateOptionsInput, the `orders` query's `source_identifier` search field):
- orderCreate has no idempotency key. Our order UUID goes into `sourceIdentifier` ("the ID of
  the order placed on the originating platform"), which `orders(query:)` searches
  (`source_identifier:`), and into a custom attribute a person sees on the order page.
- `processedAt` is the sale's real time (the date reports use); `taxesIncluded` says whether the
  line prices include tax, as the shop's setting did when the device priced the sale.
- Lines name the variant (a simple product's is its default variant) with the unit price as
  listed, and the taxes the device computed, per line and rate (a rate is a fraction: 0.2 for
  20 %); order-level and line-level tax lines may not be mixed. orderCreate takes one discount
  code only, so the sale's discounts travel as one fixed amount (`itemFixedDiscountCode`), what
  makes Shopify's total the device's to the cent.
- Transactions: one successful SALE per payment. Cash is gateway "cash"; a card payment is
  gateway "stripe" with the PaymentIntent id as its `authorizationCode` and the card's details in
  `receiptJson`. Neither gateway is one Shopify charges through: the money already moved.
- `options.inventoryBehaviour: DECREMENT_IGNORING_POLICY`: Shopify takes the stock itself, even
  below zero (the goods already left the shop; refusing the record of a real sale because the
  shop's count disagrees would lose it). The order is created fulfilled at the till's location
  (`fulfillment.locationId`), which is where the stock is taken.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from kiosk.connectors.base import RemoteOrder
from kiosk.connectors.shopify.mapping import stock_of
from kiosk.core.models import Order, OrderLine, Payment, PaymentMethod, StockLevel, TaxLine
from kiosk.core.money import Money

ATTRIBUTE_ORDER_ID = "kiosk_order_id"
ATTRIBUTE_NUMBER = "kiosk_number"
TAG = "kiosk"
GATEWAYS = {PaymentMethod.CASH: "cash", PaymentMethod.CARD: "stripe", PaymentMethod.OTHER: "manual"}
DISCOUNT_CODE = "POS"
# Line items read back with an order, each with its stock (about 5 points a line): what keeps a
# lookup of two orders under the 1,000-point query limit. A longer order's stock is read after.
LINE_PAGE = 50

_ORDER = """
  id name sourceIdentifier displayFinancialStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: $lines) {
    nodes {
      id quantity
      variant {
        id inventoryPolicy
        inventoryItem {
          tracked
          inventoryLevel(locationId: $location) {
            quantities(names: ["available"]) { name quantity }
          }
        }
      }
    }
  }
"""

CREATE = f"""
mutation KioskOrderCreate(
  $order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput, $location: ID!, $lines: Int!
) {{
  orderCreate(order: $order, options: $options) {{
    order {{ {_ORDER} }}
    userErrors {{ field message code }}
  }}
}}
"""

FIND = f"""
query KioskOrderFind($query: String!, $location: ID!, $lines: Int!) {{
  orders(first: 2, query: $query, sortKey: ID) {{ nodes {{ {_ORDER} }} }}
}}
"""

DEFAULT_VARIANTS = """
query KioskDefaultVariants($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Product { id variants(first: 1) { nodes { id } } } }
}
"""

DOCUMENTS = {"CREATE": CREATE, "FIND": FIND, "DEFAULT_VARIANTS": DEFAULT_VARIANTS}


def lines_for(order: Order) -> int:
    """How many line items to read back with `order` (all of them, up to LINE_PAGE)."""
    return max(1, min(len(order.lines), LINE_PAGE))


def search_for(order_id: str) -> str:
    """The `orders(query:)` that finds our order by its UUID."""
    return f'source_identifier:"{order_id}"'


def _money(amount: Money) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount.amount_str(), "currencyCode": amount.currency}}


def _rate(rate: Decimal) -> str:
    return format((rate / 100).normalize(), "f")  # the device keeps percent; Shopify a fraction


def _line(line: OrderLine, variant: str, rates: Mapping[str, TaxLine]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "variantId": variant,
        "quantity": line.quantity,
        "priceSet": _money(line.unit_price),
        "taxable": bool(line.taxes),
        "requiresShipping": False,
    }
    if line.sku:
        out["sku"] = line.sku
    taxes = []
    for tax in line.taxes:
        rate = rates.get(tax.rate_id)
        if rate is None:
            raise ValueError(f"line {line.line_no}: tax rate {tax.rate_id} is not on the order")
        taxes.append(
            {"title": rate.label or "Tax", "rate": _rate(rate.rate), "priceSet": _money(tax.total)}
        )
    if taxes:
        out["taxLines"] = taxes
    return out


def _transaction(payment: Payment, order: Order, location: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "SALE",
        "status": "SUCCESS",
        "gateway": GATEWAYS.get(payment.method, "manual"),
        "amountSet": _money(payment.amount),
        "processedAt": order.created_at.isoformat(),
        "locationId": location,
    }
    if payment.method is PaymentMethod.CARD and payment.reference:
        out["authorizationCode"] = payment.reference
        receipt = {
            "payment_intent": payment.reference,
            "card_brand": payment.card_brand,
            "card_last4": payment.card_last4,
            "entry_mode": payment.entry_mode,
            "auth_code": payment.auth_code,
        }
        out["receiptJson"] = json.dumps({k: v for k, v in receipt.items() if v})
    return out


def order_input(order: Order, variants: Mapping[str, str], location: str) -> dict[str, Any]:
    """The `orderCreate` variables for `order`; `variants` maps each line's device id (the
    variation, or a simple product) to its Shopify variant GID."""
    rates = {t.rate_id: t for t in order.tax_lines}
    lines = [_line(li, variants[li.variation_id or li.product_id], rates) for li in order.lines]
    listed = Money.zero(order.currency)
    for li in order.lines:
        listed = listed + li.unit_price * li.quantity
    # What Shopify adds up (prices x quantities, plus the taxes unless included), less one
    # fixed discount, must be the device's total: the discount is what makes it so.
    before = listed if order.prices_include_tax else listed + order.tax_total
    discount = before - order.total
    if discount.minor < 0:
        raise ValueError(
            f"the order's total {order.total} is above its lines' listed prices {before}"
        )
    spec: dict[str, Any] = {
        "currency": order.currency,
        "sourceIdentifier": order.id,
        "processedAt": order.created_at.isoformat(),
        "taxesIncluded": order.prices_include_tax,
        "lineItems": lines,
        "transactions": [_transaction(p, order, location) for p in order.payments],
        "fulfillment": {"locationId": location, "notifyCustomer": False},
        "tags": [TAG],
        "customAttributes": [
            {"key": ATTRIBUTE_ORDER_ID, "value": order.id},
            *([{"key": ATTRIBUTE_NUMBER, "value": order.number}] if order.number else []),
            *([{"key": "kiosk_cashier", "value": order.cashier}] if order.cashier else []),
        ],
    }
    if discount.minor:
        spec["discountCode"] = {
            "itemFixedDiscountCode": {"code": DISCOUNT_CODE, "amountSet": _money(discount)}
        }
    if order.customer_id and order.customer_id.startswith("gid://shopify/Customer/"):
        spec["customer"] = {"toAssociate": {"id": order.customer_id}}
    if order.note:
        spec["note"] = order.note
    return {
        "order": spec,
        "options": {
            "inventoryBehaviour": "DECREMENT_IGNORING_POLICY",
            "sendReceipt": False,
            "sendFulfillmentReceipt": False,
        },
        "location": location,
        "lines": lines_for(order),
    }


def remote_order(obj: Mapping[str, Any], order: Order, owners: Mapping[str, str]) -> RemoteOrder:
    """Shopify's order as the engine's RemoteOrder; `owners` maps a variant GID back to the
    device's id for it (its own, or its simple product's), for the stock read back with it.

    Raises ValueError if the answer lacks what the engine needs.
    """
    oid, total = obj.get("id"), (obj.get("totalPriceSet") or {}).get("shopMoney") or {}
    if not isinstance(oid, str) or not isinstance(total.get("amount"), str):
        raise ValueError("the order has no id or total")
    stock: list[StockLevel] = []
    for line in (obj.get("lineItems") or {}).get("nodes") or ():
        variant = (line or {}).get("variant")
        if isinstance(variant, dict) and variant.get("id") in owners:
            level = stock_of(variant)
            stock.append(
                StockLevel(owners[variant["id"]], level.manage_stock, level.quantity, level.status)
            )
    if {s.product_id for s in stock} != set(owners.values()):
        stock = []  # not every line came back with the answer: the engine reads them all after
    return RemoteOrder(
        remote_id=oid,
        order_id=str(obj.get("sourceIdentifier") or order.id),
        number=str(obj.get("name") or ""),
        status=str(obj.get("displayFinancialStatus") or "").lower(),
        total=Money.parse(total["amount"], str(total.get("currencyCode") or order.currency)),
        stock=tuple(stock),
    )


def user_errors(errors: Sequence[Any]) -> str:
    """Shopify's userErrors in words: each message with the field it names."""
    words = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        field = ".".join(str(f) for f in error.get("field") or ())
        message = str(error.get("message") or "refused")
        words.append(f"{message} ({field})" if field else message)
    return "; ".join(words) or "Shopify refused it without saying why"
