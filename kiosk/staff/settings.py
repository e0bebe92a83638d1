"""Staff rules as kiosk.toml's [staff] section gives them: plain values, checked by config.

Declared here, by the package that uses them, as hardware and network declare theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True, slots=True)
class StaffConfig:
    # A discount of more than this share of the sale (percent) needs a manager's PIN.
    discount_limit_percent: str = "10"
    idle_lock_s: int = 120  # the till locks after this long untouched; sign in again to go on


def parse_discount_limit(text: str) -> Decimal:
    """The limit as a percentage 0..100 ("10", "12.5"); ValueError naming the text."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(f"must be a percentage such as 10, not {text!r}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"must be a percentage from 0 to 100, not {text!r}")
    return value
