"""Shopify's entry in the platform table (kiosk/connectors/factory.py), and its secrets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from kiosk.config import Config
from kiosk.config_platforms import ShopifyConfig
from kiosk.connectors.base import Connector, WebhookReader
from kiosk.connectors.platforms import Platform
from kiosk.connectors.shopify import PLATFORM
from kiosk.connectors.shopify.connector import ShopifyConnector
from kiosk.connectors.shopify.setup import register_webhooks
from kiosk.connectors.shopify.webhooks import ShopifyWebhookReader
from kiosk.core.models import TaxRate
from kiosk.secrets import Secrets, SecretsSection


@dataclass(frozen=True, slots=True, repr=False)
class ShopifySecrets(SecretsSection):
    """Shopify's section of the secrets file: the Admin API access token."""

    SECTION: ClassVar[str] = PLATFORM
    token: str = ""


def location_gid(location: str) -> str:
    """A location id as kiosk.toml may hold it (a GID or its number) as a GID ("" stays "")."""
    return f"gid://shopify/Location/{location}" if location.isdigit() else location


def configured_rates(shopify: ShopifyConfig) -> list[TaxRate]:
    """The till's tax rate from [shopify] (Shopify's API lists none), as the device's rates."""
    if not shopify.tax_rate:
        return []
    return [TaxRate("shopify-tax", Decimal(shopify.tax_rate), shopify.tax_name or "Tax")]


def _has_keys(secrets: Secrets) -> bool:
    return bool(ShopifySecrets.of(secrets).token)


def _connect(config: Config, secrets: Secrets, locale: str) -> Connector:
    shopify = config.section(ShopifyConfig)
    return ShopifyConnector.connect(
        config.store.url or shopify.shop,
        ShopifySecrets.of(secrets).token,
        location=location_gid(shopify.location),
        locale=locale,
        tax_rates=configured_rates(shopify),
        api_version=shopify.api_version,
        concurrency=config.sync.concurrency,
    )


def _webhooks(secret: str) -> WebhookReader:
    return ShopifyWebhookReader(secret)


async def _register(connector: Connector, delivery_url: str, secret: str) -> str:
    # Shopify signs API-made subscriptions with the app's client secret, not one of ours: the
    # device's webhook secret must be that secret (`kiosk provision shopify --app-secret`).
    if not isinstance(connector, ShopifyConnector):
        raise TypeError(f"not a Shopify connector: {type(connector).__name__}")
    return str(await register_webhooks(connector.client, delivery_url))


SHOPIFY = Platform(
    name=PLATFORM,
    provision_usage="kiosk provision shopify --shop NAME.myshopify.com --token TOKEN",
    has_keys=_has_keys,
    connect=_connect,
    webhooks=_webhooks,
    register_webhooks=_register,
)
