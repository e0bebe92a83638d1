"""Web orders on the till: stored once as already in the store (no upload, no stock taken),
found again offline by the web shop's number, and every refusal in words."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.connectors.errors import StoreUnreachable
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.core.web_orders import WEB_NUMBER, WEB_PAYMENT, WEB_REMOTE_ID, web_order_id
from kiosk.counter.web_orders import NO_STORE, bring_web_order
from kiosk.store import catalog, orders, outbox, refunds, web_orders
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from tests.store.factory import T0, Sold, make_order, simple


def _web(number: str = "1001", remote: str = "77") -> Order:
    order = make_order([Sold("p1", 3, 1000)], method=PaymentMethod.OTHER)
    return dataclasses.replace(
        order,
        id=web_order_id("fake", remote),
        number=number,
        meta={WEB_REMOTE_ID: remote, WEB_NUMBER: number, WEB_PAYMENT: "PayPal"},
    )


async def test_stored_once_as_already_uploaded_and_no_stock_moves(db: Database) -> None:
    await catalog.upsert_products(db, [simple("p1", "Mug", manage_stock=True, stock_quantity=9)])
    store = FakeConnector()
    store.web_orders["1001"] = _web()
    first = await bring_web_order(db, store.online_order, "#1001")
    assert (first.state, first.remote_id) == (OutboxState.SYNCED, "77")
    again = await bring_web_order(db, store.online_order, "1001")
    assert again.order == first.order
    assert store.calls.count("online_order") == 1  # the second was found on the till, offline
    assert await outbox.claim_due(db, T0, 10) == []  # never uploaded as a sale
    product = await catalog.get_product(db, "p1")
    assert product is not None
    assert product.stock_quantity == 9
    assert await web_orders.find_imported(db, "1001") == first


async def test_a_number_a_till_sale_has_already_is_kept_apart(db: Database) -> None:
    sale = make_order([Sold("p1", 1, 500)])
    sold = await orders.commit_sale(db, sale, prefix="")
    web = _web(number=sold.number, remote="78")
    stored = await web_orders.import_web_order(db, web)
    assert stored.order.number == f"web {sold.number}"
    found = await web_orders.find_imported(db, sold.number)
    assert found is not None
    assert found.order.id == web.id


async def test_refusals_in_words(db: Database) -> None:
    with pytest.raises(RefundError, match=NO_STORE):
        await bring_web_order(db, None, "1001")
    with pytest.raises(RefundError, match="type the web order's number first"):
        await bring_web_order(db, None, " # ")
    store = FakeConnector()
    with pytest.raises(RefundError, match="the web shop has no paid order number 5"):
        await bring_web_order(db, store.online_order, "5")
    store.fail("online_order", StoreUnreachable("the store did not answer"))
    with pytest.raises(RefundError, match="could not be asked for order 5: the store did not"):
        await bring_web_order(db, store.online_order, "5")
    with pytest.raises(ValueError, match="is no web order"):
        await web_orders.import_web_order(db, make_order([Sold("p1", 1, 500)]))


async def test_a_web_order_paid_online_refunds_in_cash_only(db: Database) -> None:
    stored = await web_orders.import_web_order(db, _web())
    with pytest.raises(RefundError, match=r"web order 1001 was paid online \(PayPal\)"):
        await refunds.make_refund(db, stored.order.id, PaymentMethod.CARD, now=T0, lines={1: 1})
    made = await refunds.make_refund(db, stored.order.id, PaymentMethod.CASH, now=T0, lines={1: 1})
    assert made.order_remote_id == "77"  # due to upload at once: its order is in the store
    assert [r.refund_id for r in await refunds.claim_due(db, T0, 10)] == [made.refund_id]
