"""Faults on command: the reader offline, busy or timing out; the API rate-limited, slow, lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe.conftest import SALE, present, start_sale


async def test_an_offline_reader_refuses_commands_and_says_so(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent = await client.v1.payment_intents.create_async(SALE)
    sim.terminal.set_online(reader.id, False)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.terminal.readers.process_payment_intent_async(
            reader.id, {"payment_intent": intent.id}
        )
    assert err.value.code == "terminal_reader_offline"
    assert err.value.http_status == 400
    assert (await client.v1.terminal.readers.retrieve_async(reader.id)).status == "offline"
    listed = await client.v1.terminal.readers.list_async({"status": "offline"})
    assert [r.id for r in listed.data] == [reader.id]
    sim.terminal.set_online(reader.id)
    await client.v1.terminal.readers.process_payment_intent_async(
        reader.id, {"payment_intent": intent.id}
    )


async def test_a_busy_reader_refuses_commands(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    sim.terminal.set_busy(reader.id)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await start_sale(client, reader.id)
    assert err.value.code == "terminal_reader_busy"
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.terminal.readers.cancel_action_async(reader.id)


async def test_a_payment_not_yet_presented_can_be_replaced(
    client: stripe.StripeClient, reader: Any
) -> None:
    first, _ = await start_sale(client, reader.id)
    second, answer = await start_sale(client, reader.id, amount=990)
    assert answer.action.process_payment_intent.payment_intent == second.id
    await present(client, reader.id, "4242424242424242")
    assert (await client.v1.payment_intents.retrieve_async(first.id)).status == (
        "requires_payment_method"
    )
    assert (await client.v1.payment_intents.retrieve_async(second.id)).status == (
        "requires_capture"
    )


@pytest.mark.parametrize("delivered", [False, True])
async def test_a_reader_timeout_may_or_may_not_have_reached_the_reader(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any, delivered: bool
) -> None:
    intent = await client.v1.payment_intents.create_async(SALE)
    sim.terminal.time_out_next(reader.id, delivered=delivered)
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.terminal.readers.process_payment_intent_async(
            reader.id, {"payment_intent": intent.id}
        )
    assert err.value.code == "terminal_reader_timeout"
    polled = await client.v1.terminal.readers.retrieve_async(reader.id)
    # Only retrieving the reader tells a false timeout from a real one.
    assert (polled.action is not None) is delivered


async def test_rate_limited_requests_get_stripes_429(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.faults.add("429", path="payment_intents")
    with pytest.raises(stripe.RateLimitError) as err:
        await client.v1.payment_intents.create_async(SALE)
    assert err.value.http_status == 429
    assert err.value.error.code == "rate_limit"
    assert (await client.v1.payment_intents.create_async(SALE)).status == (
        "requires_payment_method"
    )
    sim.faults.add("lock_timeout", path="payment_intents")
    with pytest.raises(stripe.RateLimitError) as locked:
        await client.v1.payment_intents.list_async()
    assert locked.value.error.code == "lock_timeout"


async def test_a_response_lost_after_capture_is_found_by_retrieving(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    sim.faults.add("drop_after_commit", path=f"payment_intents/{intent.id}/capture")
    with pytest.raises(stripe.APIConnectionError):
        await client.v1.payment_intents.capture_async(
            intent.id, options={"idempotency_key": "sale-1:capture"}
        )
    # The till does not know; Stripe does.
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == "succeeded"
    again = await client.v1.payment_intents.capture_async(
        intent.id, options={"idempotency_key": "sale-1:capture"}
    )
    assert again.status == "succeeded"
    assert again.last_response.headers["Idempotent-Replayed"] == "true"


async def test_a_response_lost_after_the_reader_succeeded(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    sim.faults.add("drop_after_commit", path=f"test_helpers/terminal/readers/{reader.id}")
    with pytest.raises(stripe.APIConnectionError):
        await present(client, reader.id, "4242424242424242")
    polled = await client.v1.terminal.readers.retrieve_async(reader.id)
    assert polled.action.status == "succeeded"
    assert (await client.v1.payment_intents.retrieve_async(intent.id)).status == "requires_capture"


async def test_a_held_request_the_client_gave_up_on_is_still_carried_out(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.faults.add("timeout", method="POST", path="payment_intents")
    before = len(sim.requests)
    task = asyncio.create_task(
        client.v1.payment_intents.create_async(SALE, {"idempotency_key": "sale-2:1"})
    )
    await sim.faults.wait_until_held()
    task.cancel()  # the till's own timeout
    with pytest.raises(asyncio.CancelledError):
        await task
    sim.faults.release()
    await sim.wait_for_records(before + 1)
    assert len(sim.state.payment_intents) == 1
    # Asking again with the same key finds that PaymentIntent rather than making another.
    again = await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "sale-2:1"})
    assert list(sim.state.payment_intents) == [again.id]


async def test_a_500_is_replayed_under_its_key(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.faults.add("500", path="payment_intents")
    for _ in range(2):
        with pytest.raises(stripe.APIError) as err:
            await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "k500"})
        assert err.value.http_status == 500
    assert sim.requests[-1].replayed is True
    assert sim.state.payment_intents == {}


async def test_a_dropped_connection_does_nothing(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.faults.add("drop", path="payment_intents")
    with pytest.raises(stripe.APIConnectionError):
        await client.v1.payment_intents.create_async(SALE)
    assert sim.state.payment_intents == {}
    assert sim.faults.fired == [("drop", "POST", "/v1/payment_intents")]


async def test_latency_holds_every_answer(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.latency_ms = 50
    loop = asyncio.get_running_loop()
    started = loop.time()
    await client.v1.payment_intents.list_async()
    assert loop.time() - started >= 0.05
