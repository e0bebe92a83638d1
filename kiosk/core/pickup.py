"""Online orders waiting in the shop for their customer: what staff look up and hand over.

A pickup is the store's, not the device's: it is pulled, shown, and "collected" on the device,
and the store completes it once the device says so. Platform-neutral: `remote_id` is the
store's own id of what gets completed (an order id, a fulfillment order's GID), `number` is what
the customer quotes ("1234", "#1001").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.core.money import Money


class PickupState(StrEnum):
    """Where the store says a pickup is (the answer to a lookup)."""

    WAITING = "waiting"  # still to be collected
    COLLECTED = "collected"  # completed in the store (by this device or anyone)
    GONE = "gone"  # cancelled, refunded or deleted in the store: it cannot be collected


@dataclass(frozen=True, slots=True)
class PickupLine:
    name: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PickupOrder:
    """One order waiting for collection, as the store listed it."""

    remote_id: str
    number: str
    customer: str  # the name to call out; "" when the store has none
    email: str
    phone: str
    placed_at: datetime
    total: Money
    lines: tuple[PickupLine, ...]
    status: str  # the store's own word for it (processing, on-hold, OPEN, IN_PROGRESS)
    note: str = ""  # the customer's note at checkout

    @property
    def items(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class PickupConfig:
    """kiosk.toml's [pickup] section."""

    # "yes": only web orders whose shipping is local pickup; "no": every paid order waiting.
    only_local_pickup: str = "yes"

    @property
    def local_only(self) -> bool:
        return self.only_local_pickup != "no"
