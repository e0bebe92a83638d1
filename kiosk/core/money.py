"""Money as integer minor units with its ISO 4217 currency; never float."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

_AMOUNT = re.compile(r"^\s*(-)?\s*(\d+)?(?:[.,](\d*))?\s*$")
_LIMIT = re.compile(r"\d+(?:\.\d{1,4})?")
MAX_MINOR = 2**63 - 1  # SQLite's INTEGER: an amount past it could never be stored
MAX_LIMIT = Decimal(10) ** 12  # major units: any currency's minor units stay far below MAX_MINOR


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@functools.cache
def exponent(currency: str) -> int:
    """Number of minor-unit digits of `currency` (JPY 0, EUR 2, BHD 3)."""
    return int(get_currency_precision(currency))


@functools.cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(currency: str) -> str:
    """Return `currency` if it is a known ISO 4217 code, else raise ValueError naming it."""
    if not isinstance(currency, str) or currency not in _known_currencies():
        raise ValueError(
            f"unknown currency code {currency!r} (expected an ISO 4217 code such as EUR)"
        )
    return currency


def round_half_up(value: Fraction | Decimal | int) -> int:
    """Round to the nearest integer, halves away from zero (PHP's round(), which the stores use)."""
    q = Fraction(value)
    sign = -1 if q < 0 else 1
    q = abs(q)
    whole, rest = divmod(q.numerator, q.denominator)
    if 2 * rest >= q.denominator:
        whole += 1
    return sign * whole


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `minor` units (cents, pence, yen) of `currency`."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError(f"Money.minor must be an int, not {type(self.minor).__name__}")
        check_currency(self.currency)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal string such as "12.5" or "0,99" into exact minor units.

        Raises ValueError, naming the text, when it is not a plain decimal number, has more
        decimals than the currency allows (e.g. "1.234" EUR, "1.5" JPY) or is too large to store
        (more than MAX_MINOR minor units: a business limit is check_limit's).
        """
        exp = exponent(check_currency(currency))
        m = _AMOUNT.match(text) if isinstance(text, str) else None
        if m is None or (m.group(2) is None and not m.group(3)):
            raise ValueError(f"{text!r} is not an amount (expected digits such as 12.50)")
        sign, whole, frac = m.group(1), m.group(2) or "0", m.group(3) or ""
        frac = frac.rstrip("0")
        if len(frac) > exp:
            raise ValueError(f"{text!r} has more decimals than {currency} allows ({exp})")
        # Counted before int() is asked to read them: it refuses more than 4300 digits.
        if len(whole.lstrip("0")) > len(str(MAX_MINOR)):
            raise ValueError(f"{text!r} is too large an amount")
        minor = int(whole) * 10**exp + (int(frac.ljust(exp, "0")) if exp else 0)
        if minor > MAX_MINOR:
            raise ValueError(f"{text!r} is too large an amount")
        return cls(-minor if sign else minor, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | Fraction | int, currency: str) -> Money:
        """Convert a major-unit amount, rounding half away from zero to the minor unit."""
        exp = exponent(check_currency(currency))
        try:
            return cls(round_half_up(Fraction(value) * 10**exp), currency)
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise ValueError(f"{value!r} is not an amount") from exc

    # -- views ----------------------------------------------------------------------------------

    @property
    def exponent(self) -> int:
        return exponent(self.currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.exponent)

    def amount_str(self) -> str:
        """Plain decimal string with the currency's digits, as store APIs expect ("12.50")."""
        return f"{self.to_decimal():.{self.exponent}f}"

    def format(self, locale: str = "en_US") -> str:
        """The amount as people read it in `locale` ("€12.50", "12,50 €", "¥1,250")."""
        return str(format_currency(self.to_decimal(), self.currency, locale=_locale(locale)))

    def to_json(self, locale: str = "en_US") -> dict[str, Any]:
        return {"minor": self.minor, "currency": self.currency, "formatted": self.format(locale)}

    def __str__(self) -> str:
        return f"{self.amount_str()} {self.currency}"

    # -- arithmetic -----------------------------------------------------------------------------

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError(
                "Money can only be multiplied by an int; use allocate() or from_decimal()"
            )
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other).minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split into parts proportional to `weights` that always sum exactly to self.

        Largest-remainder method; ties go to the earliest part. All-zero weights split evenly.
        """
        if not weights:
            raise ValueError("allocate needs at least one weight")
        if any(w < 0 for w in weights):
            raise ValueError("allocate weights must not be negative")
        ws = list(weights) if sum(weights) else [1] * len(weights)
        total_w = sum(ws)
        sign = -1 if self.minor < 0 else 1
        amount = abs(self.minor)
        shares = [divmod(amount * w, total_w) for w in ws]
        parts = [q for q, _ in shares]
        left = amount - sum(parts)
        order = sorted(range(len(ws)), key=lambda i: (-shares[i][1], i))
        for i in order[:left]:
            parts[i] += 1
        return [Money(sign * p, self.currency) for p in parts]


def parse_limit(text: str) -> Decimal:
    """A ceiling in major units of whatever currency ("100000.00"); ValueError naming the text."""
    value = Decimal(text) if isinstance(text, str) and _LIMIT.fullmatch(text) else Decimal(0)
    if not 0 < value <= MAX_LIMIT:
        raise ValueError(
            f"{text!r} must be an amount such as 100000.00, more than 0 and at most {MAX_LIMIT:,}"
        )
    return value


def check_limit(amount: Money, limit: str) -> None:
    """Raise ValueError when `amount` is more than `limit` (major units, as parse_limit reads
    them), which is rounded down to the currency's minor unit."""
    most = Money(int(parse_limit(limit).scaleb(amount.exponent)), amount.currency)
    if amount > most:
        raise ValueError(f"{amount} is more than {most}, the most one sale takes")


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of `amounts`, which must all be in `currency` (Money.zero for none)."""
    result = Money.zero(currency)
    for a in amounts:
        result = result + a
    return result


@functools.cache
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale {name!r} (expected a name such as en_GB)") from exc
