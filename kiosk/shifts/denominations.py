"""The notes and coins of the shops' currencies, for counting the drawer by denomination.

Written in major units as each central bank issues them (ECB, Federal Reserve, Bank of England,
SNB, Bank of Japan, ...), as the notes and coins in common circulation. A currency not listed
is counted as one total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.core.money import Money

# Space-separated, largest first.
_TABLE: dict[str, str] = {
    "EUR": "500 200 100 50 20 10 5 2 1 0.50 0.20 0.10 0.05 0.02 0.01",
    "USD": "100 50 20 10 5 2 1 0.50 0.25 0.10 0.05 0.01",
    "GBP": "50 20 10 5 2 1 0.50 0.20 0.10 0.05 0.02 0.01",
    "CHF": "1000 200 100 50 20 10 5 2 1 0.50 0.20 0.10 0.05",
    "JPY": "10000 5000 2000 1000 500 100 50 10 5 1",
    "CAD": "100 50 20 10 5 2 1 0.25 0.10 0.05",
    "AUD": "100 50 20 10 5 2 1 0.50 0.20 0.10 0.05",
    "NZD": "100 50 20 10 5 2 1 0.50 0.20 0.10",
    "SEK": "1000 500 200 100 50 20 10 5 2 1",
    "NOK": "1000 500 200 100 50 20 10 5 1",
    "DKK": "1000 500 200 100 50 20 10 5 2 1 0.50",
    "PLN": "500 200 100 50 20 10 5 2 1 0.50 0.20 0.10 0.05 0.02 0.01",
}


class CountError(ValueError):
    """A count by denomination is not right; the message names the denomination."""


def denominations(currency: str) -> tuple[Money, ...]:
    """The notes and coins of `currency`, largest first; () when it is not listed."""
    return tuple(Money.parse(text, currency) for text in _TABLE.get(currency, "").split())


@dataclass(frozen=True, slots=True)
class Count:
    """Cash counted by denomination: how many of each (minor units -> pieces), and the total."""

    total: Money
    pieces: Mapping[int, int]

    def as_json(self) -> dict[str, int]:
        return {str(value): n for value, n in sorted(self.pieces.items(), reverse=True) if n}


def count(currency: str, pieces: Mapping[Money, int]) -> Count:
    """The total of `pieces` (a denomination of `currency` -> how many); CountError when one
    is not a note or coin of `currency` or a number is negative."""
    known = {d.minor for d in denominations(currency)}
    if not known:
        raise CountError(
            f"counting by note and coin is not set up for {currency}: give the total counted"
        )
    out: dict[int, int] = {}
    for value, n in pieces.items():
        if value.currency != currency or value.minor not in known:
            raise CountError(f"{value.amount_str()} is not a note or coin of {currency}")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise CountError(
                f"the number of {value.amount_str()} must be a whole number, 0 or more"
            )
        out[value.minor] = out.get(value.minor, 0) + n
    return Count(Money(sum(v * n for v, n in out.items()), currency), out)


def count_from_json(currency: str, data: Mapping[str, int]) -> Count:
    return count(currency, {Money(int(k), currency): n for k, n in data.items()})
