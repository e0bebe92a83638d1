"""A platform's own section of kiosk.toml ([woocommerce]), and older files with it in [store]."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from kiosk.config import Config, ConfigError, StoreConfig, dump_toml, load_config, save_config
from kiosk.config_platforms import WooCommerceConfig

# A file written before [woocommerce] existed, as a provisioned device has it.
OLD = """\
[device]
name = "Front"
[store]
platform = "woocommerce"
url = "https://shop.example"
auth = "query"
ca_file = "{ca}"
public_url = "https://device.example"
barcode_meta_key = "_ean"
"""


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("pem")
    return path


def test_the_new_layout_round_trips(tmp_path: Path, ca: Path) -> None:
    woo = WooCommerceConfig(auth="query", ca_file=str(ca), barcode_meta_key="_ean")
    config = Config(
        data_dir=tmp_path, store=StoreConfig(platform="woocommerce", url="https://shop.example")
    ).with_section(woo)
    path = save_config(config)
    tables = tomllib.loads(path.read_text())
    assert tables["woocommerce"] == {
        "auth": "query",
        "ca_file": str(ca),
        "barcode_meta_key": "_ean",
        "api_route": "pretty",
    }
    assert set(tables["store"]) == {"platform", "url", "public_url"}
    loaded = load_config(path, tmp_path)
    assert loaded == dataclasses.replace(config, path=path)
    assert loaded.section(WooCommerceConfig) == woo
    assert dump_toml(loaded) == path.read_text()


def test_a_device_without_the_section_has_its_defaults(tmp_path: Path) -> None:
    config = load_config(None, tmp_path)
    assert config.section(WooCommerceConfig) == WooCommerceConfig()
    assert Config(data_dir=tmp_path).section(WooCommerceConfig).auth == "basic"


def test_an_old_file_with_them_under_store_loads_and_is_saved_new(tmp_path: Path, ca: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(OLD.format(ca=ca))
    config = load_config(path, tmp_path)
    assert config.section(WooCommerceConfig) == WooCommerceConfig("query", str(ca), "_ean")
    assert (config.store.platform, config.store.public_url) == (
        "woocommerce",
        "https://device.example",
    )
    save_config(load_config(path, tmp_path, env=False))
    tables = tomllib.loads(path.read_text())
    assert tables["store"] == {
        "platform": "woocommerce",
        "url": "https://shop.example",
        "public_url": "https://device.example",
    }
    assert tables["woocommerce"] == {
        "auth": "query",
        "ca_file": str(ca),
        "barcode_meta_key": "_ean",
        "api_route": "pretty",
    }
    assert load_config(path, tmp_path) == config


def test_a_wrong_old_value_is_named_as_its_new_setting_and_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[store]\nauth = 'bearer'\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    assert str(err.value) == (
        f"{path}: woocommerce.auth (read from store.auth) must be basic or query, not 'bearer'"
    )
    path.write_text("[store]\nbarcode_meta_key = 5\n")
    with pytest.raises(ConfigError, match=r"woocommerce\.barcode_meta_key \(read from store\."):
        load_config(path, tmp_path)


def test_a_setting_in_both_places_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[store]\nauth = 'query'\n[woocommerce]\nauth = 'basic'\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    assert str(err.value) == (
        f"{path}: woocommerce.auth is also set as store.auth, its old place: remove store.auth"
    )


def test_the_variables_new_and_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[store]\nauth = 'query'\n")
    monkeypatch.setenv("KIOSK_STORE_AUTH", "basic")  # the old variable still counts
    assert load_config(path, tmp_path).section(WooCommerceConfig).auth == "basic"
    monkeypatch.setenv("KIOSK_WOOCOMMERCE_AUTH", "bearer")  # and the new one comes first
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    assert str(err.value) == (
        "KIOSK_WOOCOMMERCE_AUTH=bearer: woocommerce.auth must be basic or query, not 'bearer'"
    )
    monkeypatch.delenv("KIOSK_WOOCOMMERCE_AUTH")
    monkeypatch.setenv("KIOSK_STORE_AUTH", "bearer")
    with pytest.raises(ConfigError, match=r"^KIOSK_STORE_AUTH=bearer: woocommerce\.auth must"):
        load_config(path, tmp_path)
    # What is saved is the file's own value, in its new place.
    save_config(load_config(path, tmp_path, env=False))
    assert tomllib.loads(path.read_text())["woocommerce"]["auth"] == "query"


def test_a_section_that_is_not_a_table_is_named(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("woocommerce = 'basic'\n[store]\nauth = 'query'\n")
    with pytest.raises(ConfigError, match=r"\[woocommerce\] must be a table"):
        load_config(path, tmp_path)
    path.write_text("[woocommerce]\nsecret = 'cs_x'\n")
    with pytest.raises(ConfigError, match=r"unknown setting woocommerce\.secret"):
        load_config(path, tmp_path)
