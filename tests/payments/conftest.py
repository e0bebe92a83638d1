"""The Stripe reader adapter against the simulator, every exchange checked against Stripe's spec.

The `sim` and `fidelity` fixtures are tests/sim/stripe's: at teardown every request the adapter
sent and every answer it got must conform to Stripe's OpenAPI description.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import stripe

from kiosk.core.money import Money
from kiosk.payments.stripe_plan import Backoff
from kiosk.payments.stripe_terminal import StripeTerminalReader, close_client, connect_client
from kiosk.sim.stripe import StripeSimHandle
from tests.sim.stripe import conftest as checked

# The simulator whose teardown checks every exchange against the spec, and its exemptions.
sim = checked.sim
fidelity = checked.fidelity

FAST = Backoff(0.005, 1.5, 0.02)  # the schedule's shape, at test speed
ORDER = "6f1c1f9e-0000-4000-8000-000000000001"
PAY = f"{ORDER}:card:1"
GBP = Money(1250, "GBP")


@pytest.fixture
async def client(sim: StripeSimHandle) -> AsyncIterator[stripe.StripeClient]:
    c = connect_client(sim.restricted_key, sim.url)
    yield c
    await close_client(c)


async def paired_reader(client: stripe.StripeClient, country: str = "GB") -> str:
    """A simulated S710 registered at a new location in `country`; its id."""
    location = await client.v1.terminal.locations.create_async(
        {"display_name": "Corner Shop", "address": {"country": country, "city": "Leeds"}}
    )
    made = await client.v1.terminal.readers.create_async(
        {"registration_code": "simulated-s710", "location": location.id, "label": "Till 1"}
    )
    return made.id


@pytest.fixture
async def reader_id(client: stripe.StripeClient) -> str:
    return await paired_reader(client)


@pytest.fixture
def card_reader(client: stripe.StripeClient, reader_id: str) -> StripeTerminalReader:
    return StripeTerminalReader(client, reader_id, poll=FAST, retry=FAST)
