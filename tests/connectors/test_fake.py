"""FakeConnector: the in-memory store the engine's tests drive, and its failure knobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.connectors.base import Connector
from kiosk.connectors.errors import (
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    Rejected,
    StoreUnreachable,
)
from kiosk.connectors.fake import FakeConnector
from kiosk.core.cart import Cart
from kiosk.core.models import (
    Customer,
    Order,
    PaymentMethod,
    Product,
    ProductKind,
    ShopSettings,
    StockStatus,
)
from kiosk.core.money import Money
from kiosk.core.tender import Tender

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def catalog() -> list[Product]:
    return [
        Product(
            "1",
            ProductKind.SIMPLE,
            "Tea",
            eur(250),
            manage_stock=True,
            stock_quantity=5,
            modified_at=T0,
        ),
        Product("2", ProductKind.VARIABLE, "Tee", None, modified_at=T0 + timedelta(hours=2)),
        Product("3", ProductKind.VARIATION, "Tee S", eur(1500), parent_id="2"),
        Product("4", ProductKind.VARIATION, "Tee M", eur(1500), parent_id="2"),
        Product("5", ProductKind.SIMPLE, "Draft", eur(100), status="draft"),
        Product("6", ProductKind.SIMPLE, "Cake", eur(300), modified_at=T0),
    ]


def fake() -> FakeConnector:
    f = FakeConnector(settings=ShopSettings(currency="EUR"), page_size=2)
    f.add_products(catalog())
    return f


def sale(f: FakeConnector, *items: tuple[str, int]) -> Order:
    cart = Cart(f.settings, [])
    for pid, qty in items:
        cart.add(f.products_by_id[pid], qty)
    return cart.checkout([Tender(PaymentMethod.CASH, cart.totals().total)], now=T0)


def test_is_a_connector() -> None:
    c: Connector = fake()  # mypy checks the Protocol
    assert c.platform == "fake"


async def test_products_page_with_cursors_and_families() -> None:
    f = fake()
    batches = [b async for b in f.products()]
    assert [[p.id for p in b.items] for b in batches] == [["1", "2", "3", "4"], ["6"]]
    assert [b.cursor for b in batches] == ["2", None]
    resumed = [b async for b in f.products(resume="2")]
    assert [[p.id for p in b.items] for b in resumed] == [["6"]]
    since = [p.id async for b in f.products(since=T0 + timedelta(hours=1)) for p in b.items]
    assert since == ["2", "3", "4"]
    assert await f.product_ids() == {"1", "2", "6"}
    assert [p.id for p in (await f.fetch_products(["2", "99"])).items] == ["2", "3", "4"]


async def test_customers_since() -> None:
    f = fake()
    f.customers_list = [Customer("1", modified_at=T0), Customer("2", modified_at=T0 + timedelta(1))]
    got = [c.id async for b in f.customers(since=T0 + timedelta(hours=1)) for c in b.items]
    assert got == ["2"]


async def test_create_order_takes_stock_and_find_order_finds_it() -> None:
    f = fake()
    order = sale(f, ("1", 2), ("3", 1))
    remote = await f.create_order(order)
    assert remote.order_id == order.id
    assert remote.total == order.total
    assert remote.stock[0].quantity == 3
    assert remote.stock[0].product_id == "1"
    assert (await f.stock_levels(["1"]))[0].quantity == 3
    assert await f.find_order(order, attempted_at=T0) == remote.__class__(
        remote.remote_id, order.id, remote.number, "completed", order.total
    )


async def test_outcome_unknown_after_commit_then_lookup() -> None:
    f = fake()
    order = sale(f, ("1", 5))
    f.fail("create_order", OutcomeUnknown("connection lost"), commit=True)
    with pytest.raises(OutcomeUnknown):
        await f.create_order(order)
    found = await f.find_order(order, attempted_at=T0)
    assert found is not None
    assert found.order_id == order.id
    assert f.products_by_id["1"].stock_status is StockStatus.OUT_OF_STOCK
    assert len(f.created) == 1


async def test_failures_without_commit_write_nothing() -> None:
    f = fake()
    order = sale(f, ("1", 1))
    f.fail("create_order", RateLimited("slow down", retry_after=3))
    f.fail("products", StoreUnreachable("offline"))
    with pytest.raises(RateLimited) as caught:
        await f.create_order(order)
    assert caught.value.retry_after == 3
    assert await f.find_order(order, attempted_at=T0) is None
    with pytest.raises(StoreUnreachable):
        [b async for b in f.products()]
    assert [b async for b in f.products()]  # the fault was used up
    await f.create_order(order)
    assert f.calls.count("create_order") == 2
    assert len(f.created) == 1


async def test_rejects_unknown_products_and_read_only_keys() -> None:
    f = fake()
    order = sale(f, ("1", 1))
    del f.products_by_id["1"]
    with pytest.raises(Rejected, match="Invalid product ID 1") as caught:
        await f.create_order(order)
    assert caught.value.status == 400
    f.can_write = False
    with pytest.raises(PermissionDenied):
        await f.create_order(order)
    assert not f.created
    info = await f.check()
    assert info.can_write is False
    assert info.currency == "EUR"


def test_fail_names_a_real_method() -> None:
    with pytest.raises(AttributeError, match="create_ordr"):
        fake().fail("create_ordr", RateLimited("x"))
