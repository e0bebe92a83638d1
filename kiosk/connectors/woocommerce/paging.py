"""Listing helpers shared by the WooCommerce connector's parts."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from kiosk.connectors.base import Skipped
from kiosk.connectors.woocommerce.client import PER_PAGE
from kiosk.connectors.woocommerce.mapping import MappingError

log = logging.getLogger("kiosk.connectors.woocommerce.connector")

# A listing in id order keeps page numbers stable while the store changes, so a cursor holds.
BY_ID = {"orderby": "id", "order": "asc"}


def chunks(ids: Sequence[str], size: int = PER_PAGE) -> Iterable[list[str]]:
    unique = list(dict.fromkeys(i for i in ids if i.isdigit()))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def skipped(exc: MappingError) -> Skipped:
    log.warning("skipped %s", exc)
    return Skipped(exc.kind, exc.id, exc.reason)


def gmt(when: datetime) -> str:
    """A datetime as WooCommerce's *_gmt query format (naive ISO in UTC)."""
    if when.tzinfo is None:
        raise ValueError(f"{when!r} must be timezone-aware")
    return when.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()
