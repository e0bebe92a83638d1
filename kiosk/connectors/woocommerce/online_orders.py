"""A web shop order found by its number and mapped to the device's Order, to refund it here.

Relied on (WooCommerce REST API v3 docs, "Orders" properties; WooCommerce 9.x source:
WC_REST_Orders_V2_Controller, WC_Order_Item_Product::get_taxes, the Stripe gateway's
WC_Stripe_Order_Helper):
- `GET /orders/<id>` reads one order (404 `woocommerce_rest_shop_order_invalid_id` when there is
  none). `number` is the id unless a plugin renumbers orders; `search=` (HPOS) looks at the id,
  the transaction id, names, e-mail and items, so a renumbered order is found by searching and
  then matching `number` exactly.
- Paid: status processing or completed (on-hold waits for the payment to be checked, pending
  and failed were never paid, cancelled and refunded give nothing back). `prices_include_tax`,
  `currency`, `total`, `total_tax` are the order's own.
- Each line item has `product_id`, `variation_id` (0: none), `sku`, `quantity`, `subtotal`,
  `subtotal_tax`, `total`, `total_tax` (ex tax, rounded to the shop's decimals) and `taxes`
  [{id: tax rate id, subtotal, total}] whose amounts are the unrounded per-rate values: each is
  rounded half up here and the last rate takes what the line's rounded tax differs by, so the
  rates add up to the line's tax as the store shows it. `tax_lines` [{rate_id, label,
  rate_percent, compound, tax_total, shipping_tax_total}] are the order's tax by rate.
- `payment_method` / `payment_method_title` / `transaction_id` say how the shopper paid. The
  Stripe gateway's id is "stripe" (its other methods "stripe_<kind>") and its transaction id a
  PaymentIntent ("pi_...") on current versions: only that is a card payment the till's Stripe
  account may refund (if it is the same account: Stripe refuses a foreign PaymentIntent, and the
  refund then waits as failed with Stripe's words). Anything else is OTHER, refunded in cash.
- `refunds` lists refunds made in the shop; the till would not know which units they took back
  (WooCommerce checks only the money), so an order with any is refused in words. An order this
  till already holds is found on the till first and never fetched again.
- The lines are kept in the store's order, line_no 1, 2, ...: refunds.py matches the n-th line
  to the n-th line item. Shipping and fee lines are no lines here (the till does not refund
  them); the order's totals are the store's, shipping included.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from kiosk.connectors.errors import BadResponse, NotFound, Rejected
from kiosk.connectors.woocommerce import PLATFORM
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.orders import META_ORDER_ID, meta_value
from kiosk.core.models import LineTax, Order, OrderLine, Payment, PaymentMethod, TaxLine
from kiosk.core.money import Money, round_half_up
from kiosk.core.web_orders import WEB_NUMBER, WEB_PAYMENT, WEB_REMOTE_ID, web_order_id

PAID = ("processing", "completed")
STATUS_WORDS = {
    "pending": "is waiting for payment",
    "on-hold": "is on hold (its payment is not confirmed)",
    "failed": "failed to be paid",
    "cancelled": "was cancelled",
    "refunded": "is refunded in full already",
    "trash": "is in the trash",
}

Obj = Mapping[str, Any]


def _money(value: Any, currency: str, what: str) -> Money:
    try:
        return Money.from_decimal(Decimal(str(value or "0")), currency)
    except (InvalidOperation, ValueError):
        raise BadResponse(f"{what} {value!r} is not an amount") from None


def _line_taxes(item: Obj, currency: str, line_tax: Money) -> tuple[LineTax, ...]:
    raw = [t for t in item.get("taxes") or () if isinstance(t, Mapping)]
    if not raw:
        return ()
    subs = [_money(t.get("subtotal") or t.get("total"), currency, "line tax") for t in raw]
    tots = [_money(t.get("total"), currency, "line tax") for t in raw]
    # The per-rate values are unrounded: the last rate takes the rounding, so they add up.
    gap = line_tax.minor - sum(m.minor for m in tots)
    tots[-1] = Money(tots[-1].minor + gap, currency)
    return tuple(LineTax(str(t.get("id")), s, m) for t, s, m in zip(raw, subs, tots, strict=True))


def _line(no: int, item: Obj, currency: str, included: bool) -> OrderLine:
    qty = int(item.get("quantity") or 0)
    if qty < 1:
        raise BadResponse(f"line item {item.get('id')}: quantity {qty} cannot be refunded")
    subtotal = _money(item.get("subtotal"), currency, "line subtotal")
    subtotal_tax = _money(item.get("subtotal_tax"), currency, "line subtotal tax")
    total = _money(item.get("total"), currency, "line total")
    total_tax = _money(item.get("total_tax"), currency, "line tax")
    shelf = subtotal + subtotal_tax if included else subtotal
    variation = str(item.get("variation_id") or 0)
    return OrderLine(
        line_no=no,
        product_id=str(item.get("product_id") or ""),
        variation_id=None if variation == "0" else variation,
        name=str(item.get("name") or ""),
        sku=str(item.get("sku") or ""),
        quantity=qty,
        unit_price=Money(round_half_up(Fraction(shelf.minor, qty)), currency),
        subtotal=subtotal,
        subtotal_tax=subtotal_tax,
        total=total,
        total_tax=total_tax,
        discount=subtotal - total,
        taxes=_line_taxes(item, currency, total_tax),
        tax_class=str(item.get("tax_class") or ""),
    )


def _payment(obj: Obj, total: Money) -> tuple[Payment, str]:
    method = str(obj.get("payment_method") or "")
    title = str(obj.get("payment_method_title") or method or "the web shop's checkout")
    reference = str(obj.get("transaction_id") or "")
    stripe = method == "stripe" or method.startswith("stripe_")
    card = stripe and reference.startswith("pi_")
    kind = PaymentMethod.CARD if card else PaymentMethod.OTHER
    zero = Money.zero(total.currency)
    return Payment(kind, total, total, zero, reference=reference), title


def _placed(obj: Obj) -> datetime:
    text = obj.get("date_created_gmt") or obj.get("date_created")
    try:
        return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
    except ValueError:
        raise BadResponse(f"order {obj.get('id')}: date_created {text!r} is not a date") from None


def order_from_woo(obj: Obj, default_currency: str) -> Order:
    """The store's order as the device's Order (see the module docstring). Pure.

    Raises Rejected (in words) when the order is not paid, BadResponse when it is unreadable.
    """
    number = str(obj.get("number") or obj.get("id") or "")
    status = str(obj.get("status") or "")
    if status not in PAID:
        why = STATUS_WORDS.get(status, f"has status {status!r}, not paid")
        raise Rejected(f"web order {number} {why}: there is nothing to refund", status=409)
    if obj.get("refunds"):
        raise Rejected(
            f"web order {number} has been refunded in part in the shop already: refund the rest "
            "in the shop's admin",
            status=409,
        )
    currency = str(obj.get("currency") or default_currency)
    included = bool(obj.get("prices_include_tax"))
    items = [i for i in obj.get("line_items") or () if isinstance(i, Mapping)]
    if not items:
        raise Rejected(f"web order {number} has no items to refund", status=409)
    lines = tuple(_line(n, item, currency, included) for n, item in enumerate(items, start=1))
    tax_lines = tuple(
        TaxLine(
            rate_id=str(t.get("rate_id")),
            label=str(t.get("label") or "Tax"),
            rate=Decimal(str(t.get("rate_percent") or "0")),
            compound=bool(t.get("compound")),
            amount=_money(t.get("tax_total"), currency, "tax total")
            + _money(t.get("shipping_tax_total"), currency, "shipping tax"),
        )
        for t in obj.get("tax_lines") or ()
        if isinstance(t, Mapping)
    )
    total = _money(obj.get("total"), currency, "order total")
    payment, title = _payment(obj, total)
    remote_id = str(obj.get("id"))
    subtotal = Money(sum(li.subtotal.minor for li in lines), currency)
    return Order(
        # An order a till uploaded keeps the till's UUID: the till that sold it has it already.
        id=meta_value(obj, META_ORDER_ID) or web_order_id(PLATFORM, remote_id),
        created_at=_placed(obj),
        currency=currency,
        lines=lines,
        tax_lines=tax_lines,
        subtotal=subtotal,
        discount_total=_money(obj.get("discount_total"), currency, "discount total"),
        discount_tax=_money(obj.get("discount_tax"), currency, "discount tax"),
        tax_total=_money(obj.get("total_tax"), currency, "order tax"),
        total=total,
        payments=(payment,),
        prices_include_tax=included,
        round_at_subtotal=False,
        number=number,
        note=str(obj.get("customer_note") or ""),
        meta={WEB_REMOTE_ID: remote_id, WEB_NUMBER: number, WEB_PAYMENT: title},
    )


async def find(client: WooClient, number: str, currency: str) -> Order | None:
    """The paid web order numbered `number`, None when the store has none by that number."""
    number = number.strip().lstrip("#")
    if not number:
        return None
    if number.isdigit():
        try:
            obj = await client.get(f"/orders/{number}")
        except NotFound:
            obj = None
        if isinstance(obj, Mapping) and str(obj.get("number") or obj.get("id")) == number:
            return order_from_woo(obj, currency)
    found = await client.get("/orders", {"search": number, "status": "any", "per_page": 20})
    if not isinstance(found, list):
        raise BadResponse("GET /orders: expected a JSON list")
    for obj in found:
        if isinstance(obj, Mapping) and str(obj.get("number")) == number:
            return order_from_woo(obj, currency)
    return None
