"""The setup wizard's steps, independent of any screen: input in, the next Form (or Done) out.

Steps, in order: locale -> network -> store -> sync -> hardware -> reader -> staff -> Done.
Each submit() returns the next step's Form, or the same step's Form with errors keyed by field
(the field the person must change), or Done. Every finished step is recorded on disk
(state.py), so a wizard killed at any step resumes there; any step reached can be revisited
with goto(), showing what it was given. Settings are checked by the same rules as the
provisioning file (kiosk/provisioning/schema.py) and saved through the same modules; the
network, the store check, the initial sync, the hardware tests, the reader and the staff
accounts come in through SetupDeps, so tests drive every step with fakes and simulators.
"""

from __future__ import annotations

import dataclasses
import secrets as token
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.config import Config, load_config, save_config
from kiosk.config_platforms import PLATFORM_SECTIONS, StripeConfig
from kiosk.connectors.errors import (
    ApiDisabled,
    AuthFailed,
    ConnectorError,
    NotAStore,
    PermissionDenied,
    StoreUnreachable,
    TLSFailure,
)
from kiosk.network.base import Link, LinkKind
from kiosk.provisioning.apply import StaffAccounts, StoreCheck
from kiosk.provisioning.reader import ReaderFailed, setup_reader
from kiosk.provisioning.schema import Invalid, SecretClasses, validate
from kiosk.provisioning.wifi import WifiError, WifiJoiner
from kiosk.secrets import Secrets, load_secrets, save_secrets
from kiosk.setup.state import WizardState, load_state, save_state
from kiosk.staff.accounts import check_name, check_role
from kiosk.staff.pins import check_new_pin

STEPS = ("locale", "network", "store", "sync", "hardware", "reader", "staff")
DEVICES = ("scanner", "printer", "drawer")  # the hardware step's tests
SOURCE = Path("setup wizard")  # what the settings' checks name as the values' origin


@dataclass(frozen=True, slots=True)
class Form:
    step: str
    errors: Mapping[str, str] = field(default_factory=dict)  # field -> what to change
    values: Mapping[str, Any] = field(default_factory=dict)  # what the fields show (no secrets)
    info: Mapping[str, Any] = field(default_factory=dict)  # what the step shows beside them


@dataclass(frozen=True, slots=True)
class Done:
    pass


Result = Form | Done
Progress = Callable[[int, int], None]  # (done, total) items of the initial sync


class InitialSync(Protocol):
    async def run(self, config: Config, progress: Progress) -> Mapping[str, int]:
        """The first full copy of the catalog; counts by kind. ConnectorError in words."""
        ...


class HardwareTests(Protocol):
    """Each raises an exception whose message says what is wrong."""

    async def print_test(self, config: Config) -> None: ...

    async def open_drawer(self, config: Config) -> None: ...

    async def read_code(self, config: Config) -> str | None:
        """The next barcode scanned (None: none within the test's time)."""
        ...


class StaffList(StaffAccounts, Protocol):
    async def has_manager(self) -> bool: ...


@dataclass
class SetupDeps:
    wifi: WifiJoiner
    link: Callable[[], Awaitable[Link]]
    check_store: StoreCheck
    secret_classes: SecretClasses
    sync: InitialSync
    hardware: HardwareTests
    staff: StaffList
    monotonic: Callable[[], float] = time.monotonic


def estimate_s(done: int, total: int, elapsed_s: float) -> float | None:
    """Seconds left at the pace so far; None before there is a pace to go by."""
    if done <= 0 or total <= 0 or elapsed_s <= 0:
        return None
    return max(0.0, elapsed_s / done * (total - done))


class Wizard:
    def __init__(self, data_dir: Path, deps: SetupDeps, config_path: Path | None = None) -> None:
        self.data_dir, self.deps, self.config_path = data_dir, deps, config_path
        self.state: WizardState = load_state(data_dir, STEPS[0])
        self.progress: dict[str, Any] = {}  # the initial sync's, while it runs

    # -- moving between steps ----------------------------------------------------------------

    async def current(self) -> Result:
        """Where the wizard stands: the saved step's Form, or Done."""
        if self.state.finished:
            return Done()
        return await self._form(self.state.step)

    def reachable(self, step: str) -> bool:
        """A step is reachable once every step before it is done."""
        index = STEPS.index(step)
        return all(s in self.state.values for s in STEPS[:index])

    async def goto(self, step: str) -> Form:
        """Revisit `step` (one already reached), showing what it was given."""
        if step not in STEPS or not self.reachable(step):
            return await self._form(self.state.step, {"step": f"{step} is not reached yet"})
        self.state.step, self.state.finished = step, False
        save_state(self.data_dir, self.state)
        return await self._form(step)

    async def back(self) -> Form:
        index = STEPS.index(self.state.step)
        return await self.goto(STEPS[max(0, index - 1)])

    async def submit(self, step: str, data: Mapping[str, Any]) -> Result:
        """Give `step` its input: the next step's Form, this one's with errors, or Done."""
        if step not in STEPS or not self.reachable(step):
            return await self._form(self.state.step, {"step": f"{step} is not reached yet"})
        handler = getattr(self, f"_step_{step}")
        outcome: Form | dict[str, Any] = await handler(data)
        if isinstance(outcome, Form):  # errors, or another look at the same step
            return outcome
        self.state.values[step] = outcome
        later = STEPS[STEPS.index(step) + 1 :]
        self.state.finished = not later
        self.state.step = later[0] if later else step
        save_state(self.data_dir, self.state)
        return Done() if self.state.finished else await self._form(self.state.step)

    async def _form(self, step: str, errors: Mapping[str, str] | None = None) -> Form:
        info: dict[str, Any] = {"index": STEPS.index(step), "steps": STEPS}
        if step == "network":
            info["link"] = (await self.deps.link()).label
        elif step == "hardware":
            info["tests"] = dict(self.state.tests)
        elif step == "sync":
            info["progress"] = dict(self.progress)
        elif step == "staff":
            info["staff"] = sorted(await self.deps.staff.names())
        return Form(step, dict(errors or {}), dict(self.state.values.get(step, {})), info)

    def _config(self) -> Config:
        return load_config(self.config_path, self.data_dir, env=False)

    def _validate(self, raw: Mapping[str, Any], secrets: Secrets | None = None) -> Any:
        return validate(
            SOURCE,
            raw,
            current=self._config(),
            secrets=secrets if secrets is not None else load_secrets(self.data_dir),
            secret_classes=self.deps.secret_classes,
            serial=None,
        )

    @staticmethod
    def _errors(step: str, exc: Invalid, default: str) -> Form:
        # "shop.locale" -> "locale", "woocommerce.consumer_key" -> "consumer_key".
        errors: dict[str, str] = {}
        for p in exc.problems:
            # The file's words for a missing key ("put it in the file") are not the screen's.
            message = "must be given" if p.message.startswith("missing") else p.message
            errors.setdefault(p.path.rsplit(".", 1)[-1] if p.path else default, message)
        return Form(step, errors)

    # -- the steps ---------------------------------------------------------------------------

    async def _step_locale(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        shop = {"locale": data.get("locale", ""), "currency": data.get("currency", "")}
        try:
            plan = self._validate({"shop": shop})
        except Invalid as exc:
            return self._errors("locale", exc, "locale")
        save_config(plan.config)
        return {"locale": plan.config.shop.locale, "currency": plan.config.shop.currency}

    async def _step_network(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        if data.get("skip"):
            link = await self.deps.link()
            if link.kind in (LinkKind.ETHERNET, LinkKind.CELLULAR):
                return {"skipped": link.label}
            return await self._form(
                "network", {"ssid": "there is no Ethernet or cellular link: join a WiFi network"}
            )
        wifi = {k: data[k] for k in ("ssid", "password", "hidden") if k in data}
        try:
            plan = self._validate({"wifi": wifi})
        except Invalid as exc:
            return self._errors("network", exc, "ssid")
        assert plan.wifi is not None
        try:
            await self.deps.wifi.join(plan.wifi.ssid, plan.wifi.password, hidden=plan.wifi.hidden)
        except WifiError as exc:
            where = "password" if "password" in str(exc) else "ssid"
            return await self._form("network", {where: str(exc)})
        return {"ssid": plan.wifi.ssid, "hidden": plan.wifi.hidden}

    async def _step_store(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        platform = str(data.get("platform", ""))
        classes = self.deps.secret_classes
        if platform not in classes or platform == "stripe":
            known = " or ".join(p for p in classes if p != "stripe")
            return Form("store", {"platform": f"must be {known}"})
        url = str(data.get("url", "")).strip().rstrip("/")
        section: dict[str, Any] = {
            f.name: data.get(f.name, "") for f in dataclasses.fields(classes[platform])
        }
        # The platform's own settings given with it (WooCommerce's auth and ca_file, Shopify's
        # shop and location), checked by their section's rules.
        if platform in PLATFORM_SECTIONS:
            for f in dataclasses.fields(PLATFORM_SECTIONS[platform].settings):
                if str(data.get(f.name, "")).strip():
                    section[f.name] = str(data[f.name]).strip()
        if platform == "shopify":
            shop = section.get("shop", "")
            url = url or (f"https://{shop}" if shop else "")
        secret_field = dataclasses.fields(classes[platform])[0].name
        try:
            # The keys are checked as given: none are taken from an earlier attempt's.
            plan = self._validate(
                {"store": {"platform": platform, "url": url}, platform: section}, Secrets()
            )
        except Invalid as exc:
            return self._errors("store", exc, "url")
        try:
            info = await self.deps.check_store(plan.config, plan.secrets)
        except (AuthFailed, PermissionDenied) as exc:
            return Form("store", {secret_field: str(exc)}, {"platform": platform, "url": url})
        except (StoreUnreachable, TLSFailure, NotAStore, ApiDisabled, ConnectorError) as exc:
            return Form("store", {"url": str(exc)}, {"platform": platform, "url": url})
        if not info.can_write:
            return Form(
                "store",
                {secret_field: "these keys are read-only: the device could not upload its sales"},
                {"platform": platform, "url": url},
            )
        old = load_secrets(self.data_dir)
        given = plan.secrets.section(platform)
        keep = old.with_section(platform, given)
        save_secrets(
            self.data_dir,
            dataclasses.replace(keep, webhook_secret=old.webhook_secret or token.token_urlsafe(32)),
        )
        save_config(plan.config)
        return {"platform": platform, "url": url, "name": info.name, "currency": info.currency}

    async def _step_sync(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        started = self.deps.monotonic()

        def progress(done: int, total: int) -> None:
            elapsed = self.deps.monotonic() - started
            self.progress = {
                "done": done,
                "total": total,
                "estimate_s": estimate_s(done, total, elapsed),
            }

        try:
            counts = await self.deps.sync.run(self._config(), progress)
        except ConnectorError as exc:
            return await self._form("sync", {"sync": f"{exc}; try again"})
        return {"counts": dict(counts)}

    async def _step_hardware(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        test = data.get("test")
        if test in DEVICES:
            return await self._hardware_test(str(test))
        errors, skipped = {}, {}
        for device in DEVICES:
            reason = str(data.get(f"{device}_skip", "")).strip()
            if reason:
                skipped[device] = reason
            elif not self.state.tests.get(device):
                errors[device] = f"test the {device}, or say why it is skipped"
        if errors:
            return await self._form("hardware", errors)
        return {"skipped": skipped}

    async def _hardware_test(self, device: str) -> Form:
        config, hw = self._config(), self.deps.hardware
        try:
            if device == "printer":
                await hw.print_test(config)
            elif device == "drawer":
                await hw.open_drawer(config)
            elif await hw.read_code(config) is None:
                raise RuntimeError("no barcode was read: scan one while the test waits")
        except Exception as exc:  # the device's own words, shown beside its test
            self.state.tests[device] = False
            save_state(self.data_dir, self.state)
            return await self._form("hardware", {device: str(exc)})
        self.state.tests[device] = True
        save_state(self.data_dir, self.state)
        return await self._form("hardware")

    async def _step_reader(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        if data.get("skip"):
            # Why, when the person said (the screen asks): kept as the hardware step's are.
            return {"skipped": str(data.get("reason", "")).strip() or True}
        key = str(data.get("api_key", "")).strip()
        if not key:
            return Form("reader", {"api_key": "give the restricted key (rk_...), or skip"})
        config = self._config()
        stripe = dataclasses.replace(
            config.section(StripeConfig), api_base=str(data.get("api_base", "")).strip()
        )
        try:
            done = await setup_reader(
                stripe,
                key,
                configured_location=stripe.location,
                code=str(data.get("registration_code", "")).strip(),
                label=str(data.get("label", "")).strip() or config.device.name,
                country=str(data.get("country", "")).strip().upper(),
            )
        except ReaderFailed as exc:
            return Form("reader", {exc.field or "api_key": str(exc)})
        secrets_cls = self.deps.secret_classes["stripe"]
        stored = secrets_cls.of(load_secrets(self.data_dir))
        fields = dataclasses.fields(secrets_cls)
        saved = dataclasses.replace(stored, **{fields[0].name: key})
        save_secrets(self.data_dir, saved.into(load_secrets(self.data_dir)))
        save_config(config.with_section(done.settings))
        return {"reader": done.settings.reader, "location": done.settings.location}

    async def _step_staff(self, data: Mapping[str, Any]) -> Form | dict[str, Any]:
        staff = self.deps.staff
        if data.get("done"):
            if not await staff.has_manager():
                return await self._form("staff", {"staff": "add at least one manager with a PIN"})
            return {"staff": sorted(await staff.names())}
        errors: dict[str, str] = {}
        try:
            name = check_name(str(data.get("name", "")))
            if name.casefold() in await staff.names():
                errors["name"] = f"there is already a staff member called {name}"
        except ValueError as exc:
            errors["name"], name = str(exc), ""
        try:
            role = check_role(str(data.get("role", "cashier"))).value
        except ValueError as exc:
            errors["role"], role = str(exc), ""
        try:
            pin = check_new_pin(str(data.get("pin", "")))
        except ValueError as exc:
            errors["pin"], pin = str(exc), ""
        if not errors:
            try:
                await staff.provision(name, role, pin)
            except ValueError as exc:
                errors["name"] = str(exc)
        return await self._form("staff", errors)
