"""The Stripe simulator under the real `stripe` library, every exchange checked against the spec.

`sim` runs a simulator; at teardown every request it recorded (method, path, params as sent)
and every answer it gave (status, JSON) is checked against Stripe's OpenAPI description
(tests/fixtures/stripe_openapi_subset.json), so a test that passes has also kept the simulator
and the library's use of it inside what Stripe describes. A test that sends a malformed request
on purpose says so with `fidelity.exempt(...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import stripe

from kiosk.sim.stripe import StripeSimHandle, running_stripe_sim
from tests.sim.stripe.openapi import check_request, check_response

SALE = {
    "amount": 1250,
    "currency": "gbp",
    "payment_method_types": ["card_present"],
    "capture_method": "manual",
    "metadata": {"order_id": "6f1c1f9e-0000-4000-8000-000000000001"},
}


@dataclass
class Fidelity:
    """Request ids whose exchange is deliberately outside the description."""

    exempt_ids: set[str] = field(default_factory=set)

    def exempt(self, sim: StripeSimHandle, last: int = 1) -> None:
        self.exempt_ids.update(r.request_id for r in sim.requests[-last:])


@pytest.fixture
def fidelity() -> Fidelity:
    return Fidelity()


def drift(sim: StripeSimHandle, fidelity: Fidelity | None = None) -> list[str]:
    """What in the simulator's request log disagrees with Stripe's OpenAPI description."""
    exempt = set() if fidelity is None else fidelity.exempt_ids
    problems: list[str] = []
    for r in sim.requests:
        if r.request_id in exempt:
            continue
        problems += check_request(r.method, r.path, r.params)
        if r.status is not None:
            problems += check_response(r.method, r.path, r.status, r.response)
    return problems


@pytest.fixture
async def sim(fidelity: Fidelity) -> AsyncIterator[StripeSimHandle]:
    async with running_stripe_sim(seed=7) as handle:
        yield handle
        assert drift(handle, fidelity) == [], "\n".join(drift(handle, fidelity))


def make_client(sim: StripeSimHandle, key: str | None = None) -> stripe.StripeClient:
    """A StripeClient on aiohttp (the simulator shares the test's loop), never retrying."""
    return stripe.StripeClient(
        key or sim.restricted_key,
        base_addresses={"api": sim.url},
        http_client=stripe.AIOHTTPClient(),
        max_network_retries=0,
    )


async def close(client: stripe.StripeClient) -> None:
    await client._requestor._client.close_async()


@pytest.fixture
async def client(sim: StripeSimHandle) -> AsyncIterator[stripe.StripeClient]:
    c = make_client(sim)
    yield c
    await close(c)


@pytest.fixture
async def reader(client: stripe.StripeClient) -> Any:
    """A simulated S710 registered at a location, the way the till pairs one."""
    location = await client.v1.terminal.locations.create_async(
        {"display_name": "Corner Shop", "address": {"country": "GB", "city": "Leeds"}}
    )
    return await client.v1.terminal.readers.create_async(
        {"registration_code": "simulated-s710", "location": location.id, "label": "Till 1"}
    )


async def start_sale(
    client: stripe.StripeClient, reader_id: str, **changes: Any
) -> tuple[Any, Any]:
    """Create the sale's PaymentIntent and hand it to the reader: (intent, reader)."""
    intent = await client.v1.payment_intents.create_async({**SALE, **changes})
    answer = await client.v1.terminal.readers.process_payment_intent_async(
        reader_id, {"payment_intent": intent.id}
    )
    return intent, answer


async def present(client: stripe.StripeClient, reader_id: str, number: str) -> Any:
    return await client.v1.test_helpers.terminal.readers.present_payment_method_async(
        reader_id, {"card_present": {"number": number}}
    )
