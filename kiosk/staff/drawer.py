"""Every opening of the cash drawer, with who opened it and why (drawer_openings).

`open_drawer` kicks the drawer and records the opening; a no-sale opening needs a manager's
Approval (kiosk.staff.overrides). The drawer is anything with `async open_drawer()` (the
receipt printer it hangs on), so this module never imports the hardware.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from kiosk.staff.accounts import StaffError, utc_now
from kiosk.staff.overrides import Action, Approval
from kiosk.store.db import Database
from kiosk.store.rows import from_text, to_text


class Reason(StrEnum):
    SALE = "sale"
    REFUND = "refund"
    NO_SALE = "no_sale"
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    FLOAT = "float"  # the float put in at the start of a shift
    COUNT = "count"  # counting the cash at the close


class Drawer(Protocol):
    async def open_drawer(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Opening:
    id: str
    reason: Reason
    staff: str
    order_id: str | None
    override_id: str | None
    created_at: datetime


def record(
    conn: sqlite3.Connection,
    reason: Reason,
    *,
    staff: str,
    staff_id: str | None = None,
    order_id: str | None = None,
    override_id: str | None = None,
    at: datetime,
) -> Opening:
    """Write one opening (in the caller's transaction)."""
    opening = Opening(str(uuid.uuid4()), reason, staff, order_id, override_id, at)
    conn.execute(
        "INSERT INTO drawer_openings (id, reason, staff, staff_id, order_id, override_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (opening.id, reason.value, staff, staff_id, order_id, override_id, to_text(at)),
    )
    return opening


async def open_drawer(
    db: Database,
    drawer: Drawer,
    reason: Reason | str,
    *,
    staff: str,
    staff_id: str | None = None,
    order_id: str | None = None,
    approval: Approval | None = None,
    now: datetime | None = None,
) -> Opening:
    """Open the drawer and record it; a NO_SALE needs a NO_SALE approval (StaffError without).

    The drawer's own error (PrinterError) passes through, and then nothing is recorded: the
    drawer did not open.
    """
    why = Reason(reason)
    if why is Reason.NO_SALE and (approval is None or approval.action is not Action.NO_SALE):
        raise StaffError("opening the drawer without a sale needs a manager's approval")
    at = now or utc_now()
    await drawer.open_drawer()
    override_id = approval.id if approval is not None else None
    return await db.write(
        lambda conn: record(
            conn,
            why,
            staff=staff,
            staff_id=staff_id,
            order_id=order_id,
            override_id=override_id,
            at=at,
        )
    )


def openings_between(
    conn: sqlite3.Connection, start: datetime, end: datetime | None
) -> list[Opening]:
    rows = conn.execute(
        "SELECT id, reason, staff, order_id, override_id, created_at FROM drawer_openings "
        "WHERE created_at >= ? AND (? IS NULL OR created_at < ?) ORDER BY created_at",
        (to_text(start), end and to_text(end), end and to_text(end)),
    ).fetchall()
    return [Opening(r[0], Reason(r[1]), r[2], r[3], r[4], from_text(r[5])) for r in rows]
