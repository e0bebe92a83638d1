"""A whole card sale through the real `stripe` library: PaymentIntent, reader, card, capture."""

from __future__ import annotations

import asyncio
from typing import Any

import stripe

from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe.conftest import SALE, present, start_sale


async def test_a_manual_capture_sale_moves_as_stripe_does(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, answer = await start_sale(client, reader.id)
    assert intent.status == "requires_payment_method"
    assert intent.livemode is False
    assert intent.object == "payment_intent"
    assert intent.metadata["order_id"] == SALE["metadata"]["order_id"]
    assert answer.action.type == "process_payment_intent"
    assert answer.action.status == "in_progress"
    assert answer.action.process_payment_intent.payment_intent == intent.id
    # Polling while the customer looks for their card changes nothing.
    polled = await client.v1.terminal.readers.retrieve_async(reader.id)
    assert polled.action.status == "in_progress"
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == (
        "requires_payment_method"
    )

    tapped = await present(client, reader.id, "4242424242424242")
    assert tapped.action.status == "succeeded"
    authorized = await client.v1.payment_intents.retrieve_async(
        intent.id, {"expand": ["latest_charge"]}
    )
    assert authorized.status == "requires_capture"
    assert authorized.amount_capturable == 1250
    card = authorized.latest_charge.payment_method_details.card_present
    assert (card.brand, card.last4, card.read_method) == ("visa", "4242", "contactless_emv")
    assert len(card.receipt.authorization_code) == 6

    captured = await client.v1.payment_intents.capture_async(intent.id)
    assert captured.status == "succeeded"
    assert captured.amount_received == 1250
    charge = sim.state.charges[captured.latest_charge]
    assert charge["captured"] is True
    assert charge["amount_captured"] == 1250


async def test_automatic_capture_succeeds_on_the_tap(
    client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id, capture_method="automatic")
    await present(client, reader.id, "5555555555554444")
    done = await client.v1.payment_intents.retrieve_async(intent.id)
    assert done.status == "succeeded"
    assert done.amount_received == 1250


async def test_the_reader_taps_by_itself_when_told_to(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    sim.terminal.auto_present_ms = 0
    sim.terminal.auto_present_card = "378282246310005"
    intent, _ = await start_sale(client, reader.id)
    action = await sim.terminal.wait_action(reader.id, "succeeded", "failed")
    assert action is not None
    assert action["status"] == "succeeded"
    got = await client.v1.payment_intents.retrieve_async(intent.id, {"expand": ["latest_charge"]})
    assert got.latest_charge.payment_method_details.card_present.brand == "amex"


async def test_pin_cards_say_how_the_cardholder_was_verified(
    client: stripe.StripeClient, reader: Any
) -> None:
    for number, method in (("4001000360000005", "online_pin"), ("4001007020000002", "offline_pin")):
        intent, _ = await start_sale(client, reader.id)
        await present(client, reader.id, number)
        got = await client.v1.payment_intents.retrieve_async(
            intent.id, {"expand": ["latest_charge"]}
        )
        receipt = got.latest_charge.payment_method_details.card_present.receipt
        assert receipt.cardholder_verification_method == method


async def test_polling_the_reader_can_bring_the_payment_intent_along(
    client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    polled = await client.v1.terminal.readers.retrieve_async(
        reader.id, {"expand": ["action.process_payment_intent.payment_intent"]}
    )
    assert polled.action.process_payment_intent.payment_intent.status == "requires_capture"
    assert polled.action.process_payment_intent.payment_intent.id == intent.id


async def test_partial_capture_releases_the_rest(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    captured = await client.v1.payment_intents.capture_async(intent.id, {"amount_to_capture": 1000})
    assert captured.amount_received == 1000
    assert sim.state.charges[captured.latest_charge]["amount_refunded"] == 250


async def test_the_default_requests_client_works_too(sim: StripeSimHandle, reader: Any) -> None:
    """stripe's own default (synchronous) HTTP client, as a script would use it, in a thread."""

    def sale() -> str:
        c = stripe.StripeClient(sim.secret_key, base_addresses={"api": sim.url})
        intent = c.v1.payment_intents.create(SALE)
        c.v1.terminal.readers.process_payment_intent(reader.id, {"payment_intent": intent.id})
        c.v1.test_helpers.terminal.readers.present_payment_method(reader.id)
        return c.v1.payment_intents.capture(intent.id).status

    assert await asyncio.to_thread(sale) == "succeeded"
