"""A web shop order found by its name and mapped to the device's Order, to refund it here.

Relied on (shopify.dev, Admin GraphQL 2026-10, checked against the pinned schema's own
descriptions: QueryRoot.orders and its `query` search fields, Order, LineItem, TaxLine,
OrderTransaction, OrderDisplayFinancialStatus):
- `orders(query: "name:...")` filters by the order's `name`, the "#1001" the shopper sees; the
  value is quoted (a "#" is no plain search word) and the name matched exactly after.
- Paid: displayFinancialStatus PAID (PENDING and AUTHORIZED were not captured, VOIDED and
  REFUNDED give nothing back; PARTIALLY_REFUNDED is refused too: the till would not know which
  units the shop's refunds took back. An order this till holds is found on the till first).
  `taxesIncluded` says whether the prices hold their tax; amounts are MoneyBags in the shop's
  currency (`shopMoney`).
- A line item has `quantity` (as sold), `sku`, `variant` and `product`, `originalTotalSet`
  (unit price times quantity), `discountAllocations` (each discount's share of the line, in the
  prices' own basis) and `taxLines` [{title, rate, priceSet}] per rate, charged on the
  discounted price and each already rounded to the minor unit by Shopify. So the line's total
  is its original total less its allocations, and less its tax when the prices include it; its
  subtotal the same before the allocations (the tax before discounts is not given: the line's
  tax stands for both).
- Orders older than 60 days need the app's `read_all_orders` scope to be found at all.
- `transactions` lists the order's money: SALE or CAPTURE with status SUCCESS is a payment, on
  its `gateway` ("shopify_payments", "paypal", "manual", ...). Only gateway "stripe" with a
  PaymentIntent as its authorizationCode ("pi_...", as the device itself records card sales) is
  a card payment the till's Stripe account may refund; any other is OTHER, refunded in cash.
- Cost (shopify.dev "GraphQL Admin API rate limits", at most 1,000 points a query): two orders
  of 30 line items (each with its variant, product, discounts and taxes) and 20 transactions
  cost about 700. An order of more than 30 lines is refused in words rather than refunded from
  part of its lines.
- Lines keep the store's order (line_no 1, 2, ...) and their variant GIDs as variation ids:
  refunds.py refunds by variant. The order's id is the till's UUID when a till uploaded it (its
  `sourceIdentifier`), else web_order_id("shopify", the order's GID).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from kiosk.connectors.errors import BadResponse, Rejected
from kiosk.connectors.shopify import PLATFORM
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.core.models import LineTax, Order, OrderLine, Payment, PaymentMethod, TaxLine
from kiosk.core.money import Money, round_half_up
from kiosk.core.web_orders import WEB_NUMBER, WEB_PAYMENT, WEB_REMOTE_ID, web_order_id

PAID = ("PAID",)
STATUS_WORDS = {
    "PENDING": "is waiting for payment",
    "AUTHORIZED": "is authorised but not captured",
    "PARTIALLY_PAID": "is only partly paid",
    "EXPIRED": "was never paid (its authorisation expired)",
    "VOIDED": "was voided",
    "REFUNDED": "is refunded in full already",
}

ORDER_BY_NAME = """
query KioskOnlineOrder($query: String!) {
  orders(first: 2, query: $query) {
    nodes {
      id name createdAt processedAt sourceIdentifier taxesIncluded displayFinancialStatus note
      totalPriceSet { shopMoney { amount currencyCode } }
      totalTaxSet { shopMoney { amount } }
      lineItems(first: 30) {
        pageInfo { hasNextPage }
        nodes {
          id name sku quantity
          variant { id }
          product { id }
          originalTotalSet { shopMoney { amount } }
          discountAllocations { allocatedAmountSet { shopMoney { amount } } }
          taxLines { title rate priceSet { shopMoney { amount } } }
        }
      }
      transactions(first: 20) {
        id kind status gateway authorizationCode amountSet { shopMoney { amount } }
      }
    }
  }
}
"""

DOCUMENTS = {"ORDER_BY_NAME": ORDER_BY_NAME}
LINE_PAGE = 30  # the line items ORDER_BY_NAME asks for

Obj = Mapping[str, Any]


def _money(bag: Any, currency: str, what: str) -> Money:
    amount = ((bag or {}).get("shopMoney") or {}).get("amount")
    try:
        return Money.from_decimal(Decimal(str(amount)), currency)
    except (InvalidOperation, ValueError):
        raise BadResponse(f"{what} {amount!r} is not an amount") from None


def _rate_id(tax: Obj) -> str:
    return f"{tax.get('title') or 'Tax'}:{tax.get('rate')}"


def _line(no: int, item: Obj, currency: str, included: bool) -> OrderLine:
    qty = int(item.get("quantity") or 0)
    if qty < 1:
        raise BadResponse(f"line item {item.get('id')}: quantity {qty} cannot be refunded")
    taxes = [t for t in item.get("taxLines") or () if isinstance(t, Mapping)]
    amounts = [_money(t.get("priceSet"), currency, "line tax") for t in taxes]
    tax = Money(sum(m.minor for m in amounts), currency)
    gross = _money(item.get("originalTotalSet"), currency, "line total")
    off = Money(
        sum(
            _money(a.get("allocatedAmountSet"), currency, "line discount").minor
            for a in item.get("discountAllocations") or ()
            if isinstance(a, Mapping)
        ),
        currency,
    )
    before = gross - tax if included else gross
    net = before - off
    variant = (item.get("variant") or {}).get("id")
    product = (item.get("product") or {}).get("id") or variant or ""
    return OrderLine(
        line_no=no,
        product_id=str(product),
        variation_id=str(variant) if variant else None,
        name=str(item.get("name") or ""),
        sku=str(item.get("sku") or ""),
        quantity=qty,
        unit_price=Money(round_half_up(Fraction(gross.minor, qty)), currency),
        subtotal=before,
        subtotal_tax=tax,
        total=net,
        total_tax=tax,
        discount=off,
        taxes=tuple(LineTax(_rate_id(t), m, m) for t, m in zip(taxes, amounts, strict=True)),
    )


def _payments(obj: Obj, currency: str) -> tuple[tuple[Payment, ...], str]:
    out: list[Payment] = []
    words: list[str] = []
    for t in obj.get("transactions") or ():
        if not isinstance(t, Mapping) or t.get("kind") not in ("SALE", "CAPTURE"):
            continue
        if t.get("status") != "SUCCESS":
            continue
        amount = _money(t.get("amountSet"), currency, "payment")
        gateway = str(t.get("gateway") or "")
        reference = str(t.get("authorizationCode") or "")
        card = gateway == "stripe" and reference.startswith("pi_")
        kind = PaymentMethod.CARD if card else PaymentMethod.OTHER
        zero = Money.zero(currency)
        out.append(Payment(kind, amount, amount, zero, reference=reference))
        words.append(gateway.replace("_", " ") or "the web shop's checkout")
    return tuple(out), ", ".join(dict.fromkeys(words))


def _when(text: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise BadResponse(f"order date {text!r} is not a date") from None


def _own_uuid(source: Any) -> str | None:
    try:
        return str(uuid.UUID(str(source))) if source else None
    except ValueError:
        return None


def order_from_shopify(obj: Obj) -> Order:
    """The shop's order as the device's Order (see the module docstring). Pure.

    Raises Rejected (in words) when it is not paid, BadResponse when it is unreadable.
    """
    name = str(obj.get("name") or "")
    status = str(obj.get("displayFinancialStatus") or "")
    if status == "PARTIALLY_REFUNDED":
        raise Rejected(
            f"web order {name} has been refunded in part in the shop already: refund the rest "
            "in the shop's admin",
            status=409,
        )
    if status not in PAID:
        why = STATUS_WORDS.get(status, f"has the payment status {status!r}, not paid")
        raise Rejected(f"web order {name} {why}: there is nothing to refund", status=409)
    total_bag = obj.get("totalPriceSet") or {}
    currency = str((total_bag.get("shopMoney") or {}).get("currencyCode") or "")
    if not currency:
        raise BadResponse(f"order {name}: no currency")
    included = bool(obj.get("taxesIncluded"))
    items = [i for i in (obj.get("lineItems") or {}).get("nodes") or () if isinstance(i, Mapping)]
    if not items:
        raise Rejected(f"web order {name} has no items to refund", status=409)
    lines = tuple(_line(n, item, currency, included) for n, item in enumerate(items, start=1))
    by_rate: dict[str, tuple[Obj, int]] = {}
    for item in items:
        for t in item.get("taxLines") or ():
            prior = by_rate.get(_rate_id(t), (t, 0))[1]
            minor = _money(t.get("priceSet"), currency, "line tax").minor
            by_rate[_rate_id(t)] = (t, prior + minor)
    tax_lines = tuple(
        TaxLine(
            rate_id=rid,
            label=str(t.get("title") or "Tax"),
            rate=Decimal(str(t.get("rate") or 0)) * 100,  # Shopify's rate is a fraction (0.2)
            compound=False,
            amount=Money(minor, currency),
        )
        for rid, (t, minor) in by_rate.items()
    )
    payments, words = _payments(obj, currency)
    if not payments:
        raise Rejected(f"web order {name} has no payment to refund", status=409)
    remote_id = str(obj.get("id") or "")
    return Order(
        id=_own_uuid(obj.get("sourceIdentifier")) or web_order_id(PLATFORM, remote_id),
        created_at=_when(obj.get("processedAt") or obj.get("createdAt")),
        currency=currency,
        lines=lines,
        tax_lines=tax_lines,
        subtotal=Money(sum(li.subtotal.minor for li in lines), currency),
        discount_total=Money(sum(li.discount.minor for li in lines), currency),
        discount_tax=Money.zero(currency),
        tax_total=_money(obj.get("totalTaxSet"), currency, "order tax"),
        total=_money(total_bag, currency, "order total"),
        payments=payments,
        prices_include_tax=included,
        round_at_subtotal=False,
        number=name,
        note=str(obj.get("note") or ""),
        meta={WEB_REMOTE_ID: remote_id, WEB_NUMBER: name, WEB_PAYMENT: words},
    )


def search_for(number: str) -> tuple[str, str]:
    """The order name for `number` ("1001" or "#1001": "#1001") and its search query."""
    bare = number.strip().lstrip("#")
    # Shopify's default names are "#" and the number; a shop's own prefix is typed as it is.
    name = f"#{bare}" if bare[:1].isdigit() else bare
    if not bare or any(c in bare for c in "\"\\'\n"):
        raise ValueError(f"{number!r} is not an order number")
    return name, f'name:"{name}"'


async def find(client: ShopifyClient, number: str) -> Order | None:
    """The paid web order named like `number`, None when the shop has none by that name."""
    try:
        name, query = search_for(number)
    except ValueError:
        return None
    data = await client.query(ORDER_BY_NAME, {"query": query}, name="web order by name")
    for obj in (data.get("orders") or {}).get("nodes") or ():
        if isinstance(obj, Mapping) and obj.get("name") == name:
            if ((obj.get("lineItems") or {}).get("pageInfo") or {}).get("hasNextPage"):
                raise Rejected(
                    f"web order {name} has more than {LINE_PAGE} lines: refund it in the shop's "
                    "admin",
                    status=422,
                )
            return order_from_shopify(obj)
    return None
