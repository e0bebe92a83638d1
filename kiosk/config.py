"""Typed settings from kiosk.toml, overridable by KIOSK_<SECTION>_<KEY> environment variables.

The neutral sections are here; each store platform's own section is in config_platforms.py, and
how every setting is checked in config_checks.py. Secrets (store keys, tokens) never live here:
they go in a separate 0600 file beside the data (kiosk/secrets.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from babel.core import UnknownLocaleError

from kiosk.config_checks import CHECKS as NEUTRAL_CHECKS
from kiosk.config_checks import PLATFORMS as PLATFORMS
from kiosk.config_checks import TERMINATORS as TERMINATORS
from kiosk.config_checks import Rule, apply_rule
from kiosk.config_platforms import PLATFORM_SECTIONS, moved_from_store
from kiosk.core.barcodes import Measure, VariableLayout
from kiosk.core.pickup import PickupConfig as PickupConfig
from kiosk.hardware.settings import PAPER_COLUMNS as PAPER_COLUMNS
from kiosk.hardware.settings import HardwareConfig as HardwareConfig
from kiosk.network.settings import NetworkConfig as NetworkConfig
from kiosk.staff.settings import StaffConfig as StaffConfig

CONFIG_NAME = "kiosk.toml"
T = TypeVar("T")


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
    """Which store the device sells for; the platform's own settings are its own section."""

    platform: str = ""
    url: str = ""
    public_url: str = ""  # where the store can reach this device's webhooks, if anywhere


@dataclass(frozen=True, slots=True)
class SyncConfig:
    interval_s: int = 30  # catalog delta pull
    metered_interval_s: int = 300  # the same on a metered (cellular) link
    audit_interval_s: int = 900  # id-list audit for deletions
    concurrency: int = 4  # requests in flight to the store
    webhook_port: int = 8765  # the agent's webhook listener on this device


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


MULTILINE = frozenset({"receipt.header", "receipt.footer"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _platform_defaults() -> tuple[Any, ...]:
    return tuple(s.settings() for s in PLATFORM_SECTIONS.values())


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
    network: NetworkConfig = field(default_factory=NetworkConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    pickup: PickupConfig = field(default_factory=PickupConfig)
    # Each platform's own section (config_platforms.py), at most one of each class: read them
    # with section(), so that a platform added is a row there and not a field here.
    platform_settings: tuple[Any, ...] = field(default_factory=_platform_defaults)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    def section(self, cls: type[T]) -> T:
        """The platform section of class `cls`: as loaded, else its defaults."""
        for settings in self.platform_settings:
            if isinstance(settings, cls):
                return settings
        return cls()

    def with_section(self, settings: object) -> Config:
        """A copy whose section of `settings`'s class is `settings`."""
        # In place, so that configs equal in content compare equal whichever was set last.
        kept = tuple(settings if type(s) is type(settings) else s for s in self.platform_settings)
        if not any(type(s) is type(settings) for s in self.platform_settings):
            kept = (*kept, settings)
        return dataclasses.replace(self, platform_settings=kept)


# Config's sections, in file order (the neutral ones, then each platform's): name -> its class.
_NEUTRAL: dict[str, Any] = {
    f.name: f.default_factory
    for f in fields(Config)
    if f.name not in ("data_dir", "path", "platform_settings")
}
SECTIONS: dict[str, Any] = {
    **_NEUTRAL,
    **{name: s.settings for name, s in PLATFORM_SECTIONS.items()},
}
# How each setting is checked, by "section.field" (config_checks.py); the rest is free text.
CHECKS: dict[str, Rule] = {
    **NEUTRAL_CHECKS,
    **{f"{n}.{k}": rule for n, s in PLATFORM_SECTIONS.items() for k, rule in s.checks.items()},
}


def section_values(config: Config, name: str) -> Any:
    """The section `name` of `config`, a neutral one or a platform's."""
    return getattr(config, name) if name in _NEUTRAL else config.section(SECTIONS[name])


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
    try:  # an older file's platform settings under [store] are read as their own section's
        raw, origin.moved = moved_from_store(raw)
    except ValueError as exc:
        raise ConfigError(f"{origin.file}: {exc}") from None
    sections = {
        name: _section(cls, raw.get(name, {}), name, origin, env) for name, cls in _NEUTRAL.items()
    }
    platform_settings = tuple(
        _section(s.settings, raw.get(name, {}), name, origin, env, s.from_store)
        for name, s in PLATFORM_SECTIONS.items()
    )
    config = Config(data_dir=data_dir, path=path, platform_settings=platform_settings, **sections)
    _check(config, origin)
    return config


class _Origin:
    """Where each setting's value came from, so that an error blames the right place."""

    def __init__(self, path: Path | None) -> None:
        self.file = str(path) if path else "default settings"
        self.env: dict[str, str] = {}  # "sync.webhook_port" -> "KIOSK_SYNC_WEBHOOK_PORT=70000"
        self.in_file: set[str] = set()
        self.moved: dict[str, str] = {}  # "woocommerce.auth" -> "store.auth", its old place

    def of(self, *keys: str) -> str:
        named = [self.env[k] for k in keys if k in self.env]
        if not named or any(k in self.in_file and k not in self.env for k in keys):
            named.append(self.file)
        return ", ".join(named)

    def label(self, key: str) -> str:
        """`key`, and the old name the file gave it, if that is where the value was read."""
        old = self.moved.get(key) if key not in self.env else None
        return f"{key} (read from {old})" if old else key

    def fail(self, key: str, what: str, *also: str) -> ConfigError:
        """The error for `key` (and `also`, which share the blame): "<where>: <key> <what>"."""
        return ConfigError(f"{self.of(key, *also)}: {self.label(key)} {what}")


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


def _section(
    cls: type[T], raw: Any, name: str, origin: _Origin, env: bool, from_store: tuple[str, ...] = ()
) -> T:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin.file}: [{name}] must be a table")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    for key in raw:
        if key not in names:
            raise ConfigError(f"{origin.file}: unknown setting {name}.{key}")
    values: dict[str, Any] = {}
    value: Any
    for f in fields(cls):  # type: ignore[arg-type]
        key, value = f"{name}.{f.name}", None
        variables = [f"KIOSK_{name}_{f.name}".upper()]
        if f.name in from_store:  # moved out of [store]: its old variable still counts, second
            variables.append(f"KIOSK_STORE_{f.name}".upper())
        for var in variables if env else []:
            value = os.environ.get(var)
            if value is not None:
                origin.env[key] = f"{var}={value if value.isprintable() else repr(value)}"
                break
        if value is None and f.name in raw:
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
        values = section_values(config, name)
        for f in fields(values):
            key, value = f"{name}.{f.name}", getattr(values, f.name)
            text = value.replace("\n", "") if key in MULTILINE else value
            if isinstance(text, str) and _CONTROL.search(text):
                raise origin.fail(key, f"must not hold control characters: {value!r}")
            try:
                apply_rule(CHECKS.get(key, str), value)
            except (ValueError, UnknownLocaleError) as exc:
                # Our own checks say "must ..."; the parsers' messages are sentences of their own.
                sep = " " if str(exc).startswith("must") else ": "
                raise ConfigError(f"{origin.of(key)}: {origin.label(key)}{sep}{exc}") from None
    store = config.store
    if bool(store.platform) != bool(store.url):
        raise origin.fail("store.url", "and store.platform are set together", "store.platform")
    try:
        variable_layouts(config.barcodes)
    except ValueError as exc:
        keys = [f"barcodes.{f.name}" for f in fields(BarcodesConfig)]
        raise ConfigError(f"{origin.of(*keys)}: [barcodes] {exc}") from None


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
        values = section_values(config, section)
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
