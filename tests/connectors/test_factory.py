"""The platform table: what a device is connected to, and the words when it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import Config, StoreConfig
from kiosk.connectors.factory import PLATFORMS, NotProvisioned, open_connector, platform_of
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.secrets import Secrets


def _config(tmp_path: Path, platform: str, url: str = "https://shop.example") -> Config:
    return Config(data_dir=tmp_path, store=StoreConfig(platform=platform, url=url))


def test_every_platform_names_itself_and_how_to_provision_it() -> None:
    assert set(PLATFORMS) == {"woocommerce", "shopify"}
    for name, platform in PLATFORMS.items():
        assert platform.name == name
        assert platform.provision_usage.startswith(f"kiosk provision {name} ")


def test_a_device_without_a_store_is_told_how_to_connect_one(tmp_path: Path) -> None:
    with pytest.raises(NotProvisioned, match="not connected to a store yet: run `kiosk provision"):
        platform_of(Config(data_dir=tmp_path))


def test_an_unknown_platform_is_named_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(NotProvisioned, match=r"magento connector .*known: shopify, woocommerce"):
        platform_of(_config(tmp_path, "magento"))


async def test_missing_keys_are_named_and_present_ones_connect(tmp_path: Path) -> None:
    config = _config(tmp_path, "woocommerce")
    with pytest.raises(NotProvisioned, match="keys are missing"):
        open_connector(config, Secrets(), locale="en_GB")
    half = WooCommerceSecrets("ck_1", "").into(Secrets())
    with pytest.raises(NotProvisioned, match="keys are missing"):
        open_connector(config, half, locale="en_GB")
    keys = WooCommerceSecrets("ck_1", "cs_1").into(Secrets())
    connector = open_connector(config, keys, locale="en_GB")
    try:
        assert connector.platform == "woocommerce"
    finally:
        await connector.close()
