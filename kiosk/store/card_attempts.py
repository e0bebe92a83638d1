"""Card attempts: each try at charging a card for an order, written before the reader is asked.

Contract: `begin` returns the attempt to make. When the order's last attempt has no known outcome
(the app stopped while the reader worked), it returns that same attempt, key and amount, so the
reader answers with its first outcome and never charges twice; otherwise it writes the next
attempt, durably, before returning. `finish` records the outcome, after which the attempt is final.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.store import rows
from kiosk.store.db import Database

UNKNOWN, APPROVED, DECLINED = "unknown", "approved", "declined"


@dataclass(frozen=True, slots=True)
class Attempt:
    order_id: str
    number: int
    amount: Money
    retry: bool  # the same attempt again: its first outcome never came back

    @property
    def key(self) -> str:
        """The reader's idempotency key for this attempt."""
        return f"{self.order_id}:card:{self.number}"


async def begin(db: Database, order_id: str, amount: Money, *, now: datetime) -> Attempt:
    started = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> Attempt:
        last = conn.execute(
            "SELECT attempt, amount_minor, currency, outcome FROM card_attempts "
            "WHERE order_id = ? ORDER BY attempt DESC LIMIT 1",
            (order_id,),
        ).fetchone()
        if last is not None and last[3] == UNKNOWN:
            return Attempt(order_id, last[0], Money(last[1], last[2]), retry=True)
        number = 1 if last is None else last[0] + 1
        conn.execute(
            "INSERT INTO card_attempts (order_id, attempt, amount_minor, currency, started_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (order_id, number, amount.minor, amount.currency, started),
        )
        return Attempt(order_id, number, amount, retry=False)

    # Durable: after a power cut the attempt must still be there to be retried, not forgotten.
    return await db.write(run, durable=True)


async def finish(db: Database, attempt: Attempt, result: CardResult) -> None:
    outcome = APPROVED if result.approved else DECLINED

    def run(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE card_attempts SET outcome = ?, reference = ?, message = ? "
            "WHERE order_id = ? AND attempt = ?",
            (outcome, result.reference, result.message, attempt.order_id, attempt.number),
        )

    await db.write(run, durable=True)


async def approved(db: Database, order_id: str) -> list[tuple[int, Money, str]]:
    """(attempt, amount, reference) of each approved charge for the order, in order."""

    def run(conn: sqlite3.Connection) -> list[tuple[int, Money, str]]:
        return [
            (r[0], Money(r[1], r[2]), r[3])
            for r in conn.execute(
                "SELECT attempt, amount_minor, currency, reference FROM card_attempts "
                "WHERE order_id = ? AND outcome = ? ORDER BY attempt",
                (order_id, APPROVED),
            )
        ]

    return await db.read(run)


@dataclass(frozen=True, slots=True)
class OpenAttempt:
    """An attempt with no order: unknown (the app stopped mid-charge) or approved but unsold."""

    attempt: Attempt
    outcome: str
    reference: str


async def without_order(db: Database, *, started_before: datetime) -> list[OpenAttempt]:
    """Attempts not declined whose order was never committed, started before the given time
    (a sale being paid for right now, on this till, is not one of them), oldest first."""
    before = rows.to_text(started_before, "started_before")

    def run(conn: sqlite3.Connection) -> list[OpenAttempt]:
        found = conn.execute(
            "SELECT a.order_id, a.attempt, a.amount_minor, a.currency, a.outcome, a.reference "
            "FROM card_attempts a WHERE a.outcome != ? AND a.started_at < ? "
            "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.order_id) "
            "ORDER BY a.started_at, a.order_id, a.attempt",
            (DECLINED, before),
        )
        return [
            OpenAttempt(Attempt(r[0], r[1], Money(r[2], r[3]), retry=True), r[4], r[5])
            for r in found
        ]

    return await db.read(run)


async def charging(db: Database, *, since: datetime) -> bool:
    """Whether a card attempt started since `since` has no outcome yet: a till is charging."""
    after = rows.to_text(since, "since")
    return await db.read(
        lambda conn: (
            conn.execute(
                "SELECT 1 FROM card_attempts WHERE outcome = ? AND started_at >= ? LIMIT 1",
                (UNKNOWN, after),
            ).fetchone()
            is not None
        )
    )
