"""Reconciling at start: each card attempt without an order, settled at Stripe exactly once."""

from __future__ import annotations

import stripe

from kiosk.payments.stripe_plan import intent_params
from kiosk.payments.stripe_reconcile import Action, OpenAttempt, reconcile
from kiosk.payments.stripe_terminal import StripeApi, StripeTerminalReader
from kiosk.sim.stripe import StripeSimHandle
from tests.payments.conftest import GBP, ORDER, PAY
from tests.payments.test_stripe_terminal import pay


async def authorised(client: stripe.StripeClient, sim: StripeSimHandle, rid: str, pid: str) -> str:
    """What the app left when it stopped between the tap and the capture: the PaymentIntent."""
    intent = await client.v1.payment_intents.create_async(
        intent_params(pid, GBP),
        {"idempotency_key": f"{pid}:create"},
    )
    await client.v1.terminal.readers.process_payment_intent_async(
        rid, {"payment_intent": intent.id}
    )
    sim.terminal.tap(rid)
    return str(intent.id)


async def test_captured_without_a_sale_is_refunded_once(
    sim: StripeSimHandle,
    card_reader: StripeTerminalReader,
    client: stripe.StripeClient,
    reader_id: str,
) -> None:
    charged = await pay(sim, card_reader, reader_id)
    api = StripeApi(client)
    for _ in range(2):  # a second start (the first one's record lost) refunds nothing more
        [decision] = await reconcile(api, [OpenAttempt(PAY, GBP, charged.reference)])
        assert (decision.action, decision.reference) == (Action.REFUNDED, charged.reference)
        assert "refunded" in decision.detail
    [refund] = sim.state.refunds.values()
    assert (refund["payment_intent"], refund["amount"]) == (charged.reference, 1250)


async def test_authorised_without_a_sale_is_released_and_never_charged_is_forgotten(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str
) -> None:
    held = await authorised(client, sim, reader_id, PAY)
    never = f"{ORDER}:card:2"  # written before the reader was asked, then the app stopped
    decisions = await reconcile(StripeApi(client), [OpenAttempt(PAY, GBP), OpenAttempt(never, GBP)])
    assert [(d.payment_id, d.action) for d in decisions] == [
        (PAY, Action.CANCELLED),
        (never, Action.FORGET),
    ]
    assert decisions[0].reference == held  # found by its create key: no reference was saved
    assert sim.state.payment_intents[held]["status"] == "canceled"
    assert sim.state.payment_intents[decisions[1].reference]["status"] == "canceled"
    assert all(c["amount_captured"] == 0 for c in sim.state.charges.values())


async def test_authorised_with_its_sale_at_hand_is_captured_to_complete_it(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str
) -> None:
    held = await authorised(client, sim, reader_id, PAY)
    [decision] = await reconcile(StripeApi(client), [OpenAttempt(PAY, GBP, sale_known=True)])
    assert decision.action is Action.COMPLETE
    assert decision.result is not None
    assert (decision.result.approved, decision.result.reference) == (True, held)
    assert decision.result.card_last4 == "4242"
    assert sim.state.payment_intents[held]["status"] == "succeeded"


async def test_stripe_out_of_reach_leaves_it_for_the_next_start(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.faults.add("drop", count=5)
    [decision] = await reconcile(StripeApi(client), [OpenAttempt(PAY, GBP, "pi_somewhere")])
    assert decision.action is Action.UNKNOWN
