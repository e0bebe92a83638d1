"""The refund upload on the fake store and a fake card provider: once each, never in the way."""

from __future__ import annotations

import random

from kiosk.connectors.errors import OutcomeUnknown, Rejected, StoreUnreachable
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import PaymentMethod
from kiosk.core.tender import Tender
from kiosk.payments.refunds import CardRefundFailed, FakeCardRefunds
from kiosk.store import refunds
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.push import Pusher
from tests.sync.conftest import Clock, Till

CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD


def _pusher(db: Database, store: FakeConnector, clock: Clock) -> Pusher:
    return Pusher(db, store, clock=clock, rng=random.Random(1))


async def _card_sale(till: Till) -> str:
    cart = await till.checkout.start()
    await till.checkout.add_code(cart, till.codes[0])
    await till.checkout.add_code(cart, till.codes[1])
    total = cart.totals().total
    order = await till.checkout.complete(cart, [Tender(CARD, total, reference="pi_77")])
    return order.id


async def test_a_cash_refund_goes_up_once_after_its_order(
    db: Database, store: FakeConnector, till: Till, clock: Clock
) -> None:
    order = await till.sell(till.codes[0], till.codes[1])
    made = await refunds.make_refund(db, order.id, CASH, now=clock(), lines={1: 1})
    pusher = _pusher(db, store, clock)
    store.fail("create_order", StoreUnreachable("no route"))
    first = await pusher.drain()
    assert first.synced == 0
    assert store.refunds_created == []  # the order is not in the store: its refund waits
    clock.advance(600)
    second = await pusher.drain()
    assert (second.synced, second.refunds.synced) == (1, 1)
    assert [r.refund_id for r in store.refunds_created] == [made.refund_id]
    done = await refunds.get_refund(db, made.refund_id)
    assert done is not None
    assert done.state is OutboxState.SYNCED
    assert done.remote_id == store.refunds[made.refund_id].remote_id


async def test_a_lost_answer_is_looked_up_and_the_refund_made_once(
    db: Database, store: FakeConnector, till: Till, clock: Clock
) -> None:
    order = await till.sell()
    made = await refunds.make_refund(db, order.id, CASH, now=clock())
    pusher = _pusher(db, store, clock)
    store.fail("create_refund", OutcomeUnknown("answer lost"), commit=True)
    report = await pusher.drain()
    assert report.refunds.synced == 1
    assert len(store.refunds_created) == 1
    assert store.calls.count("find_refund") == 1
    # A crash mid-upload: the next start looks the refund up instead of sending it again.
    await db.write(
        lambda conn: conn.execute("UPDATE refund_outbox SET state = 'syncing'")
    )  # as if the process died after the store had it, before the device noted it
    await db.write(lambda conn: conn.execute("UPDATE refunds SET remote_id = NULL"))
    again = _pusher(db, store, clock)
    await again.refunds.recover()
    await again.drain()
    assert len(store.refunds_created) == 1
    stored = await refunds.get_refund(db, made.refund_id)
    assert stored is not None
    assert stored.state is OutboxState.SYNCED


async def test_a_refused_refund_is_parked_while_the_others_go_up(
    db: Database, store: FakeConnector, till: Till, clock: Clock
) -> None:
    orders = [await till.sell() for _ in range(3)]
    made = [await refunds.make_refund(db, o.id, CASH, now=clock()) for o in orders]
    pusher = _pusher(db, store, clock)
    await pusher.drain()  # orders first, refunds right after
    assert len(store.refunds_created) == 3
    later = await till.sell()
    bad = await refunds.make_refund(db, later.id, CASH, now=clock())
    ok = await refunds.make_refund(db, (await till.sell()).id, CASH, now=clock())
    store.fail("create_refund", Rejected("Invalid refund amount.", status=500))
    report = await pusher.drain()
    assert (report.refunds.failed, report.refunds.synced) == (1, 1)
    parked = await refunds.get_refund(db, bad.refund_id)
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert parked.last_error == "Invalid refund amount."
    assert store.refunds[ok.refund_id]
    # Staff's Retry sends it again (looking it up first: it is not a first attempt).
    await refunds.retry(db, bad.refund_id, clock())
    retried = await pusher.drain()
    assert retried.refunds.synced == 1
    assert {r.refund_id for r in store.refunds_created} == {m.refund_id for m in made} | {
        bad.refund_id,
        ok.refund_id,
    }


async def test_a_card_refund_pays_back_once_then_goes_to_the_store(
    db: Database, store: FakeConnector, till: Till, clock: Clock
) -> None:
    order_id = await _card_sale(till)
    made = await refunds.make_refund(db, order_id, CARD, now=clock(), lines={2: 1})
    card = FakeCardRefunds()
    card.fail.append((CardRefundFailed("no answer", retryable=True), True))  # made, then lost
    pusher = _pusher(db, store, clock)
    pusher.refunds.card = card
    store.fail("create_order", StoreUnreachable("no route"))
    first = await pusher.drain()
    assert first.refunds.retried == 1
    assert len(card.made) == 1
    clock.advance(600)
    second = await pusher.drain()  # looks the card refund up first: found, not made again
    assert card.calls == ["refund", "look+refund"]
    assert len(card.made) == 1
    assert second.refunds.card_refunded == 1
    (re_id,) = card.made
    assert card.made[re_id] == (made.refund_id, "pi_77", made.refund.amount.minor)
    assert second.refunds.synced == 1  # the order went up first in that pass
    done = await refunds.get_refund(db, made.refund_id)
    assert done is not None
    assert (done.state, done.refund.reference) == (OutboxState.SYNCED, re_id)
    assert [r.refund_id for r in store.refunds_created] == [made.refund_id]
    assert len(card.made) == 1


async def test_a_card_refund_refused_by_the_provider_is_parked(
    db: Database, store: FakeConnector, till: Till, clock: Clock
) -> None:
    order_id = await _card_sale(till)
    made = await refunds.make_refund(db, order_id, CARD, now=clock())
    card = FakeCardRefunds()
    card.fail.append((CardRefundFailed("Stripe refused: amount_too_large", retryable=False), False))
    pusher = _pusher(db, store, clock)
    pusher.refunds.card = card
    report = await pusher.drain()
    assert report.refunds.failed == 1
    parked = await refunds.get_refund(db, made.refund_id)
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert "amount_too_large" in parked.last_error
    assert store.refunds_created == []
