"""What the counter's status bar shows: the link to the store, uploads, and what needs staff.

Everything comes from the database (the agent writes it, the till reads it) in one read
transaction, so the figures agree with each other even while the agent is writing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.money import Money
from kiosk.store import rows, sync_state
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.store.sync_state import InitialSync, Link, LinkState

FAILED_SHOWN = 20  # failed orders listed; failed_count says how many there are in all


@dataclass(frozen=True, slots=True)
class Uploads:
    """Sales the store does not have yet (failed ones are counted apart, in CounterStatus)."""

    pending: int = 0  # waiting for their first upload
    retrying: int = 0  # waiting for another attempt after one that did not get through
    in_flight: int = 0  # being uploaded right now
    oldest_at: datetime | None = None  # when the oldest of them was sold

    @property
    def waiting(self) -> int:
        return self.pending + self.retrying + self.in_flight


@dataclass(frozen=True, slots=True)
class FailedOrder:
    """A sale the store refused for good; staff decide (retry, or fix it on the store)."""

    order_id: str
    number: str
    total: Money
    reason: str  # the store's own words
    failed_at: datetime


@dataclass(frozen=True, slots=True)
class CounterStatus:
    checked_at: datetime
    link: Link
    uploads: Uploads
    failed_count: int
    failed: tuple[FailedOrder, ...]  # the latest FAILED_SHOWN, newest first
    last_pull_at: datetime | None
    last_push_at: datetime | None
    initial_sync: InitialSync
    stock_discrepancies: int
    parked: int  # sales put aside, to resume

    @property
    def online(self) -> bool:
        return self.link.state is LinkState.ONLINE

    @property
    def link_for(self) -> timedelta | None:
        """How long the link has been in its state, as of checked_at."""
        return None if self.link.since is None else self.checked_at - self.link.since

    @property
    def needs_attention(self) -> bool:
        """Something staff should look at: the store refused sales, or the link is down."""
        return self.failed_count > 0 or self.link.state is LinkState.OFFLINE


_WAITING = """
SELECT
    coalesce(sum(ob.state = :pending AND ob.attempts = 0), 0),
    coalesce(sum(ob.state = :pending AND ob.attempts > 0), 0),
    coalesce(sum(ob.state = :syncing), 0),
    coalesce(sum(ob.state = :failed), 0),
    min(CASE WHEN ob.state != :failed THEN o.created_at END)
FROM outbox ob JOIN orders o ON o.id = ob.order_id
WHERE ob.state IN (:pending, :syncing, :failed)
"""

_FAILED = """
SELECT o.id, o.number, o.total, o.currency, ob.last_error, ob.updated_at
FROM outbox ob JOIN orders o ON o.id = ob.order_id
WHERE ob.state = :failed
ORDER BY ob.updated_at DESC, ob.seq DESC
LIMIT :limit
"""


def _read(conn: sqlite3.Connection, now: datetime) -> CounterStatus:
    states = {
        "pending": OutboxState.PENDING_SYNC.value,
        "syncing": OutboxState.SYNCING.value,
        "failed": OutboxState.FAILED.value,
    }
    pending, retrying, in_flight, failed_count, oldest = conn.execute(_WAITING, states).fetchone()
    failed = tuple(
        FailedOrder(r[0], r[1], Money(r[2], r[3]), r[4], rows.from_text(r[5]))
        for r in conn.execute(_FAILED, {**states, "limit": FAILED_SHOWN})
    )
    sync = sync_state.read_sync_status(conn)
    discrepancies, parked = conn.execute(
        "SELECT (SELECT count(*) FROM stock_discrepancies), (SELECT count(*) FROM parked_carts)"
    ).fetchone()
    return CounterStatus(
        checked_at=now,
        link=sync_state.read_link(conn),
        uploads=Uploads(pending, retrying, in_flight, rows.opt_from_text(oldest)),
        failed_count=failed_count,
        failed=failed,
        last_pull_at=sync.last_pull_at,
        last_push_at=sync.last_push_at,
        initial_sync=sync.initial_sync,
        stock_discrepancies=discrepancies,
        parked=parked,
    )


async def counter_status(db: Database, *, now: datetime) -> CounterStatus:
    """Everything the status bar shows, read in one transaction; `now` stamps checked_at."""
    rows.to_text(now, "now")  # refuse a naive time here, not later in link_for
    return await db.read(lambda conn: _read(conn, now))
