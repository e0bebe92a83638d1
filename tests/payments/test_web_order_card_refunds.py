"""A web order's card refund at the Stripe simulator: back on the PaymentIntent when the web shop
took it on the till's own Stripe account, exactly once; refused in Stripe's words and parked
(never retried, never half-made) when the PaymentIntent is another account's."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import stripe

from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.web_orders import WEB_NUMBER, WEB_PAYMENT, WEB_REMOTE_ID, web_order_id
from kiosk.payments.stripe_refunds import StripeCardRefunds
from kiosk.sim.stripe import StripeSimHandle
from kiosk.store import refunds, web_orders
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.push import Pusher
from tests.sim.stripe.conftest import present, start_sale
from tests.store.factory import T0, Sold, make_order, simple

CARD = PaymentMethod.CARD


def _web_order(intent: str, remote: str) -> Order:
    """A web shop order paid through the shop's Stripe checkout: `intent` took the money."""
    order = make_order([Sold("p1", quantity=2, unit=1250)], method=CARD)
    payment = dataclasses.replace(order.payments[0], reference=intent)
    return dataclasses.replace(
        order,
        id=web_order_id("fake", remote),
        number=f"W{remote}",
        payments=(payment,),
        meta={WEB_REMOTE_ID: remote, WEB_NUMBER: f"W{remote}", WEB_PAYMENT: "Stripe"},
    )


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    database = await Database.open(tmp_path / "kiosk.db")
    yield database
    await database.close()


async def test_back_on_the_same_accounts_payment_intent_once(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str, db: Database
) -> None:
    total = _web_order("pi_x", "1").total.minor
    # The web shop's Stripe checkout on the same account: a captured PaymentIntent.
    intent, _ = await start_sale(client, reader_id, amount=total, currency="eur")
    await present(client, reader_id, "4242424242424242")
    await client.v1.payment_intents.capture_async(intent.id)
    store = FakeConnector()
    store.add_products([simple("p1", "Mug")])
    placed = await store.create_order(_web_order(intent.id, "0"))  # the shop's own copy
    stored = await web_orders.import_web_order(db, _web_order(intent.id, placed.remote_id))
    made = await refunds.make_refund(
        db, stored.order.id, CARD, now=T0 + timedelta(minutes=1), lines={1: 1}
    )
    pusher = Pusher(db, store, clock=lambda: T0 + timedelta(minutes=2))
    pusher.refunds.card = StripeCardRefunds(client)
    report = await pusher.drain()
    assert report.synced == 0  # the web order itself is never uploaded
    assert (report.refunds.card_refunded, report.refunds.synced) == (1, 1)
    (re_id,) = sim.state.refunds
    kept = sim.state.refunds[re_id]
    assert (kept["payment_intent"], kept["amount"]) == (intent.id, made.refund.amount.minor)
    assert [r.refund_id for r in store.refunds_created] == [made.refund_id]
    assert [o.order.id for o in store.created] == [_web_order("", "0").id]  # only the shop's
    await pusher.drain()
    assert len(sim.state.refunds) == 1
    assert len(store.refunds_created) == 1


async def test_another_accounts_payment_intent_is_refused_in_words(
    sim: StripeSimHandle, client: stripe.StripeClient, db: Database
) -> None:
    stored = await web_orders.import_web_order(db, _web_order("pi_3OtherAccount", "2"))
    made = await refunds.make_refund(
        db, stored.order.id, CARD, now=T0 + timedelta(minutes=1), lines={1: 1}
    )
    store = FakeConnector()
    pusher = Pusher(db, store, clock=lambda: T0 + timedelta(minutes=2), rng=random.Random(1))
    pusher.refunds.card = StripeCardRefunds(client)
    report = await pusher.drain()
    assert report.refunds.failed == 1
    parked = await refunds.get_refund(db, made.refund_id)
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert "No such payment_intent: 'pi_3OtherAccount'" in parked.last_error
    assert sim.state.refunds == {}
    assert store.refunds_created == []  # the store is not told of money that never went back
