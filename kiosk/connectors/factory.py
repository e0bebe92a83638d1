"""The connector for the store this device is provisioned for."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.connectors.base import Connector
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.secrets import Secrets


class NotProvisioned(RuntimeError):
    """The device has no store configured, or no keys for it."""


def open_connector(config: Config, secrets: Secrets, *, locale: str) -> Connector:
    store = config.store
    if not store.platform or not store.url:
        raise NotProvisioned(
            "this device is not connected to a store yet: run "
            "`kiosk provision woocommerce --url URL --key CK --secret CS`"
        )
    if store.platform != "woocommerce":
        raise NotProvisioned(f"the {store.platform} connector is not available yet")
    if not secrets.consumer_key or not secrets.consumer_secret:
        raise NotProvisioned(
            "the store's keys are missing from the secrets file: provision the device again"
        )
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
