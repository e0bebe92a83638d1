"""A full shift: float, sales in cash, card and both, discounts, cash in and out, refunds, the
count at the close; the Z report is checked against sums made here from the orders as stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.checkout import Checkout
from kiosk.core.discount import Discount
from kiosk.core.models import Order
from kiosk.core.money import Money
from kiosk.shifts import close, shift
from kiosk.shifts.denominations import CountError, count, denominations
from kiosk.shifts.printout import report_receipt
from kiosk.shifts.report import ReportKind, report_json
from kiosk.shifts.shift import MovementKind, ShiftError, Who
from kiosk.store import orders
from kiosk.store.db import Database
from kiosk.store.rows import to_text
from tests.shifts.shop import Clock, fixed, sell, stock
from tests.store.factory import eur

ANN = Who("Ann", "id-ann")
MIA = Who("Mia", "id-mia")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kiosk.db")
    await stock(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def checkout(db: Database, clock: Clock) -> Checkout:
    c = Checkout(db, order_prefix="T1-", clock=clock)
    c.cashier = "Ann"
    return c


async def refund(db: Database, order: Order, amount: int, method: str, at: datetime) -> None:
    """A refund row as the refunds module (migration 8) stores one."""
    await db.write(
        lambda c: c.execute(
            "INSERT INTO refunds (id, order_id, created_at, currency, amount, method, staff) "
            "VALUES (?, ?, ?, 'EUR', ?, ?, 'Mia')",
            (f"r-{order.id}", order.id, to_text(at), amount, method),
        )
    )


def independent(sold: list[Order]) -> dict[str, Any]:
    """The report's sums, made from the Order objects read back from the database."""
    tenders: dict[str, int] = defaultdict(int)
    taxes: dict[str, int] = defaultdict(int)
    for o in sold:
        for p in o.payments:
            tenders[p.method.value] += p.amount.minor
        for t in o.tax_lines:
            taxes[t.rate_id] += t.amount.minor
    return {
        "orders": len(sold),
        "gross": sum(o.total.minor for o in sold),
        "tax": sum(o.tax_total.minor for o in sold),
        "discounts": sum(o.discount_total.minor + o.discount_tax.minor for o in sold),
        "tenders": dict(tenders),
        "taxes": dict(taxes),
        "change": sum(o.change.minor for o in sold),
    }


async def test_a_full_shift_adds_up_to_the_cent(
    db: Database, checkout: Checkout, clock: Clock
) -> None:
    before = await sell(checkout, clock, [("MUG-1", 1)])  # before the shift: not in it
    clock.tick()
    opened = await shift.open_shift(db, float_=eur(15000), by=ANN, now=clock())
    assert opened.number == 1
    assert opened.is_open
    with pytest.raises(ShiftError, match="shift 1 is still open"):
        await shift.open_shift(db, float_=eur(0), by=MIA, now=clock())

    s1 = await sell(checkout, clock, [("MUG-1", 2), ("BOOK-1", 1)], cash=5000)  # change back
    s2 = await sell(checkout, clock, [("CAP-1", 3)], card=3699)
    s3 = await sell(checkout, clock, [("BOOK-1", 2), ("CAP-1", 1)], card=2000, cash=4000)
    s4 = await sell(
        checkout, clock, [("MUG-1", 3), ("BOOK-1", 1)], cart_discount=Discount.percent("15")
    )
    checkout.cashier = "Bob"  # a quick switch: the next sale is Bob's
    s5 = await sell(checkout, clock, [("CAP-1", 1)], line_discount=fixed(233))
    await shift.move_cash(
        db, "in", eur(2000), reason="change from the bank", by=ANN, now=clock.tick()
    )
    await shift.move_cash(
        db,
        MovementKind.OUT,
        eur(5000),
        reason="  paid the   window cleaner ",
        by=MIA,
        now=clock.tick(),
    )
    await refund(db, s1, 850, "cash", clock.tick())
    await refund(db, s2, 1233, "card", clock.tick())

    x = await close.x_report(db, now=clock.tick())
    assert x.kind is ReportKind.X
    assert x.orders == 5
    assert x.counted is None

    sold = [s1, s2, s3, s4, s5]
    stored = {s.order.id: s.order for s in await orders.list_orders(db, limit=100)}
    expect = independent([stored[o.id] for o in sold])
    # A count by note and coin, 3.21 short of what should be there.
    cash_sales = expect["tenders"]["cash"]
    expected_cash = 15000 + cash_sales - 850 + 2000 - 5000
    pieces = _pieces(expected_cash - 321)
    counted = count("EUR", {eur(v): n for v, n in pieces.items()})
    z = await close.close_shift(db, counted=counted, by=MIA, now=clock.tick())
    after = await sell(checkout, clock, [("CAP-1", 1)])  # after the close: not in it

    assert z.kind is ReportKind.Z
    assert z.shift.closed_by == "Mia"
    assert z.orders == expect["orders"] == 5
    assert z.gross.minor == expect["gross"]
    assert z.tax.minor == expect["tax"]
    assert z.net.minor == expect["gross"] - expect["tax"]
    assert z.discounts.minor == expect["discounts"] > 0
    assert {t.method: t.amount.minor for t in z.by_tender} == expect["tenders"]
    assert sum(expect["tenders"].values()) == expect["gross"]
    assert {t.rate_id: t.amount.minor for t in z.taxes} == expect["taxes"]
    assert set(expect["taxes"]) == {"1", "2"}  # both VAT rates were sold
    assert [(t.method, t.amount.minor) for t in z.refunds] == [("card", 1233), ("cash", 850)]
    assert z.cash_in.minor == 2000
    assert z.cash_out.minor == 5000
    assert z.movements[1].reason == "paid the window cleaner"
    assert z.movements[1].staff == "Mia"
    assert z.expected_cash.minor == expected_cash
    assert z.counted is not None
    assert z.counted.minor == expected_cash - 321
    assert z.variance is not None
    assert z.variance.minor == -321
    assert {t.name: t.orders for t in z.by_staff} == {"Ann": 4, "Bob": 1}
    # The cash tendered is more than the cash kept: the change went back, and is not takings.
    assert expect["change"] > 0

    # The orders outside the shift are really there, just not in it.
    assert before.id in stored
    assert (await orders.get_order(db, after.id)) is not None
    # The Z report reprints the same, and was stored at the close.
    again = await close.z_report(db, 1)
    assert report_json(again, "de_DE") == report_json(z, "de_DE")
    saved = await db.read(
        lambda c: c.execute("SELECT report, counted_counts FROM shifts").fetchone()
    )
    assert '"variance"' in saved[0]
    assert saved[1] is not None
    # The next shift starts clean.
    nxt = await shift.open_shift(db, float_=eur(15000), by=ANN, now=clock.tick())
    assert nxt.number == 2
    fresh = await close.x_report(db, now=clock.tick())
    assert fresh.orders == 0
    assert fresh.expected_cash == eur(15000)


def _pieces(minor: int) -> dict[int, int]:
    """`minor` in as few EUR notes and coins as possible."""
    out = {}
    for d in denominations("EUR"):
        out[d.minor], minor = divmod(minor, d.minor)
    assert minor == 0
    return out


async def test_cash_moves_only_in_an_open_shift_and_with_a_reason(
    db: Database, clock: Clock
) -> None:
    with pytest.raises(ShiftError, match="no shift is open"):
        await shift.move_cash(db, "in", eur(100), reason="float top-up", by=ANN)
    with pytest.raises(ShiftError, match="nothing to close"):
        await close.close_shift(db, counted=eur(0), by=ANN)
    with pytest.raises(ShiftError, match="nothing to report"):
        await close.x_report(db)
    await shift.open_shift(db, float_=eur(0), by=ANN, now=clock())
    with pytest.raises(ShiftError, match="say why the cash goes out"):
        await shift.move_cash(db, "out", eur(100), reason="   ", by=ANN)
    with pytest.raises(ShiftError, match="more than 0"):
        await shift.move_cash(db, "out", eur(0), reason="x", by=ANN)
    with pytest.raises(ShiftError, match="counts EUR, not GBP"):
        await shift.move_cash(db, "in", Money(100, "GBP"), reason="x", by=ANN)
    with pytest.raises(ShiftError, match="still open: its X report"):
        await close.z_report(db, 1)


def test_denominations_are_the_currencys_own() -> None:
    assert [d.amount_str() for d in denominations("GBP")][:2] == ["50.00", "20.00"]
    assert denominations("JPY")[-1].minor == 1
    total = count("EUR", {eur(2000): 3, eur(5): 4, eur(2000 * 0 + 50): 1})
    assert total.total == eur(6070)
    assert total.as_json() == {"2000": 3, "50": 1, "5": 4}
    with pytest.raises(CountError, match=r"0\.03 is not a note or coin of EUR"):
        count("EUR", {eur(3): 1})
    with pytest.raises(CountError, match="not set up for XOF"):
        count("XOF", {})


@pytest.mark.parametrize("width", [32, 48])
async def test_the_report_lays_out_on_either_paper(
    db: Database, checkout: Checkout, clock: Clock, width: int
) -> None:
    await shift.open_shift(db, float_=eur(5000), by=ANN, now=clock.tick())
    await sell(checkout, clock, [("MUG-1", 1), ("BOOK-1", 1)], cash=5000)
    await shift.move_cash(
        db, "out", eur(700), reason="a very long reason for taking the cash out", by=MIA,
        now=clock.tick(),
    )  # fmt: skip
    z = await close.close_shift(db, counted=eur(7000), by=MIA, now=clock.tick())
    paper = report_receipt(z, shop="Laden am Markt mit langem Namen", locale="de_DE", width=width)
    texts = [line.text for line in paper.lines]
    assert all(len(t) <= line.columns(width) for t, line in zip(texts, paper.lines, strict=True))
    assert paper.reference == "Z-0001"
    # The printer has no no-break space: a plain one.
    assert any(t.startswith("Variance") and t.endswith("-1,49 €") for t in texts)
    assert any("MwSt ermäßigt 7%" in t for t in texts)
    # The long reason wraps at its spaces, the amount on a line of its own.
    out = texts.index("Cash drawer") + 4
    assert texts[out].startswith("  Out: a very long reason")
    words = " ".join(t.strip() for t in texts[out : out + 3]).split()
    assert words[:11] == [
        "Out:",
        "a",
        "very",
        "long",
        "reason",
        "for",
        "taking",
        "the",
        "cash",
        "out",
        "(Mia)",
    ]
