"""A web shop order, found at the till by its number, refunded in part in cash with a manager's
PIN: the refund reaches the store exactly once across a lost answer, the order itself is never
uploaded as a sale, takes no stock, and counts in no shift's sales. WooCommerce and Shopify."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from kiosk.checkout import utc_now
from kiosk.connectors.shopify.connector import ShopifyConnector
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money
from kiosk.core.refund_calc import RefundError
from kiosk.core.web_orders import WEB_REMOTE_ID, is_web_order, web_order_id
from kiosk.counter.returns_desk import ReturnsDesk
from kiosk.counter.web_orders import bring_web_order
from kiosk.shifts import close, shift
from kiosk.shifts.shift import Who
from kiosk.sim import shopify as shopify_sim
from kiosk.sim.shopify.orders import build_order
from kiosk.staff import accounts, overrides
from kiosk.staff.overrides import Action
from kiosk.store import catalog, refunds
from kiosk.store.outbox import OutboxState
from tests.staff.conftest import CHEAP
from tests.sync.platform_rigs import PLATFORMS, Rig, ShopifyRig, WooRig, device_rates, rig_for, sell

pytestmark = pytest.mark.parametrize("platform", PLATFORMS)


def _place_web_order(rig: Rig, sku: str, quantity: int) -> tuple[str, str]:
    """A shopper's paid web order of `quantity` of `sku`: (its number, the store's order id)."""
    if isinstance(rig, WooRig):
        pid = int(rig.product_id(sku))
        placed = rig.sim.admin.place_online_order([{"product_id": pid, "quantity": quantity}])
        return str(placed["number"]), str(placed["id"])
    assert isinstance(rig, ShopifyRig)
    state = rig.sim.state
    variant = next(v for v in state.variants.values() if v["sku"] == sku)
    currency = state.shop["currencyCode"]
    gross = Decimal(variant["price"]) * quantity
    tax = (gross * Decimal("0.2")).quantize(Decimal("0.01"))

    def bag(amount: Decimal) -> dict[str, Any]:
        return {"shopMoney": {"amount": str(amount), "currencyCode": currency}}

    spec = {
        "lineItems": [
            {
                "variantId": variant["id"],
                "quantity": quantity,
                "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": bag(tax)}],
            }
        ],
        "transactions": [
            {"kind": "SALE", "status": "SUCCESS", "gateway": "shopify_payments",
             "amountSet": bag(gross + tax)}
        ],
        "sourceName": "web",
    }  # fmt: skip
    state.order_seq += 1
    order = build_order(
        state, spec, number=state.order_seq, currency=currency, location=shopify_sim.LOCATION
    )
    state.orders[order["id"]] = order
    state.take_stock(variant["id"], quantity)  # the shop claimed it at checkout
    return str(order["name"]), str(order["id"])


def _taxed_sku(rig: Rig) -> str:
    """A tracked product with stock that the standard rate taxes (the demo has zero-rated ones)."""
    skus = rig.sellable_skus()
    if isinstance(rig, WooRig):
        products = rig.sim.state.products.values()
        standard = {p["sku"] for p in products if not p.get("tax_class")}
        skus = [s for s in skus if s in standard]
    return skus[0]


def _lose_next_refund_answer(rig: Rig, remote_id: str) -> None:
    if isinstance(rig, WooRig):
        rig.sim.faults.add("drop_after_commit", method="POST", path=f"orders/{remote_id}/refunds")
    else:
        rig.lose_next_refund_answer("")


def _store_refunds_of(rig: Rig, remote_id: str) -> list[Any]:
    if isinstance(rig, WooRig):
        return list(rig.sim.state.order_refunds.get(int(remote_id), []))
    assert isinstance(rig, ShopifyRig)
    return list(rig.sim.state.orders[remote_id]["_refunds"])


def _connector(rig: Rig) -> WooConnector | ShopifyConnector:
    connector = rig.engine.connector
    assert isinstance(connector, WooConnector | ShopifyConnector)
    return connector


async def test_a_web_order_is_found_refunded_once_in_cash_and_never_a_till_sale(
    platform: str, tmp_path: Any
) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await device_rates(rig)
        await rig.engine.run_once()
        settings = await catalog.load_shop_settings(rig.db)
        assert settings is not None
        await shift.open_shift(
            rig.db,
            float_=Money.zero(settings.currency),
            by=Who("Ann"),
            now=utc_now() - timedelta(hours=1),
        )
        sku = _taxed_sku(rig)
        till_sale = await sell(rig, sku)
        number, remote_id = _place_web_order(rig, sku, 3)
        await rig.engine.run_once()  # the till's sale goes up; the store's stock comes down
        orders_in_store = len(rig.store_uuids())
        product = await catalog.get_product(rig.db, rig.product_id(sku))
        assert product is not None
        stock_before = product.stock_quantity

        connector = _connector(rig)
        stored = await bring_web_order(rig.db, connector.online_order, number)
        order = stored.order
        assert is_web_order(order)
        assert order.id == web_order_id(platform, remote_id)
        assert (stored.state, stored.remote_id) == (OutboxState.SYNCED, remote_id)
        assert order.meta[WEB_REMOTE_ID] == remote_id
        assert [(li.sku, li.quantity) for li in order.lines] == [(sku, 3)]
        line = order.lines[0]
        assert sum(t.total.minor for t in line.taxes) == line.total_tax.minor > 0
        assert order.total.minor == line.total.minor + line.total_tax.minor
        again = await bring_web_order(rig.db, connector.online_order, number)
        assert again.order == order  # idempotent: the same order, stored once
        product = await catalog.get_product(rig.db, rig.product_id(sku))
        assert product is not None
        assert product.stock_quantity == stock_before  # the store took the stock, not the till

        # The web shop's payment is no card this till's reader can refund to: refused, in words.
        with pytest.raises(RefundError, match=r"paid online .*refund it in cash"):
            await refunds.make_refund(
                rig.db, order.id, PaymentMethod.CARD, now=utc_now(), skus={sku: 1}
            )

        # One of three back in cash, with a manager's PIN, at the returns desk.
        await accounts.add_staff(
            rig.db, name="Mia", role="manager", pin="4821", params=CHEAP, now=utc_now()
        )
        desk = ReturnsDesk(rig.db, now=utc_now, staff=lambda: "ann")
        draft = await desk.start(order.id)
        draft.step(draft.lines[0].line_no, 1)
        amount = await desk.amount(draft)
        assert desk.methods(draft, amount) == [PaymentMethod.CASH]
        approval = await overrides.approve(
            rig.db, Action.REFUND, manager="Mia", pin="4821", subject=draft.refund_id,
            now=utc_now(), params=CHEAP,
        )  # fmt: skip
        await desk.commit(draft, PaymentMethod.CASH, approval=approval)
        made = await refunds.get_refund(rig.db, draft.refund_id)
        assert made is not None
        assert made.refund.amount == amount

        _lose_next_refund_answer(rig, remote_id)
        report = await rig.engine.run_once()
        assert rig.faults_left() == 0  # the answer really was lost, after the store kept it
        assert report.push.refunds.synced == 1
        assert rig.store_refunds(made.refund_id) == [amount.to_decimal()]
        await rig.engine.run_once()  # nothing goes again
        assert len(_store_refunds_of(rig, remote_id)) == 1
        assert rig.store_refunds(made.refund_id) == [amount.to_decimal()]
        # The web order was never uploaded as a sale.
        assert len(rig.store_uuids()) == orders_in_store
        assert order.id not in rig.store_uuids()

        # The shift counts the till's sale and the cash that left the drawer, not the web order.
        x = await close.x_report(rig.db, now=utc_now() + timedelta(minutes=1))
        assert x.orders == 1
        assert x.gross == till_sale.total
        assert x.cash_sales == till_sale.total
        assert x.cash_refunds == amount
        assert x.expected_cash == till_sale.total - amount
