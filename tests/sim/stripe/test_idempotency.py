"""Idempotency keys: the same request replays, a different one is refused, keys age out."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle, running_stripe_sim
from tests.sim.stripe.conftest import SALE, Fidelity, close, drift, make_client, present, start_sale


async def test_same_key_same_params_is_the_same_payment_intent(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    first = await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "o1:card:1"})
    again = await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "o1:card:1"})
    assert again.id == first.id
    assert len(sim.state.payment_intents) == 1
    headers = again.last_response.headers
    assert headers["Idempotent-Replayed"] == "true"
    assert headers["Idempotency-Key"] == "o1:card:1"
    assert headers["Original-Request"] == first.last_response.request_id
    assert headers["Request-Id"] != first.last_response.request_id
    assert "Idempotent-Replayed" not in first.last_response.headers


async def test_same_key_other_params_is_an_idempotency_error(
    client: stripe.StripeClient,
) -> None:
    await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "o2:card:1"})
    with pytest.raises(stripe.IdempotencyError) as err:
        await client.v1.payment_intents.create_async(
            {**SALE, "amount": 999}, {"idempotency_key": "o2:card:1"}
        )
    assert err.value.http_status == 400
    assert err.value.error.type == "idempotency_error"
    assert "can only be used with the same parameters they were first used with" in str(err.value)


async def test_same_key_on_another_endpoint_is_an_idempotency_error(
    client: stripe.StripeClient, reader: Any
) -> None:
    await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "o3"})
    with pytest.raises(stripe.IdempotencyError, match="same endpoint"):
        await client.v1.terminal.connection_tokens.create_async({}, {"idempotency_key": "o3"})


async def test_a_duplicate_while_the_first_still_runs_is_409(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.faults.add("timeout", path="payment_intents")
    first = asyncio.create_task(
        client.v1.payment_intents.create_async(SALE, {"idempotency_key": "o4"})
    )
    await sim.faults.wait_until_held()
    with pytest.raises(stripe.APIError) as err:
        await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "o4"})
    assert err.value.http_status == 409
    assert err.value.error.code == "idempotency_key_in_use"
    sim.faults.release()
    assert (await first).status == "requires_payment_method"


async def test_a_stateful_error_is_replayed_and_a_bad_param_is_not_saved(
    sim: StripeSimHandle, fidelity: Fidelity, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    # Capturing before the card: Stripe keeps that answer under the key...
    for _ in range(2):
        with pytest.raises(stripe.InvalidRequestError) as err:
            await client.v1.payment_intents.capture_async(
                intent.id, options={"idempotency_key": "cap-1"}
            )
        assert err.value.code == "payment_intent_unexpected_state"
    assert sim.requests[-1].replayed is True
    await present(client, reader.id, "4242424242424242")
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.payment_intents.capture_async(
            intent.id, options={"idempotency_key": "cap-1"}
        )
    # ...but a request its parameters sank leaves the key unused.
    with pytest.raises(stripe.InvalidRequestError) as bad:
        await client.v1.payment_intents.capture_async(
            intent.id,
            {"amount_to_capture": "lots"},
            {"idempotency_key": "cap-2"},  # type: ignore[typeddict-item]
        )
    fidelity.exempt(sim)  # an integer parameter sent as text, on purpose
    assert bad.value.code == "parameter_invalid_integer"
    done = await client.v1.payment_intents.capture_async(
        intent.id, {"amount_to_capture": 1250}, {"idempotency_key": "cap-2"}
    )
    assert done.status == "succeeded"


async def test_keys_expire_after_24_hours() -> None:
    now = [1_700_000_000.0]
    async with running_stripe_sim(clock=lambda: now[0]) as sim:
        client = make_client(sim)
        try:
            first = await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "k"})
            now[0] += 24 * 3600 - 1
            same = await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "k"})
            now[0] += 1
            fresh = await client.v1.payment_intents.create_async(SALE, {"idempotency_key": "k"})
        finally:
            await close(client)
        assert same.id == first.id
        assert fresh.id != first.id
        assert drift(sim) == []


async def test_gets_ignore_the_key_and_the_library_sends_one_on_every_post(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    created = await client.v1.payment_intents.create_async(SALE)
    await client.v1.payment_intents.retrieve_async(created.id, options={"idempotency_key": "g"})
    post, get = sim.requests[-2:]
    assert post.idempotency_key is not None
    assert get.idempotency_key is None
