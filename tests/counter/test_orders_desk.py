"""The Orders screen's desk: find past sales, see where each is on its way, reprint, retry."""

from __future__ import annotations

from datetime import timedelta

from kiosk.core.money import Money
from kiosk.counter.orders_desk import OrdersDesk
from kiosk.hardware.base import PrinterState
from kiosk.hardware.fake import FakePrinter
from kiosk.store import outbox
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from tests.counter.till import ANN, CAP, MUG, make_till, rows
from tests.store.factory import T0, eur

REFUSED = "Invalid product ID 99 (woocommerce_rest_invalid_product_id)"


async def _sell(db: Database, *, customer: bool = False, mugs: int = 1) -> str:
    till = await make_till(db)
    s = till.session
    s.add(MUG, mugs)
    if customer:
        s.attach_customer(ANN)
    s.add_cash(s.due())
    done = await s.complete()
    return done.order.number


async def test_each_sale_says_where_it_is_and_refused_ones_come_first(shop: Database) -> None:
    first = await _sell(shop)
    refused = await _sell(shop, mugs=2)
    third = await _sell(shop, customer=True)
    claimed = await outbox.claim_due(shop, T0 + timedelta(days=1), 3)
    by_number = {c.order.number: c.order_id for c in claimed}
    await outbox.mark_synced(shop, by_number[first], "101", T0)
    await outbox.mark_failed(shop, by_number[refused], REFUSED, now=T0)
    await outbox.schedule_retry(shop, by_number[third], "timeout", T0 + timedelta(minutes=1))
    desk = OrdersDesk(shop, FakePrinter(), now=lambda: T0)

    found = await desk.find()
    assert [r.number for r in found] == [refused, third, first]  # refused first, then newest
    failed, waiting, uploaded = found
    assert (failed.state, failed.failed, failed.reason) == ("Refused by the store", True, REFUSED)
    assert (waiting.state, uploaded.state) == ("Waiting to upload", "Uploaded")
    assert uploaded.summary.endswith("1 item · 8,50\xa0€ · cash")


async def test_found_by_number_customer_or_amount(shop: Database) -> None:
    mine = await _sell(shop, customer=True)
    other = await _sell(shop, mugs=3)
    desk = OrdersDesk(shop, FakePrinter(), now=lambda: T0)
    assert [r.number for r in await desk.find(mine)] == [mine]
    assert [r.number for r in await desk.find("ann smi")] == [mine]  # names match in any case
    assert [r.number for r in await desk.find("25,50")] == [other]  # 3 x 8.50, as typed here
    assert [r.number for r in await desk.find("25.50")] == [other]
    assert await desk.find("nobody") == []
    assert await desk.find("%") == []  # a wildcard typed is a character, not "everything"


async def test_detail_lines_payments_and_totals_in_the_shops_money(shop: Database) -> None:
    till = await make_till(shop)
    till.session.add(MUG, 2)
    till.session.add(CAP)
    till.session.add_cash(eur(5000))
    order = (await till.session.complete()).order
    desk = OrdersDesk(shop, FakePrinter(), now=lambda: T0)
    detail = await desk.detail(order.id)
    assert detail is not None
    assert detail.lines == ("2 × Blue mug · 17,00\xa0€", "1 × Cap · 12,00\xa0€")
    assert detail.payments == ("Cash · 29,00\xa0€ (handed 50,00\xa0€, change 21,00\xa0€)",)
    assert detail.totals[-1] == "Total 29,00\xa0€"
    assert await desk.detail("no-such-order") is None


async def test_reprint_marks_an_unsynced_sale_and_says_when_the_printer_fails(
    shop: Database,
) -> None:
    number = await _sell(shop)
    ((order_id,),) = await rows(shop, "SELECT id FROM orders WHERE number = ?", number)
    printer = FakePrinter()
    desk = OrdersDesk(shop, printer, now=lambda: T0)
    told = await desk.reprint(order_id)
    assert told.message == f"Printed the receipt of order {number} again"
    (receipt,) = printer.printed
    assert receipt.order_number == number
    assert any("NICHT" in line.text or "SYNC" in line.text.upper() for line in receipt.lines)
    printer.set_state(PrinterState.PAPER_OUT, "no paper")
    failed = await desk.reprint(order_id)
    assert failed.warn
    assert failed.message.startswith("The receipt did not print")


async def test_retry_queues_a_refused_sale_once(shop: Database) -> None:
    number = await _sell(shop)
    (claimed,) = await outbox.claim_due(shop, T0 + timedelta(days=1), 1)
    await outbox.mark_failed(shop, claimed.order_id, REFUSED, now=T0)
    desk = OrdersDesk(shop, FakePrinter(), now=lambda: T0 + timedelta(hours=1))
    told = await desk.retry(claimed.order_id, number)
    assert told.message == f"Order {number} is queued to upload again"
    assert (await outbox.counts(shop))[OutboxState.PENDING_SYNC] == 1
    again = await desk.retry(claimed.order_id, number)  # a second tap
    assert again.warn
    assert Money(850, "EUR") == claimed.order.total
