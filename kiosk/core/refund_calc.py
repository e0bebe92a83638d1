"""What a refund gives back: lines prorated to the cent from the sale, and the tender it goes to.

Contract:
- A line's total and each rate's tax are prorated by quantity cumulatively: after k of n units
  have gone back, round_half_up(line amount * k / n) has. So the units refunded last take the
  rounding remainder, and refunding every unit (at once or over several refunds) gives back the
  sale's line totals and taxes exactly; the order total with them, since the order's tax lines are
  the sums of its lines' taxes. When the shop's prices include tax, the prorated amount is the
  line's price with its tax, and its ex-tax part what is left once the prorated taxes are out:
  one unit back is what it cost on the shelf.
- More than is left to refund is refused (RefundError), naming the line and its SKU.
- Cash takes any refund. Card takes one only when the order was paid by card, back to the first
  card payment's PaymentIntent (a web order's only when the web shop took it as a Stripe
  PaymentIntent: kiosk.core.web_orders), and at most what was charged by card less earlier
  card refunds (split tender: the rest goes back in cash).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from kiosk.core.models import LineTax, Order, OrderLine, PaymentMethod
from kiosk.core.money import Money, round_half_up
from kiosk.core.refunds import Refund, RefundLine
from kiosk.core.web_orders import is_web_order, payment_words


class RefundError(ValueError):
    """A refund that cannot be made as asked; the message names the line, SKU or tender."""


@dataclass(slots=True)
class _Given:
    """What earlier refunds gave back of one order line."""

    quantity: int = 0
    total: int = 0
    taxes: dict[str, int] = field(default_factory=dict)


def _given(order: Order, earlier: Sequence[Refund]) -> dict[int, _Given]:
    given = {li.line_no: _Given() for li in order.lines}
    for refund in earlier:
        if refund.order_id != order.id:
            raise ValueError(f"refund {refund.id} is of order {refund.order_id}, not {order.id}")
        for rl in refund.lines:
            g = given.setdefault(rl.line_no, _Given())
            g.quantity += rl.quantity
            g.total += rl.total.minor
            for t in rl.taxes:
                g.taxes[t.rate_id] = g.taxes.get(t.rate_id, 0) + t.total.minor
    return given


def _name(line: OrderLine) -> str:
    return f"line {line.line_no} ({line.sku or line.name})"


def left_to_refund(order: Order, earlier: Sequence[Refund]) -> dict[int, int]:
    """Units of each order line (by line_no) that no earlier refund has given back."""
    given = _given(order, earlier)
    return {li.line_no: li.quantity - given[li.line_no].quantity for li in order.lines}


def quantities_for_skus(
    order: Order, earlier: Sequence[Refund], wanted: Mapping[str, int]
) -> dict[int, int]:
    """`wanted` units per SKU spread over the order's lines with that SKU, first lines first.

    Raises RefundError naming a SKU the order does not hold or more units than are left of it.
    """
    left = left_to_refund(order, earlier)
    result: dict[int, int] = {}
    for sku, qty in wanted.items():
        if qty < 1:
            raise RefundError(f"SKU {sku}: the quantity to refund must be at least 1, not {qty}")
        lines = [li for li in order.lines if li.sku == sku]
        if not lines:
            raise RefundError(f"order {order.number or order.id} has no line with SKU {sku}")
        available = sum(left[li.line_no] for li in lines)
        if qty > available:
            sold = sum(li.quantity for li in lines)
            raise RefundError(
                f"SKU {sku}: {qty} to refund, but only {available} of {sold} sold "
                "are left to refund"
            )
        for li in lines:
            take = min(qty, left[li.line_no])
            if take:
                result[li.line_no] = result.get(li.line_no, 0) + take
                qty -= take
    return result


def _share(amount: int, units: int, quantity: int) -> int:
    return round_half_up(Fraction(amount * units, quantity))


def refund_lines(
    order: Order, earlier: Sequence[Refund], wanted: Mapping[int, int] | None = None
) -> tuple[RefundLine, ...]:
    """The lines given back for `wanted` units per line_no (None: everything left).

    Raises RefundError when a line is unknown, a quantity is below 1 or more than is left,
    or nothing at all would be refunded.
    """
    given = _given(order, earlier)
    by_no = {li.line_no: li for li in order.lines}
    if wanted is None:
        wanted = {
            no: li.quantity - given[no].quantity
            for no, li in by_no.items()
            if li.quantity - given[no].quantity > 0
        }
        if not wanted:
            raise RefundError(f"order {order.number or order.id} is already refunded in full")
    cur = order.currency
    out: list[RefundLine] = []
    for no, qty in sorted(wanted.items()):
        line = by_no.get(no)
        if line is None:
            raise RefundError(f"order {order.number or order.id} has no line {no}")
        g = given[no]
        left = line.quantity - g.quantity
        if qty < 1:
            raise RefundError(f"{_name(line)}: the quantity to refund must be at least 1")
        if qty > left:
            raise RefundError(
                f"{_name(line)}: {qty} to refund, but only {left} of {line.quantity} sold "
                "are left to refund"
            )
        after = g.quantity + qty
        taxes = tuple(
            LineTax(t.rate_id, Money(tax, cur), Money(tax, cur))
            for t in line.taxes
            for tax in [_share(t.total.minor, after, line.quantity) - g.taxes.get(t.rate_id, 0)]
        )
        if order.prices_include_tax:
            # The customer paid shelf prices with tax in them: one mug of two gives back what
            # one mug cost (8.50, not 7.15 + 1.36), and the tax is the part of it that was tax.
            paid = line.total.minor + line.total_tax.minor
            before = g.total + sum(g.taxes.values())
            gross = _share(paid, after, line.quantity) - before
            total = gross - sum(t.total.minor for t in taxes)
        else:
            total = _share(line.total.minor, after, line.quantity) - g.total
        out.append(
            RefundLine(
                line_no=no,
                product_id=line.product_id,
                variation_id=line.variation_id,
                sku=line.sku,
                quantity=qty,
                total=Money(total, cur),
                total_tax=Money(sum(t.total.minor for t in taxes), cur),
                taxes=taxes,
            )
        )
    if not out:
        raise RefundError("nothing to refund: name at least one line")
    return tuple(out)


def card_reference(order: Order) -> str:
    """The PaymentIntent a card refund goes back to ("" when no card paid for the order)."""
    return next(
        (p.reference for p in order.payments if p.method is PaymentMethod.CARD and p.reference),
        "",
    )


def card_refundable(order: Order, earlier: Sequence[Refund]) -> Money:
    """How much more may go back to the card: charged by card less earlier card refunds."""
    charged = sum(p.amount.minor for p in order.payments if p.method is PaymentMethod.CARD)
    back = sum(r.amount.minor for r in earlier if r.method is PaymentMethod.CARD)
    return Money(max(0, charged - back), order.currency)


def check_tender(
    order: Order, earlier: Sequence[Refund], amount: Money, method: PaymentMethod
) -> None:
    """Raise RefundError when `amount` cannot go back by `method` (see the module contract)."""
    if method is PaymentMethod.CASH:
        return
    if method is not PaymentMethod.CARD:
        raise RefundError(f"refunds go back in cash or to the card, not {method.value}")
    if not card_reference(order) and is_web_order(order):
        paid = payment_words(order) or "the web shop's checkout"
        raise RefundError(
            f"web order {order.number} was paid online ({paid}), not with a Stripe payment this "
            "till's card reader can refund to: refund it in cash"
        )
    if not card_reference(order):
        raise RefundError(
            f"order {order.number or order.id} was not paid by card: refund it in cash"
        )
    most = card_refundable(order, earlier)
    if amount > most:
        raise RefundError(
            f"only {most.amount_str()} {most.currency} more can go back to the card "
            f"(the refund is {amount.amount_str()}); refund the rest in cash"
        )


def build_refund(
    order: Order,
    earlier: Sequence[Refund],
    lines: Sequence[RefundLine],
    method: PaymentMethod,
    *,
    refund_id: str,
    created_at: datetime,
    restock: bool = False,
    reason: str = "",
    staff: str = "",
) -> Refund:
    """The Refund of `lines` by `method`, its amount their totals with tax; checks the tender."""
    cur = order.currency
    amount = Money(sum(rl.total.minor + rl.total_tax.minor for rl in lines), cur)
    if amount.minor <= 0:
        raise RefundError(f"a refund must give something back, not {amount.amount_str()}")
    check_tender(order, earlier, amount, method)
    return Refund(
        id=refund_id,
        order_id=order.id,
        created_at=created_at,
        currency=cur,
        lines=tuple(lines),
        amount=amount,
        method=method,
        restock=restock,
        reason=reason,
        staff=staff,
    )
