"""Our Order as WooCommerce order JSON, the store's own arithmetic on it, and its answer parsed.

The store does not take our taxes: on POST /orders it recomputes them from the ex-tax line
totals (WC_Abstract_Order::calculate_totals). When the shop's prices include tax, that can land a
cent or two away from what the customer paid, so the payload carries a "Rounding" fee line, not
taxed, for the difference: the store's total then equals our total exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from kiosk.connectors.base import RemoteOrder
from kiosk.core.models import Order, OrderLine, Payment, PaymentMethod, TaxRate
from kiosk.core.money import Money, exponent, round_half_up

# Order meta keys: our UUID (the idempotency key find_order matches), the real sale time (REST
# cannot set date_created), and what a merchant reading the order wants to know.
META_ORDER_ID = "_kiosk_order_id"
META_SOLD_AT = "_kiosk_sold_at"
META_DEVICE_NUMBER = "_kiosk_device_number"
META_OFFLINE = "_kiosk_offline"
META_CASHIER = "_kiosk_cashier"
META_PAYMENTS = "_kiosk_payments"

ROUNDING_FEE_NAME = "Rounding"
SPLIT_METHOD = "split"

_TITLES = {PaymentMethod.CASH: "Cash", PaymentMethod.CARD: "Card", PaymentMethod.OTHER: "Other"}


class OrderPayloadError(ValueError):
    """The order cannot be expressed as a WooCommerce order (names the line and field)."""


def _woo_id(value: str, what: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise OrderPayloadError(f"{what} {value!r} is not a WooCommerce id (a positive integer)")
    return int(value)


# -- the store's arithmetic ---------------------------------------------------------------------
#
# WooCommerce 9.x, WC_Abstract_Order::calculate_totals(true) on an order posted with ex-tax line
# totals, worked here in exact fractions of the minor unit:
# - each line: WC_Tax::calc_tax(line total, its rates, exclusive), each rate's tax rounded to
#   wc_get_rounding_precision() decimals (6 for 2-decimal currencies), half away from zero;
# - a negative fee carries tax too, whatever its tax_status (WC_Order_Item_Fee::calculate_taxes):
#   the fee is split over the tax classes in proportion to the non-negative items' totals
#   (non-taxable items have their own share, untaxed) and each share taxed exclusively;
# - per line and rate, the tax is rounded to the minor unit (wc_round_tax_total: half down when
#   prices include tax, else half up) unless "round tax at subtotal" is on;
# - total = line totals + fees + the sum of those taxes, rounded once, half up, to the minor unit.


def _half_down(value: Fraction) -> int:
    """PHP_ROUND_HALF_DOWN: to the nearest integer, halves towards zero."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole = magnitude.numerator // magnitude.denominator
    return sign * (whole + (1 if magnitude - whole > Fraction(1, 2) else 0))


def _sub_minor_scale(currency: str) -> int:
    """10 ** (decimals WooCommerce keeps on a computed tax beyond the minor unit)."""
    decimals = int(exponent(currency))
    return int(10 ** (max(decimals + 2, 6) - decimals))


def _exclusive(price: Fraction, rates: Sequence[TaxRate], scale: int) -> list[Fraction]:
    """WC_Tax::calc_exclusive_tax per rate, each kept to the store's rounding precision."""
    taxes = [Fraction(0) if r.compound else price * Fraction(r.rate) / 100 for r in rates]
    for i, rate in enumerate(rates):
        if rate.compound:
            taxes[i] = (price + sum(taxes, Fraction(0))) * Fraction(rate.rate) / 100
    return [Fraction(round_half_up(t * scale), scale) for t in taxes]


def _line_rates(order: Order, line: OrderLine) -> list[TaxRate]:
    """The rates that taxed `line`, in the order the cart applied them (compound ones last)."""
    known = {t.rate_id: t for t in order.tax_lines}
    rates = []
    for lt in line.taxes:
        t = known.get(lt.rate_id)
        if t is None:
            raise OrderPayloadError(
                f"line {line.line_no}: tax rate {lt.rate_id} is not among the order's tax lines"
            )
        rates.append(TaxRate(id=t.rate_id, rate=t.rate, name=t.label, compound=t.compound))
    return rates


def _negative_fee_taxes(order: Order, fee: int, positive_fees: int, scale: int) -> list[Fraction]:
    # Untaxed positive fees count as "non-taxable" cost: they dilute the taxed share.
    costs: dict[str, int] = {"\0non-taxable": positive_fees}
    class_rates: dict[str, list[TaxRate]] = {"\0non-taxable": []}
    for line in order.lines:
        if line.total.minor < 0:
            continue
        key = line.tax_class if line.taxes else "\0non-taxable"
        costs[key] = costs.get(key, 0) + line.total.minor
        class_rates.setdefault(key, _line_rates(order, line))
    whole = sum(costs.values())
    if not whole:
        return []
    return [
        t
        for key, cost in costs.items()
        if cost
        for t in _exclusive(Fraction(fee * cost, whole), class_rates[key], scale)
    ]


def store_total(order: Order, fees: Sequence[int] = ()) -> Money:
    """The total WooCommerce computes for `order`'s lines plus untaxed fees (in minor units).

    See the notes above; this mirrors WooCommerce 9.x so the fee lines can make up the difference.
    """
    scale = _sub_minor_scale(order.currency)
    taxes = [
        t
        for line in order.lines
        for t in _exclusive(Fraction(line.total.minor), _line_rates(order, line), scale)
    ]
    positive = sum(f for f in fees if f > 0)
    for fee in fees:
        if fee < 0:
            taxes += _negative_fee_taxes(order, fee, positive, scale)
    items = sum(line.total.minor for line in order.lines) + sum(fees)
    if order.round_at_subtotal:
        return Money(round_half_up(items + sum(taxes, Fraction(0))), order.currency)
    rounded = _half_down if order.prices_include_tax else round_half_up
    return Money(items + sum(rounded(t) for t in taxes), order.currency)


def rounding_fees(order: Order) -> list[Money]:
    """Untaxed fees that make the store's total equal `order.total` (usually none).

    A negative fee is taxed by the store, so it moves the total by a little more than itself,
    and with "round at subtotal" a single one can step over the total we need: then a negative
    and a positive fee together make the difference.
    """
    base = order.total.minor - store_total(order).minor
    if base == 0:
        return []
    singles = [(base + d,) for d in (0, -1, 1, -2, 2) if base + d]
    # Even -1 and +1 together: the store taxes the -1 and not the +1, a fraction of a unit.
    pairs = [(neg, pos) for neg in range(-1, -6, -1) for pos in range(1, 6)]
    for fees in [*singles, *pairs]:
        if store_total(order, fees) == order.total:
            return [Money(f, order.currency) for f in fees]
    return [Money(base, order.currency)]  # not seen with real rates; the store's total will differ


# -- the payload --------------------------------------------------------------------------------


def _payment_title(p: Payment) -> str:
    title = _TITLES.get(p.method, p.method.value.title())
    last4 = f"•••• {p.card_last4}" if p.card_last4 else ""
    card = " ".join(x for x in (p.card_brand.title(), last4) if x)
    return f"{title} ({card})" if card else title


def _payments_json(payments: Sequence[Payment]) -> str:
    return json.dumps(
        [
            {
                "method": p.method.value,
                "amount": p.amount.amount_str(),
                "tendered": p.tendered.amount_str(),
                "change": p.change.amount_str(),
                "reference": p.reference,
                "card_brand": p.card_brand,
                "card_last4": p.card_last4,
                "entry_mode": p.entry_mode,
                "auth_code": p.auth_code,
            }
            for p in payments
        ],
        separators=(",", ":"),
    )


def _line_item(line: OrderLine) -> dict[str, Any]:
    item: dict[str, Any] = {
        "product_id": _woo_id(line.product_id, f"line {line.line_no} product id"),
        "quantity": line.quantity,
        # Ex tax, before and after discounts: the store keeps them and taxes the total.
        "subtotal": line.subtotal.amount_str(),
        "total": line.total.amount_str(),
    }
    if line.variation_id:
        item["variation_id"] = _woo_id(line.variation_id, f"line {line.line_no} variation id")
    if line.name:
        item["name"] = line.name
    return item


def order_payload(order: Order) -> dict[str, Any]:
    """The POST /orders body for a completed counter sale, paid, with our meta."""
    if not order.lines:
        raise OrderPayloadError(f"order {order.id} has no lines")
    payments = order.payments
    cards = [p for p in payments if p.method is PaymentMethod.CARD]
    if len(payments) == 1:
        method, title = payments[0].method.value, _payment_title(payments[0])
    elif payments:
        # With a card among the tenders the order is a card order: its transaction_id is the
        # card's PaymentIntent, and a merchant filtering card orders should find it.
        method = PaymentMethod.CARD.value if cards else SPLIT_METHOD
        title = " + ".join(f"{_payment_title(p)} {p.amount.amount_str()}" for p in payments)
    else:
        method, title = PaymentMethod.OTHER.value, "No payment"  # a zero-total sale
    card_refs = [p.reference for p in cards if p.reference]
    meta = {
        **order.meta,
        META_ORDER_ID: order.id,
        META_SOLD_AT: order.created_at.isoformat().replace("+00:00", "Z"),
        META_DEVICE_NUMBER: order.number,
        META_OFFLINE: "yes" if order.offline else "no",
        META_CASHIER: order.cashier,
        META_PAYMENTS: _payments_json(payments),
    }
    payload: dict[str, Any] = {
        "status": "completed",  # a counter sale is handed over on the spot
        "set_paid": True,
        "currency": order.currency,
        "payment_method": method,
        "payment_method_title": title,
        "line_items": [_line_item(line) for line in order.lines],
        "meta_data": [{"key": k, "value": v} for k, v in meta.items()],
    }
    if card_refs:
        payload["transaction_id"] = card_refs[0]
    if order.customer_id:
        payload["customer_id"] = _woo_id(order.customer_id, "customer id")
    if order.note:
        payload["customer_note"] = order.note
    fees = rounding_fees(order)
    if fees:
        payload["fee_lines"] = [
            {"name": ROUNDING_FEE_NAME, "tax_status": "none", "total": f.amount_str()} for f in fees
        ]
    return payload


# -- the answer ---------------------------------------------------------------------------------


def meta_value(obj: Mapping[str, Any], key: str) -> str | None:
    """The value of meta `key` in a WooCommerce object's meta_data, if it is there as text."""
    meta = obj.get("meta_data")
    if not isinstance(meta, list):
        return None
    for entry in meta:
        if isinstance(entry, Mapping) and entry.get("key") == key:
            value = entry.get("value")
            return value if isinstance(value, str) else None
    return None


def remote_order_from_woo(obj: Any, default_currency: str) -> RemoteOrder:
    """Parse a /orders object; raises ValueError naming the field when it is not one."""
    if not isinstance(obj, Mapping):
        raise ValueError(f"an order is a JSON object, not {type(obj).__name__}")
    oid = obj.get("id")
    if not isinstance(oid, int) or isinstance(oid, bool) or oid <= 0:
        raise ValueError(f"order id {oid!r} is not a positive integer")
    currency = obj.get("currency") or default_currency
    total = obj.get("total")
    if not isinstance(currency, str) or not isinstance(total, str):
        raise ValueError(f"order {oid}: total {total!r} / currency {currency!r} are not text")
    number = obj.get("number")
    status = obj.get("status")
    return RemoteOrder(
        remote_id=str(oid),
        order_id=meta_value(obj, META_ORDER_ID) or "",
        number=str(number) if isinstance(number, str | int) else str(oid),
        status=status if isinstance(status, str) else "",
        total=Money.parse(total, currency),
    )


__all__ = [
    "META_CASHIER",
    "META_DEVICE_NUMBER",
    "META_OFFLINE",
    "META_ORDER_ID",
    "META_PAYMENTS",
    "META_SOLD_AT",
    "ROUNDING_FEE_NAME",
    "OrderPayloadError",
    "meta_value",
    "order_payload",
    "remote_order_from_woo",
    "rounding_fees",
    "store_total",
]
