"""Typed settings from kiosk.toml, overridable by KIOSK_<SECTION>_<KEY> environment variables.

Secrets (store keys, tokens) never live here: they go in a separate 0600 file beside the data.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from babel.core import Locale, UnknownLocaleError

from kiosk.core.barcodes import Measure, VariableLayout
from kiosk.core.money import check_currency

CONFIG_NAME = "kiosk.toml"
PLATFORMS = ("woocommerce", "shopify")
T = TypeVar("T")
_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,11}$")


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    name: str = "Counter"
    order_prefix: str = "POS-"  # human order numbers are prefix + sequence, unique per device
    cashier: str = ""  # shown on receipts until staff sign-in exists


@dataclass(frozen=True, slots=True)
class ShopConfig:
    """Fallbacks for a device whose store has not told it its settings yet."""

    locale: str = "en_US"
    currency: str = ""


@dataclass(frozen=True, slots=True)
class StoreConfig:
    platform: str = ""
    url: str = ""
    auth: str = "basic"  # over HTTPS: "basic", or "query" for hosts that strip Authorization
    ca_file: str = ""  # a PEM for a store behind a private certificate authority
    public_url: str = ""  # where the store can reach this device's webhooks, if anywhere
    barcode_meta_key: str = ""  # the product meta key a barcode plugin keeps EANs in, if any


@dataclass(frozen=True, slots=True)
class SyncConfig:
    interval_s: int = 30  # catalog delta pull
    metered_interval_s: int = 300  # the same on a metered (cellular) link
    audit_interval_s: int = 900  # id-list audit for deletions
    concurrency: int = 4  # requests in flight to the store
    webhook_port: int = 8765  # the agent's webhook listener on this device


@dataclass(frozen=True, slots=True)
class HardwareConfig:
    """The counter's devices; empty means none configured (the demo's simulated ones)."""

    printer: str = (
        ""  # usb:VID:PID, file:/dev/usb/lp0, serial:/dev/ttyUSB0?baudrate=19200, tcp:HOST
    )
    paper_mm: int = 80  # 80 mm paper takes 48 columns, 58 mm takes 32
    drawer_pin: int = 2  # the kick connector's pin: 2 or 5
    drawer_pulse_ms: int = 100
    logo: str = ""  # an image file printed above the receipt's header
    scanners: str = ""  # input devices to read, comma-separated paths; "" finds them
    serial_scanners: str = (
        ""  # serial scanner URIs (serial:/dev/ttyACM0?baudrate=9600), comma-separated
    )
    scanner_layout: str = "us"  # the keyboard layout the scanners are set to
    scanner_terminator: str = "enter"  # what ends a code: enter, tab, or none (then a pause)
    scanner_gap_ms: int = 50  # with terminator none: the pause that ends a code


@dataclass(frozen=True, slots=True)
class BarcodesConfig:
    """How the shop's scale and label printer lay out GS1 variable-measure EAN-13s (prefix 2x)."""

    price_prefixes: str = "20,21,22,23,24"  # codes that carry a price; "" for none
    weight_prefixes: str = "25,26,27,28,29"  # codes that carry a weight in grams; "" for none
    item_digits: int = 5
    price_check: str = "yes"  # "yes": a GS1 check digit for the price precedes it


@dataclass(frozen=True, slots=True)
class ReceiptConfig:
    """Lines the shop prints on every receipt, under its name and above the QR code."""

    header: str = ""  # e.g. the address and VAT number; one printed line per line
    footer: str = ""  # e.g. "Thank you!" and the returns policy

    @property
    def header_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.header.splitlines() if line.strip())

    @property
    def footer_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.footer.splitlines() if line.strip())


PAPER_COLUMNS = {80: 48, 58: 32}
TERMINATORS = ("enter", "tab", "none")


@dataclass(frozen=True, slots=True)
class Config:
    data_dir: Path
    path: Path | None = None  # the file it came from, if any
    device: DeviceConfig = field(default_factory=DeviceConfig)
    shop: ShopConfig = field(default_factory=ShopConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    hardware: HardwareConfig = field(default_factory=HardwareConfig)
    barcodes: BarcodesConfig = field(default_factory=BarcodesConfig)
    receipt: ReceiptConfig = field(default_factory=ReceiptConfig)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"


def default_data_dir() -> Path:
    """$KIOSK_DATA_DIR, else the appliance's /var/lib/kiosk when writable, else the user's."""
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    system = Path("/var/lib/kiosk")
    if system.is_dir() and os.access(system, os.W_OK):
        return system
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kiosk"


def load_config(path: Path | None, data_dir: Path | None = None) -> Config:
    """Read `path` (or <data dir>/kiosk.toml if it exists) and the environment into a Config."""
    data_dir = data_dir or default_data_dir()
    explicit = path is not None or "KIOSK_CONFIG" in os.environ
    if path is None:
        path = Path(os.environ["KIOSK_CONFIG"]) if "KIOSK_CONFIG" in os.environ else None
    if path is None:
        candidate = data_dir / CONFIG_NAME
        path = candidate if candidate.exists() else None
    raw: dict[str, Any] = {}
    if path is not None:
        raw = _read_toml(path, required=explicit)
    where = str(path) if path else "environment"
    known = {"device", "shop", "store", "sync", "hardware", "barcodes", "receipt"}
    for section in raw:
        if section not in known:
            raise ConfigError(
                f"{where}: unknown section [{section}] (known: {', '.join(sorted(known))})"
            )
    device = _section(DeviceConfig, raw.get("device", {}), "device", where)
    shop = _section(ShopConfig, raw.get("shop", {}), "shop", where)
    store = _section(StoreConfig, raw.get("store", {}), "store", where)
    sync = _section(SyncConfig, raw.get("sync", {}), "sync", where)
    hardware = _section(HardwareConfig, raw.get("hardware", {}), "hardware", where)
    _validate(device, shop, store, where)
    barcodes = _section(BarcodesConfig, raw.get("barcodes", {}), "barcodes", where)
    receipt = _section(ReceiptConfig, raw.get("receipt", {}), "receipt", where)
    _validate_hardware(hardware, where)
    try:
        variable_layouts(barcodes)
    except ValueError as exc:
        raise ConfigError(f"{where}: [barcodes] {exc}") from None
    return Config(
        data_dir=data_dir,
        path=path,
        device=device,
        shop=shop,
        store=store,
        sync=sync,
        hardware=hardware,
        barcodes=barcodes,
        receipt=receipt,
    )


def _read_toml(path: Path, *, required: bool) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: config file not found") from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _section(cls: type[T], raw: Any, name: str, where: str) -> T:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: [{name}] must be a table")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    for key in raw:
        if key not in names:
            raise ConfigError(f"{where}: unknown setting {name}.{key}")
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        env = os.environ.get(f"KIOSK_{name}_{f.name}".upper())
        value = env if env is not None else raw.get(f.name, f.default)
        if isinstance(f.default, int):
            values[f.name] = _whole(value, f"{where}: {name}.{f.name}")
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {name}.{f.name} must be text, got {value!r}")
        values[f.name] = value.strip()
    return cls(**values)


def _whole(value: Any, what: str) -> int:
    """A positive whole number from TOML or the environment."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{what} must be a whole number of at least 1, got {value!r}")
    return value


def _validate(device: DeviceConfig, shop: ShopConfig, store: StoreConfig, where: str) -> None:
    if not _PREFIX.match(device.order_prefix):
        raise ConfigError(
            f"{where}: device.order_prefix {device.order_prefix!r} must be 1-12 letters, digits "
            "or '-', starting with a letter or digit"
        )
    try:
        Locale.parse(shop.locale)
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"{where}: shop.locale {shop.locale!r} is not a known locale") from None
    if shop.currency:
        try:
            check_currency(shop.currency)
        except ValueError as exc:
            raise ConfigError(f"{where}: shop.currency: {exc}") from None
    if store.auth not in ("basic", "query"):
        raise ConfigError(f"{where}: store.auth {store.auth!r} must be basic or query")
    if store.platform and store.platform not in PLATFORMS:
        raise ConfigError(
            f"{where}: store.platform {store.platform!r} must be one of {', '.join(PLATFORMS)}"
        )


def _validate_hardware(hw: HardwareConfig, where: str) -> None:
    if hw.paper_mm not in PAPER_COLUMNS:
        raise ConfigError(f"{where}: hardware.paper_mm {hw.paper_mm} must be 80 or 58")
    if hw.drawer_pin not in (2, 5):
        raise ConfigError(f"{where}: hardware.drawer_pin {hw.drawer_pin} must be 2 or 5")
    if not 2 <= hw.drawer_pulse_ms <= 510:
        raise ConfigError(
            f"{where}: hardware.drawer_pulse_ms {hw.drawer_pulse_ms} must be 2 to 510"
        )
    if hw.scanner_terminator not in TERMINATORS:
        raise ConfigError(
            f"{where}: hardware.scanner_terminator {hw.scanner_terminator!r} must be one of "
            f"{', '.join(TERMINATORS)}"
        )


def variable_layouts(b: BarcodesConfig) -> tuple[VariableLayout, ...]:
    """The variable-measure layouts these settings describe; ValueError names what is wrong."""
    if b.price_check not in ("yes", "no"):
        raise ValueError(f"price_check {b.price_check!r} must be yes or no")
    layouts = []
    for text, measure in ((b.price_prefixes, Measure.PRICE), (b.weight_prefixes, Measure.WEIGHT)):
        prefixes = tuple(p.strip() for p in text.split(",") if p.strip())
        if not prefixes:
            continue
        check = measure is Measure.PRICE and b.price_check == "yes"
        digits = 13 - len(prefixes[0]) - b.item_digits - int(check) - 1
        layouts.append(VariableLayout(prefixes, b.item_digits, measure, digits, check))
    return tuple(layouts)


def dump_toml(config: Config) -> str:
    """The settings as kiosk.toml text (every section, every value)."""
    out: list[str] = []
    for section in ("device", "shop", "store", "sync", "hardware", "barcodes", "receipt"):
        out.append(f"[{section}]")
        values = getattr(config, section)
        for f in fields(values):
            v = getattr(values, f.name)
            # A JSON string is a valid TOML basic string (same escapes for what we write).
            out.append(f"{f.name} = {v}" if isinstance(v, int) else f"{f.name} = {json.dumps(v)}")
        out.append("")
    return "\n".join(out)


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write `config` to `path` (default: where it came from, else the data dir), whole."""
    target = path or config.path or config.data_dir / CONFIG_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(dump_toml(config))
    os.replace(tmp, target)
    return target
