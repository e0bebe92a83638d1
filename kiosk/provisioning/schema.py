"""A provisioning file checked as a whole: a Plan to apply, or every problem by its dotted path.

The file is a kiosk.toml (the sections config.py knows, checked by the same rules), plus:
- each platform section may hold that platform's secrets by their secrets-file names
  (woocommerce.consumer_key/consumer_secret, shopify.token, stripe.api_key);
- [wifi] ssid, password, hidden; [reader] registration_code, label, country (pairs the Stripe
  reader; the account is [stripe]); [[staff]] name, role (cashier|manager), and pin or
  pin_hash (as kiosk.staff.pins.hash_pin makes it, so a fleet file need carry no PIN in clear);
- [devices."SERIAL"] name, order_prefix: this device's own, picked by the Pi's serial number.

A secret left out of the file is taken from the secrets file, so a file whose secrets were
scrubbed by an earlier run validates again, unchanged (re-running is harmless).
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from babel.core import UnknownLocaleError

from kiosk.config import (
    CHECKS,
    MULTILINE,
    SECTIONS,
    Config,
    ConfigError,
    dump_toml,
    load_config,
    section_values,
)
from kiosk.config_checks import apply_rule
from kiosk.config_platforms import PLATFORM_SECTIONS, ShopifyConfig, moved_from_store
from kiosk.secrets import Secrets, SecretsSection
from kiosk.staff.accounts import check_name, check_role
from kiosk.staff.pins import check_new_pin, params_of

SecretClasses = Mapping[str, type[SecretsSection]]  # platform section -> its secrets' class
WIFI, READER, STAFF, DEVICES = "wifi", "reader", "staff", "devices"
# Secrets-file sections provisioning keeps for itself: the WiFi it joins (so a re-run from a
# scrubbed file can join again) and staff PINs not yet given to the staff accounts.
WIFI_SECRETS, STAFF_SECRETS = "provision_wifi", "provision_staff"
_EXTRA = {
    WIFI: {"ssid", "password", "hidden"},
    READER: {"registration_code", "label", "country"},
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # dotted, as the file spells it: "woocommerce.consumer_key", "staff[1].pin"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True, slots=True)
class Wifi:
    ssid: str
    password: str | None  # None: an open network
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Reader:
    registration_code: str  # "": only the account and location are set up
    label: str
    country: str


@dataclass(frozen=True, slots=True)
class StaffEntry:
    name: str
    role: str
    pin: str  # "": none given (a hash instead, or the account exists already)
    pin_hash: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """What the file asks for, merged with what the device already has."""

    source: Path
    config: Config  # every setting as it will be saved
    secrets: Secrets  # the secrets file as it will be saved
    wifi: Wifi | None
    reader: Reader | None
    staff: tuple[StaffEntry, ...]
    secret_paths: tuple[tuple[str, ...], ...]  # where the file holds secrets: scrubbed after
    notes: tuple[str, ...]  # what the vendor should know, though nothing is wrong
    given: frozenset[str]  # the sections the file names


class Invalid(Exception):
    """The file has problems; nothing was applied."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def read_file(source: Path) -> dict[str, Any]:
    """The file's tables; Invalid names it when it cannot be read or is not TOML."""
    try:
        with source.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise Invalid([Problem("", f"{source}: no such file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise Invalid([Problem("", f"{source}: not valid TOML: {exc}")]) from None
    except OSError as exc:
        raise Invalid([Problem("", f"{source}: cannot read: {exc.strerror}")]) from None


def validate(
    source: Path,
    raw: Mapping[str, Any],
    *,
    current: Config,
    secrets: Secrets,
    secret_classes: SecretClasses,
    serial: str | None,
    staff_exists: Callable[[str], bool] = lambda _name: False,
) -> Plan:
    """The file `raw` (read from `source`) as a Plan over the device's `current` settings.

    Raises Invalid listing every problem: unknown sections and settings, values that break
    config.py's rules, secrets missing (from the file and the secrets file alike), bad WiFi,
    reader, staff or device-table entries. Nothing is written.
    """
    v = _Validator(current, secrets, secret_classes)
    try:
        raw, _moved = moved_from_store(dict(raw))
    except ValueError as exc:
        v.problem("store", str(exc))
    known = [*SECTIONS, WIFI, READER, STAFF, DEVICES]
    for name, table in raw.items():
        if name not in known:
            v.problem(name, f"unknown section (known: {', '.join(known)})")
        elif name == STAFF:
            v.staff(table, staff_exists)
        elif name == DEVICES:
            v.devices(table, serial)
        elif not isinstance(table, Mapping):
            v.problem(name, "must be a table ([" + name + "])")
        elif name in _EXTRA:
            v.extra(name, table)
        else:
            v.section(name, table)
    v.store_secrets()
    v.whole(source)
    if v.problems:
        raise Invalid(v.problems)
    return Plan(
        source=source,
        config=v.config,
        secrets=v.secrets,
        wifi=v.wifi,
        reader=v.reader,
        staff=tuple(v.staff_entries),
        secret_paths=tuple(v.secret_paths),
        notes=tuple(v.notes),
        given=frozenset(raw),
    )


class _Validator:
    def __init__(self, current: Config, secrets: Secrets, classes: SecretClasses) -> None:
        self.config, self.secrets, self.classes = current, secrets, classes
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.secret_paths: list[tuple[str, ...]] = []
        self.wifi: Wifi | None = None
        self.reader: Reader | None = None
        self.staff_entries: list[StaffEntry] = []
        self.device_values: dict[str, str] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- the settings sections, by config.py's own rules ------------------------------------

    def section(self, name: str, table: Mapping[str, Any]) -> None:
        values = section_values(self.config, name)
        secret_cls = self.classes.get(name)
        secret_names = {f.name for f in fields(secret_cls)} if secret_cls else set()
        names = {f.name: f for f in fields(values)}
        changed: dict[str, Any] = {}
        given_secrets: dict[str, str] = {}
        for key, value in table.items():
            path = f"{name}.{key}"
            if key in secret_names:
                self.secret_paths.append((name, key))
                if self._text(path, value, allow_empty=False):
                    given_secrets[key] = value.strip()
            elif key not in names:
                self.problem(path, "unknown setting")
            else:
                checked = self._setting(path, names[key].default, value)
                if checked is not None:
                    changed[key] = checked
        new = dataclasses.replace(values, **changed)
        if name in PLATFORM_SECTIONS:
            self.config = self.config.with_section(new)
        else:
            self.config = dataclasses.replace(self.config, **{name: new})
        if secret_cls and given_secrets:
            old = secret_cls.of(self.secrets)
            self.secrets = dataclasses.replace(old, **given_secrets).into(self.secrets)

    def _setting(self, path: str, default: Any, value: Any) -> Any:
        """`value` as config.py would read it, or None after naming what is wrong."""
        if isinstance(default, int):
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(path, f"must be a whole number, got {value!r}")
                return None
        elif path == "limits.max_amount" and type(value) is int:
            value = str(value)
        elif not isinstance(value, str):
            self.problem(path, f"must be text, got {value!r}")
            return None
        if isinstance(value, str):
            value = value.strip()
            text = value.replace("\n", "") if path in MULTILINE else value
            if _CONTROL.search(text):
                self.problem(path, f"must not hold control characters: {value!r}")
                return None
        try:
            apply_rule(CHECKS.get(path, str), value)
        except (ValueError, UnknownLocaleError) as exc:
            self.problem(path, str(exc) if str(exc).startswith("must") else f"{exc}")
            return None
        return value

    def _text(self, path: str, value: Any, *, allow_empty: bool = True) -> bool:
        if not isinstance(value, str):
            self.problem(path, f"must be text in quotes, got {value!r}")
            return False
        if _CONTROL.search(value):
            self.problem(path, "must not hold control characters")
            return False
        if not allow_empty and not value.strip():
            self.problem(path, "must not be empty")
            return False
        return True

    def store_secrets(self) -> None:
        """The store's (and the card account's) secrets are all there, in the file or stored."""
        store = self.config.store
        if not store.platform and not store.url:
            shop = self.config.section(ShopifyConfig).shop
            if shop and "shopify" in self.classes:  # [shopify] shop alone names the store
                store = dataclasses.replace(store, platform="shopify", url=f"https://{shop}")
                self.config = dataclasses.replace(self.config, store=store)
        needed = [store.platform] if store.platform else []
        if self.reader is not None or "stripe" in {p[0] for p in self.secret_paths}:
            needed.append("stripe")
        for name in needed:
            cls = self.classes.get(name)
            if cls is None:
                continue
            have = cls.of(self.secrets)
            for f in fields(have):
                if not getattr(have, f.name):
                    self.problem(
                        f"{name}.{f.name}",
                        "missing: put it in the file (it is moved to the secrets file)",
                    )
        if "stripe" in needed and not self.problems:
            self._stripe_key()

    def _stripe_key(self) -> None:
        from kiosk.payments.stripe_setup import MAKE_RESTRICTED, SetupError, key_mode

        cls = self.classes["stripe"]
        key = str(getattr(cls.of(self.secrets), "api_key", ""))
        try:
            mode = key_mode(key)
        except SetupError as exc:
            self.problem("stripe.api_key", str(exc).removeprefix("--key ").strip())
            return
        if not mode.restricted:
            self.problem(
                "stripe.api_key",
                f"is a secret key (sk_{mode.mode}_...), which can do anything to the account: "
                f"it does not go on a device; {MAKE_RESTRICTED}",
            )

    # -- WiFi and the reader ------------------------------------------------------------------

    def extra(self, name: str, table: Mapping[str, Any]) -> None:
        for key in table:
            if key not in _EXTRA[name]:
                self.problem(f"{name}.{key}", "unknown setting")
        if name == WIFI:
            self._wifi(table)
        else:
            self._reader(table)

    def _wifi(self, table: Mapping[str, Any]) -> None:
        ssid, hidden = table.get("ssid"), table.get("hidden", False)
        stored = self.secrets.section(WIFI_SECRETS)
        ok = self._text("wifi.ssid", ssid, allow_empty=False)
        if ok and len(str(ssid).encode()) > 32:
            self.problem("wifi.ssid", "must be at most 32 bytes long (a WiFi name's limit)")
            ok = False
        if not isinstance(hidden, bool):
            self.problem("wifi.hidden", f"must be true or false, got {hidden!r}")
            ok = False
        password: str | None = None
        if "password" in table:
            self.secret_paths.append((WIFI, "password"))
            value = table["password"]
            if self._text("wifi.password", value):
                password = value or None
                try:
                    _check_wifi_password(password)
                except ValueError as exc:
                    self.problem("wifi.password", str(exc))
                    ok = False
            else:
                ok = False
        elif ok and stored.get("ssid") == ssid:
            password = stored.get("password") or None  # scrubbed by an earlier run
        if ok:
            self.wifi = Wifi(str(ssid).strip(), password, bool(hidden))
            saved = {"ssid": self.wifi.ssid, "password": password or ""}
            self.secrets = self.secrets.with_section(WIFI_SECRETS, saved)

    def _reader(self, table: Mapping[str, Any]) -> None:
        code, label = table.get("registration_code", ""), table.get("label", "")
        country = table.get("country", "")
        ok = all(
            self._text(f"reader.{k}", v)
            for k, v in (("registration_code", code), ("label", label), ("country", country))
        )
        if ok and country and not (len(country) == 2 and country.isalpha()):
            self.problem("reader.country", f"must be a two-letter code such as GB, not {country!r}")
            ok = False
        if ok:
            self.reader = Reader(code.strip(), label.strip(), country.strip().upper())

    # -- staff and the per-device table ---------------------------------------------------------

    def staff(self, entries: Any, exists: Callable[[str], bool]) -> None:
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
            self.problem(STAFF, "must be [[staff]] tables, one per person")
            return
        pins = dict(self.secrets.section(STAFF_SECRETS))
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            at = f"staff[{i}]"
            for key in entry:
                if key not in ("name", "role", "pin", "pin_hash"):
                    self.problem(f"{at}.{key}", "unknown setting (name, role, pin, pin_hash)")
            name, role = entry.get("name"), entry.get("role", "cashier")
            ok = self._text(f"{at}.name", name, allow_empty=False)
            if ok:
                try:  # the staff accounts' own rules
                    name = check_name(name)
                except ValueError as exc:
                    self.problem(f"{at}.name", str(exc).removeprefix("the name "))
                    ok = False
            if ok and name.casefold() in seen:
                self.problem(f"{at}.name", f"{name!r} is listed twice")
                ok = False
            if ok:
                seen.add(name.casefold())
            try:
                check_role(role)
            except ValueError:
                self.problem(f"{at}.role", f"must be cashier or manager, not {role!r}")
                ok = False
            pin, pin_hash = entry.get("pin"), entry.get("pin_hash", "")
            if "pin" in entry:
                self.secret_paths.append((STAFF, str(i), "pin"))
            if pin_hash:
                if pin is not None:
                    self.problem(f"{at}.pin_hash", "give the pin or its hash, not both")
                    ok = False
                elif not isinstance(pin_hash, str) or not _is_pin_hash(pin_hash):
                    self.problem(f"{at}.pin_hash", "is not a PIN hash kiosk made (hash_pin)")
                    ok = False
                pin = ""
            elif pin is None:
                pin = pins.get(name, "") if ok else ""
                if ok and not pin and not exists(name):
                    self.problem(f"{at}.pin", "missing: give each person a PIN of digits")
                    ok = False
            elif not isinstance(pin, str):
                self.problem(f"{at}.pin", "must be text in quotes (a PIN may start with 0)")
                ok = False
            else:
                try:
                    check_new_pin(pin)
                except ValueError as exc:
                    self.problem(f"{at}.pin", str(exc).removeprefix("the PIN "))
                    ok = False
            if ok:
                self.staff_entries.append(StaffEntry(name, role, pin, pin_hash))
                if pin:
                    pins[name] = pin
        if entries and not any(e.get("role") == "manager" for e in entries):
            self.problem(STAFF, 'needs at least one manager (role = "manager")')
        self.secrets = self.secrets.with_section(STAFF_SECRETS, pins)

    def devices(self, table: Any, serial: str | None) -> None:
        if not isinstance(table, Mapping):
            self.problem(DEVICES, 'must be tables such as [devices."10000000abcdef01"]')
            return
        prefixes: dict[str, str] = {}
        for key, entry in table.items():
            at = f'devices."{key}"'
            if not isinstance(entry, Mapping):
                self.problem(at, "must be a table with name and order_prefix")
                continue
            for field_name, value in entry.items():
                path = f"{at}.{field_name}"
                if field_name not in ("name", "order_prefix"):
                    self.problem(path, "unknown setting (name, order_prefix)")
                    continue
                checked = self._setting(f"device.{field_name}", "", value)
                if checked is None:  # name the table's entry, not [device]
                    last = self.problems.pop()
                    self.problem(path, last.message)
                    continue
                if field_name == "order_prefix":
                    if checked in prefixes:
                        self.problem(
                            path, f"{checked!r} is also {prefixes[checked]}'s: order numbers clash"
                        )
                    prefixes[checked] = at
                if str(key).lower() == (serial or "").lower():
                    self.device_values[field_name] = checked
        if serial is None:
            self.notes.append(
                "this device's serial number could not be read: [devices] not used, [device] kept"
            )
        elif not any(str(k).lower() == serial.lower() for k in table):
            self.notes.append(f"this device (serial {serial}) is not in [devices]: [device] kept")

    def finish_device(self) -> None:
        if self.device_values:
            device = dataclasses.replace(self.config.device, **self.device_values)
            self.config = dataclasses.replace(self.config, device=device)

    # -- the whole, as config.py loads it -------------------------------------------------------

    def whole(self, source: Path) -> None:
        """The checks across settings (store.platform with store.url, the barcode layout)."""
        self.finish_device()
        if self.problems:
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "kiosk.toml"
            path.write_text(dump_toml(self.config))
            try:
                load_config(path, self.config.data_dir, env=False)
            except ConfigError as exc:
                self.problem("", str(exc).replace(str(path), str(source)))


def _is_pin_hash(text: str) -> bool:
    try:
        params_of(text)
    except ValueError:
        return False
    return True


def _check_wifi_password(password: str | None) -> None:
    try:  # NetworkManager's own rule; without its bindings no WiFi is joined anyway
        from kiosk.network.nm_setup import check_password
    except ImportError:
        return
    check_password(password)
