"""Manager overrides: what needs a manager's PIN, checking one, and the record of who approved what.

`approve()` is the one way an override is granted: it checks the manager's name and PIN (with the
lockout, kiosk.staff.accounts.verify_pin) and, in the same call, writes who approved which action
for whom on what (staff_overrides). The action goes ahead only with the Approval it returns.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from kiosk.core.money import Money
from kiosk.staff.accounts import StaffError, StaffMember, utc_now, verify_pin
from kiosk.staff.pins import DEFAULT_PARAMS, PinParams
from kiosk.staff.settings import parse_discount_limit as parse_discount_limit
from kiosk.store.db import Database
from kiosk.store.rows import from_text, to_text


class Action(StrEnum):
    """What a cashier may not do without a manager's PIN."""

    DISCOUNT = "discount"  # a discount above the shop's limit
    REFUND = "refund"
    NO_SALE = "no_sale"  # opening the drawer without a sale
    VOID = "void"  # removing a line or a sale once rung up
    SETTINGS = "settings"
    RESET = "reset"


ACTION_WORDS = {
    Action.DISCOUNT: "a discount above the limit",
    Action.REFUND: "a refund",
    Action.NO_SALE: "opening the drawer without a sale",
    Action.VOID: "a void",
    Action.SETTINGS: "changing settings",
    Action.RESET: "a reset",
}


class NotAManager(StaffError):
    """The PIN was right but its owner is a cashier: it approves nothing."""


@dataclass(frozen=True, slots=True)
class Approval:
    """A recorded manager approval: proof for the action that it was allowed."""

    id: str
    action: Action
    approved_by: StaffMember
    requested_by: str
    subject: str
    detail: str
    amount: Money | None
    created_at: datetime


def discount_needs_manager(discount: Money, before: Money, limit_percent: Decimal) -> bool:
    """Whether taking `discount` off `before` (the same basis: shelf prices x quantities) goes
    above `limit_percent` of it. Compared in integers: no rounding decides it."""
    if discount.minor <= 0:
        return False
    if before.minor <= 0:
        return True
    # discount / before > limit / 100, with the limit's decimals cleared to integers.
    exp = limit_percent.as_tuple().exponent
    scale: int = 10 ** max(0, -int(exp))
    limit_scaled = int(limit_percent * scale)
    return discount.minor * 100 * scale > limit_scaled * before.minor


async def approve(
    db: Database,
    action: Action | str,
    *,
    manager: str,
    pin: str,
    requested_by: str = "",
    subject: str = "",
    detail: str = "",
    amount: Money | None = None,
    now: datetime | None = None,
    params: PinParams = DEFAULT_PARAMS,
) -> Approval:
    """Check `manager`'s PIN for `action` and record the approval; raises UnknownStaff,
    WrongPin, LockedOut (kiosk.staff.accounts) or NotAManager, recording nothing."""
    what = Action(action)
    at = now or utc_now()
    member = await verify_pin(db, manager, pin, now=at, params=params)
    if not member.is_manager:
        raise NotAManager(f"{member.name} is not a manager: {ACTION_WORDS[what]} needs a manager")
    approval = Approval(str(uuid.uuid4()), what, member, requested_by, subject, detail, amount, at)

    def run(conn: sqlite3.Connection) -> Approval:
        conn.execute(
            "INSERT INTO staff_overrides (id, action, approved_by_id, approved_by, requested_by, "
            "subject, detail, amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                approval.id,
                what.value,
                member.id,
                member.name,
                requested_by,
                subject,
                detail,
                None if amount is None else amount.minor,
                None if amount is None else amount.currency,
                to_text(at),
            ),
        )
        return approval

    return await db.write(run, durable=True)


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    """One row of the override log, as reports and `kiosk staff` show it."""

    id: str
    action: Action
    approved_by: str
    requested_by: str
    subject: str
    detail: str
    amount: Money | None
    created_at: datetime


def overrides_between(
    conn: sqlite3.Connection, start: datetime, end: datetime | None
) -> list[OverrideRecord]:
    """The overrides granted from `start` up to (not including) `end`, oldest first."""
    rows = conn.execute(
        "SELECT id, action, approved_by, requested_by, subject, detail, amount, currency, "
        "created_at FROM staff_overrides WHERE created_at >= ? AND (? IS NULL OR created_at < ?) "
        "ORDER BY created_at",
        (to_text(start), end and to_text(end), end and to_text(end)),
    ).fetchall()
    return [
        OverrideRecord(
            r[0],
            Action(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            None if r[6] is None else Money(r[6], r[7]),
            from_text(r[8]),
        )
        for r in rows
    ]


async def list_overrides(
    db: Database, start: datetime, end: datetime | None = None
) -> list[OverrideRecord]:
    return await db.read(lambda conn: overrides_between(conn, start, end))
