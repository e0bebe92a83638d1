"""A shift at the till: opened with a counted float, cash put in or taken out with a reason,
closed with the cash counted. One shift is open at a time (the database refuses a second).

A shift's sales are the orders created from its opening up to its close; the Z report computed
at the close is stored with it (kiosk.shifts.report), so it reprints the same ever after.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from kiosk.core.money import Money
from kiosk.shifts.denominations import Count
from kiosk.store.db import Database
from kiosk.store.rows import from_text, opt_from_text, to_text

MAX_REASON = 200


class ShiftError(ValueError):
    """The shift cannot do that now; the message says why in plain words."""


class MovementKind(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class Who:
    """Who did it: a staff member's name then, and their id."""

    name: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Shift:
    id: str
    number: int
    currency: str
    opened_at: datetime
    opened_by: str
    float: Money
    closed_at: datetime | None = None
    closed_by: str | None = None
    counted: Money | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class CashMovement:
    id: str
    kind: MovementKind
    amount: Money
    reason: str
    staff: str
    created_at: datetime

    @property
    def signed(self) -> Money:
        """The movement's effect on the drawer: + in, - out."""
        return self.amount if self.kind is MovementKind.IN else -self.amount


def utc_now() -> datetime:
    return datetime.now(UTC)


_SELECT = (
    "SELECT id, number, currency, opened_at, opened_by, float, closed_at, closed_by, counted "
    "FROM shifts "
)


def _shift(r: tuple[object, ...]) -> Shift:
    cur = str(r[2])
    return Shift(
        id=str(r[0]),
        number=int(r[1]),  # type: ignore[call-overload]
        currency=cur,
        opened_at=from_text(str(r[3])),
        opened_by=str(r[4]),
        float=Money(int(r[5]), cur),  # type: ignore[call-overload]
        closed_at=opt_from_text(r[6]),  # type: ignore[arg-type]
        closed_by=None if r[7] is None else str(r[7]),
        counted=None if r[8] is None else Money(int(r[8]), cur),  # type: ignore[call-overload]
    )


def open_shift_row(conn: sqlite3.Connection) -> Shift | None:
    r = conn.execute(_SELECT + "WHERE closed_at IS NULL").fetchone()
    return None if r is None else _shift(r)


def shift_row(conn: sqlite3.Connection, number: int) -> Shift | None:
    r = conn.execute(_SELECT + "WHERE number = ?", (number,)).fetchone()
    return None if r is None else _shift(r)


def last_shift_row(conn: sqlite3.Connection) -> Shift | None:
    r = conn.execute(_SELECT + "ORDER BY number DESC LIMIT 1").fetchone()
    return None if r is None else _shift(r)


def movements_of(conn: sqlite3.Connection, shift_id: str, currency: str) -> list[CashMovement]:
    rows = conn.execute(
        "SELECT id, kind, amount, reason, staff, created_at FROM cash_movements "
        "WHERE shift_id = ? ORDER BY created_at, rowid",
        (shift_id,),
    ).fetchall()
    return [
        CashMovement(r[0], MovementKind(r[1]), Money(r[2], currency), r[3], r[4], from_text(r[5]))
        for r in rows
    ]


async def current_shift(db: Database) -> Shift | None:
    """The open shift, or None."""
    return await db.read(open_shift_row)


async def get_shift(db: Database, number: int | None = None) -> Shift | None:
    """Shift `number`, or the latest one (open or not)."""
    if number is None:
        return await db.read(last_shift_row)
    return await db.read(lambda conn: shift_row(conn, number))


def _check_amount(amount: Money, what: str, *, zero_ok: bool) -> None:
    if amount.minor < 0 or (amount.minor == 0 and not zero_ok):
        more = "0 or more" if zero_ok else "more than 0"
        raise ShiftError(f"the {what} must be {more}, not {amount.amount_str()}")


async def open_shift(
    db: Database,
    *,
    float_: Money | Count,
    by: Who,
    now: datetime | None = None,
) -> Shift:
    """Open a shift with the float counted into the drawer; ShiftError if one is open."""
    counted = float_.total if isinstance(float_, Count) else float_
    _check_amount(counted, "float", zero_ok=True)
    at = now or utc_now()
    pieces = json.dumps(float_.as_json()) if isinstance(float_, Count) else None

    def run(conn: sqlite3.Connection) -> Shift:
        current = open_shift_row(conn)
        if current is not None:
            raise ShiftError(
                f"shift {current.number} is still open (opened by {current.opened_by}): "
                "close it first"
            )
        number = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM shifts").fetchone()[0]
        shift = Shift(str(uuid.uuid4()), number, counted.currency, at, by.name, counted)
        conn.execute(
            "INSERT INTO shifts (id, number, currency, opened_at, opened_by, opened_by_id, "
            "float, float_counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (shift.id, number, shift.currency, to_text(at), by.name, by.id, counted.minor, pieces),
        )
        return shift

    return await db.write(run, durable=True)


async def move_cash(
    db: Database,
    kind: MovementKind | str,
    amount: Money,
    *,
    reason: str,
    by: Who,
    now: datetime | None = None,
) -> CashMovement:
    """Cash put into (IN) or taken out of (OUT) the drawer during the open shift."""
    what = MovementKind(kind)
    _check_amount(amount, "amount", zero_ok=False)
    why = " ".join(reason.split())
    if not why:
        raise ShiftError("say why the cash goes " + ("in" if what is MovementKind.IN else "out"))
    if len(why) > MAX_REASON or not why.isprintable():
        raise ShiftError(f"the reason must be at most {MAX_REASON} printable characters")
    at = now or utc_now()

    def run(conn: sqlite3.Connection) -> CashMovement:
        shift = open_shift_row(conn)
        if shift is None:
            raise ShiftError("no shift is open: open one with its float first")
        if amount.currency != shift.currency:
            raise ShiftError(f"the shift counts {shift.currency}, not {amount.currency}")
        move = CashMovement(str(uuid.uuid4()), what, amount, why, by.name, at)
        conn.execute(
            "INSERT INTO cash_movements (id, shift_id, kind, amount, reason, staff, staff_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (move.id, shift.id, what.value, amount.minor, why, by.name, by.id, to_text(at)),
        )
        return move

    return await db.write(run, durable=True)
