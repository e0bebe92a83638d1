"""A refund of a completed sale: which lines, how much, back to which tender.

A refund has its own UUID, minted when staff start it: the idempotency key of every remote write
made for it (the card refund at Stripe, the refund in the store), exactly as an order's UUID is.
Amounts are what goes back to the customer: `amount` is the lines' totals with their tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.core.models import LineTax, PaymentMethod
from kiosk.core.money import Money


@dataclass(frozen=True, slots=True)
class RefundLine:
    """Some or all of one order line, given back."""

    line_no: int  # the order line's own number
    product_id: str
    variation_id: str | None
    sku: str
    quantity: int
    total: Money  # ex tax, after the sale's discounts, for `quantity` items
    total_tax: Money
    taxes: tuple[LineTax, ...] = ()  # `total` of each is the tax refunded at that rate


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund as the device committed it; `amount` = sum of lines' total + total_tax."""

    id: str  # UUID minted when the refund started: the idempotency key
    order_id: str  # the refunded order's UUID
    created_at: datetime
    currency: str
    lines: tuple[RefundLine, ...]
    amount: Money
    method: PaymentMethod  # where the money went back: cash or the original card
    restock: bool = False  # put the items back on the shelf (the store raises its stock)
    reason: str = ""
    staff: str = ""
    reference: str = ""  # the card refund's id at the payment provider ("re_..."), once made
