"""Carrying out a validated Plan, one step at a time, each through the module that owns it.

Order matters: the secrets are saved before the source file loses them, and WiFi comes up
before the store and the card account are asked anything. A step that fails does not stop the
next ones (the vendor reads every outcome in kiosk-provisioned.txt). Steps that cannot be done
twice (joining WiFi, pairing a reader with its one-time code) remember a fingerprint of what they
did, in the 0600 secrets file, and are skipped when asked the same again.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import secrets as token
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from kiosk.config import Config, dump_toml, load_config, save_config
from kiosk.config_platforms import StripeConfig
from kiosk.connectors.base import StoreInfo
from kiosk.connectors.errors import ConnectorError
from kiosk.provisioning.reader import ReaderFailed, setup_reader
from kiosk.provisioning.schema import STAFF_SECRETS, Plan
from kiosk.provisioning.scrub import scrub_file
from kiosk.provisioning.wifi import WifiError, WifiJoiner
from kiosk.secrets import Secrets, load_secrets, save_secrets

STATE_SECRETS = "provision_done"  # step -> fingerprint of what it last did


class Outcome(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"  # already so: nothing done
    FAILED = "failed"
    LEFT = "left"  # not done by this version of the device


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    outcome: Outcome
    detail: str  # in words: what was done, or what to fix


class StaffAccounts(Protocol):
    """The staff PIN accounts (kiosk.staff), as provisioning needs them."""

    async def names(self) -> set[str]:
        """Everyone who can sign in, case-folded."""
        ...

    async def provision(self, name: str, role: str, pin: str, pin_hash: str = "") -> str:
        """Add `name` (with the PIN or its hash), or set their PIN; what was done, in words
        ("" for nothing)."""
        ...


StoreCheck = Callable[[Config, Secrets], Awaitable[StoreInfo]]


async def check_store(config: Config, secrets: Secrets) -> StoreInfo:
    """The store's connection test, through the platform table's connector."""
    from kiosk.connectors.factory import open_connector

    connector = open_connector(config, secrets, locale=config.shop.locale)
    try:
        return await connector.check()
    finally:
        await connector.close()


@dataclass
class Tools:
    wifi: WifiJoiner
    check_store: StoreCheck = check_store
    staff: StaffAccounts | None = None
    wifi_secret_section: str = "provision_wifi"


async def apply_plan(plan: Plan, raw: Mapping[str, Any], tools: Tools) -> list[Step]:
    """Apply `plan` (validated from the file's tables `raw`); every step's outcome, in order."""
    run = _Run(plan, tools)
    run.save_secrets()
    run.save_settings()
    run.scrub(raw)
    await run.join_wifi()
    await run.check_store()
    await run.card_reader()
    await run.add_staff()
    return run.steps


def _fingerprint(*values: object) -> str:
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


class _Run:
    def __init__(self, plan: Plan, tools: Tools) -> None:
        self.plan, self.tools = plan, tools
        self.config = plan.config
        self.secrets = plan.secrets
        self.steps: list[Step] = []
        self.wifi_down = False

    def step(self, name: str, outcome: Outcome, detail: str) -> None:
        self.steps.append(Step(name, outcome, detail))

    def _done(self, step: str) -> str:
        return self.secrets.section(STATE_SECRETS).get(step, "")

    def _remember(self, step: str, fingerprint: str) -> None:
        state = {**self.secrets.section(STATE_SECRETS), step: fingerprint}
        self.secrets = self.secrets.with_section(STATE_SECRETS, state)
        save_secrets(self.config.data_dir, self.secrets)

    def save_secrets(self) -> None:
        data_dir = self.config.data_dir
        if not self.secrets.webhook_secret:  # as `kiosk provision woocommerce` mints it
            self.secrets = dataclasses.replace(self.secrets, webhook_secret=token.token_urlsafe(32))
        old = load_secrets(data_dir)
        path = save_secrets(data_dir, self.secrets)
        if old == self.secrets:
            self.step("secrets", Outcome.UNCHANGED, f"{path} already holds the keys")
        else:
            self.step("secrets", Outcome.APPLIED, f"keys saved to {path} (readable only by kiosk)")

    def save_settings(self) -> None:
        old = load_config(self.config.path, self.config.data_dir, env=False)
        path = save_config(self.config)
        same = dump_toml(old) == dump_toml(self.config)
        what = f"{self.config.device.name}, order numbers {self.config.device.order_prefix}…"
        if same:
            self.step("settings", Outcome.UNCHANGED, f"{path} already says so ({what})")
        else:
            self.step("settings", Outcome.APPLIED, f"saved to {path} ({what})")

    def scrub(self, raw: Mapping[str, Any]) -> None:
        source = self.plan.source
        try:
            removed = scrub_file(source, raw, self.plan.secret_paths)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                # kiosk-firstboot runs as the kiosk user, who may not write the boot partition;
                # the unit shreds the whole file (as root) once this run succeeds.
                self.step(
                    "source file",
                    Outcome.LEFT,
                    f"this user may not rewrite {source} ({exc.strerror}): the keys are in the "
                    "secrets file now; remove the file (kiosk-firstboot shreds it when done)",
                )
                return
            self.step(
                "source file",
                Outcome.FAILED,
                f"could not rewrite {source} without its secrets ({exc.strerror}): "
                "delete the file or remove the keys, passwords and PINs from it by hand",
            )
            return
        if removed:
            self.step("source file", Outcome.APPLIED, f"secrets removed from {source}")
        else:
            self.step("source file", Outcome.UNCHANGED, f"{source} holds no secrets")

    async def join_wifi(self) -> None:
        wifi = self.plan.wifi
        if wifi is None:
            return
        fingerprint = _fingerprint(wifi.ssid, wifi.password, wifi.hidden)
        if self._done("wifi") == fingerprint:
            self.step("wifi", Outcome.UNCHANGED, f"joined {wifi.ssid!r} before")
            return
        try:
            await self.tools.wifi.join(wifi.ssid, wifi.password, hidden=wifi.hidden)
        except WifiError as exc:
            self.wifi_down = True
            self.step("wifi", Outcome.FAILED, f"{exc}: check wifi.ssid and wifi.password")
            return
        self._remember("wifi", fingerprint)
        self.step("wifi", Outcome.APPLIED, f"joined {wifi.ssid!r}")

    async def check_store(self) -> None:
        store = self.config.store
        if not store.platform:
            return
        try:
            info = await self.tools.check_store(self.config, self.secrets)
        except ConnectorError as exc:
            self.step("store", Outcome.FAILED, str(exc))
            return
        if not info.can_write:
            self.step(
                "store",
                Outcome.FAILED,
                f"{info.name or store.url}: the keys are read-only, so sales could not be "
                "uploaded; give keys (or a token) that may write orders",
            )
            return
        self.step(
            "store",
            Outcome.APPLIED,
            f"connected to {info.name or store.url} ({info.currency}) on {store.platform}",
        )

    async def card_reader(self) -> None:
        from kiosk.payments.stripe_setup import StripeSecrets

        key = StripeSecrets.of(self.secrets).api_key
        reader = self.plan.reader
        if not key or ("stripe" not in self.plan.given and reader is None):
            return
        stripe = self.config.section(StripeConfig)
        code = reader.registration_code if reader else ""
        fingerprint = _fingerprint(key, stripe.location, code)
        if self._done("reader") == fingerprint and (stripe.reader or not code):
            done = stripe.reader or "no reader"
            self.step("card reader", Outcome.UNCHANGED, f"set up before ({done})")
            return
        old = load_config(self.config.path, self.config.data_dir, env=False)
        try:
            done_ = await setup_reader(
                stripe,
                key,
                configured_location=old.section(StripeConfig).location,
                code=code,
                label=reader.label if reader and reader.label else self.config.device.name,
                country=reader.country if reader else "",
            )
        except ReaderFailed as exc:
            where = {"api_key": "stripe.api_key", "location": "stripe.location"}.get(
                exc.field, f"reader.{exc.field}"
            )
            self.step("card reader", Outcome.FAILED, f"{where}: {exc}" if exc.field else str(exc))
            return
        settings = done_.settings
        self.config = self.config.with_section(settings)
        save_config(self.config)
        self._remember("reader", _fingerprint(key, settings.location, code))
        where = f"location {settings.location} ({done_.location_name})"
        self.step(
            "card reader",
            Outcome.APPLIED,
            f"reader {settings.reader} paired at {where}"
            if settings.reader
            else f"card account set up at {where}",
        )

    async def add_staff(self) -> None:
        if not self.plan.staff:
            return
        accounts = self.tools.staff
        if accounts is None:
            self.step(
                "staff",
                Outcome.LEFT,
                f"{len(self.plan.staff)} staff accounts wait in the secrets file: no staff "
                "accounts were given to this run; run kiosk provision again with them",
            )
            return
        pins = dict(self.secrets.section(STAFF_SECRETS))
        done, failed = [], []
        for entry in self.plan.staff:
            if not entry.pin and not entry.pin_hash:
                continue  # an account already there, its PIN not in the file any more
            try:
                words = await accounts.provision(entry.name, entry.role, entry.pin, entry.pin_hash)
            except ValueError as exc:  # StaffError, BadPin: in words
                failed.append(f"{entry.name}: {exc}")
                continue
            if words:
                done.append(words)
            pins.pop(entry.name, None)  # hashed by the accounts now: no plain PIN kept
        self.secrets = self.secrets.with_section(STAFF_SECRETS, pins)
        save_secrets(self.config.data_dir, self.secrets)
        if failed:
            self.step("staff", Outcome.FAILED, "; ".join(failed + done))
        elif done:
            self.step("staff", Outcome.APPLIED, "; ".join(done))
        else:
            self.step("staff", Outcome.UNCHANGED, "every account was there already")
