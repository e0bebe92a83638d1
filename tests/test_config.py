"""Settings: defaults, the file, environment overrides, and errors that name the field."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from kiosk.config import (
    CHECKS,
    SECTIONS,
    ConfigError,
    LimitsConfig,
    default_data_dir,
    load_config,
    variable_layouts,
)
from kiosk.config_platforms import WooCommerceConfig


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


def test_woocommerce_auth_must_be_known(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[woocommerce]\nauth = 'bearer'\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    assert str(err.value) == f"{path}: woocommerce.auth must be basic or query, not 'bearer'"


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
        ("paper_mm = 76", "hardware.paper_mm must be 80 or 58, not 76"),
        ("drawer_pin = 3", "hardware.drawer_pin must be 2 or 5, not 3"),
        ("drawer_pulse_ms = 600", "hardware.drawer_pulse_ms must be between 2 and 510, not 600"),
        (
            'scanner_terminator = "space"',
            "hardware.scanner_terminator must be enter or tab or none",
        ),
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
    with pytest.raises(
        ConfigError, match=re.escape("barcodes.price_check must be yes or no, not 'maybe'")
    ):
        load_config(path, tmp_path)


# One wrong value for every checked setting: (setting, as written in kiosk.toml, as an env value).
WRONG = [
    ("device.name", '""', ""),
    ("device.order_prefix", '"has spaces"', "has spaces"),
    ("device.cashier", '"Sam\\u0007"', "Sam\x07"),
    ("shop.locale", '"xx_NOPE"', "xx_NOPE"),
    ("shop.currency", '"EURO"', "EURO"),
    ("store.platform", '"magento"', "magento"),
    ("store.url", '"shop.example"', "shop.example"),
    ("store.public_url", '"ftp://device.example"', "ftp://device.example"),
    ("woocommerce.auth", '"bearer"', "bearer"),
    ("woocommerce.ca_file", '"/nonexistent/ca.pem"', "/nonexistent/ca.pem"),
    ("woocommerce.barcode_meta_key", '"gtin code"', "gtin code"),
    ("woocommerce.api_route", '"index"', "index"),
    ("shopify.shop", '"shop.example"', "shop.example"),
    ("shopify.location", '"the back room"', "the back room"),
    ("shopify.api_version", '"latest"', "latest"),
    ("shopify.tax_rate", '"20%"', "20%"),
    ("shopify.tax_name", '" "', " "),
    ("stripe.location", '"corner shop"', "corner shop"),
    ("stripe.reader", '"tml_1"', "tml_1"),
    ("stripe.api_base", '"localhost:12111"', "localhost:12111"),
    ("sync.interval_s", "0", "0"),
    ("sync.metered_interval_s", "86401", "86401"),
    ("sync.audit_interval_s", "-5", "-5"),
    ("sync.concurrency", "0", "0"),
    ("sync.webhook_port", "70000", "70000"),
    ("hardware.printer", '"bogus:xyz"', "bogus:xyz"),
    ("hardware.paper_mm", "76", "76"),
    ("hardware.drawer_pin", "3", "3"),
    ("hardware.drawer_pulse_ms", "600", "600"),
    ("hardware.logo", '"/nonexistent/logo.png"', "/nonexistent/logo.png"),
    ("hardware.scanners", '"event3"', "event3"),
    ("hardware.serial_scanners", '"tcp:10.0.0.9"', "tcp:10.0.0.9"),
    ("hardware.scanner_layout", '"dvorak"', "dvorak"),
    ("hardware.scanner_terminator", '"space"', "space"),
    ("hardware.scanner_gap_ms", "5000", "5000"),
    ("barcodes.price_prefixes", '"31"', "31"),
    ("barcodes.weight_prefixes", '"2x"', "2x"),
    ("barcodes.item_digits", "11", "11"),
    ("barcodes.price_check", '"maybe"', "maybe"),
    ("receipt.header", '"Line\\u0001"', "Line\x01"),
    ("receipt.footer", '"Thanks\\u001b"', "Thanks\x1b"),
    ("limits.max_amount", '"0"', "lots"),
    ("limits.max_quantity", "10000", "10000"),
    ("network.fail_back_hold_s", "5", "5"),
    ("network.max_switches_per_hour", "0", "0"),
    ("network.probe_host", '"https://shop.example/"', "https://shop.example/"),
    ("network.probe_port", "0", "0"),
    ("staff.discount_limit_percent", '"101"', "101"),
    ("staff.idle_lock_s", "5", "5"),
    ("pickup.only_local_pickup", '"maybe"', "maybe"),
]


def _named(key: str, message: str) -> bool:
    # A layout is the barcodes settings together: its error names the section.
    return key in message or (key.startswith("barcodes.") and "[barcodes]" in message)


@pytest.mark.parametrize(("key", "toml", "env"), WRONG, ids=[w[0] for w in WRONG])
def test_every_wrong_setting_is_named_with_the_file_it_came_from(
    tmp_path: Path, key: str, toml: str, env: str
) -> None:
    section, name = key.split(".")
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[{section}]\n{name} = {toml}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    assert str(err.value).startswith(f"{path}: "), err.value
    assert _named(key, str(err.value)), err.value


@pytest.mark.parametrize(("key", "toml", "env"), WRONG, ids=[w[0] for w in WRONG])
def test_every_wrong_setting_is_named_with_the_variable_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, toml: str, env: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[device]\nname = "Front"\n')  # a good file: the variable is to blame
    var = "KIOSK_" + key.replace(".", "_").upper()
    monkeypatch.setenv(var, env)
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    shown = env if env.isprintable() else repr(env)  # a control character is not printed raw
    assert str(err.value).startswith(f"{var}={shown}: "), err.value
    assert str(path) not in str(err.value)
    assert _named(key, str(err.value)), err.value


def test_every_setting_is_checked_or_free_text() -> None:
    free_text = {"device.cashier", "receipt.header", "receipt.footer"}  # only control characters
    layouts = {"barcodes.price_prefixes", "barcodes.weight_prefixes"}  # checked as layouts
    every = {f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in fields(cls)}
    assert every - set(CHECKS) == free_text | layouts
    assert {w[0] for w in WRONG} == every  # and the tests above try a wrong value for each


def test_the_port_message_names_the_variable_and_the_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_SYNC_WEBHOOK_PORT", "70000")
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path)
    assert str(err.value) == (
        "KIOSK_SYNC_WEBHOOK_PORT=70000: sync.webhook_port must be between 1 and 65535, not 70000"
    )


def test_a_good_variable_mends_a_wrong_file_value_and_shared_blame_names_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[hardware]\nprinter = "bogus:xyz"\n[barcodes]\nprice_prefixes = "02"\n')
    monkeypatch.setenv("KIOSK_HARDWARE_PRINTER", "tcp:10.0.0.9")
    monkeypatch.setenv("KIOSK_BARCODES_ITEM_DIGITS", "7")
    with pytest.raises(ConfigError) as err:
        load_config(path, tmp_path)
    # The prefix (file) and the item digits (variable) make the layout together.
    assert str(err.value).startswith(f"KIOSK_BARCODES_ITEM_DIGITS=7, {path}: [barcodes] ")
    monkeypatch.delenv("KIOSK_BARCODES_ITEM_DIGITS")
    assert load_config(path, tmp_path).hardware.printer == "tcp:10.0.0.9"


def test_files_and_limits_that_are_right_are_kept(tmp_path: Path) -> None:
    ca, logo = tmp_path / "ca.pem", tmp_path / "logo.png"
    ca.write_text("pem")
    logo.write_bytes(b"png")
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[store]\nplatform = "woocommerce"\nurl = "https://shop.example"\n'
        f'[woocommerce]\nca_file = "{ca}"\n'
        f'[hardware]\nlogo = "{logo}"\nscanners = "/dev/input/event3, /dev/kiosk-scanner*"\n'
        'serial_scanners = "serial:/dev/ttyACM0?baudrate=9600"\n'
        "[limits]\nmax_amount = 2500\nmax_quantity = 99\n"
    )
    cfg = load_config(path, tmp_path)
    assert (cfg.section(WooCommerceConfig).ca_file, cfg.hardware.logo) == (str(ca), str(logo))
    assert (cfg.limits.max_amount, cfg.limits.max_quantity) == ("2500", 99)
    assert load_config(None, tmp_path / "fresh").limits == LimitsConfig("100000.00", 9999)


def test_a_platform_needs_its_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_STORE_PLATFORM", "woocommerce")
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path)
    assert str(err.value).startswith("KIOSK_STORE_PLATFORM=woocommerce: store.url and ")
