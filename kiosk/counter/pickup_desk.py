"""The pickup counter's desk: web orders waiting for collection, found, checked and handed over.

The screen (and `kiosk pickup`) show what these return and decide nothing. A row says where the
pickup is in the cashier's words; a refused completion carries the store's reason and a Retry.
Collecting works offline: the store is told by the agent (kiosk.sync.pickup_push), exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine
from kiosk.store import pickups
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.store.pickups import StoredPickup, UnknownPickup

__all__ = ["PickupDesk", "PickupRow", "UnknownPickup", "state_words"]

STATE_WORDS = {
    None: "Waiting for collection",
    OutboxState.PENDING_SYNC: "Collected, to be completed in the store",
    OutboxState.SYNCING: "Collected, completing in the store…",
    OutboxState.SYNCED: "Collected and completed in the store",
    OutboxState.FAILED: "Collected, but the store refused to complete it",
}


def state_words(s: StoredPickup) -> str:
    words = STATE_WORDS[s.state]
    return f"{words}: {s.last_error}" if s.state is OutboxState.FAILED and s.last_error else words


@dataclass(frozen=True, slots=True)
class PickupRow:
    """One pickup as the list and its detail show it (`lines`: what to check and hand over)."""

    remote_id: str
    number: str
    customer: str
    email: str
    phone: str
    placed_at: datetime
    total: Money
    lines: tuple[PickupLine, ...]
    items: int
    note: str
    store_status: str  # the store's own word (processing, on-hold, OPEN, ...)
    collected_at: datetime | None
    collected_by: str
    state: OutboxState | None  # None: not collected yet
    words: str  # where it is, in the cashier's words
    can_retry: bool  # the store refused the completion: staff may try again

    @classmethod
    def of(cls, s: StoredPickup) -> PickupRow:
        p = s.pickup
        return cls(
            remote_id=p.remote_id,
            number=p.number,
            customer=p.customer,
            email=p.email,
            phone=p.phone,
            placed_at=p.placed_at,
            total=p.total,
            lines=p.lines,
            items=p.items,
            note=p.note,
            store_status=p.status,
            collected_at=s.collected_at,
            collected_by=s.collected_by,
            state=s.state,
            words=state_words(s),
            can_retry=s.state is OutboxState.FAILED,
        )


class PickupDesk:
    """Pickups on this device's database; `clock` and `staff` come from the till's session."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime],
        staff: Callable[[], str] = lambda: "",
    ) -> None:
        self._db = db
        self._clock = clock
        self._staff = staff

    async def find(self, search: str = "", *, collected: bool = False) -> list[PickupRow]:
        """Waiting pickups, oldest first, matching `search` (number, name, e-mail or phone);
        `collected` adds those handed over that the store still lists."""
        found = await pickups.list_pickups(self._db, search=search, collected=collected)
        return [PickupRow.of(s) for s in found]

    async def get(self, key: str) -> PickupRow | None:
        """One pickup by the store's id or its number ("1001" or "#1001")."""
        found = await pickups.get_pickup(self._db, key)
        return PickupRow.of(found) if found is not None else None

    async def collect(self, key: str) -> PickupRow:
        """The customer has it: recorded at once (offline too), completed in the store later.
        A second tap changes nothing. Raises UnknownPickup."""
        made = await pickups.collect(self._db, key, now=self._clock(), staff=self._staff())
        return PickupRow.of(made)

    async def retry(self, key: str) -> PickupRow:
        """Staff's Retry of a refused completion. Raises UnknownPickup, or InvalidTransition
        when it was not refused."""
        return PickupRow.of(await pickups.retry(self._db, key, self._clock()))
