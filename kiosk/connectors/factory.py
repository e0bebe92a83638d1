"""The store platforms this device can be connected to, and the connector for the one it is."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.connectors.base import Connector
from kiosk.connectors.platforms import Platform
from kiosk.connectors.shopify.platform import SHOPIFY
from kiosk.connectors.woocommerce.platform import WOOCOMMERCE
from kiosk.secrets import Secrets

PLATFORMS: dict[str, Platform] = {p.name: p for p in (WOOCOMMERCE, SHOPIFY)}


class NotProvisioned(RuntimeError):
    """The device has no store configured, or no keys for it."""


def platform_of(config: Config) -> Platform:
    """The platform the device is provisioned for; NotProvisioned says what to do if none."""
    store = config.store
    if not store.platform or not store.url:
        usage = " or ".join(f"`{p.provision_usage}`" for p in PLATFORMS.values())
        raise NotProvisioned(f"this device is not connected to a store yet: run {usage}")
    platform = PLATFORMS.get(store.platform)
    if platform is None:
        known = ", ".join(sorted(PLATFORMS))
        raise NotProvisioned(f"the {store.platform} connector is not available (known: {known})")
    return platform


def open_connector(config: Config, secrets: Secrets, *, locale: str) -> Connector:
    platform = platform_of(config)
    if not platform.has_keys(secrets):
        raise NotProvisioned(
            "the store's keys are missing from the secrets file: provision the device again"
        )
    return platform.connect(config, secrets, locale)
