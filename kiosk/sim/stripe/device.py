"""A device's card reader on the simulator, as `kiosk provision stripe` and `kiosk reader pair`
leave it (for the demo and the UI tests), and the simulated customer at that reader."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import load_config, save_config
from kiosk.config_platforms import StripeConfig
from kiosk.payments import stripe_setup
from kiosk.secrets import load_secrets, save_secrets
from kiosk.sim.stripe import StripeSimHandle, cards

DEMO_DECLINE = "4000000000009995"  # insufficient funds: Stripe's own test card


async def provision_reader(
    data_dir: Path, sim: StripeSimHandle, *, label: str = "Till 1", country: str = "GB"
) -> str:
    """Register a simulated S710 at a new location through the real `stripe` library, then write
    [stripe] and the restricted key (0600) as the CLI would; returns the reader's id."""
    async with stripe_setup.stripe_account(sim.restricted_key, sim.url) as api:
        location = await api.call(
            "terminal.locations.create",
            {"display_name": "Demo shop", "address": {"country": country, "city": "Leeds"}},
        )
        reader = await stripe_setup.pair(api, "simulated-s710", location["id"], label)
    config = load_config(None, data_dir, env=False)
    settings = StripeConfig(location=location["id"], reader=reader["id"], api_base=sim.url)
    save_config(config.with_section(settings))
    secrets = stripe_setup.StripeSecrets(sim.restricted_key).into(load_secrets(data_dir))
    save_secrets(data_dir, secrets)
    return str(reader["id"])


class SimulatedCustomer:
    """The customer at a simulated reader: the demo's pay sheet shows these as buttons
    (payments.base.ReaderLevers), each what Stripe's test helper does to a real one."""

    def __init__(self, sim: StripeSimHandle, reader_id: str) -> None:
        self.sim, self.reader_id = sim, reader_id

    def approve(self) -> object:
        return self.sim.terminal.tap(self.reader_id, cards.DEFAULT_CARD)

    def decline(self, reason: str = "") -> object:
        # Stripe's simulated readers decline by card number; the words are the issuer's.
        return self.sim.terminal.tap(self.reader_id, DEMO_DECLINE)

    async def cancel(self) -> None:
        self.sim.terminal.customer_cancels(self.reader_id)
