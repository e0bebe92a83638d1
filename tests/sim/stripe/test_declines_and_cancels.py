"""Declines, and cancelling a payment from the till's side and from the customer's."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe.conftest import present, start_sale

TEST_CARDS = [
    ("4000000000000002", "card_declined", "generic_decline", "Your card was declined."),
    (
        "4000000000009995",
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    ("4000000000009987", "card_declined", "lost_card", "Your card was declined."),
    ("4000000000009979", "card_declined", "stolen_card", "Your card was declined."),
    ("4000000000000069", "expired_card", "expired_card", "Your card has expired."),
    ("4000000000000119", "processing_error", "processing_error", None),
]


@pytest.mark.parametrize(("number", "code", "decline_code", "message"), TEST_CARDS)
async def test_each_declining_test_card(
    client: stripe.StripeClient,
    reader: Any,
    number: str,
    code: str,
    decline_code: str,
    message: str | None,
) -> None:
    intent, _ = await start_sale(client, reader.id)
    answer = await present(client, reader.id, number)
    assert answer.action.status == "failed"
    assert answer.action.failure_code == code
    if message is not None:
        assert answer.action.failure_message == message
    again = await client.v1.payment_intents.retrieve_async(intent.id, {"expand": ["latest_charge"]})
    assert again.status == "requires_payment_method"
    assert again.last_payment_error.type == "card_error"
    assert (again.last_payment_error.code, again.last_payment_error.decline_code) == (
        code,
        decline_code,
    )
    assert again.latest_charge.status == "failed"
    assert again.latest_charge.outcome.type == "issuer_declined"


@pytest.mark.parametrize(
    "decline", ["insufficient_funds", "expired_card", "card_declined", "incorrect_pin"]
)
async def test_a_decline_on_command_then_the_same_intent_with_another_card(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any, decline: str
) -> None:
    sim.terminal.decline_next(decline)
    intent, _ = await start_sale(client, reader.id)
    failed = await present(client, reader.id, "4242424242424242")
    assert failed.action.status == "failed"
    got = await client.v1.payment_intents.retrieve_async(intent.id)
    expected = "incorrect_pin" if decline == "incorrect_pin" else None
    if expected:
        assert got.last_payment_error.decline_code == expected
    # Stripe's advice: the same PaymentIntent, another try on the reader.
    await client.v1.terminal.readers.process_payment_intent_async(
        reader.id, {"payment_intent": intent.id}
    )
    ok = await present(client, reader.id, "4242424242424242")
    assert ok.action.status == "succeeded"
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == "requires_capture"


async def test_unknown_decline_codes_are_refused(sim: StripeSimHandle) -> None:
    with pytest.raises(ValueError, match="decline code"):
        sim.terminal.decline_next("bad_luck")


async def test_staff_cancel_resets_the_reader_and_leaves_the_intent_payable(
    client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    reset = await client.v1.terminal.readers.cancel_action_async(reader.id)
    assert reset.action is None
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == (
        "requires_payment_method"
    )
    canceled = await client.v1.payment_intents.cancel_async(
        intent.id, {"cancellation_reason": "requested_by_customer"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "requested_by_customer"
    assert canceled.canceled_at is not None


async def test_the_customer_cancels_on_the_reader(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    sim.terminal.customer_cancels(reader.id)
    polled = await client.v1.terminal.readers.retrieve_async(reader.id)
    assert polled.action.status == "failed"
    assert polled.action.failure_code == "customer_canceled"
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == (
        "requires_payment_method"
    )


async def test_cancel_during_authorization_is_busy_then_the_payment_finishes(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    gate = sim.terminal.hold_authorizations()
    intent, _ = await start_sale(client, reader.id)
    answer = await present(client, reader.id, "4242424242424242")
    assert answer.action.status == "in_progress"
    with pytest.raises(stripe.InvalidRequestError) as busy:
        await client.v1.terminal.readers.cancel_action_async(reader.id)
    assert busy.value.code == "terminal_reader_busy"
    gate.set()
    action = await sim.terminal.wait_action(reader.id, "succeeded", "failed")
    assert action is not None
    assert action["status"] == "succeeded"
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == "requires_capture"


async def test_canceling_an_authorized_intent_releases_the_hold(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    canceled = await client.v1.payment_intents.cancel_async(intent.id)
    assert canceled.status == "canceled"
    assert canceled.amount_capturable == 0
    assert sim.state.charges[canceled.latest_charge]["refunded"] is True


async def test_a_captured_intent_cannot_be_canceled_or_captured_again(
    client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    await client.v1.payment_intents.capture_async(intent.id)
    for call in (client.v1.payment_intents.cancel_async, client.v1.payment_intents.capture_async):
        with pytest.raises(stripe.InvalidRequestError) as err:
            await call(intent.id)
        assert err.value.code == "payment_intent_unexpected_state"
        assert err.value.error.payment_intent.status == "succeeded"


async def test_canceling_the_intent_a_reader_shows_resets_that_reader(
    client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await client.v1.payment_intents.cancel_async(intent.id)
    assert (await client.v1.terminal.readers.retrieve_async(reader.id)).action is None
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.terminal.readers.process_payment_intent_async(
            reader.id, {"payment_intent": intent.id}
        )
    assert err.value.code == "intent_invalid_state"
