"""Setting up the card reader's Stripe account: the key's check, the location, pairing, status.

Plain values over payments.stripe_api.StripeApi; the CLI (kiosk/cli/provision_cmd.py,
reader_cmd.py) turns SetupError into exit 2 and saves what these return. The key must be a
restricted one: a secret key on a device can do anything to the account if the device is lost,
so it is refused (DESIGN: "a secret key on a device is a liability").
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from kiosk.payments.stripe_api import StripeApi, close_client, connect_client
from kiosk.payments.stripe_errors import Kind, StripeProblem
from kiosk.payments.stripe_terminal import StripeTerminalReader
from kiosk.secrets import SecretsSection

SECTION = "stripe"
Obj = dict[str, Any]

# What the till needs, each checked by one harmless request: Stripe has no endpoint that lists
# a key's permissions, so a 404 for an object that does not exist means granted and a 403 names
# the permission missing. Locations are written only here, when one is created: that request is
# its own check. Charges read: the card details for the receipt are on the Charge.
PROBES: dict[str, tuple[str, tuple[Any, ...]]] = {
    "rak_payment_intent_write": ("payment_intents.cancel", ("pi_kiosk_probe",)),
    "rak_terminal_reader_write": ("terminal.readers.cancel_action", ("tmr_kioskprobe",)),
    "rak_refund_write": ("refunds.create", ({"payment_intent": "pi_kiosk_probe"},)),
    "rak_charge_read": ("payment_intents.list", ({"limit": 1, "expand": ["data.latest_charge"]},)),
}
MAKE_RESTRICTED = (
    "make a restricted key in the Dashboard (Developers > API keys) with Write on "
    "PaymentIntents, Terminal readers and locations, and Refunds, and Read on Charges"
)


class SetupError(ValueError):
    """Bad input for setting up the reader (the key, a code, a location); names what is wrong."""


@dataclass(frozen=True, slots=True, repr=False)
class StripeSecrets(SecretsSection):
    """Stripe's section of the secrets file: the till's restricted key."""

    SECTION: ClassVar[str] = SECTION
    api_key: str = ""


@dataclass(frozen=True, slots=True)
class KeyMode:
    restricted: bool
    livemode: bool

    @property
    def mode(self) -> str:
        return "live" if self.livemode else "test"


def key_mode(key: str) -> KeyMode:
    """What a key's prefix says; SetupError for anything that is not a Stripe API key."""
    for prefix, mode in (
        ("rk_live_", KeyMode(True, True)),
        ("rk_test_", KeyMode(True, False)),
        ("sk_live_", KeyMode(False, True)),
        ("sk_test_", KeyMode(False, False)),
    ):
        if key.startswith(prefix) and len(key) > len(prefix):
            return mode
    if key.startswith("pk_"):
        raise SetupError("--key is a publishable key (pk_...): the till needs a restricted key")
    raise SetupError("--key is not a Stripe API key (rk_live_... or rk_test_...)")


async def missing_permissions(api: StripeApi) -> list[str]:
    """The permissions of PROBES the key lacks (raises StripeProblem for a refused key)."""
    missing = []
    for permission, (path, args) in PROBES.items():
        try:
            await api.call(path, *args)
        except StripeProblem as exc:
            if exc.kind is Kind.PERMISSION:
                missing.append(exc.permission() or permission)
            elif not exc.missing:
                raise
    return missing


def mode_mismatch(exc: StripeProblem, mode: KeyMode, what: str) -> SetupError | None:
    """The error for an object of the other mode ("a similar object exists in test mode")."""
    text = str(exc)
    if not exc.missing or "similar object exists in" not in text:
        return None
    other = "test" if mode.livemode else "live"
    return SetupError(
        f"--key is a {mode.mode} key, but {what} is a {other}-mode object: give a {other} key "
        f"(rk_{other}_...), or set up {mode.mode}-mode objects again"
    )


async def check_location(api: StripeApi, location_id: str, mode: KeyMode) -> Obj:
    try:
        return await api.call("terminal.locations.retrieve", location_id)
    except StripeProblem as exc:
        mismatch = mode_mismatch(exc, mode, f"location {location_id}")
        if mismatch is not None:
            raise mismatch from None
        if exc.missing:
            raise SetupError(f"--location {location_id}: no such Terminal location") from None
        raise


async def choose_location(
    api: StripeApi, mode: KeyMode, *, wanted: str, configured: str, name: str, country: str
) -> tuple[Obj, bool]:
    """The location to pair readers at, and whether it was created now.

    `wanted` (--location) must exist; else the one already configured, if it still does; else
    the account's only location; else a new one named `name` in `country` (which must be set).
    """
    if wanted:
        return await check_location(api, wanted, mode), False
    if configured:
        try:
            return await check_location(api, configured, mode), False
        except SetupError as exc:
            if "mode object" in str(exc):
                raise
    listed = (await api.call("terminal.locations.list", {"limit": 100}))["data"]
    if len(listed) == 1:
        return listed[0], False
    if listed:
        names = ", ".join(f"{loc['id']} ({loc.get('display_name', '')})" for loc in listed)
        raise SetupError(f"--location: the account has {len(listed)} locations ({names}): name one")
    if not country:
        raise SetupError(
            "--country: the account has no Terminal location yet; give the shop's "
            "country (e.g. GB) to create one"
        )
    made = await api.call(
        "terminal.locations.create",
        {"display_name": name, "address": {"country": country.upper()}},
    )
    return made, True


async def pair(api: StripeApi, code: str, location: str, label: str) -> Obj:
    """Register the reader showing `code` at `location`; SetupError names a wrong code."""
    params: Obj = {"registration_code": code, "location": location}
    if label:
        params["label"] = label
    try:
        return await api.call("terminal.readers.create", params)
    except StripeProblem as exc:
        if exc.kind is Kind.INVALID:
            raise SetupError(f"CODE {code!r}: {exc}") from None
        raise


def reader_state(reader: Mapping[str, Any]) -> str:
    """online, offline or busy (a payment or another action in progress)."""
    if reader.get("status") == "offline":
        return "offline"
    action = reader.get("action") or {}
    return "busy" if action.get("status") == "in_progress" else "online"


def reader_report(reader: Mapping[str, Any], location: Mapping[str, Any] | None) -> Obj:
    """What `kiosk reader status` shows of a paired reader."""
    return {
        "paired": True,
        "reader": reader["id"],
        "label": reader.get("label") or "",
        "state": reader_state(reader),
        "device_type": reader.get("device_type") or "",
        "firmware": reader.get("device_sw_version") or "",
        "serial_number": reader.get("serial_number") or "",
        "location": reader.get("location") or "",
        "location_name": (location or {}).get("display_name", ""),
        "livemode": bool(reader.get("livemode")),
    }


@asynccontextmanager
async def stripe_account(key: str, api_base: str = "") -> AsyncIterator[StripeApi]:
    """A StripeApi on its own client, closed when the block ends."""
    client = connect_client(key, api_base)
    try:
        yield StripeApi(client)
    finally:
        await close_client(client)


@asynccontextmanager
async def stripe_reader(
    key: str, reader_id: str, api_base: str = ""
) -> AsyncIterator[StripeTerminalReader]:
    """The paired reader as a CardReader, on its own client, closed when the block ends."""
    client = connect_client(key, api_base)
    try:
        yield StripeTerminalReader(client, reader_id)
    finally:
        await close_client(client)
