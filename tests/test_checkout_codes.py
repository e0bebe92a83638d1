"""Checkout.lookup / lookup_scan / add_code: what a scan sells, on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kiosk.checkout import BadScan, Checkout, ScanResult, UnknownCode
from kiosk.core.barcodes import VariableLayout, check_digit, price_check_digit
from kiosk.core.cart import CartError
from kiosk.core.models import Product, ProductKind, ShopSettings
from kiosk.core.money import Money
from kiosk.store import catalog
from kiosk.store.db import Database

SHOP = ShopSettings(currency="GBP", country="GB", locale="en_GB")


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


def product(pid: str, name: str, price: int, *, sku: str = "", barcode: str = "") -> Product:
    kind = ProductKind.SIMPLE
    return Product(id=pid, kind=kind, name=name, price=gbp(price), sku=sku, barcode=barcode)


CHEESE = product("1", "Cheddar (by the piece)", 1299, barcode="2012345000001")  # zeroed code
HAM = product("2", "Ham (per kg)", 1800, sku="54321")  # item code alone, as SKU
APPLES = product("3", "Apples (per kg)", 250, barcode="77777")  # item code alone, as barcode
COLA = product("4", "Cola can", 90, barcode="04963406")  # UPC-E
LABEL = product("5", "Own label jam", 300, barcode="2000000001012")  # a fixed in-store EAN
BAGS = product("6", "Carrier bag", 10, sku="12345678")  # numeric SKU, not a valid EAN-8


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kiosk.db")
    try:
        await catalog.save_shop_settings(database, SHOP)
        await catalog.upsert_products(database, [CHEESE, HAM, APPLES, COLA, LABEL, BAGS])
        yield database
    finally:
        await database.close()


@pytest.fixture
def checkout(db: Database) -> Checkout:
    return Checkout(db, order_prefix="T-")


def ean13(body: str) -> str:
    return body + str(check_digit(body))


def price_code(prefix: str, item: str, pence: str) -> str:
    return ean13(prefix + item + str(price_check_digit(pence)) + pence)


async def test_upc_forms_find_the_same_product(checkout: Checkout) -> None:
    for code in ("04963406", "049000006346", "0049000006346", "00049000006346\n"):
        assert (await checkout.lookup_scan(code)).product.id == "4"
        assert await checkout.lookup_scan(code) == ScanResult(COLA)


async def test_a_misread_says_scan_again_and_is_an_unknown_code(checkout: Checkout) -> None:
    with pytest.raises(BadScan, match="did not read correctly: scan it again") as info:
        await checkout.lookup_scan("049000006347")
    assert isinstance(info.value, UnknownCode)  # callers that catch UnknownCode keep working
    assert info.value.code == "049000006347"
    with pytest.raises(BadScan):
        await checkout.lookup_scan("04963407")


async def test_a_well_read_code_nobody_has_is_unknown_not_misread(checkout: Checkout) -> None:
    with pytest.raises(UnknownCode) as info:
        await checkout.lookup_scan("5449000000996")
    assert not isinstance(info.value, BadScan)
    with pytest.raises(UnknownCode):
        await checkout.lookup_scan("  ")


async def test_an_exact_code_wins_over_check_digits_and_layouts(checkout: Checkout) -> None:
    assert (
        await checkout.lookup_scan("12345678")
    ).product.id == "6"  # numeric SKU, "bad" EAN-8 check
    # 20... is a price prefix by default, but the store holds this exact code: catalog price.
    assert await checkout.lookup_scan("2000000001012") == ScanResult(LABEL)


async def test_price_code_finds_the_item_by_its_zeroed_barcode(checkout: Checkout) -> None:
    code = price_code("20", "12345", "0345")
    assert code == "2012345303454"
    assert await checkout.lookup_scan(code) == ScanResult(CHEESE, price=gbp(345))


async def test_weight_code_finds_the_item_by_its_item_code(checkout: Checkout) -> None:
    assert await checkout.lookup_scan(ean13("25" + "54321" + "01234")) == ScanResult(
        HAM, weight_g=1234
    )
    assert await checkout.lookup_scan(ean13("26" + "77777" + "00500")) == ScanResult(
        APPLES, weight_g=500
    )


async def test_a_wrong_price_check_digit_is_a_bad_scan(checkout: Checkout) -> None:
    code = ean13("20" + "12345" + "4" + "0345")  # the price's check digit is 3
    with pytest.raises(BadScan, match="scan it again"):
        await checkout.lookup_scan(code)


async def test_a_price_code_for_an_unknown_item_is_unknown(checkout: Checkout) -> None:
    with pytest.raises(UnknownCode) as info:
        await checkout.lookup_scan(price_code("21", "99999", "0100"))
    assert not isinstance(info.value, BadScan)


async def test_custom_layouts(db: Database) -> None:
    checkout = Checkout(
        db,
        order_prefix="T-",
        variable_layouts=(VariableLayout(prefixes=("29",), item_digits=4, value_digits=5),),
    )
    code = ean13("29" + "7777" + str(price_check_digit("01250")) + "01250")
    await catalog.upsert_products(db, [product("7", "Cake", 0, sku="7777")])
    found = await checkout.lookup_scan(code)
    assert (found.product.id, found.price, found.weight_g) == ("7", gbp(1250), None)
    # The default price layout no longer applies to this checkout.
    with pytest.raises(UnknownCode):
        await checkout.lookup_scan(price_code("20", "12345", "0345"))


async def test_add_code_sells_a_label_at_its_own_price_one_at_a_time(
    checkout: Checkout,
) -> None:
    cart = await checkout.start()
    code = price_code("20", "12345", "0345")
    with pytest.raises(CartError, match="sold by its label, one at a time"):
        await checkout.add_code(cart, code, 2)
    assert cart.is_empty
    await checkout.add_code(cart, code)
    assert [(ln.quantity, ln.price) for ln in cart.lines] == [(1, gbp(345))]
    assert (await checkout.add_code(cart, "049000006346", 2)).id == "4"
    assert [(ln.product.id, ln.quantity) for ln in cart.lines][-1] == ("4", 2)


async def test_an_unknown_item_with_a_bad_price_check_is_unknown_not_misread(
    checkout: Checkout,
) -> None:
    code = ean13("20" + "99998" + "0" + "0101")  # like a deleted in-store EAN: price check 1
    with pytest.raises(UnknownCode) as info:
        await checkout.lookup_scan(code)
    assert not isinstance(info.value, BadScan)
