"""One typed container for what a running command or process holds, opened and closed together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from kiosk.checkout import Checkout
from kiosk.config import Config, variable_layouts
from kiosk.config_platforms import StripeConfig
from kiosk.core.models import ShopSettings
from kiosk.payments.base import CardReader
from kiosk.secrets import load_secrets
from kiosk.store.db import Database


@dataclass(frozen=True, slots=True)
class Runtime:
    config: Config
    db: Database
    checkout: Checkout


def fallback_settings(config: Config) -> ShopSettings | None:
    """Shop settings from the config file, for a device whose store has not sent its own."""
    if not config.shop.currency:
        return None
    return ShopSettings(currency=config.shop.currency, locale=config.shop.locale)


@asynccontextmanager
async def open_runtime(config: Config) -> AsyncIterator[Runtime]:
    db = await Database.open(config.db_path)
    try:
        checkout = Checkout(
            db,
            order_prefix=config.device.order_prefix,
            cashier=config.device.cashier,
            fallback=fallback_settings(config),
            variable_layouts=variable_layouts(config.barcodes),
        )
        yield Runtime(config=config, db=db, checkout=checkout)
    finally:
        await db.close()


def stripe_provisioned(config: Config) -> bool:
    """Whether [stripe] names a paired reader (the key is checked when the reader opens)."""
    stripe = config.section(StripeConfig)
    return bool(stripe.location and stripe.reader)


@asynccontextmanager
async def open_card_reader(config: Config) -> AsyncIterator[CardReader | None]:
    """The paired Stripe reader when [stripe] is provisioned, else None (the caller's own)."""
    if not stripe_provisioned(config):
        yield None
        return
    # Imported only now: stripe comes with the payments extra, which a cash-only till may lack.
    from kiosk.payments.stripe_setup import StripeSecrets, stripe_reader

    stripe = config.section(StripeConfig)
    key = StripeSecrets.of(load_secrets(config.data_dir)).api_key
    if not key:
        yield None
        return
    async with stripe_reader(key, stripe.reader, stripe.api_base) as reader:
        yield reader
