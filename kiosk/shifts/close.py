"""Closing a shift with the cash counted (the Z report), and the X report of the open shift."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import datetime

from kiosk.core.money import Money
from kiosk.shifts.denominations import Count
from kiosk.shifts.report import ReportKind, ShiftReport, compute, report_json
from kiosk.shifts.shift import (
    Shift,
    ShiftError,
    Who,
    last_shift_row,
    open_shift_row,
    shift_row,
    utc_now,
)
from kiosk.store.db import Database
from kiosk.store.rows import to_text


async def x_report(db: Database, *, now: datetime | None = None) -> ShiftReport:
    """The open shift so far; ShiftError when none is open."""
    at = now or utc_now()

    def run(conn: sqlite3.Connection) -> ShiftReport:
        shift = open_shift_row(conn)
        if shift is None:
            raise ShiftError("no shift is open: there is nothing to report yet")
        return compute(conn, shift, at, ReportKind.X)

    return await db.read(run)


async def z_report(db: Database, number: int | None = None) -> ShiftReport:
    """The Z report of closed shift `number` (default: the last closed), computed again from
    the same orders, movements and count."""

    def run(conn: sqlite3.Connection) -> ShiftReport:
        shift = shift_row(conn, number) if number is not None else _last_closed(conn)
        if shift is None:
            raise ShiftError(
                f"there is no shift {number}" if number is not None else "no shift has closed yet"
            )
        if shift.closed_at is None:
            raise ShiftError(f"shift {shift.number} is still open: its X report is the one")
        return compute(conn, shift, shift.closed_at, ReportKind.Z, shift.counted)

    return await db.read(run)


def _last_closed(conn: sqlite3.Connection) -> Shift | None:
    last = last_shift_row(conn)
    if last is not None and last.is_open:
        row = conn.execute(
            "SELECT number FROM shifts WHERE closed_at IS NOT NULL ORDER BY number DESC LIMIT 1"
        ).fetchone()
        return None if row is None else shift_row(conn, row[0])
    return last


async def close_shift(
    db: Database,
    *,
    counted: Money | Count,
    by: Who,
    locale: str = "en_US",
    now: datetime | None = None,
) -> ShiftReport:
    """Close the open shift with the cash counted; its Z report, also stored with the shift."""
    total = counted.total if isinstance(counted, Count) else counted
    if total.minor < 0:
        raise ShiftError(f"the cash counted must be 0 or more, not {total.amount_str()}")
    at = now or utc_now()
    pieces = json.dumps(counted.as_json()) if isinstance(counted, Count) else None

    def run(conn: sqlite3.Connection) -> ShiftReport:
        shift = open_shift_row(conn)
        if shift is None:
            raise ShiftError("no shift is open: there is nothing to close")
        if total.currency != shift.currency:
            raise ShiftError(f"the shift counts {shift.currency}, not {total.currency}")
        if at < shift.opened_at:
            raise ShiftError("the clock is before the shift's opening: check the device's time")
        closed = dataclasses.replace(shift, closed_at=at, closed_by=by.name, counted=total)
        report = compute(conn, closed, at, ReportKind.Z, total)
        conn.execute(
            "UPDATE shifts SET closed_at = ?, closed_by = ?, closed_by_id = ?, counted = ?, "
            "counted_counts = ?, report = ? WHERE id = ?",
            (
                to_text(at),
                by.name,
                by.id,
                total.minor,
                pieces,
                json.dumps(report_json(report, locale), ensure_ascii=False),
                shift.id,
            ),
        )
        return report

    return await db.write(run, durable=True)
