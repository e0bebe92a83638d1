"""Locations, reader registration and listing, connection tokens, pagination, bad requests."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe.conftest import SALE, Fidelity


async def test_locations_are_created_listed_and_retrieved(client: stripe.StripeClient) -> None:
    made = await client.v1.terminal.locations.create_async(
        {
            "display_name": "Market Street",
            "address": {"country": "GB", "line1": "1 Market St", "postal_code": "LS1 1AA"},
            "metadata": {"shop": "7"},
        }
    )
    assert made.object == "terminal.location"
    assert made.address.line1 == "1 Market St"
    assert made.address.city is None
    got = await client.v1.terminal.locations.retrieve_async(made.id)
    assert got.display_name == "Market Street"
    assert [loc.id for loc in (await client.v1.terminal.locations.list_async()).data] == [made.id]


async def test_a_location_needs_a_country(
    sim: StripeSimHandle, fidelity: Fidelity, client: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.terminal.locations.create_async(
            {"display_name": "x", "address": {"city": "Leeds"}}  # type: ignore[typeddict-item]
        )
    fidelity.exempt(sim)  # missing a required field, on purpose
    assert err.value.code == "parameter_missing"
    assert err.value.param == "address[country]"


async def test_readers_register_list_and_delete(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    assert reader.device_type == "simulated_stripe_s710"
    assert reader.status == "online"
    assert reader.action is None
    listed = await client.v1.terminal.readers.list_async({"location": reader.location})
    assert [r.id for r in listed.data] == [reader.id]
    gone = await client.v1.terminal.readers.delete_async(reader.id)
    assert gone.deleted is True
    again = await client.v1.terminal.readers.retrieve_async(reader.id)
    assert again.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.terminal.readers.process_payment_intent_async(
            reader.id, {"payment_intent": "pi_x"}
        )
    assert err.value.code == "resource_missing"


async def test_a_real_reader_registers_once_with_the_code_it_shows(
    sim: StripeSimHandle, client: stripe.StripeClient
) -> None:
    sim.terminal.show_pairing_code("apple-berry-cherry")
    made = await client.v1.terminal.readers.create_async(
        {"registration_code": "apple-berry-cherry", "label": "Front"}
    )
    assert made.device_type == "stripe_s710"
    assert made.label == "Front"
    with pytest.raises(stripe.InvalidRequestError) as err:
        await client.v1.terminal.readers.create_async({"registration_code": "apple-berry-cherry"})
    assert err.value.param == "registration_code"
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.test_helpers.terminal.readers.present_payment_method_async(made.id)


async def test_connection_tokens(client: stripe.StripeClient, reader: Any) -> None:
    token = await client.v1.terminal.connection_tokens.create_async()
    assert token.object == "terminal.connection_token"
    assert token.secret.startswith("pst_test_")
    scoped = await client.v1.terminal.connection_tokens.create_async({"location": reader.location})
    assert scoped.location == reader.location


async def test_lists_page_newest_first(client: stripe.StripeClient) -> None:
    ids = [(await client.v1.payment_intents.create_async(SALE)).id for _ in range(5)]
    first = await client.v1.payment_intents.list_async({"limit": 2})
    assert [p.id for p in first.data] == ids[::-1][:2]
    assert first.has_more is True
    rest = await client.v1.payment_intents.list_async(
        {"limit": 10, "starting_after": first.data[-1].id}
    )
    assert [p.id for p in rest.data] == ids[::-1][2:]
    assert rest.has_more is False


async def test_unknown_and_malformed_params_are_refused_as_stripe_does(
    sim: StripeSimHandle, fidelity: Fidelity, client: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        await client.v1.payment_intents.create_async({**SALE, "colour": "red"})  # type: ignore[typeddict-unknown-key]
    fidelity.exempt(sim)
    assert unknown.value.code == "parameter_unknown"
    assert unknown.value.param == "colour"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        await client.v1.payment_intents.create_async({"amount": 100})  # type: ignore[typeddict-item]
    fidelity.exempt(sim)
    assert missing.value.param == "currency"
    with pytest.raises(stripe.InvalidRequestError) as small:
        await client.v1.payment_intents.create_async({**SALE, "amount": 20})
    assert small.value.code == "amount_too_small"
    async with aiohttp.ClientSession() as s:
        auth = {"Authorization": f"Bearer {sim.secret_key}"}
        async with s.get(f"{sim.url}/v1/charges", headers=auth) as r:
            assert r.status == 404
            assert (
                "Unrecognized request URL (GET: /v1/charges)"
                in (await r.json())["error"]["message"]
            )
    fidelity.exempt(sim)
