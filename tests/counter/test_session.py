"""SaleSession on real parts: a real database and Checkout, a fake printer, a simulated reader."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from kiosk.checkout import Checkout, UnknownCode
from kiosk.core.cart import CartError
from kiosk.core.discount import Discount
from kiosk.core.models import Customer, PaymentMethod, ShopSettings, TaxRate
from kiosk.core.receipt import Receipt
from kiosk.core.tender import PaymentError, Tender
from kiosk.counter.session import SaleSession, Scanned
from kiosk.hardware.base import PrinterError, PrinterState
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.base import ReaderError, ReaderState
from kiosk.payments.fake import SimulatedReader
from kiosk.store import catalog, orders, parked
from kiosk.store.db import Database
from tests.store.factory import T0, eur, simple, variable, variation

SHOP = ShopSettings(currency="EUR", prices_include_tax=True, country="DE", locale="de_DE")
RATES = (TaxRate("1", Decimal("19.0000"), "MwSt", country="DE"),)
MUG = simple("p1", "Blue mug", price=850, sku="MUG-1", barcode="4000000000017")
CAP = simple("p3", "Cap", price=1200, sku="CAP-1")
TEE = variable("p2", "Tee", sku="TEE")
TEE_M = variation("p2m", "p2", "Tee - M", price=1500, sku="TEE-M")
ANN = Customer("c7", "Ann", "Smith", email="ann@example.com")
BOB = Customer("c8", "Bob", "Jones")


async def rows(db: Database, sql: str, *args: object) -> list[tuple[Any, ...]]:
    return await db.read(lambda conn: [tuple(r) for r in conn.execute(sql, args).fetchall()])


async def order_count(db: Database) -> int:
    return int((await rows(db, "SELECT count(*) FROM orders"))[0][0])


@dataclass
class Till:
    db: Database
    session: SaleSession
    printer: FakePrinter
    reader: SimulatedReader


async def make_till(
    db: Database,
    *,
    printer: FakePrinter | None = None,
    interactive: bool = False,
    offline: bool = False,
) -> Till:
    printer = printer or FakePrinter()
    reader = SimulatedReader(interactive=interactive)
    checkout = Checkout(db, order_prefix="T1-", cashier="ann", clock=lambda: T0)
    session = SaleSession(db, checkout, printer, reader, is_offline=lambda: offline)
    await session.start()
    return Till(db, session, printer, reader)


@pytest.fixture
async def shop(db: Database) -> Database:
    await catalog.save_shop_settings(db, SHOP)
    await catalog.replace_tax_rates(db, RATES)
    await catalog.upsert_products(db, [MUG, CAP, TEE, TEE_M])
    await catalog.upsert_customers(db, [ANN, BOB])
    return db


@pytest.fixture
async def till(shop: Database) -> Till:
    return await make_till(shop)


async def fill(s: SaleSession) -> None:
    """Two mugs and a cap: 2 x 8.50 + 12.00 = 29.00 (prices include tax)."""
    s.add(MUG, 2)
    s.add(CAP)
    assert s.due() == eur(2900)


# -- the cart ---------------------------------------------------------------------------------


async def test_scan_adds_simple_products_and_leaves_variable_ones_to_choose(till: Till) -> None:
    s = till.session
    assert await s.scan("4000000000017") == Scanned(MUG, added=True)
    assert await s.scan(" CAP-1 ") == Scanned(CAP, added=True)
    assert [(ln.product.id, ln.quantity) for ln in s.cart.lines] == [("p1", 1), ("p3", 1)]
    before = s.cart.lines
    tee = await s.scan("TEE")
    assert tee == Scanned(TEE, added=False)
    assert s.cart.lines == before
    assert [v.id for v in await s.variations(tee.product)] == ["p2m"]
    with pytest.raises(UnknownCode, match="NOPE"):
        await s.scan("NOPE")
    assert s.cart.lines == before
    assert s.cart.totals().total == eur(2050)


async def test_quantities_remove_and_discounts_change_the_totals(till: Till) -> None:
    s = till.session
    await fill(s)
    s.set_quantity(0, 3)
    assert s.cart.totals().total == eur(3 * 850 + 1200)
    s.step_quantity(1, +1)
    assert [ln.quantity for ln in s.cart.lines] == [3, 2]
    s.step_quantity(1, -1)
    s.step_quantity(1, -1)  # down from 1: the cap's line goes
    assert [ln.product.id for ln in s.cart.lines] == ["p1"]
    s.add(CAP)
    s.remove(0)
    assert [ln.product.id for ln in s.cart.lines] == ["p3"]
    s.add(MUG, 2)  # 1200 + 1700
    s.set_line_discount(1, Discount.percent(10))  # 170 off the mugs
    assert s.cart.totals().total == eur(2730)
    s.set_cart_discount(Discount.fixed(eur(130)))
    assert s.cart.totals().total == eur(2600)
    assert s.due() == eur(2600)
    s.set_line_discount(1, None)
    s.set_cart_discount(None)
    assert s.cart.totals().total == eur(2900)


async def test_customers_are_found_and_attached(till: Till) -> None:
    s = till.session
    assert await s.find_customers("   ") == []
    assert await s.find_customers("ann@") == [ANN]
    s.attach_customer(ANN)
    assert (s.customer, s.cart.customer_id) == (ANN, "c7")
    s.attach_customer(None)
    assert (s.customer, s.cart.customer_id) == (None, None)


# -- parking ----------------------------------------------------------------------------------


async def test_park_then_resume_brings_back_the_same_sale(till: Till) -> None:
    s = till.session
    await fill(s)
    s.attach_customer(ANN)
    sale_id = s.cart.id
    kept = await s.park()
    assert kept == parked.ParkedCart(sale_id, "Ann Smith", T0, 3, eur(2900))
    assert (s.cart.id != sale_id, s.cart.is_empty, s.customer) == (True, True, None)
    assert await s.parked() == [kept]

    assert await s.resume(sale_id) == []
    assert s.cart.id == sale_id
    assert s.customer == ANN
    assert [(ln.product.id, ln.quantity) for ln in s.cart.lines] == [("p1", 2), ("p3", 1)]
    assert await s.parked() == []
    with pytest.raises(CartError):
        await s.resume(sale_id)


async def test_resume_refuses_over_a_cart_with_lines_and_twice(till: Till) -> None:
    s = till.session
    s.add(CAP)
    sale_id = s.cart.id
    await s.park("  window  ")
    s.add(MUG)
    with pytest.raises(CartError, match="finish or park"):
        await s.resume(sale_id)
    assert len(await s.parked()) == 1  # still parked: the refusal took nothing
    s.remove(0)
    await s.resume(sale_id)
    s.remove(0)
    with pytest.raises(CartError, match="no longer parked"):
        await s.resume(sale_id)


# -- payment ----------------------------------------------------------------------------------


async def test_cash_commits_before_printing_then_opens_the_drawer_once(shop: Database) -> None:
    class CheckingPrinter(FakePrinter):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[Any, ...]] = []

        async def print_receipt(self, receipt: Receipt) -> None:
            self.seen = await rows(
                shop, "SELECT method, amount, tendered, change FROM payments WHERE order_id = ?",
                receipt.order_id,
            )  # fmt: skip
            await super().print_receipt(receipt)

    printer = CheckingPrinter()
    t = await make_till(shop, printer=printer)
    s = t.session
    await fill(s)
    sale_id = s.cart.id
    s.add_cash(eur(2000))
    assert s.due() == eur(900)
    assert not s.settled()
    s.add_cash(eur(1000))
    assert s.due() == eur(0)
    assert s.settled()
    done = await s.complete()
    assert printer.seen == [("cash", 2900, 3000, 100)]  # the order was in the DB when it printed
    assert done.change == eur(100)
    assert done.order.id == sale_id
    assert done.order.number == "T1-00001"
    assert done.printer_error == ""
    assert printer.printed == [done.receipt]
    assert printer.drawer_opened == 1
    stored = await orders.get_order(shop, sale_id)
    assert stored is not None
    assert stored.order.total == eur(2900)
    assert s.last is done
    assert s.cart.id != sale_id
    assert s.cart.is_empty
    assert s.tenders == ()


async def test_split_tender_card_then_cash(till: Till) -> None:
    s, reader = till.session, till.reader
    await fill(s)
    result = await s.pay_card(eur(1000))
    assert result.approved
    assert result.amount == eur(1000)
    assert s.due() == eur(1900)
    s.add_cash(eur(2000))
    done = await s.complete()
    assert done.change == eur(100)
    assert await rows(
        till.db,
        "SELECT position, method, amount, tendered, change, reference FROM payments "
        "WHERE order_id = ? ORDER BY position",
        done.order.id,
    ) == [(0, "card", 1000, 1000, 0, "pi_sim_1"), (1, "cash", 1900, 2000, 100, "")]
    assert [(c.payment_id, c.amount) for c in reader.charges] == [
        (f"{done.order.id}:card:1", eur(1000))
    ]
    assert till.printer.drawer_opened == 1


async def test_card_decline_then_approve_charges_once_under_a_new_key(shop: Database) -> None:
    t = await make_till(shop, interactive=True)
    s, reader = t.session, t.reader
    await fill(s)
    sale_id = s.cart.id
    first = asyncio.create_task(s.pay_card())
    assert await reader.wait_pending() == reader.pending
    assert reader.pending is not None
    assert reader.pending.payment_id == f"{sale_id}:card:1"
    assert (await s.card_status()).state is ReaderState.BUSY
    assert reader.decline("Card declined: expired")
    declined = await first
    assert not declined.approved
    assert declined.message == "Card declined: expired"
    assert (s.tenders, s.due()) == ((), eur(2900))

    second = asyncio.create_task(s.pay_card())
    assert (await reader.wait_pending()).payment_id == f"{sale_id}:card:2"
    assert reader.approve()
    approved = await second
    assert approved.approved
    assert approved.amount == eur(2900)
    assert s.tenders == (Tender(PaymentMethod.CARD, eur(2900), approved.reference, "Visa", "4242"),)
    assert [c.result.approved for c in reader.charges] == [False, True]
    done = await s.complete()
    assert done.change == eur(0)
    assert [p.method for p in done.order.payments] == [PaymentMethod.CARD]
    assert t.printer.printed == [done.receipt]
    assert t.printer.drawer_opened == 0  # card only: the drawer stays shut


async def test_a_cancelled_card_adds_no_tender(shop: Database) -> None:
    t = await make_till(shop, interactive=True)
    s = t.session
    s.add(CAP)
    task = asyncio.create_task(s.pay_card())
    await t.reader.wait_pending()
    await t.reader.cancel()
    result = await task
    assert not result.approved
    assert result.message == "Cancelled"
    assert s.tenders == ()
    assert s.due() == eur(1200)


async def test_card_amounts_that_cannot_be_charged_are_refused(till: Till) -> None:
    s, reader = till.session, till.reader
    with pytest.raises(CartError, match="nothing is left to pay"):
        await s.pay_card()  # an empty cart
    await fill(s)
    with pytest.raises(CartError, match="at most"):
        await s.pay_card(eur(2901))
    s.add_cash(eur(3000))
    with pytest.raises(CartError, match="nothing is left to pay"):
        await s.pay_card()
    assert reader.charges == []


async def test_a_card_payment_of_zero_is_refused(till: Till) -> None:
    s = till.session
    await fill(s)
    with pytest.raises(CartError):
        await s.pay_card(eur(0))  # the cashier typed 0: that is no payment, not "all that is due"
    assert till.reader.charges == []
    assert s.tenders == ()


async def test_offline_means_cash_only(shop: Database) -> None:
    t = await make_till(shop, offline=True)
    s = t.session
    await fill(s)
    status = await s.card_status()
    assert status.state is ReaderState.OFFLINE
    assert "internet" in status.detail
    with pytest.raises(ReaderError, match="internet"):
        await s.pay_card()
    assert t.reader.charges == []
    assert s.tenders == ()
    s.add_cash(eur(2900))
    done = await s.complete()
    assert done.order.offline
    assert await rows(shop, "SELECT offline FROM orders WHERE id = ?", done.order.id) == [(1,)]


async def test_a_double_tap_on_pay_sells_once(till: Till) -> None:
    s, printer = till.session, till.printer
    await fill(s)
    sale_id = s.cart.id
    s.add_cash(eur(5000))
    first, second = await asyncio.gather(s.complete(), s.complete())
    assert first is second
    assert first.order.id == sale_id
    assert first.change == eur(2100)
    assert await order_count(till.db) == 1
    assert printer.printed == [first.receipt]
    assert printer.drawer_opened == 1


async def test_cash_on_a_paid_sale_is_refused(till: Till) -> None:
    s = till.session
    await fill(s)
    s.add_cash(eur(2900))
    with pytest.raises(CartError, match="already paid"):
        s.add_cash(eur(2900))  # the second tap of a double tap on "Exact"
    assert [t.amount for t in s.tenders] == [eur(2900)]
    assert (await s.complete()).change == eur(0)


async def test_completing_short_raises_and_writes_nothing(till: Till) -> None:
    s = till.session
    await fill(s)
    s.add_cash(eur(2000))
    with pytest.raises(PaymentError, match="still due"):
        await s.complete()
    assert await order_count(till.db) == 0
    assert await rows(till.db, "SELECT count(*) FROM outbox") == [(0,)]
    assert till.printer.printed == []
    assert till.printer.drawer_opened == 0
    assert s.last is None
    assert s.due() == eur(900)
    s.add_cash(eur(900))
    assert (await s.complete()).order.total == eur(2900)


async def test_the_cart_is_frozen_once_paid_and_only_cash_goes_back(till: Till) -> None:
    s = till.session
    await fill(s)
    s.add_cash(eur(1000))
    for change in (
        lambda: s.add(MUG),
        lambda: s.set_quantity(0, 1),
        lambda: s.remove(0),
        lambda: s.set_cart_discount(Discount.percent(5)),
        lambda: s.attach_customer(ANN),
    ):
        with pytest.raises(CartError, match="payment has been taken"):
            change()
    with pytest.raises(CartError, match="payment has been taken"):
        await s.park()
    assert s.cancel_payment() == [Tender(PaymentMethod.CASH, eur(1000))]
    assert s.tenders == ()
    assert s.due() == eur(2900)
    s.set_quantity(0, 1)  # editable again
    await s.pay_card(eur(500))
    with pytest.raises(CartError, match="card was charged"):
        s.cancel_payment()
    assert len(s.tenders) == 1


async def test_the_cart_is_frozen_while_a_card_charge_waits(shop: Database) -> None:
    t = await make_till(shop, interactive=True)
    s = t.session
    await fill(s)
    task = asyncio.create_task(s.pay_card())
    await t.reader.wait_pending()
    # The reader is charging 29.00: shrinking the cart now would leave a card tender larger than
    # the total, which can neither complete (OverTender) nor be cancelled (a card was charged).
    with pytest.raises(CartError):
        s.remove(0)
    t.reader.approve()
    await task
    done = await s.complete()
    assert done.order.total == eur(2900)


async def test_a_resumed_sale_retries_its_card_under_a_new_key(till: Till) -> None:
    s, reader = till.session, till.reader
    await fill(s)
    sale_id = s.cart.id
    reader.decline_next()
    assert not (await s.pay_card()).approved  # "<id>:card:1" is now final as declined
    await s.park()
    await s.resume(sale_id)
    retry = await s.pay_card()
    assert retry.approved  # a new attempt, not a replay of the old decline
    assert [c.payment_id for c in reader.charges] == [f"{sale_id}:card:1", f"{sale_id}:card:2"]


async def test_a_printer_fault_never_undoes_the_sale(till: Till) -> None:
    s, printer = till.session, till.printer
    printer.set_state(PrinterState.PAPER_OUT)
    await fill(s)
    s.add_cash(eur(2900))
    done = await s.complete()
    assert "out of paper" in done.printer_error
    assert "drawer did not open" in done.printer_error
    assert await orders.get_order(till.db, done.order.id) is not None
    assert printer.printed == []
    assert printer.drawer_opened == 0
    with pytest.raises(PrinterError, match="out of paper"):
        await s.reprint()
    printer.set_state(PrinterState.READY)
    await s.reprint()
    assert printer.printed == [done.receipt]
    assert done.receipt.order_number == "T1-00001"


async def test_reprint_before_any_sale_is_refused(till: Till) -> None:
    with pytest.raises(CartError, match="no receipt"):
        await till.session.reprint()


async def test_watch_is_called_after_changes(till: Till) -> None:
    s = till.session
    calls: list[int] = []
    s.watch(lambda: calls.append(len(s.cart.lines)))
    await s.scan("MUG-1")
    s.add(CAP)
    s.step_quantity(1, -1)
    assert calls == [1, 2, 1]
    s.add_cash(eur(850))
    await s.complete()
    assert calls[-1] == 0  # the new, empty sale was shown
    assert len(calls) == 5
