"""WooCommerce's entry in the platform table (kiosk/connectors/factory.py)."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.connectors.base import Connector
from kiosk.connectors.platforms import Platform
from kiosk.connectors.woocommerce import PLATFORM
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.webhook_setup import register_webhooks
from kiosk.connectors.woocommerce.webhooks import WooWebhookReader
from kiosk.secrets import Secrets


def _connect(config: Config, secrets: Secrets, locale: str) -> Connector:
    store = config.store
    return WooConnector.connect(
        store.url,
        secrets.consumer_key,
        secrets.consumer_secret,
        query_auth=store.auth == "query",
        ca_file=store.ca_file or None,
        locale=locale,
        concurrency=config.sync.concurrency,
        barcode_meta_key=store.barcode_meta_key,
    )


async def _register(connector: Connector, delivery_url: str, secret: str) -> str:
    if not isinstance(connector, WooConnector):
        raise TypeError(f"not a WooCommerce connector: {type(connector).__name__}")
    reg = await register_webhooks(connector.client, delivery_url, secret)
    return f"{len(reg.created)} registered, {len(reg.kept)} kept, {reg.removed} removed"


WOOCOMMERCE = Platform(
    name=PLATFORM,
    provision_usage="kiosk provision woocommerce --url URL --key CK --secret CS",
    has_keys=lambda s: bool(s.consumer_key and s.consumer_secret),
    connect=_connect,
    webhooks=WooWebhookReader,
    register_webhooks=_register,
)
