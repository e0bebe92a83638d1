"""Sales and refunds reach the simulated shop through orderCreate and refundCreate, exactly once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import aiohttp
import pytest

from kiosk.checkout import Checkout
from kiosk.connectors.errors import OutcomeUnknown, Rejected
from kiosk.connectors.shopify import orders as shopify_orders
from kiosk.connectors.shopify import refunds as shopify_refunds
from kiosk.core.models import Order, PaymentMethod, TaxRate
from kiosk.core.money import Money
from kiosk.core.refunds import Refund, RefundLine
from kiosk.core.tender import Tender
from kiosk.sim.shopify import LOCATION
from kiosk.sim.shopify.state import Obj
from kiosk.store import catalog, orders
from kiosk.store.outbox import OutboxState
from tests.connectors.shopify.conftest import Shop
from tests.connectors.shopify.schema_check import problems, shape_problems


def _tracked_simple(shop: Shop, n: int = 1) -> list[Obj]:
    """Simple, sold, tracked variants with a SKU and stock to spare."""
    state = shop.sim.state
    found = []
    for p in state.products.values():
        if p["status"] != "ACTIVE" or not p["hasOnlyDefaultVariant"]:
            continue
        v = state.variants[p["_variants"][0]]
        if v["sku"] and state.items[v["_item"]]["tracked"]:
            found.append(v)
    return found[:n]


def _variation(shop: Shop) -> Obj:
    state = shop.sim.state
    for p in state.products.values():
        if p["status"] == "ACTIVE" and not p["hasOnlyDefaultVariant"]:
            v = state.variants[p["_variants"][0]]
            if v["sku"]:
                return v
    raise AssertionError("the generated shop has no variable product")


def _available(shop: Shop, variant: Obj) -> int:
    item = shop.sim.state.items[variant["_item"]]
    return int(item["_levels"][LOCATION]["available"])


async def _sell(shop: Shop, *skus: str, card: str = "") -> Order:
    checkout = Checkout(shop.db, order_prefix="K1-")
    cart = await checkout.start()
    for sku in skus:
        await checkout.add_code(cart, sku)
    due = cart.totals().total
    tender = Tender(PaymentMethod.CARD, due) if card else Tender(PaymentMethod.CASH, due)
    order = await checkout.complete(cart, [tender])
    if card:  # as the card flow records it: the PaymentIntent on the payment
        paid = replace(order.payments[0], reference=card, card_brand="visa", card_last4="4242")
        order = replace(order, payments=(paid,))
    return order


def _by_uuid(shop: Shop) -> dict[str, list[Obj]]:
    found: dict[str, list[Obj]] = {}
    for o in shop.sim.state.orders.values():
        found.setdefault(o["sourceIdentifier"], []).append(o)
    return found


def test_the_order_documents_are_valid_in_the_pinned_schema() -> None:
    for name, doc in {**shopify_orders.DOCUMENTS, **shopify_refunds.DOCUMENTS}.items():
        assert problems(doc) == [], name


async def test_a_sale_becomes_one_paid_order_and_shopify_takes_the_stock(shop: Shop) -> None:
    await shop.engine.run_once()
    simple, variation = _tracked_simple(shop)[0], _variation(shop)
    before = _available(shop, simple)
    order = await _sell(shop, simple["sku"], simple["sku"], variation["sku"])
    report = await shop.engine.run_once()
    assert report.push.synced == 1
    [theirs] = _by_uuid(shop)[order.id]
    assert Decimal(theirs["totalPriceSet"]["shopMoney"]["amount"]) == order.total.to_decimal()
    assert theirs["displayFinancialStatus"] == "PAID"
    assert theirs["processedAt"] == order.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [t["gateway"] for t in theirs["transactions"]] == ["cash"]
    assert [li["_variant"] for li in theirs["_lines"]] == [simple["id"], variation["id"]]
    assert [li["quantity"] for li in theirs["_lines"]] == [2, 1]
    # Shopify decremented its own stock; the device adopted Shopify's number, never set it.
    assert _available(shop, simple) == before - 2
    local = await catalog.get_product(shop.db, simple["_product"])
    assert local is not None
    assert local.stock_quantity == before - 2
    stored = await orders.get_order(shop.db, order.id)
    assert stored is not None
    assert (stored.state, stored.remote_id) == (OutboxState.SYNCED, theirs["id"])
    # Every document sent validates, and every answer has the schema's shape.
    for doc, variables, data in shop.calls:
        assert problems(doc) == [], doc
        assert shape_problems(doc, variables, data) == [], doc


async def test_a_card_sale_carries_the_payment_intent(shop: Shop) -> None:
    await shop.engine.run_once()
    simple = _tracked_simple(shop)[0]
    order = await _sell(shop, simple["sku"], card="pi_3Kiosk123")
    remote = await shop.connector.create_order(order)
    theirs = shop.sim.state.orders[remote.remote_id]
    [sale] = theirs["transactions"]
    assert (sale["gateway"], sale["authorizationCode"]) == ("stripe", "pi_3Kiosk123")
    assert '"card_last4": "4242"' in sale["receiptJson"]


async def test_a_lost_answer_after_commit_yields_exactly_one_order(shop: Shop) -> None:
    await shop.engine.run_once()
    order = await _sell(shop, _tracked_simple(shop)[0]["sku"])
    shop.sim.faults.add("drop_after_commit", match="orderCreate")
    with pytest.raises(OutcomeUnknown):
        await shop.connector.create_order(order)
    found = await shop.connector.find_order(order, attempted_at=order.created_at)
    assert found is not None
    assert len(_by_uuid(shop)[order.id]) == 1
    # And through the engine: the retry looks it up and does not send it again.
    order2 = await _sell(shop, _tracked_simple(shop)[0]["sku"])
    shop.sim.faults.add("drop_after_commit", match="orderCreate")
    report = await shop.engine.run_once()
    assert report.push.synced >= 1
    assert len(_by_uuid(shop)[order2.id]) == 1


async def test_not_found_right_after_sending_is_no_proof(shop: Shop) -> None:
    await shop.engine.run_once()
    order = await _sell(shop, _tracked_simple(shop)[0]["sku"])
    shop.sim.faults.add("drop", match="orderCreate")  # lost before Shopify saw it
    clock = [100.0]
    shop.connector._monotonic = lambda: clock[0]
    with pytest.raises(OutcomeUnknown):
        await shop.connector.create_order(order)
    with pytest.raises(OutcomeUnknown, match="not found yet"):
        await shop.connector.find_order(order, attempted_at=order.created_at)
    clock[0] += shop.connector.search_lag + 1
    assert await shop.connector.find_order(order, attempted_at=order.created_at) is None
    assert order.id not in _by_uuid(shop)


async def test_a_refused_order_is_parked_with_shopifys_words(shop: Shop) -> None:
    await shop.engine.run_once()
    first, doomed_v, third = _tracked_simple(shop, 3)
    a = await _sell(shop, first["sku"])
    doomed = await _sell(shop, doomed_v["sku"])
    c = await _sell(shop, third["sku"])
    shop.sim.state.delete_product(doomed_v["_product"])
    report = await shop.engine.run_once()
    assert (report.push.synced, report.push.failed) == (2, 1)
    parked = await orders.get_order(shop.db, doomed.id)
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert "deleted" in parked.last_error or "does not exist" in parked.last_error
    assert set(_by_uuid(shop)) == {a.id, c.id}


async def test_shopify_user_errors_become_rejected_in_words(shop: Shop) -> None:
    await shop.engine.run_once()
    simple = _tracked_simple(shop)[0]
    order = await _sell(shop, simple["sku"])
    # Resolved to a variant, then deleted before the upload: Shopify's own userErrors answer.
    await shop.connector._variants([simple["_product"]])
    shop.sim.state.delete_product(simple["_product"])
    with pytest.raises(Rejected, match=r"Shopify refused the order: Variant .* does not exist"):
        await shop.connector.create_order(order)


async def test_taxes_as_the_device_computed_them_give_shopifys_total(shop: Shop) -> None:
    await shop.engine.run_once()
    await catalog.replace_tax_rates(shop.db, [TaxRate("gb-std", Decimal("20.0000"), "VAT")])
    simple = _tracked_simple(shop)[0]
    order = await _sell(shop, simple["sku"], simple["sku"])
    assert order.tax_total.minor > 0
    remote = await shop.connector.create_order(order)
    assert remote.total == order.total
    theirs = shop.sim.state.orders[remote.remote_id]
    [tax] = theirs["_lines"][0]["taxLines"]
    assert (tax["title"], Decimal(tax["rate"])) == ("VAT", Decimal("0.2"))
    assert Decimal(theirs["totalTaxSet"]["shopMoney"]["amount"]) == order.tax_total.to_decimal()


async def test_a_refund_is_recorded_once_and_restocks(shop: Shop) -> None:
    await shop.engine.run_once()
    simple = _tracked_simple(shop)[0]
    order = await _sell(shop, simple["sku"], simple["sku"])
    remote = await shop.connector.create_order(order)
    before = _available(shop, simple)
    line = order.lines[0]
    unit = Money(line.total.minor // line.quantity, order.currency)
    unit_tax = Money(line.total_tax.minor // line.quantity, order.currency)
    refund = Refund(
        id="8f0e3c1e-2b7a-4c52-9d7e-1f0b6a3c9d21",
        order_id=order.id,
        created_at=order.created_at,
        currency=order.currency,
        lines=(
            RefundLine(
                line.line_no, line.product_id, None, line.sku, 1, unit, unit_tax, line.taxes
            ),
        ),
        amount=unit + unit_tax,
        method=PaymentMethod.CASH,
        restock=True,
        reason="damaged",
    )
    assert await shop.connector.find_refund(refund, order_remote_id=remote.remote_id) is None
    made = await shop.connector.create_refund(refund, order_remote_id=remote.remote_id)
    assert made.amount == refund.amount
    # A retry (the answer was lost) comes back with the same refund: the key made it one.
    again = await shop.connector.create_refund(refund, order_remote_id=remote.remote_id)
    assert again.remote_id == made.remote_id
    theirs = shop.sim.state.orders[remote.remote_id]
    assert len(theirs["_refunds"]) == 1
    assert _available(shop, simple) == before + 1
    [money] = theirs["_refunds"][0]["_transactions"]
    assert (money["kind"], money["gateway"]) == ("REFUND", "cash")
    found = await shop.connector.find_refund(refund, order_remote_id=remote.remote_id)
    assert found is not None
    assert found.remote_id == made.remote_id
    # More than what is left to refund: Shopify's refusal, in words.
    bigger = replace(refund, id="9a1b2c3d-0000-4000-8000-000000000001", amount=order.total * 2)
    with pytest.raises(Rejected, match="greater than net payment"):
        await shop.connector.create_refund(bigger, order_remote_id=remote.remote_id)


async def test_the_simulator_refuses_refund_create_without_a_key(shop: Shop) -> None:
    await shop.engine.run_once()
    doc = shopify_refunds.create_document("k").replace(' @idempotent(key: "k")', "")
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            shop.sim.graphql_url,
            json={"query": doc, "variables": {"input": {"orderId": "gid://shopify/Order/1"}}},
            headers={"X-Shopify-Access-Token": shop.sim.token},
        ) as resp,
    ):
        answer = await resp.json()
    assert "@idempotent" in answer["errors"][0]["message"]
    # And orderCreate takes no key: Shopify does not document one for it.
    keyed = shopify_orders.CREATE.replace(
        "orderCreate(order: $order, options: $options)",
        'orderCreate(order: $order, options: $options) @idempotent(key: "x")',
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            shop.sim.graphql_url,
            json={
                "query": keyed,
                "variables": {"order": {"lineItems": []}, "location": LOCATION, "lines": 1},
            },
            headers={"X-Shopify-Access-Token": shop.sim.token},
        ) as resp,
    ):
        answer = await resp.json()
    assert "not supported" in answer["errors"][0]["message"]
    assert not shop.sim.state.orders
