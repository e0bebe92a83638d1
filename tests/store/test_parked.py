"""Parked carts: kept durably, listed newest first, taken back once, resumed from the catalog."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from kiosk.core.cart import Cart, CartError
from kiosk.core.cart_snapshot import restore
from kiosk.core.discount import Discount
from kiosk.core.models import PaymentMethod, ShopSettings, TaxRate
from kiosk.core.tender import Tender
from kiosk.store import catalog, orders, parked
from kiosk.store.db import Database
from kiosk.store.parked import ParkedCart
from tests.store.factory import T0, eur, simple, variable, variation

SHOP = ShopSettings(currency="EUR", country="DE", locale="de_DE")
RATES = (TaxRate("1", Decimal("19.0000"), "MwSt", country="DE"),)
MUG = simple("p1", "Blue mug", price=850)
TEE = variation("p2a", "p2", "Tee - M", price=1500)
CAP = simple("p3", "Cap", price=1200)


@pytest.fixture
async def shop(db: Database) -> Database:
    await catalog.upsert_products(db, [MUG, variable("p2", "Tee"), TEE, CAP])
    return db


def _cart(*lines: tuple[object, int]) -> Cart:
    cart = Cart(SHOP, RATES)
    for product, quantity in lines:
        cart.add(product, quantity)  # type: ignore[arg-type]
    return cart


async def test_park_list_take_and_resume(shop: Database) -> None:
    cart = _cart((MUG, 2), (TEE, 1))
    cart.set_line_discount(1, Discount.percent(10))
    cart.set_customer("c7")
    kept = await parked.park(shop, cart, label="  Lady in red  ", now=T0)
    assert kept == ParkedCart(cart.id, "Lady in red", T0, 3, cart.totals().total)
    assert await parked.list_parked(shop) == [kept]
    assert await parked.count(shop) == 1

    data = await parked.take(shop, cart.id)
    assert data is not None
    assert await parked.count(shop) == 0
    assert await parked.take(shop, cart.id) is None  # gone: nobody can resume it twice
    products = await parked.products_for(shop, data)
    assert set(products) == {"p1", "p2a"}
    back, notes = restore(data, SHOP, RATES, products)
    assert notes == []
    assert back.id == cart.id
    assert back.lines == cart.lines
    assert back.customer_id == "c7"


async def test_a_parked_cart_survives_a_restart(shop: Database) -> None:
    cart = _cart((CAP, 1))
    await parked.park(shop, cart, label="", now=T0)
    await shop.close()
    async with await Database.open(shop.path) as again:
        (kept,) = await parked.list_parked(again)
        assert kept.id == cart.id
        assert kept.total == cart.totals().total
        assert await parked.take(again, cart.id) is not None


async def test_newest_first_and_parking_again_replaces(shop: Database) -> None:
    first, second = _cart((MUG, 1)), _cart((CAP, 1))
    await parked.park(shop, first, label="first", now=T0)
    await parked.park(shop, second, label="second", now=T0 + timedelta(minutes=1))
    assert [p.label for p in await parked.list_parked(shop)] == ["second", "first"]
    first.add(CAP, 4)
    await parked.park(shop, first, label="first again", now=T0 + timedelta(minutes=2))
    listed = await parked.list_parked(shop)
    assert [(p.label, p.item_count) for p in listed] == [("first again", 5), ("second", 1)]


async def test_two_tills_cannot_take_the_same_cart(shop: Database) -> None:
    cart = _cart((MUG, 1))
    await parked.park(shop, cart, label="", now=T0)
    other = await Database.open(shop.path)  # the second till's own connection
    try:
        results = await asyncio.gather(parked.take(shop, cart.id), parked.take(other, cart.id))
    finally:
        await other.close()
    assert sorted(r is not None for r in results) == [False, True]


async def test_an_empty_cart_cannot_be_parked(shop: Database) -> None:
    with pytest.raises(CartError, match="the cart is empty"):
        await parked.park(shop, Cart(SHOP, RATES), label="x", now=T0)
    assert await parked.count(shop) == 0


async def test_a_paid_cart_is_never_parked_nor_resumed(shop: Database) -> None:
    cart = _cart((MUG, 1))
    await parked.park(shop, cart, label="", now=T0)
    order = cart.checkout([Tender(PaymentMethod.CASH, eur(1100))], now=T0)
    sold = await orders.commit_sale(shop, order, prefix="K-")
    with pytest.raises(CartError, match=f"already paid as order {sold.number}"):
        await parked.park(shop, cart, label="", now=T0)
    assert await parked.take(shop, cart.id) is None
    assert await parked.count(shop) == 0


async def test_products_for_reads_what_the_catalog_has_now(shop: Database) -> None:
    cart = _cart((MUG, 1), (CAP, 1))
    await parked.park(shop, cart, label="", now=T0)
    await catalog.delete_products(shop, ["p1"])
    await catalog.upsert_products(shop, [dataclasses.replace(CAP, price=eur(1300))])
    data = await parked.take(shop, cart.id)
    assert data is not None
    products = await parked.products_for(shop, data)
    assert list(products) == ["p3"]
    back, notes = restore(data, SHOP, RATES, products)
    assert notes == [
        "'Blue mug' is no longer for sale and was left out",
        "'Cap' now costs 13,00\xa0€ (was 12,00\xa0€)",
    ]
    assert [ln.product.id for ln in back.lines] == ["p3"]
    assert await parked.products_for(shop, {"lines": []}) == {}
