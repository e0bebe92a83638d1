"""What SaleSession tells the cashier: scans, taps, parking, leaving the pay sheet, retries."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from kiosk.core.barcodes import check_digit
from kiosk.core.money import Money
from kiosk.counter import outcome as told
from kiosk.counter.outcome import LeftPayment, Outcome
from kiosk.counter.status import counter_status
from kiosk.store import catalog, outbox
from kiosk.store.db import Database
from tests.counter.till import CAP, MUG, RATES, SHOP, TEE, TEE_M, Till, make_till
from tests.store.factory import T0, eur, simple

GONE = simple("p9", "Old mug", price=700, sku="OLD-1", manage_stock=True, stock_quantity=0)
NONE = Money.zero("EUR")


@pytest.fixture
async def till(db: Database) -> Till:
    await catalog.save_shop_settings(db, SHOP)
    await catalog.replace_tax_rates(db, RATES)
    await catalog.upsert_products(db, [MUG, CAP, TEE, TEE_M, GONE])
    return await make_till(db)


async def test_scans_in_the_cashiers_words(till: Till) -> None:
    s = till.session
    assert await s.scan_code("4000000000017") == Outcome("Added Blue mug")
    assert await s.scan_code("OLD-1") == Outcome(
        "Added Old mug, but the shop has none in stock", warn=True
    )
    assert await s.scan_code("TEE") == Outcome(choose=TEE)  # nothing added yet
    unknown = "400000000002" + str(check_digit("400000000002"))  # well formed, not sold here
    assert await s.scan_code(unknown) == Outcome(
        f"Unknown barcode {unknown}: nothing was added", warn=True
    )
    assert await s.scan_code("4000000000018") == Outcome(
        "This barcode did not read correctly: scan it again (4000000000018)", warn=True
    )
    assert [ln.product.id for ln in s.cart.lines] == ["p1", "p9"]
    s.add_cash(eur(100))
    refused = await s.scan_code("CAP-1")  # a payment was taken: the cart is frozen
    assert refused.warn
    assert "payment has been taken" in refused.message
    assert len(s.cart.lines) == 2


async def test_a_tap_adds_or_asks_for_a_variation(till: Till) -> None:
    s = till.session
    assert s.add_tapped(TEE) == Outcome(choose=TEE)
    assert s.cart.is_empty
    assert s.add_tapped(TEE_M) == Outcome("Added Tee - M")
    assert s.add_tapped(GONE).warn
    s.add_cash(eur(100))
    assert s.add_tapped(CAP).warn
    assert [ln.product.id for ln in s.cart.lines] == ["p2m", "p9"]


async def test_park_and_resume_say_what_happened(till: Till) -> None:
    s = till.session
    assert await s.park_sale() == Outcome("There is nothing to park", warn=True)
    s.add(MUG, 2)
    sale = s.cart.id
    assert await s.park_sale() == Outcome("Parked the sale (2 items): tap Parked to resume it")
    s.add(CAP)
    over = await s.resume_sale(sale)
    assert over.warn
    assert "finish or park the current sale" in over.message
    s.remove(0)
    assert await s.resume_sale(sale) == Outcome("Resumed the parked sale")
    s.remove(0)
    again = await s.resume_sale(sale)
    assert again.warn
    assert "no longer parked" in again.message


async def test_leaving_the_pay_sheet_hands_the_cash_back(till: Till) -> None:
    s = till.session
    s.add(MUG)
    assert s.leave_payment() == LeftPayment(True, "", NONE)  # nothing taken, nothing to return
    s.add_cash(eur(200))
    s.add_cash(eur(150))
    assert s.leave_payment() == LeftPayment(
        True, "Hand back 3,50\xa0€", eur(350), told.BACK_IN_CART
    )
    assert s.tenders == ()
    assert s.due() == eur(850)


async def test_a_charged_card_keeps_the_cashier_on_the_pay_sheet(till: Till) -> None:
    s = till.session
    s.add(MUG)
    await s.pay_card(eur(500))
    s.add_cash(eur(100))
    assert s.leave_payment() == LeftPayment(False, told.CARD_CHARGED, NONE)
    assert len(s.tenders) == 2  # nothing handed back: the sale must be finished


async def test_no_leaving_while_the_reader_is_charging(db: Database, till: Till) -> None:
    t = await make_till(db, interactive=True)
    s = t.session
    s.add(MUG)
    charging = asyncio.create_task(s.pay_card())
    await t.reader.wait_pending()
    left = s.leave_payment()
    assert (left.left, left.message) == (False, told.IN_PROGRESS)
    t.reader.approve()
    assert (await charging).approved
    assert s.leave_payment() == LeftPayment(False, told.CARD_CHARGED, NONE)


async def test_a_refused_order_is_retried_once(till: Till) -> None:
    s = till.session
    s.add(MUG)
    s.add_cash(eur(850))
    done = await s.complete()
    await outbox.claim_next(till.db, T0)
    await outbox.mark_failed(till.db, done.order.id, "Product ID provided is invalid.", now=T0)
    (failed,) = (await counter_status(till.db, now=T0)).failed
    queued = await s.retry_upload(failed.order_id, failed.number)
    assert queued == Outcome("The order is queued to upload again")
    assert (await counter_status(till.db, now=T0)).failed_count == 0
    again = await s.retry_upload(failed.order_id, failed.number)  # a second tap
    assert again == Outcome(
        f"Order {done.order.number} is no longer waiting for a retry", warn=True
    )


async def test_the_words_after_a_sale(till: Till) -> None:
    s = till.session
    s.add(MUG)
    s.add_cash(eur(1000))
    done = await s.complete()
    assert told.change_text(done, "de_DE") == (
        "Change 1,50\xa0€",
        f"Order {done.order.number} · 8,50\xa0€ by cash",
    )
    s.add(MUG)
    s.add_cash(eur(850))
    assert told.change_text(await s.complete(), "de_DE")[0] == "Paid"
    s.add(MUG)
    till.reader.approve_next()
    await s.pay_card()
    big, small = told.change_text(await s.complete(), "de_DE")
    assert big == "Card approved"
    assert small.endswith("8,50\xa0€ by card · Visa •••• 4242 · Contactless")


def test_prices_as_tiles_show_them() -> None:
    assert told.price_text(MUG, "en_GB") == "€8.50"
    assert told.price_text(replace(TEE, price=eur(1500)), "en_GB") == "from €15.00"
    assert told.price_text(simple("x", "Free", price=None), "en_GB") == "No price"


def test_printer_problems_are_said_once_per_cause() -> None:
    same = [("the receipt did not print", "no paper"), ("the drawer did not open", "no paper")]
    assert told.printer_problem(same) == (
        "The receipt did not print and the drawer did not open. no paper."
    )
    two = [("the receipt did not print", "no paper"), ("the drawer did not open", "unplugged")]
    assert told.printer_problem(two) == (
        "The receipt did not print: no paper. The drawer did not open: unplugged."
    )
    assert told.printer_problem([]) == ""
