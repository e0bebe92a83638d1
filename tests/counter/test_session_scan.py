"""SaleSession.scan with GS1 variable-measure labels, on a real database, through to the order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.checkout import BadScan, Checkout
from kiosk.connectors.woocommerce.orders import order_payload
from kiosk.core.barcodes import check_digit, price_check_digit
from kiosk.core.cart import CartError
from kiosk.core.discount import Discount
from kiosk.core.models import ShopSettings, TaxRate
from kiosk.counter.session import SaleSession, Scanned
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.fake import SimulatedReader
from kiosk.store import catalog, orders
from kiosk.store.db import Database
from tests.store.factory import T0, eur, simple

SHOP = ShopSettings(currency="EUR", prices_include_tax=True, country="DE", locale="de_DE")
RATES = (TaxRate("1", Decimal("19.0000"), "MwSt", country="DE"),)
# Found by its zeroed code (prefix 20, item 12345), priced by the label.
QUICHE = simple("15", "Quiche", price=None, barcode="2012345000001")
# Found by its item code as SKU, priced per kg x the label's weight (prefix 25).
HAM = simple("16", "Ham", price=1800, sku="54321")
MUG = simple("11", "Blue mug", price=850, sku="MUG-1")


def ean13(body: str) -> str:
    return body + str(check_digit(body))


PRICE_CODE = ean13("20" + "12345" + str(price_check_digit("0345")) + "0345")  # 3.45
WEIGHT_CODE = ean13("25" + "54321" + "00532")  # 532 g: 18.00 x 0.532 = 9.576 -> 9.58


@pytest.fixture
async def session(db: Database) -> SaleSession:
    await catalog.save_shop_settings(db, SHOP)
    await catalog.replace_tax_rates(db, RATES)
    await catalog.upsert_products(db, [QUICHE, HAM, MUG])
    checkout = Checkout(db, order_prefix="T1-", cashier="ann", clock=lambda: T0)
    s = SaleSession(db, checkout, FakePrinter(), SimulatedReader())
    await s.start()
    return s


async def test_a_price_label_adds_a_line_at_the_labels_price(session: SaleSession) -> None:
    found = await session.scan(PRICE_CODE)
    assert found == Scanned(QUICHE, added=True, price=eur(345))
    assert found.name == "Quiche"
    (line,) = session.cart.lines
    assert (line.product.id, line.quantity, line.unit_price, line.weight_g) == (
        "15",
        1,
        eur(345),
        None,
    )
    assert session.due() == eur(345)


async def test_a_weight_label_adds_the_weight_at_the_price_per_kg(session: SaleSession) -> None:
    found = await session.scan(WEIGHT_CODE)
    assert found == Scanned(HAM, added=True, price=eur(958), weight_g=532)
    assert found.name == "Ham, 0.532 kg"
    assert [(ln.unit_price, ln.weight_g) for ln in session.cart.lines] == [(eur(958), 532)]
    await session.scan(WEIGHT_CODE)  # a second pack with the same label is a second line
    assert [ln.quantity for ln in session.cart.lines] == [1, 1]
    assert session.due() == eur(2 * 958)


async def test_a_labelled_line_cannot_be_stepped_up_but_can_be_taken_off(
    session: SaleSession,
) -> None:
    changes: list[int] = []
    session.watch(lambda: changes.append(len(session.cart.lines)))
    await session.scan(WEIGHT_CODE)
    assert changes == [1]
    with pytest.raises(CartError, match="one at a time: scan the next label"):
        session.step_quantity(0, +1)
    assert session.cart.lines[0].quantity == 1
    session.step_quantity(0, -1)
    assert session.cart.is_empty


async def test_a_misread_label_adds_nothing(session: SaleSession) -> None:
    wrong = ean13("20" + "12345" + str((price_check_digit("0345") + 1) % 10) + "0345")
    with pytest.raises(BadScan, match="scan it again"):
        await session.scan(wrong)
    assert session.cart.is_empty


async def test_no_label_is_added_once_a_payment_is_taken(session: SaleSession) -> None:
    await session.scan("MUG-1")
    session.add_cash(eur(500))
    with pytest.raises(CartError, match="a payment has been taken"):
        await session.scan(WEIGHT_CODE)
    assert len(session.cart.lines) == 1


async def test_a_sale_of_labels_is_committed_printed_and_uploaded_with_them(
    session: SaleSession, db: Database
) -> None:
    assert (await session.scan(PRICE_CODE)).added
    assert (await session.scan(WEIGHT_CODE)).added
    await session.scan("MUG-1")
    session.set_line_discount(1, Discount.percent(10))  # 9.58 -> 0.96 off: 8.62
    assert session.cart.lines[1].unit_price == eur(958)
    total = 345 + 862 + 850
    assert session.due() == eur(total)
    session.add_cash(eur(2100))
    done = await session.complete()

    stored = await orders.get_order(db, done.order.id)
    assert stored is not None
    order = stored.order
    assert [(ln.name, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("Quiche", 1, eur(345)),
        ("Ham, 0.532 kg", 1, eur(958)),
        ("Blue mug", 1, eur(850)),
    ]
    # 19% backed out of each line: 345 -> 55.08, 862 -> 137.63, 850 -> 135.71
    assert [(ln.total, ln.total_tax) for ln in order.lines] == [
        (eur(290), eur(55)),
        (eur(724), eur(138)),
        (eur(714), eur(136)),
    ]
    ham = order.lines[1]
    assert (ham.subtotal, ham.subtotal_tax, ham.discount) == (eur(805), eur(153), eur(81))
    assert (order.total, order.tax_total) == (eur(total), eur(55 + 138 + 136))
    assert done.change == eur(2100 - total)

    assert "1 x Ham, 0.532 kg" in done.receipt.text()
    items = order_payload(order)["line_items"]
    assert [(i["name"], i["quantity"], i["total"]) for i in items] == [
        ("Quiche", 1, "2.90"),
        ("Ham, 0.532 kg", 1, "7.24"),
        ("Blue mug", 1, "7.14"),
    ]
    assert session.cart.is_empty  # the next sale has started


async def test_a_parked_sale_resumes_with_its_labels_prices(
    session: SaleSession, db: Database
) -> None:
    await session.scan(WEIGHT_CODE)
    await session.scan(PRICE_CODE)
    parked = await session.park()
    assert parked.total == eur(958 + 345)
    # The ham costs more by the time the sale is resumed: the label's price still stands.
    await catalog.upsert_products(db, [simple("16", "Ham", price=2400, sku="54321")])
    assert await session.resume(parked.id) == []
    assert [(ln.unit_price, ln.weight_g) for ln in session.cart.lines] == [
        (eur(958), 532),
        (eur(345), None),
    ]
    assert session.due() == eur(958 + 345)
