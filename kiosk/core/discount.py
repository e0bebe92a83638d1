"""Discounts a cashier gives: a percentage or a fixed amount, on a line or on the whole cart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from kiosk.core.money import Money, round_half_up

_HUNDRED = Decimal(100)


class DiscountKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Discount:
    """A PERCENT discount (`percentage`, 0..100) or a FIXED one (`amount`, not negative).

    Build one with Discount.percent(...) or Discount.fixed(...). It is applied in the shop's price
    basis (with tax when the shop's prices include tax) and never takes an amount below zero.
    """

    kind: DiscountKind
    percentage: Decimal | None = None
    amount: Money | None = None

    def __post_init__(self) -> None:
        if self.kind is DiscountKind.PERCENT:
            p = self.percentage
            if not isinstance(p, Decimal) or not p.is_finite() or self.amount is not None:
                raise ValueError("a percent discount needs a finite Decimal percentage only")
            if not Decimal(0) <= p <= _HUNDRED:
                raise ValueError(f"a discount percentage must be between 0 and 100, not {p}")
        elif self.kind is DiscountKind.FIXED:
            if not isinstance(self.amount, Money) or self.percentage is not None:
                raise ValueError("a fixed discount needs a Money amount only")
            if self.amount.minor < 0:
                raise ValueError(f"a discount cannot be negative ({self.amount})")
        else:
            raise ValueError(f"unknown discount kind {self.kind!r}")

    @classmethod
    def percent(cls, value: Decimal | int | str) -> Discount:
        """A percentage off, e.g. Discount.percent("12.5"); floats are refused (inexact)."""
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            raise ValueError(
                f"a discount percentage must be a Decimal, int or str, not {type(value).__name__}"
            )
        try:
            pct = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise ValueError(
                f"{value!r} is not a percentage (expected a number such as 10)"
            ) from None
        return cls(DiscountKind.PERCENT, percentage=pct)

    @classmethod
    def fixed(cls, amount: Money) -> Discount:
        """A fixed amount off."""
        return cls(DiscountKind.FIXED, amount=amount)

    def off(self, base: Money) -> Money:
        """How much comes off `base`: rounded half away from zero, never more than `base`."""
        if base.minor <= 0:
            return Money.zero(base.currency)
        if self.percentage is not None:
            cut = round_half_up(Fraction(base.minor) * Fraction(self.percentage) / 100)
            return Money(min(cut, base.minor), base.currency)
        assert self.amount is not None  # __post_init__ guarantees one of the two
        if self.amount.currency != base.currency:
            raise ValueError(
                f"a discount in {self.amount.currency} cannot apply to an amount in {base.currency}"
            )
        return min(self.amount, base)

    def spread(self, amounts: Sequence[Money]) -> list[Money]:
        """A cart discount split across `amounts` in proportion to them, summing exactly.

        The whole discount is off(sum(amounts)); no part exceeds its amount.
        """
        if not amounts:
            return []
        currency = amounts[0].currency
        weights = [max(a.minor, 0) for a in amounts]
        if not any(weights):
            return [Money.zero(currency) for _ in amounts]
        base = Money(sum(weights), currency)
        # Largest remainder keeps each share <= its amount: share_i <= ceil(w_i*cut/sum) <= w_i.
        return self.off(base).allocate(weights)

    def label(self, locale: str = "en_US") -> str:
        """How a receipt or screen shows it: "10%" or "£2.00"."""
        if self.percentage is not None:
            return f"{self.percentage.normalize():f}%"
        assert self.amount is not None
        return self.amount.format(locale)
