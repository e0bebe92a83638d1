"""Reading the fields of WooCommerce REST v3 JSON objects, with errors that name object and field.

The mapping modules (mapping for products and variations, shop_mapping for the rest) build on
these readers; like them, everything here is pure, with no I/O.
"""

from __future__ import annotations

import functools
import reprlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from kiosk.core.models import StockStatus, TaxStatus
from kiosk.core.money import Money
from kiosk.core.text import clean, clip, too_long

_E = TypeVar("_E", StockStatus, TaxStatus)

# Numbers SQLite can hold (a signed 64-bit integer) and ids WooCommerce can make (bigint unsigned,
# which SQLite keeps as text): past these a number is not a count or id but a failure waiting.
_INT_END = 2**63
_INT_DIGITS = 18
_ID_END = 2**64
_PRICE_CHARS = 40  # "8.3333" with room to spare; MAX_MINOR has fewer digits than this

# A catalog repeats the same few thousand price strings; Money is immutable, so share them.
_parse_price = functools.lru_cache(maxsize=4096)(Money.parse)


# Errors quote the value they refuse; a 5 MB string or a list of a million items is quoted by
# its start, so a log line stays a line.
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 60


def shown(value: object) -> str:
    """`value` as an error message quotes it: repr(), shortened with "..." past 60 characters."""
    return _repr.repr(value)


@functools.lru_cache(maxsize=4096)
def _gmt(value: str) -> datetime:
    """A *_gmt date as an aware UTC datetime (immutable, so shared: a catalog repeats them)."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@functools.cache
def _members(enum: type[_E]) -> dict[str, _E]:
    """An enum's members by value: a dict look-up is much cheaper than calling the enum."""
    return {e.value: e for e in enum}


class MappingError(ValueError):
    """A store object the device cannot use; `kind` and `id` say which, `reason` says why."""

    def __init__(self, kind: str, id: str | None, reason: str) -> None:
        self.kind = kind
        self.id = id
        self.reason = reason
        super().__init__(f"{kind} {id if id is not None else '(no id)'}: {reason}")


# -- field readers ------------------------------------------------------------------------------


class Reader:
    """Reads the fields of one object, raising MappingError that names the object and field.

    A nested object (a customer's billing address) is read on behalf of its owner: its errors
    carry the owner's kind and id and name the field as "billing.phone".
    """

    def __init__(
        self, kind: str, obj: object, *, owner: Reader | None = None, at: str = ""
    ) -> None:
        self.kind: str = owner.kind if owner else kind
        self.id: str | None = owner.id if owner else None
        self.prefix = f"{at}." if at else ""
        if type(obj) is not dict and not isinstance(obj, Mapping):  # the exact check is faster
            raise self.fail(f"expected a JSON object, got {type(obj).__name__}")
        self.obj: Mapping[str, Any] = obj
        if owner is None:
            self.id = self.id_of(obj.get("id"), "id")

    def fail(self, reason: str) -> MappingError:
        return MappingError(self.kind, self.id, self.prefix + reason)

    def id_of(self, value: object, field: str) -> str:
        # WooCommerce ids are positive integers (a bigint unsigned); JSON written by other tools
        # may quote them. str.isdigit() alone would let "²" through to int(), which refuses it.
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < _ID_END:
            return str(value)
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isdigit()
            and 0 < int(value[:21]) < _ID_END
        ):
            return str(int(value))
        if value is None:
            raise self.fail(f"{field} is missing")
        raise self.fail(f"{field} {shown(value)} is not a positive integer id")

    def ref(self, field: str) -> str | None:
        """An optional reference to another object; 0, null or missing mean none."""
        value = self.obj.get(field)
        if value in (None, 0, "0", ""):
            return None
        return self.id_of(value, field)

    def text(self, field: str, default: str = "") -> str:
        """The field as one line of text, without control or bidi characters (core.text.clean)."""
        value = self.obj.get(field)
        if type(value) is str:  # the common case first
            return clean(value)
        if value is None:
            return default
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # e.g. a numeric SKU or barcode some importers write as a number
        raise self.fail(f"{field} {shown(value)} is not text")

    def label(self, field: str, limit: int, default: str = "") -> str:
        """Display text: cleaned, and shortened with an ellipsis past `limit` characters."""
        return clip(self.text(field, default), limit)

    def code(self, field: str, limit: int, default: str = "") -> str:
        """An identifier (SKU, barcode, slug, email): cleaned, and refused when it is unusable.

        Raises MappingError when the text is longer than `limit` (a shortened identifier would
        match nothing, or the wrong thing) or when it held only invisible characters.
        """
        value = self.text(field, default)
        if not value and self.emptied(field):
            raise self.fail(f"{field} holds only control or invisible characters")
        return self.fits(field, value, limit)

    def emptied(self, field: str) -> bool:
        """True when the field held text and cleaning left none: not blank, but unreadable."""
        raw = self.obj.get(field)
        return isinstance(raw, str) and bool(raw.strip()) and not clean(raw)

    def fits(self, field: str, value: str, limit: int) -> str:
        """`value` (an identifier read from `field`); MappingError when it is over `limit`."""
        if why := too_long(value, limit):
            raise self.fail(f"{field} {why}")
        return value

    def flag(self, field: str, default: bool) -> bool:
        value = self.obj.get(field)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        raise self.fail(f"{field} {shown(value)} is not true or false")

    def integer(self, field: str, default: int | None) -> int | None:
        value = self.obj.get(field)
        if value is None:
            return default
        # Stock plugins may send 5.0 for 5; anything fractional is not a count we can trust.
        if isinstance(value, float) and value.is_integer() and abs(value) < _INT_END:
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < _INT_END:
            return value
        if isinstance(value, str):
            digits = value.strip().removeprefix("-")
            if digits.isascii() and digits.isdigit() and len(digits) <= _INT_DIGITS:
                return int(value)
        raise self.fail(f"{field} {shown(value)} is not a whole number")

    def whole(self, field: str, default: int) -> int:
        value = self.integer(field, default)
        return default if value is None else value

    def money(self, field: str, currency: str) -> Money | None:
        """A price string ("12.50"); "" or missing means no price."""
        value = self.obj.get(field)
        if type(value) is str and value and len(value) <= _PRICE_CHARS:
            # The common case: a price string seen before, already parsed and checked.
            try:
                amount = _parse_price(value, currency)
            except ValueError:
                pass
            else:
                if amount.minor >= 0:
                    return amount
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(
                f"{field} {shown(value)} is not a price (expected a string such as '12.50')"
            )
        if len(value) > _PRICE_CHARS:
            # Rounding thousands of digits through Decimal and Fraction takes minutes, and
            # each would be cached: no price is written that long.
            raise self.fail(f"{field} {shown(value)} is not a price ({len(value):,} characters)")
        try:
            amount = _parse_price(value, currency)
        except ValueError:
            amount = self._rounded(field, value, currency)
        if amount.minor < 0:
            raise self.fail(f"{field} {shown(value)} is negative")
        return amount

    def _rounded(self, field: str, value: str, currency: str) -> Money:
        # Stores that enter prices ex tax often keep 4 decimals ("8.3333") so that the price with
        # tax is round. The device counts minor units: round half up, as WooCommerce displays it.
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise self.fail(
                f"{field} {shown(value)} is not a price (expected digits such as 12.50)"
            )
        return Money.from_decimal(number, currency)

    def choice(self, field: str, enum: type[_E], default: _E) -> _E:
        value = self.obj.get(field)
        if type(value) is str:
            member = cast("_E | None", _members(enum).get(value))
            if member is not None:
                return member
        if value is None or value == "":
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            raise self.fail(f"{field} {shown(value)} is not one of {allowed}") from None

    def gmt_datetime(self, field: str) -> datetime | None:
        """WooCommerce's *_gmt dates are naive ISO strings in UTC ("2024-05-01T09:30:00")."""
        value = self.obj.get(field)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(f"{field} {shown(value)} is not a date")
        try:
            return _gmt(value)
        except ValueError:
            raise self.fail(f"{field} {shown(value)} is not an ISO date") from None

    def objects(self, field: str) -> Sequence[Mapping[str, Any]]:
        value = self.obj.get(field)
        if value is None:
            return ()
        if type(value) is list and all(type(v) is dict for v in value):
            return value  # the common case, without the slower Mapping check below
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"{field} is not a list of objects")
        return value


# -- shared helpers -----------------------------------------------------------------------------


def required_id(r: Reader) -> str:
    assert r.id is not None  # Reader refuses an object without one
    return r.id


def tax_class_of(slug: str) -> str:
    """The tax class a slug names: the store's "standard" is the default class, ""."""
    return "" if slug == "standard" else slug
