"""The Pickup sheet's desk: web orders waiting in the shop, found by number or name, handed over.

Marking one collected is a durable local commit (kiosk.store.pickups.collect); the store
completes it through the pickup outbox, exactly once, when the till is online.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kiosk.core.receipt import device_zone
from kiosk.counter.outcome import Outcome, items
from kiosk.store import catalog, pickups
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.store.pickups import StoredPickup

STATE_WORDS = {
    None: "Waiting for the customer",
    OutboxState.PENDING_SYNC: "Collected · the store is told when the till is online",
    OutboxState.SYNCING: "Collected · telling the store…",
    OutboxState.SYNCED: "Collected · completed in the store",
    OutboxState.FAILED: "Collected · the store refused to complete it",
}


@dataclass(frozen=True, slots=True)
class PickupRow:
    key: str  # the store's id of what is completed
    number: str
    customer: str
    summary: str  # "3 items · £42.00 · placed 03 Dec 14:02"
    lines: tuple[str, ...]  # "2 × Blue mug (MUG-1)"
    note: str
    state: str
    collected: bool
    reason: str = ""  # the store's words, for a refused completion


class PickupDesk:
    def __init__(
        self,
        db: Database,
        *,
        now: Callable[[], datetime],
        staff: Callable[[], str] = lambda: "",
        zone: Callable[[], tzinfo] = device_zone,
    ) -> None:
        self._db, self._now, self._staff, self._zone = db, now, staff, zone

    async def find(self, text: str = "") -> list[PickupRow]:
        """Waiting web orders (oldest first) whose number or customer matches `text`."""
        locale = await self._locale()
        found = await pickups.list_pickups(self._db, search=text.strip())
        return [self._row(p, locale) for p in found]

    async def collect(self, key: str) -> Outcome:
        """The customer has their items: recorded now, completed in the store once."""
        try:
            done = await pickups.collect(self._db, key, now=self._now(), staff=self._staff())
        except pickups.UnknownPickup:
            return Outcome(f"No web order {key} is waiting here", warn=True)
        who = f" for {done.pickup.customer}" if done.pickup.customer else ""
        return Outcome(f"Order {done.pickup.number}{who} is collected")

    async def _locale(self) -> str:
        settings = await catalog.load_shop_settings(self._db)
        return settings.locale if settings else "en_US"

    def _row(self, stored: StoredPickup, locale: str) -> PickupRow:
        p = stored.pickup
        placed = p.placed_at.astimezone(self._zone()).strftime("%d %b %H:%M")
        summary = f"{items(p.items)} · {p.total.format(locale)} · placed {placed}"
        lines = tuple(
            f"{line.quantity} × {line.name}" + (f" ({line.sku})" if line.sku else "")
            for line in p.lines
        )
        failed = stored.state is OutboxState.FAILED
        return PickupRow(
            p.remote_id,
            p.number,
            p.customer,
            summary,
            lines,
            p.note,
            STATE_WORDS[stored.state],
            stored.collected,
            stored.last_error if failed else "",
        )
