"""Tenders (what the customer hands over) settled against an order total into Payments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.core.models import Payment, PaymentMethod
from kiosk.core.money import Money


class PaymentError(ValueError):
    """The tenders cannot pay the total; the message is fit to show the cashier."""


class OverTender(PaymentError):
    """A card (or other non-cash) tender is larger than what is still due: it gives no change."""

    def __init__(self, tender: Tender, due: Money, locale: str = "en_US") -> None:
        super().__init__(
            f"the {tender.method.value} payment of {tender.amount.format(locale)} is more than "
            f"the {due.format(locale)} still due; only cash can give change"
        )
        self.tender = tender
        self.due = due


class InsufficientPayment(PaymentError):
    """The tenders add up to less than the total."""

    def __init__(self, shortfall: Money, total: Money, locale: str = "en_US") -> None:
        super().__init__(
            f"{shortfall.format(locale)} is still due of the total {total.format(locale)}"
        )
        self.shortfall = shortfall
        self.total = total


@dataclass(frozen=True, slots=True)
class Tender:
    """Money offered for a sale: cash handed over, or an amount charged to a card."""

    method: PaymentMethod
    amount: Money
    reference: str = ""  # e.g. the Stripe PaymentIntent id
    card_brand: str = ""
    card_last4: str = ""
    entry_mode: str = ""  # see Payment
    auth_code: str = ""


def _check(tender: Tender, currency: str, locale: str) -> None:
    if not isinstance(tender, Tender):
        raise PaymentError(f"expected a Tender, not {type(tender).__name__}")
    if tender.amount.currency != currency:
        raise PaymentError(
            f"the {tender.method.value} payment is in {tender.amount.currency}, "
            f"but the order is in {currency}"
        )
    if tender.amount.minor < 0:
        raise PaymentError(
            f"the {tender.method.value} payment of {tender.amount.format(locale)} is negative"
        )
    if tender.method is not PaymentMethod.CASH and tender.amount.minor == 0:
        raise PaymentError(f"a {tender.method.value} payment of nothing pays nothing")


def settle(
    total: Money, tenders: Sequence[Tender], *, locale: str = "en_US"
) -> tuple[Payment, ...]:
    """Apply `tenders` to `total`; the Payments' amounts sum exactly to `total`.

    Non-cash tenders apply first, in the order given, and may not exceed what is still due
    (OverTender). Cash covers the rest: several cash tenders count as one, and any excess is
    change. Raises InsufficientPayment (with `.shortfall`) when the tenders fall short.
    """
    if total.minor < 0:
        raise PaymentError(f"cannot settle a negative total ({total.format(locale)})")
    for t in tenders:
        _check(t, total.currency, locale)
    due = total
    payments: list[Payment] = []
    for t in tenders:
        if t.method is PaymentMethod.CASH:
            continue
        if t.amount > due:
            raise OverTender(t, due, locale)
        payments.append(
            Payment(
                method=t.method,
                amount=t.amount,
                tendered=t.amount,
                change=Money.zero(total.currency),
                reference=t.reference,
                card_brand=t.card_brand,
                card_last4=t.card_last4,
                entry_mode=t.entry_mode,
                auth_code=t.auth_code,
            )
        )
        due = due - t.amount
    cash = [t for t in tenders if t.method is PaymentMethod.CASH]
    handed = Money(sum(t.amount.minor for t in cash), total.currency)
    if handed < due:
        raise InsufficientPayment(due - handed, total, locale)
    if cash:
        applied = due
        payments.append(
            Payment(
                method=PaymentMethod.CASH,
                amount=applied,
                tendered=handed,
                change=handed - applied,
                reference=next((t.reference for t in cash if t.reference), ""),
            )
        )
    return tuple(payments)


def split_evenly(total: Money, parts: int) -> list[Money]:
    """`total` in `parts` shares that sum exactly to it and differ by at most one minor unit."""
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise PaymentError(f"cannot split a bill into {parts!r} parts (need 1 or more)")
    return total.allocate([1] * parts)
