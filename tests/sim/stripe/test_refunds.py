"""Refunds: whole or in part, never more than was captured, exactly once under a key."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe.conftest import present, start_sale


async def _paid(client: stripe.StripeClient, reader_id: str) -> Any:
    intent, _ = await start_sale(client, reader_id)
    await present(client, reader_id, "4242424242424242")
    return await client.v1.payment_intents.capture_async(intent.id)


async def test_a_full_refund(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    paid = await _paid(client, reader.id)
    refund = await client.v1.refunds.create_async(
        {"payment_intent": paid.id, "reason": "requested_by_customer"}
    )
    assert refund.object == "refund"
    assert refund.status == "succeeded"
    assert refund.amount == 1250
    assert refund.charge == paid.latest_charge
    got = await client.v1.refunds.retrieve_async(refund.id, {"expand": ["charge"]})
    assert got.charge.refunded is True
    assert [r.id for r in got.charge.refunds.data] == [refund.id]


async def test_partial_refunds_up_to_what_was_captured(
    client: stripe.StripeClient, reader: Any
) -> None:
    paid = await _paid(client, reader.id)
    await client.v1.refunds.create_async({"payment_intent": paid.id, "amount": 500})
    await client.v1.refunds.create_async({"charge": paid.latest_charge, "amount": 500})
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.refunds.create_async({"payment_intent": paid.id, "amount": 500})
    assert err.value.code == "amount_too_large"
    await client.v1.refunds.create_async({"payment_intent": paid.id})  # the last 250
    with pytest.raises(stripe.InvalidRequestError) as done:
        await client.v1.refunds.create_async({"payment_intent": paid.id})
    assert done.value.code == "charge_already_refunded"
    listed = await client.v1.refunds.list_async({"payment_intent": paid.id})
    assert [r.amount for r in listed.data] == [250, 500, 500]


async def test_an_uncaptured_payment_is_not_refunded(
    client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.refunds.create_async({"payment_intent": intent.id})


async def test_a_refund_retried_under_its_key_happens_once(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    paid = await _paid(client, reader.id)
    sim.faults.add("drop_after_commit", method="POST", path="refunds")
    key = {"idempotency_key": "refund:o1:1"}
    with pytest.raises(stripe.APIConnectionError):
        await client.v1.refunds.create_async({"payment_intent": paid.id, "amount": 300}, key)
    again = await client.v1.refunds.create_async({"payment_intent": paid.id, "amount": 300}, key)
    assert again.amount == 300
    assert list(sim.state.refunds) == [again.id]
    assert sim.state.charges[paid.latest_charge]["amount_refunded"] == 300


async def test_a_refund_names_an_unknown_intent(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.refunds.create_async({"payment_intent": "pi_nope"})
    assert err.value.code == "resource_missing"
    assert err.value.param == "payment_intent"
    assert err.value.http_status == 404
