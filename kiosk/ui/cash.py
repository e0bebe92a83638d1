"""Quick cash amounts: the exact sum and the notes a customer is likely to hand over."""

from __future__ import annotations

from kiosk.core.money import Money, exponent
from kiosk.ui.theme import BACKSPACE

NOTES = (5, 10, 20, 50, 100)  # in major units; for currencies without minor units, x1000


def quick_amounts(due: Money, count: int = 4) -> list[Money]:
    """`due` itself, then the next round amounts above it (e.g. £37.40 -> £37.40, £40, £50)."""
    if due.minor <= 0:
        return []
    unit = 10 ** exponent(due.currency)
    if unit == 1:
        unit = 1000  # ¥: notes are 1,000 and up
    out = [due]
    for note in NOTES:
        step = note * unit
        amount = -(-due.minor // step) * step
        if amount > out[-1].minor:
            out.append(Money(amount, due.currency))
        if len(out) >= count:
            break
    return out


def keyed(digits: str, key: str, limit: int = 9) -> str:
    """The keypad's digits after `key` (a digit, "00" or BACKSPACE); no leading zeros."""
    if key == BACKSPACE:
        return digits[:-1]
    return (digits + key)[:limit].lstrip("0")


def typed_amount(digits: str, currency: str) -> Money:
    """Keypad digits as minor units, the way tills take them: "2000" is £20.00."""
    return Money(int(digits or "0"), currency)
