"""Conversion of the values that every table stores the same way: times and JSON columns.

rows_catalog and rows_orders build on these to turn whole rows into domain objects and back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from kiosk.core.models import Attribute

# -- times -------------------------------------------------------------------------------------


def to_text(ts: datetime, field: str = "time") -> str:
    """An aware datetime as fixed-width UTC ISO-8601 text, so that text order is time order."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"{field} must be an aware datetime (UTC), got naive {ts.isoformat()}")
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opt_to_text(ts: datetime | None, field: str = "time") -> str | None:
    return None if ts is None else to_text(ts, field)


def opt_from_text(text: str | None) -> datetime | None:
    return None if text is None else from_text(text)


# -- JSON columns ------------------------------------------------------------------------------

# The catalog writes three small JSON lists per product, so these build the text directly (the
# same text json.dumps(..., ensure_ascii=False) writes, ~5x faster); anything but text falls
# back to json.dumps.
_quote: Callable[[str], str] = json.encoder.encode_basestring


def attributes_json(attrs: Iterable[Attribute]) -> str:
    attrs = tuple(attrs)
    try:
        items = [f"[{_quote(a.name)}, [{', '.join(map(_quote, a.options))}]]" for a in attrs]
        return "[" + ", ".join(items) + "]"
    except TypeError:
        return json.dumps([[a.name, list(a.options)] for a in attrs], ensure_ascii=False)


def attributes_from(text: str) -> tuple[Attribute, ...]:
    return tuple(Attribute(name, tuple(options)) for name, options in json.loads(text))


def strings_json(items: Iterable[str]) -> str:
    values = list(items)
    try:
        return "[" + ", ".join(map(_quote, values)) + "]"
    except TypeError:
        return json.dumps(values, ensure_ascii=False)


def strings_from(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))
