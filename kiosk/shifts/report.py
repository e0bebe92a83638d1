"""X and Z reports: a shift's takings computed from the orders in the database, to the minor unit.

A shift's orders are those in its currency created from its opening up to (not including) its
close, or up to now for an X report of the open shift. Sales by tender are the payments' amounts
(what counted towards the totals: cash change is already off); discounts are in the shop's price
basis (with their tax where the prices include tax), as the receipt shows them; tax is per rate
from the orders' tax lines. Refunds are read from the refunds table when this database has one
(kiosk.store migration 8), so a cash refund comes off the expected cash.

expected cash = float + cash sales - cash refunds + cash in - cash out; variance = counted -
expected (negative: cash is missing).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kiosk.core.money import Money
from kiosk.shifts.shift import CashMovement, MovementKind, Shift, movements_of
from kiosk.store.rows import to_text


class ReportKind(StrEnum):
    X = "X"  # at any time: the shift goes on
    Z = "Z"  # at the close: final, stored with the shift


@dataclass(frozen=True, slots=True)
class TenderTotal:
    method: str
    count: int
    amount: Money


@dataclass(frozen=True, slots=True)
class TaxTotal:
    rate_id: str
    label: str
    rate: Decimal
    amount: Money


@dataclass(frozen=True, slots=True)
class StaffTotal:
    name: str
    orders: int
    amount: Money


@dataclass(frozen=True, slots=True)
class ShiftReport:
    kind: ReportKind
    shift: Shift
    until: datetime  # the close, or when the X report was made
    orders: int
    gross: Money  # sum of order totals, tax included
    tax: Money
    discounts: Money
    by_tender: tuple[TenderTotal, ...]
    taxes: tuple[TaxTotal, ...]
    by_staff: tuple[StaffTotal, ...]
    refunds: tuple[TenderTotal, ...]
    refunds_known: bool  # False: this database keeps no refunds (yet)
    movements: tuple[CashMovement, ...]
    no_sales: int
    overrides: int
    counted: Money | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def currency(self) -> str:
        return self.shift.currency

    def _sum(self, items: Any) -> Money:
        return Money(sum(i.amount.minor for i in items), self.currency)

    @property
    def net(self) -> Money:
        """Sales without their tax."""
        return self.gross - self.tax

    @property
    def refunded(self) -> Money:
        return self._sum(self.refunds)

    def tender(self, method: str, totals: tuple[TenderTotal, ...] | None = None) -> Money:
        found = [t for t in (self.by_tender if totals is None else totals) if t.method == method]
        return self._sum(found)

    @property
    def cash_sales(self) -> Money:
        return self.tender("cash")

    @property
    def cash_refunds(self) -> Money:
        return self.tender("cash", self.refunds)

    @property
    def cash_in(self) -> Money:
        return self._sum(m for m in self.movements if m.kind is MovementKind.IN)

    @property
    def cash_out(self) -> Money:
        return self._sum(m for m in self.movements if m.kind is MovementKind.OUT)

    @property
    def expected_cash(self) -> Money:
        return self.shift.float + self.cash_sales - self.cash_refunds + self.cash_in - self.cash_out

    @property
    def variance(self) -> Money | None:
        return None if self.counted is None else self.counted - self.expected_cash


def _window(shift: Shift, until: datetime) -> dict[str, str]:
    return {"start": to_text(shift.opened_at), "end": to_text(until), "cur": shift.currency}


# The shift's orders; every query below reads through this one filter. A web order brought to
# the till to be refunded (kiosk.core.web_orders: "web_order" in its meta) is no sale of the
# till's: its money never went through this drawer or reader.
_TILL_SALE = "json_extract(meta, '$.web_order') IS NULL"
_IN_SHIFT = (
    "SELECT id FROM orders WHERE currency = :cur AND created_at >= :start AND created_at < :end "
    "AND json_extract(meta, '$.web_order') IS NULL"
)


def compute(
    conn: sqlite3.Connection,
    shift: Shift,
    until: datetime,
    kind: ReportKind,
    counted: Money | None = None,
) -> ShiftReport:
    """The report of `shift` up to `until`, read in the caller's transaction."""
    w = _window(shift, until)
    cur = shift.currency

    def money(v: int | None) -> Money:
        return Money(int(v or 0), cur)

    n, gross, tax, disc = conn.execute(
        "SELECT count(*), sum(total), sum(tax_total), "
        "sum(discount_total + CASE WHEN prices_include_tax THEN discount_tax ELSE 0 END) "
        "FROM orders WHERE id IN (" + _IN_SHIFT + ")",
        w,
    ).fetchone()
    tenders = conn.execute(
        "SELECT method, count(DISTINCT order_id), sum(amount) FROM payments "  # noqa: S608 (a constant filter)
        "WHERE order_id IN (" + _IN_SHIFT + ") GROUP BY method ORDER BY method",
        w,
    ).fetchall()
    taxes = conn.execute(
        "SELECT rate_id, label, rate, sum(amount) FROM order_tax_lines "  # noqa: S608 (a constant filter)
        "WHERE order_id IN (" + _IN_SHIFT + ") GROUP BY rate_id, label, rate ORDER BY rate_id",
        w,
    ).fetchall()
    staff = conn.execute(
        "SELECT cashier, count(*), sum(total) FROM orders "  # noqa: S608 (a constant filter)
        "WHERE id IN (" + _IN_SHIFT + ") GROUP BY cashier ORDER BY cashier",
        w,
    ).fetchall()
    refunds, known = _refunds(conn, w)
    no_sales, overrides = conn.execute(
        "SELECT (SELECT count(*) FROM drawer_openings WHERE reason = 'no_sale' "
        "AND created_at >= :start AND created_at < :end), "
        "(SELECT count(*) FROM staff_overrides WHERE created_at >= :start AND created_at < :end)",
        w,
    ).fetchone()
    other = conn.execute(
        "SELECT count(*) FROM orders WHERE currency != :cur AND created_at >= :start "  # noqa: S608 (a constant filter)
        "AND created_at < :end AND " + _TILL_SALE,
        w,
    ).fetchone()[0]
    warnings = (f"{other} orders in another currency are not counted",) if other else ()
    return ShiftReport(
        kind=kind,
        shift=shift,
        until=until,
        orders=n,
        gross=money(gross),
        tax=money(tax),
        discounts=money(disc),
        by_tender=tuple(TenderTotal(m, c, money(a)) for m, c, a in tenders),
        taxes=tuple(TaxTotal(r, lb, Decimal(rate), money(a)) for r, lb, rate, a in taxes),
        by_staff=tuple(StaffTotal(name, c, money(a)) for name, c, a in staff),
        refunds=refunds,
        refunds_known=known,
        movements=tuple(movements_of(conn, shift.id, cur)),
        no_sales=no_sales,
        overrides=overrides,
        counted=counted,
        warnings=warnings,
    )


def _refunds(conn: sqlite3.Connection, w: dict[str, str]) -> tuple[tuple[TenderTotal, ...], bool]:
    """Refunds in the window by where the money went, if this database keeps refunds."""
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refunds'"
    ).fetchone()
    if has is None:
        return (), False
    rows = conn.execute(
        "SELECT method, count(*), sum(amount) FROM refunds WHERE currency = :cur "
        "AND created_at >= :start AND created_at < :end GROUP BY method ORDER BY method",
        w,
    ).fetchall()
    return tuple(TenderTotal(m, c, Money(int(a), w["cur"])) for m, c, a in rows), True


def report_json(r: ShiftReport, locale: str) -> dict[str, Any]:
    """The report as one JSON object: every amount with its minor units and its words."""

    def m(amount: Money | None) -> dict[str, Any] | None:
        return None if amount is None else amount.to_json(locale)

    s = r.shift
    return {
        "kind": r.kind.value,
        "shift": s.number,
        "shift_id": s.id,
        "currency": s.currency,
        "opened_at": s.opened_at.isoformat(),
        "opened_by": s.opened_by,
        "until": r.until.isoformat(),
        "closed_by": s.closed_by,
        "orders": r.orders,
        "gross": m(r.gross),
        "net": m(r.net),
        "tax": m(r.tax),
        "discounts": m(r.discounts),
        "tenders": [
            {"method": t.method, "orders": t.count, "amount": m(t.amount)} for t in r.by_tender
        ],
        "taxes": [
            {"rate_id": t.rate_id, "label": t.label, "rate": str(t.rate), "amount": m(t.amount)}
            for t in r.taxes
        ],
        "staff": [{"name": t.name, "orders": t.orders, "amount": m(t.amount)} for t in r.by_staff],
        "refunds": [
            {"method": t.method, "count": t.count, "amount": m(t.amount)} for t in r.refunds
        ],
        "refunds_known": r.refunds_known,
        "refunded": m(r.refunded),
        "cash": {
            "float": m(s.float),
            "sales": m(r.cash_sales),
            "refunds": m(r.cash_refunds),
            "in": m(r.cash_in),
            "out": m(r.cash_out),
            "expected": m(r.expected_cash),
            "counted": m(r.counted),
            "variance": m(r.variance),
        },
        "movements": [
            {
                "kind": mv.kind.value,
                "amount": m(mv.amount),
                "reason": mv.reason,
                "staff": mv.staff,
                "at": mv.created_at.isoformat(),
            }
            for mv in r.movements
        ],
        "no_sales": r.no_sales,
        "overrides": r.overrides,
        "warnings": list(r.warnings),
    }
