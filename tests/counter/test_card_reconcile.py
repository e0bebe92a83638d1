"""The crash window closed: card attempts that never became a sale, settled at start."""

from __future__ import annotations

from datetime import timedelta

import stripe

from kiosk.checkout import Checkout
from kiosk.counter.card_reconcile import settle_open_attempts
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.stripe_reconcile import Action
from kiosk.payments.stripe_terminal import (
    StripeApi,
    StripeTerminalReader,
)
from kiosk.sim.stripe import StripeSimHandle
from kiosk.store import card_attempts
from kiosk.store.db import Database
from tests.counter.till import fill, rows
from tests.payments import conftest as stripe_rig
from tests.payments.conftest import FAST, paired_reader
from tests.sim.stripe import conftest as checked
from tests.store.factory import T0, eur

# Every exchange checked against Stripe's OpenAPI description (the payments tests' fixtures).
sim, fidelity, client = checked.sim, checked.fidelity, stripe_rig.client


async def test_an_approved_card_whose_sale_was_never_saved_is_refunded_at_start(
    shop: Database, sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    rid = await paired_reader(client, "DE")
    sim.terminal.auto_present_ms = 0
    reader = StripeTerminalReader(client, rid, poll=FAST, retry=FAST)
    checkout = Checkout(shop, order_prefix="T1-", clock=lambda: T0)
    session = SaleSession(shop, checkout, FakePrinter(), reader)
    await session.start()
    await fill(session)
    paid = await session.pay_card()
    assert paid.approved  # ... and the app stops before the sale is committed
    # Another sale's attempt, written before its reader was asked, when the power went.
    other = await card_attempts.begin(
        shop, "0b7f0e1c-0000-4000-8000-00000000000b", eur(850), now=T0
    )
    report = await settle_open_attempts(
        shop, StripeApi(client), started_before=T0 + timedelta(seconds=1)
    )
    assert {d.payment_id: d.action for d in report.decisions} == {
        f"{session.cart.id}:card:1": Action.REFUNDED,
        other.key: Action.FORGET,
    }
    assert len(sim.state.refunds) == 1
    assert "refunded" in report.text()
    # Staff are told in words; a payment never charged is not worth a word.
    assert report.for_staff("de_DE") == (
        "A card payment of 29,00\xa0€ was charged when the till stopped before the sale was "
        "saved: it has been refunded in full."
    )
    outcomes = await rows(shop, "SELECT outcome, message FROM card_attempts ORDER BY order_id")
    assert {o for o, _ in outcomes} == {"declined"}  # closed: never settled twice
    again = await settle_open_attempts(
        shop, StripeApi(client), started_before=T0 + timedelta(seconds=1)
    )
    assert again.decisions == ()


async def test_an_attempt_started_after_the_cutoff_is_left_alone(
    shop: Database, sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    await card_attempts.begin(shop, "0b7f0e1c-0000-4000-8000-00000000000c", eur(850), now=T0)
    report = await settle_open_attempts(shop, StripeApi(client), started_before=T0)
    assert report.decisions == ()
    assert sim.requests == []
