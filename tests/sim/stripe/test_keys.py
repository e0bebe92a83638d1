"""API keys: Bearer or Basic, restricted keys' permissions, test and live mode kept apart."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest
import stripe

from kiosk.sim.stripe import TILL_PERMISSIONS, StripeSimHandle
from tests.sim.stripe.conftest import SALE, Fidelity, close, make_client, present, start_sale

# How a provisioning check can name what a restricted key lacks: Stripe has no endpoint that
# lists a key's permissions, so it makes one harmless request per permission and reads the
# 403 that names the missing one (an id that does not exist gives 404 when permitted).
PROBES = {
    "rak_payment_intent_write": lambda c: c.v1.payment_intents.cancel_async("pi_missing"),
    "rak_terminal_reader_write": lambda c: c.v1.terminal.readers.cancel_action_async("tmr_x"),
    "rak_terminal_location_write": lambda c: c.v1.terminal.locations.create_async(
        {"display_name": "x", "address": {"country": "GB"}}
    ),
    "rak_refund_write": lambda c: c.v1.refunds.create_async({"payment_intent": "pi_missing"}),
    "rak_charge_read": lambda c: c.v1.payment_intents.list_async(
        {"expand": ["data.latest_charge"]}
    ),
}


async def missing_permissions(client: stripe.StripeClient) -> set[str]:
    lacking = set()
    for permission, probe in PROBES.items():
        try:
            await probe(client)
        except stripe.PermissionError as exc:
            named = f"Having the '{permission}' permission" in str(exc)
            lacking.add(permission if named else f"unnamed: {exc}")
        except stripe.InvalidRequestError:
            pass  # permitted: the probe's object just does not exist
    return lacking


async def test_the_tills_restricted_key_passes_the_probe(client: stripe.StripeClient) -> None:
    assert await missing_permissions(client) == set()


async def test_a_key_without_terminal_is_named_by_the_probe(sim: StripeSimHandle) -> None:
    key = sim.add_key(permissions=TILL_PERMISSIONS - {"rak_terminal_reader_write"})
    client = make_client(sim, key)
    try:
        assert await missing_permissions(client) == {"rak_terminal_reader_write"}
        with pytest.raises(stripe.PermissionError) as err:
            await client.v1.terminal.readers.list_async()
    finally:
        await close(client)
    assert err.value.http_status == 403
    message = str(err.value)
    assert "does not have the required permissions for this endpoint on account" in message
    assert sim.state.account_id in message
    assert key not in message
    assert key[-6:] in message


async def test_write_implies_read(sim: StripeSimHandle) -> None:
    client = make_client(sim, sim.add_key(permissions={"rak_payment_intent_write"}))
    try:
        created = await client.v1.payment_intents.create_async(SALE)
        assert (await client.v1.payment_intents.retrieve_async(created.id)).id == created.id
    finally:
        await close(client)


async def test_expanding_the_charge_needs_charges_read(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    intent, _ = await start_sale(client, reader.id)
    await present(client, reader.id, "4242424242424242")
    narrow = make_client(sim, sim.add_key(permissions=TILL_PERMISSIONS - {"rak_charge_read"}))
    try:
        assert (await narrow.v1.payment_intents.retrieve_async(intent.id)).latest_charge
        with pytest.raises(stripe.PermissionError, match="rak_charge_read"):
            await narrow.v1.payment_intents.retrieve_async(intent.id, {"expand": ["latest_charge"]})
    finally:
        await close(narrow)


async def test_bad_and_missing_keys_are_401(sim: StripeSimHandle, fidelity: Fidelity) -> None:
    client = make_client(sim, "sk_test_nonsense1234")
    try:
        with pytest.raises(stripe.AuthenticationError) as err:
            await client.v1.payment_intents.list_async()
    finally:
        await close(client)
    assert "Invalid API Key provided: sk_test_********1234" in str(err.value)
    async with aiohttp.ClientSession() as s, s.get(f"{sim.url}/v1/payment_intents") as r:
        assert r.status == 401
        assert "You did not provide an API key" in (await r.json())["error"]["message"]
        assert r.headers["Request-Id"].startswith("req_")


async def test_basic_auth_with_the_key_as_user_name_works(sim: StripeSimHandle) -> None:
    token = base64.b64encode(f"{sim.secret_key}:".encode()).decode()
    async with (
        aiohttp.ClientSession() as s,
        s.get(f"{sim.url}/v1/terminal/readers", headers={"Authorization": f"Basic {token}"}) as r,
    ):
        assert r.status == 200
        body = await r.json()
    assert body == {"object": "list", "data": [], "has_more": False, "url": "/v1/terminal/readers"}


async def test_live_keys_see_live_objects_only(
    sim: StripeSimHandle, client: stripe.StripeClient, reader: Any
) -> None:
    live = make_client(sim, sim.add_key(livemode=True))
    try:
        with pytest.raises(stripe.InvalidRequestError) as err:
            await live.v1.terminal.readers.retrieve_async(reader.id)
        assert err.value.code == "resource_missing"
        assert "a similar object exists in test mode, but a live mode key was used" in str(
            err.value
        )
        with pytest.raises(stripe.InvalidRequestError, match="test mode"):
            await live.v1.terminal.readers.create_async({"registration_code": "simulated-s710"})
        intent = await live.v1.payment_intents.create_async(SALE)
        assert intent.livemode is True
        assert (await client.v1.payment_intents.list_async()).data == []
    finally:
        await close(live)


async def test_answers_carry_request_id_and_stripe_version(
    client: stripe.StripeClient,
) -> None:
    listed = await client.v1.terminal.locations.list_async()
    headers = listed.last_response.headers
    assert headers["Request-Id"].startswith("req_")
    assert headers["Stripe-Version"] == stripe.api_version
