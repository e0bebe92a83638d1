"""Typed settings from kiosk.toml, overridable by KIOSK_<SECTION>_<KEY> environment variables.

Secrets (store keys, tokens) never live here: they go in a separate 0600 file beside the data.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from babel.core import Locale, UnknownLocaleError

from kiosk.core.barcodes import Measure, VariableLayout
from kiosk.core.cart import MAX_QUANTITY
from kiosk.core.money import check_currency, parse_limit

CONFIG_NAME = "kiosk.toml"
PLATFORMS = ("woocommerce", "shopify")
T = TypeVar("T")
Rule = range | tuple[object, ...] | Callable[[Any], object]
_PREFIX = r"[A-Za-z0-9][A-Za-z0-9-]{0,11}"


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names where it came from and the field."""


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

    printer: str = ""  # usb:VID:PID, file:/dev/usb/lp0, serial:/dev/ttyUSB0, tcp:HOST[:PORT]
    paper_mm: int = 80  # 80 mm paper takes 48 columns, 58 mm takes 32
    drawer_pin: int = 2  # the kick connector's pin: 2 or 5
    drawer_pulse_ms: int = 100
    logo: str = ""  # an image file printed above the receipt's header
    scanners: str = ""  # input devices to read, comma-separated paths; "" finds them
    serial_scanners: str = ""  # comma-separated URIs: serial:/dev/ttyACM0?baudrate=9600
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


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """The most one sale takes: anything larger is a typing mistake, refused before it is sold."""

    max_amount: str = "100000.00"  # in the sale's currency (money.check_limit): a tender, a total
    max_quantity: int = 9999  # of one line (the cart's MAX_QUANTITY at most)


PAPER_COLUMNS = {80: 48, 58: 32}
TERMINATORS = ("enter", "tab", "none")
MULTILINE = frozenset({"receipt.header", "receipt.footer"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    limits: LimitsConfig = field(default_factory=LimitsConfig)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"


# Config's sections, in file order: name -> its class.
SECTIONS: dict[str, Any] = {
    f.name: f.default_factory for f in fields(Config) if f.name not in ("data_dir", "path")
}


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


def load_config(path: Path | None, data_dir: Path | None = None, *, env: bool = True) -> Config:
    """Read `path` (or <data dir>/kiosk.toml if it exists) and the environment into a Config.

    Every setting is checked here: ConfigError names it and where its value came from (its
    KIOSK_* variable, else the file). `env=False` reads the file alone (what to save back).
    """
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
    origin = _Origin(path)
    for section in raw:
        if section not in SECTIONS:
            known = ", ".join(sorted(SECTIONS))
            raise ConfigError(f"{origin.file}: unknown section [{section}] (known: {known})")
    sections = {
        name: _section(cls, raw.get(name, {}), name, origin, env) for name, cls in SECTIONS.items()
    }
    config = Config(data_dir=data_dir, path=path, **sections)
    _check(config, origin)
    return config


class _Origin:
    """Where each setting's value came from, so that an error blames the right place."""

    def __init__(self, path: Path | None) -> None:
        self.file = str(path) if path else "default settings"
        self.env: dict[str, str] = {}  # "sync.webhook_port" -> "KIOSK_SYNC_WEBHOOK_PORT=70000"
        self.in_file: set[str] = set()

    def of(self, *keys: str) -> str:
        named = [self.env[k] for k in keys if k in self.env]
        if not named or any(k in self.in_file and k not in self.env for k in keys):
            named.append(self.file)
        return ", ".join(named)

    def fail(self, key: str, what: str, *also: str) -> ConfigError:
        """The error for `key` (and `also`, which share the blame): "<where>: <key> <what>"."""
        return ConfigError(f"{self.of(key, *also)}: {key} {what}")


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


def _section(cls: type[T], raw: Any, name: str, origin: _Origin, env: bool) -> T:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin.file}: [{name}] must be a table")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    for key in raw:
        if key not in names:
            raise ConfigError(f"{origin.file}: unknown setting {name}.{key}")
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        key, var = f"{name}.{f.name}", f"KIOSK_{name}_{f.name}".upper()
        value: Any = os.environ.get(var) if env else None
        if value is not None:
            origin.env[key] = f"{var}={value if value.isprintable() else repr(value)}"
        elif f.name in raw:
            origin.in_file.add(key)
        value = raw.get(f.name, f.default) if value is None else value
        if isinstance(f.default, int):  # ranges are checked with the rest, in _check
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise origin.fail(key, f"must be a whole number, got {value!r}")
        elif key == "limits.max_amount" and type(value) is int:
            value = str(value)  # `max_amount = 500` reads as naturally as "500.00"
        elif not isinstance(value, str):
            raise origin.fail(key, f"must be text, got {value!r}")
        values[f.name] = value.strip() if isinstance(value, str) else value
    return cls(**values)


def _check(config: Config, origin: _Origin) -> None:
    for name in SECTIONS:
        values = getattr(config, name)
        for f in fields(values):
            key, value = f"{name}.{f.name}", getattr(values, f.name)
            text = value.replace("\n", "") if key in MULTILINE else value
            if isinstance(text, str) and _CONTROL.search(text):
                raise origin.fail(key, f"must not hold control characters: {value!r}")
            try:
                _apply(CHECKS.get(key, str), value)
            except (ValueError, UnknownLocaleError) as exc:
                # Our own checks say "must ..."; the parsers' messages are sentences of their own.
                sep = " " if str(exc).startswith("must") else ": "
                raise ConfigError(f"{origin.of(key)}: {key}{sep}{exc}") from None
    store = config.store
    if bool(store.platform) != bool(store.url):
        raise origin.fail("store.url", "and store.platform are set together", "store.platform")
    try:
        variable_layouts(config.barcodes)
    except ValueError as exc:
        keys = [f"barcodes.{f.name}" for f in fields(BarcodesConfig)]
        raise ConfigError(f"{origin.of(*keys)}: [barcodes] {exc}") from None


def _apply(rule: Rule, value: Any) -> None:
    """Raise ValueError when `value` breaks `rule`: a range, the values allowed, or a check."""
    if isinstance(rule, range):
        if value not in rule:
            raise ValueError(f"must be between {rule.start} and {rule[-1]}, not {value}")
    elif isinstance(rule, tuple):
        if value not in rule:
            listed = " or ".join(str(c) for c in rule if c != "")
            raise ValueError(f"must be {listed}, not {value!r}")
    else:
        rule(value)


def _matches(pattern: str, why: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"must {why}" + (f", not {value!r}" if value else ""))

    return check


def _url(url: str) -> None:
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ValueError(f"must be an address such as https://shop.example, not {url!r}")


def _file(path: str) -> None:
    if path and not Path(path).is_file():
        raise ValueError(f"must name a file, and there is none at {path}")


def _uris(text: str, *, serial: bool = False) -> None:
    try:  # the parser comes with the hardware extra: without it nothing prints or scans anyway
        from kiosk.hardware.printer_uri import PrinterKind, parse_printer_uri
    except ImportError:
        return
    for uri in filter(None, (u.strip() for u in (text.split(",") if serial else [text]))):
        if parse_printer_uri(uri).kind is not PrinterKind.SERIAL and serial:
            raise ValueError(f"must list serial: URIs such as serial:/dev/ttyACM0, not {uri!r}")


def _layout(name: str) -> None:
    try:
        from kiosk.hardware.keymap import KeyDecoder
    except ImportError:  # evdev, which is Linux's: no scanner is read directly without it
        return
    KeyDecoder(name)


# How each setting is checked (a parser's ValueError is a refusal); the rest is free text.
CHECKS: dict[str, Rule] = {
    "device.name": _matches(r".+", "not be empty"),
    "device.order_prefix": _matches(
        _PREFIX, "be 1-12 letters, digits or '-', starting with a letter or digit"
    ),
    "shop.locale": Locale.parse,
    "shop.currency": lambda code: check_currency(code) if code else None,
    "store.platform": ("", *PLATFORMS),
    "store.url": _url,
    "store.auth": ("basic", "query"),
    "store.ca_file": _file,
    "store.public_url": _url,
    "store.barcode_meta_key": _matches(r"\S*", "not contain spaces"),
    "sync.interval_s": range(1, 86_400 + 1),
    "sync.metered_interval_s": range(1, 86_400 + 1),
    "sync.audit_interval_s": range(1, 86_400 + 1),
    "sync.concurrency": range(1, 64 + 1),  # more than this hammers a shop's web server
    "sync.webhook_port": range(1, 65535 + 1),
    "hardware.printer": _uris,
    "hardware.paper_mm": tuple(PAPER_COLUMNS),
    "hardware.drawer_pin": (2, 5),
    "hardware.drawer_pulse_ms": range(2, 510 + 1),  # ESC p: 1 to 255 units of 2 ms
    "hardware.logo": _file,
    "hardware.scanners": _matches(r"(/[^,]*)?(\s*,\s*/[^,]*)*", "list full paths (/dev/...)"),
    "hardware.serial_scanners": functools.partial(_uris, serial=True),
    "hardware.scanner_layout": _layout,
    "hardware.scanner_terminator": TERMINATORS,
    "hardware.scanner_gap_ms": range(1, 1000 + 1),
    "barcodes.item_digits": range(1, 10 + 1),
    "barcodes.price_check": ("yes", "no"),
    "limits.max_amount": parse_limit,
    "limits.max_quantity": range(1, MAX_QUANTITY + 1),
}


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
    for section in SECTIONS:
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
