"""WooCommerce's entry in the platform table (kiosk/connectors/factory.py), and its secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kiosk.config import Config
from kiosk.config_platforms import WooCommerceConfig
from kiosk.connectors.base import Connector
from kiosk.connectors.platforms import Platform
from kiosk.connectors.woocommerce import PLATFORM
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.webhook_setup import register_webhooks
from kiosk.connectors.woocommerce.webhooks import WooWebhookReader
from kiosk.secrets import Secrets, SecretsSection


@dataclass(frozen=True, slots=True, repr=False)
class WooCommerceSecrets(SecretsSection):
    """WooCommerce's section of the secrets file: the store's REST API key pair."""

    SECTION: ClassVar[str] = PLATFORM
    consumer_key: str = ""
    consumer_secret: str = ""


def _has_keys(secrets: Secrets) -> bool:
    keys = WooCommerceSecrets.of(secrets)
    return bool(keys.consumer_key and keys.consumer_secret)


def _connect(config: Config, secrets: Secrets, locale: str) -> Connector:
    woo, keys = config.section(WooCommerceConfig), WooCommerceSecrets.of(secrets)
    return WooConnector.connect(
        config.store.url,
        keys.consumer_key,
        keys.consumer_secret,
        query_auth=woo.auth == "query",
        ca_file=woo.ca_file or None,
        locale=locale,
        concurrency=config.sync.concurrency,
        barcode_meta_key=woo.barcode_meta_key,
        rest_route=woo.api_route == "rest_route",
        device=config.device.name,
    )


async def _register(connector: Connector, delivery_url: str, secret: str) -> str:
    if not isinstance(connector, WooConnector):
        raise TypeError(f"not a WooCommerce connector: {type(connector).__name__}")
    reg = await register_webhooks(connector.client, delivery_url, secret)
    return f"{len(reg.created)} registered, {len(reg.kept)} kept, {reg.removed} removed"


WOOCOMMERCE = Platform(
    name=PLATFORM,
    provision_usage="kiosk provision woocommerce --url URL --key CK --secret CS",
    has_keys=_has_keys,
    connect=_connect,
    webhooks=WooWebhookReader,
    register_webhooks=_register,
)
