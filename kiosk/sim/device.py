"""A device's data directory connected to a store, as `kiosk provision` leaves it (for the demo,
the benchmarks and the tests, which have a simulated store and no technician)."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import (
    Config,
    DeviceConfig,
    HardwareConfig,
    StoreConfig,
    SyncConfig,
    save_config,
)
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.secrets import Secrets, save_secrets


def provision_device(
    data_dir: Path,
    *,
    url: str,
    key: str,
    secret: str,
    webhook_secret: str = "",
    sync: SyncConfig | None = None,
    cashier: str = "",
    hardware: HardwareConfig | None = None,
) -> Config:
    """Write the settings file and the 0600 secrets file; returns the settings written."""
    config = Config(
        data_dir=data_dir,
        device=DeviceConfig(cashier=cashier),
        store=StoreConfig(platform="woocommerce", url=url),
        sync=sync or SyncConfig(),
        hardware=hardware or HardwareConfig(),
    )
    save_config(config)
    save_secrets(data_dir, WooCommerceSecrets(key, secret).into(Secrets(webhook_secret)))
    return config
