"""Settings: defaults, the file, environment overrides, and errors that name the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.config import ConfigError, default_data_dir, load_config, variable_layouts


def test_defaults_without_a_file(tmp_path: Path) -> None:
    cfg = load_config(None, tmp_path)
    assert cfg.path is None
    assert cfg.device.order_prefix == "POS-"
    assert cfg.db_path == tmp_path / "kiosk.db"
    assert cfg.store.platform == ""


def test_file_in_the_data_dir_is_found(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(
        '[device]\nname = "Front"\norder_prefix = "F1-"\n'
        '[shop]\nlocale = "de_DE"\ncurrency = "EUR"\n'
        '[store]\nplatform = "woocommerce"\nurl = "https://shop.example"\n'
    )
    cfg = load_config(None, tmp_path)
    assert cfg.path == tmp_path / "kiosk.toml"
    assert (cfg.device.name, cfg.device.order_prefix) == ("Front", "F1-")
    assert (cfg.shop.locale, cfg.shop.currency) == ("de_DE", "EUR")
    assert (cfg.store.platform, cfg.store.url) == ("woocommerce", "https://shop.example")


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kiosk.toml").write_text('[device]\norder_prefix = "F1-"\n')
    monkeypatch.setenv("KIOSK_DEVICE_ORDER_PREFIX", "E9-")
    assert load_config(None, tmp_path).device.order_prefix == "E9-"


def test_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "x"))
    assert default_data_dir() == tmp_path / "x"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[device]\norder_prefix = ''\n", "device.order_prefix"),
        ("[device]\norder_prefix = 'ABCDEFGHIJKLM'\n", "device.order_prefix"),
        ("[device]\norder_prefix = 5\n", "device.order_prefix"),
        ("[shop]\nlocale = 'xx_NOPE'\n", "shop.locale"),
        ("[shop]\ncurrency = 'EURO'\n", "shop.currency"),
        ("[store]\nplatform = 'magento'\n", "store.platform"),
        ("[stores]\nplatform = 'woocommerce'\n", "[stores]"),
        ("[device]\ncolour = 'red'\n", "device.colour"),
        ("device = 3\n", "[device]"),
        ("[device\n", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_field(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", tmp_path)


def test_sync_settings_are_whole_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[sync]\ninterval_s = 10\n")
    cfg = load_config(path, tmp_path)
    assert (cfg.sync.interval_s, cfg.sync.audit_interval_s) == (10, 900)
    monkeypatch.setenv("KIOSK_SYNC_INTERVAL_S", "45")
    assert load_config(path, tmp_path).sync.interval_s == 45
    monkeypatch.setenv("KIOSK_SYNC_INTERVAL_S", "soon")
    with pytest.raises(ConfigError, match=r"sync\.interval_s"):
        load_config(path, tmp_path)
    monkeypatch.delenv("KIOSK_SYNC_INTERVAL_S")
    for bad in ("0", "-3", "'ten'", "true"):
        path.write_text(f"[sync]\nconcurrency = {bad}\n")
        with pytest.raises(ConfigError, match=r"sync\.concurrency"):
            load_config(path, tmp_path)


def test_store_auth_must_be_known(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[store]\nauth = 'bearer'\n")
    with pytest.raises(ConfigError, match=r"store\.auth"):
        load_config(path, tmp_path)


def test_hardware_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[hardware]\nprinter = "serial:/dev/ttyUSB0?baudrate=19200"\npaper_mm = 58\n'
        'drawer_pin = 5\nscanner_terminator = "tab"\n'
    )
    hw = load_config(path, tmp_path).hardware
    assert (hw.printer, hw.paper_mm, hw.drawer_pin, hw.scanner_terminator) == (
        "serial:/dev/ttyUSB0?baudrate=19200",
        58,
        5,
        "tab",
    )
    assert hw.drawer_pulse_ms == 100
    for bad, message in [
        ("paper_mm = 76", "hardware.paper_mm 76 must be 80 or 58"),
        ("drawer_pin = 3", "hardware.drawer_pin 3 must be 2 or 5"),
        ("drawer_pulse_ms = 600", "hardware.drawer_pulse_ms 600 must be 2 to 510"),
        ('scanner_terminator = "space"', "hardware.scanner_terminator 'space' must be one of"),
    ]:
        path.write_text(f"[hardware]\n{bad}\n")
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_config(path, tmp_path)


def test_variable_measure_layouts_come_from_the_barcodes_section(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[barcodes]\nprice_prefixes = "02"\nweight_prefixes = ""\nitem_digits = 4\n')
    (layout,) = variable_layouts(load_config(path, tmp_path).barcodes)
    assert (layout.prefixes, layout.item_digits, layout.value_digits) == (("02",), 4, 5)
    assert layout.value_check is True
    defaults = load_config(None, tmp_path / "fresh").barcodes
    assert [lay.prefixes for lay in variable_layouts(defaults)] == [
        ("20", "21", "22", "23", "24"),
        ("25", "26", "27", "28", "29"),
    ]
    path.write_text('[barcodes]\nprice_prefixes = "31"\n')
    with pytest.raises(ConfigError, match=r"\[barcodes\] variable-measure prefixes start with 2"):
        load_config(path, tmp_path)
    path.write_text('[barcodes]\nprice_check = "maybe"\n')
    with pytest.raises(ConfigError, match="price_check 'maybe' must be yes or no"):
        load_config(path, tmp_path)
