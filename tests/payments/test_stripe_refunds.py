"""Card refunds at the Stripe simulator through the real `stripe` library, each exactly once.

The `sim` fixture (tests/sim/stripe) checks every request and answer against Stripe's OpenAPI
description at teardown.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import stripe

from kiosk.connectors.errors import OutcomeUnknown
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import Order, PaymentMethod
from kiosk.payments.refunds import CardRefundFailed
from kiosk.payments.stripe_refunds import StripeCardRefunds, idempotency_key
from kiosk.sim.stripe import StripeSimHandle
from kiosk.store import orders, refunds
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.push import Pusher
from tests.sim.stripe.conftest import present, start_sale
from tests.store.factory import T0, Sold, make_order, simple

CARD = PaymentMethod.CARD


async def _card_order(client: stripe.StripeClient, reader_id: str) -> Order:
    """A card sale paid through a captured PaymentIntent of its total."""
    order = make_order([Sold("p1", quantity=3, unit=999), Sold("p2")], method=CARD)
    intent, _ = await start_sale(
        client, reader_id, amount=order.total.minor, currency="eur",
        metadata={"order_id": order.id},
    )  # fmt: skip
    await present(client, reader_id, "4242424242424242")
    await client.v1.payment_intents.capture_async(intent.id)
    payment = dataclasses.replace(order.payments[0], reference=intent.id)
    return dataclasses.replace(order, payments=(payment,))


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    database = await Database.open(tmp_path / "kiosk.db")
    yield database
    await database.close()


async def _refund(db: Database, order: Order, **kw: Any) -> refunds.StoredRefund:
    await orders.commit_sale(db, order, prefix="C-")
    return await refunds.make_refund(db, order.id, CARD, now=T0 + timedelta(minutes=1), **kw)


async def test_a_lost_answer_is_found_by_the_refund_uuid_and_not_made_twice(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str, db: Database
) -> None:
    order = await _card_order(client, reader_id)
    made = await _refund(db, order, lines={1: 2})
    cards = StripeCardRefunds(client)
    sim.faults.add("drop_after_commit", method="POST", path="refunds")
    re_id = await cards.refund(made.refund, made.card_intent, look_first=False)
    assert list(sim.state.refunds) == [re_id]
    kept = sim.state.refunds[re_id]
    assert kept["amount"] == made.refund.amount.minor
    assert kept["metadata"]["refund_id"] == made.refund_id
    assert kept["payment_intent"] == made.card_intent
    # A later attempt (the process died before keeping the id) finds it again, makes nothing.
    again = await cards.refund(made.refund, made.card_intent, look_first=True)
    assert again == re_id
    assert list(sim.state.refunds) == [re_id]
    posts = [r for r in sim.requests if r.method == "POST" and r.path == "/v1/refunds"]
    assert len(posts) == 1
    assert idempotency_key(made.refund) == f"{made.refund_id}:card-refund"


async def test_more_than_the_card_has_left_is_refused_in_words(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str, db: Database
) -> None:
    order = await _card_order(client, reader_id)
    made = await _refund(db, order)
    # Someone refunded part of it at Stripe's dashboard meanwhile.
    await client.v1.refunds.create_async({"payment_intent": made.card_intent, "amount": 100})
    with pytest.raises(CardRefundFailed, match="Stripe refused the card refund") as err:
        await StripeCardRefunds(client).refund(made.refund, made.card_intent, look_first=False)
    assert not err.value.retryable
    assert "greater than unrefunded amount" in str(err.value)


async def test_a_card_refund_goes_back_once_then_to_the_store_once(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str, db: Database
) -> None:
    order = await _card_order(client, reader_id)
    store = FakeConnector()
    store.add_products([simple("p1", "Mug"), simple("p2", "Jug")])
    made = await _refund(db, order, lines={1: 1, 2: 1})
    now = [T0 + timedelta(minutes=2)]
    pusher = Pusher(db, store, clock=lambda: now[0], rng=random.Random(3))
    pusher.refunds.card = StripeCardRefunds(client)
    sim.faults.add("drop_after_commit", method="POST", path="refunds")
    store.fail("create_refund", OutcomeUnknown("the answer was lost"), commit=True)
    report = await pusher.drain()
    assert report.synced == 1
    assert (report.refunds.card_refunded, report.refunds.synced) == (1, 1)
    (re_id,) = sim.state.refunds
    assert sim.state.refunds[re_id]["amount"] == made.refund.amount.minor
    assert [r.refund_id for r in store.refunds_created] == [made.refund_id]
    done = await refunds.get_refund(db, made.refund_id)
    assert done is not None
    assert (done.state, done.refund.reference) == (OutboxState.SYNCED, re_id)
    # Nothing more goes anywhere on later passes.
    now[0] += timedelta(hours=1)
    await pusher.drain()
    assert len(sim.state.refunds) == 1
    assert len(store.refunds_created) == 1
