"""SaleSession's payments on real parts: cash, cards, split tender, what follows the commit.

The contract is SaleSession's (kiosk/counter/session.py): committed before printing, sold once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kiosk.core.cart import CartError
from kiosk.core.discount import Discount
from kiosk.core.models import PaymentMethod
from kiosk.core.receipt import Receipt
from kiosk.core.tender import PaymentError, Tender
from kiosk.hardware.base import PrinterError, PrinterState
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.base import ReaderError, ReaderFault, ReaderState
from kiosk.store import orders
from kiosk.store.db import Database
from tests.counter.till import ANN, CAP, MUG, Till, fill, make_till, order_count, rows
from tests.store.factory import eur


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
    assert s.tenders == (
        Tender(
            PaymentMethod.CARD,
            eur(2900),
            approved.reference,
            "Visa",
            "4242",
            "Contactless",
            "000001",
        ),
    )
    assert [c.result.approved for c in reader.charges] == [False, True]
    done = await s.complete()
    assert done.change == eur(0)
    assert [p.method for p in done.order.payments] == [PaymentMethod.CARD]
    # The card's details are committed with the sale, read back, and printed.
    stored = await orders.get_order(t.db, done.order.id)
    assert stored is not None
    card = stored.order.payments[0]
    assert (card.reference, card.card_brand, card.card_last4) == ("pi_sim_1", "Visa", "4242")
    assert (card.entry_mode, card.auth_code) == ("Contactless", "000001")
    assert "  Kontaktlos, Genehmigungs-Nr. 000001" in done.receipt.text().splitlines()  # a de shop
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
    with pytest.raises(ReaderError, match="internet") as raised:
        await s.pay_card()
    assert raised.value.fault is ReaderFault.NO_INTERNET
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
