"""The counter's card path on the Stripe reader: an unknown outcome is retried under its own key."""

from __future__ import annotations

import asyncio

import pytest
import stripe

from kiosk.checkout import Checkout
from kiosk.core.cart import CartError
from kiosk.core.money import Money
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.base import PaymentUnknown
from kiosk.payments.stripe_terminal import StripeTerminalReader
from kiosk.sim.stripe import StripeSimHandle
from kiosk.store.db import Database
from tests.counter.till import fill, rows
from tests.payments import conftest as stripe_rig
from tests.payments.conftest import FAST, paired_reader
from tests.sim.stripe import conftest as checked
from tests.store.factory import T0

# Every exchange checked against Stripe's OpenAPI description (the payments tests' fixtures).
sim, fidelity, client = checked.sim, checked.fidelity, stripe_rig.client


async def test_a_payment_lost_mid_way_is_asked_again_under_its_key_and_charged_once(
    shop: Database, sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    rid = await paired_reader(client, "DE")
    reader = StripeTerminalReader(client, rid, poll=FAST, retry=FAST, unreachable_polls=3)
    session = SaleSession(
        shop, Checkout(shop, order_prefix="T1-", clock=lambda: T0), FakePrinter(), reader
    )
    await session.start()
    await fill(session)
    task = asyncio.create_task(session.pay_card())
    await sim.terminal.wait_action(rid, "in_progress")
    sim.faults.add("drop", method="GET", path=f"terminal/readers/{rid}", count=100)
    with pytest.raises(PaymentUnknown):
        await task
    sim.faults.clear()
    assert await rows(shop, "SELECT attempt, outcome FROM card_attempts") == [(1, "unknown")]
    # Until it is known, no cash is taken and the sale is not left: the card may be charged.
    assert session.unconfirmed
    with pytest.raises(CartError, match="not confirmed yet"):
        session.add_cash(Money(5000, "EUR"))
    left = session.leave_payment()
    assert not left.left
    assert "not confirmed yet" in left.message
    sim.terminal.tap(rid)  # the customer tapped meanwhile
    result = await session.pay_card()  # the cashier taps Check again
    assert result.approved
    assert not session.unconfirmed
    assert await rows(shop, "SELECT attempt, outcome FROM card_attempts") == [(1, "approved")]
    done = await session.complete()
    assert [p.reference for p in done.order.payments] == [result.reference]
    assert len(sim.state.payment_intents) == 1
    assert len(sim.state.charges) == 1
